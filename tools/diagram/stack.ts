/** The start both diagram commands share: their command line, then the topology of the stack it names. */
import { InventoryError } from "../../config/errors";
import { StackFileError, readInventory, stackFilePath } from "../../config/stackfile";
import { RunArgs, ToolSpec, commandLine } from "../args";
import { Topology, renderTopology } from "./render";

/**
 * The arguments and the topology of `Pulumi.<stack>.yaml` in `root`, or the exit code when there is
 * nothing to draw: 0 after `--help`, 2 after a bad command line, an unreadable stack file or an
 * invalid inventory (the error on `err`).
 */
export function stackTopology(
    argv: readonly string[],
    spec: ToolSpec,
    root: string,
    env: NodeJS.ProcessEnv,
    out: NodeJS.WritableStream,
    err: NodeJS.WritableStream,
): { args: RunArgs; topology: Topology } | 0 | 2 {
    const args = commandLine(argv, spec, env, out, err);
    if (typeof args === "number") return args;
    try {
        return { args, topology: renderTopology(readInventory(stackFilePath(args.stack, root)).inventory, { stack: args.stack }) };
    } catch (e) {
        if (!(e instanceof InventoryError || e instanceof StackFileError)) throw e;
        err.write(`error: ${e.message}\n`);
        return 2;
    }
}
