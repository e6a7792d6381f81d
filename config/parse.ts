/**
 * Parses a raw inventory (plain objects, as YAML or stack config give them) into a typed,
 * cross-checked Inventory, or throws one InventoryError listing every problem. Pure.
 *
 * Messages: where the schema words a check itself, its words stand; everywhere else zod's
 * wording is replaced through zod's error customisation (an error map passed to this parse only)
 * by what the value must be. Each problem then says what was found: `got "2"`, or that the key is
 * missing. Unknown keys get a "did you mean" from the keys of their object.
 */
import { z } from "zod";
import { crossCheck } from "./crosschecks";
import { InventoryError, InventoryProblem, entityRef, formatPath, parsePath } from "./errors";
import { Inventory, inventorySchema } from "./schema";
import { closestMatch } from "./suggest";

/** A short rendering of a raw value for messages: `"2"`, `-4`, `null`, `a list`, `a mapping`. */
function show(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value !== null && typeof value === "object") return "a mapping";
    const text = typeof value === "string" ? JSON.stringify(value) : String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
    object: "a mapping",
    record: "a mapping",
    array: "a list",
    string: "a string",
    number: "a number",
    int: "an integer",
    boolean: "true or false",
};

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * What the error map leaves for `collect`, keyed by arrays zod copies by reference from the raw
 * issue into the reported one (the issue objects themselves are copied).
 */
interface Notes {
    /** Unions the schema gave no message of its own: report their closest branch instead. */
    readonly descend: WeakSet<readonly unknown[]>;
    /** Unknown keys (the issue's `keys`) → the keys their object knows. */
    readonly knownKeys: WeakMap<readonly string[], readonly string[]>;
}

/** What a failed check wants, in words, for the checks the schema leaves to zod. */
function errorMap(notes: Notes): z.core.$ZodErrorMap {
    return (issue) => {
        switch (issue.code) {
            case "invalid_type":
                return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
            case "invalid_value":
                return issue.values.length === 1
                    ? `must be ${JSON.stringify(issue.values[0])}`
                    : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
            case "invalid_union": {
                if (issue.errors.length > 0) {
                    notes.descend.add(issue.errors);
                    return "matches none of the allowed forms";
                }
                const options = (issue as { options?: unknown[] }).options ?? [];
                const wanted = `must be ${options.map((o) => JSON.stringify(o)).join(" or ")}`;
                // A discriminator: the issue's input is the whole object, its path the discriminator.
                const discriminator = (issue as { discriminator?: string }).discriminator;
                if (discriminator === undefined || !isRecord(issue.input)) return wanted;
                const found = issue.input[discriminator];
                return found === undefined ? `is required: ${wanted}` : `${wanted}, got ${show(found)}`;
            }
            case "too_small":
            case "too_big": {
                const small = issue.code === "too_small";
                const bound = Number(small ? issue.minimum : issue.maximum);
                if (issue.origin === "array") return `must have ${small ? "at least" : "at most"} ${bound} item${bound === 1 ? "" : "s"}`;
                if (issue.origin === "string")
                    return `must be ${small ? "at least" : "at most"} ${bound} character${bound === 1 ? "" : "s"} long`;
                if (issue.inclusive !== false) return `must be ${small ? "at least" : "at most"} ${bound}`;
                return `must be ${small ? "greater" : "less"} than ${bound}`;
            }
            case "invalid_format":
                return issue.format === "regex" && issue.pattern ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
            case "unrecognized_keys": {
                const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
                notes.knownKeys.set(issue.keys, shape ? Object.keys(shape) : []);
                return `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}`;
            }
            case "invalid_key":
                return `invalid key: ${issue.issues.map((i) => i.message).join("; ")}`;
            default:
                return undefined;
        }
    };
}

/** The message of one issue with what was found: `..., got "2"`, or `is required: ...` for a missing key. */
function withFound(issue: z.core.$ZodIssue): string {
    if (!("input" in issue) || issue.code === "invalid_key") return issue.message;
    if (issue.input === undefined) return `is required: ${issue.message}`;
    // A list or mapping is worth naming only when its type is the problem.
    if (isRecord(issue.input) || (Array.isArray(issue.input) && issue.code !== "invalid_type")) return issue.message;
    return `${issue.message}, got ${show(issue.input)}`;
}

/** A problem while collecting: whether it says a key is missing (which a "did you mean" may explain). */
interface Collected extends InventoryProblem {
    readonly missing?: boolean;
    /** For an unknown key: the path of the known key it is likely a typo of. */
    readonly meant?: string;
}

/** Collects problems from zod issues, descending into unions (each reports its closest branch). */
function collect(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[], notes: Notes, out: Collected[]): void {
    for (const issue of issues) {
        const path = [...prefix, ...issue.path];
        if (issue.code === "invalid_union" && notes.descend.has(issue.errors)) {
            // Report the branch that got furthest: the one with the fewest issues.
            const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
            collect(best, path, notes, out);
            continue;
        }
        if (issue.code === "unrecognized_keys") {
            // One problem per key, at the key itself, so the path points at the typo.
            const known = notes.knownKeys.get(issue.keys) ?? [];
            for (const k of issue.keys) {
                const match = closestMatch(k, known);
                out.push(
                    match === undefined
                        ? { path: formatPath([...path, k]), message: "unknown key; remove it or fix the spelling" }
                        : {
                              path: formatPath([...path, k]),
                              message: `unknown key; did you mean "${match}"?`,
                              meant: formatPath([...path, match]),
                          },
                );
            }
            continue;
        }
        out.push({ path: formatPath(path), message: withFound(issue), missing: "input" in issue && issue.input === undefined });
    }
}

/**
 * The problems to report: a key that is missing because it is misspelt beside it (`coress` for
 * `cores`) is one problem, the unknown key's "did you mean", not two.
 */
function explained(collected: readonly Collected[]): InventoryProblem[] {
    const meant = new Set(collected.flatMap((p) => (p.meant === undefined ? [] : [p.meant])));
    return collected.filter((p) => !(p.missing && meant.has(p.path))).map(({ path, message }) => ({ path, message }));
}

/** Parses `raw` with `schema`; on failure, the problems in this module's wording, their paths under `prefix`. */
function parseWithProblems<T extends z.ZodType>(
    schema: T,
    raw: unknown,
    prefix: readonly PropertyKey[] = [],
): { success: true; data: z.infer<T> } | { success: false; problems: InventoryProblem[] } {
    const notes: Notes = { descend: new WeakSet(), knownKeys: new WeakMap() };
    const result = schema.safeParse(raw, { error: errorMap(notes), reportInput: true });
    if (result.success) return { success: true, data: result.data };
    const collected: Collected[] = [];
    collect(result.error.issues, prefix, notes, collected);
    return { success: false, problems: explained(collected) };
}

/** Keys that would set an object's prototype instead of holding data: refused anywhere in the inventory. */
const RESERVED_KEYS = ["__proto__"];

function reservedKeyProblems(value: unknown, path: PropertyKey[], out: InventoryProblem[]): void {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
        value.forEach((v, i) => reservedKeyProblems(v, [...path, i], out));
        return;
    }
    for (const [k, v] of Object.entries(value)) {
        if (RESERVED_KEYS.includes(k)) out.push({ path: formatPath([...path, k]), message: `"${k}" is a reserved key; rename it` });
        else reservedKeyProblems(v, [...path, k], out);
    }
}

/** The schema of a section without its `.optional()` and `.default()` wrappers. */
function unwrapped(schema: z.ZodType): z.ZodType {
    let s: z.ZodType = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    return s;
}

/** What could be salvaged from an inventory the schema refused, and what had to be left out. */
interface Salvage {
    readonly inventory: Inventory;
    /** Entities (`guests.photos`) and sections (`backups`) that did not parse: `entityRef` paths. */
    readonly refused: ReadonlySet<string>;
}

/**
 * Keeps every entity that parses on its own, so the cross-checks can still run over them after
 * the schema refused the inventory: each entry of a map section (networks, nodes, guests, ...)
 * alone, every other section whole. Undefined when too little parses to check anything (a
 * required section that is refused or, for a map, not a mapping). Reads the sections from the
 * schema, so a new section needs no change here.
 */
function salvage(raw: unknown): Salvage | undefined {
    if (!isRecord(raw)) return undefined;
    const refused = new Set<string>();
    const inventory: Record<string, unknown> = {};
    for (const [section, wrapped] of Object.entries(inventorySchema.shape) as [string, z.ZodType][]) {
        const schema = unwrapped(wrapped);
        const value = Object.hasOwn(raw, section) ? raw[section] : undefined;
        // What the section is when left out: its default, undefined when optional; a failure when required.
        const absent = wrapped.safeParse(undefined);
        if (schema instanceof z.ZodRecord && isRecord(value)) {
            const keyType = schema.keyType as z.ZodType;
            const valueType = schema.valueType as z.ZodType;
            const kept: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(value)) {
                const parsed = valueType.safeParse(v);
                if (parsed.success && keyType.safeParse(k).success) kept[k] = parsed.data;
                else refused.add(entityRef(section, k));
            }
            inventory[section] = kept;
            continue;
        }
        const parsed = wrapped.safeParse(value);
        if (parsed.success) {
            if (parsed.data !== undefined) inventory[section] = parsed.data;
        } else if (!absent.success) {
            return undefined;
        } else {
            // Refused whole: checked as if left out, and every reference into it dropped.
            refused.add(entityRef(section));
            if (absent.data !== undefined) inventory[section] = absent.data;
        }
    }
    return { inventory: inventory as Inventory, refused };
}

/**
 * True when `ref` or an entity or section it lies in was refused (`mappings` covers
 * `mappings.pci.gpu`), or `ref` is a bare section (`nodes`: the check counted its entities) in which
 * an entity was refused.
 */
function isRefused(ref: string, refused: ReadonlySet<string>, refusedSections: ReadonlySet<string>): boolean {
    const parts = parsePath(ref);
    if (parts === undefined) return refused.has(ref);
    if (parts.length === 1 && refusedSections.has(String(parts[0]))) return true;
    for (let n = 1; n <= parts.length; n++) if (refused.has(formatPath(parts.slice(0, n)))) return true;
    return false;
}

/**
 * Validates a raw inventory. Throws one InventoryError with every problem, the schema's and the
 * cross-checks' (run over the entities that parsed when the schema refused others, leaving out
 * the problems that follow from a refused entity); returns the typed inventory.
 */
export function parseInventory(raw: unknown, source = "inventory"): Inventory {
    const reserved: InventoryProblem[] = [];
    reservedKeyProblems(raw, [], reserved);
    if (reserved.length > 0) throw new InventoryError(reserved, source);
    const result = parseWithProblems(inventorySchema, raw);
    if (!result.success) {
        const problems = result.problems;
        const partial = salvage(raw);
        if (partial) {
            const seen = new Set(problems.map((p) => `${p.path}\u0000${p.message}`));
            // Sections with a refused entity: a check that counted a section's entities follows from it.
            const refusedSections = new Set([...partial.refused].map((r) => String(parsePath(r)?.[0] ?? r)));
            for (const p of crossCheck(partial.inventory)) {
                if ((p.refs ?? []).some((r) => isRefused(r, partial.refused, refusedSections))) continue;
                if (!seen.has(`${p.path}\u0000${p.message}`)) problems.push(p);
            }
        }
        throw new InventoryError(problems, source);
    }
    const problems = crossCheck(result.data);
    if (problems.length > 0) throw new InventoryError(problems, source);
    return result.data;
}
