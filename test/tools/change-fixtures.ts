/**
 * Fixtures of the change-report tests: recorded resources built by hand (for the rule table and
 * the engine's rules) and inventories recorded by the real program (for the end-to-end cases).
 *
 * INVENTORY-FORMAT DEPENDENT: the mutate helpers at the end name inventory v2's fields
 * (`guests.<ct>.image`, `storages.<id>.pool`, `datasets.<path>.node`, `nodes.<n>.bridge.ports`,
 * ...). When the inventory is renamed, change them here; the tests call only these helpers.
 */
import * as path from "path";
import { parseInventory } from "../../config/parse";
import { readStackFile } from "../../config/stackfile";
import { recordProgram } from "../../tools/plan/record";
import { ChangeReport, buildChangeReport } from "../../tools/change/report";
import { RecordedOptions, RecordedResource } from "../../tools/runtime/recorder";
import { REFERENCE_STACK_FILE, RawInventory, referenceRaw } from "../config/reference";

export type { RawInventory };

const NO_OPTIONS: RecordedOptions = {
    protect: false,
    retainOnDelete: false,
    deleteBeforeReplace: false,
    ignoreChanges: [],
    replaceOnChanges: [],
    dependsOn: [],
    aliases: 0,
};

/** A recorded resource built by hand: a custom resource of `type` under the stack unless `parent` says otherwise. */
export function resource(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    options: Partial<RecordedOptions> = {},
    extra: {
        parent?: RecordedResource;
        custom?: boolean;
        outputs?: Record<string, unknown>;
        /** Inputs taken from other resources: input name → their URNs. */
        propertyDependencies?: Record<string, string[]>;
    } = {},
): RecordedResource {
    const parentChain = extra.parent ? `${extra.parent.urn.split("::")[2]}$` : "";
    return {
        urn: `urn:pulumi:test::homelab::${parentChain}${type}::${name}`,
        type,
        name,
        custom: extra.custom ?? true,
        ...(extra.parent ? { parent: extra.parent.urn } : {}),
        inputs,
        secretPaths: [],
        unknownPaths: [],
        options: { ...NO_OPTIONS, ...options },
        dependencies: [...new Set(Object.values(extra.propertyDependencies ?? {}).flat())],
        propertyDependencies: extra.propertyDependencies ?? {},
        outputs: extra.outputs ?? {},
        outputSecretPaths: [],
    };
}

/** A component resource (no inputs) with the outputs it registers. */
export function component(type: string, name: string, outputs: Record<string, unknown> = {}): RecordedResource {
    return resource(type, name, {}, {}, { custom: false, outputs });
}

/** An object with `value` at a rule path (`a.b[*].c`: `*` becomes element 0). */
export function objectAt(path: string, value: unknown): Record<string, unknown> {
    const segments = path.replace(/\[\*\]/g, ".0").split(".");
    let out: unknown = value;
    for (let i = segments.length - 1; i >= 0; i--) out = segments[i] === "0" ? [out] : { [segments[i]]: out };
    return out as Record<string, unknown>;
}

/** The stacks of the repository the tests plan: the reference homelab and the two examples. */
export type StackName = "prod" | "example-single" | "example-cluster";

const stackFile = (stack: StackName) =>
    stack === "prod" ? REFERENCE_STACK_FILE : path.join(path.dirname(REFERENCE_STACK_FILE), `Pulumi.${stack}.yaml`);

/** A deep copy of a stack's raw inventory (`homelab:` keys without the prefix), safe to mutate. */
export function stackRaw(stack: StackName): RawInventory {
    return stack === "prod" ? referenceRaw() : structuredClone(readStackFile(stackFile(stack)).inventory);
}

/** Config entries of a raw inventory, as the stack file would give them (its other keys from `stack`'s file). */
function configOf(raw: RawInventory, stack: StackName): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(readStackFile(stackFile(stack)).config)) if (!key.startsWith("homelab:")) config[key] = value;
    for (const [key, value] of Object.entries(raw)) config[`homelab:${key}`] = value;
    return config;
}

/** The resources the real program registers for a raw inventory (validated first), under stack `prod`. */
export async function recordRaw(raw: RawInventory, stack: StackName = "prod"): Promise<RecordedResource[]> {
    return (await recordProgram(parseInventory(structuredClone(raw)), configOf(raw, stack), "prod")).resources;
}

/** The change report of deploying `current` over `base`, both recorded by the real program. */
export async function changeReportOf(base: RawInventory, current: RawInventory, stack: StackName = "prod"): Promise<ChangeReport> {
    return buildChangeReport("base", await recordRaw(base, stack), await recordRaw(current, stack));
}

/** A copy of the reference inventory with `mutate` applied. */
export function reference(mutate: (inv: RawInventory) => void = () => undefined): RawInventory {
    const inv = referenceRaw();
    mutate(inv);
    return inv;
}

/** A copy of an example stack's inventory with `mutate` applied. */
export function example(stack: Exclude<StackName, "prod">, mutate: (inv: RawInventory) => void = () => undefined): RawInventory {
    const inv = stackRaw(stack);
    mutate(inv);
    return inv;
}

// ---- Inventory-format dependent mutate helpers (see the file comment). ----

/** A guest's memory. */
export function setGuestMemory(inv: RawInventory, guest: string, mib: number): void {
    inv.guests[guest].memoryMiB = mib;
}

/** The OS image of a container: a key of `images`. */
export function setContainerImage(inv: RawInventory, guest: string, imageKey: string): void {
    inv.guests[guest].image = imageKey;
}

/** A second container template, a copy of `debian-12-lxc` under another file name. */
export function addContainerImage(inv: RawInventory, key: string): void {
    inv.images[key] = {
        ...inv.images["debian-12-lxc"],
        url: "http://download.proxmox.com/images/system/debian-13-standard_13.1-2_amd64.tar.zst",
        fileName: "debian-13-standard_13.1-2_amd64.tar.zst",
    };
}

/** A dataset on `node` with no owner and no mounts (free to move between nodes that have its pool). */
export function addDataset(inv: RawInventory, path: string, node: string): void {
    inv.datasets[path] = { node, properties: {}, backup: { exclude: "scratch space, rebuilt from nothing" } };
}

export function setDatasetNode(inv: RawInventory, path: string, node: string): void {
    inv.datasets[path].node = node;
}

export function removeDataset(inv: RawInventory, path: string): void {
    delete inv.datasets[path];
}

/** The cluster's SSH keys: given to every container and to the cloud-init user data of VMs. */
export function setSshKeys(inv: RawInventory, keys: string[]): void {
    inv.cluster.sshPublicKeys = keys;
}

/** The boot image of a VM: a key of `images` (a disk image is imported into the first disk). */
export function setVmImage(inv: RawInventory, guest: string, imageKey: string): void {
    inv.guests[guest].image = imageKey;
}

/** A second cloud image, a copy of `debian-13-cloud` under another file name. */
export function addCloudImage(inv: RawInventory, key: string): void {
    inv.images[key] = {
        ...inv.images["debian-13-cloud"],
        url: "https://cloud.debian.org/images/cloud/bookworm/20250301-2040/debian-12-genericcloud-amd64-20250301-2040.qcow2",
        fileName: "debian-12-genericcloud-amd64-20250301-2040.qcow2",
    };
}

/** The ports of a node's bridge (the interface that carries the node's address). */
export function setBridgePorts(inv: RawInventory, node: string, ports: string[]): void {
    inv.nodes[node].bridge.ports = ports;
}

/** The ZFS pool behind a cluster storage of kind zfspool. */
export function setStoragePool(inv: RawInventory, storage: string, pool: string): void {
    inv.storages[storage].pool = pool;
}

export function setDnsZone(inv: RawInventory, zone: string): void {
    inv.dns.zone = zone;
}

export function setOffsiteBucket(inv: RawInventory, bucket: string): void {
    inv.offsite.bucket = bucket;
}

/** A guest's VMID and the address the VMID scheme ties to it (VLAN × 1000 + last octet). */
export function setGuestVmid(inv: RawInventory, guest: string, lastOctet: number): void {
    const g = inv.guests[guest];
    g.ipv4 = g.ipv4.replace(/\d+$/, String(lastOctet));
    g.vmid = inv.networks[g.network].vlan * 1000 + lastOctet;
}

export function setGuestCores(inv: RawInventory, guest: string, cores: number): void {
    inv.guests[guest].cores = cores;
}
