/**
 * The stack file the cluster reader writes: the inventory as YAML under `config:`, each note as a
 * comment above the key it is about, a header saying where it came from and what to run next.
 * Small maps and lists of plain values are written inline, as the example stacks have them.
 */
import { Document, Node, YAMLMap, YAMLSeq, isMap, isScalar, isSeq } from "yaml";
import { NOTE_PREFIX, Note } from "./notes";
import { ReadError } from "./types";

/** Values YAML 1.1 readers take for booleans or null: written quoted. */
const AMBIGUOUS = /^(?:on|off|yes|no|y|n|true|false|null|~)$/i;

/** Whether a string would be read as something else by a YAML 1.1 reader (`off`, or `02:30`, a sexagesimal number there). */
function ambiguous(value: string): boolean {
    return AMBIGUOUS.test(value) || (/^\d[\d:.]*$/.test(value) && value.includes(":"));
}

/** Wraps a comment at about 100 columns (comments are prose: words only). */
export function wrap(text: string, width = 100): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
        if (line !== "" && line.length + 1 + word.length > width) {
            lines.push(line);
            line = `  ${word}`;
        } else line = line === "" ? word : `${line} ${word}`;
    }
    if (line !== "") lines.push(line);
    return lines;
}

/** A copy without undefined values (YAML would write them as null). */
function clean(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(clean);
    if (value !== null && typeof value === "object")
        return Object.fromEntries(
            Object.entries(value as Record<string, unknown>)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, clean(v)]),
        );
    return value;
}

/** The node a note's path names, or its nearest ancestor that exists, and whether to comment its key. */
function locate(doc: Document, path: readonly (string | number)[]): Node | undefined {
    const config = doc.get("config", true) as YAMLMap;
    const [section, ...rest] = path;
    let pair = config.items.find((p) => isScalar(p.key) && p.key.value === `homelab:${String(section)}`);
    if (pair === undefined) return undefined;
    let target: Node = pair.key as Node;
    let node: unknown = pair.value;
    for (const segment of rest) {
        if (isMap(node)) {
            const next = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
            if (next === undefined) break;
            pair = next;
            target = next.key as Node;
            node = next.value;
        } else if (isSeq(node) && typeof segment === "number" && segment < node.items.length) {
            target = node.items[segment] as Node;
            node = target;
        } else break;
    }
    return target;
}

/** Inline style for maps and lists of scalars without comments. */
function inline(node: unknown): void {
    if (isMap(node) || isSeq(node)) {
        for (const item of node.items) {
            if (isMap(node)) inline((item as { value: unknown }).value);
            else inline(item);
        }
        const items = node.items.map((i) => (isMap(node) ? (i as { key: Node; value: unknown }) : { key: undefined, value: i }));
        const plain = items.every(
            ({ key, value }) => isScalar(value) && !value.commentBefore && !value.comment && !(key && isScalar(key) && key.commentBefore),
        );
        if (plain && node.items.length > 0 && node.items.length <= 6) (node as YAMLMap | YAMLSeq).flow = true;
    } else if (isScalar(node) && typeof node.value === "string" && ambiguous(node.value)) node.type = "QUOTE_DOUBLE";
}

/** The stack file's text. */
export function renderStackFile(
    config: Record<string, unknown>,
    notes: readonly Note[],
    header: { readonly endpoint: string; readonly readAt: string; readonly stack: string; readonly errors: readonly ReadError[] },
): string {
    const doc = new Document({ config: clean(config) });
    const byTarget = new Map<Node, string[]>();
    for (const note of notes) {
        const target = locate(doc, note.path);
        if (target === undefined) continue;
        const lines = byTarget.get(target) ?? [];
        lines.push(...wrap(`${NOTE_PREFIX[note.kind]}: ${note.text}`));
        byTarget.set(target, lines);
    }
    for (const [target, lines] of byTarget) target.commentBefore = lines.map((l) => ` ${l}`).join("\n");
    const root = doc.get("config", true) as YAMLMap;
    for (const pair of root.items) inline(pair.value);
    const stack = header.stack;
    doc.commentBefore = [
        " yaml-language-server: $schema=docs/inventory.schema.json",
        ` Read from the running cluster at ${header.endpoint} on ${header.readAt} (npm run inventory:from-cluster).`,
        " Every entity is adopted (adopt: true; storages managed: false): the next `pulumi up` imports it instead of creating it.",
        " Comments: RULE breaks a rule of the policy pack or a cross-check; FILL IN could not be read; note says what the first up",
        " changes or leaves alone. Nothing here is a secret: credentials are set apart (README, Credentials).",
        " Next:",
        `   npm run -s validate -- --stack ${stack}`,
        `   npm run -s plan -- --stack ${stack} --adopt Pulumi.${stack}.cluster.json    (the adoption view)`,
        ...(header.errors.length > 0
            ? [
                  " Calls that failed (their parts are missing or marked FILL IN):",
                  ...header.errors.flatMap((e) => wrap(`${e.message}`).map((l) => `   ${l}`)),
              ]
            : []),
    ].join("\n");
    return doc.toString({ lineWidth: 0 });
}
