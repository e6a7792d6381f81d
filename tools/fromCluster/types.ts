/**
 * What the cluster reader keeps: the answers of the Proxmox API (only the fields the reader and
 * the adoption view use, in the shape the API returns them) and what SSH read of ZFS, as one JSON
 * snapshot written next to the stack file. The inventory is made from it (tools/fromCluster/
 * inventory.ts); the adoption view compares the program's imports against it (tools/change/
 * adoption.ts). Where each shape comes from is listed in test/tools/fromCluster/fixtures/README.md.
 */

/** `GET /version` (pve-manager `PVE/API2.pm` version). */
export interface VersionInfo {
    readonly version: string;
    readonly release?: string;
}

/** An entry of `GET /cluster/status` (pve-manager `PVE/API2/Cluster.pm` get_status). */
export interface ClusterStatusEntry {
    readonly type: "cluster" | "node";
    readonly name: string;
    readonly ip?: string;
    readonly online?: number;
    readonly nodes?: number;
}

/** `GET /nodes/{node}/status` (pve-manager `PVE/API2/Nodes.pm` status): what the reader uses. */
export interface NodeStatus {
    readonly cpuinfo?: { readonly cpus?: number; readonly sockets?: number; readonly cores?: number; readonly model?: string };
    readonly memory?: { readonly total?: number };
    readonly pveversion?: string;
}

/** An interface of `GET /nodes/{node}/network` (pve-manager `PVE/API2/Network.pm` index). */
export interface NetworkInterface {
    readonly iface: string;
    readonly type: string;
    readonly address?: string;
    readonly netmask?: string;
    readonly cidr?: string;
    readonly gateway?: string;
    readonly bridge_ports?: string;
    readonly bridge_vlan_aware?: number;
    readonly "bridge-vids"?: string;
    readonly autostart?: number;
    readonly comments?: string;
    readonly mtu?: number | string;
}

/** `GET /nodes/{node}/dns` (pve-manager `PVE/API2/Nodes.pm` dns). */
export interface NodeDns {
    readonly search?: string;
    readonly dns1?: string;
    readonly dns2?: string;
    readonly dns3?: string;
}

/** A storage of `GET /storage` (pve-storage `PVE/API2/Storage/Config.pm` index; keys of `PVE/Storage/*Plugin.pm`). */
export interface StorageEntry {
    readonly storage: string;
    readonly type: string;
    readonly content?: string;
    readonly nodes?: string;
    readonly path?: string;
    readonly pool?: string;
    readonly vgname?: string;
    readonly thinpool?: string;
    readonly server?: string;
    readonly export?: string;
    readonly share?: string;
    readonly username?: string;
    readonly domain?: string;
    readonly datastore?: string;
    readonly fingerprint?: string;
    readonly sparse?: number;
    readonly disable?: number;
}

/** A guest of `GET /cluster/resources?type=vm` (pve-manager `PVE/API2/Cluster.pm` resources). */
export interface ClusterResource {
    readonly id: string;
    readonly type: "lxc" | "qemu";
    readonly vmid: number;
    readonly node: string;
    readonly name?: string;
    readonly status?: string;
    readonly template?: number;
    /** The resource pool the guest is in, if any. */
    readonly pool?: string;
}

/**
 * A guest config (`GET /nodes/{node}/lxc/{vmid}/config`, pve-container `API2/LXC/Config.pm`;
 * `GET /nodes/{node}/qemu/{vmid}/config`, qemu-server `API2/Qemu.pm` vm_config): the file's keys,
 * values as strings or numbers; a container's raw `lxc.*` keys as `[key, value]` pairs.
 */
export type GuestConfig = Readonly<Record<string, string | number | undefined>> & {
    readonly lxc?: readonly (readonly [string, string])[];
};

/** `GET .../firewall/options` of a guest, node or the datacenter (pve-firewall `API2/Firewall/*.pm`). */
export type FirewallOptions = Readonly<Record<string, string | number | undefined>>;

/** A rule of `GET .../firewall/rules` (pve-firewall `API2/Firewall/Rules.pm`). */
export interface FirewallRule {
    readonly pos: number;
    readonly type: string;
    readonly action: string;
    readonly enable?: number;
    readonly proto?: string;
    readonly dport?: string;
    readonly sport?: string;
    readonly source?: string;
    readonly dest?: string;
    readonly macro?: string;
    readonly iface?: string;
    readonly log?: string;
    readonly comment?: string;
}

/** An ipset of `GET .../firewall/ipset` (pve-firewall `API2/Firewall/IPSet.pm`). */
export interface IpsetEntry {
    readonly name: string;
    readonly comment?: string;
}

/** A job of `GET /cluster/backup` (pve-manager `PVE/API2/Backup.pm`; keys of pve-guest-common `VZDump/Common.pm`). */
export interface BackupJob {
    readonly id: string;
    readonly type?: string;
    readonly schedule?: string;
    readonly storage?: string;
    readonly vmid?: string;
    readonly all?: number;
    readonly exclude?: string;
    readonly node?: string;
    readonly enabled?: number;
    readonly mode?: string;
    readonly bwlimit?: number;
    readonly "prune-backups"?: string | Readonly<Record<string, string | number>>;
    readonly pool?: string;
}

/** A mapping of `GET /cluster/mapping/pci` or `/usb` (pve-manager `PVE/API2/Cluster/Mapping/PCI.pm`, `USB.pm`). */
export interface HardwareMapping {
    readonly id: string;
    readonly description?: string;
    /** One property string per node: `node=pve1,path=0000:01:00.0,id=8086:125c,...`. */
    readonly map: readonly string[];
}

/** An HA resource of `GET /cluster/ha/resources` (pve-ha-manager `API2/HA/Resources.pm`). */
export interface HaResource {
    readonly sid: string;
    readonly state?: string;
    readonly group?: string;
}

/** A job of `GET /cluster/replication` (pve-manager `PVE/API2/ReplicationConfig.pm`). */
export interface ReplicationJob {
    readonly id: string;
    readonly guest: number;
    readonly target: string;
    readonly schedule?: string;
    readonly rate?: number;
}

/** One ZFS dataset as `zfs get -Hp` reported it over SSH: its managed properties with their sources. */
export interface ZfsDatasetRead {
    readonly name: string;
    readonly type: string;
    readonly properties: Readonly<Record<string, { readonly value: string; readonly source: string }>>;
}

/** What SSH read on a node. */
export interface NodeSshRead {
    /** `/etc/ssh/ssh_host_ed25519_key.pub`, read over the connection that checked that key. */
    readonly hostKey?: string;
    readonly pools?: readonly string[];
    readonly datasets?: readonly ZfsDatasetRead[];
    /** The QDevice's address in corosync.conf, when there is one. */
    readonly qdevice?: string;
    /** Owner and mode of the data datasets' mountpoints (`stat`), by path. */
    readonly owners?: Readonly<Record<string, { readonly uid: number; readonly gid: number; readonly mode: string }>>;
}

/** An interface the QEMU guest agent reports (`GET .../agent/network-get-interfaces`, qemu-server `API2/Qemu/Agent.pm`). */
export interface AgentInterface {
    readonly name: string;
    readonly "hardware-address"?: string;
    readonly "ip-addresses"?: readonly { readonly "ip-address-type": string; readonly "ip-address": string; readonly prefix: number }[];
}

/** A guest with everything read about it. */
export interface GuestRead {
    readonly resource: ClusterResource;
    readonly config?: GuestConfig;
    /** A running VM's interfaces as its guest agent reports them (its address is in no config without cloud-init). */
    readonly agentInterfaces?: readonly AgentInterface[];
    readonly firewall?: {
        readonly options?: FirewallOptions;
        readonly rules?: readonly FirewallRule[];
        readonly ipsets?: readonly IpsetEntry[];
    };
}

/** A node with everything read about it. */
export interface NodeRead {
    readonly name: string;
    readonly status?: NodeStatus;
    readonly network?: readonly NetworkInterface[];
    readonly dns?: NodeDns;
    readonly timezone?: string;
    readonly firewall?: FirewallOptions;
    readonly ssh?: NodeSshRead;
}

/** A call that failed: the endpoint and the message (with the privilege to grant for a 403). */
export interface ReadError {
    readonly call: string;
    readonly message: string;
}

/** The whole snapshot, as written to `Pulumi.<stack>.cluster.json`. */
export interface ClusterSnapshot {
    /** The snapshot's format version. */
    readonly format: 1;
    readonly endpoint: string;
    /** ISO time the read finished. */
    readonly readAt: string;
    readonly version?: VersionInfo;
    readonly clusterName?: string;
    readonly clusterNodes?: readonly ClusterStatusEntry[];
    readonly nodes: Readonly<Record<string, NodeRead>>;
    readonly storages?: readonly StorageEntry[];
    /** By VMID. */
    readonly guests: Readonly<Record<string, GuestRead>>;
    readonly backupJobs?: readonly BackupJob[];
    readonly mappings: { readonly pci?: readonly HardwareMapping[]; readonly usb?: readonly HardwareMapping[] };
    readonly ha?: readonly HaResource[];
    readonly replication?: readonly ReplicationJob[];
    readonly clusterFirewall?: { readonly options?: FirewallOptions; readonly rules?: readonly FirewallRule[] };
    readonly errors: readonly ReadError[];
}

/** Config keys never kept in a snapshot: secrets (a cloud-init password hash). */
export const SECRET_CONFIG_KEYS = ["cipassword"] as const;
