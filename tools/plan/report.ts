/**
 * The offline plan's report (`--json` prints exactly a PlanReport; docs/plan.md, tools/plan.schema.json)
 * and how it is built: read the stack file and its policy configuration, record the program under
 * the mock runtime (record.ts), run the policy pack in-process (tools/policy/runner.ts), and add
 * the tree, the capacity per node, the copies and the longest dependency chain.
 */
import * as path from "path";
import { InventoryError, InventoryProblem } from "../../config/errors";
import { Inventory } from "../../config/schema";
import { POLICY_CONFIG_DIR, StackFileError, readInventory, requirePolicyConfig, stackFilePath } from "../../config/stackfile";
import { DataCopies } from "../../lib/copies";
import type { AdoptionReport } from "../change/adoption";
import type { ChangeReport } from "../change/report";
import type { PolicyPackConfig } from "../policy/runner";
import { RecordedResource, Recording } from "../runtime/recorder";
import { NodeCapacity, nodeCapacity } from "./capacity";
import { TreeEntry, longestDependencyChain, resourceTree } from "./dependencies";
import { CREDENTIAL_ENV_VARS, PlanProgram, recordProgram } from "./record";

/** The component that registers the copies of the data. */
const BACKUP_PLAN_TYPE = "homelab:backup:BackupPlan";

export interface PlanViolation {
    readonly policy: string;
    readonly level: "advisory" | "mandatory";
    readonly message: string;
    readonly name?: string;
    readonly type?: string;
    readonly urn?: string;
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
        /** The file the problems' lines are in when it is not `file`: the base's (`origin/main:Pulumi.prod.yaml`). */
        readonly source?: string;
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
    } catch (err) {
        if (err instanceof InventoryError) return failed("invalid-inventory", err.message, err.problems);
        if (err instanceof StackFileError) return failed("stack-file", err.message);
        throw err;
    }
    try {
        policyFile = requirePolicyConfig(stack, dir);
    } catch (err) {
        if (err instanceof StackFileError) return failed("policy-config", err.message);
        throw err;
    }
    const policyConfig = `${POLICY_CONFIG_DIR}/${path.basename(policyFile)}`;
    // The pack is loaded only now: it brings the Pulumi SDK with it.
    const { PolicyConfigError, readPolicyPackConfig } = await import("../policy/runner");
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
    const { runPolicies } = await import("../policy/runner");
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

/** The copies the BackupPlan component registered, as the report's `copies`. */
function copiesSection(resources: readonly RecordedResource[]): { copies?: DataCopies[] } {
    const plan = resources.find((r) => r.type === BACKUP_PLAN_TYPE);
    const copies = plan?.outputs.copies;
    return Array.isArray(copies) ? { copies: copies as DataCopies[] } : {};
}
