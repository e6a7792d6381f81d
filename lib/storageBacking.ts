/**
 * Which inventory datasets a node's storage definitions stand on: a zfs storage's pool path, or
 * the dataset an NFS storage mounts (the dataset on the node that serves the export, whose
 * mountpoint is the export path). Pure: the composition makes storages wait for these datasets.
 */
import { datasetMountpoint } from "../config/crosschecks";
import { Inventory } from "../config/schema";

/** node → storage id → dataset paths the storage needs to exist first. */
export function storageBackingDatasets(inv: Inventory): Record<string, Record<string, string[]>> {
    const nodeByAddress = new Map(Object.entries(inv.nodes).map(([name, n]) => [n.address, name]));
    const out: Record<string, Record<string, string[]>> = {};
    for (const [node, spec] of Object.entries(inv.nodes)) {
        for (const [id, storage] of Object.entries(spec.storages)) {
            let backing: string[] = [];
            if (storage.kind === "zfs") {
                const ds = inv.datasets[storage.pool];
                if (ds && ds.node === node) backing = [storage.pool];
            } else if (storage.kind === "nfs") {
                const server = nodeByAddress.get(storage.server);
                backing = Object.entries(inv.datasets)
                    .filter(([path, ds]) => ds.node === server && datasetMountpoint(path, ds.properties.mountpoint) === storage.export)
                    .map(([path]) => path);
            }
            if (backing.length > 0) (out[node] ??= {})[id] = backing;
        }
    }
    return out;
}
