import { DnsSpec } from "../../config/schema";
import {
    AUTOMATIC_TTL,
    CLOUDFLARE_COMMENT_MAX_CHARS,
    DnsRecordFacts,
    MANAGED_COMMENT_MARKER,
    dnsRecordProblems,
    fullRecordName,
    hasManagedMarker,
    isFqdn,
    nonPublicHostnameReason,
    protocolFromComment,
    recordComment,
    recordContent,
    recordTtl,
    resolveDnsRecord,
    resolveDnsRecords,
} from "../../lib/dns";

const STATIC: DnsSpec = {
    zone: "example.org",
    ttlSeconds: 300,
    wanAddress: "203.0.113.10",
    records: {
        "lab-wildcard": { name: "*.lab", type: "A", target: "wan", proxied: false, protocol: "tcp", purpose: "reverse proxy" },
        vpn: { name: "vpn", type: "A", target: "wan", proxied: false, protocol: "udp", purpose: "WireGuard" },
        apex: { name: "@", type: "CNAME", target: "example-org.pages.dev", proxied: true, protocol: "tcp", purpose: "public site" },
    },
};

const DDNS: DnsSpec = {
    zone: "example.org.",
    ttlSeconds: 120,
    ddnsHostname: "Home.DynDNS.example.net.",
    records: {
        "lab-wildcard": { name: "*.lab", type: "CNAME", target: "wan", proxied: false, protocol: "tcp" },
    },
};

describe("fullRecordName", () => {
    test.each([
        ["*.lab", "example.org", "*.lab.example.org"],
        ["vpn", "example.org", "vpn.example.org"],
        ["@", "example.org", "example.org"],
        ["@", "Example.ORG.", "example.org"],
        ["a.b", "example.org.", "a.b.example.org"],
    ])("%s in zone %s is %s", (name, zone, expected) => {
        expect(fullRecordName(name, zone)).toBe(expected);
    });
});

describe("recordComment", () => {
    test.each([
        [undefined, "tcp", "managed by homelab (pulumi)"],
        ["", "tcp", "managed by homelab (pulumi)"],
        ["  public site ", "tcp", "managed by homelab (pulumi); public site"],
        ["WireGuard", "udp", "managed by homelab (pulumi); udp; WireGuard"],
        [undefined, "udp", "managed by homelab (pulumi); udp"],
    ] as const)("purpose %p over %s gives %p", (purpose, protocol, expected) => {
        expect(recordComment(purpose, protocol)).toBe(expected);
    });

    test.each([
        ["managed by homelab (pulumi)", true, "tcp"],
        ["managed by homelab (pulumi); udp; WireGuard", true, "udp"],
        ["managed by homelab (pulumi); public site", true, "tcp"],
        ["managed by homelab (pulumi)x", false, "tcp"],
        ["hand-made; udp", false, "tcp"],
        [undefined, false, "tcp"],
    ] as const)("comment %p carries the marker: %p, protocol %s", (comment, marked, protocol) => {
        expect(hasManagedMarker(comment)).toBe(marked);
        expect(protocolFromComment(comment)).toBe(protocol);
    });
});

describe("recordTtl", () => {
    test.each([
        [true, 300, 1],
        [true, 3600, 1],
        [false, 300, 300],
        [false, 60, 60],
    ])("proxied %p with inventory ttl %i is %i", (proxied, ttlSeconds, expected) => {
        expect(recordTtl(proxied, ttlSeconds)).toBe(expected);
    });
});

describe("recordContent", () => {
    test.each([
        ["A", "wan", "203.0.113.10", STATIC],
        ["A", "198.51.100.7", "198.51.100.7", STATIC],
        ["CNAME", "Example-Org.pages.dev.", "example-org.pages.dev", STATIC],
        ["CNAME", "wan", "home.dyndns.example.net", DDNS],
    ] as const)("%s record to %s resolves to %s", (type, target, expected, dns) => {
        expect(recordContent("dns.records.x", { type, target }, dns)).toBe(expected);
    });

    it("refuses an A record to wan without a WAN address", () => {
        expect(() => recordContent("dns.records.x", { type: "A", target: "wan" }, DDNS)).toThrow(
            '[dns.records.x.target] an A record to "wan" needs dns.wanAddress; set it, or make the record a CNAME to dns.ddnsHostname',
        );
    });

    it("refuses a CNAME to wan without a dynamic-DNS name", () => {
        expect(() => recordContent("dns.records.x", { type: "CNAME", target: "wan" }, STATIC)).toThrow(
            '[dns.records.x.target] a CNAME to "wan" needs dns.ddnsHostname; set it, or make the record an A record to dns.wanAddress',
        );
    });
});

describe("resolveDnsRecord(s)", () => {
    it("resolves every record of a static-WAN inventory to exact Cloudflare values", () => {
        expect(resolveDnsRecords(STATIC)).toEqual({
            "lab-wildcard": {
                key: "lab-wildcard",
                name: "*.lab.example.org",
                type: "A",
                content: "203.0.113.10",
                proxied: false,
                ttl: 300,
                comment: "managed by homelab (pulumi); reverse proxy",
                protocol: "tcp",
            },
            vpn: {
                key: "vpn",
                name: "vpn.example.org",
                type: "A",
                content: "203.0.113.10",
                proxied: false,
                ttl: 300,
                comment: "managed by homelab (pulumi); udp; WireGuard",
                protocol: "udp",
            },
            apex: {
                key: "apex",
                name: "example.org",
                type: "CNAME",
                content: "example-org.pages.dev",
                proxied: true,
                ttl: 1,
                comment: "managed by homelab (pulumi); public site",
                protocol: "tcp",
            },
        });
    });

    it("makes wan records CNAMEs to the dynamic-DNS name when there is no static address", () => {
        expect(resolveDnsRecord("lab-wildcard", DDNS.records["lab-wildcard"], DDNS)).toEqual({
            key: "lab-wildcard",
            name: "*.lab.example.org",
            type: "CNAME",
            content: "home.dyndns.example.net",
            proxied: false,
            ttl: 120,
            comment: "managed by homelab (pulumi)",
            protocol: "tcp",
        });
    });
});

describe("hostname helpers", () => {
    test.each([
        ["localhost", "a loopback name"],
        ["db.localhost", "a loopback name"],
        ["nas.local", "a link-local (mDNS) name"],
        ["nas.home.arpa", "a private home-network name (RFC 8375)"],
        ["nas.corp.internal.", "a private-use name"],
        ["example-org.pages.dev", undefined],
        ["local.example.org", undefined],
    ])("%s is %p", (hostname, reason) => {
        expect(nonPublicHostnameReason(hostname)).toBe(reason);
    });

    test.each([
        ["example-org.pages.dev", true],
        ["example.org.", true],
        ["www", false],
        ["203.0.113.10", false],
        ["1.2.3", false],
        ["bad_name.example.org", false],
        ["-x.example.org", false],
    ])("%s is a fully qualified hostname: %p", (value, expected) => {
        expect(isFqdn(value)).toBe(expected);
    });
});

describe("dnsRecordProblems", () => {
    const ok: DnsRecordFacts = {
        name: "www.example.org",
        type: "CNAME",
        content: "example-org.pages.dev",
        proxied: true,
        ttl: 1,
        comment: `${MANAGED_COMMENT_MARKER}; public site`,
    };

    test.each<[string, DnsRecordFacts]>([
        ["a proxied CNAME", ok],
        [
            "a DNS-only wildcard A",
            { name: "*.lab.example.org", type: "A", content: "203.0.113.10", proxied: false, ttl: 300, comment: MANAGED_COMMENT_MARKER },
        ],
        [
            "a DNS-only UDP record",
            {
                name: "vpn.example.org",
                type: "A",
                content: "203.0.113.10",
                proxied: false,
                ttl: 300,
                comment: `${MANAGED_COMMENT_MARKER}; udp; WireGuard`,
            },
        ],
        [
            "a record whose provider defaults leave proxied and ttl out",
            { name: "vpn.example.org", type: "A", content: "203.0.113.10", comment: `${MANAGED_COMMENT_MARKER}; udp` },
        ],
        [
            "a record of another type",
            { name: "example.org", type: "TXT", content: "v=spf1 -all", proxied: false, ttl: 300, comment: MANAGED_COMMENT_MARKER },
        ],
    ])("accepts %s", (_what, facts) => {
        expect(dnsRecordProblems(facts)).toEqual([]);
    });

    test.each<[string, DnsRecordFacts, { field: string; message: string }[]]>([
        [
            "a proxied wildcard",
            { ...ok, name: "*.lab.example.org", type: "A", content: "203.0.113.10" },
            [
                {
                    field: "proxied",
                    message:
                        'wildcard record "*.lab.example.org" serves the reverse proxy, which must see client addresses and terminate TLS; make it DNS-only (proxied: false)',
                },
            ],
        ],
        [
            "a proxied UDP record (declared)",
            { ...ok, protocol: "udp" },
            [
                {
                    field: "proxied",
                    message:
                        'record "www.example.org" is for a UDP service and the Cloudflare proxy carries no UDP; make it DNS-only (proxied: false)',
                },
            ],
        ],
        [
            "a proxied UDP record (tagged in the comment)",
            { ...ok, comment: `${MANAGED_COMMENT_MARKER}; udp; WireGuard` },
            [
                {
                    field: "proxied",
                    message:
                        'record "www.example.org" is for a UDP service and the Cloudflare proxy carries no UDP; make it DNS-only (proxied: false)',
                },
            ],
        ],
        [
            "a proxied record with a fixed TTL",
            { ...ok, ttl: 300 },
            [{ field: "ttl", message: 'proxied record "www.example.org" has ttl 300; proxied records use ttl 1 (automatic)' }],
        ],
        [
            "an A record to a private address",
            { ...ok, type: "A", content: "192.168.30.10" },
            [
                {
                    field: "content",
                    message:
                        'A record "www.example.org" points at 192.168.30.10, a private (RFC 1918) address; public records must not point into a private network',
                },
            ],
        ],
        [
            "an A record to a loopback address",
            { ...ok, type: "A", content: "127.0.0.1" },
            [
                {
                    field: "content",
                    message:
                        'A record "www.example.org" points at 127.0.0.1, a loopback address; public records must not point into a private network',
                },
            ],
        ],
        [
            "an A record to a link-local address",
            { ...ok, type: "A", content: "169.254.1.1" },
            [
                {
                    field: "content",
                    message:
                        'A record "www.example.org" points at 169.254.1.1, a link-local address; public records must not point into a private network',
                },
            ],
        ],
        [
            "an A record to a hostname",
            { ...ok, type: "A", content: "example-org.pages.dev" },
            [{ field: "content", message: 'A record "www.example.org" needs an IPv4 address, got "example-org.pages.dev"' }],
        ],
        [
            "a CNAME to an address",
            { ...ok, content: "203.0.113.10" },
            [
                {
                    field: "content",
                    message: 'CNAME record "www.example.org" needs a fully qualified hostname as target, got "203.0.113.10"',
                },
            ],
        ],
        [
            "a CNAME to a bare label",
            { ...ok, content: "pages" },
            [{ field: "content", message: 'CNAME record "www.example.org" needs a fully qualified hostname as target, got "pages"' }],
        ],
        [
            "a CNAME to an mDNS name",
            { ...ok, content: "nas.local" },
            [
                {
                    field: "content",
                    message:
                        'CNAME record "www.example.org" points at "nas.local", a link-local (mDNS) name; public records must not point into a private network',
                },
            ],
        ],
        [
            "a CNAME to itself",
            { ...ok, content: "WWW.example.org." },
            [{ field: "content", message: 'CNAME record "www.example.org" points at itself; give it another target' }],
        ],
        [
            "a record without the marker",
            { ...ok, comment: "hand-made" },
            [
                {
                    field: "comment",
                    message:
                        'record "www.example.org" lacks the comment marker "managed by homelab (pulumi)"; every record this program manages carries it',
                },
            ],
        ],
        [
            "a record without a comment",
            { ...ok, comment: undefined },
            [
                {
                    field: "comment",
                    message:
                        'record "www.example.org" lacks the comment marker "managed by homelab (pulumi)"; every record this program manages carries it',
                },
            ],
        ],
        [
            "a comment over Cloudflare's limit",
            { ...ok, comment: `${MANAGED_COMMENT_MARKER}; ${"x".repeat(80)}` },
            [
                {
                    field: "comment",
                    message: 'the comment of record "www.example.org" is 109 characters, Cloudflare allows 100; shorten the purpose by 9',
                },
            ],
        ],
        [
            "a name over 253 characters",
            { ...ok, name: `${"a".repeat(250)}.org` },
            [{ field: "name", message: `record name "${"a".repeat(250)}.org" is longer than 253 characters; shorten it` }],
        ],
        [
            "a proxied UDP wildcard with a fixed TTL to a private address",
            {
                name: "*.lab.example.org",
                type: "A",
                content: "10.0.0.1",
                proxied: true,
                ttl: 300,
                comment: `${MANAGED_COMMENT_MARKER}; udp`,
            },
            [
                {
                    field: "proxied",
                    message:
                        'wildcard record "*.lab.example.org" serves the reverse proxy, which must see client addresses and terminate TLS; make it DNS-only (proxied: false)',
                },
                {
                    field: "proxied",
                    message:
                        'record "*.lab.example.org" is for a UDP service and the Cloudflare proxy carries no UDP; make it DNS-only (proxied: false)',
                },
                { field: "ttl", message: 'proxied record "*.lab.example.org" has ttl 300; proxied records use ttl 1 (automatic)' },
                {
                    field: "content",
                    message:
                        'A record "*.lab.example.org" points at 10.0.0.1, a private (RFC 1918) address; public records must not point into a private network',
                },
            ],
        ],
    ])("refuses %s", (_what, facts, expected) => {
        expect(dnsRecordProblems(facts)).toEqual(expected);
    });

    it("uses Cloudflare's automatic TTL and comment limit", () => {
        expect(AUTOMATIC_TTL).toBe(1);
        expect(CLOUDFLARE_COMMENT_MAX_CHARS).toBe(100);
    });
});
