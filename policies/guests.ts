/**
 * The guests of a stack as stack rules see them: one entry per container or VM, read from the
 * provider resource (so hand-written guests count) and completed by the outputs of the guest
 * component above it (`homelab:proxmox:LxcGuest` / `VmGuest`), which carry what the provider
 * inputs cannot say: the HA pair, the backup tier or exclusion reason, and the address (and VLAN)
 * of a VM without cloud-init (or on a trunk NIC). Fields are read on demand, so a rule only reads (and can only trip over an
 * unknown value in) what it needs.
 */
import type { PolicyResource } from "@pulumi/policy";
import { bool, num, Props, record, records, str, strings } from "./props";
import { CONTAINER_TYPES, GUEST_COMPONENT_TYPES, GUEST_TYPES, NODE_COMPONENT_TYPE } from "./tokens";

/** Proxmox defaults when a guest leaves sizing out (both resources: 1 core, 512 MiB). */
const DEFAULT_CORES = 1;
const DEFAULT_SOCKETS = 1;
const DEFAULT_MEMORY_MIB = 512;

/** The address part of `192.168.30.40/24`; undefined for `dhcp` or anything else. */
export function staticAddress(value: unknown): string | undefined {
    const s = str(value);
    if (s === undefined) return undefined;
    const ip = s.split("/")[0].trim();
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? ip : undefined;
}

/** The first NIC of a container (`networkInterfaces`) or VM (`networkDevices`), from its inputs. */
export function firstNic(type: string, props: Props): Props | undefined {
    return records(CONTAINER_TYPES.has(type) ? props.networkInterfaces : props.networkDevices)[0];
}

/** The VLAN tag of the first NIC; undefined when untagged (or a trunk). */
export function firstNicVlan(type: string, props: Props): number | undefined {
    return num(firstNic(type, props)?.vlanId);
}

/** The first static IPv4 address cloud-init gives the guest (`initialization.ipConfigs[0].ipv4.address`, no prefix). */
export function cloudInitAddress(props: Props): string | undefined {
    return staticAddress(record(records(record(props.initialization)?.ipConfigs)[0]?.ipv4)?.address);
}

export class Guest {
    constructor(
        /** The provider resource (container or VM); undefined for a component without one. */
        readonly provider: PolicyResource | undefined,
        /** The guest component above it, if any. */
        readonly component: PolicyResource | undefined,
    ) {}

    /** The resource violations are reported against: the provider resource when there is one. */
    get resource(): PolicyResource {
        return (this.provider ?? this.component) as PolicyResource;
    }

    get urn(): string {
        return this.resource.urn;
    }

    get name(): string {
        return this.resource.name;
    }

    get kind(): "lxc" | "vm" {
        if (this.provider !== undefined) return CONTAINER_TYPES.has(this.provider.type) ? "lxc" : "vm";
        return this.component?.type === "homelab:proxmox:LxcGuest" ? "lxc" : "vm";
    }

    private get inputs(): Props {
        return this.provider?.props ?? {};
    }

    private get outputs(): Props {
        return this.component?.props ?? {};
    }

    vmid(): number | undefined {
        return num(this.inputs.vmId) ?? num(this.outputs.vmid);
    }

    nodeName(): string | undefined {
        return str(this.inputs.nodeName) ?? str(this.outputs.nodeName);
    }

    /** Static IPv4 addresses (no prefix): from cloud-init/initialization and the component's `ipv4`. */
    ipv4s(): string[] {
        const found = new Set<string>();
        for (const c of records(record(this.inputs.initialization)?.ipConfigs)) {
            const ip = staticAddress(record(c.ipv4)?.address);
            if (ip !== undefined) found.add(ip);
        }
        const fromComponent = staticAddress(this.outputs.ipv4);
        if (fromComponent !== undefined) found.add(fromComponent);
        return [...found];
    }

    /** The VLAN tag of the provider resource's first NIC. */
    inputVlan(): number | undefined {
        return this.provider === undefined ? undefined : firstNicVlan(this.provider.type, this.inputs);
    }

    /** The static address cloud-init gives the provider resource's first NIC. */
    inputAddress(): string | undefined {
        return cloudInitAddress(this.inputs);
    }

    /** `vmId` as the provider resource sets it (undefined without a provider resource). */
    inputVmid(): number | undefined {
        return num(this.inputs.vmId);
    }

    /** The component's registered `vlan`. */
    componentVlan(): number | undefined {
        return num(this.outputs.vlan);
    }

    /** The component's registered `ipv4` (no prefix). */
    componentAddress(): string | undefined {
        return staticAddress(this.outputs.ipv4);
    }

    /** The component's registered `vmid`. */
    componentVmid(): number | undefined {
        return num(this.outputs.vmid);
    }

    haPair(): string | undefined {
        return str(this.outputs.haPair);
    }

    backupTier(): string | undefined {
        return str(this.outputs.backupTier);
    }

    backupExclusionReason(): string | undefined {
        const reason = str(this.outputs.backupExclusionReason);
        return reason !== undefined && reason.trim() !== "" ? reason : undefined;
    }

    isTemplate(): boolean {
        return bool(this.inputs.template) === true;
    }

    poolId(): string | undefined {
        return str(this.inputs.poolId);
    }

    tags(): string[] {
        return strings(this.inputs.tags);
    }

    /** vCPUs allocated: cores (× sockets for a VM); 0 for a guest known only by its component. */
    vcpus(): number {
        if (this.provider === undefined) return 0;
        const cpu = record(this.inputs.cpu);
        const cores = num(cpu?.cores) ?? DEFAULT_CORES;
        return this.kind === "vm" ? cores * (num(cpu?.sockets) ?? DEFAULT_SOCKETS) : cores;
    }

    /** Memory allocated in MiB (`memory.dedicated`); 0 for a guest known only by its component. */
    memoryMiB(): number {
        if (this.provider === undefined) return 0;
        return num(record(this.inputs.memory)?.dedicated) ?? DEFAULT_MEMORY_MIB;
    }
}

function guestComponentAbove(resource: PolicyResource): PolicyResource | undefined {
    for (let p = resource.parent; p !== undefined; p = p.parent) {
        if (GUEST_COMPONENT_TYPES.has(p.type)) return p;
    }
    return undefined;
}

/** Every guest of the stack, in resource order. */
export function guestsOf(resources: readonly PolicyResource[]): Guest[] {
    const guests: Guest[] = [];
    const componentsWithGuest = new Set<string>();
    for (const r of resources) {
        if (!GUEST_TYPES.has(r.type)) continue;
        const component = guestComponentAbove(r);
        if (component !== undefined) componentsWithGuest.add(component.urn);
        guests.push(new Guest(r, component));
    }
    for (const r of resources) {
        if (GUEST_COMPONENT_TYPES.has(r.type) && !componentsWithGuest.has(r.urn)) guests.push(new Guest(undefined, r));
    }
    return guests;
}

/** A node as its `homelab:proxmox:Node` component registers it. */
export interface NodeCapacity {
    readonly resource: PolicyResource;
    readonly nodeName: string;
    readonly threads: number;
    readonly memoryGiB: number;
}

/** Nodes that register their capacity (components missing an output are left out). */
export function nodesOf(resources: readonly PolicyResource[]): NodeCapacity[] {
    const nodes: NodeCapacity[] = [];
    for (const r of resources) {
        if (r.type !== NODE_COMPONENT_TYPE) continue;
        const nodeName = str(r.props.nodeName);
        const threads = num(r.props.threads);
        const memoryGiB = num(r.props.memoryGiB);
        if (nodeName !== undefined && threads !== undefined && memoryGiB !== undefined)
            nodes.push({ resource: r, nodeName, threads, memoryGiB });
    }
    return nodes;
}

/** Names of guests, quoted and joined for messages. */
/** Items grouped by key (an item with several keys joins each group), in order; linear. */
export function groupBy<K, T>(items: Iterable<T>, keys: (item: T) => K | readonly K[] | undefined): Map<K, T[]> {
    const groups = new Map<K, T[]>();
    for (const item of items) {
        const k = keys(item);
        for (const key of k === undefined ? [] : Array.isArray(k) ? (k as readonly K[]) : [k as K]) {
            const group = groups.get(key);
            if (group) group.push(item);
            else groups.set(key, [item]);
        }
    }
    return groups;
}

export function names(guests: readonly Guest[]): string {
    return guests.map((g) => g.name).join(", ");
}
