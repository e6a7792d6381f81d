/** The raw reference stack and helpers to mutate it, shared by the inventory tests. */
import * as path from "path";
import { InventoryError, InventoryProblem } from "../../config/errors";
import { parseInventory } from "../../config/parse";
import { readStackFile } from "../../config/stackfile";

/**
 * A raw inventory as YAML gives it: untyped on purpose, since the tests write values the
 * schema must refuse.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawInventory = Record<string, any>;

/** Path of the reference stack file at the repository root. */
export const REFERENCE_STACK_FILE = path.join(__dirname, "../..", "Pulumi.prod.yaml");

const REFERENCE: RawInventory = readStackFile(REFERENCE_STACK_FILE).inventory;

/** A deep copy of the raw reference inventory, safe to mutate. */
export function referenceRaw(): RawInventory {
    return structuredClone(REFERENCE);
}

/** A deep copy of the raw reference inventory with one mutation applied. */
export function mutated(mutate: (inv: RawInventory) => void): RawInventory {
    const inv = referenceRaw();
    mutate(inv);
    return inv;
}

/**
 * The problems `parseInventory` reports, as path and message (the entities a problem follows from
 * are tested on their own); fails the test when the inventory is accepted or another error is thrown.
 */
export function problemsOf(raw: unknown): InventoryProblem[] {
    try {
        parseInventory(raw);
    } catch (err) {
        if (err instanceof InventoryError) return err.problems.map(({ path, message }) => ({ path, message }));
        throw err;
    }
    throw new Error("expected the inventory to be refused, but it validated");
}
