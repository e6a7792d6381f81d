/**
 * docs/inventory.md stays honest: every key of the zod schema (walked through its JSON Schema,
 * every branch of every union) has a row in the reference, every row names a key the schema has,
 * each row's default cell states the schema's default (or says required), every credential is
 * listed with its environment variable, and every YAML example parses with its section's schema.
 * A new key without documentation fails here.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { inventorySchema } from "../../config/schema";
import { CREDENTIAL_ENV, CREDENTIAL_KEYS, PROJECT } from "../../config/stackfile";

const DOC_FILE = path.join(__dirname, "../../docs/inventory.md");
const DOC = fs.readFileSync(DOC_FILE, "utf8");

/** The placeholder each record's key has in the reference (`guests.<name>.node`). */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
    networks: "<name>",
    nodes: "<name>",
    storages: "<id>",
    "mappings.pci": "<name>",
    "mappings.usb": "<name>",
    images: "<key>",
    datasets: "<path>",
    guests: "<name>",
    ha: "<name>",
    "dns.records": "<key>",
    "backups.tiers": "<tier>",
};

type Json = Record<string, unknown>;

/** A key of the schema: how often it appears (one per union branch), how often required, its defaults. */
interface KeyInfo {
    present: number;
    required: number;
    readonly defaults: Set<string>;
}

/** Every key path of the inventory, from its JSON Schema: records as `<placeholder>`, list items as `[]`. */
function schemaKeys(): Map<string, KeyInfo> {
    const root = z.toJSONSchema(inventorySchema, { io: "input", unrepresentable: "any" }) as Json;
    const defs = ((root.$defs ?? root.definitions) as Record<string, Json> | undefined) ?? {};
    const keys = new Map<string, KeyInfo>();
    const walk = (schema: Json | undefined, at: string): void => {
        if (schema === undefined || typeof schema !== "object") return;
        if (typeof schema.$ref === "string") return walk(defs[schema.$ref.split("/").pop()!], at);
        for (const union of ["anyOf", "oneOf", "allOf"]) for (const branch of (schema[union] as Json[] | undefined) ?? []) walk(branch, at);
        const required = new Set((schema.required as string[] | undefined) ?? []);
        for (const [name, sub] of Object.entries((schema.properties as Record<string, Json> | undefined) ?? {})) {
            const p = at === "" ? name : `${at}.${name}`;
            const info = keys.get(p) ?? { present: 0, required: 0, defaults: new Set<string>() };
            info.present++;
            if (required.has(name)) info.required++;
            if (["string", "number", "boolean"].includes(typeof sub.default)) info.defaults.add(String(sub.default));
            keys.set(p, info);
            walk(sub, p);
        }
        if (schema.additionalProperties !== null && typeof schema.additionalProperties === "object")
            walk(schema.additionalProperties as Json, `${at}.${PLACEHOLDERS[at] ?? "<key>"}`);
        if (schema.items !== null && typeof schema.items === "object") walk(schema.items as Json, `${at}[]`);
    };
    walk(root, "");
    return keys;
}

/** The header of a table of keys. */
const KEY_TABLE = "| key | what it is | allowed | default | example |";

/** The rows of the tables of keys: `| \`path\` | what | allowed | default | example |`, by path (a path may have several rows). */
function docRows(): Map<string, string[][]> {
    const rows = new Map<string, string[][]>();
    let inTable = false;
    for (const line of DOC.split("\n")) {
        if (line === KEY_TABLE) inTable = true;
        else if (!line.startsWith("|")) inTable = false;
        if (!inTable || !line.startsWith("| `")) continue;
        const cells = line.split(" | ").map((c) => c.replace(/^\| ?| ?\|$/g, "").trim());
        const key = /^`([^`]+)`$/.exec(cells[0])?.[1];
        if (key === undefined) continue;
        rows.set(key, [...(rows.get(key) ?? []), cells]);
    }
    return rows;
}

const KEYS = schemaKeys();
const ROWS = docRows();

describe("docs/inventory.md", () => {
    it("has a row for every key of the schema (a new key needs its documentation)", () => {
        expect(KEYS.size).toBeGreaterThan(250);
        expect([...KEYS.keys()].filter((k) => !ROWS.has(k))).toEqual([]);
    });

    it("documents no key the schema does not have (a removed key leaves no stale row)", () => {
        expect([...ROWS.keys()].filter((k) => !KEYS.has(k))).toEqual([]);
    });

    it("gives every row the five cells: key, what it is, allowed values, default, example", () => {
        const bad = [...ROWS.entries()].flatMap(([k, rows]) =>
            rows.filter((cells) => cells.length !== 5 || cells.some((c) => c === "")).map(() => k),
        );
        expect(bad).toEqual([]);
    });

    it("states the schema's default of every key that has one, and says required where every form requires the key", () => {
        const wrong: string[] = [];
        for (const [key, info] of KEYS) {
            const defaults = (ROWS.get(key) ?? []).map((cells) => cells[3]).join(" ");
            for (const d of info.defaults) if (!defaults.includes(`\`${d}\``)) wrong.push(`${key}: default ${d}`);
            if (info.required === info.present && info.defaults.size === 0 && !defaults.includes("required"))
                wrong.push(`${key}: required`);
        }
        expect(wrong).toEqual([]);
    });

    it("lists every credential with its secret config key and its environment variable", () => {
        for (const key of CREDENTIAL_KEYS) {
            expect(DOC).toContain(`\`${PROJECT}:${key}\``);
            expect(DOC).toContain(`\`${CREDENTIAL_ENV[key]}\``);
        }
    });

    it("has YAML examples that each parse with the schema of their section", () => {
        const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
        const sections = inventorySchema.shape as Record<string, z.ZodType>;
        const seen = new Set<string>();
        for (const block of blocks) {
            for (const doc of parseAllDocuments(block)) {
                expect(doc.errors).toEqual([]);
                const config = (doc.toJS() as { config?: Record<string, unknown> }).config ?? {};
                for (const [fullKey, value] of Object.entries(config)) {
                    const section = fullKey.replace(`${PROJECT}:`, "");
                    if (!(section in sections)) continue;
                    seen.add(section);
                    const result = sections[section].safeParse(value);
                    expect([fullKey, result.success ? "ok" : result.error.issues]).toEqual([fullKey, "ok"]);
                }
            }
        }
        // Every section has at least one example.
        expect([...seen].sort()).toEqual(Object.keys(sections).sort());
    });
});
