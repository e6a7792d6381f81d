import * as path from "path";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { BackupPlan, BackupPlanArgs, resolveBackupPlan } from "../../components/backupPlan";
import { InventoryError } from "../../config/errors";
import { readCredentials } from "../../config/loader";
import { parseInventory } from "../../config/parse";
import { Inventory, StorageSpec } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";
import { BackupScheduleError } from "../../lib/backupSchedule";
import { mutated } from "../config/reference";
import { record, valueOf } from "../helpers/harness";

const PBS_STORAGE = "proxmoxve:storage/pbs:Pbs";
const JOB = "proxmoxve:backup/job:Job";
const PLAN = "homelab:backup:BackupPlan";
const PASSWORD = "correct horse battery staple";
const FINGERPRINT = "7A:1B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09";

function reference(): Inventory {
    return parseInventory(readStackFile(path.join(__dirname, "../..", "Pulumi.prod.yaml")).inventory);
}

function apiProvider(): proxmoxve.Provider {
    return new proxmoxve.Provider("pve", { endpoint: "https://192.168.10.11:8006/", apiToken: "t@pve!x=y" });
}

/** A bare custom resource, standing in for what the PBS storage waits for (the PBS setup). */
class StandIn extends pulumi.CustomResource {
    constructor(type: string, name: string) {
        super(type, name, {});
    }
}

/**
 * The reference stack's PBS as one the program does not manage (`server` instead of `guest`): one
 * storage, PVE prunes. The per-tier storages of a PBS the program sets up are in backups.test.ts.
 */
function externalPbs(inv: Inventory): StorageSpec {
    const { guest: _guest, nfs: _nfs, ...rest } = inv.storages.pbs as Extract<StorageSpec, { kind: "pbs" }>;
    return { ...rest, server: "192.168.10.20" };
}

/**
 * The BackupPlan as the program builds it from an inventory (program.ts): the target storage, the
 * PBS's address, the password and the pinned fingerprint. Must be called inside a program.
 */
function backupPlan(inv: Inventory, change: Partial<BackupPlanArgs> = {}): BackupPlan {
    const backups = inv.backups!;
    return new BackupPlan("backups", {
        backups,
        target: backups.target === "pbs" ? externalPbs(inv) : inv.storages[backups.target],
        guests: inv.guests,
        datasets: inv.datasets,
        nodeNames: Object.keys(inv.nodes),
        pbs: { server: "192.168.10.20", password: PASSWORD, fingerprint: FINGERPRINT },
        provider: apiProvider(),
        ...change,
    });
}

const COMMON = { storage: "pbs", mode: "snapshot", compress: "zstd", enabled: true, repeatMissed: true, bwlimit: 102400 };

describe("BackupPlan on the reference stack, its PBS not managed by the program (one storage)", () => {
    it("defines the PBS storage from the target storage with the password as a secret, replaced delete-first (P13)", async () => {
        const { recording } = await record(() => {
            backupPlan(reference());
        });
        const storage = recording.one("backups-storage-pbs", PBS_STORAGE);
        expect(storage.inputs).toEqual({
            resourceId: "pbs",
            server: "192.168.10.20",
            datastore: "tank",
            username: "pve@pbs",
            password: PASSWORD,
            fingerprint: FINGERPRINT,
            contents: ["backup"],
            nodes: ["pve-network", "pve-storage"],
        });
        expect(storage.secretPaths).toEqual(["password"]);
        expect(storage.parent).toBe(recording.one("backups", PLAN).urn);
        expect(storage.options.provider).toMatch(/::pve::/);
        expect(storage.options.deleteBeforeReplace).toBe(true);
        expect(storage.options.dependsOn).toEqual([]);
    });

    it("adds the PBS storage only after what pbs.ready lists (the PBS setup answering, P4)", async () => {
        const { recording } = await record(() => {
            const setup = new StandIn("test:pbs:Setup", "pbs-setup");
            const inv = reference();
            backupPlan(inv, { pbs: { server: "192.168.10.20", password: PASSWORD, fingerprint: FINGERPRINT, ready: [setup] } });
        });
        const setup = recording.one("pbs-setup", "test:pbs:Setup");
        const storage = recording.one("backups-storage-pbs", PBS_STORAGE);
        expect(storage.options.dependsOn).toEqual([setup.urn]);
        expect(storage.dependencies).toContain(setup.urn);
    });

    it("offers the storage only on the target's nodes when it names them", async () => {
        const inv = reference();
        const target = { ...externalPbs(inv), nodes: ["pve-storage"] } as StorageSpec;
        const { recording } = await record(() => {
            backupPlan(inv, { target });
        });
        expect(recording.one("backups-storage-pbs", PBS_STORAGE).inputs.nodes).toEqual(["pve-storage"]);
    });

    it("takes the PBS password as the program reads it: PBS_PASSWORD first, then secret config, still a secret; neither is an error", async () => {
        const saved = process.env.PBS_PASSWORD;
        const config = { config: { "homelab:pbsPassword": "from-config" }, secretKeys: ["homelab:pbsPassword"] };
        const passwordFrom = async (): Promise<{ password: unknown; secretPaths: readonly string[] }> => {
            const { recording } = await record(() => {
                const password = readCredentials().require("pbsPassword");
                backupPlan(reference(), { pbs: { server: "192.168.10.20", password, fingerprint: FINGERPRINT } });
            }, config);
            const storage = recording.one("backups-storage-pbs", PBS_STORAGE);
            return { password: storage.inputs.password, secretPaths: storage.secretPaths };
        };
        try {
            process.env.PBS_PASSWORD = "from-the-environment";
            expect(await passwordFrom()).toEqual({ password: "from-the-environment", secretPaths: ["password"] });
            delete process.env.PBS_PASSWORD;
            expect(await passwordFrom()).toEqual({ password: "from-config", secretPaths: ["password"] });
            // Neither: the program stops before building anything, saying how to give it.
            pulumi.runtime.setAllConfig({}, []);
            expect(() => readCredentials().require("pbsPassword")).toThrow(
                new Error(
                    "missing credential: set the environment variable PBS_PASSWORD or run `pulumi config set --secret homelab:pbsPassword <value>`",
                ),
            );
        } finally {
            if (saved === undefined) delete process.env.PBS_PASSWORD;
            else process.env.PBS_PASSWORD = saved;
        }
    });

    it("creates one vzdump job per tier and node with the id backup_<tier>_<node>, explicit VMIDs, snapshot mode, zstd, a bandwidth limit and the tier's retention", async () => {
        const { recording } = await record(() => {
            backupPlan(reference());
        });
        const storage = recording.one("backups-storage-pbs", PBS_STORAGE);
        const jobs = recording.ofType(JOB);
        expect(jobs.map((j) => j.name).sort()).toEqual([
            "backups-backup_critical_pve-network",
            "backups-backup_critical_pve-storage",
            "backups-backup_low_pve-storage",
            "backups-backup_medium_pve-network",
            "backups-backup_medium_pve-storage",
        ]);
        expect(recording.one("backups-backup_critical_pve-network", JOB).inputs).toEqual({
            ...COMMON,
            resourceId: "backup_critical_pve-network",
            node: "pve-network",
            vmids: ["10001", "30010"],
            schedule: "00:30",
            pruneBackups: { "keep-daily": "7", "keep-weekly": "4", "keep-monthly": "6" },
            notesTemplate: "{{guestname}} (critical)",
        });
        expect(recording.one("backups-backup_medium_pve-network", JOB).inputs).toEqual({
            ...COMMON,
            resourceId: "backup_medium_pve-network",
            node: "pve-network",
            vmids: ["10005"],
            schedule: "sun 03:30",
            pruneBackups: { "keep-weekly": "4", "keep-monthly": "3" },
            notesTemplate: "{{guestname}} (medium)",
        });
        expect(recording.one("backups-backup_critical_pve-storage", JOB).inputs).toEqual({
            ...COMMON,
            resourceId: "backup_critical_pve-storage",
            node: "pve-storage",
            vmids: ["30040", "30041"],
            schedule: "01:00",
            pruneBackups: { "keep-daily": "7", "keep-weekly": "4", "keep-monthly": "6" },
            notesTemplate: "{{guestname}} (critical)",
        });
        expect(recording.one("backups-backup_medium_pve-storage", JOB).inputs).toEqual({
            ...COMMON,
            resourceId: "backup_medium_pve-storage",
            node: "pve-storage",
            vmids: ["30042", "50010"],
            schedule: "sun 02:30",
            pruneBackups: { "keep-weekly": "4", "keep-monthly": "3" },
            notesTemplate: "{{guestname}} (medium)",
        });
        expect(recording.one("backups-backup_low_pve-storage", JOB).inputs).toEqual({
            ...COMMON,
            resourceId: "backup_low_pve-storage",
            node: "pve-storage",
            vmids: ["20030", "30050"],
            schedule: "*-*-01 04:30",
            pruneBackups: { "keep-monthly": "3" },
            notesTemplate: "{{guestname}} (low)",
        });
        for (const job of jobs) {
            expect(job.inputs).not.toHaveProperty("all");
            expect(job.inputs).not.toHaveProperty("excludes");
            expect(job.options.dependsOn).toEqual([storage.urn]);
            expect(job.dependencies).toContain(storage.urn);
            expect(job.options.provider).toMatch(/::pve::/);
            expect(job.parent).toBe(recording.one("backups", PLAN).urn);
        }
    });

    it("carries a tier's hourly and yearly counts from the inventory into its vzdump jobs' prune-backups", async () => {
        const inv = parseInventory(
            mutated((i) => (i.backups.tiers.critical.retention = { keepLast: 3, keepHourly: 24, keepDaily: 7, keepYearly: 2 })),
        );
        const { recording } = await record(() => {
            backupPlan(inv);
        });
        for (const node of ["pve-network", "pve-storage"])
            expect(recording.one(`backups-backup_critical_${node}`, JOB).inputs.pruneBackups).toEqual({
                "keep-last": "3",
                "keep-hourly": "24",
                "keep-daily": "7",
                "keep-yearly": "2",
            });
        expect(recording.one("backups-backup_low_pve-storage", JOB).inputs.pruneBackups).toEqual({ "keep-monthly": "3" });
    });

    it("plans the dataset jobs (datasets_<tier>_<node>) in slots of their own between the vzdump jobs of the node, and registers no vzdump job for them", async () => {
        let plan: BackupPlan | undefined;
        const { recording } = await record(() => {
            plan = backupPlan(reference());
        });
        const datasetJobs = plan!.plan.jobs.filter((j) => j.kind === "datasets");
        expect(
            datasetJobs.map(({ id, node, tier, members, vmids, startTime, schedule }) => ({
                id,
                node,
                tier,
                members,
                vmids,
                startTime,
                schedule,
            })),
        ).toEqual([
            {
                id: "datasets_critical_pve-network",
                node: "pve-network",
                tier: "critical",
                members: ["rpool/appdata/edge"],
                vmids: [],
                startTime: "02:00",
                schedule: "02:00",
            },
            {
                id: "datasets_critical_pve-storage",
                node: "pve-storage",
                tier: "critical",
                members: ["tank/appdata/cloud", "tank/appdata/photos", "tank/cloud", "tank/photos"],
                vmids: [],
                startTime: "01:30",
                schedule: "01:30",
            },
            {
                id: "datasets_medium_pve-storage",
                node: "pve-storage",
                tier: "medium",
                members: ["tank/appdata/media", "tank/appdata/nvr"],
                vmids: [],
                startTime: "03:30",
                schedule: "sun 03:30",
            },
        ]);
        // No two jobs of one node share a slot.
        for (const node of ["pve-network", "pve-storage"]) {
            const slots = plan!.plan.jobs.filter((j) => j.node === node).map((j) => j.slot);
            expect(new Set(slots).size).toBe(slots.length);
        }
        expect(recording.ofType(JOB).filter((j) => String(j.inputs.resourceId).startsWith("datasets_"))).toEqual([]);
        expect(Object.keys(plan!.jobResources).sort()).toEqual(Object.keys(plan!.jobs).sort());
    });

    it("covers every guest of the reference stack exactly once, or excludes it with its reason", async () => {
        const inv = reference();
        const { recording } = await record(() => {
            backupPlan(inv);
        });
        const vmidToGuest = new Map(Object.entries(inv.guests).map(([name, g]) => [String(g.vmid), name]));
        const covered = recording.ofType(JOB).flatMap((j) => (j.inputs.vmids as string[]).map((v) => vmidToGuest.get(v)!));
        const excluded = recording.one("backups", PLAN).outputs.excluded as Record<string, string>;
        const excludedGuests = Object.keys(excluded).filter((k) => k in inv.guests);
        expect(excludedGuests).toEqual(["pbs"]);
        expect(excluded.pbs).toBe("PBS cannot back itself up into its own datastore");
        expect(new Set(covered).size).toBe(covered.length);
        expect([...covered, ...excludedGuests].sort()).toEqual(Object.keys(inv.guests).sort());
        expect(covered.sort()).toEqual(["cloud", "edge", "files", "media", "nvr", "opnsense", "photos", "unifi", "windows"]);
    });

    it("registers the storage id, the vzdump jobs and the exclusions (guests and datasets) as outputs", async () => {
        const { recording } = await record(() => {
            backupPlan(reference());
        });
        const plan = recording.one("backups", PLAN);
        expect(plan.outputs).toEqual({
            storageIds: { critical: "pbs", low: "pbs", medium: "pbs" },
            copies: [],
            jobs: {
                "backup_critical_pve-network": { node: "pve-network", tier: "critical", schedule: "00:30", vmids: [10001, 30010] },
                "backup_medium_pve-network": { node: "pve-network", tier: "medium", schedule: "sun 03:30", vmids: [10005] },
                "backup_critical_pve-storage": { node: "pve-storage", tier: "critical", schedule: "01:00", vmids: [30040, 30041] },
                "backup_medium_pve-storage": { node: "pve-storage", tier: "medium", schedule: "sun 02:30", vmids: [30042, 50010] },
                "backup_low_pve-storage": { node: "pve-storage", tier: "low", schedule: "*-*-01 04:30", vmids: [20030, 30050] },
            },
            excluded: {
                pbs: "PBS cannot back itself up into its own datastore",
                "tank/media": "a replaceable library: ripped and downloaded media, larger than the PBS datastore",
                "tank/nvr": "rolling camera recordings, overwritten within days",
                "tank/pbs": "the PBS datastore itself; the sync job copies it to the offsite bucket",
                "tank/shared": "holds guest disks for live migration, which vzdump backs up with their guests",
                "tank/vm": "holds the Windows VM disk, which vzdump backs up with its guest",
            },
        });
        expect(plan.outputSecretPaths).toEqual([]);
        expect(recording.countsByType()).toEqual({
            [PLAN]: 1,
            [JOB]: 5,
            [PBS_STORAGE]: 1,
            "pulumi:providers:proxmoxve": 1,
            "pulumi:pulumi:Stack": 1,
        });
    });
});

describe("BackupPlan on a storage that is not PBS", () => {
    const nfs: StorageSpec = { kind: "nfs", server: "192.168.10.30", export: "/volume1/backup", content: ["backup"], managed: true };

    it("defines no PBS storage, needs no PBS credentials, and points every job at the target id", async () => {
        const inv = reference();
        let plan: BackupPlan | undefined;
        const { recording } = await record(() => {
            plan = backupPlan({ ...inv, backups: { ...inv.backups!, target: "nas" } }, { target: nfs, pbs: undefined });
        });
        expect(plan!.storages).toEqual({});
        for (const tier of Object.keys(inv.backups!.tiers)) expect(await valueOf(plan!.storageIds[tier])).toBe("nas");
        expect(recording.ofType(PBS_STORAGE)).toEqual([]);
        const jobs = recording.ofType(JOB);
        expect(jobs).toHaveLength(5);
        for (const job of jobs) {
            expect(job.inputs.storage).toBe("nas");
            expect(job.options.dependsOn).toEqual([]);
        }
        expect(recording.one("backups", PLAN).outputs.storageIds).toEqual({ critical: "nas", low: "nas", medium: "nas" });
    });
});

describe("BackupPlan on a PBS storage that exists already (managed: false, an adopted cluster's)", () => {
    it("defines no PBS storage, needs no PBS credentials, and points every job at the existing storage's id", async () => {
        const inv = reference();
        const existing: StorageSpec = {
            kind: "pbs",
            server: "192.168.10.30",
            datastore: "main",
            username: "pve@pbs",
            fingerprint: FINGERPRINT,
            gcSchedule: "02:00",
            verify: { schedule: "sun 03:00", skipVerifiedDays: 30 },
            content: ["backup"],
            managed: false,
        };
        let plan: BackupPlan | undefined;
        const { recording } = await record(() => {
            plan = backupPlan(inv, { target: existing, pbs: undefined });
        });
        expect(plan!.storages).toEqual({});
        for (const tier of Object.keys(inv.backups!.tiers)) expect(await valueOf(plan!.storageIds[tier])).toBe("pbs");
        expect(recording.ofType(PBS_STORAGE)).toEqual([]);
        for (const job of recording.ofType(JOB)) expect(job.inputs.storage).toBe("pbs");
    });
});

describe("BackupPlan refuses what cannot work", () => {
    it("refuses a PBS target without its server, password and fingerprint", async () => {
        let thrown: unknown;
        const { recording } = await record(() => {
            try {
                backupPlan(reference(), { pbs: undefined });
            } catch (err) {
                thrown = err;
            }
        });
        expect(thrown).toEqual(new Error("[backups.target] a PBS target needs its server, password and fingerprint"));
        expect(recording.ofType(PBS_STORAGE)).toEqual([]);
        expect(recording.ofType(JOB)).toEqual([]);
    });

    it("refuses a window too small for the jobs of a node, counting its dataset jobs, before registering anything", async () => {
        const inv = reference();
        const backups = { ...inv.backups!, window: { start: "01:00", end: "02:00", slotMinutes: 30 } };
        const reason =
            '01:00-02:00 holds 2 slot(s) of 30 minutes, but node "pve-network" needs 3 (critical, critical datasets, medium); widen the window or shorten slotMinutes';
        expect(() => resolveBackupPlan({ backups, guests: inv.guests, datasets: inv.datasets })).toThrow(
            new BackupScheduleError("backups.window", reason),
        );
        let thrown: unknown;
        const { recording } = await record(() => {
            try {
                backupPlan({ ...inv, backups });
            } catch (err) {
                thrown = err;
            }
        });
        expect(thrown).toEqual(new BackupScheduleError("backups.window", reason));
        expect(recording.ofType(PLAN)).toEqual([]);
        expect(recording.ofType(PBS_STORAGE)).toEqual([]);
    });

    it("refuses a guest whose tier is not in backups.tiers", () => {
        const inv = reference();
        const guests = { ...inv.guests, files: { ...inv.guests.files, backup: { tier: "hourly" } } };
        expect(() => resolveBackupPlan({ backups: inv.backups!, guests, datasets: inv.datasets })).toThrow(
            new BackupScheduleError("guests.files.backup.tier", 'tier "hourly" is not in backups.tiers'),
        );
    });
});

describe("the inventory's cross-checks on the backup target (checked before any BackupPlan is built)", () => {
    function problemsOf(change: (raw: Record<string, unknown>) => Record<string, unknown>): { path: string; message: string }[] {
        const raw = readStackFile(path.join(__dirname, "../..", "Pulumi.prod.yaml")).inventory;
        try {
            parseInventory(change(structuredClone(raw)));
        } catch (err) {
            if (err instanceof InventoryError) return err.problems.map(({ path: p, message }) => ({ path: p, message }));
            throw err;
        }
        return [];
    }

    it("refuses a PBS guest that is itself in a backup job", () => {
        expect(
            problemsOf((raw) => {
                const guests = raw.guests as Record<string, Record<string, unknown>>;
                guests.pbs.backup = { tier: "low" };
                return raw;
            }),
        ).toEqual([
            { path: "guests.pbs.backup", message: "the PBS guest cannot back itself up into its own datastore; exclude it with a reason" },
        ]);
    });

    it("refuses a PBS storage whose guest is not in the inventory", () => {
        const problems = problemsOf((raw) => {
            const storages = raw.storages as Record<string, Record<string, unknown>>;
            storages.pbs.guest = "backup";
            return raw;
        });
        expect(problems).toEqual([
            { path: "storages.pbs.guest", message: 'guest "backup" is not in guests; fix the name or add the guest' },
        ]);
    });
});
