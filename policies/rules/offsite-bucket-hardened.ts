import { stackRule } from "../define";
import { bucketLabel, bucketsOf, waivedSettings } from "../buckets";
import { bool, num, record, records, str } from "../props";
import { S3_ACL_TYPES, S3_ENCRYPTION_TYPES, S3_LIFECYCLE_TYPES, S3_PUBLIC_ACCESS_BLOCK_TYPES, S3_VERSIONING_TYPES } from "../tokens";

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);
/**
 * The offsite bucket is the last copy of every backup. Unversioned, one bad sync deletes it; not
 * encrypted or public, it hands the homelab's data to anyone; without expiry of old versions it
 * grows forever; with `forceDestroy`, deleting the resource deletes the backups.
 */
export const offsiteBucketHardened = stackRule({
    name: "offsite-bucket-hardened",
    description:
        "Checks that every S3 bucket is versioned, encrypted at rest, has all public access blocked and no public ACL, expires noncurrent versions, and does not set `forceDestroy`.",
    validate: (resources, _ctx, report) => {
        for (const view of bucketsOf(resources)) {
            const b = view.bucket.props;
            const waived = waivedSettings(view.bucket);
            const label = bucketLabel(view);
            const at = view.bucket.urn;
            if (bool(b.forceDestroy) === true)
                report(
                    `Bucket ${label} sets \`forceDestroy: true\`, so deleting the resource deletes every backup in it. Remove \`forceDestroy\`.`,
                    at,
                );

            const versioning = view.subs(S3_VERSIONING_TYPES);
            const versioned =
                bool(record(b.versioning)?.enabled) === true ||
                versioning.some((v) => str(record(v.props.versioningConfiguration)?.status) === "Enabled");
            if (!versioned && !waived.has("versioning"))
                report(`Bucket ${label} is not versioned. Add a BucketVersioning with \`versioningConfiguration.status: "Enabled"\`.`, at);

            const inlineSse = str(
                record(record(record(b.serverSideEncryptionConfiguration)?.rule)?.applyServerSideEncryptionByDefault)?.sseAlgorithm,
            );
            const encrypted =
                inlineSse !== undefined ||
                view
                    .subs(S3_ENCRYPTION_TYPES)
                    .some((e) =>
                        records(e.props.rules).some((r) => str(record(r.applyServerSideEncryptionByDefault)?.sseAlgorithm) !== undefined),
                    );
            if (!encrypted && !waived.has("encryption"))
                report(
                    `Bucket ${label} has no default encryption. Add a BucketServerSideEncryptionConfiguration with an \`sseAlgorithm\` (AES256 or aws:kms).`,
                    at,
                );

            const blocks = view.subs(S3_PUBLIC_ACCESS_BLOCK_TYPES);
            if (blocks.length === 0) {
                // Where the service has nothing to block with, the public-ACL check below still runs.
                if (!waived.has("publicAccessControls"))
                    report(
                        `Bucket ${label} has no BucketPublicAccessBlock, so a policy or ACL can make it public. Add one with ${PUBLIC_ACCESS_FLAGS.map((f) => `\`${f}\``).join(", ")} all true.`,
                        at,
                    );
            } else if (!blocks.some((p) => PUBLIC_ACCESS_FLAGS.every((f) => bool(p.props[f]) === true))) {
                const open = PUBLIC_ACCESS_FLAGS.filter((f) => !blocks.some((p) => bool(p.props[f]) === true));
                report(
                    `Bucket ${label} does not block all public access: ${open.map((f) => `\`${f}\``).join(", ")} ${open.length === 1 ? "is" : "are"} not true. Set all four to true.`,
                    at,
                );
            }
            const acls = [str(b.acl), ...view.subs(S3_ACL_TYPES).map((a) => str(a.props.acl))].filter(
                (a): a is string => a !== undefined && PUBLIC_ACLS.has(a),
            );
            if (acls.length > 0)
                report(
                    `Bucket ${label} has the public ACL "${acls[0]}". Use the private ACL (or none) and bucket-owner-enforced ownership.`,
                    at,
                );

            const inlineExpiry = records(b.lifecycleRules).some(
                (r) => bool(r.enabled) === true && (num(record(r.noncurrentVersionExpiration)?.days) ?? 0) > 0,
            );
            const expires =
                inlineExpiry ||
                view
                    .subs(S3_LIFECYCLE_TYPES)
                    .some((l) =>
                        records(l.props.rules).some(
                            (r) => str(r.status) === "Enabled" && (num(record(r.noncurrentVersionExpiration)?.noncurrentDays) ?? 0) > 0,
                        ),
                    );
            if (!expires && !waived.has("noncurrentVersionExpiration")) {
                report(
                    `Bucket ${label} never expires noncurrent versions, so deleted and overwritten backups are kept (and billed) forever. Add a lifecycle rule with \`noncurrentVersionExpiration.noncurrentDays\`.`,
                    at,
                );
            }
        }
    },
});
