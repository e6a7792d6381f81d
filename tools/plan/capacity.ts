/** CPU and memory allocated per node against physical, as the overcommit rule counts them. */
import { guestMemoryMiB, guestVcpus } from "../../policies/guestInputs";
import { GUEST_TYPES, NODE_COMPONENT_TYPE } from "../../policies/tokens";
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

const num = (v: unknown): number | undefined =>
    typeof v === "number" ? v : typeof v === "string" && v !== "" && !isNaN(Number(v)) ? Number(v) : undefined;

/** Per node: cores and memory of the guests registered on it, against the node component's outputs. */
export function nodeCapacity(resources: readonly RecordedResource[]): NodeCapacity[] {
    // One pass over the guests, grouped by node: linear in the number of resources.
    const allocated = new Map<string, { cores: number; memoryMiB: number }>();
    for (const r of resources) {
        if (!GUEST_TYPES.has(r.type)) continue;
        // A template never runs: it takes no CPU or memory.
        if (r.inputs.template === true || r.inputs.template === "true") continue;
        const node = String(r.inputs.nodeName);
        const sum = allocated.get(node) ?? { cores: 0, memoryMiB: 0 };
        // The pack's readers: every guest class, Proxmox's defaults, counted as the overcommit rule counts.
        sum.cores += guestVcpus(r.type, r.inputs);
        sum.memoryMiB += guestMemoryMiB(r.type, r.inputs);
        allocated.set(node, sum);
    }
    const out: NodeCapacity[] = [];
    for (const node of resources.filter((r) => r.type === NODE_COMPONENT_TYPE)) {
        const name = String(node.outputs.nodeName ?? node.name);
        const threads = num(node.outputs.threads) ?? 0;
        const memoryGiB = num(node.outputs.memoryGiB) ?? 0;
        const { cores, memoryMiB } = allocated.get(name) ?? { cores: 0, memoryMiB: 0 };
        const allocatedMemoryGiB = Math.round((memoryMiB / 1024) * 100) / 100;
        out.push({
            node: name,
            threads,
            allocatedCores: cores,
            cpuRatio: threads ? Math.round((cores / threads) * 100) / 100 : 0,
            memoryGiB,
            allocatedMemoryGiB,
            memoryRatio: memoryGiB ? Math.round((allocatedMemoryGiB / memoryGiB) * 100) / 100 : 0,
        });
    }
    return out.sort((a, b) => a.node.localeCompare(b.node));
}
