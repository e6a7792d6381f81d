/**
 * Rule builders. A rule file states what it checks; these wrap it with what every rule needs, in
 * both the engine and the offline runner:
 * - the type filter (a set of type tokens, so renamed provider types still match);
 * - config with our schema defaults applied (the SDK applies none);
 * - exemptions by resource-name pattern (config, each with a reason);
 * - unknown values: reading one during preview makes the rule not applicable for the resource.
 *   Violations are buffered and only reported when the whole check ran, so a rule that reports
 *   and then meets an unknown value reports nothing (never a false violation, never a pass). A
 *   stack rule that checks resource by resource (`ctx.judge`) keeps what it found on the others
 *   and names the resources it could not judge in its not-applicable reason.
 *
 * The builders return plain `@pulumi/policy` policy objects, so the same objects go into
 * `new PolicyPack(...)` and the offline runner.
 */
import type {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { BaseConfig, EXEMPTIONS_ONLY_SCHEMA, withDefaults } from "./config";
import { findExemption } from "./exemptions";
import { Props } from "./props";
import { unknownPathOf, unknownReason } from "./unknowns";

/** What a resource rule's check gets besides the props. */
export interface ResourceRuleContext<C extends BaseConfig> {
    readonly config: C;
    readonly name: string;
    readonly urn: string;
    readonly type: string;
    /** Pulumi options (protect, ...) as the engine reports them. */
    readonly opts: ResourceValidationArgs["opts"];
    /** Ends the check: the rule cannot judge this resource (say why). */
    readonly notApplicable: (reason: string) => never;
}

export interface ResourceRuleSpec<C extends BaseConfig> {
    /** Stable kebab-case name. */
    readonly name: string;
    /** A full sentence starting "Checks that". */
    readonly description: string;
    /** The type tokens the rule applies to; other resources are skipped. */
    readonly types: ReadonlySet<string>;
    /** The rule's knobs. @default EXEMPTIONS_ONLY_SCHEMA (exemptions and nothing else) */
    readonly configSchema?: PolicyConfigSchema;
    /** Reports each violation with a message that says what must be true and how to fix it. */
    readonly validate: (props: Props, ctx: ResourceRuleContext<C>, report: (message: string) => void) => void;
    /** Returns fixed props when the rule can fix the resource itself (used at level `remediate`). */
    readonly remediate?: (props: Props, ctx: ResourceRuleContext<C>) => Record<string, unknown> | undefined;
}

/**
 * Runs a rule body; when it trips over a value unknown at preview, the rule is not applicable
 * (with the path) instead of failing. Any other error propagates.
 */
function guardUnknown<T>(notApplicable: (reason: string) => void, body: () => T): T {
    try {
        return body();
    } catch (e) {
        const path = unknownPathOf(e);
        if (path !== undefined) notApplicable(unknownReason(path));
        throw e;
    }
}

/** A resource validation policy from a spec (see the module comment for what it adds). */
export function resourceRule<C extends BaseConfig>(spec: ResourceRuleSpec<C>): ResourceValidationPolicy {
    const configSchema = spec.configSchema ?? EXEMPTIONS_ONLY_SCHEMA;
    const context = (args: ResourceValidationArgs): ResourceRuleContext<C> | undefined => {
        if (!spec.types.has(args.type)) return undefined;
        const config = withDefaults<C>(configSchema, args.getConfig<object>());
        const exemption = findExemption(config.exemptions, args.name);
        if (exemption !== undefined) args.notApplicable(`exempted: ${exemption.reason}`);
        return {
            config,
            name: args.name,
            urn: args.urn,
            type: args.type,
            opts: args.opts,
            notApplicable: (reason) => args.notApplicable(reason),
        };
    };
    const policy: ResourceValidationPolicy = {
        name: spec.name,
        description: spec.description,
        configSchema,
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            const ctx = context(args);
            if (ctx === undefined) return;
            const messages: string[] = [];
            guardUnknown(
                (reason) => args.notApplicable(reason),
                () => spec.validate(args.props, ctx, (message) => messages.push(message)),
            );
            for (const message of messages) reportViolation(message);
        },
    };
    const remediate = spec.remediate;
    if (remediate !== undefined) {
        policy.remediateResource = (args: ResourceValidationArgs) => {
            const ctx = context(args);
            if (ctx === undefined) return undefined;
            return guardUnknown(
                (reason) => args.notApplicable(reason),
                () => remediate(args.props, ctx),
            );
        };
    }
    return policy;
}

/** What a stack rule's check gets. */
export interface StackRuleContext<C extends BaseConfig> {
    readonly config: C;
    /** The knobs the stack's policy configuration sets itself (the others are the schema's defaults). */
    readonly configured: ReadonlySet<string>;
    /** The resource with this URN, if it is in the stack. */
    readonly byUrn: (urn: string) => PolicyResource | undefined;
    /** Ends the check: the rule cannot judge this stack (say why). */
    readonly notApplicable: (reason: string) => never;
    /**
     * Judges one resource: `check` reports against it, or calls `cannotJudge(reason)`. A value
     * unknown during preview, or `cannotJudge`, ends this resource's check only (what it found is
     * dropped); after reporting what it found on the other resources, the rule is then not
     * applicable to the stack, naming each resource it could not judge and why. An exempted
     * resource is not checked.
     */
    readonly judge: (
        resource: PolicyResource,
        check: (report: (message: string) => void, cannotJudge: (reason: string) => never) => void,
    ) => void;
}

export interface StackRuleSpec<C extends BaseConfig> {
    readonly name: string;
    readonly description: string;
    /** The rule's knobs. @default EXEMPTIONS_ONLY_SCHEMA (exemptions and nothing else) */
    readonly configSchema?: PolicyConfigSchema;
    /** Reports violations, each against the URN of the resource to fix where there is one. */
    readonly validate: (
        resources: readonly PolicyResource[],
        ctx: StackRuleContext<C>,
        report: (message: string, urn?: string) => void,
    ) => void;
}

/** Thrown by `cannotJudge` inside `judge`: this resource cannot be judged. */
class CannotJudge extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}

/** A stack validation policy from a spec; exemptions drop violations against exempted resources. */
export function stackRule<C extends BaseConfig>(spec: StackRuleSpec<C>): StackValidationPolicy {
    const configSchema = spec.configSchema ?? EXEMPTIONS_ONLY_SCHEMA;
    return {
        name: spec.name,
        description: spec.description,
        configSchema,
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const raw = args.getConfig<object>();
            const config = withDefaults<C>(configSchema, raw);
            const configured = new Set(Object.keys(raw ?? {}).filter((k) => k !== "enforcementLevel" && k !== "exemptions"));
            const urns = new Map<string, PolicyResource>();
            for (const r of args.resources) urns.set(r.urn, r);
            const found: { message: string; urn?: string }[] = [];
            const unjudged: string[] = [];
            const judge: StackRuleContext<C>["judge"] = (resource, check) => {
                if (findExemption(config.exemptions, resource.name) !== undefined) return;
                const mine: string[] = [];
                try {
                    check(
                        (message) => mine.push(message),
                        (reason) => {
                            throw new CannotJudge(reason);
                        },
                    );
                } catch (e) {
                    const path = unknownPathOf(e);
                    if (path === undefined && !(e instanceof CannotJudge)) throw e;
                    unjudged.push(`${resource.name}: ${e instanceof CannotJudge ? e.reason : unknownReason(path as string)}`);
                    return;
                }
                for (const message of mine) found.push({ message, urn: resource.urn });
            };
            guardUnknown(
                (reason) => args.notApplicable(reason),
                () =>
                    spec.validate(
                        args.resources,
                        { config, configured, byUrn: (urn) => urns.get(urn), notApplicable: (reason) => args.notApplicable(reason), judge },
                        (message, urn) => found.push({ message, urn }),
                    ),
            );
            for (const v of found) {
                const resource = v.urn === undefined ? undefined : urns.get(v.urn);
                if (resource !== undefined && findExemption(config.exemptions, resource.name) !== undefined) continue;
                reportViolation(v.message, v.urn);
            }
            if (unjudged.length > 0) args.notApplicable(unjudged.join("; "));
        },
    };
}
