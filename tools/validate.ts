/**
 * `npm run validate [-- --stack NAME]`: validates Pulumi.NAME.yaml (default prod) with no Pulumi
 * CLI and no credentials. Exit 0 with a summary, 1 with every problem by path; 3 for a bug and 4
 * when stdout was closed early (tools/output.ts).
 */
import { InventoryError } from "../config/errors";
import { parseInventory } from "../config/parse";
import { StackFileError, readStackFile, stackFilePath } from "../config/stackfile";
import { parseArgs } from "./args";
import { flush, runTool } from "./output";

/**
 * Validates the stack file named by `argv` (`--stack NAME`, default prod) in `cwd`. Writes the
 * summary to stdout or the problems to stderr; returns the exit code (0 valid, 1 invalid).
 */
export function main(
    argv: string[],
    cwd: string = process.cwd(),
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): number {
    let stack: string;
    try {
        stack = parseArgs(argv, { flags: [] }).stack;
    } catch (e) {
        err.write(`error: ${(e as Error).message}\n`);
        return 1;
    }
    try {
        const file = stackFilePath(stack, cwd);
        const { inventory } = readStackFile(file);
        const inv = parseInventory(inventory, `Pulumi.${stack}.yaml`);
        const records = inv.dns ? Object.keys(inv.dns.records).length : 0;
        out.write(
            `ok: ${Object.keys(inv.nodes).length} nodes, ${Object.keys(inv.guests).length} guests, ` +
                `${Object.keys(inv.datasets).length} datasets, ${records} records\n`,
        );
        return 0;
    } catch (e) {
        if (e instanceof InventoryError || e instanceof StackFileError) {
            err.write(`error: ${e.message}\n`);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) {
    runTool({
        name: "validate",
        run: async (out, err) => {
            const code = main(process.argv.slice(2), process.cwd(), out, err);
            await flush(err);
            await flush(out);
            return code;
        },
    });
}
