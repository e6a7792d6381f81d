/**
 * `npm run -s credential-gate [-- --stack NAME] [--for preview|up|drift]`: decides whether CI
 * can run Pulumi for a stack, before it does. Both workflows call it; nothing of it lives in YAML.
 *
 * It reads the stack file with the program's own code and requires every credential the program
 * will read for that inventory (the inventory decides which), each from its environment variable
 * or, where the program takes one, the stack's encrypted config. A stack whose credentials come
 * from Pulumi ESC (it imports environments in its stack file's `environment:`, or
 * `PULUMI_ESC_ENVIRONMENT` names one CI attaches) needs only the Pulumi Cloud login here: the
 * rest is expected from ESC, and Pulumi itself stops naming any the environment lacks.
 *
 * In CI the workflow passes each secret as `set` or empty, never its value. The verdict goes to
 * `$GITHUB_OUTPUT` (`available`, `stack`, `policy-config`), with a notice naming each missing
 * credential and what it is for. A stack file that is missing or invalid, or a stack without its
 * policy configuration, is an error (exit 1).
 */
import * as fs from "fs";
import * as path from "path";
import { S3_SERVICE_FEATURES } from "../lib/s3Services";
import { RunKind, pbsPasswordUses, rootPasswordNeeded } from "../config/credentials";
import { InventoryError } from "../config/errors";
import { Inventory } from "../config/schema";
import {
    CREDENTIAL_ENV,
    CredentialKey,
    POLICY_CONFIG_DIR,
    PROJECT,
    StackFile,
    StackFileError,
    readInventory,
    requirePolicyConfig,
    stackFilePath,
} from "../config/stackfile";
import { guestsNeedingRoot } from "../lib/privilege";
import { ToolSpec, commandLine } from "./args";
import { runMain } from "./output";

/** What CI is about to run, and how the notice words a skip. */
const PURPOSES = {
    preview: {
        skipped: "pulumi preview skipped",
        where: "the repository",
        outcome: "The offline plan checked the program and the policies.",
    },
    up: { skipped: "pulumi up skipped", where: "the homelab environment", outcome: "Nothing was deployed." },
    drift: { skipped: "drift check skipped", where: "the repository", outcome: "No drift was checked." },
} as const;
export type Purpose = keyof typeof PURPOSES;

/** The environment variable naming an ESC environment CI attaches to the stack for the run. */
const ESC_ENV_VAR = "PULUMI_ESC_ENVIRONMENT";

/** The credential variables the gate may require (the SSH key is optional: an agent serves too). */
const GATED = [...new Set(Object.values(CREDENTIAL_ENV))].filter((v) => v !== CREDENTIAL_ENV.proxmoxSshPrivateKey);

const CREDENTIAL_GATE: ToolSpec = {
    command: "npm run -s credential-gate",
    summary:
        "Checks that every credential the program will read for a stack is available (its environment variable,\n" +
        "the stack's encrypted config, or a Pulumi ESC environment) before CI runs Pulumi. Writes available=true|false,\n" +
        "stack and policy-config to $GITHUB_OUTPUT when set, and names each missing credential and what it is for.",
    stack: true,
    flags: [],
    options: [{ name: "for", choices: Object.keys(PURPOSES), default: "preview", help: "what CI runs next, for the wording of a skip" }],
    details: [
        "environment: PULUMI_STACK, PULUMI_ACCESS_TOKEN, PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, " + ESC_ENV_VAR + ",",
        `and the credentials ${GATED.join(", ")}; any non-empty value counts as set`,
        `(${CREDENTIAL_ENV.proxmoxSshPrivateKey} is not gated: the program falls back to an SSH agent)`,
        "exit codes: 0 decided (see available); 1 unreadable or invalid stack, or no policy configuration; 2 bad arguments;",
        "3 a bug (one line on stderr); 4 stdout closed before the report was complete",
    ],
};

/** The gate's decision for one stack. */
export interface GateResult {
    readonly stack: string;
    /** `policies/stacks/<stack>.json`: derived from the stack name alone. */
    readonly policyConfig: string;
    /** Each missing credential (or choice of credentials) → what it is for. */
    readonly missing: ReadonlyMap<string, readonly string[]>;
    /** ESC environments the credentials may come from (stack file imports, then PULUMI_ESC_ENVIRONMENT). */
    readonly esc: readonly string[];
    /** With ESC: the credentials not set here, expected from the environment(s). */
    readonly fromEsc: ReadonlyMap<string, readonly string[]>;
}

/** The ESC environments a stack file imports: `environment: [a, b]` or `environment: { imports: [a, b] }`. */
export function stackEnvironments(stackFile: StackFile): string[] {
    const value = stackFile.settings.environment;
    const list = Array.isArray(value)
        ? value
        : value !== null && typeof value === "object"
          ? (value as { imports?: unknown }).imports
          : undefined;
    if (!Array.isArray(list)) return [];
    // An import is a name, or a name with options (`- common: { merge: false }`).
    return list.flatMap((entry) =>
        typeof entry === "string" ? [entry] : entry !== null && typeof entry === "object" ? Object.keys(entry as object) : [],
    );
}

/** Decides for a read stack: which credentials are missing, and which ESC is expected to give. */
function decide(stack: string, stackFile: StackFile, inv: Inventory, env: NodeJS.ProcessEnv, run: RunKind): GateResult {
    const isSet = (name: string): boolean => (env[name] ?? "") !== "";
    const fromEscVar = (env[ESC_ENV_VAR] ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    const esc = [...stackEnvironments(stackFile), ...fromEscVar];
    const missing = new Map<string, string[]>();
    const fromEsc = new Map<string, string[]>();
    const add = (map: Map<string, string[]>, name: string, use: string) => map.set(name, [...(map.get(name) ?? []), use]);
    /** A credential: its variable, or its encrypted config key where the program reads one. */
    const need = (name: string, use: string, configKey?: CredentialKey) => {
        if (isSet(name) || (configKey !== undefined && stackFile.secretKeys.includes(`${PROJECT}:${configKey}`))) return;
        add(esc.length > 0 ? fromEsc : missing, name, use);
    };
    if (esc.length > 0) {
        // ESC lives in Pulumi Cloud: opening an environment needs its login, whatever the state backend.
        if (!isSet("PULUMI_ACCESS_TOKEN")) add(missing, "PULUMI_ACCESS_TOKEN", `Pulumi ESC (${esc.join(", ")})`);
    } else if (!isSet("PULUMI_ACCESS_TOKEN") && !isSet("PULUMI_BACKEND_URL")) {
        add(missing, "PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL", "the Pulumi backend");
    }
    if (stackFile.settings.encryptionsalt !== undefined) need("PULUMI_CONFIG_PASSPHRASE", "the stack's passphrase secrets provider");
    if ((env.PULUMI_BACKEND_URL ?? "").startsWith("s3://"))
        for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) need(name, "the S3 backend");
    need(CREDENTIAL_ENV.proxmoxApiToken, "the Proxmox API", "proxmoxApiToken");
    // root@pam manages the token's user, role and ACLs on every update (components/access.ts), and the
    // guests that need root; a preview with a token does without (config/credentials.ts).
    const tokenSet = isSet(CREDENTIAL_ENV.proxmoxApiToken) || stackFile.secretKeys.includes(`${PROJECT}:proxmoxApiToken`);
    if (rootPasswordNeeded(run, tokenSet)) {
        const root = Object.keys(guestsNeedingRoot(inv.guests));
        need(
            CREDENTIAL_ENV.proxmoxRootPassword,
            `root@pam for the automation user, role and ACLs${root.length > 0 ? ` and for ${root.join(", ")}` : ""}`,
            "proxmoxRootPassword",
        );
    }
    if (inv.dns) need(CREDENTIAL_ENV.cloudflareApiToken, "the DNS records", "cloudflareApiToken");
    const pbsUses = pbsPasswordUses(inv);
    if (pbsUses.length > 0) need(CREDENTIAL_ENV.pbsPassword, pbsUses.join(" and "), "pbsPassword");
    const cifs = Object.entries(inv.storages).filter(([, st]) => st.kind === "cifs" && st.managed);
    if (cifs.length > 0)
        need(
            CREDENTIAL_ENV.cifsPassword,
            `the CIFS storage${cifs.length > 1 ? "s" : ""} ${cifs.map(([id]) => id).join(", ")}`,
            "cifsPassword",
        );
    if (inv.offsite) {
        // B2, MinIO and R2 take one bucket-scoped key, which the program also reads from secret config.
        const features = S3_SERVICE_FEATURES[inv.offsite.service];
        const scoped = !features.iam;
        const use = `the ${inv.offsite.service} offsite bucket`;
        need(CREDENTIAL_ENV.offsiteAccessKeyId, use, scoped ? "offsiteAccessKeyId" : undefined);
        need(CREDENTIAL_ENV.offsiteSecretAccessKey, use, scoped ? "offsiteSecretAccessKey" : undefined);
        // R2's lifecycle goes through Cloudflare's API.
        if (features.lifecycle.via === "r2") need(CREDENTIAL_ENV.cloudflareApiToken, "the R2 bucket's lifecycle", "cloudflareApiToken");
    }
    return { stack, policyConfig: `${POLICY_CONFIG_DIR}/${stack}.json`, missing, esc, fromEsc };
}

const list = (m: ReadonlyMap<string, readonly string[]>): string => [...m].map(([name, uses]) => `${name} (${uses.join("; ")})`).join(", ");

/** Runs the gate for the project in `dir`; returns the exit code. */
export function main(
    argv: string[],
    dir = process.cwd(),
    env: NodeJS.ProcessEnv = process.env,
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): number {
    const args = commandLine(argv, CREDENTIAL_GATE, env, out, err);
    if (typeof args === "number") return args;
    const stack = args.stack;
    const purpose = PURPOSES[args.options.get("for") as Purpose];
    const actions = env.GITHUB_ACTIONS === "true";
    const annotate = (level: "error" | "notice", title: string, text: string): string =>
        actions ? `::${level} title=${title}::${text}` : `${title}: ${text}`;
    let result: GateResult;
    try {
        const file = stackFilePath(stack, dir);
        const { stackFile, inventory } = readInventory(file);
        requirePolicyConfig(stack, dir);
        result = decide(stack, stackFile, inventory, env, args.options.get("for") as Purpose);
    } catch (e) {
        if (!(e instanceof InventoryError || e instanceof StackFileError)) throw e;
        // The whole error (every problem with its line) to the log, its first line as the annotation.
        err.write(`${e.message}\n`);
        const first = e.message.split("\n")[0].replace(/:$/, "");
        const hint = e instanceof InventoryError ? `; npm run -s validate -- --stack ${stack} lists every problem` : "";
        out.write(`${annotate("error", `Stack ${stack} unusable`, `${first}${hint}`)}\n`);
        return 1;
    }
    const available = result.missing.size === 0;
    const outputs = `available=${available}\nstack=${stack}\npolicy-config=${result.policyConfig}\n`;
    if (env.GITHUB_OUTPUT) fs.appendFileSync(env.GITHUB_OUTPUT, outputs);
    if (!available)
        out.write(
            `${annotate("notice", purpose.skipped, `Stack ${stack} needs credentials that ${purpose.where} lacks: ${list(result.missing)}; see docs/ci.md. ${purpose.outcome}`)}\n`,
        );
    else if (result.fromEsc.size > 0)
        out.write(
            `${annotate("notice", "Credentials from Pulumi ESC", `Stack ${stack} takes its credentials from ${result.esc.join(", ")}; expected there: ${list(result.fromEsc)}. Pulumi stops naming any the environment lacks.`)}\n`,
        );
    if (!actions) out.write(`${path.basename(stackFilePath(stack, dir))}: ${outputs.trim().split("\n").join(", ")}\n`);
    return 0;
}

if (require.main === module) runMain("credential-gate", (argv, out, err) => main(argv, process.cwd(), process.env, out, err));
