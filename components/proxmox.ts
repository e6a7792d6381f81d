/**
 * Composes the Proxmox part of the stack from the inventory: the nodes, then every guest on its
 * node with that node's bridge, storages and image downloads.
 */
import * as pulumi from "@pulumi/pulumi";
import { GuestSpec, Inventory } from "../config/schema";
import { BindMount } from "../lib/privilege";
import { snippetsStorageOf } from "../lib/snippets";
import { adminSources } from "./cluster";
import { GuestHa, GuestNetwork, GuestVrrp } from "./guestShared";
import { Images } from "./images";
import { LxcGuest } from "./lxcGuest";
import { ProxmoxNode } from "./proxmoxNode";
import { Providers } from "./providers";
import { VmGuest } from "./vmGuest";
import { usbDevicesOfNode } from "./nodeHostSpec";

/** Creates every node of the inventory with the API-token provider. */
export function deployNodes(inv: Inventory, providers: Providers, opts: pulumi.ComponentResourceOptions = {}): Record<string, ProxmoxNode> {
    const networks = Object.values(inv.networks);
    const nodes: Record<string, ProxmoxNode> = {};
    for (const [nodeName, spec] of Object.entries(inv.nodes)) {
        const exports = Object.values(inv.datasets).some(
            (d) => d.node === nodeName && d.properties.sharenfs !== undefined && d.properties.sharenfs !== "off",
        );
        nodes[nodeName] = new ProxmoxNode(
            nodeName,
            {
                nodeName,
                spec,
                networks,
                host: { nfsServer: exports, usbDevices: usbDevicesOfNode(inv, nodeName) },
                sshPrivateKey: providers.sshPrivateKey,
                provider: providers.api,
            },
            opts,
        );
    }
    return nodes;
}

export interface DeployGuestsArgs {
    readonly providers: Providers;
    readonly nodes: Readonly<Record<string, ProxmoxNode>>;
    readonly images: Images;
    /** Storage resources guests wait for, by id. */
    readonly storages: Readonly<Record<string, pulumi.Resource>>;
    /** Bind mounts per container (datasets and host mounts). */
    readonly mounts: ReadonlyMap<string, readonly BindMount[]>;
    /** Resources a guest waits for besides its node's (the datasets it mounts). */
    readonly dependencies?: (guest: string) => pulumi.Resource[];
    /** User data replacing the generated one, by guest (the PBS guest's). */
    readonly userData?: Readonly<Record<string, pulumi.Input<string>>>;
}

export { snippetsStorageOf };

/** The keepalived and Proxmox HA membership of a guest. */
export function haMembership(inv: Inventory, guest: string): { vrrp?: GuestVrrp; ha?: GuestHa } {
    for (const [group, ha] of Object.entries(inv.ha)) {
        if (!ha.members.includes(guest)) continue;
        if (ha.kind === "keepalived") {
            const peers = ha.members.filter((m) => m !== guest).flatMap((m) => (inv.guests[m]?.ipv4 ? [inv.guests[m].ipv4!] : []));
            return { vrrp: { group, vip: ha.vip, peers } };
        }
        return { ha: { group, state: ha.state, maxRestart: ha.maxRestart, maxRelocate: ha.maxRelocate } };
    }
    return {};
}

/** Storage ids a guest's disks use. */
function guestStorages(spec: GuestSpec): string[] {
    const ids = spec.kind === "lxc" ? [spec.disk.storage] : spec.disks.flatMap((d) => ("storage" in d ? [d.storage] : []));
    if (spec.kind === "vm" && spec.systemStorage) ids.push(spec.systemStorage);
    return [...new Set(ids)];
}

/** Creates every guest of the inventory on its node; templates before the clones made from them. */
export function deployGuests(inv: Inventory, args: DeployGuestsArgs): Record<string, LxcGuest | VmGuest> {
    const allVlans = Object.values(inv.networks)
        .flatMap((n) => (n.vlan === undefined ? [] : [n.vlan]))
        .sort((a, b) => a - b);
    const dns = { servers: inv.cluster.dnsServers, domain: inv.cluster.domain };
    const admin = adminSources(inv);
    const guests: Record<string, LxcGuest | VmGuest> = {};
    // Templates first: a clone waits for its template.
    const order = Object.keys(inv.guests).sort((a, b) => Number(inv.guests[b].template) - Number(inv.guests[a].template));
    for (const guestName of order) {
        const spec = inv.guests[guestName];
        const node = args.nodes[spec.node];
        if (node === undefined) throw new Error(`[guests.${guestName}.node] node "${spec.node}" was not built`);
        const network: GuestNetwork = { name: spec.network, ...inv.networks[spec.network] };
        const source = spec.clone ? guests[spec.clone.from] : undefined;
        const image = spec.image !== undefined ? inv.images[spec.image] : undefined;
        const imageFileId = spec.image !== undefined && !spec.adopt ? args.images.fileId(spec.node, spec.image) : undefined;
        const common = {
            guestName,
            network,
            dns,
            sshPublicKeys: inv.cluster.sshPublicKeys,
            adminSources: admin,
            bridge: node.bridgeName,
            nativeVlan: node.nativeVlan,
            ...haMembership(inv, guestName),
            dependsOn: [
                node.bridge,
                ...guestStorages(spec).flatMap((id) => (args.storages[id] ? [args.storages[id]] : [])),
                ...(source ? [source] : []),
                ...(args.dependencies?.(guestName) ?? []),
            ],
            providers: args.providers,
            pveVersion: inv.cluster.pveVersion,
            ...(spec.clone ? { cloneSource: { vmid: inv.guests[spec.clone.from].vmid, node: inv.guests[spec.clone.from].node } } : {}),
        };
        if (spec.kind === "lxc") {
            guests[guestName] = new LxcGuest(guestName, {
                ...common,
                spec,
                ...(imageFileId !== undefined && image ? { templateFileId: imageFileId, templateFileName: image.fileName } : {}),
                mounts: args.mounts.get(guestName) ?? [],
                managedRoots: inv.cluster.managedRoots,
                connection: node.connection,
            });
        } else {
            const snippets = snippetsStorageOf(inv, spec.node);
            guests[guestName] = new VmGuest(guestName, {
                ...common,
                spec,
                ...(image !== undefined && imageFileId !== undefined ? { image, imageFileId, imageHasAgent: image.guestAgent } : {}),
                allVlans,
                ...(snippets !== undefined ? { snippetsStorage: snippets } : {}),
                ...(args.userData?.[guestName] !== undefined ? { userData: args.userData[guestName] } : {}),
            });
        }
    }
    return guests;
}
