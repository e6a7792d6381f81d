/**
 * The backup plan as plain data: which vzdump jobs exist, which guests each one covers and when
 * each one starts inside the night window. Pure module: the BackupPlan component, the policy pack
 * and the tools share it, and it is tested without Pulumi.
 *
 * One job per (tier, node) with the explicit VMIDs of that node's guests of that tier. Start times
 * are slots of `slotMinutes` inside `window.start`..`window.end` (the window may cross midnight);
 * no two jobs of one node share a slot, so two heavy jobs never start together on the same node.
 */

import { BACKUP_TIERS } from "../config/schema";

/** Backup tiers, from most to least frequent. */
export const BACKUP_TIER_ORDER = BACKUP_TIERS;
export type BackupTier = (typeof BACKUP_TIER_ORDER)[number];

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** How often a tier runs: the shapes of `backups.tiers` in the inventory. */
export type TierCadence =
    | { readonly every: "day" }
    | { readonly every: "week"; readonly weekday: Weekday }
    | { readonly every: "month"; readonly dayOfMonth: number };

/** The night window, local time of the nodes (`cluster.timezone`). */
export interface BackupWindow {
    /** First possible start, `HH:MM`. */
    readonly start: string;
    /** End of the window, `HH:MM`; earlier than `start` means the window crosses midnight. */
    readonly end: string;
    /** Length of one slot; a slot counts only when it fits wholly inside the window. */
    readonly slotMinutes: number;
}

/** What the planner needs to know about a guest. */
export interface BackupGuest {
    readonly node: string;
    readonly vmid: number;
    /** A tier, or the reason the guest is left out of every job. */
    readonly backup: { readonly tier: BackupTier } | { readonly exclude: string };
}

export interface BackupPlanInput {
    readonly guests: Readonly<Record<string, BackupGuest>>;
    readonly window: BackupWindow;
    readonly tiers: Readonly<Record<BackupTier, TierCadence>>;
}

/** One vzdump job. */
export interface PlannedJob {
    /** Proxmox job id, `backup-<tier>-<node>`: stable as long as tier and node are. */
    readonly id: string;
    readonly tier: BackupTier;
    readonly node: string;
    /** Guest names covered, sorted by VMID. */
    readonly guests: readonly string[];
    /** VMIDs covered, ascending. */
    readonly vmids: readonly number[];
    /** Index of the slot inside the window (0 = `window.start`). */
    readonly slot: number;
    /** Minutes after `window.start`. */
    readonly offsetMinutes: number;
    /** Local start time, `HH:MM`. */
    readonly startTime: string;
    /** Proxmox calendar event: `HH:MM`, `sun HH:MM` or `*-*-01 HH:MM`. */
    readonly schedule: string;
}

export interface BackupSchedule {
    /** Jobs ordered by node, then tier (critical, medium, low). */
    readonly jobs: readonly PlannedJob[];
    /** Guests left out, with their reasons. */
    readonly excluded: Readonly<Record<string, string>>;
    /** Slots the window offers. */
    readonly slots: number;
}

/** Raised when the window cannot hold the jobs; the message names the fix. */
export class BackupScheduleError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BackupScheduleError";
    }
}

const MINUTES_PER_DAY = 24 * 60;

/** `HH:MM` → minutes after midnight. */
export function parseHhmm(value: string): number {
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
    if (!m) throw new BackupScheduleError(`[backups.window] times must be HH:MM (24 h), got "${value}"`);
    return Number(m[1]) * 60 + Number(m[2]);
}

/** Minutes after midnight → `HH:MM` (wraps past midnight). */
export function formatHhmm(minutes: number): string {
    const m = ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** Length of the window in minutes; a window whose end is before its start crosses midnight. */
export function windowMinutes(window: BackupWindow): number {
    return (parseHhmm(window.end) - parseHhmm(window.start) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

/** Slots that fit wholly inside the window. */
export function windowSlots(window: BackupWindow): number {
    if (!Number.isInteger(window.slotMinutes) || window.slotMinutes < 1) {
        throw new BackupScheduleError(`[backups.window.slotMinutes] must be a positive whole number of minutes, got ${window.slotMinutes}`);
    }
    return Math.floor(windowMinutes(window) / window.slotMinutes);
}

/**
 * The Proxmox calendar event (a subset of systemd's `[WEEKDAY] [[YEARS-]MONTHS-DAYS] [HH:MM]`)
 * for a tier starting at `startTime`. The weekday or day of month is the calendar day the job
 * starts on: in a window crossing midnight, a start after midnight falls on the named day.
 */
export function calendarEvent(cadence: TierCadence, startTime: string): string {
    switch (cadence.every) {
        case "day":
            return startTime;
        case "week":
            return `${cadence.weekday} ${startTime}`;
        case "month":
            return `*-*-${String(cadence.dayOfMonth).padStart(2, "0")} ${startTime}`;
    }
}

/**
 * Plans the vzdump jobs. Deterministic: the same input gives the same jobs in the same order,
 * whatever the order of the guests' keys.
 *
 * Slots: the jobs of one node spread evenly over the window (job j of n gets slot ⌊j·S/n⌋, so
 * a long critical job has time to finish before the next one), and each node is shifted by one
 * slot against the previous one (modulo S) so different nodes do not all hit PBS at once. Both
 * keep the slots of one node distinct.
 *
 * @throws BackupScheduleError when a node has more jobs than the window has slots.
 */
export function planBackupJobs(input: BackupPlanInput): BackupSchedule {
    const slots = windowSlots(input.window);
    const start = parseHhmm(input.window.start);

    const excluded: Record<string, string> = {};
    // node → tier → [name, vmid][]
    const groups = new Map<string, Map<BackupTier, [string, number][]>>();
    for (const name of Object.keys(input.guests).sort()) {
        const guest = input.guests[name];
        if ("exclude" in guest.backup) {
            excluded[name] = guest.backup.exclude;
            continue;
        }
        const byTier = groups.get(guest.node) ?? new Map<BackupTier, [string, number][]>();
        groups.set(guest.node, byTier);
        const members = byTier.get(guest.backup.tier) ?? [];
        byTier.set(guest.backup.tier, members);
        members.push([name, guest.vmid]);
    }

    const nodes = [...groups.keys()].sort();
    for (const node of nodes) {
        const tiers = BACKUP_TIER_ORDER.filter((t) => groups.get(node)?.has(t));
        if (tiers.length > slots) {
            throw new BackupScheduleError(
                `[backups.window] ${input.window.start}-${input.window.end} holds ${slots} slot(s) of ${input.window.slotMinutes} minutes, ` +
                    `but node "${node}" needs ${tiers.length} (${tiers.join(", ")}); widen the window or shorten slotMinutes`,
            );
        }
    }

    const jobs: PlannedJob[] = [];
    nodes.forEach((node, nodeIndex) => {
        const byTier = groups.get(node)!;
        const tiers = BACKUP_TIER_ORDER.filter((t) => byTier.has(t));
        tiers.forEach((tier, j) => {
            const members = [...byTier.get(tier)!].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
            const slot = (Math.floor((j * slots) / tiers.length) + nodeIndex) % slots;
            const offsetMinutes = slot * input.window.slotMinutes;
            const startTime = formatHhmm(start + offsetMinutes);
            jobs.push({
                id: `backup-${tier}-${node}`,
                tier,
                node,
                guests: members.map(([name]) => name),
                vmids: members.map(([, vmid]) => vmid),
                slot,
                offsetMinutes,
                startTime,
                schedule: calendarEvent(input.tiers[tier], startTime),
            });
        });
    });
    return { jobs, excluded, slots };
}

/**
 * Proxmox `prune-backups` entries of a retention (`keep-daily` → "7"), values as strings as the
 * provider's map wants them. Counts that are unset or 0 keep nothing of their kind and are left out.
 */
export function pruneBackupsOf(retention: {
    readonly keepDaily?: number;
    readonly keepWeekly?: number;
    readonly keepMonthly?: number;
    readonly keepYearly?: number;
}): Record<string, string> {
    const out: Record<string, string> = {};
    if (retention.keepDaily) out["keep-daily"] = String(retention.keepDaily);
    if (retention.keepWeekly) out["keep-weekly"] = String(retention.keepWeekly);
    if (retention.keepMonthly) out["keep-monthly"] = String(retention.keepMonthly);
    if (retention.keepYearly) out["keep-yearly"] = String(retention.keepYearly);
    return out;
}
