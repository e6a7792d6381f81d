/**
 * When each dataset's backup starts: after the night window of the vzdump jobs (`backups.window`),
 * so it never competes with a node's guest backups, and one slot apart per node, so two datasets of
 * one node never start together. Deterministic: datasets in path order.
 */
import { BackupWindow, formatHhmm, parseHhmm } from "./backupSchedule";

/** Start times (`HH:MM`, node time) by dataset path: the window's end, then one slot later per dataset of the same node. */
export function datasetBackupStarts(
    datasets: Readonly<Record<string, { readonly node: string }>>,
    window: BackupWindow,
): Record<string, string> {
    if (!Number.isInteger(window.slotMinutes) || window.slotMinutes < 1)
        throw new Error(`[backups.window.slotMinutes] must be a positive whole number of minutes, got ${window.slotMinutes}`);
    const end = parseHhmm(window.end);
    const perNode = new Map<string, number>();
    const out: Record<string, string> = {};
    for (const path of Object.keys(datasets).sort()) {
        const node = datasets[path].node;
        const index = perNode.get(node) ?? 0;
        perNode.set(node, index + 1);
        out[path] = formatHhmm(end + index * window.slotMinutes);
    }
    return out;
}
