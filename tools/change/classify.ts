/**
 * Pairs the resources of two recordings by URN and classifies each as the engine would step it:
 * create, update (with the changed input paths, after `ignoreChanges`), replace (with what forces
 * it: a rule of lib/replacements.ts or one of Pulumi's own, including the replacement of the
 * dependents of a delete-first replacement, tools/change/dependents.ts), delete, import or unchanged.
 *
 * Works on recorded resources only (tools/runtime/recorder.ts), so it runs without the Pulumi
 * runtime and is linear in the number of resources and the size of their inputs.
 */
import { ENGINE_RULES, EngineRule, ReplaceRule, ResourceRules, replaceNoteOf, rulesFor } from "../../lib/replacements";
import { RecordedResource } from "../runtime/recorder";
import { applyDependentReplacements } from "./dependents";
import { InputDiff, PathSegments, covers, diffInputs, formatPath, parsePath, touches, valuesAt } from "./paths";

export type ChangeOp = "create" | "update" | "replace" | "delete" | "import" | "unchanged";

/** Why a resource is replaced. */
export interface ReplaceReason {
    /** `schema`: a row of lib/replacements.ts; otherwise one of Pulumi's own rules. */
    readonly rule: "schema" | EngineRule;
    /** The input path that forces it (absent for parent and import). */
    readonly path?: string;
    /** The fact or upstream source. */
    readonly source: string;
}

/** A component a resource belongs to (its nearest component ancestor). */
export interface ComponentRef {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
}

/** One resource's change. */
export interface ResourceChange {
    readonly op: ChangeOp;
    /** The URN after the change (the old one for a delete). */
    readonly urn: string;
    /** The old URN when it changed (the parent's type changed). */
    readonly previousUrn?: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** Input paths that change (update and replace), in Pulumi's notation. */
    readonly changedPaths: readonly string[];
    /** Changed paths the resource's `ignoreChanges` hides from the engine. */
    readonly ignoredPaths: readonly string[];
    readonly replaceReasons: readonly ReplaceReason[];
    /** How a replacement runs. */
    readonly order?: "create-then-delete" | "delete-then-create";
    /** Protected in the state (the old registration), or on creation the new one. */
    readonly protect: boolean;
    /** Changes of resource options that are not input changes (protect, retainOnDelete, deleteBeforeReplace). */
    readonly optionChanges: readonly string[];
    /** Provider-specific consequence of a replacement (lib/replacements.ts replaceNote, createFirstNote). */
    readonly note?: string;
    /**
     * Inputs taken from a resource that is replaced delete-first, for which the table cannot tell
     * whether the engine's dependent diff replaces this one too (rules below the input): the
     * provider's diff with the input unknown decides (tools/change/dependents.ts).
     */
    readonly unknownInputs?: readonly { readonly path: string; readonly from: string }[];
}

/** A change with the recorded resources behind it, for the danger analysis. */
export interface ClassifiedChange {
    readonly change: ResourceChange;
    readonly base?: RecordedResource;
    readonly current?: RecordedResource;
    /** The nearest component ancestor (in the current recording, or the base one for a delete). */
    readonly component?: ComponentRef;
}

/** The URN part of a provider reference `urn::id`. */
export function providerUrn(ref: string | undefined): string | undefined {
    if (ref === undefined) return undefined;
    const at = ref.lastIndexOf("::");
    return at > 0 ? ref.slice(0, at) : ref;
}

/** Nearest component ancestor of each resource of a recording (the stack itself is no component). */
function componentIndex(resources: readonly RecordedResource[]): Map<string, ComponentRef | undefined> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const memo = new Map<string, ComponentRef | undefined>();
    // Parents register before their children, so one pass in registration order resolves every chain.
    for (const r of resources) {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        let ref: ComponentRef | undefined;
        if (parent && !parent.custom && parent.type !== "pulumi:pulumi:Stack")
            ref = { type: parent.type, name: parent.name, urn: parent.urn };
        else if (parent) ref = memo.get(parent.urn);
        memo.set(r.urn, ref);
    }
    return memo;
}

/** Whether a conditional rule holds for these inputs (`decreases`, `both-set`, `unlessTrue`). */
function conditionHolds(
    rule: ReplaceRule,
    path: PathSegments,
    oldInputs: Record<string, unknown>,
    newInputs: Record<string, unknown>,
): boolean {
    if (rule.unlessTrue !== undefined && valuesAt(newInputs, parsePath(rule.unlessTrue)).some((v) => v === true)) return false;
    if (rule.when === undefined) return true;
    const before = valuesAt(oldInputs, path);
    const after = valuesAt(newInputs, path);
    if (rule.when === "decreases") {
        return before.some((b, i) => typeof b === "number" && typeof after[i] === "number" && (after[i] as number) < b);
    }
    // both-set: a change from one set value to another.
    return before.some((b, i) => b !== "" && after[i] !== undefined && after[i] !== "" && after[i] !== b);
}

/** Input diffs of a pair, split into those the engine sees and those `ignoreChanges` hides. */
function visibleDiffs(base: RecordedResource, current: RecordedResource): { visible: InputDiff[]; ignored: InputDiff[] } {
    const ignore = current.options.ignoreChanges.map(parsePath);
    const visible: InputDiff[] = [];
    const ignored: InputDiff[] = [];
    for (const d of diffInputs(base.inputs, current.inputs)) {
        if (ignore.some((p) => covers(p, d.path))) ignored.push(d);
        else visible.push(d);
    }
    return { visible, ignored };
}

/** Schema rules of the table that these diffs trigger. */
function schemaReasons(
    rules: ResourceRules | undefined,
    diffs: readonly InputDiff[],
    base: RecordedResource,
    current: RecordedResource,
): ReplaceReason[] {
    const out: ReplaceReason[] = [];
    for (const rule of rules?.replaceOn ?? []) {
        const pattern = parsePath(rule.path);
        const hit = diffs.find((d) => touches(pattern, d));
        if (hit && conditionHolds(rule, pattern, base.inputs, current.inputs)) {
            out.push({ rule: "schema", path: formatPath(hit.path.length >= pattern.length ? hit.path : pattern), source: rule.source });
        }
    }
    return out;
}

function optionChanges(base: RecordedResource, current: RecordedResource): string[] {
    const out: string[] = [];
    for (const key of ["protect", "retainOnDelete", "deleteBeforeReplace"] as const) {
        if (base.options[key] !== current.options[key]) out.push(`${key}: ${base.options[key]} → ${current.options[key]}`);
    }
    return out;
}

/** Classifies one resource present on both sides under the same URN. */
function classifyPair(base: RecordedResource, current: RecordedResource): ResourceChange {
    const rules = rulesFor(current.type);
    const { visible, ignored } = visibleDiffs(base, current);
    const reasons: ReplaceReason[] = current.custom ? schemaReasons(rules, visible, base, current) : [];
    const changed = visible.map((d) => formatPath(d.path));

    for (const p of current.options.replaceOnChanges) {
        const pattern = parsePath(p);
        const hit = visible.find((d) => touches(pattern, d));
        // A path the table already names (a command's triggers) is one reason, not two.
        if (hit && !reasons.some((r) => r.path === formatPath(hit.path)))
            reasons.push({ rule: "replaceOnChanges", path: formatPath(hit.path), source: ENGINE_RULES.replaceOnChanges.source });
    }

    // A move to another provider resource is an update: the engine replaces only when the new
    // provider's DiffConfig asks, and the provider rows of the table (the bridged providers used
    // here) list no config key that forces it (test/lib/replacements.test.ts keeps it so).
    if (current.custom && providerUrn(base.options.provider) !== providerUrn(current.options.provider)) changed.push("provider");

    if (current.custom && current.options.importId !== undefined && current.options.importId !== base.options.importId) {
        reasons.push({ rule: "import", source: ENGINE_RULES.import.source });
    }

    const op: ChangeOp = reasons.length > 0 ? "replace" : changed.length > 0 ? "update" : "unchanged";
    const order = current.options.deleteBeforeReplace ? ("delete-then-create" as const) : ("create-then-delete" as const);
    const note = op === "replace" ? replaceNoteOf(rules, order) : undefined;
    return {
        op,
        urn: current.urn,
        type: current.type,
        name: current.name,
        custom: current.custom,
        changedPaths: changed,
        ignoredPaths: ignored.map((d) => formatPath(d.path)),
        replaceReasons: reasons,
        ...(op === "replace" ? { order } : {}),
        protect: base.options.protect,
        optionChanges: optionChanges(base, current),
        ...(note !== undefined ? { note } : {}),
    };
}

const bare = (r: RecordedResource, op: ChangeOp, protect: boolean): ResourceChange => ({
    op,
    urn: r.urn,
    type: r.type,
    name: r.name,
    custom: r.custom,
    changedPaths: [],
    ignoredPaths: [],
    replaceReasons: [],
    protect,
    optionChanges: [],
});

/**
 * Pairs base and current resources and classifies each. A resource found on both sides under
 * different URNs (same type and name: its parent's type changed) is one replacement; with an
 * alias registered it is taken as the same resource.
 */
export function classifyChanges(base: readonly RecordedResource[], current: readonly RecordedResource[]): ClassifiedChange[] {
    const baseByUrn = new Map(base.map((r) => [r.urn, r]));
    const currentUrns = new Set(current.map((r) => r.urn));
    const key = (r: RecordedResource) => `${r.type}\u0000${r.name}`;
    // Base resources that no longer exist under their URN, by type and name: candidates for a moved resource.
    const movedFrom = new Map<string, RecordedResource>();
    // Only custom resources: a component under a new parent is a new component (no provider, nothing to replace).
    for (const r of base) if (r.custom && !currentUrns.has(r.urn)) movedFrom.set(key(r), r);

    const currentComponents = componentIndex(current);
    const baseComponents = componentIndex(base);
    const out: ClassifiedChange[] = [];
    const paired = new Set<string>();
    for (const r of current) {
        const component = currentComponents.get(r.urn);
        const old = baseByUrn.get(r.urn);
        if (old) {
            paired.add(old.urn);
            out.push({ change: classifyPair(old, r), base: old, current: r, component });
            continue;
        }
        const moved = r.custom ? movedFrom.get(key(r)) : undefined;
        if (moved) {
            paired.add(moved.urn);
            movedFrom.delete(key(r));
            if (r.options.aliases > 0) {
                out.push({
                    change: { ...classifyPair(moved, r), previousUrn: moved.urn },
                    base: moved,
                    current: r,
                    component,
                });
            } else {
                const { note: _innerNote, ...inner } = classifyPair(moved, r);
                const note = replaceNoteOf(rulesFor(r.type), "create-then-delete");
                out.push({
                    change: {
                        ...inner,
                        op: "replace",
                        previousUrn: moved.urn,
                        replaceReasons: [{ rule: "parent", source: ENGINE_RULES.parent.source }, ...inner.replaceReasons],
                        // Two resources to the engine: the new one is created, the old one deleted at the end.
                        order: "create-then-delete",
                        ...(note !== undefined ? { note } : {}),
                    },
                    base: moved,
                    current: r,
                    component,
                });
            }
            continue;
        }
        const op: ChangeOp = r.custom && r.options.importId !== undefined ? "import" : "create";
        out.push({ change: bare(r, op, r.options.protect), current: r, component });
    }
    for (const r of base) {
        if (paired.has(r.urn)) continue;
        out.push({ change: bare(r, "delete", r.options.protect), base: r, component: baseComponents.get(r.urn) });
    }
    return applyDependentReplacements(out, base);
}
