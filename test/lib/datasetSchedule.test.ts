import { datasetBackupStarts } from "../../lib/datasetSchedule";

describe("datasetBackupStarts", () => {
    const window = { start: "00:30", end: "05:00", slotMinutes: 30 };

    it("starts after the vzdump window, one slot apart per node, in path order", () => {
        expect(
            datasetBackupStarts(
                {
                    "tank/photos": { node: "pve-storage" },
                    "rpool/appdata/edge": { node: "pve-network" },
                    "tank/cloud": { node: "pve-storage" },
                    "tank/media": { node: "pve-storage" },
                },
                window,
            ),
        ).toEqual({ "rpool/appdata/edge": "05:00", "tank/cloud": "05:00", "tank/media": "05:30", "tank/photos": "06:00" });
    });

    it("wraps past midnight", () => {
        expect(
            datasetBackupStarts({ "tank/a": { node: "n" }, "tank/b": { node: "n" } }, { start: "22:00", end: "23:45", slotMinutes: 30 }),
        ).toEqual({
            "tank/a": "23:45",
            "tank/b": "00:15",
        });
    });

    it("refuses a slot that is not a positive whole number of minutes", () => {
        expect(() => datasetBackupStarts({}, { ...window, slotMinutes: 0 })).toThrow(
            "[backups.window.slotMinutes] must be a positive whole number of minutes, got 0",
        );
    });
});
