/**
 * The offsite copy of the 3-2-1 plan: an S3 bucket (AWS S3, Wasabi, Backblaze B2, MinIO or
 * Cloudflare R2) that Proxmox Backup Server writes its datastore to, and the key PBS writes with.
 *
 * The bucket is versioned, encrypted, never public, expires old versions and aborts stale uploads,
 * as far as the service implements those calls: what each service implements is the one table of
 * lib/s3Services.ts (S1–S5). What a service lacks is left out and its reason listed in the
 * `skipped` output; retention the program cannot set there is described in the `retention` output
 * ("set in the service"). Where the service has an IAM API (AWS, Wasabi) each writer gets its own
 * IAM user whose inline policy reaches this bucket only; elsewhere (B2, MinIO, R2) the operator's
 * bucket-scoped key is passed through. Every sub-resource takes the bucket's literal name, so
 * policies can link them at preview.
 */
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { Inventory, OffsiteSpec } from "../config/schema";
import { OffsiteAccess } from "./providers";
import {
    PbsS3Target,
    encryptionRule,
    pbsS3Target,
    r2Account,
    r2LifecycleRules,
    retentionNote,
    s3Endpoint,
    s3LifecycleRules,
    skippedSettings,
} from "../lib/offsiteSettings";
import {
    R2_ENDPOINT_PATTERN,
    R2_REGION,
    S3ServiceFeatures,
    S3_SERVICE_FEATURES,
    Support,
    kmsKeyProblem,
    offsiteProblems,
    r2Problems,
    writerUserName,
} from "../lib/s3Services";

/** The bucket's arguments: the inventory's section and its access (components/providers.ts `offsiteAccess`). */
export interface OffsiteBucketArgs extends OffsiteAccess {
    /** The inventory's `offsite` section. */
    readonly offsite: OffsiteSpec;
}

// The offsite checks (lib/s3Services.ts) run with the inventory (config/crosschecks) and again here for direct callers.
export { R2_ENDPOINT_PATTERN, R2_REGION, writerUserName };

/** What each service implements: the one table (lib/s3Services.ts). */
export type { S3ServiceFeatures, Support };
export { S3_SERVICE_FEATURES };

// The settings as plain data live in lib/offsiteSettings.ts; they are part of this component's interface.
export type { PbsS3Target };
export { encryptionRule, pbsS3Target, r2Account, r2LifecycleRules, retentionNote, s3Endpoint, s3LifecycleRules, skippedSettings };

/**
 * R2 answers in region `auto` (an empty region and `us-east-1` are aliases of it). The provider
 * is set to `us-east-1`, as in Cloudflare's own Terraform example: for that region the AWS
 * provider sends CreateBucket without a LocationConstraint, which R2 would read as a location hint.
 */
const R2_PROVIDER_REGION = "us-east-1";

/** Wasabi's IAM and STS endpoints (one for all regions). */
const WASABI_IAM_ENDPOINT = "https://iam.wasabisys.com";
const WASABI_STS_ENDPOINT = "https://sts.wasabisys.com";

/** Actions on the bucket itself a PBS S3 datastore needs. */
const BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"] as const;
/** Actions on the objects of the bucket a PBS S3 datastore needs (its garbage collection deletes chunks). */
const OBJECT_ACTIONS = [
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
] as const;

/** The inline IAM policy of a writer: this bucket's ARNs and the actions PBS needs, nothing else. */
export function writerPolicy(bucket: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "Bucket", Effect: "Allow", Action: [...BUCKET_ACTIONS], Resource: [`arn:aws:s3:::${bucket}`] },
            { Sid: "Objects", Effect: "Allow", Action: [...OBJECT_ACTIONS], Resource: [`arn:aws:s3:::${bucket}/*`] },
        ],
    });
}

/**
 * Checks the plain inputs; throws at once with the field, the value and the fix. Pure: the
 * constructor calls it first, tests call it directly.
 */
export function resolveOffsite(args: OffsiteBucketArgs): {
    endpoint: string;
    features: S3ServiceFeatures;
    userNames: Record<string, string>;
} {
    const o = args.offsite;
    const features = S3_SERVICE_FEATURES[o.service];
    // The inventory's own checks (config/crosschecks/services.ts and the schema's KMS check), the
    // same functions, for callers that skip the inventory: the first problem is thrown.
    const problem = [...offsiteProblems(o), ...r2Problems(o), kmsKeyProblem(o)].find((p) => p !== undefined);
    if (problem) throw problem;
    const endpoint = s3Endpoint(o);
    if (!features.iam && (args.accessKeyId === undefined || args.secretAccessKey === undefined)) {
        throw new Error(`[offsite.service] "${o.service}" has no IAM API: give the bucket-scoped key as accessKeyId and secretAccessKey`);
    }
    if (features.lifecycle.via === "r2" && args.cloudflareProvider === undefined) {
        throw new Error(
            `[offsite.service] an R2 bucket's lifecycle is set through Cloudflare's API (cloudflare.R2BucketLifecycle, S5): give the component a cloudflareProvider (an API token with R2 edit rights)`,
        );
    }
    const userNames = features.iam ? Object.fromEntries(o.writers.map((w) => [w, writerUserName(o.bucket, w)])) : {};
    return { endpoint, features, userNames };
}

/** The versioned, encrypted, private offsite bucket (as far as the service implements each) and the keys its writers use. */
export class OffsiteBucket extends pulumi.ComponentResource {
    /** The S3 endpoint to enter in PBS. */
    readonly endpoint: pulumi.Output<string>;
    /** The bucket's name. */
    readonly bucketName: pulumi.Output<string>;
    /** The bucket's region. */
    readonly region: pulumi.Output<string>;
    /** Access key id of the first writer (the one PBS uses). */
    readonly accessKeyId: pulumi.Output<string>;
    /** Secret access key of the first writer (secret). */
    readonly secretAccessKey: pulumi.Output<string>;
    /** Access key id of every writer. */
    readonly writerKeyIds: Record<string, pulumi.Output<string>>;
    /** The retention the operator sets in the service (B2, MinIO, Wasabi), or undefined where the program sets it. */
    readonly retentionNote: string | undefined;
    /** The bucket. */
    readonly bucket: aws.s3.Bucket;
    /** The provider all children use. */
    readonly provider: aws.Provider;

    constructor(name: string, args: OffsiteBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad bucket leaves no half-made component.
        const { endpoint, features, userNames } = resolveOffsite(args);
        super("homelab:backup:OffsiteBucket", name, {}, opts);
        const o = args.offsite;

        this.provider = new aws.Provider(`${name}-provider`, providerArgs(o, args), { parent: this });
        const child = { parent: this, provider: this.provider };

        this.bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            {
                bucket: o.bucket,
                forceDestroy: false,
                ...(o.objectLock ? { objectLockEnabled: true } : {}),
                // `s3-service` tells the policy pack which S3 APIs the service has (B2 and MinIO have no public access block).
                ...(features.tags === true
                    ? { tags: { "managed-by": "homelab", "serves-pbs": o.servesPbs ? "true" : "false", "s3-service": o.service } }
                    : {}),
            },
            { ...child, protect: true },
        );
        // Sub-resources name the bucket literally (a plain string at preview) and wait for it.
        const sub = { ...child, dependsOn: [this.bucket] };

        if (features.versioning === true) {
            new aws.s3.BucketVersioning(
                `${name}-versioning`,
                { bucket: o.bucket, versioningConfiguration: { status: "Enabled" } },
                { ...sub, protect: true },
            );
        }
        const encryption = encryptionRule(o, features);
        if (encryption !== undefined) {
            new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, { bucket: o.bucket, rules: [encryption] }, sub);
        }
        if (features.publicAccessControls === true) {
            new aws.s3.BucketPublicAccessBlock(
                `${name}-public-access-block`,
                { bucket: o.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
                sub,
            );
            new aws.s3.BucketOwnershipControls(
                `${name}-ownership`,
                { bucket: o.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
                sub,
            );
        }
        if (features.lifecycle.via === "s3") {
            new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: o.bucket, rules: s3LifecycleRules(o, features) }, sub);
        } else if (features.lifecycle.via === "r2") {
            const account = r2Account(endpoint);
            new cloudflare.R2BucketLifecycle(
                `${name}-lifecycle`,
                { ...account, bucketName: o.bucket, rules: r2LifecycleRules(o) },
                { parent: this, provider: args.cloudflareProvider, dependsOn: [this.bucket] },
            );
        }
        this.retentionNote = retentionNote(o, features);

        this.writerKeyIds = {};
        const secrets: Record<string, pulumi.Output<string>> = {};
        if (features.iam) {
            const policy = writerPolicy(o.bucket);
            for (const writer of o.writers) {
                const user = new aws.iam.User(
                    `${name}-writer-${writer}`,
                    { name: userNames[writer], path: "/homelab/", tags: { "managed-by": "homelab", "offsite-bucket": o.bucket } },
                    child,
                );
                new aws.iam.UserPolicy(
                    `${name}-writer-${writer}-policy`,
                    { user: user.name, name: `${o.bucket}-write`, policy },
                    { ...child, dependsOn: [this.bucket] },
                );
                const key = new aws.iam.AccessKey(`${name}-writer-${writer}-key`, { user: user.name }, child);
                this.writerKeyIds[writer] = key.id;
                secrets[writer] = pulumi.secret(key.secret);
            }
        } else {
            this.writerKeyIds[o.writers[0]] = pulumi.output(args.accessKeyId!);
            secrets[o.writers[0]] = pulumi.secret(args.secretAccessKey!);
        }

        this.endpoint = pulumi.output(endpoint);
        this.bucketName = pulumi.output(o.bucket);
        this.region = pulumi.output(o.region);
        this.accessKeyId = this.writerKeyIds[o.writers[0]];
        this.secretAccessKey = secrets[o.writers[0]];

        this.registerOutputs({
            endpoint: this.endpoint,
            bucket: this.bucketName,
            region: this.region,
            accessKeyId: this.accessKeyId,
            secretAccessKey: this.secretAccessKey,
            writerKeyIds: this.writerKeyIds,
            // For the policy pack: the service and whether PBS writes here (a bucket on B2 or R2 has
            // no tags to say so), and the settings the service cannot take.
            service: o.service,
            servesPbs: o.servesPbs,
            skipped: skippedSettings(features, o),
            ...(this.retentionNote !== undefined ? { retention: this.retentionNote } : {}),
        });
    }
}

/** The explicit provider: AWS by region; any other service by its endpoint, path-style and without AWS-only checks. */
function providerArgs(o: OffsiteSpec, keys: Pick<OffsiteBucketArgs, "accessKeyId" | "secretAccessKey"> = {}): aws.ProviderArgs {
    if (o.service === "aws") return { region: o.region };
    const endpoint = s3Endpoint(o);
    const s3Compatible: aws.ProviderArgs = {
        region: o.service === "r2" ? R2_PROVIDER_REGION : o.region,
        s3UsePathStyle: true,
        // No STS account lookup, no AWS region list, no EC2 metadata: none of them exist there.
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipRegionValidation: true,
        skipMetadataApiCheck: true,
    };
    if (o.service === "wasabi")
        return { ...s3Compatible, endpoints: [{ s3: endpoint, iam: WASABI_IAM_ENDPOINT, sts: WASABI_STS_ENDPOINT }] };
    return {
        ...s3Compatible,
        endpoints: [{ s3: endpoint }],
        accessKey: keys.accessKeyId === undefined ? undefined : pulumi.secret(keys.accessKeyId),
        secretKey: keys.secretAccessKey === undefined ? undefined : pulumi.secret(keys.secretAccessKey),
    };
}

/**
 * Builds the OffsiteBucket of an inventory, or undefined when it has no `offsite` section, with
 * the access components/providers.ts `offsiteAccess` gives it (the bucket-scoped key on a service
 * without IAM, the Cloudflare provider of R2's lifecycle).
 */
export function deployOffsite(
    inv: Inventory,
    access: OffsiteAccess = {},
    opts: pulumi.ComponentResourceOptions = {},
): OffsiteBucket | undefined {
    if (!inv.offsite) return undefined;
    return new OffsiteBucket("offsite", { offsite: inv.offsite, ...access }, opts);
}
