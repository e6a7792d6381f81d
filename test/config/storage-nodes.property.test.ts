/**
 * Property: the storage/node relation. For random clusters (one to five nodes), random storages
 * (each on a random list of nodes, or on every node) and random guests (containers with a root
 * disk, VMs with one to three disks) on random nodes, `validate` refuses exactly the disks whose
 * storage the guest's node lacks, each at its own path and naming the nodes that have the
 * storage, and accepts everything else.
 */
import fc from "fast-check";
import { InventoryError, InventoryProblem } from "../../config/errors";
import { parseInventory } from "../../config/parse";
import { LAN, nodeName, rawContainer, rawInventory, rawNode, rawVm } from "./minimal";
import { RawInventory } from "./reference";

/** Storage kinds that hold guest disks, each with the fields it needs (`n` makes pools and paths unique). */
const KINDS: Record<string, (n: number) => RawInventory> = {
    zfspool: (n) => ({ kind: "zfspool", pool: `tank/vm${n}` }),
    lvmthin: (n) => ({ kind: "lvmthin", volumeGroup: `vg${n}`, thinPool: "data" }),
    lvm: (n) => ({ kind: "lvm", volumeGroup: `vg${n}` }),
    dir: (n) => ({ kind: "dir", path: `/mnt/disks${n}` }),
    nfs: (n) => ({ kind: "nfs", server: "10.0.10.5", export: `/export/vm${n}` }),
    // Declared only (the program never creates it): used by guests all the same.
    rbd: (n) => ({ kind: "rbd", pool: `vm${n}`, managed: false }),
};

interface Storage {
    readonly id: string;
    readonly kind: string;
    /** Indexes of the nodes listed in `nodes`; undefined: no list (every node). */
    readonly nodes?: readonly number[];
}

interface Guest {
    readonly kind: "lxc" | "vm";
    readonly node: number;
    /** Indexes into the storages: one for a container's root disk, one per VM disk. */
    readonly disks: readonly number[];
}

interface Case {
    readonly nodeCount: number;
    readonly storages: readonly Storage[];
    readonly guests: readonly Guest[];
}

const cases: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 5 }).chain((nodeCount) => {
    const nodeIndex = fc.integer({ min: 0, max: nodeCount - 1 });
    const nodeList = fc.option(fc.uniqueArray(nodeIndex, { minLength: 1, maxLength: nodeCount }), { nil: undefined });
    return fc.integer({ min: 1, max: 4 }).chain((storageCount) => {
        const storage = fc.record({ kind: fc.constantFrom(...Object.keys(KINDS)), nodes: nodeList });
        const storageIndex = fc.integer({ min: 0, max: storageCount - 1 });
        const guest = fc.oneof(
            fc.record({ kind: fc.constant("lxc" as const), node: nodeIndex, disks: fc.tuple(storageIndex) }),
            fc.record({ kind: fc.constant("vm" as const), node: nodeIndex, disks: fc.array(storageIndex, { minLength: 1, maxLength: 3 }) }),
        );
        return fc.record({
            nodeCount: fc.constant(nodeCount),
            storages: fc
                .array(storage, { minLength: storageCount, maxLength: storageCount })
                .map((list) => list.map((s, i) => ({ ...s, id: `st${i + 1}` }))),
            guests: fc.array(guest, { minLength: 1, maxLength: 8 }),
        });
    });
});

function build(c: Case): RawInventory {
    const nodes = Object.fromEntries(Array.from({ length: c.nodeCount }, (_, i) => [nodeName(i), rawNode(i, `${LAN.prefix}${11 + i}`)]));
    const storages = Object.fromEntries(
        c.storages.map((s, i) => [
            s.id,
            {
                ...KINDS[s.kind](i),
                content: ["images", "rootdir"],
                ...(s.nodes === undefined ? {} : { nodes: s.nodes.map(nodeName) }),
            },
        ]),
    );
    const guests = Object.fromEntries(
        c.guests.map((g, i) => {
            const address = `${LAN.prefix}${100 + i}`;
            const ids = g.disks.map((d) => c.storages[d].id);
            return [
                `guest${i + 1}`,
                g.kind === "lxc" ? rawContainer(nodeName(g.node), address, ids[0]) : rawVm(nodeName(g.node), address, ids),
            ];
        }),
    );
    // Two nodes need the QDevice's vote.
    return rawInventory({ nodes, storages, guests, ...(c.nodeCount === 2 ? { qdevice: `${LAN.prefix}9` } : {}) });
}

/** What the relation says must be refused: every disk on a storage its guest's node lacks. */
function expected(c: Case): InventoryProblem[] {
    const out: InventoryProblem[] = [];
    c.guests.forEach((g, i) => {
        g.disks.forEach((d, k) => {
            const storage = c.storages[d];
            const has = storage.nodes === undefined ? Array.from({ length: c.nodeCount }, (_, n) => n) : storage.nodes;
            if (has.includes(g.node)) return;
            out.push({
                path: g.kind === "lxc" ? `guests.guest${i + 1}.disk.storage` : `guests.guest${i + 1}.disks[${k}].storage`,
                message: `node "${nodeName(g.node)}" does not have storage "${storage.id}" (it is on ${has.map(nodeName).join(", ")}); add the node to storages.${storage.id}.nodes or pick a storage the node has`,
            });
        });
    });
    return out;
}

/** Every problem `validate` reports (empty when it accepts), as path and message. */
function problems(raw: RawInventory): InventoryProblem[] {
    try {
        parseInventory(raw);
        return [];
    } catch (err) {
        if (!(err instanceof InventoryError)) throw err;
        return err.problems.map(({ path, message }) => ({ path, message }));
    }
}

const byPath = (a: InventoryProblem, b: InventoryProblem) => a.path.localeCompare(b.path);

describe("the storage/node relation (property)", () => {
    it("refuses exactly the disks on a storage the guest's node lacks, each at its path, and accepts the rest", () => {
        const seen = { accepted: 0, refused: 0 };
        fc.assert(
            fc.property(cases, (c) => {
                const want = expected(c).sort(byPath);
                expect(problems(build(c)).sort(byPath)).toEqual(want);
                if (want.length === 0) seen.accepted++;
                else seen.refused++;
            }),
            { numRuns: 300 },
        );
        // Both sides of the relation were exercised.
        expect(seen.accepted).toBeGreaterThan(20);
        expect(seen.refused).toBeGreaterThan(20);
    });

    it("refuses a guest once per disk: a VM with two disks on a storage its node lacks gets two problems", () => {
        const c: Case = {
            nodeCount: 3,
            storages: [
                { id: "st1", kind: "zfspool", nodes: [0, 1] },
                { id: "st2", kind: "nfs" },
            ],
            guests: [{ kind: "vm", node: 2, disks: [0, 1, 0] }],
        };
        expect(problems(build(c))).toEqual([
            {
                path: "guests.guest1.disks[0].storage",
                message: `node "node3" does not have storage "st1" (it is on node1, node2); add the node to storages.st1.nodes or pick a storage the node has`,
            },
            {
                path: "guests.guest1.disks[2].storage",
                message: `node "node3" does not have storage "st1" (it is on node1, node2); add the node to storages.st1.nodes or pick a storage the node has`,
            },
        ]);
    });
});
