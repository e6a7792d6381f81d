/**
 * Proxmox Backup Server as code, over SSH: the VM is the lead's (`VmGuest` with the user data of
 * lib/pbs/userData.ts); this component sets PBS up inside it with the idempotent scripts of
 * lib/pbs/setup.ts, one `command.remote.Command` per step, in order:
 *
 *   ready → mount (NFS) → datastore → access (user, password, ACL), namespaces → verify, prune
 *   → offsite (S3 endpoint, S3 datastore, sync job); fingerprint (read back) after ready.
 *
 * Every command pins the VM's host key (`connection.hostKey`, C2), so it talks to no other host.
 * Secrets (the PBS user's password, the S3 secret key) travel on stdin as secrets (C3: stdout
 * never holds them). The certificate's fingerprint is read back and exposed as a plain Output for
 * the PVE `Pbs` storage (P4: the storage only works once PBS answers with it); a pinned fingerprint
 * that differs fails the `up`.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import {
    DEFAULT_GC_SCHEDULE,
    DEFAULT_VERIFY,
    PruneJobSpec,
    VerifySpec,
    accessScript,
    certFingerprintScript,
    datastoreScript,
    keepScript,
    namespacesScript,
    nfsMountScript,
    offsiteScript,
    parseCertFingerprint,
    pruneJobsScript,
    readyScript,
    removeJobsScript,
    resolvePbsOffsite,
    verifyJobScript,
} from "../lib/pbs/setup";
import { assertHost, assertPbsPassword, assertPlainPath, assertSecretKey } from "../lib/pbs/values";
import { LINUX_USER_PATTERN } from "../lib/patterns";
import { OffsiteSpec } from "../config/schema";
import { pbsS3Target } from "../lib/offsiteSettings";
import { shellQuote } from "../lib/shell";

/** The bucket PBS copies its datastore to (PBS 4's S3 endpoint, S3-backed datastore and sync job). */
export interface PbsServerOffsiteArgs {
    /** The endpoint's host name, no scheme (PBS speaks HTTPS only); `{{bucket}}.s3.{{region}}.amazonaws.com` on AWS. */
    readonly endpoint: string;
    /** The endpoint's port. @default 443 */
    readonly port?: number;
    readonly region: string;
    readonly bucket: string;
    /** Path-style addressing (every service but AWS). */
    readonly pathStyle: boolean;
    /** The bucket-scoped key PBS writes with (an Output of the OffsiteBucket component). */
    readonly accessKeyId: pulumi.Input<string>;
    /** Its secret; always handled as a secret, passed on stdin. */
    readonly secretAccessKey: pulumi.Input<string>;
    /** When the sync job copies the datastore offsite (PBS calendar event). @default "06:00" */
    readonly schedule?: string;
    /** SHA-256 fingerprint of the endpoint's certificate, when self-signed (a MinIO of your own). */
    readonly fingerprint?: string;
    /** The S3 datastore's local cache directory (PBS recommends 64–128 GiB on a dedicated disk). @default under /var/lib/proxmox-backup/s3-cache */
    readonly cachePath?: string;
    /** Upper bound of that cache, such as `64GiB`. @default none */
    readonly cacheMaxSize?: string;
}

export interface PbsServerArgs {
    /** The PBS VM's address. */
    readonly address: pulumi.Input<string>;
    /** Its SSH port. @default 22 */
    readonly sshPort?: number;
    /** The login user; not root means every script runs through `sudo -n`. @default "root" */
    readonly sshUser?: string;
    /** The VM's pinned SSH host key, `ssh-ed25519 AAAA...` (the public half of the key in its user data). */
    readonly hostKey: pulumi.Input<string>;
    /** The private key the program logs in with; stored as a secret. @default the SSH agent (SSH_AUTH_SOCK) */
    readonly privateKey?: pulumi.Input<string>;
    /** The datastore: its name, its path on the VM, and the NFS export it lives on (mounted at `path`). */
    readonly datastore: {
        readonly name: string;
        readonly path: string;
        readonly nfs?: { readonly server: string; readonly export: string };
    };
    /** The PBS user PVE writes as (`pve@pbs`): `DatastoreBackup` on this datastore only. */
    readonly user: string;
    /** Its password (8–64 characters); always handled as a secret, passed on stdin. */
    readonly password: pulumi.Input<string>;
    /** Garbage-collection schedule of the datastore. @default "02:00" (daily) */
    readonly gcSchedule?: string;
    /** The verify job. @default weekly, Sunday 03:00, skipping snapshots verified within 30 days */
    readonly verify?: VerifySpec;
    /** One prune job per backup tier (each in its namespace; lib/pbs/setup `tierPruneJobs`). */
    readonly prune: readonly PruneJobSpec[];
    /** Namespaces to create besides those the prune jobs name (each tier's). @default [] */
    readonly namespaces?: readonly string[];
    /** The certificate fingerprint the inventory pins; a PBS answering with another fails the `up`. */
    readonly fingerprint?: string;
    /** The offsite copy. @default none */
    readonly offsite?: PbsServerOffsiteArgs;
}

/**
 * PbsServer's offsite arguments for the inventory's offsite bucket and the key the OffsiteBucket
 * component hands out: where PBS reaches the bucket (`pbsS3Target`), and when it syncs.
 */
export function pbsOffsiteArgs(
    offsite: OffsiteSpec,
    key: { readonly accessKeyId: pulumi.Input<string>; readonly secretAccessKey: pulumi.Input<string> },
): PbsServerOffsiteArgs {
    if (!offsite.servesPbs)
        throw new Error(
            `[offsite.servesPbs] the bucket ${offsite.bucket} is not one PBS writes to (servesPbs: false); set servesPbs: true or give PBS no offsite copy`,
        );
    const target = pbsS3Target(offsite);
    return {
        endpoint: target.host,
        ...(target.port !== undefined ? { port: target.port } : {}),
        region: target.region,
        bucket: offsite.bucket,
        pathStyle: target.pathStyle,
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey,
        ...(offsite.syncSchedule !== undefined ? { schedule: offsite.syncSchedule } : {}),
    };
}

/** How often and how long the commands retry reaching a VM that is still booting (60 × 15 s). */
const PBS_DIAL = { dialErrorLimit: 60, perDialTimeout: 15 } as const;

/** Runs a script as root: directly for root, through `sudo -n` (no password prompt) otherwise; stdin passes through. */
export function asRoot(script: string, user: string): string {
    return user === "root" ? script : `exec sudo -n /bin/sh -c ${shellQuote(script)}\n`;
}

/** A secret first line for stdin, checked without ever echoing it. */
function secretLine(value: pulumi.Input<string>, check: (v: string) => string): pulumi.Output<string> {
    return pulumi.secret(pulumi.output(value).apply((v) => `${check(v)}\n`));
}

/** Checks the plain arguments before anything registers; throws with the field, the value and the fix. */
function validatePbsServerArgs(args: PbsServerArgs): void {
    const user = args.sshUser ?? "root";
    if (!LINUX_USER_PATTERN.test(user)) throw new Error(`[sshUser] must be a user name such as root, got ${JSON.stringify(user)}`);
    if (args.sshPort !== undefined && (!Number.isInteger(args.sshPort) || args.sshPort < 1 || args.sshPort > 65535))
        throw new Error(`[sshPort] must be a port from 1 to 65535, got ${JSON.stringify(args.sshPort)}`);
    if (args.datastore.nfs !== undefined) {
        assertHost("datastore.nfs.server", args.datastore.nfs.server);
        assertPlainPath("datastore.nfs.export", args.datastore.nfs.export);
    }
    if (typeof args.password === "string") assertPbsPassword("password", args.password);
    if (args.offsite !== undefined && typeof args.offsite.secretAccessKey === "string")
        assertSecretKey("offsite.secretAccessKey", args.offsite.secretAccessKey);
}

/** Proxmox Backup Server set up inside its VM; exposes the certificate fingerprint PVE pins. */
export class PbsServer extends pulumi.ComponentResource {
    /** SHA-256 fingerprint of PBS's certificate, lowercase `aa:bb:...`, as read from PBS (the pinned one before the first read). */
    readonly fingerprint: pulumi.Output<string | undefined>;
    /** The datastore's name. */
    readonly datastore: string;
    /** The PBS user PVE writes as. */
    readonly user: string;
    /** Every command, by step. */
    readonly commands: Readonly<Record<string, command.remote.Command>>;
    /** What the PVE storages must wait for: PBS answers, the datastore and its namespaces exist, and PVE's user may write to it. */
    readonly ready: readonly pulumi.Resource[];

    constructor(name: string, args: PbsServerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Build (and so validate) every script before registering anything.
        validatePbsServerArgs(args);
        const sshUser = args.sshUser ?? "root";
        const ds = args.datastore;
        const mount =
            ds.nfs === undefined ? undefined : nfsMountScript({ server: ds.nfs.server, export: ds.nfs.export, mountpoint: ds.path });
        const datastore = datastoreScript({
            name: ds.name,
            path: ds.path,
            gcSchedule: args.gcSchedule ?? DEFAULT_GC_SCHEDULE,
            requireMountpoint: ds.nfs !== undefined,
        });
        const access = accessScript({ userid: args.user, datastore: ds.name });
        const namespaces = [
            ...new Set([...(args.namespaces ?? []), ...args.prune.flatMap((p) => (p.namespace === undefined ? [] : [p.namespace]))]),
        ];
        const namespacesText = namespaces.length > 0 ? namespacesScript(ds.name, namespaces) : undefined;
        const verify = verifyJobScript(ds.name, args.verify);
        const prune = pruneJobsScript(ds.name, args.prune);
        const certificate = certFingerprintScript(args.fingerprint);
        const offsiteBase =
            args.offsite === undefined
                ? undefined
                : {
                      sourceDatastore: ds.name,
                      host: args.offsite.endpoint,
                      port: args.offsite.port,
                      region: args.offsite.region,
                      pathStyle: args.offsite.pathStyle,
                      fingerprint: args.offsite.fingerprint,
                      bucket: args.offsite.bucket,
                      schedule: args.offsite.schedule,
                      cachePath: args.offsite.cachePath,
                      cacheMaxSize: args.offsite.cacheMaxSize,
                  };
        // The access key may be an Output; check everything else now with a stand-in id.
        const offsiteIds = offsiteBase === undefined ? undefined : resolvePbsOffsite({ ...offsiteBase, accessKeyId: "check" });
        super("homelab:backup:PbsServer", name, {}, opts);
        this.datastore = ds.name;
        this.user = args.user;

        const connection: command.types.input.remote.ConnectionArgs = {
            host: args.address,
            port: args.sshPort ?? 22,
            user: sshUser,
            ...(args.privateKey !== undefined ? { privateKey: pulumi.secret(args.privateKey) } : {}),
            hostKey: args.hostKey,
            ...PBS_DIAL,
        };
        const commands: Record<string, command.remote.Command> = {};
        const step = (
            key: string,
            create: pulumi.Input<string>,
            extra: { delete?: string; stdin?: pulumi.Input<string>; after?: pulumi.Resource[] } = {},
        ): command.remote.Command => {
            const wrapped = pulumi.output(create).apply((s) => asRoot(s, sshUser));
            commands[key] = new command.remote.Command(
                `${name}-${key}`,
                {
                    connection,
                    create: wrapped,
                    update: wrapped,
                    ...(extra.delete !== undefined ? { delete: asRoot(extra.delete, sshUser) } : {}),
                    ...(extra.stdin !== undefined ? { stdin: extra.stdin } : {}),
                    // The scripts read PBS's state themselves; the previous stdout is not needed (and passing it needs AcceptEnv).
                    addPreviousOutputInEnv: false,
                },
                { parent: this, dependsOn: extra.after ?? [] },
            );
            return commands[key];
        };

        const ready = step("ready", readyScript());
        const mounted =
            mount === undefined
                ? ready
                : step("mount", mount, { delete: keepScript(`the NFS mount of datastore ${ds.name}`), after: [ready] });
        const store = step("datastore", datastore, { delete: keepScript(`datastore ${ds.name} and its backups`), after: [mounted] });
        const granted = step("access", access, {
            delete: keepScript(`user ${args.user} and its ACL`),
            stdin: secretLine(args.password, (p) => assertPbsPassword("password", p)),
            after: [store],
        });
        const spaces =
            namespacesText === undefined
                ? store
                : step("namespaces", namespacesText, { delete: keepScript(`the namespaces of datastore ${ds.name}`), after: [store] });
        step("verify", verify, {
            delete: removeJobsScript([{ kind: "verify-job", id: args.verify?.id ?? DEFAULT_VERIFY.id }]),
            after: [store],
        });
        step("prune", prune, {
            delete: removeJobsScript(args.prune.map((p) => ({ kind: "prune-job" as const, id: p.id }))),
            after: [spaces],
        });
        if (args.offsite !== undefined && offsiteBase !== undefined && offsiteIds !== undefined) {
            const o = args.offsite;
            step(
                "offsite",
                pulumi.output(o.accessKeyId).apply((accessKeyId) => offsiteScript({ ...offsiteBase, accessKeyId })),
                {
                    delete: removeJobsScript([{ kind: "sync-job", id: offsiteIds.syncJobId }]),
                    stdin: secretLine(o.secretAccessKey, (s) => assertSecretKey("offsite.secretAccessKey", s)),
                    after: [spaces],
                },
            );
        }
        const certificateCommand = step("fingerprint", certificate, { after: [ready] });

        // Empty stdout (mocks, the offline plan) gives the pinned fingerprint, or none.
        this.fingerprint = certificateCommand.stdout.apply(
            (stdout) => parseCertFingerprint(stdout ?? "") ?? args.fingerprint?.toLowerCase(),
        );
        this.commands = commands;
        // The tiers' storages write into their namespaces: those must exist before the first backup.
        this.ready = [...new Set([store, granted, spaces, certificateCommand])];
        this.registerOutputs({ fingerprint: this.fingerprint, datastore: this.datastore, user: this.user });
    }
}
