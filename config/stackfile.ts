/**
 * Reads the inventory straight out of a `Pulumi.<stack>.yaml` file, for tools that run without
 * the Pulumi CLI (validate, plan, diagram, the credential gate). Pure Node: no `@pulumi/*` import.
 *
 * The parsed YAML document is kept, so every problem of the inventory can say where it is in the
 * file (`Pulumi.prod.yaml:123:7`).
 */
import * as fs from "fs";
import * as path from "path";
import { Document, LineCounter, Node, isAlias, isCollection, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import { SecretShape, secretShape } from "../lib/secrets";
import { InventoryError, InventoryProblem, formatPath, parsePath } from "./errors";
import { parseInventory } from "./parse";
import { INVENTORY_KEYS, Inventory } from "./schema";
import { closestMatch } from "./suggest";

/** The Pulumi project name: stack config keys are `homelab:<key>`. */
export const PROJECT = "homelab";

/** The stack the tools use when neither `--stack` nor `PULUMI_STACK` names one. */
export const DEFAULT_STACK = "prod";

/** Config keys of the project that are credentials, never inventory (set with --secret or env). */
export const CREDENTIAL_KEYS = [
    "proxmoxApiToken",
    "proxmoxRootPassword",
    "proxmoxSshPrivateKey",
    "cloudflareApiToken",
    "pbsPassword",
    "cifsPassword",
    "offsiteAccessKeyId",
    "offsiteSecretAccessKey",
] as const;

export type CredentialKey = (typeof CREDENTIAL_KEYS)[number];

/** The environment variable each credential is read from first (it wins over secret stack config). */
export const CREDENTIAL_ENV: Readonly<Record<CredentialKey, string>> = {
    proxmoxApiToken: "PROXMOX_VE_API_TOKEN",
    proxmoxRootPassword: "PROXMOX_VE_PASSWORD",
    proxmoxSshPrivateKey: "PROXMOX_VE_SSH_PRIVATE_KEY",
    cloudflareApiToken: "CLOUDFLARE_API_TOKEN",
    pbsPassword: "PBS_PASSWORD",
    cifsPassword: "CIFS_PASSWORD",
    // The bucket-scoped key of B2, MinIO or R2 is an ordinary S3 key pair.
    offsiteAccessKeyId: "AWS_ACCESS_KEY_ID",
    offsiteSecretAccessKey: "AWS_SECRET_ACCESS_KEY",
};

/**
 * Keys of the providers' own namespaces that hold credentials, with the `homelab:` key that takes
 * their place. The program sets its providers up itself from the `homelab:` credentials and reads
 * none of these; a stack file may hold them only encrypted, like every credential.
 */
export const PROVIDER_CREDENTIAL_KEYS: Readonly<Record<string, CredentialKey>> = {
    "proxmoxve:apiToken": "proxmoxApiToken",
    "proxmoxve:password": "proxmoxRootPassword",
    "proxmoxve:authTicket": "proxmoxApiToken",
    "proxmoxve:csrfPreventionToken": "proxmoxApiToken",
    "cloudflare:apiToken": "cloudflareApiToken",
    "cloudflare:apiKey": "cloudflareApiToken",
    "cloudflare:apiUserServiceKey": "cloudflareApiToken",
    "aws:accessKey": "offsiteAccessKeyId",
    "aws:secretKey": "offsiteSecretAccessKey",
    "aws:token": "offsiteSecretAccessKey",
};

/** The command that stores a credential encrypted in the stack's config. */
export function secretCommand(key: CredentialKey): string {
    return `pulumi config set --secret ${PROJECT}:${key} <value>`;
}

/**
 * The problem of a credential written in plain text (not `secure:`) in stack config, or undefined.
 * Names the key and the fix, never the value: a value in the file is in the repository's history,
 * so it must be rotated, not only moved.
 */
export function plaintextCredentialProblem(fullKey: string, value: unknown): InventoryProblem | undefined {
    const [ns, key] = fullKey.includes(":")
        ? [fullKey.slice(0, fullKey.indexOf(":")), fullKey.slice(fullKey.indexOf(":") + 1)]
        : [PROJECT, fullKey];
    const own = ns === PROJECT && (CREDENTIAL_KEYS as readonly string[]).includes(key) ? (key as CredentialKey) : undefined;
    const instead = own ?? PROVIDER_CREDENTIAL_KEYS[`${ns}:${key}`];
    if (instead === undefined || isSecureValue(value)) return undefined;
    const where = `\`${secretCommand(instead)}\` (or set ${CREDENTIAL_ENV[instead]})`;
    const other = own === undefined ? `; this program does not read ${ns}:${key} (its providers take ${PROJECT}:${instead})` : "";
    if (value === null || value === undefined || value === "")
        return {
            path: `${ns}:${key}`,
            message: `a credential key without a value${other}: remove the line, and give the credential with ${where}`,
        };
    return {
        path: `${ns}:${key}`,
        message:
            `a credential in plain text${other}: store it encrypted with ${where}, remove the plain value from this file, ` +
            "and rotate the credential: the stack file is in the repository's history (the value is not shown)",
    };
}

/** What to do with a credential found by its shape in the inventory, by shape. */
const SHAPE_FIX: Readonly<Record<SecretShape, string>> = {
    "a private key": `a key field takes the public key line (the .pub file); the nodes' private key goes in \`${secretCommand("proxmoxSshPrivateKey")}\` or ${CREDENTIAL_ENV.proxmoxSshPrivateKey}`,
    "a Proxmox API token with its secret": `the inventory takes names only (cluster.automation.token is the token's name); the token goes in \`${secretCommand("proxmoxApiToken")}\` or ${CREDENTIAL_ENV.proxmoxApiToken}`,
};

/**
 * Credentials pasted anywhere into the inventory, found by their shape (lib/secrets.ts): refused
 * before the schema, whose messages quote the values they refuse.
 */
export function secretValueProblems(inventory: Record<string, unknown>): InventoryProblem[] {
    const problems: InventoryProblem[] = [];
    const walk = (value: unknown, at: (string | number)[]) => {
        if (typeof value === "string") {
            const shape = secretShape(value);
            if (shape !== undefined)
                problems.push({
                    path: formatPath(at),
                    message: `is ${shape}, which must never be in a stack file: remove it and rotate it (the stack file is in the repository's history); ${SHAPE_FIX[shape]} (the value is not shown)`,
                });
        } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i]));
        else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
    };
    walk(inventory, []);
    return problems;
}

/** A 1-based position in a stack file. */
export interface SourcePosition {
    readonly line: number;
    readonly column: number;
}

/** A stack file, split into the inventory and the rest of its config. */
export interface StackFile {
    readonly file: string;
    /** Raw inventory: `homelab:<key>` values for the inventory keys. */
    readonly inventory: Record<string, unknown>;
    /** Every config entry as Pulumi would pass it: `<ns>:<key>` → value (secure values kept as `{secure: ...}`). */
    readonly config: Record<string, unknown>;
    /** Keys whose values are encrypted (`{secure: ...}`). */
    readonly secretKeys: string[];
    /** The file's other top-level settings: `secretsprovider`, `encryptionsalt`, `environment`, ... (empty without a file). */
    readonly settings: Readonly<Record<string, unknown>>;
    /**
     * Where a problem's path (`guests.photos.disk.storage`, or a config key such as
     * `homelab:guest`) is in the file: the key it names, or its nearest existing ancestor.
     * Undefined when the config did not come from a file.
     */
    readonly locate: (problemPath: string) => SourcePosition | undefined;
}

/** Raised for a missing file or a YAML syntax error: one line, no stack trace. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The stack name of `--stack` or `PULUMI_STACK`: `prod`, or the last segment of Pulumi's
 * `org/prod` and `org/homelab/prod` forms (whose project, when given, must be this one).
 */
export function stackName(value: string): string {
    const segments = value.split("/");
    const stack = segments[segments.length - 1];
    if (segments.length > 3 || segments.some((s) => !STACK_NAME.test(s) || s === "." || s === ".."))
        throw new StackFileError(
            `invalid stack name "${value}": use letters, digits, '.', '_' and '-' (or Pulumi's org/${PROJECT}/stack form)`,
        );
    if (segments.length === 3 && segments[1] !== PROJECT)
        throw new StackFileError(`stack "${value}" belongs to project "${segments[1]}", not ${PROJECT}; name a stack of ${PROJECT}`);
    return stack;
}

/** Path of the stack file of `stack` in `dir`. */
export function stackFilePath(stack: string, dir = process.cwd()): string {
    return path.join(dir, `Pulumi.${stackName(stack)}.yaml`);
}

/** Where each stack's policy configuration lives, relative to the project directory. */
export const POLICY_CONFIG_DIR = "policies/stacks";

/** The policy configuration of `stack` (`--policy-pack-config`): `policies/stacks/<stack>.json` in `dir`. */
export function policyConfigPath(stack: string, dir = process.cwd()): string {
    return path.join(dir, POLICY_CONFIG_DIR, `${stackName(stack)}.json`);
}

/** The command that writes a stack's policy configuration. */
export function policyConfigCommand(stack: string): string {
    return `npm run policy-config${stack === DEFAULT_STACK ? "" : ` -- --stack ${stack}`}`;
}

/** Throws a StackFileError naming the command that makes it when `stack` has no policy configuration in `dir`. */
export function requirePolicyConfig(stack: string, dir = process.cwd()): string {
    const file = policyConfigPath(stack, dir);
    if (!fs.existsSync(file))
        throw new StackFileError(
            `${POLICY_CONFIG_DIR}/${path.basename(file)}: stack ${stack} has no policy configuration; create it with ${policyConfigCommand(stack)}`,
        );
    return file;
}

/** The scalar value of a YAML key as a string (`10:` and `"10":` are the same key to a JS object). */
const keyText = (key: unknown): string | undefined => (isScalar(key) ? String(key.value) : undefined);

/** Positions of the keys and values of `document`, for StackFile.locate. */
function locator(document: Document, lines: LineCounter): StackFile["locate"] {
    const at = (node: { range?: [number, number, number] | null } | null | undefined): SourcePosition | undefined => {
        if (!node?.range) return undefined;
        const { line, col } = lines.linePos(node.range[0]);
        return { line, column: col };
    };
    const config = document.get("config", true);
    return (problemPath) => {
        if (!isMap(config)) return undefined;
        // A config key (`homelab:guest`, from splitConfig) or an inventory path under `homelab:<section>`.
        // A config key has its namespace before the first dot or bracket; an inventory path starts with a section.
        const segments: (string | number)[] | undefined = /^[^.[]*:/.test(problemPath) ? [problemPath] : parsePath(problemPath);
        if (segments === undefined || segments.length === 0) return at(document.contents);
        const [first, ...rest] = segments;
        const top = config.items.find((p) => {
            const k = keyText(p.key);
            // `homelab:cluster` and a bare `cluster` (Pulumi reads it in the project's namespace) are one key.
            return k === String(first) || k === `${PROJECT}:${String(first)}` || `${PROJECT}:${k}` === String(first);
        });
        if (!top) return at(document.contents);
        let position = at(top.key as Node);
        let node: unknown = top.value;
        for (const segment of rest) {
            if (isAlias(node)) node = node.resolve(document);
            if (isMap(node)) {
                const pair = node.items.find((p) => keyText(p.key) === String(segment));
                if (!pair) return position;
                position = at(pair.key as Node) ?? position;
                node = pair.value;
            } else if (isSeq(node) && typeof segment === "number" && segment < node.items.length) {
                node = node.items[segment];
                position = at(node as Node) ?? position;
            } else {
                return position;
            }
        }
        return position;
    };
}

/** Reads and splits a stack file; throws StackFileError or InventoryError (unknown homelab:* keys). */
export function readStackFile(file: string): StackFile {
    const name = path.basename(file);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const stack = /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1] ?? DEFAULT_STACK;
        throw new StackFileError(
            code === "ENOENT"
                ? `${name}: no such stack file; create it (copy Pulumi.prod.yaml, or pulumi stack init ${stack}) or name another stack with --stack NAME`
                : `${name}: cannot read (${code ?? String(err)})`,
        );
    }
    const lines = new LineCounter();
    const document = parseDocument(text, { prettyErrors: true, lineCounter: lines });
    if (document.errors.length > 0) {
        // The first line names the error and its position; the rest is a source excerpt.
        const first = String(document.errors[0].message).split("\n")[0].replace(/:\s*$/, "");
        throw new StackFileError(`${name}: YAML syntax error: ${first}`);
    }
    // A list or mapping as a key (`? [a, b]: x`) would become the text "[ a, b ]" with a warning on stderr.
    let collectionKey: Node | undefined;
    visit(document, {
        Pair: (_, pair) => {
            if (!isCollection(pair.key)) return undefined;
            collectionKey = pair.key;
            return visit.BREAK;
        },
    });
    if (collectionKey?.range) {
        const at = lines.linePos(collectionKey.range[0]);
        throw new StackFileError(`${name}:${at.line}:${at.col}: a key is a list or a mapping; every key of a stack file is a name`);
    }
    let doc: unknown;
    try {
        doc = document.toJS();
    } catch (err) {
        // The YAML library refuses aliases that expand exponentially (an alias bomb) while building the values.
        const first = (err instanceof Error ? err.message : String(err)).split("\n")[0];
        throw new StackFileError(`${name}: cannot read the YAML (${first}); write the values out instead of nesting aliases`);
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc))
        throw new StackFileError(`${name}: expected a mapping with a "config:" section`);
    const { config: rawConfig, ...settings } = doc as Record<string, unknown>;
    const config = (rawConfig ?? {}) as Record<string, unknown>;
    if (config === null || typeof config !== "object" || Array.isArray(config))
        throw new StackFileError(`${name}: "config:" must be a mapping`);
    const locate = locator(document, lines);
    try {
        return { ...splitConfig(config, file), settings, locate };
    } catch (err) {
        throw err instanceof InventoryError ? located(err, locate) : err;
    }
}

/** The same error with every problem's line and column (where `locate` finds them). */
function located(error: InventoryError, locate: StackFile["locate"]): InventoryError {
    const problems: InventoryProblem[] = error.problems.map((p) => {
        const at = p.line === undefined ? locate(p.path) : undefined;
        return at ? { ...p, line: at.line, column: at.column } : p;
    });
    return new InventoryError(problems, error.source);
}

/**
 * Reads a stack file and validates its inventory. Throws StackFileError, or InventoryError whose
 * problems carry the line and column of what they point at.
 */
export function readInventory(file: string): { stackFile: StackFile; inventory: Inventory } {
    const stackFile = readStackFile(file);
    return { stackFile, inventory: parseStackFileInventory(stackFile, path.basename(file)) };
}

/**
 * Validates the inventory of a stack file already read. Throws InventoryError named `source` (the
 * file as the user knows it: `Pulumi.prod.yaml`, `origin/main:Pulumi.prod.yaml`) whose problems
 * carry the line and column of what they point at.
 */
export function parseStackFileInventory(stackFile: StackFile, source: string): Inventory {
    try {
        return parseInventory(stackFile.inventory, source);
    } catch (err) {
        throw err instanceof InventoryError ? located(err, stackFile.locate) : err;
    }
}

/** True for an encrypted stack config value (`{ secure: ... }`). */
export function isSecureValue(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value;
}

/**
 * Splits `<ns>:<key>` config into the inventory and the rest. Problems: unknown `homelab:*` keys,
 * and credentials in plain text (`isSecret` says which keys are encrypted: by default a
 * `{secure: ...}` value, as a stack file holds them).
 */
export function splitConfig(
    config: Record<string, unknown>,
    file = "stack config",
    isSecret: (fullKey: string, value: unknown) => boolean = (_, value) => isSecureValue(value),
): StackFile {
    const inventory: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    const problems: InventoryProblem[] = [];
    const known = [...INVENTORY_KEYS, ...CREDENTIAL_KEYS];
    for (const [fullKey, value] of Object.entries(config)) {
        const secret = isSecret(fullKey, value);
        if (secret) secretKeys.push(fullKey);
        else {
            const plaintext = plaintextCredentialProblem(fullKey, value);
            if (plaintext !== undefined) problems.push(plaintext);
        }
        const [ns, key] = fullKey.includes(":")
            ? [fullKey.slice(0, fullKey.indexOf(":")), fullKey.slice(fullKey.indexOf(":") + 1)]
            : [PROJECT, fullKey];
        if (ns !== PROJECT) continue;
        if ((INVENTORY_KEYS as string[]).includes(key)) inventory[key] = value;
        else if (!(CREDENTIAL_KEYS as readonly string[]).includes(key)) {
            const match = closestMatch(key, known);
            problems.push({
                path: `${PROJECT}:${key}`,
                message:
                    `unknown config key${match === undefined ? ";" : `; did you mean "${PROJECT}:${match}"?`} ` +
                    `The inventory keys are ${INVENTORY_KEYS.join(", ")} and the credential keys ${CREDENTIAL_KEYS.join(", ")}`,
            });
        }
    }
    problems.push(...secretValueProblems(inventory));
    if (problems.length > 0) throw new InventoryError(problems, path.basename(file));
    return { file, inventory, config, secretKeys, settings: {}, locate: () => undefined };
}
