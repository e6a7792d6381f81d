/**
 * What the program manages through its API token, read from the inventory the way the components
 * read it: one use per Proxmox resource the token creates, with the nodes, storages, VMIDs,
 * bridges and VLANs and mappings it touches. The privilege table (lib/privileges.ts) turns these
 * into the role and the ACLs (lib/grants.ts).
 *
 * It mirrors the components' choices by calling their own helpers (downloads, backup jobs, HA
 * membership, generated firewall rules, the native VLAN, the snippets storage, the root@pam
 * routing); test/program/privileges.test.ts records the program and checks that what it
 * registers through the token needs exactly what these uses need.
 */
import { Inventory, StorageKind } from "../config/schema";
import { HERE, ResourceUse, Slot, Trait } from "../lib/grants";
import { containerFeatures, rootReasons } from "../lib/privilege";
import { resolveBackupPlan, tierStorageIds } from "./backupPlan";
import { adminSources } from "./cluster";
import { generatedRules } from "./guestFirewall";
import { nicVlanId } from "./guestShared";
import { planDownloads } from "./images";
import { haMembership, snippetsStorageOf } from "./proxmox";
import { networkOfAddress } from "./proxmoxNode";
import { agentEnabled, bootMediaOf } from "./vmGuest";

/** The resource types of the uses (the installed SDK's type tokens). */
const TYPES = {
    clusterFirewall: "proxmoxve:cluster/firewallLegacy:FirewallLegacy",
    rules: "proxmoxve:firewall/rulesLegacy:RulesLegacy",
    ipset: "proxmoxve:firewall/ipsetLegacy:IpsetLegacy",
    options: "proxmoxve:firewall/optionsLegacy:OptionsLegacy",
    nodeFirewall: "proxmoxve:node/firewall:Firewall",
    bridge: "proxmoxve:network/linux/bridge:Bridge",
    pci: "proxmoxve:hardware/mapping/pci:Pci",
    usb: "proxmoxve:hardware/mapping/usb:Usb",
    download: "proxmoxve:download/file:File",
    snippet: "proxmoxve:index/fileLegacy:FileLegacy",
    container: "proxmoxve:index/containerLegacy:ContainerLegacy",
    vm: "proxmoxve:index/vmLegacy:VmLegacy",
    haResource: "proxmoxve:index/haresource:Haresource",
    haRule: "proxmoxve:index/harule:Harule",
    haGroup: "proxmoxve:index/hagroup:Hagroup",
    replication: "proxmoxve:index/replication:Replication",
    backupJob: "proxmoxve:backup/job:Job",
    pbs: "proxmoxve:storage/pbs:Pbs",
    cephPool: "proxmoxve:ceph/pool:Pool",
} as const;

/** The storage definition type of each kind the Storages component creates. */
const STORAGE_TYPES: Readonly<Partial<Record<StorageKind, string>>> = {
    zfspool: "proxmoxve:storage/zfspool:Zfspool",
    lvm: "proxmoxve:storage/lvm:Lvm",
    lvmthin: "proxmoxve:storage/lvmthin:Lvmthin",
    nfs: "proxmoxve:storage/nfs:Nfs",
    cifs: "proxmoxve:storage/cifs:Cifs",
    dir: "proxmoxve:storage/directory:Directory",
};

/** Slot ids with empty lists left out (a need on an absent slot does not apply). */
function at(slots: Partial<Record<Slot, readonly (string | number)[] | undefined>>): ResourceUse["at"] {
    return Object.fromEntries(
        Object.entries(slots).flatMap(([slot, ids]) =>
            ids !== undefined && ids.length > 0 ? [[slot, [...new Set(ids.map(String))]]] : [],
        ),
    );
}

/** The storage id of a volume id (`local:iso/x.iso` → `local`); `none` and paths have none. */
function volumeStorage(volume: string | undefined): string[] {
    if (volume === undefined || volume === "none" || !volume.includes(":")) return [];
    return [volume.slice(0, volume.indexOf(":"))];
}

/** The guest resource itself, when it goes through the token (components/lxcGuest.ts, vmGuest.ts). */
function guestResourceUse(inv: Inventory, name: string): ResourceUse {
    const spec = inv.guests[name];
    const node = inv.nodes[spec.node];
    const nativeVlan = networkOfAddress(Object.values(inv.networks), node.address)?.vlan;
    const bridge = node.bridge.name;
    const tag = nicVlanId(inv.networks[spec.network], nativeVlan);
    // The SDN path of the guest's own NIC: the bridge, with its VLAN when tagged.
    const ownVnet = tag === undefined ? bridge : `${bridge}/${tag}`;
    const cloneSource = spec.clone ? [inv.guests[spec.clone.from].vmid] : undefined;
    const image = spec.image !== undefined && !spec.adopt ? inv.images[spec.image] : undefined;
    const entity = `guests.${name}`;
    if (spec.kind === "lxc") {
        const features = containerFeatures(spec);
        const traits: Trait[] = [];
        if (spec.privileged !== undefined) traits.push("privileged");
        if (features !== undefined && features.keyctl === undefined) traits.push("nesting");
        return {
            type: TYPES.container,
            entity,
            at: at({
                datacenter: HERE,
                guest: [spec.vmid],
                diskStorage: [spec.disk.storage],
                imageStorage: image ? [image.storage] : undefined,
                vnet: [ownVnet],
                cloneSource,
            }),
            traits,
        };
    }
    const storages = spec.disks.flatMap((d) => ("storage" in d ? [d.storage] : []));
    // EFI vars and TPM state go to the system storage (the cloud-init drive too, which Proxmox does not check).
    const system = spec.systemStorage ?? storages[0];
    const media = spec.image !== undefined && image !== undefined ? bootMediaOf(spec.image, image, `${entity}.image`) : undefined;
    const allVlans = [...new Set(Object.values(inv.networks).flatMap((n) => (n.vlan === undefined ? [] : [n.vlan])))].sort((a, b) => a - b);
    const vnet = spec.gateway && allVlans.length > 0 ? allVlans.map((v) => `${bridge}/${v}`) : [ownVnet];
    const traits: Trait[] = [];
    if (agentEnabled(spec, image?.guestAgent ?? false)) traits.push("agent");
    if (spec.cloudInit !== undefined) traits.push("cloudInit");
    // The CD drive holds the installer image or the inventory's `cdrom` (a volume, or `none`).
    if (media === "cdrom" || spec.cdrom !== undefined) traits.push("cdrom");
    return {
        type: TYPES.vm,
        entity,
        at: at({
            datacenter: HERE,
            guest: [spec.vmid],
            diskStorage: [...storages, ...((spec.bios === "ovmf" || spec.tpm) && system !== undefined ? [system] : [])],
            imageStorage: [...(image !== undefined ? [image.storage] : []), ...volumeStorage(media === "cdrom" ? undefined : spec.cdrom)],
            vnet,
            pciMapping: spec.pciMappings.map((m) => m.mapping),
            usbMapping: spec.usbMappings.map((m) => m.mapping),
            cloneSource,
        }),
        traits,
    };
}

/** A guest's uses: the guest (unless it goes through root@pam), its firewall, HA, replication and user data. */
function guestUses(inv: Inventory, name: string, admin: readonly string[]): ResourceUse[] {
    const spec = inv.guests[name];
    const entity = `guests.${name}`;
    const guest = { guest: [String(spec.vmid)] };
    const uses: ResourceUse[] = [];
    if (rootReasons(spec).length === 0) uses.push(guestResourceUse(inv, name));
    if (spec.kind === "vm" && spec.cloudInit !== undefined) {
        const snippets = snippetsStorageOf(inv, spec.node);
        uses.push({ type: TYPES.snippet, entity, at: at({ snippetStorage: snippets !== undefined ? [snippets] : undefined }) });
    }
    // The firewall and HA always go through the token (components/guestShared.ts guestSideResources).
    uses.push({ type: TYPES.options, entity, at: guest });
    if (!spec.gateway && spec.ipv4 !== undefined) uses.push({ type: TYPES.ipset, entity, at: guest });
    const membership = haMembership(inv, name);
    const carriesKeys = spec.kind === "lxc" || spec.cloudInit !== undefined;
    const rules = [
        ...spec.firewall.rules,
        ...generatedRules({ sshPublicKeys: inv.cluster.sshPublicKeys, adminSources: [...admin], vrrp: membership.vrrp }, carriesKeys),
    ];
    if (rules.length > 0) uses.push({ type: TYPES.rules, entity, at: guest });
    if (membership.ha !== undefined) uses.push({ type: TYPES.haResource, entity, at: { datacenter: HERE } });
    for (const r of spec.replication)
        uses.push({ type: TYPES.replication, entity: `${entity}.replication.${r.node}`, at: { ...guest, storageConfig: HERE } });
    return uses;
}

/** Every Proxmox resource the program manages through its API token, as uses of the privilege table. */
export function automationUses(inv: Inventory): ResourceUse[] {
    const uses: ResourceUse[] = [];
    // The cluster (components/cluster.ts): the datacenter firewall, its rules, the hardware mappings.
    uses.push({ type: TYPES.clusterFirewall, entity: "cluster.firewall", at: { datacenter: HERE } });
    uses.push({ type: TYPES.rules, entity: "cluster.firewall", at: { datacenter: HERE } });
    for (const name of Object.keys(inv.mappings.pci))
        uses.push({ type: TYPES.pci, entity: `mappings.pci.${name}`, at: { pciMappings: HERE, pciMapping: [name] } });
    for (const name of Object.keys(inv.mappings.usb))
        uses.push({ type: TYPES.usb, entity: `mappings.usb.${name}`, at: { usbMappings: HERE, usbMapping: [name] } });
    // Each node (components/proxmoxNode.ts): its bridge and its host firewall.
    for (const node of Object.keys(inv.nodes)) {
        uses.push({ type: TYPES.bridge, entity: `nodes.${node}`, at: { node: [node] } });
        uses.push({ type: TYPES.nodeFirewall, entity: `nodes.${node}`, at: { node: [node] } });
    }
    // Storage definitions (components/storages.ts): managed ones, PBS excepted (the backup plan's);
    // a managed rbd storage is its Ceph pool, whose creation adds the storage.
    for (const [id, storage] of Object.entries(inv.storages)) {
        const type = STORAGE_TYPES[storage.kind];
        if (storage.managed && type !== undefined)
            uses.push({ type, entity: `storages.${id}`, at: { storageConfig: HERE, definedStorage: [id] } });
        if (storage.managed && storage.kind === "rbd")
            uses.push({ type: TYPES.cephPool, entity: `storages.${id}`, at: { datacenter: HERE, storageConfig: HERE } });
    }
    // Image downloads (components/images.ts).
    for (const d of planDownloads(inv))
        uses.push({
            type: TYPES.download,
            entity: `images.${d.image}`,
            at: { datacenter: HERE, downloadStorage: [inv.images[d.image].storage] },
        });
    const admin = adminSources(inv);
    for (const name of Object.keys(inv.guests)) uses.push(...guestUses(inv, name, admin));
    // HA placement (components/haGroup.ts): a rule on PVE 9, a group on PVE 8.
    for (const [group, ha] of Object.entries(inv.ha))
        if (ha.kind === "proxmox")
            uses.push({
                type: inv.cluster.pveVersion === 9 ? TYPES.haRule : TYPES.haGroup,
                entity: `ha.${group}`,
                at: { datacenter: HERE },
            });
    // Backups (components/backupPlan.ts): the PBS storage definition and the vzdump jobs.
    if (inv.backups) {
        const target = inv.backups.target;
        // One storage per tier on a PBS the program sets up (each tier's namespace), else the target.
        const ids = tierStorageIds(inv.backups, inv.storages[target]);
        if (inv.storages[target].kind === "pbs")
            for (const id of [...new Set(Object.values(ids))].sort())
                uses.push({ type: TYPES.pbs, entity: `storages.${id}`, at: { storageConfig: HERE, definedStorage: [id] } });
        const plan = resolveBackupPlan({ backups: inv.backups, guests: inv.guests, datasets: inv.datasets });
        for (const job of plan.jobs)
            if (job.kind === "vzdump")
                uses.push({ type: TYPES.backupJob, entity: `backups.${job.id}`, at: { datacenter: HERE, backupStorage: [ids[job.tier]] } });
    }
    return uses;
}
