/**
 * Guests: LXC containers and QEMU VMs, their firewall, backup and HA membership.
 */
import { z } from "zod";
import { DEVICE_PATH, GUEST_TAG_PATTERN, LINUX_USER_PATTERN, PORTS_PATTERN } from "../../lib/patterns";
import { TIERS } from "../../lib/scheme";
import { MAX_HOST_ID } from "../../lib/shell";
import { cidr, ipv4, key, positiveInt, reason, safePath, uniqueBy } from "./common";

const diskSchema = z.strictObject({
    /** Storage id (never `local`). */
    storage: key("storage"),
    sizeGiB: positiveInt,
});

/** Firewall protocols by name, or an IP protocol number (VRRP is 112). */
export const FIREWALL_PROTOCOLS = ["tcp", "udp", "icmp", "vrrp", "esp", "ah", "gre", "sctp", "igmp", "ipv6-icmp"] as const;

export const firewallRuleSchema = z.strictObject({
    action: z.enum(["ACCEPT", "DROP", "REJECT"]),
    direction: z.enum(["in", "out"]).default("in"),
    /** A protocol name or number (`vrrp` or `112`). */
    proto: z.union([z.enum(FIREWALL_PROTOCOLS), z.number().int().min(0).max(255)]).optional(),
    dport: z.string().regex(PORTS_PATTERN, { error: "must be ports such as 443, 80,443 or 8000:8100" }).optional(),
    source: z.union([ipv4, cidr], { error: "must be an IPv4 address or subnet such as 192.168.30.10 or 192.168.30.0/24" }).optional(),
    comment: z.string().max(120).optional(),
});

/** A backup tier (a key of `backups.tiers`), or the reason the guest or dataset has none. */
export const backupChoiceSchema = z.union([z.strictObject({ tier: key("backup tier") }), z.strictObject({ exclude: reason })], {
    error: "must be { tier: <a key of backups.tiers> } or { exclude: <a reason of at least 10 characters> }",
});

const guestCommon = {
    node: key("node"),
    /** The network (a key of `networks`) of the guest's NIC. */
    network: key("network"),
    /** The guest's address on its network (not needed on a template). */
    ipv4: ipv4.optional(),
    vmid: z.number().int().min(100).max(999999999),
    cores: z.number().int().min(1).max(128),
    memoryMiB: z.number().int().min(16),
    /** Importance: CPU weight (unless `cpuUnits` is given), startup order and delay. */
    tier: z.enum(TIERS),
    /** Proxmox `cpuunits` (1–10000), overriding the tier's weight. */
    cpuUnits: z.number().int().min(1).max(10000).optional(),
    description: z.string().max(500).optional(),
    /** The guest is its network's router and owns its gateway address (the firewall VM). @default false */
    gateway: z.boolean().default(false),
    /** Protected from deletion in Proxmox and in Pulumi (stateful guests). @default true */
    stateful: z.boolean().default(true),
    /**
     * The guest already exists (same VMID on its node): the next `pulumi up` imports it instead of
     * creating it. Remove the flag once imported. @default false
     */
    adopt: z.boolean().default(false),
    /** A Proxmox template (never started; clones are made from it). @default false */
    template: z.boolean().default(false),
    /** Made as a clone of a template guest of this inventory. */
    clone: z
        .strictObject({
            /** The template guest. */
            from: key("clone.from"),
            /** A full copy (any storage), or a linked clone (the template's storage, which must allow it). @default true */
            full: z.boolean().default(true),
        })
        .optional(),
    /** Backup tier, or a reason to leave the guest out of vzdump jobs. */
    backup: backupChoiceSchema,
    /** Extra tags (the tier and `docker` are added automatically). */
    tags: z
        .array(z.string().regex(GUEST_TAG_PATTERN, { error: "tags are lowercase a-z, 0-9, '-' and '_'" }))
        .superRefine(uniqueBy<string>((t) => t, "tag"))
        .default([]),
    /** ZFS replication of the guest's local disks to other nodes (for Proxmox HA without shared storage). */
    replication: z
        .array(
            z.strictObject({
                node: key("replication.node"),
                /** A Proxmox calendar event. @default "*\/15" (every 15 minutes) */
                schedule: z
                    .string()
                    .regex(/^[a-z0-9 :*,./-]{1,40}$/)
                    .default("*/15"),
                /** Bandwidth limit in MB/s. */
                rateMBps: z.number().min(1).optional(),
            }),
        )
        .superRefine(uniqueBy<{ node: string }>((r) => r.node, "replication target"))
        .default([]),
    firewall: z
        .strictObject({
            inputPolicy: z.enum(["DROP", "REJECT", "ACCEPT"]).default("DROP"),
            outputPolicy: z.enum(["DROP", "REJECT", "ACCEPT"]).default("ACCEPT"),
            rules: z.array(firewallRuleSchema).default([]),
            /** Why the inbound policy is ACCEPT (required then; the policy pack reads it as the exemption). */
            reason: reason.optional(),
        })
        .default({ inputPolicy: "DROP", outputPolicy: "ACCEPT", rules: [] }),
};

/** A device passed into a container: a device node, or a USB device by its mapping (stable across re-plugging). */
const containerDeviceSchema = z.union(
    [
        z.strictObject({
            path: z.string().max(255).regex(DEVICE_PATH, { error: "must be a device path under /dev such as /dev/dri/renderD128" }),
            gid: z.number().int().min(0).max(65535).optional(),
            mode: z
                .string()
                .regex(/^0?[0-7]{3,4}$/)
                .optional(),
        }),
        z.strictObject({
            /** A key of `mappings.usb`: the program links it to a stable path with a udev rule on the node. */
            usb: key("usb mapping"),
            gid: z.number().int().min(0).max(65535).optional(),
            mode: z
                .string()
                .regex(/^0?[0-7]{3,4}$/)
                .optional(),
        }),
    ],
    { error: "must be { path: /dev/... } or { usb: <a key of mappings.usb> }" },
);

export const lxcGuestSchema = z.strictObject({
    kind: z.literal("lxc"),
    ...guestCommon,
    swapMiB: z.number().int().min(0).default(512),
    /** Root disk. */
    disk: diskSchema,
    /**
     * Key of the OS template in `images` (not needed on a clone). Absent on a container that exists
     * already (adopted): its template is unknown and left alone, also after `adopt` is removed.
     */
    image: key("image").optional(),
    /** Run Docker inside: grants `nesting` (and `keyctl` when unprivileged). @default false */
    docker: z.boolean().default(false),
    /** The privileged exception; the reason is mandatory. */
    privileged: z.strictObject({ reason }).optional(),
    /** Devices passed into the container. @default [] */
    devices: z.array(containerDeviceSchema).default([]),
    /**
     * Custom uid/gid mapping of an unprivileged container (`lxc.idmap`). It replaces Proxmox's default
     * `0 100000 65536` range entirely. @default none (the default range)
     */
    idmap: z
        .array(
            z
                .strictObject({
                    type: z.enum(["uid", "gid"]),
                    containerId: z.number().int().min(0).max(65535),
                    hostId: z.number().int().min(0).max(MAX_HOST_ID),
                    size: z.number().int().min(1).max(65536),
                })
                // The ids a container's files get on the host (a dataset's owner, mapped) must exist there.
                .refine((r) => r.hostId + r.size - 1 <= MAX_HOST_ID, {
                    error: `the range runs past the last host id (${MAX_HOST_ID}); start it lower or shorten it`,
                    path: ["size"],
                }),
        )
        .optional(),
    /** Host paths that are not inventory datasets (an NFS mount on the host) bind-mounted into the container. @default [] */
    hostMounts: z
        .array(z.strictObject({ hostPath: safePath, path: safePath, readOnly: z.boolean().default(false) }))
        .superRefine(uniqueBy<{ path: string }>((m) => m.path, "mount path"))
        .default([]),
});

/** A VM disk: a volume on a storage, or a whole physical disk passed through by its stable id. */
const vmDiskSchema = z.union(
    [
        diskSchema,
        z.strictObject({
            /** `/dev/disk/by-id/...`: stable across reboots, unlike `/dev/sdX`. */
            device: z
                .string()
                .max(255)
                .regex(/^\/dev\/disk\/by-id\/[A-Za-z0-9_.:+-]+$/, {
                    error: "must be a stable disk path such as /dev/disk/by-id/ata-WDC_...",
                }),
        }),
    ],
    { error: "must be { storage, sizeGiB } or { device: /dev/disk/by-id/... }" },
);

export const vmGuestSchema = z.strictObject({
    kind: z.literal("vm"),
    ...guestCommon,
    /** Balloon floor: the guest may be squeezed down to this. @default memoryMiB / 2 */
    memoryFloorMiB: z.number().int().min(0).optional(),
    /** Disks in order (scsi0, scsi1, ...); the first is the system disk and boots first. */
    disks: z.array(vmDiskSchema).min(1),
    /** QEMU CPU type. @default "x86-64-v2-AES" */
    cpuType: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,40}$/)
        .default("x86-64-v2-AES"),
    /** Firmware: OVMF (UEFI) or SeaBIOS. @default "seabios" */
    bios: z.enum(["seabios", "ovmf"]).default("seabios"),
    /** Machine type. q35 is forced where PCIe passthrough needs it. @default "pc" */
    machine: z.enum(["pc", "q35"]).default("pc"),
    /** A TPM 2.0 state disk (Windows 11). @default false */
    tpm: z.boolean().default(false),
    /** Storage of EFI vars, TPM state and the cloud-init drive. @default the first disk's storage */
    systemStorage: key("systemStorage").optional(),
    /** Operating system family, for Proxmox's defaults. */
    osType: z.enum(["l26", "win11", "win10", "other"]).default("l26"),
    /** Boot media: a key of `images` (an installer ISO, or a disk image imported as the system disk). */
    image: key("image").optional(),
    /**
     * An installer ISO already on a storage (`local:iso/Win11_24H2_x64.iso`), or `none` once the guest
     * is installed (the drive stays, empty: a protected VM refuses the removal of a drive).
     */
    cdrom: z
        .string()
        .regex(/^(?:none|[a-z][a-z0-9-]{0,62}:iso\/[A-Za-z0-9][A-Za-z0-9_.+-]{0,200}\.iso)$/, {
            error: "must be a volume id such as local:iso/installer.iso, or none",
        })
        .optional(),
    /** Cloud-init: the login user; the program's user data also installs qemu-guest-agent. */
    cloudInit: z.strictObject({ user: z.string().regex(LINUX_USER_PATTERN) }).optional(),
    /**
     * The QEMU guest agent. @default true with cloud-init (the program installs it) or an image that
     * ships it (`images.<key>.guestAgent`), false otherwise
     */
    agent: z.boolean().optional(),
    /** PCI passthrough by hardware mapping (a key of `mappings.pci`). */
    pciMappings: z
        .array(z.strictObject({ mapping: key("mapping"), pcie: z.boolean().default(true) }))
        .superRefine(uniqueBy<{ mapping: string }>((m) => m.mapping, "PCI mapping"))
        .default([]),
    /** USB passthrough by hardware mapping (a key of `mappings.usb`). */
    usbMappings: z
        .array(z.strictObject({ mapping: key("mapping") }))
        .superRefine(uniqueBy<{ mapping: string }>((m) => m.mapping, "USB mapping"))
        .default([]),
});

export const guestSchema = z.discriminatedUnion("kind", [lxcGuestSchema, vmGuestSchema]);

// ---------------------------------------------------------------------------------------------
// High availability
// ---------------------------------------------------------------------------------------------

export const haGroupSchema = z.discriminatedUnion("kind", [
    z.strictObject({
        /** A primary/secondary pair (or more) behind a VRRP virtual IP run by keepalived in the guests. */
        kind: z.literal("keepalived"),
        members: z
            .array(key("member"))
            .min(2)
            .superRefine(uniqueBy<string>((m) => m, "member")),
        /** The virtual IP: reserved (no guest may take it) and allowed as a source of the members. */
        vip: ipv4,
        /** VRRP router id (1–255), unique per network. */
        vrrpId: z.number().int().min(1).max(255),
    }),
    z.strictObject({
        /** Proxmox HA: the HA manager restarts or moves the members; needs shared or replicated storage. */
        kind: z.literal("proxmox"),
        members: z
            .array(key("member"))
            .min(1)
            .superRefine(uniqueBy<string>((m) => m, "member")),
        /** Nodes the members may run on, in order of preference. @default every node */
        nodes: z
            .array(key("node"))
            .min(1)
            .superRefine(uniqueBy<string>((n) => n, "node"))
            .optional(),
        /** @default "started" */
        state: z.enum(["started", "stopped", "ignored"]).default("started"),
        /** @default 1 */
        maxRestart: z.number().int().min(0).max(10).default(1),
        /** @default 1 */
        maxRelocate: z.number().int().min(0).max(10).default(1),
    }),
]);
