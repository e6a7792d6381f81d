/**
 * The public DNS rules at validation: each mutation of the reference stack's `dns` section is
 * refused with the path of the record and a message naming it.
 */
import * as path from "path";
import { InventoryError, InventoryProblem } from "../../config/errors";
import { parseInventory } from "../../config/parse";
import { readStackFile } from "../../config/stackfile";

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A fresh copy of the reference stack's raw inventory (as the YAML gives it). */
function reference(): Raw {
    return structuredClone(readStackFile(path.join(__dirname, "../..", "Pulumi.prod.yaml")).inventory) as Raw;
}

/** The problems parsing gives, or [] when it accepts the inventory. */
function problemsOf(raw: Raw): readonly InventoryProblem[] {
    try {
        parseInventory(raw);
        return [];
    } catch (err) {
        if (err instanceof InventoryError) return err.problems;
        throw err;
    }
}

/** The reference inventory with its WAN records turned into CNAMEs to a dynamic-DNS name. */
function ddnsReference(): Raw {
    const raw = reference();
    delete raw.dns.wanAddress;
    raw.dns.ddnsHostname = "home.dyndns.example.net";
    raw.dns.records["lab-wildcard"].type = "CNAME";
    raw.dns.records.vpn.type = "CNAME";
    return raw;
}

describe("public DNS rules at validation", () => {
    it("accepts the reference stack and its dynamic-DNS variant", () => {
        expect(problemsOf(reference())).toEqual([]);
        expect(problemsOf(ddnsReference())).toEqual([]);
    });

    test.each<[string, (raw: Raw) => void, InventoryProblem[]]>([
        [
            "a proxied wildcard (the reverse proxy)",
            (raw) => (raw.dns.records["lab-wildcard"].proxied = true),
            [
                {
                    path: "dns.records.lab-wildcard.proxied",
                    message:
                        'wildcard record "*.lab.example.org" serves the reverse proxy, which must see client addresses and terminate TLS; make it DNS-only (proxied: false)',
                },
            ],
        ],
        [
            "a proxied UDP service",
            (raw) => (raw.dns.records.vpn.proxied = true),
            [
                {
                    path: "dns.records.vpn.proxied",
                    message:
                        'record "vpn.example.org" is for a UDP service and the Cloudflare proxy carries no UDP; make it DNS-only (proxied: false)',
                },
            ],
        ],
        [
            "an A record to a private address",
            (raw) => (raw.dns.records.vpn.target = "192.168.10.1"),
            [
                {
                    path: "dns.records.vpn.target",
                    message:
                        'A record "vpn.example.org" points at 192.168.10.1, a private (RFC 1918) address; public records must not point into a private network',
                },
            ],
        ],
        [
            "an A record to a loopback address",
            (raw) => (raw.dns.records.vpn.target = "127.0.0.1"),
            [
                {
                    path: "dns.records.vpn.target",
                    message:
                        'A record "vpn.example.org" points at 127.0.0.1, a loopback address; public records must not point into a private network',
                },
            ],
        ],
        [
            "an A record to a link-local address",
            (raw) => (raw.dns.records.vpn.target = "169.254.10.1"),
            [
                {
                    path: "dns.records.vpn.target",
                    message:
                        'A record "vpn.example.org" points at 169.254.10.1, a link-local address; public records must not point into a private network',
                },
            ],
        ],
        [
            "an A record to something other than an address",
            (raw) => (raw.dns.records.vpn.target = "vpn.example.net"),
            [{ path: "dns.records.vpn.target", message: 'A record "vpn.example.org" needs an IPv4 address, got "vpn.example.net"' }],
        ],
        [
            "a private WAN address (reported once, on the address)",
            (raw) => (raw.dns.wanAddress = "10.0.0.1"),
            [{ path: "dns.wanAddress", message: "10.0.0.1 is a private (RFC 1918) address; public records need the public WAN address" }],
        ],
        [
            "a CNAME to an IPv4 address",
            (raw) => (raw.dns.records.www.target = "203.0.113.20"),
            [
                {
                    path: "dns.records.www.target",
                    message: 'CNAME record "www.example.org" needs a fully qualified hostname as target, got "203.0.113.20"',
                },
            ],
        ],
        [
            "a CNAME to a bare label",
            (raw) => (raw.dns.records.www.target = "pages"),
            [
                {
                    path: "dns.records.www.target",
                    message: 'CNAME record "www.example.org" needs a fully qualified hostname as target, got "pages"',
                },
            ],
        ],
        [
            "a CNAME to a private name",
            (raw) => (raw.dns.records.www.target = "nas.home.arpa"),
            [
                {
                    path: "dns.records.www.target",
                    message:
                        'CNAME record "www.example.org" points at "nas.home.arpa", a private home-network name (RFC 8375); public records must not point into a private network',
                },
            ],
        ],
        [
            "a CNAME to itself",
            (raw) => (raw.dns.records.www.target = "www.example.org"),
            [{ path: "dns.records.www.target", message: 'CNAME record "www.example.org" points at itself; give it another target' }],
        ],
        [
            "a purpose too long for Cloudflare's comment",
            (raw) => (raw.dns.records.www.purpose = "p".repeat(90)),
            [
                {
                    path: "dns.records.www.purpose",
                    message: 'the comment of record "www.example.org" is 119 characters, Cloudflare allows 100; shorten the purpose by 19',
                },
            ],
        ],
        [
            "two records with the same name",
            (raw) => (raw.dns.records.www.name = "@"),
            [{ path: "dns.records.www.name", message: 'record name "example.org" is already used by record "apex"; one record per name' }],
        ],
        [
            "an A record to wan without a WAN address",
            (raw) => {
                delete raw.dns.wanAddress;
                raw.dns.ddnsHostname = "home.dyndns.example.net";
                raw.dns.records["lab-wildcard"].type = "CNAME";
            },
            [
                {
                    path: "dns.records.vpn.type",
                    message: 'an A record to "wan" needs dns.wanAddress; set it, or use type CNAME (to dns.ddnsHostname)',
                },
            ],
        ],
        [
            "a CNAME to wan without a dynamic-DNS name",
            (raw) => (raw.dns.records.vpn.type = "CNAME"),
            [
                {
                    path: "dns.records.vpn.type",
                    message: 'a CNAME to "wan" needs dns.ddnsHostname; set it, or use type A (to dns.wanAddress)',
                },
            ],
        ],
        [
            "both a WAN address and a dynamic-DNS name",
            (raw) => (raw.dns.ddnsHostname = "home.dyndns.example.net"),
            [
                {
                    path: "dns.ddnsHostname",
                    message: "set either wanAddress or ddnsHostname, not both; with a static WAN address drop ddnsHostname",
                },
            ],
        ],
    ])("refuses %s", (_what, mutate, expected) => {
        const raw = reference();
        mutate(raw);
        expect(problemsOf(raw)).toEqual(expected);
    });

    describe("with a dynamic-DNS name", () => {
        test.each<[string, (raw: Raw) => void, InventoryProblem[]]>([
            [
                "a dynamic-DNS name that is an address",
                (raw) => (raw.dns.ddnsHostname = "203.0.113.10"),
                [
                    {
                        path: "dns.ddnsHostname",
                        message:
                            '"203.0.113.10" is not a fully qualified hostname; use the public dynamic-DNS name of the WAN, such as home.dyndns.example.net',
                    },
                ],
            ],
            [
                "a dynamic-DNS name inside the LAN",
                (raw) => (raw.dns.ddnsHostname = "router.local"),
                [
                    {
                        path: "dns.ddnsHostname",
                        message:
                            '"router.local" is a link-local (mDNS) name; use the public dynamic-DNS name of the WAN, such as home.dyndns.example.net',
                    },
                ],
            ],
            [
                "a proxied wildcard CNAME",
                (raw) => (raw.dns.records["lab-wildcard"].proxied = true),
                [
                    {
                        path: "dns.records.lab-wildcard.proxied",
                        message:
                            'wildcard record "*.lab.example.org" serves the reverse proxy, which must see client addresses and terminate TLS; make it DNS-only (proxied: false)',
                    },
                ],
            ],
            [
                "a dynamic-DNS name equal to a record it serves",
                (raw) => (raw.dns.ddnsHostname = "vpn.example.org"),
                [{ path: "dns.records.vpn.target", message: 'CNAME record "vpn.example.org" points at itself; give it another target' }],
            ],
        ])("refuses %s", (_what, mutate, expected) => {
            const raw = ddnsReference();
            mutate(raw);
            expect(problemsOf(raw)).toEqual(expected);
        });
    });
});
