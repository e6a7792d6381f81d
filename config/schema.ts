/**
 * The inventory schema: every entity of the homelab as strict zod objects.
 *
 * Pure module: no `@pulumi/*` import, so tools, tests and the policy pack can use it offline.
 * Types come from `z.infer`; cross-entity rules (references, the ID scheme, ...) live in
 * `crosschecks.ts` and run after this schema has parsed.
 *
 * Credentials are never fields here: they come from the environment or secret stack config.
 */
import { z } from "zod";
import { TIERS } from "../lib/scheme";

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** A key used as a Pulumi resource name and a Proxmox name: lowercase DNS label. */
export const KEY_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const key = (what: string) =>
    z.string().regex(KEY_PATTERN, {
        error: `${what} must be a lowercase DNS label (a-z, 0-9, '-', starting with a letter)`,
    });

/** ZFS dataset names: pool/child/..., each component [A-Za-z0-9_.:-], nothing a shell would read. */
export const ZFS_DATASET_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_:][A-Za-z0-9_.:-]*)+$/;
/** Absolute POSIX paths with conservative characters (spaces allowed, quoted wherever used). */
export const SAFE_ABSOLUTE_PATH = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))\/(?:[A-Za-z0-9_.@+:, -]+\/?)*$/;
/** Linux device nodes passed into containers. */
export const DEVICE_PATH = /^\/dev\/[A-Za-z0-9_./-]+$/;
/** Hostnames (FQDN or relative). */
export const HOSTNAME_PATTERN =
    /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

const ipv4 = z.ipv4({ error: "must be a dotted-quad IPv4 address such as 192.168.30.10" });
const cidr = z.cidrv4({ error: "must be an IPv4 subnet such as 192.168.30.0/24" });
const hostname = z.string().regex(HOSTNAME_PATTERN, { error: "must be a hostname such as pve.example.org" });
const positiveInt = z.number().int().positive();
const safePath = z.string().regex(SAFE_ABSOLUTE_PATH, {
    error: "must be an absolute path of letters, digits, spaces and _ . @ + : , - (no . or .. components)",
});
/** ZFS sizes: bytes or a number with a K/M/G/T/P suffix (`4T`, `512G`, `1.5T`). */
export const ZFS_SIZE_PATTERN = /^(?:\d+|\d+(?:\.\d+)?[KMGTP])$/;
const zfsSize = z.string().regex(ZFS_SIZE_PATTERN, { error: "must be a size such as 512G, 4T or 1.5T" });
/** Record sizes ZFS accepts: powers of two from 512 bytes to 16M. */
export const RECORDSIZES = [
    "512",
    "1K",
    "2K",
    "4K",
    "8K",
    "16K",
    "32K",
    "64K",
    "128K",
    "256K",
    "512K",
    "1M",
    "2M",
    "4M",
    "8M",
    "16M",
] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "must be a time of day as HH:MM (24 h)" });

// ---------------------------------------------------------------------------------------------
// Cluster and networks
// ---------------------------------------------------------------------------------------------

export const clusterSchema = z.strictObject({
    /** Cluster name as `pvecm` knows it. */
    name: key("cluster.name"),
    /** Search domain of the guests (`lab.example.org`). */
    domain: hostname,
    /** IANA time zone the night window of backups is expressed in. */
    timezone: z.string().regex(/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)*$/, { error: "must be an IANA time zone such as Europe/Berlin" }),
    /** Proxmox API endpoint, e.g. `https://192.168.10.11:8006/`. */
    endpoint: z.url({ protocol: /^https$/, error: "must be an https:// URL of the Proxmox API, such as https://192.168.10.11:8006/" }),
    /** Accept the self-signed certificate of a fresh Proxmox install. @default false */
    insecure: z.boolean().default(false),
    /** Address of the corosync QDevice (the third vote of a two-node cluster). */
    qdevice: z.strictObject({ address: ipv4 }),
    /** DNS servers guests use. */
    dnsServers: z.array(ipv4).min(1),
    /** Enforce VMID = VLAN × 1000 + last octet. @default true */
    enforceIdScheme: z.boolean().default(true),
    /** Host paths under which container bind mounts may live (dataset mountpoints). */
    managedRoots: z.array(safePath).min(1),
    /** Public SSH keys installed for root in every guest (public keys, not secrets). */
    sshPublicKeys: z
        .array(
            z.string().regex(/^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( [^\n]*)?$/, {
                error: "must be an OpenSSH public key line",
            }),
        )
        .default([]),
});

export const networkSchema = z.strictObject({
    /** 802.1Q VLAN id. */
    vlan: z.number().int().min(1).max(4094),
    /** The subnet of the VLAN. */
    cidr,
    /** The router's address in the subnet. */
    gateway: ipv4,
    /** What lives there. */
    description: z.string().max(200).optional(),
});

// ---------------------------------------------------------------------------------------------
// Nodes and storage
// ---------------------------------------------------------------------------------------------

export const STORAGE_CONTENT = ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import"] as const;
const content = z.array(z.enum(STORAGE_CONTENT)).min(1);
/** Whether this program creates the storage definition or only uses one the installer made. */
const managed = z.boolean().default(true);

export const storageSchema = z.discriminatedUnion("kind", [
    z.strictObject({
        kind: z.literal("zfs"),
        pool: z
            .string()
            .regex(/^[A-Za-z][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)*$/, { error: "must be a ZFS pool or dataset name such as rpool/data" }),
        content,
        managed,
        sparse: z.boolean().default(true),
    }),
    z.strictObject({ kind: z.literal("lvmthin"), volumeGroup: key("volumeGroup"), thinPool: key("thinPool"), content, managed }),
    z.strictObject({ kind: z.literal("nfs"), server: ipv4, export: safePath, content, managed }),
    z.strictObject({ kind: z.literal("dir"), path: safePath, content, managed }),
]);

export const nodeSchema = z.strictObject({
    /** Address Pulumi's remote commands reach the node's SSH server at. */
    address: ipv4,
    /** SSH port. @default 22 */
    sshPort: z.number().int().min(1).max(65535).default(22),
    /** SSH user (ZFS commands need root). @default "root" */
    sshUser: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]*$/)
        .default("root"),
    /** CPU model, for the record. */
    cpu: z.string().max(100).optional(),
    /** Hardware threads. */
    threads: positiveInt,
    /** Physical memory. */
    memoryGiB: positiveInt,
    /** The ZFS mirror the node boots from. */
    /**
     * The node already runs Proxmox with its bridge (the installer's `vmbr0`): the next `pulumi up`
     * imports the bridge instead of creating it. Remove the flag once imported. @default false
     */
    adopt: z.boolean().default(false),
    bootMirror: z.strictObject({
        pool: z.string().regex(/^[A-Za-z][A-Za-z0-9_.:-]*$/),
        disks: z.array(z.string().min(1)).min(2, { error: "a mirror needs at least two disks" }),
    }),
    /** The VLAN-aware bridge and its physical ports. */
    bridge: z.strictObject({
        name: z.string().regex(/^vmbr\d{1,4}$/, { error: "must be a bridge name such as vmbr0" }),
        ports: z.array(z.string().regex(/^[a-z][a-z0-9.]{0,14}$/)).min(1),
    }),
    /** Storages the node offers, keyed by cluster-wide storage id. */
    storages: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, { error: "storage ids must be lowercase DNS labels" }), storageSchema),
});

// ---------------------------------------------------------------------------------------------
// ZFS datasets
// ---------------------------------------------------------------------------------------------

export const zfsPropertiesSchema = z.strictObject({
    compression: z.enum(["on", "off", "lz4", "zstd", "gzip", "lzjb", "zle"]).optional(),
    recordsize: z.enum(RECORDSIZES, { error: `must be a power of two from 512 to 16M: ${RECORDSIZES.join(", ")}` }).optional(),
    quota: zfsSize.optional(),
    reservation: zfsSize.optional(),
    atime: z.enum(["on", "off"]).optional(),
    xattr: z.enum(["on", "off", "sa"]).optional(),
    acltype: z.enum(["off", "posix", "nfsv4"]).optional(),
    mountpoint: safePath.optional(),
    /** NFS export options (`rw=@192.168.10.20/32,no_root_squash`): how a VM reaches a dataset. */
    sharenfs: z
        .string()
        .regex(/^(off|on|[A-Za-z0-9_@/.,=:-]+)$/, {
            error: "must be off, on or export options such as rw=@192.168.10.20/32,no_root_squash",
        })
        .optional(),
});

export const datasetSchema = z.strictObject({
    /** Node whose pool holds the dataset. */
    node: key("node"),
    /** ZFS properties to set; a property left out is inherited. */
    properties: zfsPropertiesSchema.default({}),
    /** Owner of the mountpoint as seen inside a container (mapped to host ids by its idmap). */
    owner: z
        .strictObject({
            container: key("owner.container"),
            uid: z.number().int().min(0).max(65535),
            gid: z.number().int().min(0).max(65535),
            mode: z
                .string()
                .regex(/^0?[0-7]{3}$/, { error: "must be an octal mode such as 0750" })
                .default("0750"),
        })
        .optional(),
    /** Bind mounts (containers) or NFS exports (VMs) of the dataset. */
    mounts: z
        .array(
            z.strictObject({
                guest: key("mount guest"),
                path: safePath,
                readOnly: z.boolean().default(false),
            }),
        )
        .default([]),
    /** Deleting the resource destroys the (empty) dataset instead of leaving it on disk. @default false */
    allowDestroy: z.boolean().default(false),
});

// ---------------------------------------------------------------------------------------------
// Guests
// ---------------------------------------------------------------------------------------------

const diskSchema = z.strictObject({
    /** Storage id (never `local`). */
    storage: z.string().min(1),
    sizeGiB: positiveInt,
});

export const firewallRuleSchema = z.strictObject({
    action: z.enum(["ACCEPT", "DROP", "REJECT"]),
    direction: z.enum(["in", "out"]).default("in"),
    proto: z.enum(["tcp", "udp", "icmp"]).optional(),
    dport: z
        .string()
        .regex(/^\d{1,5}(?:[:-]\d{1,5})?(?:,\d{1,5}(?:[:-]\d{1,5})?)*$/, { error: "must be ports such as 443, 80,443 or 8000:8100" })
        .optional(),
    source: z.union([ipv4, cidr], { error: "must be an IPv4 address or subnet such as 192.168.30.10 or 192.168.30.0/24" }).optional(),
    comment: z.string().max(120).optional(),
});

/** Backup tiers, most frequent first: critical daily, medium weekly, low monthly. */
export const BACKUP_TIERS = ["critical", "medium", "low"] as const;

const guestCommon = {
    node: key("node"),
    /** VLAN id of the guest's first NIC. */
    vlan: z.number().int().min(1).max(4094),
    ipv4,
    vmid: z.number().int().min(100).max(999999999),
    cores: z.number().int().min(1).max(128),
    memoryMiB: z.number().int().min(16),
    tier: z.enum(TIERS),
    description: z.string().max(500).optional(),
    /** The guest is the VLAN's router and owns its gateway address (the firewall VM). @default false */
    gateway: z.boolean().default(false),
    /** Protect from deletion (stateful guests). @default true */
    stateful: z.boolean().default(true),
    /**
     * The guest already exists (same VMID on its node): the next `pulumi up` imports it instead of
     * creating it, and fails without changing anything if it differs from the inventory. Remove
     * the flag once imported. @default false
     */
    adopt: z.boolean().default(false),
    /** Backup tier, or a reason to leave the guest out of vzdump jobs. */
    backup: z.union([
        z.strictObject({ tier: z.enum(BACKUP_TIERS) }),
        z.strictObject({
            exclude: z
                .string({ error: "give a reason of at least 10 characters" })
                .min(10, { error: "give a reason of at least 10 characters" }),
        }),
    ]),
    /** Extra tags (tier and `docker` are added automatically). */
    tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { error: "tags are lowercase a-z, 0-9, '-' and '_'" })).default([]),
    /** Name of a primary/secondary pair whose members must run on different nodes. */
    haPair: key("haPair").optional(),
    /** Proxmox HA management (restart/migrate by the HA manager). */
    ha: z.strictObject({ state: z.enum(["started", "stopped", "ignored"]).default("started") }).optional(),
    firewall: z
        .strictObject({
            inputPolicy: z.enum(["DROP", "REJECT", "ACCEPT"]).default("DROP"),
            outputPolicy: z.enum(["DROP", "REJECT", "ACCEPT"]).default("ACCEPT"),
            rules: z.array(firewallRuleSchema).default([]),
        })
        .default({ inputPolicy: "DROP", outputPolicy: "ACCEPT", rules: [] }),
};

export const lxcGuestSchema = z.strictObject({
    kind: z.literal("lxc"),
    ...guestCommon,
    swapMiB: z.number().int().min(0).default(512),
    /** Root disk. */
    disk: diskSchema,
    /** Key of the OS template in `images`. */
    template: key("template"),
    /** Run Docker inside: grants `nesting` and `keyctl`. @default false */
    docker: z.boolean().default(false),
    /** The privileged exception; the reason is mandatory. */
    privileged: z
        .strictObject({
            reason: z
                .string({ error: "give a reason of at least 10 characters" })
                .min(10, { error: "give a reason of at least 10 characters" }),
        })
        .optional(),
    /** Host device nodes passed into the container (`/dev/dri/renderD128`, `/dev/net/tun`). */
    devices: z
        .array(
            z.strictObject({
                path: z.string().regex(DEVICE_PATH, { error: "must be a device path under /dev such as /dev/dri/renderD128" }),
                gid: z.number().int().min(0).max(65535).optional(),
                mode: z
                    .string()
                    .regex(/^0?[0-7]{3,4}$/)
                    .optional(),
            }),
        )
        .default([]),
    /**
     * Custom uid/gid mapping of an unprivileged container (`lxc.idmap` entries, written to the
     * container's config file over SSH). It replaces Proxmox's default `0 100000 65536` range
     * entirely: a container id outside every listed range of its type is unmapped. The host ids
     * must be allowed to root in /etc/subuid and /etc/subgid on the node. @default none (the default range)
     */
    idmap: z
        .array(
            z.strictObject({
                /** Which ids the range maps. */
                type: z.enum(["uid", "gid"]),
                /** First id of the range inside the container. */
                containerId: z.number().int().min(0).max(65535),
                /** First id of the range on the host. */
                hostId: z.number().int().min(0).max(4294967294),
                /** Number of ids in the range. */
                size: z.number().int().min(1).max(65536),
            }),
        )
        .optional(),
});

export const vmGuestSchema = z.strictObject({
    kind: z.literal("vm"),
    ...guestCommon,
    /** Balloon floor: the guest may be squeezed down to this. @default memoryMiB / 2 */
    memoryFloorMiB: z.number().int().min(0).optional(),
    /** Disks in order (scsi0, scsi1, ...). */
    disks: z.array(diskSchema).min(1),
    /** QEMU CPU type. @default "x86-64-v2-AES" */
    cpuType: z
        .string()
        .regex(/^[A-Za-z0-9_.-]+$/)
        .default("x86-64-v2-AES"),
    /** Firmware: OVMF (UEFI) or SeaBIOS. @default "seabios" */
    bios: z.enum(["seabios", "ovmf"]).default("seabios"),
    /** Machine type. q35 is forced where PCIe passthrough needs it. @default "pc" */
    machine: z.enum(["pc", "q35"]).default("pc"),
    /** A TPM 2.0 state disk (Windows 11). @default false */
    tpm: z.boolean().default(false),
    /** Storage of EFI vars, TPM state and cloud-init drive. @default the first disk's storage */
    systemStorage: z.string().min(1).optional(),
    /** Operating system family, for Proxmox's defaults. */
    osType: z.enum(["l26", "win11", "win10", "other"]).default("l26"),
    /** Boot media: an installer ISO or a cloud image from `images`, or a clone of a template VM. */
    image: key("image").optional(),
    clone: z.strictObject({ vmid: z.number().int().min(100), node: key("clone.node").optional() }).optional(),
    /** An installer ISO already on a storage (`local:iso/Win11_24H2_x64.iso`), for media with no stable URL. */
    cdrom: z
        .string()
        .regex(/^[a-z][a-z0-9-]*:iso\/[A-Za-z0-9][A-Za-z0-9_.+-]*\.iso$/, { error: "must be a volume id such as local:iso/installer.iso" })
        .optional(),
    /** Cloud-init user and static address (cloud images and clones only). */
    cloudInit: z.strictObject({ user: z.string().regex(/^[a-z_][a-z0-9_-]*$/) }).optional(),
    /** PCI passthrough by Proxmox hardware mapping id. */
    pciMappings: z.array(z.strictObject({ mapping: key("mapping"), pcie: z.boolean().default(true) })).default([]),
    /** USB passthrough by Proxmox hardware mapping id. */
    usbMappings: z.array(z.strictObject({ mapping: key("mapping") })).default([]),
});

export const guestSchema = z.discriminatedUnion("kind", [lxcGuestSchema, vmGuestSchema]);

// ---------------------------------------------------------------------------------------------
// Images (templates, ISOs, cloud images), downloaded with a pinned checksum
// ---------------------------------------------------------------------------------------------

export const imageSchema = z.strictObject({
    /** `vztmpl` for container templates, `iso` for installers and cloud images, `import` for disk imports. */
    contentType: z.enum(["vztmpl", "iso", "import"]),
    url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
    /** File name on the storage. */
    fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/, { error: "must be a plain file name" }),
    checksum: z.string().regex(/^[a-f0-9]{64}$|^[a-f0-9]{128}$/, { error: "must be a hex sha256 (64) or sha512 (128) digest" }),
    checksumAlgorithm: z.enum(["sha256", "sha512"]),
    /** Storage id the file is downloaded to (per node). */
    storage: z.string().min(1),
});

// ---------------------------------------------------------------------------------------------
// DNS, backups, offsite
// ---------------------------------------------------------------------------------------------

export const dnsRecordSchema = z.strictObject({
    /** Name relative to the zone (`*.lab`, `vpn`, `www`) or `@` for the apex. */
    name: z.string().regex(/^(@|(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/, {
        error: "must be a name relative to the zone such as www, *.lab or @",
    }),
    type: z.enum(["A", "CNAME"]),
    /** `wan` (the WAN address, or the dynamic-DNS name), an IPv4 address (A) or a hostname (CNAME). */
    target: z.string().min(1),
    /** Through the Cloudflare proxy. */
    proxied: z.boolean(),
    /** The service behind it speaks UDP (the proxy carries none). @default "tcp" */
    protocol: z.enum(["tcp", "udp"]).default("tcp"),
    /** What it is for. */
    purpose: z.string().max(100).optional(),
});

export const dnsSchema = z.strictObject({
    zone: hostname,
    /** TTL of DNS-only records (proxied ones are automatic). @default 300 */
    ttlSeconds: z.number().int().min(60).max(86400).default(300),
    /** The WAN address; otherwise `wan` records are CNAMEs to `ddnsHostname`. */
    wanAddress: ipv4.optional(),
    ddnsHostname: hostname.optional(),
    records: z.record(key("record key"), dnsRecordSchema),
});

export const retentionSchema = z.strictObject({
    keepDaily: z.number().int().min(0).optional(),
    keepWeekly: z.number().int().min(0).optional(),
    keepMonthly: z.number().int().min(0).optional(),
    keepYearly: z.number().int().min(0).optional(),
});

export const backupsSchema = z.strictObject({
    pbs: z.strictObject({
        /** The guest running Proxmox Backup Server. */
        guest: key("pbs.guest"),
        /** Storage id of the PBS datastore in Proxmox. @default "pbs" */
        storageId: key("storageId").default("pbs"),
        /** Datastore name on the PBS side. */
        datastore: z.string().regex(/^[A-Za-z0-9_-]+$/),
        /** PBS user the cluster logs in as. */
        username: z
            .string()
            .regex(/^[a-z0-9_.-]+@(pbs|pam)(![a-z0-9_-]+)?$/, { error: "must be a PBS user such as backup@pbs or backup@pbs!pve" }),
        /** SHA-256 fingerprint of the PBS certificate. */
        fingerprint: z
            .string()
            .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, { error: "must be a SHA-256 fingerprint as 32 hex pairs separated by ':'" }),
    }),
    /** Night window backups start in, local time of `cluster.timezone`. */
    window: z.strictObject({ start: hhmm, end: hhmm, slotMinutes: z.number().int().min(5).max(240).default(30) }),
    bandwidthLimitKiBps: z.number().int().min(1),
    tiers: z.strictObject({
        critical: z.strictObject({ every: z.literal("day"), retention: retentionSchema }),
        medium: z.strictObject({
            every: z.literal("week"),
            weekday: z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
            retention: retentionSchema,
        }),
        low: z.strictObject({ every: z.literal("month"), dayOfMonth: z.number().int().min(1).max(28), retention: retentionSchema }),
    }),
});

export const offsiteSchema = z.strictObject({
    /**
     * The S3 service: `aws` and `wasabi` have IAM (a key per writer); `b2`, `minio` and `r2`
     * (Cloudflare R2: region `auto`, endpoint `https://<account-id>.r2.cloudflarestorage.com`) take
     * one bucket-scoped key. R2 has no object versioning, so it cannot hold a bucket PBS writes to.
     */
    service: z.enum(["aws", "b2", "wasabi", "minio", "r2"]),
    bucket: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-')" }),
    region: z.string().regex(/^[a-z0-9-]+$/),
    /** S3 endpoint of a non-AWS service. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** Days a noncurrent object version is kept. */
    noncurrentVersionDays: z.number().int().min(1),
    /** Days before an incomplete multipart upload is aborted. @default 7 */
    abortIncompleteUploadDays: z.number().int().min(1).default(7),
    /** Object Lock (refused when PBS writes the bucket). @default false */
    objectLock: z.boolean().default(false),
    /** Proxmox Backup Server writes its datastore here (S3 datastore or sync). @default true */
    servesPbs: z.boolean().default(true),
    /** Writers, each getting its own key where the service has IAM. */
    writers: z.array(key("writer")).min(1),
    /**
     * A key of the service's KMS for default encryption (`aws:kms`): an AWS KMS key id, ARN or
     * alias, or a MinIO KMS key name. MinIO refuses default encryption without one; B2, Wasabi and
     * R2 have no KMS. @default none (AES256 with the service's own keys where it has them)
     */
    kmsKeyId: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9:/_.+=@-]{0,2047}$/, {
            error: "must be a KMS key id, ARN or alias such as alias/pbs-offsite or arn:aws:kms:eu-central-1:111122223333:key/...",
        })
        .optional(),
    /**
     * When Proxmox Backup Server copies its datastore to the bucket (a PBS calendar event, local
     * time of the PBS VM). @default "06:00" (after the night's backups)
     */
    syncSchedule: z
        .string()
        .regex(/^[a-z0-9 :,*./-]{1,64}$/, { error: "must be a calendar event such as 06:00, daily or sat 07:00" })
        .optional(),
});

// ---------------------------------------------------------------------------------------------
// The inventory
// ---------------------------------------------------------------------------------------------

export const inventorySchema = z.strictObject({
    cluster: clusterSchema,
    networks: z.record(key("network name"), networkSchema),
    nodes: z.record(key("node name"), nodeSchema),
    images: z.record(key("image key"), imageSchema).default({}),
    datasets: z.record(z.string(), datasetSchema).default({}),
    guests: z.record(key("guest name"), guestSchema),
    dns: dnsSchema.optional(),
    backups: backupsSchema.optional(),
    offsite: offsiteSchema.optional(),
});

/** The keys of `homelab:*` stack config that make the inventory. */
export const INVENTORY_KEYS = Object.keys(inventorySchema.shape) as (keyof typeof inventorySchema.shape)[];

export type Inventory = z.infer<typeof inventorySchema>;
export type InventoryInput = z.input<typeof inventorySchema>;
export type Cluster = Inventory["cluster"];
export type Network = z.infer<typeof networkSchema>;
export type NodeSpec = z.infer<typeof nodeSchema>;
export type StorageSpec = z.infer<typeof storageSchema>;
export type DatasetSpec = z.infer<typeof datasetSchema>;
export type ZfsProperties = z.infer<typeof zfsPropertiesSchema>;
export type GuestSpec = z.infer<typeof guestSchema>;
export type LxcGuestSpec = z.infer<typeof lxcGuestSchema>;
export type VmGuestSpec = z.infer<typeof vmGuestSchema>;
export type ImageSpec = z.infer<typeof imageSchema>;
export type DnsSpec = z.infer<typeof dnsSchema>;
export type DnsRecordSpec = z.infer<typeof dnsRecordSchema>;
export type BackupsSpec = z.infer<typeof backupsSchema>;
export type OffsiteSpec = z.infer<typeof offsiteSchema>;
export type FirewallRuleSpec = z.infer<typeof firewallRuleSchema>;
