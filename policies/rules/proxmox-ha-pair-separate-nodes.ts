import { stackRule } from "../define";
import { groupBy, guestsOf, names } from "../guests";

/**
 * A primary/secondary pair on one node fails together with that node: the pair then protects
 * nothing. The pairs are the keepalived groups of the inventory (`haGroups.<name>` with `kind:
 * keepalived`), registered by each member's guest component as `haGroup` and `haKind`.
 */
export const proxmoxHaPairSeparateNodes = stackRule({
    name: "proxmox-ha-pair-separate-nodes",
    description:
        "Checks that the members of each HA pair (guests registering the same `haGroup` with `haKind: keepalived`) run on different nodes.",
    validate: (resources, _ctx, report) => {
        for (const [pair, members] of groupBy(guestsOf(resources), (g) => g.redundancyGroup())) {
            for (const [node, together] of groupBy(members, (g) => g.nodeName())) {
                if (together.length < 2) continue;
                for (const g of together) {
                    report(
                        `HA pair "${pair}" has ${names(together)} on the same node ${node}, so one node failure takes both down. Move one member to another node.`,
                        g.urn,
                    );
                }
            }
        }
    },
});
