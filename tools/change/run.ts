/**
 * `npm run -s plan -- --base <git-ref | stack file>`: the plan of the current inventory plus the
 * change report against the base inventory.
 *
 * Both sides run the current program under the same recording mock runtime, one after the other
 * in this process: each recording sets the runtime's config and installs a fresh mock monitor
 * before it registers anything, and waits until every registration has settled, so the second
 * starts from a clean runtime (test/tools/change-run.slow.test.ts checks that a recording after
 * another equals one in a fresh process). The base is recorded only; its policies are not run.
 */
import { InventoryError } from "../../config/errors";
import { StackFileError, parseStackFileInventory } from "../../config/stackfile";
import { recordProgram } from "../plan/record";
import { PlanReport, plan } from "../plan/report";
import { RecordedResource, Recording } from "../runtime/recorder";
import { BaseError, readBase } from "./base";
import { buildChangeReport } from "./report";

/** The plan of `stack` in `dir` with the change report against `baseSpec` (a ref or a stack file). */
export async function planAgainstBase(stack: string, baseSpec: string, dir = process.cwd()): Promise<PlanReport> {
    const started = Date.now();
    let current: readonly RecordedResource[] = [];
    const report = await plan(stack, dir, (recording: Recording) => {
        current = recording.resources;
    });
    if (report.exitCode === 2) return report;

    const changeStarted = Date.now();
    let base: readonly RecordedResource[];
    // How the base's problems name it; a stack file the base names but cannot be read has no source yet.
    let source: string | undefined;
    try {
        const file = readBase(baseSpec, stack, dir);
        source = file.source;
        const inv = parseStackFileInventory(file.stackFile, file.source);
        base = (await recordProgram(inv, file.stackFile.config, stack)).resources;
    } catch (err) {
        if (err instanceof BaseError || err instanceof StackFileError || err instanceof InventoryError) {
            const problems = err instanceof InventoryError ? err.problems : [];
            return {
                stack,
                file: report.file,
                exitCode: 2,
                durationMs: Date.now() - started,
                error: {
                    kind: "base",
                    message:
                        err instanceof InventoryError
                            ? `the base inventory (${baseSpec}) is invalid under the current schema; nothing was compared`
                            : err.message,
                    problems,
                    ...(source !== undefined ? { source } : {}),
                },
            };
        }
        throw err;
    }
    const changes = buildChangeReport(baseSpec, base, current, changeStarted);
    return {
        ...report,
        exitCode: report.exitCode === 1 || changes.exitCode === 1 ? 1 : 0,
        durationMs: Date.now() - started,
        changes,
    };
}
