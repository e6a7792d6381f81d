/** One problem of an inventory: where it is and what is wrong (with the fix). */
export interface InventoryProblem {
    /** Dotted path into the inventory, e.g. `guests.photos.disk.storage`. */
    readonly path: string;
    readonly message: string;
    /**
     * The entities the problem follows from, as `entityRef` paths (`nodes.pve-storage`,
     * `guests.photos`, `networks.services`, or a whole section: `backups`). A cross-check problem
     * is dropped when the schema refused one of them, so a refused entity causes no follow-on errors.
     */
    readonly refs?: readonly string[];
    /** 1-based line of the key or value the path points at in the stack file (its nearest existing ancestor when missing). */
    readonly line?: number;
    /** 1-based column, with `line`. */
    readonly column?: number;
}

/** One problem as a line: `Pulumi.prod.yaml:123:7: guests.photos.disk.storage: ...`, or `  - path: ...` without a position. */
export function formatProblem(problem: InventoryProblem, source: string): string {
    const where = problem.path || "(root)";
    if (problem.line !== undefined) return `${source}:${problem.line}:${problem.column ?? 1}: ${where}: ${problem.message}`;
    return `  - ${where}: ${problem.message}`;
}

/**
 * The single error an invalid inventory raises: it lists every problem, zod's and the
 * cross-checks', so one run shows everything to fix. Nothing is registered when it is thrown.
 */
export class InventoryError extends Error {
    readonly problems: readonly InventoryProblem[];
    /** What was read: the stack file's name, or "stack config". */
    readonly source: string;

    constructor(problems: readonly InventoryProblem[], source = "inventory") {
        super(
            `${source} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => formatProblem(p, source)).join("\n"),
        );
        this.name = "InventoryError";
        this.problems = problems;
        this.source = source;
    }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Formats a zod/JS path as `guests.photos.disks[0].storage` (keys that are no identifier in brackets: `datasets["tank/photos"]`). */
export function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else if (typeof part === "string" && IDENTIFIER.test(part)) out += out ? `.${part}` : part;
        else out += `[${JSON.stringify(String(part))}]`;
    }
    return out;
}

/** The path of an entity (`nodes.pve-storage`, `datasets["tank/photos"]`) or a section (`backups`), for `InventoryProblem.refs`. */
export function entityRef(section: string, key?: string): string {
    return formatPath(key === undefined ? [section] : [section, key]);
}

/**
 * The inverse of formatPath: `guests.photos.disks[0].storage` → `["guests", "photos", "disks", 0,
 * "storage"]`. One pass over the text; undefined when it is not a path formatPath writes.
 */
export function parsePath(text: string): (string | number)[] | undefined {
    const out: (string | number)[] = [];
    let i = 0;
    while (i < text.length) {
        if (text[i] === "[") {
            if (text[i + 1] === '"') {
                // A JSON string up to the closing quote that is not escaped, then "]".
                let j = i + 2;
                while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
                if (text[j + 1] !== "]") return undefined;
                try {
                    out.push(JSON.parse(text.slice(i + 1, j + 1)) as string);
                } catch {
                    return undefined;
                }
                i = j + 2;
            } else {
                const close = text.indexOf("]", i);
                const digits = close < 0 ? "" : text.slice(i + 1, close);
                if (!/^\d+$/.test(digits)) return undefined;
                out.push(Number(digits));
                i = close + 1;
            }
        } else {
            if (out.length > 0) {
                if (text[i] !== ".") return undefined;
                i++;
            }
            let j = i;
            while (j < text.length && text[j] !== "." && text[j] !== "[") j++;
            const name = text.slice(i, j);
            if (!IDENTIFIER.test(name)) return undefined;
            out.push(name);
            i = j;
        }
    }
    return out;
}
