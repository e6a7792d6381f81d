/**
 * Backups of ZFS datasets from their node to Proxmox Backup Server: vzdump never backs up a
 * container's bind mounts (P15), so each dataset with a backup tier gets its own job on the node
 * that holds it, with `proxmox-backup-client` (PVE nodes ship it).
 *
 * - The backup script takes a fresh ZFS snapshot, hands the snapshot's directory
 *   (`<mountpoint>/.zfs/snapshot/<snap>`, never the live dataset, so the archive is consistent) to
 *   `proxmox-backup-client backup <archive>.pxar:<dir>` in the tier's namespace as group
 *   `host/<backup-id>`, and removes the snapshot after success and after failure (trap). A lock
 *   (flock) refuses a second run while one is going; snapshots a crashed run left are removed first.
 * - A systemd service runs it and a timer starts it on the tier's schedule, at a start time the
 *   caller staggers after the node's vzdump jobs.
 * - The install script (a remote command's create and update) writes the script, the units and
 *   the password file (mode 0600, the password from stdin) only when they differ, and enables the
 *   timer; the remove script undoes that and leaves snapshots' data and backups alone.
 *
 * Retention: on the PBS the program sets up, by PBS-side prune jobs, one per tier in the tier's
 * namespace (lib/pbs/jobs.ts `tierPruneJobs`), not `proxmox-backup-client prune` after each
 * backup. Pruning needs Datastore.Prune (or Modify), which PVE's user must not have there
 * (DatastoreBackup only): a node that is compromised can then add backups but not delete them.
 * And retention lives in one place, for guests and datasets alike, and runs even when a node is
 * down. On a PBS the program does not manage (`keep`), the script prunes its group after each
 * backup, as vzdump does for the guests.
 */
import { Retention, TierCadence } from "./backupSchedule";
import { assertDatasetPath, shellQuote } from "./shell";
import { PbsRepository, repositoryOf } from "./pbs/repository";
import { keepSettings } from "./pbs/jobs";
import { assertArchiveName, assertBackupId, assertFingerprint, assertNamespace, assertPlainPath } from "./pbs/values";
import { HHMM_PATTERN } from "./patterns";

/** Where the pieces go on the node. Tests point them into a scratch directory. */
export interface DatasetBackupPaths {
    /** The backup scripts. @default "/usr/local/sbin" */
    readonly scriptDir: string;
    /** The systemd units. @default "/etc/systemd/system" */
    readonly unitDir: string;
    /** The password files (0600). @default "/etc/homelab/pbs" */
    readonly credentialDir: string;
    /** The lock files. @default "/run/lock" */
    readonly lockDir: string;
}

const DEFAULT_BACKUP_PATHS: DatasetBackupPaths = {
    scriptDir: "/usr/local/sbin",
    unitDir: "/etc/systemd/system",
    credentialDir: "/etc/homelab/pbs",
    lockDir: "/run/lock",
};

/** Prefix of the ZFS snapshots, units and scripts of dataset backups. */
const BACKUP_PREFIX = "homelab-backup-";

/** Exit status of a run refused because another one holds the lock (EX_TEMPFAIL). */
const LOCKED_EXIT = 75;

export interface DatasetBackupSpec {
    /** The ZFS dataset (`tank/photos`). */
    readonly dataset: string;
    /** Its mountpoint on the node (`/tank/photos`); the script refuses to run when ZFS says otherwise. */
    readonly mountpoint: string;
    readonly repository: PbsRepository;
    /** The tier's namespace in the datastore (`critical`). @default the datastore's root namespace */
    readonly namespace?: string;
    /**
     * Prune the group after each successful backup, keeping this many (a PBS whose prune jobs the
     * program does not set up; PBS allows it to the group's owner with Datastore.Prune, e.g.
     * DatastorePowerUser). @default none: PBS's prune job of the tier's namespace keeps the retention
     */
    readonly keep?: Retention;
    /** The tier, for the units' descriptions. */
    readonly tier: string;
    /** How often the tier runs. */
    readonly cadence: TierCadence;
    /** When it starts, `HH:MM` local time of the node (after the node's vzdump jobs). */
    readonly startTime: string;
    /** SHA-256 fingerprint of PBS's certificate (PbsServer's `fingerprint`). */
    readonly fingerprint: string;
    /** The backup group's id. @default the dataset name with `/` as `-` (`tank-photos`) */
    readonly backupId?: string;
    /** The archive's name, without `.pxar`. @default the dataset's last component (`photos`) */
    readonly archive?: string;
    /**
     * `metadata` reuses the previous snapshot's unchanged files instead of reading every file again
     * (proxmox-backup-client 3.3 and later: PVE 8.3 and later); `legacy` reads everything.
     * @default "metadata"
     */
    readonly changeDetection?: "metadata" | "legacy";
    readonly paths?: Partial<DatasetBackupPaths>;
}

/** The identifiers of a dataset's backup: group id, archive, unit name (`homelab-backup-<slug>`). */
export function datasetBackupNames(dataset: string): { slug: string; backupId: string; archive: string; unit: string } {
    assertDatasetPath("dataset", dataset);
    const slug = dataset.replace(/\//g, "-").replace(/:/g, "_");
    const leaf = dataset
        .split("/")
        .pop()!
        .replace(/[^A-Za-z0-9_-]/g, "_");
    return { slug, backupId: slug, archive: leaf, unit: `${BACKUP_PREFIX}${slug}` };
}

const WEEKDAYS: Readonly<Record<string, string>> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };

/** The systemd `OnCalendar=` of a tier starting at `HH:MM` (the same days as the tier's vzdump jobs). */
export function systemdCalendar(cadence: TierCadence, startTime: string): string {
    if (!HHMM_PATTERN.test(startTime)) throw new Error(`[startTime] must be HH:MM (24 h), got ${JSON.stringify(startTime)}`);
    switch (cadence.every) {
        case "day":
            return `*-*-* ${startTime}:00`;
        case "week":
            if (WEEKDAYS[cadence.weekday] === undefined)
                throw new Error(`[cadence.weekday] must be mon..sun, got ${JSON.stringify(cadence.weekday)}`);
            return `${WEEKDAYS[cadence.weekday]} *-*-* ${startTime}:00`;
        case "month":
            if (!Number.isInteger(cadence.dayOfMonth) || cadence.dayOfMonth < 1 || cadence.dayOfMonth > 28)
                throw new Error(`[cadence.dayOfMonth] must be 1 to 28, got ${JSON.stringify(cadence.dayOfMonth)}`);
            return `*-*-${String(cadence.dayOfMonth).padStart(2, "0")} ${startTime}:00`;
    }
}

/** The spec, checked, with defaults and the derived names and files. */
export function resolveDatasetBackup(spec: DatasetBackupSpec) {
    const names = datasetBackupNames(spec.dataset);
    const paths = { ...DEFAULT_BACKUP_PATHS, ...spec.paths };
    for (const [key, dir] of Object.entries(paths)) assertPlainPath(`paths.${key}`, dir);
    const backupId = spec.backupId ?? names.backupId;
    assertBackupId("backupId", backupId);
    const archive = spec.archive ?? names.archive;
    assertArchiveName("archive", archive);
    if (spec.changeDetection !== undefined && spec.changeDetection !== "metadata" && spec.changeDetection !== "legacy")
        throw new Error(`[changeDetection] must be metadata or legacy, got ${JSON.stringify(spec.changeDetection)}`);
    if (!/^[a-z0-9_-]{1,32}$/.test(spec.tier))
        throw new Error(`[tier] must be a tier name such as critical, got ${JSON.stringify(spec.tier)}`);
    return {
        dataset: spec.dataset,
        mountpoint: assertPlainPath("mountpoint", spec.mountpoint),
        repository: repositoryOf(spec.repository),
        namespace: spec.namespace === undefined ? undefined : assertNamespace("namespace", spec.namespace),
        keep: spec.keep === undefined ? undefined : keepSettings("keep", spec.keep),
        tier: spec.tier,
        calendar: systemdCalendar(spec.cadence, spec.startTime),
        fingerprint: assertFingerprint("fingerprint", spec.fingerprint).toLowerCase(),
        backupId,
        archive,
        changeDetection: spec.changeDetection ?? "metadata",
        unit: names.unit,
        script: `${paths.scriptDir}/${names.unit}`,
        service: `${paths.unitDir}/${names.unit}.service`,
        timer: `${paths.unitDir}/${names.unit}.timer`,
        credential: `${paths.credentialDir}/${names.slug}.password`,
        credentialDir: paths.credentialDir,
        lock: `${paths.lockDir}/${names.unit}.lock`,
    };
}

const lines = (l: readonly string[]) => l.join("\n") + "\n";

/** (a) The script the service runs on the node (root): snapshot, back up the snapshot, remove it. */
export function datasetBackupScript(spec: DatasetBackupSpec): string {
    const b = resolveDatasetBackup(spec);
    const ns = b.namespace !== undefined ? ' --ns "$NS"' : "";
    return lines([
        "#!/bin/sh",
        `# homelab: back up ZFS dataset ${b.dataset} to Proxmox Backup Server from a fresh snapshot`,
        "set -eu",
        `DS=${shellQuote(b.dataset)}`,
        `MOUNTPOINT=${shellQuote(b.mountpoint)}`,
        `REPOSITORY=${shellQuote(b.repository)}`,
        ...(b.namespace !== undefined ? [`NS=${shellQuote(b.namespace)}`] : []),
        `BACKUP_ID=${shellQuote(b.backupId)}`,
        `ARCHIVE=${shellQuote(`${b.archive}.pxar`)}`,
        `LOCK=${shellQuote(b.lock)}`,
        `PREFIX=${shellQuote(BACKUP_PREFIX)}`,
        "for tool in zfs proxmox-backup-client flock; do",
        '    if ! command -v "$tool" >/dev/null 2>&1; then',
        '        echo "homelab: $tool is not installed on $(hostname); a Proxmox VE node has all three" >&2',
        "        exit 1",
        "    fi",
        "done",
        'if [ -z "${PBS_PASSWORD:-}" ] && [ -z "${PBS_PASSWORD_FILE:-}" ]; then',
        `    echo "homelab: set PBS_PASSWORD_FILE (the service sets ${b.credential}) to the password of the PBS user" >&2`,
        "    exit 1",
        "fi",
        'if [ -z "${PBS_FINGERPRINT:-}" ]; then',
        '    echo "homelab: set PBS_FINGERPRINT (the service sets it) to the certificate fingerprint of Proxmox Backup Server" >&2',
        "    exit 1",
        "fi",
        "# One run at a time: the lock is held until the script exits.",
        'exec 9>"$LOCK"',
        "if ! flock -n 9; then",
        `    echo "homelab: a backup of $DS is already running (lock $LOCK); not starting another" >&2`,
        `    exit ${LOCKED_EXIT}`,
        "fi",
        'if [ "$(zfs get -H -o value mounted "$DS")" != yes ] || [ "$(zfs get -H -o value mountpoint "$DS")" != "$MOUNTPOINT" ]; then',
        '    echo "homelab: $DS is not mounted at $MOUNTPOINT; mount it (zfs mount $DS) or fix the inventory" >&2',
        "    exit 1",
        "fi",
        "# Snapshots of this job a crashed run left behind (no run holds the lock now).",
        'for old in $(zfs list -H -o name -t snapshot -r "$DS" | awk -v p="$DS@$PREFIX" \'index($0, p) == 1\'); do',
        '    zfs destroy "$old"',
        '    echo "homelab: removed $old, left by an interrupted run" >&2',
        "done",
        'SNAP="$PREFIX$(date -u +%Y%m%dT%H%M%SZ)"',
        "# Removes the snapshot, after success and after failure; a just-read snapshot can stay busy for a moment.",
        "cleanup() {",
        '    if zfs list -H -o name "$DS@$SNAP" >/dev/null 2>&1; then',
        "        tries=1",
        '        until zfs destroy "$DS@$SNAP"; do',
        '            if [ "$tries" -ge 5 ]; then',
        '                echo "homelab: could not remove snapshot $DS@$SNAP; the next run removes it" >&2',
        "                return 1",
        "            fi",
        "            tries=$((tries + 1))",
        "            sleep 1",
        "        done",
        "    fi",
        "}",
        "trap cleanup EXIT",
        "trap 'exit 129' HUP",
        "trap 'exit 130' INT",
        "trap 'exit 143' TERM",
        'zfs snapshot "$DS@$SNAP"',
        'SOURCE="$MOUNTPOINT/.zfs/snapshot/$SNAP"',
        `echo "homelab: backing up $SOURCE (snapshot $SNAP of $DS) to $REPOSITORY, ${b.namespace !== undefined ? "namespace $NS" : "root namespace"}, group host/$BACKUP_ID" >&2`,
        `proxmox-backup-client backup "$ARCHIVE:$SOURCE" --repository "$REPOSITORY"${ns} --backup-type host --backup-id "$BACKUP_ID" --change-detection-mode ${b.changeDetection}`,
        'echo "homelab: backup of $DS done" >&2',
        ...(b.keep !== undefined
            ? [
                  "# Keep the tier's retention: this PBS has no prune job of the program's.",
                  `proxmox-backup-client prune "host/$BACKUP_ID" --repository "$REPOSITORY"${ns} ${Object.entries(b.keep)
                      .flatMap(([k, v]) => (v === undefined ? [] : [`--${k} ${v}`]))
                      .join(" ")}`,
                  'echo "homelab: pruned group host/$BACKUP_ID" >&2',
              ]
            : []),
    ]);
}

/** (b) The systemd service that runs the backup script. */
export function datasetBackupService(spec: DatasetBackupSpec): string {
    const b = resolveDatasetBackup(spec);
    return lines([
        "[Unit]",
        `Description=homelab: back up ZFS dataset ${b.dataset} to Proxmox Backup Server`,
        "Wants=network-online.target",
        "After=network-online.target zfs-mount.service",
        "",
        "[Service]",
        "Type=oneshot",
        `Environment=PBS_PASSWORD_FILE=${b.credential}`,
        `Environment=PBS_FINGERPRINT=${b.fingerprint}`,
        `ExecStart=${b.script}`,
        "Nice=10",
        "IOSchedulingClass=idle",
    ]);
}

/** (b) The timer that starts it on the tier's schedule; a run missed while the node was off runs at boot. */
export function datasetBackupTimer(spec: DatasetBackupSpec): string {
    const b = resolveDatasetBackup(spec);
    return lines([
        "[Unit]",
        `Description=homelab: back up ZFS dataset ${b.dataset} (tier ${b.tier})`,
        "",
        "[Timer]",
        `OnCalendar=${b.calendar}`,
        "Persistent=true",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]);
}

/** A here-document writing `content` through `install_file`; refuses content holding the delimiter line. */
function heredoc(path: string, mode: string, content: string, delimiter: string): string[] {
    if (content.split("\n").includes(delimiter)) throw new Error(`internal: ${path} holds the line ${delimiter}`);
    return [`install_file ${shellQuote(path)} ${mode} <<'${delimiter}'`, ...content.replace(/\n$/, "").split("\n"), delimiter];
}

/**
 * (c) Installs (create and update of the remote command): the password (first line of stdin) into
 * a 0600 file, the script and the units, each written only when it differs; then enables the
 * timer and restarts it when anything changed. A second run changes nothing.
 */
export function datasetBackupInstallScript(spec: DatasetBackupSpec): string {
    const b = resolveDatasetBackup(spec);
    return lines([
        `# homelab: install the backup of ZFS dataset ${b.dataset} (${b.unit}.timer: ${b.calendar})`,
        "set -eu",
        "umask 077",
        "PW=''",
        "IFS= read -r PW || true",
        'if [ -z "$PW" ]; then',
        '    echo "homelab: the password of the PBS user must arrive on stdin (first line); got nothing" >&2',
        "    exit 1",
        "fi",
        `TIMER=${shellQuote(`${b.unit}.timer`)}`,
        "CHANGED=''",
        "# install_file PATH MODE: writes stdin to PATH unless it already holds exactly that.",
        "install_file() {",
        '    tmp=$(mktemp "$1.homelab.XXXXXX")',
        '    cat > "$tmp"',
        '    chmod "$2" "$tmp"',
        '    if [ -f "$1" ] && cmp -s "$tmp" "$1"; then',
        '        rm -f "$tmp"',
        "    else",
        '        mv "$tmp" "$1"',
        "        CHANGED=yes",
        '        echo "homelab: wrote $1" >&2',
        "    fi",
        "}",
        `mkdir -p ${shellQuote(b.credentialDir)} ${shellQuote(b.script.replace(/\/[^/]+$/, ""))} ${shellQuote(b.service.replace(/\/[^/]+$/, ""))}`,
        `chmod 0700 ${shellQuote(b.credentialDir)}`,
        `install_file ${shellQuote(b.credential)} 0600 <<HOMELAB_PASSWORD`,
        "$PW",
        "HOMELAB_PASSWORD",
        ...heredoc(b.script, "0755", datasetBackupScript(spec), "HOMELAB_SCRIPT"),
        ...heredoc(b.service, "0644", datasetBackupService(spec), "HOMELAB_SERVICE"),
        ...heredoc(b.timer, "0644", datasetBackupTimer(spec), "HOMELAB_TIMER"),
        'if [ -n "$CHANGED" ]; then systemctl daemon-reload; fi',
        'if ! systemctl is-enabled --quiet "$TIMER"; then',
        '    systemctl enable "$TIMER"',
        '    echo "homelab: enabled $TIMER" >&2',
        "fi",
        'if [ -n "$CHANGED" ] || ! systemctl is-active --quiet "$TIMER"; then',
        '    systemctl restart "$TIMER"',
        '    echo "homelab: (re)started $TIMER" >&2',
        "fi",
    ]);
}

/** (c) Removes the timer, the service, the script and the password file; backups in PBS stay. */
export function datasetBackupRemoveScript(spec: DatasetBackupSpec): string {
    const b = resolveDatasetBackup(spec);
    return lines([
        `# homelab: remove the backup job of ZFS dataset ${b.dataset} (its backups in PBS stay)`,
        "set -eu",
        `TIMER=${shellQuote(`${b.unit}.timer`)}`,
        `if [ -f ${shellQuote(b.timer)} ]; then`,
        '    systemctl disable --now "$TIMER" || true',
        "fi",
        `rm -f ${[b.timer, b.service, b.script, b.credential].map(shellQuote).join(" ")}`,
        "systemctl daemon-reload",
        `echo ${shellQuote(`homelab: removed the backup job of ${b.dataset}; its backups stay in Proxmox Backup Server (group host/${b.backupId})`)} >&2`,
    ]);
}
