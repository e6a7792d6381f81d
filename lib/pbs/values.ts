/**
 * The values the PBS setup scripts take, each checked against what Proxmox Backup Server accepts
 * (pbs-api-types, proxmox-schema, proxmox-s3-client) before any script is built. A refused value
 * throws naming the field, the value and the fix; a value that passes is still quoted wherever it
 * reaches a shell. Patterns are linear: no nested quantifiers over the same characters.
 */
import { refuse } from "../errors";

function check(field: string, value: unknown, pattern: RegExp, must: string): string {
    if (typeof value !== "string" || !pattern.test(value)) refuse(field, must, value);
    return value;
}

/** PBS's SAFE_ID: datastore names, job ids and S3 endpoint ids (3–32 characters here, as DATASTORE_SCHEMA and JOB_ID_SCHEMA allow). */
export const PBS_SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{2,31}$/;
export function assertSafeId(field: string, value: string): string {
    return check(
        field,
        value,
        PBS_SAFE_ID,
        "must be 3–32 letters, digits and . _ - (not starting with . or -), such as tank or homelab-verify",
    );
}

/** An absolute path of letters, digits and `_ . @ + : , -`, without `.`/`..` components or spaces (it goes into /etc/fstab). */
export const PLAIN_PATH = /^(?:\/[A-Za-z0-9_@+:,-][A-Za-z0-9_.@+:,-]*)+$/;
export function assertPlainPath(field: string, value: string): string {
    check(
        field,
        value,
        PLAIN_PATH,
        "must be an absolute path of letters, digits and _ . @ + : , - (no spaces, no . or .. components), such as /mnt/datastore/tank",
    );
    if (value.split("/").some((part) => part === "." || part === ".."))
        refuse(field, "must be an absolute path without . or .. components, such as /mnt/datastore/tank", value);
    if (value.length > 4095) refuse(field, "must be at most 4095 characters", value);
    return value;
}

/** An NFS server: an IPv4 address or a host name. */
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
export function assertHost(field: string, value: string): string {
    if (typeof value === "string" && (IPV4.test(value) || DNS_NAME.test(value))) return value;
    return refuse(field, "must be an IPv4 address or a host name such as 192.168.10.12 or nas.lab.example.org", value);
}

/** A PBS user of the `pbs` realm (its password lives in PBS): `name@pbs`. */
export const PBS_USERID = /^[a-z0-9][a-z0-9_.-]{0,63}@pbs$/;
export function assertPbsUserid(field: string, value: string): string {
    return check(field, value, PBS_USERID, "must be a user of the pbs realm such as pve@pbs (the program sets its password)");
}

/**
 * A calendar event (systemd-like, as PBS parses it): `02:00`, `daily`, `sun 03:00`, `*-*-01 04:00`.
 * Only the characters events use; PBS itself rejects an event it cannot parse when the job is saved.
 */
export const CALENDAR_EVENT = /^[a-z0-9*][a-z0-9 :,*./~-]{0,63}$/;
export function assertCalendarEvent(field: string, value: string): string {
    return check(field, value, CALENDAR_EVENT, "must be a calendar event such as 02:00, daily, sun 03:00 or *-*-01 04:00");
}

/** A backup namespace: up to 7 levels of `[A-Za-z0-9_][A-Za-z0-9._-]*` (BACKUP_NAMESPACE_SCHEMA). */
const NAMESPACE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}(?:\/[A-Za-z0-9_][A-Za-z0-9._-]{0,31}){0,6}$/;
export function assertNamespace(field: string, value: string): string {
    return check(field, value, NAMESPACE, "must be a namespace such as critical or datasets/critical (at most 7 levels)");
}

/** A whole number in a range. */
export function assertInteger(field: string, value: number, min: number, max: number): number {
    if (!Number.isInteger(value) || value < min || value > max) refuse(field, `must be a whole number from ${min} to ${max}`, value);
    return value;
}

/** An S3 endpoint host as PBS takes it: a DNS name, optionally with `{{bucket}}.` and `{{region}}` templates, or an IPv4 address. */
const S3_ENDPOINT =
    /^(?:\{\{bucket\}\}\.)?(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|\{\{region\}\})\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
export function assertS3Endpoint(field: string, value: string): string {
    if (typeof value === "string" && (IPV4.test(value) || S3_ENDPOINT.test(value))) return value;
    return refuse(
        field,
        "must be a host name without scheme or path, such as s3.us-west-004.backblazeb2.com or {{bucket}}.s3.{{region}}.amazonaws.com",
        value,
    );
}

/** An S3 region as PBS takes it (S3_REGION_SCHEMA): lowercase letters, digits, `-` and `_`. */
const S3_REGION = /^[_a-z0-9][-_a-z0-9]{1,31}$/;
export function assertS3Region(field: string, value: string): string {
    return check(field, value, S3_REGION, "must be an S3 region such as eu-central-1 or auto");
}

/** An S3 bucket as PBS takes it (S3_BUCKET_NAME_SCHEMA): no dots, unlike AWS. */
const S3_BUCKET = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;
export function assertS3Bucket(field: string, value: string): string {
    return check(
        field,
        value,
        S3_BUCKET,
        "must be 3–63 lowercase letters, digits and '-' (Proxmox Backup Server takes no '.' in bucket names)",
    );
}

/** An S3 access key id: printable characters without spaces. */
const ACCESS_KEY = /^[\x21-\x7e]{1,256}$/;
export function assertAccessKeyId(field: string, value: string): string {
    return check(field, value, ACCESS_KEY, "must be an access key id (printable characters, no spaces)");
}

/** A backup group id (`host/<id>`): letters, digits and `. _ -`, not starting with `.` or `-` (PBS's BACKUP_ID). */
export const BACKUP_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export function assertBackupId(field: string, value: string): string {
    return check(field, value, BACKUP_ID_PATTERN, "must be letters, digits and . _ - (not starting with . or -), such as tank-photos");
}

/** A pxar archive name without `.pxar`: letters, digits, `-` and `_` (proxmox-backup-client's archive names). */
export const ARCHIVE_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
export function assertArchiveName(field: string, value: string): string {
    return check(
        field,
        value,
        ARCHIVE_NAME_PATTERN,
        "must be letters, digits, '-' and '_' (proxmox-backup-client's archive names), such as photos",
    );
}

/** A SHA-256 certificate fingerprint, `aa:bb:...` (32 hex pairs). */
export const FINGERPRINT_PATTERN = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;
export function assertFingerprint(field: string, value: string): string {
    return check(field, value, FINGERPRINT_PATTERN, "must be a SHA-256 fingerprint as 32 hex pairs separated by ':'");
}

/** A one-line comment (PBS's SINGLE_LINE_COMMENT: no control characters). */
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const COMMENT = /^[^\x00-\x1f\x7f]{0,128}$/;
export function assertComment(field: string, value: string): string {
    return check(field, value, COMMENT, "must be one line of at most 128 characters without control characters");
}

/** A PBS user password (PBS_PASSWORD_SCHEMA): 8–64 characters, no control characters. Never echoed in the error. */
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const PASSWORD = /^[^\x00-\x1f\x7f]{8,64}$/;
export function assertPbsPassword(field: string, value: string): string {
    if (typeof value !== "string" || !PASSWORD.test(value))
        throw new Error(`[${field}] must be 8 to 64 characters without control characters (Proxmox Backup Server's password rules)`);
    return value;
}

/** An S3 secret key: one line of printable characters. Never echoed in the error. */
const SECRET_KEY = /^[\x21-\x7e]{1,256}$/;
export function assertSecretKey(field: string, value: string): string {
    if (typeof value !== "string" || !SECRET_KEY.test(value))
        throw new Error(`[${field}] must be an S3 secret key: printable characters, no spaces or line breaks`);
    return value;
}

/** A byte size as PBS reads one (HumanByte): a number and a unit, such as 64GiB or 100GB. */
const BYTE_SIZE = /^\d{1,12}(?:\.\d{1,3})?(?:B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)$/;
export function assertByteSize(field: string, value: string): string {
    return check(field, value, BYTE_SIZE, "must be a size with its unit, such as 64GiB or 100GB");
}
