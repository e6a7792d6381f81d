/**
 * Property: whatever a random edit does to the reference stack, parsing either validates or
 * throws InventoryError listing problems by path; never any other exception (a crash in a
 * cross-check would otherwise turn a typo into a stack trace, or worse, into a plan).
 */
import fc from "fast-check";
import { InventoryError } from "../../config/errors";
import { parseInventory } from "../../config/parse";
import { inventorySchema } from "../../config/schema";
import { RawInventory, referenceRaw } from "./reference";

type Path = readonly (string | number)[];

/** Every path of the reference inventory, containers and leaves, with the leaf's value. */
function walk(value: unknown, path: Path, out: { path: Path; value: unknown }[]): void {
    out.push({ path, value });
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], out));
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, [...path, k], out);
}

const ENTRIES: { path: Path; value: unknown }[] = [];
walk(referenceRaw(), [], ENTRIES);
const PATHS = ENTRIES.map((e) => e.path).filter((p) => p.length > 0);
const CONTAINERS = ENTRIES.filter((e) => e.value !== null && typeof e.value === "object").map((e) => e.path);
const STRING_LEAVES = ENTRIES.filter((e) => typeof e.value === "string").map((e) => e.path);
const NUMBER_LEAVES = ENTRIES.filter((e) => typeof e.value === "number").map((e) => e.path);
const KEYS = [...new Set(ENTRIES.flatMap((e) => e.path.filter((p): p is string => typeof p === "string")))];
/** Fields that name another entity: where a dangling or colliding name reaches the cross-checks. */
const REFERENCE_FIELDS = [
    "node",
    "storage",
    "systemStorage",
    "guest",
    "container",
    "template",
    "image",
    "members",
    "cdrom",
    "storageId",
    "mapping",
];
/** The field a leaf belongs to: its last key (`haGroups.dns.members[0]` belongs to `members`). */
const fieldOf = (p: readonly (string | number)[]) => String([...p].reverse().find((x) => typeof x === "string"));
const REFERENCE_LEAVES = STRING_LEAVES.filter((p) => REFERENCE_FIELDS.includes(fieldOf(p)));
/** Names that look up inherited members of a plain object, and the storage guests must never use. */
const TRICKY = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "local", ""];
/** Entity names of the reference: nodes, guests, images, datasets and storage ids. */
const ENTITIES = [
    ...new Set(
        ENTRIES.filter((e) => ["nodes", "guests", "images", "datasets"].includes(String(e.path[0])) && e.path.length === 2)
            .map((e) => String(e.path[1]))
            .concat(ENTRIES.filter((e) => e.path[2] === "storages" && e.path.length === 4).map((e) => String(e.path[3]))),
    ),
];
/** Names the inventory uses as references, plus names that collide with Object members. */
const NAMES = [...new Set(ENTRIES.filter((e) => typeof e.value === "string").map((e) => e.value as string)), ...KEYS, ...TRICKY];

/** The container at `path` (created nowhere: undefined when an earlier edit removed it). */
function at(root: RawInventory, path: Path): unknown {
    let node: unknown = root;
    for (const part of path) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<string | number, unknown>)[part];
    }
    return node;
}

function parentOf(root: RawInventory, path: Path): Record<string | number, unknown> | undefined {
    const parent = at(root, path.slice(0, -1));
    return parent !== null && typeof parent === "object" ? (parent as Record<string | number, unknown>) : undefined;
}

type Edit = (inv: RawInventory) => void;

const anyValue = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(...NAMES),
    fc.double(),
    fc.integer({ min: -1, max: 1_000_000_000 }),
    fc.constantFrom<unknown>(null, true, false, [], {}, "0", "1.5", "192.168.30.300", "tank/x;rm -rf /"),
);

const setEdit: fc.Arbitrary<Edit> = fc.tuple(fc.constantFrom(...PATHS), anyValue).map(([path, value]) => (inv) => {
    const parent = parentOf(inv, path);
    if (parent) parent[path[path.length - 1]] = structuredClone(value);
});

const deleteEdit: fc.Arbitrary<Edit> = fc.constantFrom(...PATHS).map((path) => (inv) => {
    const parent = parentOf(inv, path);
    const last = path[path.length - 1];
    if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
    else if (parent) delete parent[last];
});

const addEdit: fc.Arbitrary<Edit> = fc
    .tuple(fc.constantFrom(...CONTAINERS), fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 12 })), anyValue)
    .map(([path, key, value]) => (inv) => {
        const container = at(inv, path);
        if (Array.isArray(container)) container.push(structuredClone(value));
        else if (container !== null && typeof container === "object")
            Object.defineProperty(container, key, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
    });

/** Swaps two string values: a guest's node with a dataset's path, a storage with a template, ... */
const swapEdit: fc.Arbitrary<Edit> = fc
    .tuple(fc.constantFrom(...STRING_LEAVES), fc.constantFrom(...STRING_LEAVES))
    .map(([a, b]) => (inv) => {
        const pa = parentOf(inv, a);
        const pb = parentOf(inv, b);
        if (!pa || !pb) return;
        const ka = a[a.length - 1];
        const kb = b[b.length - 1];
        [pa[ka], pb[kb]] = [pb[kb], pa[ka]];
    });

/** Points a string, most often a reference, at another name (the way a copy-paste error does). */
const renameEdit: fc.Arbitrary<Edit> = fc
    .tuple(
        fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...REFERENCE_LEAVES) },
            { weight: 1, arbitrary: fc.constantFrom(...STRING_LEAVES) },
        ),
        fc.oneof(
            { weight: 2, arbitrary: fc.constantFrom(...TRICKY) },
            { weight: 3, arbitrary: fc.constantFrom(...ENTITIES) },
            { weight: 1, arbitrary: fc.constantFrom(...NAMES) },
        ),
    )
    .map(([path, name]) => (inv) => {
        const parent = parentOf(inv, path);
        if (parent) parent[path[path.length - 1]] = name;
    });

const numberEdit: fc.Arbitrary<Edit> = fc
    .tuple(
        fc.constantFrom(...NUMBER_LEAVES),
        fc.oneof(
            fc.integer({ min: -100_000, max: 100_000 }),
            fc.double({ noNaN: false }),
            fc.constantFrom(0, 1, 255, 256, 4094, 4095, 30050, 2 ** 53),
        ),
    )
    .map(([path, n]) => (inv) => {
        const parent = parentOf(inv, path);
        if (parent) parent[path[path.length - 1]] = n;
    });

const edits = fc.array(fc.oneof(setEdit, deleteEdit, addEdit, swapEdit, renameEdit, numberEdit), { minLength: 1, maxLength: 3 });

describe("random edits of the reference stack", () => {
    it("either validate or throw InventoryError with problems by path, never another exception", () => {
        const outcomes = { valid: 0, refused: 0 };
        fc.assert(
            fc.property(edits, (list) => {
                const inv = referenceRaw();
                for (const edit of list) edit(inv);
                try {
                    parseInventory(inv);
                    outcomes.valid++;
                } catch (err) {
                    if (!(err instanceof InventoryError)) throw err;
                    expect(err.problems.length).toBeGreaterThan(0);
                    for (const p of err.problems) {
                        expect(typeof p.path).toBe("string");
                        expect(p.message.length).toBeGreaterThan(0);
                    }
                    outcomes.refused++;
                }
            }),
            { numRuns: 400 },
        );
        // Both outcomes occur, so the property exercises the cross-checks and not only zod.
        expect(outcomes.valid).toBeGreaterThan(0);
        expect(outcomes.refused).toBeGreaterThan(0);
    });

    it("reach the cross-checks with renamed and swapped references and never crash them", () => {
        // Reference edits pass the schema far more often than random values, so the cross-checks run.
        let refusedByCrossChecks = 0;
        fc.assert(
            fc.property(fc.array(fc.oneof(swapEdit, renameEdit), { minLength: 1, maxLength: 2 }), (list) => {
                const inv = referenceRaw();
                for (const edit of list) edit(inv);
                try {
                    parseInventory(inv);
                } catch (err) {
                    if (!(err instanceof InventoryError)) throw err;
                    if (inventorySchema.safeParse(inv).success) refusedByCrossChecks++;
                }
            }),
            { numRuns: 300 },
        );
        expect(refusedByCrossChecks).toBeGreaterThan(0);
    });
});
