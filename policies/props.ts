/**
 * Small readers for resource properties. Rules receive plain JSON-like inputs (during a real
 * preview wrapped in the SDK's unknown-checking proxy); these narrow a value without trusting its
 * type, so a hand-written resource with an odd shape is read as "missing", never crashes a rule.
 */

export type Props = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Props {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The object at `value`, or undefined. */
export function record(value: unknown): Props | undefined {
    return isRecord(value) ? value : undefined;
}

/** The array at `value` (empty when absent or not an array). */
function list(value: unknown): readonly unknown[] {
    return Array.isArray(value) ? value : [];
}

/** The objects of the array at `value`. */
export function records(value: unknown): Props[] {
    return list(value).filter(isRecord);
}

export function str(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** A number, also from a numeric string (some SDKs JSON-encode non-string inputs). */
export function num(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
    return undefined;
}

/** A boolean, also from "true"/"false". */
export function bool(value: unknown): boolean | undefined {
    if (typeof value === "boolean") return value;
    if (value === "true") return true;
    if (value === "false") return false;
    return undefined;
}

/** The strings of the array at `value`. */
export function strings(value: unknown): string[] {
    return list(value).filter((v): v is string => typeof v === "string");
}
