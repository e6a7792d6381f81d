/**
 * ZFS `sharenfs` values as OpenZFS on Linux reads them (libshare `nfs.c`): `off`, `on` (export to
 * everyone), or comma-separated exportfs options in which `rw=` and `ro=` take a `:`-separated
 * client list (`@192.168.10.0/24`, `@192.168.10.20/32`, a hostname, `*`). Options without any
 * `rw=`/`ro=` client list are exported to every host. Pure; the inventory cross-checks and the
 * policy pack share it.
 */
import { parseCidr, parseIpv4 } from "./ipv4";

/** One client of an export. */
export interface NfsClient {
    /** As written (`@192.168.10.20/32`, `nas.lan`, `*`). */
    readonly raw: string;
    /** First and last address when the client is an address or a subnet. */
    readonly range?: readonly [number, number];
    /**
     * True for `*`, a wildcard name (`*.lan`: whatever a reverse lookup answers matches it) or a
     * /0 subnet: every host.
     */
    readonly everyone: boolean;
    /** True when the client is one host (an address, a /32, or a hostname; not an `@netgroup`). */
    readonly singleHost: boolean;
    /** The list it stands in: `rw=` or `ro=`; absent for `on` and options without a client list. */
    readonly access?: "rw" | "ro";
}

/** A parsed `sharenfs` value. */
export interface NfsExport {
    readonly off: boolean;
    readonly clients: readonly NfsClient[];
    readonly noRootSquash: boolean;
}

function client(raw: string, access?: "rw" | "ro"): NfsClient {
    return access === undefined ? parseClient(raw) : { ...parseClient(raw), access };
}

function parseClient(raw: string): NfsClient {
    const value = raw.startsWith("@") ? raw.slice(1) : raw;
    if (value === "" || value.includes("*") || value.includes("?")) return { raw, everyone: true, singleHost: false };
    if (value.includes("/")) {
        const [address, prefix] = value.split("/");
        const ip = parseIpv4(address);
        const cidr = parseCidr(value);
        if (ip === undefined || cidr === undefined) return { raw, everyone: false, singleHost: false };
        return { raw, range: [cidr.network, cidr.broadcast], everyone: Number(prefix) === 0, singleHost: Number(prefix) === 32 };
    }
    const ip = parseIpv4(value);
    // OpenZFS drops the `@` before an address; before a name it is an NIS netgroup, many hosts.
    if (ip === undefined) return { raw, everyone: false, singleHost: !raw.startsWith("@") };
    return { raw, range: [ip, ip], everyone: false, singleHost: true };
}

/** Parses a `sharenfs` value. */
export function parseSharenfs(value: string): NfsExport {
    const v = value.trim();
    if (v === "off") return { off: true, clients: [], noRootSquash: false };
    if (v === "on") return { off: false, clients: [client("*")], noRootSquash: false };
    const clients: NfsClient[] = [];
    let noRootSquash = false;
    for (const option of v.split(",")) {
        const [name, arg] = option.includes("=")
            ? [option.slice(0, option.indexOf("=")), option.slice(option.indexOf("=") + 1)]
            : [option, ""];
        if ((name === "rw" || name === "ro") && arg !== "") for (const c of arg.split(":")) clients.push(client(c, name));
        if (name === "no_root_squash") noRootSquash = true;
    }
    // Options with no client list export to everyone.
    if (clients.length === 0) clients.push(client("*"));
    return { off: false, clients, noRootSquash };
}

/**
 * Why an export is unsafe, or undefined: `on` or `*`, a /0 subnet, a client outside `allowed`
 * subnets (when given), or `no_root_squash` to anything but single hosts.
 */
export function sharenfsProblem(value: string, allowed?: readonly (readonly [number, number])[]): string | undefined {
    const exp = parseSharenfs(value);
    if (exp.off) return undefined;
    const everyone = exp.clients.find((c) => c.everyone);
    if (everyone)
        return `exports to every host (${value === "on" ? "on" : everyone.raw}); name the hosts or subnets, e.g. rw=@192.168.10.20/32`;
    if (allowed !== undefined) {
        const outside = exp.clients.find((c) => c.range === undefined || !allowed.some(([a, b]) => c.range![0] >= a && c.range![1] <= b));
        if (outside) return `exports to ${outside.raw}, which is not a host or subnet inside the inventory's networks`;
    }
    if (exp.noRootSquash) {
        const wide = exp.clients.find((c) => !c.singleHost);
        if (wide)
            return `gives root on the clients root on the data (no_root_squash) for a whole subnet (${wide.raw}); use no_root_squash only for single hosts (/32)`;
    }
    return undefined;
}
