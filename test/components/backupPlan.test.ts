import * as path from "path";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { deployBackups, resolveBackupPlan } from "../../components/backupPlan";
import { parseInventory } from "../../config/parse";
import { Inventory } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";
import { record } from "../helpers/harness";

const PBS_STORAGE = "proxmoxve:storage/pbs:Pbs";
const JOB = "proxmoxve:backup/job:Job";
const PLAN = "homelab:backup:BackupPlan";

function reference(): Inventory {
    return parseInventory(readStackFile(path.join(__dirname, "../..", "Pulumi.prod.yaml")).inventory);
}

const PASSWORD_CONFIG = { config: { "homelab:pbsPassword": "correct horse battery staple" }, secretKeys: ["homelab:pbsPassword"] };

function apiProvider(): proxmoxve.Provider {
    return new proxmoxve.Provider("pve", { endpoint: "https://192.168.10.11:8006/", apiToken: "t@pve!x=y" });
}

describe("BackupPlan on the reference stack", () => {
    const saved = process.env.PBS_PASSWORD;
    beforeEach(() => delete process.env.PBS_PASSWORD);
    afterAll(() => {
        if (saved === undefined) delete process.env.PBS_PASSWORD;
        else process.env.PBS_PASSWORD = saved;
    });

    it("defines the PBS storage from the inventory with the password as a secret", async () => {
        const { recording } = await record(() => {
            deployBackups(reference(), apiProvider());
        }, PASSWORD_CONFIG);
        const storage = recording.one("backups-storage-pbs", PBS_STORAGE);
        expect(storage.inputs).toEqual({
            resourceId: "pbs",
            server: "192.168.10.20",
            datastore: "tank",
            username: "pve@pbs",
            password: "correct horse battery staple",
            fingerprint: "7A:1B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09",
            contents: ["backup"],
            nodes: ["pve-network", "pve-storage"],
        });
        expect(storage.secretPaths).toEqual(["password"]);
        expect(storage.parent).toBe(recording.one("backups", PLAN).urn);
        expect(storage.options.provider).toMatch(/::pve::/);
    });

    it("takes the PBS password from PBS_PASSWORD first, still as a secret", async () => {
        process.env.PBS_PASSWORD = "from-the-environment";
        const { recording } = await record(() => {
            deployBackups(reference(), apiProvider());
        }, PASSWORD_CONFIG);
        const storage = recording.one("backups-storage-pbs", PBS_STORAGE);
        expect(storage.inputs.password).toBe("from-the-environment");
        expect(storage.secretPaths).toEqual(["password"]);
    });

    it("refuses to start without the PBS password and says how to give it", () => {
        pulumi.runtime.setAllConfig({}, []);
        // The credential is read before any resource is registered.
        expect(() => deployBackups(reference(), {} as proxmoxve.Provider)).toThrow(
            "missing credential: set the environment variable PBS_PASSWORD or run `pulumi config set --secret homelab:pbsPassword <value>`",
        );
    });

    it("creates one vzdump job per tier and node, with explicit VMIDs, snapshot mode, zstd, a bandwidth limit and the tier's retention", async () => {
        const { recording } = await record(() => {
            deployBackups(reference(), apiProvider());
        }, PASSWORD_CONFIG);
        const storage = recording.one("backups-storage-pbs", PBS_STORAGE);
        const jobs = recording.ofType(JOB);
        expect(jobs.map((j) => j.name).sort()).toEqual([
            "backups-backup-critical-pve-network",
            "backups-backup-critical-pve-storage",
            "backups-backup-low-pve-storage",
            "backups-backup-medium-pve-network",
            "backups-backup-medium-pve-storage",
        ]);
        const common = { storage: "pbs", mode: "snapshot", compress: "zstd", enabled: true, repeatMissed: true, bwlimit: 102400 };
        expect(recording.one("backups-backup-critical-pve-storage", JOB).inputs).toEqual({
            ...common,
            resourceId: "backup-critical-pve-storage",
            node: "pve-storage",
            vmids: ["30040", "30041"],
            schedule: "01:00",
            pruneBackups: { "keep-daily": "7", "keep-weekly": "4", "keep-monthly": "6" },
            notesTemplate: "{{guestname}} (critical)",
        });
        expect(recording.one("backups-backup-medium-pve-storage", JOB).inputs).toEqual({
            ...common,
            resourceId: "backup-medium-pve-storage",
            node: "pve-storage",
            vmids: ["30042", "50010"],
            schedule: "sun 02:30",
            pruneBackups: { "keep-weekly": "4", "keep-monthly": "3" },
            notesTemplate: "{{guestname}} (medium)",
        });
        expect(recording.one("backups-backup-low-pve-storage", JOB).inputs).toEqual({
            ...common,
            resourceId: "backup-low-pve-storage",
            node: "pve-storage",
            vmids: ["20030", "30050"],
            schedule: "*-*-01 04:00",
            pruneBackups: { "keep-monthly": "3" },
            notesTemplate: "{{guestname}} (low)",
        });
        for (const job of jobs) {
            expect(job.inputs).not.toHaveProperty("all");
            expect(job.inputs).not.toHaveProperty("excludes");
            expect(job.options.dependsOn).toEqual([storage.urn]);
            expect(job.dependencies).toContain(storage.urn);
            expect(job.options.provider).toMatch(/::pve::/);
        }
    });

    it("covers every guest of the reference stack exactly once, or excludes it with its reason", async () => {
        const inv = reference();
        const { recording } = await record(() => {
            deployBackups(inv, apiProvider());
        }, PASSWORD_CONFIG);
        const vmidToGuest = new Map(Object.entries(inv.guests).map(([name, g]) => [String(g.vmid), name]));
        const covered = recording.ofType(JOB).flatMap((j) => (j.inputs.vmids as string[]).map((v) => vmidToGuest.get(v)!));
        const plan = recording.one("backups", PLAN);
        const excluded = plan.outputs.excluded as Record<string, string>;
        expect(excluded).toEqual({ pbs: "PBS cannot back itself up into its own datastore" });
        expect(new Set(covered).size).toBe(covered.length);
        expect([...covered, ...Object.keys(excluded)].sort()).toEqual(Object.keys(inv.guests).sort());
        expect(covered.sort()).toEqual(["cloud", "edge", "files", "media", "nvr", "opnsense", "photos", "unifi", "windows"]);
    });

    it("registers the storage id, the jobs and the exclusions as outputs", async () => {
        const { recording } = await record(() => {
            deployBackups(reference(), apiProvider());
        }, PASSWORD_CONFIG);
        const plan = recording.one("backups", PLAN);
        expect(plan.outputs).toEqual({
            storageId: "pbs",
            jobs: {
                "backup-critical-pve-network": { node: "pve-network", tier: "critical", schedule: "00:30", vmids: [10001, 30010] },
                "backup-medium-pve-network": { node: "pve-network", tier: "medium", schedule: "sun 02:30", vmids: [10005] },
                "backup-critical-pve-storage": { node: "pve-storage", tier: "critical", schedule: "01:00", vmids: [30040, 30041] },
                "backup-medium-pve-storage": { node: "pve-storage", tier: "medium", schedule: "sun 02:30", vmids: [30042, 50010] },
                "backup-low-pve-storage": { node: "pve-storage", tier: "low", schedule: "*-*-01 04:00", vmids: [20030, 30050] },
            },
            excluded: { pbs: "PBS cannot back itself up into its own datastore" },
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

    it("builds nothing when the inventory has no backups section", async () => {
        const inv = reference();
        const { recording, outputs } = await record(() => ({
            plan: deployBackups({ ...inv, backups: undefined }, apiProvider()) === undefined,
        }));
        expect(outputs).toEqual({ plan: true });
        expect(recording.ofType(JOB)).toEqual([]);
        expect(recording.ofType(PBS_STORAGE)).toEqual([]);
    });
});

describe("BackupPlan refuses what cannot work", () => {
    it("refuses a PBS guest that is itself in a backup job", () => {
        const inv = reference();
        const guests = { ...inv.guests, pbs: { ...inv.guests.pbs, backup: { tier: "low" as const } } };
        expect(() => resolveBackupPlan({ backups: inv.backups!, guests, nodeNames: ["pve-storage"] })).toThrow(
            "[guests.pbs.backup] the PBS guest cannot back itself up into its own datastore; exclude it with a reason",
        );
    });

    it("refuses a PBS guest that is not in the inventory", () => {
        const inv = reference();
        const backups = { ...inv.backups!, pbs: { ...inv.backups!.pbs, guest: "backup" } };
        expect(() => resolveBackupPlan({ backups, guests: inv.guests, nodeNames: ["pve-storage"] })).toThrow(
            '[backups.pbs.guest] "backup" is not a guest of the inventory; name the guest running Proxmox Backup Server',
        );
    });

    it("refuses a window too small for the jobs of a node", () => {
        const inv = reference();
        const backups = { ...inv.backups!, window: { start: "01:00", end: "02:00", slotMinutes: 30 } };
        expect(() => resolveBackupPlan({ backups, guests: inv.guests, nodeNames: ["pve-network", "pve-storage"] })).toThrow(
            '[backups.window] 01:00-02:00 holds 2 slot(s) of 30 minutes, but node "pve-storage" needs 3 (critical, medium, low)',
        );
    });
});
