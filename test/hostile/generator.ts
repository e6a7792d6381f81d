/**
 * The generator of hostile inventories: well over a thousand careless or malicious variants of the
 * reference stack (Pulumi.prod.yaml) and the example stacks, in families (families/*.ts): files,
 * types, missing fields, addresses, paths, datasets, devices, storages, credentials, names, shell
 * values, values at the edges, and seeded edits with fast-check (switches flipped, fields
 * dropped, guests moved, random values anywhere).
 *
 * Each variant knows what it is: `refused` (validate must refuse it), `dangerous` (validate or a
 * mandatory policy must stop it: it must never plan with exit 0) or `free` (anything may happen,
 * but no hang, no exit 3, no stack trace, no secret in any output). Secrets are planted where a
 * careless user puts them (plain stack config, URLs, a private key for a public one, encrypted
 * values, the environment), each a recognisable value the runner looks for in every output.
 * Deterministic for a seed.
 */
import { stringify } from "yaml";
import { boundsFamily } from "./families/bounds";
import { addressesFamily, namesFamily } from "./families/network";
import { datasetsFamily, devicesFamily, pathsFamily, storagesFamily } from "./families/host";
import { credentialsFamily, shellFamily } from "./families/secrets";
import { filesFamily, missingFamily, randomFamily, togglesFamily, typesFamily } from "./families/structure";
import { BASES, Base, Config, Edit, Expectation, loadBase } from "./stacks";

export { BASES };
export { SHELL_PAYLOAD } from "./families/secrets";
export type { Base, Expectation };

export const FAMILIES = [
    "files",
    "types",
    "missing",
    "addresses",
    "paths",
    "datasets",
    "devices",
    "storages",
    "credentials",
    "names",
    "shell",
    "bounds",
    "toggles",
    "random",
] as const;
export type Family = (typeof FAMILIES)[number];

export interface Variant {
    /** `prod/addresses/3`: the base, the family and a number. */
    readonly id: string;
    readonly base: Base;
    readonly family: Family;
    /** What was done, in words. */
    readonly what: string;
    /** The stack file. */
    readonly text: string;
    readonly expect: Expectation;
    /** Where validate must say the problem is (`guests.unifi.ipv4`), when the variant is refused for one reason. */
    readonly path?: string;
    /** Values that must appear in no output. */
    readonly secrets: readonly string[];
    /** A value that must reach no shell command unquoted (the shell family). */
    readonly payload?: string;
    /** Environment variables set while the variant runs (credentials with planted values). */
    readonly env?: Readonly<Record<string, string>>;
    /** The policy configuration of the base (`policies/stacks/<base>.json`). */
    readonly policyConfig: string;
}

/** Options of the generator. */
export interface GeneratorOptions {
    /** The seed of the random choices (types and random families). @default 12 */
    readonly seed?: number;
    /** Random edits per base. @default 40 */
    readonly randomPerBase?: number;
}

/** Every variant, in a stable order: for each base, each family. */
export function generateVariants(options: GeneratorOptions = {}): Variant[] {
    const { seed = 12, randomPerBase = 40 } = options;
    const variants: Variant[] = [];
    for (const [b, name] of BASES.entries()) {
        const base = loadBase(name);
        const families: [Family, Edit[]][] = [
            ["files", filesFamily(base)],
            ["types", typesFamily(base, seed + b)],
            ["missing", missingFamily(base)],
            ["addresses", addressesFamily(base)],
            ["paths", pathsFamily(base)],
            ["datasets", datasetsFamily(base)],
            ["devices", devicesFamily(base)],
            ["storages", storagesFamily(base)],
            ["credentials", credentialsFamily(base)],
            ["names", namesFamily(base)],
            ["shell", shellFamily(base)],
            ["bounds", boundsFamily(base)],
            ["toggles", togglesFamily(base, seed * 17 + b, randomPerBase)],
            ["random", randomFamily(base, seed * 31 + b, randomPerBase)],
        ];
        for (const [family, edits] of families)
            edits.forEach((e, i) => {
                const id = `${name}/${family}/${i}`;
                const secrets: string[] = [];
                const plant = (tag: string) => {
                    const secret = `Hostile-Secret-${tag.replace(/[^A-Za-z0-9]/g, "")}-${variants.length}-${secrets.length}-Zq8`;
                    secrets.push(secret);
                    return secret;
                };
                const doc = structuredClone(base.doc);
                e.edit?.(doc.config as Config, plant);
                // The base's own text when nothing changed its config: its comments and layout stay.
                let text = e.edit === undefined ? base.text : stringify(doc, { lineWidth: 0 });
                if (e.text) text = e.text(text, plant);
                const env = e.env?.(plant);
                variants.push({
                    id,
                    base: name,
                    family,
                    what: e.what,
                    text,
                    expect: e.expect,
                    ...(e.path === undefined ? {} : { path: e.path }),
                    secrets,
                    ...(e.payload === undefined ? {} : { payload: e.payload }),
                    ...(env === undefined ? {} : { env }),
                    policyConfig: base.policyConfig,
                });
            });
    }
    return variants;
}
