/** Exemption patterns: `*` and `?` globs matched by plain code, exactly as the anchored regular expression would. */
import fc from "fast-check";
import { matchesPattern } from "../../policies/exemptions";

/** The meaning of a pattern, as a regular expression (the reference the plain code is checked against). */
function reference(pattern: string, name: string): boolean {
    const body = [...pattern].map((c) => (c === "*" ? "[^]*" : c === "?" ? "[^]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
    return new RegExp(`^${body}$`).test(name);
}

describe("matchesPattern", () => {
    it.each([
        ["photos-container", "photos-container", true],
        ["photos-*", "photos-container", true],
        ["*-container", "photos-container", true],
        ["p?otos-*", "photos-container", true],
        ["*o*o*", "photos", true],
        ["*", "", true],
        ["", "", true],
        ["a*a", "a", false],
        ["photos", "photos-container", false],
        ["*.example.org", "www.example.org", true],
        ["*.example.org", "wwwxexample.org", false],
        ["a*b*c", "acb", false],
        ["a*b*c", "abbc", true],
    ])("%j matches %j: %s", (pattern, name, expected) => {
        expect(matchesPattern(pattern, name)).toBe(expected);
        expect(reference(pattern, name)).toBe(expected);
    });

    it("agrees with the regular expression on every pattern and name over a small alphabet", () => {
        const text = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 12 }).map((cs) => cs.join(""));
        fc.assert(
            fc.property(text(["a", "b", ".", "*", "?"]), text(["a", "b", "."]), (pattern, name) => {
                expect(matchesPattern(pattern, name)).toBe(reference(pattern, name));
            }),
            { numRuns: 5000 },
        );
    });

    it("stays fast where the regular expression of many stars backtracks for ever", () => {
        // As a regular expression: ^(?:.*a){30}.*b.*$, polynomial of degree 30 in the name's length.
        const pattern = `${"*a".repeat(30)}*b*`;
        const name = "a".repeat(5000);
        const started = performance.now();
        expect(matchesPattern(pattern, name)).toBe(false);
        expect(performance.now() - started).toBeLessThan(200);
    });
});
