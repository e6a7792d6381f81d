/**
 * Prepares real ZFS behind real SSH for the integration tests, when running as root:
 * Debian's zfs-fuse (installed with apt-get when missing, its daemon started when not running),
 * a uniquely named pool on a 256 MiB file, and an OpenSSH server on 127.0.0.1 on a free port
 * that accepts only a throw-away ed25519 key (its own sshd_config, host key and authorized_keys).
 *
 * Idempotent: first cleans whatever a crashed run left in the working directory (its sshd, its
 * pool, its zfs-fuse). A missing tool, a run without root or a daemon that does not start fails
 * the run with the reason: these tests are only run on purpose (`npm run test:integration`), so
 * there is nothing to skip; the README's test command does not include them.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import {
    IntegrationState,
    POOL_PREFIX,
    STATE_ENV,
    WORK_DIR,
    destroyPool,
    hasTool,
    readState,
    run,
    runOk,
    sleep,
    statePath,
    stopByPidFile,
} from "./environment";
import { cleanup } from "./globalTeardown";

// jq reads PBS's JSON in the PBS setup scripts (test/integration/pbsSetup.test.ts).
const APT_PACKAGES = ["zfs-fuse", "openssh-server", "openssh-client", "jq"];
const TOOLS = ["zfs", "zpool", "zfs-fuse", "sshd", "ssh", "ssh-keygen", "jq", "flock", "perl"];
const SSHD = "/usr/sbin/sshd";
const POOL_SIZE = "256M";

export default async function globalSetup(): Promise<void> {
    process.env[STATE_ENV] = path.join(WORK_DIR, "state.json");
    let state: IntegrationState;
    try {
        state = await prepare();
    } catch (e) {
        await cleanupLeftovers();
        throw e;
    }
    if (!state.available) {
        throw new Error(`the ZFS integration tests need root on Debian (zfs-fuse, openssh-server): ${state.reason}`);
    }
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(statePath(), JSON.stringify(state, null, 2));
}

/** Stops what a previous run left behind (its state file says what) and empties the working directory. */
async function cleanupLeftovers(): Promise<void> {
    if (fs.existsSync(statePath())) {
        const old = readState();
        if (old.available) await cleanup(old);
    }
    // Pools of the suite whose run crashed before writing its state.
    if (hasTool("zpool")) {
        const pools = run("zpool", ["list", "-H", "-o", "name"]);
        for (const pool of pools.status === 0 ? pools.stdout.split("\n") : []) {
            if (pool.startsWith(POOL_PREFIX)) await destroyPool(pool);
        }
    }
    await stopByPidFile(path.join(WORK_DIR, "sshd.pid"), path.join(WORK_DIR, "sshd_config"));
    await stopByPidFile(path.join(WORK_DIR, "zfs-fuse.pid"), "zfs-fuse");
    fs.rmSync(WORK_DIR, { recursive: true, force: true });
}

async function prepare(): Promise<IntegrationState> {
    if (process.getuid?.() !== 0) return { available: false, reason: "not running as root (zfs-fuse and sshd need root)" };
    ensureTools();
    await cleanupLeftovers();
    fs.mkdirSync(WORK_DIR, { recursive: true, mode: 0o700 });

    const zfsFusePidFile = await ensureZfsFuse();
    const pool = `${POOL_PREFIX}${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const poolFile = path.join(WORK_DIR, "pool.img");
    runOk("truncate", ["-s", POOL_SIZE, poolFile]);
    // The pool's datasets mount under the working directory, not at /<pool>.
    runOk("zpool", ["create", "-m", path.join(WORK_DIR, "mnt", pool), pool, poolFile]);

    const ssh = await startSshd();
    return { available: true, dir: WORK_DIR, pool, poolFile, ...ssh, ...(zfsFusePidFile ? { zfsFusePidFile } : {}) };
}

/** Installs the Debian packages when a tool is missing (root only). */
function ensureTools(): void {
    const missing = () => TOOLS.filter((t) => !hasTool(t) && !(t === "sshd" && fs.existsSync(SSHD)));
    if (missing().length === 0) return;
    const install = () =>
        run("env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", ...APT_PACKAGES], { timeoutMs: 600000 });
    if (install().status !== 0) {
        run("apt-get", ["update"], { timeoutMs: 600000 });
        const r = install();
        if (r.status !== 0)
            throw new Error(
                `missing ${missing().join(", ")} and apt-get install ${APT_PACKAGES.join(" ")} failed: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`,
            );
    }
    if (missing().length > 0) throw new Error(`still missing after installing ${APT_PACKAGES.join(" ")}: ${missing().join(", ")}`);
}

/** Starts the zfs-fuse daemon unless one answers; returns its pid file when this run started it. */
async function ensureZfsFuse(): Promise<string | undefined> {
    if (run("zpool", ["list"]).status === 0) return undefined;
    if (!fs.existsSync("/dev/fuse")) throw new Error("zfs-fuse needs /dev/fuse, which this machine (or container) does not have");
    const pidFile = path.join(WORK_DIR, "zfs-fuse.pid");
    runOk("zfs-fuse", ["--pidfile", pidFile, "--no-kstat-mount"]);
    for (let i = 0; i < 100; i++) {
        const r = run("zpool", ["list"]);
        if (r.status === 0) return pidFile;
        await sleep(100);
    }
    throw new Error(`zfs-fuse started but zpool does not answer: ${run("zpool", ["list"]).stderr.trim()}`);
}

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

/** sshd on 127.0.0.1 with its own config, host key and authorized_keys; key-only root login. */
async function startSshd(): Promise<{ sshPort: number; clientKey: string; knownHosts: string; sshdPidFile: string; sshdConfig: string }> {
    const hostKey = path.join(WORK_DIR, "ssh_host_ed25519_key");
    const clientKey = path.join(WORK_DIR, "client_ed25519");
    const authorizedKeys = path.join(WORK_DIR, "authorized_keys");
    const knownHosts = path.join(WORK_DIR, "known_hosts");
    const sshdConfig = path.join(WORK_DIR, "sshd_config");
    const sshdPidFile = path.join(WORK_DIR, "sshd.pid");
    runOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "homelab-it-host", "-f", hostKey]);
    runOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "homelab-it-client", "-f", clientKey]);
    fs.copyFileSync(`${clientKey}.pub`, authorizedKeys);
    fs.chmodSync(authorizedKeys, 0o600);
    const sshPort = await freePort();
    fs.writeFileSync(knownHosts, `[127.0.0.1]:${sshPort} ${fs.readFileSync(`${hostKey}.pub`, "utf8").split(" ").slice(0, 2).join(" ")}\n`);
    fs.writeFileSync(
        sshdConfig,
        [
            `Port ${sshPort}`,
            "ListenAddress 127.0.0.1",
            `HostKey ${hostKey}`,
            `AuthorizedKeysFile ${authorizedKeys}`,
            `PidFile ${sshdPidFile}`,
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "AllowUsers root",
            // The working directory lives under the world-writable temp dir.
            "StrictModes no",
            "",
        ].join("\n"),
    );
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // privilege separation directory
    runOk(SSHD, ["-t", "-f", sshdConfig]);
    runOk(SSHD, ["-f", sshdConfig, "-E", path.join(WORK_DIR, "sshd.log")]);
    const probe = [
        "-i",
        clientKey,
        "-p",
        String(sshPort),
        "-o",
        "BatchMode=yes",
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-o",
        "StrictHostKeyChecking=yes",
        "root@127.0.0.1",
        "true",
    ];
    for (let i = 0; i < 50; i++) {
        if (run("ssh", probe).status === 0) return { sshPort, clientKey, knownHosts, sshdPidFile, sshdConfig };
        await sleep(100);
    }
    throw new Error(`sshd on 127.0.0.1:${sshPort} does not accept the test key: ${run("ssh", probe).stderr.trim()}`);
}
