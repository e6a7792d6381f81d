/**
 * `npm run -s diagram:png [-- --stack NAME] [--views DIR]`: renders a stack's overview in a real
 * browser (Chromium, driven by the Mermaid CLI) to `docs/topology.png`, at README width, as a
 * person sees it on GitHub. `--views DIR` also renders the legend and every node's view there, to
 * look at (they are not committed).
 *
 * The PNG carries the SHA-256 of the Mermaid text it was rendered from (a `tEXt` chunk), so
 * `npm run diagram -- --check` can tell a stale picture without a browser. Not needed by the tests
 * or CI; it needs Chromium (Debian: `apt-get install chromium`, or PUPPETEER_EXECUTABLE_PATH).
 *
 * Exit codes: 0 written; 2 bad arguments, an invalid inventory, no browser or a failed rendering;
 * 3 for a bug and 4 when stdout was closed early (tools/output.ts).
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { ToolSpec } from "../args";
import { runMain } from "../output";
import { pngFile } from "./render";
import { stackTopology } from "./stack";

/** The `tEXt` keyword under which the PNG keeps the hash of its Mermaid text. */
export const SOURCE_KEYWORD = "homelab-topology-source";

/** SHA-256 (hex) of a picture's Mermaid text. */
export const sourceHash = (chart: string): string => createHash("sha256").update(chart).digest("hex");

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG's chunks: type and data, in file order. Throws on a file that is not a well-formed PNG. */
export function pngChunks(png: Buffer): { type: string; data: Buffer }[] {
    if (png.length < SIGNATURE.length || !png.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error("not a PNG file");
    const chunks: { type: string; data: Buffer }[] = [];
    let at = SIGNATURE.length;
    while (at < png.length) {
        if (at + 12 > png.length) throw new Error("truncated PNG chunk");
        const length = png.readUInt32BE(at);
        const end = at + 12 + length;
        if (end > png.length) throw new Error("truncated PNG chunk");
        chunks.push({ type: png.toString("latin1", at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
        at = end;
    }
    return chunks;
}

function chunk(type: string, data: Buffer): Buffer {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "latin1");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
}

/** The hash a PNG carries under {@link SOURCE_KEYWORD}, or undefined (none, or not a PNG). */
export function readSourceHash(png: Buffer): string | undefined {
    let chunks;
    try {
        chunks = pngChunks(png);
    } catch {
        return undefined;
    }
    const prefix = `${SOURCE_KEYWORD}\0`;
    const text = chunks.find((c) => c.type === "tEXt" && c.data.toString("latin1").startsWith(prefix));
    return text?.data.toString("latin1").slice(prefix.length);
}

/** The PNG with `hash` under {@link SOURCE_KEYWORD} (replacing one it had), just before its end. */
export function withSourceHash(png: Buffer, hash: string): Buffer {
    const prefix = `${SOURCE_KEYWORD}\0`;
    const kept = pngChunks(png).filter((c) => !(c.type === "tEXt" && c.data.toString("latin1").startsWith(prefix)));
    const end = kept.findIndex((c) => c.type === "IEND");
    if (end < 0) throw new Error("PNG without an IEND chunk");
    const text = { type: "tEXt", data: Buffer.from(prefix + hash, "latin1") };
    return Buffer.concat([SIGNATURE, ...[...kept.slice(0, end), text, ...kept.slice(end)].map((c) => chunk(c.type, c.data))]);
}

/** Browsers tried on PATH, in order, when PUPPETEER_EXECUTABLE_PATH is not set. */
export const BROWSERS = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];

/** The browser to render with: PUPPETEER_EXECUTABLE_PATH, else the first of {@link BROWSERS} on PATH. */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (env.PUPPETEER_EXECUTABLE_PATH) return env.PUPPETEER_EXECUTABLE_PATH;
    for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean))
        for (const name of BROWSERS) {
            const candidate = path.join(dir, name);
            try {
                fs.accessSync(candidate, fs.constants.X_OK);
                return candidate;
            } catch {
                // not here
            }
        }
    return undefined;
}

/**
 * Device pixels per CSS pixel. The Mermaid CLI fits a picture into its page, 800 CSS pixels wide
 * (less an 8-pixel margin each side), as GitHub fits it into a README; one device pixel each shows
 * what a reader at that width sees, and keeps the committed file small.
 */
const SCALE = 1;

/**
 * Renders Mermaid charts to PNG files with the Mermaid CLI in `browser`. Charts are rendered one
 * by one into a temporary directory. Throws with the CLI's message when a rendering fails.
 */
function renderPngs(root: string, browser: string, charts: readonly { chart: string; file: string }[]): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-diagram-"));
    try {
        const config = path.join(dir, "puppeteer.json");
        // --no-sandbox: Chromium refuses to start as root with its sandbox, and containers often
        // lack the namespaces it needs; the page shows only the chart written here.
        fs.writeFileSync(config, JSON.stringify({ executablePath: browser, args: ["--no-sandbox"] }));
        const cli = path.join(root, "node_modules", ".bin", "mmdc");
        charts.forEach(({ chart, file }, i) => {
            const input = path.join(dir, `chart-${i}.mmd`);
            const output = path.join(dir, `chart-${i}.png`);
            fs.writeFileSync(input, chart);
            const run = spawnSync(cli, ["-q", "-p", config, "-i", input, "-o", output, "-b", "white", "-s", String(SCALE)], {
                encoding: "utf8",
                env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: "1" },
            });
            if (run.error || run.status !== 0)
                throw new Error(
                    `the Mermaid CLI failed on ${file}: ${(run.error?.message ?? run.stderr ?? "").trim() || `exit ${run.status}`}`,
                );
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.copyFileSync(output, file);
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const DIAGRAM_PNG: ToolSpec = {
    command: "npm run -s diagram:png",
    summary:
        "Renders a stack's overview in Chromium (the Mermaid CLI) to docs/topology.png (docs/topology.NAME.png for a stack\n" +
        "other than prod), at README width; the PNG carries the hash of its Mermaid text, which `diagram --check` compares.",
    stack: true,
    flags: [],
    options: [{ name: "views", placeholder: "DIR", help: "also render the legend and every node's view into DIR, to look at" }],
    details: [
        "needs Chromium: PUPPETEER_EXECUTABLE_PATH, else chromium (Debian: apt-get install chromium) or google-chrome on PATH",
        "exit codes: 0 written; 2 bad arguments, an invalid inventory, no browser or a failed rendering",
    ],
};

/** Runs `diagram:png` in `root` (the repository root). Returns the exit code. */
export function main(
    argv: string[],
    root = process.cwd(),
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
): number {
    const read = stackTopology(argv, DIAGRAM_PNG, root, env, out, err);
    if (typeof read === "number") return read;
    const { args, topology } = read;
    const browser = findBrowser(env);
    if (browser === undefined) {
        err.write(`error: no Chromium found; install it (Debian: apt-get install chromium) or set PUPPETEER_EXECUTABLE_PATH\n`);
        return 2;
    }
    const relative = pngFile(args.stack);
    const file = path.join(root, relative);
    const views = args.options.get("views");
    const charts = [
        { chart: topology.overview, file },
        ...(views === undefined
            ? []
            : [
                  { chart: topology.legend, file: path.join(views, "legend.png") },
                  ...topology.nodes.map((n) => ({ chart: n.chart, file: path.join(views, `node-${n.name}.png`) })),
              ]),
    ];
    try {
        renderPngs(root, browser, charts);
    } catch (e) {
        err.write(`error: ${(e as Error).message}\n`);
        return 2;
    }
    fs.writeFileSync(file, withSourceHash(fs.readFileSync(file), sourceHash(topology.overview)));
    out.write(`wrote ${relative} from Pulumi.${args.stack}.yaml with ${browser}\n`);
    if (views !== undefined) out.write(`wrote the legend and ${topology.nodes.length} node views into ${views}\n`);
    return 0;
}

if (require.main === module) runMain("diagram:png", (argv, out, err) => main(argv, process.cwd(), out, err));
