import { storageBackingDatasets } from "../../lib/storageBacking";
import { referenceInventory } from "../program/reference";

describe("storageBackingDatasets", () => {
    it("finds the dataset behind a zfs storage and behind an NFS export of the reference stack", () => {
        expect(storageBackingDatasets(referenceInventory())).toEqual({
            "pve-network": { "shared-nfs": ["tank/shared"] },
            "pve-storage": { "tank-vm": ["tank/vm"] },
        });
    });

    it("ignores a zfs pool that no dataset of that node declares (rpool/data is the installer's)", () => {
        const inv = referenceInventory();
        delete inv.datasets["tank/vm"];
        expect(storageBackingDatasets(inv)["pve-storage"]).toBeUndefined();
    });
});
