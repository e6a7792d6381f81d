/**
 * Values the backup scripts derive from the inventory, checked with the scripts' own rules
 * (lib/pbs/values.ts) so that `validate` refuses what a component would refuse at plan time:
 * - a dataset backed up to PBS is read by proxmox-backup-client from its mountpoint, which the
 *   script takes as a plain path (no spaces);
 * - with the offsite bucket, PBS gets a second datastore `<datastore>-offsite`, a name PBS takes
 *   only up to 32 characters.
 */
import { datasetMountpoint } from "../../lib/datasets";
import { offsiteDatastoreName } from "../../lib/pbs/offsite";
import { PBS_SAFE_ID, PLAIN_PATH } from "../../lib/pbs/values";
import { entityRef } from "../errors";
import { CheckContext } from "./context";

export function checkBackupScripts(ctx: CheckContext): void {
    const { backups, offsite } = ctx.inv;
    const target = backups ? ctx.storage(backups.target) : undefined;
    if (!backups || target?.kind !== "pbs") return;
    for (const [name, ds] of Object.entries(ctx.inv.datasets)) {
        if (!("tier" in ds.backup)) continue;
        const mountpoint = datasetMountpoint(name, ds.properties.mountpoint);
        if (!PLAIN_PATH.test(mountpoint))
            ctx.add(
                ["datasets", name, "properties", "mountpoint"],
                `mountpoint ${mountpoint} has a space or a component starting with '.', which the PBS backup of the dataset cannot take; rename the directory`,
                [entityRef("datasets", name)],
            );
    }
    if (offsite?.servesPbs && target.guest !== undefined) {
        const copy = offsiteDatastoreName(target.datastore);
        if (!PBS_SAFE_ID.test(copy))
            ctx.add(
                ["storages", backups.target, "datastore"],
                `the offsite copy of datastore "${target.datastore}" is the datastore "${copy}", longer than the 32 characters PBS takes; shorten the datastore name to at most ${32 - (copy.length - target.datastore.length)} characters`,
                [entityRef("storages", backups.target), entityRef("offsite")],
            );
    }
}
