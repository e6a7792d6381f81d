import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { record } from "../helpers/harness";
import { ProxmoxNode, decompressionFor, networkOfAddress } from "../../components/proxmoxNode";
import { imagesOfNode } from "../../components/proxmox";
import { ImageSpec, NodeSpec } from "../../config/schema";
import { TEST_SSH_KEY, providerRef, referenceInventory } from "./fixtures";

const T = {
    node: "homelab:proxmox:Node",
    bridge: "proxmoxve:network/linux/bridge:Bridge",
    zfs: "proxmoxve:storage/zfspool:Zfspool",
    nfs: "proxmoxve:storage/nfs:Nfs",
    dir: "proxmoxve:storage/directory:Directory",
    lvmthin: "proxmoxve:storage/lvmthin:Lvmthin",
    firewall: "proxmoxve:node/firewall:Firewall",
    file: "proxmoxve:download/file:File",
};

const inv = referenceInventory();
const networks = Object.values(inv.networks);

async function deployNode(
    nodeName: string,
    spec: NodeSpec = inv.nodes[nodeName],
    images = imagesOfNode(inv, nodeName),
    sshPrivateKey?: string,
) {
    return record(() => {
        const api = new proxmoxve.Provider("api", {});
        new ProxmoxNode(nodeName, { nodeName, spec, networks, images, ...(sshPrivateKey ? { sshPrivateKey } : {}) }, { provider: api });
    });
}

describe("ProxmoxNode", () => {
    it("owns exactly its bridge, managed storages, firewall and image downloads", async () => {
        const { recording } = await deployNode("pve-storage");
        const node = recording.one("pve-storage", T.node);
        const children = recording.childrenOf(node.urn).map((r) => [r.type, r.name]);
        expect(children.sort()).toEqual(
            [
                [T.bridge, "pve-storage-vmbr0"],
                [T.zfs, "pve-storage-storage-stor-zfs"],
                [T.zfs, "pve-storage-storage-tank-vm"],
                [T.firewall, "pve-storage-firewall"],
                [T.file, "pve-storage-image-debian-12-cloud"],
                [T.file, "pve-storage-image-debian-12-lxc"],
            ].sort(),
        );
        // `local` is the installer's storage (managed: false): never created or redefined.
        expect(recording.resources.filter((r) => r.name.endsWith("-storage-local"))).toEqual([]);
        // Every child reaches the API-token provider through parentage.
        const api = recording.one("api", "pulumi:providers:proxmoxve");
        expect(new Set(recording.childrenOf(node.urn).map((r) => r.options.provider))).toEqual(new Set([providerRef(api)]));
    });

    it("adopts the installer's bridge: the host's address and gateway stay on it, VLAN-aware over its ports with the inventory's VLANs", async () => {
        const { recording } = await deployNode("pve-network");
        const bridge = recording.one("pve-network-vmbr0", T.bridge);
        expect(bridge.inputs).toEqual({
            nodeName: "pve-network",
            name: "vmbr0",
            address: "192.168.10.11/24",
            gateway: "192.168.10.1",
            ports: ["enp1s0"],
            vlanAware: true,
            vids: "10 20 30 40 50",
            comment: "VLAN-aware bridge managed by homelab",
        });
        // Leaving the stack must not delete the interface that carries the host's address.
        expect(bridge.options.retainOnDelete).toBe(true);
        expect(bridge.options.protect).toBe(false);
        expect(bridge.options.dependsOn).toEqual([]);
    });

    it("gives each node's bridge its own address, and moves no address to a VLAN interface", async () => {
        const { recording } = await deployNode("pve-storage");
        expect(recording.one("pve-storage-vmbr0", T.bridge).inputs).toMatchObject({
            nodeName: "pve-storage",
            address: "192.168.10.12/24",
            gateway: "192.168.10.1",
        });
        expect(recording.ofType("proxmoxve:network/linux/vlan:Vlan")).toEqual([]);
        expect(Object.keys(recording.countsByType()).filter((t) => t.startsWith("proxmoxve:network/"))).toEqual([T.bridge]);
    });

    it("refuses a node whose address is inside no network", async () => {
        const spec: NodeSpec = { ...inv.nodes["pve-network"], address: "10.0.0.5" };
        await expect(deployNode("pve-network", spec, {})).rejects.toThrow(
            "[nodes.pve-network.address] 10.0.0.5 is inside no network of the inventory; the bridge carries the host's address, so add the management network that holds it",
        );
    });

    it("restricts each storage definition to its node, ZFS pools thin-provisioned, and the NFS share as given", async () => {
        const { recording } = await deployNode("pve-network");
        expect(recording.one("pve-network-storage-net-zfs", T.zfs).inputs).toEqual({
            resourceId: "net-zfs",
            zfsPool: "rpool/data",
            nodes: ["pve-network"],
            contents: ["images", "rootdir"],
            thinProvision: true,
        });
        expect(recording.one("pve-network-storage-shared-nfs", T.nfs).inputs).toEqual({
            resourceId: "shared-nfs",
            server: "192.168.10.12",
            export: "/tank/shared",
            nodes: ["pve-network"],
            contents: ["images", "rootdir"],
        });
    });

    it("creates directory and LVM-thin storages where the inventory has them", async () => {
        const spec: NodeSpec = {
            ...inv.nodes["pve-network"],
            storages: {
                scratch: { kind: "dir", path: "/mnt/scratch", content: ["backup"], managed: true },
                thin: { kind: "lvmthin", volumeGroup: "pve", thinPool: "data", content: ["images"], managed: true },
            },
        };
        const { recording } = await deployNode("pve-network", spec, {});
        expect(recording.one("pve-network-storage-scratch", T.dir).inputs).toEqual({
            resourceId: "scratch",
            path: "/mnt/scratch",
            nodes: ["pve-network"],
            contents: ["backup"],
        });
        expect(recording.one("pve-network-storage-thin", T.lvmthin).inputs).toEqual({
            resourceId: "thin",
            volumeGroup: "pve",
            thinPool: "data",
            nodes: ["pve-network"],
            contents: ["images"],
        });
        expect(recording.ofType(T.file)).toEqual([]);
    });

    it("enables the node firewall", async () => {
        const { recording } = await deployNode("pve-storage");
        expect(recording.one("pve-storage-firewall", T.firewall).inputs).toEqual({ nodeName: "pve-storage", enabled: true });
    });

    it("downloads each image its guests use once, with the checksum pinned, to the image's storage", async () => {
        const { recording } = await deployNode("pve-network");
        // Only the container template: opnsense boots an uploaded ISO, not a downloaded image.
        expect(recording.ofType(T.file).map((r) => r.name)).toEqual(["pve-network-image-debian-12-lxc"]);
        const lxc = inv.images["debian-12-lxc"];
        expect(recording.one("pve-network-image-debian-12-lxc", T.file).inputs).toEqual({
            nodeName: "pve-network",
            url: lxc.url,
            fileName: "debian-12-standard_12.12-1_amd64.tar.zst",
            contentType: "vztmpl",
            datastoreId: "local",
            checksum: lxc.checksum,
            checksumAlgorithm: "sha512",
        });
    });

    it("registers name, threads, memory, a secret SSH connection and the image file ids", async () => {
        const { recording } = await deployNode("pve-storage", inv.nodes["pve-storage"], imagesOfNode(inv, "pve-storage"), TEST_SSH_KEY);
        const node = recording.one("pve-storage", T.node);
        expect(node.outputs).toEqual({
            nodeName: "pve-storage",
            threads: 16,
            memoryGiB: 96,
            sshConnection: { host: "192.168.10.12", port: 22, user: "root", privateKey: TEST_SSH_KEY },
            imageFileIds: {
                "debian-12-cloud": "pve-storage-image-debian-12-cloud-id",
                "debian-12-lxc": "pve-storage-image-debian-12-lxc-id",
            },
        });
        expect(node.outputSecretPaths).toEqual(["sshConnection"]);
    });

    it("leaves the private key out of the SSH connection when the agent is used", async () => {
        const { recording } = await deployNode("pve-network");
        const node = recording.one("pve-network", T.node);
        expect(node.outputs.sshConnection).toEqual({ host: "192.168.10.11", port: 22, user: "root" });
        expect(node.outputSecretPaths).toEqual(["sshConnection"]);
    });
});

describe("decompressionFor", () => {
    const image = (url: string, fileName: string, contentType: ImageSpec["contentType"] = "iso"): ImageSpec => ({
        contentType,
        url,
        fileName,
        checksum: "0".repeat(64),
        checksumAlgorithm: "sha256",
        storage: "local",
    });
    it.each([
        ["a compressed cloud image stored decompressed", "bz2", image("https://x.test/a.qcow2.bz2", "a.img")],
        ["a gzip image stored decompressed", "gz", image("https://x.test/a.raw.gz", "a.img")],
        ["a zstd image stored decompressed", "zst", image("https://x.test/a.img.zst", "a.img")],
        ["an image stored as downloaded", undefined, image("https://x.test/a.img.gz", "a.img.gz")],
        ["an uncompressed image", undefined, image("https://x.test/a.qcow2", "a.img")],
        ["a container template (Proxmox reads it compressed)", undefined, image("https://x.test/t.tar.zst", "t.tar.gz", "vztmpl")],
    ])("%s gets decompression %s", (_what, expected, spec) => {
        expect(decompressionFor("img", spec)).toBe(expected);
    });

    it("refuses a compression the provider cannot undo", () => {
        expect(() => decompressionFor("fcos", image("https://x.test/fcos.qcow2.xz", "fcos.img"))).toThrow(
            '[images.fcos.url] the provider cannot decompress ".xz"',
        );
    });

    it("passes the decompression algorithm to the download", async () => {
        const images = { cloud: image("https://x.test/a.qcow2.bz2", "a.img") };
        const { recording } = await deployNode("pve-network", inv.nodes["pve-network"], images);
        expect(recording.one("pve-network-image-cloud", T.file).inputs.decompressionAlgorithm).toBe("bz2");
    });
});

describe("networkOfAddress", () => {
    it("finds the network a node's address lives on, or none", () => {
        expect(networkOfAddress(networks, "192.168.10.12")?.vlan).toBe(10);
        expect(networkOfAddress(networks, "10.0.0.1")).toBeUndefined();
    });
});
