/**
 * Settings that both the inventory (through the Cluster component) and a rule's knobs can state:
 * the ID scheme and its offset, the managed roots, the idmap floor. With a Cluster component the
 * inventory is the source; what the stack's policy configuration sets by hand is never dropped
 * silently: a list is merged (its entries are added to the inventory's), and a single value that
 * differs from the inventory's is a violation on the Cluster component naming both and the fix.
 */
import type { PolicyResource } from "@pulumi/policy";

/** The inventory's list with the configuration's entries added, when the configuration sets the knob. */
export function mergedList(inventory: readonly string[], configured: readonly string[] | undefined): string[] {
    return [...new Set([...inventory, ...(configured ?? [])])];
}

/** What a stack rule's context offers for judging the Cluster component (see define.ts). */
interface KnobContext {
    readonly configured: ReadonlySet<string>;
    readonly judge: (resource: PolicyResource, check: (report: (message: string) => void) => void) => void;
}

/**
 * Reports on the Cluster component when the policy configuration sets `knob` to a value other than
 * the inventory's `inventoryKey`, which is the one used.
 */
export function reportOverriddenKnob(
    ctx: KnobContext,
    cluster: PolicyResource,
    knob: string,
    configured: unknown,
    inventoryKey: string,
    inventory: unknown,
): void {
    if (!ctx.configured.has(knob) || configured === inventory) return;
    ctx.judge(cluster, (report) =>
        report(
            `The policy configuration sets ${knob}: ${JSON.stringify(configured)}, but the inventory's \`${inventoryKey}\` is ${JSON.stringify(inventory)}, which the rule uses. Remove ${knob} from the policy configuration, or change \`${inventoryKey}\`.`,
        ),
    );
}
