/**
 * The Proxmox privileges the program's API token needs, per resource type the program registers:
 * the one table the automation role, its ACLs and the CI documentation are computed from
 * (lib/grants.ts). Each need names the API call, the privileges Proxmox checks for it, where it
 * checks them, and the upstream source of the check (repository, file, function) or the fact that
 * records it (docs/provider-behaviour.md). Where Proxmox accepts one of several privileges, the
 * weakest is listed (`Datastore.Audit` rather than `Datastore.AllocateSpace` to read an ISO).
 *
 * A resource type the program registers must have an entry (test/program/privileges.test.ts
 * records the program and checks every `proxmoxve:` type): a new kind of resource cannot reach a
 * real cluster with privileges nobody looked up.
 */
import type { PrivilegeNeed, TableEntry } from "./grants";

const FW = "pve-firewall src/PVE/Firewall.pm rules_modify_permissions, rules_audit_permissions";
const STORAGE_CONFIG = "pve-storage src/PVE/API2/Storage/Config.pm";
const QEMU = "qemu-server src/PVE/API2/Qemu.pm";
const LXC = "pve-container src/PVE/API2/LXC.pm";
const CT_PERM = "pve-container src/PVE/LXC.pm check_ct_modify_config_perm";
const VNET = "pve-guest-common src/PVE/GuestHelpers.pm check_vnet_access (fact P16)";
const HA = "pve-ha-manager src/PVE/API2/HA/Resources.pm, Rules.pm, Groups.pm";
const CEPH_POOL = "pve-manager PVE/API2/Ceph/Pool.pm";

/** Firewall rules and address sets: the datacenter's, a node's or a guest's, each with its own check. */
const FIREWALL_OBJECT: readonly PrivilegeNeed[] = [
    { privileges: ["Sys.Modify"], on: "datacenter", call: "write datacenter rules and sets", source: `${FW} ('cluster')` },
    { privileges: ["Sys.Audit"], on: "datacenter", call: "read datacenter rules and sets", source: `${FW} ('cluster')`, read: true },
    { privileges: ["Sys.Modify"], on: "node", call: "write node rules", source: `${FW} ('host')` },
    { privileges: ["Sys.Audit"], on: "node", call: "read node rules", source: `${FW} ('host')`, read: true },
    { privileges: ["VM.Config.Network"], on: "guest", call: "write guest rules and sets", source: `${FW} ('vm', 'ct')` },
    { privileges: ["VM.Audit"], on: "guest", call: "read guest rules and sets", source: `${FW} ('vm', 'ct')`, read: true },
];

/** A storage definition (storage.cfg): created, changed and removed on `/storage`, read on its own path. */
const STORAGE_DEFINITION: TableEntry = {
    needs: [
        {
            privileges: ["Datastore.Allocate"],
            on: "storageConfig",
            call: "POST /storage, PUT and DELETE /storage/{storage}",
            source: `${STORAGE_CONFIG} create, update, delete (fact P16)`,
        },
        {
            privileges: ["Datastore.Allocate"],
            on: "definedStorage",
            call: "GET /storage/{storage} (the provider reads the definition back)",
            source: `${STORAGE_CONFIG} read`,
            read: true,
        },
    ],
};

/** HA resources, rules and groups: all on `/`. */
const HA_OBJECT: TableEntry = {
    needs: [
        { privileges: ["Sys.Console"], on: "datacenter", call: "create, update, delete", source: HA },
        { privileges: ["Sys.Audit"], on: "datacenter", call: "read", source: HA, read: true },
    ],
};

/** A hardware mapping: created and removed on `/mapping/<kind>`, changed and read on its own path. */
function mappingEntry(kind: "pci" | "usb"): TableEntry {
    const source = `pve-manager PVE/API2/Cluster/Mapping/${kind.toUpperCase()}.pm`;
    const [all, one] = kind === "pci" ? (["pciMappings", "pciMapping"] as const) : (["usbMappings", "usbMapping"] as const);
    return {
        needs: [
            { privileges: ["Mapping.Modify"], on: all, call: "create, delete", source: `${source} create, delete (fact P5)` },
            { privileges: ["Mapping.Modify"], on: one, call: "update", source: `${source} update` },
            { privileges: ["Mapping.Audit"], on: one, call: "get", source: `${source} get`, read: true },
        ],
    };
}

/** What the program's own access resources are: managed through root@pam only. */
const ACCESS_OBJECT: TableEntry = {
    rootOnly:
        "the role, user, token and ACLs of the token are managed through root@pam: a token that could change them could grant itself anything (Sys.Modify on /access, Realm.AllocateUser, User.Modify, Permissions.Modify; pve-access-control src/PVE/API2/Role.pm, User.pm, ACL.pm)",
};

/** Guest needs both kinds share: identity, power, reads, disks, networks, clones. */
function guestNeeds(kind: "qemu" | "lxc"): PrivilegeNeed[] {
    const api = kind === "qemu" ? QEMU : LXC;
    const perKey = kind === "qemu" ? `${QEMU} $check_vm_modify_config_perm` : CT_PERM;
    return [
        {
            privileges: ["VM.Allocate"],
            on: "guest",
            call: "create, destroy, convert to a template",
            source: `${api} create_vm, destroy_vm, template`,
        },
        { privileges: ["VM.Audit"], on: "guest", call: "read the config and status", source: `${api} vm_config, vm_status`, read: true },
        {
            privileges: ["VM.PowerMgmt"],
            on: "guest",
            call: "start, shut down, stop, reboot",
            source: `${api} vm_start, vm_shutdown, vm_stop`,
        },
        {
            privileges: ["VM.Config.CPU", "VM.Config.Memory", "VM.Config.Disk", "VM.Config.Network", "VM.Config.Options"],
            on: "guest",
            call:
                kind === "qemu"
                    ? "cores, cpu, cpuunits; memory, balloon; boot order, disk resize; net0; name, description, tags, onboot, startup, protection, agent, bios, ostype"
                    : "cores, cpuunits; memory, swap; rootfs; net0, hostname, nameserver, searchdomain; description, tags, onboot, startup, protection, ostype",
            source: perKey,
        },
        {
            privileges: ["Datastore.AllocateSpace"],
            on: "diskStorage",
            call: kind === "qemu" ? "new disks, EFI and TPM volumes, the clone target" : "the root disk, the clone target",
            source: kind === "qemu" ? `${QEMU} $check_storage_access, $check_storage_access_clone` : `${LXC} create_vm; ${CT_PERM}`,
        },
        {
            privileges: ["Datastore.Audit"],
            on: "imageStorage",
            call: kind === "qemu" ? "an ISO in the CD drive, the disk image imported from" : "the OS template",
            source: "pve-storage src/PVE/Storage.pm check_volume_access (iso, vztmpl, import: Datastore.Audit or AllocateSpace)",
        },
        { privileges: ["SDN.Use"], on: "vnet", call: "a NIC on the bridge, tagged or trunked", source: VNET },
        { privileges: ["VM.Clone"], on: "cloneSource", call: "clone the template", source: `${api} clone_vm` },
    ];
}

/** The table: every Proxmox resource type the program registers. */
export const PRIVILEGE_TABLE: Readonly<Record<string, TableEntry>> = {
    "proxmoxve:cluster/firewallLegacy:FirewallLegacy": {
        needs: [
            {
                privileges: ["Sys.Modify"],
                on: "datacenter",
                call: "PUT /cluster/firewall/options",
                source: "pve-firewall src/PVE/API2/Firewall/Cluster.pm set_options (fact P24)",
            },
            {
                privileges: ["Sys.Audit"],
                on: "datacenter",
                call: "GET /cluster/firewall/options",
                source: "pve-firewall src/PVE/API2/Firewall/Cluster.pm get_options",
                read: true,
            },
        ],
    },
    "proxmoxve:firewall/rulesLegacy:RulesLegacy": { needs: FIREWALL_OBJECT },
    "proxmoxve:firewall/ipsetLegacy:IpsetLegacy": { needs: FIREWALL_OBJECT },
    "proxmoxve:firewall/optionsLegacy:OptionsLegacy": {
        needs: [
            {
                privileges: ["VM.Config.Network"],
                on: "guest",
                call: "PUT .../firewall/options of a guest",
                source: "pve-firewall src/PVE/API2/Firewall/VM.pm set_options",
            },
            {
                privileges: ["VM.Audit"],
                on: "guest",
                call: "GET .../firewall/options of a guest",
                source: "pve-firewall src/PVE/API2/Firewall/VM.pm get_options",
                read: true,
            },
        ],
    },
    "proxmoxve:node/firewall:Firewall": {
        needs: [
            {
                privileges: ["Sys.Modify"],
                on: "node",
                call: "PUT /nodes/{node}/firewall/options",
                source: "pve-firewall src/PVE/API2/Firewall/Host.pm set_options (fact P16)",
            },
            {
                privileges: ["Sys.Audit"],
                on: "node",
                call: "GET /nodes/{node}/firewall/options",
                source: "pve-firewall src/PVE/API2/Firewall/Host.pm get_options",
                read: true,
            },
        ],
    },
    // Listing a node's interfaces (the provider's read) is open to every user: no read need.
    "proxmoxve:network/linux/bridge:Bridge": {
        needs: [
            {
                privileges: ["Sys.Modify"],
                on: "node",
                call: "create, update, delete an interface; reload the network",
                source: "pve-manager PVE/API2/Network.pm create_network, update_network, delete_network, reload_network_config (fact P16)",
            },
        ],
    },
    "proxmoxve:storage/zfspool:Zfspool": STORAGE_DEFINITION,
    "proxmoxve:storage/lvm:Lvm": STORAGE_DEFINITION,
    "proxmoxve:storage/lvmthin:Lvmthin": STORAGE_DEFINITION,
    "proxmoxve:storage/nfs:Nfs": STORAGE_DEFINITION,
    "proxmoxve:storage/cifs:Cifs": STORAGE_DEFINITION,
    "proxmoxve:storage/directory:Directory": STORAGE_DEFINITION,
    "proxmoxve:storage/pbs:Pbs": STORAGE_DEFINITION,
    // A Ceph pool is cluster-wide; the provider sends every call to one node's /ceph/pool.
    "proxmoxve:ceph/pool:Pool": {
        needs: [
            {
                privileges: ["Sys.Modify"],
                on: "datacenter",
                call: "POST, PUT, DELETE /nodes/{node}/ceph/pool (create, change, destroy the pool)",
                source: `${CEPH_POOL} createpool, setpool, destroypool`,
            },
            {
                privileges: ["Datastore.Allocate"],
                on: "storageConfig",
                call: "add_storages on create, remove_storages on destroy (the storage named after the pool)",
                source: `${CEPH_POOL} createpool, destroypool`,
            },
            {
                privileges: ["Sys.Audit"],
                on: "datacenter",
                call: "GET /nodes/{node}/ceph/pool/{name}/status (Sys.Audit or Datastore.Audit)",
                source: `${CEPH_POOL} getpool; bpg proxmox/nodes/ceph/pool/ceph_pool.go Get`,
                read: true,
            },
        ],
    },
    "proxmoxve:download/file:File": {
        needs: [
            {
                privileges: ["Datastore.AllocateTemplate"],
                on: "downloadStorage",
                call: "POST /nodes/{node}/storage/{storage}/download-url",
                source: "pve-storage src/PVE/API2/Storage/Status.pm download_url (fact P16)",
            },
            {
                privileges: ["Sys.Audit", "Sys.Modify"],
                on: "datacenter",
                call: "download-url and query-url-metadata (the URL's size, also on refresh); the alternative, Sys.AccessNetwork on the node, is not taken: the datacenter firewall needs both on / already",
                source: "pve-storage src/PVE/API2/Storage/Status.pm download_url; pve-manager PVE/API2/Nodes.pm query_url_metadata",
                read: true,
            },
            {
                privileges: ["Datastore.Audit"],
                on: "downloadStorage",
                call: "GET .../content (the provider finds the file)",
                source: "pve-storage src/PVE/API2/Storage/Content.pm index",
                read: true,
            },
            {
                privileges: ["Datastore.Allocate"],
                on: "downloadStorage",
                call: "DELETE .../content/{volume} (a replaced or removed download)",
                source: "pve-storage src/PVE/API2/Storage/Content.pm delete",
            },
        ],
    },
    // The snippet itself is written over SSH (fact P28); the API finds the storage's path and the file.
    "proxmoxve:index/fileLegacy:FileLegacy": {
        needs: [
            {
                privileges: ["Datastore.Allocate"],
                on: "snippetStorage",
                call: "GET /storage/{storage} (its path), snippets in the content list, DELETE .../content/{volume}",
                source: `${STORAGE_CONFIG} read; pve-storage src/PVE/Storage.pm check_volume_access (other content types); bpg proxmoxtf/resource/file.go`,
                read: true,
            },
            {
                privileges: ["Datastore.Audit"],
                on: "snippetStorage",
                call: "GET .../content",
                source: "pve-storage src/PVE/API2/Storage/Content.pm index",
                read: true,
            },
        ],
    },
    "proxmoxve:backup/job:Job": {
        needs: [
            {
                privileges: ["Sys.Modify"],
                on: "datacenter",
                call: "POST, PUT, DELETE /cluster/backup (and bwlimit)",
                source: "pve-manager PVE/API2/Backup.pm create_job, update_job, delete_job (fact P16)",
            },
            {
                privileges: ["Datastore.Allocate"],
                on: "backupStorage",
                call: "the job's target storage",
                source: "pve-manager PVE/API2/Backup.pm assert_param_permission_create, assert_param_permission_update (fact P16)",
            },
            {
                privileges: ["Sys.Audit"],
                on: "datacenter",
                call: "GET /cluster/backup/{id}",
                source: "pve-manager PVE/API2/Backup.pm read_job",
                read: true,
            },
        ],
    },
    "proxmoxve:hardware/mapping/pci:Pci": mappingEntry("pci"),
    "proxmoxve:hardware/mapping/usb:Usb": mappingEntry("usb"),
    "proxmoxve:index/haresource:Haresource": HA_OBJECT,
    "proxmoxve:index/harule:Harule": HA_OBJECT,
    "proxmoxve:index/hagroup:Hagroup": HA_OBJECT,
    "proxmoxve:index/replication:Replication": {
        needs: [
            {
                privileges: ["VM.Replicate"],
                on: "guest",
                call: "create, update, delete a replication job",
                source: "pve-manager PVE/API2/ReplicationConfig.pm create, update, delete (c81fe5cc, PVE 9)",
                pve: 9,
            },
            {
                privileges: ["Datastore.Allocate"],
                on: "storageConfig",
                call: "create, update, delete a replication job",
                source: "pve-manager PVE/API2/ReplicationConfig.pm before c81fe5cc (PVE 8)",
                pve: 8,
            },
            { privileges: ["VM.Audit"], on: "guest", call: "read", source: "pve-manager PVE/API2/ReplicationConfig.pm read", read: true },
        ],
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy": {
        needs: [
            ...guestNeeds("lxc"),
            {
                privileges: ["Sys.Modify"],
                on: "datacenter",
                call: "create a privileged container (unprivileged=0)",
                source: `${LXC} create_vm`,
                when: "privileged",
            },
            { privileges: ["VM.Allocate"], on: "guest", call: "features: nesting alone", source: CT_PERM, when: "nesting" },
        ],
    },
    "proxmoxve:index/vmLegacy:VmLegacy": {
        needs: [
            ...guestNeeds("qemu"),
            {
                privileges: ["VM.Config.HWType"],
                on: "guest",
                call: "machine, scsihw and the other hardware keys; PCI and USB devices",
                source: `${QEMU} $check_vm_modify_config_perm, check_hostpci_perm, check_usb_perm`,
            },
            {
                privileges: ["Sys.Modify"],
                on: "datacenter",
                call: "startup (order and delays: it changes host behaviour); the program sets it on every VM",
                source: `${QEMU} $check_vm_modify_config_perm (fact P16)`,
            },
            {
                privileges: ["VM.Config.CDROM"],
                on: "guest",
                call: "the CD drive's medium",
                source: `${QEMU} $check_vm_modify_config_perm`,
                when: "cdrom",
            },
            {
                privileges: ["VM.Config.Cloudinit", "VM.Config.CDROM"],
                on: "guest",
                call: "ipconfig0, nameserver, searchdomain, cicustom; the cloud-init drive; regenerating it",
                source: `${QEMU} $check_vm_modify_config_perm, cloudinit_update`,
                when: "cloudInit",
            },
            {
                privileges: ["Datastore.Audit"],
                on: "diskStorage",
                call: "GET .../content/{volume}: a disk's format, read back (with VM.Config.Disk on the VM)",
                source: "pve-storage src/PVE/Storage.pm check_volume_access; bpg proxmoxtf/resource/vm/disk/disk.go",
                read: true,
            },
            {
                privileges: ["Mapping.Use"],
                on: "pciMapping",
                call: "hostpciN=mapping=<name>",
                source: `${QEMU} check_hostpci_perm (fact P5)`,
            },
            { privileges: ["Mapping.Use"], on: "usbMapping", call: "usbN: mapping=<name>", source: `${QEMU} check_usb_perm` },
            {
                privileges: ["VM.GuestAgent.Audit"],
                on: "guest",
                call: "agent ping and network-get-interfaces (create, refresh)",
                source: "qemu-server src/PVE/API2/Qemu/Agent.pm (b92a40ce, PVE 9)",
                when: "agent",
                pve: 9,
                read: true,
            },
            {
                privileges: ["VM.Monitor"],
                on: "guest",
                call: "agent ping and network-get-interfaces (create, refresh)",
                source: "qemu-server src/PVE/API2/Qemu/Agent.pm before b92a40ce (PVE 8)",
                when: "agent",
                pve: 8,
                read: true,
            },
        ],
    },
    "proxmoxve:index/roleLegacy:RoleLegacy": ACCESS_OBJECT,
    "proxmoxve:index/userLegacy:UserLegacy": ACCESS_OBJECT,
    "proxmoxve:user/token:Token": ACCESS_OBJECT,
    "proxmoxve:index/acl:Acl": ACCESS_OBJECT,
};
