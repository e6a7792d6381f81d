/**
 * What belongs to a node's own system, which no entity of the inventory may take over.
 *
 * Host paths that hold a system path below them: `systemPathReason` refuses a path at or under a
 * system path (`/etc/x`, `/var/lib/vz`); a path above one is as bad where it is mounted or shared:
 * a dataset mounted at `/var` shadows `/var/lib/pve-cluster` (the cluster's configuration) and
 * `/var/lib/vz`, and a container given `/var` sees them. So a managed root, a dataset's mountpoint
 * and a container's host mount may not hold a system path either.
 *
 * The node's root file system (`rpool/ROOT`, the installer's boot environment): no dataset lives
 * there (datasets.ts), and no ZFS storage puts guest volumes there either.
 */
import { datasetMountpoint } from "../../lib/datasets";
import { normalizeHostPath, systemPathBelow } from "../../lib/paths";
import { CheckContext, own } from "./context";

export function checkNodeSystem(ctx: CheckContext): void {
    ctx.inv.cluster.managedRoots.forEach((root, i) => {
        const below = systemPathBelow(normalizeHostPath(root));
        if (below)
            ctx.add(
                ["cluster", "managedRoots", i],
                `${root} holds the system path ${below}; managed roots hold datasets and bind-mount sources, so name a data path such as /tank or /srv/data`,
            );
    });
    for (const [name, ds] of Object.entries(ctx.inv.datasets)) {
        const mountpoint = datasetMountpoint(name, ds.properties.mountpoint);
        const below = systemPathBelow(normalizeHostPath(mountpoint));
        if (below)
            ctx.add(
                ["datasets", name, "properties", "mountpoint"],
                `mountpoint ${mountpoint} would shadow the system path ${below} below it; mount data under a managed root such as /tank`,
            );
    }
    for (const [name, g] of Object.entries(ctx.inv.guests)) {
        if (g.kind !== "lxc") continue;
        g.hostMounts.forEach((m, i) => {
            const below = systemPathBelow(normalizeHostPath(m.hostPath));
            if (below)
                ctx.add(
                    ["guests", name, "hostMounts", i, "hostPath"],
                    `${m.hostPath} holds the system path ${below}; never bind-mount system paths into a guest`,
                );
        });
    }
    for (const [id, storage] of Object.entries(ctx.inv.storages)) {
        if (storage.kind !== "zfspool") continue;
        for (const node of ctx.storageNodes(storage)) {
            const spec = own(ctx.inv.nodes, node);
            const bootPool = spec?.boot && "pool" in spec.boot ? spec.boot.pool : "rpool";
            if (storage.pool === `${bootPool}/ROOT` || storage.pool.startsWith(`${bootPool}/ROOT/`)) {
                ctx.add(
                    ["storages", id, "pool"],
                    `${storage.pool} is node "${node}"'s root file system (the installer's ${bootPool}/ROOT); guest volumes belong in a dataset of their own such as ${bootPool}/data or a data pool`,
                    [`nodes.${node}`],
                );
                break;
            }
        }
    }
}
