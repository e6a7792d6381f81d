import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { OffsiteBucket, SERVICE_FEATURES, deployOffsite, resolveOffsite, writerPolicy } from "../../components/offsiteBucket";
import { InventoryError } from "../../config/errors";
import { Credentials, readCredentials } from "../../config/loader";
import { parseInventory } from "../../config/parse";
import { Inventory, OffsiteSpec } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";
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
    user: "aws:iam/user:User",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    accessKey: "aws:iam/accessKey:AccessKey",
};

/** The mock AccessKey returns a secret, as the real one does. */
const STATES = { [T.accessKey]: (a: pulumi.runtime.MockResourceArgs) => ({ secret: `secret-of-${a.name}` }) };

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
                deployOffsite(reference(), readCredentials());
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
                deployOffsite(reference(), readCredentials());
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
                deployOffsite(reference(), readCredentials());
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
                deployOffsite(reference(), readCredentials());
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
                deployOffsite(reference(), readCredentials());
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
                const o = deployOffsite(reference(), readCredentials())!;
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
            absent: deployOffsite({ ...reference(), offsite: undefined }, readCredentials()) === undefined,
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
                deployOffsite(reference(), credentials);
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
            skipped: {
                publicAccessControls:
                    "B2 has no public access block or object ownership API: a bucket made through the S3 API is private and objects carry no ACLs",
            },
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

    it("keeps versioning, encryption and the lifecycle, and leaves out the calls B2 does not implement", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: B2, ...KEYS });
        });
        expect(recording.ofType(T.publicAccess)).toEqual([]);
        expect(recording.ofType(T.ownership)).toEqual([]);
        expect(recording.one("offsite-versioning", T.versioning).inputs).toEqual({
            bucket: "attic-pbs-offsite",
            versioningConfiguration: { status: "Enabled" },
        });
        expect(recording.one("offsite-encryption", T.encryption).inputs).toEqual({
            bucket: "attic-pbs-offsite",
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
        expect(recording.ofType(T.lifecycle)).toHaveLength(1);
        expect(recording.one("offsite-bucket", T.bucket).options.protect).toBe(true);
    });

    it("reads the scoped key from secret config when deployed from an inventory", async () => {
        const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
        delete process.env.AWS_ACCESS_KEY_ID;
        delete process.env.AWS_SECRET_ACCESS_KEY;
        try {
            const { recording } = await record(
                () => {
                    deployOffsite({ ...reference(), offsite: B2 }, readCredentials());
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
                    deployOffsite({ ...reference(), offsite: B2 }, readCredentials());
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

    it("creates only the provider, the untagged bucket and a lifecycle that aborts incomplete uploads", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: R2, ...KEYS });
        });
        expect(recording.countsByType()).toEqual({
            [T.component]: 1,
            [T.provider]: 1,
            [T.bucket]: 1,
            [T.lifecycle]: 1,
            "pulumi:pulumi:Stack": 1,
        });
        const bucket = recording.one("offsite-bucket", T.bucket);
        expect(bucket.inputs).toEqual({ bucket: "attic-archive", forceDestroy: false });
        expect(bucket.inputs).not.toHaveProperty("tags");
        expect(bucket.inputs).not.toHaveProperty("objectLockEnabled");
        expect(bucket.options.protect).toBe(true);
        const lifecycle = recording.one("offsite-lifecycle", T.lifecycle);
        expect(lifecycle.inputs).toEqual({
            bucket: "attic-archive",
            rules: [
                {
                    id: "abort-incomplete-uploads",
                    status: "Enabled",
                    filter: {},
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ],
        });
        expect(lifecycle.options.dependsOn).toEqual([bucket.urn]);
    });

    it("talks to the account's R2 endpoint path-style with the skip flags, region us-east-1 (R2's alias of auto) and the key as secrets", async () => {
        const { recording } = await record(() => {
            new OffsiteBucket("offsite", { offsite: R2, ...KEYS });
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
            new OffsiteBucket("offsite", { offsite: R2, ...KEYS });
        });
        const component = recording.one("offsite", T.component);
        const r2 = SERVICE_FEATURES.r2;
        expect(r2.iam).toBe(false);
        expect(component.outputs).toEqual({
            endpoint: `https://${R2_ACCOUNT}.r2.cloudflarestorage.com`,
            bucket: "attic-archive",
            region: "auto",
            accessKeyId: "r2keyid",
            secretAccessKey: "r2secret",
            writerKeyIds: { rclone: "r2keyid" },
            service: "r2",
            skipped: {
                publicAccessControls: r2.publicAccessControls !== true && r2.publicAccessControls.reason,
                versioning: r2.versioning !== true && r2.versioning.reason,
                encryption: r2.encryption !== true && r2.encryption.reason,
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
        expect(resolveOffsite({ offsite: { ...R2, endpoint }, ...KEYS }).endpoint).toBe(endpoint);
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
            '[offsite.endpoint] service "r2" needs its S3 endpoint, e.g. https://<account-id>.r2.cloudflarestorage.com',
        ],
        [
            "no scoped key",
            { keys: false },
            '[offsite.service] "r2" has no IAM API: give the bucket-scoped key as accessKeyId and secretAccessKey',
        ],
    ])("refuses %s", (_what, change, message) => {
        const { keys, ...offsite } = change as Partial<OffsiteSpec> & { keys?: boolean };
        expect(() => resolveOffsite({ offsite: { ...R2, ...offsite }, ...(keys === false ? {} : KEYS) })).toThrow(message);
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
            '[offsite.writers] "b2" has no IAM API, so one scoped key serves one writer; list a single writer, got pbs, laptop',
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
