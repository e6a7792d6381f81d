import { record } from "../helpers/harness";
import { RecordedResource } from "../helpers/harness";
import { haMembership, snippetsStorageOf } from "../../components/proxmox";
import { readCredentials } from "../../config/loader";
import { Inventory } from "../../config/schema";
import { guestsNeedingRoot } from "../../lib/privilege";
import { deployHomelab } from "../../program";
import { TEST_PASSWORD, TEST_SSH_KEY, TEST_TOKEN, decoded, providerRef, referenceInventory, setCredentials } from "./fixtures";

const CT = "proxmoxve:index/containerLegacy:ContainerLegacy";
const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const PROVIDER = "pulumi:providers:proxmoxve";
const FORBIDDEN = ["local", "local-lvm"];

const inv = referenceInventory();

/** The reference stack is recorded once and read by every test that does not change it. */
let reference: ReturnType<typeof recordInventory> | undefined;

function deployReference(inventory: Inventory = inv) {
    if (inventory !== inv) return recordInventory(inventory);
    reference ??= recordInventory(inv);
    return reference;
}

async function recordInventory(inventory: Inventory) {
    setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD, sshKey: TEST_SSH_KEY });
    process.env.CLOUDFLARE_API_TOKEN = "cloudflare-token-for-tests";
    process.env.PBS_PASSWORD = "pbs-password-for-tests";
    return record(() => {
        deployHomelab(inventory, readCredentials());
    });
}

/** The guest a container or VM resource belongs to (its parent component's name). */
function guestOf(recording: { get(urn: string): RecordedResource | undefined }, r: RecordedResource): string {
    return recording.get(r.parent!)!.name;
}

describe("the Proxmox part of the reference stack", () => {
    afterEach(() => {
        setCredentials({});
        delete process.env.CLOUDFLARE_API_TOKEN;
        delete process.env.PBS_PASSWORD;
    });

    it("creates every guest on its node", async () => {
        const { recording } = await deployReference();
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
        for (const r of [...recording.ofType(CT), ...recording.ofType(VM)])
            expect(r.inputs.nodeName).toBe(inv.guests[guestOf(recording, r)].node);
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
            (machine.inputs.disks as { datastoreId?: string }[]).forEach((d, i) => named(`${machine.name}.disks[${i}]`, d.datastoreId));
            if (machine.inputs.bios === "ovmf")
                named(`${machine.name}.efiDisk`, (machine.inputs.efiDisk as { datastoreId?: string } | undefined)?.datastoreId);
            if (machine.inputs.tpmState !== undefined)
                named(`${machine.name}.tpmState`, (machine.inputs.tpmState as { datastoreId?: string }).datastoreId);
            if (machine.inputs.initialization !== undefined)
                named(`${machine.name}.initialization`, (machine.inputs.initialization as { datastoreId?: string }).datastoreId);
        }
        expect(storages.sort()).toEqual(
            [
                "cloud-container.disk=local-zfs",
                "edge-container.disk=local-zfs",
                "files-container.disk=local-zfs",
                "media-container.disk=local-zfs",
                "nvr-container.disk=local-zfs",
                "photos-container.disk=local-zfs",
                "unifi-container.disk=local-zfs",
                "opnsense-vm.disks[0]=local-zfs",
                "opnsense-vm.efiDisk=local-zfs",
                "pbs-vm.disks[0]=local-zfs",
                "pbs-vm.initialization=local-zfs",
                "windows-vm.disks[0]=tank-vm",
                "windows-vm.efiDisk=tank-vm",
                "windows-vm.tpmState=tank-vm",
            ].sort(),
        );
    });

    // Fact P17: only what Proxmox reserves for root@pam goes through the root provider.
    it("uses the root provider exactly for the token's own access and the guests whose inputs need root@pam, and the API token for everything else", async () => {
        const { recording } = await deployReference();
        const api = providerRef(recording.one("proxmox-api", PROVIDER));
        const root = providerRef(recording.one("proxmox-root", PROVIDER));
        const needing = Object.keys(guestsNeedingRoot(inv.guests)).sort();
        expect(needing).toEqual(["cloud", "edge", "media", "nvr", "photos"]);
        const rootUsers = recording.resources.filter((r) => r.options.provider === root);
        const access = recording.one("access", "homelab:proxmox:Access").urn;
        expect(
            rootUsers
                .filter((r) => r.parent !== access)
                .map((r) => [r.type, guestOf(recording, r)])
                .sort(),
        ).toEqual(needing.map((g) => [CT, g]));
        expect(
            rootUsers
                .filter((r) => r.parent === access)
                .map((r) => r.type)
                .sort(),
        ).toEqual([
            ...Array(16).fill("proxmoxve:index/acl:Acl"),
            "proxmoxve:index/roleLegacy:RoleLegacy",
            "proxmoxve:index/userLegacy:UserLegacy",
            "proxmoxve:user/token:Token",
        ]);
        expect(recording.childrenOf(access).every((r) => r.options.provider === root)).toBe(true);
        const proxmox = recording.resources.filter((r) => r.custom && r.type.startsWith("proxmoxve:") && r.options.provider !== root);
        for (const r of proxmox) expect({ name: r.name, provider: r.options.provider }).toEqual({ name: r.name, provider: api });
    });

    it("keeps the token, the root password and the SSH key secret on the provider resources", async () => {
        const { recording } = await deployReference();
        const api = recording.one("proxmox-api", PROVIDER);
        const root = recording.one("proxmox-root", PROVIDER);
        expect(api.secretPaths).toEqual(expect.arrayContaining(["apiToken", "ssh"]));
        expect(root.secretPaths).toEqual(expect.arrayContaining(["password", "ssh"]));
        expect(decoded<{ privateKey: string }>(api.inputs.ssh).privateKey).toBe(TEST_SSH_KEY);
        for (const r of recording.resources.filter((x) => x.type !== PROVIDER)) {
            const text = JSON.stringify(r.inputs);
            expect(text).not.toContain(TEST_TOKEN);
            expect(text).not.toContain(TEST_PASSWORD);
            // The SSH key of a remote command's connection; the PBS VM's host key in its user data snippet.
            if (text.includes("OPENSSH PRIVATE KEY"))
                expect(r.secretPaths).toContain(r.type === "proxmoxve:index/fileLegacy:FileLegacy" ? "sourceRaw" : "connection");
        }
    });

    it("boots each guest from its own node's download of its image", async () => {
        const { recording } = await deployReference();
        for (const ct of recording.ofType(CT)) {
            const node = inv.guests[guestOf(recording, ct)].node;
            const download = recording.one(`images-node:${node}/debian-12-lxc`);
            expect((ct.inputs.operatingSystem as { templateFileId: string }).templateFileId).toBe(download.id);
            expect(ct.dependencies).toContain(download.urn);
        }
        const pbs = recording.one("pbs-vm", VM);
        expect((pbs.inputs.disks as { importFrom?: string }[])[0].importFrom).toBe(
            recording.one("images-node:pve-storage/debian-13-cloud").id,
        );
    });

    it("makes each guest wait for its node's bridge and storage, its host preparation and the datasets it mounts", async () => {
        const { recording } = await deployReference();
        expect(recording.one("edge-container", CT).options.dependsOn).toEqual(
            expect.arrayContaining([
                recording.one("pve-network-vmbr0").urn,
                recording.one("rpool/appdata/edge-zfs").urn,
                recording.one("pve-network-host").urn,
            ]),
        );
        expect(recording.one("windows-vm", VM).options.dependsOn).toEqual(
            expect.arrayContaining([recording.one("pve-storage-vmbr0").urn, recording.one("storages-tank-vm").urn]),
        );
    });

    it("registers each container's mounts with its node-side command, never with the container (P8)", async () => {
        const { recording } = await deployReference();
        for (const ct of recording.ofType(CT)) expect(ct.inputs).not.toHaveProperty("mountPoints");
        const photos = recording.one("photos-host", "command:remote:Command");
        expect(photos.inputs.create).toContain("'/tank/photos,mp=/mnt/photos' '/tank/appdata/photos,mp=/srv/appdata'");
    });

    it("finds the snippets storage of a node and the HA membership of a guest", () => {
        expect(snippetsStorageOf(inv, "pve-storage")).toBe("local");
        const withHa: Inventory = {
            ...inv,
            ha: {
                proxy: { kind: "keepalived", members: ["edge", "cloud"], vip: "192.168.30.5", vrrpId: 5 },
                backup: { kind: "proxmox", members: ["pbs"], state: "started", maxRestart: 1, maxRelocate: 2 },
            },
        };
        expect(haMembership(withHa, "edge")).toEqual({ vrrp: { group: "proxy", vip: "192.168.30.5", peers: ["192.168.30.41"] } });
        expect(haMembership(withHa, "pbs")).toEqual({ ha: { group: "backup", state: "started", maxRestart: 1, maxRelocate: 2 } });
        expect(haMembership(withHa, "files")).toEqual({});
    });
});
