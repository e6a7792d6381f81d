/**
 * `npm run known-hosts [-- --stack NAME] [--file PATH]`: writes the nodes' SSH host keys from the
 * inventory into a known_hosts file (default `~/.ssh/known_hosts`), so the Proxmox provider's own
 * SSH login, which trusts a host on first use, checks them too (docs/provider-behaviour.md P30).
 * Idempotent; refuses, changing nothing, when the file holds another key for a node.
 * Exit 0 written or current, 1 a conflicting key, 2 an unreadable or invalid inventory, 3 a bug
 * (one line on stderr).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InventoryError } from "../config/errors";
import { Inventory } from "../config/schema";
import { StackFileError, readInventory, stackFilePath } from "../config/stackfile";
import { ToolSpec, commandLine } from "./args";
import { runMain } from "./output";

/** The known_hosts host field of a node: the address, bracketed with the port when it is not 22. */
export function hostField(address: string, port: number): string {
    return port === 22 ? address : `[${address}]:${port}`;
}

/** The known_hosts lines of every node: `<host> <type> <key>`. */
export function knownHostsLines(inv: Inventory): string[] {
    return Object.values(inv.nodes).map((n) => `${hostField(n.address, n.sshPort)} ${n.hostKey.split(" ").slice(0, 2).join(" ")}`);
}

/** Merges the nodes' lines into a known_hosts text; returns the new text, or the conflicts. */
export function mergeKnownHosts(existing: string, lines: readonly string[]): { text: string; conflicts: string[] } {
    const current = existing.split("\n").filter((l) => l.trim() !== "");
    const conflicts: string[] = [];
    const out = [...current];
    for (const line of lines) {
        const [host, type, key] = line.split(" ");
        const same = current.filter((l) => {
            const f = l.split(/\s+/);
            return f[0].split(",").includes(host) && f[1] === type;
        });
        if (same.some((l) => l.split(/\s+/)[2] === key)) continue;
        if (same.length > 0)
            conflicts.push(`${host} has another ${type} key in the file; remove that line if the node was reinstalled, then run again`);
        else out.push(line);
    }
    return { text: out.join("\n") + "\n", conflicts };
}

const KNOWN_HOSTS: ToolSpec = {
    command: "npm run -s known-hosts",
    summary:
        "Writes the nodes' SSH host keys from the inventory into a known_hosts file, so the Proxmox provider's own\n" +
        "SSH login checks them too. Idempotent; refuses, changing nothing, when the file holds another key for a node.",
    stack: true,
    flags: [],
    options: [{ name: "file", placeholder: "PATH", help: "the known_hosts file to write (default ~/.ssh/known_hosts)" }],
    details: [
        "exit codes: 0 written or current; 1 a conflicting key; 2 bad arguments, or an unreadable or invalid inventory;",
        "3 a bug (one line on stderr)",
    ],
};

/** Runs the tool for the project in `dir`; returns the exit code. */
export function main(
    argv: string[],
    dir = process.cwd(),
    env: NodeJS.ProcessEnv = process.env,
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): number {
    const args = commandLine(argv, KNOWN_HOSTS, env, out, err);
    if (typeof args === "number") return args;
    const stack = args.stack;
    const file = args.options.get("file") ?? path.join(os.homedir(), ".ssh", "known_hosts");
    let inv: Inventory;
    try {
        inv = readInventory(stackFilePath(stack, dir)).inventory;
    } catch (e) {
        if (e instanceof InventoryError || e instanceof StackFileError) {
            err.write(`error: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
    const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const { text, conflicts } = mergeKnownHosts(existing, knownHostsLines(inv));
    if (conflicts.length > 0) {
        for (const c of conflicts) err.write(`error: ${c}\n`);
        return 1;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, text, { mode: 0o600 });
    out.write(`ok: ${file} holds the host keys of ${Object.keys(inv.nodes).length} nodes of Pulumi.${stack}.yaml\n`);
    return 0;
}

if (require.main === module) runMain("known-hosts", (argv, out, err) => main(argv, process.cwd(), process.env, out, err));
