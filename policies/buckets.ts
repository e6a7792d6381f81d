/**
 * S3 buckets and the sub-resources that configure them (versioning, encryption, public access,
 * lifecycle, object lock, ACL), linked by the literal bucket name in their `bucket` input or, for
 * a hand-written stack passing `bucket.id`, by their dependency on the bucket.
 */
import type { PolicyResource } from "@pulumi/policy";
import { bool, record, str } from "./props";
import { S3Service, S3ServiceFeatures, S3_SERVICE_FEATURES, isS3Service } from "./shared/s3Services";
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
function bucketTag(bucket: PolicyResource, key: string): string | undefined {
    return str(record(bucket.props.tags)?.[key]);
}

/** The bucket's name for messages. */
export function bucketLabel(view: BucketView): string {
    return view.bucketName !== undefined ? `"${view.bucketName}" (${view.bucket.name})` : view.bucket.name;
}

/** The bucket component's type; its outputs name the service, whether PBS writes there and the settings the service cannot take. */
const OFFSITE_BUCKET_COMPONENT = "homelab:backup:OffsiteBucket";

/** The outputs of the `OffsiteBucket` component above a bucket, when it is one. */
function componentOutputs(bucket: PolicyResource): Readonly<Record<string, unknown>> | undefined {
    const parent = bucket.parent;
    return parent?.type === OFFSITE_BUCKET_COMPONENT ? parent.props : undefined;
}

/**
 * The S3 service a bucket lives on: the `service` output of the `OffsiteBucket` component above it
 * (a bucket on B2 or R2 has no tags), else its `s3-service` tag; undefined when neither names a
 * service of the table (a plain AWS bucket of a hand-written stack).
 */
function serviceOf(bucket: PolicyResource): S3Service | undefined {
    const fromComponent = str(componentOutputs(bucket)?.service);
    if (isS3Service(fromComponent)) return fromComponent;
    const tag = bucketTag(bucket, "s3-service");
    return isS3Service(tag) ? tag : undefined;
}

/** The row of the S3 service table for the bucket's service, when known. */
export function featuresOf(bucket: PolicyResource): S3ServiceFeatures | undefined {
    const service = serviceOf(bucket);
    return service === undefined ? undefined : S3_SERVICE_FEATURES[service];
}

/** Whether Proxmox Backup Server writes to the bucket: its `serves-pbs` tag, else the component's `servesPbs` output. */
export function servesPbs(bucket: PolicyResource): boolean {
    const tag = bucketTag(bucket, "serves-pbs");
    if (tag !== undefined) return tag === "true";
    return bool(componentOutputs(bucket)?.servesPbs) === true;
}

/**
 * Settings a bucket is not asked for because its service lacks them: those the `skipped` output
 * (setting → reason) of the `OffsiteBucket` component above it names, and those the S3 service
 * table says the bucket's service does not implement (or keeps in the service itself).
 */
export function waivedSettings(bucket: PolicyResource): ReadonlySet<string> {
    const waived = new Set(Object.keys(record(componentOutputs(bucket)?.skipped) ?? {}));
    const features = featuresOf(bucket);
    if (features !== undefined) {
        if (features.publicAccessControls !== true) waived.add("publicAccessControls");
        if (features.versioning !== true) waived.add("versioning");
        if (features.defaultEncryption !== true && features.kmsEncryption !== true) waived.add("encryption");
        if (features.versioning !== true || features.lifecycle.via === "service") waived.add("noncurrentVersionExpiration");
    }
    return waived;
}
