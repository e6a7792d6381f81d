import { parseInventory } from "../../config/parse";
import { Inventory } from "../../config/schema";
import { schemeVmid } from "../../lib/scheme";
import { MAX_GUESTS, expectedCounts, generateInventory } from "../../tools/bench/generate";

/** Cores and memory allocated per node, against its threads and memory. */
function ratios(inv: Inventory): { node: string; cpu: number; memory: number; guests: number }[] {
    return Object.entries(inv.nodes).map(([node, spec]) => {
        const guests = Object.values(inv.guests).filter((g) => g.node === node);
        const cores = guests.reduce((sum, g) => sum + g.cores, 0);
        const memoryMiB = guests.reduce((sum, g) => sum + g.memoryMiB, 0);
        return { node, cpu: cores / spec.threads, memory: memoryMiB / 1024 / spec.memoryGiB, guests: guests.length };
    });
}

describe("generateInventory", () => {
    it.each([
        [10, { nodes: 1, guestVlans: 3, vms: 1, containers: 9, datasets: 3, records: 2 }],
        [100, { nodes: 3, guestVlans: 3, vms: 10, containers: 90, datasets: 19, records: 11 }],
        [1000, { nodes: 25, guestVlans: 20, vms: 100, containers: 900, datasets: 181, records: 101 }],
    ])("%i guests: a valid inventory with exact counts", (guests, counts) => {
        expect(expectedCounts(guests)).toEqual(counts);
        const inv = parseInventory(generateInventory(guests), `generated ${guests}`);
        const all = Object.values(inv.guests);
        expect(all).toHaveLength(guests);
        expect(Object.keys(inv.nodes)).toHaveLength(counts.nodes);
        expect(Object.keys(inv.networks)).toHaveLength(counts.guestVlans + 1);
        expect(new Set(all.map((g) => g.network)).size).toBe(counts.guestVlans + 1);
        expect(new Set(Object.values(inv.networks).map((n) => n.vlan)).size).toBe(counts.guestVlans + 1);
        expect(all.filter((g) => g.kind === "vm")).toHaveLength(counts.vms);
        expect(all.filter((g) => g.kind === "lxc")).toHaveLength(counts.containers);
        expect(Object.keys(inv.datasets)).toHaveLength(counts.datasets);
        expect(Object.keys(inv.dns!.records)).toHaveLength(counts.records);
    });

    it.each([10, 100, 1000])("%i guests: unique VMIDs and addresses that follow the VLAN ID scheme", (guests) => {
        const inv = parseInventory(generateInventory(guests));
        expect(inv.cluster.idScheme).toBe("vlan");
        const all = Object.values(inv.guests);
        expect(new Set(all.map((g) => g.vmid)).size).toBe(guests);
        expect(new Set(all.map((g) => g.ipv4)).size).toBe(guests);
        for (const g of all) expect(g.vmid).toBe(schemeVmid(inv.networks[g.network].vlan!, g.ipv4!));
        // No VLAN holds more guests than a /24 can address with the scheme's unique last octet.
        const perVlan = new Map<string, number>();
        for (const g of all) perVlan.set(g.network, (perVlan.get(g.network) ?? 0) + 1);
        expect(Math.max(...perVlan.values())).toBeLessThanOrEqual(50);
    });

    it.each([10, 100, 1000])("%i guests: at most 40 guests per node, within 3x CPU and 2x memory", (guests) => {
        const inv = parseInventory(generateInventory(guests));
        for (const r of ratios(inv)) {
            expect(r.guests).toBeLessThanOrEqual(40);
            expect(r.cpu).toBeLessThanOrEqual(3);
            expect(r.memory).toBeLessThanOrEqual(2);
        }
        expect(ratios(inv).reduce((sum, r) => sum + r.guests, 0)).toBe(guests);
    });

    it("puts every guest in a backup tier or excludes it with a reason, with one PBS VM", () => {
        const inv = parseInventory(generateInventory(100));
        const all = Object.entries(inv.guests);
        const tiered = all.filter(([, g]) => "tier" in g.backup);
        const excluded = all.filter(([, g]) => "exclude" in g.backup);
        expect(tiered.length + excluded.length).toBe(100);
        expect(excluded.map(([n]) => n)).toEqual([
            "pbs",
            ...Array.from({ length: 24 }, (_, k) => `guest-${String((k + 1) * 4).padStart(4, "0")}`),
        ]);
        expect(new Set(tiered.map(([, g]) => ("tier" in g.backup ? g.backup.tier : "")))).toEqual(new Set(["critical", "medium", "low"]));
        expect(inv.backups!.target).toBe("pbs");
        expect(inv.storages.pbs).toMatchObject({
            kind: "pbs",
            guest: "pbs",
            datastore: "tank",
            nfs: { server: "10.10.1.1", export: "/tank/pbs" },
        });
        expect(inv.guests.pbs.kind).toBe("vm");
        expect(inv.offsite).toMatchObject({ service: "aws", bucket: "bench-pbs-offsite", writers: ["pbs"] });
        expect(inv.datasets["tank/pbs"].properties.sharenfs).toBe(`rw=@${inv.guests.pbs.ipv4}/32,no_root_squash`);
    });

    it("backs up every appdata dataset in the critical tier and excludes the PBS datastore with its reason", () => {
        const inv = parseInventory(generateInventory(100));
        const appdata = Object.entries(inv.datasets).filter(([p]) => p.startsWith("tank/appdata/"));
        expect(appdata).toHaveLength(18);
        for (const [, ds] of appdata) expect(ds.backup).toEqual({ tier: "critical" });
        expect(Object.keys(inv.datasets).filter((p) => !p.startsWith("tank/appdata/"))).toEqual(["tank/pbs"]);
        expect(inv.datasets["tank/pbs"].backup).toEqual({ exclude: "the PBS datastore itself; copied offsite by its sync job" });
    });

    it("gives every node its own host key, its ZFS data pool and the installer's storages", () => {
        const inv = parseInventory(generateInventory(1000));
        const nodes = Object.values(inv.nodes);
        expect(new Set(nodes.map((n) => n.hostKey)).size).toBe(nodes.length);
        for (const n of nodes) {
            expect(n.hostKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43}$/);
            expect(n.pools).toEqual(["tank"]);
            expect(n.boot).toEqual({ layout: "zfs-mirror", pool: "rpool", disks: ["nvme0n1", "nvme1n1"] });
        }
        expect(inv.storages.local).toMatchObject({ kind: "dir", managed: false });
        expect(inv.storages["local-zfs"]).toMatchObject({ kind: "zfspool", pool: "rpool/data", managed: false });
        const diskStorages = Object.values(inv.guests).map((g) =>
            g.kind === "lxc" ? g.disk.storage : "storage" in g.disks[0] ? g.disks[0].storage : "",
        );
        expect(new Set(diskStorages)).toEqual(new Set(["local-zfs"]));
    });

    it.each([
        [10, 1, false],
        [50, 2, true],
        [100, 3, false],
    ])("%i guests on %i node(s): a QDevice exactly when the cluster has two nodes (%s)", (guests, nodeCount, qdevice) => {
        const inv = parseInventory(generateInventory(guests));
        expect(Object.keys(inv.nodes)).toHaveLength(nodeCount);
        expect(inv.cluster.qdevice).toEqual(qdevice ? { address: "10.10.0.3" } : undefined);
    });

    it("mounts datasets into containers of their node, owned by a container, some shared read-only", () => {
        const inv = parseInventory(generateInventory(100));
        const mounted = Object.entries(inv.datasets).filter(([, ds]) => ds.mounts.length > 0);
        expect(mounted).toHaveLength(18);
        for (const [, ds] of mounted) {
            expect(ds.owner).toBeDefined();
            for (const m of ds.mounts) expect(inv.guests[m.guest]).toMatchObject({ kind: "lxc", node: ds.node });
        }
        const shared = mounted.filter(([, ds]) => ds.mounts.some((m) => m.readOnly));
        expect(shared.map(([p, ds]) => [p, ds.mounts])).toEqual([
            [
                "tank/appdata/guest-0001",
                [
                    { guest: "guest-0001", path: "/srv/appdata", readOnly: false },
                    { guest: "guest-0002", path: "/mnt/guest-0001", readOnly: true },
                ],
            ],
            [
                "tank/appdata/guest-0056",
                [
                    { guest: "guest-0056", path: "/srv/appdata", readOnly: false },
                    { guest: "guest-0057", path: "/mnt/guest-0056", readOnly: true },
                ],
            ],
        ]);
    });

    it("is deterministic", () => {
        expect(JSON.stringify(generateInventory(100))).toBe(JSON.stringify(generateInventory(100)));
    });

    it.each([0, -1, 1.5, MAX_GUESTS + 1])("refuses %p guests", (guests) => {
        expect(() => generateInventory(guests)).toThrow(
            new RangeError(`[guests] must be an integer from 1 to ${MAX_GUESTS}, got ${guests}`),
        );
    });

    it("generates the largest inventory it allows", () => {
        const inv = parseInventory(generateInventory(MAX_GUESTS));
        expect(Object.keys(inv.guests)).toHaveLength(MAX_GUESTS);
        expect(Object.keys(inv.nodes)).toHaveLength(250);
    });
});
