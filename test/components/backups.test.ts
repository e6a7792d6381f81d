/**
 * The backups as the program composes them (components/backups.ts), recorded under the mock
 * runtime: the order a real `up` must follow (the PBS VM with its user data, PBS set up over SSH
 * pinned to the generated host key, the PVE storages only after PBS answers, the dataset backups
 * after their dataset and PBS's namespaces), the per-tier namespaces and who prunes, and the
 * 3-2-1 copies. What runs inside PBS is tested in test/lib/pbs and test/integration (stand-ins).
 */
import * as path from "path";
import { readCredentials } from "../../config/loader";
import { parseInventory } from "../../config/parse";
import { Inventory } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";
import { copiesOf } from "../../lib/copies";
import { copiesInputOf, managedPbsOf } from "../../components/backups";
import { deployHomelab } from "../../program";
import { RecordedResource, Recording, record } from "../helpers/harness";
import { credentialConfig, referenceInventory } from "../program/reference";

const T = {
    key: "tls:index/privateKey:PrivateKey",
    file: "proxmoxve:index/fileLegacy:FileLegacy",
    vm: "proxmoxve:index/vmLegacy:VmLegacy",
    server: "homelab:backup:PbsServer",
    command: "command:remote:Command",
    storage: "proxmoxve:storage/pbs:Pbs",
    job: "proxmoxve:backup/job:Job",
    datasetBackup: "homelab:backup:DatasetBackup",
    plan: "homelab:backup:BackupPlan",
} as const;

async function deploy(inv: Inventory): Promise<Recording> {
    const creds = credentialConfig();
    const { recording } = await record(() => deployHomelab(inv, readCredentials()), { config: creds.config, secretKeys: creds.secretKeys });
    return recording;
}

const byUrn = (recording: Recording, urns: readonly string[]): string[] =>
    urns.map((u) => recording.resources.find((r) => r.urn === u)?.name ?? u).sort();

describe("backups of the reference stack: PBS set up by the program", () => {
    let recording: Recording;
    beforeAll(async () => {
        recording = await deploy(referenceInventory());
    });

    it("finds the managed PBS in the inventory: the pbs guest, its address, login user and NFS-backed datastore", () => {
        expect(managedPbsOf(referenceInventory())).toMatchObject({
            storageId: "pbs",
            guest: "pbs",
            address: "192.168.10.20",
            loginUser: "debian",
            datastore: { name: "tank", path: "/mnt/datastore/tank", nfs: { server: "192.168.10.12", export: "/tank/pbs" } },
        });
    });

    it("boots the PBS VM with user data (a secret) that installs PBS and carries the generated host key", () => {
        const key = recording.one("pbs-host-key", T.key);
        expect(key.inputs).toEqual({ algorithm: "ED25519" });
        const userData = recording.one("pbs-user-data", T.file);
        expect(userData.secretPaths).toContain("sourceRaw");
        const text = JSON.stringify(userData.inputs);
        expect(text).toContain("homelab-install-pbs");
        expect(text).toContain("ed25519_private");
        expect(recording.one("pbs-vm", T.vm).dependencies).toContain(userData.urn);
    });

    it("sets PBS up over SSH as the guest's login user, pinned to the generated host key, after the VM and the NFS dataset", async () => {
        const server = recording.one("pbs", T.server);
        // The guest component and the dataset stand for their children: the VM and the ZFS command.
        expect(byUrn(recording, server.dependencies)).toEqual(expect.arrayContaining(["pbs-vm", "pbs-user-data", "tank/pbs-zfs"]));
        const ready = recording.one("pbs-ready", T.command);
        const connection = ready.inputs.connection as { host: string; user: string; hostKey: string };
        expect(connection.host).toBe("192.168.10.20");
        expect(connection.user).toBe("debian");
        expect(connection.hostKey).toBe((recording.one("pbs-host-key", T.key).outputs.publicKeyOpenssh as string).trim());
        expect(connection.hostKey).toMatch(/^ssh-ed25519 AAAA/);
    });

    it("adds one PVE storage per tier, in the tier's namespace, only after PBS answers (P4)", () => {
        const storages = recording.ofType(T.storage);
        expect(storages.map((s) => [s.inputs.resourceId, s.inputs.namespace]).sort()).toEqual([
            ["pbs-critical", "critical"],
            ["pbs-low", "low"],
            ["pbs-medium", "medium"],
        ]);
        for (const s of storages) {
            expect(byUrn(recording, s.options.dependsOn ?? [])).toEqual([
                "pbs-access",
                "pbs-datastore",
                "pbs-fingerprint",
                "pbs-namespaces",
            ]);
            expect(s.secretPaths).toEqual(["password"]);
        }
    });

    it("points each tier's vzdump jobs at its storage and lets PBS's prune jobs keep the retention (no prune-backups)", () => {
        for (const job of recording.ofType(T.job)) {
            const tier = String(job.inputs.resourceId).split("_")[1];
            expect(job.inputs.storage).toBe(`pbs-${tier}`);
            expect(job.inputs.pruneBackups).toBeUndefined();
        }
        const prune = recording.one("pbs-prune", T.command);
        for (const tier of ["critical", "medium", "low"]) expect(String(prune.inputs.create)).toContain(`homelab-prune-${tier}`);
    });

    it("backs up every dataset with a tier from its node into the tier's namespace, after the dataset and PBS's setup", () => {
        const backups = recording.ofType(T.datasetBackup);
        const inv = referenceInventory();
        const tiered = Object.entries(inv.datasets)
            .filter(([, d]) => "tier" in d.backup)
            .map(([p]) => p)
            .sort();
        expect(backups.map((b) => b.name).sort()).toEqual(tiered);
        for (const b of backups) {
            const tier = (inv.datasets[b.name].backup as { tier: string }).tier;
            expect(b.outputs).toMatchObject({ dataset: b.name, namespace: tier });
            expect(byUrn(recording, b.options.dependsOn ?? [])).toEqual(
                [`${b.name}-zfs`, "pbs-access", "pbs-datastore", "pbs-fingerprint", "pbs-namespaces"].sort(),
            );
            const command = recording.one(`${b.name}-backup`, T.command);
            expect(String(command.inputs.create)).toContain(`--ns "$NS"`);
            expect(String(command.inputs.create)).not.toContain("proxmox-backup-client prune");
        }
    });

    it("copies PBS's datastore offsite with the bucket's writer key, the secret on stdin", () => {
        const offsite = recording.one("pbs-offsite", T.command);
        expect(String(offsite.inputs.create)).toContain("attic-pbs-offsite");
        expect(offsite.secretPaths).toContain("stdin");
    });
});

describe("the PBS storage's GC and verify schedules", () => {
    it("reach the datastore's GC schedule and the verify job PBS runs, from the inventory's keys", async () => {
        const inv = referenceInventory();
        const pbs = inv.storages.pbs as Extract<Inventory["storages"][string], { kind: "pbs" }>;
        const recording = await deploy({
            ...inv,
            storages: {
                ...inv.storages,
                pbs: { ...pbs, gcSchedule: "sat 01:30", verify: { schedule: "mon 04:00", skipVerifiedDays: 60 } },
            },
        });
        expect(String(recording.one("pbs-datastore", T.command).inputs.create)).toContain("'sat 01:30'");
        const verify = String(recording.one("pbs-verify", T.command).inputs.create);
        expect(verify).toContain("schedule=mon 04:00");
        expect(verify).toContain("outdated-after=60");
    });
});

describe("backups to a PBS the program does not manage (the three-node example)", () => {
    let recording: Recording;
    let inv: Inventory;
    beforeAll(async () => {
        inv = parseInventory(readStackFile(path.join(__dirname, "../../Pulumi.example-cluster.yaml")).inventory);
        recording = await deploy(inv);
    });

    it("sets nothing up on it: one storage in the root namespace, and the vzdump jobs prune by the tier's retention", () => {
        expect(managedPbsOf(inv)).toBeUndefined();
        expect(recording.ofType(T.server)).toEqual([]);
        expect(recording.ofType(T.key)).toEqual([]);
        const [storage] = recording.ofType(T.storage);
        expect(storage.inputs).toMatchObject({ resourceId: "pbs", server: "10.0.10.30", datastore: "rack" });
        expect(storage.inputs.namespace).toBeUndefined();
        for (const job of recording.ofType(T.job)) expect(job.inputs.pruneBackups).toBeDefined();
    });

    it("backs the dataset up into the root namespace and prunes its group after each backup", () => {
        const [backup] = recording.ofType(T.datasetBackup) as RecordedResource[];
        expect(backup.name).toBe("tank/git");
        const script = String(recording.one("tank/git-backup", T.command).inputs.create);
        expect(script).not.toContain("--ns");
        // The tier "daily" keeps last 2, daily 14, weekly 8, monthly 12, yearly 2.
        expect(script).toContain(
            'proxmox-backup-client prune "host/$BACKUP_ID" --repository "$REPOSITORY" --keep-last 2 --keep-daily 14 --keep-weekly 8 --keep-monthly 12 --keep-yearly 2',
        );
    });
});

describe("copiesInputOf: where each copy lives", () => {
    it("the reference: a datastore on the NFS export of tank/pbs is on the same medium as tank's datasets and the tank-vm storage", () => {
        const rows = copiesOf(copiesInputOf(referenceInventory()));
        const row = (key: string) => rows.find((r) => r.key === key)!;
        expect(row("datasets.tank/photos").copies.map((c) => c.media)).toEqual([
            "pve-storage:tank",
            "pve-storage:tank",
            "aws:attic-pbs-offsite",
        ]);
        expect(row("guests.windows").copies.map((c) => c.media)).toEqual(["pve-storage:tank", "pve-storage:tank", "aws:attic-pbs-offsite"]);
        expect(row("guests.edge").mediaCount).toBe(3);
        // Every guest and dataset with a tier meets 3-2-1; what is left out says why.
        for (const r of rows) expect([r.key, r.meets321 || r.excluded !== undefined]).toEqual([r.key, true]);
    });

    it("a directory target is a medium on each node; an external PBS has no offsite copy the program makes", () => {
        const single = parseInventory(readStackFile(path.join(__dirname, "../../Pulumi.example-single.yaml")).inventory);
        const pihole = copiesOf(copiesInputOf(single)).find((r) => r.key === "guests.pihole")!;
        expect(pihole.copies.map((c) => [c.kind, c.media])).toEqual([
            ["live", "mini:local-lvm"],
            ["backup", "mini:usb-backup"],
        ]);
        expect(pihole.shortfalls).toEqual(["2 copies, 3 wanted", "none offsite"]);
    });
});
