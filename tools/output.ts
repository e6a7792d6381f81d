/**
 * How every tool ends: its report written completely, wherever stdout goes, before the process
 * exits.
 *
 * A write to a pipe is asynchronous past the pipe's buffer (64 KiB), so `process.exit` right after
 * `write` loses the rest of a large report. Tools write through `writeAll`, which resolves once
 * the stream has handed every byte to the operating system, and `runTool` exits only after that.
 *
 * Exit codes every tool shares, besides its own (0 ok, 1 and 2 per tool):
 * - 3: a bug (an error the tool did not expect): one line on stderr and, for a tool with a JSON
 *   mode, a JSON error document on stdout;
 * - 4: stdout was closed before the report was complete (`plan | head`): one line on stderr.
 */

/** A bug in the tool. */
export const EXIT_INTERNAL = 3;
/** Stdout was closed before the report was complete (EPIPE). */
export const EXIT_OUTPUT_CLOSED = 4;

/** Stdout (or stderr) was closed by the reader before everything was written. */
export class OutputClosedError extends Error {
    constructor() {
        super("standard output was closed before the report was complete");
        this.name = "OutputClosedError";
    }
}

const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * A stream that reports a closed reader as an error event (EPIPE) crashes the process unless
 * someone listens: `writeAll` hears it through its callback, so one quiet listener per stream.
 */
function guard(stream: NodeJS.WritableStream): void {
    if (guarded.has(stream)) return;
    guarded.add(stream);
    stream.on("error", () => undefined);
}

function isClosedPipe(e: unknown): boolean {
    const code = (e as { code?: unknown } | null)?.code;
    return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ERR_STREAM_WRITE_AFTER_END";
}

/**
 * Writes `text` and resolves once the stream has handed it to the operating system; rejects with
 * `OutputClosedError` when the reader closed the stream first.
 */
export function writeAll(stream: NodeJS.WritableStream, text: string): Promise<void> {
    guard(stream);
    return new Promise((resolve, reject) => {
        const done = (e?: Error | null) => {
            if (e === undefined || e === null) resolve();
            else reject(isClosedPipe(e) ? new OutputClosedError() : e);
        };
        try {
            stream.write(text, done);
        } catch (e) {
            done(e as Error);
        }
    });
}

/**
 * Resolves once everything written to `stream` before has left the process (writes are ordered,
 * so the callback of an empty write comes after theirs); rejects with `OutputClosedError` when the
 * reader closed the stream.
 */
export function flush(stream: NodeJS.WritableStream): Promise<void> {
    return writeAll(stream, "");
}

/** An error's message on one line (a bug report must stay one line on stderr). */
export function oneLine(e: unknown): string {
    const message = e instanceof Error ? e.message : String(e);
    return message
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .join("; ");
}

/** The JSON document a tool with a JSON mode prints on stdout for a bug (exit 3). */
export interface InternalErrorDocument {
    readonly stack: string;
    readonly exitCode: typeof EXIT_INTERNAL;
    readonly error: { readonly kind: "internal"; readonly message: string };
}

export function internalErrorDocument(stack: string, message: string): InternalErrorDocument {
    return { stack, exitCode: EXIT_INTERNAL, error: { kind: "internal", message } };
}

/** A tool as `runTool` runs it. */
export interface Tool {
    /** The tool's name for stderr lines (`plan`, `validate`, ...). */
    readonly name: string;
    /** Runs the tool, writing through `writeAll`; returns its exit code. */
    readonly run: (out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<number> | number;
    /** What stdout gets when the tool fails with a bug (the `--json` error document), if anything. */
    readonly internalErrorOutput?: (message: string) => string | undefined;
}

/**
 * Runs a tool and returns its exit code once everything it wrote has left the process: the tool's
 * own code; 3 for a bug (one line on stderr, and the tool's error document on stdout); 4 when
 * stdout was closed early (one line on stderr).
 */
export async function finishTool(
    tool: Tool,
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
    const say = async (line: string) => {
        // Nothing more can be done when stderr is closed too.
        await writeAll(err, `${tool.name}: ${line}\n`).catch(() => undefined);
    };
    try {
        return await tool.run(out, err);
    } catch (e) {
        if (e instanceof OutputClosedError) {
            await say(`${e.message} (the reader closed the pipe); the output is incomplete`);
            return EXIT_OUTPUT_CLOSED;
        }
        const message = oneLine(e);
        await say(`internal error (a bug; please report it): ${message}`);
        const document = tool.internalErrorOutput?.(message);
        if (document !== undefined) {
            try {
                await writeAll(out, document);
            } catch {
                // stdout closed as well: the stderr line above stands alone.
            }
        }
        return EXIT_INTERNAL;
    }
}

/**
 * The entry point of a tool's script: runs it with `finishTool` and exits with its code. An error
 * that escapes the tool asynchronously (an unhandled rejection) is a bug like any other.
 */
export function runTool(tool: Tool): void {
    let escaped: ((e: unknown) => void) | undefined;
    const late = new Promise<never>((_, reject) => (escaped = reject));
    late.catch(() => undefined);
    process.on("unhandledRejection", (e) => escaped?.(e));
    process.on("uncaughtException", (e) => escaped?.(e));
    const guardedTool: Tool = { ...tool, run: (out, err) => Promise.race([Promise.resolve(tool.run(out, err)), late]) };
    void finishTool(guardedTool).then((code) => {
        process.exitCode = code;
        // Everything is written (finishTool waited for it); exit even if the runtime left handles open.
        process.exit(code);
    });
}

/**
 * The entry point of a tool whose `main` writes to the streams it is given: runs it through
 * `runTool` with the process's arguments, once both streams have taken everything it wrote.
 */
export function runMain(
    name: string,
    main: (argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream) => number | Promise<number>,
): void {
    runTool({
        name,
        run: async (out, err) => {
            const code = await main(process.argv.slice(2), out, err);
            await flush(err);
            await flush(out);
            return code;
        },
    });
}
