import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { record, valueOf } from "../helpers/harness";
import { Images, planDownloads } from "../../components/images";
import { Inventory } from "../../config/schema";
import { referenceInventory } from "./fixtures";

const inv = referenceInventory();

describe("planDownloads", () => {
    it("downloads each image once per node whose guests boot it, on a node-local storage", () => {
        expect(planDownloads(inv)).toEqual([
            { key: "node:pve-network/debian-12-lxc", image: "debian-12-lxc", node: "pve-network", usedBy: ["pve-network"] },
            { key: "node:pve-storage/debian-12-lxc", image: "debian-12-lxc", node: "pve-storage", usedBy: ["pve-storage"] },
            { key: "node:pve-storage/debian-13-cloud", image: "debian-13-cloud", node: "pve-storage", usedBy: ["pve-storage"] },
        ]);
    });

    it("downloads once for the cluster onto a shared storage (two downloads of one file would collide)", () => {
        const shared: Inventory = {
            ...inv,
            storages: {
                ...inv.storages,
                isos: { kind: "nfs", server: "192.168.10.12", export: "/tank/isos", content: ["vztmpl"], managed: true },
            },
            images: { ...inv.images, "debian-12-lxc": { ...inv.images["debian-12-lxc"], storage: "isos" } },
        };
        expect(planDownloads(shared).filter((d) => d.image === "debian-12-lxc")).toEqual([
            { key: "storage:isos/debian-12-lxc", image: "debian-12-lxc", node: "pve-network", usedBy: ["pve-network", "pve-storage"] },
        ]);
    });
});

describe("Images", () => {
    // Fact P13: a download with a fixed file name is created before the old one is deleted unless told otherwise.
    it("downloads with the pinned checksum, never decompressing (P19), deleting before a replacement", async () => {
        let fileId: pulumi.Output<string> | undefined;
        const { recording } = await record(() => {
            const api = new proxmoxve.Provider("api", {});
            const images = new Images("images", { images: inv.images, guests: inv.guests, storages: inv.storages, provider: api });
            fileId = images.fileId("pve-storage", "debian-12-lxc");
        });
        const file = recording.one("images-node:pve-storage/debian-13-cloud", "proxmoxve:download/file:File");
        expect(file.inputs).toEqual({
            nodeName: "pve-storage",
            url: inv.images["debian-13-cloud"].url,
            fileName: "debian-13-genericcloud-amd64-20250924-2245.qcow2",
            contentType: "import",
            datastoreId: "local",
            checksum: inv.images["debian-13-cloud"].checksum,
            checksumAlgorithm: "sha512",
        });
        expect(file.options.deleteBeforeReplace).toBe(true);
        expect(recording.ofType("proxmoxve:download/file:File")).toHaveLength(3);
        expect(await valueOf(fileId!)).toBe(recording.one("images-node:pve-storage/debian-12-lxc", "proxmoxve:download/file:File").id);
    });

    it("refuses a lookup of a download it did not make", async () => {
        await record(() => {
            const images = new Images("images", { images: inv.images, guests: inv.guests, storages: inv.storages });
            expect(() => images.fileId("pve-network", "debian-13-cloud")).toThrow(
                '[images.debian-13-cloud] no download of it for node "pve-network"',
            );
        });
    });
});
