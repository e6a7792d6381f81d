/**
 * The stacks the hostile variants start from (the reference inventory and the example stacks) and
 * what the families share to edit them: the entities of a base found by what they are (so one
 * edit fits every base), and setting or removing a value by its path.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { formatIpv4, parseCidr, parseIpv4 } from "../../lib/ipv4";

const ROOT = path.join(__dirname, "../..");

/** The stacks the variants start from. */
export const BASES = ["prod", "example-single", "example-cluster"] as const;
export type Base = (typeof BASES)[number];

/** What a variant must come to. */
export type Expectation =
    /** validate refuses it (exit 1). */
    | "refused"
    /** validate refuses it, or the plan stops on a mandatory policy or an engine error: never a plan with exit 0. */
    | "dangerous"
    /** Anything but a hang, exit 3, a stack trace or a secret in the output. */
    | "free";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Config = Record<string, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Entity = Record<string, any>;

/** One edit of a base: applied to a fresh copy of its config. */
export interface Edit {
    readonly what: string;
    readonly expect: Expectation;
    readonly path?: string;
    /** Changes the config; `plant` makes a secret value the runner must never see in an output. */
    readonly edit?: (cfg: Config, plant: (tag: string) => string) => void;
    /** Changes the text after the config was written (for the files family). */
    readonly text?: (text: string, plant: (tag: string) => string) => string;
    readonly env?: (plant: (tag: string) => string) => Record<string, string>;
    readonly payload?: string;
}

export interface BaseStack {
    readonly name: Base;
    readonly text: string;
    /** The parsed stack file (settings and `config`). */
    readonly doc: Config;
    readonly policyConfig: string;
}

/** A section of the inventory in a config (`homelab:<key>`), empty when absent. */
export const section = (cfg: Config, key: string): Entity => cfg[`homelab:${key}`] ?? {};
/** The entries of a section. */
export const entries = (cfg: Config, key: string): [string, Entity][] => Object.entries(section(cfg, key));

export type Path = readonly (string | number)[];

/** A running guest with an address that is not its network's router. */
export function ordinaryGuest(cfg: Config, kind?: "lxc" | "vm"): [string, Entity] {
    const found = entries(cfg, "guests").find(([, g]) => g.ipv4 && !g.gateway && !g.template && (kind === undefined || g.kind === kind));
    if (!found) throw new Error(`no ordinary ${kind ?? "guest"} in this base`);
    return found;
}

/** An unprivileged container (devices, idmaps and host mounts go there). */
export function unprivilegedContainer(cfg: Config): [string, Entity] {
    const found = entries(cfg, "guests").find(([, g]) => g.kind === "lxc" && !g.privileged && !g.template);
    if (!found) throw new Error("no unprivileged container in this base");
    return found;
}

/** A dataset with at least one mount. */
export function mountedDataset(cfg: Config): [string, Entity] {
    const found = entries(cfg, "datasets").find(([, d]) => Array.isArray(d.mounts) && d.mounts.length > 0);
    if (!found) throw new Error("no mounted dataset in this base");
    return found;
}

/** The node that has a data pool (`tank`, `data`), and the pool. */
export function dataPool(cfg: Config): { node: string; pool: string } {
    const found = entries(cfg, "nodes").find(([, n]) => Array.isArray(n.pools) && n.pools.length > 0);
    if (!found) throw new Error("no data pool in this base");
    return { node: found[0], pool: found[1].pools[0] as string };
}

/** A free host address in `network` that no one holds (the `.77` of a /24, else the middle). */
export function freeAddress(cfg: Config, network: string): string {
    const cidr = parseCidr(section(cfg, "networks")[network].cidr as string)!;
    const candidate = formatIpv4(cidr.network + 77);
    const taken = new Set(entries(cfg, "guests").map(([, g]) => g.ipv4));
    if (!taken.has(candidate)) return candidate;
    return formatIpv4(cidr.network + 177);
}

/** Turns the ID scheme off, so an edit of an address is judged by what it addresses, not by its VMID. */
export function schemeOff(cfg: Config): void {
    section(cfg, "cluster").idScheme = "off";
}

/** Moves guest `name` to `network` (and the scheme off): its address is set by the caller. */
export function onNetwork(cfg: Config, name: string, network: string): Entity {
    schemeOff(cfg);
    const g = section(cfg, "guests")[name];
    g.network = network;
    // A rule's source may lie in the old network only: the firewall is not what these edits test.
    return g;
}

/** The network an address lies in. */
export function networkOf(cfg: Config, address: string): string | undefined {
    const value = parseIpv4(address);
    if (value === undefined) return undefined;
    return entries(cfg, "networks").find(([, n]) => {
        const c = parseCidr(n.cidr as string);
        return c !== undefined && value >= c.network && value <= c.broadcast;
    })?.[0];
}

export function loadBase(name: Base): BaseStack {
    const text = fs.readFileSync(path.join(ROOT, `Pulumi.${name}.yaml`), "utf8");
    return {
        name,
        text,
        doc: parse(text) as Config,
        policyConfig: fs.readFileSync(path.join(ROOT, "policies", "stacks", `${name}.json`), "utf8"),
    };
}

/** Every leaf (string, number, boolean) of the inventory's sections, by path from the config. */
export function leavesOf(cfg: Config): { path: Path; value: unknown }[] {
    const out: { path: Path; value: unknown }[] = [];
    const walk = (v: unknown, p: Path) => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
        else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
        else out.push({ path: p, value: v });
    };
    for (const [k, v] of Object.entries(cfg)) if (k.startsWith("homelab:")) walk(v, [k]);
    return out;
}

function parentAt(cfg: Config, p: Path): Entity | undefined {
    let node: unknown = cfg;
    for (const part of p.slice(0, -1)) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Entity)[part];
    }
    return node !== null && typeof node === "object" ? (node as Entity) : undefined;
}

export function setAt(cfg: Config, p: Path, value: unknown): void {
    const parent = parentAt(cfg, p);
    if (parent) parent[p[p.length - 1]] = structuredClone(value);
}

export function removeAt(cfg: Config, p: Path): void {
    const parent = parentAt(cfg, p);
    if (!parent) return;
    if (Array.isArray(parent)) parent.splice(Number(p[p.length - 1]), 1);
    else delete parent[p[p.length - 1]];
}
