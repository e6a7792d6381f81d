/**
 * `npm run -s plan -- --stack NAME --adopt Pulumi.NAME.cluster.json`: the plan of an inventory read
 * from a running cluster, with the adoption view (tools/change/adoption.ts) against the snapshot
 * the reader kept. Exit 1 when the view finds anything the first `up` would change on the cluster.
 */
import * as path from "path";
import { readInventory, stackFilePath } from "../../config/stackfile";
import { PlanReport, plan } from "../plan/report";
import { RecordedResource, Recording } from "../runtime/recorder";
import { SnapshotError, adoptionView, readSnapshot } from "./adoption";

/** The plan of `stack` in `dir` with the adoption view against the snapshot file `snapshotSpec` (relative to `dir`). */
export async function planWithAdoption(stack: string, snapshotSpec: string, dir = process.cwd()): Promise<PlanReport> {
    const started = Date.now();
    let resources: readonly RecordedResource[] = [];
    const report = await plan(stack, dir, (recording: Recording) => {
        resources = recording.resources;
    });
    if (report.exitCode === 2) return report;
    let snapshot;
    try {
        snapshot = readSnapshot(path.resolve(dir, snapshotSpec));
    } catch (e) {
        if (!(e instanceof SnapshotError)) throw e;
        return {
            stack,
            file: report.file,
            exitCode: 2,
            durationMs: Date.now() - started,
            error: { kind: "snapshot", message: e.message, problems: [] },
        };
    }
    // The plan validated this inventory a moment ago; read it again for what the view needs beyond the recording.
    const { inventory } = readInventory(stackFilePath(stack, dir));
    const adoption = adoptionView(resources, snapshot, inventory, snapshotSpec);
    return { ...report, exitCode: report.exitCode === 1 || adoption.exitCode === 1 ? 1 : 0, durationMs: Date.now() - started, adoption };
}
