/**
 * The backup of one ZFS dataset to Proxmox Backup Server, from the node that holds it: one
 * `command.remote.Command` over the node's connection (its host key pinned) runs the install
 * script of lib/datasetBackup.ts (the backup script, a systemd service and timer, the password
 * file) on create and update, and the remove script on delete. The password travels on stdin as
 * a secret; the certificate fingerprint (PbsServer's output) goes into the service's environment.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { Retention, TierCadence } from "../lib/backupSchedule";
import {
    DatasetBackupPaths,
    datasetBackupInstallScript,
    datasetBackupNames,
    datasetBackupRemoveScript,
    resolveDatasetBackup,
} from "../lib/datasetBackup";
import { PbsRepository } from "../lib/pbs/repository";
import { assertPbsPassword } from "../lib/pbs/values";
import { shellQuote } from "../lib/shell";

/** A node's SSH connection, with its host key required: the command talks to no other host (C2). */
export type PinnedConnectionArgs = command.types.input.remote.ConnectionArgs & { readonly hostKey: pulumi.Input<string> };

export interface DatasetBackupArgs {
    /**
     * Root SSH connection to the node that holds the dataset, its `hostKey` pinning the node: a
     * plain PinnedConnectionArgs, or the node's own (ProxmoxNode `connection`, pinned and secret).
     */
    readonly connection: PinnedConnectionArgs | pulumi.Output<command.types.input.remote.ConnectionArgs>;
    /** The ZFS dataset (`tank/photos`). */
    readonly dataset: string;
    /** Its mountpoint on the node (ZfsDataset's `mountpoint`, known before the first run). */
    readonly mountpoint: string;
    /** PBS and the datastore the backups go to, and the PBS user (`pve@pbs`). */
    readonly repository: PbsRepository;
    /** The password of `repository.user`; always handled as a secret, passed on stdin. */
    readonly password: pulumi.Input<string>;
    /** PBS's certificate fingerprint (PbsServer's `fingerprint`). */
    readonly fingerprint: pulumi.Input<string | undefined>;
    /** The dataset's backup tier, its namespace in the datastore (lib/pbs `tierNamespace`; absent: the root namespace) and cadence. */
    readonly tier: string;
    readonly namespace?: string;
    /** Prune the group after each backup, keeping this many (a PBS the program does not set up). @default none */
    readonly keep?: Retention;
    readonly cadence: TierCadence;
    /** When the timer starts it, `HH:MM` node time, after the node's vzdump jobs. */
    readonly startTime: string;
    /** @default "metadata" (proxmox-backup-client 3.3+, PVE 8.3+) */
    readonly changeDetection?: "metadata" | "legacy";
    /** Where the pieces go on the node. @default /usr/local/sbin, /etc/systemd/system, /etc/homelab/pbs, /run/lock */
    readonly paths?: Partial<DatasetBackupPaths>;
}

/** The install script when PBS's fingerprint is not known: it installs nothing and fails with the reason. */
export function missingFingerprintScript(dataset: string): string {
    return [
        `# homelab: install the backup of ZFS dataset ${dataset}: PBS's certificate fingerprint is unknown`,
        "set -eu",
        `echo ${shellQuote(`homelab: the backup of ${dataset} needs PBS's certificate fingerprint (PbsServer's fingerprint, or pin it in the inventory); nothing installed`)} >&2`,
        "exit 1",
        "",
    ].join("\n");
}

/** A fingerprint of the right shape, for checking the plain arguments before the real one is known. */
const PLACEHOLDER_FINGERPRINT = Array.from({ length: 32 }, () => "00").join(":");

/** A ZFS dataset backed up from its node to PBS on its tier's schedule. */
export class DatasetBackup extends pulumi.ComponentResource {
    /** The dataset. */
    readonly dataset: string;
    /** The backup group in PBS (`host/<id>`) and the namespace it lives in (absent: the root namespace). */
    readonly group: string;
    readonly namespace: string | undefined;
    /** The systemd timer on the node. */
    readonly timer: string;
    /** The remote command that installs it. */
    readonly command: command.remote.Command;

    constructor(name: string, args: DatasetBackupArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const spec = (fingerprint: string) => ({
            dataset: args.dataset,
            mountpoint: args.mountpoint,
            repository: args.repository,
            namespace: args.namespace,
            keep: args.keep,
            tier: args.tier,
            cadence: args.cadence,
            startTime: args.startTime,
            fingerprint,
            changeDetection: args.changeDetection,
            paths: args.paths,
        });
        // Validate everything but the fingerprint (an Output) before registering anything.
        const resolved = resolveDatasetBackup(spec(PLACEHOLDER_FINGERPRINT));
        if (typeof args.password === "string") assertPbsPassword("password", args.password);
        super("homelab:backup:DatasetBackup", name, {}, opts);
        this.dataset = args.dataset;
        this.group = `host/${resolved.backupId}`;
        this.namespace = resolved.namespace;
        this.timer = `${resolved.unit}.timer`;

        // PbsServer reads the fingerprint before anything depends on it; it is undefined only where
        // no command runs (mocks, the offline plan). Should it ever be missing, the install fails and says why.
        const install = pulumi
            .output(args.fingerprint)
            .apply((fingerprint) =>
                fingerprint === undefined ? missingFingerprintScript(args.dataset) : datasetBackupInstallScript(spec(fingerprint)),
            );
        this.command = new command.remote.Command(
            `${name}-backup`,
            {
                connection: args.connection,
                create: install,
                update: install,
                // Removing needs no fingerprint; the names only depend on the dataset.
                delete: datasetBackupRemoveScript(spec(PLACEHOLDER_FINGERPRINT)),
                stdin: pulumi.secret(pulumi.output(args.password).apply((p) => `${assertPbsPassword("password", p)}\n`)),
                // Another dataset is another job: its units are new, and the old ones go with the old resource.
                triggers: [datasetBackupNames(args.dataset).unit],
                addPreviousOutputInEnv: false,
            },
            { parent: this },
        );
        this.registerOutputs({ dataset: this.dataset, group: this.group, namespace: this.namespace, timer: this.timer });
    }
}
