import { stackRule } from "../define";
import { bucketLabel, bucketsOf, servesPbs } from "../buckets";
import { bool, record, str } from "../props";
import { S3_OBJECT_LOCK_TYPES } from "../tokens";

/**
 * Proxmox Backup Server rewrites and deletes chunks during garbage collection; Object Lock refuses
 * those deletes, so GC fails and the datastore only ever grows.
 */
export const offsiteBucketNoObjectLockForPbs = stackRule({
    name: "offsite-bucket-no-object-lock-for-pbs",
    description:
        'Checks that no S3 bucket Proxmox Backup Server writes to (tagged `serves-pbs: "true"`, or so declared by the offsite bucket component above it) enables Object Lock.',
    validate: (resources, _ctx, report) => {
        for (const view of bucketsOf(resources)) {
            if (!servesPbs(view.bucket)) continue;
            const b = view.bucket.props;
            const inline = bool(b.objectLockEnabled) === true || str(record(b.objectLockConfiguration)?.objectLockEnabled) === "Enabled";
            const locks = view.subs(S3_OBJECT_LOCK_TYPES);
            if (inline || locks.length > 0) {
                const where = inline ? "`objectLockEnabled`" : `BucketObjectLockConfiguration ${locks[0].name}`;
                report(
                    `Bucket ${bucketLabel(view)} is written by Proxmox Backup Server but enables Object Lock (${where}), which breaks its garbage collection. Turn Object Lock off; rely on versioning for recovery.`,
                    view.bucket.urn,
                );
            }
        }
    },
});
