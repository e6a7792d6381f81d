/**
 * `npm run -s plan [-- --stack NAME] [--json] [--base <git-ref | stack file> [--format text|json|markdown]]`: the offline plan.
 *
 * Reads Pulumi.NAME.yaml (`--stack`, else `PULUMI_STACK`, else prod) and the stack's policy
 * configuration policies/stacks/NAME.json, runs the real program under Pulumi's mock runtime
 * with that configuration (secrets it cannot decrypt become placeholders marked secret), records
 * every resource, runs the policy pack in-process with the engine's semantics, and reports:
 *   (a) a tree like `pulumi preview`'s with counts per type, (b) violations by level,
 *   (c) per node the allocated CPU and memory against physical and the overcommit ratios,
 *   (d) the longest dependency chain (how many steps deep `pulumi up` must go).
 * It is a from-scratch view: what a first `pulumi up` on an empty stack would create (it reads no
 * state). With --base, (e) the change report against the base inventory (tools/change/): what
 * `pulumi up` would create, update, replace or delete going from the base to this inventory, and
 * which of it is dangerous. With --adopt <snapshot>, (f) the adoption view (tools/change/adoption.ts):
 * what the first `up` of an inventory read from a running cluster does to that cluster.
 * Exit 0 when clean, 1 on a mandatory violation, a dangerous change, an adoption that changes what exists, or
 * what the engine would refuse (a duplicate URN), 2 on an invalid inventory, stack file or policy
 * configuration (either side), 3 for a bug (one line on stderr; with --json a JSON error
 * document), 4 when stdout was closed before the report was complete. The report is always
 * written in full before exit. Needs no credentials, no network and no Pulumi CLI.
 */
import { StackFileError } from "../../config/stackfile";
import { ArgsError, ToolSpec, helpText, parseArgs } from "../args";
import { renderChangeMarkdown } from "../change/render";
import { Tool, finishTool, internalErrorDocument, runTool, writeAll } from "../output";
import { renderReport } from "./render";
import { PlanReport, plan } from "./report";

const PLAN: ToolSpec = {
    command: "npm run -s plan",
    summary:
        "The offline plan: runs the program under Pulumi's mock runtime with Pulumi.NAME.yaml and the policy pack\n" +
        "with policies/stacks/NAME.json, and reports what a first `pulumi up` on an empty stack would create\n" +
        "(a from-scratch view: it reads no state), the policy violations, CPU and memory per node, and the\n" +
        "longest dependency chain. No credentials, no network, no Pulumi CLI.",
    stack: true,
    flags: [{ name: "json", help: "print the report as one JSON document (docs/plan.md, tools/plan.schema.json)" }],
    options: [
        { name: "base", placeholder: "REF", help: "also report the changes from a base: a git ref (its Pulumi.NAME.yaml) or a stack file" },
        { name: "adopt", placeholder: "SNAPSHOT", help: "the adoption view against a cluster snapshot of npm run inventory:from-cluster" },
        {
            name: "format",
            choices: ["text", "json", "markdown"],
            default: "text",
            help: "the report's form; markdown renders the change report for a pull request",
        },
    ],
    details: [
        "exit codes: 0 clean; 1 a mandatory policy violation, a dangerous change, an engine error (a duplicate URN) or,",
        "with --adopt, an adopted resource the first up would change;",
        "2 an invalid inventory, stack file, policy configuration or command line (either side); 3 a bug (with --json",
        "a JSON error document on stdout); 4 stdout closed before the report was complete",
    ],
};

/**
 * The plan as a tool: the stack, `--json`, `--base` and `--format` from `argv` (the stack also
 * from `PULUMI_STACK` in `env`); writes the report (text, JSON or the change report's markdown)
 * completely. `planStack` builds the report without a base (replaced in tests).
 */
export function planTool(
    argv: readonly string[],
    planStack?: (stack: string) => Promise<PlanReport>,
    env: NodeJS.ProcessEnv = process.env,
    dir = process.cwd(),
): Tool {
    const planWithoutBase = planStack ?? ((stack: string) => plan(stack, dir));
    let args: ReturnType<typeof parseArgs> | undefined;
    let argsError: string | undefined;
    try {
        args = parseArgs([...argv], PLAN, env);
        if (!args.help && args.options.has("adopt") && args.options.has("base"))
            throw new ArgsError("--adopt and --base are two views: give one at a time");
        if (!args.help && args.options.get("format") === "markdown" && !args.options.has("base"))
            throw new ArgsError("--format markdown renders the change report: give --base <git-ref | stack file>");
    } catch (e) {
        if (!(e instanceof ArgsError || e instanceof StackFileError)) throw e;
        args = undefined;
        argsError = e.message;
    }
    const parsed = args !== undefined && !args.help ? args : undefined;
    const format = parsed?.flags.has("json") ? "json" : (parsed?.options.get("format") ?? "text");
    return {
        name: "plan",
        run: async (out, err) => {
            if (args === undefined || argsError !== undefined) {
                await writeAll(err, `error: ${argsError}\n`);
                return 2;
            }
            if (args.help) {
                await writeAll(out, helpText(PLAN));
                return 0;
            }
            const base = args.options.get("base");
            const adopt = args.options.get("adopt");
            const report =
                adopt !== undefined
                    ? await (await import("../change/adoptionRun")).planWithAdoption(args.stack, adopt, dir)
                    : base === undefined
                      ? await planWithoutBase(args.stack)
                      : await (await import("../change/run")).planAgainstBase(args.stack, base, dir);
            if (format === "json") await writeAll(out, JSON.stringify(report, null, 2) + "\n");
            else if (format === "markdown" && report.changes) await writeAll(out, renderChangeMarkdown(report));
            else await writeAll(out, renderReport(report));
            return report.exitCode;
        },
        internalErrorOutput: (message) =>
            format === "json" && parsed !== undefined
                ? JSON.stringify(internalErrorDocument(parsed.stack, message), null, 2) + "\n"
                : undefined,
    };
}

/** Runs the plan as `npm run plan` does; returns the exit code once the report is written. */
export function main(
    argv: string[],
    env: NodeJS.ProcessEnv = process.env,
    dir = process.cwd(),
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
    return finishTool(planTool(argv, undefined, env, dir), out, err);
}

if (require.main === module) runTool(planTool(process.argv.slice(2)));
