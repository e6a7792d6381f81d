/**
 * The example stacks (issue 15.9): each validates and plans clean, and each planted mistake a user
 * could make in it is refused with its path.
 */
import * as path from "path";
import { parseInventory } from "../../config/parse";
import { readStackFile } from "../../config/stackfile";
import { plan } from "../../tools/plan/report";
import { RawInventory, problemsOf } from "../config/reference";

const ROOT = path.join(__dirname, "../..");
const raw = (stack: string): RawInventory => structuredClone(readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)).inventory);

/** What each example lacks of 3-2-1 (advisory): no offsite copy the program makes (a USB disk; a PBS it does not manage). */
const SHORT_OF_321: Record<string, string[]> = {
    "example-single": ["guests.jellyfin", "guests.pihole"],
    "example-cluster": ["guests.dns-a", "guests.dns-b", "guests.git", "guests.wiki", "datasets.tank/git"],
};

describe.each(["example-single", "example-cluster"])("the %s stack", (stack) => {
    it("validates and plans with no mandatory violation; the only advisories name the data short of 3-2-1", async () => {
        expect(() => parseInventory(raw(stack))).not.toThrow();
        const report = await plan(stack, ROOT);
        expect(report.error).toBeUndefined();
        expect(report.violations!.mandatory).toEqual([]);
        expect(report.violations!.advisory.map((v) => [v.policy, v.message.split(" ")[0]])).toEqual(
            SHORT_OF_321[stack].map((key) => ["backup-three-two-one", key]),
        );
        expect(report.exitCode).toBe(0);
    }, 60000);
});

describe("planted mistakes in the three-node example are refused with their path", () => {
    const cases: [string, (i: RawInventory) => void, string][] = [
        ["an HA pair on one node", (i) => (i.guests["dns-b"].node = "pve1"), "ha.resolvers.members[1]"],
        ["a guest on the virtual IP", (i) => (i.guests["dns-b"].ipv4 = "10.0.20.53"), "guests.dns-b.ipv4"],
        ["a guest in the load-balancer pool", (i) => (i.guests["dns-b"].ipv4 = "10.0.20.210"), "guests.dns-b.ipv4"],
        ["a disk on local", (i) => (i.guests.git.disk.storage = "local"), "guests.git.disk.storage"],
        ["a duplicate VMID", (i) => (i.guests["dns-b"].vmid = 20011), "guests.dns-b.vmid"],
        ["an address outside its subnet", (i) => (i.guests.git.ipv4 = "10.0.21.50"), "guests.git.ipv4"],
        ["Proxmox HA on node-local storage", (i) => (i.ha.apps.members = ["git"]), "ha.apps.members[0]"],
        ["a linked clone from another node's template", (i) => (i.guests["ci-runner"].node = "pve1"), "guests.ci-runner.node"],
    ];
    test.each(cases)("%s", (_name, mutate, where) => {
        const inv = raw("example-cluster");
        mutate(inv);
        expect(problemsOf(inv).map((p) => p.path)).toContain(where);
    });

    it("a proxied UDP record is refused in any stack", () => {
        const inv = structuredClone(readStackFile(path.join(ROOT, "Pulumi.prod.yaml")).inventory) as RawInventory;
        inv.dns.records.vpn.proxied = true;
        expect(problemsOf(inv).map((p) => p.path)).toContain("dns.records.vpn.proxied");
    });
});
