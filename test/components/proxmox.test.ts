import * as pulumi from "@pulumi/pulumi";
import { record } from "../helpers/harness";
import { deployProxmox, imagesOfNode } from "../../components/proxmox";
import { createProxmoxProviders } from "../../lib/providers";
import { guestsNeedingRoot } from "../../lib/privilege";
import { RecordedResource } from "../helpers/harness";
import { TEST_PASSWORD, TEST_SSH_KEY, TEST_TOKEN, decoded, providerRef, referenceInventory, setCredentials } from "./fixtures";

const CT = "proxmoxve:index/containerLegacy:ContainerLegacy";
const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const PROVIDER = "pulumi:providers:proxmoxve";
const FORBIDDEN = ["local", "local-lvm"];

const inv = referenceInventory();

async function deployReference(extra: Partial<Parameters<typeof deployProxmox>[1]> = {}, before: () => unknown = () => undefined) {
    setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD, sshKey: TEST_SSH_KEY });
    return record(() => {
        before();
        deployProxmox(inv, { providers: createProxmoxProviders(inv), ...extra });
    });
}

/** The guest a container or VM resource belongs to (its parent component's name). */
function guestOf(recording: { get(urn: string): RecordedResource | undefined }, r: RecordedResource): string {
    return recording.get(r.parent!)!.name;
}

describe("deployProxmox over the reference stack", () => {
    afterEach(() => setCredentials({}));

    it("creates every node and guest with the expected resources per type", async () => {
        const { recording } = await deployReference();
        expect(recording.countsByType()).toEqual({
            "homelab:proxmox:LxcGuest": 7,
            "homelab:proxmox:Node": 2,
            "homelab:proxmox:VmGuest": 3,
            "proxmoxve:download/file:File": 3,
            "proxmoxve:firewall/optionsLegacy:OptionsLegacy": 10,
            "proxmoxve:firewall/rulesLegacy:RulesLegacy": 9,
            [CT]: 7,
            [VM]: 3,
            "proxmoxve:network/linux/bridge:Bridge": 2,
            "proxmoxve:node/firewall:Firewall": 2,
            "proxmoxve:storage/nfs:Nfs": 1,
            "proxmoxve:storage/zfspool:Zfspool": 3,
            [PROVIDER]: 2,
            "pulumi:pulumi:Stack": 1,
        });
        expect(
            recording
                .ofType(CT)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["cloud", "edge", "files", "media", "nvr", "photos", "unifi"].map((g) => `${g}-container`));
        expect(
            recording
                .ofType(VM)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["opnsense-vm", "pbs-vm", "windows-vm"]);
    });

    it("gives every guest its inventory VMID, VLAN and address", async () => {
        const { recording } = await deployReference();
        for (const r of [...recording.ofType(CT), ...recording.ofType(VM)]) {
            const spec = inv.guests[guestOf(recording, r)];
            expect(r.inputs.vmId).toBe(spec.vmid);
            if (r.type === CT) {
                // The management VLAN holds the node's own address and reaches the bridge untagged: no tag there.
                const tag = spec.vlan === 10 ? {} : { vlanId: spec.vlan };
                expect(r.inputs.networkInterfaces).toEqual([{ name: "eth0", bridge: "vmbr0", firewall: true, ...tag }]);
                const ip = (r.inputs.initialization as { ipConfigs: { ipv4: { address: string } }[] }).ipConfigs[0].ipv4.address;
                expect(ip).toBe(`${spec.ipv4}/24`);
            }
        }
    });

    it("has exactly one privileged container, photos", async () => {
        const { recording } = await deployReference();
        const privileged = recording.ofType(CT).filter((r) => r.inputs.unprivileged !== true);
        expect(privileged.map((r) => r.name)).toEqual(["photos-container"]);
        expect(privileged[0].inputs.unprivileged).toBe(false);
    });

    it("gives keyctl only to unprivileged Docker containers and nesting only to Docker containers", async () => {
        const { recording } = await deployReference();
        const features = Object.fromEntries(recording.ofType(CT).map((r) => [guestOf(recording, r), r.inputs.features]));
        expect(features).toEqual({
            unifi: undefined,
            edge: { nesting: true, keyctl: true },
            photos: { nesting: true },
            cloud: { nesting: true, keyctl: true },
            media: { nesting: true, keyctl: true },
            nvr: { nesting: true, keyctl: true },
            files: undefined,
        });
    });

    it("names a storage other than local for every disk, EFI disk, TPM state and cloud-init drive", async () => {
        const { recording } = await deployReference();
        const storages: string[] = [];
        const named = (where: string, id: unknown) => {
            expect({ where, id: typeof id }).toEqual({ where, id: "string" });
            expect(FORBIDDEN).not.toContain(id);
            storages.push(`${where}=${id}`);
        };
        for (const ct of recording.ofType(CT)) named(`${ct.name}.disk`, (ct.inputs.disk as { datastoreId?: string }).datastoreId);
        for (const machine of recording.ofType(VM)) {
            const disks = machine.inputs.disks as { datastoreId?: string }[];
            disks.forEach((d, i) => named(`${machine.name}.disks[${i}]`, d.datastoreId));
            if (machine.inputs.bios === "ovmf")
                named(`${machine.name}.efiDisk`, (machine.inputs.efiDisk as { datastoreId?: string } | undefined)?.datastoreId);
            if (machine.inputs.tpmState !== undefined)
                named(`${machine.name}.tpmState`, (machine.inputs.tpmState as { datastoreId?: string }).datastoreId);
            if (machine.inputs.initialization !== undefined)
                named(`${machine.name}.initialization`, (machine.inputs.initialization as { datastoreId?: string }).datastoreId);
        }
        expect(storages.sort()).toEqual(
            [
                "cloud-container.disk=stor-zfs",
                "edge-container.disk=net-zfs",
                "files-container.disk=stor-zfs",
                "media-container.disk=stor-zfs",
                "nvr-container.disk=stor-zfs",
                "photos-container.disk=stor-zfs",
                "unifi-container.disk=net-zfs",
                "opnsense-vm.disks[0]=net-zfs",
                "opnsense-vm.efiDisk=net-zfs",
                "pbs-vm.disks[0]=stor-zfs",
                "pbs-vm.initialization=stor-zfs",
                "windows-vm.disks[0]=tank-vm",
                "windows-vm.efiDisk=tank-vm",
                "windows-vm.tpmState=tank-vm",
            ].sort(),
        );
    });

    it("uses the root provider only for the guests that need root, and the API token for everything else", async () => {
        const { recording } = await deployReference();
        const api = providerRef(recording.one("proxmox-api", PROVIDER));
        const root = providerRef(recording.one("proxmox-root", PROVIDER));
        const needing = Object.keys(guestsNeedingRoot(inv)).sort();
        expect(needing).toEqual(["cloud", "edge", "files", "media", "nvr", "photos"]);

        const rootUsers = recording.resources.filter((r) => r.options.provider === root);
        expect(rootUsers.map((r) => [r.type, guestOf(recording, r)]).sort()).toEqual(needing.map((g) => [CT, g]));
        const others = recording.resources.filter((r) => r.custom && r.type !== PROVIDER && r.options.provider !== root);
        expect(others.length).toBeGreaterThan(0);
        for (const r of others) expect({ name: r.name, provider: r.options.provider }).toEqual({ name: r.name, provider: api });

        const usesRoot = Object.fromEntries(
            [...recording.ofType("homelab:proxmox:LxcGuest"), ...recording.ofType("homelab:proxmox:VmGuest")].map((g) => [
                g.name,
                g.outputs.usesRootProvider,
            ]),
        );
        expect(usesRoot).toEqual({
            opnsense: false,
            unifi: false,
            edge: true,
            pbs: false,
            windows: false,
            photos: true,
            cloud: true,
            media: true,
            nvr: true,
            files: true,
        });
    });

    it("keeps the token, the root password and the SSH key secret on the provider resources", async () => {
        const { recording } = await deployReference();
        const api = recording.one("proxmox-api", PROVIDER);
        const root = recording.one("proxmox-root", PROVIDER);
        expect(api.secretPaths).toEqual(expect.arrayContaining(["apiToken", "ssh"]));
        expect(root.secretPaths).toEqual(expect.arrayContaining(["password", "ssh"]));
        expect(decoded<{ privateKey: string }>(api.inputs.ssh).privateKey).toBe(TEST_SSH_KEY);
        // No credential leaks into any other resource's inputs or a component's outputs in the clear.
        for (const r of recording.resources.filter((x) => x.type !== PROVIDER)) {
            const text = JSON.stringify(r.inputs);
            expect(text).not.toContain(TEST_TOKEN);
            expect(text).not.toContain(TEST_PASSWORD);
            if (JSON.stringify(r.outputs).includes("OPENSSH PRIVATE KEY")) expect(r.outputSecretPaths).toEqual(["sshConnection"]);
        }
    });

    it("boots each guest from its own node's download of its image", async () => {
        const { recording } = await deployReference();
        expect(Object.keys(imagesOfNode(inv, "pve-network"))).toEqual(["debian-12-lxc"]);
        expect(Object.keys(imagesOfNode(inv, "pve-storage"))).toEqual(["debian-12-cloud", "debian-12-lxc"]);
        for (const ct of recording.ofType(CT)) {
            const node = inv.guests[guestOf(recording, ct)].node;
            expect((ct.inputs.operatingSystem as { templateFileId: string }).templateFileId).toBe(`${node}-image-debian-12-lxc-id`);
            expect(ct.dependencies).toContain(recording.one(`${node}-image-debian-12-lxc`).urn);
        }
        expect((recording.one("pbs-vm", VM).inputs.disks as { fileId?: string }[])[0].fileId).toBe("pve-storage-image-debian-12-cloud-id");
    });

    it("makes each guest wait for its node's bridge and storage", async () => {
        const { recording } = await deployReference();
        expect(recording.one("edge-container", CT).options.dependsOn).toEqual(
            expect.arrayContaining([recording.one("pve-network-vmbr0").urn, recording.one("pve-network-storage-net-zfs").urn]),
        );
        // windows boots an uploaded ISO: nothing but the bridge and its disk's storage to wait for.
        expect(recording.one("windows-vm", VM).options.dependsOn).toEqual([
            recording.one("pve-storage-vmbr0").urn,
            recording.one("pve-storage-storage-tank-vm").urn,
        ]);
    });

    it("takes bind mounts and dataset dependencies from the callbacks when given", async () => {
        class Dataset extends pulumi.CustomResource {
            constructor(name: string) {
                super("test:index:Dataset", name, {});
            }
        }
        let media: Dataset | undefined;
        const { recording } = await deployReference(
            {
                datasetMounts: (guest) => (guest === "media" ? [{ hostPath: "/tank/media", containerPath: "/data", readOnly: true }] : []),
                datasetDependencies: (guest) => (guest === "media" && media ? [media] : []),
            },
            () => {
                media = new Dataset("tank-media");
            },
        );
        const ct = recording.one("media-container", CT);
        expect(ct.inputs.mountPoints).toEqual([{ volume: "/tank/media", path: "/data", readOnly: true }]);
        expect(ct.options.dependsOn[0]).toBe(recording.one("tank-media").urn);
        expect(recording.one("unifi-container", CT).inputs).not.toHaveProperty("mountPoints");
    });
});
