/**
 * The on-site part of the 3-2-1 plan: the backup target's storage definition (a PBS storage,
 * created only once the PBS answers, P4) and one vzdump job per (tier, node), each naming its
 * guests by VMID, staggered through the night. The plan itself (which jobs, which guests, which
 * start times) is `lib/backupSchedule.ts`.
 *
 * On a PBS the program sets up (`pbs.tierNamespaces`), each tier writes to its own namespace
 * through its own PVE storage (`<target>-<tier>`), and PBS's prune jobs keep each tier's
 * retention: the PVE user has `DatastoreBackup`, which may not prune (PBS `prune` needs
 * Datastore.Modify, or Datastore.Prune as the owner), so the jobs carry no `prune-backups`.
 * Elsewhere (a directory, NFS or CIFS target, a PBS the program does not manage) there is one
 * storage and PVE prunes after each job by the tier's retention.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { BackupsSpec, DatasetEntry, GuestSpec, StorageSpec } from "../config/schema";
import { BackupSchedule, PlannedJob, planBackupJobs, pruneBackupsOf } from "../lib/backupSchedule";
import { DataCopies } from "../lib/copies";
import { tierNamespace } from "../lib/pbs/jobs";

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
    /** Every guest's and dataset's copies (lib/copies), registered for the plan and the pack's 3-2-1 rule. @default [] */
    readonly copies?: readonly DataCopies[];
}

/** A job as exported: where, which tier, when and what. */
export interface BackupJobSummary {
    readonly node: string;
    readonly tier: string;
    readonly schedule: string;
    readonly vmids: readonly number[];
}

/** Settings every vzdump job shares (reference-homelab: snapshot mode, zstd). */
const JOB_DEFAULTS = {
    mode: "snapshot",
    compress: "zstd",
    enabled: true,
    /** A missed run (node down at night) runs when the node is back. */
    repeatMissed: true,
} as const;

/** The PBS storage and the vzdump jobs of the cluster. */
export class BackupPlan extends pulumi.ComponentResource {
    /** Proxmox storage id each tier's jobs write to, by tier. */
    readonly storageIds: Record<string, pulumi.Output<string>>;
    /** The PBS storage definitions of a PBS target, by storage id. */
    readonly storages: Record<string, proxmoxve.storage.Pbs>;
    /** The planned jobs (vzdump and dataset jobs). */
    readonly plan: BackupSchedule;
    /** The vzdump jobs, by Proxmox job id. */
    readonly jobResources: Record<string, proxmoxve.backup.Job>;
    /** The jobs, by Proxmox job id. */
    readonly jobs: Record<string, BackupJobSummary>;
    /** Guests left out of every job, with their reasons. */
    readonly excluded: Record<string, string>;
    /** Every guest's and dataset's copies (3-2-1). */
    readonly copies: readonly DataCopies[];

    constructor(name: string, args: BackupPlanArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad plan leaves no half-made component.
        const plan = resolveBackupPlan(args);
        if (args.target.kind === "pbs" && args.target.managed && args.pbs === undefined)
            throw new Error(`[backups.target] a PBS target needs its server, password and fingerprint`);
        super("homelab:backup:BackupPlan", name, {}, opts);
        const { backups, provider, target } = args;
        this.plan = plan;

        const tiers = Object.keys(backups.tiers).sort();
        const ids = tierStorageIds(backups, target);
        const perTier = namespacesPerTier(target);
        this.storages = {};
        this.storageIds = {};
        // A PBS storage with `managed: false` exists already (an adopted cluster's): only its id is used.
        if (target.kind === "pbs" && target.managed && args.pbs !== undefined) {
            const pbs = args.pbs;
            const define = (id: string, namespace?: string) =>
                new proxmoxve.storage.Pbs(
                    `${name}-storage-${id}`,
                    {
                        resourceId: id,
                        server: pbs.server,
                        datastore: target.datastore,
                        ...(namespace !== undefined ? { namespace } : {}),
                        username: target.username,
                        password: pulumi.secret(pbs.password),
                        fingerprint: pbs.fingerprint,
                        contents: ["backup"],
                        nodes: [...(target.nodes ?? args.nodeNames)].sort(),
                    },
                    // The id is fixed and password, server, datastore and username force a replacement (P13): delete first.
                    { parent: this, provider, deleteBeforeReplace: true, dependsOn: [...(pbs.ready ?? [])] },
                );
            for (const tier of tiers) {
                const id = ids[tier];
                this.storages[id] ??= perTier ? define(id, tierNamespace(tier)) : define(id);
                this.storageIds[tier] = this.storages[id].resourceId;
            }
        } else {
            for (const tier of tiers) this.storageIds[tier] = pulumi.output(backups.target);
        }

        this.jobResources = {};
        this.jobs = {};
        for (const job of plan.jobs) {
            if (job.kind !== "vzdump") continue;
            const storage = this.storages[ids[job.tier]];
            this.jobResources[job.id] = new proxmoxve.backup.Job(
                `${name}-${job.id}`,
                jobArgs(job, backups, this.storageIds[job.tier], { prune: !perTier }),
                { parent: this, provider, ...(storage ? { dependsOn: [storage] } : {}) },
            );
            this.jobs[job.id] = { node: job.node, tier: job.tier, schedule: job.schedule, vmids: job.vmids };
        }
        this.excluded = { ...plan.excluded };

        this.copies = args.copies ?? [];
        this.registerOutputs({ storageIds: this.storageIds, jobs: this.jobs, excluded: this.excluded, copies: this.copies });
    }
}

/**
 * Plans the jobs; throws at once with the field and the fix. Pure: the constructor calls it
 * first, tests call it directly.
 */
export function resolveBackupPlan(args: Pick<BackupPlanArgs, "backups" | "guests" | "datasets">): BackupSchedule {
    return planBackupJobs({ guests: args.guests, datasets: args.datasets ?? {}, window: args.backups.window, tiers: args.backups.tiers });
}

/** Whether each tier writes to its own namespace (a PBS the program sets up, which creates them and prunes each). */
function namespacesPerTier(target: StorageSpec): boolean {
    return target.kind === "pbs" && target.guest !== undefined;
}

/**
 * The PVE storage each tier's jobs write to: `<target>-<tier>` (its namespace) on a PBS the program
 * sets up, the target itself elsewhere. The one place this is decided: the component and the
 * token's privileges (components/accessUses.ts) read it.
 */
export function tierStorageIds(backups: Pick<BackupsSpec, "target" | "tiers">, target: StorageSpec): Record<string, string> {
    return Object.fromEntries(
        Object.keys(backups.tiers).map((tier) => [tier, namespacesPerTier(target) ? `${backups.target}-${tier}` : backups.target]),
    );
}

/**
 * The `backup.Job` inputs of a planned job. `prune`: PVE prunes the storage after the job by the
 * tier's retention (not on a PBS whose prune jobs keep it). @default { prune: true }
 */
function jobArgs(
    job: PlannedJob,
    backups: BackupsSpec,
    storageId: pulumi.Input<string>,
    options: { readonly prune: boolean } = { prune: true },
): proxmoxve.backup.JobArgs {
    return {
        resourceId: job.id,
        node: job.node,
        // Explicit VMIDs, never `all`: a new guest must be given a tier (or a reason) to be backed up.
        vmids: job.vmids.map(String),
        storage: storageId,
        schedule: job.schedule,
        ...JOB_DEFAULTS,
        bwlimit: backups.bandwidthLimitKiBps,
        ...(options.prune ? { pruneBackups: pruneBackupsOf(backups.tiers[job.tier].retention) } : {}),
        notesTemplate: `{{guestname}} (${job.tier})`,
    };
}
