/** The storages a guest's disks and files (images, ISOs) stand on: known, on its node, holding the content. */
import { GuestSpec } from "../schema";
import { CheckContext } from "./context";
import { GUEST_DISK_CONTENT, SHARED_KINDS, guestDiskStorageProblem } from "./storage";

/** A disk's storage: known, on the guest's node, holding the content, not the root disk. */
export function checkDiskStorage(
    ctx: CheckContext,
    path: readonly PropertyKey[],
    g: GuestSpec,
    id: string,
    content: (typeof GUEST_DISK_CONTENT)[number],
): void {
    const storage = ctx.storage(id);
    const forbidden = guestDiskStorageProblem(id, storage);
    if (forbidden) return ctx.add(path, forbidden, [`storages.${id}`]);
    if (!ctx.requireStorage(path, id) || !storage) return;
    const refs = [...ctx.storageRefs(id), `nodes.${g.node}`];
    if (!ctx.storageNodes(storage).includes(g.node))
        ctx.add(
            path,
            `node "${g.node}" does not have storage "${id}" (it is on ${ctx.storageNodes(storage).join(", ")}); add the node to storages.${id}.nodes or pick a storage the node has`,
            refs,
        );
    else if (!storage.content.includes(content))
        ctx.add(
            path,
            `storage "${id}" does not hold "${content}" content; add "${content}" to storages.${id}.content or pick another storage`,
            refs,
        );
}

/** A file (an image, an ISO) on a storage the guest's node has. */
export function checkFileStorage(
    ctx: CheckContext,
    path: readonly PropertyKey[],
    g: GuestSpec,
    id: string,
    content: string,
    refs: string[],
): void {
    const storage = ctx.storage(id);
    if (!storage) return; // reported on the image (or below for a cdrom)
    const all = [...refs, ...ctx.storageRefs(id), `nodes.${g.node}`];
    if (!ctx.storageNodes(storage).includes(g.node))
        ctx.add(
            path,
            `node "${g.node}" does not have storage "${id}", where this ${content} file lives; add the node to storages.${id}.nodes`,
            all,
        );
    else if (!storage.content.includes(content as never))
        ctx.add(path, `storage "${id}" does not hold "${content}" content; add it to storages.${id}.content`, all);
}

export function storagesOf(g: GuestSpec): string[] {
    return g.kind === "lxc" ? [g.disk.storage] : g.disks.flatMap((d) => ("storage" in d ? [d.storage] : []));
}

export function sharedOnBoth(ctx: CheckContext, id: string, a: string, b: string): boolean {
    const storage = ctx.storage(id);
    if (!storage) return true; // reported elsewhere
    const nodes = ctx.storageNodes(storage);
    return SHARED_KINDS.includes(storage.kind) && nodes.includes(a) && nodes.includes(b);
}
