/**
 * Values the backup scripts derive from the inventory, checked with the scripts' own rules
 * (lib/pbs/values.ts) so that `validate` refuses what a component would refuse at plan time:
 * - a dataset backed up to PBS is read by proxmox-backup-client from its mountpoint, which the
 *   script takes as a plain path (no spaces);
 * - each such dataset's backup has a name of its own (its systemd unit and PBS backup group,
 *   lib/datasetBackup.ts): `tank/a-b` and `tank-a/b` would both be `tank-a-b`, one backup
 *   overwriting the other's unit and mixing into its group;
 * - with the offsite bucket, PBS gets a second datastore `<datastore>-offsite`, a name PBS takes
 *   only up to 32 characters.
 */
import { datasetBackupNames } from "../../lib/datasetBackup";
import { datasetMountpoint } from "../../lib/datasets";
import { ZFS_DATASET_PATTERN } from "../../lib/patterns";
import { offsiteDatastoreName } from "../../lib/pbs/offsite";
import { PBS_SAFE_ID, PLAIN_PATH } from "../../lib/pbs/values";
import { entityRef } from "../errors";
import { CheckContext } from "./context";

export function checkBackupScripts(ctx: CheckContext): void {
    const { backups, offsite } = ctx.inv;
    const target = backups ? ctx.storage(backups.target) : undefined;
    if (!backups || target?.kind !== "pbs") return;
    const bySlug = new Map<string, string>();
    for (const [name, ds] of Object.entries(ctx.inv.datasets)) {
        if (!("tier" in ds.backup) || !ZFS_DATASET_PATTERN.test(name)) continue;
        const { slug } = datasetBackupNames(name);
        const other = bySlug.get(slug);
        if (other !== undefined)
            ctx.add(
                ["datasets", name],
                `its backup would be named ${slug}, like the backup of ${other}: one would overwrite the other's unit and share its PBS backup group; rename one of the datasets`,
                [entityRef("datasets", name), entityRef("datasets", other)],
            );
        else bySlug.set(slug, name);
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
