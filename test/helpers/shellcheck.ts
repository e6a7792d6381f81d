/**
 * Runs shellcheck on a generated script, as POSIX sh. Shellcheck is a test dependency (Debian's
 * `shellcheck`, installed by .ci/run): when it is missing the check throws with the reason, so a
 * test that calls it fails instead of passing without having looked.
 */
import { spawnSync } from "child_process";

export interface ShellcheckFinding {
    readonly line: number;
    readonly code: number;
    readonly level: string;
    readonly message: string;
}

/** The findings of `shellcheck --shell=sh` on the script (empty when clean). Throws when shellcheck cannot run. */
export function shellcheck(script: string): ShellcheckFinding[] {
    const r = spawnSync("shellcheck", ["--shell=sh", "--format=json1", "--severity=style", "-"], { input: script, encoding: "utf8" });
    if (r.error !== undefined) {
        const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
        throw new Error(
            missing
                ? "shellcheck is not installed, so the generated scripts cannot be checked: apt-get install shellcheck (.ci/run installs it)"
                : `shellcheck could not run: ${r.error.message}`,
        );
    }
    if (r.status !== 0 && r.status !== 1) throw new Error(`shellcheck failed (${r.status}): ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { comments: ShellcheckFinding[] };
    return out.comments.map((c) => ({ line: c.line, code: c.code, level: c.level, message: c.message }));
}
