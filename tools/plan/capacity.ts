/** CPU and memory allocated per node against physical, counted as the overcommit rule counts them. */
import { allocationByNode, guestsOf, nodesOf } from "../../policies/guests";
import { policyGraph } from "../policy/graph";
import { RecordedResource } from "../runtime/recorder";

export interface NodeCapacity {
    readonly node: string;
    readonly threads: number;
    readonly allocatedCores: number;
    readonly cpuRatio: number;
    readonly memoryGiB: number;
    readonly allocatedMemoryGiB: number;
    readonly memoryRatio: number;
}

/** Per node that registers its capacity: the cores and memory of the guests on it, against its threads and memory. */
export function nodeCapacity(resources: readonly RecordedResource[]): NodeCapacity[] {
    const graph = policyGraph(resources);
    const allocated = allocationByNode(guestsOf(graph));
    return nodesOf(graph)
        .map(({ nodeName, threads, memoryGiB }) => {
            const { vcpus, memoryMiB } = allocated.get(nodeName) ?? { vcpus: 0, memoryMiB: 0 };
            const allocatedMemoryGiB = Math.round((memoryMiB / 1024) * 100) / 100;
            return {
                node: nodeName,
                threads,
                allocatedCores: vcpus,
                cpuRatio: threads ? Math.round((vcpus / threads) * 100) / 100 : 0,
                memoryGiB,
                allocatedMemoryGiB,
                memoryRatio: memoryGiB ? Math.round((allocatedMemoryGiB / memoryGiB) * 100) / 100 : 0,
            };
        })
        .sort((a, b) => a.node.localeCompare(b.node));
}
