/**
 * The inventory keys and checks of v2 (issues 11, 12 and 15): cluster size and the QDevice,
 * flat networks and reservations, host keys, cluster-level storages, hardware mappings, images the
 * provider can store, dangerous guests, replication rates, datasets and exports, HA groups and
 * their states, backup targets, retention counts and S3 naming. Each case mutates the reference
 * stack once and names the problem it must raise.
 */
import { parseInventory } from "../../config/parse";
import { fullRecordName } from "../../lib/dns";
import { pruneJobsScript, tierPruneJobs } from "../../lib/pbs/jobs";
import { RawInventory, mutated, problemsOf } from "./reference";

interface Case {
    readonly name: string;
    readonly mutate: (inv: RawInventory) => void;
    /** The path and a part of the message of the problem it must raise (others may come with it). */
    readonly path: string;
    readonly message: string;
}

const BAD: readonly Case[] = [
    // --- cluster ---------------------------------------------------------------------------------
    {
        name: "two nodes without a QDevice",
        mutate: (i) => delete i.cluster.qdevice,
        path: "cluster.qdevice",
        message: "a two-node cluster loses quorum when either node is down",
    },
    {
        name: "a QDevice on a node's address",
        mutate: (i) => (i.cluster.qdevice.address = "192.168.10.12"),
        path: "cluster.qdevice.address",
        message: `192.168.10.12 is node "pve-storage"'s address`,
    },
    {
        name: "credentials in the endpoint URL",
        mutate: (i) => (i.cluster.endpoint = "https://root:secret@192.168.10.11:8006/"),
        path: "cluster.endpoint",
        message: "must not carry credentials",
    },
    {
        name: "an admin source of every address",
        mutate: (i) => (i.cluster.firewall = { adminSources: ["0.0.0.0/0"] }),
        path: "cluster.firewall.adminSources[0]",
        message: "opens the Proxmox API and SSH to every address",
    },
    {
        name: "a managed root on a system path",
        mutate: (i) => i.cluster.managedRoots.push("/etc"),
        path: "cluster.managedRoots[2]",
        message: "/etc is under the system path /etc",
    },
    {
        name: "an unknown Proxmox VE version",
        mutate: (i) => (i.cluster.pveVersion = 7),
        path: "cluster.pveVersion",
        message: "must be 8 or 9",
    },
    // --- networks --------------------------------------------------------------------------------
    {
        name: "two untagged networks",
        mutate: (i) => {
            delete i.networks.iot.vlan;
            delete i.networks.cameras.vlan;
            i.cluster.idScheme = "off";
        },
        path: "networks.cameras.vlan",
        message: 'networks "iot" and "cameras" are both untagged',
    },
    {
        name: "overlapping subnets",
        mutate: (i) => (i.networks.iot.cidr = "192.168.0.0/16"),
        path: "networks.management.cidr",
        message: '192.168.10.0/24 overlaps 192.168.0.0/16 of network "iot"; networks must not overlap',
    },
    {
        name: "a reservation outside its network",
        mutate: (i) => (i.networks.services.reserved = [{ address: "192.168.31.5", purpose: "virtual IP" }]),
        path: "networks.services.reserved[0]",
        message: "192.168.31.5 is outside 192.168.30.0/24",
    },
    {
        name: "a reservation that ends before it starts",
        mutate: (i) => (i.networks.services.reserved = [{ from: "192.168.30.200", to: "192.168.30.100", purpose: "DHCP" }]),
        path: "networks.services.reserved[0]",
        message: "the range starts after it ends",
    },
    {
        name: "the vlan ID scheme on an untagged network",
        mutate: (i) => delete i.networks.services.vlan,
        path: "guests.edge.network",
        message: 'network "services" is untagged, so the vlan ID scheme',
    },
    // --- nodes -----------------------------------------------------------------------------------
    {
        name: "a node without its host key",
        mutate: (i) => delete i.nodes["pve-storage"].hostKey,
        path: "nodes.pve-storage.hostKey",
        message: "cat /etc/ssh/ssh_host_ed25519_key.pub",
    },
    {
        name: "a malformed host key",
        mutate: (i) => (i.nodes["pve-storage"].hostKey = "AAAAC3NzaC1lZDI1NTE5"),
        path: "nodes.pve-storage.hostKey",
        message: "must be the node's SSH host key line",
    },
    {
        name: "two nodes with one host key",
        mutate: (i) => (i.nodes["pve-storage"].hostKey = i.nodes["pve-network"].hostKey),
        path: "nodes.pve-storage.hostKey",
        message: `the host key is node "pve-network"'s too`,
    },
    {
        name: "a node on its network's gateway address",
        mutate: (i) => (i.nodes["pve-storage"].address = "192.168.10.1"),
        path: "nodes.pve-storage.address",
        message: 'is the gateway of network "management"',
    },
    // --- storages --------------------------------------------------------------------------------
    {
        name: "a storage on an unknown node, with a suggestion",
        mutate: (i) => (i.storages["tank-vm"].nodes = ["pve-storag"]),
        path: "storages.tank-vm.nodes[0]",
        message: 'fix the name or add the node; did you mean "pve-storage"?',
    },
    {
        name: "content a storage kind cannot hold",
        mutate: (i) => i.storages["tank-vm"].content.push("iso"),
        path: "storages.tank-vm.content[2]",
        message: 'a zfspool storage cannot hold "iso" content',
    },
    {
        name: "a managed CephFS storage (the provider has no resource for it)",
        mutate: (i) => (i.storages.cephfs = { kind: "cephfs", content: ["iso"] }),
        path: "storages.cephfs.managed",
        message:
            "the provider has no resource for CephFS storages; create the file system and its storage with `pveceph fs create --add-storage` and declare the existing storage with managed: false",
    },
    {
        name: "a managed Ceph pool whose storage is named unlike the pool",
        mutate: (i) => (i.storages.ceph = { kind: "rbd", pool: "vms", content: ["images", "rootdir"], size: 2 }),
        path: "storages.ceph.pool",
        message: `Proxmox names the storage it adds for a new Ceph pool after the pool; name the storage "vms" (or the pool "ceph")`,
    },
    {
        name: "a managed Ceph pool with content other than what Proxmox gives its storage",
        mutate: (i) => (i.storages.vms = { kind: "rbd", pool: "vms", content: ["images"], size: 2 }),
        path: "storages.vms.content",
        message: "Proxmox adds the storage of a new Ceph pool with content images, rootdir; list exactly those",
    },
    {
        name: "a managed Ceph pool's storage on a list of nodes",
        mutate: (i) => (i.storages.vms = { kind: "rbd", pool: "vms", content: ["images", "rootdir"], size: 2, nodes: ["pve-storage"] }),
        path: "storages.vms.nodes",
        message: "Proxmox adds the storage of a new Ceph pool for every node; remove nodes",
    },
    {
        name: "a Ceph pool of the default three replicas on two nodes",
        mutate: (i) => (i.storages.vms = { kind: "rbd", pool: "vms", content: ["images", "rootdir"] }),
        path: "storages.vms.size",
        message: "3 replicas (the default) need 3 nodes, each with an OSD, but the cluster has 2; set size to at most 2",
    },
    {
        name: "a Ceph pool that needs more replicas to write than it keeps",
        mutate: (i) => (i.storages.vms = { kind: "rbd", pool: "vms", content: ["images", "rootdir"], size: 1 }),
        path: "storages.vms.minSize",
        message: "minSize 2 (the default) is more than size 1: the pool would never accept a write; lower minSize",
    },
    {
        name: "replica counts on a Ceph pool the program did not create",
        mutate: (i) => (i.storages.vms = { kind: "rbd", pool: "vms", content: ["images"], managed: false, size: 2 }),
        path: "storages.vms.size",
        message: "the program changes no Ceph pool it did not create (this storage is managed: false); remove size",
    },
    {
        name: "a new directory storage on /var/lib/vz under another id",
        mutate: (i) => (i.storages.isos = { kind: "dir", path: "/var/lib/vz", content: ["iso"] }),
        path: "storages.isos.path",
        message: "/var/lib/vz is under the system path /var/lib/vz",
    },
    {
        name: "a directory storage on / under another id",
        mutate: (i) => (i.storages.everything = { kind: "dir", path: "/", content: ["iso"] }),
        path: "storages.everything.path",
        message: "/ is the root of the host's file system",
    },
    {
        name: "guest disks on the installer's directory storage under another id",
        mutate: (i) => {
            i.storages.vz = { kind: "dir", path: "/var/lib/vz", content: ["rootdir"], managed: false };
            i.guests.files.disk.storage = "vz";
        },
        path: "guests.files.disk.storage",
        message: 'storage "vz" is a directory on the root disk (/var/lib/vz',
    },
    {
        name: "a PBS storage naming both a guest and a server",
        mutate: (i) => (i.storages.pbs.server = "192.168.10.20"),
        path: "storages.pbs",
        message: "names either guest",
    },
    {
        name: "a PBS the program does not manage, without a pinned fingerprint",
        mutate: (i) => {
            delete i.storages.pbs.guest;
            delete i.storages.pbs.fingerprint;
            delete i.storages.pbs.nfs;
            i.storages.pbs.server = "192.168.10.20";
            i.offsite.servesPbs = false;
        },
        path: "storages.pbs.fingerprint",
        message: "pin its fingerprint",
    },
    {
        name: "a PBS on a container",
        mutate: (i) => (i.storages.pbs.guest = "files"),
        path: "storages.pbs.guest",
        message: 'guest "files" is a container',
    },
    // --- mappings --------------------------------------------------------------------------------
    {
        name: "a VM naming an unknown PCI mapping, with a suggestion",
        mutate: (i) => (i.guests.opnsense.pciMappings[0].mapping = "opnsense-wam"),
        path: "guests.opnsense.pciMappings[0].mapping",
        message: 'on node "pve-network"; did you mean "opnsense-wan"?',
    },
    {
        name: "a mapping without an entry for the guest's node",
        mutate: (i) => (i.mappings.pci["opnsense-lan"].map[0].node = "pve-storage"),
        path: "guests.opnsense.pciMappings[1].mapping",
        message: 'PCI mapping "opnsense-lan" has no entry for node "pve-network"',
    },
    {
        name: "a container naming an unknown USB mapping",
        mutate: (i) => (i.guests.nvr.devices[0].usb = "tpu"),
        path: "guests.nvr.devices[0].usb",
        message: 'USB mapping "tpu" is not in mappings.usb',
    },
    {
        name: "one PCI device in two mappings",
        mutate: (i) => (i.mappings.pci["opnsense-lan"].map[0].path = "0000:01:00.0"),
        path: "mappings.pci.opnsense-lan.map[0].path",
        message: 'pve-network 0000:01:00.0 is already mapping "opnsense-wan"',
    },
    // --- images ----------------------------------------------------------------------------------
    {
        name: "a disk image stored as an ISO",
        mutate: (i) => (i.images["debian-13-cloud"].contentType = "iso"),
        path: "images.debian-13-cloud.fileName",
        message: "a disk image (cloud image) is contentType import",
    },
    {
        name: "a template file name without a distribution",
        mutate: (i) => (i.images["debian-12-lxc"].fileName = "my-template.tar.zst"),
        path: "images.debian-12-lxc.fileName",
        message: "cannot tell the container's distribution",
    },
    {
        name: "an .xz download the provider cannot decompress",
        mutate: (i) => {
            i.images["debian-13-cloud"].url = "https://images.example.org/debian.qcow2.xz";
        },
        path: "images.debian-13-cloud.url",
        message: 'the provider cannot decompress ".xz"',
    },
    {
        name: "a download the provider would decompress (replaced at every refresh, P19)",
        mutate: (i) => (i.images["debian-13-cloud"].url = "https://images.example.org/debian.qcow2.gz"),
        path: "images.debian-13-cloud.url",
        message: "planned for replacement on every refresh",
    },
    {
        name: "credentials in an image URL",
        mutate: (i) => (i.images["debian-13-cloud"].url = "https://user:pass@images.example.org/debian.qcow2"),
        path: "images.debian-13-cloud.url",
        message: "must not carry credentials",
    },
    // --- guests ----------------------------------------------------------------------------------
    {
        name: "a guest on a node's address",
        mutate: (i) => {
            i.guests.unifi.ipv4 = "192.168.10.11";
            i.guests.unifi.vmid = 10011;
        },
        path: "guests.unifi.ipv4",
        message: `address 192.168.10.11 is node "pve-network"'s address`,
    },
    {
        name: "a guest on the QDevice's address",
        mutate: (i) => {
            i.guests.unifi.ipv4 = "192.168.10.13";
            i.guests.unifi.vmid = 10013;
        },
        path: "guests.unifi.ipv4",
        message: "is the QDevice's address",
    },
    {
        name: "a guest inside a reserved range",
        mutate: (i) => {
            i.guests.windows.ipv4 = "192.168.20.150";
            i.guests.windows.vmid = 20150;
        },
        path: "guests.windows.ipv4",
        message: 'reserved in network "trusted" (DHCP pool of the router)',
    },
    {
        name: "a guest on an HA virtual IP",
        mutate: (i) => {
            i.ha = { proxy: { kind: "keepalived", members: ["edge", "cloud"], vip: "192.168.30.50", vrrpId: 5 } };
        },
        path: "guests.files.ipv4",
        message: 'the virtual IP of HA group "proxy"',
    },
    {
        name: "an idmap that maps container root to host root",
        mutate: (i) =>
            (i.guests.unifi.idmap = [
                { type: "uid", containerId: 0, hostId: 0, size: 65536 },
                { type: "gid", containerId: 0, hostId: 100000, size: 65536 },
            ]),
        path: "guests.unifi.idmap[0]",
        message: "(container root would be host root)",
    },
    ...["/dev/sda", "/dev/zfs", "/dev/mem", "/dev/nvme0n1", "/dev/dri/../sda"].map((device): Case => ({
        name: `a container given ${device}`,
        mutate: (i) => (i.guests.photos.devices[1].path = device),
        path: "guests.photos.devices[1].path",
        message: `${device} is not a device a container may be given`,
    })),
    {
        name: "a guest without an address that is not a template",
        mutate: (i) => delete i.guests.unifi.ipv4,
        path: "guests.unifi.ipv4",
        message: "only a template may have none",
    },
    {
        name: "an open inbound policy without a reason",
        mutate: (i) => delete i.guests.opnsense.firewall.reason,
        path: "guests.opnsense.firewall.reason",
        message: "an inbound policy of ACCEPT opens every port",
    },
    {
        name: "the agent asked of a VM nothing installs it in",
        mutate: (i) => (i.guests.windows.agent = true),
        path: "guests.windows.agent",
        message: "nothing installs qemu-guest-agent in this VM",
    },
    {
        name: "a VM booting a container template",
        mutate: (i) => (i.guests.pbs.image = "debian-12-lxc"),
        path: "guests.pbs.image",
        message: 'image "debian-12-lxc" is a container template',
    },
    {
        name: "a clone of a guest that is not a template",
        mutate: (i) => {
            delete i.guests.windows.cdrom;
            i.guests.windows.clone = { from: "pbs" };
        },
        path: "guests.windows.clone.from",
        message: 'guest "pbs" is not a template',
    },
    {
        name: "a linked clone on a storage that cannot hold one",
        mutate: (i) => {
            i.guests.golden = {
                ...structuredClone(i.guests.pbs),
                vmid: 9000,
                template: true,
                disks: [{ storage: "shared-nfs", sizeGiB: 8 }],
                node: "pve-network",
            };
            delete i.guests.golden.ipv4;
            i.guests.golden.backup = { exclude: "a template rebuilt from its image" };
            delete i.guests.windows.cdrom;
            i.guests.windows.node = "pve-network";
            i.guests.windows.disks = [{ storage: "shared-nfs", sizeGiB: 64 }];
            i.guests.windows.systemStorage = "local-zfs";
            i.guests.windows.clone = { from: "golden", full: false };
        },
        path: "guests.windows.clone.full",
        message: "storage shared-nfs cannot hold linked clones",
    },
    {
        name: "replication to the guest's own node",
        mutate: (i) => (i.guests.unifi.replication = [{ node: "pve-network" }]),
        path: "guests.unifi.replication[0].node",
        message: 'a guest cannot replicate to its own node "pve-network"',
    },
    {
        // Proxmox's own minimum (pve-guest-common src/PVE/ReplicationConfig.pm: rate, minimum 1, a number).
        name: "a replication rate under 1 MB/s",
        mutate: (i) => (i.guests.unifi.replication = [{ node: "pve-storage", rateMBps: 0.5 }]),
        path: "guests.unifi.replication[0].rateMBps",
        message: "must be at least 1, got 0.5",
    },
    {
        name: "a replication rate that is not a number",
        mutate: (i) => (i.guests.unifi.replication = [{ node: "pve-storage", rateMBps: "fast" }]),
        path: "guests.unifi.replication[0].rateMBps",
        message: 'must be a number, got "fast"',
    },
    {
        name: "a host mount outside the managed roots",
        mutate: (i) => (i.guests.unifi.hostMounts = [{ hostPath: "/mnt/pve/nas", path: "/mnt/nas" }]),
        path: "guests.unifi.hostMounts[0].hostPath",
        message: "/mnt/pve/nas is outside the managed roots",
    },
    {
        name: "a Proxmox mount path with a comma",
        mutate: (i) => (i.datasets["tank/nvr"].mounts[0].path = "/mnt/a,mp=/etc"),
        path: 'datasets["tank/nvr"].mounts[0].path',
        message: "(no ',' or '=')",
    },
    // --- HA ----------------------------------------------------------------------------------------
    {
        name: "a Proxmox HA state the inventory does not offer",
        mutate: (i) => {
            i.guests.unifi.replication = [{ node: "pve-storage" }];
            i.ha = { controller: { kind: "proxmox", members: ["unifi"], state: "disabled" } };
        },
        path: "ha.controller.state",
        message: 'must be one of "started", "stopped", "ignored", got "disabled"',
    },
    // --- backups -----------------------------------------------------------------------------------
    {
        name: "a negative hourly count",
        mutate: (i) => (i.backups.tiers.critical.retention.keepHourly = -1),
        path: "backups.tiers.critical.retention.keepHourly",
        message: "must be at least 0, got -1",
    },
    {
        name: "a fractional hourly count",
        mutate: (i) => (i.backups.tiers.critical.retention.keepHourly = 1.5),
        path: "backups.tiers.critical.retention.keepHourly",
        message: "must be an integer, got 1.5",
    },
    {
        name: "a yearly count over 10000",
        mutate: (i) => (i.backups.tiers.critical.retention.keepYearly = 10001),
        path: "backups.tiers.critical.retention.keepYearly",
        message: "must be at most 10000, got 10001",
    },
    {
        name: "a retention of only zero hourly and yearly counts",
        mutate: (i) => (i.backups.tiers.critical.retention = { keepHourly: 0, keepYearly: 0 }),
        path: "backups.tiers.critical.retention",
        message: "retention keeps nothing; set at least one keep* count",
    },
    // --- datasets --------------------------------------------------------------------------------
    {
        name: "a dataset without a backup choice",
        mutate: (i) => delete i.datasets["tank/photos"].backup,
        path: 'datasets["tank/photos"].backup',
        message: "is required: must be { tier: <a key of backups.tiers> } or { exclude:",
    },
    {
        name: "a dataset that takes over the root file system",
        mutate: (i) => (i.datasets["rpool/ROOT/pve-1"] = { node: "pve-network", backup: { exclude: "system, rebuilt by the installer" } }),
        path: 'datasets["rpool/ROOT/pve-1"]',
        message: "is the node's root file system",
    },
    {
        name: "a dataset on the installer's rpool/data",
        mutate: (i) => (i.datasets["rpool/data"] = { node: "pve-storage", backup: { exclude: "guest volumes, backed up by vzdump" } }),
        path: 'datasets["rpool/data"]',
        message: "is the installer's rpool/data",
    },
    {
        name: "a dataset inside a storage's dataset",
        mutate: (i) => (i.datasets["tank/vm/extra"] = { node: "pve-storage", backup: { exclude: "guest volumes, backed up by vzdump" } }),
        path: 'datasets["tank/vm/extra"]',
        message: 'where storage "tank-vm" keeps guest volumes',
    },
    {
        name: "a dataset mounted over /etc",
        mutate: (i) => (i.datasets["tank/nvr"].properties.mountpoint = "/etc"),
        path: 'datasets["tank/nvr"].properties.mountpoint',
        message: "mountpoint /etc is under the system path /etc",
    },
    {
        name: "a dataset mounted over the cluster file system",
        mutate: (i) => (i.datasets["tank/nvr"].properties.mountpoint = "/var/lib/pve-cluster"),
        path: 'datasets["tank/nvr"].properties.mountpoint',
        message: "under the system path /var/lib/pve-cluster",
    },
    {
        name: "sharenfs on",
        mutate: (i) => (i.datasets["tank/shared"].properties.sharenfs = "on"),
        path: 'datasets["tank/shared"].properties.sharenfs',
        message: "exports to every host (on)",
    },
    {
        name: "an export to every address with no_root_squash",
        mutate: (i) => (i.datasets["tank/shared"].properties.sharenfs = "rw=@0.0.0.0/0,no_root_squash"),
        path: 'datasets["tank/shared"].properties.sharenfs',
        message: "exports to every host (@0.0.0.0/0)",
    },
    {
        name: "no_root_squash to a subnet",
        mutate: (i) => (i.datasets["tank/shared"].properties.sharenfs = "rw=@192.168.10.0/24,no_root_squash"),
        path: 'datasets["tank/shared"].properties.sharenfs',
        message: "for a whole subnet (@192.168.10.0/24)",
    },
    {
        name: "an export to a network the inventory does not have",
        mutate: (i) => (i.datasets["tank/shared"].properties.sharenfs = "rw=@10.9.0.0/24"),
        path: 'datasets["tank/shared"].properties.sharenfs',
        message: "not a host or subnet inside the inventory's networks",
    },
    // --- HA --------------------------------------------------------------------------------------
    {
        name: "a virtual IP outside the members' network",
        mutate: (i) => {
            i.guests.cloud.node = "pve-network";
            i.datasets["tank/cloud"].mounts = i.datasets["tank/cloud"].mounts.filter((m: { guest: string }) => m.guest !== "cloud");
            i.datasets["tank/cloud"].owner.container = "files";
            i.datasets["tank/appdata/cloud"].mounts = [];
            delete i.datasets["tank/appdata/cloud"].owner;
            i.ha = { proxy: { kind: "keepalived", members: ["edge", "cloud"], vip: "192.168.20.5", vrrpId: 5 } };
        },
        path: "ha.proxy.vip",
        message: "virtual IP 192.168.20.5 is outside 192.168.30.0/24",
    },
    {
        name: "two keepalived groups with one VRRP id on one network",
        mutate: (i) => {
            Object.assign(i.guests.unifi, { network: "services", ipv4: "192.168.30.5", vmid: 30005 });
            i.ha = {
                a: { kind: "keepalived", members: ["edge", "cloud"], vip: "192.168.30.6", vrrpId: 5 },
                b: { kind: "keepalived", members: ["unifi", "media"], vip: "192.168.30.7", vrrpId: 5 },
            };
        },
        path: "ha.b.vrrpId",
        message: `VRRP id 5 is already HA group "a"'s on network "services"`,
    },
    {
        name: "keepalived members on two networks",
        mutate: (i) => (i.ha = { a: { kind: "keepalived", members: ["unifi", "cloud"], vip: "192.168.10.6", vrrpId: 5 } }),
        path: "ha.a.members",
        message: "VRRP runs inside one network, but the members are on management and services",
    },
    {
        name: "Proxmox HA for a guest on storage only its node has",
        mutate: (i) => (i.ha = { web: { kind: "proxmox", members: ["files"] } }),
        path: "ha.web.members[0]",
        message: 'keeps its disk on "local-zfs"',
    },
    {
        name: "a guest in two HA groups",
        mutate: (i) =>
            (i.ha = {
                a: { kind: "proxmox", members: ["files"], nodes: ["pve-storage"] },
                b: { kind: "proxmox", members: ["files"], nodes: ["pve-storage"] },
            }),
        path: "ha.b.members[0]",
        message: 'guest "files" is already a member of HA group "a"',
    },
    // --- backups and offsite ---------------------------------------------------------------------
    {
        name: "a backup target that does not exist",
        mutate: (i) => (i.backups.target = "pbs2"),
        path: "backups.target",
        message: 'add it under storages or pick one of those; did you mean "pbs"?',
    },
    {
        name: "a backup target without backup content",
        mutate: (i) => (i.backups.target = "tank-vm"),
        path: "backups.target",
        message: 'storage "tank-vm" does not hold "backup" content',
    },
    {
        name: "a window too narrow for a node's jobs",
        mutate: (i) => (i.backups.window = { start: "01:00", end: "02:00", slotMinutes: 30 }),
        path: "backups.window",
        message: 'holds 2 slot(s) of 30 minutes, but node "pve-network" needs 3 (critical, critical datasets, medium)',
    },
    {
        name: "an unknown tier of a dataset",
        mutate: (i) => (i.datasets["tank/photos"].backup = { tier: "hourly" }),
        path: 'datasets["tank/photos"].backup.tier',
        message: 'tier "hourly" is not in backups.tiers',
    },
    {
        name: "a misspelt tier of a dataset, with a suggestion",
        mutate: (i) => (i.datasets["tank/photos"].backup = { tier: "mediun" }),
        path: 'datasets["tank/photos"].backup.tier',
        message: 'pick one of those or add it; did you mean "medium"?',
    },
    {
        name: "a bucket name with two dots in a row",
        mutate: (i) => (i.offsite.bucket = "a..b"),
        path: "offsite.bucket",
        message: `"a..b" must not contain '..', '.-' or '-.'`,
    },
    {
        name: "a bucket name that looks like an IP address",
        mutate: (i) => (i.offsite.bucket = "192.168.10.20"),
        path: "offsite.bucket",
        message: "must not look like an IP address",
    },
    {
        name: "bucket and writer names too long together for IAM",
        mutate: (i) => (i.offsite.writers = ["w" + "x".repeat(49)]),
        path: "offsite.writers[0]",
        message: "IAM allows 64",
    },
    {
        name: "a writer listed twice",
        mutate: (i) => (i.offsite.writers = ["pbs", "pbs"]),
        path: "offsite.writers[1]",
        message: 'writer "pbs" is listed twice',
    },
    // --- DNS ---------------------------------------------------------------------------------------
    {
        name: "a DNS label of 64 characters",
        mutate: (i) => (i.dns.records.vpn.name = "v".repeat(64)),
        path: "dns.records.vpn.name",
        message: "labels of at most 63 characters",
    },
];

describe("inventory v2", () => {
    test.each(BAD)("refuses $name", ({ mutate, path, message }) => {
        const problems = problemsOf(mutated(mutate));
        expect(problems).toContainEqual({ path, message: expect.stringContaining(message) });
    });

    it("accepts a Ceph pool the program creates, named like its storage, with replicas the nodes can hold", () => {
        const inv = parseInventory(
            mutated((i) => {
                i.storages.vms = { kind: "rbd", pool: "vms", content: ["rootdir", "images"], size: 2, minSize: 1 };
                i.guests.windows.disks[0].storage = "vms";
            }),
        );
        expect(inv.storages.vms).toEqual({ kind: "rbd", pool: "vms", content: ["rootdir", "images"], size: 2, minSize: 1, managed: true });
    });

    it.each([
        [
            { layout: "zfs-single", disk: "nvme0n1" },
            { layout: "zfs-single", pool: "rpool", disk: "nvme0n1" },
        ],
        [
            { layout: "zfs-raidz", disks: ["sda", "sdb", "sdc"] },
            { layout: "zfs-raidz", pool: "rpool", disks: ["sda", "sdb", "sdc"] },
        ],
        [
            { layout: "lvm", disk: "sda" },
            { layout: "lvm", volumeGroup: "pve", disk: "sda" },
        ],
        [
            { layout: "zfs-mirror", pool: "boot", disks: ["sda", "sdb"] },
            { layout: "zfs-mirror", pool: "boot", disks: ["sda", "sdb"] },
        ],
    ])("accepts the boot layout %j (a node booting from one SSD, LVM, RAIDZ or a mirror)", (boot, parsed) => {
        const inv = parseInventory(mutated((i) => (i.nodes["pve-network"].boot = boot)));
        expect(inv.nodes["pve-network"].boot).toEqual(parsed);
    });

    it("refuses a boot mirror of one disk, and a boot pool listed again among the data pools", () => {
        expect(problemsOf(mutated((i) => (i.nodes["pve-network"].boot = { layout: "zfs-mirror", disks: ["sda"] })))).toContainEqual({
            path: "nodes.pve-network.boot.disks",
            message: "must have at least 2 items",
        });
        expect(
            problemsOf(
                mutated((i) => {
                    i.nodes["pve-storage"].boot = { layout: "zfs-single", pool: "tank" };
                }),
            ),
        ).toContainEqual({ path: "nodes.pve-storage.pools", message: `"tank" is the boot pool already; list only data pools here` });
    });

    it("reads a wildcard at the apex as every name of the zone, and refuses it proxied like any wildcard", () => {
        expect(fullRecordName("*", "example.org")).toBe("*.example.org");
        expect(
            problemsOf(
                mutated((i) => {
                    i.dns.records["lab-wildcard"].name = "*";
                    i.dns.records["lab-wildcard"].proxied = true;
                }),
            ),
        ).toEqual([
            {
                path: "dns.records.lab-wildcard.proxied",
                message: `wildcard record "*.example.org" serves the reverse proxy, which must see client addresses and terminate TLS; make it DNS-only (proxied: false)`,
            },
        ]);
    });

    it("accepts a wildcard at the zone apex", () => {
        const inv = parseInventory(mutated((i) => (i.dns.records["lab-wildcard"].name = "*")));
        expect(inv.dns?.records["lab-wildcard"].name).toBe("*");
    });

    it("accepts an untagged network when the ID scheme does not need VLANs", () => {
        const inv = parseInventory(
            mutated((i) => {
                delete i.networks.services.vlan;
                i.cluster.idScheme = "off";
            }),
        );
        expect(inv.networks.services.vlan).toBeUndefined();
    });

    it("derives VMIDs from the last octet plus an offset under the octet scheme", () => {
        const problems = problemsOf(
            mutated((i) => {
                i.cluster.idScheme = "octet";
                i.cluster.idOffset = 30000;
            }),
        );
        expect(problems).toContainEqual({
            path: "guests.unifi.vmid",
            message: "VMID 10005 breaks the ID scheme (30000 + last octet); for 192.168.10.5 it must be 30005",
        });
        // Services guests already follow it: 30000 + .10 is edge's 30010.
        expect(problems.map((p) => p.path)).not.toContain("guests.edge.vmid");
    });

    it("accepts a template without an address, and a full clone of it", () => {
        const inv = parseInventory(
            mutated((i) => {
                i.guests.golden = {
                    ...structuredClone(i.guests.pbs),
                    vmid: 9000,
                    template: true,
                    backup: { exclude: "a template rebuilt from its image" },
                };
                delete i.guests.golden.ipv4;
                delete i.guests.windows.cdrom;
                i.guests.windows.node = "pve-storage";
                i.guests.windows.clone = { from: "golden" };
            }),
        );
        expect(inv.guests.windows.clone).toEqual({ from: "golden", full: true });
    });

    it("accepts Proxmox HA on replicated ZFS storage", () => {
        const inv = parseInventory(
            mutated((i) => {
                i.guests.unifi.replication = [{ node: "pve-storage" }];
                i.ha = { controller: { kind: "proxmox", members: ["unifi"] } };
            }),
        );
        expect(inv.guests.unifi.replication).toEqual([{ node: "pve-storage", schedule: "*/15" }]);
    });

    it("accepts a single node without a QDevice, and refuses one with it", () => {
        const single = (keepQdevice: boolean) =>
            mutated((i) => {
                delete i.nodes["pve-storage"];
                if (!keepQdevice) delete i.cluster.qdevice;
                i.guests = { unifi: i.guests.unifi, edge: i.guests.edge };
                i.datasets = { "rpool/appdata/edge": i.datasets["rpool/appdata/edge"] };
                i.storages = { local: i.storages.local, "local-zfs": i.storages["local-zfs"] };
                delete i.backups;
                delete i.offsite;
                delete i.mappings;
                i.guests.unifi.backup = { exclude: "rebuilt from the inventory" };
                i.guests.edge.backup = { exclude: "rebuilt from the inventory" };
                i.datasets["rpool/appdata/edge"].backup = { exclude: "caches only, rebuilt at start" };
            });
        expect(Object.keys(parseInventory(single(false)).nodes)).toEqual(["pve-network"]);
        expect(problemsOf(single(true))).toEqual([
            { path: "cluster.qdevice", message: "a single node has no quorum to keep; remove cluster.qdevice" },
        ]);
    });

    it("accepts a replication rate from 1 MB/s, fractions too, and leaves it unset when not given", () => {
        const inv = parseInventory(
            mutated((i) => {
                i.guests.unifi.replication = [{ node: "pve-storage", rateMBps: 12.5 }];
                i.guests.edge.replication = [{ node: "pve-storage", rateMBps: 1, schedule: "*/30" }];
            }),
        );
        expect(inv.guests.unifi.replication).toEqual([{ node: "pve-storage", schedule: "*/15", rateMBps: 12.5 }]);
        expect(inv.guests.edge.replication).toEqual([{ node: "pve-storage", schedule: "*/30", rateMBps: 1 }]);
        expect(
            parseInventory(mutated((i) => (i.guests.unifi.replication = [{ node: "pve-storage" }]))).guests.unifi.replication[0],
        ).not.toHaveProperty("rateMBps");
    });

    it.each(["stopped", "ignored"])("accepts the Proxmox HA state %s, and started when none is given", (state) => {
        const withState = (given?: string) =>
            parseInventory(
                mutated((i) => {
                    i.guests.unifi.replication = [{ node: "pve-storage" }];
                    i.ha = { controller: { kind: "proxmox", members: ["unifi"], ...(given ? { state: given } : {}) } };
                }),
            ).ha.controller;
        expect(withState(state)).toEqual({ kind: "proxmox", members: ["unifi"], state, maxRestart: 1, maxRelocate: 1 });
        expect(withState()).toMatchObject({ state: "started" });
    });

    it("carries a tier's hourly and yearly counts into its PBS prune job and the job's keep settings", () => {
        const inv = parseInventory(
            mutated((i) => (i.backups.tiers.critical.retention = { keepLast: 3, keepHourly: 24, keepDaily: 7, keepYearly: 2 })),
        );
        expect(inv.backups!.tiers.critical.retention).toEqual({ keepLast: 3, keepHourly: 24, keepDaily: 7, keepYearly: 2 });
        const [critical] = tierPruneJobs(inv.backups!.tiers);
        expect(critical).toMatchObject({
            id: "homelab-prune-critical",
            namespace: "critical",
            keep: inv.backups!.tiers.critical.retention,
        });
        expect(pruneJobsScript("tank", [critical])).toContain(
            "converge prune-job 'homelab-prune-critical' 'store=tank' 'schedule=21:00' 'ns=critical' 'max-depth=' 'keep-last=3' 'keep-hourly=24' 'keep-daily=7' 'keep-weekly=' 'keep-monthly=' 'keep-yearly=2' 'disable='\n",
        );
    });
});
