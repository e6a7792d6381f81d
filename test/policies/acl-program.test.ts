/**
 * proxmox-acl-least-privilege over what the program itself registers (components/access.ts): the
 * reference stack's role and ACLs pass, and each way of breaking them is refused, one mutation of
 * the recorded resources per case: the Administrator role, Permissions.Modify or Sys.PowerMgmt in
 * the role, the role propagated from /.
 */
import { readCredentials } from "../../config/loader";
import { runPolicies } from "../../tools/policy/runner";
import { deployHomelab } from "../../program";
import { RecordedResource, record } from "../helpers/harness";
import { credentialConfig, referenceInventory } from "../program/reference";
import { check } from "./fixtures";

const RULE = "proxmox-acl-least-privilege";
let resources: RecordedResource[];

beforeAll(async () => {
    const creds = credentialConfig();
    const inv = referenceInventory();
    ({
        recording: { resources },
    } = await record(() => deployHomelab(inv, readCredentials()), { config: creds.config, secretKeys: creds.secretKeys }));
});

/** The recorded resources with one resource's inputs changed. */
function edited(name: string, change: (inputs: Record<string, unknown>) => void): RecordedResource[] {
    if (!resources.some((r) => r.name === name)) throw new Error(`no resource named ${name}`);
    return resources.map((r) => {
        if (r.name !== name) return r;
        const inputs = structuredClone(r.inputs);
        change(inputs);
        return { ...r, inputs };
    });
}

const roleOf = (rs: RecordedResource[]) => rs.find((r) => r.name === "access-role")!.inputs.privileges as string[];
const aclCount = () => resources.filter((r) => r.type === "proxmoxve:index/acl:Acl").length;

describe("proxmox-acl-least-privilege over the program's own role and ACLs", () => {
    it("passes the reference stack, judging every ACL (none left unjudged)", () => {
        expect(aclCount()).toBe(16);
        expect(check(RULE, resources)).toEqual([]);
        expect(runPolicies(resources).notApplicable.filter((n) => n.policy === RULE)).toEqual([]);
    });

    it.each([
        ["Permissions.Modify", "with it the token can grant itself anything"],
        ["Sys.PowerMgmt", "with it the token can shut nodes down"],
    ])("refuses %s in the role, on every ACL that grants it", (privilege, why) => {
        const broken = edited("access-role", (i) => (i.privileges = [...(i.privileges as string[]), privilege].sort()));
        const found = check(RULE, broken);
        expect(found).toHaveLength(aclCount());
        expect(new Set(found)).toEqual(
            new Set([
                `The ACL gives the program's user homelab@pve the role HomelabAutomation, which holds ${privilege}: ${why}. Remove ${privilege} from the role, or give the token another role.`,
            ]),
        );
    });

    it("refuses the Administrator role on any path", () => {
        const broken = edited("access-acl:/vms", (i) => (i.roleId = "Administrator"));
        expect(check(RULE, broken)).toEqual([
            "The ACL gives the program's user homelab@pve the Administrator role on /vms: every privilege, permissions included. Give it the program's own role with only the privileges it needs.",
        ]);
    });

    it("refuses the role propagated from /, naming the privileges that belong on narrower paths", () => {
        const broken = edited("access-acl:/", (i) => (i.propagate = true));
        const narrower = roleOf(broken).filter((p) => !p.startsWith("Sys."));
        expect(narrower).toHaveLength(20);
        expect(check(RULE, broken)).toEqual([
            `The ACL propagates the role HomelabAutomation from / to the program's user homelab@pve, so ${narrower.join(", ")} reach every guest, storage and zone. Grant these on the paths they act on (/storage/<id>; /mapping/pci/<name> or /mapping/usb/<name>; /sdn/zones/<zone>/...; /vms/<vmid> or /pool/<pool>) instead.`,
        ]);
    });

    it("judges an ACL given straight to the token as one given to its user", () => {
        const broken = edited("access-acl:/nodes/pve-network", (i) => {
            delete i.userId;
            i.tokenId = "homelab@pve!homelab";
            i.roleId = "Administrator";
        });
        expect(check(RULE, broken)).toEqual([
            "The ACL gives the program's token homelab@pve!homelab the Administrator role on /nodes/pve-network: every privilege, permissions included. Give it the program's own role with only the privileges it needs.",
        ]);
    });
});
