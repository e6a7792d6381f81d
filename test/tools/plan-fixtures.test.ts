/**
 * The offline plan's JSON of every stack of the repository, durations left out, is what the
 * fixtures in test/fixtures/plan/ hold: a refactoring that changes what the program registers, what
 * the policies say or how the report is built fails here. After an intended change, regenerate with
 * `npm run -s plan -- --stack NAME --json` (durationMs removed).
 */
import * as fs from "fs";
import * as path from "path";
import { plan } from "../../tools/plan/report";

const ROOT = path.join(__dirname, "../..");

/** The value with every `durationMs` field removed, as JSON would carry it. */
function withoutDurations(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withoutDurations);
    if (value !== null && typeof value === "object")
        return Object.fromEntries(
            Object.entries(value)
                .filter(([key]) => key !== "durationMs")
                .map(([key, v]) => [key, withoutDurations(v)]),
        );
    return value;
}

describe.each(["prod", "example-single", "example-cluster"])("the plan of the %s stack", (stack) => {
    it("is the JSON of its fixture, durations left out", async () => {
        const report = await plan(stack, ROOT);
        const fixture = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/plan", `${stack}.json`), "utf8"));
        expect(withoutDurations(JSON.parse(JSON.stringify(report)))).toEqual(fixture);
    }, 60000);
});
