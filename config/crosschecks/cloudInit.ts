/**
 * A VM with cloud-init gets its user data as a snippet file, uploaded to a storage with `snippets`
 * content on its node (lib/snippets.ts picks it, the VM component uploads there): without one the
 * VM cannot be made, so the inventory says so first.
 */
import { snippetsStorageOf } from "../../lib/snippets";
import { entityRef } from "../errors";
import { CheckContext, own } from "./context";

export function checkCloudInitSnippets(ctx: CheckContext): void {
    for (const [name, g] of Object.entries(ctx.inv.guests)) {
        if (g.kind !== "vm" || g.cloudInit === undefined || own(ctx.inv.nodes, g.node) === undefined) continue;
        if (snippetsStorageOf(ctx.inv, g.node) === undefined)
            ctx.add(
                ["guests", name, "cloudInit"],
                `the cloud-init user data is uploaded as a snippet, and node "${g.node}" has no storage with snippets content; add snippets to the content of a storage on it (the installer's local has it)`,
                [entityRef("guests", name), entityRef("storages")],
            );
    }
}
