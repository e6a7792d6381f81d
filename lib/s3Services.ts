/**
 * The S3-compatible services the offsite bucket may live on. The table of what each implements
 * (with its sources) lives in the policy pack (policies/shared/s3Services.ts), which must load on
 * its own when published; the program reads it from here, with the program-side facts below.
 */
import { FieldError } from "./errors";
import { S3Service, S3_SERVICE_FEATURES } from "../policies/shared/s3Services";

export * from "../policies/shared/s3Services";

/** Cloudflare R2's only region. */
export const R2_REGION = "auto";
/** An R2 endpoint: the 32-hex-digit account id (group 1), optionally a jurisdiction (group 2). */
export const R2_ENDPOINT_PATTERN = /^https:\/\/([0-9a-f]{32})(?:\.(eu|fedramp))?\.r2\.cloudflarestorage\.com\/?$/;

/** An endpoint that is not R2's. */
export function notR2Endpoint(endpoint: string): FieldError {
    return new FieldError(
        "offsite.endpoint",
        `"${endpoint}" is not an R2 endpoint; use https://<account-id>.r2.cloudflarestorage.com (the 32-hex-digit account id; .eu. or .fedramp. before r2 for a jurisdiction)`,
    );
}

/** IAM user name of a writer: the bucket and the writer, so two stacks in one account never collide (IAM allows 64 characters). */
export function writerUserName(bucket: string, writer: string): string {
    const userName = `${bucket}-${writer}`;
    if (userName.length > 64) {
        throw new FieldError(
            "offsite.writers",
            `IAM user name "${userName}" is ${userName.length} characters, IAM allows 64; use a shorter writer key or bucket name`,
        );
    }
    return userName;
}

/** What the checks of the offsite bucket read: the inventory's `offsite` section (config/schema/services.ts) has this shape. */
export interface OffsiteChoices {
    readonly service: S3Service;
    readonly bucket: string;
    readonly region: string;
    readonly endpoint?: string;
    readonly objectLock: boolean;
    readonly servesPbs: boolean;
    readonly writers: readonly string[];
    readonly kmsKeyId?: string;
}

/** The endpoint a non-AWS service needs and was not given. */
export function missingEndpoint(service: S3Service): FieldError {
    return new FieldError(
        "offsite.endpoint",
        `service "${service}" needs its S3 endpoint; set endpoint, e.g. ${S3_SERVICE_FEATURES[service].endpointExample}`,
    );
}

/** Why a KMS key cannot be used on the service, or undefined when it can (or none is given). */
export function kmsKeyProblem(o: Pick<OffsiteChoices, "service" | "kmsKeyId">): FieldError | undefined {
    const kms = S3_SERVICE_FEATURES[o.service].kmsEncryption;
    return o.kmsKeyId !== undefined && kms !== true ? new FieldError("offsite.kmsKeyId", `${kms.reason}; remove kmsKeyId`) : undefined;
}

/**
 * What the service cannot do for the offsite section, every problem in order: the endpoint, Object
 * Lock on a bucket PBS writes to, several writers without IAM. The inventory's cross-check reports
 * them all; the OffsiteBucket component throws the first, for callers that skip the inventory.
 */
export function offsiteProblems(o: OffsiteChoices): FieldError[] {
    const problems: FieldError[] = [];
    if (o.service !== "aws" && !o.endpoint) problems.push(missingEndpoint(o.service));
    if (o.objectLock && o.servesPbs)
        problems.push(
            new FieldError(
                "offsite.objectLock",
                "Object Lock stops Proxmox Backup Server's garbage collection from deleting chunks; turn it off for a bucket PBS writes to",
            ),
        );
    if (!S3_SERVICE_FEATURES[o.service].iam && o.writers.length > 1)
        problems.push(
            new FieldError(
                "offsite.writers",
                `service "${o.service}" has no IAM API, so one scoped key serves one writer; list a single writer`,
            ),
        );
    return problems;
}

/** What Cloudflare R2 cannot do for the offsite section, every problem in order; none for another service. */
export function r2Problems(o: OffsiteChoices): FieldError[] {
    if (o.service !== "r2") return [];
    const problems: FieldError[] = [];
    // On a versioned bucket a delete only hides a chunk behind a noncurrent version kept for
    // noncurrentVersionDays; on R2 a prune, or the key PBS holds, erases the offsite copy for good.
    if (o.servesPbs)
        problems.push(
            new FieldError(
                "offsite.service",
                "R2 has no object versioning: a chunk that PBS's garbage collection, a prune or anyone holding PBS's key deletes is gone at once, with no noncurrent version to restore, so the offsite copy would not survive a compromised PBS; use aws, wasabi or b2 for a bucket PBS writes to, or set servesPbs: false",
            ),
        );
    // With servesPbs, Object Lock is refused already (offsiteProblems).
    if (o.objectLock && !o.servesPbs)
        problems.push(
            new FieldError(
                "offsite.objectLock",
                "R2 implements no S3 Object Lock (its bucket locks are set through Cloudflare's API); set objectLock: false",
            ),
        );
    if (o.region !== R2_REGION)
        problems.push(
            new FieldError("offsite.region", `R2 buckets live in region "${R2_REGION}"; set region: ${R2_REGION}, got ${o.region}`),
        );
    if (o.bucket.includes("."))
        problems.push(
            new FieldError(
                "offsite.bucket",
                `R2 bucket names take lowercase letters, digits and '-' only; remove the '.' from "${o.bucket}"`,
            ),
        );
    if (o.endpoint !== undefined && !R2_ENDPOINT_PATTERN.test(o.endpoint)) problems.push(notR2Endpoint(o.endpoint));
    return problems;
}
