import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { parse as parseYaml } from "yaml";
import { record } from "../helpers/harness";
import { GuestNetwork } from "../../components/guestShared";
import {
    VmGuest,
    VmGuestArgs,
    agentEnabled,
    bootMediaOf,
    bootOrderOf,
    machineOf,
    planVmGuest,
    snippetVolumeId,
} from "../../components/vmGuest";
import { ImageSpec, VmGuestSpec } from "../../config/schema";
import { decoded, providerRef, referenceInventory, vm } from "./fixtures";

const T = {
    guest: "homelab:proxmox:VmGuest",
    vm: "proxmoxve:index/vmLegacy:VmLegacy",
    options: "proxmoxve:firewall/optionsLegacy:OptionsLegacy",
    rules: "proxmoxve:firewall/rulesLegacy:RulesLegacy",
    ipset: "proxmoxve:firewall/ipsetLegacy:IpsetLegacy",
    file: "proxmoxve:index/fileLegacy:FileLegacy",
    ha: "proxmoxve:index/haresource:Haresource",
    provider: "pulumi:providers:proxmoxve",
};
const inv = referenceInventory();
const KEY = inv.cluster.sshPublicKeys[0];
const CLOUD_FILE = "local:import/debian-13-genericcloud-amd64-20250924-2245.qcow2";
const ALL_VLANS = [10, 20, 30, 40, 50];

const image = (contentType: ImageSpec["contentType"], fileName: string): ImageSpec => ({
    contentType,
    url: `https://images.example.org/${fileName}`,
    fileName,
    checksum: "a".repeat(64),
    checksumAlgorithm: "sha256",
    storage: "local",
    guestAgent: false,
});
const networkOf = (spec: VmGuestSpec): GuestNetwork => ({ name: spec.network, ...inv.networks[spec.network] });

function args(guest: string, spec: VmGuestSpec, extra: Partial<VmGuestArgs> = {}): VmGuestArgs {
    return {
        guestName: guest,
        spec,
        network: networkOf(spec),
        dns: { servers: ["192.168.10.1"], domain: "lab.example.org" },
        sshPublicKeys: [KEY],
        adminSources: ["192.168.10.0/24"],
        nativeVlan: 10,
        allVlans: ALL_VLANS,
        snippetsStorage: "local",
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
    it("owns exactly its VM and firewall options for the router (no address set: it forwards every address)", async () => {
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

    it("builds the router on q35 + OVMF with NICs by mapping (rombar stated, P18), a trunk of every VLAN, an explicit boot order and no agent", async () => {
        const { recording } = await deployVm("opnsense");
        const machine = recording.one("opnsense-vm", T.vm);
        expect(machine.inputs).toEqual({
            nodeName: "pve-network",
            vmId: 10001,
            name: "opnsense",
            description: "Firewall and router; the WAN and LAN NICs by PCI passthrough.",
            tags: ["critical", "network"],
            template: false,
            started: true,
            onBoot: true,
            startup: { order: 1, upDelay: 30 },
            protection: true,
            bios: "ovmf",
            machine: "q35",
            operatingSystem: { type: "other" },
            cpu: { cores: 2, type: "host", units: 2048 },
            memory: { dedicated: 4096, floating: 4096 },
            // Nothing installs an agent in the installer (P11).
            agent: { enabled: false, type: "virtio", trim: false },
            disks: [{ interface: "scsi0", datastoreId: "local-zfs", size: 32, discard: "on" }],
            // The system disk first (P12): the installer boots only while the disk is empty.
            bootOrders: ["scsi0", "ide2", "net0"],
            efiDisk: { datastoreId: "local-zfs", type: "4m", preEnrolledKeys: false },
            cdrom: { fileId: "local:iso/OPNsense-25.1-dvd-amd64.iso", interface: "ide2" },
            networkDevices: [{ bridge: "vmbr0", model: "virtio", firewall: true, trunks: "10;20;30;40;50" }],
            hostpcis: [
                { device: "hostpci0", mapping: "opnsense-wan", pcie: true, rombar: true },
                { device: "hostpci1", mapping: "opnsense-lan", pcie: true, rombar: true },
            ],
        });
        expect(machine.options.provider).toBe(providerRef(recording.one("api", T.provider)));
    });

    it("keeps an empty CD drive once the installer ISO is dropped (removing the drive would re-add a host drive, P12)", async () => {
        const { recording } = await deployVm("windows", { ...vm(inv, "windows"), cdrom: "none" });
        const machine = recording.one("windows-vm", T.vm);
        expect(machine.inputs.cdrom).toEqual({ fileId: "none", interface: "ide2" });
        expect(machine.inputs.bootOrders).toEqual(["scsi0", "ide2", "net0"]);
    });

    it("gives the Windows desktop UEFI with enrolled keys and a TPM, all on its disk's storage", async () => {
        const { recording } = await deployVm("windows");
        const machine = recording.one("windows-vm", T.vm);
        expect(machine.inputs.disks).toEqual([{ interface: "scsi0", datastoreId: "tank-vm", size: 128, discard: "on" }]);
        expect(machine.inputs.efiDisk).toEqual({ datastoreId: "tank-vm", type: "4m", preEnrolledKeys: true });
        expect(machine.inputs.tpmState).toEqual({ datastoreId: "tank-vm", version: "v2.0" });
        expect(machine.inputs.networkDevices).toEqual([{ bridge: "vmbr0", model: "virtio", firewall: true, vlanId: 20 }]);
        expect(machine.inputs.memory).toEqual({ dedicated: 8192, floating: 4096 });
        expect(machine.inputs).not.toHaveProperty("initialization");
    });

    // Facts P9 (importFrom is not ForceNew), P11 (the agent), and the user snippet replacing PVE's user data.
    it("imports the PBS VM's cloud image as its system disk and gives it user data that installs the agent, through a snippet", async () => {
        const { recording } = await deployVm("pbs");
        const machine = recording.one("pbs-vm", T.vm);
        const file = recording.one("pbs-user-data", T.file);
        expect(machine.inputs.disks).toEqual([
            { interface: "scsi0", datastoreId: "local-zfs", size: 128, discard: "on", importFrom: CLOUD_FILE },
        ]);
        expect(machine.inputs.agent).toEqual({ enabled: true, type: "virtio", trim: true });
        expect(machine.inputs.bootOrders).toEqual(["scsi0", "net0"]);
        expect(machine.inputs.initialization).toEqual({
            datastoreId: "local-zfs",
            interface: "ide0",
            ipConfigs: [{ ipv4: { address: "192.168.10.20/24", gateway: "192.168.10.1" } }],
            dns: { domain: "lab.example.org", servers: ["192.168.10.1"] },
            // The snippet's volume id as bpg names it, not an output of the file: new user data
            // replaces the snippet delete-first without making the VM a dependent (E5).
            userDataFileId: "local:snippets/pbs-user-data.yaml",
        });
        expect(snippetVolumeId("local", "pbs")).toBe("local:snippets/pbs-user-data.yaml");
        expect(machine.propertyDependencies.initialization ?? []).not.toContain(file.urn);
        expect(machine.options.dependsOn).toContain(file.urn);
        expect(file.inputs).toMatchObject({ nodeName: "pve-storage", datastoreId: "local", contentType: "snippets" });
        expect(file.options.deleteBeforeReplace).toBe(true);
        const source = decoded<{ data: string; fileName: string }>(file.inputs.sourceRaw);
        expect(source.fileName).toBe("pbs-user-data.yaml");
        expect(source.data.startsWith("#cloud-config\n")).toBe(true);
        const doc = parseYaml(source.data) as { users: { name: string; ssh_authorized_keys: string[] }[]; packages: string[] };
        expect(doc.users[0]).toMatchObject({ name: "debian", ssh_authorized_keys: [KEY] });
        expect(doc.packages).toContain("qemu-guest-agent");
    });

    it("takes the user data it is given instead of the generated one (the PBS guest's)", async () => {
        const { recording } = await deployVm("pbs", vm(inv, "pbs"), { userData: "#cloud-config\npackages: [proxmox-backup-server]\n" });
        expect(decoded<{ data: string }>(recording.one("pbs-user-data", T.file).inputs.sourceRaw).data).toBe(
            "#cloud-config\npackages: [proxmox-backup-server]\n",
        );
    });

    it("puts EFI, TPM and cloud-init on the system storage when one is named", async () => {
        const spec: VmGuestSpec = { ...vm(inv, "pbs"), bios: "ovmf", tpm: true, systemStorage: "tank-vm" };
        const { recording } = await deployVm("pbs", spec);
        const machine = recording.one("pbs-vm", T.vm);
        expect(machine.inputs.efiDisk).toEqual({ datastoreId: "tank-vm", type: "4m", preEnrolledKeys: false });
        expect(machine.inputs.tpmState).toEqual({ datastoreId: "tank-vm", version: "v2.0" });
        expect((machine.inputs.initialization as { datastoreId: string }).datastoreId).toBe("tank-vm");
    });

    it("passes a whole physical disk by its stable id through root@pam, never backed up by vzdump", async () => {
        const spec: VmGuestSpec = {
            ...vm(inv, "pbs"),
            disks: [{ storage: "local-zfs", sizeGiB: 32 }, { device: "/dev/disk/by-id/ata-WDC_WD80-1" }],
        };
        const { recording } = await deployVm("pbs", spec);
        const machine = recording.one("pbs-vm", T.vm);
        expect((machine.inputs.disks as unknown[])[1]).toEqual({
            interface: "scsi1",
            datastoreId: "",
            pathInDatastore: "/dev/disk/by-id/ata-WDC_WD80-1",
            fileFormat: "raw",
            discard: "on",
            backup: false,
        });
        expect(machine.options.provider).toBe(providerRef(recording.one("root", T.provider)));
    });

    it("clones a template onto the first disk's storage, linked when asked", async () => {
        const spec: VmGuestSpec = { ...vm(inv, "pbs"), image: undefined, clone: { from: "golden", full: false } };
        const { recording } = await deployVm("pbs", spec, { cloneSource: { vmid: 9000, node: "pve-network" } });
        expect(recording.one("pbs-vm", T.vm).inputs.clone).toEqual({
            vmId: 9000,
            full: false,
            datastoreId: "local-zfs",
            nodeName: "pve-network",
        });
    });

    it("makes a template that never starts", async () => {
        const { recording } = await deployVm("pbs", { ...vm(inv, "pbs"), template: true });
        expect(recording.one("pbs-vm", T.vm).inputs).toMatchObject({ template: true, started: false, onBoot: false });
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
        expect(machine.inputs.hostpcis).toEqual([{ device: "hostpci0", mapping: "hba", pcie: true, rombar: true }]);
        expect(machine.inputs.usbs).toEqual([{ mapping: "coral", usb3: true }]);
        expect(machine.options.provider).toBe(providerRef(recording.one("api", T.provider)));
    });

    it("ignores the disk speed block the provider diffs forever, and the agent wait it cannot read back while adopting (P3)", async () => {
        const plain = await deployVm("windows");
        const machine = plain.recording.one("windows-vm", T.vm);
        expect(machine.options.ignoreChanges).toEqual(["disks[*].speed"]);
        expect(machine.options.deleteBeforeReplace).toBe(true);
        const adopted = await deployVm("windows", { ...vm(inv, "windows"), adopt: true });
        const imported = adopted.recording.one("windows-vm", T.vm);
        expect(imported.options.ignoreChanges).toEqual(["disks[*].speed", "agent.waitForIp"]);
        expect(imported.options.importId).toBe("pve-storage/20030");
        expect(imported.options.deleteBeforeReplace).toBe(false);
        expect(imported.options.protect).toBe(true);
    });

    it("leaves a stateless VM unprotected, still deleting before replacing", async () => {
        const { recording } = await deployVm("pbs", { ...vm(inv, "pbs"), stateful: false });
        const machine = recording.one("pbs-vm", T.vm);
        expect(machine.options.protect).toBe(false);
        expect(machine.options.deleteBeforeReplace).toBe(true);
        expect(machine.inputs.protection).toBe(false);
    });

    // Facts P7 (every option sent) and pve-firewall compile_ipsets (a VM's implicit address set is empty).
    it("filters a VM's addresses through an explicit ipfilter-net0 set, and lets the SSH keys in from the admin network", async () => {
        const { recording } = await deployVm("pbs");
        expect(recording.one("pbs-addresses", T.ipset).inputs).toEqual({
            nodeName: "pve-storage",
            vmId: 10020,
            name: "ipfilter-net0",
            comment: "homelab: addresses the guest may send from",
            cidrs: [{ name: "192.168.10.20", comment: "the guest's address" }],
        });
        expect(decoded(recording.one("pbs-firewall", T.options).inputs.ipfilter)).toBe(true);
        expect(recording.one("pbs-firewall-rules", T.rules).inputs.rules).toEqual([
            {
                type: "in",
                action: "ACCEPT",
                enabled: true,
                proto: "tcp",
                dport: "8007",
                source: "192.168.10.0/24",
                comment: "PBS API and UI",
            },
            {
                type: "in",
                action: "ACCEPT",
                enabled: true,
                proto: "tcp",
                dport: "22",
                source: "192.168.10.0/24",
                comment: "homelab: SSH from the admin network",
            },
        ]);
    });

    it("lets the router forward every address and announce routes (ipfilter off, RAs allowed)", async () => {
        const { recording } = await deployVm("opnsense");
        const options = recording.one("opnsense-firewall", T.options);
        expect(decoded(options.inputs.ipfilter)).toBe(false);
        expect(decoded(options.inputs.radv)).toBe(true);
        expect(decoded(options.inputs.macfilter)).toBe(true);
        expect(options.inputs.inputPolicy).toBe("ACCEPT");
        expect(recording.one("opnsense", T.guest).outputs).toMatchObject({
            isGateway: true,
            firewallPolicyReason: inv.guests.opnsense.firewall.reason,
        });
    });

    it("gives Windows (no cloud-init, so no keys) no SSH rule", async () => {
        const { recording } = await deployVm("windows");
        expect(recording.one("windows-firewall-rules", T.rules).inputs.rules).toEqual([
            {
                type: "in",
                action: "ACCEPT",
                enabled: true,
                proto: "tcp",
                dport: "3389",
                source: "192.168.20.0/24",
                comment: "remote desktop",
            },
        ]);
    });

    it("adds an HA resource for a Proxmox HA member, with its group on PVE 8", async () => {
        const { recording } = await deployVm("pbs", vm(inv, "pbs"), {
            ha: { group: "backup", state: "started", maxRestart: 1, maxRelocate: 1 },
            pveVersion: 8,
        });
        expect(recording.one("pbs-ha", T.ha).inputs).toEqual({
            resourceId: "vm:10020",
            type: "vm",
            state: "started",
            maxRestart: 1,
            maxRelocate: 1,
            group: "backup",
            comment: "managed by homelab (HA group backup)",
        });
    });

    it("registers the outputs policies read", async () => {
        const { recording } = await deployVm("pbs");
        expect(recording.one("pbs", T.guest).outputs).toEqual({
            vmid: 10020,
            nodeName: "pve-storage",
            ipv4: "192.168.10.20",
            vlan: 10,
            network: "management",
            tier: "high",
            cpuUnits: 1500,
            stateful: true,
            isGateway: false,
            isTemplate: false,
            backupExclusionReason: "PBS cannot back itself up into its own datastore",
            usesRootProvider: false,
            inventoryKey: "guests.pbs",
        });
    });

    describe("refuses, before registering anything,", () => {
        it("a disk on local", () => {
            const spec: VmGuestSpec = { ...vm(inv, "windows"), disks: [{ storage: "local", sizeGiB: 64 }] };
            expect(() => planVmGuest(args("windows", spec))).toThrow('[guests.windows.disks[0].storage] "local" is the root disk');
        });
        it("system volumes on local", () => {
            const spec: VmGuestSpec = { ...vm(inv, "windows"), systemStorage: "local" };
            expect(() => planVmGuest(args("windows", spec))).toThrow('[guests.windows.systemStorage] "local" is the root disk');
        });
        it("a TPM without UEFI", () => {
            const spec: VmGuestSpec = { ...vm(inv, "windows"), bios: "seabios" };
            expect(() => planVmGuest(args("windows", spec))).toThrow('[guests.windows.bios] a TPM needs UEFI; set bios to "ovmf"');
        });
        it("an installer ISO image with a cdrom too, in the inventory's words", () => {
            const spec: VmGuestSpec = { ...vm(inv, "windows"), image: "installer" };
            const image = { ...inv.images["debian-13-cloud"], contentType: "iso" as const };
            expect(() => planVmGuest(args("windows", spec, { image, imageFileId: "local:iso/installer.iso" }))).toThrow(
                '[guests.windows.cdrom] image "installer" is an installer ISO and takes the CD drive; remove cdrom or image',
            );
        });
        it("an image without its downloaded file", () => {
            expect(() => planVmGuest(args("pbs", vm(inv, "pbs"), { imageFileId: undefined }))).toThrow(
                '[guests.pbs.image] image "debian-13-cloud" was not given to the VM',
            );
        });
        it("cloud-init without a snippets storage, with its user data generated or given (the PBS guest's)", () => {
            expect(() => planVmGuest(args("pbs", vm(inv, "pbs"), { snippetsStorage: undefined }))).toThrow(
                '[guests.pbs.cloudInit] the user data needs a storage with snippets content on node "pve-storage"',
            );
            expect(() => planVmGuest(args("pbs", vm(inv, "pbs"), { snippetsStorage: undefined, userData: "#cloud-config\n" }))).toThrow(
                '[guests.pbs.cloudInit] the user data needs a storage with snippets content on node "pve-storage"',
            );
        });
        it("a physical disk when no root provider exists", () => {
            const spec: VmGuestSpec = {
                ...vm(inv, "pbs"),
                disks: [{ storage: "local-zfs", sizeGiB: 32 }, { device: "/dev/disk/by-id/x" }],
            };
            expect(() => planVmGuest(args("pbs", spec))).toThrow(
                "[guests.pbs] needs root@pam (physical disk passthrough of /dev/disk/by-id/x)",
            );
        });
    });
});

describe("bootMediaOf", () => {
    it.each([
        ["import content", "disk-import", image("import", "d.qcow2")],
        ["an installer ISO", "cdrom", image("iso", "installer.iso")],
    ])("boots %s as %s", (_what, expected, spec) => {
        expect(bootMediaOf("boot", spec)).toBe(expected);
    });
    it("refuses a container template", () => {
        expect(() => bootMediaOf("debian-12-lxc", image("vztmpl", "t.tar.zst"), "guests.web.image")).toThrow(
            '[guests.web.image] image "debian-12-lxc" is a container template; a VM boots an installer ISO (contentType iso) or a disk image (contentType import)',
        );
    });
});

describe("agentEnabled (fact P11)", () => {
    it("is on only where something installs the agent, unless the inventory says otherwise", () => {
        const pbs = vm(inv, "pbs");
        expect(agentEnabled(pbs, false)).toBe(true);
        expect(agentEnabled({ ...pbs, cloudInit: undefined }, false)).toBe(false);
        expect(agentEnabled({ ...pbs, cloudInit: undefined }, true)).toBe(true);
        expect(agentEnabled({ ...pbs, agent: false }, true)).toBe(false);
        expect(agentEnabled(vm(inv, "windows"), false)).toBe(false);
    });
});

describe("bootOrderOf (fact P12)", () => {
    it("puts the system disk first", () => {
        expect(bootOrderOf(true)).toEqual(["scsi0", "ide2", "net0"]);
        expect(bootOrderOf(false)).toEqual(["scsi0", "net0"]);
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
