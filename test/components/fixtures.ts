/** Shared fixtures of the Proxmox component tests: the reference inventory and credentials. */
import * as path from "path";
import { parseInventory } from "../../config/parse";
import { Inventory, LxcGuestSpec, VmGuestSpec } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";

/** The reference stack (Pulumi.prod.yaml), parsed and cross-checked. */
export function referenceInventory(): Inventory {
    return parseInventory(readStackFile(path.join(__dirname, "../..", "Pulumi.prod.yaml")).inventory);
}

export const TEST_TOKEN = "automation@pve!homelab=00000000-1111-2222-3333-444444444444";
export const TEST_PASSWORD = "root-password-for-tests";
export const TEST_SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\ntest\n-----END OPENSSH PRIVATE KEY-----";

/** Sets (or clears, with undefined) the Proxmox credentials in the environment. */
export function setCredentials(values: { token?: string; password?: string; sshKey?: string }): void {
    const set = (k: string, v: string | undefined) => {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    };
    set("PROXMOX_VE_API_TOKEN", values.token);
    set("PROXMOX_VE_PASSWORD", values.password);
    set("PROXMOX_VE_SSH_PRIVATE_KEY", values.sshKey);
}

export function lxc(inv: Inventory, name: string): LxcGuestSpec {
    const g = inv.guests[name];
    if (g?.kind !== "lxc") throw new Error(`${name} is not a container`);
    return g;
}

export function vm(inv: Inventory, name: string): VmGuestSpec {
    const g = inv.guests[name];
    if (g?.kind !== "vm") throw new Error(`${name} is not a VM`);
    return g;
}

/** Provider inputs may arrive JSON-stringified (the SDK stringifies non-string provider inputs). */
export function decoded<T = unknown>(value: unknown): T {
    if (typeof value !== "string" || !/^([[{]|true$|false$|-?\d)/.test(value)) return value as T;
    return JSON.parse(value) as T;
}

/** The `urn::id` reference a provider resource has in options.provider. */
export function providerRef(r: { urn: string; id?: string }): string {
    return `${r.urn}::${r.id}`;
}
