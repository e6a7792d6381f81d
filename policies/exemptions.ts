/**
 * Exemptions: configuration, not edits to a rule. Every rule accepts
 * `exemptions: [{ resourceName, reason }]` in its policy config; `resourceName` is a pattern over
 * the resource's name (`*` any run of characters, `?` one character, anchored at both ends) and
 * `reason` is mandatory (the config schema requires a non-empty one, so the engine and the
 * offline runner both refuse an exemption without it).
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export interface Exemption {
    /** Pattern over the resource name: `*` any run of characters, `?` one character. */
    readonly resourceName: string;
    /** Why the rule does not apply to these resources (shown by the offline plan). */
    readonly reason: string;
}

/** The JSON schema of the `exemptions` property every rule's config has. */
export const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema = {
    type: "array",
    description: "Resources this rule does not apply to, each with the reason.",
    items: {
        type: "object",
        properties: {
            resourceName: { type: "string", minLength: 1, description: "Pattern over the resource name (`*` and `?` wildcards)." },
            reason: { type: "string", minLength: 1, pattern: "\\S", description: "Why the rule does not apply; required." },
        },
        required: ["resourceName", "reason"],
        additionalProperties: false,
    },
    default: [],
};

/** Whether `chunk` (no `*`; `?` any one character) matches `name` at `at`. */
function chunkAt(chunk: string, name: string, at: number): boolean {
    if (at + chunk.length > name.length) return false;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] !== "?" && chunk[i] !== name[at + i]) return false;
    return true;
}

/**
 * Whether `name` matches the exemption pattern (`*` any run of characters, `?` one character,
 * everything else literal, anchored at both ends). Plain code, not a RegExp: a pattern of several
 * `*` compiled to `.*.*` backtracks polynomially. The pieces between stars are matched leftmost, in
 * order, which is exact for `*` globs: at most |pattern| × |name| steps.
 */
export function matchesPattern(pattern: string, name: string): boolean {
    const chunks = pattern.split("*");
    const first = chunks[0];
    if (chunks.length === 1) return first.length === name.length && chunkAt(first, name, 0);
    const last = chunks[chunks.length - 1];
    if (first.length + last.length > name.length) return false;
    if (!chunkAt(first, name, 0) || !chunkAt(last, name, name.length - last.length)) return false;
    let at = first.length;
    const end = name.length - last.length;
    for (const chunk of chunks.slice(1, -1)) {
        while (at + chunk.length <= end && !chunkAt(chunk, name, at)) at++;
        if (at + chunk.length > end) return false;
        at += chunk.length;
    }
    return true;
}

/** The first exemption that covers the resource name, if any. */
export function findExemption(exemptions: readonly Exemption[] | undefined, name: string): Exemption | undefined {
    return (exemptions ?? []).find((e) => matchesPattern(e.resourceName, name));
}
