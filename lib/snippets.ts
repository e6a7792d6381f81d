/**
 * Where a VM's cloud-init user data goes: a snippet file on a storage of its node. Pure; the
 * inventory checks that every VM with cloud-init has one, the VM component uploads there.
 */
import { Inventory } from "../config/schema";

/** The first storage (by id) with `snippets` content on a node, for cloud-init user data. */
export function snippetsStorageOf(inv: Pick<Inventory, "storages" | "nodes">, node: string): string | undefined {
    return Object.keys(inv.storages)
        .sort()
        .find((id) => {
            const s = inv.storages[id];
            return s.content.includes("snippets") && (s.nodes ?? Object.keys(inv.nodes)).includes(node);
        });
}
