import * as path from "path";
import fc from "fast-check";
import { parseInventory } from "../../config/parse";
import { readStackFile } from "../../config/stackfile";
import {
    BackupPlanInput,
    BackupScheduleError,
    BackupSubject,
    calendarEvent,
    formatHhmm,
    parseHhmm,
    planBackupJobs,
    pruneBackupsOf,
    windowMinutes,
    windowSlots,
} from "../../lib/backupSchedule";

const TIERS: BackupPlanInput["tiers"] = {
    critical: { every: "day" },
    medium: { every: "week", weekday: "sun" },
    low: { every: "month", dayOfMonth: 1 },
};

function referenceInput(): BackupPlanInput {
    const inv = parseInventory(readStackFile(path.join(__dirname, "../..", "Pulumi.prod.yaml")).inventory);
    return { guests: inv.guests, datasets: inv.datasets, window: inv.backups!.window, tiers: inv.backups!.tiers };
}

describe("window arithmetic", () => {
    it.each([
        ["00:30", "05:00", 30, 270, 9],
        ["23:00", "02:00", 30, 180, 6],
        ["22:15", "00:00", 45, 105, 2],
        ["01:00", "01:20", 30, 20, 0],
        ["05:00", "04:59", 60, 1439, 23],
    ])("a window %s-%s with %i-minute slots lasts %i minutes and holds %i slots", (start, end, slotMinutes, minutes, slots) => {
        expect(windowMinutes({ start, end, slotMinutes })).toBe(minutes);
        expect(windowSlots({ start, end, slotMinutes })).toBe(slots);
    });

    it.each([
        [0, "00:00"],
        [90, "01:30"],
        [1439, "23:59"],
        [1440 + 15, "00:15"],
    ])("formats %i minutes after midnight as %s", (minutes, text) => {
        expect(formatHhmm(minutes)).toBe(text);
        expect(parseHhmm(text)).toBe(minutes % 1440);
    });

    it("refuses a time that is not HH:MM", () => {
        expect(() => parseHhmm("2:00")).toThrow('[backups.window] times must be HH:MM (24 h), got "2:00"');
    });
});

describe("calendar events", () => {
    it.each([
        [{ every: "day" } as const, "01:30", "01:30"],
        [{ every: "week", weekday: "sun" } as const, "02:00", "sun 02:00"],
        [{ every: "week", weekday: "wed" } as const, "23:30", "wed 23:30"],
        [{ every: "month", dayOfMonth: 1 } as const, "03:00", "*-*-01 03:00"],
        [{ every: "month", dayOfMonth: 28 } as const, "00:00", "*-*-28 00:00"],
    ])("%j at %s is the Proxmox calendar event %s", (cadence, start, event) => {
        expect(calendarEvent(cadence, start)).toBe(event);
    });
});

describe("prune-backups from a retention", () => {
    it.each([
        [
            { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
            { "keep-daily": "7", "keep-weekly": "4", "keep-monthly": "6" },
        ],
        [
            { keepWeekly: 4, keepMonthly: 3 },
            { "keep-weekly": "4", "keep-monthly": "3" },
        ],
        [{ keepMonthly: 3, keepYearly: 0 }, { "keep-monthly": "3" }],
        [{ keepYearly: 2 }, { "keep-yearly": "2" }],
        [
            { keepLast: 3, keepHourly: 24, keepDaily: 7 },
            { "keep-last": "3", "keep-hourly": "24", "keep-daily": "7" },
        ],
    ])("%j becomes %j", (retention, expected) => {
        expect(pruneBackupsOf(retention)).toEqual(expected);
    });
});

describe("the reference stack's backup jobs", () => {
    it("plans a vzdump and a dataset job per tier and node, staggered through the night", () => {
        const plan = planBackupJobs(referenceInput());
        expect(plan.slots).toBe(9);
        const job = (
            kind: "vzdump" | "datasets",
            tier: string,
            node: string,
            members: string[],
            vmids: number[],
            slot: number,
            startTime: string,
            schedule: string,
        ) => ({
            id: `${kind === "vzdump" ? "backup" : "datasets"}_${tier}_${node}`,
            kind,
            tier,
            node,
            members,
            vmids,
            slot,
            offsetMinutes: slot * 30,
            startTime,
            schedule,
        });
        expect(plan.jobs).toEqual([
            job("vzdump", "critical", "pve-network", ["opnsense", "edge"], [10001, 30010], 0, "00:30", "00:30"),
            job("datasets", "critical", "pve-network", ["rpool/appdata/edge"], [], 3, "02:00", "02:00"),
            job("vzdump", "medium", "pve-network", ["unifi"], [10005], 6, "03:30", "sun 03:30"),
            job("vzdump", "critical", "pve-storage", ["photos", "cloud"], [30040, 30041], 1, "01:00", "01:00"),
            job(
                "datasets",
                "critical",
                "pve-storage",
                ["tank/appdata/cloud", "tank/appdata/photos", "tank/cloud", "tank/photos"],
                [],
                2,
                "01:30",
                "01:30",
            ),
            job("vzdump", "medium", "pve-storage", ["media", "nvr"], [30042, 50010], 4, "02:30", "sun 02:30"),
            job("datasets", "medium", "pve-storage", ["tank/appdata/media", "tank/appdata/nvr"], [], 6, "03:30", "sun 03:30"),
            job("vzdump", "low", "pve-storage", ["windows", "files"], [20030, 30050], 8, "04:30", "*-*-01 04:30"),
        ]);
        expect(Object.keys(plan.excluded).sort()).toEqual(["pbs", "tank/media", "tank/nvr", "tank/pbs", "tank/shared", "tank/vm"]);
        expect(plan.excluded.pbs).toBe("PBS cannot back itself up into its own datastore");
    });

    it("orders user-defined tiers by cadence, then by name", () => {
        const plan = planBackupJobs({
            guests: {
                a: { node: "n1", vmid: 101, backup: { tier: "zz-daily" } },
                b: { node: "n1", vmid: 102, backup: { tier: "aa-monthly" } },
                c: { node: "n1", vmid: 103, backup: { tier: "hot" } },
            },
            window: { start: "00:00", end: "03:00", slotMinutes: 30 },
            tiers: { "aa-monthly": { every: "month", dayOfMonth: 2 }, "zz-daily": { every: "day" }, hot: { every: "day" } },
        });
        expect(plan.jobs.map((j) => j.id)).toEqual(["backup_hot_n1", "backup_zz-daily_n1", "backup_aa-monthly_n1"]);
    });

    it("covers every guest exactly once or names why it is left out", () => {
        const input = referenceInput();
        const plan = planBackupJobs(input);
        const covered = plan.jobs.flatMap((j) => j.members);
        expect(new Set(covered).size).toBe(covered.length);
        expect([...covered, ...Object.keys(plan.excluded)].sort()).toEqual(
            [...Object.keys(input.guests), ...Object.keys(input.datasets ?? {})].sort(),
        );
    });
});

describe("too small a window", () => {
    it("names the node, the slots and the fix", () => {
        const guests: Record<string, BackupSubject & { vmid: number }> = {
            a: { node: "n1", vmid: 101, backup: { tier: "critical" } },
            b: { node: "n1", vmid: 102, backup: { tier: "medium" } },
        };
        expect(() => planBackupJobs({ guests, tiers: TIERS, window: { start: "01:00", end: "01:45", slotMinutes: 30 } })).toThrow(
            new BackupScheduleError(
                "backups.window",
                '01:00-01:45 holds 1 slot(s) of 30 minutes, but node "n1" needs 2 (critical, medium); widen the window or shorten slotMinutes',
            ),
        );
    });

    it("refuses an empty window when any guest is to be backed up", () => {
        const guests: Record<string, BackupSubject & { vmid: number }> = { a: { node: "n1", vmid: 101, backup: { tier: "low" } } };
        expect(() => planBackupJobs({ guests, tiers: TIERS, window: { start: "02:00", end: "02:00", slotMinutes: 30 } })).toThrow(
            /holds 0 slot\(s\)/,
        );
    });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const hhmm = fc.integer({ min: 0, max: 1439 }).map(formatHhmm);
const nodeName = fc.constantFrom("n1", "n2", "n3", "n4");
const guestArb: fc.Arbitrary<BackupSubject & { vmid: number }> = fc.record({
    node: nodeName,
    vmid: fc.integer({ min: 100, max: 999999 }),
    backup: fc.oneof(
        fc.constantFrom(...Object.keys(TIERS)).map((tier: string) => ({ tier })),
        fc.constant({ exclude: "left out on purpose" }),
    ),
});
const guestsArb = fc
    .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), guestArb), { selector: ([name]) => name, maxLength: 20 })
    .map((entries) => {
        // VMIDs are unique across a cluster.
        const seen = new Set<number>();
        return Object.fromEntries(entries.filter(([, g]) => !seen.has(g.vmid) && seen.add(g.vmid)));
    });
const windowArb = fc.record({ start: hhmm, end: hhmm, slotMinutes: fc.integer({ min: 5, max: 240 }) });

/** Minutes after the window start at which a job starts, from its HH:MM start time. */
function offsetOf(start: string, startTime: string): number {
    return (parseHhmm(startTime) - parseHhmm(start) + 1440) % 1440;
}

describe("staggering (property-based)", () => {
    it("never starts two jobs of one node in the same slot, and every job starts inside the window", () => {
        fc.assert(
            fc.property(guestsArb, windowArb, (guests, window) => {
                let plan;
                try {
                    plan = planBackupJobs({ guests, window, tiers: TIERS });
                } catch (err) {
                    // Only a window too small for some node may be refused.
                    expect(err).toBeInstanceOf(BackupScheduleError);
                    const perNode = new Map<string, Set<string>>();
                    for (const g of Object.values(guests))
                        if ("tier" in g.backup) perNode.set(g.node, (perNode.get(g.node) ?? new Set()).add(g.backup.tier));
                    expect(Math.max(...[...perNode.values()].map((s) => s.size))).toBeGreaterThan(windowSlots(window));
                    return;
                }
                const length = windowMinutes(window);
                const byNode = new Map<string, number[]>();
                for (const job of plan.jobs) {
                    byNode.set(job.node, [...(byNode.get(job.node) ?? []), job.slot]);
                    const offset = offsetOf(window.start, job.startTime);
                    expect(offset).toBe(job.offsetMinutes);
                    expect(offset % window.slotMinutes).toBe(0);
                    // The whole slot fits before the end of the window.
                    expect(offset + window.slotMinutes).toBeLessThanOrEqual(length);
                    expect(job.slot).toBeLessThan(plan.slots);
                }
                for (const slots of byNode.values()) expect(new Set(slots).size).toBe(slots.length);
            }),
            { numRuns: 400 },
        );
    });

    it("holds for windows that cross midnight", () => {
        // At least 90 minutes and slots of at most 30: room for the three tiers of a node.
        const crossing = fc
            .record({
                start: fc.integer({ min: 20 * 60, max: 23 * 60 + 30 }),
                end: fc.integer({ min: 60, max: 6 * 60 }),
                slotMinutes: fc.integer({ min: 5, max: 30 }),
            })
            .map(({ start, end, slotMinutes }) => ({ start: formatHhmm(start), end: formatHhmm(end), slotMinutes }));
        fc.assert(
            fc.property(guestsArb, crossing, (guests, window) => {
                const plan = planBackupJobs({ guests, window, tiers: TIERS });
                const startMin = parseHhmm(window.start);
                const endMin = parseHhmm(window.end);
                for (const job of plan.jobs) {
                    const t = parseHhmm(job.startTime);
                    // Inside [start, 24:00) or [00:00, end).
                    expect(t >= startMin || t < endMin).toBe(true);
                }
                const slotsPerNode = new Map<string, Set<number>>();
                for (const job of plan.jobs) slotsPerNode.set(job.node, (slotsPerNode.get(job.node) ?? new Set()).add(job.slot));
                expect([...slotsPerNode.values()].reduce((n, s) => n + s.size, 0)).toBe(plan.jobs.length);
            }),
            { numRuns: 300 },
        );
    });

    it("covers every guest with a tier exactly once, in the job of its node and tier", () => {
        fc.assert(
            fc.property(guestsArb, (guests) => {
                const plan = planBackupJobs({ guests, window: { start: "00:00", end: "06:00", slotMinutes: 30 }, tiers: TIERS });
                const seen = new Map<string, number>();
                for (const job of plan.jobs) {
                    expect(job.members.length).toBeGreaterThan(0);
                    expect(job.vmids).toEqual([...job.vmids].sort((a, b) => a - b));
                    job.members.forEach((name, i) => {
                        const g = guests[name];
                        expect(g.node).toBe(job.node);
                        expect(g.backup).toEqual({ tier: job.tier });
                        expect(job.vmids[i]).toBe(g.vmid);
                        seen.set(name, (seen.get(name) ?? 0) + 1);
                    });
                }
                for (const [name, g] of Object.entries(guests)) {
                    if ("tier" in g.backup) expect(seen.get(name)).toBe(1);
                    else expect(plan.excluded[name]).toBe(g.backup.exclude);
                }
            }),
            { numRuns: 300 },
        );
    });

    it("is deterministic, whatever the order of the guests", () => {
        fc.assert(
            fc.property(guestsArb, windowArb, (guests, window) => {
                const run = (g: Record<string, BackupSubject & { vmid: number }>) => {
                    try {
                        return planBackupJobs({ guests: g, window, tiers: TIERS });
                    } catch (err) {
                        return (err as Error).message;
                    }
                };
                const reversed = Object.fromEntries(Object.entries(guests).reverse());
                expect(run(reversed)).toEqual(run(guests));
                expect(run(guests)).toEqual(run(guests));
            }),
            { numRuns: 200 },
        );
    });
});
