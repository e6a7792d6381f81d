/**
 * `npm run -s plan [-- --stack NAME] [--json] [--base <git-ref | stack file> [--format text|json|markdown]]`: the offline plan.
 *
 * Reads Pulumi.NAME.yaml (`--stack`, else `PULUMI_STACK`, else prod) and the stack's policy
 * configuration policies/stacks/NAME.json, runs the real program under Pulumi's mock runtime
 * with that configuration (secrets it cannot decrypt become placeholders marked secret), records
 * every resource, runs the policy pack in-process with the engine's semantics, and reports:
 *   (a) a tree like `pulumi preview`'s with counts per type, (b) violations by level,
 *   (c) per node the allocated CPU and memory against physical and the overcommit ratios,
 *   (d) the longest dependency chain (how many steps deep `pulumi up` must go).
 * It is a from-scratch view: what a first `pulumi up` on an empty stack would create (it reads no
 * state). With --base, (e) the change report against the base inventory (tools/change/): what
 * `pulumi up` would create, update, replace or delete going from the base to this inventory, and
 * which of it is dangerous. With --adopt <snapshot>, (f) the adoption view (tools/change/adoption.ts):
 * what the first `up` of an inventory read from a running cluster does to that cluster.
 * Exit 0 when clean, 1 on a mandatory violation, a dangerous change, an adoption that changes what exists, or
 * what the engine would refuse (a duplicate URN), 2 on an invalid inventory, stack file or policy
 * configuration (either side), 3 for a bug (one line on stderr; with --json a JSON error
 * document), 4 when stdout was closed before the report was complete. The report is always
 * written in full before exit. Needs no credentials, no network and no Pulumi CLI.
 */
import * as path from "path";
import { InventoryError, InventoryProblem, formatProblem } from "../config/errors";
import { Inventory } from "../config/schema";
import {
    CREDENTIAL_ENV,
    CREDENTIAL_KEYS,
    POLICY_CONFIG_DIR,
    PROJECT,
    StackFileError,
    isSecureValue,
    readInventory,
    requirePolicyConfig,
    stackFilePath,
} from "../config/stackfile";
import { guestMemoryMiB, guestVcpus } from "../policies/guestInputs";
import type { PolicyPackConfig } from "./policy/runner";
import { GUEST_TYPES, NODE_COMPONENT_TYPE } from "../policies/tokens";
import { ArgsError, ToolSpec, helpText, parseArgs } from "./args";
import { AdoptionReport, renderAdoptionText } from "./change/adoption";
import { renderChangeMarkdown, renderChangeText } from "./change/render";
import type { ChangeReport } from "./change/report";
import { Tool, finishTool, internalErrorDocument, runTool, writeAll } from "./output";
import { DataCopies, describeCopies } from "../lib/copies";
import { RecordedResource, Recording } from "./runtime/recorder";

export const PLAN: ToolSpec = {
    command: "npm run -s plan",
    summary:
        "The offline plan: runs the program under Pulumi's mock runtime with Pulumi.NAME.yaml and the policy pack\n" +
        "with policies/stacks/NAME.json, and reports what a first `pulumi up` on an empty stack would create\n" +
        "(a from-scratch view: it reads no state), the policy violations, CPU and memory per node, and the\n" +
        "longest dependency chain. No credentials, no network, no Pulumi CLI.",
    stack: true,
    flags: [{ name: "json", help: "print the report as one JSON document (docs/plan.md, tools/plan.schema.json)" }],
    options: [
        { name: "base", placeholder: "REF", help: "also report the changes from a base: a git ref (its Pulumi.NAME.yaml) or a stack file" },
        { name: "adopt", placeholder: "SNAPSHOT", help: "the adoption view against a cluster snapshot of npm run inventory:from-cluster" },
        {
            name: "format",
            choices: ["text", "json", "markdown"],
            default: "text",
            help: "the report's form; markdown renders the change report for a pull request",
        },
    ],
    details: [
        "exit codes: 0 clean; 1 a mandatory policy violation, a dangerous change, an engine error (a duplicate URN) or,",
        "with --adopt, an adopted resource the first up would change;",
        "2 an invalid inventory, stack file, policy configuration or command line (either side); 3 a bug (with --json",
        "a JSON error document on stdout); 4 stdout closed before the report was complete",
    ],
};

/** The component that registers the copies of the data. */
const BACKUP_PLAN_TYPE = "homelab:backup:BackupPlan";

/** The value a secret the plan cannot decrypt (or that is not set) gets; it stays marked secret. */
export const SECRET_PLACEHOLDER = "[secret]";

/** Environment variables that could carry real credentials into the plan: cleared before it runs. */
export const CREDENTIAL_ENV_VARS = [...new Set(Object.values(CREDENTIAL_ENV)), "AWS_SESSION_TOKEN"];

export interface PlanViolation {
    readonly policy: string;
    readonly level: "advisory" | "mandatory";
    readonly message: string;
    readonly name?: string;
    readonly type?: string;
    readonly urn?: string;
}

export interface NodeCapacity {
    readonly node: string;
    readonly threads: number;
    readonly allocatedCores: number;
    readonly cpuRatio: number;
    readonly memoryGiB: number;
    readonly allocatedMemoryGiB: number;
    readonly memoryRatio: number;
}

export interface TreeEntry {
    readonly type: string;
    readonly name: string;
    readonly depth: number;
    readonly protect: boolean;
}

/** The plan's report; `--json` prints exactly this (shape documented in docs/plan.md, schema in tools/plan.schema.json). */
export interface PlanReport {
    readonly stack: string;
    /** The stack file read: `Pulumi.prod.yaml`. */
    readonly file: string;
    /** The policy configuration read: `policies/stacks/prod.json` (absent when the plan stopped before it). */
    readonly policyConfig?: string;
    readonly exitCode: 0 | 1 | 2;
    readonly durationMs: number;
    readonly error?: {
        /** `base`: the inventory given with --base cannot be read or is invalid. */
        readonly kind: "invalid-inventory" | "stack-file" | "policy-config" | "base" | "snapshot";
        readonly message: string;
        readonly problems: readonly InventoryProblem[];
    };
    readonly inventory?: { readonly nodes: number; readonly guests: number; readonly datasets: number; readonly records: number };
    readonly resources?: { readonly total: number; readonly byType: Record<string, number>; readonly tree: readonly TreeEntry[] };
    readonly violations?: { readonly mandatory: readonly PlanViolation[]; readonly advisory: readonly PlanViolation[] };
    readonly remediations?: readonly { readonly policy: string; readonly name: string; readonly urn: string }[];
    readonly capacity?: readonly NodeCapacity[];
    /** 3-2-1: every guest's and dataset's copies, as the BackupPlan component registers them (absent without backups). */
    readonly copies?: readonly DataCopies[];
    readonly dependencies?: { readonly depth: number; readonly chain: readonly string[] };
    /** What the engine would refuse before any policy runs (a duplicate URN), in the engine's words. */
    readonly engineErrors?: readonly string[];
    /** With --base: what deploying this inventory over the base one would do (tools/change/). */
    readonly changes?: ChangeReport;
    /** With --adopt: what the first `up` does to the running cluster (tools/change/adoption.ts). */
    readonly adoption?: AdoptionReport;
}

/** Config as the mock runtime wants it: `homelab:key` → string, with secret keys. */
export function mockConfig(config: Record<string, unknown>): { values: Record<string, string>; secretKeys: string[] } {
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (isSecureValue(value)) {
            values[fullKey] = SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else {
            values[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    // Credentials the stack does not hold (they come from the environment in real runs) get placeholders too.
    for (const key of CREDENTIAL_KEYS) {
        const fullKey = `${PROJECT}:${key}`;
        if (!(fullKey in values)) {
            values[fullKey] = SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        }
    }
    return { values, secretKeys };
}

/** Resources in registration order as a tree (depth-first from the stack). */
export function resourceTree(resources: readonly RecordedResource[]): TreeEntry[] {
    const children = new Map<string | undefined, RecordedResource[]>();
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        const key = r.parent && urns.has(r.parent) ? r.parent : undefined;
        const siblings = children.get(key);
        if (siblings) siblings.push(r);
        else children.set(key, [r]);
    }
    const out: TreeEntry[] = [];
    const walk = (parent: string | undefined, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            out.push({ type: r.type, name: r.name, depth, protect: r.options.protect });
            walk(r.urn, depth + 1);
        }
    };
    walk(undefined, 0);
    return out;
}

/**
 * The longest chain of resources that must be created one after another: a resource waits for
 * its dependencies (dependsOn and property dependencies) and for its parent. Linear in the graph.
 */
export function longestDependencyChain(resources: readonly RecordedResource[]): { depth: number; chain: string[] } {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const memo = new Map<string, string[]>();
    const visiting = new Set<string>();
    const chainOf = (urn: string): string[] => {
        const cached = memo.get(urn);
        if (cached) return cached;
        const r = byUrn.get(urn);
        if (!r || visiting.has(urn)) return [];
        visiting.add(urn);
        let best: string[] = [];
        const preds = new Set([...r.dependencies, ...(r.parent ? [r.parent] : [])]);
        for (const dep of preds) {
            const c = chainOf(dep);
            if (c.length > best.length) best = c;
        }
        visiting.delete(urn);
        const result = [...best, urn];
        memo.set(urn, result);
        return result;
    };
    let longest: string[] = [];
    for (const r of resources) {
        const c = chainOf(r.urn);
        if (c.length > longest.length) longest = c;
    }
    return { depth: longest.length, chain: longest.map((u) => byUrn.get(u)?.name ?? u) };
}

const num = (v: unknown): number | undefined =>
    typeof v === "number" ? v : typeof v === "string" && v !== "" && !isNaN(Number(v)) ? Number(v) : undefined;

/** Per node: cores and memory of the guests registered on it, against the node component's outputs. */
export function nodeCapacity(resources: readonly RecordedResource[]): NodeCapacity[] {
    // One pass over the guests, grouped by node: linear in the number of resources.
    const allocated = new Map<string, { cores: number; memoryMiB: number }>();
    for (const r of resources) {
        if (!GUEST_TYPES.has(r.type)) continue;
        // A template never runs: it takes no CPU or memory.
        if (r.inputs.template === true || r.inputs.template === "true") continue;
        const node = String(r.inputs.nodeName);
        const sum = allocated.get(node) ?? { cores: 0, memoryMiB: 0 };
        // The pack's readers: every guest class, Proxmox's defaults, counted as the overcommit rule counts.
        sum.cores += guestVcpus(r.type, r.inputs);
        sum.memoryMiB += guestMemoryMiB(r.type, r.inputs);
        allocated.set(node, sum);
    }
    const out: NodeCapacity[] = [];
    for (const node of resources.filter((r) => r.type === NODE_COMPONENT_TYPE)) {
        const name = String(node.outputs.nodeName ?? node.name);
        const threads = num(node.outputs.threads) ?? 0;
        const memoryGiB = num(node.outputs.memoryGiB) ?? 0;
        const { cores, memoryMiB } = allocated.get(name) ?? { cores: 0, memoryMiB: 0 };
        const allocatedMemoryGiB = Math.round((memoryMiB / 1024) * 100) / 100;
        out.push({
            node: name,
            threads,
            allocatedCores: cores,
            cpuRatio: threads ? Math.round((cores / threads) * 100) / 100 : 0,
            memoryGiB,
            allocatedMemoryGiB,
            memoryRatio: memoryGiB ? Math.round((allocatedMemoryGiB / memoryGiB) * 100) / 100 : 0,
        });
    }
    return out.sort((a, b) => a.node.localeCompare(b.node));
}

/** Runs the program of `inv` under the recording mocks. Loaded lazily: the SDKs are heavy. */
/** The program a plan records: the homelab's by default (tests hand in others). */
export type PlanProgram = (inv: Inventory) => unknown;

export async function recordProgram(
    inv: Inventory,
    config: Record<string, unknown>,
    stack: string,
    program?: PlanProgram,
): Promise<Recording> {
    const pulumi = await import("@pulumi/pulumi");
    const { installRecorder, runInStack, withoutStackTraces } = await import("./runtime/recorder");
    const { PLAN_INVOKES, PLAN_STATES } = await import("./runtime/invokes");
    const { values, secretKeys } = mockConfig(config);
    pulumi.runtime.setAllConfig(values, secretKeys);
    const recording = await installRecorder({ project: PROJECT, stack, preview: true, invokes: PLAN_INVOKES, states: PLAN_STATES });
    const deploy = program ?? (await homelabProgram());
    await withoutStackTraces(() => runInStack(() => deploy(inv)));
    if (recording.errors.length > 0)
        throw new Error(`the program made calls the offline plan cannot answer:\n${recording.errors.join("\n")}`);
    return recording;
}

/** The homelab's program with the credentials of the environment (the plan clears them first). */
async function homelabProgram(): Promise<PlanProgram> {
    const { deployHomelab } = await import("../program");
    const { readCredentials } = await import("../config/loader");
    return (inv) => deployHomelab(inv, readCredentials());
}

/** Builds the whole report. Never throws for bad input: that is exit code 2. */
export async function plan(stack: string, dir = process.cwd(), onRecording?: (recording: Recording) => void): Promise<PlanReport> {
    const started = Date.now();
    const file = `Pulumi.${stack}.yaml`;
    const failed = (
        kind: NonNullable<PlanReport["error"]>["kind"],
        message: string,
        problems: readonly InventoryProblem[] = [],
    ): PlanReport => ({
        stack,
        file,
        exitCode: 2,
        durationMs: Date.now() - started,
        error: { kind, message, problems },
    });
    let inv: Inventory;
    let config: Record<string, unknown>;
    let policyFile: string;
    try {
        const read = readInventory(stackFilePath(stack, dir));
        config = read.stackFile.config;
        inv = read.inventory;
        policyFile = requirePolicyConfig(stack, dir);
    } catch (err) {
        if (err instanceof InventoryError) return failed("invalid-inventory", err.message, err.problems);
        if (err instanceof StackFileError)
            return failed(err.message.startsWith(POLICY_CONFIG_DIR) ? "policy-config" : "stack-file", err.message);
        throw err;
    }
    const policyConfig = `${POLICY_CONFIG_DIR}/${path.basename(policyFile)}`;
    // The pack is loaded only now: it brings the Pulumi SDK with it.
    const { PolicyConfigError, readPolicyPackConfig } = await import("./policy/runner");
    let policies: PolicyPackConfig;
    try {
        policies = readPolicyPackConfig(policyFile);
    } catch (err) {
        if (err instanceof PolicyConfigError) return failed("policy-config", `${policyConfig}: ${err.message}`);
        if (err instanceof SyntaxError) return failed("policy-config", `${policyConfig}: not JSON: ${err.message}`);
        throw err;
    }
    return planInventory(inv, config, stack, policies, { started, onRecording, policyConfigFile: policyConfig });
}

/** Optional parts of `planInventory`. */
export interface PlanOptions {
    /** When the plan started (the report's duration counts from it). @default now */
    readonly started?: number;
    /** Sees the recording before the policies run (the benchmark keeps the resource list). */
    readonly onRecording?: (recording: Recording) => void;
    /** The file the policy configuration came from, for the report. */
    readonly policyConfigFile?: string;
    /** The program to record. @default the homelab's `deployHomelab` */
    readonly program?: PlanProgram;
}

/** Plans a validated inventory with a policy configuration: records the program, runs the policies, builds the report. */
export async function planInventory(
    inv: Inventory,
    config: Record<string, unknown>,
    stack: string,
    policies: PolicyPackConfig,
    options: PlanOptions = {},
): Promise<PlanReport> {
    const { started = Date.now(), onRecording, policyConfigFile, program } = options;
    for (const v of CREDENTIAL_ENV_VARS) delete process.env[v];

    const recording = await recordProgram(inv, config, stack, program);
    onRecording?.(recording);
    const { runPolicies } = await import("./policy/runner");
    const result = runPolicies(recording.resources, policies);
    const pick = (level: "advisory" | "mandatory"): PlanViolation[] =>
        result.violations
            .filter((v) => v.level === level)
            .map((v) => ({ policy: v.policy, level: v.level, message: v.message, name: v.name, type: v.type, urn: v.urn }))
            .sort((a, b) => a.policy.localeCompare(b.policy) || (a.name ?? "").localeCompare(b.name ?? ""));
    const mandatory = pick("mandatory");
    const advisory = pick("advisory");
    const deps = longestDependencyChain(recording.resources);
    return {
        stack,
        file: `Pulumi.${stack}.yaml`,
        ...(policyConfigFile === undefined ? {} : { policyConfig: policyConfigFile }),
        exitCode: mandatory.length > 0 || recording.engineErrors.length > 0 ? 1 : 0,
        durationMs: Date.now() - started,
        inventory: {
            nodes: Object.keys(inv.nodes).length,
            guests: Object.keys(inv.guests).length,
            datasets: Object.keys(inv.datasets).length,
            records: inv.dns ? Object.keys(inv.dns.records).length : 0,
        },
        resources: { total: recording.resources.length, byType: recording.countsByType(), tree: resourceTree(recording.resources) },
        engineErrors: [...recording.engineErrors],
        violations: { mandatory, advisory },
        remediations: result.remediations.map((r) => ({ policy: r.policy, name: r.name, urn: r.urn })),
        capacity: nodeCapacity(recording.resources),
        ...copiesSection(recording.resources),
        dependencies: deps,
    };
}

/** The human-readable report. */
export function renderReport(report: PlanReport): string {
    const lines: string[] = [];
    if (report.error) {
        const what = {
            "invalid-inventory": `the inventory in ${report.file} is invalid`,
            "stack-file": `cannot read ${report.file}`,
            "policy-config": "no usable policy configuration",
            base: "cannot plan the base",
            snapshot: "cannot read the cluster snapshot",
        }[report.error.kind];
        lines.push(`Plan of stack ${report.stack}: ${what}`);
        if (report.error.problems.length > 0) for (const p of report.error.problems) lines.push(formatProblem(p, report.file));
        else lines.push(`  ${report.error.message}`);
        lines.push("", "Nothing was planned. Fix the problems above and run the plan again.");
        return lines.join("\n") + "\n";
    }
    const res = report.resources!;
    lines.push(
        `Plan of stack ${report.stack} from ${report.file}${report.policyConfig ? ` and ${report.policyConfig}` : ""} (offline, under the Pulumi mock runtime)`,
        "A from-scratch view: what a first `pulumi up` on an empty stack would create. It reads no state, so it shows no updates or deletions.",
        "",
    );
    const typeWidth = Math.min(80, Math.max(...res.tree.map((t) => t.depth * 3 + t.type.length), 4) + 2);
    lines.push(`     ${"Type".padEnd(typeWidth)}Name`);
    const last = lastSiblings(res.tree);
    // Per depth, whether the ancestor at that depth was the last of its siblings (no more "│" below it).
    const ancestorLast: boolean[] = [];
    res.tree.forEach((t, i) => {
        ancestorLast[t.depth] = last[i];
        let prefix = "";
        for (let d = 1; d < t.depth; d++) prefix += ancestorLast[d] ? "   " : "│  ";
        if (t.depth > 0) prefix += last[i] ? "└─ " : "├─ ";
        const type = prefix + t.type;
        // At least one space between type and name, even past the column.
        lines.push(` +   ${type.padEnd(typeWidth)}${type.length >= typeWidth ? " " : ""}${t.name}${t.protect ? " [protected]" : ""}`);
    });
    lines.push("", `Resources: ${res.total} to create`);
    for (const [type, count] of Object.entries(res.byType)) lines.push(`  ${String(count).padStart(4)}  ${type}`);

    const v = report.violations!;
    const engineErrors = report.engineErrors ?? [];
    if (engineErrors.length > 0) {
        lines.push("", `Engine errors: ${engineErrors.length} (pulumi preview and up would stop on these)`);
        for (const e of engineErrors) lines.push(`    ${e}`);
    }
    lines.push("", `Policy violations: ${v.mandatory.length} mandatory, ${v.advisory.length} advisory`);
    for (const [title, list] of [
        ["mandatory", v.mandatory],
        ["advisory", v.advisory],
    ] as const) {
        if (list.length === 0) continue;
        lines.push(`  ${title}:`);
        for (const x of list) lines.push(`    [${x.policy}] ${x.name ? `${x.name}: ` : ""}${x.message}`);
    }
    if (report.remediations && report.remediations.length > 0) {
        lines.push(`  remediated: ${report.remediations.map((r) => `${r.name} (${r.policy})`).join(", ")}`);
    }

    if (report.copies !== undefined) lines.push("", ...renderCopies(report.copies));
    lines.push("", "Capacity per node (allocated / physical):");
    for (const c of report.capacity!) {
        lines.push(
            `  ${c.node.padEnd(16)} CPU ${String(c.allocatedCores).padStart(3)} cores / ${String(c.threads).padStart(3)} threads = ${c.cpuRatio.toFixed(2)}x   ` +
                `memory ${c.allocatedMemoryGiB.toFixed(1).padStart(6)} / ${String(c.memoryGiB).padStart(4)} GiB = ${c.memoryRatio.toFixed(2)}x`,
        );
    }
    const d = report.dependencies!;
    lines.push("", `Longest dependency chain: ${d.depth} steps`, `  ${d.chain.join(" → ")}`);
    if (report.changes) lines.push("", renderChangeText(report.changes).trimEnd());
    if (report.adoption) lines.push("", renderAdoptionText(report.adoption).trimEnd());
    const failures = [
        ...(engineErrors.length > 0 ? ["the engine would refuse this program (engine errors above)"] : []),
        ...(v.mandatory.length > 0 ? ["mandatory policy violations above must be fixed"] : []),
        ...(report.changes?.exitCode === 1 ? ["dangerous changes above: follow their safe procedures"] : []),
        ...(report.adoption?.exitCode === 1 ? ["the adoption view above: the first up would change what exists"] : []),
    ];
    lines.push(
        "",
        failures.length === 0
            ? `Plan OK: no mandatory violation${report.changes ? " and no dangerous change" : ""}.`
            : `Plan FAILED: ${failures.join("; ")}.`,
        `(${report.durationMs} ms)`,
    );
    return lines.join("\n") + "\n";
}

/** The copies the BackupPlan component registered, as the report's `copies`. */
export function copiesSection(resources: readonly RecordedResource[]): { copies?: DataCopies[] } {
    const plan = resources.find((r) => r.type === BACKUP_PLAN_TYPE);
    const copies = plan?.outputs.copies;
    return Array.isArray(copies) ? { copies: copies as DataCopies[] } : {};
}

/** The 3-2-1 section: a verdict, then one line per guest and dataset. */
export function renderCopies(copies: readonly DataCopies[]): string[] {
    const backedUp = copies.filter((c) => c.tier !== undefined);
    const meeting = backedUp.filter((c) => c.meets321).length;
    const excluded = copies.length - backedUp.length;
    return [
        `Copies (3-2-1): ${meeting} of ${backedUp.length} backed-up guests and datasets have 3 copies on 2 media, one offsite; ${excluded} left out of backups with a reason`,
        ...copies.map((c) => `  ${c.meets321 ? "ok " : c.tier === undefined ? "-  " : "!  "} ${describeCopies(c)}`),
    ];
}

/** For each tree entry, whether no later sibling follows it (one backward pass). */
export function lastSiblings(tree: readonly TreeEntry[]): boolean[] {
    const last: boolean[] = new Array<boolean>(tree.length);
    const laterSibling: boolean[] = [];
    for (let i = tree.length - 1; i >= 0; i--) {
        const d = tree[i].depth;
        last[i] = !laterSibling[d];
        laterSibling[d] = true;
        laterSibling.length = d + 1; // deeper entries below belong to another parent
    }
    return last;
}

/**
 * The plan as a tool: the stack, `--json`, `--base` and `--format` from `argv` (the stack also
 * from `PULUMI_STACK` in `env`); writes the report (text, JSON or the change report's markdown)
 * completely. `planStack` builds the report without a base (replaced in tests).
 */
export function planTool(
    argv: readonly string[],
    planStack?: (stack: string) => Promise<PlanReport>,
    env: NodeJS.ProcessEnv = process.env,
    dir = process.cwd(),
): Tool {
    const planWithoutBase = planStack ?? ((stack: string) => plan(stack, dir));
    let args: ReturnType<typeof parseArgs> | undefined;
    let argsError: string | undefined;
    try {
        args = parseArgs([...argv], PLAN, env);
        if (!args.help && args.options.has("adopt") && args.options.has("base"))
            throw new ArgsError("--adopt and --base are two views: give one at a time");
        if (!args.help && args.options.get("format") === "markdown" && !args.options.has("base"))
            throw new ArgsError("--format markdown renders the change report: give --base <git-ref | stack file>");
    } catch (e) {
        if (!(e instanceof ArgsError || e instanceof StackFileError)) throw e;
        args = undefined;
        argsError = e.message;
    }
    const parsed = args !== undefined && !args.help ? args : undefined;
    const format = parsed?.flags.has("json") ? "json" : (parsed?.options.get("format") ?? "text");
    return {
        name: "plan",
        run: async (out, err) => {
            if (args === undefined || argsError !== undefined) {
                await writeAll(err, `error: ${argsError}\n`);
                return 2;
            }
            if (args.help) {
                await writeAll(out, helpText(PLAN));
                return 0;
            }
            const base = args.options.get("base");
            const adopt = args.options.get("adopt");
            const report =
                adopt !== undefined
                    ? await (await import("./change/adoptionRun")).planWithAdoption(args.stack, adopt, dir)
                    : base === undefined
                      ? await planWithoutBase(args.stack)
                      : await (await import("./change/run")).planAgainstBase(args.stack, base, dir);
            if (format === "json") await writeAll(out, JSON.stringify(report, null, 2) + "\n");
            else if (format === "markdown" && report.changes) await writeAll(out, renderChangeMarkdown(report));
            else await writeAll(out, renderReport(report));
            return report.exitCode;
        },
        internalErrorOutput: (message) =>
            format === "json" && parsed !== undefined
                ? JSON.stringify(internalErrorDocument(parsed.stack, message), null, 2) + "\n"
                : undefined,
    };
}

/** Runs the plan as `npm run plan` does; returns the exit code once the report is written. */
export function main(
    argv: string[],
    env: NodeJS.ProcessEnv = process.env,
    dir = process.cwd(),
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
    return finishTool(planTool(argv, undefined, env, dir), out, err);
}

if (require.main === module) runTool(planTool(process.argv.slice(2)));
