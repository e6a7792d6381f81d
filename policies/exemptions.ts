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

const compiled = new Map<string, RegExp>();

/** Whether `name` matches the exemption pattern (`*`, `?`; everything else literal). */
export function matchesPattern(pattern: string, name: string): boolean {
    let re = compiled.get(pattern);
    if (re === undefined) {
        const body = pattern
            .split("")
            .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
            .join("");
        re = new RegExp(`^${body}$`);
        compiled.set(pattern, re);
    }
    return re.test(name);
}

/** The first exemption that covers the resource name, if any. */
export function findExemption(exemptions: readonly Exemption[] | undefined, name: string): Exemption | undefined {
    return (exemptions ?? []).find((e) => matchesPattern(e.resourceName, name));
}
