/**
 * The privilege table (lib/privileges.ts) and the computation from uses to needs, role and ACLs
 * (lib/grants.ts): every privilege is one Proxmox knows on its version, every need cites its
 * upstream source, the table never asks for what only an administrator should hold, and the ACLs
 * sit on exactly the paths needed, with `/vms` and `/storage` as the only propagated subtrees.
 */
import {
    HERE,
    PathNeed,
    ResourceUse,
    SUBTREES,
    aclGrants,
    isGranted,
    pathNeeds,
    readsBeyondAuditor,
    rolePrivileges,
} from "../../lib/grants";
import { PRIVILEGE_TABLE } from "../../lib/privileges";
import { privilegesOf } from "../../policies/shared/pveRoles";

const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const CT = "proxmoxve:index/containerLegacy:ContainerLegacy";
const ZFS = "proxmoxve:storage/zfspool:Zfspool";
const REPLICATION = "proxmoxve:index/replication:Replication";

const needsOf = (entry: (typeof PRIVILEGE_TABLE)[string]) => ("needs" in entry ? entry.needs : []);
const allNeeds = Object.values(PRIVILEGE_TABLE).flatMap(needsOf);

/** `privilege@path` of needs, sorted and unique. */
const flat = (needs: readonly PathNeed[]) => [...new Set(needs.map((n) => `${n.privilege}@${n.path}`))].sort();

describe("the privilege table", () => {
    it.each([8, 9] as const)("names only privileges Proxmox VE %i knows, for the needs that apply on it", (version) => {
        const known = privilegesOf(version);
        const unknown = allNeeds
            .filter((n) => n.pve === undefined || n.pve === version)
            .flatMap((n) => n.privileges)
            .filter((p) => !known.has(p));
        expect(unknown).toEqual([]);
    });

    it("keeps the version-specific privileges apart: VM.Monitor only on 8, VM.GuestAgent.* and VM.Replicate only on 9", () => {
        const onlyOn = (privilege: string) => [...new Set(allNeeds.filter((n) => n.privileges.includes(privilege)).map((n) => n.pve))];
        expect(onlyOn("VM.Monitor")).toEqual([8]);
        expect(onlyOn("VM.GuestAgent.Audit")).toEqual([9]);
        expect(onlyOn("VM.Replicate")).toEqual([9]);
        expect([...privilegesOf(8)].filter((p) => !privilegesOf(9).has(p))).toEqual(["VM.Monitor"]);
        expect([...privilegesOf(9)].filter((p) => !privilegesOf(8).has(p)).sort()).toEqual([
            "VM.GuestAgent.Audit",
            "VM.GuestAgent.FileRead",
            "VM.GuestAgent.FileSystemMgmt",
            "VM.GuestAgent.FileWrite",
            "VM.GuestAgent.Unrestricted",
            "VM.Replicate",
        ]);
    });

    it("never asks for what only an administrator should hold: permissions, node power, users, realms, pools, SDN changes", () => {
        const forbidden = ["Permissions.Modify", "Sys.PowerMgmt", "Sys.Incoming", "User.Modify", "Realm.Allocate", "Realm.AllocateUser"];
        const asked = new Set(allNeeds.flatMap((n) => n.privileges));
        expect(forbidden.filter((p) => asked.has(p))).toEqual([]);
        expect([...asked].filter((p) => p.startsWith("Pool.") || p === "SDN.Allocate" || p === "Group.Allocate")).toEqual([]);
    });

    it("cites an upstream source for every need: the repository, the file, and what the call is", () => {
        const repository = /^(pve-firewall|pve-storage|pve-manager|pve-container|qemu-server|pve-guest-common|pve-ha-manager) /;
        for (const n of allNeeds) {
            expect({ call: n.call, source: n.source }).toEqual({ call: n.call, source: expect.stringMatching(repository) });
            expect(n.call.length).toBeGreaterThan(2);
            expect(n.privileges.length).toBeGreaterThan(0);
        }
    });

    it("manages the token's own role, user, token and ACLs through root@pam only, saying why", () => {
        const rootOnly = Object.entries(PRIVILEGE_TABLE).filter(([, e]) => "rootOnly" in e);
        expect(rootOnly.map(([type]) => type).sort()).toEqual([
            "proxmoxve:index/acl:Acl",
            "proxmoxve:index/roleLegacy:RoleLegacy",
            "proxmoxve:index/userLegacy:UserLegacy",
            "proxmoxve:user/token:Token",
        ]);
        for (const [, e] of rootOnly) expect("rootOnly" in e && e.rootOnly).toMatch(/Permissions\.Modify/);
    });
});

describe("pathNeeds", () => {
    const vm: ResourceUse = {
        type: VM,
        entity: "guests.pbs",
        at: { datacenter: HERE, guest: ["10020"], diskStorage: ["local-zfs"], imageStorage: ["local"], vnet: ["vmbr0"] },
        traits: ["agent", "cloudInit"],
    };

    it("puts each privilege of a need on the path of each id its slot has", () => {
        const needs = pathNeeds([vm], 9);
        expect(flat(needs.filter((n) => n.slot === "diskStorage" || n.slot === "imageStorage" || n.slot === "vnet"))).toEqual([
            "Datastore.AllocateSpace@/storage/local-zfs",
            "Datastore.Audit@/storage/local",
            // The provider reads a disk's format back from the storage.
            "Datastore.Audit@/storage/local-zfs",
            "SDN.Use@/sdn/zones/localnetwork/vmbr0",
        ]);
        const pbs = needs.find((n) => n.privilege === "VM.Config.Cloudinit")!;
        expect(pbs).toEqual({
            privilege: "VM.Config.Cloudinit",
            path: "/vms/10020",
            slot: "guest",
            type: VM,
            entity: "guests.pbs",
            call: expect.stringContaining("cicustom"),
            source: expect.stringContaining("qemu-server src/PVE/API2/Qemu.pm"),
            read: false,
        });
    });

    it("applies a need only with its trait, on its version, and where its slot has ids (no clone source, no VM.Clone)", () => {
        const privileges = (use: ResourceUse, version: 8 | 9) => rolePrivileges(pathNeeds([use], version));
        expect(privileges(vm, 9)).toEqual(expect.arrayContaining(["VM.GuestAgent.Audit", "VM.Config.Cloudinit", "Sys.Modify"]));
        expect(privileges(vm, 9)).not.toContain("VM.Monitor");
        expect(privileges(vm, 8)).toEqual(expect.arrayContaining(["VM.Monitor"]));
        expect(privileges(vm, 8)).not.toContain("VM.GuestAgent.Audit");
        expect(privileges({ ...vm, traits: [] }, 9)).not.toContain("VM.GuestAgent.Audit");
        expect(privileges({ ...vm, traits: [] }, 9)).not.toContain("VM.Config.Cloudinit");
        expect(privileges(vm, 9)).not.toContain("VM.Clone");
        expect(privileges({ ...vm, at: { ...vm.at, cloneSource: ["9000"] } }, 9)).toContain("VM.Clone");
        const replication: ResourceUse = { type: REPLICATION, entity: "guests.git", at: { guest: ["20050"], storageConfig: HERE } };
        expect(flat(pathNeeds([replication], 9))).toEqual(["VM.Audit@/vms/20050", "VM.Replicate@/vms/20050"]);
        expect(flat(pathNeeds([replication], 8))).toEqual(["Datastore.Allocate@/storage", "VM.Audit@/vms/20050"]);
    });

    it("refuses a resource type the table lacks, naming it, the entity and the fix", () => {
        expect(() => pathNeeds([{ type: "proxmoxve:index/poolLegacy:PoolLegacy", entity: "pools.lab", at: {} }], 9)).toThrow(
            "[pools.lab] resource type proxmoxve:index/poolLegacy:PoolLegacy has no entry in the privilege table (lib/privileges.ts): add the API calls it makes and the privileges Proxmox checks for them",
        );
    });

    it("refuses to plan the token's own access as something the token does", () => {
        expect(() => pathNeeds([{ type: "proxmoxve:index/acl:Acl", entity: "access", at: {} }], 9)).toThrow(
            /^\[access\] proxmoxve:index\/acl:Acl is managed through root@pam only: /,
        );
    });
});

describe("aclGrants", () => {
    const container: ResourceUse = {
        type: CT,
        entity: "guests.unifi",
        at: { guest: ["10005"], diskStorage: ["local-zfs"], imageStorage: ["local"], vnet: ["vmbr0/30"] },
    };
    const storage: ResourceUse = { type: ZFS, entity: "storages.tank-vm", at: { storageConfig: HERE, definedStorage: ["tank-vm"] } };

    it("grants guests on /vms and storages on /storage, propagated, when the program defines a storage it may replace (P31)", () => {
        const grants = aclGrants(pathNeeds([container, storage], 9));
        expect(grants.map((g) => [g.path, g.propagate])).toEqual([
            ["/sdn/zones/localnetwork/vmbr0/30", false],
            ["/storage", true],
            ["/vms", true],
        ]);
        expect(grants.find((g) => g.path === "/storage")!.privileges).toEqual([
            "Datastore.Allocate",
            "Datastore.AllocateSpace",
            "Datastore.Audit",
        ]);
        expect(Object.keys(SUBTREES).sort()).toEqual(["/storage", "/vms"]);
        expect(SUBTREES["/vms"]).toMatch(/remove_vm_access/);
        expect(SUBTREES["/storage"]).toMatch(/remove_storage_access/);
    });

    it("grants each storage on its own path, unpropagated, when the program only uses storages", () => {
        expect(aclGrants(pathNeeds([container], 9)).map((g) => [g.path, g.propagate, g.privileges])).toEqual([
            ["/sdn/zones/localnetwork/vmbr0/30", false, ["SDN.Use"]],
            ["/storage/local", false, ["Datastore.Audit"]],
            ["/storage/local-zfs", false, ["Datastore.AllocateSpace"]],
            ["/vms", true, expect.arrayContaining(["VM.Allocate", "VM.Config.Network"])],
        ]);
    });

    it("gives nothing anywhere else: isGranted follows Proxmox's inheritance, exact or propagated", () => {
        const needs = pathNeeds([container], 9);
        const grants = aclGrants(needs);
        const role = new Set(rolePrivileges(needs));
        for (const n of needs) expect(isGranted(grants, role, n.privilege, n.path)).toBe(true);
        expect(isGranted(grants, role, "VM.Allocate", "/vms/30041")).toBe(true);
        expect(isGranted(grants, role, "Datastore.Audit", "/storage/tank")).toBe(false);
        expect(isGranted(grants, role, "SDN.Use", "/sdn/zones/localnetwork/vmbr0/40")).toBe(false);
        expect(isGranted(grants, role, "SDN.Use", "/sdn/zones/localnetwork/vmbr0")).toBe(false);
        expect(isGranted(grants, role, "Sys.Modify", "/vms/10005")).toBe(false);
    });
});

describe("readsBeyondAuditor", () => {
    it("keeps the reads PVEAuditor (every *.Audit privilege) does not cover: storage definitions, the URL check, VM.Monitor on 8", () => {
        const storage: ResourceUse = { type: ZFS, entity: "storages.tank-vm", at: { storageConfig: HERE, definedStorage: ["tank-vm"] } };
        const download: ResourceUse = {
            type: "proxmoxve:download/file:File",
            entity: "images.debian",
            at: { datacenter: HERE, downloadStorage: ["local"] },
        };
        const vm: ResourceUse = { type: VM, entity: "guests.pbs", at: { guest: ["10020"] }, traits: ["agent"] };
        expect(flat(readsBeyondAuditor(pathNeeds([storage, download, vm], 9)))).toEqual([
            "Datastore.Allocate@/storage/tank-vm",
            "Sys.Modify@/",
        ]);
        expect(flat(readsBeyondAuditor(pathNeeds([vm], 8)))).toEqual(["VM.Monitor@/vms/10020"]);
    });
});
