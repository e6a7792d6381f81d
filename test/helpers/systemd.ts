/**
 * Checks systemd units and calendar events with systemd's own parser (`systemd-analyze`, of the
 * `systemd` package; .ci/run makes sure it is there). When it is missing the check throws with the
 * reason, so a test that calls it fails instead of passing without having looked.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

function analyze(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync("systemd-analyze", args, { encoding: "utf8" });
    if (r.error !== undefined) {
        const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
        throw new Error(
            missing
                ? "systemd-analyze is not installed, so the generated units cannot be checked: apt-get install systemd (.ci/run makes sure it is there)"
                : `systemd-analyze could not run: ${r.error.message}`,
        );
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What `systemd-analyze verify` says about these unit files (name → text); empty when they are clean. */
export function verifyUnits(units: Readonly<Record<string, string>>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-units-"));
    try {
        const files = Object.entries(units).map(([name, text]) => {
            const file = path.join(dir, name);
            fs.writeFileSync(file, text);
            return file;
        });
        const r = analyze(["verify", "--man=no", ...files]);
        return `${r.stderr}${r.status === 0 ? "" : `(exit ${r.status})`}`.trim();
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** systemd's normalized form of a calendar event, or throws with systemd's complaint. */
export function normalizedCalendar(event: string): string {
    const r = analyze(["calendar", event]);
    if (r.status !== 0) throw new Error(`systemd refuses the calendar event ${JSON.stringify(event)}: ${r.stderr.trim()}`);
    const m = /Normalized form: (.+)/.exec(r.stdout);
    if (!m) throw new Error(`unexpected output of systemd-analyze calendar: ${r.stdout}`);
    return m[1].trim();
}
