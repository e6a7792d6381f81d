import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../define";
import { Guest, guestsOf } from "../guests";
import { bool, str, strings } from "../props";
import { BACKUP_JOB_TYPES } from "../tokens";

/** Whether a vzdump job backs up the guest (by VMID, by `all` on its node minus `excludes`, or by pool). */
function jobCovers(job: PolicyResource, guest: Guest): boolean {
    const props = job.props;
    if (bool(props.enabled) === false) return false;
    const vmid = guest.vmid();
    if (vmid === undefined) return false;
    if (
        strings(props.vmids)
            .map((v) => v.trim())
            .includes(String(vmid))
    )
        return true;
    const node = str(props.node);
    const onNode = node === undefined || node === "" || node === guest.nodeName();
    if (bool(props.all) === true)
        return (
            onNode &&
            !strings(props.excludes)
                .map((v) => v.trim())
                .includes(String(vmid))
        );
    const pool = str(props.pool);
    return pool !== undefined && pool !== "" && onNode && guest.poolId() === pool;
}

/**
 * A guest in no job is silently never backed up; a guest in two jobs is backed up twice, doubling
 * the load and the retention bookkeeping. Excluding a guest is allowed, with its reason stated.
 */
export const proxmoxBackupCoverage = stackRule({
    name: "proxmox-backup-coverage",
    description:
        "Checks that every guest is backed up by exactly one enabled backup job, or is excluded from backups with a reason and covered by none.",
    validate: (resources, _ctx, report) => {
        const jobs = resources.filter((r) => BACKUP_JOB_TYPES.has(r.type));
        for (const guest of guestsOf(resources)) {
            if (guest.isTemplate()) continue;
            const covering = jobs.filter((j) => jobCovers(j, guest));
            const reason = guest.backupExclusionReason();
            const jobNames = covering.map((j) => j.name).join(", ");
            if (reason !== undefined) {
                if (covering.length > 0)
                    report(
                        `Guest ${guest.name} is excluded from backups ("${reason}") but job ${jobNames} backs it up. Remove it from the job, or drop the exclusion.`,
                        guest.urn,
                    );
            } else if (covering.length === 0) {
                const key = guest.inventoryKey();
                report(
                    key !== undefined
                        ? `Guest ${guest.name} is in no backup job. Set \`${key}.backup\` to a tier (\`{ tier: ... }\`) or to \`{ exclude: <reason> }\`.`
                        : `Guest ${guest.name} is in no backup job. Give it a backup tier, or exclude it from backups with a reason.`,
                    guest.urn,
                );
            } else if (covering.length > 1) {
                report(`Guest ${guest.name} is in ${covering.length} backup jobs (${jobNames}). Keep it in exactly one.`, guest.urn);
            }
        }
    },
});
