/**
 * Where a VM's cloud-init user data goes: a snippet file on a storage of its node. Pure; the
 * inventory checks that every VM with cloud-init has one, the VM component uploads there.
 */

/** What the choice reads of the inventory: its storages (content, nodes) and its node names. */
export interface SnippetsInventory {
    readonly storages: Readonly<Record<string, { readonly content: readonly string[]; readonly nodes?: readonly string[] }>>;
    readonly nodes: Readonly<Record<string, unknown>>;
}

/** The first storage (by id) with `snippets` content on a node, for cloud-init user data. */
export function snippetsStorageOf(inv: SnippetsInventory, node: string): string | undefined {
    return Object.keys(inv.storages)
        .sort()
        .find((id) => {
            const s = inv.storages[id];
            return s.content.includes("snippets") && (s.nodes ?? Object.keys(inv.nodes)).includes(node);
        });
}
