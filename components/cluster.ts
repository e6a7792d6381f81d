/**
 * What belongs to the cluster as a whole: the datacenter firewall (enabled as code, with the
 * rules that keep the operator in), the PCI and USB hardware mappings guests refer to, and the
 * Proxmox HA rules. Its registered outputs carry the inventory facts the policy pack reads
 * (networks and reservations, node addresses, the ID scheme, managed roots), so no fact is
 * written twice.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { Inventory } from "../config/schema";
import { cidrContains, formatIpv4, parseCidr, parseIpv4 } from "../lib/ipv4";
import { reservationRange } from "../config/crosschecks/cluster";
import { parseSharenfs } from "../lib/nfs";
import { NFS_PORTS } from "../lib/nodeHost";

/** Corosync's UDP ports (pve-docs `pve-firewall.adoc`: 5405-5412 over the cluster network). */
const COROSYNC_PORTS = "5405:5412";
/** The QDevice's corosync-qnetd port. */
const QNETD_PORT = "5403";

/** Import id of the datacenter firewall rules (bpg `RulesImport`). */
const CLUSTER_RULES_IMPORT_ID = "cluster";
/** Import id of the datacenter firewall options: any id passes through; this is the one bpg sets on create. */
const CLUSTER_FIREWALL_IMPORT_ID = "cluster-firewall";

export interface ClusterArgs {
    readonly inventory: Inventory;
    /** The API-token provider: firewall options need Sys.Modify on /, mappings Mapping.Modify. */
    readonly provider: proxmoxve.Provider;
}

/** Where the Proxmox API and SSH may be reached from: the inventory's sources, else the networks holding the nodes. */
export function adminSources(inv: Inventory): string[] {
    if (inv.cluster.firewall.adminSources) return [...inv.cluster.firewall.adminSources];
    const out = new Set<string>();
    for (const node of Object.values(inv.nodes)) {
        const ip = parseIpv4(node.address);
        const net = Object.values(inv.networks).find((n) => {
            const subnet = parseCidr(n.cidr);
            return subnet !== undefined && ip !== undefined && cidrContains(subnet, ip);
        });
        if (net) out.add(net.cidr);
    }
    return [...out].sort();
}

/**
 * The datacenter rules, in order: they are in place before the firewall is switched on, so
 * enabling it cannot lock the operator or the cluster out. PVE also opens 8006/22 from the node's
 * own subnet and corosync between ring addresses by itself; these rules state it, and cover an
 * admin network other than the nodes' subnet.
 */
export function clusterRules(inv: Inventory): proxmoxve.types.input.firewall.RulesLegacyRule[] {
    const rules: proxmoxve.types.input.firewall.RulesLegacyRule[] = [];
    for (const source of adminSources(inv)) {
        rules.push({
            type: "in",
            action: "ACCEPT",
            proto: "tcp",
            dport: "8006",
            source,
            enabled: true,
            comment: "homelab: Proxmox API and web UI",
        });
        rules.push({ type: "in", action: "ACCEPT", proto: "tcp", dport: "22", source, enabled: true, comment: "homelab: SSH" });
    }
    for (const [name, node] of Object.entries(inv.nodes).sort(([a], [b]) => a.localeCompare(b)))
        rules.push({
            type: "in",
            action: "ACCEPT",
            proto: "udp",
            dport: COROSYNC_PORTS,
            source: node.address,
            enabled: true,
            comment: `homelab: corosync from ${name}`,
        });
    if (inv.cluster.qdevice)
        rules.push({
            type: "out",
            action: "ACCEPT",
            proto: "tcp",
            dport: QNETD_PORT,
            dest: inv.cluster.qdevice.address,
            enabled: true,
            comment: "homelab: corosync QDevice",
        });
    return rules;
}

/**
 * NFS from each export's clients to the node that exports it (P36): with the firewall on and the
 * input policy DROP, Proxmox opens only its own ports, so a node's NFS storage on another node's
 * export and the PBS guest's datastore mount need these. Clients are the addresses and subnets of
 * the datasets' `sharenfs` (the inventory refuses any other kind of client).
 */
export function nfsRules(inv: Inventory): proxmoxve.types.input.firewall.RulesLegacyRule[] {
    const pairs = new Map<string, { node: string; server: string; source: string; datasets: string[] }>();
    for (const [dataset, ds] of Object.entries(inv.datasets).sort(([a], [b]) => a.localeCompare(b))) {
        const sharenfs = ds.properties.sharenfs;
        const node = inv.nodes[ds.node];
        if (sharenfs === undefined || node === undefined) continue;
        const exported = parseSharenfs(sharenfs);
        if (exported.off) continue;
        for (const c of exported.clients) {
            if (c.range === undefined || c.everyone) continue;
            const source = c.raw.startsWith("@") ? c.raw.slice(1) : c.raw;
            const key = `${ds.node} ${source}`;
            const pair = pairs.get(key) ?? { node: ds.node, server: node.address, source, datasets: [] };
            pair.datasets.push(dataset);
            pairs.set(key, pair);
        }
    }
    const rules: proxmoxve.types.input.firewall.RulesLegacyRule[] = [];
    for (const { node, server, source, datasets } of pairs.values()) {
        const comment = `homelab: NFS to ${node} (${datasets.join(", ")})`;
        const common = { type: "in", action: "ACCEPT", source, dest: server, enabled: true, comment };
        rules.push({ ...common, proto: "tcp", dport: `${NFS_PORTS.rpcbind},${NFS_PORTS.nfs},${NFS_PORTS.mountd}` });
        rules.push({ ...common, proto: "udp", dport: `${NFS_PORTS.rpcbind},${NFS_PORTS.mountd}` });
    }
    return rules;
}

/** The cluster-wide resources and the inventory facts the policy pack reads. */
export class Cluster extends pulumi.ComponentResource {
    readonly firewallRules: proxmoxve.firewall.RulesLegacy;
    readonly firewall: proxmoxve.cluster.FirewallLegacy;
    /** PCI and USB mappings by name. */
    readonly pciMappings: Record<string, proxmoxve.hardware.mapping.Pci>;
    readonly usbMappings: Record<string, proxmoxve.hardware.mapping.Usb>;

    constructor(name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("homelab:proxmox:Cluster", name, {}, opts);
        const inv = args.inventory;
        const child = { parent: this, provider: args.provider };

        // An adopted cluster has its datacenter rules and options already: they are imported (creating
        // rules where rules exist fails, P33), so the first `up` shows what it would change.
        const adopted = (id: string): pulumi.CustomResourceOptions => (inv.cluster.adopt ? { import: id } : {});
        // Rules first, then the switch: enabling the firewall never runs ahead of the rules that keep us in (P6).
        this.firewallRules = new proxmoxve.firewall.RulesLegacy(
            `${name}-firewall-rules`,
            { rules: [...clusterRules(inv), ...nfsRules(inv)] },
            { ...child, ...adopted(CLUSTER_RULES_IMPORT_ID) },
        );
        this.firewall = new proxmoxve.cluster.FirewallLegacy(
            `${name}-firewall`,
            {
                enabled: inv.cluster.firewall.enabled,
                // bpg sends 0 for an unset ebtables; PVE's default is on (P24).
                ebtables: true,
                inputPolicy: "DROP",
                outputPolicy: "ACCEPT",
                forwardPolicy: "ACCEPT",
                logRatelimit: { enabled: true, burst: 5, rate: "1/second" },
            },
            { ...child, dependsOn: [this.firewallRules], ...adopted(CLUSTER_FIREWALL_IMPORT_ID) },
        );

        this.pciMappings = {};
        for (const [key, mapping] of Object.entries(inv.mappings.pci)) {
            this.pciMappings[key] = new proxmoxve.hardware.mapping.Pci(
                `${name}-pci-${key}`,
                {
                    // Always named: the SDK would otherwise append a random suffix.
                    name: key,
                    ...(mapping.description !== undefined ? { comment: mapping.description } : {}),
                    maps: mapping.map.map((m) => ({
                        node: m.node,
                        id: m.id,
                        path: m.path,
                        ...(m.subsystemId !== undefined ? { subsystemId: m.subsystemId } : {}),
                        ...(m.iommuGroup !== undefined ? { iommuGroup: m.iommuGroup } : {}),
                    })),
                },
                // An adopted mapping exists already: imported by its name (creating it again fails).
                { ...child, ...(mapping.adopt ? { import: key } : {}) },
            );
        }
        this.usbMappings = {};
        for (const [key, mapping] of Object.entries(inv.mappings.usb)) {
            this.usbMappings[key] = new proxmoxve.hardware.mapping.Usb(
                `${name}-usb-${key}`,
                {
                    name: key,
                    ...(mapping.description !== undefined ? { comment: mapping.description } : {}),
                    maps: mapping.map.map((m) => ({ node: m.node, id: m.id })),
                },
                { ...child, ...(mapping.adopt ? { import: key } : {}) },
            );
        }

        this.registerOutputs(clusterOutputs(inv));
    }
}

/** The outputs the policy pack reads (policies/README.md lists them). */
function clusterOutputs(inv: Inventory): Record<string, unknown> {
    return {
        name: inv.cluster.name,
        ...(inv.cluster.qdevice ? { qdeviceAddress: inv.cluster.qdevice.address } : {}),
        idScheme: inv.cluster.idScheme,
        idOffset: inv.cluster.idOffset,
        managedRoots: [...inv.cluster.managedRoots],
        hostIdFloor: inv.cluster.hostIdFloor,
        automationTokenId: `${inv.cluster.automation.user}!${inv.cluster.automation.token}`,
        networks: Object.entries(inv.networks).map(([name, n]) => ({
            name,
            ...(n.vlan !== undefined ? { vlan: n.vlan } : {}),
            cidr: n.cidr,
            gateway: n.gateway,
            reserved: [
                ...n.reserved.flatMap((r) => {
                    const range = reservationRange(r);
                    return range ? [{ first: formatIpv4(range[0]), last: formatIpv4(range[1]), purpose: r.purpose }] : [];
                }),
                ...Object.entries(inv.ha).flatMap(([group, ha]) =>
                    ha.kind === "keepalived" && inv.guests[ha.members[0]]?.network === name
                        ? [{ first: ha.vip, last: ha.vip, purpose: `virtual IP of HA group ${group}` }]
                        : [],
                ),
            ],
        })),
        nodes: Object.entries(inv.nodes).map(([name, n]) => ({ name, address: n.address })),
    };
}
