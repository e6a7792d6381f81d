/**
 * The offsite bucket's settings as plain data, per service (the rows of lib/s3Services.ts): where
 * the bucket answers, its encryption and lifecycle rules, what is left out and why, the retention
 * to set in the service, and how Proxmox Backup Server reaches it. Pure: the OffsiteBucket
 * component registers these, PbsServer's caller maps `pbsS3Target` to its offsite arguments.
 */
import {
    R2_ENDPOINT_PATTERN,
    R2_REGION,
    S3Service,
    S3ServiceFeatures,
    S3_SERVICE_FEATURES,
    Support,
    missingEndpoint,
    notR2Endpoint,
} from "./s3Services";

/**
 * The offsite bucket's settings these functions read: the inventory's `offsite` section (config/
 * schema/services.ts validates it) has this shape.
 */
export interface OffsiteSettings {
    readonly service: S3Service;
    readonly bucket: string;
    readonly region: string;
    /** The S3 endpoint of a non-AWS service. */
    readonly endpoint?: string;
    /** Days a noncurrent object version is kept. */
    readonly noncurrentVersionDays: number;
    /** Days before an incomplete multipart upload is aborted. */
    readonly abortIncompleteUploadDays: number;
    /** A key of the service's KMS for default encryption. */
    readonly kmsKeyId?: string;
}

/** The S3 endpoint PBS talks to: the regional AWS endpoint, or the service's own. */
export function s3Endpoint(offsite: OffsiteSettings): string {
    if (offsite.service === "aws") return `https://s3.${offsite.region}.amazonaws.com`;
    if (!offsite.endpoint) throw missingEndpoint(offsite.service);
    return offsite.endpoint;
}

/** The account id and jurisdiction of an R2 endpoint (`https://<account-id>[.eu|.fedramp].r2.cloudflarestorage.com`). */
export function r2Account(endpoint: string): { accountId: string; jurisdiction?: "eu" | "fedramp" } {
    const m = R2_ENDPOINT_PATTERN.exec(endpoint);
    if (!m) throw notR2Endpoint(endpoint);
    return m[2] === undefined ? { accountId: m[1] } : { accountId: m[1], jurisdiction: m[2] as "eu" | "fedramp" };
}

/** The default-encryption rule of the bucket: the declared KMS key, else AES256 where the service has it, else none. */
export function encryptionRule(
    o: OffsiteSettings,
    features: S3ServiceFeatures,
): { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" | "AES256"; kmsMasterKeyId?: string } } | undefined {
    if (o.kmsKeyId !== undefined && features.kmsEncryption === true)
        return { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: o.kmsKeyId } };
    if (features.defaultEncryption === true) return { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } };
    return undefined;
}

/** A rule of the AWS provider's `BucketLifecycleConfiguration` (the fields this program sets). */
export interface S3LifecycleRule {
    readonly id: string;
    readonly status: string;
    readonly filter: Record<string, never> | Record<string, unknown>;
    readonly noncurrentVersionExpiration?: { readonly noncurrentDays: number };
    readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
}

/** A rule of the Cloudflare provider's `R2BucketLifecycle` (the fields this program sets). */
export interface R2LifecycleRule {
    readonly id: string;
    readonly enabled: boolean;
    readonly conditions: { readonly prefix: string };
    readonly abortMultipartUploadsTransition: { readonly condition: { readonly type: "Age"; readonly maxAge: number } };
}

/** The S3 lifecycle rules (AWS provider): noncurrent-version expiry where versioned, and the abort rule where the service takes it alone (S1). */
export function s3LifecycleRules(o: OffsiteSettings, features: S3ServiceFeatures): S3LifecycleRule[] {
    return [
        ...(features.versioning === true
            ? [
                  {
                      id: "expire-noncurrent-versions",
                      status: "Enabled",
                      filter: {},
                      noncurrentVersionExpiration: { noncurrentDays: o.noncurrentVersionDays },
                  },
              ]
            : []),
        ...(features.abortOnlyLifecycleRule === true
            ? [
                  {
                      id: "abort-incomplete-uploads",
                      status: "Enabled",
                      filter: {},
                      abortIncompleteMultipartUpload: { daysAfterInitiation: o.abortIncompleteUploadDays },
                  },
              ]
            : []),
    ];
}

/** Seconds in a day: R2 lifecycle ages are in seconds. */
const DAY_SECONDS = 24 * 60 * 60;

/** The R2 lifecycle rules (Cloudflare provider): abort multipart uploads left incomplete (R2 has no versions to expire). */
export function r2LifecycleRules(o: OffsiteSettings): R2LifecycleRule[] {
    return [
        {
            id: "abort-incomplete-uploads",
            enabled: true,
            conditions: { prefix: "" },
            abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: o.abortIncompleteUploadDays * DAY_SECONDS } },
        },
    ];
}

/**
 * The retention the program cannot set on this service, as a note for the docs and the operator
 * ("set in the service"), or undefined where the lifecycle resource (S3 or R2) keeps it.
 */
export function retentionNote(o: OffsiteSettings, features: S3ServiceFeatures = S3_SERVICE_FEATURES[o.service]): string | undefined {
    const lifecycle = features.lifecycle;
    if (lifecycle.via !== "service") return undefined;
    const days = String(o.noncurrentVersionDays);
    const setUp = lifecycle.setUp
        .replace(/<offsite\.noncurrentVersionDays>|offsite\.noncurrentVersionDays/g, days)
        .replace(/<bucket>/g, o.bucket);
    return `retention set in the service: ${features.label} keeps noncurrent versions until a rule there deletes them; set it up once: ${setUp} (${lifecycle.reason})`;
}

/** Why each bucket setting the service lacks was left out, keyed by setting; empty when nothing was. */
export function skippedSettings(features: S3ServiceFeatures, o?: Pick<OffsiteSettings, "kmsKeyId">): Record<string, string> {
    const skipped: Record<string, string> = {};
    const settings: Record<string, Support> = {
        publicAccessControls: features.publicAccessControls,
        versioning: features.versioning,
    };
    for (const [setting, support] of Object.entries(settings)) if (support !== true) skipped[setting] = support.reason;
    const kms = o?.kmsKeyId !== undefined && features.kmsEncryption === true;
    if (!kms && features.defaultEncryption !== true) skipped.encryption = features.defaultEncryption.reason;
    if (features.lifecycle.via === "service")
        skipped.noncurrentVersionExpiration = `retention set in the service: ${features.lifecycle.reason}`;
    else if (features.versioning !== true)
        skipped.noncurrentVersionExpiration =
            "no object versioning, so no noncurrent versions to expire; the lifecycle only aborts incomplete uploads";
    if (features.tags !== true) skipped.tags = features.tags.reason;
    return skipped;
}

/** How Proxmox Backup Server 4 reaches the bucket (its S3 endpoint config): host, port, region and addressing. */
export interface PbsS3Target {
    /** Host name (PBS takes no scheme; it always speaks HTTPS), with `{{bucket}}`/`{{region}}` templates on AWS. */
    readonly host: string;
    /** Port, when the endpoint names one. */
    readonly port?: number;
    /** Region PBS signs requests for. */
    readonly region: string;
    /** Path-style addressing (`host/bucket`) instead of virtual-hosted (`bucket.host`). */
    readonly pathStyle: boolean;
}

/**
 * The S3 endpoint PBS uses for the offsite bucket: AWS virtual-hosted through PBS's
 * `{{bucket}}.s3.{{region}}.amazonaws.com` template; any other service at its endpoint's host,
 * path-style (as the AWS provider talks to it). PBS accepts HTTPS only: an `http://` endpoint (a
 * MinIO without TLS) is refused with the fix.
 */
export function pbsS3Target(o: OffsiteSettings): PbsS3Target {
    if (o.service === "aws") return { host: "{{bucket}}.s3.{{region}}.amazonaws.com", region: o.region, pathStyle: false };
    const url = new URL(s3Endpoint(o));
    if (url.protocol !== "https:")
        throw new Error(
            `[offsite.endpoint] Proxmox Backup Server talks to S3 over HTTPS only, got ${JSON.stringify(o.endpoint)}; serve the endpoint over TLS`,
        );
    const region = o.service === "r2" ? R2_REGION : o.region;
    return { host: url.hostname, ...(url.port !== "" ? { port: Number(url.port) } : {}), region, pathStyle: true };
}
