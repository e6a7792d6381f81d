/**
 * backup-three-two-one over the reference stack as the program registers it: a baseline with no
 * violation, then one mutation per way to fall short (the BackupPlan's `copies`), data left out
 * with a reason, and a stack without backups.
 */
import { readCredentials } from "../../config/loader";
import { runPolicies } from "../../tools/policy/runner";
import { deployHomelab } from "../../program";
import { RecordedResource, record } from "../helpers/harness";
import { credentialConfig, referenceInventory } from "../program/reference";

const RULE = "backup-three-two-one";
const PLAN = "homelab:backup:BackupPlan";
type Row = {
    key: string;
    copies: { kind: string; where: string; media: string; offsite: boolean }[];
    meets321: boolean;
    shortfalls: string[];
};

let resources: RecordedResource[];
beforeAll(async () => {
    const creds = credentialConfig();
    ({
        recording: { resources },
    } = await record(() => deployHomelab(referenceInventory(), readCredentials()), { config: creds.config, secretKeys: creds.secretKeys }));
});

/** The stack with the BackupPlan's copies changed. */
function withCopies(change: (rows: Row[]) => Row[]): RecordedResource[] {
    return resources.map((r) =>
        r.type === PLAN ? { ...r, outputs: { ...r.outputs, copies: change(structuredClone(r.outputs.copies) as Row[]) } } : r,
    );
}
const found = (stack: RecordedResource[], level: "advisory" | "mandatory" = "advisory") =>
    runPolicies(stack, { [RULE]: { enforcementLevel: level } })
        .violations.filter((v) => v.policy === RULE)
        .map((v) => [v.level, v.message]);

describe(RULE, () => {
    it("passes the reference stack: every guest and dataset with a tier has 3 copies on 2 media, one offsite", () => {
        const plan = resources.find((r) => r.type === PLAN)!;
        expect((plan.outputs.copies as Row[]).length).toBe(22);
        expect(found(resources)).toEqual([]);
    });

    it("names data whose backup shares its medium and has no offsite copy, with what it has", () => {
        const stack = withCopies((rows) =>
            rows.map((row) =>
                row.key === "datasets.tank/photos"
                    ? {
                          ...row,
                          copies: row.copies.slice(0, 2),
                          meets321: false,
                          shortfalls: ["2 copies, 3 wanted", "every copy on the same medium (pve-storage:tank)", "none offsite"],
                      }
                    : row,
            ),
        );
        expect(found(stack)).toEqual([
            [
                "advisory",
                "datasets.tank/photos (tier critical) does not meet 3-2-1: 2 copies, 3 wanted; every copy on the same medium (pve-storage:tank); none offsite. It has live (ZFS pool tank on pve-storage), backup (PBS datastore tank on tank/pbs (NFS from pve-storage)). Keep backups on other disks than the data, and a copy offsite (a PBS the program sets up copies its datastore to the offsite bucket).",
            ],
        ]);
        // A stack that wants 3-2-1 enforced says so in its policy file.
        expect(found(stack, "mandatory").map(([level]) => level)).toEqual(["mandatory"]);
    });

    it("does not judge data the inventory leaves out of backups with a reason", () => {
        const plan = resources.find((r) => r.type === PLAN)!;
        const excluded = (plan.outputs.copies as (Row & { excluded?: string })[]).filter((r) => r.excluded !== undefined).map((r) => r.key);
        expect(excluded).toEqual([
            "guests.pbs",
            "datasets.tank/media",
            "datasets.tank/nvr",
            "datasets.tank/pbs",
            "datasets.tank/shared",
            "datasets.tank/vm",
        ]);
        expect(found(resources)).toEqual([]);
    });

    it("names a stack with no backups section at all, on its Cluster component", () => {
        const withoutBackups = resources.filter((r) => r.type !== PLAN);
        expect(found(withoutBackups)).toEqual([
            [
                "advisory",
                "The inventory has no backups section: every guest and dataset exists once, on its node. Add backups (a PBS, NFS or directory target and tiers) and an offsite bucket.",
            ],
        ]);
    });

    it("cannot judge resources written by hand (no component registers the copies)", () => {
        const handWritten = resources.filter((r) => r.type !== PLAN && r.type !== "homelab:proxmox:Cluster");
        const result = runPolicies(handWritten, { [RULE]: { enforcementLevel: "advisory" } });
        expect(result.violations.filter((v) => v.policy === RULE)).toEqual([]);
        expect(result.notApplicable.filter((n) => n.policy === RULE).map((n) => n.reason)).toEqual([
            "no homelab:backup:BackupPlan or homelab:proxmox:Cluster component registers the homelab's copies",
        ]);
    });
});
