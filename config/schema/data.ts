/**
 * Images (templates, installer ISOs, cloud images) and ZFS datasets.
 */
import { z } from "zod";
import { OCTAL_MODE_PATTERN } from "../../lib/patterns";
import { ACLTYPE_VALUES, ATIME_VALUES, COMPRESSION_VALUES, RECORDSIZES, SHARENFS_PATTERN, XATTR_VALUES } from "../../lib/zfsValues";
import { backupChoiceSchema } from "./guests";
import { key, safePath, uniqueBy, webUrl, zfsSize } from "./common";

// ---------------------------------------------------------------------------------------------
// Images, downloaded with a pinned checksum
// ---------------------------------------------------------------------------------------------

export const imageSchema = z.strictObject({
    /** `vztmpl` container templates, `iso` installer ISOs, `import` disk images (cloud images) a VM imports as its system disk. */
    contentType: z.enum(["vztmpl", "iso", "import"]),
    /** Where to download it; never with credentials in it. */
    url: webUrl({
        protocols: ["http", "https"],
        error: "must be an http(s) URL",
        credentials: "use a URL every node can download from without a credential",
    }),
    /** File name on the storage. */
    fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,200}$/, { error: "must be a plain file name" }),
    checksum: z.string().regex(/^(?:[a-f0-9]{64}|[a-f0-9]{128})$/, { error: "must be a hex sha256 (64) or sha512 (128) digest" }),
    checksumAlgorithm: z.enum(["sha256", "sha512"]),
    /** Storage id the file is downloaded to, on every node whose guests use it. */
    storage: key("storage"),
    /** The image ships the QEMU guest agent (VMs booting it get the agent enabled). @default false */
    guestAgent: z.boolean().default(false),
});

// ---------------------------------------------------------------------------------------------
// ZFS datasets
// ---------------------------------------------------------------------------------------------

const zfsPropertiesSchema = z.strictObject({
    compression: z.enum(COMPRESSION_VALUES).optional(),
    recordsize: z.enum(RECORDSIZES, { error: `must be a power of two from 512 to 16M: ${RECORDSIZES.join(", ")}` }).optional(),
    quota: zfsSize.optional(),
    reservation: zfsSize.optional(),
    atime: z.enum(ATIME_VALUES).optional(),
    xattr: z.enum(XATTR_VALUES).optional(),
    acltype: z.enum(ACLTYPE_VALUES).optional(),
    mountpoint: safePath.optional(),
    /**
     * NFS export options: `off`, or host-scoped options such as `rw=@192.168.10.20/32,no_root_squash`
     * (each client a host or a subnet inside the inventory's networks; `no_root_squash` to single hosts only).
     */
    sharenfs: z
        .string()
        .max(500)
        .regex(SHARENFS_PATTERN, {
            error: "must be off or export options such as rw=@192.168.10.20/32,no_root_squash",
        })
        .optional(),
});

const datasetMountSchema = z.strictObject({
    guest: key("mount guest"),
    path: safePath,
    readOnly: z.boolean().default(false),
});

export const datasetSchema = z.strictObject({
    /** Node whose pool holds the dataset. It cannot change: data does not move with a key (see docs/operations.md). */
    node: key("node"),
    /** ZFS properties to set; a property left out is inherited. */
    properties: zfsPropertiesSchema.default({}),
    /** Owner of the mountpoint as seen inside a container (mapped to host ids by its idmap). */
    owner: z
        .strictObject({
            container: key("owner.container"),
            uid: z.number().int().min(0).max(65535),
            gid: z.number().int().min(0).max(65535),
            mode: z.string().regex(OCTAL_MODE_PATTERN, { error: "must be an octal mode such as 0750" }).default("0750"),
        })
        .optional(),
    /** Bind mounts into containers. */
    mounts: z
        .array(datasetMountSchema)
        .superRefine(uniqueBy<{ guest: string }>((m) => m.guest, "guest"))
        .default([]),
    /** Backup tier (a proxmox-backup-client job on the node, from a snapshot), or why the data needs none. */
    backup: backupChoiceSchema,
    /** Deleting the resource destroys the (empty) dataset instead of leaving it on disk. @default false */
    allowDestroy: z.boolean().default(false),
});
