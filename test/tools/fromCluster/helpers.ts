/** Running the cluster reader in a throw-away project against the recording stand-in and the recorded SSH output. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../../tools/fromCluster/main";
import { HostKeyError, RemoteRunner } from "../../../tools/fromCluster/ssh";
import { sink } from "../project";
import { Fault, TOKEN, recordedApi, recordedRunner, recordedSsh, startStandIn } from "./standin";

const dirs: string[] = [];
afterAll(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export interface ReaderRun {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly dir: string;
    /** The stand-in's address (written as the endpoint). */
    readonly url: string;
    /** Paths the stand-in was asked for. */
    readonly requests: readonly string[];
    /** SSH commands run, as `node@address: command`. */
    readonly ssh: readonly string[];
    /** The stack file written, if any. */
    readonly yaml?: string;
    /** The stacks the policy configuration step was asked for (empty when the real tool ran). */
    readonly policyConfigFor: readonly string[];
}

export interface ReaderOptions {
    /** Changes to the recorded API answers. */
    readonly api?: (responses: Record<string, unknown>) => void;
    readonly faults?: Readonly<Record<string, Fault>>;
    readonly sshOutput?: (recorded: Record<string, Record<string, string>>) => void;
    readonly args?: readonly string[];
    /** Nodes whose host key ssh refuses (not in known_hosts): every command on them fails with HostKeyError. */
    readonly unknownHostKeys?: readonly string[];
    /** Write the stack's policy configuration with the real tool (slow: it loads the pack). @default false */
    readonly policyConfig?: boolean;
    /** The arguments that name the stack. @default ["--stack", "lab"] */
    readonly stackArgs?: readonly string[];
    /** The environment beside the API token (PULUMI_STACK). */
    readonly env?: NodeJS.ProcessEnv;
    /** The stack whose file is read back into `yaml`. @default "lab" */
    readonly stack?: string;
    /** Prepares the fresh project directory before the run (an existing stack file). */
    readonly prepare?: (dir: string) => void;
}

/** A runner that refuses the host keys of `nodes` as ssh's StrictHostKeyChecking does (tools/fromCluster/ssh.ts), before running anything there. */
function refusingHostKeys(run: RemoteRunner, nodes: readonly string[]): RemoteRunner {
    return (target, command) =>
        nodes.includes(target.node) ? Promise.reject(new HostKeyError(target, "Host key verification failed.")) : run(target, command);
}

/** Reads the recorded two-node cluster into `Pulumi.lab.yaml` (or the stack `options` name) in a fresh directory. */
export async function runReader(options: ReaderOptions = {}): Promise<ReaderRun> {
    const responses = recordedApi();
    options.api?.(responses);
    const stand = await startStandIn(responses, options.faults ?? {});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-from-cluster-"));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, "ca.pem"), stand.ca);
    options.prepare?.(dir);
    const recorded = recordedSsh();
    options.sshOutput?.(recorded);
    const ran: string[] = [];
    const policyConfigFor: string[] = [];
    const out = sink();
    const err = sink();
    try {
        const code = await main(
            ["--endpoint", stand.url, ...(options.stackArgs ?? ["--stack", "lab"]), "--ca", "ca.pem", ...(options.args ?? [])],
            {
                env: { ...options.env, PROXMOX_VE_API_TOKEN: TOKEN },
                dir,
                api: { timeoutMs: 300, retries: 1, retryDelayMs: 10 },
                ssh: { run: refusingHostKeys(recordedRunner(recorded, ran), options.unknownHostKeys ?? []) },
                ...(options.policyConfig
                    ? {}
                    : {
                          policyConfig: async (stack: string) => {
                              policyConfigFor.push(stack);
                              return 0;
                          },
                      }),
            },
            out,
            err,
        );
        const file = path.join(dir, `Pulumi.${options.stack ?? "lab"}.yaml`);
        return {
            code,
            stdout: out.text(),
            stderr: err.text(),
            dir,
            url: stand.url,
            requests: [...stand.requests],
            ssh: ran,
            policyConfigFor,
            ...(fs.existsSync(file) ? { yaml: fs.readFileSync(file, "utf8") } : {}),
        };
    } finally {
        await stand.close();
    }
}
