/**
 * How each class of guest spells its inputs. The provider has four shapes (see tokens.ts):
 * containers, full VMs, cloned VMs (maps keyed by interface) and the experimental VM (no disks,
 * NICs or memory). Rules read a guest through these functions, so a hand-written guest of any
 * class is judged by the same facts.
 */
import { bool, num, Props, record, records, str } from "./props";
import { CLONED_VM_TYPES, CLONED_VM_V7, CONTAINER_TYPES, EXPERIMENTAL_VM_TYPES, VM_TYPES } from "./tokens";

export type GuestShape = "container" | "vm" | "cloned" | "experimental";

/** The shape of a guest type token, or undefined for anything else. */
export function guestShape(type: string): GuestShape | undefined {
    if (CONTAINER_TYPES.has(type)) return "container";
    if (VM_TYPES.has(type)) return "vm";
    if (CLONED_VM_TYPES.has(type)) return "cloned";
    if (EXPERIMENTAL_VM_TYPES.has(type)) return "experimental";
    return undefined;
}

/** Proxmox defaults when a guest leaves sizing out (1 core, 1 socket, 512 MiB). */
const DEFAULT_CORES = 1;
const DEFAULT_SOCKETS = 1;
const DEFAULT_MEMORY_MIB = 512;

/** The input that holds the VMID: `vmId`, or the string `resourceId` of the newer VM classes. */
export function vmidField(type: string): "vmId" | "resourceId" {
    const shape = guestShape(type);
    return shape === "container" || shape === "vm" || type === CLONED_VM_V7 ? "vmId" : "resourceId";
}

/** The VMID the inputs set (a number, or a numeric string). */
export function inputVmid(type: string, props: Props): number | undefined {
    return num(props[vmidField(type)]);
}

/** The address part of `192.168.30.40/24`; undefined for `dhcp` or anything else. */
export function staticAddress(value: unknown): string | undefined {
    const s = str(value);
    if (s === undefined) return undefined;
    const ip = s.split("/")[0].trim();
    const octets = ip.split(".");
    const isOctet = (o: string) => o.length >= 1 && o.length <= 3 && [...o].every((c) => c >= "0" && c <= "9");
    return octets.length === 4 && octets.every(isOctet) ? ip : undefined;
}

/** A NIC as a rule reports it. */
export interface NicInput {
    /** `eth0`, `net0`, or `#0` when unnamed. */
    readonly label: string;
    /** Where it is in the inputs: `networkDevices[0]`, `network.net0`. */
    readonly field: string;
    readonly vlan: number | undefined;
    readonly firewall: boolean | undefined;
}

/** The trailing number of an interface key (`net12` → 12), for ordering. */
function interfaceIndex(key: string): number {
    let i = key.length;
    while (i > 0 && key[i - 1] >= "0" && key[i - 1] <= "9") i--;
    return i === key.length ? Number.MAX_SAFE_INTEGER : Number(key.slice(i));
}

/** A map keyed by interface (`net0`, `scsi1`), in interface order. */
function byInterface(value: unknown): [string, Props][] {
    return Object.entries(record(value) ?? {})
        .filter((e): e is [string, Props] => record(e[1]) !== undefined)
        .sort(([a], [b]) => interfaceIndex(a) - interfaceIndex(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The NICs of a guest, first NIC first. */
export function nicsOf(type: string, props: Props): NicInput[] {
    switch (guestShape(type)) {
        case "container":
        case "vm": {
            const field = guestShape(type) === "container" ? "networkInterfaces" : "networkDevices";
            return records(props[field]).map((nic, i) => ({
                label: str(nic.name) ?? `#${i}`,
                field: `${field}[${i}]`,
                vlan: num(nic.vlanId),
                firewall: bool(nic.firewall),
            }));
        }
        case "cloned":
            return byInterface(props.network).map(([key, nic]) => ({
                label: key,
                field: `network.${key}`,
                vlan: num(nic.tag),
                firewall: bool(nic.firewall),
            }));
        default:
            return [];
    }
}

/** The static IPv4 addresses cloud-init gives the guest (containers and full VMs; the other classes have no initialization). */
export function cloudInitAddresses(type: string, props: Props): string[] {
    const shape = guestShape(type);
    if (shape !== "container" && shape !== "vm") return [];
    return records(record(props.initialization)?.ipConfigs)
        .map((c) => staticAddress(record(c.ipv4)?.address))
        .filter((ip): ip is string => ip !== undefined);
}

/** The static address cloud-init gives the first NIC. */
export function cloudInitAddress(type: string, props: Props): string | undefined {
    const shape = guestShape(type);
    if (shape !== "container" && shape !== "vm") return undefined;
    return staticAddress(record(records(record(props.initialization)?.ipConfigs)[0]?.ipv4)?.address);
}

/** vCPUs allocated: cores × sockets for a VM, cores for a container (Proxmox's defaults when unset). */
export function guestVcpus(type: string, props: Props): number {
    const cpu = record(props.cpu);
    const cores = num(cpu?.cores) ?? DEFAULT_CORES;
    return guestShape(type) === "container" ? cores : cores * (num(cpu?.sockets) ?? DEFAULT_SOCKETS);
}

/** Memory allocated in MiB: `memory.dedicated`, a cloned VM's `memory.size`; Proxmox's default when unset. */
export function guestMemoryMiB(type: string, props: Props): number {
    const memory = record(props.memory);
    return (guestShape(type) === "cloned" ? num(memory?.size) : num(memory?.dedicated)) ?? DEFAULT_MEMORY_MIB;
}

/** The pool a guest joins: `poolId`, or a cloned VM's `clone.poolId`. */
export function guestPoolId(type: string, props: Props): string | undefined {
    return guestShape(type) === "cloned" ? str(record(props.clone)?.poolId) : str(props.poolId);
}

/** Whether the class has Proxmox's `protection` flag (containers and full VMs do). */
export function hasProtectionFlag(type: string): boolean {
    const shape = guestShape(type);
    return shape === "container" || shape === "vm";
}

/** How the guest components name their provider resource after the guest: `photos-container`, `photos-vm`. */
const GUEST_RESOURCE_SUFFIX: Readonly<Record<string, string>> = {
    "homelab:proxmox:LxcGuest": "-container",
    "homelab:proxmox:VmGuest": "-vm",
};

/**
 * The inventory entry (`guests.photos`) a guest's provider resource comes from, read from its URN;
 * undefined for a guest written by hand. A resource rule sees no parent, but the URN carries the
 * parent's type (`...$homelab:proxmox:LxcGuest$proxmoxve:...::photos-container`), and the program
 * names each guest component after its inventory key and the provider resource after the component
 * (components/proxmox.ts, lxcGuest.ts, vmGuest.ts). Stack rules read the registered key instead
 * (`Guest.inventoryKey`).
 */
export function guestInventoryKey(urn: string): string | undefined {
    const parts = urn.split("::");
    if (parts.length < 4) return undefined;
    const types = parts[2].split("$");
    const suffix = types.length >= 2 ? GUEST_RESOURCE_SUFFIX[types[types.length - 2]] : undefined;
    const name = parts.slice(3).join("::");
    if (suffix === undefined || !name.endsWith(suffix) || name.length === suffix.length) return undefined;
    return `guests.${name.slice(0, -suffix.length)}`;
}

/**
 * Where to fix a value of a guest's provider resource, for messages of resource rules: the
 * inventory key when the guest comes from the inventory (`guests.photos.disk.storage`), else the
 * provider field (`disk.datastoreId`). The resource-rule twin of `Guest.fixAt`.
 */
export function guestFixAt(urn: string, inventoryField: string, providerField: string): string {
    const key = guestInventoryKey(urn);
    return key !== undefined ? `\`${key}.${inventoryField}\`` : `\`${providerField}\``;
}
