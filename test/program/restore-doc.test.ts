/**
 * The restore and operations guides name the PVE storages a guest's backups are on: the storage of
 * its tier on the reference stack (`<target>-<tier>`, components/backupPlan.ts tierStorageIds),
 * never a storage that does not exist.
 */
import * as fs from "fs";
import * as path from "path";
import { tierStorageIds } from "../../components/backupPlan";
import { referenceInventory } from "./reference";

const ROOT = path.join(__dirname, "../..");
const inv = referenceInventory();
const backups = inv.backups!;
const storages = tierStorageIds(backups, inv.storages[backups.target]);
const doc = (name: string) => fs.readFileSync(path.join(ROOT, "docs", name), "utf8");

/** The tier's storage of the guest with this VMID. */
function storageOfVmid(vmid: number): string {
    const guest = Object.values(inv.guests).find((g) => g.vmid === vmid)!;
    if (!("tier" in guest.backup)) throw new Error(`guest ${vmid} is not backed up`);
    return storages[guest.backup.tier];
}

describe("docs/restore.md", () => {
    const text = doc("restore.md");

    it("lists and restores each example guest from the storage of its tier", () => {
        expect(text).toContain(`pvesm list ${storageOfVmid(30040)} --content backup --vmid 30040`);
        expect(text).toContain(`pct restore 30099 ${storageOfVmid(30040)}:backup/ct/30040/`);
        expect(text).toContain(`qmrestore ${storageOfVmid(20030)}:backup/vm/20030/`);
    });

    it("names only storages the reference stack has", () => {
        const named = [...text.matchAll(/\b(pbs[\w-]*):backup\//g), ...text.matchAll(/pvesm list ([\w-]+)/g)].map((m) => m[1]);
        expect(named.length).toBeGreaterThan(0);
        for (const id of named) expect(Object.values(storages)).toContain(id);
    });
});

describe("docs/operations.md", () => {
    it("backs guests up to the storage of their tier, not to a storage named after the target", () => {
        expect(doc("operations.md")).not.toMatch(/--storage pbs\b(?!-)/);
    });
});
