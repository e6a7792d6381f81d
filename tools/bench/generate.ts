/**
 * Generates valid inventories of any size for the benchmark and for scale tests. Pure and
 * deterministic: the same guest count always gives the same inventory.
 *
 * Shape of an inventory of N guests:
 * - ceil(N / 40) nodes (`node-01`, ...), 32 threads and 128 GiB each, on the management VLAN 10
 *   (10.10.0.0/16); guests fill the nodes 40 at a time, so per node at most 40 guests of 1-2
 *   cores and 1-2 GiB: at most 60 cores (1.9× the threads) and 80 GiB (0.6× the memory);
 * - guest VLANs 100, 101, ... (one /24 each, `10.<vlan / 256>.<vlan % 256>.0/24`), at least
 *   three and at most 50 guests each, guests dealt round-robin over them; each guest's VMID
 *   follows the scheme (VLAN × 1000 + last octet) and each address is unique;
 * - guest 0 is the Proxmox Backup Server VM (excluded from backups) on the first node; every
 *   tenth guest is a VM booting the cloud image, the rest are containers (every third with Docker);
 * - every fifth container gets an appdata dataset it owns, bind-mounted at /srv/appdata; every
 *   tenth dataset is also mounted read-only into the next container on the same node;
 *   the PBS datastore dataset is exported over NFS to the PBS VM;
 * - a wildcard record to the WAN plus one proxied CNAME per ten guests;
 * - every fourth guest is excluded from backups with a reason, the others are in a backup tier
 *   (critical, medium, low in turn); offsite on AWS S3.
 */
import { createHash } from "crypto";
import { DEFAULT_TIERS, InventoryInput } from "../../config/schema";
import { TIERS, schemeVmid } from "../../lib/scheme";

/** Backup tiers the generated guests are dealt over (the default ones). */
const BACKUP_TIERS = Object.keys(DEFAULT_TIERS);

/** Guests per node. */
const GUESTS_PER_NODE = 40;
/** Most guests on one VLAN (a /24 holds 253 hosts; the scheme needs a unique last octet per VLAN). */
const MAX_GUESTS_PER_VLAN = 50;
/** Fewest guest VLANs, so that even a small inventory spreads over several. */
const MIN_GUEST_VLANS = 3;
/** First guest VLAN id. */
const FIRST_GUEST_VLAN = 100;
/** The largest inventory: 250 nodes fit the management addresses 10.10.1.1-250. */
export const MAX_GUESTS = 250 * GUESTS_PER_NODE;

const NODE_THREADS = 32;
const NODE_MEMORY_GIB = 128;
const MANAGEMENT_VLAN = 10;
const PBS_ADDRESS = "10.10.2.20";

// The reference stack's pinned images (real checksums), reused so the inventory validates.
const LXC_TEMPLATE = {
    contentType: "vztmpl",
    url: "http://download.proxmox.com/images/system/debian-12-standard_12.12-1_amd64.tar.zst",
    fileName: "debian-12-standard_12.12-1_amd64.tar.zst",
    checksumAlgorithm: "sha512",
    checksum:
        "50c85eaaece677a3ebe01cc909b83872e9da2a22c29ae652838afce71e83222fdf40f6accecd7d52b180e912fc1f85ecdf7b3fc4d3027da4d865e509a9e76597",
    storage: "local",
} as const;
const CLOUD_IMAGE = {
    contentType: "import",
    url: "https://cloud.debian.org/images/cloud/bookworm/20250210-2019/debian-12-genericcloud-amd64-20250210-2019.qcow2",
    fileName: "debian-12-genericcloud-amd64-20250210-2019.qcow2",
    checksumAlgorithm: "sha512",
    checksum:
        "a58d86525d75fd8e139a2302531ce5d2ab75ef0273cfe78f9d53aada4b23efd45f8433b4806fa4570cfe981c8fae26f5e5e855cbd66ba2198862f28125fd2d45",
    storage: "local",
} as const;

/** Counts of a generated inventory, derived from the guest count alone. */
export interface GeneratedCounts {
    readonly nodes: number;
    readonly guestVlans: number;
    readonly vms: number;
    readonly containers: number;
    readonly datasets: number;
    readonly records: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const nodeName = (k: number) => `node-${pad(k + 1, 2)}`;
const guestName = (i: number) => (i === 0 ? "pbs" : `guest-${pad(i, 4)}`);
const isVm = (i: number) => i === 0 || i % 10 === 0;
const vlanId = (v: number) => FIRST_GUEST_VLAN + v;
const vlanCidr = (vlan: number) => `10.${Math.floor(vlan / 256)}.${vlan % 256}.0/24`;
const vlanAddress = (vlan: number, host: number) => `10.${Math.floor(vlan / 256)}.${vlan % 256}.${host}`;
const networkName = (vlan: number) => `vlan-${vlan}`;
/** A host key line of the shape ssh-keyscan prints, distinct per node (derived from its name, not a real key). */
const hostKeyOf = (node: string) =>
    `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${createHash("sha256").update(node).digest("base64").slice(0, 43)}`;

/** Guest VLANs for N guests. */
const guestVlanCount = (guests: number) => Math.max(MIN_GUEST_VLANS, Math.ceil(guests / MAX_GUESTS_PER_VLAN));

/** The exact counts {@link generateInventory} produces for `guests`. */
export function expectedCounts(guests: number): GeneratedCounts {
    let vms = 0;
    for (let i = 0; i < guests; i++) if (isVm(i)) vms++;
    const containers = guests - vms;
    // Every fifth container (by container index) owns an appdata dataset, plus the PBS datastore.
    const appdata = Math.ceil(containers / 5);
    return {
        nodes: Math.ceil(guests / GUESTS_PER_NODE),
        guestVlans: guestVlanCount(guests),
        vms,
        containers,
        datasets: appdata + 1,
        records: 1 + Math.ceil(guests / 10),
    };
}

/**
 * A raw inventory (as a stack file holds it) of `guests` guests that passes `parseInventory`.
 * @param guests number of guests, PBS VM included: 1 to {@link MAX_GUESTS}
 */
export function generateInventory(guests: number): InventoryInput {
    if (!Number.isInteger(guests) || guests < 1 || guests > MAX_GUESTS) {
        throw new RangeError(`[guests] must be an integer from 1 to ${MAX_GUESTS}, got ${guests}`);
    }
    const nodeCount = Math.ceil(guests / GUESTS_PER_NODE);
    const vlanCount = guestVlanCount(guests);

    const nodes: InventoryInput["nodes"] = {};
    for (let k = 0; k < nodeCount; k++) {
        nodes[nodeName(k)] = {
            address: `10.10.1.${k + 1}`,
            cpu: "generated",
            threads: NODE_THREADS,
            memoryGiB: NODE_MEMORY_GIB,
            hostKey: hostKeyOf(nodeName(k)),
            boot: { layout: "zfs-mirror", pool: "rpool", disks: ["nvme0n1", "nvme1n1"] },
            // The data pool the datasets live on.
            pools: ["tank"],
            bridge: { name: "vmbr0", ports: ["enp1s0"] },
        };
    }

    const networks: InventoryInput["networks"] = {
        management: { vlan: MANAGEMENT_VLAN, cidr: "10.10.0.0/16", gateway: "10.10.0.1", description: "nodes, QDevice and PBS" },
    };
    for (let v = 0; v < vlanCount; v++) {
        const vlan = vlanId(v);
        networks[networkName(vlan)] = { vlan, cidr: vlanCidr(vlan), gateway: vlanAddress(vlan, 1) };
    }

    const guestSpecs: InventoryInput["guests"] = {};
    const datasets: NonNullable<InventoryInput["datasets"]> = {};
    const containersByNode = new Map<string, string[]>();
    let containerIndex = 0;
    for (let i = 0; i < guests; i++) {
        const name = guestName(i);
        const node = nodeName(Math.floor(i / GUESTS_PER_NODE));
        const storage = "local-zfs";
        const tier = TIERS[i % TIERS.length];
        const cores = 1 + (i % 2);
        const memoryMiB = 1024 * (1 + (i % 2));
        const backup =
            i === 0
                ? { exclude: "PBS cannot back itself up into its own datastore" }
                : i % 4 === 0
                  ? { exclude: "stateless, rebuilt from the inventory" }
                  : { tier: BACKUP_TIERS[i % BACKUP_TIERS.length] };
        if (i === 0) {
            guestSpecs[name] = {
                kind: "vm",
                node,
                network: "management",
                ipv4: PBS_ADDRESS,
                vmid: schemeVmid(MANAGEMENT_VLAN, PBS_ADDRESS),
                cores: 2,
                memoryMiB: 4096,
                memoryFloorMiB: 2048,
                tier: "high",
                disks: [{ storage, sizeGiB: 32 }],
                image: "debian-cloud",
                cloudInit: { user: "debian" },
                backup,
            };
            continue;
        }
        // Guests 1.. are dealt round-robin over the guest VLANs; hosts start at .10.
        const vlan = vlanId((i - 1) % vlanCount);
        const host = 10 + Math.floor((i - 1) / vlanCount);
        const common = {
            node,
            network: networkName(vlan),
            ipv4: vlanAddress(vlan, host),
            vmid: schemeVmid(vlan, vlanAddress(vlan, host)),
            cores,
            memoryMiB,
            tier,
            backup,
        };
        if (isVm(i)) {
            guestSpecs[name] = {
                kind: "vm",
                ...common,
                memoryFloorMiB: memoryMiB / 2,
                disks: [{ storage, sizeGiB: 16 }],
                image: "debian-cloud",
                cloudInit: { user: "debian" },
            };
            continue;
        }
        guestSpecs[name] = { kind: "lxc", ...common, disk: { storage, sizeGiB: 8 }, image: "debian-lxc", docker: i % 3 === 0 };
        containersByNode.set(node, [...(containersByNode.get(node) ?? []), name]);
        if (containerIndex % 5 === 0) {
            datasets[`tank/appdata/${name}`] = {
                node,
                properties: { recordsize: "16K", compression: "on" },
                owner: { container: name, uid: 1000, gid: 1000 },
                mounts: [{ guest: name, path: "/srv/appdata" }],
                backup: { tier: "critical" },
            };
        }
        containerIndex++;
    }
    datasets["tank/pbs"] = {
        node: nodeName(0),
        properties: { quota: "3T", sharenfs: `rw=@${PBS_ADDRESS}/32,no_root_squash` },
        backup: { exclude: "the PBS datastore itself; copied offsite by its sync job" },
    };

    // Every tenth appdata dataset is also shared read-only with the next container on its node.
    const appdata = Object.keys(datasets).filter((p) => p.startsWith("tank/appdata/"));
    appdata.forEach((p, n) => {
        if (n % 10 !== 0) return;
        const ds = datasets[p];
        const owner = p.slice("tank/appdata/".length);
        const peers = containersByNode.get(ds.node) ?? [];
        const next = peers[peers.indexOf(owner) + 1];
        if (next) ds.mounts = [...(ds.mounts ?? []), { guest: next, path: `/mnt/${owner}`, readOnly: true }];
    });

    const records: NonNullable<InventoryInput["dns"]>["records"] = {
        "lab-wildcard": { name: "*.lab", type: "A", target: "wan", proxied: false, purpose: "reverse proxy" },
    };
    for (let r = 0; r < Math.ceil(guests / 10); r++) {
        records[`site-${pad(r, 4)}`] = { name: `site-${pad(r, 4)}`, type: "CNAME", target: "example-org.pages.dev", proxied: true };
    }

    return {
        cluster: {
            name: "bench",
            domain: "lab.example.org",
            timezone: "Europe/Berlin",
            endpoint: "https://10.10.1.1:8006/",
            insecure: true,
            // A QDevice is the third vote of a two-node cluster only.
            ...(nodeCount === 2 ? { qdevice: { address: "10.10.0.3" } } : {}),
            dnsServers: ["10.10.0.1"],
            // The key the program logs in to the PBS guest with (a made-up one: the benchmark never connects).
            sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBench01 bench"],
            idScheme: "vlan",
            managedRoots: ["/tank"],
        },
        networks,
        nodes,
        storages: {
            local: { kind: "dir", path: "/var/lib/vz", content: ["iso", "vztmpl", "snippets", "import"], managed: false },
            "local-zfs": { kind: "zfspool", pool: "rpool/data", content: ["images", "rootdir"], managed: false },
            pbs: {
                kind: "pbs",
                guest: "pbs",
                datastore: "tank",
                username: "pve@pbs",
                nfs: { server: "10.10.1.1", export: "/tank/pbs" },
                fingerprint: "7A:1B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09",
                content: ["backup"],
            },
        },
        images: { "debian-lxc": { ...LXC_TEMPLATE }, "debian-cloud": { ...CLOUD_IMAGE } },
        datasets,
        guests: guestSpecs,
        dns: { zone: "example.org", ttlSeconds: 300, wanAddress: "203.0.113.10", records },
        backups: {
            target: "pbs",
            window: { start: "00:30", end: "05:00", slotMinutes: 30 },
            bandwidthLimitKiBps: 102400,
            tiers: {
                critical: { every: "day", retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 } },
                medium: { every: "week", weekday: "sun", retention: { keepWeekly: 4, keepMonthly: 3 } },
                low: { every: "month", dayOfMonth: 1, retention: { keepMonthly: 3 } },
            },
        },
        offsite: {
            service: "aws",
            bucket: "bench-pbs-offsite",
            region: "eu-central-1",
            noncurrentVersionDays: 30,
            writers: ["pbs"],
        },
    };
}
