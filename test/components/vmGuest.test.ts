import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { record } from "../helpers/harness";
import { VmGuest, VmGuestArgs, agentOf, bootMediaOf, machineOf, planVmGuest } from "../../components/vmGuest";
import { networkByVlan } from "../../config/crosschecks";
import { ImageSpec, VmGuestSpec } from "../../config/schema";
import { providerRef, referenceInventory, vm } from "./fixtures";

const T = {
    guest: "homelab:proxmox:VmGuest",
    vm: "proxmoxve:index/vmLegacy:VmLegacy",
    options: "proxmoxve:firewall/optionsLegacy:OptionsLegacy",
    rules: "proxmoxve:firewall/rulesLegacy:RulesLegacy",
    ha: "proxmoxve:index/haresource:Haresource",
    provider: "pulumi:providers:proxmoxve",
};
const inv = referenceInventory();
const KEY = inv.cluster.sshPublicKeys[0];
const CLOUD_FILE = "local:iso/debian-12-genericcloud-amd64-20250210-2019.img";
const ALL_VLANS = [10, 20, 30, 40, 50];

const image = (contentType: ImageSpec["contentType"], fileName: string): ImageSpec => ({
    contentType,
    url: `https://images.example.org/${fileName}`,
    fileName,
    checksum: "a".repeat(64),
    checksumAlgorithm: "sha256",
    storage: "local",
});

function args(guest: string, spec: VmGuestSpec, extra: Partial<VmGuestArgs> = {}): VmGuestArgs {
    return {
        guestName: guest,
        spec,
        network: networkByVlan(inv, spec.vlan)![1],
        dns: { servers: ["192.168.10.1"], domain: "lab.example.org" },
        sshPublicKeys: [KEY],
        allVlans: ALL_VLANS,
        providers: { api: {} as proxmoxve.Provider },
        ...(spec.image !== undefined ? { image: inv.images[spec.image], imageFileId: CLOUD_FILE } : {}),
        ...extra,
    };
}

async function deployVm(guest: string, spec: VmGuestSpec = vm(inv, guest), extra: Partial<VmGuestArgs> = {}) {
    return record(() => {
        const api = new proxmoxve.Provider("api", {});
        const root = new proxmoxve.Provider("root", {});
        new VmGuest(guest, { ...args(guest, spec, extra), providers: { api, root } });
    });
}

describe("VmGuest", () => {
    it("owns exactly its VM and firewall options when the inventory has no rules for it", async () => {
        const { recording } = await deployVm("opnsense");
        const guest = recording.one("opnsense", T.guest);
        expect(
            recording
                .childrenOf(guest.urn)
                .map((r) => [r.type, r.name])
                .sort(),
        ).toEqual(
            [
                [T.options, "opnsense-firewall"],
                [T.vm, "opnsense-vm"],
            ].sort(),
        );
    });

    it("builds the router on q35 + OVMF with NICs by mapping, a trunk of every VLAN and everything on named storage", async () => {
        const { recording } = await deployVm("opnsense");
        const machine = recording.one("opnsense-vm", T.vm);
        expect(machine.inputs).toEqual({
            nodeName: "pve-network",
            vmId: 10001,
            name: "opnsense",
            description: "Firewall and router; the WAN and LAN NICs by PCI passthrough.",
            tags: ["critical", "network"],
            onBoot: true,
            startup: { order: 1, upDelay: 30 },
            protection: true,
            bios: "ovmf",
            machine: "q35",
            operatingSystem: { type: "other" },
            cpu: { cores: 2, type: "host", units: 2048 },
            memory: { dedicated: 4096, floating: 4096 },
            // Installer media: the agent is on but its IP is not waited for.
            agent: { enabled: true, waitForIp: { disabled: true } },
            disks: [{ interface: "scsi0", datastoreId: "net-zfs", size: 32, discard: "on" }],
            efiDisk: { datastoreId: "net-zfs", type: "4m", preEnrolledKeys: false },
            cdrom: { fileId: "local:iso/OPNsense-25.1-dvd-amd64.iso", interface: "ide2" },
            networkDevices: [{ bridge: "vmbr0", model: "virtio", firewall: true, trunks: "10;20;30;40;50" }],
            hostpcis: [
                { device: "hostpci0", mapping: "opnsense-wan", pcie: true },
                { device: "hostpci1", mapping: "opnsense-lan", pcie: true },
            ],
        });
        expect(machine.inputs.networkDevices).toEqual([expect.not.objectContaining({ vlanId: expect.anything() })]);
        expect(machine.inputs).not.toHaveProperty("initialization");
        expect(machine.inputs).not.toHaveProperty("tpmState");
        expect(machine.options.provider).toBe(providerRef(recording.one("api", T.provider)));
    });

    it("gives the Windows desktop UEFI with enrolled keys and a TPM, all on its disk's storage", async () => {
        const { recording } = await deployVm("windows");
        const machine = recording.one("windows-vm", T.vm);
        expect(machine.inputs.bios).toBe("ovmf");
        expect(machine.inputs.machine).toBe("q35");
        expect(machine.inputs.disks).toEqual([{ interface: "scsi0", datastoreId: "tank-vm", size: 128, discard: "on" }]);
        expect(machine.inputs.efiDisk).toEqual({ datastoreId: "tank-vm", type: "4m", preEnrolledKeys: true });
        expect(machine.inputs.tpmState).toEqual({ datastoreId: "tank-vm", version: "v2.0" });
        expect(machine.inputs.networkDevices).toEqual([{ bridge: "vmbr0", model: "virtio", firewall: true, vlanId: 20 }]);
        expect(machine.inputs.memory).toEqual({ dedicated: 8192, floating: 4096 });
        expect(machine.inputs.cpu).toEqual({ cores: 4, type: "x86-64-v2-AES", units: 800 });
        expect(machine.inputs).not.toHaveProperty("hostpcis");
        expect(machine.inputs).not.toHaveProperty("usbs");
        expect(machine.inputs).not.toHaveProperty("initialization");
    });

    it("boots the PBS VM from the downloaded cloud image with cloud-init user, keys and static address on named storage", async () => {
        const { recording } = await deployVm("pbs");
        const machine = recording.one("pbs-vm", T.vm);
        expect(machine.inputs.disks).toEqual([
            { interface: "scsi0", datastoreId: "stor-zfs", size: 32, discard: "on", fileId: CLOUD_FILE },
        ]);
        expect(machine.inputs.initialization).toEqual({
            datastoreId: "stor-zfs",
            interface: "ide0",
            ipConfigs: [{ ipv4: { address: "192.168.10.20/24", gateway: "192.168.10.1" } }],
            dns: { domain: "lab.example.org", servers: ["192.168.10.1"] },
            userAccount: { username: "debian", keys: [KEY] },
        });
        expect(machine.inputs.bios).toBe("seabios");
        expect(machine.inputs.machine).toBe("pc");
        expect(machine.inputs).not.toHaveProperty("efiDisk");
        expect(machine.inputs).not.toHaveProperty("cdrom");
        expect(machine.inputs).not.toHaveProperty("clone");
    });

    it("puts EFI, TPM and cloud-init on the system storage when one is named", async () => {
        const spec: VmGuestSpec = { ...vm(inv, "pbs"), bios: "ovmf", tpm: true, systemStorage: "tank-vm" };
        const { recording } = await deployVm("pbs", spec);
        const machine = recording.one("pbs-vm", T.vm);
        expect(machine.inputs.efiDisk).toEqual({ datastoreId: "tank-vm", type: "4m", preEnrolledKeys: false });
        expect(machine.inputs.tpmState).toEqual({ datastoreId: "tank-vm", version: "v2.0" });
        expect((machine.inputs.initialization as { datastoreId: string }).datastoreId).toBe("tank-vm");
        expect((machine.inputs.disks as { datastoreId: string }[])[0].datastoreId).toBe("stor-zfs");
    });

    it("imports `import` content with importFrom and puts an installer ISO in the CD drive", async () => {
        const spec: VmGuestSpec = { ...vm(inv, "pbs"), image: "img" };
        const imported = await deployVm("pbs", spec, { image: image("import", "debian.qcow2"), imageFileId: "local:import/debian.qcow2" });
        expect((imported.recording.one("pbs-vm", T.vm).inputs.disks as unknown[])[0]).toEqual({
            interface: "scsi0",
            datastoreId: "stor-zfs",
            size: 32,
            discard: "on",
            importFrom: "local:import/debian.qcow2",
        });
        const installer: VmGuestSpec = { ...vm(inv, "pbs"), image: "iso", cloudInit: undefined };
        const iso = await deployVm("pbs", installer, {
            image: image("iso", "pbs-installer.iso"),
            imageFileId: "local:iso/pbs-installer.iso",
        });
        const machine = iso.recording.one("pbs-vm", T.vm);
        expect(machine.inputs.cdrom).toEqual({ fileId: "local:iso/pbs-installer.iso", interface: "ide2" });
        expect(machine.inputs.disks).toEqual([{ interface: "scsi0", datastoreId: "stor-zfs", size: 32, discard: "on" }]);
    });

    it("clones a template onto the first disk's storage", async () => {
        const spec: VmGuestSpec = { ...vm(inv, "pbs"), image: undefined, clone: { vmid: 9000, node: "pve-storage" } };
        const { recording } = await deployVm("pbs", spec);
        expect(recording.one("pbs-vm", T.vm).inputs.clone).toEqual({
            vmId: 9000,
            full: true,
            datastoreId: "stor-zfs",
            nodeName: "pve-storage",
        });
    });

    it("passes USB only by mapping and forces q35 for PCIe passthrough", async () => {
        const spec: VmGuestSpec = {
            ...vm(inv, "pbs"),
            machine: "pc",
            pciMappings: [{ mapping: "hba", pcie: true }],
            usbMappings: [{ mapping: "coral" }],
        };
        const { recording } = await deployVm("pbs", spec);
        const machine = recording.one("pbs-vm", T.vm);
        expect(machine.inputs.machine).toBe("q35");
        expect(machine.inputs.hostpcis).toEqual([{ device: "hostpci0", mapping: "hba", pcie: true }]);
        expect(machine.inputs.usbs).toEqual([{ mapping: "coral" }]);
        expect(machine.options.provider).toBe(providerRef(recording.one("api", T.provider)));
    });

    it("defaults the balloon floor to half the memory", async () => {
        const spec: VmGuestSpec = { ...vm(inv, "pbs"), memoryMiB: 6144, memoryFloorMiB: undefined };
        const { recording } = await deployVm("pbs", spec);
        expect(recording.one("pbs-vm", T.vm).inputs.memory).toEqual({ dedicated: 6144, floating: 3072 });
    });

    it("ignores only the disk speed block the provider diffs forever", async () => {
        const { recording } = await deployVm("windows");
        expect(recording.one("windows-vm", T.vm).options.ignoreChanges).toEqual(["disks[*].speed"]);
    });

    it.each([
        ["the router booting its installer from cdrom", "opnsense", { enabled: true, waitForIp: { disabled: true } }],
        ["Windows booting its installer from cdrom", "windows", { enabled: true, waitForIp: { disabled: true } }],
        ["the PBS VM from a cloud image with cloud-init", "pbs", { enabled: true }],
    ])("enables the QEMU agent on %s, waiting for its IP only where an agent comes with the image", async (_what, guest, agent) => {
        const { recording } = await deployVm(guest);
        expect(recording.one(`${guest}-vm`, T.vm).inputs.agent).toEqual(agent);
    });

    it("does not wait for the agent of an installer ISO image or a cloud image without cloud-init; waits for a clone's", async () => {
        const installer: VmGuestSpec = { ...vm(inv, "pbs"), image: "iso", cloudInit: undefined };
        const iso = await deployVm("pbs", installer, {
            image: image("iso", "pbs-installer.iso"),
            imageFileId: "local:iso/pbs-installer.iso",
        });
        expect(iso.recording.one("pbs-vm", T.vm).inputs.agent).toEqual({ enabled: true, waitForIp: { disabled: true } });
        const bare = await deployVm("pbs", { ...vm(inv, "pbs"), cloudInit: undefined });
        expect(bare.recording.one("pbs-vm", T.vm).inputs.agent).toEqual({ enabled: true, waitForIp: { disabled: true } });
        const clone = await deployVm("pbs", { ...vm(inv, "pbs"), image: undefined, cloudInit: undefined, clone: { vmid: 9000 } });
        expect(clone.recording.one("pbs-vm", T.vm).inputs.agent).toEqual({ enabled: true });
    });

    it.each(["opnsense", "windows", "pbs"])(
        "protects the stateful VM %s in Pulumi and in Proxmox, deleting before replacing (fixed VMID)",
        async (guest) => {
            const { recording } = await deployVm(guest);
            const machine = recording.one(`${guest}-vm`, T.vm);
            expect(machine.options.protect).toBe(true);
            expect(machine.options.deleteBeforeReplace).toBe(true);
            expect(machine.inputs.protection).toBe(true);
        },
    );

    it("leaves a stateless VM unprotected, still deleting before replacing", async () => {
        const { recording } = await deployVm("pbs", { ...vm(inv, "pbs"), stateful: false });
        const machine = recording.one("pbs-vm", T.vm);
        expect(machine.options.protect).toBe(false);
        expect(machine.options.deleteBeforeReplace).toBe(true);
        expect(machine.inputs.protection).toBe(false);
        // Only the guest resource itself is protected; its firewall can always be replaced.
        expect(recording.one("pbs-firewall", T.options).options.protect).toBe(false);
    });

    it("turns the guest firewall on with the inventory's policy and rules", async () => {
        const { recording } = await deployVm("windows");
        const vmUrn = recording.one("windows-vm", T.vm).urn;
        const options = recording.one("windows-firewall", T.options);
        expect(options.inputs).toEqual({
            nodeName: "pve-storage",
            vmId: 20030,
            enabled: true,
            inputPolicy: "DROP",
            outputPolicy: "ACCEPT",
        });
        expect(options.options.dependsOn).toEqual([vmUrn]);
        expect(recording.one("windows-firewall-rules", T.rules).inputs).toEqual({
            nodeName: "pve-storage",
            vmId: 20030,
            rules: [
                {
                    type: "in",
                    action: "ACCEPT",
                    enabled: true,
                    proto: "tcp",
                    dport: "3389",
                    source: "192.168.20.0/24",
                    comment: "remote desktop",
                },
            ],
        });
    });

    it("adds an HA resource for an HA-managed VM", async () => {
        const spec: VmGuestSpec = { ...vm(inv, "pbs"), ha: { state: "started" } };
        const { recording } = await deployVm("pbs", spec);
        expect(recording.one("pbs-ha", T.ha).inputs).toEqual({
            resourceId: "vm:10020",
            type: "vm",
            state: "started",
            comment: "managed by homelab",
        });
    });

    it("registers the outputs policies read", async () => {
        const { recording } = await deployVm("pbs");
        expect(recording.one("pbs", T.guest).outputs).toEqual({
            vmid: 10020,
            nodeName: "pve-storage",
            ipv4: "192.168.10.20",
            vlan: 10,
            tier: "high",
            backupExclusionReason: "PBS cannot back itself up into its own datastore",
            usesRootProvider: false,
        });
    });

    describe("refuses, before registering anything,", () => {
        it("a disk on local", () => {
            const spec: VmGuestSpec = { ...vm(inv, "windows"), disks: [{ storage: "local", sizeGiB: 64 }] };
            expect(() => planVmGuest(args("windows", spec))).toThrow('[guests.windows.disks[0].storage] must not be "local"');
        });
        it("system volumes on local", () => {
            const spec: VmGuestSpec = { ...vm(inv, "windows"), systemStorage: "local" };
            expect(() => planVmGuest(args("windows", spec))).toThrow('[guests.windows.systemStorage] must not be "local"');
        });
        it("a TPM without UEFI", () => {
            const spec: VmGuestSpec = { ...vm(inv, "windows"), bios: "seabios" };
            expect(() => planVmGuest(args("windows", spec))).toThrow('[guests.windows.bios] a TPM needs UEFI; set bios to "ovmf"');
        });
        it("an image without its downloaded file", () => {
            expect(() => planVmGuest(args("pbs", vm(inv, "pbs"), { imageFileId: undefined }))).toThrow(
                '[guests.pbs.image] image "debian-12-cloud" was not given to the VM',
            );
        });
    });
});

describe("bootMediaOf", () => {
    it.each([
        ["import content", "disk-import", image("import", "d.qcow2")],
        ["an iso-content cloud image", "disk-file", image("iso", "d.img")],
        ["an installer ISO", "cdrom", image("iso", "installer.ISO")],
    ])("boots %s as %s", (_what, expected, spec) => {
        expect(bootMediaOf(spec)).toBe(expected);
    });
    it("refuses a container template", () => {
        expect(() => bootMediaOf(image("vztmpl", "t.tar.zst"))).toThrow("a container template (vztmpl) cannot boot a VM");
    });
});

describe("agentOf", () => {
    it("waits for the agent's IP only on clones and cloud-init disk images", () => {
        const pbs = vm(inv, "pbs");
        const noWait = { enabled: true, waitForIp: { disabled: true } };
        expect(agentOf(pbs, "disk-file")).toEqual({ enabled: true });
        expect(agentOf(pbs, "disk-import")).toEqual({ enabled: true });
        expect(agentOf(pbs, "cdrom")).toEqual(noWait);
        expect(agentOf({ ...pbs, cloudInit: undefined }, "disk-file")).toEqual(noWait);
        expect(agentOf({ ...pbs, image: undefined, clone: { vmid: 9000 } }, undefined)).toEqual({ enabled: true });
        expect(agentOf(vm(inv, "windows"), undefined)).toEqual(noWait);
    });
});

describe("machineOf", () => {
    it("keeps pc without PCIe passthrough and takes q35 where asked or needed", () => {
        expect(machineOf(vm(inv, "pbs"))).toBe("pc");
        expect(machineOf(vm(inv, "windows"))).toBe("q35");
        expect(machineOf({ ...vm(inv, "pbs"), pciMappings: [{ mapping: "x", pcie: false }] })).toBe("pc");
        expect(machineOf({ ...vm(inv, "pbs"), pciMappings: [{ mapping: "x", pcie: true }] })).toBe("q35");
    });
});
