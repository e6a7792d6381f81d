/** The topology of a stack's inventory as both diagram commands read it. */
import { InventoryError } from "../../config/errors";
import { StackFileError, readInventory, stackFilePath } from "../../config/stackfile";
import { Topology, renderTopology } from "./render";

/** The topology of `Pulumi.<stack>.yaml` in `root`, or 2 when the file is unreadable or its inventory invalid (the error on `err`). */
export function stackTopology(stack: string, root: string, err: NodeJS.WritableStream): Topology | 2 {
    try {
        return renderTopology(readInventory(stackFilePath(stack, root)).inventory, { stack });
    } catch (e) {
        if (!(e instanceof InventoryError || e instanceof StackFileError)) throw e;
        err.write(`error: ${e.message}\n`);
        return 2;
    }
}
