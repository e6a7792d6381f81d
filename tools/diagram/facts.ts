/**
 * What the pictures say about the inventory, as plain text: network titles, guest and node
 * details, backup tiers and the backup target, NFS clients, the public records. Pure; shared by the
 * overview and the node views, so each fact is phrased in one place.
 */
import { DatasetEntry, GuestSpec, HaGroupSpec, Inventory, Network, RetentionSpec, TierSpec } from "../../config/schema";
import { tierOrder } from "../../lib/backupSchedule";
import { datasetMountpoint } from "../../lib/datasets";
import { fullRecordName } from "../../lib/dns";
import { parseIpv4 } from "../../lib/ipv4";
import { parseSharenfs } from "../../lib/nfs";
import { byString, sortedKeys } from "./mermaid";

/** Guests carrying this tag receive the WAN's web traffic (the reverse proxy). */
export const REVERSE_PROXY_TAG = "proxy";

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Network names: the untagged network first, then by VLAN id, then by name. */
export function networksInOrder(inv: Inventory): string[] {
    return sortedKeys(inv.networks).sort((a, b) => (inv.networks[a].vlan ?? 0) - (inv.networks[b].vlan ?? 0) || byString(a, b));
}

/** `VLAN 30 · services · 192.168.30.0/24`, or `lan · untagged · 192.168.1.0/24`. */
export function networkTitle(name: string, net: Network): string {
    return net.vlan !== undefined ? `VLAN ${net.vlan} · ${name} · ${net.cidr}` : `${name} · untagged · ${net.cidr}`;
}

/** The HA group a guest belongs to (a guest is in one at most). */
function haGroupOf(inv: Inventory, guest: string): string | undefined {
    return sortedKeys(inv.ha).find((g) => inv.ha[g].members.includes(guest));
}

/** `VM 10001` or `LXC 30040`. */
export const guestKind = (g: GuestSpec): string => `${g.kind === "vm" ? "VM" : "LXC"} ${g.vmid}`;

/** What sets a guest apart, in a fixed order: router, reverse proxy, Docker, privileged, template, clone, HA. */
export function guestFlags(inv: Inventory, name: string): string[] {
    const g = inv.guests[name];
    const flags: string[] = [];
    if (g.gateway) flags.push("router");
    if (g.tags.includes(REVERSE_PROXY_TAG)) flags.push("reverse proxy");
    if (g.kind === "lxc" && g.docker) flags.push("docker");
    if (g.kind === "lxc" && g.privileged) flags.push("privileged");
    if (g.template) flags.push("template");
    if (g.clone) flags.push(`${g.clone.full ? "full" : "linked"} clone of ${g.clone.from}`);
    const ha = haGroupOf(inv, name);
    if (ha) flags.push(`HA ${ha}`);
    return flags;
}

/** A guest's backup tier, or undefined when it (or a dataset) is excluded with a reason. */
export const backupTier = (entity: GuestSpec | DatasetEntry): string | undefined =>
    "tier" in entity.backup ? entity.backup.tier : undefined;

/** `every day`, `every sun`, `every month on day 1`. */
export function cadenceText(t: TierSpec): string {
    return t.every === "day" ? "every day" : t.every === "week" ? `every ${t.weekday}` : `every month on day ${t.dayOfMonth}`;
}

/** `keep 7 daily, 4 weekly, 6 monthly`. */
export function retentionText(r: RetentionSpec): string {
    const parts = [
        r.keepLast ? `${r.keepLast} last` : "",
        r.keepHourly ? `${r.keepHourly} hourly` : "",
        r.keepDaily ? `${r.keepDaily} daily` : "",
        r.keepWeekly ? `${r.keepWeekly} weekly` : "",
        r.keepMonthly ? `${r.keepMonthly} monthly` : "",
        r.keepYearly ? `${r.keepYearly} yearly` : "",
    ].filter((p) => p !== "");
    return parts.length > 0 ? `keep ${parts.join(", ")}` : "keep all";
}

/** A backup tier's members: guests and datasets, each in name order. */
export interface TierMembers {
    readonly guests: string[];
    readonly datasets: string[];
}

/** The tiers in their order (most frequent first, as the jobs take the window's slots) with their members. */
export function tiersWithMembers(inv: Inventory): { tier: string; spec: TierSpec; members: TierMembers }[] {
    if (!inv.backups) return [];
    const tiers = inv.backups.tiers;
    return tierOrder(tiers).map((tier) => ({
        tier,
        spec: tiers[tier],
        members: {
            guests: sortedKeys(inv.guests).filter((g) => backupTier(inv.guests[g]) === tier),
            datasets: sortedKeys(inv.datasets).filter((d) => backupTier(inv.datasets[d]) === tier),
        },
    }));
}

/** Guests and datasets left out of the backups (each has its reason in the inventory). */
export function excludedFromBackups(inv: Inventory): TierMembers {
    return {
        guests: sortedKeys(inv.guests).filter((g) => backupTier(inv.guests[g]) === undefined),
        datasets: sortedKeys(inv.datasets).filter((d) => backupTier(inv.datasets[d]) === undefined),
    };
}

/** Nodes that have a storage (its `nodes`, else every node). */
export function storageNodes(inv: Inventory, id: string): string[] {
    return [...(inv.storages[id].nodes ?? sortedKeys(inv.nodes))].sort(byString);
}

/** What a storage is: `zfspool rpool/data`, `nfs 192.168.10.12:/tank/shared`, `PBS datastore tank on guest pbs`. */
export function storageText(inv: Inventory, id: string): string {
    const s = inv.storages[id];
    switch (s.kind) {
        case "dir":
            return `directory ${s.path}`;
        case "lvm":
            return `LVM ${s.volumeGroup}`;
        case "lvmthin":
            return `LVM-thin ${s.volumeGroup}/${s.thinPool}`;
        case "zfspool":
            return `zfspool ${s.pool}`;
        case "nfs":
            return `NFS ${s.server}:${s.export}`;
        case "cifs":
            return `CIFS //${s.server}/${s.share}`;
        case "pbs":
            return s.guest !== undefined
                ? `PBS datastore ${s.datastore} on guest ${s.guest}`
                : `PBS datastore ${s.datastore} at ${s.server}`;
        case "rbd":
            return `Ceph RBD pool ${s.pool}`;
        case "cephfs":
            return "CephFS";
    }
}

/** The lines of the backup target's box: what it is, where it runs, where its data lives. */
export function backupTargetLines(inv: Inventory): string[] {
    if (!inv.backups) return [];
    const id = inv.backups.target;
    const s = inv.storages[id];
    if (s === undefined) return [`storage ${id}`];
    if (s.kind !== "pbs") return [`storage ${id}`, storageText(inv, id), `on ${storageNodes(inv, id).join(", ")}`];
    const lines = [`Proxmox Backup Server`, `storage ${id} · datastore ${s.datastore}`];
    if (s.guest !== undefined) {
        const host = inv.guests[s.guest];
        lines.push(`on guest ${s.guest}${host ? ` (${host.node})` : ""}`);
        if (s.nfs) lines.push(`datastore on NFS ${s.nfs.server}:${s.nfs.export}`);
    } else lines.push(`at ${s.server} (run elsewhere)`);
    return lines;
}

/** Whether the offsite bucket receives the backup target's datastore (a PBS sync job). */
export function offsiteFromTarget(inv: Inventory): boolean {
    const target = inv.backups ? inv.storages[inv.backups.target] : undefined;
    return inv.offsite !== undefined && inv.offsite.servesPbs && target?.kind === "pbs";
}

/** A public record: its full name and type, then what else there is to say (proxied, UDP, its purpose). */
export function recordText(inv: Inventory, key: string): { name: string; details: string[] } {
    const dns = inv.dns!;
    const r = dns.records[key];
    return {
        name: `${fullRecordName(r.name, dns.zone)} · ${r.type}`,
        details: [r.proxied ? "proxied" : "", r.protocol === "udp" ? "udp" : "", r.purpose ?? ""].filter((d) => d !== ""),
    };
}

/** An NFS client of a dataset: the raw client, its access, and the nodes and guests whose address it covers. */
export interface NfsReach {
    readonly client: string;
    readonly access?: "rw" | "ro";
    readonly nodes: string[];
    readonly guests: string[];
}

/** Who mounts a dataset over NFS (its `sharenfs` clients, resolved to nodes and guests by address). */
export function nfsReach(inv: Inventory, ds: DatasetEntry): NfsReach[] {
    const sharenfs = ds.properties.sharenfs;
    if (sharenfs === undefined) return [];
    const exp = parseSharenfs(sharenfs);
    if (exp.off) return [];
    return exp.clients.map((c) => {
        const inside = (address: string | undefined): boolean => {
            const ip = address === undefined ? undefined : parseIpv4(address);
            return c.everyone || (ip !== undefined && c.range !== undefined && ip >= c.range[0] && ip <= c.range[1]);
        };
        return {
            client: c.raw.startsWith("@") ? c.raw.slice(1) : c.raw,
            access: c.access,
            nodes: sortedKeys(inv.nodes).filter((n) => inside(inv.nodes[n].address)),
            guests: sortedKeys(inv.guests).filter((g) => inside(inv.guests[g].ipv4)),
        };
    });
}

/** A dataset's host path and the properties worth showing: `quota 4T · recordsize 1M · NFS`. */
export function datasetDetails(path: string, ds: DatasetEntry): string[] {
    const p = ds.properties;
    const details: string[] = [];
    if (p.mountpoint !== undefined) details.push(`at ${datasetMountpoint(path, p.mountpoint)}`);
    if (p.quota) details.push(`quota ${p.quota}`);
    if (p.recordsize) details.push(`recordsize ${p.recordsize}`);
    if (p.sharenfs && p.sharenfs !== "off") details.push("NFS export");
    return details;
}

/** `keepalived · VIP 10.0.20.53 · VRRP 53` or `Proxmox HA · pve1 › pve2 › pve3`. */
export function haText(ha: HaGroupSpec): string[] {
    return ha.kind === "keepalived"
        ? ["keepalived", `VIP ${ha.vip} · VRRP ${ha.vrrpId}`]
        : ["Proxmox HA", ha.nodes ? `nodes ${ha.nodes.join(" › ")}` : "any node"];
}
