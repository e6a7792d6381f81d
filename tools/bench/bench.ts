/**
 * `npm run bench`: times the offline plan on generated inventories of 10, 100 and 1000 guests
 * and, for each, a floor: as many bare resources as that plan registered, registered under the
 * same recording mock runtime with no program logic and no policies. Prints the cost per guest
 * and the ratio to the floor, and checks the targets: the cost per guest flat from 100 to 1000
 * guests (linear growth), and the plan within 3× of the floor at 1000 guests.
 *
 * Each measurement runs in its own process (a fresh Pulumi runtime, modules already loaded
 * before the clock starts); the best of several runs is kept to damp noise.
 */
import { execFileSync } from "child_process";
import * as path from "path";

export const SIZES = [10, 100, 1000] as const;
/** Cost per guest at 1000 may exceed the one at 100 by at most this factor and still count as flat. */
export const FLATNESS_TOLERANCE = 1.5;
/** The plan at 1000 guests must stay within this multiple of the floor. */
export const FLOOR_RATIO_TARGET = 3;

interface ChildResult {
    readonly ms: number;
    readonly resources: number;
}

export interface BenchRow {
    readonly guests: number;
    readonly resources: number;
    readonly planMs: number;
    readonly floorMs: number;
    readonly msPerGuest: number;
    readonly ratioToFloor: number;
}

/** The verdicts on the targets for a set of rows. */
export function verdicts(rows: readonly BenchRow[]): { flat: boolean; withinFloor: boolean; messages: string[] } {
    const at = (n: number) => rows.find((r) => r.guests === n);
    const r100 = at(100);
    const r1000 = at(1000);
    const messages: string[] = [];
    let flat = true;
    let withinFloor = true;
    if (r100 && r1000) {
        const growth = r1000.msPerGuest / r100.msPerGuest;
        flat = growth <= FLATNESS_TOLERANCE;
        messages.push(
            `cost per guest 100 → 1000: ${r100.msPerGuest.toFixed(3)} → ${r1000.msPerGuest.toFixed(3)} ms (×${growth.toFixed(2)}; target ≤ ×${FLATNESS_TOLERANCE}): ${flat ? "flat" : "NOT flat"}`,
        );
        withinFloor = r1000.ratioToFloor <= FLOOR_RATIO_TARGET;
        messages.push(
            `plan / floor at 1000 guests: ×${r1000.ratioToFloor.toFixed(2)} (target ≤ ×${FLOOR_RATIO_TARGET}): ${withinFloor ? "met" : "MISSED"}`,
        );
    }
    return { flat, withinFloor, messages };
}

function runChild(kind: "plan" | "floor", n: number): ChildResult {
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--child", kind, String(n)], {
        cwd: path.join(__dirname, "../.."),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    });
    const line = out.trim().split("\n").pop() ?? "";
    return JSON.parse(line) as ChildResult;
}

async function childPlan(guests: number): Promise<ChildResult> {
    const { generateInventory } = await import("./generate");
    const { parseInventory } = await import("../../config/parse");
    const { planInventory } = await import("../plan");
    // Load the SDKs before the clock starts: module loading is a constant, not a cost per guest.
    await import("../../program");
    await import("../../policies/runner");
    const raw = generateInventory(guests);
    const started = process.hrtime.bigint();
    const inv = parseInventory(raw);
    const report = await planInventory(inv, {}, "bench");
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (report.exitCode !== 0)
        throw new Error(`the plan of ${guests} generated guests is not clean: ${JSON.stringify(report.violations?.mandatory.slice(0, 3))}`);
    return { ms, resources: report.resources?.total ?? 0 };
}

async function childFloor(resources: number): Promise<ChildResult> {
    const pulumi = await import("@pulumi/pulumi");
    const { installRecorder, runInStack } = await import("../runtime/recorder");
    class Bare extends pulumi.CustomResource {
        constructor(name: string) {
            super("bench:index:Bare", name, {});
        }
    }
    const started = process.hrtime.bigint();
    await installRecorder({ project: "homelab", stack: "bench", preview: true });
    // The stack resource counts as one of the plan's resources.
    await runInStack(() => {
        for (let i = 0; i < resources - 1; i++) new Bare(`bare-${i}`);
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { ms, resources };
}

export async function main(argv: string[]): Promise<number> {
    if (argv[0] === "--child") {
        const n = Number(argv[2]);
        const result = argv[1] === "plan" ? await childPlan(n) : await childFloor(n);
        process.stdout.write(JSON.stringify(result) + "\n");
        return 0;
    }
    const runs = Number(process.env.BENCH_RUNS ?? 3);
    const rows: BenchRow[] = [];
    process.stdout.write(`offline plan vs floor (best of ${runs} runs, each in a fresh process)\n\n`);
    process.stdout.write(
        `${"guests".padStart(7)} ${"resources".padStart(10)} ${"plan ms".padStart(10)} ${"floor ms".padStart(10)} ${"ms/guest".padStart(10)} ${"×floor".padStart(8)}\n`,
    );
    for (const guests of SIZES) {
        let plan: ChildResult | undefined;
        let floor: ChildResult | undefined;
        for (let i = 0; i < runs; i++) {
            const p = runChild("plan", guests);
            if (!plan || p.ms < plan.ms) plan = p;
        }
        for (let i = 0; i < runs; i++) {
            const f = runChild("floor", plan!.resources);
            if (!floor || f.ms < floor.ms) floor = f;
        }
        const row: BenchRow = {
            guests,
            resources: plan!.resources,
            planMs: Math.round(plan!.ms),
            floorMs: Math.round(floor!.ms),
            msPerGuest: plan!.ms / guests,
            ratioToFloor: plan!.ms / floor!.ms,
        };
        rows.push(row);
        process.stdout.write(
            `${String(guests).padStart(7)} ${String(row.resources).padStart(10)} ${String(row.planMs).padStart(10)} ${String(row.floorMs).padStart(10)} ${row.msPerGuest.toFixed(3).padStart(10)} ${row.ratioToFloor.toFixed(2).padStart(8)}\n`,
        );
    }
    const v = verdicts(rows);
    process.stdout.write("\n" + v.messages.join("\n") + "\n");
    return v.flat && v.withinFloor ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(2);
        },
    );
}
