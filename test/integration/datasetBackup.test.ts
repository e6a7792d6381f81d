/**
 * The dataset backup of lib/datasetBackup.ts for real: installed by its install script and run
 * over real SSH against real ZFS (zfs-fuse), with a recording stand-in of proxmox-backup-client
 * (PBS cannot be installed here) that records its arguments, its environment and the snapshots
 * that exist while it runs, and can be told to fail or to take its time. `systemctl` is a stand-in
 * too (no systemd here). zfs-fuse has no `.zfs` directory, so the stand-in checks that the path it
 * is handed names a snapshot that exists at that moment, rather than reading files from it.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DatasetBackupSpec, datasetBackupInstallScript, datasetBackupRemoveScript, resolveDatasetBackup } from "../../lib/datasetBackup";
import { shellQuote } from "../../lib/shell";
import { readState, run, runOk, sleep, sshArgs, sshRun } from "./environment";

const state = readState();
if (!state.available) throw new Error(`the integration environment is not ready: ${state.reason}`);
const env = state;

const FP = "7a:1b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09";
const PASSWORD = "correct horse battery";
const DIR = path.join(env.dir, "dataset-backup");
const BIN = path.join(DIR, "bin");
const CLIENT = path.join(DIR, "client");
const DS = `${env.pool}/photos`;
const MOUNTPOINT = path.join(env.dir, "mnt", env.pool, "photos");

const SPEC: DatasetBackupSpec = {
    dataset: DS,
    mountpoint: MOUNTPOINT,
    repository: { user: "pve@pbs", server: "192.168.30.20", datastore: "tank" },
    namespace: "critical",
    tier: "critical",
    cadence: { every: "day" },
    startTime: "05:30",
    fingerprint: FP,
    paths: {
        scriptDir: path.join(DIR, "sbin"),
        unitDir: path.join(DIR, "units"),
        credentialDir: path.join(DIR, "credentials"),
        lockDir: path.join(DIR, "lock"),
    },
};
const b = resolveDatasetBackup(SPEC);

/** The stand-in client: records a call (arguments, environment, snapshots of the pool) and does what `client/mode` says. */
const CLIENT_STAND_IN = `#!/bin/sh
n=$(ls ${shellQuote(CLIENT)} | grep -c '^call-.*\\.args$' || true)
n=$((n + 1))
printf '%s\\n' "$@" > ${shellQuote(CLIENT)}/call-$n.args
printf 'PBS_PASSWORD_FILE=%s\\nPBS_FINGERPRINT=%s\\n' "\${PBS_PASSWORD_FILE:-}" "\${PBS_FINGERPRINT:-}" > ${shellQuote(CLIENT)}/call-$n.env
zfs list -H -o name -t snapshot -r ${shellQuote(env.pool)} > ${shellQuote(CLIENT)}/call-$n.snapshots
mode=$(cat ${shellQuote(CLIENT)}/mode 2>/dev/null || echo ok)
case "$mode" in
    fail) echo "stand-in client: told to fail" >&2; exit 3 ;;
    sleep:*) sleep "\${mode#sleep:}" ;;
esac
echo "stand-in client: recorded call $n" >&2
`;

/** The stand-in systemctl: keeps enabled/active in files, records every call. */
const SYSTEMCTL_STAND_IN = `#!/bin/sh
printf '%s\\n' "$*" >> ${shellQuote(DIR)}/systemctl.log
state=${shellQuote(DIR)}/systemd
mkdir -p "$state"
case "$1" in
    is-enabled) [ -f "$state/enabled-$3" ] ;;
    is-active) [ -f "$state/active-$3" ] ;;
    enable) touch "$state/enabled-$2" ;;
    restart) touch "$state/active-$2" ;;
    disable) rm -f "$state/enabled-$3" "$state/active-$3" ;;
    daemon-reload) : ;;
    *) echo "stand-in systemctl: unknown $*" >&2; exit 1 ;;
esac
`;

/** Runs a script over SSH with the stand-ins first on PATH. */
function onNode(script: string, input?: string) {
    return sshRun(env, `PATH=${shellQuote(BIN)}:"$PATH"; export PATH\n${script}`, input);
}

/** Runs the installed backup script as the service would: with its environment. */
function backupCommand(): string {
    return `PATH=${shellQuote(BIN)}:"$PATH" PBS_PASSWORD_FILE=${shellQuote(b.credential)} PBS_FINGERPRINT=${FP} ${shellQuote(b.script)}`;
}

function runBackup() {
    return sshRun(env, backupCommand());
}

/** Starts a backup in the background; resolves with its exit code and stderr. */
function startBackup(): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn("ssh", sshArgs(env, backupCommand()));
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (code) => resolve({ code, stderr }));
    });
}

function snapshots(): string[] {
    return runOk("zfs", ["list", "-H", "-o", "name", "-t", "snapshot", "-r", DS])
        .split("\n")
        .filter((l) => l !== "");
}

function calls(): { args: string[]; env: string; snapshots: string[] }[] {
    const files = fs
        .readdirSync(CLIENT)
        .filter((f) => /^call-\d+\.args$/.test(f))
        .sort((x, y) => Number(/\d+/.exec(x)![0]) - Number(/\d+/.exec(y)![0]));
    return files.map((f) => {
        const base = path.join(CLIENT, f.replace(/\.args$/, ""));
        return {
            args: fs.readFileSync(`${base}.args`, "utf8").replace(/\n$/, "").split("\n"),
            env: fs.readFileSync(`${base}.env`, "utf8"),
            snapshots: fs
                .readFileSync(`${base}.snapshots`, "utf8")
                .split("\n")
                .filter((l) => l !== ""),
        };
    });
}

function clientMode(mode: string): void {
    fs.writeFileSync(path.join(CLIENT, "mode"), mode);
}

function forgetCalls(): void {
    for (const f of fs.readdirSync(CLIENT)) if (f.startsWith("call-")) fs.rmSync(path.join(CLIENT, f));
}

beforeAll(() => {
    fs.rmSync(DIR, { recursive: true, force: true });
    fs.mkdirSync(BIN, { recursive: true });
    fs.mkdirSync(CLIENT, { recursive: true });
    fs.mkdirSync(path.join(DIR, "lock"), { recursive: true });
    fs.writeFileSync(path.join(BIN, "proxmox-backup-client"), CLIENT_STAND_IN, { mode: 0o755 });
    fs.writeFileSync(path.join(BIN, "systemctl"), SYSTEMCTL_STAND_IN, { mode: 0o755 });
    if (run("zfs", ["list", "-H", DS]).status !== 0) runOk("zfs", ["create", DS]);
    fs.writeFileSync(path.join(MOUNTPOINT, "IMG_0001.jpg"), "a photo");
});

describe("dataset backup over SSH on real ZFS (zfs-fuse), with a recording proxmox-backup-client stand-in (PBS is not installable here)", () => {
    it("the install script writes the script, the units and the 0600 password file, and enables the timer", () => {
        const r = onNode(datasetBackupInstallScript(SPEC), `${PASSWORD}\n`);
        expect(r.stderr).not.toContain(PASSWORD);
        expect(r.code).toBe(0);
        expect(fs.readFileSync(b.credential, "utf8")).toBe(`${PASSWORD}\n`);
        expect((fs.statSync(b.credential).mode & 0o777).toString(8)).toBe("600");
        expect((fs.statSync(b.script).mode & 0o777).toString(8)).toBe("755");
        expect(fs.readFileSync(b.timer, "utf8")).toContain("OnCalendar=*-*-* 05:30:00\n");
        expect(fs.readFileSync(path.join(DIR, "systemctl.log"), "utf8")).toBe(
            `daemon-reload\nis-enabled --quiet ${b.unit}.timer\nenable ${b.unit}.timer\nrestart ${b.unit}.timer\n`,
        );
    });

    it("a second install changes nothing", () => {
        fs.rmSync(path.join(DIR, "systemctl.log"));
        const mtimes = [b.script, b.service, b.timer, b.credential].map((f) => fs.statSync(f).mtimeMs);
        const r = onNode(datasetBackupInstallScript(SPEC), `${PASSWORD}\n`);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe("");
        expect([b.script, b.service, b.timer, b.credential].map((f) => fs.statSync(f).mtimeMs)).toEqual(mtimes);
        expect(fs.readFileSync(path.join(DIR, "systemctl.log"), "utf8")).toBe(
            `is-enabled --quiet ${b.unit}.timer\nis-active --quiet ${b.unit}.timer\n`,
        );
    });

    it("a run takes a fresh snapshot, hands the stand-in client the snapshot's path (not the live mountpoint), and removes the snapshot", () => {
        clientMode("ok");
        forgetCalls();
        expect(snapshots()).toEqual([]);
        const r = runBackup();
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(`homelab: backup of ${DS} done`);
        const [call, ...more] = calls();
        expect(more).toEqual([]);
        // the snapshot existed while the client ran, and the path handed over is its directory
        const taken = call.snapshots.filter((s) => s.startsWith(`${DS}@homelab-backup-`));
        expect(taken).toHaveLength(1);
        const snap = taken[0].split("@")[1];
        expect(snap).toMatch(/^homelab-backup-\d{8}T\d{6}Z$/);
        expect(call.args).toEqual([
            "backup",
            `photos.pxar:${MOUNTPOINT}/.zfs/snapshot/${snap}`,
            "--repository",
            "pve@pbs@192.168.30.20:tank",
            "--ns",
            "critical",
            "--backup-type",
            "host",
            "--backup-id",
            `${env.pool}-photos`,
            "--change-detection-mode",
            "metadata",
        ]);
        expect(call.args[1]).not.toBe(`photos.pxar:${MOUNTPOINT}`);
        expect(call.env).toBe(`PBS_PASSWORD_FILE=${b.credential}\nPBS_FINGERPRINT=${FP}\n`);
        // and it is gone afterwards
        expect(snapshots()).toEqual([]);
    });

    it("when the stand-in client fails, the run fails with its status and still removes the snapshot", () => {
        clientMode("fail");
        forgetCalls();
        const r = runBackup();
        expect(r.code).toBe(3);
        expect(r.stderr).toContain("stand-in client: told to fail");
        expect(calls()[0].snapshots.some((s) => s.startsWith(`${DS}@homelab-backup-`))).toBe(true);
        expect(snapshots()).toEqual([]);
    });

    it("refuses a second run while one is going (flock): no second snapshot, and the first still finishes and cleans up", async () => {
        clientMode("sleep:4");
        forgetCalls();
        const first = startBackup();
        for (let i = 0; i < 100 && calls().length === 0; i++) await sleep(100);
        expect(calls()).toHaveLength(1);
        const second = runBackup();
        expect(second.code).toBe(75);
        expect(second.stderr).toContain(`homelab: a backup of ${DS} is already running (lock ${b.lock}); not starting another`);
        expect(snapshots()).toHaveLength(1);
        const done = await first;
        expect(done.code).toBe(0);
        expect(calls()).toHaveLength(1);
        expect(snapshots()).toEqual([]);
    });

    it("removes the snapshots an interrupted run left behind, and only those", () => {
        clientMode("ok");
        runOk("zfs", ["snapshot", `${DS}@homelab-backup-20000101T000000Z`]);
        runOk("zfs", ["snapshot", `${DS}@by-hand`]);
        const r = runBackup();
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(`homelab: removed ${DS}@homelab-backup-20000101T000000Z, left by an interrupted run`);
        expect(snapshots()).toEqual([`${DS}@by-hand`]);
        runOk("zfs", ["destroy", `${DS}@by-hand`]);
    });

    it("refuses to run when the dataset is not mounted where the script expects, taking no snapshot", () => {
        forgetCalls();
        // the installed script, as if the inventory said the dataset lives elsewhere
        const script = fs.readFileSync(b.script, "utf8").replace(`MOUNTPOINT='${MOUNTPOINT}'`, `MOUNTPOINT='/somewhere/else'`);
        const r = sshRun(env, `PATH=${shellQuote(BIN)}:"$PATH" PBS_PASSWORD_FILE=x PBS_FINGERPRINT=${FP} sh -s`, script);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`homelab: ${DS} is not mounted at /somewhere/else`);
        expect(calls()).toEqual([]);
        expect(snapshots()).toEqual([]);
    });

    it("the remove script disables the timer and removes the job's files, and the data stays", () => {
        const r = onNode(datasetBackupRemoveScript(SPEC));
        expect(r.code).toBe(0);
        for (const f of [b.script, b.service, b.timer, b.credential]) expect(fs.existsSync(f)).toBe(false);
        expect(fs.readFileSync(path.join(DIR, "systemctl.log"), "utf8")).toContain(`disable --now ${b.unit}.timer\n`);
        expect(fs.readFileSync(path.join(MOUNTPOINT, "IMG_0001.jpg"), "utf8")).toBe("a photo");
    });
});
