/**
 * Idempotent POSIX sh scripts that set up Proxmox Backup Server 4 over SSH, run as root on the PBS
 * VM, and the parser of what the certificate script prints.
 *
 * Every step reads the current state first (`proxmox-backup-manager ... list --output-format json`,
 * read with jq) and then creates, updates or leaves alone: a second run makes no change. Scripts
 * start with `set -eu`, write their messages to stderr and keep stdout for machine-readable lines.
 * Secrets (the PBS user's password, the S3 secret key) arrive on stdin, never in the script text,
 * and are never printed. PBS's CLI takes them only as arguments, so for the moment of that one
 * call they are in the process list of the VM, whose only users are root and PBS's own `backup`.
 *
 * Sources: proxmox-backup `src/bin/proxmox_backup_manager/*.rs` (subcommands, their positional
 * arguments and list columns), pbs-api-types (the JSON fields), `src/api2/access/user.rs` (PBS 4
 * ignores `--password` on `user update`: passwords change through `PUT /access/password`) and
 * proxmox-auth-api `password_authenticator.rs` (shadow.json, keyed by the user's name without realm).
 *
 * The jobs (namespaces, verify, prune) are in jobs.ts and the offsite copy in offsite.ts; this
 * module re-exports them, so `lib/pbs/setup` is the one import.
 */
import { shellQuote } from "../shell";
import { JSON_HELPERS, preamble, readSecretLines, script } from "./script";
import {
    assertCalendarEvent,
    assertComment,
    assertFingerprint,
    assertHost,
    assertPbsUserid,
    assertPlainPath,
    assertSafeId,
    FINGERPRINT_PATTERN,
} from "./values";

export * from "./jobs";
export * from "./offsite";
export { JSON_HELPERS, preamble, readSecretLines } from "./script";

/** Where PBS keeps its configuration (shadow.json, s3.cfg). */
const PBS_CONFIG_DIR = "/etc/proxmox-backup";

/** The role PVE's user gets on its datastore: create backups and read its own (PBS's DatastoreBackup). */
const PVE_ROLE = "DatastoreBackup";

/** Default garbage-collection schedule of the datastore: daily at 02:00. */
export const DEFAULT_GC_SCHEDULE = "02:00";

/** NFS mount options of the datastore: mounted after the network, and `hard` (never hand PBS a short write). */
const NFS_OPTIONS = "_netdev,hard";

// ---------------------------------------------------------------------------------------------
// Ready: cloud-init has installed PBS
// ---------------------------------------------------------------------------------------------

/**
 * Waits until cloud-init has finished (it installs PBS on the first boot) and PBS's proxy runs.
 * `cloud-init status --wait` exits 0 when done, 2 when done with recoverable errors, 1 on failure.
 */
export function readyScript(): string {
    return script([
        "# homelab: wait until cloud-init has installed Proxmox Backup Server",
        "set -eu",
        "if command -v cloud-init >/dev/null 2>&1; then",
        "    rc=0",
        "    cloud-init status --wait >/dev/null || rc=$?",
        '    if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then',
        '        echo "homelab: cloud-init failed on $(hostname) (status $rc); see /var/log/cloud-init-output.log" >&2',
        "        exit 1",
        "    fi",
        "fi",
        ...preamble("check the tools", ["proxmox-backup-manager", "proxmox-backup-debug", "jq", "perl"]).slice(2),
        "if ! systemctl is-active --quiet proxmox-backup-proxy; then",
        '    echo "homelab: proxmox-backup-proxy is not running on $(hostname); see journalctl -u proxmox-backup-proxy" >&2',
        "    exit 1",
        "fi",
        'echo "homelab: Proxmox Backup Server is ready on $(hostname)" >&2',
    ]);
}

// ---------------------------------------------------------------------------------------------
// The datastore's NFS export
// ---------------------------------------------------------------------------------------------

export interface NfsMountSpec {
    /** The NFS server (the node that exports the dataset). */
    readonly server: string;
    /** The exported path on the server (`/tank/pbs`). */
    readonly export: string;
    /** Where it is mounted on the PBS VM (the datastore's path). */
    readonly mountpoint: string;
    /** The fstab the line goes into. @default "/etc/fstab" (tests use a copy) */
    readonly fstab?: string;
}

/**
 * Converges the mount: exactly one fstab line for the mountpoint (`server:/export mountpoint nfs
 * _netdev,hard 0 0`), the directory, and the export mounted there. A mountpoint already mounted
 * from elsewhere is refused: moving a datastore under a running PBS loses writes.
 */
export function nfsMountScript(spec: NfsMountSpec): string {
    assertHost("nfs.server", spec.server);
    assertPlainPath("nfs.export", spec.export);
    assertPlainPath("datastore.path", spec.mountpoint);
    const fstab = assertPlainPath("fstab", spec.fstab ?? "/etc/fstab");
    return script([
        `# homelab: mount ${spec.server}:${spec.export} at ${spec.mountpoint} (fstab and mount, converged)`,
        "set -eu",
        `SOURCE=${shellQuote(`${spec.server}:${spec.export}`)}`,
        `MP=${shellQuote(spec.mountpoint)}`,
        `FSTAB=${shellQuote(fstab)}`,
        `LINE="$SOURCE $MP nfs ${NFS_OPTIONS} 0 0"`,
        'if ! grep -qxF "$LINE" "$FSTAB"; then',
        "    # Keep every other line; drop other entries for this mountpoint (comments stay).",
        '    TMP=$(mktemp "$FSTAB.homelab.XXXXXX")',
        '    awk -v mp="$MP" \'!($1 !~ /^#/ && $2 == mp)\' "$FSTAB" > "$TMP"',
        '    printf \'%s\\n\' "$LINE" >> "$TMP"',
        '    chmod 0644 "$TMP"',
        '    mv "$TMP" "$FSTAB"',
        '    echo "homelab: $FSTAB mounts $SOURCE at $MP" >&2',
        "    if command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload; fi",
        "fi",
        'CURRENT=$(findmnt -n -o SOURCE --mountpoint "$MP" || true)',
        'if [ -z "$CURRENT" ]; then',
        '    mkdir -p "$MP"',
        '    mount "$MP"',
        '    echo "homelab: mounted $SOURCE at $MP" >&2',
        'elif [ "$CURRENT" != "$SOURCE" ]; then',
        '    echo "homelab: $MP is mounted from $CURRENT, not $SOURCE; stop Proxmox Backup Server, unmount it and run again" >&2',
        "    exit 1",
        "fi",
    ]);
}

// ---------------------------------------------------------------------------------------------
// The datastore
// ---------------------------------------------------------------------------------------------

export interface DatastoreSpec {
    /** Datastore name (`tank`). */
    readonly name: string;
    /** Its directory (the NFS mountpoint when the datastore lives on NFS). */
    readonly path: string;
    /** Garbage-collection schedule. @default "02:00" (daily) */
    readonly gcSchedule?: string;
    /** Refuse to create the datastore unless `path` is a mountpoint (it lives on NFS, never on the VM's disk). */
    readonly requireMountpoint: boolean;
}

/**
 * Converges the datastore: creates it when missing (reusing a chunk store already at the path, a
 * datastore that outlived its VM), and sets its garbage-collection schedule. A datastore of that
 * name at another path is refused: the program never moves a datastore.
 */
export function datastoreScript(spec: DatastoreSpec): string {
    assertSafeId("datastore.name", spec.name);
    assertPlainPath("datastore.path", spec.path);
    const gc = assertCalendarEvent("datastore.gcSchedule", spec.gcSchedule ?? DEFAULT_GC_SCHEDULE);
    return script([
        ...preamble(`datastore ${spec.name} at ${spec.path}, garbage collection ${gc}`),
        ...JSON_HELPERS,
        `NAME=${shellQuote(spec.name)}`,
        `DIR=${shellQuote(spec.path)}`,
        `GC=${shellQuote(gc)}`,
        ...(spec.requireMountpoint
            ? [
                  'if ! findmnt -n --mountpoint "$DIR" >/dev/null 2>&1; then',
                  '    echo "homelab: $DIR is not mounted; the datastore lives on its NFS export, never on the VM\'s own disk" >&2',
                  "    exit 1",
                  "fi",
              ]
            : []),
        'CURRENT=$(pick "$(proxmox-backup-manager datastore list --output-format json)" name "$NAME")',
        'if [ -z "$CURRENT" ]; then',
        '    if [ -d "$DIR/.chunks" ]; then',
        '        echo "homelab: $DIR already holds a chunk store; creating datastore $NAME on it (reuse)" >&2',
        '        proxmox-backup-manager datastore create "$NAME" "$DIR" --gc-schedule "$GC" --reuse-datastore true >&2',
        "    else",
        '        echo "homelab: creating datastore $NAME at $DIR" >&2',
        '        proxmox-backup-manager datastore create "$NAME" "$DIR" --gc-schedule "$GC" >&2',
        "    fi",
        "else",
        '    if [ "$(field "$CURRENT" path)" != "$DIR" ]; then',
        '        echo "homelab: datastore $NAME is at $(field "$CURRENT" path), not $DIR; the program never moves a datastore: move it by hand or name another" >&2',
        "        exit 1",
        "    fi",
        '    if [ "$(field "$CURRENT" gc-schedule)" != "$GC" ]; then',
        '        proxmox-backup-manager datastore update "$NAME" --gc-schedule "$GC" >&2',
        '        echo "homelab: garbage collection of $NAME runs at $GC" >&2',
        "    fi",
        "fi",
    ]);
}

/** Leaves the datastore and its data alone when the resource goes away; says so. */
export function keepScript(what: string): string {
    return script([
        `# homelab: keep ${what}`,
        "set -eu",
        `echo ${shellQuote(`homelab: leaving ${what} in place; remove it in Proxmox Backup Server by hand if it is no longer needed`)} >&2`,
    ]);
}

// ---------------------------------------------------------------------------------------------
// The user PVE writes as, and its ACL
// ---------------------------------------------------------------------------------------------

export interface AccessSpec {
    /** The PBS user (`pve@pbs`); its password arrives on stdin. */
    readonly userid: string;
    /** The datastore it may back up to, and nothing else. */
    readonly datastore: string;
    /** Comment on the user. @default "Proxmox VE (managed by homelab)" */
    readonly comment?: string;
    /** PBS's configuration directory (shadow.json). @default "/etc/proxmox-backup" */
    readonly configDir?: string;
}

/**
 * Converges the user and its rights: the user exists and is enabled, its password (first line of
 * stdin) is the one PBS holds (checked with crypt(3) against shadow.json, changed only when it
 * differs), and its only ACL is `DatastoreBackup` on `/datastore/<name>` (propagating to the
 * datastore's namespaces); any other ACL entry of the user is removed.
 */
export function accessScript(spec: AccessSpec): string {
    assertPbsUserid("user", spec.userid);
    assertSafeId("datastore.name", spec.datastore);
    const comment = assertComment("user.comment", spec.comment ?? "Proxmox VE (managed by homelab)");
    const configDir = assertPlainPath("configDir", spec.configDir ?? PBS_CONFIG_DIR);
    return script([
        ...preamble(`user ${spec.userid}, ${PVE_ROLE} on /datastore/${spec.datastore} only`, [
            "proxmox-backup-manager",
            "proxmox-backup-debug",
            "jq",
            "perl",
        ]),
        ...JSON_HELPERS,
        ...readSecretLines("PW", `the password of ${spec.userid}`),
        `USERID=${shellQuote(spec.userid)}`,
        `COMMENT=${shellQuote(comment)}`,
        `SHADOW=${shellQuote(`${configDir}/shadow.json`)}`,
        `ACL_PATH=${shellQuote(`/datastore/${spec.datastore}`)}`,
        `ROLE=${shellQuote(PVE_ROLE)}`,
        "TAB=$(printf '\\t')",
        "# Whether PBS holds this password: crypt(3) of the password with the stored hash as salt gives the hash.",
        "# shadow.json is keyed by the user's name without the realm (proxmox-auth-api PasswordAuthenticator).",
        "password_matches() {",
        '    [ -f "$SHADOW" ] || return 1',
        "    # shellcheck disable=SC2016",
        '    printf \'%s\\n\' "$PW" | SHADOW="$SHADOW" NAME="${USERID%@*}" perl -e \'',
        "        my $pw = <STDIN>; chomp $pw;",
        '        open(my $fh, "<", $ENV{SHADOW}) or exit 1; local $/; my $json = <$fh>;',
        "        my $key = quotemeta($ENV{NAME});",
        '        $json =~ /"$key"\\s*:\\s*"([^"]+)"/ or exit 1;',
        "        exit(crypt($pw, $1) eq $1 ? 0 : 1);'",
        "}",
        "set_password() {",
        '    proxmox-backup-debug api set /access/password --userid "$USERID" --password "$PW" >/dev/null',
        '    echo "homelab: set the password of $USERID" >&2',
        "}",
        'USER_JSON=$(pick "$(proxmox-backup-manager user list --output-format json)" userid "$USERID")',
        'if [ -z "$USER_JSON" ]; then',
        '    proxmox-backup-manager user create "$USERID" --comment "$COMMENT" >&2',
        '    echo "homelab: created user $USERID" >&2',
        "    set_password",
        "else",
        '    if [ "$(field "$USER_JSON" enable)" = false ]; then',
        '        proxmox-backup-manager user update "$USERID" --enable true >&2',
        '        echo "homelab: enabled user $USERID" >&2',
        "    fi",
        "    if ! password_matches; then set_password; fi",
        "fi",
        "# Its only ACL: the role on the datastore, propagating to its namespaces.",
        'ENTRIES=$(proxmox-backup-manager acl list --output-format json | jq -r --arg u "$USERID" \'.[] | select(.ugid == $u and .ugid_type == "user") | [.path, .roleid, (.propagate | tostring)] | @tsv\')',
        "HAVE=''",
        'while IFS="$TAB" read -r path role propagate; do',
        '    [ -n "$path" ] || continue',
        '    if [ "$path" = "$ACL_PATH" ] && [ "$role" = "$ROLE" ]; then',
        "        HAVE=yes",
        '        if [ "$propagate" != true ]; then',
        '            proxmox-backup-manager acl update "$ACL_PATH" "$ROLE" --auth-id "$USERID" --propagate true >&2',
        '            echo "homelab: $ROLE of $USERID on $ACL_PATH now propagates" >&2',
        "        fi",
        "    else",
        '        proxmox-backup-manager acl update "$path" "$role" --auth-id "$USERID" --delete true >&2',
        '        echo "homelab: removed $role of $USERID on $path (not in the inventory)" >&2',
        "    fi",
        "done <<HOMELAB_ACL",
        "$ENTRIES",
        "HOMELAB_ACL",
        'if [ -z "$HAVE" ]; then',
        '    proxmox-backup-manager acl update "$ACL_PATH" "$ROLE" --auth-id "$USERID" --propagate true >&2',
        '    echo "homelab: granted $ROLE on $ACL_PATH to $USERID" >&2',
        "fi",
    ]);
}

// ---------------------------------------------------------------------------------------------
// The certificate fingerprint
// ---------------------------------------------------------------------------------------------

/** The command that prints PBS's certificate and its SHA-256 fingerprint (the offline plan stands in for its answer). */
export const CERT_INFO_COMMAND = "proxmox-backup-manager cert info";

/**
 * Prints `fingerprint <aa:bb:...>` (lowercase) of PBS's certificate from `proxmox-backup-manager
 * cert info` ("Fingerprint (sha256): ..." in `src/bin/proxmox_backup_manager/cert.rs`). With a
 * pinned fingerprint it fails, naming both, when the certificate's differs.
 */
export function certFingerprintScript(pinned?: string): string {
    const pin = pinned === undefined ? undefined : assertFingerprint("fingerprint", pinned).toLowerCase();
    return script([
        ...preamble("read the certificate fingerprint of Proxmox Backup Server", ["proxmox-backup-manager", "sed"]),
        `FP=$(${CERT_INFO_COMMAND} | sed -n 's/^Fingerprint (sha256): //p' | tr 'A-F' 'a-f')`,
        "if ! printf '%s' \"$FP\" | grep -Eqx '([0-9a-f]{2}:){31}[0-9a-f]{2}'; then",
        `    echo "homelab: ${CERT_INFO_COMMAND} printed no SHA-256 fingerprint (got '$FP')" >&2`,
        "    exit 1",
        "fi",
        ...(pin === undefined
            ? []
            : [
                  `PINNED=${shellQuote(pin)}`,
                  'if [ "$FP" != "$PINNED" ]; then',
                  '    echo "homelab: the certificate of Proxmox Backup Server on $(hostname) has fingerprint $FP, but the inventory pins $PINNED; if the certificate was renewed on purpose, pin the new fingerprint (storages.<id>.fingerprint of the PBS storage), otherwise find out who replaced it" >&2',
                  "    exit 1",
                  "fi",
              ]),
        "printf 'fingerprint %s\\n' \"$FP\"",
    ]);
}

/**
 * The fingerprint `certFingerprintScript` printed, lowercase; undefined for empty output (the
 * command has not run: mocks, the offline plan). Any other output throws.
 */
export function parseCertFingerprint(stdout: string): string | undefined {
    const lines = stdout.split("\n").filter((l) => l.trim() !== "");
    if (lines.length === 0) return undefined;
    const m = lines.length === 1 ? /^fingerprint (\S+)$/.exec(lines[0]) : null;
    if (!m || !FINGERPRINT_PATTERN.test(m[1]))
        throw new Error(`unexpected output of the certificate script (want "fingerprint <32 hex pairs>"): ${JSON.stringify(stdout)}`);
    return m[1].toLowerCase();
}
