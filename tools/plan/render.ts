/** The plan's report as text: the tree, the counts, the violations, the copies, the capacity, the chain. */
import { formatProblem } from "../../config/errors";
import { DataCopies, describeCopies } from "../../lib/copies";
import { renderAdoptionText } from "../change/adoption";
import { renderChangeText } from "../change/render";
import { TreeEntry } from "./dependencies";
import { PlanReport } from "./report";

/** The human-readable report. */
export function renderReport(report: PlanReport): string {
    const lines: string[] = [];
    if (report.error) {
        const what = {
            "invalid-inventory": `the inventory in ${report.file} is invalid`,
            "stack-file": `cannot read ${report.file}`,
            "policy-config": "no usable policy configuration",
            base: "cannot plan the base",
            snapshot: "cannot read the cluster snapshot",
        }[report.error.kind];
        lines.push(`Plan of stack ${report.stack}: ${what}`);
        if (report.error.problems.length > 0)
            for (const p of report.error.problems) lines.push(formatProblem(p, report.error.source ?? report.file));
        else lines.push(`  ${report.error.message}`);
        lines.push("", "Nothing was planned. Fix the problems above and run the plan again.");
        return lines.join("\n") + "\n";
    }
    const res = report.resources!;
    lines.push(
        `Plan of stack ${report.stack} from ${report.file}${report.policyConfig ? ` and ${report.policyConfig}` : ""} (offline, under the Pulumi mock runtime)`,
        "A from-scratch view: what a first `pulumi up` on an empty stack would create. It reads no state, so it shows no updates or deletions.",
        "",
    );
    const typeWidth = Math.min(80, Math.max(...res.tree.map((t) => t.depth * 3 + t.type.length), 4) + 2);
    lines.push(`     ${"Type".padEnd(typeWidth)}Name`);
    const last = lastSiblings(res.tree);
    // Per depth, whether the ancestor at that depth was the last of its siblings (no more "│" below it).
    const ancestorLast: boolean[] = [];
    res.tree.forEach((t, i) => {
        ancestorLast[t.depth] = last[i];
        let prefix = "";
        for (let d = 1; d < t.depth; d++) prefix += ancestorLast[d] ? "   " : "│  ";
        if (t.depth > 0) prefix += last[i] ? "└─ " : "├─ ";
        const type = prefix + t.type;
        // At least one space between type and name, even past the column.
        lines.push(` +   ${type.padEnd(typeWidth)}${type.length >= typeWidth ? " " : ""}${t.name}${t.protect ? " [protected]" : ""}`);
    });
    lines.push("", `Resources: ${res.total} to create`);
    for (const [type, count] of Object.entries(res.byType)) lines.push(`  ${String(count).padStart(4)}  ${type}`);

    const v = report.violations!;
    const engineErrors = report.engineErrors ?? [];
    if (engineErrors.length > 0) {
        lines.push("", `Engine errors: ${engineErrors.length} (pulumi preview and up would stop on these)`);
        for (const e of engineErrors) lines.push(`    ${e}`);
    }
    lines.push("", `Policy violations: ${v.mandatory.length} mandatory, ${v.advisory.length} advisory`);
    for (const [title, list] of [
        ["mandatory", v.mandatory],
        ["advisory", v.advisory],
    ] as const) {
        if (list.length === 0) continue;
        lines.push(`  ${title}:`);
        for (const x of list) lines.push(`    [${x.policy}] ${x.name ? `${x.name}: ` : ""}${x.message}`);
    }
    if (report.remediations && report.remediations.length > 0) {
        lines.push(`  remediated: ${report.remediations.map((r) => `${r.name} (${r.policy})`).join(", ")}`);
    }

    if (report.copies !== undefined) lines.push("", ...renderCopies(report.copies));
    lines.push("", "Capacity per node (allocated / physical):");
    for (const c of report.capacity!) {
        lines.push(
            `  ${c.node.padEnd(16)} CPU ${String(c.allocatedCores).padStart(3)} cores / ${String(c.threads).padStart(3)} threads = ${c.cpuRatio.toFixed(2)}x   ` +
                `memory ${c.allocatedMemoryGiB.toFixed(1).padStart(6)} / ${String(c.memoryGiB).padStart(4)} GiB = ${c.memoryRatio.toFixed(2)}x`,
        );
    }
    const d = report.dependencies!;
    lines.push("", `Longest dependency chain: ${d.depth} steps`, `  ${d.chain.join(" → ")}`);
    if (report.changes) lines.push("", renderChangeText(report.changes).trimEnd());
    if (report.adoption) lines.push("", renderAdoptionText(report.adoption).trimEnd());
    const failures = [
        ...(engineErrors.length > 0 ? ["the engine would refuse this program (engine errors above)"] : []),
        ...(v.mandatory.length > 0 ? ["mandatory policy violations above must be fixed"] : []),
        ...(report.changes?.exitCode === 1 ? ["dangerous changes above: follow their safe procedures"] : []),
        ...(report.adoption?.exitCode === 1 ? ["the adoption view above: the first up would change what exists"] : []),
    ];
    lines.push(
        "",
        failures.length === 0
            ? `Plan OK: no mandatory violation${report.changes ? " and no dangerous change" : ""}.`
            : `Plan FAILED: ${failures.join("; ")}.`,
        `(${report.durationMs} ms)`,
    );
    return lines.join("\n") + "\n";
}

/** The 3-2-1 section: a verdict, then one line per guest and dataset. */
function renderCopies(copies: readonly DataCopies[]): string[] {
    const backedUp = copies.filter((c) => c.tier !== undefined);
    const meeting = backedUp.filter((c) => c.meets321).length;
    const excluded = copies.length - backedUp.length;
    return [
        `Copies (3-2-1): ${meeting} of ${backedUp.length} backed-up guests and datasets have 3 copies on 2 media, one offsite; ${excluded} left out of backups with a reason`,
        ...copies.map((c) => `  ${c.meets321 ? "ok " : c.tier === undefined ? "-  " : "!  "} ${describeCopies(c)}`),
    ];
}

/** For each tree entry, whether no later sibling follows it (one backward pass). */
export function lastSiblings(tree: readonly TreeEntry[]): boolean[] {
    const last: boolean[] = new Array<boolean>(tree.length);
    const laterSibling: boolean[] = [];
    for (let i = tree.length - 1; i >= 0; i--) {
        const d = tree[i].depth;
        last[i] = !laterSibling[d];
        laterSibling[d] = true;
        laterSibling.length = d + 1; // deeper entries below belong to another parent
    }
    return last;
}
