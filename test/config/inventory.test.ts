import { InventoryError, InventoryProblem } from "../../config/errors";
import { parseInventory } from "../../config/parse";
import { INVENTORY_KEYS } from "../../config/schema";
import { CREDENTIAL_KEYS, splitConfig } from "../../config/stackfile";
import { RawInventory, mutated, problemsOf, referenceRaw } from "./reference";

const problem = (path: string, message: string): InventoryProblem => ({ path, message });

describe("the reference stack", () => {
    const inv = parseInventory(referenceRaw());

    it("validates with 2 nodes, 10 guests, 12 datasets and 4 DNS records", () => {
        expect(Object.keys(inv.nodes)).toEqual(["pve-network", "pve-storage"]);
        expect(Object.keys(inv.guests)).toHaveLength(10);
        expect(Object.keys(inv.datasets)).toHaveLength(12);
        expect(Object.keys(inv.dns?.records ?? {})).toHaveLength(4);
    });

    it("holds the ten guests of the reference homelab, one VM or container each", () => {
        const kinds = Object.fromEntries(Object.entries(inv.guests).map(([name, g]) => [name, `${g.kind} ${g.vmid}`]));
        expect(kinds).toEqual({
            opnsense: "vm 10001",
            unifi: "lxc 10005",
            edge: "lxc 30010",
            pbs: "vm 10020",
            windows: "vm 20030",
            photos: "lxc 30040",
            cloud: "lxc 30041",
            media: "lxc 30042",
            nvr: "lxc 50010",
            files: "lxc 30050",
        });
    });

    it("fills the schema defaults: scheme on, firewall DROP in, unprivileged, stateful", () => {
        expect(inv.cluster.idScheme).toBe("vlan");
        const files = inv.guests.files;
        expect(files.firewall.inputPolicy).toBe("DROP");
        expect(files.firewall.outputPolicy).toBe("ACCEPT");
        expect(files.stateful).toBe(true);
        expect(files.kind === "lxc" && files.privileged).toBeUndefined();
        expect(files.kind === "lxc" && files.docker).toBe(false);
        expect(inv.datasets["tank/nvr"].allowDestroy).toBe(false);
        expect(inv.datasets["tank/nvr"].owner?.mode).toBe("0750");
    });

    it("accepts VMIDs off the scheme when the scheme is turned off", () => {
        const raw = mutated((i) => {
            i.cluster.idScheme = "off";
            i.guests.files.vmid = 120;
        });
        expect(parseInventory(raw).guests.files.vmid).toBe(120);
    });

    it("accepts an HA pair whose members run on different nodes", () => {
        const raw = mutated((i) => {
            i.guests.cloud.network = "services";
            i.ha = { proxy: { kind: "keepalived", members: ["edge", "cloud"], vip: "192.168.30.5", vrrpId: 5 } };
        });
        expect(parseInventory(raw).ha.proxy.members).toEqual(["edge", "cloud"]);
    });

    it("accepts a dataset mounted into a privileged container without an owner", () => {
        const raw = mutated((i) => {
            i.datasets["tank/appdata/photos"].owner = undefined;
        });
        expect(parseInventory(raw).datasets["tank/appdata/photos"].owner).toBeUndefined();
    });
});

interface BadCase {
    readonly name: string;
    readonly mutate: (inv: RawInventory) => void;
    readonly problems: readonly InventoryProblem[];
}

/** Every guest of the reference stack that has a backup tier (all but the PBS VM). */
const TIERED = ["opnsense", "unifi", "edge", "windows", "photos", "cloud", "media", "nvr", "files"] as const;
const TIER_OF: Readonly<Record<(typeof TIERED)[number], string>> = {
    opnsense: "critical",
    unifi: "medium",
    edge: "critical",
    windows: "low",
    photos: "critical",
    cloud: "critical",
    media: "medium",
    nvr: "medium",
    files: "low",
};

/** Datasets of the reference stack with a backup tier, in inventory order. */
const DATASET_TIERS: readonly [string, string][] = [
    ["tank/photos", "critical"],
    ["tank/cloud", "critical"],
    ["rpool/appdata/edge", "critical"],
    ["tank/appdata/photos", "critical"],
    ["tank/appdata/cloud", "critical"],
    ["tank/appdata/media", "medium"],
    ["tank/appdata/nvr", "medium"],
];

const OWNER_FIX = "set owner {container, uid, gid} so the mapped ids can write to it";

const BAD: readonly BadCase[] = [
    // --- wrong types, values and shapes (zod) ---------------------------------------------------
    {
        name: "a number written as a string",
        mutate: (i) => (i.guests.edge.cores = "2"),
        problems: [problem("guests.edge.cores", 'must be a number, got "2"')],
    },
    {
        name: "a fractional core count",
        mutate: (i) => (i.guests.edge.cores = 1.5),
        problems: [problem("guests.edge.cores", "must be an integer, got 1.5")],
    },
    {
        name: "a negative thread count",
        mutate: (i) => (i.nodes["pve-network"].threads = -4),
        problems: [problem("nodes.pve-network.threads", "must be greater than 0, got -4")],
    },
    {
        name: "an SSH port above 65535",
        mutate: (i) => (i.nodes["pve-network"].sshPort = 70000),
        problems: [problem("nodes.pve-network.sshPort", "must be at most 65535, got 70000")],
    },
    {
        name: "a list where a mapping belongs",
        mutate: (i) => (i.guests = []),
        problems: [problem("guests", "must be a mapping, got a list")],
    },
    {
        name: "a null node",
        mutate: (i) => (i.nodes["pve-network"] = null),
        problems: [problem("nodes.pve-network", "must be a mapping, got null")],
    },
    {
        name: "an empty list of DNS servers",
        mutate: (i) => (i.cluster.dnsServers = []),
        problems: [problem("cluster.dnsServers", "must have at least 1 item")],
    },
    {
        name: "an unknown key in a guest (typo)",
        mutate: (i) => (i.guests.unifi.coress = 1),
        problems: [problem("guests.unifi.coress", 'unknown key; did you mean "cores"?')],
    },
    {
        name: "an unknown key in the cluster",
        mutate: (i) => (i.cluster.domian = "lab.example.org"),
        problems: [problem("cluster.domian", 'unknown key; did you mean "domain"?')],
    },
    {
        name: "an unknown ZFS property",
        mutate: (i) => (i.datasets["tank/nvr"].properties.compresion = "zstd"),
        problems: [problem('datasets["tank/nvr"].properties.compresion', 'unknown key; did you mean "compression"?')],
    },
    {
        name: "a missing required field",
        mutate: (i) => delete i.guests.media.tier,
        problems: [problem("guests.media.tier", 'is required: must be one of "critical", "high", "normal", "low", "minimal"')],
    },
    {
        name: "a missing Proxmox endpoint",
        mutate: (i) => delete i.cluster.endpoint,
        problems: [
            problem("cluster.endpoint", "is required: must be an https:// URL of the Proxmox API, such as https://192.168.10.11:8006/"),
        ],
    },
    {
        name: "a plain-http Proxmox endpoint",
        mutate: (i) => (i.cluster.endpoint = "http://192.168.10.11:8006/"),
        problems: [
            problem(
                "cluster.endpoint",
                'must be an https:// URL of the Proxmox API, such as https://192.168.10.11:8006/, got "http://192.168.10.11:8006/"',
            ),
        ],
    },
    {
        name: "an unknown tier",
        mutate: (i) => (i.guests.media.tier = "urgent"),
        problems: [problem("guests.media.tier", 'must be one of "critical", "high", "normal", "low", "minimal", got "urgent"')],
    },
    {
        name: "an unknown guest kind",
        mutate: (i) => (i.guests.files.kind = "container"),
        problems: [problem("guests.files.kind", 'must be "lxc" or "vm", got "container"')],
    },
    {
        name: "an unknown storage kind",
        mutate: (i) => (i.storages["tank-vm"].kind = "ceph"),
        problems: [
            problem(
                "storages.tank-vm.kind",
                'must be "dir" or "lvm" or "lvmthin" or "zfspool" or "nfs" or "cifs" or "pbs" or "rbd" or "cephfs", got "ceph"',
            ),
        ],
    },
    {
        name: "an unknown backup tier",
        mutate: (i) => (i.guests.files.backup = { tier: "weekly" }),
        problems: [
            problem(
                "guests.files.backup.tier",
                'tier "weekly" is not in backups.tiers (known: critical, medium, low); pick one of those or add it',
            ),
        ],
    },
    {
        name: "a misspelt backup tier, with a suggestion",
        mutate: (i) => (i.guests.files.backup = { tier: "critcal" }),
        problems: [
            problem(
                "guests.files.backup.tier",
                'tier "critcal" is not in backups.tiers (known: critical, medium, low); pick one of those or add it; did you mean "critical"?',
            ),
        ],
    },
    {
        name: "a guest name that is not a DNS label",
        mutate: (i) => {
            i.guests.Media = i.guests.media;
            delete i.guests.media;
        },
        problems: [
            problem(
                "guests.Media",
                "invalid key: guest name must be a lowercase DNS label (a-z, 0-9, '-', starting with a letter, at most 63 characters)",
            ),
            // The datasets still name "media", which no longer exists: reported with the schema's problem.
            problem('datasets["tank/media"].owner.container', 'guest "media" is not in guests; fix the name or add the guest'),
            problem('datasets["tank/media"].mounts[0].guest', 'guest "media" is not in guests; fix the name or add the guest'),
            problem('datasets["tank/appdata/media"].owner.container', 'guest "media" is not in guests; fix the name or add the guest'),
            problem('datasets["tank/appdata/media"].mounts[0].guest', 'guest "media" is not in guests; fix the name or add the guest'),
        ],
    },
    {
        name: "a CIDR with a /33 prefix",
        mutate: (i) => (i.networks.iot.cidr = "192.168.40.0/33"),
        problems: [problem("networks.iot.cidr", 'must be an IPv4 subnet such as 192.168.30.0/24, got "192.168.40.0/33"')],
    },
    {
        name: "a CIDR with host bits set",
        mutate: (i) => (i.networks.iot.cidr = "192.168.40.7/24"),
        problems: [
            problem(
                "networks.iot.cidr",
                `"192.168.40.7/24" is not a network address; use the subnet's first address, e.g. 192.168.30.0/24`,
            ),
        ],
    },
    {
        name: "a gateway outside its subnet",
        mutate: (i) => (i.networks.iot.gateway = "192.168.41.1"),
        problems: [
            problem(
                "networks.iot.gateway",
                "gateway 192.168.41.1 is not a host address of 192.168.40.0/24; use an address inside the subnet",
            ),
        ],
    },
    {
        name: "two networks on one VLAN",
        mutate: (i) => (i.networks.iot.vlan = 30),
        problems: [problem("networks.iot.vlan", 'VLAN 30 is already used by network "services"; give each network its own VLAN id')],
    },
    {
        name: "a recordsize that is not a power of two",
        mutate: (i) => (i.datasets["tank/nvr"].properties.recordsize = "3K"),
        problems: [
            problem(
                'datasets["tank/nvr"].properties.recordsize',
                'must be a power of two from 512 to 16M: 512, 1K, 2K, 4K, 8K, 16K, 32K, 64K, 128K, 256K, 512K, 1M, 2M, 4M, 8M, 16M, got "3K"',
            ),
        ],
    },
    {
        name: "a firewall source that is neither an address nor a subnet",
        mutate: (i) => (i.guests.unifi.firewall.rules[0].source = "10.0.0.0/33"),
        problems: [
            problem(
                "guests.unifi.firewall.rules[0].source",
                'must be an IPv4 address or subnet such as 192.168.30.10 or 192.168.30.0/24, got "10.0.0.0/33"',
            ),
        ],
    },
    {
        name: "a container device outside /dev",
        mutate: (i) => (i.guests.photos.devices[1].path = "/etc/shadow"),
        problems: [
            problem("guests.photos.devices[1].path", 'must be a device path under /dev such as /dev/dri/renderD128, got "/etc/shadow"'),
        ],
    },
    {
        name: "a key named __proto__",
        mutate: (i) => (i.guests.files.firewall = JSON.parse('{"__proto__": {"inputPolicy": "ACCEPT"}}')),
        problems: [problem("guests.files.firewall.__proto__", '"__proto__" is a reserved key; rename it')],
    },

    // --- dangling references ----------------------------------------------------------------------
    {
        name: "a guest on an unknown node",
        mutate: (i) => (i.guests.files.node = "pve-nas"),
        problems: [
            problem("guests.files.node", 'node "pve-nas" is not in nodes (known: pve-network, pve-storage); fix the name or add the node'),
        ],
    },
    {
        name: "a guest on a node named like an Object member",
        mutate: (i) => (i.guests.files.node = "constructor"),
        problems: [
            problem(
                "guests.files.node",
                'node "constructor" is not in nodes (known: pve-network, pve-storage); fix the name or add the node',
            ),
        ],
    },
    {
        name: "a dataset on an unknown node",
        mutate: (i) => (i.datasets["tank/nvr"].node = "pve-nas"),
        problems: [
            problem(
                'datasets["tank/nvr"].node',
                'node "pve-nas" is not in nodes (known: pve-network, pve-storage); fix the name or add the node',
            ),
        ],
    },
    {
        name: "a mount into an unknown guest",
        mutate: (i) => (i.datasets["tank/nvr"].mounts[0].guest = "frigate"),
        problems: [problem('datasets["tank/nvr"].mounts[0].guest', 'guest "frigate" is not in guests; fix the name or add the guest')],
    },
    {
        name: "a dataset owner that is not a guest",
        mutate: (i) => (i.datasets["tank/nvr"].owner.container = "frigate"),
        problems: [problem('datasets["tank/nvr"].owner.container', 'guest "frigate" is not in guests; fix the name or add the guest')],
    },
    {
        name: "a dataset owner that is a VM",
        mutate: (i) => (i.datasets["tank/nvr"].owner.container = "pbs"),
        problems: [
            problem(
                'datasets["tank/nvr"].owner.container',
                'guest "pbs" is a VM; ownership is expressed as seen inside a container, so name the container whose user owns the data',
            ),
        ],
    },
    {
        name: "a container disk on a storage its node does not offer",
        mutate: (i) => (i.guests.edge.disk.storage = "tank-vm"),
        problems: [
            problem(
                "guests.edge.disk.storage",
                'node "pve-network" does not have storage "tank-vm" (it is on pve-storage); add the node to storages.tank-vm.nodes or pick a storage the node has',
            ),
        ],
    },
    {
        name: "a VM disk on a storage that does not exist, with a suggestion",
        mutate: (i) => (i.guests.pbs.disks[0].storage = "local-zf"),
        problems: [
            problem(
                "guests.pbs.disks[0].storage",
                'storage "local-zf" is not in storages (known: local, local-zfs, tank-vm, shared-nfs, pbs); add it under storages or pick one of those; did you mean "local-zfs"?',
            ),
        ],
    },
    {
        name: "a disk on a storage named like an Object member",
        mutate: (i) => (i.guests.files.disk.storage = "constructor"),
        problems: [
            problem(
                "guests.files.disk.storage",
                'storage "constructor" is not in storages (known: local, local-zfs, tank-vm, shared-nfs, pbs); add it under storages or pick one of those',
            ),
        ],
    },
    {
        name: "a container disk on a storage without rootdir content",
        mutate: (i) => {
            i.storages.isos = { kind: "dir", path: "/tank/isos", content: ["iso"] };
            i.guests.files.disk.storage = "isos";
        },
        problems: [
            problem(
                "guests.files.disk.storage",
                'storage "isos" does not hold "rootdir" content; add "rootdir" to storages.isos.content or pick another storage',
            ),
        ],
    },
    {
        name: "a guest on an unknown network, with a suggestion",
        mutate: (i) => (i.guests.files.network = "service"),
        problems: [
            problem(
                "guests.files.network",
                'network "service" is not in networks (known: management, trusted, services, iot, cameras); fix the name or add the network; did you mean "services"?',
            ),
        ],
    },
    {
        name: "a container template missing from images",
        mutate: (i) => (i.guests.unifi.image = "debian-13-lxc"),
        problems: [
            problem(
                "guests.unifi.image",
                'image "debian-13-lxc" is not in images; add it under images with its checksum; did you mean "debian-12-lxc"?',
            ),
        ],
    },
    {
        name: "a container template that is a VM image",
        mutate: (i) => (i.guests.unifi.image = "debian-13-cloud"),
        problems: [
            problem(
                "guests.unifi.image",
                'image "debian-13-cloud" has contentType import, not a container template; name an image whose contentType is vztmpl',
            ),
        ],
    },
    {
        name: "a VM image missing from images",
        mutate: (i) => (i.guests.pbs.image = "ubuntu-24-cloud"),
        problems: [problem("guests.pbs.image", 'image "ubuntu-24-cloud" is not in images; add it under images with its checksum')],
    },
    {
        name: "an installer ISO on a storage the node does not have",
        mutate: (i) => (i.guests.windows.cdrom = "shared-nfs:iso/Win11.iso"),
        problems: [
            problem(
                "guests.windows.cdrom",
                'node "pve-storage" does not have storage "shared-nfs", where this iso file lives; add the node to storages.shared-nfs.nodes',
            ),
        ],
    },
    {
        name: "an installer ISO on a storage without iso content",
        mutate: (i) => (i.guests.windows.cdrom = "local-zfs:iso/Win11.iso"),
        problems: [
            problem("guests.windows.cdrom", 'storage "local-zfs" does not hold "iso" content; add it to storages.local-zfs.content'),
        ],
    },
    {
        name: "a PBS guest that does not exist",
        mutate: (i) => (i.storages.pbs.guest = "constructor"),
        problems: [problem("storages.pbs.guest", 'guest "constructor" is not in guests; fix the name or add the guest')],
    },

    // --- identities: VMIDs, addresses, the ID scheme ------------------------------------------------
    {
        name: "a duplicate VMID",
        mutate: (i) => {
            i.cluster.idScheme = "off";
            i.guests.files.vmid = 30042;
        },
        problems: [problem("guests.files.vmid", 'VMID 30042 is already used by guest "media"; every guest needs its own VMID')],
    },
    {
        name: "a duplicate IPv4 address",
        mutate: (i) => {
            i.cluster.idScheme = "off";
            i.guests.files.ipv4 = "192.168.30.42";
        },
        problems: [
            problem("guests.files.ipv4", 'address 192.168.30.42 is already used by guest "media"; every guest needs its own address'),
        ],
    },
    {
        name: "an address outside the VLAN's CIDR",
        mutate: (i) => (i.guests.files.ipv4 = "192.168.31.50"),
        problems: [
            problem(
                "guests.files.ipv4",
                'address 192.168.31.50 is outside 192.168.30.0/24 of network "services"; pick an address in that subnet',
            ),
        ],
    },
    {
        name: "the network address of the subnet",
        mutate: (i) => {
            i.guests.files.ipv4 = "192.168.30.0";
            i.guests.files.vmid = 30000;
        },
        problems: [problem("guests.files.ipv4", "address 192.168.30.0 is the network address of 192.168.30.0/24; pick a host address")],
    },
    {
        name: "the broadcast address of the subnet",
        mutate: (i) => {
            i.guests.files.ipv4 = "192.168.30.255";
            i.guests.files.vmid = 30255;
        },
        problems: [problem("guests.files.ipv4", "address 192.168.30.255 is the broadcast address of 192.168.30.0/24; pick a host address")],
    },
    {
        name: "the gateway address on an ordinary guest",
        mutate: (i) => {
            i.guests.files.ipv4 = "192.168.30.1";
            i.guests.files.vmid = 30001;
        },
        problems: [
            problem(
                "guests.files.ipv4",
                'address 192.168.30.1 is the gateway of network "services"; pick another host address (or set gateway: true on the router guest)',
            ),
        ],
    },
    {
        name: "a router guest that does not own the gateway address",
        mutate: (i) => {
            i.guests.opnsense.ipv4 = "192.168.10.2";
            i.guests.opnsense.vmid = 10002;
        },
        problems: [
            problem(
                "guests.opnsense.gateway",
                "a router guest owns its network's gateway address 192.168.10.1, got 192.168.10.2; fix the address or the network's gateway",
            ),
        ],
    },
    {
        name: "a VMID off the scheme",
        mutate: (i) => (i.guests.files.vmid = 30051),
        problems: [
            problem(
                "guests.files.vmid",
                "VMID 30051 breaks the ID scheme (VLAN × 1000 + last octet); for VLAN 30 and 192.168.30.50 it must be 30050",
            ),
        ],
    },
    {
        name: "two nodes with one address",
        mutate: (i) => (i.nodes["pve-storage"].address = "192.168.10.11"),
        problems: [
            problem("nodes.pve-storage.address", `address 192.168.10.11 is also node "pve-network"'s; every node needs its own address`),
        ],
    },
    {
        name: "a second storage on the installer's rpool/data",
        mutate: (i) => (i.storages["net-zfs"] = { kind: "zfspool", pool: "rpool/data", content: ["images", "rootdir"] }),
        problems: [
            problem(
                "storages.net-zfs.pool",
                'storage "local-zfs" already stands on rpool/data; two storages on one dataset give one disk two volume ids (a rescan shows live disks as unused), so use "local-zfs"',
            ),
            problem(
                "storages.net-zfs.pool",
                "a ZFS install already defines local-zfs on rpool/data; declare it as storages.local-zfs { kind: zfspool, pool: rpool/data, managed: false } and use that",
            ),
        ],
    },

    // --- placement and privilege ------------------------------------------------------------------
    {
        name: "an HA pair on one node",
        mutate: (i) => (i.ha = { web: { kind: "keepalived", members: ["cloud", "media"], vip: "192.168.30.60", vrrpId: 60 } }),
        problems: [
            problem(
                "ha.web.members[1]",
                'HA group "web" has cloud and media on node "pve-storage"; members of a pair must run on different nodes, or one node failing takes both down',
            ),
        ],
    },
    {
        name: "a privileged container without a reason",
        mutate: (i) => (i.guests.photos.privileged = {}),
        problems: [problem("guests.photos.privileged.reason", "is required: give a reason of at least 10 characters")],
    },
    {
        name: "a privileged container with a too-short reason",
        mutate: (i) => (i.guests.photos.privileged = { reason: "gpu" }),
        problems: [problem("guests.photos.privileged.reason", 'give a reason of at least 10 characters (not counting spaces), got "gpu"')],
    },
    {
        name: "a privileged container whose reason is mostly spaces",
        mutate: (i) => (i.guests.photos.privileged = { reason: "         x" }),
        problems: [
            problem("guests.photos.privileged.reason", 'give a reason of at least 10 characters (not counting spaces), got "         x"'),
        ],
    },
    {
        name: "local storage for a container's root disk",
        mutate: (i) => (i.guests.edge.disk.storage = "local"),
        problems: [
            problem(
                "guests.edge.disk.storage",
                '"local" is the root disk\'s directory storage: guest disks never go there; use a named ZFS or LVM-thin storage',
            ),
        ],
    },
    {
        name: "local storage for a VM disk",
        mutate: (i) => (i.guests.pbs.disks[0].storage = "local"),
        problems: [
            problem(
                "guests.pbs.disks[0].storage",
                '"local" is the root disk\'s directory storage: guest disks never go there; use a named ZFS or LVM-thin storage',
            ),
        ],
    },
    {
        name: "local storage for a VM's EFI and TPM state",
        mutate: (i) => (i.guests.windows.systemStorage = "local"),
        problems: [
            problem(
                "guests.windows.systemStorage",
                '"local" is the root disk\'s directory storage: guest disks never go there; use a named ZFS or LVM-thin storage',
            ),
        ],
    },

    // --- datasets ---------------------------------------------------------------------------------
    {
        name: "a dataset name a shell would interpret",
        mutate: (i) => (i.datasets["tank/x;rm -rf /"] = { node: "pve-storage", backup: { exclude: "scratch space, nothing to keep" } }),
        problems: [
            problem(
                'datasets["tank/x;rm -rf /"]',
                '"tank/x;rm -rf /" is not a safe ZFS dataset name: use pool/child with letters, digits and _ . : - only (no spaces or shell characters)',
            ),
        ],
    },
    {
        name: "a dataset name with a .. component",
        mutate: (i) => (i.datasets["tank/../etc"] = { node: "pve-storage", backup: { exclude: "scratch space, nothing to keep" } }),
        problems: [
            problem(
                'datasets["tank/../etc"]',
                '"tank/../etc" is not a safe ZFS dataset name: use pool/child with letters, digits and _ . : - only (no spaces or shell characters)',
            ),
        ],
    },
    {
        name: "a dataset mountpoint that climbs out of its root with ..",
        mutate: (i) => (i.datasets["tank/nvr"].properties.mountpoint = "/tank/../etc"),
        problems: [problem('datasets["tank/nvr"].properties.mountpoint', 'must not have . or .. components, got "/tank/../etc"')],
    },
    {
        name: "a container mount path that climbs into /etc with ..",
        mutate: (i) => (i.datasets["tank/nvr"].mounts[0].path = "/srv/../etc"),
        problems: [problem('datasets["tank/nvr"].mounts[0].path', 'must not have . or .. components, got "/srv/../etc"')],
    },
    {
        name: "a dataset on a node that does not have its pool",
        mutate: (i) => {
            i.datasets["tank/extra"] = { node: "pve-network", properties: {}, backup: { exclude: "scratch space, nothing to keep" } };
        },
        problems: [
            problem(
                'datasets["tank/extra"].node',
                'node "pve-network" has no ZFS pool "tank" (its pools: rpool); put the dataset on a node that has the pool, or list the pool in nodes.pve-network.pools',
            ),
        ],
    },
    {
        name: "an owner container that does not mount the dataset",
        mutate: (i) => (i.datasets["tank/nvr"].owner.container = "media"),
        problems: [
            problem(
                'datasets["tank/nvr"].owner.container',
                'container "media" does not mount this dataset, so its ids say nothing about who writes it; name a container listed in mounts',
            ),
        ],
    },
    {
        name: "an idmap on the privileged container",
        mutate: (i) => (i.guests.photos.idmap = [{ type: "uid", containerId: 0, hostId: 100000, size: 65536 }]),
        problems: [
            problem(
                "guests.photos.idmap",
                "a privileged container uses the host's ids; an idmap applies only to unprivileged containers, so remove it",
            ),
        ],
    },
    {
        name: "an idmap with uid ranges only",
        mutate: (i) => (i.guests.unifi.idmap = [{ type: "uid", containerId: 0, hostId: 200000, size: 65536 }]),
        problems: [problem("guests.unifi.idmap", "no gid range: a custom idmap replaces the default one, so give both uid and gid ranges")],
    },
    {
        name: "an idmap that leaves container root unmapped and overlaps on the host",
        mutate: (i) =>
            (i.guests.unifi.idmap = [
                { type: "uid", containerId: 1, hostId: 200000, size: 1000 },
                { type: "uid", containerId: 2000, hostId: 200500, size: 1000 },
                { type: "gid", containerId: 0, hostId: 200000, size: 65536 },
            ]),
        problems: [
            problem("guests.unifi.idmap", "no uid range maps container id 0 (root), so the container cannot start; add one"),
            problem("guests.unifi.idmap[1]", "uid range overlaps range 0 on the host; make them disjoint"),
        ],
    },
    {
        name: "a dataset owner the owning container's idmap does not map",
        mutate: (i) =>
            (i.guests.nvr.idmap = [
                { type: "uid", containerId: 0, hostId: 200000, size: 1000 },
                { type: "gid", containerId: 0, hostId: 200000, size: 1000 },
            ]),
        problems: [
            problem(
                'datasets["tank/nvr"].owner',
                'uid 1000 / gid 1000 is not mapped by container "nvr"\'s idmap; map it or pick ids the idmap covers',
            ),
            problem(
                'datasets["tank/appdata/nvr"].owner',
                'uid 1000 / gid 1000 is not mapped by container "nvr"\'s idmap; map it or pick ids the idmap covers',
            ),
        ],
    },
    {
        name: "a dataset mountpoint outside the managed roots",
        mutate: (i) => (i.datasets["tank/nvr"].properties.mountpoint = "/var/lib/nvr"),
        problems: [
            problem(
                'datasets["tank/nvr"].properties.mountpoint',
                "mountpoint /var/lib/nvr is outside the managed roots (/tank, /rpool/appdata); set a mountpoint under one of them or add a root to cluster.managedRoots",
            ),
        ],
    },
    {
        name: "a dataset mounted into an unprivileged container without an owner",
        mutate: (i) => delete i.datasets["tank/nvr"].owner,
        problems: [
            problem(
                'datasets["tank/nvr"].owner',
                `dataset is bind-mounted into unprivileged container "nvr" but has no owner; ${OWNER_FIX}`,
            ),
        ],
    },
    {
        name: "a dataset mounted into two unprivileged containers without an owner",
        mutate: (i) => delete i.datasets["tank/cloud"].owner,
        problems: [
            problem(
                'datasets["tank/cloud"].owner',
                `dataset is bind-mounted into unprivileged containers "cloud" and "files" but has no owner; ${OWNER_FIX}`,
            ),
        ],
    },
    {
        name: "a bind mount into a VM",
        mutate: (i) => (i.datasets["tank/pbs"].mounts = [{ guest: "pbs", path: "/mnt/datastore" }]),
        problems: [
            problem(
                'datasets["tank/pbs"].mounts[0].guest',
                '"pbs" is a VM and cannot bind-mount a host dataset; export it with properties.sharenfs instead',
            ),
        ],
    },
    {
        name: "a bind mount across nodes",
        mutate: (i) => i.datasets["rpool/appdata/edge"].mounts.push({ guest: "cloud", path: "/srv/edge" }),
        problems: [
            problem(
                'datasets["rpool/appdata/edge"].mounts[1].guest',
                'guest "cloud" runs on "pve-storage" but the dataset lives on "pve-network"; a bind mount must be on the same node',
            ),
        ],
    },
    {
        name: "a bind mount over a system directory",
        mutate: (i) => (i.datasets["tank/nvr"].mounts[0].path = "/etc/frigate"),
        problems: [
            problem(
                'datasets["tank/nvr"].mounts[0].path',
                "mount path /etc/frigate would shadow a system directory inside the container; mount under /mnt, /srv or /data",
            ),
        ],
    },
    {
        name: "a dataset mounted twice into one guest",
        mutate: (i) => i.datasets["tank/nvr"].mounts.push({ guest: "nvr", path: "/mnt/again" }),
        problems: [problem('datasets["tank/nvr"].mounts[1]', 'guest "nvr" is listed twice (first at [0]); list it once')],
    },

    // --- VM hardware --------------------------------------------------------------------------------
    {
        name: "a TPM without OVMF",
        mutate: (i) => (i.guests.windows.bios = "seabios"),
        problems: [problem("guests.windows.bios", 'a TPM needs UEFI; set bios to "ovmf"')],
    },
    {
        name: "a balloon floor above memory",
        mutate: (i) => (i.guests.windows.memoryFloorMiB = 16384),
        problems: [problem("guests.windows.memoryFloorMiB", "balloon floor 16384 MiB exceeds memory 8192 MiB; lower the floor")],
    },
    {
        name: "a VM without boot media",
        mutate: (i) => delete i.guests.windows.cdrom,
        problems: [
            problem(
                "guests.windows.image",
                "a VM needs boot media: set image (a key of images), cdrom or clone (an installed VM: cdrom none; one being adopted needs none)",
            ),
        ],
    },
    {
        name: "a VM booting from both an image and a clone",
        mutate: (i) => {
            i.guests.golden = {
                ...structuredClone(i.guests.pbs),
                vmid: 9000,
                template: true,
                backup: { exclude: "a template, rebuilt from its image" },
            };
            delete i.guests.golden.ipv4;
            i.guests.pbs.clone = { from: "golden" };
        },
        problems: [problem("guests.pbs.clone", "a VM boots from an image or a clone, not both; remove one")],
    },
    {
        name: "an image whose digest does not fit its algorithm",
        mutate: (i) => (i.images["debian-12-lxc"].checksumAlgorithm = "sha256"),
        problems: [problem("images.debian-12-lxc.checksum", "a sha256 digest has 64 hex digits, got 128")],
    },

    // --- backups and offsite ----------------------------------------------------------------------
    {
        name: "backup tiers without a backups section",
        mutate: (i) => delete i.backups,
        problems: [
            ...DATASET_TIERS.map(([d, t]) =>
                problem(
                    `datasets["${d}"].backup`,
                    `backup tier "${t}" but the inventory has no backups section; add backups, or exclude with a reason`,
                ),
            ),
            ...TIERED.map((g) =>
                problem(
                    `guests.${g}.backup`,
                    `backup tier "${TIER_OF[g]}" but the inventory has no backups section; add backups, or exclude with a reason`,
                ),
            ),
            problem(
                "offsite.servesPbs",
                "the program copies PBS's datastore to the bucket only when it sets PBS up: make backups.target a pbs storage on a guest of this inventory, or set servesPbs: false and sync by hand",
            ),
        ],
    },
    {
        name: "a PBS guest with a backup tier",
        mutate: (i) => (i.guests.pbs.backup = { tier: "low" }),
        problems: [problem("guests.pbs.backup", "the PBS guest cannot back itself up into its own datastore; exclude it with a reason")],
    },
    {
        name: "an empty backup window",
        mutate: (i) => (i.backups.window = { start: "01:00", end: "01:00" }),
        problems: [problem("backups.window", "the night window is empty (start equals end); give it at least one slot")],
    },
    {
        name: "a retention that keeps nothing",
        mutate: (i) => (i.backups.tiers.low.retention = {}),
        problems: [problem("backups.tiers.low.retention", "retention keeps nothing; set at least one keep* count")],
    },
    {
        name: "an offsite b2 bucket without an endpoint",
        mutate: (i) => (i.offsite.service = "b2"),
        problems: [
            problem("offsite.endpoint", 'service "b2" needs its S3 endpoint; set endpoint, e.g. https://s3.us-west-004.backblazeb2.com'),
        ],
    },
    {
        name: "Object Lock on the bucket PBS writes",
        mutate: (i) => (i.offsite.objectLock = true),
        problems: [
            problem(
                "offsite.objectLock",
                "Object Lock stops Proxmox Backup Server's garbage collection from deleting chunks; turn it off for a bucket PBS writes to",
            ),
        ],
    },
    {
        name: "two writers on a service without IAM",
        mutate: (i) => {
            i.offsite.service = "b2";
            i.offsite.endpoint = "https://s3.us-west-004.backblazeb2.com";
            i.offsite.writers = ["pbs", "files"];
        },
        problems: [problem("offsite.writers", 'service "b2" has no IAM API, so one scoped key serves one writer; list a single writer')],
    },
];

describe("a bad inventory", () => {
    it("has at least 35 distinct cases, each with its own name", () => {
        expect(BAD.length).toBeGreaterThanOrEqual(35);
        expect(new Set(BAD.map((c) => c.name)).size).toBe(BAD.length);
    });

    test.each(BAD)("is refused: $name", ({ mutate, problems }) => {
        expect(problemsOf(mutated(mutate))).toEqual(problems);
    });

    it("reports every problem of several in one error, zod's first", () => {
        const raw = mutated((i) => {
            i.guests.edge.cores = "2";
            i.guests.files.vmid = 30051;
            i.offsite.objectLock = true;
        });
        // The schema's problems first, then the cross-checks over every entity that parsed.
        expect(problemsOf(raw)).toEqual([
            problem("guests.edge.cores", 'must be a number, got "2"'),
            problem(
                "guests.files.vmid",
                "VMID 30051 breaks the ID scheme (VLAN × 1000 + last octet); for VLAN 30 and 192.168.30.50 it must be 30050",
            ),
            problem(
                "offsite.objectLock",
                "Object Lock stops Proxmox Backup Server's garbage collection from deleting chunks; turn it off for a bucket PBS writes to",
            ),
        ]);

        // A cross-check that only follows from an entity the schema refused is not reported: here the
        // broken edge guest leaves its dataset's mount dangling, which says nothing new.
        const brokenOnly = mutated((i) => {
            i.guests.edge.cores = "2";
        });
        expect(problemsOf(brokenOnly)).toEqual([problem("guests.edge.cores", 'must be a number, got "2"')]);

        const crossOnly = mutated((i) => {
            i.guests.files.vmid = 30051;
            i.guests.edge.disk.storage = "local";
            i.offsite.objectLock = true;
            delete i.datasets["tank/nvr"].owner;
        });
        let thrown: unknown;
        try {
            parseInventory(crossOnly, "Pulumi.prod.yaml");
        } catch (err) {
            thrown = err;
        }
        expect(thrown).toBeInstanceOf(InventoryError);
        const error = thrown as InventoryError;
        expect(error.problems.map((p) => p.path)).toEqual([
            "guests.edge.disk.storage",
            "guests.files.vmid",
            'datasets["tank/nvr"].owner',
            "offsite.objectLock",
        ]);
        const lines = error.message.split("\n");
        expect(lines[0]).toBe("Pulumi.prod.yaml is invalid (4 problems):");
        expect(lines.slice(1).map((l) => l.slice(0, l.indexOf(":", 4)))).toEqual([
            "  - guests.edge.disk.storage",
            "  - guests.files.vmid",
            '  - datasets["tank/nvr"].owner',
            "  - offsite.objectLock",
        ]);
    });

    it("reports several zod problems in one error", () => {
        const raw = mutated((i) => {
            i.guests.edge.cores = "2";
            i.guests.unifi.coress = 1;
            delete i.guests.media.tier;
        });
        expect(problemsOf(raw)).toEqual([
            problem("guests.unifi.coress", 'unknown key; did you mean "cores"?'),
            problem("guests.edge.cores", 'must be a number, got "2"'),
            problem("guests.media.tier", 'is required: must be one of "critical", "high", "normal", "low", "minimal"'),
        ]);
    });
});

describe("splitConfig", () => {
    it("refuses an unknown homelab:* key, naming the known ones", () => {
        let thrown: unknown;
        try {
            splitConfig({ "homelab:guest": {}, "homelab:cluster": {} }, "Pulumi.prod.yaml");
        } catch (err) {
            thrown = err;
        }
        expect(thrown).toBeInstanceOf(InventoryError);
        expect((thrown as InventoryError).problems).toEqual([
            problem(
                "homelab:guest",
                `unknown config key; did you mean "homelab:guests"? The inventory keys are ${INVENTORY_KEYS.join(", ")} and the credential keys ${CREDENTIAL_KEYS.join(", ")}`,
            ),
        ]);
        expect(INVENTORY_KEYS).toEqual([
            "cluster",
            "networks",
            "nodes",
            "storages",
            "mappings",
            "images",
            "datasets",
            "guests",
            "ha",
            "dns",
            "backups",
            "offsite",
        ]);
    });

    it("keeps credentials and other namespaces out of the inventory and notes secret keys", () => {
        const split = splitConfig({
            "homelab:cluster": { name: "attic" },
            "homelab:proxmoxApiToken": { secure: "AAABAC..." },
            "proxmoxve:endpoint": "https://192.168.10.11:8006/",
        });
        expect(split.inventory).toEqual({ cluster: { name: "attic" } });
        expect(split.secretKeys).toEqual(["homelab:proxmoxApiToken"]);
        expect(Object.keys(split.config)).toEqual(["homelab:cluster", "homelab:proxmoxApiToken", "proxmoxve:endpoint"]);
    });
});
