/**
 * The S3-compatible services the offsite bucket may live on. The table of what each implements
 * (with its sources) lives in the policy pack (policies/shared/s3Services.ts), which must load on
 * its own when published; the program reads it from here, with the program-side facts below.
 */
import { FieldError } from "./errors";

export * from "../policies/shared/s3Services";

/** Cloudflare R2's only region. */
export const R2_REGION = "auto";
/** An R2 endpoint: the 32-hex-digit account id, optionally a jurisdiction. */
export const R2_ENDPOINT_PATTERN = /^https:\/\/[0-9a-f]{32}(?:\.(?:eu|fedramp))?\.r2\.cloudflarestorage\.com\/?$/;

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
