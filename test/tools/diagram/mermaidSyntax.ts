/**
 * A checker of the Mermaid subset the pictures write, line by line: front matter, `flowchart`,
 * `subgraph ID["title"]` … `end` (balanced), `direction`, `style`, node definitions in the shapes
 * of tools/diagram/mermaid.ts, invisible chains and labelled edges. A quoted label may hold no
 * character Mermaid would read as syntax (a quote, `<` but for `<br/>`, `>`, `&`, a backtick, `|`,
 * `%`, a control character): escaped text keeps every label on its line and inside its quotes.
 * Every id is defined once, and every id an edge names is defined. Returns the problems found.
 */

const ID = "[A-Za-z][A-Za-z0-9_]*";
const LABEL = '"(?:[^"<>&`|%\\u0000-\\u001f]|<br/>)*"';
const SHAPES: readonly (readonly [string, string])[] = [
    ["\\[\\[", "\\]\\]"],
    ["\\[\\(", "\\)\\]"],
    ["\\(\\[", "\\]\\)"],
    ["\\(\\(", "\\)\\)"],
    ["\\[/", "/\\]"],
    ["\\{\\{", "\\}\\}"],
    ["\\[", "\\]"],
    ["\\(", "\\)"],
    [">", "\\]"],
];
const NODE = new RegExp(`^(${ID})(?:${SHAPES.map(([o, c]) => `${o}${LABEL}${c}`).join("|")})$`);
const SUBGRAPH = new RegExp(`^subgraph (${ID})\\[${LABEL}\\]$`);
const CHAIN = new RegExp(`^${ID}(?: ~~~ ${ID})+$`);
const EDGE = new RegExp(`^(${ID}) (?:-->|==>|-\\.->)(?:\\|${LABEL}\\|)? (${ID})$`);
const STYLE = new RegExp(`^style (${ID}) fill:none,stroke:none$`);
/** Words Mermaid reads as keywords where an id stands. */
const KEYWORDS = new Set(["end", "subgraph", "graph", "flowchart", "style", "class", "classDef", "click", "direction", "linkStyle"]);

export function mermaidProblems(chart: string): string[] {
    const problems: string[] = [];
    const lines = chart.split("\n");
    let at = 0;
    if (lines[0] === "---") {
        const close = lines.indexOf("---", 1);
        if (close < 0) return ["front matter without its closing ---"];
        at = close + 1;
    }
    if (!/^flowchart (TB|LR)$/.test(lines[at] ?? ""))
        problems.push(`line ${at + 1}: expected "flowchart TB|LR", got ${JSON.stringify(lines[at])}`);
    const defined = new Set<string>();
    const referenced: string[] = [];
    const define = (id: string, line: number) => {
        if (KEYWORDS.has(id)) problems.push(`line ${line}: id ${id} is a Mermaid keyword`);
        if (defined.has(id)) problems.push(`line ${line}: ${id} is defined twice`);
        defined.add(id);
    };
    let depth = 0;
    for (let i = at + 1; i < lines.length; i++) {
        const line = lines[i].trim();
        const n = i + 1;
        let m: RegExpExecArray | null;
        if ((m = SUBGRAPH.exec(line))) {
            define(m[1], n);
            depth++;
        } else if (line === "end") {
            depth--;
            if (depth < 0) problems.push(`line ${n}: end without a subgraph`);
        } else if (/^direction (TB|LR)$/.test(line)) {
            if (depth === 0) problems.push(`line ${n}: direction outside a subgraph`);
        } else if ((m = STYLE.exec(line))) referenced.push(m[1]);
        else if ((m = NODE.exec(line))) define(m[1], n);
        else if (CHAIN.test(line)) referenced.push(...line.split(" ~~~ "));
        else if ((m = EDGE.exec(line))) referenced.push(m[1], m[2]);
        else problems.push(`line ${n}: not a line the pictures write: ${JSON.stringify(line)}`);
    }
    if (depth !== 0) problems.push(`${depth} subgraph(s) without end`);
    for (const id of referenced) if (!defined.has(id)) problems.push(`${id} is used but never defined`);
    return problems;
}

/** The quoted labels of a chart, unescaped to plain text lines (entity codes decoded, `<br/>` split). */
export function labelsOf(chart: string): string[][] {
    const out: string[][] = [];
    for (const m of chart.matchAll(/"((?:[^"<]|<br\/>)*)"/g))
        out.push(
            m[1].split("<br/>").map((l) =>
                l.replace(/#(quot|lt|gt|amp|35|37|96|124);/g, (_, e: string) => {
                    const named: Record<string, string> = { quot: '"', lt: "<", gt: ">", amp: "&" };
                    return named[e] ?? String.fromCharCode(Number(e));
                }),
            ),
        );
    return out;
}
