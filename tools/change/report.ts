/**
 * The change report: what deploying the current inventory over the base one would do, per
 * resource, grouped under the components, with the dangerous changes (exit 1) and the advisories.
 * Built from two recordings of the program (tools/runtime/recorder.ts); the shape is documented in
 * docs/plan.md and tools/plan.schema.json (`changes`).
 */
import { RecordedResource } from "../runtime/recorder";
import { ChangeOp, ClassifiedChange, ComponentRef, ResourceChange, classifyChanges } from "./classify";
import { Advisory, Danger, assessChanges } from "./danger";

export type { Advisory, ChangeOp, ComponentRef, Danger, ResourceChange };

/** The resources of one component (or of the stack itself when `component` is null). */
export interface ChangeGroup {
    readonly component: (ComponentRef & { readonly op: ChangeOp }) | null;
    readonly changes: readonly ResourceChange[];
}

export interface ChangeReport {
    /** What `--base` named: a git ref or a stack file. */
    readonly base: string;
    /** 0: nothing dangerous; 1: at least one danger. */
    readonly exitCode: 0 | 1;
    /** Time to record the base and compare, on top of the plan. */
    readonly durationMs: number;
    /** Resources per operation, components and the stack included (as `pulumi preview` counts). */
    readonly summary: Readonly<Record<ChangeOp, number>>;
    /** Every resource, grouped under its nearest component, in registration order (deleted groups last). */
    readonly groups: readonly ChangeGroup[];
    readonly dangers: readonly Danger[];
    readonly advisories: readonly Advisory[];
}

const CHANGE_OPS: readonly ChangeOp[] = ["create", "update", "replace", "delete", "import", "unchanged"];

/** Groups classified changes under their components; a component's own change heads its group. */
function groupChanges(changes: readonly ClassifiedChange[]): ChangeGroup[] {
    const heads = new Map<string, ResourceChange>();
    for (const x of changes) if (!x.change.custom && x.change.type !== "pulumi:pulumi:Stack") heads.set(x.change.urn, x.change);
    const groups = new Map<string, { component: ChangeGroup["component"]; changes: ResourceChange[] }>();
    const groupOf = (ref: ComponentRef | undefined) => {
        const key = ref?.urn ?? "";
        let g = groups.get(key);
        if (!g) {
            g = { component: ref ? { ...ref, op: heads.get(ref.urn)?.op ?? "unchanged" } : null, changes: [] };
            groups.set(key, g);
        }
        return g;
    };
    for (const x of changes) {
        const isHead = heads.has(x.change.urn);
        // A component opens its own group (so an empty component still shows); its resources join it.
        if (isHead) groupOf({ type: x.change.type, name: x.change.name, urn: x.change.urn });
        else groupOf(x.component).changes.push(x.change);
    }
    return [...groups.values()];
}

/** Compares two recordings of the program. */
export function buildChangeReport(
    base: string,
    baseResources: readonly RecordedResource[],
    currentResources: readonly RecordedResource[],
    started = Date.now(),
): ChangeReport {
    const classified = classifyChanges(baseResources, currentResources);
    const { dangers, advisories } = assessChanges(classified, {
        base: new Map(baseResources.map((r) => [r.urn, r])),
        current: new Map(currentResources.map((r) => [r.urn, r])),
    });
    const summary = Object.fromEntries(CHANGE_OPS.map((op) => [op, 0])) as Record<ChangeOp, number>;
    for (const x of classified) summary[x.change.op]++;
    return {
        base,
        exitCode: dangers.length > 0 ? 1 : 0,
        durationMs: Date.now() - started,
        summary,
        groups: groupChanges(classified),
        dangers,
        advisories,
    };
}
