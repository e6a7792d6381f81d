/**
 * A snapshot of a running cluster as an inventory (v2): every entity the program can adopt marked
 * `adopt: true` (the cluster, nodes, mappings, guests; storages `managed: false`), the values the
 * provider will read back after the import, and notes on what breaks a rule or must be filled in.
 */
import { KEY_PATTERN, HOSTNAME_PATTERN } from "../../lib/patterns";
import { UNPRIVILEGED_ID_OFFSET, expectedVmid } from "../../lib/scheme";
import { lastOctet } from "../../lib/ipv4";
import { StorageSpec } from "../../config/schema";
import { guestDiskStorageProblem } from "../../config/crosschecks";
import { GuestContext } from "./guestContext";
import { backupsFrom, dataDatasets, datasetProperties, mappingEntries, nodeEntry, storageEntries } from "./infra";
import { lxcGuest } from "./lxc";
import { NodeNet, buildNetworks, guestNics, nodeNet } from "./networks";
import { Notes } from "./notes";
import { ClusterSnapshot, GuestRead } from "./types";
import { vmGuest } from "./vm";

export interface InventoryOptions {
    /** The API endpoint as the program should reach it. */
    readonly endpoint: string;
    /** The API's certificate is accepted unchecked. */
    readonly insecure: boolean;
}

export interface FromCluster {
    /** Stack config: `homelab:<section>` → value, in the inventory's order. */
    readonly config: Record<string, unknown>;
    readonly notes: Notes;
    /** Guest name → VMID. */
    readonly guestNames: ReadonlyMap<string, number>;
}

/** Guest names: the hostname (or VM name) when it is a valid, unused key, else `<ct|vm>-<vmid>`. */
function guestNames(guests: readonly GuestRead[]): Map<number, string> {
    const out = new Map<number, string>();
    const used = new Set<string>();
    for (const g of [...guests].sort((a, b) => a.resource.vmid - b.resource.vmid)) {
        const named = String((g.resource.type === "lxc" ? g.config?.hostname : g.config?.name) ?? g.resource.name ?? "").toLowerCase();
        const name = KEY_PATTERN.test(named) && !used.has(named) ? named : `${g.resource.type === "lxc" ? "ct" : "vm"}-${g.resource.vmid}`;
        used.add(name);
        out.set(g.resource.vmid, name);
    }
    return out;
}

/** A host id as the container sees it: through its idmap, the default unprivileged range, or as is when privileged. */
export function containerIdOf(host: number, type: "uid" | "gid", guest: Record<string, unknown>): number | undefined {
    if (guest.privileged !== undefined) return host <= 65535 ? host : undefined;
    const idmap = guest.idmap as { type: string; containerId: number; hostId: number; size: number }[] | undefined;
    if (idmap === undefined)
        return host >= UNPRIVILEGED_ID_OFFSET && host < UNPRIVILEGED_ID_OFFSET + 65536 ? host - UNPRIVILEGED_ID_OFFSET : undefined;
    const range = idmap.find((r) => r.type === type && host >= r.hostId && host < r.hostId + r.size);
    return range === undefined ? undefined : range.containerId + (host - range.hostId);
}

/**
 * The owner of a bind-mounted dataset in the terms of the first container that mounts it (the
 * program applies it to the mountpoint on every run: the same owner and mode change nothing).
 */
function datasetOwner(
    path: string,
    ds: Record<string, unknown>,
    guests: Record<string, Record<string, unknown>>,
    stat: { uid: number; gid: number; mode: string } | undefined,
    notes: Notes,
): Record<string, unknown> | undefined {
    const mounts = (ds.mounts as { guest: string }[] | undefined) ?? [];
    if (mounts.length === 0) return undefined;
    const container = [...mounts.map((m) => m.guest)].sort()[0];
    const where = ["datasets", path, "owner"];
    if (stat === undefined) {
        notes.fill(where, "the mountpoint's owner was not read over SSH; give the container user that owns the data");
        return undefined;
    }
    const uid = containerIdOf(stat.uid, "uid", guests[container]);
    const gid = containerIdOf(stat.gid, "gid", guests[container]);
    if (uid === undefined || gid === undefined || !/^[0-7]{3}$/.test(stat.mode)) {
        notes.fill(
            where,
            `the mountpoint is owned by host ${stat.uid}:${stat.gid} with mode ${stat.mode}, which container "${container}" cannot see as its own (or a mode with special bits); choose the owner, and the first up chowns it`,
        );
        return undefined;
    }
    return { container, uid, gid, mode: `0${stat.mode}` };
}

/** The ID scheme the guests follow (vlan, else octet with one offset, else off with a note per guest). */
function chooseScheme(
    guests: Record<string, Record<string, unknown>>,
    networks: Record<string, Record<string, unknown>>,
    notes: Notes,
): { idScheme: "vlan" | "octet" | "off"; idOffset?: number } {
    const subjects = Object.entries(guests)
        .filter(([, g]) => g.template !== true && typeof g.ipv4 === "string" && typeof g.network === "string")
        .map(([name, g]) => ({
            name,
            vmid: g.vmid as number,
            ipv4: g.ipv4 as string,
            vlan: networks[g.network as string]?.vlan as number | undefined,
        }));
    const vlanOk = subjects.every((s) => s.vlan !== undefined && expectedVmid("vlan", 0, s.vlan, s.ipv4)?.vmid === s.vmid);
    if (vlanOk) return { idScheme: "vlan" };
    const offsets = new Map<number, number>();
    for (const s of subjects) offsets.set(s.vmid - lastOctet(s.ipv4), (offsets.get(s.vmid - lastOctet(s.ipv4)) ?? 0) + 1);
    const [first] = [...offsets.keys()];
    if (offsets.size === 1 && first >= 0) return { idScheme: "octet", idOffset: first };
    const common = [...offsets.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
    for (const s of subjects) {
        const want =
            s.vlan !== undefined ? expectedVmid("vlan", 0, s.vlan, s.ipv4) : expectedVmid("octet", Math.max(0, common), undefined, s.ipv4);
        if (want !== undefined && want.vmid !== s.vmid)
            notes.rule(
                ["guests", s.name, "vmid"],
                `VMID ${s.vmid} is off the ID scheme (${want.how} = ${want.vmid}); idScheme is off until the guests are renumbered`,
            );
    }
    return { idScheme: "off" };
}

/** The inventory of a snapshot. */
export function inventoryFromSnapshot(snapshot: ClusterSnapshot, options: InventoryOptions): FromCluster {
    const notes = new Notes();
    const nodeNames = Object.keys(snapshot.nodes).sort();
    const nodeNets = new Map<string, NodeNet>();
    for (const name of nodeNames) {
        const node = snapshot.nodes[name];
        const address =
            snapshot.clusterNodes?.find((n) => n.name === name)?.ip ?? node.network?.find((i) => i.gateway !== undefined)?.address;
        const net = nodeNet(node.network, address);
        if (net) nodeNets.set(name, net);
    }
    const nics = guestNics(snapshot);
    const { networks, networkOf } = buildNetworks(nodeNets, nics, notes);

    const storages = storageEntries(snapshot.storages ?? [], nodeNames, notes);
    if (snapshot.storages === undefined) notes.fill(["storages"], "the storages could not be read (GET /storage)");
    const storagePools = (snapshot.storages ?? []).filter((s) => s.type === "zfspool" && s.pool).map((s) => s.pool!);
    const datasets: Record<string, Record<string, unknown>> = {};
    const mountpoints = new Map<string, string>();
    for (const name of nodeNames)
        for (const d of dataDatasets(snapshot.nodes[name].ssh?.datasets ?? [], storagePools)) {
            const properties = datasetProperties(d, ["datasets", d.name], notes);
            datasets[d.name] = { node: name, properties, mounts: [] as unknown[] };
            mountpoints.set(`${name}\u0000${d.properties.mountpoint?.value ?? `/${d.name}`}`, d.name);
        }

    const guestList = Object.values(snapshot.guests).filter((g) => nodeNames.includes(g.resource.node));
    const names = guestNames(guestList);
    const { backups, tierOf } = backupsFrom(
        snapshot.backupJobs ?? [],
        new Map(guestList.map((g) => [g.resource.vmid, { node: g.resource.node }])),
        notes,
    );
    if (snapshot.backupJobs === undefined)
        notes.fill(["backups"], "the backup jobs could not be read (GET /cluster/backup); guests are written without a tier");
    const roots = new Set<string>();
    const firstNode = snapshot.nodes[nodeNames[0]];
    const dns = {
        ...(firstNode?.dns?.search !== undefined ? { domain: firstNode.dns.search } : {}),
        servers: [firstNode?.dns?.dns1, firstNode?.dns?.dns2, firstNode?.dns?.dns3].filter((s): s is string => s !== undefined && s !== ""),
    };
    const ctx: GuestContext = {
        notes,
        readAt: snapshot.readAt,
        identity: (name, g, where) => {
            const nic = nics.get(g.resource.vmid);
            const network = networkOf.get(g.resource.vmid);
            if (network === undefined)
                notes.fill([...where, "network"], `the guest's network could not be worked out (${nic?.problem ?? "no NIC"})`);
            if (nic?.address === undefined && g.config?.template === undefined)
                notes.fill(
                    [...where, "ipv4"],
                    `the guest's address could not be read (${nic?.problem ?? "no NIC"}); give its static address`,
                );
            return {
                node: g.resource.node,
                ...(network !== undefined ? { network } : {}),
                ...(nic?.address !== undefined ? { ipv4: nic.address } : {}),
                vmid: g.resource.vmid,
            };
        },
        nicOf: (vmid) => nics.get(vmid),
        diskStorageProblem: (id) => guestDiskStorageProblem(id, storages[id] as StorageSpec | undefined),
        dns,
        bridgeOf: (node) => nodeNets.get(node)?.bridge,
        datasetAt: (node, path) => mountpoints.get(`${node}\u0000${path}`),
        addDatasetMount: (dataset, mount) => (datasets[dataset].mounts as unknown[]).push(mount),
        addRoot: (hostPath) => roots.add(`/${hostPath.split("/")[1]}`),
        backupOf: (vmid, where) => {
            const tier = tierOf.get(vmid);
            if (tier !== undefined) return { tier };
            if (snapshot.backupJobs !== undefined)
                notes.info([...where, "backup"], "in no backup job on the cluster: excluded until you give it a tier");
            return { exclude: `in no backup job on the cluster when read (${snapshot.readAt.slice(0, 10)}); choose a tier` };
        },
        ha: snapshot.ha ?? [],
        replication: snapshot.replication ?? [],
    };
    const guests: Record<string, Record<string, unknown>> = {};
    for (const g of guestList.sort((a, b) => a.resource.vmid - b.resource.vmid)) {
        const name = names.get(g.resource.vmid)!;
        if (g.config === undefined) {
            const error = snapshot.errors.find((e) => e.call.includes(`/${g.resource.vmid}/config`));
            notes.fill(
                ["guests"],
                `guest ${g.resource.vmid} (${g.resource.name ?? name}) could not be read${error ? `: ${error.message}` : ""}; it is left out`,
            );
            continue;
        }
        guests[name] = g.resource.type === "lxc" ? lxcGuest(name, g, ctx) : vmGuest(name, g, ctx);
    }
    for (const [path, ds] of Object.entries(datasets)) {
        const read = (snapshot.nodes[ds.node as string].ssh?.datasets ?? []).find((d) => d.name === path);
        const mountpoint = read?.properties.mountpoint?.value ?? `/${path}`;
        const owner = datasetOwner(path, ds, guests, snapshot.nodes[ds.node as string].ssh?.owners?.[mountpoint], notes);
        if (owner !== undefined) ds.owner = owner;
        ds.backup = {
            exclude: `no backup of this dataset was found when the cluster was read (${snapshot.readAt.slice(0, 10)}); choose a tier`,
        };
        notes.info(["datasets", path, "backup"], "vzdump skips bind mounts (P15): a dataset needs its own backup tier");
        roots.add(`/${mountpoint.split("/")[1]}`);
        if ((ds.mounts as unknown[]).length === 0) delete ds.mounts;
    }
    const scheme = chooseScheme(guests, networks, notes);
    return {
        config: clusterConfig(snapshot, options, { networks, nodeNets, storages, datasets, guests, backups, roots, dns, scheme, notes }),
        notes,
        guestNames: new Map([...names].map(([v, n]) => [n, v])),
    };
}

/** The config in the inventory's order, with the cluster section. */
function clusterConfig(
    snapshot: ClusterSnapshot,
    options: InventoryOptions,
    parts: {
        networks: Record<string, unknown>;
        nodeNets: Map<string, NodeNet>;
        storages: Record<string, unknown>;
        datasets: Record<string, unknown>;
        guests: Record<string, unknown>;
        backups?: Record<string, unknown>;
        roots: Set<string>;
        dns: { domain?: string; servers: string[] };
        scheme: { idScheme: string; idOffset?: number };
        notes: Notes;
    },
): Record<string, unknown> {
    const { notes } = parts;
    const nodeNames = Object.keys(snapshot.nodes).sort();
    const name = (snapshot.clusterName ?? nodeNames[0] ?? "").toLowerCase();
    if (!KEY_PATTERN.test(name)) notes.fill(["cluster", "name"], `the cluster's name "${name}" is not a lowercase DNS label`);
    const major = Number((snapshot.version?.version ?? "").split(".")[0]);
    if (major !== 8 && major !== 9)
        notes.fill(["cluster", "pveVersion"], `the Proxmox VE version "${snapshot.version?.version ?? "unknown"}" was not read as 8 or 9`);
    if (parts.dns.domain === undefined || !HOSTNAME_PATTERN.test(parts.dns.domain))
        notes.fill(["cluster", "domain"], "the nodes' DNS search domain could not be read; give the guests' domain");
    const timezone = snapshot.nodes[nodeNames[0]]?.timezone;
    if (timezone === undefined) notes.fill(["cluster", "timezone"], "the nodes' time zone could not be read");
    const qdevice = Object.values(snapshot.nodes).find((n) => n.ssh?.qdevice !== undefined)?.ssh?.qdevice;
    if (nodeNames.length === 2 && qdevice === undefined)
        notes.fill(["cluster", "qdevice"], "a two-node cluster needs its QDevice's address; it could not be read from corosync.conf");
    if (parts.roots.size === 0)
        notes.fill(
            ["cluster", "managedRoots"],
            "no bind mount or dataset was found to take the managed roots from; name where datasets live",
        );
    notes.info(
        ["cluster", "sshPublicKeys"],
        "the keys in the guests cannot be read; the first up writes the keys listed here into every container (a managed block)",
    );
    const fw = snapshot.clusterFirewall?.options;
    const enabled = fw?.enable === undefined ? false : Number(fw.enable) === 1;
    if (!enabled)
        notes.info(
            ["cluster", "firewall"],
            "the datacenter firewall is off on the cluster; the program switches it on (P6): review the adoption view first",
        );
    const cluster = {
        name,
        domain: parts.dns.domain,
        timezone,
        ...(major === 8 || major === 9 ? { pveVersion: major } : {}),
        endpoint: options.endpoint,
        ...(options.insecure ? { insecure: true } : {}),
        ...(qdevice !== undefined && nodeNames.length === 2 ? { qdevice: { address: qdevice } } : {}),
        dnsServers: parts.dns.servers,
        idScheme: parts.scheme.idScheme,
        ...(parts.scheme.idOffset !== undefined ? { idOffset: parts.scheme.idOffset } : {}),
        managedRoots: [...parts.roots].sort(),
        sshPublicKeys: [],
        firewall: { enabled },
        adopt: true,
    };
    const nodes = Object.fromEntries(nodeNames.map((n) => [n, nodeEntry(snapshot.nodes[n], parts.nodeNets.get(n), notes)]));
    const mappings = mappingEntries(snapshot.mappings, notes);
    return {
        "homelab:cluster": cluster,
        "homelab:networks": parts.networks,
        "homelab:nodes": nodes,
        "homelab:storages": parts.storages,
        "homelab:mappings": mappings,
        "homelab:datasets": parts.datasets,
        "homelab:guests": parts.guests,
        ...(parts.backups ? { "homelab:backups": parts.backups } : {}),
    };
}
