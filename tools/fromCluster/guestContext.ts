/**
 * What mapping a guest needs from the rest of the read: its network and address (worked out for
 * every guest first, tools/fromCluster/networks.ts), the datasets its bind mounts come from, its
 * backup tier, and the notes every guest shares (its NIC, DNS, hostname, state, HA, replication,
 * config keys the inventory has no field for).
 */
import { pveBool } from "../../lib/pveConfig";
import { Notes } from "./notes";
import { GuestNic } from "./networks";
import { GuestRead, HaResource, ReplicationJob } from "./types";

/** A bind mount of a dataset into a container, as `datasets.<path>.mounts` has it. */
export interface DatasetMount {
    readonly guest: string;
    readonly path: string;
    readonly readOnly: boolean;
}

export interface GuestContext {
    readonly notes: Notes;
    /** ISO time of the read. */
    readonly readAt: string;
    /** `node`, `network`, `ipv4`, `vmid` of the guest (what its NIC and the networks gave). */
    identity(name: string, g: GuestRead, where: (string | number)[]): Record<string, unknown>;
    /** The guest's NIC as read, or undefined. */
    nicOf(vmid: number): GuestNic | undefined;
    /** The cluster's DNS settings guests get. */
    readonly dns: { readonly domain?: string; readonly servers: readonly string[] };
    /** Why a guest disk may not be on this storage (the root disk's `local`, a directory on a system path), or undefined. */
    diskStorageProblem(storage: string): string | undefined;
    /** The bridge of a node (what the program attaches NICs to). */
    bridgeOf(node: string): string | undefined;
    /** The dataset whose mountpoint on `node` is `path`, if any. */
    datasetAt(node: string, path: string): string | undefined;
    addDatasetMount(dataset: string, mount: DatasetMount): void;
    /** Registers a bind mount's host path (managed roots are made from them). */
    addRoot(hostPath: string): void;
    /** The guest's backup choice: the tier of the job that covers it, or why none. */
    backupOf(vmid: number, where: (string | number)[]): { tier: string } | { exclude: string };
    readonly ha: readonly HaResource[];
    readonly replication: readonly ReplicationJob[];
}

/** Notes every guest shares; `known` are the config keys its kind's mapping reads, `indexed` the numbered ones. */
export function guestNotes(
    name: string,
    g: GuestRead,
    known: ReadonlySet<string>,
    indexed: RegExp,
    where: (string | number)[],
    ctx: GuestContext,
): void {
    const { notes } = ctx;
    const c = g.config!;
    const vmid = g.resource.vmid;
    const kind = g.resource.type === "lxc" ? "ct" : "vm";
    const unknown = Object.keys(c).filter((k) => !known.has(k) && !indexed.test(k));
    if (unknown.length > 0)
        notes.info(
            where,
            `config keys ${unknown.sort().join(", ")} are not in the inventory: the adoption view names what the first up does with them`,
        );
    const nic = ctx.nicOf(vmid);
    if (nic !== undefined) {
        const bridge = ctx.bridgeOf(g.resource.node);
        if (nic.bridge !== bridge)
            notes.info(
                [...where, "network"],
                `the NIC is on ${nic.bridge ?? "no bridge"}; the first up attaches it to the node's bridge ${bridge}`,
            );
        if (!nic.firewall) notes.info([...where, "network"], "the NIC's firewall flag is off; the first up turns it on");
        for (const extra of nic.unsupported)
            notes.info([...where, "network"], `the NIC sets ${extra}, which the inventory cannot state; the first up resets it`);
    }
    if (nic?.others.length)
        notes.info([...where, "network"], `further NICs ${nic.others.join(", ")} are not in the inventory; the first up removes them`);
    const servers =
        c.nameserver !== undefined
            ? String(c.nameserver)
                  .split(" ")
                  .filter((s) => s !== "")
            : [];
    const domain = c.searchdomain;
    if (g.resource.type === "lxc" && (servers.join(" ") !== ctx.dns.servers.join(" ") || domain !== ctx.dns.domain))
        notes.info(
            where,
            `DNS on the cluster is ${servers.length > 0 ? servers.join(" ") : "the host's"} / ${domain ?? "the host's"}; the first up writes ${ctx.dns.servers.join(" ")} / ${ctx.dns.domain}`,
        );
    const hostname = g.resource.type === "lxc" ? c.hostname : c.name;
    if (hostname !== name) notes.info(where, `named "${hostname ?? ""}" on the cluster; the first up renames it to "${name}"`);
    if (g.resource.status !== "running" && !pveBool(c.template))
        notes.info(
            where,
            `${g.resource.status ?? "not running"} on the cluster; the first up starts it (set template: true for a template)`,
        );
    if (g.resource.pool !== undefined) notes.info(where, `in resource pool ${g.resource.pool}, which the inventory cannot state`);
    const ha = ctx.ha.find((h) => h.sid === `${kind}:${vmid}` || h.sid === String(vmid));
    if (ha)
        notes.info(
            where,
            `an HA resource on the cluster (${ha.sid}, ${ha.state ?? "started"}${ha.group ? `, group ${ha.group}` : ""}); left as it is: add it to ha once adopted (the resource must be removed first)`,
        );
    const jobs = ctx.replication.filter((r) => r.guest === vmid);
    if (jobs.length > 0)
        notes.info(
            [...where, "replication"],
            `replication jobs ${jobs.map((j) => `${j.id} to ${j.target}`).join(", ")} exist and are left as they are (not in the inventory)`,
        );
    const ipfilter = g.firewall?.ipsets?.find((s) => s.name === "ipfilter-net0");
    if (ipfilter)
        notes.info(
            [...where, "firewall"],
            "the guest has an ipfilter-net0 ipset already: the program creates its own, so delete it before the first up",
        );
}
