/**
 * Parses a raw inventory (plain objects, as YAML or stack config give them) into a typed,
 * cross-checked Inventory, or throws one InventoryError listing every problem. Pure.
 */
import { z } from "zod";
import { crossCheck } from "./crosschecks";
import { InventoryError, InventoryProblem, formatPath } from "./errors";
import {
    Inventory,
    KEY_PATTERN,
    backupsSchema,
    clusterSchema,
    datasetSchema,
    dnsSchema,
    guestSchema,
    imageSchema,
    inventorySchema,
    networkSchema,
    nodeSchema,
    offsiteSchema,
} from "./schema";

/** The raw value at `path`, and whether its parent holds the key at all. */
function lookup(input: unknown, path: readonly PropertyKey[]): { readonly present: boolean; readonly value?: unknown } {
    let node: unknown = input;
    for (const part of path) {
        if (node === null || typeof node !== "object" || !Object.hasOwn(node, part)) return { present: false };
        node = (node as Record<PropertyKey, unknown>)[part];
    }
    return { present: true, value: node };
}

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

/** What a failed check wants, in words; undefined keeps the message the schema gave. */
function want(issue: z.core.$ZodIssue): string | undefined {
    // Only zod's own wording is rewritten; messages written in the schema already say the fix.
    if (!/^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid discriminator)/.test(issue.message)) return undefined;
    switch (issue.code) {
        case "invalid_type":
            return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
        case "invalid_value":
            return issue.values.length === 1
                ? `must be ${JSON.stringify(issue.values[0])}`
                : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "invalid_union":
            return `must be ${((issue as { options?: unknown[] }).options ?? []).map((o) => JSON.stringify(o)).join(" or ")}`;
        case "too_small":
        case "too_big": {
            const small = issue.code === "too_small";
            const bound = Number(small ? issue.minimum : issue.maximum);
            const inclusive = issue.inclusive !== false;
            if (issue.origin === "array") return `must have ${small ? "at least" : "at most"} ${bound} item${bound === 1 ? "" : "s"}`;
            if (issue.origin === "string")
                return `must be ${small ? "at least" : "at most"} ${bound} character${bound === 1 ? "" : "s"} long`;
            if (inclusive) return `must be ${small ? "at least" : "at most"} ${bound}`;
            return `must be ${small ? "greater" : "less"} than ${bound}`;
        }
        case "invalid_format":
            return "pattern" in issue && issue.pattern ? `must match ${issue.pattern}` : undefined;
        default:
            return undefined;
    }
}

/** The message of one zod issue: what is wrong, what to write instead and, where it helps, the value found. */
function describe(issue: z.core.$ZodIssue, path: readonly PropertyKey[], input: unknown): string {
    if (issue.code === "invalid_key" && issue.issues.length > 0) {
        return `invalid key: ${issue.issues.map((i) => i.message).join("; ")}`;
    }
    const wanted = want(issue) ?? issue.message;
    if (input === undefined) return wanted;
    const found = lookup(input, path);
    if (!found.present) return `is required: ${wanted.replace(/^must be /, "set it to ").replace(/^must /, "it must ")}`;
    // A list or mapping is worth naming only when its type is the problem.
    if (found.value !== null && typeof found.value === "object" && issue.code !== "invalid_type") return wanted;
    return `${wanted}, got ${show(found.value)}`;
}

/** Collects problems from zod issues, descending into unions (each reports its closest branch). */
function collect(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[], input: unknown, out: InventoryProblem[]): void {
    for (const issue of issues) {
        const path = [...prefix, ...issue.path];
        if (issue.code === "invalid_union" && issue.errors.length > 0 && !issue.message.startsWith("Invalid input")) {
            // The schema gave the union its own message (alternatives of one value): it says it best.
            out.push({ path: formatPath(path), message: describe(issue, path, input) });
            continue;
        }
        if (issue.code === "invalid_union" && issue.errors.length > 0) {
            // Report the branch that got furthest: the one with the fewest issues.
            const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
            collect(best, path, input, out);
            continue;
        }
        if (issue.code === "unrecognized_keys") {
            // One problem per key, at the key itself, so the path points at the typo.
            for (const k of issue.keys) out.push({ path: formatPath([...path, k]), message: `unknown key; remove it or fix the spelling` });
            continue;
        }
        out.push({ path: formatPath(path), message: describe(issue, path, input) });
    }
}

/**
 * Turns zod issues into problems with dotted paths. Unions report their closest branch; with the
 * raw `input`, a missing field says "is required".
 */
export function zodProblems(error: z.ZodError, input?: unknown): InventoryProblem[] {
    const out: InventoryProblem[] = [];
    collect(error.issues, [], input, out);
    return out;
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

const ENTITY_SECTIONS = {
    networks: networkSchema,
    nodes: nodeSchema,
    images: imageSchema,
    datasets: datasetSchema,
    guests: guestSchema,
} as const;
const OPTIONAL_SECTIONS = { dns: dnsSchema, backups: backupsSchema, offsite: offsiteSchema } as const;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** What could be salvaged from an inventory the schema refused, and what had to be left out. */
interface Salvage {
    readonly inventory: Inventory;
    /** Keys of entities that did not parse (guest, node, network, image and dataset names). */
    readonly brokenKeys: ReadonlySet<string>;
    /** VLAN ids of networks that did not parse. */
    readonly brokenVlans: ReadonlySet<number>;
    /** Optional sections (dns, backups, offsite) that did not parse. */
    readonly brokenSections: ReadonlySet<string>;
}

/**
 * Keeps every entity that parses on its own, so the cross-checks can still run over them after
 * the schema refused the inventory. Undefined when too little parses to check anything (no
 * cluster, or no map of nodes, networks or guests).
 */
function salvage(raw: unknown): Salvage | undefined {
    if (!isRecord(raw)) return undefined;
    const cluster = clusterSchema.safeParse(raw.cluster);
    if (!cluster.success) return undefined;
    const brokenKeys = new Set<string>();
    const brokenVlans = new Set<number>();
    const brokenSections = new Set<string>();
    const sections: Record<string, Record<string, unknown>> = {};
    for (const [section, schema] of Object.entries(ENTITY_SECTIONS)) {
        const value = raw[section] ?? (section === "images" || section === "datasets" ? {} : undefined);
        if (!isRecord(value)) return undefined;
        const kept: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const parsed = schema.safeParse(v);
            const keyOk = section === "datasets" || KEY_PATTERN.test(k);
            if (parsed.success && keyOk) kept[k] = parsed.data;
            else {
                brokenKeys.add(k);
                if (section === "networks" && isRecord(v) && typeof v.vlan === "number") brokenVlans.add(v.vlan);
            }
        }
        sections[section] = kept;
    }
    const optional: Record<string, unknown> = {};
    for (const [section, schema] of Object.entries(OPTIONAL_SECTIONS)) {
        if (raw[section] === undefined) continue;
        const parsed = schema.safeParse(raw[section]);
        if (parsed.success) optional[section] = parsed.data;
        else brokenSections.add(section);
    }
    const inventory = { cluster: cluster.data, ...sections, ...optional } as unknown as Inventory;
    return { inventory, brokenKeys, brokenVlans, brokenSections };
}

/** Whether `word` occurs in `text` with no letter, digit or `_` right before or after it (as `\b` would say). */
function containsWord(text: string, word: string): boolean {
    const isWordChar = (c: string | undefined) => c !== undefined && /\w/.test(c);
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
        if (!isWordChar(text[at - 1]) && !isWordChar(text[at + word.length])) return true;
    }
    return false;
}

/** True when a cross-check problem only follows from an entity the schema already refused. */
function followsFromBroken(problem: InventoryProblem, s: Salvage): boolean {
    for (const k of s.brokenKeys) if (problem.message.includes(`"${k}"`)) return true;
    for (const vlan of s.brokenVlans) if (containsWord(problem.message, `VLAN ${vlan}`)) return true;
    for (const section of s.brokenSections) {
        if (problem.path === section || problem.path.startsWith(`${section}.`)) return true;
        if (problem.message.includes(`${section} section`)) return true;
    }
    return false;
}

/**
 * Validates a raw inventory. Throws one InventoryError with every problem, the schema's and the
 * cross-checks' (run over the entities that parsed when the schema refused others); returns the
 * typed inventory.
 */
export function parseInventory(raw: unknown, source = "inventory"): Inventory {
    const reserved: InventoryProblem[] = [];
    reservedKeyProblems(raw, [], reserved);
    if (reserved.length > 0) throw new InventoryError(reserved, source);
    const result = inventorySchema.safeParse(raw);
    if (!result.success) {
        const problems = zodProblems(result.error, raw);
        const partial = salvage(raw);
        if (partial) {
            const seen = new Set(problems.map((p) => `${p.path}\u0000${p.message}`));
            for (const p of crossCheck(partial.inventory)) {
                if (!followsFromBroken(p, partial) && !seen.has(`${p.path}\u0000${p.message}`)) problems.push(p);
            }
        }
        throw new InventoryError(problems, source);
    }
    const problems = crossCheck(result.data);
    if (problems.length > 0) throw new InventoryError(problems, source);
    return result.data;
}
