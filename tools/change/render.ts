/**
 * The change report as text (appended to the plan's text) and as Markdown for a pull-request
 * comment (`npm run plan -- --base origin/main --format markdown`).
 */
import type { PlanReport } from "../plan/report";
import { ChangeOp, ChangeReport, ResourceChange } from "./report";

const SYMBOL: Readonly<Record<ChangeOp, string>> = {
    create: "+ ",
    update: "~ ",
    replace: "+-",
    delete: "- ",
    import: "= ",
    unchanged: "  ",
};

/** `+-` creates first; `-+` deletes first (deleteBeforeReplace). */
const symbolOf = (c: ResourceChange) => (c.op === "replace" && c.order === "delete-then-create" ? "-+" : SYMBOL[c.op]);

/** At most `max` items, then how many more. */
function listed(items: readonly string[], max = 6): string {
    return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

/** What changes, in one line: the paths of an update, what forces a replacement. */
function describeChange(c: ResourceChange): string {
    const parts: string[] = [c.op];
    if (c.op === "replace") {
        parts[0] = `replace (${c.order === "delete-then-create" ? "delete, then create" : "create, then delete"})`;
        parts.push(
            `by ${listed(c.replaceReasons.map((r) => (r.path !== undefined ? `${r.path} [${r.source}]` : `${r.rule} [${r.source}]`)))}`,
        );
    } else if (c.op === "update") {
        parts.push(listed(c.changedPaths));
    }
    if (c.ignoredPaths.length > 0) parts.push(`(ignoreChanges hides ${listed(c.ignoredPaths)})`);
    if (c.optionChanges.length > 0) parts.push(`(${c.optionChanges.join(", ")})`);
    if (c.previousUrn !== undefined) parts.push(`(was ${c.previousUrn})`);
    if (c.protect && c.op !== "create" && c.op !== "import") parts.push("[protected]");
    return parts.join(" ");
}

const summaryLine = (r: ChangeReport) =>
    `${r.summary.create} to create, ${r.summary.update} to update, ${r.summary.replace} to replace, ` +
    `${r.summary.delete} to delete, ${r.summary.import} to import, ${r.summary.unchanged} unchanged`;

/** Groups with something to show: a changed component or a changed resource. */
const changedGroups = (r: ChangeReport) =>
    r.groups
        .map((g) => ({ ...g, changes: g.changes.filter((c) => c.op !== "unchanged") }))
        .filter((g) => g.changes.length > 0 || (g.component !== null && g.component.op !== "unchanged"));

/** The change section of the text report. */
export function renderChangeText(r: ChangeReport): string {
    const lines: string[] = [`Changes against ${r.base} (both inventories planned with this program):`, `  ${summaryLine(r)}`];
    const groups = changedGroups(r);
    if (groups.length === 0) lines.push("  No changes: every resource is unchanged.");
    for (const g of groups) {
        lines.push(
            "",
            g.component
                ? `  ${g.component.type} ${g.component.name}${g.component.op !== "unchanged" ? ` (${g.component.op})` : ""}`
                : "  (stack)",
        );
        for (const c of g.changes) lines.push(`    ${symbolOf(c)} ${c.name} (${c.type}): ${describeChange(c)}`);
    }
    lines.push("", r.dangers.length > 0 ? `Dangerous changes: ${r.dangers.length} (exit 1)` : "Dangerous changes: none");
    for (const d of r.dangers) {
        lines.push(`  ! ${d.name} (${d.type}) [${d.kind}]: ${d.why}`, `      safe procedure: ${d.procedure}`);
    }
    if (r.advisories.length > 0) {
        lines.push("", `Advisories: ${r.advisories.length}`);
        for (const a of r.advisories) lines.push(`  - ${a.name} (${a.type}): ${a.message}`);
    }
    return lines.join("\n") + "\n";
}

/** Text for Markdown: HTML and Markdown punctuation escaped, one line, `|` safe in a table cell. */
export function mdText(s: string): string {
    const escaped = s
        .replace(/[\\`*_[\]#~|]/g, (ch) => `\\${ch}`)
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;");
    return joinLines(escaped);
}

/**
 * The lines of `s` on one line: each line break with the white space around it becomes one
 * space. Plain code: the global pattern `\s*\n\s*` is quadratic on long runs of spaces.
 */
function joinLines(s: string): string {
    if (!s.includes("\n")) return s;
    const lines = s.split("\n");
    const last = lines.length - 1;
    const kept = lines
        .map((l, i) => (i === 0 ? l.trimEnd() : i === last ? l.trimStart() : l.trim()))
        .filter((l, i) => i === 0 || i === last || l !== "");
    return kept.join(" ");
}

/** An inline code span that cannot be broken out of (no backtick, no newline, `|` escaped for tables). */
export function mdCode(s: string): string {
    return "`" + joinLines(s).replace(/`/g, "'").replace(/\|/g, "\\|") + "`";
}

/** Inline code inside HTML (a `<summary>`), where Markdown is not parsed: HTML-escaped. */
export function htmlCode(s: string): string {
    return `<code>${s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")}</code>`;
}

/** GitHub refuses comments over 65536 characters: the comment stays under this, cutting lists short. */
export const MARKDOWN_BUDGET = 60000;

/** Lines within a character budget; what does not fit is counted, not shown. */
class Budget {
    readonly lines: string[] = [];
    private used = 0;
    constructor(private readonly limit: number) {}
    /** Adds a block (lines joined) if it fits; returns whether it did. */
    add(...block: string[]): boolean {
        const size = block.reduce((n, l) => n + l.length + 1, 0);
        if (this.used + size > this.limit) return false;
        this.lines.push(...block);
        this.used += size;
        return true;
    }
    /** Adds every item that fits, then a line saying how many did not. */
    addAll<T>(items: readonly T[], render: (item: T) => string[], more: (left: number) => string): void {
        let shown = 0;
        for (const item of items) {
            if (!this.add(...render(item))) break;
            shown++;
        }
        if (shown < items.length) this.lines.push(more(items.length - shown), "");
    }
}

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

/** The change report (and the plan's verdict) as a pull-request comment, under MARKDOWN_BUDGET characters. */
export function renderChangeMarkdown(plan: PlanReport, budget = MARKDOWN_BUDGET): string {
    const r = plan.changes;
    if (!r) throw new Error("renderChangeMarkdown needs a plan made with --base");
    const full = mdCode(`npm run plan -- --base ${r.base}`);
    const head = [
        `### Offline change report against ${mdCode(r.base)}`,
        "",
        r.dangers.length > 0
            ? `:no_entry: **${plural(r.dangers.length, "dangerous change")}**: merging this as it is would lose data, hit a protected resource or take the network down.`
            : ":white_check_mark: No dangerous change.",
        "",
        "| create | update | replace | delete | import | unchanged |",
        "|---:|---:|---:|---:|---:|---:|",
        `| ${r.summary.create} | ${r.summary.update} | ${r.summary.replace} | ${r.summary.delete} | ${r.summary.import} | ${r.summary.unchanged} |`,
        "",
    ];
    const tail: string[] = [];
    const v = plan.violations;
    if (v) {
        tail.push(`Policy violations: ${v.mandatory.length} mandatory, ${v.advisory.length} advisory.`);
        for (const x of v.mandatory.slice(0, 20))
            tail.push(`- mandatory ${mdCode(x.policy)}${x.name ? ` ${mdCode(x.name)}` : ""}: ${mdText(x.message)}`);
        if (v.mandatory.length > 20) tail.push(`- and ${v.mandatory.length - 20} more`);
        tail.push("");
    }
    tail.push(
        `<sub>Offline: both inventories planned with this branch's program under the Pulumi mock runtime, no credentials; exit code ${plan.exitCode}.</sub>`,
    );
    const body = new Budget(budget - [...head, ...tail].reduce((n, l) => n + l.length + 1, 0) - 200);

    if (r.dangers.length > 0) {
        body.add("#### Dangerous changes", "");
        body.addAll(
            r.dangers,
            (d) => [
                `- **${mdCode(d.name)}** (${mdCode(d.type)}, ${d.kind}): ${mdText(d.why)}  `,
                `  Safe procedure: ${mdText(d.procedure)}`,
            ],
            (left) => `_and ${plural(left, "more dangerous change")}: run ${full} for all of them._`,
        );
        body.add("");
    }
    const groups = changedGroups(r);
    body.add("#### Changes by component", "");
    if (groups.length === 0) body.add("No resource changes.", "");
    body.addAll(
        groups,
        (g) => {
            // The summary is HTML: Markdown code spans would not be parsed there.
            const title = g.component
                ? `${htmlCode(g.component.type)} ${htmlCode(g.component.name)}${g.component.op !== "unchanged" ? ` (${g.component.op})` : ""}`
                : "stack";
            return [
                `<details><summary>${title}: ${plural(g.changes.length, "change")}</summary>`,
                "",
                "| | resource | type | change |",
                "|---|---|---|---|",
                ...g.changes.map(
                    (c) => `| ${mdCode(symbolOf(c).trim())} | ${mdCode(c.name)} | ${mdCode(c.type)} | ${mdText(describeChange(c))} |`,
                ),
                "",
                "</details>",
                "",
            ];
        },
        (left) => `_${plural(left, "more component")} left out for length; run ${full} for the full report._`,
    );
    if (r.advisories.length > 0) {
        body.add("#### Advisories", "");
        body.addAll(
            r.advisories,
            (a) => [`- ${mdCode(a.name)}: ${mdText(a.message)}`],
            (left) => `_and ${plural(left, "more advisory", "more advisories")}._`,
        );
        body.add("");
    }
    return [...head, ...body.lines, ...tail].join("\n") + "\n";
}
