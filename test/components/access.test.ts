/**
 * The Access component: the program's user, API token, role and ACLs, through root@pam, with the
 * privileges the inventory's resources need. The reference stack's role and ACLs are written out
 * here, each privilege with the kinds of resource that need it (the table, lib/privileges.ts);
 * variants without backups, without mappings, without VLANs and on Proxmox VE 8 ask for exactly
 * what their resources need, and no more.
 */
import * as path from "path";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { Access, AutomationAccess, automationAccess, deployAccess } from "../../components/access";
import { readCredentials } from "../../config/loader";
import { parseInventory } from "../../config/parse";
import { Inventory } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";
import { mutated } from "../config/reference";
import { record } from "../helpers/harness";
import { TEST_PASSWORD, TEST_TOKEN, providerRef, referenceInventory, setCredentials } from "./fixtures";

const stack = (name: string): Inventory => parseInventory(readStackFile(path.join(__dirname, "../..", `Pulumi.${name}.yaml`)).inventory);

/** Privilege → the kinds of resource that need it (the last segment of their type), sorted. */
function provenance(access: AutomationAccess): Record<string, string[]> {
    const out: Record<string, Set<string>> = {};
    for (const n of access.needs) (out[n.privilege] ??= new Set()).add(n.type.slice(n.type.lastIndexOf(":") + 1));
    return Object.fromEntries(
        Object.entries(out)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([p, s]) => [p, [...s].sort()]),
    );
}

const aclPaths = (access: AutomationAccess) => access.acls.map((a) => [a.path, a.propagate]);

describe("automationAccess over the reference stack", () => {
    const access = automationAccess(referenceInventory());

    it("runs as homelab@pve!homelab with the role HomelabAutomation (cluster.automation's defaults)", () => {
        expect([access.userId, access.tokenName, access.tokenId, access.roleId]).toEqual([
            "homelab@pve",
            "homelab",
            "homelab@pve!homelab",
            "HomelabAutomation",
        ]);
    });

    it("asks for each privilege because a kind of resource it manages through the token needs it, and for nothing else", () => {
        expect(provenance(access)).toEqual({
            // Storage definitions (create on /storage, read back on /storage/<id>), downloads replaced, snippets, backup jobs' target.
            "Datastore.Allocate": ["File", "FileLegacy", "Job", "Nfs", "Pbs", "Zfspool"],
            "Datastore.AllocateSpace": ["ContainerLegacy", "VmLegacy"],
            "Datastore.AllocateTemplate": ["File"],
            "Datastore.Audit": ["ContainerLegacy", "File", "FileLegacy", "VmLegacy"],
            "Mapping.Audit": ["Pci", "Usb"],
            "Mapping.Modify": ["Pci", "Usb"],
            // The router's two PCI NICs; the Coral goes into a container as a device, through root@pam.
            "Mapping.Use": ["VmLegacy"],
            "SDN.Use": ["ContainerLegacy", "VmLegacy"],
            "Sys.Audit": ["File", "Firewall", "FirewallLegacy", "Job", "RulesLegacy"],
            // VM startup order changes host behaviour; the datacenter and node firewalls; bridges; download-url; backup jobs.
            "Sys.Modify": ["Bridge", "File", "Firewall", "FirewallLegacy", "Job", "RulesLegacy", "VmLegacy"],
            "VM.Allocate": ["ContainerLegacy", "VmLegacy"],
            "VM.Audit": ["ContainerLegacy", "IpsetLegacy", "OptionsLegacy", "RulesLegacy", "VmLegacy"],
            "VM.Config.CDROM": ["VmLegacy"],
            "VM.Config.CPU": ["ContainerLegacy", "VmLegacy"],
            "VM.Config.Cloudinit": ["VmLegacy"],
            "VM.Config.Disk": ["ContainerLegacy", "VmLegacy"],
            "VM.Config.HWType": ["VmLegacy"],
            "VM.Config.Memory": ["ContainerLegacy", "VmLegacy"],
            "VM.Config.Network": ["ContainerLegacy", "IpsetLegacy", "OptionsLegacy", "RulesLegacy", "VmLegacy"],
            "VM.Config.Options": ["ContainerLegacy", "VmLegacy"],
            // The PBS VM runs the agent its cloud-init installs.
            "VM.GuestAgent.Audit": ["VmLegacy"],
            "VM.PowerMgmt": ["ContainerLegacy", "VmLegacy"],
        });
        expect(access.privileges).toEqual(Object.keys(provenance(access)));
    });

    it("grants the role on the narrowest paths: /, each node, each mapping, the bridge and each VLAN used; /vms and /storage whole (P31)", () => {
        expect(aclPaths(access)).toEqual([
            ["/", false],
            ["/mapping/pci", false],
            ["/mapping/pci/opnsense-lan", false],
            ["/mapping/pci/opnsense-wan", false],
            ["/mapping/usb", false],
            ["/mapping/usb/coral", false],
            ["/nodes/pve-network", false],
            ["/nodes/pve-storage", false],
            // unifi and pbs on the management VLAN, untagged on the nodes' native VLAN.
            ["/sdn/zones/localnetwork/vmbr0", false],
            // The router's trunk carries every VLAN.
            ["/sdn/zones/localnetwork/vmbr0/10", false],
            ["/sdn/zones/localnetwork/vmbr0/20", false],
            ["/sdn/zones/localnetwork/vmbr0/30", false],
            ["/sdn/zones/localnetwork/vmbr0/40", false],
            ["/sdn/zones/localnetwork/vmbr0/50", false],
            ["/storage", true],
            ["/vms", true],
        ]);
        expect(access.acls.find((a) => a.path === "/")!.privileges).toEqual(["Sys.Audit", "Sys.Modify"]);
        expect(access.acls.find((a) => a.path === "/mapping/usb/coral")!.privileges).toEqual(["Mapping.Audit", "Mapping.Modify"]);
    });
});

describe("automationAccess over variants: exactly what their resources need", () => {
    const reference = automationAccess(referenceInventory());

    it("without backups: no need comes from a backup job or the PBS storage, and /storage/pbs is needed by nothing", () => {
        const access = automationAccess(
            parseInventory(
                mutated((r) => {
                    delete r.backups;
                    delete r.offsite;
                    for (const g of Object.values<Record<string, unknown>>(r.guests)) g.backup = { exclude: "no backups in this variant" };
                    for (const d of Object.values<Record<string, unknown>>(r.datasets))
                        d.backup = { exclude: "no backups in this variant" };
                }),
            ),
        );
        expect(reference.needs.some((n) => n.type === "proxmoxve:backup/job:Job")).toBe(true);
        expect(access.needs.filter((n) => n.type === "proxmoxve:backup/job:Job" || n.type === "proxmoxve:storage/pbs:Pbs")).toEqual([]);
        expect(access.needs.filter((n) => n.path === "/storage/pbs")).toEqual([]);
        // What backups needed, the datacenter firewall and the storage definitions need too.
        expect(access.privileges).toEqual(reference.privileges);
    });

    it("without mappings: no Mapping privilege, no /mapping ACL", () => {
        const access = automationAccess(
            parseInventory(
                mutated((r) => {
                    r.mappings = { pci: {}, usb: {} };
                    for (const g of Object.values<Record<string, unknown[]>>(r.guests)) {
                        if (g.pciMappings) g.pciMappings = [];
                        if (g.devices) g.devices = g.devices.filter((d) => !("usb" in (d as object)));
                    }
                }),
            ),
        );
        expect(reference.privileges.filter((p) => p.startsWith("Mapping."))).toEqual(["Mapping.Audit", "Mapping.Modify", "Mapping.Use"]);
        expect(access.privileges.filter((p) => p.startsWith("Mapping."))).toEqual([]);
        expect(access.acls.filter((a) => a.path.startsWith("/mapping"))).toEqual([]);
        expect(access.privileges).toEqual(reference.privileges.filter((p) => !p.startsWith("Mapping.")));
    });

    it("without VLANs (example-single, a flat LAN): SDN.Use on the bridge alone; no backup target but its own directory", () => {
        const access = automationAccess(stack("example-single"));
        expect(aclPaths(access)).toEqual([
            ["/", false],
            ["/nodes/mini", false],
            ["/sdn/zones/localnetwork/vmbr0", false],
            ["/storage", true],
            ["/vms", true],
        ]);
        // No VM: no CD-ROM, cloud-init, hardware type or agent privilege; no mapping, HA or clone either.
        expect(access.privileges).toEqual([
            "Datastore.Allocate",
            "Datastore.AllocateSpace",
            "Datastore.AllocateTemplate",
            "Datastore.Audit",
            "SDN.Use",
            "Sys.Audit",
            "Sys.Modify",
            "VM.Allocate",
            "VM.Audit",
            "VM.Config.CPU",
            "VM.Config.Disk",
            "VM.Config.Memory",
            "VM.Config.Network",
            "VM.Config.Options",
            "VM.PowerMgmt",
        ]);
    });

    it("with Proxmox HA, a linked clone and replication (example-cluster): Sys.Console on /, VM.Clone, VM.Replicate", () => {
        const access = automationAccess(stack("example-cluster"));
        const p = provenance(access);
        expect(p["Sys.Console"]).toEqual(["Haresource", "Harule"]);
        expect(p["VM.Clone"]).toEqual(["VmLegacy"]);
        expect(p["VM.Replicate"]).toEqual(["Replication"]);
        expect(access.needs.filter((n) => n.privilege === "VM.Clone").map((n) => n.path)).toEqual(["/vms/9000"]);
        expect(access.acls.find((a) => a.path === "/")!.privileges).toEqual(["Sys.Audit", "Sys.Console", "Sys.Modify"]);
    });

    it("on Proxmox VE 8: VM.Monitor for the agent, Datastore.Allocate on /storage for replication, and none of 9's privileges", () => {
        const inv = stack("example-cluster");
        const access = automationAccess({ ...inv, cluster: { ...inv.cluster, pveVersion: 8 } });
        const p = provenance(access);
        expect(p["VM.Monitor"]).toEqual(["VmLegacy"]);
        expect(p["VM.GuestAgent.Audit"]).toBeUndefined();
        expect(p["VM.Replicate"]).toBeUndefined();
        expect(access.needs.filter((n) => n.type === "proxmoxve:index/replication:Replication" && n.path === "/storage")).toEqual([
            expect.objectContaining({ privilege: "Datastore.Allocate" }),
        ]);
        expect(p["Sys.Console"]).toEqual(["Hagroup", "Haresource"]);
    });
});

describe("the Access component", () => {
    afterEach(() => setCredentials({}));

    it("registers the role, the user, the token and every ACL through the root@pam provider", async () => {
        const inv = referenceInventory();
        const { recording } = await record(() => {
            const root = new proxmoxve.Provider("root", {});
            new Access("access", { inventory: inv, provider: root });
        });
        const root = providerRef(recording.one("root", "pulumi:providers:proxmoxve"));
        const access = recording.one("access", "homelab:proxmox:Access");
        const children = recording.childrenOf(access.urn);
        expect(children.every((r) => r.options.provider === root)).toBe(true);

        const role = recording.one("access-role", "proxmoxve:index/roleLegacy:RoleLegacy");
        expect(role.inputs).toEqual({ roleId: "HomelabAutomation", privileges: automationAccess(inv).privileges });
        const user = recording.one("access-user", "proxmoxve:index/userLegacy:UserLegacy");
        expect(user.inputs).toEqual({ userId: "homelab@pve", enabled: true, comment: expect.stringContaining("homelab automation") });
        expect(user.inputs.password).toBeUndefined();
        const token = recording.one("access-token", "proxmoxve:user/token:Token");
        expect(token.inputs).toEqual({
            userId: "homelab@pve",
            tokenName: "homelab",
            privilegesSeparation: false,
            comment: expect.stringContaining("API token"),
        });
        expect(token.options.dependsOn).toEqual([user.urn]);

        const acls = recording.ofType("proxmoxve:index/acl:Acl");
        expect(acls.map((a) => [a.inputs.path, a.inputs.propagate])).toEqual(aclPaths(automationAccess(inv)));
        for (const acl of acls) {
            // Plain ids: the policy pack reads them in a preview, before the role or user exist.
            expect(acl.inputs).toEqual({
                path: acl.inputs.path,
                roleId: "HomelabAutomation",
                userId: "homelab@pve",
                propagate: acl.inputs.propagate,
            });
            expect([...acl.options.dependsOn].sort()).toEqual([role.urn, user.urn].sort());
        }
        expect(access.outputs).toEqual({
            tokenId: "homelab@pve!homelab",
            roleId: "HomelabAutomation",
            privileges: automationAccess(inv).privileges,
            acls: aclPaths(automationAccess(inv)).map(([p, propagate]) => ({ path: p, propagate })),
        });
    });

    it("follows cluster.automation: another user, token and role", () => {
        const inv = referenceInventory();
        const access = automationAccess({
            ...inv,
            cluster: { ...inv.cluster, automation: { user: "pulumi@pve", token: "ci-2026", role: "LabDeploy" } },
        });
        expect([access.tokenId, access.roleId]).toEqual(["pulumi@pve!ci-2026", "LabDeploy"]);
    });

    it("deployAccess: the API-token provider waits for every resource of the Access component", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        const inv = { ...referenceInventory(), dns: undefined };
        const { recording } = await record(() => {
            deployAccess(inv, readCredentials());
        });
        const access = recording.one("access", "homelab:proxmox:Access");
        const api = recording.one("proxmox-api", "pulumi:providers:proxmoxve");
        expect([...api.options.dependsOn].sort()).toEqual(
            recording
                .childrenOf(access.urn)
                .map((r) => r.urn)
                .sort(),
        );
        expect(recording.childrenOf(access.urn)).toHaveLength(3 + automationAccess(inv).acls.length);
    });
});
