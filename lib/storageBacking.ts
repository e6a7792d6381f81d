/**
 * Which inventory datasets a storage definition stands on: a zfspool storage's dataset, or the
 * dataset an NFS storage mounts (served by a node of the inventory; the export path is the
 * dataset's mountpoint). Pure: the composition makes storages wait for these datasets, since
 * Proxmox activates a storage when it is added (P20).
 */
import { datasetMountpoint } from "./datasets";

export interface BackingSources {
    readonly nodes: Readonly<Record<string, { readonly address: string }>>;
    readonly storages: Readonly<
        Record<string, { readonly kind: string; readonly pool?: string; readonly server?: string; readonly export?: string }>
    >;
    readonly datasets: Readonly<Record<string, { readonly node: string; readonly properties: { readonly mountpoint?: string } }>>;
}

/** storage id → dataset paths that must exist (and, for NFS, be exported) first. */
export function storageBackingDatasets(inv: BackingSources): Record<string, string[]> {
    const nodeByAddress = new Map(Object.entries(inv.nodes).map(([name, n]) => [n.address, name]));
    const out: Record<string, string[]> = {};
    for (const [id, storage] of Object.entries(inv.storages)) {
        let backing: string[] = [];
        if (storage.kind === "zfspool" && storage.pool !== undefined && Object.hasOwn(inv.datasets, storage.pool)) backing = [storage.pool];
        else if (storage.kind === "nfs" && storage.server !== undefined) {
            const server = nodeByAddress.get(storage.server);
            backing = Object.entries(inv.datasets)
                .filter(([path, ds]) => ds.node === server && datasetMountpoint(path, ds.properties.mountpoint) === storage.export)
                .map(([path]) => path);
        }
        if (backing.length > 0) out[id] = backing;
    }
    return out;
}
