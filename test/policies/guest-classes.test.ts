/**
 * Every guest class the provider has is judged: the cloned VM (`cloned.Vm`, `cloned.VmLegacy`, v7's
 * `vm.ClonedVirtualMachine`) and the experimental VM (`Vm`, `Vm2Legacy`, v7's `vm.VirtualMachine2`)
 * besides containers and full VMs, each read in its own input shape. A baseline per class, then
 * one mutation per rule.
 */
import * as fs from "fs";
import * as path from "path";
import { GUEST_TYPES } from "../../policies/tokens";
import { PolicyResourceInput, runPolicies } from "../../tools/policy/runner";
import {
    CLONED_VM,
    ClonedVmInputs,
    EXPERIMENTAL_VM,
    ExperimentalVmInputs,
    T,
    check,
    compliantStack,
    component,
    custom,
    mutate,
} from "./fixtures";

const SDK = path.join(__dirname, "../../node_modules/@muhlba91/pulumi-proxmoxve");

/** Every `__pulumiType` of the installed provider SDK. */
function sdkTokens(dir = SDK): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" || e.name === "types" ? [] : sdkTokens(full);
        if (!e.name.endsWith(".js")) return [];
        const m = /static __pulumiType = '([^']+)'/.exec(fs.readFileSync(full, "utf8"));
        return m ? [m[1]] : [];
    });
}

const cloned = (change: (i: ClonedVmInputs) => void = () => undefined, type: string = T.clonedVm, name = "builder-vm") =>
    mutate<ClonedVmInputs>(custom(type, name, CLONED_VM), change);
const experimental = (change: (i: ExperimentalVmInputs) => void = () => undefined, type: string = T.experimentalVm, name = "lab-vm") =>
    mutate<ExperimentalVmInputs>(custom(type, name, EXPERIMENTAL_VM), change);

/** A stack with both new classes under their guest components, firewall options and a backup job: compliant. */
function stackWithNewClasses(change: { cloned?: (i: ClonedVmInputs) => void; experimental?: (i: ExperimentalVmInputs) => void } = {}) {
    const stack = compliantStack();
    const add: PolicyResourceInput[] = [];
    for (const [name, vmid, ipv4, provider] of [
        ["builder", 10030, "192.168.10.30", cloned(change.cloned)],
        ["lab", 10031, "192.168.10.31", experimental(change.experimental)],
    ] as const) {
        const comp = component(T.vmComponent, name, { vmid, nodeName: "pve-storage", ipv4, vlan: 10, tier: "normal", backupTier: "low" });
        add.push(comp, { ...provider, parent: comp.urn });
        add.push(
            custom(
                T.firewallOptions,
                `${name}-firewall`,
                { nodeName: "pve-storage", vmId: vmid, enabled: true, inputPolicy: "DROP" },
                { parent: comp.urn },
            ),
        );
    }
    const job = custom(T.backupJob, "backup-low", { resourceId: "low", schedule: "sun 02:00", storage: "pbs", vmids: ["10030", "10031"] });
    return [...stack, ...add, job];
}

describe("the guest type sets", () => {
    it("hold every VM and container class of the installed provider SDK", () => {
        const guestLike = sdkTokens().filter((t) => /^proxmoxve:[a-z/]*\/(vm|vm2|container)[A-Za-z0-9]*:/.test(t));
        expect(guestLike.sort()).toEqual([
            "proxmoxve:cloned/vm:Vm",
            "proxmoxve:cloned/vmLegacy:VmLegacy",
            "proxmoxve:index/containerLegacy:ContainerLegacy",
            "proxmoxve:index/vm2Legacy:Vm2Legacy",
            "proxmoxve:index/vm:Vm",
            "proxmoxve:index/vmLegacy:VmLegacy",
        ]);
        for (const token of guestLike) expect([token, GUEST_TYPES.has(token)]).toEqual([token, true]);
    });
});

describe("a stack with a cloned and an experimental VM", () => {
    it("is compliant: no rule reports anything", () => {
        expect(runPolicies(stackWithNewClasses()).violations).toEqual([]);
    });
});

describe.each([
    ["cloned.Vm", T.clonedVm],
    ["cloned.VmLegacy", T.clonedVmLegacy],
])("%s", (_label, type) => {
    const one = (change?: (i: ClonedVmInputs) => void) => [cloned(change, type)];
    it("needs cpu.units", () => {
        expect(check("proxmox-guest-cpu-units", one())).toEqual([]);
        expect(
            check(
                "proxmox-guest-cpu-units",
                one((i) => delete i.cpu),
            ),
        ).toHaveLength(1);
    });
    it("needs normalized tags, and remediates them", () => {
        const stack = one((i) => (i.tags = ["Web", "web", "a"]));
        expect(check("proxmox-guest-tags-normalized", stack)).toHaveLength(1);
        const fixed = runPolicies(stack, { "proxmox-guest-tags-normalized": "remediate" });
        expect(fixed.remediations.map((r) => r.name)).toEqual(["builder-vm"]);
    });
    it("needs resourceId (its VMID), named as its field", () => {
        expect(
            check(
                "proxmox-vmid-scheme",
                one((i) => delete i.resourceId),
            ),
        ).toEqual([
            "The guest has no `resourceId`, so Proxmox assigns the next free ID. Set `resourceId` to VLAN × 1000 + the last octet of its address.",
        ]);
    });
    it("refuses a clone target or a disk on local; a disk without datastoreId stays where the clone put it", () => {
        const rule = "proxmox-guest-storage-not-local";
        expect(
            check(
                rule,
                one((i) => delete i.disk!.scsi0.datastoreId),
            ),
        ).toEqual([]);
        expect(
            check(
                rule,
                one((i) => ((i.clone.targetDatastore = "local"), (i.disk!.scsi1 = { datastoreId: "local", sizeGb: 8 }))),
            ),
        ).toEqual([
            'The clone target is on "local" (`clone.targetDatastore`). Clone to a named ZFS or LVM-thin storage.',
            'The disk scsi1 is on "local" (`disk.scsi1.datastoreId`). Move it to a named ZFS or LVM-thin storage.',
        ]);
    });
    it("is stateful when tagged so, and asks for the Pulumi protect option (it has no protection flag)", () => {
        expect(
            check(
                "proxmox-stateful-guest-protected",
                one((i) => (i.tags = ["stateful"])),
            ),
        ).toEqual([
            'The guest is stateful (tagged "stateful") but the Pulumi `protect` option is not set (this class has no `protection` flag), so deleting or replacing it deletes its data. Set `protect: true`.',
        ]);
    });
});

describe("cloned VMs in the stack rules", () => {
    it("follow the VMID scheme from their first NIC's tag and the component's ipv4", () => {
        const stack = stackWithNewClasses({ cloned: (i) => (i.resourceId = "10039") });
        expect(check("proxmox-vmid-scheme-components", stack)).toEqual([
            "VMID 10039 of builder-vm does not follow the scheme: VLAN 10 (first NIC) × 1000 + last octet of 192.168.10.30 (the guest component's ipv4) = 10030. Set `resourceId` to 10030, or fix the VLAN or address.",
        ]);
    });
    it("take part in VMID uniqueness with their string resourceId", () => {
        const stack = stackWithNewClasses({ cloned: (i) => (i.resourceId = "10020") });
        expect(check("proxmox-vmid-unique", stack)).toHaveLength(2);
    });
    it("need the firewall on every NIC of their network map", () => {
        const stack = stackWithNewClasses({ cloned: (i) => (i.network!.net1 = { bridge: "vmbr0", tag: 20 }) });
        expect(check("proxmox-guest-firewall", stack)).toEqual([
            "Guest builder-vm: NIC net1 has the firewall off (`network.net1.firewall`). Set `firewall: true`.",
        ]);
    });
    it("count their memory.size against the node (200 GiB, besides 4 + 8 GiB and the experimental VM's default 512 MiB)", () => {
        const stack = stackWithNewClasses({ cloned: (i) => (i.memory = { size: 200 * 1024 }) });
        expect(check("proxmox-node-overcommit", stack)).toEqual([
            "Node pve-storage gives its guests 212.5 GiB of memory, 2.21× its 96 GiB; the limit is 2× (192 GiB). Shrink or move guests, or raise memoryRatio in the policy config.",
        ]);
    });
    it("need a backup job", () => {
        const stack = stackWithNewClasses().filter((r) => r.name !== "backup-low");
        expect(check("proxmox-backup-coverage", stack)).toEqual([
            "Guest builder-vm is in no backup job. Give it a backup tier, or exclude it from backups with a reason.",
            "Guest lab-vm is in no backup job. Give it a backup tier, or exclude it from backups with a reason.",
        ]);
    });
    it("read the previous major's cloned VM by its vmId", () => {
        const old = custom(T.clonedVmV7, "old-clone", { ...CLONED_VM, resourceId: undefined, vmId: "10030" });
        const twin = cloned(undefined, T.clonedVm, "twin");
        expect(check("proxmox-vmid-unique", [old, twin])).toHaveLength(2);
    });
});

describe.each([
    ["Vm", T.experimentalVm],
    ["Vm2Legacy", T.vm2Legacy],
    ["vm.VirtualMachine2 (v7)", T.experimentalVmV7],
])("the experimental VM %s", (_label, type) => {
    const one = (change?: (i: ExperimentalVmInputs) => void) => [experimental(change, type)];
    it("needs cpu.units and normalized tags", () => {
        expect(
            check(
                "proxmox-guest-cpu-units",
                one((i) => delete i.cpu),
            ),
        ).toHaveLength(1);
        expect(
            check(
                "proxmox-guest-tags-normalized",
                one((i) => (i.tags = ["B", "a"])),
            ),
        ).toHaveLength(1);
    });
    it("has no volumes in its inputs, so nothing is on local", () => {
        expect(check("proxmox-guest-storage-not-local", one())).toEqual([]);
    });
    it("is not judged by the VMID scheme from its inputs (no NIC), and is reported when it has no VMID", () => {
        const result = runPolicies(one());
        expect(result.notApplicable.filter((n) => n.policy === "proxmox-vmid-scheme").map((n) => n.reason)).toEqual([
            "lab-vm: the first NIC has no VLAN tag or no static IPv4 address in the inputs",
        ]);
        expect(
            check(
                "proxmox-vmid-scheme",
                one((i) => delete i.resourceId),
            ),
        ).toHaveLength(1);
    });
});
