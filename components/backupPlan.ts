/**
 * The on-site part of the 3-2-1 plan: the Proxmox Backup Server storage on the cluster and one
 * vzdump job per (tier, node), each naming its guests by VMID, staggered through the night.
 * The plan itself (which jobs, which guests, which start times) is `lib/backupSchedule.ts`.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { requireCredential } from "../config/loader";
import { BackupsSpec, GuestSpec, Inventory } from "../config/schema";
import { BackupSchedule, BackupTier, PlannedJob, planBackupJobs, pruneBackupsOf } from "../lib/backupSchedule";

export interface BackupPlanArgs {
    /** The inventory's `backups` section: PBS connection, night window, bandwidth limit and tiers. */
    readonly backups: BackupsSpec;
    /** Every guest of the inventory: each is in exactly one job or excluded with its reason. */
    readonly guests: Readonly<Record<string, GuestSpec>>;
    /** Nodes the PBS storage is offered on (all cluster nodes). */
    readonly nodeNames: readonly string[];
    /** Password (or API token secret) of `backups.pbs.username` on the PBS; always stored as a secret. */
    readonly pbsPassword: pulumi.Input<string>;
    /** The Proxmox API provider (the token-based one: storage and backup jobs are API objects). */
    readonly provider: proxmoxve.Provider;
}

/** A job as exported: where, which tier, when and what. */
export interface BackupJobSummary {
    readonly node: string;
    readonly tier: BackupTier;
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
    /** Proxmox storage id of the PBS datastore (`pbs`). */
    readonly storageId: pulumi.Output<string>;
    /** The PBS storage definition. */
    readonly storage: proxmoxve.storage.Pbs;
    /** The vzdump jobs, by Proxmox job id. */
    readonly jobResources: Record<string, proxmoxve.backup.Job>;
    /** The jobs, by Proxmox job id. */
    readonly jobs: Record<string, BackupJobSummary>;
    /** Guests left out of every job, with their reasons. */
    readonly excluded: Record<string, string>;

    constructor(name: string, args: BackupPlanArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad plan leaves no half-made component.
        const { plan, pbsAddress } = resolveBackupPlan(args);
        super("homelab:backup:BackupPlan", name, {}, opts);
        const { backups, provider } = args;

        this.storage = new proxmoxve.storage.Pbs(
            `${name}-storage-${backups.pbs.storageId}`,
            {
                resourceId: backups.pbs.storageId,
                server: pbsAddress,
                datastore: backups.pbs.datastore,
                username: backups.pbs.username,
                password: pulumi.secret(args.pbsPassword),
                fingerprint: backups.pbs.fingerprint,
                contents: ["backup"],
                nodes: [...args.nodeNames].sort(),
            },
            { parent: this, provider },
        );
        this.storageId = this.storage.resourceId;

        this.jobResources = {};
        this.jobs = {};
        for (const job of plan.jobs) {
            this.jobResources[job.id] = new proxmoxve.backup.Job(`${name}-${job.id}`, jobArgs(job, backups, this.storageId), {
                parent: this,
                provider,
                dependsOn: [this.storage],
            });
            this.jobs[job.id] = { node: job.node, tier: job.tier, schedule: job.schedule, vmids: job.vmids };
        }
        this.excluded = { ...plan.excluded };

        this.registerOutputs({ storageId: this.storageId, jobs: this.jobs, excluded: this.excluded });
    }
}

/**
 * Checks the plain inputs and plans the jobs; throws at once with the field, the value and the fix.
 * Pure: the constructor calls it first, tests call it directly.
 */
export function resolveBackupPlan(args: Pick<BackupPlanArgs, "backups" | "guests" | "nodeNames">): {
    plan: BackupSchedule;
    pbsAddress: string;
} {
    const { backups, guests } = args;
    const pbsGuest = guests[backups.pbs.guest];
    if (!pbsGuest) {
        throw new Error(
            `[backups.pbs.guest] "${backups.pbs.guest}" is not a guest of the inventory; name the guest running Proxmox Backup Server`,
        );
    }
    if (!("exclude" in pbsGuest.backup)) {
        throw new Error(
            `[guests.${backups.pbs.guest}.backup] the PBS guest cannot back itself up into its own datastore; exclude it with a reason`,
        );
    }
    if (args.nodeNames.length === 0) throw new Error(`[nodes] the PBS storage needs at least one node to be offered on`);
    return { plan: planBackupJobs({ guests, window: backups.window, tiers: backups.tiers }), pbsAddress: pbsGuest.ipv4 };
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

/**
 * Builds the BackupPlan of an inventory, or undefined when it has no `backups` section. Reads the
 * PBS password from the environment (`PBS_PASSWORD`) or secret config `homelab:pbsPassword`.
 */
export function deployBackups(
    inv: Inventory,
    provider: proxmoxve.Provider,
    opts: pulumi.ComponentResourceOptions = {},
): BackupPlan | undefined {
    if (!inv.backups) return undefined;
    return new BackupPlan(
        "backups",
        {
            backups: inv.backups,
            guests: inv.guests,
            nodeNames: Object.keys(inv.nodes),
            pbsPassword: requireCredential("pbsPassword"),
            provider,
        },
        opts,
    );
}
