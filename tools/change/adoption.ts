/**
 * The adoption view of the change report: for an inventory read from a running cluster
 * (`npm run inventory:from-cluster`), what its first `pulumi up` does to that cluster, judged
 * against the snapshot the reader kept (`Pulumi.<stack>.cluster.json`).
 *
 * - Every resource the program registers with the `import` option: the provider's read-back of the
 *   cluster object (tools/change/readback*.ts) against the registered inputs minus `ignoreChanges`.
 *   "import, no change" only when every input matches and every config key is one the model knows;
 *   a difference is an update, or a replacement (lib/replacements.ts), which the engine refuses
 *   while `import` is set (P3).
 * - The node-side commands (datasets, container mounts and keys, node preparation) and the
 *   resources the first up creates, checked against the objects of the same identity on the cluster.
 *
 * Exit 1 when anything that exists would be changed, replaced, fail to import or be written over,
 * or cannot be verified; each item names the field. docs/plan.md ("The adoption view") says what
 * this proves and what it cannot.
 */
import * as fs from "fs";
import * as path from "path";
import { Inventory } from "../../config/schema";
import { rulesFor } from "../../lib/replacements";
import { ClusterSnapshot } from "../fromCluster/types";
import { RecordedResource } from "../runtime/recorder";
import { AdoptionCommand, AdoptionCreate, createCheck, nodeCommands } from "./adoptionNode";
import { parsePath, touches, valuesAt } from "./paths";
import {
    Missing,
    ReadBack,
    ReadBackDiff,
    bridgeReadBack,
    clusterFirewallReadBack,
    compareReadBack,
    guestOptionsReadBack,
    mappingReadBack,
    nodeFirewallReadBack,
    rulesReadBack,
} from "./readback";
import { containerReadBack, vmReadBack } from "./readbackGuests";

export type { AdoptionCommand, AdoptionCreate };

/** What the import of one resource would show. */
export interface AdoptionImport {
    readonly type: string;
    readonly name: string;
    readonly importId: string;
    readonly status: "no change" | "update" | "replace" | "unverified" | "missing";
    /** Inputs that differ: the cluster's value (as read back) and the program's. */
    readonly changes: readonly {
        readonly path: string;
        readonly cluster: unknown;
        readonly program: unknown;
        readonly replaces?: string;
    }[];
    /** What the model could not judge. */
    readonly unverified: readonly string[];
    /** Why the import would fail. */
    readonly missing?: string;
}

export interface AdoptionReport {
    /** The snapshot file compared against. */
    readonly snapshot: string;
    readonly readAt: string;
    /** 0: every adopted resource imports with no change and nothing existing is touched; 1 otherwise. */
    readonly exitCode: 0 | 1;
    readonly imports: readonly AdoptionImport[];
    readonly commands: readonly AdoptionCommand[];
    readonly creates: readonly AdoptionCreate[];
}

/** A snapshot that cannot be used. */
export class SnapshotError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SnapshotError";
    }
}

/** Reads a snapshot written by the cluster reader. */
export function readSnapshot(file: string): ClusterSnapshot {
    let data: unknown;
    try {
        data = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new SnapshotError(
            `${path.basename(file)}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}; write it with npm run inventory:from-cluster`,
        );
    }
    const s = data as Partial<ClusterSnapshot>;
    if (s === null || typeof s !== "object" || s.format !== 1 || typeof s.nodes !== "object" || typeof s.guests !== "object")
        throw new SnapshotError(`${path.basename(file)} is not a cluster snapshot of npm run inventory:from-cluster (format 1)`);
    return s as ClusterSnapshot;
}

const short = (type: string) => type.split(":").pop() ?? type;

/** The read-back model of an imported resource's type, or undefined when there is none. */
function readBackOf(r: RecordedResource, snapshot: ClusterSnapshot): ReadBack | Missing | undefined {
    const id = r.options.importId!;
    switch (r.type) {
        case "proxmoxve:index/containerLegacy:ContainerLegacy":
            return containerReadBack(id, snapshot);
        case "proxmoxve:index/vmLegacy:VmLegacy":
            return vmReadBack(id, snapshot);
        case "proxmoxve:network/linux/bridge:Bridge":
            return bridgeReadBack(id, snapshot);
        case "proxmoxve:firewall/optionsLegacy:OptionsLegacy":
            return guestOptionsReadBack(id, snapshot);
        case "proxmoxve:firewall/rulesLegacy:RulesLegacy":
            return rulesReadBack(id, snapshot);
        case "proxmoxve:cluster/firewallLegacy:FirewallLegacy":
            return clusterFirewallReadBack(snapshot);
        case "proxmoxve:node/firewall:Firewall":
            return nodeFirewallReadBack(id, snapshot);
        case "proxmoxve:hardware/mapping/pci:Pci":
            return mappingReadBack("pci", id, snapshot);
        case "proxmoxve:hardware/mapping/usb:Usb":
            return mappingReadBack("usb", id, snapshot);
    }
    return undefined;
}

/** The rule of lib/replacements.ts a difference triggers, if any. */
function replaceRule(type: string, d: ReadBackDiff, inputs: Record<string, unknown>): string | undefined {
    for (const rule of rulesFor(type)?.replaceOn ?? []) {
        const pattern = parsePath(rule.path);
        const kind = d.cluster === undefined || d.cluster === null ? "add" : d.program === undefined ? "delete" : "update";
        if (!touches(pattern, { path: d.segments, kind, old: d.cluster, new: d.program })) continue;
        if (rule.unlessTrue !== undefined && valuesAt(inputs, parsePath(rule.unlessTrue)).some((v) => v === true)) continue;
        if (rule.when === "decreases" && !(typeof d.cluster === "number" && typeof d.program === "number" && d.program < d.cluster))
            continue;
        if (rule.when === "both-set" && (d.cluster === undefined || d.cluster === null || d.program === undefined)) continue;
        return `${rule.path} (${rule.source})`;
    }
    return undefined;
}

/** What the import of one resource would show. */
function judgeImport(r: RecordedResource, snapshot: ClusterSnapshot): AdoptionImport {
    const base = { type: short(r.type), name: r.name, importId: r.options.importId! };
    const back = readBackOf(r, snapshot);
    if (back === undefined) return { ...base, status: "unverified", changes: [], unverified: [`no read-back model for ${r.type}`] };
    if ("missing" in back) return { ...base, status: "missing", changes: [], unverified: [], missing: back.missing };
    const { diffs, unverified } = compareReadBack(r.inputs, back, r.options.ignoreChanges.map(parsePath));
    const changes = diffs.map((d) => {
        const replaces = replaceRule(r.type, d, r.inputs);
        return { path: d.path, cluster: d.cluster, program: d.program, ...(replaces ? { replaces } : {}) };
    });
    const status = changes.some((c) => c.replaces)
        ? "replace"
        : changes.length > 0
          ? "update"
          : unverified.length > 0
            ? "unverified"
            : "no change";
    return { ...base, status, changes, unverified };
}

/** The whole view. */
export function adoptionView(
    resources: readonly RecordedResource[],
    snapshot: ClusterSnapshot,
    inv: Inventory,
    snapshotFile: string,
): AdoptionReport {
    const imports = resources.filter((r) => r.custom && r.options.importId !== undefined).map((r) => judgeImport(r, snapshot));
    const commands = nodeCommands(inv, snapshot);
    const creates = resources
        .filter((r) => r.custom && r.options.importId === undefined)
        .map((r) => createCheck(r, snapshot))
        .filter((c): c is AdoptionCreate => c !== undefined);
    const bad =
        imports.some((i) => i.status !== "no change") ||
        commands.some((c) => c.status === "changes" || c.status === "unverified") ||
        creates.some((c) => c.status === "exists");
    return { snapshot: snapshotFile, readAt: snapshot.readAt, exitCode: bad ? 1 : 0, imports, commands, creates };
}

const show = (v: unknown) => (v === undefined ? "(left to the provider's default)" : v === null ? "(nothing)" : JSON.stringify(v));

/** The view as text, for the plan's report. */
export function renderAdoptionText(report: AdoptionReport): string {
    const lines = [`Adoption view against ${report.snapshot} (the cluster as read ${report.readAt}):`];
    const clean = report.imports.filter((i) => i.status === "no change").length;
    lines.push(`  Imported: ${report.imports.length} (${clean} import, no change)`);
    for (const i of report.imports) {
        lines.push(
            `    ${i.status === "no change" ? "import, no change" : i.status.toUpperCase().padEnd(17)}  ${i.type} ${i.name} (${i.importId})`,
        );
        if (i.missing) lines.push(`        the import fails: ${i.missing}`);
        for (const c of i.changes)
            lines.push(
                `        ${c.path}: cluster ${show(c.cluster)} → program ${show(c.program)}${c.replaces ? `; replaces (${c.replaces}), refused while importing` : ""}`,
            );
        for (const u of i.unverified) lines.push(`        not verified: ${u}`);
    }
    const touched = report.commands.filter((c) => c.status !== "no change");
    lines.push(`  Node-side commands: ${report.commands.length} (${report.commands.length - touched.length} no change)`);
    for (const c of touched) lines.push(`    ${c.status.padEnd(17)}  ${c.subject}: ${c.actions.join("; ")}`);
    const existing = report.creates.filter((c) => c.status === "exists");
    lines.push(`  Created by the first up: ${report.creates.length} (${existing.length} where something exists)`);
    for (const c of report.creates.filter((x) => x.status !== "new"))
        lines.push(`    ${c.status.padEnd(17)}  ${c.type} ${c.name}: ${c.detail}`);
    lines.push(
        report.exitCode === 0
            ? "Adoption OK: every adopted resource is imported with no change, and nothing that exists is written over."
            : "Adoption FAILED: the items above change, fail or cannot be verified; fix the inventory (or the cluster) and read again.",
    );
    return lines.join("\n") + "\n";
}
