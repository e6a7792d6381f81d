/**
 * `npm run -s validate [-- --stack NAME]`: validates Pulumi.NAME.yaml with no Pulumi CLI and no
 * credentials, and checks that the stack has its policy configuration. Exit 0 with a summary
 * naming the file, 1 with every problem by file, line, column and path.
 */
import * as path from "path";
import { InventoryError } from "../config/errors";
import { StackFileError, readInventory, requirePolicyConfig, stackFilePath } from "../config/stackfile";
import { ArgsError, ToolSpec, helpText, parseArgs } from "./args";

export const VALIDATE: ToolSpec = {
    command: "npm run -s validate",
    summary:
        "Validates the inventory of a stack file (Pulumi.NAME.yaml) offline: the schema and the cross-checks,\n" +
        "every problem with its file, line, column and path. Also checks that the stack has its policy\n" +
        "configuration (policies/stacks/NAME.json, written by npm run policy-config).",
    stack: true,
    flags: [],
    details: [
        "prints: ok: Pulumi.NAME.yaml: N nodes, N guests, N datasets, N records",
        "exit codes: 0 valid; 1 invalid inventory, unreadable stack file, missing policy configuration or bad arguments",
    ],
};

/**
 * Validates the stack named by `argv` (`--stack NAME`, else `PULUMI_STACK` in `env`, else prod)
 * in `cwd`. Writes the summary to stdout or the problems to stderr; returns the exit code.
 */
export function main(argv: string[], cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): number {
    try {
        const args = parseArgs(argv, VALIDATE, env);
        if (args.help) {
            process.stdout.write(helpText(VALIDATE));
            return 0;
        }
        const file = stackFilePath(args.stack, cwd);
        const { inventory: inv } = readInventory(file);
        requirePolicyConfig(args.stack, cwd);
        const records = inv.dns ? Object.keys(inv.dns.records).length : 0;
        process.stdout.write(
            `ok: ${path.basename(file)}: ${Object.keys(inv.nodes).length} nodes, ${Object.keys(inv.guests).length} guests, ` +
                `${Object.keys(inv.datasets).length} datasets, ${records} records\n`,
        );
        return 0;
    } catch (err) {
        if (err instanceof InventoryError || err instanceof StackFileError || err instanceof ArgsError) {
            process.stderr.write(`error: ${err.message}\n`);
            return 1;
        }
        throw err;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
