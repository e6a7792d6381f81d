/**
 * PbsServer under the recording mock harness: exactly its commands, in order (dependsOn), each
 * with the pinned host key and the exact scripts of lib/pbs/setup.ts, secrets only on stdin and
 * secret, the fingerprint read back as a plain Output, and bad input refused before anything registers.
 */
import * as pulumi from "@pulumi/pulumi";
import { PbsServer, PbsServerArgs, asRoot, pbsOffsiteArgs } from "../../components/pbsServer";
import {
    accessScript,
    certFingerprintScript,
    datastoreScript,
    keepScript,
    namespacesScript,
    nfsMountScript,
    offsiteScript,
    pruneJobsScript,
    readyScript,
    removeJobsScript,
    tierPruneJobs,
    verifyJobScript,
} from "../../lib/pbs/setup";
import { isSecret, record, valueOf } from "../helpers/harness";
import { HOST_PUBLIC_KEY } from "../lib/pbs/keys";

const T = { component: "homelab:backup:PbsServer", command: "command:remote:Command" };
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\ntest\n-----END OPENSSH PRIVATE KEY-----";
const FP = "7a:1b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09";
const PRUNE = tierPruneJobs({
    critical: { retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 } },
    medium: { retention: { keepWeekly: 4, keepMonthly: 3 } },
    low: { retention: { keepMonthly: 3 } },
});
const ARGS: PbsServerArgs = {
    address: "192.168.10.20",
    hostKey: HOST_PUBLIC_KEY,
    privateKey: pulumi.secret(PRIVATE_KEY),
    datastore: { name: "tank", path: "/mnt/datastore/tank", nfs: { server: "192.168.10.12", export: "/tank/pbs" } },
    user: "pve@pbs",
    password: pulumi.secret("correct horse battery"),
    prune: PRUNE,
};
const OFFSITE = {
    endpoint: "s3.us-west-004.backblazeb2.com",
    region: "us-west-004",
    bucket: "attic-pbs-offsite",
    pathStyle: true,
    accessKeyId: pulumi.secret("004b2keyid"),
    secretAccessKey: pulumi.secret("K004secret"),
};
const CONNECTION = {
    host: "192.168.10.20",
    port: 22,
    user: "root",
    privateKey: PRIVATE_KEY,
    hostKey: HOST_PUBLIC_KEY,
    dialErrorLimit: 60,
    perDialTimeout: 15,
};

describe("tierPruneJobs", () => {
    it("gives one prune job per tier, in the tier's namespace, keeping the tier's retention", () => {
        expect(PRUNE).toEqual([
            {
                id: "homelab-prune-critical",
                namespace: "critical",
                schedule: "21:00",
                keep: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
            },
            { id: "homelab-prune-low", namespace: "low", schedule: "21:00", keep: { keepMonthly: 3 } },
            { id: "homelab-prune-medium", namespace: "medium", schedule: "21:00", keep: { keepWeekly: 4, keepMonthly: 3 } },
        ]);
    });
});

describe("PbsServer", () => {
    it("registers exactly its commands, each after the one it needs", async () => {
        const { recording } = await record(() => {
            new PbsServer("pbs", { ...ARGS, offsite: OFFSITE });
        });
        const component = recording.one("pbs", T.component);
        const names = recording
            .childrenOf(component.urn)
            .map((r) => r.name)
            .sort();
        expect(names).toEqual(
            [
                "pbs-ready",
                "pbs-mount",
                "pbs-datastore",
                "pbs-access",
                "pbs-namespaces",
                "pbs-verify",
                "pbs-prune",
                "pbs-offsite",
                "pbs-fingerprint",
            ].sort(),
        );
        expect(recording.countsByType()).toEqual({ [T.command]: 9, [T.component]: 1, "pulumi:pulumi:Stack": 1 });
        const urn = (n: string) => recording.one(`pbs-${n}`, T.command).urn;
        const after = (n: string) => recording.one(`pbs-${n}`, T.command).options.dependsOn;
        expect(after("ready")).toEqual([]);
        expect(after("mount")).toEqual([urn("ready")]);
        expect(after("datastore")).toEqual([urn("mount")]);
        expect(after("access")).toEqual([urn("datastore")]);
        expect(after("namespaces")).toEqual([urn("datastore")]);
        expect(after("verify")).toEqual([urn("datastore")]);
        expect(after("prune")).toEqual([urn("namespaces")]);
        expect(after("offsite")).toEqual([urn("namespaces")]);
        expect(after("fingerprint")).toEqual([urn("ready")]);
    });

    it("pins the VM's host key on every command and keeps the connection secret", async () => {
        const { recording } = await record(() => {
            new PbsServer("pbs", ARGS);
        });
        for (const cmd of recording.ofType(T.command)) {
            expect(cmd.inputs.connection).toEqual(CONNECTION);
            expect(cmd.secretPaths).toContain("connection");
            expect(cmd.inputs.addPreviousOutputInEnv).toBe(false);
        }
    });

    it("runs the exact scripts of lib/pbs/setup.ts, the same on create and update", async () => {
        const { recording } = await record(() => {
            new PbsServer("pbs", { ...ARGS, offsite: OFFSITE });
        });
        const cmd = (n: string) => recording.one(`pbs-${n}`, T.command).inputs;
        const expected: Record<string, string> = {
            ready: readyScript(),
            mount: nfsMountScript({ server: "192.168.10.12", export: "/tank/pbs", mountpoint: "/mnt/datastore/tank" }),
            datastore: datastoreScript({ name: "tank", path: "/mnt/datastore/tank", gcSchedule: "02:00", requireMountpoint: true }),
            access: accessScript({ userid: "pve@pbs", datastore: "tank" }),
            namespaces: namespacesScript("tank", ["critical", "low", "medium"]),
            verify: verifyJobScript("tank"),
            prune: pruneJobsScript("tank", PRUNE),
            offsite: offsiteScript({
                sourceDatastore: "tank",
                host: "s3.us-west-004.backblazeb2.com",
                region: "us-west-004",
                pathStyle: true,
                bucket: "attic-pbs-offsite",
                accessKeyId: "004b2keyid",
            }),
            fingerprint: certFingerprintScript(),
        };
        for (const [n, script] of Object.entries(expected)) {
            expect(cmd(n).create).toBe(script);
            expect(cmd(n).update).toBe(script);
        }
    });

    it("keeps data and removes only its own jobs when a command goes away", async () => {
        const { recording } = await record(() => {
            new PbsServer("pbs", { ...ARGS, offsite: OFFSITE });
        });
        const del = (n: string) => recording.one(`pbs-${n}`, T.command).inputs.delete;
        expect(del("ready")).toBeUndefined();
        expect(del("fingerprint")).toBeUndefined();
        expect(del("datastore")).toBe(keepScript("datastore tank and its backups"));
        expect(del("access")).toBe(keepScript("user pve@pbs and its ACL"));
        expect(del("verify")).toBe(removeJobsScript([{ kind: "verify-job", id: "homelab-verify" }]));
        expect(del("prune")).toBe(removeJobsScript(PRUNE.map((p) => ({ kind: "prune-job", id: p.id }))));
        expect(del("offsite")).toBe(removeJobsScript([{ kind: "sync-job", id: "homelab-offsite" }]));
    });

    it("passes the password and the S3 secret key only on stdin, as secrets, and in no script", async () => {
        const { recording } = await record(() => {
            new PbsServer("pbs", { ...ARGS, offsite: OFFSITE });
        });
        const access = recording.one("pbs-access", T.command);
        expect(access.inputs.stdin).toBe("correct horse battery\n");
        expect(access.secretPaths).toContain("stdin");
        const offsite = recording.one("pbs-offsite", T.command);
        expect(offsite.inputs.stdin).toBe("K004secret\n");
        expect(offsite.secretPaths).toContain("stdin");
        // the access key id came in as a secret, so the script that names it is secret too
        expect(offsite.secretPaths).toEqual(expect.arrayContaining(["create", "update"]));
        for (const cmd of recording.ofType(T.command)) {
            for (const field of ["create", "update", "delete"])
                expect(String(cmd.inputs[field] ?? "")).not.toMatch(/correct horse battery|K004secret/);
            if (cmd.name !== "pbs-access" && cmd.name !== "pbs-offsite") expect(cmd.inputs.stdin).toBeUndefined();
        }
    });

    it("reads the fingerprint back from PBS as a plain, secret-free output", async () => {
        let pbs: PbsServer | undefined;
        const { recording } = await record(
            () => {
                pbs = new PbsServer("pbs", ARGS);
            },
            { states: { [T.command]: (a) => (a.name === "pbs-fingerprint" ? { stdout: `fingerprint ${FP.toUpperCase()}\n` } : {}) } },
        );
        expect(await valueOf(pbs!.fingerprint)).toBe(FP);
        expect(await isSecret(pbs!.fingerprint)).toBe(false);
        const component = recording.one("pbs", T.component);
        expect(component.outputs).toEqual({ fingerprint: FP, datastore: "tank", user: "pve@pbs" });
        expect(component.outputSecretPaths).toEqual([]);
        // PBS answers, the datastore, its namespaces and PVE's user exist, the fingerprint is read.
        const urnOf = (name: string) => recording.one(name, T.command).urn;
        expect(await Promise.all(pbs!.ready.map((r) => valueOf(r.urn)))).toEqual(
            ["pbs-datastore", "pbs-access", "pbs-namespaces", "pbs-fingerprint"].map(urnOf),
        );
    });

    it("checks a pinned fingerprint on PBS itself (the command fails the up on a mismatch) and exposes it before the first read", async () => {
        let pbs: PbsServer | undefined;
        const { recording } = await record(() => {
            pbs = new PbsServer("pbs", { ...ARGS, fingerprint: FP.toUpperCase() });
        });
        expect(recording.one("pbs-fingerprint", T.command).inputs.create).toBe(certFingerprintScript(FP));
        expect(await valueOf(pbs!.fingerprint)).toBe(FP);
    });

    it("without NFS, namespaces or offsite registers no mount, namespaces or offsite command", async () => {
        const { recording } = await record(() => {
            new PbsServer("pbs", {
                ...ARGS,
                datastore: { name: "tank", path: "/srv/tank" },
                prune: [{ ...PRUNE[0], namespace: undefined }],
            });
        });
        expect(
            recording
                .ofType(T.command)
                .map((c) => c.name)
                .sort(),
        ).toEqual(["pbs-access", "pbs-datastore", "pbs-fingerprint", "pbs-prune", "pbs-ready", "pbs-verify"]);
        expect(recording.one("pbs-datastore", T.command).inputs.create).toBe(
            datastoreScript({ name: "tank", path: "/srv/tank", requireMountpoint: false }),
        );
    });

    it("runs every script through sudo for a login user other than root", async () => {
        const { recording } = await record(() => {
            new PbsServer("pbs", { ...ARGS, sshUser: "homelab" });
        });
        const ready = recording.one("pbs-ready", T.command);
        expect(ready.inputs.create).toBe(asRoot(readyScript(), "homelab"));
        expect(ready.inputs.create).toMatch(/^exec sudo -n \/bin\/sh -c '# homelab: wait until cloud-init/);
        expect((ready.inputs.connection as { user: string }).user).toBe("homelab");
    });

    it.each([
        [
            { datastore: { name: "tank", path: "/mnt/data store" } },
            "[datastore.path] must be an absolute path of letters, digits and _ . @ + : , - (no spaces",
        ],
        [
            { datastore: { name: "tank", path: "/mnt/tank", nfs: { server: "nas;reboot", export: "/tank/pbs" } } },
            "[datastore.nfs.server] must be an IPv4 address or a host name",
        ],
        [{ user: "root@pam" }, '[user] must be a user of the pbs realm such as pve@pbs (the program sets its password), got "root@pam"'],
        [
            { password: "short" },
            "[password] must be 8 to 64 characters without control characters (Proxmox Backup Server's password rules)",
        ],
        [{ fingerprint: "aa:bb" }, "[fingerprint] must be a SHA-256 fingerprint as 32 hex pairs separated by ':', got \"aa:bb\""],
        [{ sshUser: "root; reboot" }, '[sshUser] must be a user name such as root, got "root; reboot"'],
        [
            { offsite: { ...OFFSITE, bucket: "attic.pbs" } },
            "[offsite.bucket] must be 3–63 lowercase letters, digits and '-' (Proxmox Backup Server takes no '.' in bucket names)",
        ],
        [{ prune: [{ ...PRUNE[0], keep: {} }] }, "[prune[0].keep] keeps nothing"],
    ])("refuses bad input before registering anything (%#)", async (change, message) => {
        let error: unknown;
        const { recording } = await record(() => {
            try {
                new PbsServer("pbs", { ...ARGS, ...change } as PbsServerArgs);
            } catch (e) {
                error = e;
            }
        });
        expect(String(error)).toContain(message);
        expect(recording.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });
});

describe("pbsOffsiteArgs: the inventory's bucket as PbsServer's offsite arguments", () => {
    const B2 = {
        service: "b2" as const,
        bucket: "attic-pbs-offsite",
        region: "us-west-004",
        endpoint: "https://s3.us-west-004.backblazeb2.com",
        noncurrentVersionDays: 30,
        abortIncompleteUploadDays: 7,
        objectLock: false,
        servesPbs: true,
        writers: ["pbs"],
    };
    const key = { accessKeyId: "id", secretAccessKey: "secret" };
    it("B2: the endpoint's host, path-style, the sync schedule when given", () => {
        expect(pbsOffsiteArgs({ ...B2, syncSchedule: "07:00" }, key)).toEqual({
            endpoint: "s3.us-west-004.backblazeb2.com",
            region: "us-west-004",
            bucket: "attic-pbs-offsite",
            pathStyle: true,
            accessKeyId: "id",
            secretAccessKey: "secret",
            schedule: "07:00",
        });
    });
    it("AWS: virtual-hosted through PBS's templates", () => {
        expect(pbsOffsiteArgs({ ...B2, service: "aws", region: "eu-central-1", endpoint: undefined }, key)).toMatchObject({
            endpoint: "{{bucket}}.s3.{{region}}.amazonaws.com",
            region: "eu-central-1",
            pathStyle: false,
        });
    });
    it("refuses a bucket PBS does not write to", () => {
        expect(() => pbsOffsiteArgs({ ...B2, servesPbs: false }, key)).toThrow(
            "[offsite.servesPbs] the bucket attic-pbs-offsite is not one PBS writes to",
        );
    });
});
