/** Shared fixtures for whole-program tests: the reference stack file and credentials as secret config. */
import * as path from "path";
import { parseInventory } from "../../config/parse";
import { Inventory } from "../../config/schema";
import { CREDENTIAL_KEYS, readStackFile } from "../../config/stackfile";

export const REFERENCE_FILE = path.join(__dirname, "../..", "Pulumi.prod.yaml");

/** The reference stack's config entries (`homelab:<key>` → value). */
export function referenceConfig(): Record<string, unknown> {
    return { ...readStackFile(REFERENCE_FILE).config };
}

/** A deep copy of the reference inventory, validated. */
export function referenceInventory(): Inventory {
    return parseInventory(readStackFile(REFERENCE_FILE).inventory);
}

/** Every credential as secret stack config with a recognisable value. */
export function credentialConfig(): { config: Record<string, string>; secretKeys: string[] } {
    const config: Record<string, string> = {};
    for (const key of CREDENTIAL_KEYS) config[`homelab:${key}`] = `test-${key}`;
    return { config, secretKeys: Object.keys(config) };
}
