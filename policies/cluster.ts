/**
 * What the inventory says about the whole cluster, as the `homelab:proxmox:Cluster` component
 * registers it (one per stack): the ID scheme, managed roots, the idmap floor, the automation
 * token, the networks with their gateways and reserved ranges, the nodes and the QDevice. Rules
 * read these switches from here instead of the stack's policy file; a hand-written stack without
 * the component falls back to the rule's configuration.
 *
 * Fields are read on demand, so a rule only reads (and can only trip over an unknown value in)
 * what it needs.
 */
import type { PolicyResource } from "@pulumi/policy";
import { num, records, str, strings } from "./props";
import { parseCidr } from "./shared/ipv4";
import { IdScheme } from "./shared/scheme";
import { CLUSTER_COMPONENT_TYPE, NODE_COMPONENT_TYPE } from "./tokens";

export interface ClusterNetwork {
    readonly name: string;
    readonly vlan: number | undefined;
    readonly cidr: string | undefined;
    readonly gateway: string | undefined;
    readonly reserved: readonly { readonly first: string; readonly last: string; readonly purpose: string }[];
}

export class ClusterView {
    constructor(readonly resource: PolicyResource) {}

    private get outputs() {
        return this.resource.props;
    }

    /** `vlan` (VLAN × 1000 + last octet), `octet` (idOffset + last octet) or `off`; undefined when not registered. */
    idScheme(): IdScheme | undefined {
        const scheme = str(this.outputs.idScheme);
        return scheme === "vlan" || scheme === "octet" || scheme === "off" ? scheme : undefined;
    }

    idOffset(): number {
        return num(this.outputs.idOffset) ?? 0;
    }

    managedRoots(): string[] | undefined {
        return this.outputs.managedRoots === undefined ? undefined : strings(this.outputs.managedRoots);
    }

    hostIdFloor(): number | undefined {
        return num(this.outputs.hostIdFloor);
    }

    automationTokenId(): string | undefined {
        return str(this.outputs.automationTokenId);
    }

    qdeviceAddress(): string | undefined {
        return str(this.outputs.qdeviceAddress);
    }

    networks(): ClusterNetwork[] {
        return records(this.outputs.networks).map((n) => ({
            name: str(n.name) ?? "",
            vlan: num(n.vlan),
            cidr: str(n.cidr),
            gateway: str(n.gateway),
            reserved: records(n.reserved).flatMap((r) => {
                const first = str(r.first);
                const last = str(r.last) ?? first;
                return first === undefined || last === undefined ? [] : [{ first, last, purpose: str(r.purpose) ?? "" }];
            }),
        }));
    }

    /**
     * The address ranges of the inventory's networks (first and last address of each IPv4 `cidr`),
     * or undefined when the component registers no `networks`.
     */
    networkRanges(): [number, number][] | undefined {
        if (this.outputs.networks === undefined) return undefined;
        return this.networks().flatMap((n) => {
            const cidr = n.cidr === undefined ? undefined : parseCidr(n.cidr);
            return cidr === undefined ? [] : [[cidr.network, cidr.broadcast] as [number, number]];
        });
    }

    nodes(): { name: string; address: string }[] {
        return records(this.outputs.nodes).flatMap((n) => {
            const name = str(n.name);
            const address = str(n.address);
            return name === undefined || address === undefined ? [] : [{ name, address }];
        });
    }
}

/** The stack's Cluster component, if one is registered (the first, should there be several). */
export function clusterOf(resources: readonly PolicyResource[]): ClusterView | undefined {
    const found = resources.find((r) => r.type === CLUSTER_COMPONENT_TYPE);
    return found === undefined ? undefined : new ClusterView(found);
}

/** Node addresses: the Cluster's list, and each `homelab:proxmox:Node` component's `address`. */
export function nodeAddresses(resources: readonly PolicyResource[], cluster: ClusterView | undefined): { name: string; address: string }[] {
    const found = [...(cluster?.nodes() ?? [])];
    for (const r of resources) {
        if (r.type !== NODE_COMPONENT_TYPE) continue;
        const address = str(r.props.address);
        const name = str(r.props.nodeName) ?? r.name;
        if (address !== undefined && !found.some((n) => n.name === name && n.address === address)) found.push({ name, address });
    }
    return found;
}
