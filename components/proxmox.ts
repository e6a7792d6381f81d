/**
 * Composes the Proxmox part of the stack: every node of the inventory, then every guest on its
 * node with that node's image downloads, bridge and storages.
 */
import * as pulumi from "@pulumi/pulumi";
import { networkByVlan } from "../config/crosschecks";
import { ImageSpec, Inventory } from "../config/schema";
import { BindMount, guestBindMounts } from "../lib/privilege";
import { ProxmoxProviders } from "../lib/providers";
import { LxcGuest } from "./lxcGuest";
import { ProxmoxNode } from "./proxmoxNode";
import { VmGuest } from "./vmGuest";

export interface DeployProxmoxArgs {
    readonly providers: ProxmoxProviders;
    /** Bind mounts of a container. @default the mounts of its datasets in the inventory (guestBindMounts) */
    readonly datasetMounts?: (guest: string) => BindMount[];
    /** Resources a guest waits for (its datasets). @default none */
    readonly datasetDependencies?: (guest: string) => pulumi.Resource[];
}

export interface ProxmoxDeployment {
    readonly nodes: Record<string, ProxmoxNode>;
    readonly guests: Record<string, LxcGuest | VmGuest>;
}

/** Image keys the guests of a node boot from. */
export function imagesOfNode(inv: Inventory, node: string): Record<string, ImageSpec> {
    const out: Record<string, ImageSpec> = {};
    for (const guest of Object.values(inv.guests)) {
        if (guest.node !== node) continue;
        const key = guest.kind === "lxc" ? guest.template : guest.image;
        if (key !== undefined) {
            const image = inv.images[key];
            if (image === undefined) throw new Error(`[images.${key}] is used by a guest on node "${node}" but not defined`);
            out[key] = image;
        }
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Creates every node of the inventory with the API-token provider. */
export function deployNodes(
    inv: Inventory,
    providers: ProxmoxProviders,
    /** Resources each storage waits for, by node and storage id (the datasets behind them). @default none */
    storageDependencies: Readonly<Record<string, Readonly<Record<string, readonly pulumi.Resource[]>>>> = {},
): Record<string, ProxmoxNode> {
    const networks = Object.values(inv.networks);
    const nodes: Record<string, ProxmoxNode> = {};
    for (const [nodeName, spec] of Object.entries(inv.nodes)) {
        nodes[nodeName] = new ProxmoxNode(
            nodeName,
            {
                nodeName,
                spec,
                networks,
                images: imagesOfNode(inv, nodeName),
                sshPrivateKey: providers.sshPrivateKey,
                storageDependencies: storageDependencies[nodeName] ?? {},
            },
            { provider: providers.api },
        );
    }
    return nodes;
}

/** Creates every guest of the inventory on its node, with that node's image downloads, bridge and storages. */
export function deployGuests(
    inv: Inventory,
    nodes: Readonly<Record<string, ProxmoxNode>>,
    args: DeployProxmoxArgs,
): Record<string, LxcGuest | VmGuest> {
    const networks = Object.values(inv.networks);
    const allVlans = networks.map((n) => n.vlan).sort((a, b) => a - b);
    const dns = { servers: inv.cluster.dnsServers, domain: inv.cluster.domain };

    const guests: Record<string, LxcGuest | VmGuest> = {};
    for (const [guestName, spec] of Object.entries(inv.guests)) {
        const node = nodes[spec.node];
        if (node === undefined) throw new Error(`[guests.${guestName}.node] node "${spec.node}" is not in nodes`);
        const net = networkByVlan(inv, spec.vlan);
        if (net === undefined) throw new Error(`[guests.${guestName}.vlan] VLAN ${spec.vlan} is not a network`);
        const storages =
            spec.kind === "lxc"
                ? [spec.disk.storage]
                : [...spec.disks.map((d) => d.storage), ...(spec.systemStorage ? [spec.systemStorage] : [])];
        const nodeResources = [node.bridge, ...[...new Set(storages)].flatMap((id) => (node.storages[id] ? [node.storages[id]] : []))];
        const common = {
            guestName,
            network: net[1],
            dns,
            sshPublicKeys: inv.cluster.sshPublicKeys,
            bridge: node.bridgeName,
            nativeVlan: node.nativeVlan,
            dependsOn: [...(args.datasetDependencies?.(guestName) ?? []), ...nodeResources],
            providers: args.providers,
        };
        if (spec.kind === "lxc") {
            guests[guestName] = new LxcGuest(guestName, {
                ...common,
                spec,
                templateFileId: node.imageFileIds[spec.template],
                templateFileName: inv.images[spec.template].fileName,
                mounts: args.datasetMounts?.(guestName) ?? guestBindMounts(inv, guestName),
            });
        } else {
            guests[guestName] = new VmGuest(guestName, {
                ...common,
                spec,
                ...(spec.image !== undefined ? { image: inv.images[spec.image], imageFileId: node.imageFileIds[spec.image] } : {}),
                allVlans,
            });
        }
    }
    return guests;
}

/** Creates every node and guest of the inventory. */
export function deployProxmox(inv: Inventory, args: DeployProxmoxArgs): ProxmoxDeployment {
    const nodes = deployNodes(inv, args.providers);
    return { nodes, guests: deployGuests(inv, nodes, args) };
}
