import { stackRule } from "../define";
import { Guest, groupBy, guestsOf } from "../guests";

/** A guest as messages name it: its inventory key (`guests.web`), else its resource name. */
const label = (g: Guest): string => {
    const key = g.inventoryKey();
    return key !== undefined ? `\`${key}\`` : g.name;
};

/**
 * A primary/secondary pair on one node fails together with that node: the pair then protects
 * nothing. The pairs are the keepalived groups of the inventory (`ha.<name>` with `kind:
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
                const fixes = together.map((m) => m.fixAt("node", "nodeName"));
                for (const g of together) {
                    report(
                        `HA pair \`ha.${pair}\` has ${together.map(label).join(", ")} on the same node ${node}, so one node failure takes both down. Move one member to another node (${[...new Set(fixes)].join(" or ")}).`,
                        g.urn,
                    );
                }
            }
        }
    },
});
