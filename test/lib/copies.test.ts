import { CopiesInput, copiesOf, describeCopies } from "../../lib/copies";

const INPUT: CopiesInput = {
    guests: {
        photos: { node: "pve-storage", storage: "local-zfs", backup: { tier: "critical" } },
        pbs: { node: "pve-storage", storage: "local-zfs", backup: { exclude: "PBS cannot back itself up into its own datastore" } },
    },
    datasets: {
        "tank/photos": { node: "pve-storage", backup: { tier: "critical" } },
        "tank/pbs": { node: "pve-storage", backup: { exclude: "the PBS datastore itself; copied offsite by PBS" } },
    },
    target: { where: "PBS datastore tank on tank/pbs (NFS from pve-storage)", media: "pve-storage:tank" },
    offsite: { service: "aws", bucket: "attic-pbs-offsite" },
};

describe("copiesOf", () => {
    const rows = copiesOf(INPUT);
    const row = (key: string) => rows.find((r) => r.key === key)!;

    it("lists every guest then every dataset, sorted", () => {
        expect(rows.map((r) => r.key)).toEqual(["guests.pbs", "guests.photos", "datasets.tank/pbs", "datasets.tank/photos"]);
    });

    it("a backed-up guest: live, PBS and offsite, on three media, one offsite", () => {
        expect(row("guests.photos")).toEqual({
            key: "guests.photos",
            copies: [
                { kind: "live", where: "local-zfs on pve-storage", media: "pve-storage:local-zfs", offsite: false },
                {
                    kind: "backup",
                    where: "PBS datastore tank on tank/pbs (NFS from pve-storage)",
                    media: "pve-storage:tank",
                    offsite: false,
                },
                { kind: "offsite", where: "aws bucket attic-pbs-offsite", media: "aws:attic-pbs-offsite", offsite: true },
            ],
            mediaCount: 3,
            offsite: true,
            meets321: true,
            tier: "critical",
            shortfalls: [],
        });
    });

    it("a backed-up dataset on the same pool as the datastore: three copies, two media (the pool and the bucket)", () => {
        const r = row("datasets.tank/photos");
        expect(r.copies.map((c) => c.media)).toEqual(["pve-storage:tank", "pve-storage:tank", "aws:attic-pbs-offsite"]);
        expect(r.mediaCount).toBe(2);
        expect(r.meets321).toBe(true);
    });

    it("excluded data: only its live copy, the reason, and what it lacks", () => {
        expect(row("guests.pbs")).toEqual({
            key: "guests.pbs",
            copies: [{ kind: "live", where: "local-zfs on pve-storage", media: "pve-storage:local-zfs", offsite: false }],
            mediaCount: 1,
            offsite: false,
            meets321: false,
            excluded: "PBS cannot back itself up into its own datastore",
            shortfalls: ["left out of backups: PBS cannot back itself up into its own datastore", "1 copy, 3 wanted", "none offsite"],
        });
    });

    it("without offsite: two copies, none offsite; on the same pool also a single medium", () => {
        const r = copiesOf({ ...INPUT, offsite: undefined }).find((x) => x.key === "datasets.tank/photos")!;
        expect(r.shortfalls).toEqual(["2 copies, 3 wanted", "every copy on the same medium (pve-storage:tank)", "none offsite"]);
        expect(r.meets321).toBe(false);
    });

    it("without a backup target: only the live copy, and says why", () => {
        const r = copiesOf({ ...INPUT, target: undefined }).find((x) => x.key === "guests.photos")!;
        expect(r.copies).toHaveLength(1);
        expect(r.shortfalls).toEqual(["no backup target (backups.target)", "1 copy, 3 wanted", "none offsite"]);
    });

    it("a directory target on each node's own disk is a second medium per node", () => {
        const rows = copiesOf({
            ...INPUT,
            offsite: undefined,
            target: { where: "directory usb-backup (/mnt/usb-backup)", media: "usb-backup", perNode: true },
        });
        const r = rows.find((x) => x.key === "guests.photos")!;
        expect(r.copies.map((c) => [c.kind, c.media])).toEqual([
            ["live", "pve-storage:local-zfs"],
            ["backup", "pve-storage:usb-backup"],
        ]);
        expect(r.mediaCount).toBe(2);
        expect(r.shortfalls).toEqual(["2 copies, 3 wanted", "none offsite"]);
    });

    it("describes a row in one line for the plan report", () => {
        expect(describeCopies(row("guests.photos"))).toBe(
            "guests.photos: live local-zfs on pve-storage; backup PBS datastore tank on tank/pbs (NFS from pve-storage); offsite aws bucket attic-pbs-offsite (3 copies on 3 media, one offsite)",
        );
        expect(describeCopies(row("guests.pbs"))).toBe(
            "guests.pbs: live local-zfs on pve-storage (left out of backups: PBS cannot back itself up into its own datastore; 1 copy, 3 wanted; none offsite)",
        );
    });
});
