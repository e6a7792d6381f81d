/**
 * S3 buckets and the sub-resources that configure them (versioning, encryption, public access,
 * lifecycle, object lock, ACL), linked by the literal bucket name in their `bucket` input or, for
 * a hand-written stack passing `bucket.id`, by their dependency on the bucket.
 */
import type { PolicyResource } from "@pulumi/policy";
import { record, str } from "./props";
import { S3_BUCKET_TYPES } from "./tokens";

export interface BucketView {
    readonly bucket: PolicyResource;
    /** The literal bucket name (`bucket` input), when set. */
    readonly bucketName: string | undefined;
    /** Sub-resources of the given types that configure this bucket. */
    readonly subs: (types: ReadonlySet<string>) => PolicyResource[];
}

export function bucketsOf(resources: readonly PolicyResource[]): BucketView[] {
    return resources
        .filter((r) => S3_BUCKET_TYPES.has(r.type))
        .map((bucket) => {
            const bucketName = str(bucket.props.bucket);
            return {
                bucket,
                bucketName,
                subs: (types: ReadonlySet<string>) =>
                    resources.filter((r) => {
                        if (!types.has(r.type)) return false;
                        const target = str(r.props.bucket);
                        if (target !== undefined && bucketName !== undefined) return target === bucketName;
                        return r.dependencies.some((d) => d.urn === bucket.urn);
                    }),
            };
        });
}

/** A bucket's tag value (`tags` input). */
export function bucketTag(bucket: PolicyResource, key: string): string | undefined {
    return str(record(bucket.props.tags)?.[key]);
}

/** The bucket's name for messages. */
export function bucketLabel(view: BucketView): string {
    return view.bucketName !== undefined ? `"${view.bucketName}" (${view.bucket.name})` : view.bucket.name;
}

/**
 * S3-compatible services (the bucket's `s3-service` tag) with no public access block API: their
 * buckets are private unless a public ACL or anonymous policy is set, so the block is waived for
 * them, with or without the component.
 */
const SERVICES_WITHOUT_PUBLIC_ACCESS_BLOCK = new Set(["b2", "minio"]);

/** The bucket component's type; its `skipped` output names settings the S3 service does not have. */
const OFFSITE_BUCKET_COMPONENT = "homelab:backup:OffsiteBucket";

/**
 * Settings a bucket is not asked for because its service lacks them: those the `skipped` output
 * (setting → reason) of the `OffsiteBucket` component above it names (R2: versioning, the
 * encryption setting, the public access block, noncurrent-version expiry), and the public access
 * block where the `s3-service` tag names a service without one.
 */
export function waivedSettings(bucket: PolicyResource): ReadonlySet<string> {
    const parent = bucket.parent;
    const waived = new Set(parent?.type === OFFSITE_BUCKET_COMPONENT ? Object.keys(record(parent.props.skipped) ?? {}) : []);
    const service = bucketTag(bucket, "s3-service");
    if (service !== undefined && SERVICES_WITHOUT_PUBLIC_ACCESS_BLOCK.has(service)) waived.add("publicAccessControls");
    return waived;
}
