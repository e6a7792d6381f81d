/**
 * The value patterns every layer shares: the inventory schema refuses what they refuse, and the
 * script builders check again before a value reaches a shell. Pure; every pattern runs in linear
 * time (no two quantifiers can match the same characters), which test/linear-patterns.test.ts pins.
 */

/** A key used as a Pulumi resource name and a Proxmox name: a lowercase DNS label. */
export const KEY_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** ZFS dataset names `pool/child/...`: each component of `[A-Za-z0-9_.:-]`, nothing a shell would read. */
export const ZFS_DATASET_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]*(?:\/[A-Za-z0-9_:][A-Za-z0-9_.:-]*)+$/;

/** A ZFS pool, or a dataset under it (`rpool`, `rpool/data`). */
export const ZFS_POOL_OR_DATASET_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]*(?:\/[A-Za-z0-9_:][A-Za-z0-9_.:-]*)*$/;

/**
 * Absolute POSIX paths of conservative characters (letters, digits, spaces and `_ . @ + : -`),
 * components separated by single slashes, an optional trailing slash. No `,` or `=`: Proxmox
 * property strings (`mp0: <host>,mp=<path>`) split on them. `.` and `..` components are refused
 * separately (`hasDotComponent`).
 */
export const SAFE_ABSOLUTE_PATH = /^\/(?:[A-Za-z0-9_.@+: -]+(?:\/[A-Za-z0-9_.@+: -]+)*\/?)?$/;

/** True when a path has a `.` or `..` component (`/a/../b`, `/a/.`). */
export function hasDotComponent(path: string): boolean {
    return path.split("/").some((part) => part === "." || part === "..");
}

/** A safe absolute path: the pattern, no `.`/`..` component. */
export function isSafeAbsolutePath(path: string): boolean {
    return SAFE_ABSOLUTE_PATH.test(path) && !hasDotComponent(path);
}

/** Linux device nodes passed into containers (`/dev/dri/renderD128`). */
export const DEVICE_PATH = /^\/dev(?:\/[A-Za-z0-9_.:+-]+)+$/;

/**
 * Hostnames (FQDN or relative), at most 253 characters; each label letters, digits and inner
 * hyphens, 1 to 63 characters. A literal, so the linear-time test can read it.
 */
export const HOSTNAME_PATTERN =
    /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** OpenSSH public key lines (`ssh-ed25519 AAAA... comment`). */
export const SSH_PUBLIC_KEY_PATTERN = /^(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/]+={0,3}(?: [^\n]*)?$/;

/** An SSH host key as `ssh-keyscan` and `/etc/ssh/ssh_host_*_key.pub` print it (the comment is optional). */
export const SSH_HOST_KEY_PATTERN = /^(?:ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,3}(?: [^\n]*)?$/;

/** A Linux user name as useradd takes it by default: a lowercase letter or `_`, then lowercase letters, digits, `_` and `-`, 32 at most. */
export const LINUX_USER_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;

/** An octal permission mode such as `0750` or `750` (no setuid, setgid or sticky bits). */
export const OCTAL_MODE_PATTERN = /^0?[0-7]{3}$/;

/** A Proxmox guest tag as the inventory takes it: lowercase letters, digits, `-` and `_`, 63 at most. */
export const GUEST_TAG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** `HH:MM`, 24 h. */
export const HHMM_PATTERN = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

/** ZFS sizes: bytes or a number with a K/M/G/T/P suffix (`4T`, `512G`, `1.5T`). */
export const ZFS_SIZE_PATTERN = /^(?:\d+|\d+(?:\.\d+)?[KMGTP])$/;

/** A PCI address `0000:01:00.0` (domain optional, function optional: a multi-function device). */
export const PCI_PATH_PATTERN = /^(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}(?:\.[0-7])?$/;

/** A PCI or USB vendor:product id `8086:125c`. */
export const DEVICE_ID_PATTERN = /^[0-9a-f]{4}:[0-9a-f]{4}$/;

/** Firewall ports: `443`, `80,443`, `8000:8100`. */
export const PORTS_PATTERN = /^\d{1,5}(?:[:-]\d{1,5})?(?:,\d{1,5}(?:[:-]\d{1,5})?)*$/;

/** An S3 bucket name as the services accept it: 3–63 lowercase letters, digits, `.` and `-`. */
export const S3_BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Why an S3 bucket name would be refused by the service, or undefined (AWS's naming rules, which
 * the other services follow): no `..`, `.-` or `-.`, not an IPv4 address, no reserved prefix or
 * suffix.
 */
export function s3BucketNameProblem(name: string): string | undefined {
    if (!S3_BUCKET_PATTERN.test(name))
        return "must be 3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit";
    if (name.includes("..") || name.includes(".-") || name.includes("-.")) return "must not contain '..', '.-' or '-.'";
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not look like an IP address";
    if (name.startsWith("xn--") || name.startsWith("sthree-") || name.startsWith("amzn-s3-demo-"))
        return "must not start with xn--, sthree- or amzn-s3-demo-";
    if (name.endsWith("-s3alias") || name.endsWith("--ol-s3") || name.endsWith(".mrap") || name.endsWith("--x-s3"))
        return "must not end with -s3alias, --ol-s3, .mrap or --x-s3";
    return undefined;
}
