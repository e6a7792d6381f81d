/**
 * The networks of a running cluster, as the inventory has them: the subnet holding each node's
 * address (on its bridge), and one network per VLAN tag (or untagged subnet) the guests' NICs use,
 * with the subnet and gateway their static addresses give. A VM's address comes from its
 * cloud-init `ipconfig0`, else from its guest agent.
 */
import { parseIpv4 } from "../../lib/ipv4";
import { VM_NIC_MODELS, indexedKeys, parsePropertyString, pveBool } from "../../lib/pveConfig";
import { staticAddress } from "./guestCommon";
import { Notes } from "./notes";
import { ClusterSnapshot, GuestRead, NetworkInterface } from "./types";

/** A guest's first NIC as read. */
export interface GuestNic {
    readonly vmid: number;
    readonly node: string;
    readonly bridge?: string;
    readonly firewall: boolean;
    readonly tag?: number;
    readonly address?: string;
    readonly cidr?: string;
    readonly gateway?: string;
    /** Why there is no address, when there is none. */
    readonly problem?: string;
    /** Options of the NIC the inventory cannot state (`mtu=9000`). */
    readonly unsupported: readonly string[];
    /** Further NICs (`net1`). */
    readonly others: readonly string[];
}

/** A node's management side: the bridge carrying its address. */
export interface NodeNet {
    readonly address: string;
    readonly cidr: string;
    readonly prefix: number;
    readonly gateway?: string;
    readonly bridge: string;
    readonly ports: readonly string[];
    /** The interface holding the address, when it is not the bridge itself (`vmbr0.10`). */
    readonly via?: string;
}

const LXC_NIC_OPTIONS = new Set(["name", "bridge", "firewall", "hwaddr", "ip", "gw", "tag", "type"]);
const VM_MODELS: readonly string[] = VM_NIC_MODELS;

/** The VM's address: cloud-init's ipconfig0, else the agent's report for the NIC's MAC address. */
function vmAddress(g: GuestRead, mac: string | undefined): { ip?: string; gw?: string } {
    const c = g.config!;
    if (c.ipconfig0 !== undefined) {
        const p = parsePropertyString(String(c.ipconfig0));
        return { ip: p.ip, gw: p.gw };
    }
    const iface = g.agentInterfaces?.find((i) => mac !== undefined && i["hardware-address"]?.toLowerCase() === mac.toLowerCase());
    const v4 = iface?.["ip-addresses"]?.find((a) => a["ip-address-type"] === "ipv4");
    return v4 ? { ip: `${v4["ip-address"]}/${v4.prefix}` } : {};
}

/** Every guest's first NIC, by VMID. */
export function guestNics(snapshot: ClusterSnapshot): Map<number, GuestNic> {
    const out = new Map<number, GuestNic>();
    for (const g of Object.values(snapshot.guests)) {
        if (g.config === undefined) continue;
        const keys = indexedKeys(g.config, "net");
        if (keys.length === 0) continue;
        const net = parsePropertyString(String(g.config[keys[0]]), "name");
        const lxc = g.resource.type === "lxc";
        const model = VM_MODELS.find((m) => net[m] !== undefined);
        const mac = lxc ? net.hwaddr : model !== undefined ? net[model] : undefined;
        const { ip, gw } = lxc ? { ip: net.ip, gw: net.gw } : vmAddress(g, mac);
        const found = staticAddress(ip);
        const unsupported = Object.keys(net).filter((k) =>
            lxc ? !LXC_NIC_OPTIONS.has(k) : !["bridge", "firewall", "tag", ...VM_MODELS].includes(k),
        );
        if (lxc && net.name !== undefined && net.name !== "eth0") unsupported.push(`name=${net.name}`);
        if (!lxc && model !== "virtio") unsupported.push(`model ${model ?? "unknown"}`);
        out.set(g.resource.vmid, {
            vmid: g.resource.vmid,
            node: g.resource.node,
            ...(net.bridge !== undefined ? { bridge: net.bridge } : {}),
            firewall: pveBool(net.firewall) === true,
            ...(net.tag !== undefined && /^\d+$/.test(net.tag) ? { tag: Number(net.tag) } : {}),
            ...(typeof found === "string" ? { problem: found } : { address: found.address, cidr: found.cidr }),
            ...(gw !== undefined ? { gateway: gw } : {}),
            unsupported: unsupported.map((k) => (k.includes("=") ? k : `${k}=${net[k]}`)),
            others: keys.slice(1),
        });
    }
    return out;
}

/** A netmask (`24` or `255.255.255.0`) as a prefix length. */
function prefixOf(netmask: string): number {
    if (/^\d{1,2}$/.test(netmask)) return Number(netmask);
    const value = parseIpv4(netmask) ?? 0;
    let bits = 0;
    for (let v = value; v & 0x80000000; v = (v << 1) >>> 0) bits++;
    return bits;
}

/** The interface holding a node's address and the bridge behind it. */
export function nodeNet(network: readonly NetworkInterface[] | undefined, address: string | undefined): NodeNet | undefined {
    if (network === undefined || address === undefined) return undefined;
    const holder = network.find((i) => (i.address ?? i.cidr?.split("/")[0]) === address);
    if (holder === undefined) return undefined;
    const cidr =
        holder.cidr ??
        (holder.address !== undefined && holder.netmask !== undefined ? `${holder.address}/${prefixOf(holder.netmask)}` : undefined);
    const found = staticAddress(cidr);
    if (typeof found === "string") return undefined;
    // vmbr0 itself, or vmbr0.10 (a VLAN interface on it).
    const bridgeName = holder.type === "bridge" ? holder.iface : holder.iface.split(".")[0];
    const bridge = network.find((i) => i.iface === bridgeName && i.type === "bridge");
    if (bridge === undefined) return undefined;
    return {
        address,
        cidr: found.cidr,
        prefix: Number(cidr!.split("/")[1]),
        ...(holder.gateway !== undefined ? { gateway: holder.gateway } : {}),
        bridge: bridge.iface,
        ports: (bridge.bridge_ports ?? "").split(/\s+/).filter((p) => p !== "" && p !== "none"),
        ...(holder !== bridge ? { via: holder.iface } : {}),
    };
}

/** The inventory's networks and which one each guest is on. */
export function buildNetworks(
    nodes: ReadonlyMap<string, NodeNet>,
    nics: ReadonlyMap<number, GuestNic>,
    notes: Notes,
): { networks: Record<string, Record<string, unknown>>; networkOf: Map<number, string> } {
    const networks: Record<string, { vlan?: number; cidr?: string; gateway?: string }> = {};
    const named = (base: string) => {
        let name = base;
        for (let n = 2; networks[name] !== undefined; n++) name = `${base}-${n}`;
        return name;
    };
    for (const [node, net] of nodes) {
        const existing = Object.keys(networks).find((k) => networks[k].cidr === net.cidr && networks[k].vlan === undefined);
        if (existing !== undefined) continue;
        const name = named("management");
        networks[name] = { cidr: net.cidr, ...(net.gateway !== undefined ? { gateway: net.gateway } : {}) };
        if (net.via !== undefined)
            notes.info(
                ["nodes", node, "address"],
                `the node's address is on ${net.via}; the program keeps it on the bridge ${net.bridge} itself, so the first up would move it: keep adopt until the bridge is reviewed`,
            );
    }
    const networkOf = new Map<number, string>();
    // Tagged NICs first by tag, then untagged ones by subnet.
    for (const nic of [...nics.values()].sort((a, b) => a.vmid - b.vmid)) {
        let name: string | undefined;
        if (nic.tag !== undefined) {
            name = Object.keys(networks).find((k) => networks[k].vlan === nic.tag);
            if (name === undefined && nic.cidr !== undefined) {
                name = named(`vlan${nic.tag}`);
                networks[name] = { vlan: nic.tag, cidr: nic.cidr };
            }
        } else if (nic.cidr !== undefined) {
            name = Object.keys(networks).find((k) => networks[k].vlan === undefined && networks[k].cidr === nic.cidr);
            if (name === undefined) {
                name = named(`lan-${nic.cidr.split("/")[0].split(".").slice(0, 3).join("-")}`);
                networks[name] = { cidr: nic.cidr };
            }
        }
        if (name === undefined) continue;
        networkOf.set(nic.vmid, name);
        const net = networks[name];
        if (nic.cidr !== undefined && nic.cidr !== net.cidr)
            notes.info(["networks", name], `guest ${nic.vmid} has ${nic.address} in ${nic.cidr}, not in ${net.cidr}`);
        if (net.gateway === undefined && nic.gateway !== undefined) net.gateway = nic.gateway;
    }
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, net] of Object.entries(networks)) {
        if (net.gateway === undefined)
            notes.fill(["networks", name, "gateway"], "no guest or node on this network names its gateway; give the router's address");
        out[name] = {
            ...(net.vlan !== undefined ? { vlan: net.vlan } : {}),
            cidr: net.cidr,
            ...(net.gateway !== undefined ? { gateway: net.gateway } : {}),
        };
    }
    return { networks: out, networkOf };
}
