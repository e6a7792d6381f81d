/**
 * What the cluster reader reads over SSH, read-only: the node's host key, its ZFS pools and
 * datasets (`zpool list`, `zfs get -Hp`: exact values with their sources) and the QDevice in
 * corosync.conf. Commands are fixed strings (no value from the cluster reaches a shell) run by the
 * system `ssh` without a local shell; the node's host key is checked against known_hosts
 * (`StrictHostKeyChecking=yes`), never trusted on first use.
 */
import { execFile } from "child_process";
import { assertAbsolutePath, shellQuote } from "../../lib/shell";
import { MANAGED_PROPERTIES } from "../../lib/zfsValues";
import { ZfsDatasetRead } from "./types";

/** Where a node's SSH login is. */
export interface SshTarget {
    readonly node: string;
    readonly address: string;
    readonly port: number;
    readonly user: string;
}

/** A command the reader runs: its name (for messages and recordings) and its text. */
export interface SshCommand {
    readonly name: string;
    readonly text: string;
}

/** Runs a read-only command on a node and returns its stdout; throws with the node and the reason. */
export type RemoteRunner = (target: SshTarget, command: SshCommand) => Promise<string>;

/** The commands the reader runs, by name: fixed text, nothing interpolated. */
export const SSH_COMMANDS = {
    hostKey: "cat /etc/ssh/ssh_host_ed25519_key.pub",
    pools: "zpool list -H -o name",
    /**
     * Every dataset's type and managed properties with their sources, exact (`-p`). Properties this
     * ZFS does not know (zfs-fuse has no acltype) are left out, judged on the first pool; the type is
     * asked for rather than filtered with `-t`, which old ZFS (zfs-fuse) does not have.
     */
    datasets: [
        "set -eu",
        "POOL=$(zpool list -H -o name | head -n 1)",
        '[ -n "$POOL" ] || exit 0',
        "PROPS=type",
        `for p in ${MANAGED_PROPERTIES.join(" ")}; do`,
        '    if zfs get -H -o value "$p" "$POOL" >/dev/null 2>&1; then PROPS="$PROPS,$p"; fi',
        "done",
        'zfs get -Hp -o name,property,value,source "$PROPS"',
    ].join("\n"),
    corosync: "cat /etc/pve/corosync.conf",
} as const;

/**
 * The owner and mode of directories (dataset mountpoints): `stat` with each path validated and
 * shell-quoted; a path that is not a plain absolute path is refused before the command is built.
 */
export function ownersCommand(paths: readonly string[]): SshCommand {
    for (const p of paths) assertAbsolutePath("mountpoint", p);
    return { name: "owners", text: `stat -c '%u %g %a %n' -- ${paths.map(shellQuote).join(" ")}` };
}

/** `stat -c '%u %g %a %n'` output: path → owner and mode. */
export function parseOwners(stdout: string): Record<string, { uid: number; gid: number; mode: string }> {
    const out: Record<string, { uid: number; gid: number; mode: string }> = {};
    for (const line of stdout.split("\n")) {
        const m = /^(\d+) (\d+) ([0-7]{3,4}) (\/.*)$/.exec(line);
        if (m) out[m[4]] = { uid: Number(m[1]), gid: Number(m[2]), mode: m[3] };
    }
    return out;
}

/** Options of the system `ssh` client. */
export interface SshOptions {
    /** A private key file (`-i`); default: the SSH agent and ~/.ssh/config. */
    readonly identity?: string;
    /** A known_hosts file; default: the user's. */
    readonly knownHosts?: string;
    /** Milliseconds a command may take. @default 30000 */
    readonly timeoutMs?: number;
}

/** The node's host key is not in known_hosts (or differs from it): nothing can be read over SSH until the operator adds it. */
export class HostKeyError extends Error {
    constructor(target: SshTarget, said: string) {
        super(
            `ssh ${target.user}@${target.address} (${target.node}): ${said}; the node's host key is not in known_hosts: check it on the node's console (cat /etc/ssh/ssh_host_ed25519_key.pub), add it, and run again`,
        );
        this.name = "HostKeyError";
    }
}

/** A runner over the system `ssh` (BatchMode: it never asks for a password or to trust a key). */
export function sshRunner(options: SshOptions = {}): RemoteRunner {
    return (target, { text }) =>
        new Promise((resolve, reject) => {
            const args = [
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "ConnectTimeout=10",
                ...(options.knownHosts ? ["-o", `UserKnownHostsFile=${options.knownHosts}`] : []),
                ...(options.identity ? ["-i", options.identity] : []),
                "-p",
                String(target.port),
                `${target.user}@${target.address}`,
                text,
            ];
            execFile("ssh", args, { timeout: options.timeoutMs ?? 30000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
                if (!err) return resolve(stdout);
                const said = String(stderr).trim().split("\n").slice(-1)[0] || err.message;
                // ssh's own words when StrictHostKeyChecking refuses the host (the only text to go by).
                if (["Host key verification failed", "host key is known"].some((m) => String(stderr).includes(m)))
                    reject(new HostKeyError(target, said));
                else reject(new Error(`ssh ${target.user}@${target.address} (${target.node}): ${said}`));
            });
        });
}

/**
 * `zfs get -Hp -o name,property,value,source type,...` output as the filesystems with their
 * properties (volumes and snapshots left out); a malformed line throws.
 */
export function parseZfsDatasets(stdout: string): ZfsDatasetRead[] {
    const byName = new Map<string, Record<string, { value: string; source: string }>>();
    for (const line of stdout.split("\n")) {
        if (line.trim() === "") continue;
        const f = line.split("\t");
        if (f.length < 4 || f[0] === "" || f[1] === "")
            throw new Error(`unexpected line in zfs get output (want name<TAB>property<TAB>value<TAB>source): ${JSON.stringify(line)}`);
        const props = byName.get(f[0]) ?? {};
        props[f[1]] = { value: f.slice(2, -1).join("\t"), source: f[f.length - 1] };
        byName.set(f[0], props);
    }
    return [...byName]
        .filter(([, properties]) => properties.type?.value === "filesystem")
        .map(([name, { type, ...properties }]) => ({ name, type: type.value, properties }));
}

/** The QDevice host of a corosync.conf (`quorum { device { net { host: X } } }`), or undefined. */
export function qdeviceHost(corosyncConf: string): string | undefined {
    const stack: string[] = [];
    for (const raw of corosyncConf.split("\n")) {
        const hash = raw.indexOf("#");
        const line = (hash < 0 ? raw : raw.slice(0, hash)).trim();
        if (line.endsWith("{")) stack.push(line.slice(0, -1).trim());
        else if (line === "}") stack.pop();
        else if (stack.join("/") === "quorum/device/net") {
            const m = /^host:\s*(\S+)$/.exec(line);
            if (m) return m[1];
        }
    }
    return undefined;
}

/** The first key line of a host key file (`ssh-ed25519 AAAA... root@pve`), without its comment. */
export function hostKeyLine(stdout: string): string | undefined {
    const line = stdout.split("\n").find((l) => l.trim() !== "");
    if (line === undefined) return undefined;
    const [type, key] = line.trim().split(/\s+/);
    return type !== undefined && key !== undefined ? `${type} ${key}` : undefined;
}
