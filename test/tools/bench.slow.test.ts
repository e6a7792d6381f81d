import * as path from "path";
import { BenchRow, CHANGE_RATIO_TARGET, FLOOR_RATIO_TARGET, changeVerdict, main, verdicts } from "../../tools/bench/bench";
import { planAgainstBase } from "../../tools/change/run";
import { plan } from "../../tools/plan/report";
import { captured } from "./project";

const row = (guests: number, msPerGuest: number, ratioToFloor: number): BenchRow => ({
    guests,
    resources: guests * 4,
    planMs: msPerGuest * guests,
    floorMs: (msPerGuest * guests) / ratioToFloor,
    emptyFloorMs: 1,
    msPerGuest,
    ratioToFloor,
});

describe("the benchmark's verdicts", () => {
    it("accepts a flat cost per guest and a plan within 3× of the floor", () => {
        expect(verdicts([row(10, 15, 3.2), row(100, 5, 2.8), row(1000, 3.2, 2)])).toEqual({
            flat: true,
            withinFloor: true,
            messages: [
                "cost per guest 100 → 1000: 5.000 → 3.200 ms (×0.64; target ≤ ×1.5): flat",
                `plan / floor at 1000 guests: ×2.00 (target ≤ ×${FLOOR_RATIO_TARGET}): met`,
            ],
        });
    });

    it("refuses a cost per guest that grows with the inventory (quadratic work)", () => {
        expect(verdicts([row(100, 5, 2), row(1000, 50, 2)]).flat).toBe(false);
    });

    it("refuses a plan more than 3× its floor at 1000 guests", () => {
        const v = verdicts([row(100, 5, 2), row(1000, 5, 3.5)]);
        expect(v.withinFloor).toBe(false);
        expect(v.messages[1]).toBe("plan / floor at 1000 guests: ×3.50 (target ≤ ×3): MISSED");
    });
});

describe("the benchmark's command line", () => {
    it("explains itself with --help (no stack: it generates its inventories) and exits 0 without measuring", async () => {
        const { result, stdout, stderr } = await captured(() => main(["--help"]));
        expect(result).toBe(0);
        expect(stderr).toBe("");
        expect(stdout.split("\n")[0]).toBe("usage: npm run -s bench");
        expect(stdout).toContain("it takes no\n--stack");
        expect(stdout).toContain("environment: BENCH_RUNS");
    });

    it("refuses any other argument with exit 2, saying what is known", async () => {
        const { result, stdout, stderr } = await captured(() => main(["--stack", "prod"]));
        expect(result).toBe(2);
        expect(stdout).toBe("");
        expect(stderr).toBe('error: unknown argument "--stack" (known: --help)\n');
    });
});

describe("the change report's speed (npm run bench measures it in fresh processes)", () => {
    it("judges the change report against the plan's time", () => {
        expect(changeVerdict(400, 560)).toEqual({
            met: true,
            message: `change report / plan of the reference stack: 560 / 400 ms (×1.40; target ≤ ×${CHANGE_RATIO_TARGET}): met`,
        });
        expect(changeVerdict(400, 1100).met).toBe(false);
    });

    it("the change report of the reference stack stays within 2.5× the plan's own time (best of 3, in this process, warm)", async () => {
        const root = path.join(__dirname, "../..");
        await plan("prod", root); // warm-up: module loading and JIT are not the plan's time
        const best = async (run: () => Promise<unknown>) => {
            let fastest = Infinity;
            for (let i = 0; i < 3; i++) {
                const started = process.hrtime.bigint();
                await run();
                fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e6);
            }
            return fastest;
        };
        const planMs = await best(() => plan("prod", root));
        const changeMs = await best(() => planAgainstBase("prod", "Pulumi.prod.yaml", root));
        expect(changeVerdict(planMs, changeMs)).toMatchObject({ met: true });
    }, 60000);
});
