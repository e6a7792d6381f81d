/**
 * The command line that restores an archive of a dataset backup (lib/datasetBackup.ts) from
 * Proxmox Backup Server with proxmox-backup-client; docs/restore.md walks through it.
 */
import { shellQuote } from "./shell";
import { PbsRepository, repositoryOf } from "./pbs/repository";
import { assertArchiveName, assertBackupId, assertNamespace, assertPlainPath } from "./pbs/values";

/** Restores an archive of a dataset backup into a directory. */
export interface DatasetRestoreSpec {
    readonly repository: PbsRepository;
    /** @default the root namespace */
    readonly namespace?: string;
    /** The backup group's id (`tank-photos`). */
    readonly backupId: string;
    /** The archive, without `.pxar` (`photos`). */
    readonly archive: string;
    /** A snapshot time such as `2026-01-02T03:04:05Z`. @default the latest snapshot of the group */
    readonly snapshot?: string;
    /** An empty directory the files are restored into. */
    readonly target: string;
}

/**
 * The command line that restores a dataset's archive with proxmox-backup-client (docs/restore.md):
 * `proxmox-backup-client restore host/<id>[/<time>] <archive>.pxar <target> --repository ... --ns ...`.
 * A group without a time restores its latest snapshot. The password comes from PBS_PASSWORD_FILE
 * and the fingerprint from PBS_FINGERPRINT, as for the backup.
 */
export function datasetRestoreCommand(spec: DatasetRestoreSpec): string {
    const repository = repositoryOf(spec.repository);
    if (spec.namespace !== undefined) assertNamespace("namespace", spec.namespace);
    assertBackupId("backupId", spec.backupId);
    assertArchiveName("archive", spec.archive);
    if (spec.snapshot !== undefined && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(spec.snapshot))
        throw new Error(`[snapshot] must be a snapshot time such as 2026-01-02T03:04:05Z, got ${JSON.stringify(spec.snapshot)}`);
    assertPlainPath("target", spec.target);
    const snapshot = `host/${spec.backupId}${spec.snapshot === undefined ? "" : `/${spec.snapshot}`}`;
    return [
        "proxmox-backup-client",
        "restore",
        snapshot,
        `${spec.archive}.pxar`,
        spec.target,
        "--repository",
        repository,
        ...(spec.namespace !== undefined ? ["--ns", spec.namespace] : []),
    ]
        .map(shellWord)
        .join(" ");
}

/** A word as the shell reads it: bare when it holds only characters no shell treats specially, quoted otherwise. */
function shellWord(word: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : shellQuote(word);
}
