/**
 * The only reader of `pulumi.Config`: loads the inventory from stack config, validates it
 * (fail closed) and reads the credentials once, as secret Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseInventory } from "./parse";
import { Inventory } from "./schema";
import { CREDENTIAL_ENV, CREDENTIAL_KEYS, CredentialKey, PROJECT, PROVIDER_CREDENTIAL_KEYS, splitConfig } from "./stackfile";

export type { CredentialKey };

/** The secret config keys the language host passes the program (and the mocks set): the SDK's own record of them. */
const SECRET_KEYS_VARIABLE = "PULUMI_CONFIG_SECRET_KEYS";

/**
 * Whether stack config key `key` is encrypted in the stack. The SDK answers from its runtime
 * store (`runtime.isConfigSecret`, untyped: internal to the SDK, pinned by a test); without it,
 * the variable the language host sets.
 */
export function isConfigSecret(key: string): boolean {
    const fromSdk = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    if (typeof fromSdk === "function") return fromSdk(key);
    try {
        const keys: unknown = JSON.parse(process.env[SECRET_KEYS_VARIABLE] ?? "[]");
        return Array.isArray(keys) && keys.includes(key);
    } catch {
        return false;
    }
}

/**
 * Reads every `homelab:*` key of the stack, parses and cross-checks it. Throws InventoryError,
 * also for a credential in plain text (`pulumi config set` without `--secret`).
 */
export function loadInventory(): Inventory {
    const all = pulumi.runtime.allConfig();
    const config: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(all)) {
        // The inventory's keys and, to refuse them in plain text, the providers' credential keys.
        if (!k.startsWith(`${PROJECT}:`) && !(k in PROVIDER_CREDENTIAL_KEYS)) continue;
        try {
            config[k] = JSON.parse(v);
        } catch {
            config[k] = v;
        }
    }
    const { inventory } = splitConfig(config, "stack config", isConfigSecret);
    return parseInventory(inventory, "stack config");
}

/** The credentials of a stack, read once: each as a secret Output, or undefined when not set. */
export interface Credentials {
    /** The credential, or undefined when neither its environment variable nor secret config is set. */
    optional(key: CredentialKey): pulumi.Output<string> | undefined;
    /** The credential; missing is an error naming both ways to provide it. */
    require(key: CredentialKey): pulumi.Output<string>;
}

/**
 * Reads every credential once: the environment variable wins, then secret stack config. The only
 * place credentials are read; components receive them through this object.
 */
export function readCredentials(): Credentials {
    const config = new pulumi.Config(PROJECT);
    const values = new Map<CredentialKey, pulumi.Output<string> | undefined>();
    for (const key of CREDENTIAL_KEYS) {
        const fromEnv = process.env[CREDENTIAL_ENV[key]];
        values.set(key, fromEnv !== undefined && fromEnv !== "" ? pulumi.secret(fromEnv) : config.getSecret(key));
    }
    return {
        optional: (key) => values.get(key),
        require: (key) => {
            const value = values.get(key);
            if (value === undefined)
                throw new Error(
                    `missing credential: set the environment variable ${CREDENTIAL_ENV[key]} or run \`pulumi config set --secret ${PROJECT}:${key} <value>\``,
                );
            return value;
        },
    };
}
