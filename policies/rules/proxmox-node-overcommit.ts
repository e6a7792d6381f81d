import { OvercommitConfig, OVERCOMMIT_SCHEMA } from "../config";
import { stackRule } from "../define";
import { allocationByNode, guestsOf, nodesOf } from "../guests";

function ratio(value: number): string {
    return `${Math.round(value * 100) / 100}×`;
}

function gib(mib: number): string {
    return `${Math.round((mib / 1024) * 10) / 10} GiB`;
}

/**
 * Modest overcommit works because services idle; beyond about 3× CPU and 2× memory a node swaps,
 * stalls or has the OOM killer pick a guest when several get busy at once.
 */
export const proxmoxNodeOvercommit = stackRule<OvercommitConfig>({
    name: "proxmox-node-overcommit",
    description:
        "Checks that on every node the guests' vCPUs stay within the CPU overcommit limit of its hardware threads and their memory within the memory overcommit limit of its physical memory.",
    configSchema: OVERCOMMIT_SCHEMA,
    validate: (resources, ctx, report) => {
        const nodes = nodesOf(resources);
        if (nodes.length === 0) ctx.notApplicable("no homelab:proxmox:Node component registers nodeName, threads and memoryGiB");
        const allocated = allocationByNode(guestsOf(resources));
        for (const node of nodes) {
            const { vcpus, memoryMiB } = allocated.get(node.nodeName) ?? { vcpus: 0, memoryMiB: 0 };
            const cpuLimit = node.threads * ctx.config.cpuRatio;
            const memoryLimitMiB = node.memoryGiB * 1024 * ctx.config.memoryRatio;
            if (vcpus > cpuLimit) {
                report(
                    `Node ${node.nodeName} gives its guests ${vcpus} vCPUs, ${ratio(vcpus / node.threads)} its ${node.threads} threads; the limit is ${ratio(ctx.config.cpuRatio)} (${cpuLimit} vCPUs). Shrink or move guests, or raise cpuRatio in the policy config.`,
                    node.resource.urn,
                );
            }
            if (memoryMiB > memoryLimitMiB) {
                report(
                    `Node ${node.nodeName} gives its guests ${gib(memoryMiB)} of memory, ${ratio(memoryMiB / (node.memoryGiB * 1024))} its ${node.memoryGiB} GiB; the limit is ${ratio(ctx.config.memoryRatio)} (${gib(memoryLimitMiB)}). Shrink or move guests, or raise memoryRatio in the policy config.`,
                    node.resource.urn,
                );
            }
        }
    },
});
