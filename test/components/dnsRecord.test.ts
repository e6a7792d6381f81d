import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { Inventory } from "../../config/schema";
import { DnsRecord, deployDns } from "../../components/dnsRecord";
import { resolveDnsRecord } from "../../lib/dns";
import { Recording, record } from "../helpers/harness";
import { providerRef, referenceInventory } from "./fixtures";

const RECORD = "cloudflare:index/dnsRecord:DnsRecord";
const COMPONENT = "homelab:dns:DnsRecord";
const PROVIDER = "pulumi:providers:cloudflare";
const GET_ZONE = "cloudflare:index/getZone:getZone";
const TOKEN = "cf-token-for-tests-0123456789";

/**
 * The stack's Cloudflare provider as createProviders builds it (components/providers.ts, where its
 * token handling is tested): deployDns takes it and builds none of its own.
 */
function cloudflareProvider(): cloudflare.Provider {
    return new cloudflare.Provider("cloudflare", { apiToken: pulumi.secret(TOKEN) });
}

/** The Cloudflare records of a run, keyed by resource name, with the inputs a test cares about. */
function records(recording: Recording): Record<string, Record<string, unknown>> {
    return Object.fromEntries(
        recording.ofType(RECORD).map((r) => [
            r.name,
            {
                zoneId: r.inputs.zoneId,
                name: r.inputs.name,
                type: r.inputs.type,
                content: r.inputs.content,
                proxied: r.inputs.proxied,
                ttl: r.inputs.ttl,
                comment: r.inputs.comment,
            },
        ]),
    );
}

/** The reference inventory with its WAN records as CNAMEs to a dynamic-DNS name. */
function ddnsInventory(): Inventory {
    const inv = referenceInventory();
    const dns = inv.dns!;
    const { wanAddress: _static, ...rest } = dns;
    return {
        ...inv,
        dns: {
            ...rest,
            ddnsHostname: "home.dyndns.example.net",
            records: {
                ...dns.records,
                "lab-wildcard": { ...dns.records["lab-wildcard"], type: "CNAME" },
                vpn: { ...dns.records.vpn, type: "CNAME" },
            },
        },
    };
}

describe("deployDns", () => {
    it("creates exactly the reference stack's records with their names, types, content, proxying, TTL and comment", async () => {
        const inv = referenceInventory();
        const { recording } = await record(() => {
            deployDns(inv, cloudflareProvider());
        });
        expect(recording.countsByType()).toEqual({ [RECORD]: 4, [COMPONENT]: 4, [PROVIDER]: 1, "pulumi:pulumi:Stack": 1 });
        expect(records(recording)).toEqual({
            "dns-lab-wildcard-record": {
                zoneId: "zone-example.org",
                name: "*.lab.example.org",
                type: "A",
                content: "203.0.113.10",
                proxied: false,
                ttl: 300,
                comment: "managed by homelab (pulumi); reverse proxy; must see the client's real IP",
            },
            "dns-vpn-record": {
                zoneId: "zone-example.org",
                name: "vpn.example.org",
                type: "A",
                content: "203.0.113.10",
                proxied: false,
                ttl: 300,
                comment: "managed by homelab (pulumi); udp; WireGuard",
            },
            "dns-apex-record": {
                zoneId: "zone-example.org",
                name: "example.org",
                type: "CNAME",
                content: "example-org.pages.dev",
                proxied: true,
                ttl: 1,
                comment: "managed by homelab (pulumi); public site",
            },
            "dns-www-record": {
                zoneId: "zone-example.org",
                name: "www.example.org",
                type: "CNAME",
                content: "example-org.pages.dev",
                proxied: true,
                ttl: 1,
                comment: "managed by homelab (pulumi); public site",
            },
        });
    });

    it("sets no Cloudflare field beyond the ones it means (no tags, settings, private routing)", async () => {
        const { recording } = await record(() => {
            deployDns(referenceInventory(), cloudflareProvider());
        });
        for (const r of recording.ofType(RECORD)) {
            expect(Object.keys(r.inputs).sort()).toEqual(["comment", "content", "name", "proxied", "ttl", "type", "zoneId"]);
        }
    });

    it("looks the zone up once, by name, for all records", async () => {
        const { recording } = await record(() => {
            deployDns(referenceInventory(), cloudflareProvider());
        });
        const lookups = recording.invokes.filter((i) => i.token === GET_ZONE);
        expect(lookups).toHaveLength(1);
        expect(lookups[0].inputs).toEqual({ filter: { name: "example.org" } });
    });

    it("uses the provider it is given for every record and builds no provider of its own", async () => {
        let given: cloudflare.Provider | undefined;
        let deployed: ReturnType<typeof deployDns>;
        const { recording } = await record(() => {
            given = cloudflareProvider();
            deployed = deployDns(referenceInventory(), given);
        });
        expect(deployed!.provider).toBe(given);
        expect(recording.ofType(PROVIDER).map((p) => p.name)).toEqual(["cloudflare"]);
        const provider = recording.one("cloudflare", PROVIDER);
        expect(recording.ofType(RECORD)).toHaveLength(4);
        for (const r of recording.ofType(RECORD)) expect(r.options.provider).toBe(providerRef(provider));
    });

    it("refuses an inventory with public DNS but no Cloudflare provider, before registering anything", async () => {
        let thrown: unknown;
        const { recording } = await record(() => {
            try {
                deployDns(referenceInventory(), undefined);
            } catch (err) {
                thrown = err;
            }
        });
        expect(thrown).toEqual(new Error("[dns] the inventory has public DNS but no Cloudflare provider was built"));
        expect(recording.countsByType()).toEqual({ "pulumi:pulumi:Stack": 1 });
        expect(recording.invokes).toEqual([]);
    });

    it("parents each Cloudflare record to its component, named after the inventory key, and registers the outputs", async () => {
        const { recording } = await record(() => {
            deployDns(referenceInventory(), cloudflareProvider());
        });
        expect(
            recording
                .ofType(COMPONENT)
                .map((c) => c.name)
                .sort(),
        ).toEqual(["dns-apex", "dns-lab-wildcard", "dns-vpn", "dns-www"]);
        const vpn = recording.one("dns-vpn", COMPONENT);
        expect(recording.childrenOf(vpn.urn).map((c) => [c.name, c.type])).toEqual([["dns-vpn-record", RECORD]]);
        expect(vpn.outputs).toEqual({ hostname: "vpn.example.org", type: "A", content: "203.0.113.10", proxied: false });
        expect(vpn.outputSecretPaths).toEqual([]);
    });

    it("uses the zone's zoneId when the lookup leaves id empty", async () => {
        const { recording } = await record(
            () => {
                deployDns(referenceInventory(), cloudflareProvider());
            },
            { invokes: { [GET_ZONE]: () => ({ id: "", zoneId: "023e105f4ecef8ad9ca31a8372d0c353", name: "example.org" }) } },
        );
        expect(new Set(recording.ofType(RECORD).map((r) => r.inputs.zoneId))).toEqual(new Set(["023e105f4ecef8ad9ca31a8372d0c353"]));
    });

    it("makes the WAN records CNAMEs to the dynamic-DNS name when the WAN address is not static", async () => {
        const { recording } = await record(() => {
            deployDns(ddnsInventory(), cloudflareProvider());
        });
        const r = records(recording);
        expect(r["dns-lab-wildcard-record"]).toEqual({
            zoneId: "zone-example.org",
            name: "*.lab.example.org",
            type: "CNAME",
            content: "home.dyndns.example.net",
            proxied: false,
            ttl: 300,
            comment: "managed by homelab (pulumi); reverse proxy; must see the client's real IP",
        });
        expect(r["dns-vpn-record"]).toEqual({
            zoneId: "zone-example.org",
            name: "vpn.example.org",
            type: "CNAME",
            content: "home.dyndns.example.net",
            proxied: false,
            ttl: 300,
            comment: "managed by homelab (pulumi); udp; WireGuard",
        });
        expect(recording.ofType(RECORD).filter((x) => x.inputs.type === "A")).toEqual([]);
    });

    it("refuses an inventory that skipped validation, listing every broken rule of every record", () => {
        const inv = referenceInventory();
        const dns = inv.dns!;
        const bad: Inventory = {
            ...inv,
            dns: {
                ...dns,
                records: {
                    ...dns.records,
                    vpn: { ...dns.records.vpn, proxied: true },
                    www: { ...dns.records.www, target: "192.168.30.10" },
                },
            },
        };
        // The provider is never reached: every record is checked before the zone lookup.
        expect(() => deployDns(bad, {} as cloudflare.Provider)).toThrow(
            new Error(
                [
                    '[dns.records.vpn.proxied] record "vpn.example.org" is for a UDP service and the Cloudflare proxy carries no UDP; make it DNS-only (proxied: false)',
                    '[dns.records.www.content] CNAME record "www.example.org" needs a fully qualified hostname as target, got "192.168.30.10"',
                ].join("\n"),
            ),
        );
    });

    it("creates nothing without a dns section", async () => {
        const inv = { ...referenceInventory(), dns: undefined };
        let result: unknown = "unset";
        const { recording } = await record(() => {
            result = deployDns(inv, undefined);
        });
        expect(result).toBeUndefined();
        expect(recording.countsByType()).toEqual({ "pulumi:pulumi:Stack": 1 });
        expect(recording.invokes).toEqual([]);
    });
});

describe("DnsRecord", () => {
    it("refuses a record that breaks a rule before registering anything, naming the record and the field", () => {
        const dns = referenceInventory().dns!;
        const bad = { ...resolveDnsRecord("vpn", dns.records.vpn, dns), proxied: true };
        // The provider is never reached: the check runs before the component registers.
        const provider = {} as cloudflare.Provider;
        expect(() => new DnsRecord("dns-vpn", { zoneId: "z", record: bad, provider })).toThrow(
            new Error(
                '[dns.records.vpn.proxied] record "vpn.example.org" is for a UDP service and the Cloudflare proxy carries no UDP; make it DNS-only (proxied: false)\n' +
                    '[dns.records.vpn.ttl] proxied record "vpn.example.org" has ttl 300; proxied records use ttl 1 (automatic)',
            ),
        );
    });
});
