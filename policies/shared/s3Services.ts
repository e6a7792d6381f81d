/**
 * What each S3-compatible service the offsite bucket may live on implements of the bucket
 * configuration and IAM APIs, with the source of every fact. The one table: the bucket component
 * (components/offsiteBucket.ts) registers only what a service implements, and the policy pack's
 * bucket rules judge a bucket by the same rows. It lives in the pack, which must load on its own
 * when published; the program imports it through lib/s3Services.ts.
 *
 * Facts S1–S5 are those of docs/provider-behaviour.md (S3-compatible services).
 */

/** The services an offsite bucket can live on (the inventory's `offsite.service`). */
export const S3_SERVICES = ["aws", "b2", "wasabi", "minio", "r2"] as const;
export type S3Service = (typeof S3_SERVICES)[number];

/** A setting the service implements, or why it does not (and what holds instead). */
export type Support = true | { readonly reason: string };

/**
 * How the bucket's retention (noncurrent-version expiry, stale multipart uploads) is kept:
 * - `s3`: the AWS provider's `BucketLifecycleConfiguration` (only where the service echoes the
 *   rules exactly, S3);
 * - `r2`: the Cloudflare provider's `R2BucketLifecycle`;
 * - `service`: nothing the program can manage: the retention is set in the service, as `setUp`
 *   says (exported by the component and written in docs/backups.md).
 */
export type LifecycleSupport =
    { readonly via: "s3" } | { readonly via: "r2" } | { readonly via: "service"; readonly reason: string; readonly setUp: string };

export interface S3ServiceFeatures {
    /** The service's name in messages. */
    readonly label: string;
    /** An S3 endpoint of the service, for messages (`offsite.endpoint`). */
    readonly endpointExample: string;
    /** IAM users, inline policies and access keys (a scoped key per writer). */
    readonly iam: boolean;
    /** Public access block and object ownership controls. */
    readonly publicAccessControls: Support;
    /** Object versioning through PutBucketVersioning. */
    readonly versioning: Support;
    /** Bucket tags (PutBucketTagging, or tags on CreateBucket). */
    readonly tags: Support;
    /** Default encryption with the service's own keys (PutBucketEncryption, AES256), with no KMS declared. */
    readonly defaultEncryption: Support;
    /** Default encryption with a declared KMS key (`aws:kms` and the inventory's `offsite.kmsKeyId`). */
    readonly kmsEncryption: Support;
    /** Where the retention rules are kept. */
    readonly lifecycle: LifecycleSupport;
    /** A lifecycle rule whose only action is AbortIncompleteMultipartUpload. */
    readonly abortOnlyLifecycleRule: Support;
    /** Where the facts of this row come from. */
    readonly sources: readonly string[];
}

const TF_AWS_LIFECYCLE =
    "terraform-provider-aws internal/service/s3/bucket_lifecycle_configuration.go (waits until GET returns exactly the rules sent, with the x-amz-transition-default-minimum-object-size header)";
const R2_API = "per Cloudflare's R2 S3 API compatibility list";

export const S3_SERVICE_FEATURES: Readonly<Record<S3Service, S3ServiceFeatures>> = {
    aws: {
        label: "AWS S3",
        endpointExample: "https://s3.eu-central-1.amazonaws.com",
        iam: true,
        publicAccessControls: true,
        versioning: true,
        tags: true,
        defaultEncryption: true,
        kmsEncryption: true,
        lifecycle: { via: "s3" },
        abortOnlyLifecycleRule: true,
        sources: ["S3: the AWS provider's own reference service echoes the lifecycle exactly", TF_AWS_LIFECYCLE],
    },
    wasabi: {
        label: "Wasabi",
        endpointExample: "https://s3.eu-central-1.wasabisys.com",
        iam: true,
        publicAccessControls: true,
        versioning: true,
        tags: true,
        defaultEncryption: true,
        kmsEncryption: {
            reason: "Wasabi encrypts with its own keys (SSE-S3) or a key sent with each request (SSE-C); it has no KMS, so offsite.kmsKeyId cannot be used",
        },
        lifecycle: {
            via: "service",
            reason: "Wasabi's lifecycle GET is not documented to return the x-amz-transition-default-minimum-object-size header the AWS provider waits for, so the lifecycle resource would time out after 3 minutes and diff forever (S3)",
            setUp: "in the Wasabi console, bucket → Settings → Lifecycle: a rule on the whole bucket that permanently deletes noncurrent versions after offsite.noncurrentVersionDays days",
        },
        abortOnlyLifecycleRule: true,
        sources: ["S3", "Wasabi docs: Lifecycle (docs.wasabi.com, lifecycle rules in the console)", "Wasabi docs: server-side encryption"],
    },
    b2: {
        label: "Backblaze B2",
        endpointExample: "https://s3.us-west-004.backblazeb2.com",
        iam: false,
        publicAccessControls: {
            reason: "B2 has no public access block or object ownership API: a bucket made through the S3 API is private and objects carry no ACLs",
        },
        versioning: {
            reason: "B2 buckets are always versioned and its S3 API documents no PutBucketVersioning (S5): every bucket keeps noncurrent versions without asking",
        },
        tags: {
            reason: "B2's S3 API documents no bucket tagging (S5): creating the bucket with tags would fail, so it has none",
        },
        defaultEncryption: true,
        kmsEncryption: {
            reason: "B2 encrypts with its own keys (SSE-B2) or a key sent with each request (SSE-C); it has no KMS, so offsite.kmsKeyId cannot be used",
        },
        lifecycle: {
            via: "service",
            reason: "B2 keeps lifecycle rules in its own API and returns them mapped to S3 rules (a hide rule comes back as two S3 rules), so the AWS provider's exact comparison never matches (S3, S5)",
            setUp: 'a B2 lifecycle rule on the whole bucket: `b2 bucket update --lifecycle-rules \'[{"fileNamePrefix": "", "daysFromHidingToDeleting": <offsite.noncurrentVersionDays>, "daysFromUploadingToHiding": null}]\' <bucket>` (or the same in the B2 web console); B2 cancels unfinished large files itself',
        },
        abortOnlyLifecycleRule: true,
        sources: [
            "S5",
            "Backblaze docs: S3-Compatible API Bucket Versions (always versioned; lifecycle rules only through the web console and the native API)",
            "Backblaze docs: S3 Get Lifecycle Configuration (B2 rules mapped to S3 rules)",
        ],
    },
    minio: {
        label: "MinIO",
        endpointExample: "https://minio.lan:9000",
        iam: false,
        publicAccessControls: {
            reason: "MinIO has no ACLs and no public access block API: a bucket is private unless an anonymous policy is set, and none is",
        },
        versioning: true,
        tags: true,
        defaultEncryption: {
            reason: "MinIO refuses default bucket encryption unless the server has a KMS configured (S2); declare offsite.kmsKeyId (a key of that KMS) to turn it on",
        },
        kmsEncryption: true,
        lifecycle: {
            via: "service",
            reason: "MinIO does not return the lifecycle exactly as the AWS provider sent it, so the lifecycle resource would time out after 3 minutes and diff forever (S3); it also refuses a rule whose only action aborts incomplete uploads (S1)",
            setUp: "`mc ilm rule add --noncurrent-expire-days <offsite.noncurrentVersionDays> <alias>/<bucket>`; MinIO removes stale multipart uploads itself (its `api stale_uploads_expiry` setting, 24 h by default)",
        },
        abortOnlyLifecycleRule: {
            reason: "MinIO rejects a lifecycle rule whose only action is AbortIncompleteMultipartUpload with MalformedXML, failing the whole lifecycle PUT (S1)",
        },
        sources: ["S1", "S2", "S3", "terraform-provider-aws issue #49019 (lifecycle never converges against MinIO and Ceph RGW)"],
    },
    r2: {
        label: "Cloudflare R2",
        endpointExample: "https://<account-id>.r2.cloudflarestorage.com",
        iam: false,
        publicAccessControls: {
            reason: `R2 implements no ACLs, public access block or ownership controls (${R2_API}): a bucket answers only to R2 API tokens unless public access (r2.dev or a custom domain) is turned on in Cloudflare, and the program turns on neither`,
        },
        versioning: {
            reason: `R2 implements no object versioning (PutBucketVersioning, ${R2_API}): an overwritten or deleted object is gone at once, so there are no noncurrent versions to keep or expire`,
        },
        tags: {
            reason: `R2 implements no bucket tagging (PutBucketTagging, ${R2_API}): creating the bucket with tags would fail, so it has none`,
        },
        defaultEncryption: {
            reason: `R2 implements no PutBucketEncryption (${R2_API}): it encrypts every object at rest itself, always, so there is nothing to configure`,
        },
        kmsEncryption: { reason: `R2 implements no PutBucketEncryption (${R2_API}) and has no KMS, so offsite.kmsKeyId cannot be used` },
        lifecycle: { via: "r2" },
        abortOnlyLifecycleRule: true,
        sources: ["S5: R2 has its own lifecycle resource in the cloudflare provider (cloudflare.R2BucketLifecycle)", R2_API],
    },
};

/** Whether a string names a service of the table. */
export function isS3Service(value: string | undefined): value is S3Service {
    return value !== undefined && (S3_SERVICES as readonly string[]).includes(value);
}
