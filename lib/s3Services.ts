/**
 * What each S3-compatible service offers the offsite bucket, once: IAM, endpoints, naming. Pure;
 * the cross-checks, the bucket component and the tools read it.
 */

export type S3Service = "aws" | "b2" | "wasabi" | "minio" | "r2";

export interface S3ServiceFacts {
    /** IAM users, inline policies and access keys (a key per writer). */
    readonly iam: boolean;
    /** An endpoint to show in an error message. */
    readonly endpointExample: string;
}

export const S3_SERVICES: Readonly<Record<S3Service, S3ServiceFacts>> = {
    aws: { iam: true, endpointExample: "https://s3.eu-central-1.amazonaws.com" },
    wasabi: { iam: true, endpointExample: "https://s3.eu-central-1.wasabisys.com" },
    b2: { iam: false, endpointExample: "https://s3.us-west-004.backblazeb2.com" },
    minio: { iam: false, endpointExample: "https://minio.lan:9000" },
    r2: { iam: false, endpointExample: "https://<account-id>.r2.cloudflarestorage.com" },
};

/** Cloudflare R2's only region. */
export const R2_REGION = "auto";
/** An R2 endpoint: the 32-hex-digit account id, optionally a jurisdiction. */
export const R2_ENDPOINT_PATTERN = /^https:\/\/[0-9a-f]{32}(?:\.(?:eu|fedramp))?\.r2\.cloudflarestorage\.com\/?$/;

/** IAM user name of a writer: the bucket and the writer, so two stacks in one account never collide (IAM allows 64 characters). */
export function writerUserName(bucket: string, writer: string): string {
    const userName = `${bucket}-${writer}`;
    if (userName.length > 64) {
        throw new Error(
            `[offsite.writers] IAM user name "${userName}" is ${userName.length} characters, IAM allows 64; use a shorter writer key or bucket name`,
        );
    }
    return userName;
}
