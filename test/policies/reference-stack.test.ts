/**
 * The policy pack over the whole reference stack as the program registers it: clean with the
 * stack's policy config; a deliberately broken copy has exactly the expected violations.
 */
import * as path from "path";
import { readCredentials } from "../../config/loader";
import { parseInventory } from "../../config/parse";
import { readStackFile } from "../../config/stackfile";
import { runPolicies, stackPolicyConfig } from "../../tools/policy/runner";
import { deployHomelab } from "../../program";
import { RecordedResource, record } from "../helpers/harness";
import { credentialConfig, referenceInventory } from "../program/reference";

let resources: RecordedResource[];

beforeAll(async () => {
    const creds = credentialConfig();
    const inv = referenceInventory();
    ({
        recording: { resources },
    } = await record(() => deployHomelab(inv, readCredentials()), { config: creds.config, secretKeys: creds.secretKeys }));
});

/** A deep copy of the recorded resources with one resource's inputs changed. */
function mutated(changes: Record<string, (inputs: Record<string, unknown>) => void>): RecordedResource[] {
    return resources.map((r) => {
        const copy = { ...r, inputs: JSON.parse(JSON.stringify(r.inputs)) as Record<string, unknown> };
        changes[r.name]?.(copy.inputs);
        return copy;
    });
}

describe("the policy pack over the reference stack", () => {
    it("finds no violation at all with the prod stack's config", () => {
        expect(runPolicies(resources, stackPolicyConfig("prod")).violations).toEqual([]);
    });

    it("needs no exemption in any policy file: the inventory's reasons, registered by the guest components, exempt the privileged photos container and the router's open firewall", () => {
        expect(runPolicies(resources).violations).toEqual([]);
        // Without the reasons (the components' outputs) the same two are flagged.
        const withoutReasons = resources.map((r) =>
            r.type === "homelab:proxmox:LxcGuest" || r.type === "homelab:proxmox:VmGuest"
                ? { ...r, outputs: { ...r.outputs, privilegedReason: undefined, firewallPolicyReason: undefined } }
                : r,
        );
        const found = runPolicies(withoutReasons).violations.map((v) => [v.level, v.policy, v.name]);
        expect(found).toEqual(
            expect.arrayContaining([
                ["mandatory", "proxmox-container-unprivileged", "photos-container"],
                ["advisory", "proxmox-guest-firewall", "opnsense-firewall"],
            ]),
        );
        expect(found).toHaveLength(2);
    });

    it("checks the VMIDs of the VMs without cloud-init from their components: a wrong one on the Windows VM is flagged", () => {
        const isoVms = resources.filter((r) => r.type === "proxmoxve:index/vmLegacy:VmLegacy" && r.inputs.initialization === undefined);
        expect(isoVms.map((r) => r.name).sort()).toEqual(["opnsense-vm", "windows-vm"]);
        const broken = mutated({
            "windows-vm": (inputs) => {
                inputs.vmId = 20031;
            },
        });
        const scheme = runPolicies(broken, stackPolicyConfig("prod")).violations.filter((v) => v.policy.startsWith("proxmox-vmid-scheme"));
        expect(scheme.map((v) => [v.level, v.policy, v.name, v.message])).toEqual([
            [
                "mandatory",
                "proxmox-vmid-scheme-components",
                "windows-vm",
                "VMID 20031 of windows-vm does not follow the scheme: VLAN 20 (first NIC) × 1000 + last octet of 192.168.20.30 (the guest component's ipv4) = 20030. Set `guests.windows.vmid` to 20030, or fix the VLAN or address.",
            ],
        ]);
    });

    it("checks the router's trunk NIC (no VLAN tag) from the VmGuest's registered vlan", () => {
        // The component's `vlan` output (the inventory's VLAN) completes the untagged trunk.
        const withVlan = (vmId: number) =>
            resources.map((r) => {
                if (r.name === "opnsense" && r.type === "homelab:proxmox:VmGuest") return { ...r, outputs: { ...r.outputs, vlan: 10 } };
                if (r.name === "opnsense-vm") return { ...r, inputs: { ...r.inputs, vmId } };
                return r;
            });
        const of = (stack: RecordedResource[]) =>
            runPolicies(stack, stackPolicyConfig("prod"))
                .violations.filter((v) => v.policy === "proxmox-vmid-scheme-components")
                .map((v) => v.message);
        expect(of(withVlan(10001))).toEqual([]);
        expect(of(withVlan(10002))).toEqual([
            "VMID 10002 of opnsense-vm does not follow the scheme: VLAN 10 (the guest component's vlan) × 1000 + last octet of 192.168.10.1 (the guest component's ipv4) = 10001. Set `guests.opnsense.vmid` to 10001, or fix the VLAN or address.",
        ]);
    });

    it("finds exactly the expected mandatory violations in a deliberately broken copy", () => {
        const broken = mutated({
            // A second privileged container, with no reason in the inventory.
            "media-container": (inputs) => {
                inputs.unprivileged = false;
            },
            // A root disk on the installer's `local` storage.
            "cloud-container": (inputs) => {
                (inputs.disk as Record<string, unknown>).datastoreId = "local";
            },
            // A bucket whose public access is no longer blocked.
            "offsite-public-access-block": (inputs) => {
                inputs.blockPublicPolicy = false;
                inputs.restrictPublicBuckets = false;
            },
        });
        const mandatory = runPolicies(broken, stackPolicyConfig("prod"))
            .violations.filter((v) => v.level === "mandatory")
            .map((v) => [v.policy, v.name])
            .sort();
        expect(mandatory).toEqual([
            ["offsite-bucket-hardened", "offsite-bucket"],
            ["proxmox-container-unprivileged", "media-container"],
            ["proxmox-guest-storage-not-local", "cloud-container"],
        ]);
    });
});

describe("the policy pack over a B2 variant of the reference stack", () => {
    it("finds no violation: B2 has no public access block API, and the bucket says which service it is on", async () => {
        const inv = referenceInventory();
        inv.offsite = { ...inv.offsite!, service: "b2", region: "us-west-004", endpoint: "https://s3.us-west-004.backblazeb2.com" };
        const creds = credentialConfig();
        const { recording } = await record(() => deployHomelab(inv, readCredentials()), {
            config: creds.config,
            secretKeys: creds.secretKeys,
        });
        expect(recording.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")).toEqual([]);
        expect(runPolicies(recording.resources, stackPolicyConfig("prod")).violations).toEqual([]);
    });
});

describe("the policy pack over an R2 variant of the reference stack", () => {
    it("waives what R2 does not have (versioning, encryption setting, public access block) and nothing else", async () => {
        const inv = referenceInventory();
        inv.offsite = {
            ...inv.offsite!,
            service: "r2",
            region: "auto",
            endpoint: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
            servesPbs: false,
        };
        const creds = credentialConfig();
        const { recording } = await record(() => deployHomelab(inv, readCredentials()), {
            config: creds.config,
            secretKeys: creds.secretKeys,
        });
        expect(recording.ofType("aws:s3/bucketVersioning:BucketVersioning")).toEqual([]);
        // The bucket rules find nothing. PBS does not write to an R2 bucket (no versioning), so the
        // backed-up data has no offsite copy the program makes: the 3-2-1 rule says so, and only it.
        const violations = runPolicies(recording.resources, stackPolicyConfig("prod")).violations;
        expect(violations.filter((v) => v.policy !== "backup-three-two-one")).toEqual([]);
        expect(violations.length).toBe(16);
        for (const v of violations) expect(v.message).toContain("none offsite");

        // The same bucket outside the component gets no waiver.
        const bare = recording.resources.map((r) => (r.type === "aws:s3/bucket:Bucket" ? { ...r, parent: undefined } : r));
        const found = runPolicies(bare, stackPolicyConfig("prod")).violations.map((v) => v.policy);
        expect(found.filter((p) => p === "offsite-bucket-hardened")).toHaveLength(4);
    });
});

describe("the policy pack over the three-node example stack", () => {
    it("checks the keepalived pair from what its members' guest components register", async () => {
        const inv = parseInventory(readStackFile(path.join(__dirname, "../../Pulumi.example-cluster.yaml")).inventory);
        const creds = credentialConfig();
        const { recording } = await record(() => deployHomelab(inv, readCredentials()), {
            config: creds.config,
            secretKeys: creds.secretKeys,
        });
        const members = recording.resources.filter((r) => r.outputs.haKind === "keepalived");
        expect(members.map((r) => [r.name, r.outputs.haGroup, r.outputs.nodeName])).toEqual([
            ["dns-a", "resolvers", "pve1"],
            ["dns-b", "resolvers", "pve2"],
        ]);
        const rule = "proxmox-ha-pair-separate-nodes";
        const config = { [rule]: { enforcementLevel: "mandatory" as const } };
        expect(runPolicies(recording.resources, config).violations.filter((v) => v.policy === rule)).toEqual([]);
        // dns-b moved onto dns-a's node (the inventory refuses this first; the pack would catch it too).
        const together = recording.resources.map((r) =>
            r.name === "dns-b"
                ? { ...r, outputs: { ...r.outputs, nodeName: "pve1" } }
                : r.name === "dns-b-container"
                  ? { ...r, inputs: { ...r.inputs, nodeName: "pve1" } }
                  : r,
        );
        expect(
            runPolicies(together, config)
                .violations.filter((v) => v.policy === rule)
                .map((v) => v.name),
        ).toEqual(["dns-a-container", "dns-b-container"]);
    });
});
