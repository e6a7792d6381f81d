/**
 * A small valid inventory built from scratch (not from the reference stack), for property tests
 * that generate nodes, storages and guests: a flat LAN, `n` nodes, no backups, no DNS.
 */
import { RawInventory } from "./reference";

/** The flat LAN every generated entity lives on. */
export const LAN = { cidr: "10.0.10.0/24", gateway: "10.0.10.1", prefix: "10.0.10." } as const;

/** The VMID the octet scheme (offset 1000) wants for an address of the LAN. */
export const vmidOf = (address: string): number => 1000 + Number(address.split(".")[3]);

/** A node's name. */
export const nodeName = (i: number): string => `node${i + 1}`;

/** A node on the LAN at `address`, with a host key of its own. */
export function rawNode(i: number, address: string): RawInventory {
    return {
        address,
        hostKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${"x".repeat(i + 1)}nodekey${i}`,
        threads: 8,
        memoryGiB: 32,
        bridge: { name: "vmbr0", ports: ["eno1"] },
    };
}

/** The cluster section, with a QDevice at `qdevice` when given. */
export function rawCluster(qdevice?: string): RawInventory {
    return {
        name: "lab",
        domain: "lab.example.org",
        timezone: "Europe/Berlin",
        endpoint: "https://10.0.10.11:8006/",
        dnsServers: ["10.0.10.1"],
        idScheme: "octet",
        idOffset: 1000,
        managedRoots: ["/tank"],
        ...(qdevice === undefined ? {} : { qdevice: { address: qdevice } }),
    };
}

/** A container at `address` on `node`, its root disk on `storage`, left out of backups. */
export function rawContainer(node: string, address: string, storage: string): RawInventory {
    return {
        kind: "lxc",
        node,
        network: "lan",
        ipv4: address,
        vmid: vmidOf(address),
        cores: 1,
        memoryMiB: 512,
        tier: "normal",
        disk: { storage, sizeGiB: 4 },
        backup: { exclude: "generated for a property test" },
    };
}

/** An installed VM (its CD drive empty) at `address` on `node`, one disk per storage given. */
export function rawVm(node: string, address: string, storages: readonly string[]): RawInventory {
    return {
        kind: "vm",
        node,
        network: "lan",
        ipv4: address,
        vmid: vmidOf(address),
        cores: 1,
        memoryMiB: 1024,
        tier: "normal",
        disks: storages.map((storage) => ({ storage, sizeGiB: 8 })),
        cdrom: "none",
        backup: { exclude: "generated for a property test" },
    };
}

/** A whole inventory: the LAN (with its reservations), the nodes, storages and guests given. */
export function rawInventory(parts: {
    readonly nodes: Record<string, RawInventory>;
    readonly storages: Record<string, RawInventory>;
    readonly guests: Record<string, RawInventory>;
    readonly reserved?: readonly RawInventory[];
    readonly qdevice?: string;
    readonly ha?: Record<string, RawInventory>;
}): RawInventory {
    return {
        cluster: rawCluster(parts.qdevice),
        networks: { lan: { cidr: LAN.cidr, gateway: LAN.gateway, reserved: [...(parts.reserved ?? [])] } },
        nodes: parts.nodes,
        storages: parts.storages,
        guests: parts.guests,
        ...(parts.ha === undefined ? {} : { ha: parts.ha }),
    };
}
