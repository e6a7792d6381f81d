/**
 * Shell quoting and the validation every value passes before a script string is built.
 *
 * Script builders (lib/zfs.ts) quote every value with `shellQuote` and, before that, refuse
 * anything that is not a plain, valid value for its field. Quoting alone would make a hostile
 * value harmless to the shell, but a name such as `tank/x;rm -rf /` is never a dataset the
 * operator meant: refusing it early gives a clear error instead of a strange dataset.
 */
import { refuse } from "./errors";
import { OCTAL_MODE_PATTERN, ZFS_DATASET_PATTERN, isSafeAbsolutePath } from "./patterns";

/** A value as POSIX single quotes: `it's` → `'it'\''s'`. Safe for any string without NUL. */
export function shellQuote(value: string): string {
    if (value.includes("\0")) throw new Error(`a shell argument cannot hold a NUL byte, got ${JSON.stringify(value)}`);
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Longest dataset name ZFS accepts (ZFS_MAX_DATASET_NAME_LEN minus the terminator). */
export const MAX_DATASET_NAME_LENGTH = 255;
/** Longest absolute path Linux accepts (PATH_MAX minus the terminator). */
export const MAX_PATH_LENGTH = 4095;

/** A ZFS dataset name `pool/child/...` of letters, digits and `_ . : -`, no `.`/`..` components. */
export function assertDatasetPath(field: string, value: string): string {
    const must = "must be a ZFS dataset name such as tank/photos (pool/child, letters, digits and _ . : - only, no . or .. components)";
    if (typeof value !== "string" || !ZFS_DATASET_PATTERN.test(value)) refuse(field, must, value);
    if (value.length > MAX_DATASET_NAME_LENGTH) refuse(field, `${must}; at most ${MAX_DATASET_NAME_LENGTH} characters`, value);
    return value;
}

/** The pool of a dataset name (its first component). */
export function poolOf(datasetPath: string): string {
    return datasetPath.split("/")[0];
}

/** An absolute path of letters, digits, spaces and `_ . @ + : -`, with no `.`/`..` component. */
export function assertAbsolutePath(field: string, value: string): string {
    const must = "must be an absolute path of letters, digits, spaces and _ . @ + : - with no . or .. components, such as /tank/photos";
    // The pattern refuses `.` and `..` components too.
    if (typeof value !== "string" || !isSafeAbsolutePath(value) || value.length > MAX_PATH_LENGTH) refuse(field, must, value);
    return value;
}

/** The last host uid or gid: 2^32 - 2 (2^32 - 1 is "no id" to chown). */
export const MAX_HOST_ID = 4294967294;

/** A host uid or gid: an integer from 0 to MAX_HOST_ID. */
export function assertHostId(field: string, value: number): number {
    if (!Number.isInteger(value) || value < 0 || value > MAX_HOST_ID)
        refuse(field, `must be an integer host id from 0 to ${MAX_HOST_ID}, such as 101000`, value);
    return value;
}

/** An octal permission mode such as `0750` or `750` (no setuid/setgid/sticky bits). */
export function assertMode(field: string, value: string): string {
    if (typeof value !== "string" || !OCTAL_MODE_PATTERN.test(value)) refuse(field, "must be an octal mode such as 0750", value);
    return value;
}
