/**
 * Mermaid flowchart text from plain values: ids, escaped labels, shapes, line packing and the
 * width estimate the layouts budget with. Pure; knows nothing of the inventory.
 */

/** Code-point order: locale-independent, so the output is the same on every machine. */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The keys of a record in code-point order. */
export const sortedKeys = (record: object): string[] => Object.keys(record).sort(byString);

/**
 * A Mermaid node id from a prefix and a key. Keys that are DNS labels (nodes, guests, networks)
 * keep their letters and digits and turn `-` into `_` (`pve-network` → `n_pve_network`); any
 * other key (dataset paths, host names, device paths) turns every character but letters and
 * digits into `_` + its two hex digits (`tank/photos` → `ds_tank_2fphotos`). Each prefix holds keys
 * of one kind only, so two keys never share an id, and an id is never a Mermaid keyword (`end`).
 */
export function mermaidId(prefix: string, key: string): string {
    if (/^[a-z0-9-]+$/.test(key)) return `${prefix}_${key.replace(/-/g, "_")}`;
    return `${prefix}_${key.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}`;
}

/** Characters Mermaid would read as syntax inside a quoted label, as its `#name;` entity codes. */
const ENTITIES: Readonly<Record<string, string>> = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "|": "#124;",
    "%": "#37;",
};

/**
 * Text inside a quoted Mermaid label: `#`, quotes, angle brackets, `&`, backticks (a Markdown
 * string), `|` (an edge label's end) and `%` (a comment) become entity codes; line breaks and other
 * control characters become spaces, so a label never leaves its line.
 */
export function mermaidText(text: string): string {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
    return text.replace(/[\u0000-\u001f\u007f]/g, " ").replace(/[#"<>&`|%]/g, (c) => ENTITIES[c]);
}

/** A quoted label from lines of plain text (joined with Mermaid line breaks). */
export const label = (lines: readonly string[]): string => `"${lines.map(mermaidText).join("<br/>")}"`;

/** The shapes the pictures use; the legend explains each. */
const SHAPES = {
    box: ["[", "]"],
    round: ["(", ")"],
    vm: ["[[", "]]"],
    cylinder: ["[(", ")]"],
    hexagon: ["{{", "}}"],
    stadium: ["([", "])"],
    parallelogram: ["[/", "/]"],
    circle: ["((", "))"],
    flag: [">", "]"],
} as const;
export type Shape = keyof typeof SHAPES;

/** A node definition: `id` + the shape's brackets around the quoted label. */
export function node(id: string, shape: Shape, lines: readonly string[]): string {
    const [open, close] = SHAPES[shape];
    return `${id}${open}${label(lines)}${close}`;
}

/** Splits a word longer than `max` characters into pieces of at most `max`, before a `/` where there is one. */
function pieces(word: string, max: number): string[] {
    const out: string[] = [];
    let rest = word;
    while (rest.length > max) {
        const slash = rest.lastIndexOf("/", max);
        const cut = slash > 0 ? slash : max;
        out.push(rest.slice(0, cut));
        rest = rest.slice(cut);
    }
    out.push(rest);
    return out;
}

/**
 * Packs items into lines of at most `max` characters, joined by `separator` (an item longer than
 * `max` is split). Keeps the order; no empty lines.
 */
export function packLines(items: readonly string[], max: number, separator = ", "): string[] {
    const lines: string[] = [];
    let line = "";
    for (const item of items.flatMap((i) => pieces(i, max))) {
        if (line === "") line = item;
        else if (line.length + separator.length + item.length <= max) line += separator + item;
        else {
            lines.push(line);
            line = item;
        }
    }
    if (line !== "") lines.push(line);
    return lines;
}

/** Free text wrapped at spaces into lines of at most `max` characters. */
export const wrapText = (text: string, max: number): string[] => packLines(text.split(/\s+/).filter(Boolean), max, " ");

/** Estimated width of a character at the pictures' font size (14 px), in pixels, with a margin. */
const CHAR_WIDTH = 7.5;
/** Estimated padding of a node's label inside its shape, both sides together, in pixels. */
const NODE_PADDING = 48;

/** Estimated width of a node with these label lines, in pixels. */
export const estimateWidth = (lines: readonly string[]): number =>
    Math.ceil(Math.max(0, ...lines.map((l) => l.length)) * CHAR_WIDTH) + NODE_PADDING;

/**
 * The settings every picture carries in its front matter, so every renderer draws it alike: the
 * font size the width estimates assume, closer nodes and ranks than the defaults, and no automatic
 * wrapping (the labels bring their own line breaks).
 */
const FRONT_MATTER = [
    "---",
    "config:",
    "  themeVariables:",
    "    fontSize: 14px",
    "  flowchart:",
    "    nodeSpacing: 24",
    "    rankSpacing: 32",
    "    wrappingWidth: 480",
    "---",
];

/** Characters per line of a subgraph's title (a title spans its subgraph, so it may be longer than a box's line). */
export const TITLE_CHARS = 48;

/** Lines of a flowchart, indented by nesting. */
export class Chart {
    private readonly lines: string[] = [];
    private depth = 1;

    constructor(direction: "TB" | "LR") {
        this.lines.push(...FRONT_MATTER, `flowchart ${direction}`);
    }

    /** Adds a line at the current depth. */
    add(line: string): this {
        this.lines.push("    ".repeat(this.depth) + line);
        return this;
    }

    /**
     * A subgraph with a title (wrapped at {@link TITLE_CHARS}) and its own direction, its body
     * written by `body`. `invisible`: no border and no fill (a row that only lines up its nodes).
     */
    subgraph(id: string, title: string, direction: "TB" | "LR", body: () => void, invisible = false): this {
        this.add(`subgraph ${id}[${label(title.trim() === "" ? [" "] : wrapText(title, TITLE_CHARS))}]`);
        this.depth++;
        this.add(`direction ${direction}`);
        body();
        this.depth--;
        this.add("end");
        if (invisible) this.add(`style ${id} fill:none,stroke:none`);
        return this;
    }

    /** `a ~~~ b ~~~ c`: invisible links that put the ids one after another along the direction. */
    chain(ids: readonly string[]): this {
        if (ids.length > 1) this.add(ids.join(" ~~~ "));
        return this;
    }

    /** The chart's text, without the code fence. */
    text(): string {
        return this.lines.join("\n");
    }
}
