import fc from "fast-check";
import { formatIpv4, lastOctet, parseIpv4 } from "../../lib/ipv4";
import {
    CPU_UNITS_BY_TIER,
    STARTUP_DELAY_SECONDS_BY_TIER,
    STARTUP_ORDER_BY_TIER,
    TIERS,
    UNPRIVILEGED_ID_OFFSET,
    normalizeTags,
    schemeVmid,
} from "../../lib/scheme";

describe("schemeVmid", () => {
    test.each([
        [30, "192.168.30.66", 30066],
        [10, "192.168.10.111", 10111],
        [10, "192.168.10.1", 10001],
        [50, "192.168.50.10", 50010],
        [20, "192.168.20.30", 20030],
        [1, "10.0.1.0", 1000],
        [4094, "10.0.0.254", 4094254],
    ])("VLAN %d and %s give VMID %d", (vlan, address, vmid) => {
        expect(schemeVmid(vlan, address)).toBe(vmid);
    });

    it("throws on an address that is not IPv4", () => {
        expect(() => schemeVmid(30, "192.168.30")).toThrow('not an IPv4 address: "192.168.30"');
    });

    it("gives back the VLAN and the last octet from the VMID (knowing one gives the other)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 4094 }), fc.ipV4(), (vlan, address) => {
                const vmid = schemeVmid(vlan, address);
                expect(Math.floor(vmid / 1000)).toBe(vlan);
                expect(vmid % 1000).toBe(lastOctet(address));
            }),
            { numRuns: 300 },
        );
    });

    it("gives distinct VMIDs to distinct hosts of one /24 and distinct VLANs", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 1, max: 4094 }),
                fc.integer({ min: 1, max: 4094 }),
                fc.integer({ min: 1, max: 254 }),
                fc.integer({ min: 1, max: 254 }),
                (vlanA, vlanB, hostA, hostB) => {
                    const a = schemeVmid(vlanA, formatIpv4((parseIpv4("192.168.0.0") as number) + hostA));
                    const b = schemeVmid(vlanB, formatIpv4((parseIpv4("192.168.0.0") as number) + hostB));
                    expect(a === b).toBe(vlanA === vlanB && hostA === hostB);
                },
            ),
            { numRuns: 300 },
        );
    });
});

describe("tier tables", () => {
    it("lists the tiers from most to least important", () => {
        expect(TIERS).toEqual(["critical", "high", "normal", "low", "minimal"]);
    });

    test.each([
        ["critical", 2048, 1, 30],
        ["high", 1500, 2, 15],
        ["normal", 1024, 3, 5],
        ["low", 800, 4, 0],
        ["minimal", 512, 5, 0],
    ] as const)("%s: cpuunits %d, startup order %d, startup delay %d s", (tier, cpuunits, order, delay) => {
        expect(CPU_UNITS_BY_TIER[tier]).toBe(cpuunits);
        expect(STARTUP_ORDER_BY_TIER[tier]).toBe(order);
        expect(STARTUP_DELAY_SECONDS_BY_TIER[tier]).toBe(delay);
    });

    it("weighs every tier above Proxmox's default of 100 and in tier order", () => {
        const units = TIERS.map((t) => CPU_UNITS_BY_TIER[t]);
        expect(Math.min(...units)).toBeGreaterThan(100);
        expect([...units].sort((a, b) => b - a)).toEqual(units);
    });

    it("maps unprivileged ids from 100000", () => {
        expect(UNPRIVILEGED_ID_OFFSET).toBe(100000);
    });
});

describe("normalizeTags", () => {
    test.each([
        [[], []],
        [
            ["docker", "critical"],
            ["critical", "docker"],
        ],
        [
            ["Media", "media", "NAS"],
            ["media", "nas"],
        ],
        [
            ["b", "a", "b"],
            ["a", "b"],
        ],
    ])("normalizes %j to %j", (tags, normalized) => {
        expect(normalizeTags(tags)).toEqual(normalized);
    });

    it("is idempotent", () => {
        fc.assert(
            fc.property(fc.array(fc.string({ maxLength: 8 })), (tags) => {
                expect(normalizeTags(normalizeTags(tags))).toEqual(normalizeTags(tags));
            }),
        );
    });
});
