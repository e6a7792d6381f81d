/** One problem of an inventory: where it is and what is wrong (with the fix). */
export interface InventoryProblem {
    /** Dotted path into the inventory, e.g. `guests.photos.disk.storage`. */
    readonly path: string;
    readonly message: string;
    /**
     * Entities the problem follows from (`nodes.pve-storage`, `guests.photos`, `backups`): when the
     * schema refused one of them, the problem is a follow-on and is dropped.
     */
    readonly refs?: readonly string[];
}

/**
 * The single error an invalid inventory raises: it lists every problem, zod's and the
 * cross-checks', so one run shows everything to fix. Nothing is registered when it is thrown.
 */
export class InventoryError extends Error {
    readonly problems: readonly InventoryProblem[];

    constructor(problems: readonly InventoryProblem[], source = "inventory") {
        super(
            `${source} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.path || "(root)"}: ${p.message}`).join("\n"),
        );
        this.name = "InventoryError";
        this.problems = problems;
    }
}

/** Formats a zod/JS path as `guests.photos.disks[0].storage`. */
export function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else if (typeof part === "string" && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out ? `.${part}` : part;
        else out += `[${JSON.stringify(String(part))}]`;
    }
    return out;
}
