/**
 * `npm run validate [-- --stack NAME]`: validates Pulumi.NAME.yaml (default prod) with no Pulumi
 * CLI and no credentials. Exit 0 with a summary, 1 with every problem by path.
 */
import { InventoryError } from "../config/errors";
import { parseInventory } from "../config/parse";
import { StackFileError, readStackFile, stackFilePath } from "../config/stackfile";
import { parseArgs } from "./args";

/**
 * Validates the stack file named by `argv` (`--stack NAME`, default prod) in `cwd`. Writes the
 * summary to stdout or the problems to stderr; returns the exit code (0 valid, 1 invalid).
 */
export function main(argv: string[], cwd: string = process.cwd()): number {
    let stack: string;
    try {
        stack = parseArgs(argv, { flags: [] }).stack;
    } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        return 1;
    }
    try {
        const file = stackFilePath(stack, cwd);
        const { inventory } = readStackFile(file);
        const inv = parseInventory(inventory, `Pulumi.${stack}.yaml`);
        const records = inv.dns ? Object.keys(inv.dns.records).length : 0;
        process.stdout.write(
            `ok: ${Object.keys(inv.nodes).length} nodes, ${Object.keys(inv.guests).length} guests, ` +
                `${Object.keys(inv.datasets).length} datasets, ${records} records\n`,
        );
        return 0;
    } catch (err) {
        if (err instanceof InventoryError || err instanceof StackFileError) {
            process.stderr.write(`error: ${err.message}\n`);
            return 1;
        }
        throw err;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
