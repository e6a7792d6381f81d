import { stackRule } from "../define";
import { str } from "../props";
import { BACKUP_PLAN_COMPONENT_TYPE, CLUSTER_COMPONENT_TYPE } from "../tokens";

/** One piece of data as the BackupPlan component registers it in `copies` (lib/copies `DataCopies`). */
interface RegisteredCopies {
    readonly key: string;
    readonly copies: readonly { readonly kind: string; readonly where: string }[];
    readonly meets321: boolean;
    readonly tier?: string;
    readonly excluded?: string;
    readonly shortfalls: readonly string[];
}

function copiesOf(value: unknown): RegisteredCopies[] | undefined {
    if (!Array.isArray(value)) return undefined;
    return value.filter(
        (v): v is RegisteredCopies =>
            typeof v === "object" &&
            v !== null &&
            typeof (v as RegisteredCopies).key === "string" &&
            Array.isArray((v as RegisteredCopies).shortfalls),
    );
}

/**
 * 3-2-1: three copies of the data, on two media, one of them offsite. A guest or dataset with a
 * backup tier that falls short (no backup target, backups on the same pool as the data, no bucket
 * PBS copies to) is named with what it lacks. Data the inventory leaves out of backups with a
 * reason is not judged: the reason is the operator's decision. The copies come from the
 * `homelab:backup:BackupPlan` component's `copies` output.
 */
export const backupThreeTwoOne = stackRule({
    name: "backup-three-two-one",
    description:
        "Checks that every guest and dataset with a backup tier has three copies on two media, one of them offsite (the BackupPlan component's `copies`).",
    validate: (resources, ctx, report) => {
        const plans = resources.filter((r) => r.type === BACKUP_PLAN_COMPONENT_TYPE);
        if (plans.length === 0) {
            const cluster = resources.find((r) => r.type === CLUSTER_COMPONENT_TYPE);
            if (cluster !== undefined)
                report(
                    "The inventory has no backups section: every guest and dataset exists once, on its node. Add backups (a PBS, NFS or directory target and tiers) and an offsite bucket.",
                    cluster.urn,
                );
            else ctx.notApplicable("no homelab:backup:BackupPlan or homelab:proxmox:Cluster component registers the homelab's copies");
            return;
        }
        for (const plan of plans) {
            const rows = copiesOf(plan.props.copies);
            if (rows === undefined) {
                ctx.notApplicable(`${plan.name} registers no copies`);
                continue;
            }
            for (const row of rows) {
                if (row.tier === undefined || row.meets321) continue;
                const have = row.copies.map((c) => `${str(c.kind)} (${str(c.where)})`).join(", ");
                report(
                    `${row.key} (tier ${row.tier}) does not meet 3-2-1: ${row.shortfalls.join("; ")}. It has ${have}. Keep backups on other disks than the data, and a copy offsite (a PBS the program sets up copies its datastore to the offsite bucket).`,
                    plan.urn,
                );
            }
        }
    },
});
