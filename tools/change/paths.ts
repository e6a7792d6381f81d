/**
 * Property paths of resource inputs, as Pulumi writes them (`disks[0].fileId`, `connection.host`,
 * `tags["a.b"]`), the structural diff of two input objects, and path matching with `[*]`.
 * Everything here is linear in the size of the inputs it walks.
 */

/** A path: object keys and array indexes; `*` in a pattern matches any index or key. */
export type PathSegments = readonly (string | number)[];

/** One difference between two input objects, at the shallowest path where they differ. */
export interface InputDiff {
    readonly path: PathSegments;
    /** `add`: absent before; `delete`: absent after; `update`: both present, different. */
    readonly kind: "add" | "delete" | "update";
    readonly old: unknown;
    readonly new: unknown;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `disks[0].fileId`: keys that are not identifiers are quoted (`tags["a.b"]`). */
export function formatPath(path: PathSegments): string {
    let out = "";
    for (const seg of path) {
        if (typeof seg === "number") out += `[${seg}]`;
        else if (seg === "*") out += "[*]";
        else if (IDENTIFIER.test(seg)) out += out === "" ? seg : `.${seg}`;
        else out += `[${JSON.stringify(seg)}]`;
    }
    return out;
}

/**
 * Parses `a.b[*].c`, `a[0]`, `a["k.x"]` into segments. One pass over the characters; throws on a
 * malformed path (an unclosed bracket), naming it.
 */
export function parsePath(path: string): PathSegments {
    const out: (string | number)[] = [];
    let i = 0;
    let key = "";
    const flush = () => {
        if (key !== "") out.push(key);
        key = "";
    };
    while (i < path.length) {
        const c = path[i];
        if (c === ".") {
            flush();
            i++;
        } else if (c === "[") {
            flush();
            const close = path[i + 1] === '"' ? path.indexOf('"]', i + 2) : path.indexOf("]", i + 1);
            if (close < 0) throw new Error(`malformed property path "${path}": unclosed [`);
            if (path[i + 1] === '"') {
                out.push(JSON.parse(path.slice(i + 1, close + 1)) as string);
                i = close + 2;
            } else {
                const inner = path.slice(i + 1, close);
                out.push(inner === "*" ? "*" : /^\d+$/.test(inner) ? Number(inner) : inner);
                i = close + 1;
            }
        } else {
            key += c;
            i++;
        }
    }
    flush();
    return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

/**
 * The differences between two input objects: recursing through objects and arrays (element by
 * index), and stopping where one side is absent or the kinds of value differ, so an added disk
 * is one `add` at `disks[1]`, not one per field.
 */
export function diffInputs(oldValue: unknown, newValue: unknown, path: (string | number)[] = [], out: InputDiff[] = []): InputDiff[] {
    if (absent(oldValue) && absent(newValue)) return out;
    if (absent(oldValue)) {
        out.push({ path: [...path], kind: "add", old: undefined, new: newValue });
        return out;
    }
    if (absent(newValue)) {
        out.push({ path: [...path], kind: "delete", old: oldValue, new: undefined });
        return out;
    }
    if (Array.isArray(oldValue) && Array.isArray(newValue)) {
        const n = Math.max(oldValue.length, newValue.length);
        for (let i = 0; i < n; i++) {
            path.push(i);
            diffInputs(oldValue[i], newValue[i], path, out);
            path.pop();
        }
        return out;
    }
    if (isObject(oldValue) && isObject(newValue)) {
        const keys = new Set([...Object.keys(oldValue), ...Object.keys(newValue)]);
        for (const k of [...keys].sort()) {
            path.push(k);
            diffInputs(oldValue[k], newValue[k], path, out);
            path.pop();
        }
        return out;
    }
    if (oldValue !== newValue) out.push({ path: [...path], kind: "update", old: oldValue, new: newValue });
    return out;
}

/** Whether `pattern` (with `*`) covers `path`: equal, or a prefix of it. */
export function covers(pattern: PathSegments, path: PathSegments): boolean {
    if (pattern.length > path.length) return false;
    for (let i = 0; i < pattern.length; i++) {
        if (pattern[i] !== "*" && pattern[i] !== path[i]) return false;
    }
    return true;
}

/** Every value at `path` (with `*` over all elements or keys) below `value`; absent values left out. */
export function valuesAt(value: unknown, path: PathSegments, from = 0, out: unknown[] = []): unknown[] {
    if (absent(value)) return out;
    if (from === path.length) {
        out.push(value);
        return out;
    }
    const seg = path[from];
    if (seg === "*") {
        const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
        for (const child of children) valuesAt(child, path, from + 1, out);
        return out;
    }
    if (Array.isArray(value) && typeof seg === "number") return valuesAt(value[seg], path, from + 1, out);
    if (isObject(value) && typeof seg === "string") return valuesAt(value[seg], path, from + 1, out);
    return out;
}

/**
 * Whether a change at `diff.path` touches `pattern`: the pattern covers the path (the change is
 * at or below it), or the path is above the pattern and the value added or removed there holds
 * something at the rest of the pattern (a new disk that sets `fileId` touches `disks[*].fileId`;
 * one that does not, does not).
 */
export function touches(pattern: PathSegments, diff: InputDiff): boolean {
    if (covers(pattern, diff.path)) return true;
    if (!covers(pattern.slice(0, diff.path.length), diff.path)) return false;
    const rest = pattern.slice(diff.path.length);
    return valuesAt(diff.old, rest).length > 0 || valuesAt(diff.new, rest).length > 0;
}
