/**
 * The adoption view's look at what the first `up` does besides its imports: the node-side commands
 * (a dataset's convergence, a container's bind mounts and keys, a node's preparation), judged
 * against the snapshot as their scripts would judge the node; and the resources it creates, checked
 * for an object of the same identity on the cluster (a create that fails, or writes over settings).
 */
import { Inventory } from "../../config/schema";
import { datasetMountpoint } from "../../lib/datasets";
import { hostIds } from "../../lib/idmap";
import { ContainerMount, mountValue } from "../../lib/containerHost";
import { indexedKeys, parsePropertyString } from "../../lib/pveConfig";
import { bindMountsByGuest } from "../../lib/privilege";
import { NON_INHERITABLE_PROPERTIES, expectedValue } from "../../lib/zfs";
import { MANAGED_PROPERTIES, ZfsProperties } from "../../lib/zfsValues";
import { ClusterSnapshot } from "../fromCluster/types";
import { RecordedResource } from "../runtime/recorder";

/** What one node-side command would do on the node the snapshot describes. */
export interface AdoptionCommand {
    /** `dataset tank/media`, `container media`, `node pve1`. */
    readonly subject: string;
    /** `no change`; `changes` to what exists; `new` (creates what does not exist yet); `unverified`. */
    readonly status: "no change" | "changes" | "new" | "unverified";
    readonly actions: readonly string[];
}

/**
 * The actions of the dataset convergence script (lib/zfs.ts `convergeScript`) on a dataset whose
 * `zfs get -Hp` the snapshot holds: a property set unless it already has the value with source
 * `local`; a managed property left out of the inventory but set locally reset; owner and mode applied
 * when they differ. test/integration/from-cluster-zfs.test.ts holds this against the script on real ZFS.
 */
export function datasetActions(
    properties: ZfsProperties,
    read: Readonly<Record<string, { readonly value: string; readonly source: string }>>,
    owner?: { readonly want: { uid: number; gid: number; mode: string }; readonly has?: { uid: number; gid: number; mode: string } },
): { actions: string[]; unverified: string[] } {
    const actions: string[] = [];
    const unverified: string[] = [];
    for (const p of MANAGED_PROPERTIES) {
        const value = properties[p];
        const got = read[p];
        if (value !== undefined) {
            if (got === undefined) unverified.push(`${p} (this ZFS does not report it)`);
            else if (got.value !== expectedValue(p, value) || got.source !== "local") actions.push(`zfs set ${p}=${value}`);
        } else if (got?.source === "local")
            actions.push((NON_INHERITABLE_PROPERTIES as readonly string[]).includes(p) ? `zfs set ${p}=none` : `zfs inherit ${p}`);
    }
    if (owner !== undefined) {
        if (owner.has === undefined) unverified.push("the mountpoint's owner (not read)");
        else {
            if (owner.has.uid !== owner.want.uid || owner.has.gid !== owner.want.gid)
                actions.push(`chown ${owner.want.uid}:${owner.want.gid}`);
            if (Number.parseInt(owner.has.mode, 8) !== Number.parseInt(owner.want.mode, 8)) actions.push(`chmod ${owner.want.mode}`);
        }
    }
    return { actions, unverified };
}

/** Whether a host path lies under one of the managed roots. */
function underRoot(path: string, roots: readonly string[]): boolean {
    return roots.some((r) => path === r || path.startsWith(r.endsWith("/") ? r : `${r}/`));
}

/**
 * The actions of a container's node-side script (lib/containerHost.ts): managed bind mounts (under
 * the managed roots) rewritten, removed or added; root's key block written when there are keys.
 */
export function containerActions(
    mpValues: readonly string[],
    wanted: readonly ContainerMount[],
    roots: readonly string[],
    keys: number,
): string[] {
    const want = wanted.map((m) => mountValue(m));
    const pathOf = (v: string) => parsePropertyString(v, "host").mp;
    const actions: string[] = [];
    const managed = mpValues.filter((v) => {
        const host = parsePropertyString(v, "host").host ?? "";
        return host.startsWith("/") && underRoot(host, roots);
    });
    for (const v of managed)
        if (!want.includes(v)) {
            const replacement = want.find((w) => pathOf(w) === pathOf(v));
            actions.push(
                replacement
                    ? `rewrite "${v}" as "${replacement}" (at the next restart)`
                    : `remove the bind mount "${v}" (at the next stop)`,
            );
        }
    for (const w of want)
        if (!mpValues.includes(w) && !managed.some((v) => pathOf(v) === pathOf(w))) actions.push(`add the bind mount "${w}"`);
    if (keys > 0) actions.push(`write root's managed block of ${keys} SSH key(s)`);
    return actions;
}

/** Every node-side command of the inventory, judged against the snapshot. */
export function nodeCommands(inv: Inventory, snapshot: ClusterSnapshot): AdoptionCommand[] {
    const out: AdoptionCommand[] = [];
    for (const [path, ds] of Object.entries(inv.datasets)) {
        const ssh = snapshot.nodes[ds.node]?.ssh;
        const read = ssh?.datasets?.find((d) => d.name === path);
        if (ssh?.datasets === undefined) {
            out.push({ subject: `dataset ${path}`, status: "unverified", actions: [`ZFS of node ${ds.node} was not read`] });
            continue;
        }
        if (read === undefined) {
            out.push({ subject: `dataset ${path}`, status: "new", actions: ["zfs create (it does not exist)"] });
            continue;
        }
        const mountpoint = read.properties.mountpoint?.value ?? datasetMountpoint(path, ds.properties.mountpoint);
        const container = ds.owner ? inv.guests[ds.owner.container] : undefined;
        const owner =
            ds.owner && container?.kind === "lxc"
                ? { want: { ...hostIds(ds.owner, container), mode: ds.owner.mode }, has: ssh.owners?.[mountpoint] }
                : undefined;
        const { actions, unverified } = datasetActions(ds.properties, read.properties, owner);
        out.push({
            subject: `dataset ${path}`,
            status: actions.length > 0 ? "changes" : unverified.length > 0 ? "unverified" : "no change",
            actions: [...actions, ...unverified.map((u) => `not verified: ${u}`)],
        });
    }
    const mounts = bindMountsByGuest(inv);
    for (const [name, g] of Object.entries(inv.guests)) {
        if (g.kind !== "lxc") continue;
        const read = snapshot.guests[String(g.vmid)];
        if (read?.config === undefined) {
            out.push({
                subject: `container ${name}`,
                status: "new",
                actions: ["bind mounts and keys of a container that is not on the cluster yet"],
            });
            continue;
        }
        const mp = indexedKeys(read.config, "mp").map((k) => String(read.config![k]));
        const keys = g.template ? 0 : inv.cluster.sshPublicKeys.length;
        const actions = containerActions(mp, mounts.get(name) ?? [], inv.cluster.managedRoots, keys);
        out.push({ subject: `container ${name}`, status: actions.length > 0 ? "changes" : "no change", actions });
    }
    for (const [node] of Object.entries(inv.nodes)) {
        const exports = Object.values(inv.datasets).some(
            (d) => d.node === node && d.properties.sharenfs !== undefined && d.properties.sharenfs !== "off",
        );
        const usb = Object.values(inv.mappings.usb).some((m) => m.map.some((e) => e.node === node));
        const actions = [
            ...(exports ? ["install and start nfs-kernel-server when missing (not read)"] : []),
            ...(usb ? ["write the udev rules of the USB mappings when they differ (not read)"] : []),
        ];
        out.push({ subject: `node ${node}`, status: actions.length > 0 ? "unverified" : "no change", actions });
    }
    return out;
}

/** A resource the first up creates, and whether the cluster has one of the same identity. */
export interface AdoptionCreate {
    readonly type: string;
    readonly name: string;
    /** `new`: nothing of that identity on the cluster; `exists`: the create fails or writes over it; `not checked`. */
    readonly status: "new" | "exists" | "not checked";
    readonly detail: string;
}

const short = (type: string) => type.split(":").pop() ?? type;

/** The identity check of one created custom resource against the snapshot. */
export function createCheck(r: RecordedResource, snapshot: ClusterSnapshot): AdoptionCreate | undefined {
    const i = r.inputs;
    const at = (status: AdoptionCreate["status"], detail: string): AdoptionCreate => ({
        type: short(r.type),
        name: r.name,
        status,
        detail,
    });
    const guestId = (i.containerId ?? i.vmId) as number | undefined;
    const guest = guestId !== undefined ? snapshot.guests[String(guestId)] : undefined;
    switch (r.type) {
        case "proxmoxve:index/containerLegacy:ContainerLegacy":
        case "proxmoxve:index/vmLegacy:VmLegacy":
            return guest
                ? at(
                      "exists",
                      `VMID ${guestId} is taken on the cluster (${guest.resource.name ?? "?"}): mark the guest adopt, or give it another VMID`,
                  )
                : at("new", `VMID ${guestId}`);
        case "proxmoxve:firewall/ipsetLegacy:IpsetLegacy":
            if (guest?.firewall?.ipsets === undefined) return at("not checked", `ipset ${String(i.name)} of ${guestId}`);
            return guest.firewall.ipsets.some((s) => s.name === i.name)
                ? at(
                      "exists",
                      `guest ${guestId} has an ipset ${String(i.name)}: creating it fails; delete it on the cluster first (the program writes the guest's address into its own)`,
                  )
                : at("new", `ipset ${String(i.name)} of guest ${guestId}`);
        case "proxmoxve:firewall/optionsLegacy:OptionsLegacy":
            return guest
                ? at("exists", `writes over the firewall options of guest ${guestId}: adopt the guest so they are imported`)
                : at("new", `options of ${guestId}`);
        case "proxmoxve:firewall/rulesLegacy:RulesLegacy":
            if (guestId === undefined)
                return (snapshot.clusterFirewall?.rules?.length ?? 0) > 0
                    ? at("exists", "the datacenter has firewall rules: creating them fails (P33); set cluster.adopt")
                    : at("new", "the datacenter's rules");
            return (guest?.firewall?.rules?.length ?? 0) > 0
                ? at("exists", `guest ${guestId} has firewall rules: creating them fails (P33); adopt the guest`)
                : at("new", `rules of ${guestId}`);
        case "proxmoxve:cluster/firewallLegacy:FirewallLegacy":
            return snapshot.clusterFirewall?.options
                ? at("exists", "writes over the datacenter firewall options: set cluster.adopt so they are imported")
                : at("not checked", "the datacenter options");
        case "proxmoxve:node/firewall:Firewall":
            return snapshot.nodes[String(i.nodeName)]?.firewall
                ? at("exists", `writes over the host firewall of ${String(i.nodeName)}: keep the node adopted so it is imported`)
                : at("not checked", String(i.nodeName));
        case "proxmoxve:hardware/mapping/pci:Pci":
        case "proxmoxve:hardware/mapping/usb:Usb": {
            const list = r.type.includes("pci") ? snapshot.mappings.pci : snapshot.mappings.usb;
            return list?.some((m) => m.id === i.name)
                ? at("exists", `mapping ${String(i.name)} exists: mark it adopt`)
                : at(list ? "new" : "not checked", `mapping ${String(i.name)}`);
        }
        case "proxmoxve:backup/job:Job":
            return snapshot.backupJobs?.some((j) => j.id === i.resourceId)
                ? at("exists", `backup job ${String(i.resourceId)} exists: creating it fails`)
                : at(
                      "new",
                      `backup job ${String(i.resourceId)}${(snapshot.backupJobs?.length ?? 0) > 0 ? " (the cluster's own jobs keep running: remove them once this one runs)" : ""}`,
                  );
        case "proxmoxve:index/haresource:Haresource":
            return snapshot.ha?.some((h) => h.sid === i.resourceId)
                ? at("exists", `HA resource ${String(i.resourceId)} exists: creating it fails`)
                : at("new", `HA resource ${String(i.resourceId)}`);
        case "proxmoxve:index/replication:Replication":
            return snapshot.replication?.some((j) => j.id === i.resourceId)
                ? at("exists", `replication job ${String(i.resourceId)} exists: creating it fails`)
                : at("new", `replication job ${String(i.resourceId)}`);
    }
    if (r.type.startsWith("proxmoxve:storage/"))
        return snapshot.storages?.some((s) => s.storage === i.resourceId)
            ? at("exists", `storage ${String(i.resourceId)} exists: declare it managed: false`)
            : at("new", `storage ${String(i.resourceId)}`);
    if (r.type.startsWith("proxmoxve:") && !r.type.startsWith("pulumi:"))
        return at("not checked", "the snapshot does not hold this kind of object");
    return undefined;
}
