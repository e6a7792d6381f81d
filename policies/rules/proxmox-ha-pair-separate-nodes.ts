import { stackRule } from "../define";
import { groupBy, guestsOf, names } from "../guests";

/** A primary/secondary pair on one node fails together with that node: the pair then protects nothing. */
export const proxmoxHaPairSeparateNodes = stackRule({
    name: "proxmox-ha-pair-separate-nodes",
    description: "Checks that the members of each HA pair (guests registering the same `haPair`) run on different nodes.",
    validate: (resources, _ctx, report) => {
        for (const [pair, members] of groupBy(guestsOf(resources), (g) => g.haPair())) {
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
