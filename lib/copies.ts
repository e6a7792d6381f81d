/**
 * The 3-2-1 count of the homelab's data: for every guest and every dataset, its copies (live on
 * its node's storage or pool, in the backup target: PBS's datastore or a backup storage, offsite
 * in the bucket PBS copies its datastore to), on which media, and whether one is offsite. Pure: the caller maps the inventory to the
 * typed input below; the plan report lists the result and a policy holds data to it.
 *
 * Media are compared by identity (`<node>:<pool or storage>`, a bucket by `<service>:<bucket>`):
 * a PBS datastore on an NFS export of the same pool as the live data is a second copy on the same
 * media, which 3-2-1 does not count as a second medium.
 */

/** A tier, or the reason the data is left out of backups. */
export type BackupChoice = { readonly tier: string } | { readonly exclude: string };

export interface CopiesInput {
    /**
     * Guests by name: the node, the storage of their disks, the ZFS pool under it when it is a ZFS
     * storage (copies on one pool share a medium), and their backup choice.
     */
    readonly guests: Readonly<
        Record<string, { readonly node: string; readonly storage: string; readonly pool?: string; readonly backup: BackupChoice }>
    >;
    /** Datasets by path (`tank/photos`): the node whose pool holds them, and their backup choice. */
    readonly datasets: Readonly<Record<string, { readonly node: string; readonly backup: BackupChoice }>>;
    /** Where the backups go (`backups.target`). */
    readonly target?: BackupTarget;
    /** The bucket PBS copies its datastore to (PBS 4's S3 datastore and sync job). */
    readonly offsite?: { readonly service: string; readonly bucket: string };
}

/** The backup target: a PBS datastore, or a backup storage (a directory, NFS or CIFS share). */
export interface BackupTarget {
    /** In words: `PBS datastore tank on tank/pbs (NFS from pve-storage)`, `directory usb-backup (/mnt/usb-backup)`. */
    readonly where: string;
    /**
     * The medium's identity (`pve-storage:tank` for an NFS export of tank/pbs on pve-storage); with
     * `perNode`, a medium on each node (a directory on the node's own disk): `<node>:<media>`.
     */
    readonly media: string;
    readonly perNode?: boolean;
}

export interface Copy {
    readonly kind: "live" | "backup" | "offsite";
    /** Where, in words: `local-zfs on pve-network`, `PBS datastore tank on tank/pbs (NFS from pve-storage)`, `aws bucket attic`. */
    readonly where: string;
    /** The medium's identity, for counting distinct media. */
    readonly media: string;
    readonly offsite: boolean;
}

export interface DataCopies {
    /** The inventory path: `guests.<name>` or `datasets.<path>`. */
    readonly key: string;
    readonly copies: readonly Copy[];
    /** Distinct media among the copies. */
    readonly mediaCount: number;
    /** Whether one copy is offsite. */
    readonly offsite: boolean;
    /** Three copies, on two media, one offsite. */
    readonly meets321: boolean;
    /** The backup tier, or the reason the data is left out. */
    readonly tier?: string;
    readonly excluded?: string;
    /** What keeps it from 3-2-1, in words (empty when it meets it). */
    readonly shortfalls: readonly string[];
}

/** The copies of one piece of data. */
function copiesOfOne(key: string, node: string, live: Copy, backup: BackupChoice, input: CopiesInput): DataCopies {
    const copies: Copy[] = [live];
    const backedUp = "tier" in backup;
    const target = input.target;
    if (backedUp && target !== undefined) {
        copies.push({
            kind: "backup",
            where: target.where,
            media: target.perNode ? `${node}:${target.media}` : target.media,
            offsite: false,
        });
        if (input.offsite !== undefined)
            copies.push({
                kind: "offsite",
                where: `${input.offsite.service} bucket ${input.offsite.bucket}`,
                media: `${input.offsite.service}:${input.offsite.bucket}`,
                offsite: true,
            });
    }
    const mediaCount = new Set(copies.map((c) => c.media)).size;
    const offsite = copies.some((c) => c.offsite);
    const shortfalls: string[] = [];
    if (!backedUp) shortfalls.push(`left out of backups: ${backup.exclude}`);
    else if (target === undefined) shortfalls.push("no backup target (backups.target)");
    if (copies.length < 3) shortfalls.push(`${copies.length} ${copies.length === 1 ? "copy" : "copies"}, 3 wanted`);
    if (copies.length > 1 && mediaCount < 2) shortfalls.push(`every copy on the same medium (${live.media})`);
    if (!offsite) shortfalls.push("none offsite");
    return {
        key,
        copies,
        mediaCount,
        offsite,
        meets321: copies.length >= 3 && mediaCount >= 2 && offsite,
        ...(backedUp ? { tier: backup.tier } : { excluded: backup.exclude }),
        shortfalls,
    };
}

/** Every guest (by name) then every dataset (by path), with its copies and what keeps it from 3-2-1. */
export function copiesOf(input: CopiesInput): DataCopies[] {
    const guests = Object.keys(input.guests)
        .sort()
        .map((name) => {
            const g = input.guests[name];
            const live: Copy = {
                kind: "live",
                where: `${g.storage} on ${g.node}`,
                media: `${g.node}:${g.pool ?? g.storage}`,
                offsite: false,
            };
            return copiesOfOne(`guests.${name}`, g.node, live, g.backup, input);
        });
    const datasets = Object.keys(input.datasets)
        .sort()
        .map((path) => {
            const d = input.datasets[path];
            const pool = path.split("/")[0];
            const live: Copy = { kind: "live", where: `ZFS pool ${pool} on ${d.node}`, media: `${d.node}:${pool}`, offsite: false };
            return copiesOfOne(`datasets.${path}`, d.node, live, d.backup, input);
        });
    return [...guests, ...datasets];
}

/** One line per piece of data, for the plan report. */
export function describeCopies(row: DataCopies): string {
    const copies = row.copies.map((c) => `${c.kind} ${c.where}`).join("; ");
    const verdict = row.meets321 ? `${row.copies.length} copies on ${row.mediaCount} media, one offsite` : row.shortfalls.join("; ");
    return `${row.key}: ${copies} (${verdict})`;
}
