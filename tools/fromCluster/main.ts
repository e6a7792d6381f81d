/**
 * `npm run -s inventory:from-cluster -- --endpoint URL [--stack NAME]`: reads a running Proxmox VE
 * cluster (the API with a read-only token, ZFS and the host keys over SSH) and writes
 * `Pulumi.NAME.yaml` in the inventory's format with every entity adopted, plus the snapshot it was
 * made from (`Pulumi.NAME.cluster.json`, for the adoption view of `npm run plan -- --adopt`), and the
 * stack's policy configuration when it has none. It never writes to the cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { InventoryError, formatProblem } from "../../config/errors";
import { parseInventory } from "../../config/parse";
import { CREDENTIAL_ENV, StackFileError, splitConfig, stackFilePath } from "../../config/stackfile";
import { ArgsError, ToolSpec, helpText, parseArgs } from "../args";
import { Tool, finishTool, runTool, writeAll } from "../output";
import { ProxmoxApi, checkConnection } from "./api";
import { renderStackFile } from "./document";
import { inventoryFromSnapshot } from "./inventory";
import { ReadFailedError, SshAccess, readCluster } from "./read";
import { sshRunner } from "./ssh";

const FROM_CLUSTER: ToolSpec = {
    command: "npm run -s inventory:from-cluster",
    summary:
        "Reads a running cluster and writes Pulumi.NAME.yaml with every entity adopted (adopt: true), the values\n" +
        "the provider will read back after the import, and comments on what breaks a rule or must be filled in;\n" +
        "also Pulumi.NAME.cluster.json, the snapshot the adoption view compares against. Read-only: GET calls\n" +
        "with the token in PROXMOX_VE_API_TOKEN, and zpool/zfs/cat over SSH.",
    stack: true,
    flags: [
        {
            name: "insecure",
            help: "accept the API's certificate unchecked (a fresh install's self-signed one); written as cluster.insecure",
        },
        { name: "no-ssh", help: "read nothing over SSH: no host keys, datasets or QDevice (they are marked FILL IN)" },
        { name: "force", help: "replace an existing Pulumi.NAME.yaml and snapshot" },
    ],
    options: [
        { name: "endpoint", placeholder: "URL", help: "the Proxmox API, such as https://192.168.10.11:8006/ (required)" },
        { name: "ca", placeholder: "FILE", help: "the CA the API's certificate chains to (the cluster's /etc/pve/pve-root-ca.pem)" },
        { name: "ssh-key", placeholder: "FILE", help: "the private key for the nodes' SSH login (default: the SSH agent, ~/.ssh/config)" },
        { name: "ssh-user", placeholder: "USER", default: "root", help: "the nodes' SSH user" },
        { name: "ssh-port", placeholder: "PORT", default: "22", help: "the nodes' SSH port" },
        {
            name: "known-hosts",
            placeholder: "FILE",
            help: "the known_hosts file the nodes' keys are checked against (default: the user's)",
        },
    ],
    details: [
        `environment: ${CREDENTIAL_ENV.proxmoxApiToken} (user@realm!tokenid=secret; the PVEAuditor role on / is enough), PULUMI_STACK`,
        "exit codes: 0 written, every call answered and the inventory valid; 1 written, but calls failed or values must be",
        "filled in (listed); 2 nothing written (bad arguments, no token, the stack file exists, the cluster could not be read);",
        "3 a bug; 4 stdout closed before the report was complete",
    ],
};

/** What the tool needs from its surroundings (tests hand in their own). */
export interface FromClusterDeps {
    readonly env: NodeJS.ProcessEnv;
    readonly dir: string;
    /** Writes the stack's policy configuration when it has none; returns its exit code. */
    readonly policyConfig?: (stack: string, dir: string) => Promise<number>;
    /** API timeouts and retries (tests shorten them). */
    readonly api?: { readonly timeoutMs?: number; readonly retries?: number; readonly retryDelayMs?: number };
    /** SSH runner (tests hand in a recorded one). */
    readonly ssh?: SshAccess;
}

async function defaultPolicyConfig(stack: string, dir: string): Promise<number> {
    const { main } = await import("../policy-config");
    const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
    return main(["--stack", stack], dir, {}, quiet, process.stderr);
}

/** The tool for `argv`. */
function fromClusterTool(argv: readonly string[], deps: FromClusterDeps): Tool {
    return {
        name: "inventory:from-cluster",
        run: async (out, err) => {
            const fail = async (message: string) => {
                await writeAll(err, `error: ${message}\n`);
                return 2;
            };
            let args;
            try {
                args = parseArgs([...argv], FROM_CLUSTER, deps.env);
            } catch (e) {
                if (e instanceof ArgsError || e instanceof StackFileError) return fail(e.message);
                throw e;
            }
            if (args.help) {
                await writeAll(out, helpText(FROM_CLUSTER));
                return 0;
            }
            const endpoint = args.options.get("endpoint");
            if (endpoint === undefined) return fail("--endpoint URL is required (the Proxmox API, such as https://192.168.10.11:8006/)");
            const token = deps.env[CREDENTIAL_ENV.proxmoxApiToken];
            const problem = checkConnection(endpoint, token);
            if (problem) return fail(problem);
            const port = Number(args.options.get("ssh-port"));
            if (!Number.isInteger(port) || port < 1 || port > 65535)
                return fail(`--ssh-port must be a port number, got "${args.options.get("ssh-port")}"`);
            const stackFile = stackFilePath(args.stack, deps.dir);
            const snapshotFile = stackFile.replace(/\.yaml$/, ".cluster.json");
            if (!args.flags.has("force"))
                for (const f of [stackFile, snapshotFile])
                    if (fs.existsSync(f))
                        return fail(`${path.basename(f)} exists; name a new stack with --stack NAME, or pass --force to replace it`);
            const ca = args.options.get("ca");
            let caText: string | undefined;
            try {
                caText = ca !== undefined ? fs.readFileSync(path.resolve(deps.dir, ca), "utf8") : undefined;
            } catch (e) {
                return fail(`--ca ${ca}: ${(e as Error).message}`);
            }
            const api = new ProxmoxApi({
                endpoint,
                token: token!,
                insecure: args.flags.has("insecure"),
                ...(caText ? { ca: caText } : {}),
                ...deps.api,
            });
            const ssh = args.flags.has("no-ssh")
                ? undefined
                : (deps.ssh ?? {
                      run: sshRunner({ identity: args.options.get("ssh-key"), knownHosts: args.options.get("known-hosts") }),
                      port,
                      user: args.options.get("ssh-user"),
                  });
            let snapshot;
            try {
                snapshot = await readCluster(api, { ...(ssh ? { ssh } : {}) });
            } catch (e) {
                if (e instanceof ReadFailedError) return fail(e.message);
                throw e;
            } finally {
                api.close();
            }
            const { config, notes } = inventoryFromSnapshot(snapshot, { endpoint, insecure: args.flags.has("insecure") });
            const text = renderStackFile(config, notes.all, {
                endpoint,
                readAt: snapshot.readAt,
                stack: args.stack,
                errors: snapshot.errors,
            });
            fs.writeFileSync(stackFile, text);
            fs.writeFileSync(snapshotFile, JSON.stringify(snapshot, null, 2) + "\n");
            await (deps.policyConfig ?? defaultPolicyConfig)(args.stack, deps.dir);
            return report(out, err, { stackFile, snapshotFile, config, notes, errors: snapshot.errors });
        },
    };
}

/** The summary: what was written, what failed, what must be filled in, whether it validates. */
async function report(
    out: NodeJS.WritableStream,
    err: NodeJS.WritableStream,
    r: {
        stackFile: string;
        snapshotFile: string;
        config: Record<string, unknown>;
        notes: ReturnType<typeof inventoryFromSnapshot>["notes"];
        errors: readonly { call: string; message: string }[];
    },
): Promise<number> {
    const file = path.basename(r.stackFile);
    const count = (key: string) => Object.keys((r.config[`homelab:${key}`] as object | undefined) ?? {}).length;
    const lines = [
        `wrote ${file} (${count("nodes")} nodes, ${count("guests")} guests, ${count("datasets")} datasets, ${count("storages")} storages) and ${path.basename(r.snapshotFile)}`,
        `${r.notes.of("rule").length} values break a rule (RULE comments), ${r.notes.of("fill").length} must be filled in (FILL IN), ${r.notes.of("info").length} notes`,
    ];
    let problems: string[] = [];
    try {
        parseInventory(splitConfig(r.config, file).inventory, file);
    } catch (e) {
        if (!(e instanceof InventoryError)) throw e;
        problems = e.problems.map((p) => formatProblem(p, file));
    }
    await writeAll(out, lines.join("\n") + "\n");
    const incomplete = [
        ...r.errors.map((e) => `  failed: ${e.message}`),
        ...r.notes.of("fill").map((n) => `  fill in: ${n.path.join(".")}: ${n.text}`),
        ...problems.map((p) => `  invalid: ${p}`),
    ];
    if (incomplete.length === 0) {
        await writeAll(
            out,
            `${file} is valid; review the RULE comments, then run the adoption view (README, Adopting a running cluster)\n`,
        );
        return 0;
    }
    await writeAll(err, `${file} is incomplete:\n${incomplete.join("\n")}\n`);
    return 1;
}

/** Runs the tool as `npm run inventory:from-cluster` does; returns the exit code once everything is written. */
export function main(argv: string[], deps: FromClusterDeps, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
    return finishTool(fromClusterTool(argv, deps), out, err);
}

if (require.main === module) runTool(fromClusterTool(process.argv.slice(2), { env: process.env, dir: process.cwd() }));
