/**
 * The only reader of `pulumi.Config`: loads the inventory from stack config, validates it
 * (fail closed) and hands out credentials as secret Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseInventory } from "./parse";
import { Inventory } from "./schema";
import { CREDENTIAL_ENV, CredentialKey, PROJECT, splitConfig } from "./stackfile";

export type { CredentialKey };

/** Reads every `homelab:*` key of the stack, parses and cross-checks it. Throws InventoryError. */
export function loadInventory(): Inventory {
    const all = pulumi.runtime.allConfig();
    const config: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(all)) {
        if (!k.startsWith(`${PROJECT}:`)) continue;
        try {
            config[k] = JSON.parse(v);
        } catch {
            config[k] = v;
        }
    }
    const { inventory } = splitConfig(config, "stack config");
    return parseInventory(inventory, "stack config");
}

/**
 * A credential as a secret Output: the environment variable wins, then secret stack config.
 * Returns undefined when neither is set, so the caller decides whether it is required.
 */
export function optionalCredential(key: CredentialKey): pulumi.Output<string> | undefined {
    const fromEnv = process.env[CREDENTIAL_ENV[key]];
    if (fromEnv !== undefined && fromEnv !== "") return pulumi.secret(fromEnv);
    const config = new pulumi.Config(PROJECT);
    return config.getSecret(key);
}

/** Like optionalCredential, but missing means an error naming both ways to provide it. */
export function requireCredential(key: CredentialKey): pulumi.Output<string> {
    const value = optionalCredential(key);
    if (value === undefined) {
        throw new Error(
            `missing credential: set the environment variable ${CREDENTIAL_ENV[key]} or run \`pulumi config set --secret ${PROJECT}:${key} <value>\``,
        );
    }
    return value;
}
