/**
 * The on-site part of the 3-2-1 plan: the backup target's storage definition (a PBS storage,
 * created only once the PBS answers, P4) and one vzdump job per (tier, node), each naming its
 * guests by VMID, staggered through the night. The plan itself (which jobs, which guests, which
 * start times) is `lib/backupSchedule.ts`.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { BackupsSpec, DatasetEntry, GuestSpec, StorageSpec } from "../config/schema";
import { BackupSchedule, PlannedJob, planBackupJobs, pruneBackupsOf } from "../lib/backupSchedule";

export interface BackupPlanArgs {
    /** The inventory's `backups` section: target, night window, bandwidth limit and tiers. */
    readonly backups: BackupsSpec;
    /** The target storage (`storages.<backups.target>`). */
    readonly target: StorageSpec;
    /** Every guest of the inventory: each is in exactly one job or excluded with its reason. */
    readonly guests: Readonly<Record<string, GuestSpec>>;
    /** Every dataset of the inventory (their jobs are planned here, run by the dataset backups). @default {} */
    readonly datasets?: Readonly<Record<string, DatasetEntry>>;
    /** Every node of the cluster (the target's default nodes). */
    readonly nodeNames: readonly string[];
    /** For a PBS target the program defines (managed): its address, the password of its user (secret), and its certificate fingerprint. */
    readonly pbs?: {
        readonly server: pulumi.Input<string>;
        readonly password: pulumi.Input<string>;
        readonly fingerprint: pulumi.Input<string>;
        /** What must answer before the storage is added (the PBS setup). @default [] */
        readonly ready?: readonly pulumi.Resource[];
    };
    /** The Proxmox API provider (the token-based one: storage and backup jobs are API objects). */
    readonly provider: proxmoxve.Provider;
}

/** A job as exported: where, which tier, when and what. */
export interface BackupJobSummary {
    readonly node: string;
    readonly tier: string;
    readonly schedule: string;
    readonly vmids: readonly number[];
}

/** Settings every vzdump job shares (reference-homelab: snapshot mode, zstd). */
export const JOB_DEFAULTS = {
    mode: "snapshot",
    compress: "zstd",
    enabled: true,
    /** A missed run (node down at night) runs when the node is back. */
    repeatMissed: true,
} as const;

/** The PBS storage and the vzdump jobs of the cluster. */
export class BackupPlan extends pulumi.ComponentResource {
    /** Proxmox storage id of the target. */
    readonly storageId: pulumi.Output<string>;
    /** The PBS storage definition, for a PBS target. */
    readonly storage?: proxmoxve.storage.Pbs;
    /** The planned jobs (vzdump and dataset jobs). */
    readonly plan: BackupSchedule;
    /** The vzdump jobs, by Proxmox job id. */
    readonly jobResources: Record<string, proxmoxve.backup.Job>;
    /** The jobs, by Proxmox job id. */
    readonly jobs: Record<string, BackupJobSummary>;
    /** Guests left out of every job, with their reasons. */
    readonly excluded: Record<string, string>;

    constructor(name: string, args: BackupPlanArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad plan leaves no half-made component.
        const plan = resolveBackupPlan(args);
        if (args.target.kind === "pbs" && args.target.managed && args.pbs === undefined)
            throw new Error(`[backups.target] a PBS target needs its server, password and fingerprint`);
        super("homelab:backup:BackupPlan", name, {}, opts);
        const { backups, provider, target } = args;
        this.plan = plan;

        // A PBS storage with `managed: false` exists already (an adopted cluster's): only its id is used.
        if (target.kind === "pbs" && target.managed && args.pbs !== undefined) {
            this.storage = new proxmoxve.storage.Pbs(
                `${name}-storage-${backups.target}`,
                {
                    resourceId: backups.target,
                    server: args.pbs.server,
                    datastore: target.datastore,
                    username: target.username,
                    password: pulumi.secret(args.pbs.password),
                    fingerprint: args.pbs.fingerprint,
                    contents: ["backup"],
                    nodes: [...(target.nodes ?? args.nodeNames)].sort(),
                },
                // The id is fixed and password, server, datastore and username force a replacement (P13): delete first.
                { parent: this, provider, deleteBeforeReplace: true, dependsOn: [...(args.pbs.ready ?? [])] },
            );
            this.storageId = this.storage.resourceId;
        } else {
            this.storageId = pulumi.output(backups.target);
        }

        this.jobResources = {};
        this.jobs = {};
        for (const job of plan.jobs) {
            if (job.kind !== "vzdump") continue;
            this.jobResources[job.id] = new proxmoxve.backup.Job(`${name}-${job.id}`, jobArgs(job, backups, this.storageId), {
                parent: this,
                provider,
                ...(this.storage ? { dependsOn: [this.storage] } : {}),
            });
            this.jobs[job.id] = { node: job.node, tier: job.tier, schedule: job.schedule, vmids: job.vmids };
        }
        this.excluded = { ...plan.excluded };

        this.registerOutputs({ storageId: this.storageId, jobs: this.jobs, excluded: this.excluded });
    }
}

/**
 * Plans the jobs; throws at once with the field and the fix. Pure: the constructor calls it
 * first, tests call it directly.
 */
export function resolveBackupPlan(args: Pick<BackupPlanArgs, "backups" | "guests" | "datasets">): BackupSchedule {
    return planBackupJobs({ guests: args.guests, datasets: args.datasets ?? {}, window: args.backups.window, tiers: args.backups.tiers });
}

/** The `backup.Job` inputs of a planned job. */
export function jobArgs(job: PlannedJob, backups: BackupsSpec, storageId: pulumi.Input<string>): proxmoxve.backup.JobArgs {
    return {
        resourceId: job.id,
        node: job.node,
        // Explicit VMIDs, never `all`: a new guest must be given a tier (or a reason) to be backed up.
        vmids: job.vmids.map(String),
        storage: storageId,
        schedule: job.schedule,
        ...JOB_DEFAULTS,
        bwlimit: backups.bandwidthLimitKiBps,
        pruneBackups: pruneBackupsOf(backups.tiers[job.tier].retention),
        notesTemplate: `{{guestname}} (${job.tier})`,
    };
}
