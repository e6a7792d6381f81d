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
import { parseInventory } from "../config/parse";
import { Inventory } from "../config/schema";
import { StackFileError, readStackFile, stackFilePath } from "../config/stackfile";
import { flush, runTool } from "./output";

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

export function main(argv: string[]): number {
    let stack = process.env.PULUMI_STACK?.split("/").pop() || "prod";
    let file = path.join(os.homedir(), ".ssh", "known_hosts");
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--stack") stack = argv[++i] ?? "";
        else if (argv[i] === "--file") file = argv[++i] ?? "";
        else if (argv[i] === "--help") {
            process.stdout.write(
                "usage: npm run known-hosts [-- --stack NAME] [--file PATH]\nWrites the nodes' SSH host keys from the inventory into known_hosts (default ~/.ssh/known_hosts).\n",
            );
            return 0;
        } else {
            process.stderr.write(`error: unknown argument "${argv[i]}" (known: --stack NAME, --file PATH, --help)\n`);
            return 2;
        }
    }
    let inv: Inventory;
    try {
        inv = parseInventory(readStackFile(stackFilePath(stack)).inventory, `Pulumi.${stack}.yaml`);
    } catch (err) {
        if (err instanceof InventoryError || err instanceof StackFileError) {
            process.stderr.write(`error: ${err.message}\n`);
            return 2;
        }
        throw err;
    }
    const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const { text, conflicts } = mergeKnownHosts(existing, knownHostsLines(inv));
    if (conflicts.length > 0) {
        for (const c of conflicts) process.stderr.write(`error: ${c}\n`);
        return 1;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, text, { mode: 0o600 });
    process.stdout.write(`ok: ${file} holds the host keys of ${Object.keys(inv.nodes).length} nodes of Pulumi.${stack}.yaml\n`);
    return 0;
}

if (require.main === module)
    runTool({
        name: "known-hosts",
        run: async () => {
            const code = main(process.argv.slice(2));
            await flush(process.stderr);
            await flush(process.stdout);
            return code;
        },
    });
