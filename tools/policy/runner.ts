/**
 * The offline runner: runs the pack's policies (policies/) in-process over recorded resources with
 * the engine's semantics, for the offline plan and the tests (no Pulumi CLI, no gRPC; it never
 * constructs a `PolicyPack`). It is a tool, not part of the pack: `pulumi preview --policy-pack`
 * never loads it, so the pack does not carry its dependencies (ajv).
 *
 * Engine semantics kept here (see @pulumi/policy's server.js):
 * - level = pack config's `enforcementLevel` ‖ the policy's level ‖ "advisory"; `disabled` skips
 *   the policy; `remediate` runs `remediateResource` first (its result replaces the inputs the
 *   later policies and the stack see) and reports any remaining violation as mandatory;
 * - `validateResource` runs on each resource's inputs; `validateStack` once on the final graph,
 *   where a custom resource's props are its (remediated) inputs and a component's props are the
 *   outputs it registered; parents and dependencies are linked to resource objects;
 * - `getConfig()` returns the policy's pack config without `enforcementLevel` (rules apply their
 *   schema defaults themselves); the config is validated against each policy's schema first;
 * - unknown values: paths listed in `unknownPaths` get the engine's unknown sentinel and props
 *   are wrapped in the SDK's unknown-checking proxy, so a rule reading one is not applicable.
 * Rules must be synchronous here (ours are); a rule returning a promise is an error.
 */
import * as fs from "fs";
import * as path from "path";
import type {
    EnforcementLevel,
    Policies,
    PolicyPackConfig,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import Ajv from "ajv";
import { POLICIES } from "../../policies/registry";
import { PolicyResourceInput, isTypeOf, optionsOf, policyGraph } from "./graph";
import { UNKNOWN_SENTINELS, plainCopy, unknownCheckingProxy, unknownPathOf, unknownReason, withUnknowns } from "../../policies/unknowns";

export type { PolicyPackConfig } from "@pulumi/policy";

export type { PolicyResourceInput, PolicyResourceInputOptions } from "./graph";

export interface PolicyViolation {
    policy: string;
    level: "advisory" | "mandatory";
    message: string;
    urn?: string;
    name?: string;
    type?: string;
}

export interface PolicyRunResult {
    violations: PolicyViolation[];
    /** Resources whose inputs a policy at level `remediate` changed. */
    remediations: { policy: string; urn: string; name: string }[];
    /** Policies that could not judge a resource (exempted, value unknown during preview, nothing to check). */
    notApplicable: { policy: string; urn?: string; reason: string }[];
}

/** An invalid policy pack config (unknown policy, bad level, a value the policy's schema refuses). */
export class PolicyConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid policy pack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }
}

class NotApplicableError extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

type Policy = Policies[number];

function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
    return "validateResource" in p || "remediateResource" in p;
}

function isStackPolicy(p: Policy): p is StackValidationPolicy {
    return "validateStack" in p;
}

interface NormalizedConfig {
    readonly level?: EnforcementLevel;
    readonly props: Record<string, unknown>;
}

/** Validates a pack config against the policies (names, levels, each policy's schema); throws PolicyConfigError. */
export function normalizeConfig(config: PolicyPackConfig, policies: Policies = POLICIES): Map<string, NormalizedConfig> {
    const problems: string[] = [];
    const out = new Map<string, NormalizedConfig>();
    const byName = new Map(policies.map((p) => [p.name, p]));
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const [name, raw] of Object.entries(config)) {
        const policy = byName.get(name);
        if (policy === undefined) {
            problems.push(`${name}: no such policy in the pack`);
            continue;
        }
        const entry: Record<string, unknown> = typeof raw === "string" ? { enforcementLevel: raw } : { ...(raw as object) };
        const { enforcementLevel, ...props } = entry;
        if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as EnforcementLevel)) {
            problems.push(`${name}.enforcementLevel: must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(enforcementLevel)}`);
        }
        const schema = {
            type: "object",
            properties: policy.configSchema?.properties ?? {},
            required: policy.configSchema?.required ?? [],
            additionalProperties: false,
        };
        const validate = ajv.compile(schema);
        if (!validate(props)) {
            for (const err of validate.errors ?? []) {
                const where = err.instancePath.replace(/^\//, "").replace(/\//g, ".");
                const extra =
                    err.keyword === "additionalProperties"
                        ? ` (${String((err.params as { additionalProperty?: string }).additionalProperty)})`
                        : "";
                problems.push(`${name}${where ? `.${where}` : ""}: ${err.message ?? "is invalid"}${extra}`);
            }
        }
        out.set(name, { level: enforcementLevel as EnforcementLevel | undefined, props });
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return out;
}

/** Reads a `--policy-pack-config` JSON file and validates it against the pack. */
export function readPolicyPackConfig(file: string, policies: Policies = POLICIES): PolicyPackConfig {
    const config = JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfig;
    normalizeConfig(config, policies);
    return config;
}

/** Where a stack's policy config lives: `policies/stacks/<stack>.json` (pass it to `--policy-pack-config`). */
function stackPolicyConfigPath(stack: string): string {
    return path.join(__dirname, "../../policies/stacks", `${stack}.json`);
}

/** The stack's policy config, or `{}` when the stack has none. */
export function stackPolicyConfig(stack: string, policies: Policies = POLICIES): PolicyPackConfig {
    const file = stackPolicyConfigPath(stack);
    return fs.existsSync(file) ? readPolicyPackConfig(file, policies) : {};
}

function containsUnknown(value: unknown): boolean {
    if (typeof value === "string") return UNKNOWN_SENTINELS.has(value);
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** Props as the SDK hands them to a rule: proxied only when something in them is unknown. */
function exposed(props: Record<string, unknown>, hasUnknown: boolean): Record<string, unknown> {
    return hasUnknown ? unknownCheckingProxy(plainCopy(props)) : props;
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason ?? "Policy does not apply");
}

function isPromiseLike(value: unknown): boolean {
    return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/** Runs `fn`; turns "not applicable" and unknown values into a not-applicable entry; rethrows anything else with context. */
function guarded(
    policy: string,
    what: string,
    urn: string | undefined,
    notApplicable: PolicyRunResult["notApplicable"],
    fn: () => unknown,
): unknown {
    try {
        const result = fn();
        if (isPromiseLike(result)) throw new Error("returned a promise; rules must be synchronous for the offline runner");
        return result;
    } catch (e) {
        if (e instanceof NotApplicableError) {
            notApplicable.push({ policy, ...(urn !== undefined ? { urn } : {}), reason: e.reason });
            return undefined;
        }
        const unknownPath = unknownPathOf(e);
        if (unknownPath !== undefined) {
            notApplicable.push({
                policy,
                ...(urn !== undefined ? { urn } : {}),
                reason: unknownReason(unknownPath),
            });
            return undefined;
        }
        const message = e instanceof Error ? e.message : String(e);
        throw new Error(`policy ${policy} failed ${what}: ${message}`, { cause: e });
    }
}

/**
 * Runs the pack's policies (or `policies`) over `resources` with the engine's semantics and the
 * given pack config (`{ "<policy>": { enforcementLevel, ...knobs } }`, as `--policy-pack-config`).
 */
export function runPolicies(
    resources: readonly PolicyResourceInput[],
    config: PolicyPackConfig = {},
    policies: Policies = POLICIES,
): PolicyRunResult {
    const cfg = normalizeConfig(config, policies);
    const levelOf = (p: Policy): EnforcementLevel => cfg.get(p.name)?.level ?? p.enforcementLevel ?? "advisory";
    // One config object per policy for the whole run (the engine builds a fresh one per call; rules only read it).
    const configs = new Map(policies.map((p) => [p.name, cfg.get(p.name)?.props ?? {}]));
    const getConfigOf = (p: Policy) => () => configs.get(p.name) as never;
    const reported = (level: EnforcementLevel): "advisory" | "mandatory" => (level === "advisory" ? "advisory" : "mandatory");
    const result: PolicyRunResult = { violations: [], remediations: [], notApplicable: [] };
    const stackTags: ReadonlyMap<string, string> = new Map();
    const resourcePolicies = policies.filter(isResourcePolicy);
    const stackPolicies = policies.filter(isStackPolicy);

    // ---- Resource policies: remediate, then validate, on each resource's inputs --------------
    const finalInputs = new Map<string, { props: Record<string, unknown>; hasUnknown: boolean }>();
    for (const r of resources) {
        const unknownPaths = r.unknownPaths ?? [];
        const allUnknown = unknownPaths.includes("");
        let props = unknownPaths.length > 0 ? withUnknowns(r.inputs, unknownPaths) : r.inputs;
        let hasUnknown = unknownPaths.length > 0 || containsUnknown(props);
        const argsFor = (p: Policy): ResourceValidationArgs => {
            const exposedProps = exposed(props, hasUnknown);
            return {
                type: r.type,
                props: exposedProps,
                urn: r.urn,
                name: r.name,
                opts: optionsOf(r),
                stackTags,
                isType: (cls) => isTypeOf(r.type, cls),
                asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? exposedProps : undefined)) as ResourceValidationArgs["asType"],
                getConfig: getConfigOf(p),
                notApplicable: throwNotApplicable,
            };
        };
        if (allUnknown) {
            for (const p of resourcePolicies) {
                if (levelOf(p) !== "disabled")
                    result.notApplicable.push({ policy: p.name, urn: r.urn, reason: "the resource's inputs are unknown during preview" });
            }
            finalInputs.set(r.urn, { props, hasUnknown });
            continue;
        }
        for (const p of resourcePolicies) {
            const remediate = p.remediateResource;
            if (levelOf(p) !== "remediate" || remediate === undefined) continue;
            const fixed = guarded(p.name, `remediating ${r.name}`, r.urn, result.notApplicable, () => remediate(argsFor(p)));
            if (fixed === undefined || fixed === null) continue;
            // Through JSON, like the engine's serialization: plain data, no proxies.
            const plain = JSON.parse(JSON.stringify(fixed)) as Record<string, unknown>;
            if (JSON.stringify(plain) !== JSON.stringify(props)) result.remediations.push({ policy: p.name, urn: r.urn, name: r.name });
            props = plain;
            hasUnknown = containsUnknown(props);
        }
        finalInputs.set(r.urn, { props, hasUnknown });
        for (const p of resourcePolicies) {
            const level = levelOf(p);
            if (level === "disabled" || p.validateResource === undefined) continue;
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            const report: ReportViolation = (message) =>
                result.violations.push({ policy: p.name, level: reported(level), message, urn: r.urn, name: r.name, type: r.type });
            for (const validation of validations) {
                guarded(p.name, `on ${r.name} (${r.type})`, r.urn, result.notApplicable, () => validation(argsFor(p), report));
            }
        }
    }

    // ---- Stack policies: once, on the final graph ------------------------------------------
    const activeStackPolicies = stackPolicies.filter((p) => levelOf(p) !== "disabled");
    if (activeStackPolicies.length === 0) return result;
    const graph = policyGraph(resources, (r) => {
        const final = finalInputs.get(r.urn);
        return r.custom ? exposed(final?.props ?? r.inputs, final?.hasUnknown ?? false) : exposed(r.outputs, containsUnknown(r.outputs));
    });
    const byUrn = new Map(graph.map((resource) => [resource.urn, resource]));
    for (const p of activeStackPolicies) {
        const level = levelOf(p);
        const report: ReportViolation = (message, urn) => {
            const target = urn === undefined ? undefined : byUrn.get(urn);
            result.violations.push({
                policy: p.name,
                level: reported(level),
                message,
                ...(urn !== undefined ? { urn } : {}),
                ...(target !== undefined ? { name: target.name, type: target.type } : {}),
            });
        };
        const args: StackValidationArgs = { resources: graph, getConfig: getConfigOf(p), stackTags, notApplicable: throwNotApplicable };
        guarded(p.name, "on the stack", undefined, result.notApplicable, () => p.validateStack(args, report));
    }
    return result;
}
