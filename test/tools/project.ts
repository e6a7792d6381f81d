/** Throw-away project directories for the tools' tests: stack files and policy configurations. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import { stringify } from "yaml";
import { RawInventory } from "../config/reference";

export const ROOT = path.join(__dirname, "../..");

/** The reference stack file's text. */
export const referenceYaml = (): string => fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");

/** A stack file holding a raw inventory under `homelab:` keys, plus any extra config entries and top-level settings. */
export function stackYaml(
    inv: RawInventory,
    extra: Readonly<Record<string, unknown>> = {},
    settings: Readonly<Record<string, unknown>> = {},
): string {
    const config = Object.fromEntries(Object.entries(inv).map(([k, v]) => [`homelab:${k}`, v]));
    return stringify({ ...settings, config: { ...config, ...extra } });
}

const dirs: string[] = [];

/**
 * A project directory holding `Pulumi.<name>.yaml` for each entry of `stacks` (YAML text) and
 * `policies/stacks/<name>.json` for each entry of `policyConfigs`. Removed after the test file.
 */
export function projectDir(stacks: Readonly<Record<string, string>>, policyConfigs: Readonly<Record<string, unknown>> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-project-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
    if (Object.keys(policyConfigs).length > 0) fs.mkdirSync(path.join(dir, "policies", "stacks"), { recursive: true });
    for (const [name, config] of Object.entries(policyConfigs))
        fs.writeFileSync(path.join(dir, "policies", "stacks", `${name}.json`), JSON.stringify(config, null, 4) + "\n");
    return dir;
}

afterAll(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A stream that keeps what is written to it. */
export function sink(): Writable & { text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
        write(chunk, _encoding, done) {
            chunks.push(String(chunk));
            done();
        },
    }) as Writable & { text: () => string };
    stream.text = () => chunks.join("");
    return stream;
}

/** Runs `fn` with process.stdout and process.stderr captured. */
export async function captured<T>(fn: () => T | Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    /** A write as a stream does it: the callback (`writeAll` waits for it) runs once the chunk is taken. */
    const capture =
        (append: (chunk: string) => void) =>
        (chunk: string | Uint8Array, encodingOrDone?: unknown, done?: unknown): boolean => {
            append(String(chunk));
            const callback = typeof encodingOrDone === "function" ? encodingOrDone : done;
            if (typeof callback === "function") process.nextTick(callback as () => void);
            return true;
        };
    const out = jest.spyOn(process.stdout, "write").mockImplementation(capture((c) => (stdout += c)) as typeof process.stdout.write);
    const err = jest.spyOn(process.stderr, "write").mockImplementation(capture((c) => (stderr += c)) as typeof process.stderr.write);
    try {
        const result = await fn();
        return { result, stdout, stderr };
    } finally {
        out.mockRestore();
        err.mockRestore();
    }
}
