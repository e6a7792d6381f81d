/**
 * Cross-checks of Ceph storages. A managed `rbd` storage is made by creating its Ceph pool with
 * Proxmox's `add_storages`, which adds the storage itself, as Proxmox decides it: named after the
 * pool, content images and rootdir, on every node (pve-manager PVE/API2/Ceph/Pool.pm createpool,
 * $add_storage). The inventory must say what Proxmox will do, or the storage it states is not the
 * one that exists. CephFS has no resource in the provider: only declared.
 */
import { CEPH_POOL_DEFAULTS, StorageSpec } from "../schema";
import { CheckContext } from "./context";

type Rbd = Extract<StorageSpec, { kind: "rbd" }>;

export function checkCephStorage(ctx: CheckContext, id: string, storage: StorageSpec): void {
    const base = ["storages", id];
    if (storage.kind === "cephfs" && storage.managed)
        ctx.add(
            [...base, "managed"],
            `the provider has no resource for CephFS storages; create the file system and its storage with \`pveceph fs create --add-storage\` and declare the existing storage with managed: false`,
        );
    if (storage.kind === "rbd") checkRbd(ctx, id, storage);
}

function checkRbd(ctx: CheckContext, id: string, storage: Rbd): void {
    const base = ["storages", id];
    if (!storage.managed) {
        for (const field of ["size", "minSize"] as const)
            if (storage[field] !== undefined)
                ctx.add(
                    [...base, field],
                    `the program changes no Ceph pool it did not create (this storage is managed: false); remove ${field}, or let the program create the pool`,
                );
        return;
    }
    if (storage.pool !== id)
        ctx.add(
            [...base, "pool"],
            `Proxmox names the storage it adds for a new Ceph pool after the pool; name the storage "${storage.pool}" (or the pool "${id}"), or create the storage yourself and declare it managed: false`,
        );
    const content = [...storage.content].sort();
    if (content.join() !== [...CEPH_POOL_DEFAULTS.content].sort().join())
        ctx.add(
            [...base, "content"],
            `Proxmox adds the storage of a new Ceph pool with content ${CEPH_POOL_DEFAULTS.content.join(", ")}; list exactly those, or create the storage yourself and declare it managed: false`,
        );
    if (storage.nodes !== undefined)
        ctx.add(
            [...base, "nodes"],
            `Proxmox adds the storage of a new Ceph pool for every node; remove nodes, or create the storage yourself and declare it managed: false`,
        );
    const size = storage.size ?? CEPH_POOL_DEFAULTS.size;
    const minSize = storage.minSize ?? CEPH_POOL_DEFAULTS.minSize;
    const nodes = ctx.nodeNames.length;
    // Ceph's default CRUSH rule puts each replica on another host: more replicas than nodes never become clean.
    if (size > nodes)
        ctx.add(
            [...base, "size"],
            `${size} replicas${storage.size === undefined ? " (the default)" : ""} need ${size} nodes, each with an OSD, but the cluster has ${nodes}; set size to at most ${nodes}`,
            ["nodes"],
        );
    if (minSize > size)
        ctx.add(
            [...base, "minSize"],
            `minSize ${minSize}${storage.minSize === undefined ? " (the default)" : ""} is more than size ${size}: the pool would never accept a write; lower minSize`,
        );
}
