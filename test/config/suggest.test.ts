/** "Did you mean": the closest known name by edit distance, linear in the candidates. */
import { closestMatch, didYouMean, editDistance, suggestionDistance } from "../../config/suggest";

describe("editDistance", () => {
    it.each([
        ["cores", "cores", 0],
        ["coress", "cores", 1], // insertion
        ["cors", "cores", 1], // deletion
        ["cares", "cores", 1], // substitution
        ["tire", "tier", 1], // two neighbours swapped
        ["memorymib", "memoryMiB", 0], // case is ignored
        ["domian", "domain", 1],
        ["", "abc", 3],
        ["kitten", "sitting", 3],
    ])("%j → %j is %i", (a, b, d) => {
        expect(editDistance(a, b)).toBe(d);
        expect(editDistance(b, a)).toBe(d);
    });

    it("stops at the limit: anything beyond it is limit + 1", () => {
        expect(editDistance("kitten", "sitting", 1)).toBe(2);
        expect(editDistance("a", "abcdefgh", 2)).toBe(3);
    });
});

describe("closestMatch", () => {
    const GUEST_KEYS = ["kind", "node", "vlan", "ipv4", "vmid", "cores", "memoryMiB", "tier", "tags", "template", "disk"];

    it("suggests the closest known key within a third of its length", () => {
        expect(closestMatch("coress", GUEST_KEYS)).toBe("cores");
        expect(closestMatch("memorymib", GUEST_KEYS)).toBe("memoryMiB");
        expect(closestMatch("tempalte", GUEST_KEYS)).toBe("template");
        expect(closestMatch("vmdi", GUEST_KEYS)).toBe("vmid");
    });

    it("suggests nothing when no key is close, or the word is itself known", () => {
        expect(closestMatch("firewallz-policy", GUEST_KEYS)).toBeUndefined();
        expect(closestMatch("zz", GUEST_KEYS)).toBeUndefined();
        expect(closestMatch("cores", GUEST_KEYS)).toBeUndefined();
        expect(closestMatch("cores", [])).toBeUndefined();
    });

    it("prefers the first of equally close candidates", () => {
        expect(closestMatch("nod", ["node", "nods"])).toBe("node");
        expect(closestMatch("nod", ["nods", "node"])).toBe("nods");
    });

    it("allows 1 edit up to 5 characters, then a third of the length, at most 3", () => {
        expect([1, 5, 6, 9, 30].map(suggestionDistance)).toEqual([1, 1, 2, 3, 3]);
    });

    it("is linear in the candidates: 100,000 names and a 10,000-character word take well under a second", () => {
        const names = Array.from({ length: 100_000 }, (_, i) => `guest-${i}`);
        const started = Date.now();
        expect(closestMatch("guest-99999x", names)).toBe("guest-99999");
        expect(closestMatch("x".repeat(10_000), names)).toBeUndefined();
        expect(Date.now() - started).toBeLessThan(1000);
    });
});

describe("didYouMean", () => {
    it("ends a message with the suggestion, or with nothing", () => {
        expect(didYouMean("pve-storag", ["pve-network", "pve-storage"])).toBe('; did you mean "pve-storage"?');
        expect(didYouMean("nas", ["pve-network", "pve-storage"])).toBe("");
    });
});
