/**
 * `npm run bench`: times the offline plan on generated inventories of 10, 100 and 1000 guests
 * and, for each, a floor: as many bare resources as that plan registered, registered under the
 * same recording mock runtime with no program logic and no policies. Prints the cost per guest
 * and the ratio to the floor, and checks the targets: the cost per guest flat from 100 to 1000
 * guests (linear growth), and the plan within 3× of the floor at 1000 guests.
 *
 * Two floors are measured and printed:
 * - `floor`: each of the plan's resources registered as a bare custom resource carrying the same
 *   input values, flat (no parents, no components, no Outputs, no program logic, no policies):
 *   what the mock runtime itself costs for that many resources of that size. The target uses it.
 * - `empty`: the same number of bare resources with no inputs at all, so the part of the cost
 *   that is the SDK serializing inputs (which no program can avoid) shows on its own.
 *
 * It also times the change report (`npm run plan -- --base`) of the reference stack against
 * itself (the plan, the base's recording and the diff of every resource) against the plan of the
 * reference stack alone, and checks the report within 2.5× the plan's own time.
 *
 * Each measurement runs in its own process (a fresh Pulumi runtime, modules loaded before the
 * clock starts); the best of several runs is kept to damp noise.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ToolSpec, commandLine } from "../args";
import { flush, runTool } from "../output";

const SIZES = [10, 100, 1000] as const;
/** Cost per guest at 1000 may exceed the one at 100 by at most this factor and still count as flat. */
const FLATNESS_TOLERANCE = 1.5;
/** The plan at 1000 guests must stay within this multiple of the floor. */
export const FLOOR_RATIO_TARGET = 3;
/** The change report of the reference stack must stay within this multiple of its plan's time. */
export const CHANGE_RATIO_TARGET = 2.5;

interface ChildResult {
    readonly ms: number;
    readonly resources: number;
}

/** What the plan registered (type, name, inputs), handed from the plan's process to the floors'. */
type RegisteredList = [type: string, name: string, inputs: Record<string, unknown>][];

export interface BenchRow {
    readonly guests: number;
    readonly resources: number;
    readonly planMs: number;
    /** Bare resources carrying the plan's inputs. */
    readonly floorMs: number;
    /** Bare resources without inputs. */
    readonly emptyFloorMs: number;
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
            `cost per guest 100 → 1000: ${r100.msPerGuest.toFixed(3)} → ${r1000.msPerGuest.toFixed(3)} ms ` +
                `(×${growth.toFixed(2)}; target ≤ ×${FLATNESS_TOLERANCE}): ${flat ? "flat" : "NOT flat"}`,
        );
        withinFloor = r1000.ratioToFloor <= FLOOR_RATIO_TARGET;
        messages.push(
            `plan / floor at 1000 guests: ×${r1000.ratioToFloor.toFixed(2)} (target ≤ ×${FLOOR_RATIO_TARGET}): ${withinFloor ? "met" : "MISSED"}`,
        );
    }
    return { flat, withinFloor, messages };
}

/** The verdict on the change report's time against the plan's. */
export function changeVerdict(planMs: number, changeMs: number): { met: boolean; message: string } {
    const ratio = changeMs / planMs;
    const met = ratio <= CHANGE_RATIO_TARGET;
    return {
        met,
        message:
            `change report / plan of the reference stack: ${Math.round(changeMs)} / ${Math.round(planMs)} ms ` +
            `(×${ratio.toFixed(2)}; target ≤ ×${CHANGE_RATIO_TARGET}): ${met ? "met" : "MISSED"}`,
    };
}

type ChildKind = "plan" | "floor" | "empty" | "reference-plan" | "reference-change";

function runChild(kind: ChildKind, n: number, listFile: string): ChildResult {
    const out = execFileSync(process.execPath, ["--import", "tsx", __filename, "--child", kind, String(n), listFile], {
        cwd: path.join(__dirname, "../.."),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    const line = out.trim().split("\n").pop() ?? "";
    return JSON.parse(line) as ChildResult;
}

async function childPlan(guests: number, listFile: string): Promise<ChildResult> {
    const { generateInventory } = await import("./generate");
    const { parseInventory } = await import("../../config/parse");
    const { planInventory } = await import("../plan/report");
    // Load the SDKs before the clock starts: module loading is a constant, not a cost per guest.
    await import("../../program");
    await import("../policy/runner");
    const raw = generateInventory(guests);
    let registered: RegisteredList = [];
    const started = process.hrtime.bigint();
    const inv = parseInventory(raw);
    // The generated stack has no policy configuration of its own: every rule at its pack level.
    const report = await planInventory(
        inv,
        {},
        "bench",
        {},
        {
            onRecording: (recording) => {
                registered = recording.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => [r.type, r.name, r.inputs]);
            },
        },
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (report.exitCode !== 0) {
        throw new Error(`the plan of ${guests} generated guests is not clean: ${JSON.stringify(report.violations?.mandatory.slice(0, 3))}`);
    }
    fs.writeFileSync(listFile, JSON.stringify(registered));
    return { ms, resources: report.resources?.total ?? 0 };
}

/** The plan of the reference stack, or its change report against itself (two plans and a diff). */
async function childReference(kind: "reference-plan" | "reference-change"): Promise<ChildResult> {
    const root = path.join(__dirname, "../..");
    const { plan } = await import("../plan/report");
    const { planAgainstBase } = await import("../change/run");
    // Load the SDKs before the clock starts, as for the generated plans.
    await import("../../program");
    await import("../policy/runner");
    const started = process.hrtime.bigint();
    const report = kind === "reference-plan" ? await plan("prod", root) : await planAgainstBase("prod", "Pulumi.prod.yaml", root);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (report.exitCode !== 0) throw new Error(`the ${kind} of the reference stack is not clean (exit ${report.exitCode})`);
    return { ms, resources: report.resources?.total ?? 0 };
}

async function childFloor(resources: number, listFile: string, withInputs: boolean): Promise<ChildResult> {
    const pulumi = await import("@pulumi/pulumi");
    const { installRecorder, runInStack } = await import("../runtime/recorder");
    class Bare extends pulumi.CustomResource {
        constructor(type: string, name: string, inputs: Record<string, unknown>) {
            super(type, name, inputs);
        }
    }
    const list = JSON.parse(fs.readFileSync(listFile, "utf8")) as RegisteredList;
    // The stack resource is one of the plan's resources; runInStack registers it here too.
    if (list.length !== resources - 1) throw new Error(`the floor expected ${resources - 1} resources, found ${list.length}`);
    const started = process.hrtime.bigint();
    await installRecorder({ project: "homelab", stack: "bench", preview: true });
    // Same runtime as the plan (runInStack: no stack traces). Provider and component types
    // become a plain type: under mocks only custom resources of a package register as such.
    await runInStack(() => {
        list.forEach(([type, name, inputs], i) => {
            if (!withInputs) new Bare("bench:index:Bare", `bare-${i}`, {});
            else new Bare(type.startsWith("pulumi:") || type.startsWith("homelab:") ? "bench:index:Bare" : type, `${name}-${i}`, inputs);
        });
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { ms, resources };
}

function best(kind: ChildKind, n: number, listFile: string, runs: number): ChildResult {
    let result: ChildResult | undefined;
    for (let i = 0; i < runs; i++) {
        const r = runChild(kind, n, listFile);
        if (!result || r.ms < result.ms) result = r;
    }
    return result!;
}

const BENCH: ToolSpec = {
    command: "npm run -s bench",
    summary:
        "Times the offline plan on generated inventories of 10, 100 and 1000 guests (not a stack file: it takes no\n" +
        "--stack) against a floor of as many bare resources under the same mock runtime, and checks the targets:\n" +
        `the cost per guest flat from 100 to 1000 guests, the plan within ${FLOOR_RATIO_TARGET}x of the floor at 1000 guests.`,
    stack: false,
    flags: [],
    details: [
        "environment: BENCH_RUNS, the runs per measurement (best kept; default 3)",
        "exit codes: 0 targets met; 1 a target missed; 2 the benchmark failed or bad arguments",
    ],
};

export async function main(argv: string[]): Promise<number> {
    // Internal: one measurement, in a process of its own (see runChild).
    if (argv[0] === "--child") {
        const n = Number(argv[2]);
        const kind = argv[1] as ChildKind;
        const result =
            kind === "plan"
                ? await childPlan(n, argv[3])
                : kind === "reference-plan" || kind === "reference-change"
                  ? await childReference(kind)
                  : await childFloor(n, argv[3], kind === "floor");
        process.stdout.write(JSON.stringify(result) + "\n");
        return 0;
    }
    const args = commandLine(argv, BENCH, process.env, process.stdout, process.stderr);
    if (typeof args === "number") return args;
    const runs = Number(process.env.BENCH_RUNS ?? 3);
    const rows: BenchRow[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-bench-"));
    process.stdout.write(`offline plan vs floor (best of ${runs} runs, each in a fresh process)\n\n`);
    const header = ["guests", "resources", "plan ms", "floor ms", "empty ms", "ms/guest", "×floor", "×empty"];
    process.stdout.write(header.map((h, i) => h.padStart(i === 0 ? 7 : 10)).join(" ") + "\n");
    try {
        for (const guests of SIZES) {
            const listFile = path.join(dir, `resources-${guests}.json`);
            const plan = best("plan", guests, listFile, runs);
            const floor = best("floor", plan.resources, listFile, runs);
            const empty = best("empty", plan.resources, listFile, runs);
            const row: BenchRow = {
                guests,
                resources: plan.resources,
                planMs: Math.round(plan.ms),
                floorMs: Math.round(floor.ms),
                emptyFloorMs: Math.round(empty.ms),
                msPerGuest: plan.ms / guests,
                ratioToFloor: plan.ms / floor.ms,
            };
            rows.push(row);
            const cells = [
                row.guests,
                row.resources,
                row.planMs,
                row.floorMs,
                row.emptyFloorMs,
                row.msPerGuest.toFixed(3),
                row.ratioToFloor.toFixed(2),
                (plan.ms / empty.ms).toFixed(2),
            ];
            process.stdout.write(cells.map((c, i) => String(c).padStart(i === 0 ? 7 : 10)).join(" ") + "\n");
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    process.stdout.write(
        "\nfloor: the plan's resources as flat bare resources with the same inputs; empty: as many bare resources without inputs\n",
    );
    const v = verdicts(rows);
    process.stdout.write(v.messages.join("\n") + "\n");
    const referencePlan = best("reference-plan", 0, "", runs);
    const referenceChange = best("reference-change", 0, "", runs);
    const change = changeVerdict(referencePlan.ms, referenceChange.ms);
    process.stdout.write(change.message + "\n");
    return v.flat && v.withinFloor && change.met ? 0 : 1;
}

if (require.main === module) {
    // Exit 0 when the targets are met, 1 when one is missed; 3 for a failure, 4 when stdout was closed early.
    runTool({
        name: "bench",
        run: async (out) => {
            const code = await main(process.argv.slice(2));
            await flush(out);
            return code;
        },
    });
}
