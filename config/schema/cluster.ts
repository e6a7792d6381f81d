/**
 * The cluster, its networks, nodes, storages and hardware mappings.
 */
import { z } from "zod";
import {
    DEVICE_ID_PATTERN,
    LINUX_USER_PATTERN,
    PCI_PATH_PATTERN,
    SSH_PUBLIC_KEY_PATTERN,
    ZFS_POOL_OR_DATASET_PATTERN,
} from "../../lib/patterns";
import { CALENDAR_EVENT, FINGERPRINT_PATTERN, PBS_SAFE_ID, PBS_USERID, PLAIN_PATH } from "../../lib/pbs/values";
import { PBS_REPOSITORY_USER } from "../../lib/pbs/repository";
import { ID_SCHEMES, IdScheme } from "../../lib/scheme";
import { MAX_HOST_ID } from "../../lib/shell";
import { cidr, hostKey, hostname, ipv4, key, managed, positiveInt, safePath, uniqueStrings, webUrl } from "./common";

// ---------------------------------------------------------------------------------------------
// Cluster
// ---------------------------------------------------------------------------------------------

export const clusterSchema = z.strictObject({
    /** Cluster name as `pvecm` knows it. */
    name: key("cluster.name"),
    /** Search domain of the guests (`lab.example.org`). */
    domain: hostname,
    /** IANA time zone the night window of backups is expressed in. */
    timezone: z.string().regex(/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)*$/, { error: "must be an IANA time zone such as Europe/Berlin" }),
    /**
     * The Proxmox VE major version the cluster runs: it decides the privileges a role may name (PVE 9
     * dropped VM.Monitor, added VM.GuestAgent.* and VM.Replicate) and HA groups (8) or rules (9). @default 9
     */
    pveVersion: z.union([z.literal(8), z.literal(9)], { error: "must be 8 or 9 (the Proxmox VE major version)" }).default(9),
    /** Proxmox API endpoint, e.g. `https://192.168.10.11:8006/`; never with credentials in it. */
    endpoint: webUrl({
        protocols: ["https"],
        error: "must be an https:// URL of the Proxmox API, such as https://192.168.10.11:8006/",
        credentials: "give the API token with `pulumi config set --secret homelab:proxmoxApiToken <value>` or PROXMOX_VE_API_TOKEN",
    }),
    /** Accept the self-signed certificate of a fresh Proxmox install. @default false */
    insecure: z.boolean().default(false),
    /** The corosync QDevice: the third vote of a two-node cluster (required with exactly two nodes). */
    qdevice: z.strictObject({ address: ipv4 }).optional(),
    /** DNS servers guests use. */
    dnsServers: uniqueStrings(ipv4, "DNS server").min(1),
    /**
     * How VMIDs follow from addresses: `vlan` (VLAN × 1000 + last octet), `octet` (`idOffset` +
     * last octet, for a flat LAN) or `off` (any VMID; duplicates are still refused). @default "vlan"
     */
    idScheme: z.enum(ID_SCHEMES as readonly IdScheme[] as ["vlan", "octet", "off"]).default("vlan"),
    /** Added to the last octet under the `octet` scheme (VMID 200 + .14 = 214). @default 0 */
    idOffset: z.number().int().min(0).max(999_999_000).default(0),
    /** Host paths under which container bind mounts may live (dataset mountpoints, host mounts). */
    managedRoots: uniqueStrings(safePath, "managed root").min(1),
    /** Public SSH keys installed for the login user in every guest (public keys, not secrets). */
    sshPublicKeys: uniqueStrings(
        z.string().regex(SSH_PUBLIC_KEY_PATTERN, { error: "must be an OpenSSH public key line" }),
        "SSH key",
    ).default([]),
    /**
     * Lowest host uid/gid an unprivileged container's root may be mapped to by an `idmap`: below it
     * lie the host's own users (root is 0). @default 100000 (the start of root's /etc/subuid range)
     */
    hostIdFloor: z.number().int().min(1).max(MAX_HOST_ID).default(100000),
    /** The datacenter firewall, enabled as code (Proxmox leaves it off, ignoring every rule until then). */
    firewall: z
        .strictObject({
            /** @default true */
            enabled: z.boolean().default(true),
            /** Who may reach the Proxmox API (8006) and SSH (22) of the nodes. @default the network holding the nodes' addresses */
            adminSources: uniqueStrings(z.union([ipv4, cidr], { error: "must be an IPv4 address or subnet" }), "admin source").optional(),
        })
        .default({ enabled: true }),
    /** The Proxmox user, API token and role this program runs as after its first `up`. */
    automation: z
        .strictObject({
            /** @default "homelab@pve" */
            user: z
                .string()
                .regex(/^[a-z][a-z0-9_.-]{0,31}@pve$/, { error: "must be a user of the pve realm such as homelab@pve" })
                .default("homelab@pve"),
            /** @default "homelab" */
            token: key("automation.token").default("homelab"),
            /** @default "HomelabAutomation" */
            role: z
                .string()
                .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, { error: "must be a role name such as HomelabAutomation" })
                .default("HomelabAutomation"),
        })
        .default({ user: "homelab@pve", token: "homelab", role: "HomelabAutomation" }),
    /**
     * The cluster ran before this inventory (`npm run inventory:from-cluster` sets it): the next
     * `pulumi up` imports the datacenter firewall options and rules instead of writing over them
     * (creating rules where rules exist fails). Remove the flag once imported. @default false
     */
    adopt: z.boolean().default(false),
});

// ---------------------------------------------------------------------------------------------
// Networks
// ---------------------------------------------------------------------------------------------

/** An address or a range no guest may take (a virtual IP, a DHCP or load-balancer pool). */
const reservationSchema = z.union(
    [
        z.strictObject({ address: ipv4, purpose: z.string().min(1).max(120) }),
        z.strictObject({ from: ipv4, to: ipv4, purpose: z.string().min(1).max(120) }),
    ],
    { error: "must be { address, purpose } or { from, to, purpose }" },
);

export const networkSchema = z.strictObject({
    /** 802.1Q VLAN id; absent on an untagged (flat) network. */
    vlan: z.number().int().min(1).max(4094).optional(),
    /** The subnet. */
    cidr,
    /** The router's address in the subnet. */
    gateway: ipv4,
    /** What lives there. */
    description: z.string().max(200).optional(),
    /** Addresses and ranges no guest may take. @default [] */
    reserved: z.array(reservationSchema).default([]),
});

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

const poolName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,255}$/, { error: "must be a ZFS pool name such as rpool" });

/** How the node boots: a ZFS pool (mirror, single disk, RAIDZ) or LVM/ext4 on one disk. */
const bootSchema = z.discriminatedUnion("layout", [
    z.strictObject({ layout: z.literal("zfs-mirror"), pool: poolName.default("rpool"), disks: z.array(z.string().min(1)).min(2) }),
    z.strictObject({ layout: z.literal("zfs-single"), pool: poolName.default("rpool"), disk: z.string().min(1).optional() }),
    z.strictObject({ layout: z.literal("zfs-raidz"), pool: poolName.default("rpool"), disks: z.array(z.string().min(1)).min(3) }),
    z.strictObject({ layout: z.literal("lvm"), volumeGroup: key("boot.volumeGroup").default("pve"), disk: z.string().min(1).optional() }),
]);

export const nodeSchema = z.strictObject({
    /** The node's address: its API, SSH and the bridge's host address. */
    address: ipv4,
    /** The node's SSH host key: every remote command checks it (`cat /etc/ssh/ssh_host_ed25519_key.pub` on the node). */
    hostKey,
    /** SSH port. @default 22 */
    sshPort: z.number().int().min(1).max(65535).default(22),
    /** SSH user (ZFS commands need root). @default "root" */
    sshUser: z.string().regex(LINUX_USER_PATTERN).default("root"),
    /** CPU model, for the record. */
    cpu: z.string().max(100).optional(),
    /** CPU sockets (overcommit counts sockets × threads). @default 1 */
    sockets: z.number().int().min(1).max(8).default(1),
    /** Hardware threads per socket. */
    threads: positiveInt,
    /** Physical memory. */
    memoryGiB: positiveInt,
    /** The boot layout, when given: its ZFS pool counts as one of the node's pools. */
    boot: bootSchema.optional(),
    /** ZFS pools beyond the boot pool (data pools such as `tank`). @default [] */
    pools: uniqueStrings(poolName, "pool").default([]),
    /**
     * The node is freshly installed and its bridge is the installer's: the next `pulumi up` imports
     * the bridge exactly as the installer made it (nothing changes), and the `up` after the flag is
     * removed makes it VLAN-aware. @default false
     */
    adopt: z.boolean().default(false),
    /** The bridge guests attach to: the installer's `vmbr0` with its physical ports. */
    bridge: z.strictObject({
        name: z.string().regex(/^vmbr\d{1,4}$/, { error: "must be a bridge name such as vmbr0" }),
        ports: uniqueStrings(z.string().regex(/^[a-z][a-z0-9.]{0,14}$/, { error: "must be an interface name such as enp1s0" }), "port").min(
            1,
        ),
    }),
});

// ---------------------------------------------------------------------------------------------
// Storages (cluster-wide, as storage.cfg has them)
// ---------------------------------------------------------------------------------------------

/** A path on the PBS guest that goes into its /etc/fstab (lib/pbs/values.ts PLAIN_PATH): a safe path without spaces. */
const fstabPath = safePath.regex(PLAIN_PATH, {
    error: "must have no spaces and no component starting with '.': it goes into /etc/fstab on the PBS guest",
});

export const STORAGE_CONTENT = ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import"] as const;

const storageCommon = {
    /** What the storage holds. */
    content: uniqueStrings(z.enum(STORAGE_CONTENT), "content type").min(1),
    /** Nodes that have the storage. @default every node */
    nodes: uniqueStrings(key("node"), "node").min(1).optional(),
    /** false: the definition exists already (the installer's, or made by hand); the program only uses it. @default true */
    managed,
};

/**
 * Storage kinds the provider has no resource for: the inventory declares them as existing. (A
 * managed `rbd` storage is made by creating its Ceph pool, see CEPH_POOL_DEFAULTS.)
 */
const DECLARED_ONLY_KINDS = ["cephfs"] as const;

/** Whether a storage is of a kind the provider has no resource for (DECLARED_ONLY_KINDS). */
export function isDeclaredOnly<S extends { readonly kind: string }>(
    storage: S,
): storage is Extract<S, { readonly kind: (typeof DECLARED_ONLY_KINDS)[number] }> {
    return (DECLARED_ONLY_KINDS as readonly string[]).includes(storage.kind);
}

/**
 * What Proxmox gives a new Ceph pool when the request leaves it out (pve-manager
 * PVE/API2/Ceph/Pool.pm createpool: size 3, min_size 2), and the storage it adds for the pool
 * with `add_storages` (the same file, $add_storage: id = the pool's name, content rootdir and
 * images, every node).
 */
export const CEPH_POOL_DEFAULTS = { size: 3, minSize: 2, content: ["images", "rootdir"] } as const;

/** Ceph replica counts (pve-manager Pool.pm: 1–7). */
const replicas = z.number().int().min(1).max(7);

export const storageSchema = z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("dir"), path: safePath, ...storageCommon }),
    z.strictObject({ kind: z.literal("lvm"), volumeGroup: key("volumeGroup"), ...storageCommon }),
    z.strictObject({ kind: z.literal("lvmthin"), volumeGroup: key("volumeGroup"), thinPool: key("thinPool"), ...storageCommon }),
    z.strictObject({
        kind: z.literal("zfspool"),
        pool: z.string().regex(ZFS_POOL_OR_DATASET_PATTERN, { error: "must be a ZFS pool or dataset name such as rpool/data" }),
        /** Thin-provisioned zvols. @default true */
        sparse: z.boolean().default(true),
        ...storageCommon,
    }),
    z.strictObject({ kind: z.literal("nfs"), server: z.union([ipv4, hostname]), export: safePath, ...storageCommon }),
    z.strictObject({
        kind: z.literal("cifs"),
        server: z.union([ipv4, hostname]),
        share: z.string().regex(/^[A-Za-z0-9_.$-]{1,80}$/, { error: "must be a share name such as backups" }),
        /** The SMB user; its password comes from `homelab:cifsPassword` (secret) or CIFS_PASSWORD. */
        username: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: "must be an SMB user name" }),
        domain: z
            .string()
            .regex(/^[A-Za-z0-9_.-]{1,64}$/)
            .optional(),
        ...storageCommon,
    }),
    z
        .strictObject({
            kind: z.literal("pbs"),
            /** The guest of this inventory running Proxmox Backup Server: the program installs and sets it up. */
            guest: key("guest").optional(),
            /** Address of a PBS the program does not manage (then `fingerprint` is required). */
            server: ipv4.optional(),
            /** Datastore name on the PBS side (PBS's SAFE_ID). */
            datastore: z.string().regex(PBS_SAFE_ID, {
                error: "must be a datastore name such as tank: 3–32 letters, digits and . _ - (not starting with . or -)",
            }),
            /**
             * PBS user the cluster writes as (its password: `homelab:pbsPassword` or PBS_PASSWORD); a user
             * of the `pbs` realm on a PBS this program sets up (it sets the password).
             */
            username: z
                .string()
                .regex(PBS_REPOSITORY_USER, { error: "must be a PBS user such as pve@pbs (at most 64 characters before the realm)" })
                .default("pve@pbs"),
            /**
             * SHA-256 fingerprint of the PBS certificate. For a PBS on a guest of this inventory it is read
             * back from PBS; given here, it is a pin and a mismatch fails the `up`.
             */
            fingerprint: z
                .string()
                .regex(FINGERPRINT_PATTERN, {
                    error: "must be a SHA-256 fingerprint as 32 hex pairs separated by ':'",
                })
                .optional(),
            /** Where the datastore lives on the PBS guest. @default /mnt/datastore/<datastore> */
            datastorePath: fstabPath.optional(),
            /** The NFS export the PBS guest mounts at `datastorePath` (a dataset with sharenfs). */
            nfs: z.strictObject({ server: ipv4, export: fstabPath }).optional(),
            /** PBS garbage collection schedule (a PBS calendar event). @default "02:00" (daily) */
            gcSchedule: z.string().regex(CALENDAR_EVENT, { error: "must be a calendar event such as 02:00 or sun 03:00" }).default("02:00"),
            /** PBS verify job. @default weekly on Sunday 03:00, skipping snapshots verified within 30 days */
            verify: z
                .strictObject({
                    schedule: z
                        .string()
                        .regex(CALENDAR_EVENT, { error: "must be a calendar event such as sun 03:00" })
                        .default("sun 03:00"),
                    skipVerifiedDays: z.number().int().min(1).max(3650).default(30),
                })
                .default({ schedule: "sun 03:00", skipVerifiedDays: 30 }),
            ...storageCommon,
        })
        // The program sets the password of the user it writes as: a user of PBS's own realm.
        .refine((s) => s.guest === undefined || !PBS_REPOSITORY_USER.test(s.username) || PBS_USERID.test(s.username), {
            error: "on a PBS this program sets up (guest), the user must be of the pbs realm, such as pve@pbs: the program sets its password",
            path: ["username"],
        }),
    z.strictObject({
        kind: z.literal("rbd"),
        /**
         * The Ceph pool. Managed (the default), the program creates the pool on the cluster's Ceph
         * and Proxmox adds this storage with it, named after the pool (so the storage id equals the
         * pool); `managed: false` declares a storage made with pveceph or by hand.
         */
        pool: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: "must be a Ceph pool name such as vm" }),
        /** Replicas of each object, each on another node (managed pools only). @default 3 */
        size: replicas.optional(),
        /** Replicas the pool needs to accept writes (managed pools only). @default 2 */
        minSize: replicas.optional(),
        ...storageCommon,
    }),
    z.strictObject({ kind: z.literal("cephfs"), ...storageCommon }),
]);

// ---------------------------------------------------------------------------------------------
// Hardware mappings
// ---------------------------------------------------------------------------------------------

const pciMapEntry = z.strictObject({
    node: key("node"),
    /** Vendor:device id, as `lspci -nn` shows it (`8086:125c`). */
    id: z.string().regex(DEVICE_ID_PATTERN, { error: "must be a vendor:device id such as 8086:125c (lspci -nn)" }),
    /** PCI address on that node (`0000:01:00.0`). */
    path: z.string().regex(PCI_PATH_PATTERN, { error: "must be a PCI address such as 0000:01:00.0" }),
    /** Subsystem vendor:device id, when the node reports one. */
    subsystemId: z.string().regex(DEVICE_ID_PATTERN).optional(),
    /** IOMMU group, when known. */
    iommuGroup: z.number().int().min(0).optional(),
});

const usbMapEntry = z.strictObject({
    node: key("node"),
    /** Vendor:product id, as `lsusb` shows it (`18d1:9302`): stable across re-plugging. */
    id: z.string().regex(DEVICE_ID_PATTERN, { error: "must be a vendor:product id such as 18d1:9302 (lsusb)" }),
});

/** The mapping exists on the cluster already: the next `pulumi up` imports it by name. Remove the flag once imported. @default false */
const mappingAdopt = z.boolean().default(false);

export const mappingsSchema = z.strictObject({
    /** PCI devices by mapping name (a VM's `pciMappings` refers to them). */
    pci: z
        .record(
            key("mapping name"),
            z.strictObject({ description: z.string().max(200).optional(), map: z.array(pciMapEntry).min(1), adopt: mappingAdopt }),
        )
        .default({}),
    /** USB devices by mapping name (a VM's `usbMappings` or a container's `devices[].usb`). */
    usb: z
        .record(
            key("mapping name"),
            z.strictObject({ description: z.string().max(200).optional(), map: z.array(usbMapEntry).min(1), adopt: mappingAdopt }),
        )
        .default({}),
});
