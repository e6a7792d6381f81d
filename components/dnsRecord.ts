/**
 * Public DNS on Cloudflare: one `DnsRecord` component per inventory record, all sharing one
 * explicit provider and one zone lookup. What a record becomes (name, content, TTL, comment)
 * is decided by the pure helpers of lib/dns.ts; the component applies their rules again and
 * refuses a record that breaks one, whoever built it.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { Inventory } from "../config/schema";
import { ResolvedDnsRecord, dnsRecordProblems, normalizeDnsName, resolveDnsRecords } from "../lib/dns";

export interface DnsRecordArgs {
    /** Cloudflare zone id (from the zone lookup `deployDns` makes once). */
    readonly zoneId: pulumi.Input<string>;
    /** The record as Cloudflare gets it (`resolveDnsRecord` in lib/dns.ts); must satisfy every DNS rule. */
    readonly record: ResolvedDnsRecord;
    /** The Cloudflare provider holding the API token. */
    readonly provider: cloudflare.Provider;
}

/** Throws when a record breaks a DNS rule, listing every broken rule of every record with its field. */
function assertRecordsComply(records: readonly ResolvedDnsRecord[]): void {
    const lines = records.flatMap((r) => dnsRecordProblems(r).map((p) => `[dns.records.${r.key}.${p.field}] ${p.message}`));
    if (lines.length > 0) throw new Error(lines.join("\n"));
}

/** One public DNS record (`homelab:dns:DnsRecord`) on a `cloudflare.DnsRecord`. */
export class DnsRecord extends pulumi.ComponentResource {
    /** Fully qualified name as Cloudflare reports it (`vpn.example.org`). */
    readonly hostname: pulumi.Output<string>;
    readonly type: pulumi.Output<string>;
    /** IPv4 address (A) or target hostname (CNAME). */
    readonly content: pulumi.Output<string>;
    readonly proxied: pulumi.Output<boolean>;

    constructor(name: string, args: DnsRecordArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Refuse before registering anything, so a bad record leaves no half-built component.
        assertRecordsComply([args.record]);
        super("homelab:dns:DnsRecord", name, {}, opts);
        const r = args.record;

        const record = new cloudflare.DnsRecord(
            `${name}-record`,
            {
                zoneId: args.zoneId,
                name: r.name,
                type: r.type,
                content: r.content,
                proxied: r.proxied,
                ttl: r.ttl,
                comment: r.comment,
            },
            { parent: this, provider: args.provider },
        );

        this.hostname = record.name;
        this.type = record.type;
        this.content = record.content;
        this.proxied = record.proxied;
        this.registerOutputs({ hostname: this.hostname, type: this.type, content: this.content, proxied: this.proxied });
    }
}

/** What `deployDns` built. */
export interface DeployedDns {
    readonly provider: cloudflare.Provider;
    /** The zone's id, looked up once by name. */
    readonly zoneId: pulumi.Output<string>;
    /** Components keyed like `dns.records` of the inventory. */
    readonly records: Record<string, DnsRecord>;
}

/**
 * Looks the zone up once and creates one `DnsRecord` per inventory record (`dns-<key>`) through the
 * stack's Cloudflare provider. Returns undefined when the inventory has no `dns` section. `opts`
 * (parent, dependsOn, ...) apply to every record; the lookup takes its parent.
 */
export function deployDns(
    inv: Inventory,
    provider: cloudflare.Provider | undefined,
    opts: pulumi.ComponentResourceOptions = {},
): DeployedDns | undefined {
    const dns = inv.dns;
    if (dns === undefined) return undefined;
    if (provider === undefined) throw new Error(`[dns] the inventory has public DNS but no Cloudflare provider was built`);
    // Resolve and check every record (and let it throw) before anything is registered.
    const resolved = resolveDnsRecords(dns);
    assertRecordsComply(Object.values(resolved));

    const zone = cloudflare.getZoneOutput({ filter: { name: normalizeDnsName(dns.zone) } }, { provider, parent: opts.parent });
    // On a lookup by filter the provider fills `zoneId`; its maintainers do not guarantee `id` is the zone id.
    const zoneId = zone.apply((z) => {
        const id = z.zoneId || z.id;
        if (!id)
            throw new Error(
                `Cloudflare returned no zone id for zone "${dns.zone}"; check that the zone exists and the API token can read it`,
            );
        return id;
    });

    const records: Record<string, DnsRecord> = {};
    for (const [key, record] of Object.entries(resolved)) {
        records[key] = new DnsRecord(`dns-${key}`, { zoneId, record, provider }, opts);
    }
    return { provider, zoneId, records };
}
