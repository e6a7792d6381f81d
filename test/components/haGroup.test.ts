import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { record } from "../helpers/harness";
import { HaGroup, nodePriorities } from "../../components/haGroup";

class Member extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Member", name, {});
    }
}

async function deploy(pveVersion: 8 | 9) {
    return record(() => {
        const api = new proxmoxve.Provider("api", {});
        const member = new Member("wiki-ha");
        new HaGroup("ha-apps", {
            group: "apps",
            resources: ["vm:20020", "ct:20050"],
            nodes: ["pve1", "pve2", "pve3"],
            pveVersion,
            members: [member],
            provider: api,
        });
    });
}

describe("HaGroup", () => {
    it("prefers the nodes in the order given", () => {
        expect(nodePriorities(["pve1", "pve2", "pve3"])).toEqual({ pve1: 3, pve2: 2, pve3: 1 });
    });

    it("places the members with a node-affinity rule on PVE 9, after their HA resources", async () => {
        const { recording } = await deploy(9);
        const rule = recording.one("ha-apps-rule", "proxmoxve:index/harule:Harule");
        expect(rule.inputs).toEqual({
            rule: "apps",
            type: "node-affinity",
            resources: ["ct:20050", "vm:20020"],
            nodes: { pve1: 3, pve2: 2, pve3: 1 },
            strict: false,
            comment: "managed by homelab",
        });
        expect(rule.options.dependsOn).toEqual([recording.one("wiki-ha").urn]);
        expect(recording.ofType("proxmoxve:index/hagroup:Hagroup")).toEqual([]);
    });

    it("uses an HA group on PVE 8, which the members name", async () => {
        const { recording } = await deploy(8);
        expect(recording.one("ha-apps-group", "proxmoxve:index/hagroup:Hagroup").inputs).toEqual({
            group: "apps",
            nodes: { pve1: 3, pve2: 2, pve3: 1 },
            comment: "managed by homelab",
        });
        expect(recording.ofType("proxmoxve:index/harule:Harule")).toEqual([]);
    });
});
