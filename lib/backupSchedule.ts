/**
 * The backup plan as plain data: which jobs exist, what each covers and when each starts inside
 * the night window. Pure module: the BackupPlan component, the cross-checks, the policy pack and
 * the tools share it, and it is tested without Pulumi.
 *
 * Per node and tier: one vzdump job with the explicit VMIDs of that node's guests of that tier, and
 * one dataset job (proxmox-backup-client on the node, from ZFS snapshots) for that node's datasets
 * of that tier. Start times are slots of `slotMinutes` inside `window.start`..`window.end` (the
 * window may cross midnight); no two jobs of one node share a slot, so two heavy jobs never start
 * together on the same node.
 */
import { FieldError } from "./errors";
import { HHMM_PATTERN } from "./patterns";

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

/** What the planner needs to know about a guest or a dataset. */
export interface BackupSubject {
    readonly node: string;
    /** The guest's VMID; absent for a dataset. */
    readonly vmid?: number;
    /** A tier, or the reason the subject is left out of every job. */
    readonly backup: { readonly tier: string } | { readonly exclude: string };
}

export interface BackupPlanInput {
    readonly guests: Readonly<Record<string, BackupSubject & { readonly vmid: number }>>;
    /** Datasets by path. @default {} */
    readonly datasets?: Readonly<Record<string, BackupSubject>>;
    readonly window: BackupWindow;
    readonly tiers: Readonly<Record<string, TierCadence>>;
}

/** One job: vzdump of guests, or the dataset backups of a node. */
export interface PlannedJob {
    /** Job id: `backup_<tier>_<node>` (vzdump) or `datasets_<tier>_<node>`: tier and node keys hold no `_`, so ids never collide. */
    readonly id: string;
    readonly kind: "vzdump" | "datasets";
    readonly tier: string;
    readonly node: string;
    /** Guest names (sorted by VMID) or dataset paths (sorted). */
    readonly members: readonly string[];
    /** VMIDs covered, ascending (vzdump jobs); empty for dataset jobs. */
    readonly vmids: readonly number[];
    /** Index of the slot inside the window (0 = `window.start`). */
    readonly slot: number;
    /** Minutes after `window.start`. */
    readonly offsetMinutes: number;
    /** Local start time, `HH:MM`. */
    readonly startTime: string;
    /** Proxmox/systemd calendar event: `HH:MM`, `sun HH:MM` or `*-*-01 HH:MM`. */
    readonly schedule: string;
}

export interface BackupSchedule {
    /** Jobs ordered by node, then tier (most frequent first), vzdump before datasets. */
    readonly jobs: readonly PlannedJob[];
    /** Guests (by name) and datasets (by path) left out, with their reasons. */
    readonly excluded: Readonly<Record<string, string>>;
    /** Slots the window offers. */
    readonly slots: number;
}

/** Raised when the window cannot hold the jobs or a subject names no tier; the reason names the fix. */
export class BackupScheduleError extends FieldError {
    constructor(field: string, reason: string) {
        super(field, reason);
        this.name = "BackupScheduleError";
    }
}

const MINUTES_PER_DAY = 24 * 60;

/** `HH:MM` → minutes after midnight. */
export function parseHhmm(value: string): number {
    if (!HHMM_PATTERN.test(value)) throw new BackupScheduleError("backups.window", `times must be HH:MM (24 h), got "${value}"`);
    return Number(value.slice(0, 2)) * 60 + Number(value.slice(3));
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
        throw new BackupScheduleError(
            "backups.window.slotMinutes",
            `must be a positive whole number of minutes, got ${window.slotMinutes}`,
        );
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

const CADENCE_ORDER: Readonly<Record<TierCadence["every"], number>> = { day: 0, week: 1, month: 2 };

/** Tier names, most frequent first, then by name: the order jobs take the slots in. */
export function tierOrder(tiers: Readonly<Record<string, TierCadence>>): string[] {
    return Object.keys(tiers).sort((a, b) => CADENCE_ORDER[tiers[a].every] - CADENCE_ORDER[tiers[b].every] || a.localeCompare(b));
}

/**
 * Plans the jobs. Deterministic: the same input gives the same jobs in the same order, whatever
 * the order of the keys.
 *
 * Slots: the jobs of one node spread evenly over the window (job j of n gets slot ⌊j·S/n⌋, so a
 * long job has time to finish before the next one), and each node is shifted by one slot against
 * the previous one (modulo S) so different nodes do not all hit the backup server at once. Both
 * keep the slots of one node distinct.
 *
 * @throws BackupScheduleError when a node has more jobs than the window has slots, or a subject
 * names a tier that does not exist.
 */
export function planBackupJobs(input: BackupPlanInput): BackupSchedule {
    const slots = windowSlots(input.window);
    const start = parseHhmm(input.window.start);
    const order = tierOrder(input.tiers);

    const excluded: Record<string, string> = {};
    // node → "<tier>\u0000<kind>" → members
    const groups = new Map<string, Map<string, { tier: string; kind: PlannedJob["kind"]; members: [string, number][] }>>();
    const add = (name: string, subject: BackupSubject, kind: PlannedJob["kind"], where: string) => {
        if ("exclude" in subject.backup) {
            excluded[name] = subject.backup.exclude;
            return;
        }
        const tier = subject.backup.tier;
        if (!Object.hasOwn(input.tiers, tier))
            throw new BackupScheduleError(`${where}.backup.tier`, `tier "${tier}" is not in backups.tiers`);
        const byJob = groups.get(subject.node) ?? new Map();
        groups.set(subject.node, byJob);
        const key = `${tier}\u0000${kind}`;
        const group = byJob.get(key) ?? { tier, kind, members: [] };
        byJob.set(key, group);
        group.members.push([name, subject.vmid ?? 0]);
    };
    for (const name of Object.keys(input.guests).sort()) add(name, input.guests[name], "vzdump", `guests.${name}`);
    for (const path of Object.keys(input.datasets ?? {}).sort()) add(path, input.datasets![path], "datasets", `datasets["${path}"]`);

    const nodes = [...groups.keys()].sort();
    const jobsOf = (node: string) =>
        order.flatMap((tier) => (["vzdump", "datasets"] as const).flatMap((kind) => groups.get(node)?.get(`${tier}\u0000${kind}`) ?? []));
    for (const node of nodes) {
        const jobs = jobsOf(node);
        if (jobs.length > slots) {
            throw new BackupScheduleError(
                "backups.window",
                `${input.window.start}-${input.window.end} holds ${slots} slot(s) of ${input.window.slotMinutes} minutes, ` +
                    `but node "${node}" needs ${jobs.length} (${jobs.map((j) => (j.kind === "vzdump" ? j.tier : `${j.tier} datasets`)).join(", ")}); widen the window or shorten slotMinutes`,
            );
        }
    }

    const jobs: PlannedJob[] = [];
    nodes.forEach((node, nodeIndex) => {
        const planned = jobsOf(node);
        planned.forEach((group, j) => {
            const members = [...group.members].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
            const slot = (Math.floor((j * slots) / planned.length) + nodeIndex) % slots;
            const offsetMinutes = slot * input.window.slotMinutes;
            const startTime = formatHhmm(start + offsetMinutes);
            jobs.push({
                id: `${group.kind === "vzdump" ? "backup" : "datasets"}_${group.tier}_${node}`,
                kind: group.kind,
                tier: group.tier,
                node,
                members: members.map(([name]) => name),
                vmids: group.kind === "vzdump" ? members.map(([, vmid]) => vmid) : [],
                slot,
                offsetMinutes,
                startTime,
                schedule: calendarEvent(input.tiers[group.tier], startTime),
            });
        });
    });
    return { jobs, excluded, slots };
}

/**
 * How many backups of each kind are kept: a tier's retention as the inventory gives it, vzdump's
 * `prune-backups` and a PBS prune job's KeepOptions alike. Unset or 0 keeps none of that kind.
 */
export interface Retention {
    readonly keepLast?: number;
    readonly keepHourly?: number;
    readonly keepDaily?: number;
    readonly keepWeekly?: number;
    readonly keepMonthly?: number;
    readonly keepYearly?: number;
}

/** Retention keys with their vzdump/PBS option names, in the order Proxmox lists them. */
export const RETENTION_OPTIONS: readonly [keyof Retention, string][] = [
    ["keepLast", "keep-last"],
    ["keepHourly", "keep-hourly"],
    ["keepDaily", "keep-daily"],
    ["keepWeekly", "keep-weekly"],
    ["keepMonthly", "keep-monthly"],
    ["keepYearly", "keep-yearly"],
];

/**
 * Proxmox `prune-backups` entries of a retention (`keep-daily` → "7"), values as strings as the
 * provider's map wants them. Counts that are unset or 0 keep nothing of their kind and are left out.
 */
export function pruneBackupsOf(retention: Retention): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, option] of RETENTION_OPTIONS) if (retention[key]) out[option] = String(retention[key]);
    return out;
}
