/**
 * The integration environment shared by globalSetup, the tests and globalTeardown: a file-backed
 * zfs-fuse pool and an OpenSSH server on 127.0.0.1 with a throw-away key, described by a state
 * file whose path travels in an environment variable.
 */
import { SpawnSyncReturns, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Environment variable holding the state file's path (set by globalSetup, inherited by the workers). */
export const STATE_ENV = "HOMELAB_ZFS_IT_STATE";
/** The one working directory of the suite; a run first cleans what a crashed run left there. */
export const WORK_DIR = path.join(os.tmpdir(), "homelab-zfs-it");
/** Prefix of the test pools: pools with it are the suite's own and may be destroyed. */
export const POOL_PREFIX = "homelabit";

/** What globalSetup prepared, or why it could not. */
export type IntegrationState =
    | {
          readonly available: true;
          readonly dir: string;
          readonly pool: string;
          readonly poolFile: string;
          readonly sshPort: number;
          readonly clientKey: string;
          readonly knownHosts: string;
          readonly sshdPidFile: string;
          readonly sshdConfig: string;
          /** Set when this run started zfs-fuse (teardown stops it). */
          readonly zfsFusePidFile?: string;
      }
    | { readonly available: false; readonly reason: string };

export function statePath(): string {
    return process.env[STATE_ENV] ?? path.join(WORK_DIR, "state.json");
}

export function readState(): IntegrationState {
    const file = statePath();
    if (!fs.existsSync(file)) return { available: false, reason: `no state file at ${file}: globalSetup did not run` };
    return JSON.parse(fs.readFileSync(file, "utf8")) as IntegrationState;
}

/** Runs a program without a shell; never throws (check `status`). */
export function run(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
    return spawnSync(cmd, args, { encoding: "utf8", input: opts.input, timeout: opts.timeoutMs ?? 60000 });
}

/** Runs a program and throws with its output when it fails. */
export function runOk(cmd: string, args: readonly string[]): string {
    const r = run(cmd, args);
    if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.error?.message ?? ""}${r.stderr}${r.stdout}`);
    return r.stdout;
}

/** Whether an executable is on PATH (or at an absolute path). */
export function hasTool(name: string): boolean {
    return run("sh", ["-c", 'command -v "$1"', "sh", name]).status === 0;
}

/** Whether pid is alive and its command line contains `needle` (so a recycled pid is never killed). */
export function processMatches(pid: number, needle: string): boolean {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").includes(needle);
    } catch {
        return false;
    }
}

/** Stops the process of a pid file if it is still the expected program; waits for it to exit. */
export async function stopByPidFile(pidFile: string, needle: string): Promise<void> {
    if (!fs.existsSync(pidFile)) return;
    const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 1 || !processMatches(pid, needle)) return;
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 100 && processMatches(pid, needle); i++) await sleep(100);
    if (processMatches(pid, needle)) process.kill(pid, "SIGKILL");
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Destroys a test pool. zfs-fuse often answers "busy" when `zpool destroy` has to unmount
 * datasets itself (the unmount happens anyway), so unmount deepest-first and retry a few times.
 */
export async function destroyPool(pool: string): Promise<void> {
    let last = "";
    for (let attempt = 0; attempt < 10; attempt++) {
        if (run("zpool", ["list", "-H", "-o", "name", pool]).status !== 0) return;
        const listed = run("zfs", ["list", "-H", "-o", "name,mounted", "-r", pool]);
        const mounted = listed.stdout
            .split("\n")
            .map((line) => line.split("\t"))
            .filter(([, m]) => m === "yes")
            .map(([name]) => name)
            .reverse();
        for (const name of mounted) run("zfs", ["unmount", name]);
        const r = run("zpool", ["destroy", "-f", pool]);
        if (r.status === 0) return;
        last = r.stderr.trim();
        await sleep(300);
    }
    throw new Error(`could not destroy the test pool ${pool}: ${last}`);
}

/** What a script run over SSH gave back. */
export interface SshResult {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** The ssh command line that runs `script` on 127.0.0.1 as root, the host key checked against the suite's known_hosts. */
export function sshArgs(env: Extract<IntegrationState, { available: true }>, script: string): string[] {
    return [
        "-i",
        env.clientKey,
        "-p",
        String(env.sshPort),
        "-o",
        "BatchMode=yes",
        "-o",
        `UserKnownHostsFile=${env.knownHosts}`,
        "-o",
        "StrictHostKeyChecking=yes",
        "root@127.0.0.1",
        script,
    ];
}

/**
 * Runs a script on 127.0.0.1 as one SSH command string, as command.remote.Command does (the login
 * shell runs it), with `input` on its stdin; the host key is checked against the suite's known_hosts.
 */
export function sshRun(env: Extract<IntegrationState, { available: true }>, script: string, input?: string): SshResult {
    const r = run("ssh", sshArgs(env, script), { input: input ?? "" });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
