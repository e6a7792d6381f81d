/**
 * Public DNS, backups and the offsite bucket.
 */
import { z } from "zod";
import { S3_BUCKET_PATTERN } from "../../lib/patterns";
import { CALENDAR_EVENT } from "../../lib/pbs/values";
import { S3_SERVICES, kmsKeyProblem } from "../../lib/s3Services";
import { hhmm, hostname, ipv4, key, uniqueBy, webUrl } from "./common";

// ---------------------------------------------------------------------------------------------
// Public DNS (Cloudflare)
// ---------------------------------------------------------------------------------------------

/** A record name relative to the zone: `@`, `*`, or labels of 1–63 characters, optionally under `*.`. */
const RECORD_NAME = /^(?:@|\*|(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)$/;

const dnsRecordSchema = z.strictObject({
    /** Name relative to the zone (`*.lab`, `vpn`, `www`), `@` for the apex, `*` for every name of the zone. */
    name: z.string().regex(RECORD_NAME, {
        error: "must be a name relative to the zone such as www, *.lab, * or @ (labels of at most 63 characters)",
    }),
    type: z.enum(["A", "CNAME"]),
    /** `wan` (the WAN address, or the dynamic-DNS name), an IPv4 address (A) or a hostname (CNAME). */
    target: z.string().min(1).max(253),
    /** Through the Cloudflare proxy. */
    proxied: z.boolean(),
    /** The service behind it speaks UDP (the proxy carries none). @default "tcp" */
    protocol: z.enum(["tcp", "udp"]).default("tcp"),
    /** What it is for. */
    purpose: z.string().max(100).optional(),
});

export const dnsSchema = z.strictObject({
    zone: hostname,
    /** TTL of DNS-only records (proxied ones are automatic). @default 300 */
    ttlSeconds: z.number().int().min(60).max(86400).default(300),
    /** The WAN address; otherwise `wan` records are CNAMEs to `ddnsHostname`. */
    wanAddress: ipv4.optional(),
    ddnsHostname: hostname.optional(),
    records: z.record(key("record key"), dnsRecordSchema),
});

// ---------------------------------------------------------------------------------------------
// Backups
// ---------------------------------------------------------------------------------------------

const count = z.number().int().min(0).max(10000).optional();

/** What a tier keeps (PBS/vzdump prune options). */
export const retentionSchema = z.strictObject({
    keepLast: count,
    keepHourly: count,
    keepDaily: count,
    keepWeekly: count,
    keepMonthly: count,
    keepYearly: count,
});

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** A backup tier: how often and what it keeps. */
export const tierSchema = z.discriminatedUnion("every", [
    z.strictObject({ every: z.literal("day"), retention: retentionSchema }),
    z.strictObject({ every: z.literal("week"), weekday: z.enum(WEEKDAYS), retention: retentionSchema }),
    z.strictObject({ every: z.literal("month"), dayOfMonth: z.number().int().min(1).max(28), retention: retentionSchema }),
]);

/** The tiers a stack gets when it names none (reference-homelab: critical daily, medium weekly, low monthly). */
export const DEFAULT_TIERS = {
    critical: { every: "day", retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 } },
    medium: { every: "week", weekday: "sun", retention: { keepWeekly: 4, keepMonthly: 3 } },
    low: { every: "month", dayOfMonth: 1, retention: { keepMonthly: 3 } },
} as const;

export const backupsSchema = z.strictObject({
    /** The storage id (with `backup` content) vzdump and the dataset backups write to. */
    target: key("backups.target"),
    /** Night window backups start in, local time of `cluster.timezone`. */
    window: z.strictObject({ start: hhmm, end: hhmm, slotMinutes: z.number().int().min(5).max(240).default(30) }),
    bandwidthLimitKiBps: z.number().int().min(1),
    /** Tiers by name. @default critical (daily), medium (weekly), low (monthly) */
    tiers: z
        .record(
            key("tier name").max(32, { error: "tier names are at most 32 characters: they name PBS namespaces and backup jobs" }),
            tierSchema,
        )
        .default(structuredClone(DEFAULT_TIERS) as never),
});

// ---------------------------------------------------------------------------------------------
// The offsite bucket
// ---------------------------------------------------------------------------------------------

export const offsiteSchema = z
    .strictObject({
        /**
         * The S3 service: `aws` and `wasabi` have IAM (a key per writer); `b2`, `minio` and `r2`
         * (Cloudflare R2: region `auto`, endpoint `https://<account-id>.r2.cloudflarestorage.com`) take
         * one bucket-scoped key. R2 has no object versioning, so it cannot hold a bucket PBS writes to.
         */
        service: z.enum(S3_SERVICES),
        bucket: z.string().regex(S3_BUCKET_PATTERN, { error: "must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-')" }),
        region: z.string().regex(/^[a-z0-9-]{1,40}$/),
        /** S3 endpoint of a non-AWS service; never with credentials in it. */
        endpoint: webUrl({
            protocols: ["http", "https"],
            error: "must be the http(s) URL of the service's S3 endpoint",
            credentials:
                "give the key with `pulumi config set --secret homelab:offsiteAccessKeyId <value>` and `... homelab:offsiteSecretAccessKey <value>` (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
        }).optional(),
        /** Days a noncurrent object version is kept. */
        noncurrentVersionDays: z.number().int().min(1),
        /** Days before an incomplete multipart upload is aborted. @default 7 */
        abortIncompleteUploadDays: z.number().int().min(1).default(7),
        /** Object Lock (refused when PBS writes the bucket). @default false */
        objectLock: z.boolean().default(false),
        /** Proxmox Backup Server writes its datastore here (an S3 datastore and a sync job). @default true */
        servesPbs: z.boolean().default(true),
        /** Writers, each getting its own key where the service has IAM. */
        writers: z
            .array(key("writer"))
            .min(1)
            .superRefine(uniqueBy<string>((w) => w, "writer")),
        /**
         * A key of the service's KMS for default encryption (`aws:kms`): an AWS KMS key id, ARN or
         * alias, or a MinIO KMS key name. MinIO refuses default encryption without one; B2, Wasabi and
         * R2 have no KMS. @default none (AES256 with the service's own keys where it has them)
         */
        kmsKeyId: z
            .string()
            .regex(/^[A-Za-z0-9][A-Za-z0-9:/_.+=@-]{0,2047}$/, {
                error: "must be a KMS key id, ARN or alias such as alias/pbs-offsite or arn:aws:kms:eu-central-1:111122223333:key/...",
            })
            .optional(),
        /**
         * When Proxmox Backup Server copies its datastore to the bucket (a PBS calendar event, local
         * time of the PBS VM). @default "06:00" (after the night's backups)
         */
        syncSchedule: z.string().regex(CALENDAR_EVENT, { error: "must be a calendar event such as 06:00, daily or sat 07:00" }).optional(),
    })
    .superRefine((o, ctx) => {
        // The service's own word on KMS (the S3 service table): the bucket component refuses the same.
        const kms = kmsKeyProblem(o);
        if (kms) ctx.addIssue({ code: "custom", path: ["kmsKeyId"], message: kms.reason });
    });
