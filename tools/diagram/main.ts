/**
 * `npm run -s diagram [-- --stack NAME] [--check]`: draws the topology of a stack's inventory as
 * Mermaid flowcharts in `docs/topology.md` (`docs/topology.NAME.md` for a stack other than prod):
 * an overview legible at README width, a legend, and a view of each node. Prod's overview and
 * legend also stand in README.md, between the topology markers.
 *
 * The pictures come from the inventory alone (no Pulumi runtime) and are deterministic, so
 * `--check` can fail CI when a committed file no longer matches the inventory: the document, the
 * README's block (prod), and the rendered PNG (`npm run diagram:png`) when there is one, by the
 * hash of the Mermaid text it carries. `--check` needs no browser.
 *
 * Exit codes: 0 written / up to date, 1 stale (`--check`), 2 unreadable or invalid inventory; 3 for
 * a bug and 4 when stdout was closed early (tools/output.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { ToolSpec } from "../args";
import { runMain } from "../output";
import { readSourceHash, sourceHash } from "./png";
import { Topology, diagramCommand, diagramFile, firstDifference, pngFile, tooLong, withReadmeDiagram } from "./render";
import { stackTopology } from "./stack";

const DIAGRAM: ToolSpec = {
    command: "npm run -s diagram",
    summary:
        "Draws the topology of a stack's inventory (Pulumi.NAME.yaml) as Mermaid flowcharts in docs/topology.md\n" +
        "(docs/topology.NAME.md for a stack other than prod): an overview, a legend and a view of each node.\n" +
        "Prod's overview and legend also stand in README.md.",
    stack: true,
    flags: [
        {
            name: "check",
            help: "write nothing; fail when the committed diagram, README's picture or the rendered PNG differs from the inventory",
        },
    ],
    details: ["exit codes: 0 written or up to date; 1 stale (--check); 2 unreadable or invalid inventory, or bad arguments"],
};

/** Whether the PNG at `file` was rendered from this overview: "missing", "stale" or "current". */
function pngState(file: string, topology: Topology): "missing" | "stale" | "current" {
    if (!fs.existsSync(file)) return "missing";
    return readSourceHash(fs.readFileSync(file)) === sourceHash(topology.overview) ? "current" : "stale";
}

/** Runs the command in `root` (the repository root). Returns the exit code. */
export function main(
    argv: string[],
    root = process.cwd(),
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
): number {
    const read = stackTopology(argv, DIAGRAM, root, env, out, err);
    if (typeof read === "number") return read;
    const { args, topology } = read;
    const source = `Pulumi.${args.stack}.yaml`;
    const relative = diagramFile(args.stack);
    const file = path.join(root, relative);
    const png = pngFile(args.stack);
    const pngStatus = pngState(path.join(root, png), topology);
    const renderPng = diagramCommand(args.stack, "diagram:png");
    // The reference stack's picture also stands in README.md, between the topology markers.
    const readmePath = path.join(root, "README.md");
    const readme = args.stack === "prod" && fs.existsSync(readmePath) ? fs.readFileSync(readmePath, "utf8") : undefined;
    const readmeRendered = readme === undefined ? undefined : withReadmeDiagram(readme, topology.readmeBlock);
    if (args.flags.has("check")) {
        const committed = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
        if (committed === undefined) {
            err.write(`error: ${relative} is missing; run ${diagramCommand(args.stack)} and commit it\n`);
            return 1;
        }
        const line = firstDifference(committed, topology.markdown);
        if (line !== undefined) {
            err.write(
                `error: ${relative} is stale: it differs from the rendering of ${source} from line ${line} on; ` +
                    `run ${diagramCommand(args.stack)} and commit the result\n`,
            );
            return 1;
        }
        if (readme !== undefined && readmeRendered !== readme) {
            err.write(`error: the picture in README.md is stale; run npm run diagram and commit the result\n`);
            return 1;
        }
        if (pngStatus === "stale") {
            err.write(`error: ${png} was rendered from an older overview; run ${renderPng} (needs Chromium) and commit it\n`);
            return 1;
        }
        out.write(`${relative} is up to date with ${source}${pngStatus === "current" ? `, and so is ${png}` : ""}\n`);
        for (const note of tooLong(topology)) out.write(`${note}\n`);
        return 0;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, topology.markdown);
    out.write(`wrote ${relative} from ${source}\n`);
    if (readme !== undefined && readmeRendered !== undefined && readmeRendered !== readme) {
        fs.writeFileSync(readmePath, readmeRendered);
        out.write(`wrote README.md\n`);
    }
    if (pngStatus === "stale") out.write(`${png} shows an older overview: run ${renderPng} (needs Chromium) and commit it\n`);
    for (const note of tooLong(topology)) out.write(`${note}\n`);
    return 0;
}

if (require.main === module) runMain("diagram", (argv, out, err) => main(argv, process.cwd(), out, err));
