/** The optional offsite fields the backup work added: a KMS key for default encryption, and when PBS syncs offsite. */
import * as path from "path";
import { InventoryError } from "../../config/errors";
import { parseInventory } from "../../config/parse";
import { readStackFile } from "../../config/stackfile";

function withOffsite(change: Record<string, unknown>) {
    const raw = readStackFile(path.join(__dirname, "../..", "Pulumi.prod.yaml")).inventory as Record<string, Record<string, unknown>>;
    return { ...raw, offsite: { ...raw.offsite, ...change } };
}

function problems(change: Record<string, unknown>): { path: string; message: string }[] {
    try {
        parseInventory(withOffsite(change));
        return [];
    } catch (e) {
        if (!(e instanceof InventoryError)) throw e;
        return e.problems.map((p) => ({ path: p.path, message: p.message }));
    }
}

describe("offsite.kmsKeyId and offsite.syncSchedule", () => {
    it("are optional, and taken when given", () => {
        expect(parseInventory(withOffsite({})).offsite).not.toHaveProperty("kmsKeyId");
        const o = parseInventory(withOffsite({ kmsKeyId: "alias/pbs-offsite", syncSchedule: "sat 07:00" })).offsite!;
        expect({ kmsKeyId: o.kmsKeyId, syncSchedule: o.syncSchedule }).toEqual({
            kmsKeyId: "alias/pbs-offsite",
            syncSchedule: "sat 07:00",
        });
    });
    it("refuse values that are not a key id or a calendar event", () => {
        expect(problems({ kmsKeyId: "alias/pbs offsite" }).map((p) => p.path)).toEqual(["offsite.kmsKeyId"]);
        expect(problems({ syncSchedule: "06:00; reboot" }).map((p) => p.path)).toEqual(["offsite.syncSchedule"]);
    });
});
