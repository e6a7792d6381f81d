/**
 * Public DNS on Cloudflare, as pure functions: how an inventory record becomes what Cloudflare
 * gets (full name, type, content, proxied, TTL, comment), and the rules every record obeys.
 *
 * The rules read only what a `cloudflare.DnsRecord` carries, so the inventory cross-checks, the
 * component and the policy pack share them. A record's protocol is not a Cloudflare field: UDP
 * records say so in their comment (`managed by homelab (pulumi); udp; WireGuard`), which also
 * tells a human in the dashboard why the record is DNS-only.
 */
import { HOSTNAME_PATTERN } from "./patterns";

/** A public record as the inventory states it (`dns.records.<key>`). */
export interface DnsRecordSpec {
    readonly name: string;
    readonly type: "A" | "CNAME";
    readonly target: string;
    readonly proxied: boolean;
    readonly protocol: "tcp" | "udp";
    readonly purpose?: string;
}

/** The inventory's `dns` section. */
export interface DnsSpec {
    readonly zone: string;
    readonly ttlSeconds: number;
    readonly wanAddress?: string;
    readonly ddnsHostname?: string;
    readonly records: Readonly<Record<string, DnsRecordSpec>>;
}
import { nonPublicReason, parseIpv4 } from "./ipv4";

/** Every record this program manages starts its comment with this marker. */
export const MANAGED_COMMENT_MARKER = "managed by homelab (pulumi)";
/** Separator between the marker, the protocol tag and the purpose in a comment. */
const COMMENT_SEPARATOR = "; ";
/** The comment tag of records whose service speaks UDP. */
const UDP_TAG = "udp";
/** Longest comment Cloudflare accepts on every plan (Free and Pro allow 100 characters). */
export const CLOUDFLARE_COMMENT_MAX_CHARS = 100;
/** Cloudflare's TTL value meaning "automatic"; the only TTL a proxied record may have. */
export const AUTOMATIC_TTL = 1;
/** Longest DNS name (RFC 1035, without the trailing dot). */
const MAX_NAME_CHARS = 253;

/** The record types the inventory can declare. */
export type DnsRecordType = DnsRecordSpec["type"];
export type DnsProtocol = DnsRecordSpec["protocol"];

/** An inventory record resolved to the values Cloudflare gets. */
export interface ResolvedDnsRecord {
    /** Inventory key (`lab-wildcard`): the stable part of resource names. */
    readonly key: string;
    /** Fully qualified name without the trailing dot (`*.lab.example.org`, `example.org`). */
    readonly name: string;
    readonly type: DnsRecordType;
    /** IPv4 address (A) or hostname without the trailing dot (CNAME). */
    readonly content: string;
    readonly proxied: boolean;
    /** Seconds; `1` (automatic) when proxied. */
    readonly ttl: number;
    /** The managed-by marker, `udp` for UDP services, then the purpose. */
    readonly comment: string;
    readonly protocol: DnsProtocol;
}

/** What the rules look at: the fields of a Cloudflare record (the policy pack passes resource inputs). */
export interface DnsRecordFacts {
    readonly name: string;
    readonly type: string;
    readonly content?: string;
    /** Cloudflare's default is DNS-only. */
    readonly proxied?: boolean;
    readonly ttl?: number;
    readonly comment?: string;
    /** When absent, read from the comment's `udp` tag. */
    readonly protocol?: DnsProtocol;
}

/** The field of a record a rule is about, so callers can point at their own path. */
export type DnsRecordField = "name" | "type" | "content" | "proxied" | "ttl" | "comment";

/** One broken rule of a record. */
export interface DnsRecordProblem {
    readonly field: DnsRecordField;
    readonly message: string;
}

/** Lowercases a DNS name and drops the trailing dot (Cloudflare stores names that way). */
export function normalizeDnsName(name: string): string {
    return name.toLowerCase().replace(/\.$/, "");
}

/** `*.lab` + `example.org` → `*.lab.example.org`; `@` → `example.org`. */
export function fullRecordName(name: string, zone: string): string {
    const apex = normalizeDnsName(zone);
    if (name === "@") return apex;
    // `*` alone is every name of the zone: `*.example.org`.
    return `${normalizeDnsName(name)}.${apex}`;
}

/** `managed by homelab (pulumi)[; udp][; <purpose>]`. Not length-checked (see the rules). */
export function recordComment(purpose: string | undefined, protocol: DnsProtocol = "tcp"): string {
    const parts = [MANAGED_COMMENT_MARKER];
    if (protocol === "udp") parts.push(UDP_TAG);
    if (purpose !== undefined && purpose.trim() !== "") parts.push(purpose.trim());
    return parts.join(COMMENT_SEPARATOR);
}

/** True when a comment starts with the managed-by marker. */
export function hasManagedMarker(comment: string | undefined): boolean {
    return comment !== undefined && (comment === MANAGED_COMMENT_MARKER || comment.startsWith(MANAGED_COMMENT_MARKER + COMMENT_SEPARATOR));
}

/**
 * The protocol a managed comment declares: `udp` when its second part is the tag, else `tcp`.
 * A TCP record whose purpose begins with the word `udp;` reads as UDP: stricter, never laxer.
 */
export function protocolFromComment(comment: string | undefined): DnsProtocol {
    if (!hasManagedMarker(comment)) return "tcp";
    return comment!.split(COMMENT_SEPARATOR)[1] === UDP_TAG ? "udp" : "tcp";
}

/** Proxied records are automatic (`1`); DNS-only records use the inventory's TTL. */
export function recordTtl(proxied: boolean, ttlSeconds: number): number {
    return proxied ? AUTOMATIC_TTL : ttlSeconds;
}

/**
 * The content of a record: `wan` becomes the WAN address (A) or the dynamic-DNS hostname
 * (CNAME); anything else is the target itself. Throws when `wan` has nothing to resolve to.
 */
export function recordContent(
    where: string,
    record: Pick<DnsRecordSpec, "type" | "target">,
    dns: Pick<DnsSpec, "wanAddress" | "ddnsHostname">,
): string {
    if (record.target !== "wan") return record.type === "CNAME" ? normalizeDnsName(record.target) : record.target;
    if (record.type === "A") {
        if (dns.wanAddress === undefined)
            throw new Error(
                `[${where}.target] an A record to "wan" needs dns.wanAddress; set it, or make the record a CNAME to dns.ddnsHostname`,
            );
        return dns.wanAddress;
    }
    if (dns.ddnsHostname === undefined)
        throw new Error(
            `[${where}.target] a CNAME to "wan" needs dns.ddnsHostname; set it, or make the record an A record to dns.wanAddress`,
        );
    return normalizeDnsName(dns.ddnsHostname);
}

/** Resolves one inventory record. Throws on an unresolvable `wan` target; does not apply the rules. */
export function resolveDnsRecord(key: string, record: DnsRecordSpec, dns: DnsSpec): ResolvedDnsRecord {
    const protocol = record.protocol ?? "tcp";
    return {
        key,
        name: fullRecordName(record.name, dns.zone),
        type: record.type,
        content: recordContent(`dns.records.${key}`, record, dns),
        proxied: record.proxied,
        ttl: recordTtl(record.proxied, dns.ttlSeconds),
        comment: recordComment(record.purpose, protocol),
        protocol,
    };
}

/** Resolves every record of the inventory, keyed like the inventory. */
export function resolveDnsRecords(dns: DnsSpec): Record<string, ResolvedDnsRecord> {
    return Object.fromEntries(Object.entries(dns.records).map(([key, record]) => [key, resolveDnsRecord(key, record, dns)]));
}

/**
 * Says why a hostname must not be published as a public CNAME target (a name that only
 * resolves inside a network: loopback, mDNS, RFC 8375 home networks, `.internal`), or
 * returns undefined.
 */
export function nonPublicHostnameReason(hostname: string): string | undefined {
    const name = normalizeDnsName(hostname);
    const under = (suffix: string) => name === suffix || name.endsWith(`.${suffix}`);
    if (under("localhost")) return "a loopback name";
    if (under("local")) return "a link-local (mDNS) name";
    if (under("home.arpa")) return "a private home-network name (RFC 8375)";
    if (under("internal")) return "a private-use name";
    return undefined;
}

/** True when `value` is a fully qualified hostname (at least two labels), not an IP address. */
export function isFqdn(value: string): boolean {
    return (
        parseIpv4(value) === undefined && !/^[0-9.]+$/.test(value) && HOSTNAME_PATTERN.test(value) && normalizeDnsName(value).includes(".")
    );
}

/** Wildcard records serve the reverse proxy: it must see client addresses and terminate TLS itself. */
function wildcardProxiedProblem(r: DnsRecordFacts): DnsRecordProblem | undefined {
    if (!r.proxied || !r.name.startsWith("*")) return undefined;
    return {
        field: "proxied",
        message: `wildcard record "${r.name}" serves the reverse proxy, which must see client addresses and terminate TLS; make it DNS-only (proxied: false)`,
    };
}

/** The Cloudflare proxy carries HTTP(S) only: a UDP service behind a proxied name is unreachable. */
function udpProxiedProblem(r: DnsRecordFacts): DnsRecordProblem | undefined {
    const protocol = r.protocol ?? protocolFromComment(r.comment);
    if (!r.proxied || protocol !== "udp") return undefined;
    return {
        field: "proxied",
        message: `record "${r.name}" is for a UDP service and the Cloudflare proxy carries no UDP; make it DNS-only (proxied: false)`,
    };
}

/** Proxied records must have the automatic TTL (`1`); Cloudflare rejects or ignores any other. */
function proxiedTtlProblem(r: DnsRecordFacts): DnsRecordProblem | undefined {
    if (!r.proxied || r.ttl === undefined || r.ttl === AUTOMATIC_TTL) return undefined;
    return { field: "ttl", message: `proxied record "${r.name}" has ttl ${r.ttl}; proxied records use ttl ${AUTOMATIC_TTL} (automatic)` };
}

/** An A record's content is a public unicast IPv4 address. */
function aTargetProblem(r: DnsRecordFacts): DnsRecordProblem | undefined {
    if (r.type !== "A" || r.content === undefined) return undefined;
    if (parseIpv4(r.content) === undefined)
        return { field: "content", message: `A record "${r.name}" needs an IPv4 address, got "${r.content}"` };
    const why = nonPublicReason(r.content);
    if (why)
        return {
            field: "content",
            message: `A record "${r.name}" points at ${r.content}, ${why}; public records must not point into a private network`,
        };
    return undefined;
}

/** A CNAME's content is a public, fully qualified hostname other than the record itself. */
function cnameTargetProblem(r: DnsRecordFacts): DnsRecordProblem | undefined {
    if (r.type !== "CNAME" || r.content === undefined) return undefined;
    if (!isFqdn(r.content))
        return { field: "content", message: `CNAME record "${r.name}" needs a fully qualified hostname as target, got "${r.content}"` };
    const why = nonPublicHostnameReason(r.content);
    if (why)
        return {
            field: "content",
            message: `CNAME record "${r.name}" points at "${r.content}", ${why}; public records must not point into a private network`,
        };
    if (normalizeDnsName(r.content) === normalizeDnsName(r.name))
        return { field: "content", message: `CNAME record "${r.name}" points at itself; give it another target` };
    return undefined;
}

/** The comment carries the managed-by marker and fits Cloudflare's limit. */
function commentProblem(r: DnsRecordFacts): DnsRecordProblem | undefined {
    if (!hasManagedMarker(r.comment)) {
        return {
            field: "comment",
            message: `record "${r.name}" lacks the comment marker "${MANAGED_COMMENT_MARKER}"; every record this program manages carries it`,
        };
    }
    if (r.comment!.length > CLOUDFLARE_COMMENT_MAX_CHARS) {
        return {
            field: "comment",
            message: `the comment of record "${r.name}" is ${r.comment!.length} characters, Cloudflare allows ${CLOUDFLARE_COMMENT_MAX_CHARS}; shorten the purpose by ${r.comment!.length - CLOUDFLARE_COMMENT_MAX_CHARS}`,
        };
    }
    return undefined;
}

/** The full name fits DNS's 253 characters. */
function nameLengthProblem(r: DnsRecordFacts): DnsRecordProblem | undefined {
    if (normalizeDnsName(r.name).length <= MAX_NAME_CHARS) return undefined;
    return { field: "name", message: `record name "${r.name}" is longer than ${MAX_NAME_CHARS} characters; shorten it` };
}

/** Every rule, in reporting order. */
const DNS_RECORD_RULES: readonly ((r: DnsRecordFacts) => DnsRecordProblem | undefined)[] = [
    nameLengthProblem,
    wildcardProxiedProblem,
    udpProxiedProblem,
    proxiedTtlProblem,
    aTargetProblem,
    cnameTargetProblem,
    commentProblem,
];

/** Every broken rule of a record (empty when it complies). */
export function dnsRecordProblems(r: DnsRecordFacts): DnsRecordProblem[] {
    return DNS_RECORD_RULES.map((rule) => rule(r)).filter((p): p is DnsRecordProblem => p !== undefined);
}
