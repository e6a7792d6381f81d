import { stackRule } from "../define";
import { Guest, guestsOf, names } from "../guests";

/** A primary/secondary pair on one node fails together with that node: the pair then protects nothing. */
export const proxmoxHaPairSeparateNodes = stackRule({
    name: "proxmox-ha-pair-separate-nodes",
    description: "Checks that the members of each HA pair (guests registering the same `haPair`) run on different nodes.",
    validate: (resources, _ctx, report) => {
        const pairs = new Map<string, Guest[]>();
        for (const g of guestsOf(resources)) {
            const pair = g.haPair();
            if (pair !== undefined) pairs.set(pair, [...(pairs.get(pair) ?? []), g]);
        }
        for (const [pair, members] of pairs) {
            const byNode = new Map<string, Guest[]>();
            for (const g of members) {
                const node = g.nodeName();
                if (node !== undefined) byNode.set(node, [...(byNode.get(node) ?? []), g]);
            }
            for (const [node, together] of byNode) {
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
