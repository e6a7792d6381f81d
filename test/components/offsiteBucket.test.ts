import * as path from "path";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import {
    OffsiteBucket,
    S3_SERVICE_FEATURES,
    deployOffsite,
    pbsS3Target,
    resolveOffsite,
    retentionNote,
    writerPolicy,
} from "../../components/offsiteBucket";
import { InventoryError } from "../../config/errors";
import { Credentials, readCredentials } from "../../config/loader";
import { parseInventory } from "../../config/parse";
import { Inventory, OffsiteSpec } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";
import { offsiteAccess } from "../../components/providers";
import { record } from "../helpers/harness";

const T = {
    component: "homelab:backup:OffsiteBucket",
    provider: "pulumi:providers:aws",
    bucket: "aws:s3/bucket:Bucket",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    r2Lifecycle: "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
    cloudflareProvider: "pulumi:providers:cloudflare",
    user: "aws:iam/user:User",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    accessKey: "aws:iam/accessKey:AccessKey",
};

/** The mock AccessKey returns a secret, as the real one does. */
const STATES = { [T.accessKey]: (a: pulumi.runtime.MockResourceArgs) => ({ secret: `secret-of-${a.name}` }) };

/** The offsite bucket of an inventory with the access the program gives it (components/providers.ts offsiteAccess). */
function deploy(inv: Inventory, credentials: Credentials = readCredentials()): OffsiteBucket | undefined {
    return deployOffsite(inv, offsiteAccess(inv, credentials));
}

function reference(): Inventory {
    return parseInventory(readStackFile(path.join(__dirname, "../..", "Pulumi.prod.yaml")).inventory);
}

/** Provider inputs that are not strings arrive JSON-encoded under mocks (`"true"`, `"[{...}]"`): decode them. */
function decoded(inputs: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inputs)) {
        if (typeof v === "string" && /^[[{]|^(true|false|\d+)$/.test(v)) {
            try {
                out[k] = JSON.parse(v);
                continue;
            } catch {
                // a plain string after all
            }
        }
        out[k] = v;
    }
    return out;
}

const B2: OffsiteSpec = {
    service: "b2",
    bucket: "attic-pbs-offsite",
    region: "us-west-004",
    endpoint: "https://s3.us-west-004.backblazeb2.com",
    noncurrentVersionDays: 30,
    abortIncompleteUploadDays: 7,
    objectLock: false,
    servesPbs: true,
    writers: ["pbs"],
};

describe("OffsiteBucket on AWS (the reference stack)", () => {
    it("creates exactly the bucket, its five settings resources, and a user, policy and key per writer", async () => {
        const { recording } = await record(
            () => {
                deploy(reference());
            },
            { states: STATES },
        );
        expect(recording.countsByType()).toEqual({
            [T.component]: 1,
            [T.user]: 1,
            [T.accessKey]: 1,
            [T.userPolicy]: 1,
            [T.bucket]: 1,
            [T.lifecycle]: 1,
            [T.ownership]: 1,
            [T.publicAccess]: 1,
            [T.encryption]: 1,
            [T.versioning]: 1,
            [T.provider]: 1,
            "pulumi:pulumi:Stack": 1,
        });
        const component = recording.one("offsite", T.component);
        for (const r of recording.resources.filter((r) => r.type.startsWith("aws:") || r.type === T.provider))
            expect(r.parent).toBe(component.urn);
    });

    it("names the bucket literally, keeps it on destroy and tags it for the policy pack", async () => {
        const { recording } = await record(
            () => {
                deploy(reference());
            },
            { states: STATES },
        );
        const bucket = recording.one("offsite-bucket", T.bucket);
        expect(bucket.inputs).toEqual({
            bucket: "attic-pbs-offsite",
            forceDestroy: false,
            tags: { "managed-by": "homelab", "serves-pbs": "true", "s3-service": "aws" },
        });
        expect(bucket.inputs).not.toHaveProperty("objectLockEnabled");
        expect(bucket.inputs).not.toHaveProperty("acl");
        expect(bucket.options.protect).toBe(true);
    });

    it("configures versioning, AES256 encryption, all four public-access blocks, owner-enforced objects and the lifecycle", async () => {
        const { recording } = await record(
            () => {
                deploy(reference());
            },
            { states: STATES },
        );
        const bucket = recording.one("offsite-bucket", T.bucket);
        const versioning = recording.one("offsite-versioning", T.versioning);
        expect(versioning.inputs).toEqual({ bucket: "attic-pbs-offsite", versioningConfiguration: { status: "Enabled" } });
        expect(versioning.options.protect).toBe(true);
        expect(recording.one("offsite-encryption", T.encryption).inputs).toEqual({
            bucket: "attic-pbs-offsite",
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
        expect(recording.one("offsite-public-access-block", T.publicAccess).inputs).toEqual({
            bucket: "attic-pbs-offsite",
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(recording.one("offsite-ownership", T.ownership).inputs).toEqual({
            bucket: "attic-pbs-offsite",
            rule: { objectOwnership: "BucketOwnerEnforced" },
        });
        expect(recording.one("offsite-lifecycle", T.lifecycle).inputs).toEqual({
            bucket: "attic-pbs-offsite",
            rules: [
                { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
                {
                    id: "abort-incomplete-uploads",
                    status: "Enabled",
                    filter: {},
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ],
        });
        for (const name of [
            "offsite-versioning",
            "offsite-encryption",
            "offsite-public-access-block",
            "offsite-ownership",
            "offsite-lifecycle",
        ]) {
            const r = recording.one(name);
            expect(r.options.dependsOn).toEqual([bucket.urn]);
            expect(r.unknownPaths).toEqual([]);
        }
    });

    it("uses an explicit AWS provider for the bucket's region", async () => {
        const { recording } = await record(
            () => {
                deploy(reference());
            },
            { states: STATES },
        );
        const provider = recording.one("offsite-provider", T.provider);
        // The SDK fills two defaults of its own; the credentials are the operator's ambient AWS ones.
        expect(decoded(provider.inputs)).toEqual({ region: "eu-central-1", skipCredentialsValidation: false, skipRegionValidation: true });
        expect(provider.inputs).not.toHaveProperty("endpoints");
        expect(provider.inputs).not.toHaveProperty("accessKey");
        expect(provider.inputs).not.toHaveProperty("secretKey");
        for (const r of recording.resources.filter((r) => r.type.startsWith("aws:")))
            expect(r.options.provider).toBe(`${provider.urn}::${provider.id}`);
    });

    it("gives the writer an IAM user whose inline policy reaches only this bucket's ARNs", async () => {
        const { recording } = await record(
            () => {
                deploy(reference());
            },
            { states: STATES },
        );
        const user = recording.one("offsite-writer-pbs", T.user);
        expect(user.inputs).toEqual({
            name: "attic-pbs-offsite-pbs",
            path: "/homelab/",
            tags: { "managed-by": "homelab", "offsite-bucket": "attic-pbs-offsite" },
        });
        const policy = recording.one("offsite-writer-pbs-policy", T.userPolicy);
        expect(policy.inputs.user).toBe("attic-pbs-offsite-pbs");
        expect(policy.inputs.name).toBe("attic-pbs-offsite-write");
        const doc = JSON.parse(policy.inputs.policy as string) as { Statement: { Effect: string; Action: string[]; Resource: string[] }[] };
        expect(doc.Statement).toEqual([
            {
                Sid: "Bucket",
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                Resource: ["arn:aws:s3:::attic-pbs-offsite"],
            },
            {
                Sid: "Objects",
                Effect: "Allow",
                Action: ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
                Resource: ["arn:aws:s3:::attic-pbs-offsite/*"],
            },
        ]);
        const resources = doc.Statement.flatMap((s) => s.Resource);
        for (const arn of resources) expect(["arn:aws:s3:::attic-pbs-offsite", "arn:aws:s3:::attic-pbs-offsite/*"]).toContain(arn);
        for (const s of doc.Statement) {
            expect(s.Effect).toBe("Allow");
            for (const action of s.Action) expect(action).toMatch(/^s3:[A-Za-z]+$/);
        }
        expect(recording.one("offsite-writer-pbs-key", T.accessKey).inputs).toEqual({ user: "attic-pbs-offsite-pbs" });
    });

    it("exports what to enter in PBS, with the secret key as a secret", async () => {
        const { recording, outputs } = await record(
            () => {
                const o = deploy(reference())!;
                return { offsiteAccessKeyId: o.accessKeyId, offsiteSecretAccessKey: o.secretAccessKey };
            },
            { states: STATES },
        );
        const component = recording.one("offsite", T.component);
        expect(component.outputs).toEqual({
            endpoint: "https://s3.eu-central-1.amazonaws.com",
            bucket: "attic-pbs-offsite",
            region: "eu-central-1",
            accessKeyId: "offsite-writer-pbs-key-id",
            secretAccessKey: "secret-of-offsite-writer-pbs-key",
            writerKeyIds: { pbs: "offsite-writer-pbs-key-id" },
            service: "aws",
            servesPbs: true,
            skipped: {},
        });
        expect(component.outputSecretPaths).toEqual(["secretAccessKey"]);
        expect(outputs).toEqual({
            offsiteAccessKeyId: "offsite-writer-pbs-key-id",
            offsiteSecretAccessKey: "secret-of-offsite-writer-pbs-key",
        });
    });

    it("gives each writer its own user and key on AWS", async () => {
        const inv = reference();
        const { recording } = await record(
            () => {
                new OffsiteBucket("o", { offsite: { ...inv.offsite!, writers: ["pbs", "laptop"] } });
            },
            { states: STATES },
        );
        expect(
            recording
                .ofType(T.user)
                .map((u) => u.inputs.name)
                .sort(),
        ).toEqual(["attic-pbs-offsite-laptop", "attic-pbs-offsite-pbs"]);
        expect(recording.ofType(T.accessKey)).toHaveLength(2);
        expect(recording.ofType(T.userPolicy).map((p) => p.inputs.policy)).toEqual([
            writerPolicy("attic-pbs-offsite"),
            writerPolicy("attic-pbs-offsite"),
        ]);
    });

    it("builds nothing when the inventory has no offsite section", async () => {
        const { recording, outputs } = await record(() => ({
            absent: deploy({ ...reference(), offsite: undefined }) === undefined,
        }));
        expect(outputs).toEqual({ absent: true });
        expect(recording.ofType(T.bucket)).toEqual([]);
    });
    it("asks the credentials for nothing on AWS: each writer's key is minted through IAM", async () => {
        const asked: string[] = [];
        const credentials: Credentials = {
            optional: (key) => {
                asked.push(key);
                return undefined;
            },
            require: (key) => {
                asked.push(key);
                throw new Error(`unexpected credential ${key}`);
            },
        };
        const { recording } = await record(
            () => {
                deploy(reference(), credentials);
            },
            { states: STATES },
        );
        expect(asked).toEqual([]);
        expect(recording.ofType(T.accessKey).map((k) => k.name)).toEqual(["offsite-writer-pbs-key"]);
    });
});

describe("OffsiteBucket on Backblaze B2 (no IAM API)", () => {
    const KEYS = { accessKeyId: pulumi.secret("004b2keyid"), secretAccessKey: pulumi.secret("K004secret") };

    it("creates no IAM resources and passes the scoped key through as secret outputs", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: B2, ...KEYS });
        });
        expect(recording.ofType(T.user)).toEqual([]);
        expect(recording.ofType(T.userPolicy)).toEqual([]);
        expect(recording.ofType(T.accessKey)).toEqual([]);
        const component = recording.one("offsite", T.component);
        expect(component.outputs).toEqual({
            endpoint: "https://s3.us-west-004.backblazeb2.com",
            bucket: "attic-pbs-offsite",
            region: "us-west-004",
            accessKeyId: "004b2keyid",
            secretAccessKey: "K004secret",
            writerKeyIds: { pbs: "004b2keyid" },
            service: "b2",
            servesPbs: true,
            skipped: {
                publicAccessControls:
                    "B2 has no public access block or object ownership API: a bucket made through the S3 API is private and objects carry no ACLs",
                versioning:
                    "B2 buckets are always versioned and its S3 API documents no PutBucketVersioning (S5): every bucket keeps noncurrent versions without asking",
                noncurrentVersionExpiration:
                    "retention set in the service: B2 keeps lifecycle rules in its own API and returns them mapped to S3 rules (a hide rule comes back as two S3 rules), so the AWS provider's exact comparison never matches (S3, S5)",
                tags: "B2's S3 API documents no bucket tagging (S5): creating the bucket with tags would fail, so it has none",
            },
            retention:
                'retention set in the service: Backblaze B2 keeps noncurrent versions until a rule there deletes them; set it up once: a B2 lifecycle rule on the whole bucket: `b2 bucket update --lifecycle-rules \'[{"fileNamePrefix": "", "daysFromHidingToDeleting": 30, "daysFromUploadingToHiding": null}]\' attic-pbs-offsite` (or the same in the B2 web console); B2 cancels unfinished large files itself (B2 keeps lifecycle rules in its own API and returns them mapped to S3 rules (a hide rule comes back as two S3 rules), so the AWS provider\'s exact comparison never matches (S3, S5))',
        });
        expect(component.outputSecretPaths).toEqual(expect.arrayContaining(["secretAccessKey", "accessKeyId"]));
    });

    it("talks to B2 through an S3-compatible provider with the endpoint, path-style and the skip flags, the key as secret inputs", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: B2, ...KEYS });
        });
        const provider = recording.one("offsite-provider", T.provider);
        expect(decoded(provider.inputs)).toEqual({
            region: "us-west-004",
            endpoints: [{ s3: "https://s3.us-west-004.backblazeb2.com" }],
            s3UsePathStyle: true,
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipRegionValidation: true,
            skipMetadataApiCheck: true,
            accessKey: "004b2keyid",
            secretKey: "K004secret",
        });
        expect([...provider.secretPaths].sort()).toEqual(["accessKey", "secretKey"]);
        for (const r of recording.resources.filter((r) => r.type.startsWith("aws:")))
            expect(r.options.provider).toBe(`${provider.urn}::${provider.id}`);
    });

    it("keeps encryption, and makes no versioning, tagging or lifecycle call B2 does not implement (S3, S5)", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: B2, ...KEYS });
        });
        expect(recording.ofType(T.publicAccess)).toEqual([]);
        expect(recording.ofType(T.ownership)).toEqual([]);
        expect(recording.ofType(T.versioning)).toEqual([]);
        expect(recording.ofType(T.lifecycle)).toEqual([]);
        expect(recording.one("offsite-bucket", T.bucket).inputs).toEqual({ bucket: "attic-pbs-offsite", forceDestroy: false });
        expect(recording.one("offsite-encryption", T.encryption).inputs).toEqual({
            bucket: "attic-pbs-offsite",
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
        expect(recording.one("offsite-bucket", T.bucket).options.protect).toBe(true);
    });

    it("reads the scoped key from secret config when deployed from an inventory", async () => {
        const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
        delete process.env.AWS_ACCESS_KEY_ID;
        delete process.env.AWS_SECRET_ACCESS_KEY;
        try {
            const { recording } = await record(
                () => {
                    deploy({ ...reference(), offsite: B2 });
                },
                {
                    config: { "homelab:offsiteAccessKeyId": "cfg-key-id", "homelab:offsiteSecretAccessKey": "cfg-secret" },
                    secretKeys: ["homelab:offsiteAccessKeyId", "homelab:offsiteSecretAccessKey"],
                },
            );
            const provider = recording.one("offsite-provider", T.provider);
            expect(decoded(provider.inputs)).toMatchObject({ accessKey: "cfg-key-id", secretKey: "cfg-secret" });
            expect(recording.one("offsite", T.component).outputs).toMatchObject({
                accessKeyId: "cfg-key-id",
                secretAccessKey: "cfg-secret",
            });
        } finally {
            if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
            if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
        }
    });
    it("refuses to deploy from an inventory without the scoped key, naming both ways to give it", async () => {
        const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
        delete process.env.AWS_ACCESS_KEY_ID;
        delete process.env.AWS_SECRET_ACCESS_KEY;
        try {
            let thrown: unknown;
            const { recording } = await record(() => {
                try {
                    deploy({ ...reference(), offsite: B2 });
                } catch (err) {
                    thrown = err;
                }
            });
            expect(thrown).toEqual(
                new Error(
                    "missing credential: set the environment variable AWS_ACCESS_KEY_ID or run `pulumi config set --secret homelab:offsiteAccessKeyId <value>`",
                ),
            );
            expect(recording.countsByType()).toEqual({ "pulumi:pulumi:Stack": 1 });
        } finally {
            if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
            if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
        }
    });
});

const R2_ACCOUNT = "0123456789abcdef0123456789abcdef";
const R2: OffsiteSpec = {
    ...B2,
    service: "r2",
    bucket: "attic-archive",
    region: "auto",
    endpoint: `https://${R2_ACCOUNT}.r2.cloudflarestorage.com`,
    servesPbs: false,
    writers: ["rclone"],
};

describe("OffsiteBucket on Cloudflare R2 (no IAM, no versioning, no bucket tags)", () => {
    const KEYS = { accessKeyId: pulumi.secret("r2keyid"), secretAccessKey: pulumi.secret("r2secret") };
    /** The Cloudflare provider R2's lifecycle goes through; registered inside each test's mock run. */
    const withCloudflare = () => ({ ...KEYS, cloudflareProvider: new cloudflare.Provider("cf", { apiToken: "token" }) });

    it("creates only the provider, the untagged bucket and an R2 lifecycle (Cloudflare's API, S5) that aborts incomplete uploads", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: R2, ...withCloudflare() });
        });
        expect(recording.countsByType()).toEqual({
            [T.component]: 1,
            [T.provider]: 1,
            [T.bucket]: 1,
            [T.cloudflareProvider]: 1,
            [T.r2Lifecycle]: 1,
            "pulumi:pulumi:Stack": 1,
        });
        const bucket = recording.one("offsite-bucket", T.bucket);
        expect(bucket.inputs).toEqual({ bucket: "attic-archive", forceDestroy: false });
        expect(bucket.inputs).not.toHaveProperty("tags");
        expect(bucket.inputs).not.toHaveProperty("objectLockEnabled");
        expect(bucket.options.protect).toBe(true);
        const lifecycle = recording.one("offsite-lifecycle", T.r2Lifecycle);
        expect(lifecycle.inputs).toEqual({
            accountId: R2_ACCOUNT,
            bucketName: "attic-archive",
            rules: [
                {
                    id: "abort-incomplete-uploads",
                    enabled: true,
                    conditions: { prefix: "" },
                    abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 7 * 86400 } },
                },
            ],
        });
        expect(lifecycle.options.dependsOn).toEqual([bucket.urn]);
        const cf = recording.one("cf", T.cloudflareProvider);
        expect(lifecycle.options.provider).toBe(`${cf.urn}::${cf.id}`);
    });

    it("sets the lifecycle of a jurisdiction bucket in its jurisdiction", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", {
                offsite: { ...R2, endpoint: `https://${R2_ACCOUNT}.eu.r2.cloudflarestorage.com` },
                ...withCloudflare(),
            });
        });
        expect(recording.one("offsite-lifecycle", T.r2Lifecycle).inputs).toMatchObject({ accountId: R2_ACCOUNT, jurisdiction: "eu" });
    });

    it("refuses to build an R2 bucket without the Cloudflare provider its lifecycle needs", () => {
        expect(() => resolveOffsite({ offsite: R2, ...KEYS })).toThrow(
            "[offsite.service] an R2 bucket's lifecycle is set through Cloudflare's API (cloudflare.R2BucketLifecycle, S5): give the component a cloudflareProvider (an API token with R2 edit rights)",
        );
    });

    it("talks to the account's R2 endpoint path-style with the skip flags, region us-east-1 (R2's alias of auto) and the key as secrets", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: R2, ...withCloudflare() });
        });
        const provider = recording.one("offsite-provider", T.provider);
        expect(decoded(provider.inputs)).toEqual({
            region: "us-east-1",
            endpoints: [{ s3: `https://${R2_ACCOUNT}.r2.cloudflarestorage.com` }],
            s3UsePathStyle: true,
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipRegionValidation: true,
            skipMetadataApiCheck: true,
            accessKey: "r2keyid",
            secretKey: "r2secret",
        });
        expect([...provider.secretPaths].sort()).toEqual(["accessKey", "secretKey"]);
        for (const r of recording.resources.filter((r) => r.type.startsWith("aws:")))
            expect(r.options.provider).toBe(`${provider.urn}::${provider.id}`);
    });

    it("exports region auto and the key, and lists every setting R2 cannot take with its reason", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: R2, ...withCloudflare() });
        });
        const component = recording.one("offsite", T.component);
        const r2 = S3_SERVICE_FEATURES.r2;
        expect(r2.iam).toBe(false);
        expect(component.outputs).toEqual({
            endpoint: `https://${R2_ACCOUNT}.r2.cloudflarestorage.com`,
            bucket: "attic-archive",
            region: "auto",
            accessKeyId: "r2keyid",
            secretAccessKey: "r2secret",
            writerKeyIds: { rclone: "r2keyid" },
            service: "r2",
            servesPbs: false,
            skipped: {
                publicAccessControls: r2.publicAccessControls !== true && r2.publicAccessControls.reason,
                versioning: r2.versioning !== true && r2.versioning.reason,
                encryption: r2.defaultEncryption !== true && r2.defaultEncryption.reason,
                noncurrentVersionExpiration:
                    "no object versioning, so no noncurrent versions to expire; the lifecycle only aborts incomplete uploads",
                tags: r2.tags !== true && r2.tags.reason,
            },
        });
        const skipped = component.outputs.skipped as Record<string, string>;
        expect(skipped.versioning).toMatch(/^R2 implements no object versioning \(PutBucketVersioning/);
        expect(skipped.encryption).toMatch(/^R2 implements no PutBucketEncryption .*encrypts every object at rest itself, always/);
        expect(skipped.tags).toMatch(/^R2 implements no bucket tagging \(PutBucketTagging/);
        expect(skipped.publicAccessControls).toMatch(/^R2 implements no ACLs, public access block or ownership controls/);
        expect(component.outputSecretPaths).toEqual(expect.arrayContaining(["secretAccessKey", "accessKeyId"]));
    });

    it("accepts a jurisdiction endpoint", () => {
        const endpoint = `https://${R2_ACCOUNT}.eu.r2.cloudflarestorage.com`;
        expect(resolveOffsite({ offsite: { ...R2, endpoint }, ...KEYS, cloudflareProvider: {} as cloudflare.Provider }).endpoint).toBe(
            endpoint,
        );
    });

    it.each([
        [
            "a bucket PBS writes to",
            { servesPbs: true },
            "[offsite.service] R2 has no object versioning: a chunk that PBS's garbage collection, a prune or anyone holding PBS's key deletes is gone at once, with no noncurrent version to restore, so the offsite copy would not survive a compromised PBS; use aws, wasabi or b2 for a bucket PBS writes to, or set servesPbs: false",
        ],
        [
            "Object Lock",
            { objectLock: true },
            "[offsite.objectLock] R2 implements no S3 Object Lock (its bucket locks are set through Cloudflare's API); set objectLock: false",
        ],
        [
            "a region other than auto",
            { region: "eu-central-1" },
            '[offsite.region] R2 buckets live in region "auto"; set region: auto, got eu-central-1',
        ],
        [
            "a bucket name with a dot",
            { bucket: "attic.archive" },
            "[offsite.bucket] R2 bucket names take lowercase letters, digits and '-' only; remove the '.' from \"attic.archive\"",
        ],
        [
            "an endpoint that is not R2's",
            { endpoint: "https://r2.example.org" },
            '[offsite.endpoint] "https://r2.example.org" is not an R2 endpoint; use https://<account-id>.r2.cloudflarestorage.com',
        ],
        [
            "no endpoint",
            { endpoint: undefined },
            '[offsite.endpoint] service "r2" needs its S3 endpoint; set endpoint, e.g. https://<account-id>.r2.cloudflarestorage.com',
        ],
        [
            "no scoped key",
            { keys: false },
            '[offsite.service] "r2" has no IAM API: give the bucket-scoped key as accessKeyId and secretAccessKey',
        ],
    ])("refuses %s", (_what, change, message) => {
        const { keys, ...offsite } = change as Partial<OffsiteSpec> & { keys?: boolean };
        const cloudflareProvider = {} as cloudflare.Provider;
        expect(() => resolveOffsite({ offsite: { ...R2, ...offsite }, ...(keys === false ? {} : KEYS), cloudflareProvider })).toThrow(
            message,
        );
    });
});

describe("the inventory's cross-checks on an R2 offsite bucket", () => {
    function problemsOf(offsite: Record<string, unknown>): { path: string; message: string }[] {
        const raw = readStackFile(path.join(__dirname, "../..", "Pulumi.prod.yaml")).inventory;
        try {
            parseInventory({ ...raw, offsite });
        } catch (err) {
            if (err instanceof InventoryError) return err.problems.filter((p) => p.path.startsWith("offsite"));
            throw err;
        }
        return [];
    }
    const valid = {
        service: "r2",
        bucket: "attic-archive",
        region: "auto",
        endpoint: `https://${R2_ACCOUNT}.r2.cloudflarestorage.com`,
        noncurrentVersionDays: 30,
        servesPbs: false,
        writers: ["rclone"],
    };

    it("accepts a bucket PBS does not write to, in region auto, at the account's endpoint", () => {
        expect(problemsOf(valid)).toEqual([]);
    });

    it("refuses a bucket PBS writes to, saying that deleted chunks are gone for good", () => {
        expect(problemsOf({ ...valid, servesPbs: true })).toEqual([
            {
                path: "offsite.service",
                message:
                    "R2 has no object versioning: a chunk that PBS's garbage collection, a prune or anyone holding PBS's key deletes is gone at once, with no noncurrent version to restore, so the offsite copy would not survive a compromised PBS; use aws, wasabi or b2 for a bucket PBS writes to, or set servesPbs: false",
            },
        ]);
    });

    it("lists every other R2 mistake at once: Object Lock, region, bucket name, endpoint, writers", () => {
        expect(
            problemsOf({
                ...valid,
                objectLock: true,
                region: "us-east-1",
                bucket: "attic.archive",
                endpoint: "https://s3.us-west-004.backblazeb2.com",
                writers: ["rclone", "laptop"],
            }),
        ).toEqual([
            { path: "offsite.writers", message: 'service "r2" has no IAM API, so one scoped key serves one writer; list a single writer' },
            {
                path: "offsite.objectLock",
                message: "R2 implements no S3 Object Lock (its bucket locks are set through Cloudflare's API); set objectLock: false",
            },
            { path: "offsite.region", message: 'R2 buckets live in region "auto"; set region: auto, got us-east-1' },
            {
                path: "offsite.bucket",
                message: "R2 bucket names take lowercase letters, digits and '-' only; remove the '.' from \"attic.archive\"",
            },
            {
                path: "offsite.endpoint",
                message:
                    '"https://s3.us-west-004.backblazeb2.com" is not an R2 endpoint; use https://<account-id>.r2.cloudflarestorage.com (the 32-hex-digit account id; .eu. or .fedramp. before r2 for a jurisdiction)',
            },
        ]);
    });

    it("asks for the R2 endpoint with an R2 example", () => {
        expect(problemsOf({ ...valid, endpoint: undefined })).toEqual([
            {
                path: "offsite.endpoint",
                message: 'service "r2" needs its S3 endpoint; set endpoint, e.g. https://<account-id>.r2.cloudflarestorage.com',
            },
        ]);
    });
});

describe("OffsiteBucket on Wasabi (IAM, own endpoints)", () => {
    it("points S3, IAM and STS at Wasabi and still mints a scoped key per writer", async () => {
        const wasabi: OffsiteSpec = { ...B2, service: "wasabi", region: "eu-central-2", endpoint: "https://s3.eu-central-2.wasabisys.com" };
        const { recording } = await record(
            () => {
                new OffsiteBucket("offsite", { offsite: wasabi });
            },
            { states: STATES },
        );
        expect(decoded(recording.one("offsite-provider", T.provider).inputs)).toEqual({
            region: "eu-central-2",
            endpoints: [
                { s3: "https://s3.eu-central-2.wasabisys.com", iam: "https://iam.wasabisys.com", sts: "https://sts.wasabisys.com" },
            ],
            s3UsePathStyle: true,
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipRegionValidation: true,
            skipMetadataApiCheck: true,
        });
        expect(recording.ofType(T.user)).toHaveLength(1);
        expect(recording.ofType(T.publicAccess)).toHaveLength(1);
        expect(recording.one("offsite", T.component).outputs.endpoint).toBe("https://s3.eu-central-2.wasabisys.com");
    });
});

describe("OffsiteBucket refuses what cannot work", () => {
    it("refuses Object Lock on a bucket PBS writes to", () => {
        expect(() => resolveOffsite({ offsite: { ...reference().offsite!, objectLock: true } })).toThrow(
            "[offsite.objectLock] Object Lock stops Proxmox Backup Server's garbage collection from deleting chunks",
        );
    });

    it("allows Object Lock on a bucket PBS does not write to, and turns it on at creation", async () => {
        const offsite = { ...reference().offsite!, objectLock: true, servesPbs: false };
        const { recording } = await record(
            () => {
                new OffsiteBucket("o", { offsite });
            },
            { states: STATES },
        );
        expect(recording.one("o-bucket", T.bucket).inputs).toEqual({
            bucket: "attic-pbs-offsite",
            forceDestroy: false,
            objectLockEnabled: true,
            tags: { "managed-by": "homelab", "serves-pbs": "false", "s3-service": "aws" },
        });
    });

    it("refuses a service without IAM when no scoped key is given", () => {
        expect(() => resolveOffsite({ offsite: B2 })).toThrow(
            '[offsite.service] "b2" has no IAM API: give the bucket-scoped key as accessKeyId and secretAccessKey',
        );
    });

    it("refuses several writers on a service without IAM", () => {
        expect(() => resolveOffsite({ offsite: { ...B2, writers: ["pbs", "laptop"] }, accessKeyId: "a", secretAccessKey: "b" })).toThrow(
            '[offsite.writers] service "b2" has no IAM API, so one scoped key serves one writer; list a single writer',
        );
    });

    it("refuses a non-AWS service without its endpoint", () => {
        expect(() => resolveOffsite({ offsite: { ...B2, endpoint: undefined }, accessKeyId: "a", secretAccessKey: "b" })).toThrow(
            '[offsite.endpoint] service "b2" needs its S3 endpoint',
        );
    });

    it("refuses an IAM user name longer than IAM allows", () => {
        const bucket = "b".repeat(60);
        expect(() => resolveOffsite({ offsite: { ...reference().offsite!, bucket, writers: ["writer"] } })).toThrow(
            `[offsite.writers] IAM user name "${bucket}-writer" is 67 characters, IAM allows 64; use a shorter writer key or bucket name`,
        );
    });
});

describe("each service's registered resources follow its row of the S3 service table (lib/s3Services.ts)", () => {
    const KEYS = { accessKeyId: pulumi.secret("key-id"), secretAccessKey: pulumi.secret("secret") };
    const SPECS: Record<string, OffsiteSpec> = {
        aws: { ...B2, service: "aws", region: "eu-central-1", endpoint: undefined },
        wasabi: { ...B2, service: "wasabi", region: "eu-central-2", endpoint: "https://s3.eu-central-2.wasabisys.com" },
        b2: B2,
        minio: { ...B2, service: "minio", region: "us-east-1", endpoint: "https://minio.lab.example.org:9000" },
        r2: { ...R2 },
    };

    it.each(Object.keys(SPECS))("%s: exactly the calls its row allows", async (service) => {
        const offsite = SPECS[service];
        const features = S3_SERVICE_FEATURES[offsite.service];
        const { recording } = await record(
            () => {
                const cloudflareProvider = new cloudflare.Provider("cf", { apiToken: "token" });
                new OffsiteBucket("offsite", { offsite, ...KEYS, cloudflareProvider });
            },
            { states: STATES },
        );
        const count = (type: string) => recording.ofType(type).length;
        expect(count(T.versioning)).toBe(features.versioning === true ? 1 : 0);
        expect(count(T.publicAccess)).toBe(features.publicAccessControls === true ? 1 : 0);
        expect(count(T.ownership)).toBe(features.publicAccessControls === true ? 1 : 0);
        expect(count(T.encryption)).toBe(features.defaultEncryption === true ? 1 : 0);
        // S3: the AWS provider's lifecycle resource only where the service echoes it exactly.
        expect(count(T.lifecycle)).toBe(features.lifecycle.via === "s3" ? 1 : 0);
        expect(count(T.r2Lifecycle)).toBe(features.lifecycle.via === "r2" ? 1 : 0);
        expect(count(T.user)).toBe(features.iam ? 1 : 0);
        // S5: no tags where the service has no bucket tagging.
        const bucket = recording.one("offsite-bucket", T.bucket);
        expect(bucket.inputs.tags === undefined).toBe(features.tags !== true);
        // A retention note exactly where the retention is set in the service.
        const component = recording.one("offsite", T.component);
        expect(component.outputs.retention === undefined).toBe(features.lifecycle.via !== "service");
        expect(component.outputs.service).toBe(service);
    });

    it("the table's row sources are given for every service", () => {
        for (const features of Object.values(S3_SERVICE_FEATURES)) expect(features.sources.length).toBeGreaterThan(0);
    });

    it("MinIO gets no lifecycle rule at all, so never one whose only action aborts uploads (S1), and no default encryption without a KMS (S2)", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: SPECS.minio, ...KEYS });
        });
        expect(recording.ofType(T.lifecycle)).toEqual([]);
        expect(recording.ofType(T.encryption)).toEqual([]);
        const skipped = recording.one("offsite", T.component).outputs.skipped as Record<string, string>;
        expect(skipped.encryption).toBe(
            "MinIO refuses default bucket encryption unless the server has a KMS configured (S2); declare offsite.kmsKeyId (a key of that KMS) to turn it on",
        );
        expect(recording.one("offsite", T.component).outputs.retention).toBe(
            "retention set in the service: MinIO keeps noncurrent versions until a rule there deletes them; set it up once: `mc ilm rule add --noncurrent-expire-days 30 <alias>/attic-pbs-offsite`; MinIO removes stale multipart uploads itself (its `api stale_uploads_expiry` setting, 24 h by default) (MinIO does not return the lifecycle exactly as the AWS provider sent it, so the lifecycle resource would time out after 3 minutes and diff forever (S3); it also refuses a rule whose only action aborts incomplete uploads (S1))",
        );
    });

    it("MinIO with a declared KMS key encrypts with aws:kms and that key (S2)", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: { ...SPECS.minio, kmsKeyId: "pbs-offsite" }, ...KEYS });
        });
        expect(recording.one("offsite-encryption", T.encryption).inputs).toEqual({
            bucket: "attic-pbs-offsite",
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "pbs-offsite" } }],
        });
        expect(recording.one("offsite", T.component).outputs.skipped).not.toHaveProperty("encryption");
    });

    it("AWS with a declared KMS key encrypts with it; without one, AES256", async () => {
        const { recording } = await record(
            () => {
                new OffsiteBucket("kms", { offsite: { ...SPECS.aws, kmsKeyId: "alias/pbs-offsite" } });
                new OffsiteBucket("plain", { offsite: SPECS.aws });
            },
            { states: STATES },
        );
        expect(recording.one("kms-encryption", T.encryption).inputs.rules).toEqual([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/pbs-offsite" } },
        ]);
        expect(recording.one("plain-encryption", T.encryption).inputs.rules).toEqual([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
    });

    it.each(["b2", "wasabi", "r2"])("refuses a KMS key on %s, which has no KMS", (service) => {
        const features = S3_SERVICE_FEATURES[service as OffsiteSpec["service"]];
        const reason = features.kmsEncryption !== true ? features.kmsEncryption.reason : "";
        expect(() =>
            resolveOffsite({ offsite: { ...SPECS[service], kmsKeyId: "k" }, ...KEYS, cloudflareProvider: {} as cloudflare.Provider }),
        ).toThrow(`[offsite.kmsKeyId] ${reason}; remove kmsKeyId`);
    });

    it("Wasabi keeps its retention in the service and says how, with the inventory's days", () => {
        expect(retentionNote({ ...SPECS.wasabi, noncurrentVersionDays: 45 })).toBe(
            "retention set in the service: Wasabi keeps noncurrent versions until a rule there deletes them; set it up once: in the Wasabi console, bucket → Settings → Lifecycle: a rule on the whole bucket that permanently deletes noncurrent versions after 45 days (Wasabi's lifecycle GET is not documented to return the x-amz-transition-default-minimum-object-size header the AWS provider waits for, so the lifecycle resource would time out after 3 minutes and diff forever (S3))",
        );
        expect(retentionNote(SPECS.aws)).toBeUndefined();
        expect(retentionNote(SPECS.r2)).toBeUndefined();
    });
});

describe("pbsS3Target: where Proxmox Backup Server 4 reaches the bucket", () => {
    it("AWS: virtual-hosted through PBS's {{bucket}} and {{region}} templates", () => {
        expect(pbsS3Target({ ...B2, service: "aws", region: "eu-central-1", endpoint: undefined })).toEqual({
            host: "{{bucket}}.s3.{{region}}.amazonaws.com",
            region: "eu-central-1",
            pathStyle: false,
        });
    });
    it("other services: the endpoint's host and port, path-style", () => {
        expect(pbsS3Target(B2)).toEqual({ host: "s3.us-west-004.backblazeb2.com", region: "us-west-004", pathStyle: true });
        expect(pbsS3Target({ ...B2, service: "minio", endpoint: "https://minio.lab.example.org:9000" })).toEqual({
            host: "minio.lab.example.org",
            port: 9000,
            region: "us-west-004",
            pathStyle: true,
        });
    });
    it("refuses an endpoint without TLS: PBS speaks HTTPS only (proxmox-s3-client client.rs)", () => {
        expect(() => pbsS3Target({ ...B2, service: "minio", endpoint: "http://minio.lab:9000" })).toThrow(
            '[offsite.endpoint] Proxmox Backup Server talks to S3 over HTTPS only, got "http://minio.lab:9000"; serve the endpoint over TLS',
        );
    });
});
