/**
 * Pulumi's dependent replacements (ENGINE_RULES.dependent): when a resource is replaced
 * delete-first, the engine walks the resources that depend on it in the old state, in order, and
 * diffs each with the inputs taken from a resource being replaced set to unknown. One whose
 * provider then asks for a replacement is deleted before the root and created after it, and
 * counts as replaced for the resources after it.
 *
 * Offline, the provider's answer for an unknown input is known only where the table
 * (lib/replacements.ts) has an unconditional rule for that very input: the input itself forces the
 * replacement (a command's `triggers`, a container's `mountPoints`, a storage's `resourceId`).
 * Where the rules lie below the input (`initialization.userDataFileId` under `initialization`), the
 * provider decides how an unknown block diffs, so the change carries the input in `unknownInputs`
 * and the report advises instead of guessing. Linear in the resources and their dependencies.
 */
import { ENGINE_RULES, ResourceRules, replaceNoteOf, rulesFor } from "../../lib/replacements";
import { RecordedResource } from "../runtime/recorder";
import type { ClassifiedChange, ReplaceReason } from "./classify";

/** Whether a rule path lies strictly below a top-level input (`initialization.type` below `initialization`). */
const below = (path: string, input: string) => path.startsWith(`${input}.`) || path.startsWith(`${input}[`);

/** What an unknown input does to a resource of these rules: a replacement (with its rule), possibly one, or nothing. */
function unknownInputEffect(rules: ResourceRules | undefined, input: string): { replaceSource: string } | "possible" | undefined {
    const replaceOn = rules?.replaceOn ?? [];
    const exact = replaceOn.find((r) => r.path === input && r.when === undefined && r.unlessTrue === undefined);
    if (exact) return { replaceSource: exact.source };
    return replaceOn.some((r) => r.path === input || below(r.path, input)) ? "possible" : undefined;
}

/**
 * The changes with the dependents of every delete-first replacement replaced too, where the table
 * says so (a `dependent` reason, delete-first), or marked with `unknownInputs` where it cannot tell.
 * `base` is the old recording in registration order (the engine walks the old state's graph).
 */
export function applyDependentReplacements(changes: readonly ClassifiedChange[], base: readonly RecordedResource[]): ClassifiedChange[] {
    const out = [...changes];
    const byBaseUrn = new Map<string, number>();
    out.forEach((x, i) => {
        if (x.base !== undefined) byBaseUrn.set(x.base.urn, i);
    });
    const replaced = new Map<string, string>();
    for (const x of out) {
        if (x.base && x.change.op === "replace" && x.change.order === "delete-then-create") replaced.set(x.base.urn, x.base.name);
    }
    if (replaced.size === 0) return out;

    // Registration order: a resource's dependencies come before it, so one pass is transitive.
    for (const r of base) {
        const i = byBaseUrn.get(r.urn);
        if (!r.custom || i === undefined || replaced.has(r.urn)) continue;
        const x = out[i];
        if (x.current === undefined) continue; // deleted anyway
        const rules = rulesFor(x.current.type);
        const reasons: ReplaceReason[] = [];
        const unknown: { path: string; from: string }[] = [];
        for (const [input, deps] of Object.entries(r.propertyDependencies)) {
            const from = deps.find((d) => replaced.has(d));
            if (from === undefined) continue;
            const effect = unknownInputEffect(rules, input);
            if (effect === "possible") unknown.push({ path: input, from: replaced.get(from)! });
            else if (effect)
                reasons.push({ rule: "dependent", path: input, source: `${ENGINE_RULES.dependent.source}; ${effect.replaceSource}` });
        }
        if (reasons.length > 0) {
            const note = replaceNoteOf(rules, "delete-then-create");
            const { note: _previous, ...change } = x.change;
            out[i] = {
                ...x,
                change: {
                    ...change,
                    op: "replace",
                    replaceReasons: [...x.change.replaceReasons, ...reasons],
                    // Deleted before the resource it depends on, created after it.
                    order: "delete-then-create",
                    ...(note !== undefined ? { note } : {}),
                },
            };
            replaced.set(r.urn, r.name);
        } else if (unknown.length > 0) {
            out[i] = { ...x, change: { ...x.change, unknownInputs: unknown } };
        }
    }
    return out;
}
