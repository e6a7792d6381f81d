/**
 * What every cross-check shares: the parsed inventory, lookups built once (so each check stays
 * linear in the inventory), and the way a problem is reported (its path, its message with the
 * fix, and the entities it follows from).
 */
import { InventoryProblem, formatPath } from "../errors";
import { GuestSpec, Inventory, Network, NodeSpec, StorageSpec } from "../schema";
import { didYouMean } from "../suggest";
import { Ipv4Cidr, parseCidr, parseIpv4 } from "../../lib/ipv4";
import { SYSTEM_PATHS } from "../../lib/paths";

/**
 * Looks up a key of an inventory record. Plain indexing would find inherited members
 * (`nodes["constructor"]` is a function), so a reference named like one would slip through.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
    return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A network with its parsed subnet. */
export interface NetworkInfo {
    readonly name: string;
    readonly spec: Network;
    readonly subnet?: Ipv4Cidr;
}

export class CheckContext {
    readonly problems: InventoryProblem[] = [];
    readonly nodeNames: readonly string[];
    readonly networks: ReadonlyMap<string, NetworkInfo>;
    /** Node name → the network holding its address. */
    readonly nodeNetwork: ReadonlyMap<string, NetworkInfo>;

    constructor(readonly inv: Inventory) {
        this.nodeNames = Object.keys(inv.nodes);
        this.networks = new Map(
            Object.entries(inv.networks).map(([name, spec]) => [name, { name, spec, subnet: parseCidr(spec.cidr) }] as const),
        );
        const nodeNetwork = new Map<string, NetworkInfo>();
        for (const [name, node] of Object.entries(inv.nodes)) {
            const net = this.networkOfAddress(node.address);
            if (net) nodeNetwork.set(name, net);
        }
        this.nodeNetwork = nodeNetwork;
    }

    /** Reports a problem at `path`; `refs` are the entities it follows from besides its own. */
    add(path: readonly PropertyKey[], message: string, refs: readonly string[] = []): void {
        this.problems.push({ path: formatPath(path), message, ...(refs.length > 0 ? { refs: [...new Set(refs)] } : {}) });
    }

    node(name: string): NodeSpec | undefined {
        return own(this.inv.nodes, name);
    }

    guest(name: string): GuestSpec | undefined {
        return own(this.inv.guests, name);
    }

    storage(id: string): StorageSpec | undefined {
        return own(this.inv.storages, id);
    }

    /** Nodes that have a storage (its `nodes`, or every node). */
    storageNodes(storage: StorageSpec): readonly string[] {
        return storage.nodes ?? this.nodeNames;
    }

    /** The refs of a storage's node list: its entry, and every node when it has no `nodes` of its own. */
    storageRefs(id: string): string[] {
        const storage = this.storage(id);
        return storage?.nodes === undefined ? [`storages.${id}`, "nodes"] : [`storages.${id}`];
    }

    /** The network whose subnet holds an address. */
    networkOfAddress(address: string): NetworkInfo | undefined {
        const ip = parseIpv4(address);
        if (ip === undefined) return undefined;
        for (const net of this.networks.values()) if (net.subnet && ip >= net.subnet.network && ip <= net.subnet.broadcast) return net;
        return undefined;
    }

    /**
     * Checks a reference to a node; reports it (with a suggestion) when unknown. Returns the node.
     */
    requireNode(path: readonly PropertyKey[], name: string, refs: readonly string[] = []): NodeSpec | undefined {
        const spec = this.node(name);
        if (!spec)
            this.add(
                path,
                `node "${name}" is not in nodes (known: ${this.nodeNames.join(", ")}); fix the name or add the node${didYouMean(name, this.nodeNames)}`,
                [...refs, `nodes.${name}`],
            );
        return spec;
    }

    /** Checks a reference to a network; reports it when unknown. */
    requireNetwork(path: readonly PropertyKey[], name: string, refs: readonly string[] = []): NetworkInfo | undefined {
        const net = this.networks.get(name);
        if (!net)
            this.add(
                path,
                `network "${name}" is not in networks (known: ${[...this.networks.keys()].join(", ")}); fix the name or add the network${didYouMean(name, this.networks.keys())}`,
                [...refs, `networks.${name}`],
            );
        return net;
    }

    /** Checks a reference to a guest; reports it when unknown. */
    requireGuest(path: readonly PropertyKey[], name: string, refs: readonly string[] = []): GuestSpec | undefined {
        const guest = this.guest(name);
        if (!guest)
            this.add(
                path,
                `guest "${name}" is not in guests; fix the name or add the guest${didYouMean(name, Object.keys(this.inv.guests))}`,
                [...refs, `guests.${name}`],
            );
        return guest;
    }

    /** Checks a reference to a storage; reports it when unknown. */
    requireStorage(path: readonly PropertyKey[], id: string, refs: readonly string[] = []): StorageSpec | undefined {
        const storage = this.storage(id);
        if (!storage)
            this.add(
                path,
                `storage "${id}" is not in storages (known: ${Object.keys(this.inv.storages).join(", ") || "none"}); add it under storages or pick one of those${didYouMean(id, Object.keys(this.inv.storages))}`,
                [...refs, `storages.${id}`],
            );
        return storage;
    }
}

/** True when `path` is `root` or lies under it. */
export function underPath(path: string, root: string): boolean {
    const r = root.length > 1 && root.endsWith("/") ? root.slice(0, -1) : root;
    const p = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    return r === "/" || p === r || p.startsWith(`${r}/`);
}

/** Why a host path is a system path (equal to `/`, or at or under one of SYSTEM_PATHS, lib/paths.ts), or undefined. */
export function systemPathReason(path: string): string | undefined {
    if (path === "/" || path === "") return "the root of the host's file system";
    const hit = SYSTEM_PATHS.find((s) => s !== "/" && underPath(path, s));
    return hit === undefined ? undefined : `under the system path ${hit}`;
}
