import { hostField, knownHostsLines, mergeKnownHosts } from "../../tools/known-hosts";
import { referenceInventory } from "../components/fixtures";

const inv = referenceInventory();

describe("known-hosts (fact P30: the provider's SSH trusts a host on first use)", () => {
    it("writes one line per node, the port bracketed when it is not 22", () => {
        expect(knownHostsLines(inv)).toEqual([
            `192.168.10.11 ${inv.nodes["pve-network"].hostKey}`,
            `192.168.10.12 ${inv.nodes["pve-storage"].hostKey}`,
        ]);
        expect(hostField("10.0.0.1", 2222)).toBe("[10.0.0.1]:2222");
    });

    it("adds what is missing, keeps other hosts, and changes nothing the second time", () => {
        const first = mergeKnownHosts("github.com ssh-ed25519 AAAAother\n", knownHostsLines(inv));
        expect(first.conflicts).toEqual([]);
        expect(first.text.split("\n").filter(Boolean)).toHaveLength(3);
        expect(mergeKnownHosts(first.text, knownHostsLines(inv)).text).toBe(first.text);
    });

    it("refuses a node whose recorded key differs", () => {
        const { conflicts } = mergeKnownHosts("192.168.10.11 ssh-ed25519 AAAAsomethingelse\n", knownHostsLines(inv));
        expect(conflicts).toEqual([
            "192.168.10.11 has another ssh-ed25519 key in the file; remove that line if the node was reinstalled, then run again",
        ]);
    });
});
