/**
 * The ZFS property vocabulary this program manages: which properties, which values each takes.
 * Pure: the inventory schema builds its zod enums from these lists, the script builders
 * (lib/zfs.ts) validate with them before a value reaches a shell.
 */
import { SAFE_ABSOLUTE_PATH, ZFS_SIZE_PATTERN, hasDotComponent } from "./patterns";

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

export const COMPRESSION_VALUES = ["on", "off", "lz4", "zstd", "gzip", "lzjb", "zle"] as const;
export const ATIME_VALUES = ["on", "off"] as const;
export const XATTR_VALUES = ["on", "off", "sa"] as const;
export const ACLTYPE_VALUES = ["off", "posix", "nfsv4"] as const;

/** The properties this program manages; a managed property the inventory leaves out is reset. */
export interface ZfsProperties {
    readonly compression?: (typeof COMPRESSION_VALUES)[number];
    readonly recordsize?: (typeof RECORDSIZES)[number];
    readonly quota?: string;
    readonly reservation?: string;
    readonly atime?: (typeof ATIME_VALUES)[number];
    readonly xattr?: (typeof XATTR_VALUES)[number];
    readonly acltype?: (typeof ACLTYPE_VALUES)[number];
    readonly mountpoint?: string;
    readonly sharenfs?: string;
}

/** The managed properties in a stable order. */
export const MANAGED_PROPERTIES: readonly (keyof ZfsProperties)[] = [
    "compression",
    "recordsize",
    "quota",
    "reservation",
    "atime",
    "xattr",
    "acltype",
    "mountpoint",
    "sharenfs",
];

/** `sharenfs` values: `off`, or export options of safe characters. */
export const SHARENFS_PATTERN = /^(?:off|[A-Za-z0-9_@/.,=:-]+)$/;

const SIZE_SHIFT: Readonly<Record<string, bigint>> = { K: 1n, M: 2n, G: 3n, T: 4n, P: 5n };

/** The largest size ZFS takes: sizes are 64-bit (`zfs set quota=` refuses more as too large). */
export const ZFS_MAX_SIZE_BYTES = 2n ** 64n - 1n;

/**
 * Bytes of a ZFS size (`4T`, `1.5T`, `512`, `16K`): powers of 1024, fractions truncated like
 * zfs_nicestrtonum does; undefined when it is not a size.
 */
export function zfsSizeValue(size: string): bigint | undefined {
    if (!ZFS_SIZE_PATTERN.test(size)) return undefined;
    const unit = /[KMGTP]$/.test(size) ? size[size.length - 1] : "";
    const [whole, fraction = ""] = (unit ? size.slice(0, -1) : size).split(".");
    const scaled = BigInt(whole + fraction) * 1024n ** (unit ? SIZE_SHIFT[unit] : 0n);
    return scaled / 10n ** BigInt(fraction.length);
}

/** Why a size is not one ZFS takes, or undefined. */
export function zfsSizeProblem(size: string): string | undefined {
    const bytes = zfsSizeValue(size);
    if (bytes === undefined) return "must be a size such as 512G, 4T or 1.5T";
    if (bytes > ZFS_MAX_SIZE_BYTES) return "is more than ZFS can hold (sizes are 64-bit: less than 16384P)";
    return undefined;
}

/** Why a property value is not one ZFS (and this program) accepts, or undefined. */
export function zfsPropertyProblem(property: keyof ZfsProperties, value: unknown): string | undefined {
    if (typeof value !== "string") return "must be a string";
    const oneOf = (values: readonly string[]) => (values.includes(value) ? undefined : `must be one of ${values.join(", ")}`);
    switch (property) {
        case "compression":
            return oneOf(COMPRESSION_VALUES);
        case "recordsize":
            return oneOf(RECORDSIZES);
        case "atime":
            return oneOf(ATIME_VALUES);
        case "xattr":
            return oneOf(XATTR_VALUES);
        case "acltype":
            return oneOf(ACLTYPE_VALUES);
        case "quota":
        case "reservation":
            return zfsSizeProblem(value);
        case "mountpoint":
            return SAFE_ABSOLUTE_PATH.test(value) && !hasDotComponent(value) ? undefined : "must be a safe absolute path";
        case "sharenfs":
            return SHARENFS_PATTERN.test(value) && value.length <= 500 ? undefined : "must be off or export options";
        default:
            return `is not a managed property`;
    }
}
