/**
 * The timing side of test/linear-patterns.test.ts checks itself: exponential and quadratic
 * patterns are caught (the exponential ones as hung, after their child process is killed), a
 * linear one passes. Slow by design: it waits for the hung ones.
 */
import { GROWTH_LIMIT, attackRecipes, timePatterns } from "./helpers/patterns";

/** Per input of 10,000 characters, as in test/linear-patterns.test.ts. */
const BUDGET_MS = 10;

describe("the adversarial inputs", () => {
    it("catch exponential, quadratic and unanchored-quadratic patterns, and pass linear ones", () => {
        const timed = [
            ["exponential nesting", "^\\/(?:[A-Za-z0-9_.@+:, -]+\\/?)*$"],
            ["exponential alternation", "^(?:a|a)*$"],
            ["quadratic adjacent", "^\\d+\\.?\\d*$"],
            ["quadratic unanchored", "\\/+$"],
            ["quadratic lazy", "```mermaid\\n[\\s\\S]*?\\n```\\n"],
            ["linear", "^\\/(?:[A-Za-z0-9_.@+:, -]+\\/)*[A-Za-z0-9_.@+:, -]*$"],
        ].map(([where, source]) => ({ where, source, flags: "", recipes: attackRecipes(source, "") }));
        const slow = timePatterns(timed, BUDGET_MS, 3_000);
        expect([...new Set(slow.map((s) => s.where))]).toEqual([
            "exponential nesting",
            "exponential alternation",
            "quadratic adjacent",
            "quadratic unanchored",
            "quadratic lazy",
        ]);
        expect(slow.filter((s) => s.hung).map((s) => s.where)).toEqual(["exponential nesting", "exponential alternation"]);
        expect(GROWTH_LIMIT).toBeLessThan(16);
    }, 60_000);
});
