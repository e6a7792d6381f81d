import fc from "fast-check";
import { cidrContains, formatIpv4, lastOctet, nonPublicReason, parseCidr, parseIpv4 } from "../../lib/ipv4";

describe("parseIpv4", () => {
    test.each([
        ["0.0.0.0", 0],
        ["192.168.30.66", 0xc0a81e42],
        ["10.0.0.1", 0x0a000001],
        ["255.255.255.255", 0xffffffff],
        ["128.0.0.0", 0x80000000],
    ])("reads %s as %d", (address, value) => {
        expect(parseIpv4(address)).toBe(value);
    });

    test.each([
        "",
        "1.2.3",
        "1.2.3.4.5",
        "256.0.0.1",
        "1.2.3.-4",
        "01.2.3.4",
        "1.2.3.04",
        " 1.2.3.4",
        "1.2.3.4 ",
        "a.b.c.d",
        "1.2.3.4/24",
        "1..3.4",
    ])("refuses %j", (address) => {
        expect(parseIpv4(address)).toBeUndefined();
    });
});

describe("formatIpv4", () => {
    test.each([
        [0, "0.0.0.0"],
        [0xc0a81e42, "192.168.30.66"],
        [0xffffffff, "255.255.255.255"],
        [0x80000000, "128.0.0.0"],
    ])("writes %d as %s", (value, address) => {
        expect(formatIpv4(value)).toBe(address);
    });

    it("round-trips every address through parseIpv4", () => {
        fc.assert(
            fc.property(fc.ipV4(), (address) => {
                const value = parseIpv4(address);
                expect(value).toBeDefined();
                expect(formatIpv4(value as number)).toBe(address);
            }),
            { numRuns: 300 },
        );
    });
});

describe("parseCidr", () => {
    test.each([
        ["192.168.30.0/24", { network: 0xc0a81e00, prefix: 24, broadcast: 0xc0a81eff }],
        ["10.0.0.0/8", { network: 0x0a000000, prefix: 8, broadcast: 0x0affffff }],
        ["172.16.0.0/12", { network: 0xac100000, prefix: 12, broadcast: 0xac1fffff }],
        ["192.168.30.64/26", { network: 0xc0a81e40, prefix: 26, broadcast: 0xc0a81e7f }],
        ["192.168.30.66/32", { network: 0xc0a81e42, prefix: 32, broadcast: 0xc0a81e42 }],
        ["0.0.0.0/0", { network: 0, prefix: 0, broadcast: 0xffffffff }],
    ])("reads %s", (cidr, parsed) => {
        expect(parseCidr(cidr)).toEqual(parsed);
    });

    test.each([
        ["192.168.30.7/24", "host bits set"],
        ["192.168.30.0/33", "prefix above 32"],
        ["192.168.30.0/08", "prefix with a leading zero"],
        ["192.168.30.0", "no prefix"],
        ["192.168.30.0/", "empty prefix"],
        ["192.168.300.0/24", "bad address"],
        ["192.168.30.0/24/1", "two slashes"],
    ])("refuses %s (%s)", (cidr) => {
        expect(parseCidr(cidr)).toBeUndefined();
    });
});

describe("cidrContains", () => {
    const subnet = parseCidr("192.168.30.0/24");
    if (!subnet) throw new Error("fixture");
    test.each([
        ["192.168.30.0", true],
        ["192.168.30.1", true],
        ["192.168.30.255", true],
        ["192.168.29.255", false],
        ["192.168.31.0", false],
        ["10.0.0.1", false],
    ])("192.168.30.0/24 contains %s: %s", (address, inside) => {
        expect(cidrContains(subnet, parseIpv4(address) as number)).toBe(inside);
    });

    it("holds exactly the 2^(32 - prefix) addresses from the network to the broadcast address", () => {
        fc.assert(
            fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (base, prefix, probe) => {
                const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
                const network = ((parseIpv4(base) as number) & mask) >>> 0;
                const cidr = parseCidr(`${formatIpv4(network)}/${prefix}`);
                expect(cidr).toBeDefined();
                if (!cidr) return;
                expect(cidr.broadcast - cidr.network + 1).toBe(2 ** (32 - prefix));
                const value = parseIpv4(probe) as number;
                expect(cidrContains(cidr, value)).toBe((value & mask) >>> 0 === network);
            }),
            { numRuns: 300 },
        );
    });
});

describe("lastOctet", () => {
    test.each([
        ["192.168.30.66", 66],
        ["192.168.10.111", 111],
        ["10.0.0.0", 0],
        ["10.0.0.255", 255],
    ])("of %s is %d", (address, octet) => {
        expect(lastOctet(address)).toBe(octet);
    });

    it("throws on a non-address, quoting it", () => {
        expect(() => lastOctet("192.168.30")).toThrow('not an IPv4 address: "192.168.30"');
    });
});

describe("nonPublicReason", () => {
    test.each([
        ["0.1.2.3", "a 'this network' address"],
        ["10.20.30.40", "a private (RFC 1918) address"],
        ["100.64.0.1", "a carrier-grade NAT address"],
        ["100.127.255.255", "a carrier-grade NAT address"],
        ["127.0.0.1", "a loopback address"],
        ["169.254.1.1", "a link-local address"],
        ["172.16.0.1", "a private (RFC 1918) address"],
        ["172.31.255.255", "a private (RFC 1918) address"],
        ["192.168.10.1", "a private (RFC 1918) address"],
        ["224.0.0.251", "a multicast address"],
        ["240.0.0.1", "a reserved address"],
        ["255.255.255.255", "a reserved address"],
        ["not-an-address", "not an IPv4 address"],
    ])("calls %s %s", (address, reason) => {
        expect(nonPublicReason(address)).toBe(reason);
    });

    test.each(["203.0.113.10", "8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "172.15.255.255", "192.169.0.1", "223.255.255.255"])(
        "finds nothing wrong with public %s",
        (address) => {
            expect(nonPublicReason(address)).toBeUndefined();
        },
    );
});
