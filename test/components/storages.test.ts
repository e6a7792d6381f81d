import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { record } from "../helpers/harness";
import { Storages } from "../../components/storages";
import { StorageSpec } from "../../config/schema";
import { referenceInventory } from "./fixtures";

const inv = referenceInventory();
const NODES = Object.keys(inv.nodes);

class Dataset extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Dataset", name, {});
    }
}

async function deploy(storages: Record<string, StorageSpec>, cifsPassword?: string) {
    return record(() => {
        const api = new proxmoxve.Provider("api", {});
        const ds = new Dataset("tank/vm");
        new Storages("storages", {
            storages,
            nodeNames: NODES,
            dependencies: { "tank-vm": [ds] },
            ...(cifsPassword ? { cifsPassword } : {}),
            provider: api,
        });
    });
}

describe("Storages", () => {
    it("registers only the managed storages of the reference stack, never the installer's, nor the PBS one (the backup plan's)", async () => {
        const { recording } = await deploy(inv.storages);
        const component = recording.one("storages", "homelab:proxmox:Storages");
        expect(
            recording
                .childrenOf(component.urn)
                .map((r) => [r.type, r.name])
                .sort(),
        ).toEqual([
            ["proxmoxve:storage/nfs:Nfs", "storages-shared-nfs"],
            ["proxmoxve:storage/zfspool:Zfspool", "storages-tank-vm"],
        ]);
    });

    // Fact P13: a storage with a fixed id is created before the old one is deleted unless told otherwise.
    it("defines each storage once for the cluster with its nodes, deletes before replacing, and waits for what stands behind it", async () => {
        const { recording } = await deploy(inv.storages);
        const zfs = recording.one("storages-tank-vm", "proxmoxve:storage/zfspool:Zfspool");
        expect(zfs.inputs).toEqual({
            resourceId: "tank-vm",
            nodes: ["pve-storage"],
            contents: ["images", "rootdir"],
            zfsPool: "tank/vm",
            thinProvision: true,
        });
        expect(zfs.options.deleteBeforeReplace).toBe(true);
        expect(zfs.options.dependsOn).toEqual([recording.one("tank/vm", "test:index:Dataset").urn]);
        const nfs = recording.one("storages-shared-nfs", "proxmoxve:storage/nfs:Nfs");
        expect(nfs.inputs).toEqual({
            resourceId: "shared-nfs",
            nodes: ["pve-network"],
            contents: ["images", "rootdir"],
            server: "192.168.10.12",
            export: "/tank/shared",
        });
    });

    it("defaults a storage without nodes to every node, and handles every kind the provider has", async () => {
        const { recording } = await deploy(
            {
                scratch: { kind: "dir", path: "/mnt/scratch", content: ["backup"], managed: true },
                thin: { kind: "lvmthin", volumeGroup: "pve", thinPool: "data", content: ["images"], managed: true },
                fat: { kind: "lvm", volumeGroup: "vg0", content: ["images"], managed: true },
                smb: { kind: "cifs", server: "nas.lan", share: "backups", username: "pve", content: ["backup"], managed: true },
                ceph: { kind: "rbd", pool: "vms", content: ["images"], managed: false },
            },
            "smb-password",
        );
        expect(recording.one("storages-scratch", "proxmoxve:storage/directory:Directory").inputs).toEqual({
            resourceId: "scratch",
            nodes: ["pve-network", "pve-storage"],
            contents: ["backup"],
            path: "/mnt/scratch",
        });
        expect(recording.one("storages-thin", "proxmoxve:storage/lvmthin:Lvmthin").inputs).toMatchObject({
            volumeGroup: "pve",
            thinPool: "data",
        });
        expect(recording.one("storages-fat", "proxmoxve:storage/lvm:Lvm").inputs).toMatchObject({ volumeGroup: "vg0" });
        const smb = recording.one("storages-smb", "proxmoxve:storage/cifs:Cifs");
        expect(smb.inputs).toMatchObject({ server: "nas.lan", share: "backups", username: "pve", password: "smb-password" });
        expect(smb.secretPaths).toContain("password");
        expect(recording.resources.filter((r) => r.name === "storages-ceph")).toEqual([]);
    });

    it("makes a managed rbd storage by creating its Ceph pool (Proxmox adds the storage), protected, through the first node", async () => {
        const { recording } = await deploy({
            vmpool: { kind: "rbd", pool: "vmpool", content: ["images", "rootdir"], managed: true, size: 2 },
            declared: { kind: "rbd", pool: "other", content: ["images"], managed: false },
            fs: { kind: "cephfs", content: ["iso"], managed: false },
        });
        const component = recording.one("storages", "homelab:proxmox:Storages");
        expect(recording.childrenOf(component.urn).map((r) => [r.type, r.name])).toEqual([["proxmoxve:ceph/pool:Pool", "storages-vmpool"]]);
        const pool = recording.one("storages-vmpool", "proxmoxve:ceph/pool:Pool");
        expect(pool.inputs).toEqual({
            nodeName: "pve-network",
            name: "vmpool",
            application: "rbd",
            size: 2,
            minSize: 2,
            addStorages: true,
            removeStorages: true,
        });
        // The pool holds the guests' disks: no deploy deletes it, and another first node is not another pool.
        expect(pool.options.protect).toBe(true);
        expect(pool.options.ignoreChanges).toEqual(["nodeName"]);
        expect(pool.options.deleteBeforeReplace).toBe(true);
    });

    it("sends Proxmox's replica defaults (3 and 2) when the inventory gives none", async () => {
        const { recording } = await deploy({ vmpool: { kind: "rbd", pool: "vmpool", content: ["images", "rootdir"], managed: true } });
        expect(recording.one("storages-vmpool", "proxmoxve:ceph/pool:Pool").inputs).toMatchObject({ size: 3, minSize: 2 });
    });

    it("refuses a managed CIFS storage without its password", async () => {
        await expect(
            deploy({ smb: { kind: "cifs", server: "nas.lan", share: "b", username: "pve", content: ["backup"], managed: true } }),
        ).rejects.toThrow("[storages.smb] a managed CIFS storage needs its password: set CIFS_PASSWORD or homelab:cifsPassword (secret)");
    });
});
