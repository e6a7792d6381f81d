/**
 * Reads the inventory straight out of a `Pulumi.<stack>.yaml` file, for tools that run without
 * the Pulumi CLI (validate, plan, diagram). Pure Node: no `@pulumi/*` import.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { InventoryError } from "./errors";
import { INVENTORY_KEYS } from "./schema";

/** The Pulumi project name: stack config keys are `homelab:<key>`. */
export const PROJECT = "homelab";

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

/** A stack file, split into the inventory and the rest of its config. */
export interface StackFile {
    readonly file: string;
    /** Raw inventory: `homelab:<key>` values for the inventory keys. */
    readonly inventory: Record<string, unknown>;
    /** Every config entry as Pulumi would pass it: `<ns>:<key>` → value (secure values kept as `{secure: ...}`). */
    readonly config: Record<string, unknown>;
    /** Keys whose values are encrypted (`{secure: ...}`). */
    readonly secretKeys: string[];
}

/** Raised for a missing file or a YAML syntax error: one line, no stack trace. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** Path of the stack file of `stack` in `dir`. */
export function stackFilePath(stack: string, dir = process.cwd()): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new StackFileError(`invalid stack name "${stack}": use letters, digits, '.', '_' and '-'`);
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Reads and splits a stack file; throws StackFileError or InventoryError (unknown homelab:* keys). */
export function readStackFile(file: string): StackFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new StackFileError(
            code === "ENOENT"
                ? `${path.basename(file)}: no such stack file; create it or name another stack with --stack NAME`
                : `${path.basename(file)}: cannot read (${code ?? String(err)})`,
        );
    }
    let doc: unknown;
    try {
        doc = parseYaml(text, { prettyErrors: true });
    } catch (err) {
        // The first line names the error and its position; the rest is a source excerpt.
        const first = String((err as Error).message)
            .split("\n")[0]
            .replace(/:\s*$/, "");
        throw new StackFileError(`${path.basename(file)}: YAML syntax error: ${first}`);
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc))
        throw new StackFileError(`${path.basename(file)}: expected a mapping with a "config:" section`);
    const config = ((doc as Record<string, unknown>).config ?? {}) as Record<string, unknown>;
    if (config === null || typeof config !== "object" || Array.isArray(config))
        throw new StackFileError(`${path.basename(file)}: "config:" must be a mapping`);
    return splitConfig(config, file);
}

/** True for an encrypted stack config value (`{ secure: ... }`). */
export function isSecureValue(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value;
}

/** Splits `<ns>:<key>` config into the inventory and the rest; unknown `homelab:*` keys are problems. */
export function splitConfig(config: Record<string, unknown>, file = "stack config"): StackFile {
    const inventory: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    const unknown: string[] = [];
    for (const [fullKey, value] of Object.entries(config)) {
        if (isSecureValue(value)) secretKeys.push(fullKey);
        const [ns, key] = fullKey.includes(":")
            ? [fullKey.slice(0, fullKey.indexOf(":")), fullKey.slice(fullKey.indexOf(":") + 1)]
            : [PROJECT, fullKey];
        if (ns !== PROJECT) continue;
        if ((INVENTORY_KEYS as string[]).includes(key)) inventory[key] = value;
        else if (!(CREDENTIAL_KEYS as readonly string[]).includes(key)) unknown.push(key);
    }
    if (unknown.length > 0) {
        throw new InventoryError(
            unknown.map((k) => ({
                path: `${PROJECT}:${k}`,
                message: `unknown config key; the inventory keys are ${INVENTORY_KEYS.join(", ")} and the credential keys ${CREDENTIAL_KEYS.join(", ")}`,
            })),
            path.basename(file),
        );
    }
    return { file, inventory, config, secretKeys };
}
