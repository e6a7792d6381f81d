/**
 * The base side of a change report: a stack file on disk, or `Pulumi.<stack>.yaml` as it is at a
 * git ref of the repository (`git show <ref>:./Pulumi.<stack>.yaml`, run without a shell).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackFile, readStackFile, stackFilePath } from "../../config/stackfile";

/** The base cannot be read: a ref that does not exist, a file missing at that ref, a file that is not YAML. */
export class BaseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BaseError";
    }
}

/**
 * A ref git would take as an option, or with characters no ref has (git check-ref-format), is
 * refused before git runs. Linear: one character class, no nesting.
 */
const REF_CHARS = /^[A-Za-z0-9._/@{}^~+-]+$/;

/** Runs git in `dir` and returns stdout; a failure becomes a BaseError with git's first line. */
function git(dir: string, args: readonly string[]): string {
    try {
        return execFileSync("git", [...args], {
            cwd: dir,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            maxBuffer: 64 * 1024 * 1024,
        });
    } catch (err) {
        const e = err as { stderr?: string; code?: string; message: string };
        if (e.code === "ENOENT") throw new BaseError("git is not installed; give the base as a stack file instead");
        const first = (e.stderr ?? e.message).trim().split("\n")[0];
        throw new BaseError(first);
    }
}

/** The base as read: the stack file, and how problems name it (`base.yaml`, `origin/main:Pulumi.prod.yaml`). */
export interface BaseFile {
    readonly stackFile: StackFile;
    /** The file as the user knows it: the path given, or `<ref>:<stack file>`. */
    readonly source: string;
}

/** The stack file at a git ref, written to a temporary file for the reader, then removed. */
function stackFileAtRef(ref: string, stack: string, dir: string): BaseFile {
    if (ref.startsWith("-") || !REF_CHARS.test(ref)) {
        throw new BaseError(`--base "${ref}" is neither a stack file nor a git ref; name a file or a ref such as origin/main`);
    }
    const name = path.basename(stackFilePath(stack, dir));
    try {
        git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    } catch {
        throw new BaseError(`--base "${ref}": no such file, and no such commit in the repository at ${path.basename(path.resolve(dir))}`);
    }
    let text: string;
    try {
        text = git(dir, ["show", `${ref}:./${name}`]);
    } catch (err) {
        throw new BaseError(`--base "${ref}": ${name} does not exist at that ref (${(err as Error).message})`);
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-base-"));
    try {
        const file = path.join(tmp, name);
        fs.writeFileSync(file, text);
        return { stackFile: readStackFile(file), source: `${ref}:${name}` };
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/**
 * Reads the base: `spec` is a stack file when such a file exists (relative to `dir`), otherwise a
 * git ref of the repository at `dir`. Throws BaseError, StackFileError or InventoryError.
 */
export function readBase(spec: string, stack: string, dir: string): BaseFile {
    const asFile = path.resolve(dir, spec);
    if (fs.existsSync(asFile) && fs.statSync(asFile).isFile()) return { stackFile: readStackFile(asFile), source: spec };
    return stackFileAtRef(spec, stack, dir);
}
