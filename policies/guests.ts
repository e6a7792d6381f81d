/**
 * The guests of a stack as stack rules see them: one entry per container or VM, read from the
 * provider resource (so hand-written guests count) and completed by the outputs of the guest
 * component above it (`homelab:proxmox:LxcGuest` / `VmGuest`), which carry what the provider
 * inputs cannot say: the HA pair, the backup tier or exclusion reason, and the address (and VLAN)
 * of a VM without cloud-init (or on a trunk NIC). Fields are read on demand, so a rule only reads (and can only trip over an
 * unknown value in) what it needs.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
    cloudInitAddress,
    cloudInitAddresses,
    guestMemoryMiB,
    guestPoolId,
    guestShape,
    guestVcpus,
    inputVmid,
    nicsOf,
    staticAddress,
} from "./guestInputs";
import { bool, num, Props, str, strings } from "./props";
import { GUEST_COMPONENT_TYPES, GUEST_TYPES, NODE_COMPONENT_TYPE } from "./tokens";

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
        if (this.provider !== undefined) return guestShape(this.provider.type) === "container" ? "lxc" : "vm";
        return this.component?.type === "homelab:proxmox:LxcGuest" ? "lxc" : "vm";
    }

    private get inputs(): Props {
        return this.provider?.props ?? {};
    }

    private get outputs(): Props {
        return this.component?.props ?? {};
    }

    /** The provider resource's type ("" for a guest known only by its component). */
    private get type(): string {
        return this.provider?.type ?? "";
    }

    vmid(): number | undefined {
        return this.inputVmid() ?? num(this.outputs.vmid);
    }

    nodeName(): string | undefined {
        return str(this.inputs.nodeName) ?? str(this.outputs.nodeName);
    }

    /** Static IPv4 addresses (no prefix): from cloud-init/initialization and the component's `ipv4`. */
    ipv4s(): string[] {
        const found = new Set<string>(cloudInitAddresses(this.type, this.inputs));
        const fromComponent = staticAddress(this.outputs.ipv4);
        if (fromComponent !== undefined) found.add(fromComponent);
        return [...found];
    }

    /** The VLAN tag of the provider resource's first NIC. */
    inputVlan(): number | undefined {
        return nicsOf(this.type, this.inputs)[0]?.vlan;
    }

    /** The static address cloud-init gives the provider resource's first NIC. */
    inputAddress(): string | undefined {
        return cloudInitAddress(this.type, this.inputs);
    }

    /** The VMID the provider resource sets (`vmId` or `resourceId`; undefined without a provider resource). */
    inputVmid(): number | undefined {
        return this.provider === undefined ? undefined : inputVmid(this.type, this.inputs);
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

    /** The inventory entry the guest comes from (`guests.photos`), registered by its component. */
    inventoryKey(): string | undefined {
        return nonBlank(this.outputs.inventoryKey);
    }

    /** Whether the guest is its network's router (the VM with `gateway`), registered by its component. */
    isGateway(): boolean {
        return bool(this.outputs.isGateway) === true;
    }

    /** The inventory's reason for a privileged container. */
    privilegedReason(): string | undefined {
        return nonBlank(this.outputs.privilegedReason);
    }

    /** The inventory's reason for a firewall policy of ACCEPT. */
    firewallPolicyReason(): string | undefined {
        return nonBlank(this.outputs.firewallPolicyReason);
    }

    /**
     * Where to fix a value, for messages: the inventory key when the guest comes from the inventory
     * (`guests.photos.ipv4`), else the provider field (`initialization.ipConfigs[0].ipv4.address`).
     */
    fixAt(inventoryField: string, providerField: string): string {
        const key = this.inventoryKey();
        return key !== undefined ? `\`${key}.${inventoryField}\`` : `\`${providerField}\``;
    }

    /**
     * The redundancy group the guest is a member of: a keepalived group (`haGroup` with `haKind:
     * keepalived`), whose members stand in for each other and so must not share a node. A Proxmox
     * HA group is not one: the HA manager moves a single guest.
     */
    redundancyGroup(): string | undefined {
        return str(this.outputs.haKind) === "keepalived" ? str(this.outputs.haGroup) : undefined;
    }

    backupTier(): string | undefined {
        return str(this.outputs.backupTier);
    }

    backupExclusionReason(): string | undefined {
        return nonBlank(this.outputs.backupExclusionReason);
    }

    isTemplate(): boolean {
        return bool(this.inputs.template) === true;
    }

    poolId(): string | undefined {
        return guestPoolId(this.type, this.inputs);
    }

    tags(): string[] {
        return strings(this.inputs.tags);
    }

    /** vCPUs allocated: cores (× sockets for a VM); 0 for a guest known only by its component. */
    vcpus(): number {
        return this.provider === undefined ? 0 : guestVcpus(this.type, this.inputs);
    }

    /** Memory allocated in MiB; 0 for a guest known only by its component. */
    memoryMiB(): number {
        return this.provider === undefined ? 0 : guestMemoryMiB(this.type, this.inputs);
    }
}

/** A string that says something, or undefined. */
function nonBlank(value: unknown): string | undefined {
    const s = str(value);
    return s !== undefined && s.trim() !== "" ? s : undefined;
}

/** The guest component a resource belongs to, if any. */
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

/**
 * What the running guests allocate on each node (a template never runs): vCPUs and memory in MiB,
 * with Proxmox's defaults. The one count of the overcommit rule and the plan's capacity report.
 */
export function allocationByNode(guests: readonly Guest[]): Map<string, { vcpus: number; memoryMiB: number }> {
    const allocated = new Map<string, { vcpus: number; memoryMiB: number }>();
    for (const g of guests) {
        const node = g.nodeName();
        if (node === undefined || g.isTemplate()) continue;
        const sum = allocated.get(node) ?? { vcpus: 0, memoryMiB: 0 };
        sum.vcpus += g.vcpus();
        sum.memoryMiB += g.memoryMiB();
        allocated.set(node, sum);
    }
    return allocated;
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

/** The guest of one provider resource, with the component above it. */
export function guestOf(resource: PolicyResource): Guest {
    return new Guest(resource, guestComponentAbove(resource));
}

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

/** Names of guests, joined for messages. */
export function names(guests: readonly Guest[]): string {
    return guests.map((g) => g.name).join(", ");
}
