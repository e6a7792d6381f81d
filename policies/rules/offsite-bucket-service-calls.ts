import { stackRule } from "../define";
import { bucketLabel, bucketsOf, featuresOf } from "../buckets";
import { record, records, str } from "../props";
import { S3_ENCRYPTION_TYPES, S3_LIFECYCLE_TYPES, S3_PUBLIC_ACCESS_BLOCK_TYPES, S3_VERSIONING_TYPES } from "../tokens";

/** Lifecycle rule actions besides AbortIncompleteMultipartUpload (an abort-only rule has none of them). */
const OTHER_LIFECYCLE_ACTIONS = [
    "expiration",
    "noncurrentVersionExpiration",
    "transitions",
    "noncurrentVersionTransitions",
    "transition",
    "noncurrentVersionTransition",
] as const;

/**
 * A call the bucket's S3 service does not implement fails the deploy, or never converges: every
 * `up` waits and diffs again. The S3 service table (policies/shared/s3Services.ts) says which
 * calls each service takes; this rule holds a bucket's resources to its service's row.
 */
export const offsiteBucketServiceCalls = stackRule({
    name: "offsite-bucket-service-calls",
    description:
        "Checks that a bucket on a known S3-compatible service is configured only through calls that service implements (versioning, tags, default encryption, public access blocks and the lifecycle), as the S3 service table says.",
    validate: (resources, _ctx, report) => {
        for (const view of bucketsOf(resources)) {
            const features = featuresOf(view.bucket);
            if (features === undefined) continue;
            const service = features.label;
            const label = bucketLabel(view);
            const at = view.bucket.urn;
            const why = (support: { readonly reason: string }) => support.reason;

            if (features.tags !== true && Object.keys(record(view.bucket.props.tags) ?? {}).length > 0)
                report(
                    `Bucket ${label} on ${service} has tags, which the service cannot take: ${why(features.tags)}. Remove the tags.`,
                    at,
                );

            const versioning = view.subs(S3_VERSIONING_TYPES);
            if (features.versioning !== true && versioning.length > 0)
                report(
                    `Bucket ${label} on ${service} has a versioning resource (${versioning[0].name}), a call the service does not implement: ${why(features.versioning)}. Remove it.`,
                    at,
                );

            if (features.publicAccessControls !== true) {
                const blocks = view.subs(S3_PUBLIC_ACCESS_BLOCK_TYPES);
                if (blocks.length > 0)
                    report(
                        `Bucket ${label} on ${service} has a public access block (${blocks[0].name}), a call the service does not implement: ${why(features.publicAccessControls)}. Remove it.`,
                        at,
                    );
            }

            for (const encryption of view.subs(S3_ENCRYPTION_TYPES)) {
                const algorithms = records(encryption.props.rules).map((r) =>
                    str(record(r.applyServerSideEncryptionByDefault)?.sseAlgorithm),
                );
                const kms = algorithms.some((a) => a !== undefined && a.startsWith("aws:kms"));
                const support = kms ? features.kmsEncryption : features.defaultEncryption;
                if (support !== true)
                    report(
                        `Bucket ${label} on ${service} has default encryption ${kms ? "with a KMS key" : "with the service's keys"} (${encryption.name}), which the service refuses: ${why(support)}.`,
                        at,
                    );
            }

            for (const lifecycle of view.subs(S3_LIFECYCLE_TYPES)) {
                if (features.lifecycle.via !== "s3") {
                    const instead =
                        features.lifecycle.via === "r2"
                            ? "set the lifecycle with cloudflare.R2BucketLifecycle instead"
                            : `${features.lifecycle.reason}; set the retention in the service instead: ${features.lifecycle.setUp}`;
                    report(
                        `Bucket ${label} on ${service} has an S3 lifecycle resource (${lifecycle.name}) the service does not echo back exactly, so it never converges (S3): ${instead}.`,
                        at,
                    );
                }
                if (features.abortOnlyLifecycleRule === true) continue;
                const abortOnly = records(lifecycle.props.rules).find(
                    (r) => r.abortIncompleteMultipartUpload !== undefined && OTHER_LIFECYCLE_ACTIONS.every((a) => r[a] === undefined),
                );
                if (abortOnly !== undefined)
                    report(
                        `Bucket ${label} on ${service} has a lifecycle rule${str(abortOnly.id) ? ` "${str(abortOnly.id)}"` : ""} whose only action aborts incomplete uploads: ${why(features.abortOnlyLifecycleRule)}. Remove the rule.`,
                        at,
                    );
            }
        }
    },
});
