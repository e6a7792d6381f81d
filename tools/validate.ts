/**
 * `npm run -s validate [-- --stack NAME]`: validates Pulumi.NAME.yaml with no Pulumi CLI and no
 * credentials, and checks that the stack has its policy configuration. Exit 0 with a summary
 * naming the file, 1 with every problem by file, line, column and path; 3 for a bug and 4 when
 * stdout was closed early (tools/output.ts).
 */
import * as path from "path";
import { InventoryError } from "../config/errors";
import { StackFileError, readInventory, requirePolicyConfig, stackFilePath } from "../config/stackfile";
import { ArgsError, ToolSpec, helpText, parseArgs } from "./args";
import { runMain } from "./output";

const VALIDATE: ToolSpec = {
    command: "npm run -s validate",
    summary:
        "Validates the inventory of a stack file (Pulumi.NAME.yaml) offline: the schema and the cross-checks,\n" +
        "every problem with its file, line, column and path. Also checks that the stack has its policy\n" +
        "configuration (policies/stacks/NAME.json, written by npm run policy-config).",
    stack: true,
    flags: [],
    details: [
        "prints: ok: Pulumi.NAME.yaml: N nodes, N guests, N datasets, N records",
        "exit codes: 0 valid; 1 invalid inventory, unreadable stack file, missing policy configuration or bad arguments;",
        "3 a bug; 4 stdout closed before the report was complete",
    ],
};

/**
 * Validates the stack named by `argv` (`--stack NAME`, else `PULUMI_STACK` in `env`, else prod)
 * in `cwd`. Writes the summary to `out` or the problems to `err`; returns the exit code.
 */
export function main(
    argv: string[],
    cwd: string = process.cwd(),
    env: NodeJS.ProcessEnv = process.env,
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): number {
    try {
        const args = parseArgs(argv, VALIDATE, env);
        if (args.help) {
            out.write(helpText(VALIDATE));
            return 0;
        }
        const file = stackFilePath(args.stack, cwd);
        const { inventory: inv } = readInventory(file);
        requirePolicyConfig(args.stack, cwd);
        const records = inv.dns ? Object.keys(inv.dns.records).length : 0;
        out.write(
            `ok: ${path.basename(file)}: ${Object.keys(inv.nodes).length} nodes, ${Object.keys(inv.guests).length} guests, ` +
                `${Object.keys(inv.datasets).length} datasets, ${records} records\n`,
        );
        return 0;
    } catch (e) {
        if (e instanceof InventoryError || e instanceof StackFileError || e instanceof ArgsError) {
            err.write(`error: ${e.message}\n`);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) runMain("validate", (argv, out, err) => main(argv, process.cwd(), process.env, out, err));
