/**
 * Pure IPv4 helpers: parsing, CIDR membership and the addresses a subnet reserves.
 * No dependency on Pulumi, so the schema, the components and the policies share them. The one copy
 * lives in the policy pack, so the pack is self-contained when published; the program imports it
 * through lib/ipv4.ts.
 */

/** Parses a dotted-quad IPv4 address to an unsigned 32-bit integer, or returns undefined. */
export function parseIpv4(address: string): number | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
    if (!m) return undefined;
    const octets = m.slice(1).map(Number);
    if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
    return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

/** Formats an unsigned 32-bit integer as a dotted-quad address. */
export function formatIpv4(value: number): string {
    return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** A parsed IPv4 subnet. */
export interface Ipv4Cidr {
    readonly network: number;
    readonly prefix: number;
    readonly broadcast: number;
}

/** Parses `a.b.c.d/n` (n from 0 to 32, no leading zero); the address must be the network address itself. */
export function parseCidr(cidr: string): Ipv4Cidr | undefined {
    const m = /^([^/]+)\/(3[0-2]|[12]\d|\d)$/.exec(cidr);
    if (!m) return undefined;
    const address = parseIpv4(m[1]);
    const prefix = Number(m[2]);
    if (address === undefined) return undefined;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const network = (address & mask) >>> 0;
    if (network !== address) return undefined;
    const broadcast = (network | (~mask >>> 0)) >>> 0;
    return { network, prefix, broadcast };
}

/** True when `address` lies inside `cidr` (network and broadcast included). */
export function cidrContains(cidr: Ipv4Cidr, address: number): boolean {
    return address >= cidr.network && address <= cidr.broadcast;
}

/** The last octet of a dotted-quad address (used by the VMID scheme). */
export function lastOctet(address: string): number {
    const value = parseIpv4(address);
    if (value === undefined) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
    return value & 255;
}

const NON_PUBLIC: readonly [string, string][] = [
    ["0.0.0.0/8", "a 'this network' address"],
    ["10.0.0.0/8", "a private (RFC 1918) address"],
    ["100.64.0.0/10", "a carrier-grade NAT address"],
    ["127.0.0.0/8", "a loopback address"],
    ["169.254.0.0/16", "a link-local address"],
    ["172.16.0.0/12", "a private (RFC 1918) address"],
    ["192.168.0.0/16", "a private (RFC 1918) address"],
    ["224.0.0.0/4", "a multicast address"],
    ["240.0.0.0/4", "a reserved address"],
];

/**
 * Says why an address must not be published in public DNS (private, loopback, link-local, ...),
 * or returns undefined for a public unicast address.
 */
export function nonPublicReason(address: string): string | undefined {
    const value = parseIpv4(address);
    return value === undefined ? "not an IPv4 address" : nonPublicIpv4Reason(value);
}

/** `nonPublicReason` of an address given as its unsigned 32-bit value. */
export function nonPublicIpv4Reason(value: number): string | undefined {
    for (const [cidr, reason] of NON_PUBLIC) {
        const parsed = parseCidr(cidr);
        if (parsed && cidrContains(parsed, value)) return reason;
    }
    return undefined;
}

/**
 * Every value a lenient reader may take a dotted quad for: surrounding spaces ignored, and where
 * an octet has a leading zero (`010.0.0.1`, `192.168.001.001`) both its decimal reading (10) and,
 * when it is all octal digits, the octal one inet_aton takes (8). Empty when it is no dotted quad.
 */
export function ipv4Readings(text: string): number[] {
    const parts = text.trim().split(".");
    if (parts.length !== 4 || parts.some((p) => p === "" || p.length > 12 || [...p].some((c) => c < "0" || c > "9"))) return [];
    const decimal = parts.map((p) => Number(p));
    const octal = parts.map((p) =>
        p.length > 1 && p.startsWith("0") ? ([...p].every((c) => c <= "7") ? parseInt(p, 8) : NaN) : Number(p),
    );
    const readings = new Set<number>();
    for (const octets of [decimal, octal]) {
        if (octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255))
            readings.add(((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]);
    }
    return [...readings];
}
