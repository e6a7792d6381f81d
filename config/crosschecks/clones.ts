/** Cross-checks of templates, clones (full and linked) and storage replication. */
import { GuestSpec } from "../schema";
import { CheckContext } from "./context";
import { sharedOnBoth, storagesOf } from "./guestStorage";
import { LINKED_CLONE_KINDS } from "./storage";

export function checkCloneAndTemplate(ctx: CheckContext, name: string, g: GuestSpec): void {
    const base = ["guests", name];
    if (g.template) {
        if (g.kind === "vm" && g.pciMappings.length > 0)
            ctx.add([...base, "pciMappings"], `a template is never started; pass hardware to its clones instead`);
        if (g.clone) ctx.add([...base, "clone"], `a template is made from an image here, not cloned; remove clone or template`);
    }
    if (!g.clone) return;
    const source = ctx.requireGuest([...base, "clone", "from"], g.clone.from);
    if (!source) return;
    const refs = [`guests.${g.clone.from}`];
    if (!source.template)
        return ctx.add(
            [...base, "clone", "from"],
            `guest "${g.clone.from}" is not a template; set template: true on it, or clone another guest`,
            refs,
        );
    if (source.kind !== g.kind)
        return ctx.add(
            [...base, "clone", "from"],
            `guest "${g.clone.from}" is a ${source.kind === "vm" ? "VM" : "container"} template; a ${g.kind === "vm" ? "VM" : "container"} clones a template of its own kind`,
            refs,
        );
    const sourceStorages = storagesOf(source);
    const targetStorages = storagesOf(g);
    if (source.node !== g.node && !sourceStorages.every((id) => sharedOnBoth(ctx, id, source.node, g.node)))
        ctx.add(
            [...base, "node"],
            `template "${g.clone.from}" lives on node "${source.node}" on storage not shared with "${g.node}"; clone on the template's node, or keep the template on shared storage`,
            refs,
        );
    if (!g.clone.full) {
        const kinds = sourceStorages.map((id) => ctx.storage(id)?.kind);
        if (targetStorages.join() !== sourceStorages.join())
            ctx.add(
                [...base, "clone", "full"],
                `a linked clone stays on its template's storage (${sourceStorages.join(", ")}); use those storages or a full clone`,
                refs,
            );
        else if (kinds.some((k) => k === undefined || !LINKED_CLONE_KINDS.includes(k)))
            ctx.add(
                [...base, "clone", "full"],
                `storage ${sourceStorages.join(", ")} cannot hold linked clones (zfspool, lvmthin and rbd can); use a full clone`,
                refs,
            );
    }
}

export function checkReplication(ctx: CheckContext, name: string, g: GuestSpec): void {
    g.replication.forEach((r, i) => {
        const path = ["guests", name, "replication", i, "node"];
        if (!ctx.requireNode(path, r.node)) return;
        if (r.node === g.node) return ctx.add(path, `a guest cannot replicate to its own node "${g.node}"; name another node`);
        for (const id of storagesOf(g)) {
            const storage = ctx.storage(id);
            if (!storage) continue;
            if (storage.kind !== "zfspool")
                ctx.add(
                    path,
                    `replication copies ZFS volumes; storage "${id}" is ${storage.kind}, so move the disks to a zfspool storage or drop the replication`,
                    [`storages.${id}`],
                );
            else if (!ctx.storageNodes(storage).includes(r.node))
                ctx.add(
                    path,
                    `node "${r.node}" does not have storage "${id}", which replication writes to; add it to storages.${id}.nodes`,
                    [`storages.${id}`],
                );
        }
    });
}
