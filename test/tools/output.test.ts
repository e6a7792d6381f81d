/**
 * How the tools end (tools/output.ts): the report written completely before exit, one line on
 * stderr for a bug (exit 3) with the JSON error document on stdout, and one line when the reader
 * closed stdout early (exit 4). Real processes and real pipes where the behaviour depends on them.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { PassThrough, Writable } from "stream";
import { shellQuote } from "../../lib/shell";
import { EXIT_INTERNAL, EXIT_OUTPUT_CLOSED, OutputClosedError, finishTool, oneLine, writeAll } from "../../tools/output";

const ROOT = path.join(__dirname, "../..");

/** Collects what is written to it. */
function sink(): PassThrough & { text: () => string } {
    const s = new PassThrough();
    const chunks: Buffer[] = [];
    s.on("data", (c: Buffer) => chunks.push(c));
    return Object.assign(s, { text: () => Buffer.concat(chunks).toString("utf8") });
}

/** A stream whose reader went away: every write fails with EPIPE. */
function closedPipe(): Writable {
    return new Writable({
        write(_chunk, _encoding, callback) {
            callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
        },
    });
}

/** Runs a script with ts-node from the repository root; `| reader` when given, through a real pipe. */
function runScript(script: string, reader?: string): { status: number[]; stdout: string; stderr: string } {
    const writer = `${shellQuote(process.execPath)} -r ts-node/register/transpile-only -e ${shellQuote(script)}`;
    const command = reader === undefined ? `${writer}; echo "exit $?" >&2` : `${writer} | ${reader}; echo "exit \${PIPESTATUS[*]}" >&2`;
    const run = spawnSync("bash", ["-c", command], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    const lines = run.stderr.trimEnd().split("\n");
    const status = (lines.pop() ?? "")
        .replace(/^exit /, "")
        .split(" ")
        .map(Number);
    return { status, stdout: run.stdout, stderr: lines.join("\n") };
}

describe("writeAll", () => {
    it("resolves once the stream took everything, and rejects with OutputClosedError on a closed pipe", async () => {
        const out = sink();
        await writeAll(out, "report\n");
        expect(out.text()).toBe("report\n");
        await expect(writeAll(closedPipe(), "report\n")).rejects.toBeInstanceOf(OutputClosedError);
    });
});

describe("oneLine", () => {
    it("joins a message's lines with '; '", () => {
        expect(oneLine(new Error("the program made calls the plan cannot answer:\n  unmocked invoke a\n\nunmocked invoke b"))).toBe(
            "the program made calls the plan cannot answer:; unmocked invoke a; unmocked invoke b",
        );
        expect(oneLine("plain")).toBe("plain");
    });
});

describe("finishTool", () => {
    it("returns the tool's exit code after its output is written", async () => {
        const out = sink();
        const err = sink();
        const code = await finishTool({ name: "t", run: async (o) => (await writeAll(o, "all of it\n"), 1) }, out, err);
        expect([code, out.text(), err.text()]).toEqual([1, "all of it\n", ""]);
    });

    it("turns a bug into exit 3: one line on stderr and the tool's error document on stdout", async () => {
        const out = sink();
        const err = sink();
        const code = await finishTool(
            {
                name: "plan",
                run: () => {
                    throw new Error("cannot read properties of undefined\n    at somewhere");
                },
                internalErrorOutput: (message) => `${JSON.stringify({ message })}\n`,
            },
            out,
            err,
        );
        expect(code).toBe(EXIT_INTERNAL);
        expect(err.text()).toBe("plan: internal error (a bug; please report it): cannot read properties of undefined; at somewhere\n");
        expect(JSON.parse(out.text())).toEqual({ message: "cannot read properties of undefined; at somewhere" });
    });

    it("turns a closed stdout into exit 4 with one line on stderr", async () => {
        const err = sink();
        const code = await finishTool({ name: "plan", run: async (o) => (await writeAll(o, "x".repeat(1 << 20)), 0) }, closedPipe(), err);
        expect(code).toBe(EXIT_OUTPUT_CLOSED);
        expect(err.text()).toBe(
            "plan: standard output was closed before the report was complete (the reader closed the pipe); the output is incomplete\n",
        );
    });
});

describe("runTool in a real process", () => {
    const tool = (body: string) => `
        const { runTool, writeAll } = require("./tools/output");
        runTool({ name: "demo", run: async (out) => { ${body} }, internalErrorOutput: (m) => JSON.stringify({ exitCode: 3, message: m }) + "\\n" });`;

    it("writes 8 MiB through a pipe to a slow reader before it exits", () => {
        const slowReader = `${shellQuote(process.execPath)} -e ${shellQuote(
            "let n = 0; process.stdin.on('data', (c) => { n += c.length; process.stdin.pause(); setTimeout(() => process.stdin.resume(), 2); }).on('end', () => console.log(n));",
        )}`;
        const run = runScript(tool(`await writeAll(out, "x".repeat(8 << 20)); return 1;`), slowReader);
        expect(run.status).toEqual([1, 0]);
        expect(run.stdout.trim()).toBe(String(8 << 20));
        expect(run.stderr).toBe("");
    });

    it("exits 4 with one line on stderr when the reader closes the pipe first", () => {
        const run = runScript(
            tool(`await new Promise((r) => setTimeout(r, 300)); await writeAll(out, "x".repeat(1 << 20)); return 0;`),
            "true",
        );
        expect(run.status).toEqual([EXIT_OUTPUT_CLOSED, 0]);
        expect(run.stderr).toBe(
            "demo: standard output was closed before the report was complete (the reader closed the pipe); the output is incomplete",
        );
    });

    it("exits 3 with one line on stderr and the error document on stdout for a bug, thrown or escaping as a rejection", () => {
        const thrown = runScript(tool(`throw new TypeError("x is not a function");`));
        expect(thrown.status).toEqual([EXIT_INTERNAL]);
        expect(thrown.stderr).toBe("demo: internal error (a bug; please report it): x is not a function");
        expect(JSON.parse(thrown.stdout)).toEqual({ exitCode: 3, message: "x is not a function" });

        const escaped = runScript(
            tool(`Promise.reject(new Error("lost promise")); await new Promise((r) => setTimeout(r, 5000)); return 0;`),
        );
        expect(escaped.status).toEqual([EXIT_INTERNAL]);
        expect(escaped.stderr).toBe("demo: internal error (a bug; please report it): lost promise");
    });
});
