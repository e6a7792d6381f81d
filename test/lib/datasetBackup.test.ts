/**
 * The dataset backup pieces as text: the backup script, the service and timer units, the install
 * and remove scripts, and the restore command line. Units are checked by systemd's own parser
 * (systemd-analyze), scripts by shellcheck. What the backup script does against real ZFS is in
 * test/integration/datasetBackup.test.ts.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    DatasetBackupSpec,
    datasetBackupInstallScript,
    datasetBackupNames,
    datasetBackupRemoveScript,
    datasetBackupScript,
    datasetBackupService,
    datasetBackupTimer,
    systemdCalendar,
} from "../../lib/datasetBackup";
import { datasetRestoreCommand } from "../../lib/datasetRestore";
import { repositoryOf } from "../../lib/pbs/repository";
import { shellcheck } from "../helpers/shellcheck";
import { normalizedCalendar, verifyUnits } from "../helpers/systemd";

const FP = "7a:1b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09";
const SPEC: DatasetBackupSpec = {
    dataset: "tank/photos",
    mountpoint: "/tank/photos",
    repository: { user: "pve@pbs", server: "192.168.30.20", datastore: "tank" },
    namespace: "critical",
    tier: "critical",
    cadence: { every: "day" },
    startTime: "05:30",
    fingerprint: FP.toUpperCase(),
};

describe("names and the repository", () => {
    it("derives the group id, archive and unit from the dataset", () => {
        expect(datasetBackupNames("tank/appdata/photos")).toEqual({
            slug: "tank-appdata-photos",
            backupId: "tank-appdata-photos",
            archive: "photos",
            unit: "homelab-backup-tank-appdata-photos",
        });
        expect(datasetBackupNames("tank/my:data.v2")).toEqual({
            slug: "tank-my_data.v2",
            backupId: "tank-my_data.v2",
            archive: "my_data_v2",
            unit: "homelab-backup-tank-my_data.v2",
        });
    });
    it("writes the repository as proxmox-backup-client reads it ([[user@]server[:port]:]datastore)", () => {
        expect(repositoryOf(SPEC.repository)).toBe("pve@pbs@192.168.30.20:tank");
        expect(repositoryOf({ ...SPEC.repository, port: 8008, server: "pbs.lab.example.org" })).toBe(
            "pve@pbs@pbs.lab.example.org:8008:tank",
        );
        expect(() => repositoryOf({ ...SPEC.repository, server: "pbs;reboot" })).toThrow(
            "[repository.server] must be an IPv4 address or a host name",
        );
    });
});

describe("systemdCalendar: the tier's days at the given start", () => {
    it.each([
        [{ every: "day" as const }, "05:30", "*-*-* 05:30:00"],
        [{ every: "week" as const, weekday: "sun" as const }, "03:15", "Sun *-*-* 03:15:00"],
        [{ every: "month" as const, dayOfMonth: 1 }, "04:45", "*-*-01 04:45:00"],
    ])("%j at %s is %s, as systemd itself normalizes it", (cadence, start, calendar) => {
        expect(systemdCalendar(cadence, start)).toBe(calendar);
        expect(normalizedCalendar(calendar)).toBe(calendar);
    });
    it("refuses a start that is not HH:MM", () => {
        expect(() => systemdCalendar({ every: "day" }, "5:30")).toThrow('[startTime] must be HH:MM (24 h), got "5:30"');
    });
});

describe("datasetBackupScript", () => {
    const script = datasetBackupScript(SPEC);

    it("is shellcheck-clean, and exactly as built (snapshot)", () => {
        expect(shellcheck(script)).toEqual([]);
        expect(script).toMatchSnapshot();
    });
    it("refuses to run twice at once: flock on the job's lock, exit 75 when held", () => {
        expect(script).toContain("LOCK='/run/lock/homelab-backup-tank-photos.lock'\n");
        expect(script).toContain('exec 9>"$LOCK"\nif ! flock -n 9; then\n');
        expect(script).toContain("    exit 75\n");
    });
    it("takes a fresh snapshot and hands its .zfs/snapshot directory, never the live mountpoint, to the client", () => {
        expect(script).toContain('SNAP="$PREFIX$(date -u +%Y%m%dT%H%M%SZ)"\n');
        expect(script).toContain('zfs snapshot "$DS@$SNAP"\nSOURCE="$MOUNTPOINT/.zfs/snapshot/$SNAP"\n');
        expect(script).toContain(
            'proxmox-backup-client backup "$ARCHIVE:$SOURCE" --repository "$REPOSITORY" --ns "$NS" --backup-type host --backup-id "$BACKUP_ID" --change-detection-mode metadata\n',
        );
        expect(script).toContain(
            "REPOSITORY='pve@pbs@192.168.30.20:tank'\nNS='critical'\nBACKUP_ID='tank-photos'\nARCHIVE='photos.pxar'\n",
        );
        expect(script).not.toMatch(/backup "\$ARCHIVE:\$MOUNTPOINT"/);
    });
    it("removes the snapshot after success and after failure (EXIT trap), and signals end the run through it", () => {
        expect(script).toContain("trap cleanup EXIT\ntrap 'exit 129' HUP\ntrap 'exit 130' INT\ntrap 'exit 143' TERM\n");
        expect(script.indexOf("trap cleanup EXIT")).toBeLessThan(script.indexOf('zfs snapshot "$DS@$SNAP"'));
        expect(script).toContain('        until zfs destroy "$DS@$SNAP"; do\n');
    });
    it("removes the snapshots an interrupted run left, only its own", () => {
        expect(script).toContain(
            'for old in $(zfs list -H -o name -t snapshot -r "$DS" | awk -v p="$DS@$PREFIX" \'index($0, p) == 1\'); do\n',
        );
    });
    it("refuses a dataset not mounted where the inventory says, and runs without credentials", () => {
        expect(script).toContain("is not mounted at $MOUNTPOINT");
        expect(script).toContain('if [ -z "${PBS_FINGERPRINT:-}" ]; then\n');
        expect(script).toContain('if [ -z "${PBS_PASSWORD:-}" ] && [ -z "${PBS_PASSWORD_FILE:-}" ]; then\n');
    });
    it("on a PBS the program does not manage: the root namespace, and the group pruned after a successful backup", () => {
        const { namespace: _namespace, ...rest } = SPEC;
        const external = datasetBackupScript({ ...rest, keep: { keepDaily: 7, keepWeekly: 4, keepMonthly: 0 } });
        expect(shellcheck(external)).toEqual([]);
        expect(external).not.toContain("--ns");
        expect(external).not.toContain("NS=");
        // `set -eu`: the prune runs only after the backup succeeded; a keep count of 0 keeps none of that kind.
        expect(external).toMatch(
            /--change-detection-mode metadata\necho "homelab: backup of \$DS done" >&2\n# Keep the tier's retention: this PBS has no prune job of the program's\.\nproxmox-backup-client prune "host\/\$BACKUP_ID" --repository "\$REPOSITORY" --keep-daily 7 --keep-weekly 4\n/,
        );
        expect(() => datasetBackupScript({ ...SPEC, keep: {} })).toThrow("[keep] keeps nothing");
        expect(datasetBackupScript(SPEC)).not.toContain("proxmox-backup-client prune");
    });
    it("reads every file again with legacy change detection", () => {
        expect(datasetBackupScript({ ...SPEC, changeDetection: "legacy" })).toContain("--change-detection-mode legacy\n");
    });
    it.each([
        [{ dataset: "tank/x;reboot" }, "[dataset] must be a ZFS dataset name"],
        [{ mountpoint: "/tank/$(reboot)" }, "[mountpoint] must be an absolute path"],
        [{ namespace: "critical;x" }, "[namespace] must be a namespace such as critical"],
        [{ fingerprint: "nope" }, "[fingerprint] must be a SHA-256 fingerprint as 32 hex pairs separated by ':', got \"nope\""],
        [{ archive: "photos.pxar" }, "[archive] must be letters, digits, '-' and '_' (proxmox-backup-client's archive names)"],
        [{ backupId: "-x" }, '[backupId] must be letters, digits and . _ - (not starting with . or -), such as tank-photos, got "-x"'],
        [{ tier: "Critical!" }, '[tier] must be a tier name such as critical, got "Critical!"'],
        [{ paths: { lockDir: "/run/my lock" } }, "[paths.lockDir] must be an absolute path"],
    ])("refuses %j before building anything", (change, message) => {
        expect(() => datasetBackupScript({ ...SPEC, ...change } as DatasetBackupSpec)).toThrow(message);
    });
});

describe("the service and the timer", () => {
    it("the service runs the script once per start, with the password file and the fingerprint in its environment", () => {
        expect(datasetBackupService(SPEC)).toBe(
            [
                "[Unit]",
                "Description=homelab: back up ZFS dataset tank/photos to Proxmox Backup Server",
                "Wants=network-online.target",
                "After=network-online.target zfs-mount.service",
                "",
                "[Service]",
                "Type=oneshot",
                "Environment=PBS_PASSWORD_FILE=/etc/homelab/pbs/tank-photos.password",
                `Environment=PBS_FINGERPRINT=${FP}`,
                "ExecStart=/usr/local/sbin/homelab-backup-tank-photos",
                "Nice=10",
                "IOSchedulingClass=idle",
                "",
            ].join("\n"),
        );
    });
    it("the timer starts it on the tier's schedule and catches up a missed run", () => {
        expect(datasetBackupTimer({ ...SPEC, tier: "medium", cadence: { every: "week", weekday: "sun" }, startTime: "03:00" })).toBe(
            [
                "[Unit]",
                "Description=homelab: back up ZFS dataset tank/photos (tier medium)",
                "",
                "[Timer]",
                "OnCalendar=Sun *-*-* 03:00:00",
                "Persistent=true",
                "",
                "[Install]",
                "WantedBy=timers.target",
                "",
            ].join("\n"),
        );
    });
    it("both pass systemd-analyze verify (the script installed where the service says)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-script-"));
        try {
            const spec = { ...SPEC, paths: { scriptDir: dir } };
            fs.writeFileSync(path.join(dir, "homelab-backup-tank-photos"), datasetBackupScript(spec), { mode: 0o755 });
            expect(
                verifyUnits({
                    "homelab-backup-tank-photos.service": datasetBackupService(spec),
                    "homelab-backup-tank-photos.timer": datasetBackupTimer(spec),
                }),
            ).toBe("");
            // and the check really checks
            expect(verifyUnits({ "broken.service": "[Service]\nType=oneshot\nExecStrt=/bin/true\n" })).toContain("Unknown key 'ExecStrt'");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("datasetBackupInstallScript and datasetBackupRemoveScript", () => {
    const install = datasetBackupInstallScript(SPEC);
    const remove = datasetBackupRemoveScript(SPEC);

    it("are shellcheck-clean, and exactly as built (snapshot)", () => {
        expect(shellcheck(install)).toEqual([]);
        expect(shellcheck(remove)).toEqual([]);
        expect(install).toMatchSnapshot();
        expect(remove).toMatchSnapshot();
    });
    it("writes the password from stdin into a 0600 file, never holding it in the text", () => {
        expect(install).toContain("umask 077\nPW=''\nIFS= read -r PW || true\n");
        expect(install).toContain("install_file '/etc/homelab/pbs/tank-photos.password' 0600 <<HOMELAB_PASSWORD\n$PW\nHOMELAB_PASSWORD\n");
    });
    it("writes the exact script and units, each only when it differs", () => {
        expect(install).toContain(
            `install_file '/usr/local/sbin/homelab-backup-tank-photos' 0755 <<'HOMELAB_SCRIPT'\n${datasetBackupScript(SPEC)}HOMELAB_SCRIPT\n`,
        );
        expect(install).toContain(
            `install_file '/etc/systemd/system/homelab-backup-tank-photos.service' 0644 <<'HOMELAB_SERVICE'\n${datasetBackupService(SPEC)}HOMELAB_SERVICE\n`,
        );
        expect(install).toContain(
            `install_file '/etc/systemd/system/homelab-backup-tank-photos.timer' 0644 <<'HOMELAB_TIMER'\n${datasetBackupTimer(SPEC)}HOMELAB_TIMER\n`,
        );
        expect(install).toContain('    if [ -f "$1" ] && cmp -s "$tmp" "$1"; then\n');
    });
    it("enables the timer, reloading and restarting only after a change", () => {
        expect(install).toContain('if [ -n "$CHANGED" ]; then systemctl daemon-reload; fi\n');
        expect(install).toContain('if ! systemctl is-enabled --quiet "$TIMER"; then\n    systemctl enable "$TIMER"\n');
        expect(install).toContain('if [ -n "$CHANGED" ] || ! systemctl is-active --quiet "$TIMER"; then\n    systemctl restart "$TIMER"\n');
    });
    it("removes the timer, service, script and password file, and says the backups stay", () => {
        expect(remove).toContain(
            "rm -f '/etc/systemd/system/homelab-backup-tank-photos.timer' '/etc/systemd/system/homelab-backup-tank-photos.service' '/usr/local/sbin/homelab-backup-tank-photos' '/etc/homelab/pbs/tank-photos.password'\n",
        );
        expect(remove).toContain("its backups stay in Proxmox Backup Server (group host/tank-photos)");
        expect(remove).not.toContain("zfs destroy");
    });
});

describe("datasetRestoreCommand (docs/restore.md)", () => {
    const base = {
        repository: SPEC.repository,
        namespace: "critical",
        backupId: "tank-photos",
        archive: "photos",
        target: "/tank/photos-restore",
    };
    it("restores the group's latest snapshot into an empty directory", () => {
        expect(datasetRestoreCommand(base)).toBe(
            "proxmox-backup-client restore host/tank-photos photos.pxar /tank/photos-restore --repository pve@pbs@192.168.30.20:tank --ns critical",
        );
    });
    it("restores a given snapshot, and from another datastore (the offsite copy)", () => {
        expect(
            datasetRestoreCommand({
                ...base,
                snapshot: "2026-01-02T03:04:05Z",
                repository: { user: "root@pam", server: "192.168.30.20", datastore: "tank-offsite" },
            }),
        ).toBe(
            "proxmox-backup-client restore host/tank-photos/2026-01-02T03:04:05Z photos.pxar /tank/photos-restore --repository root@pam@192.168.30.20:tank-offsite --ns critical",
        );
    });
    it("is a command line the shell splits into exactly the intended words", () => {
        const { spawnSync } = jest.requireActual<typeof import("child_process")>("child_process");
        const line = datasetRestoreCommand(base).replace(/^proxmox-backup-client /, "");
        const r = spawnSync("sh", ["-c", `set -- ${line}; for w do printf '%s\\n' "$w"; done`], { encoding: "utf8" });
        expect(r.stdout.trim().split("\n")).toEqual([
            "restore",
            "host/tank-photos",
            "photos.pxar",
            "/tank/photos-restore",
            "--repository",
            "pve@pbs@192.168.30.20:tank",
            "--ns",
            "critical",
        ]);
    });
    it.each([
        [{ snapshot: "yesterday" }, '[snapshot] must be a snapshot time such as 2026-01-02T03:04:05Z, got "yesterday"'],
        [{ target: "/tmp/x; rm -rf /" }, "[target] must be an absolute path"],
        [
            { archive: "photos.pxar" },
            `[archive] must be letters, digits, '-' and '_' (proxmox-backup-client's archive names), such as photos, got "photos.pxar"`,
        ],
    ])("refuses %j", (change, message) => {
        expect(() => datasetRestoreCommand({ ...base, ...change })).toThrow(message);
    });
});

describe("docs/restore.md", () => {
    it("shows the restore command line datasetRestoreCommand builds for the reference stack", () => {
        const doc = fs.readFileSync(path.join(__dirname, "../../docs/restore.md"), "utf8");
        const command = datasetRestoreCommand({
            repository: { user: "pve@pbs", server: "192.168.10.20", datastore: "tank" },
            namespace: "critical",
            backupId: datasetBackupNames("tank/photos").backupId,
            archive: datasetBackupNames("tank/photos").archive,
            target: "/tank/photos-restore",
        });
        expect(command).toBe(
            "proxmox-backup-client restore host/tank-photos photos.pxar /tank/photos-restore --repository pve@pbs@192.168.10.20:tank --ns critical",
        );
        expect(doc).toContain(`\n${command}\n`);
    });
});
