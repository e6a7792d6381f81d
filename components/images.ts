/**
 * The images guests boot from (container templates, installer ISOs, disk images), downloaded with
 * their pinned checksum to the storage the inventory names: once per node for a node-local
 * storage, once for the cluster on a shared one (two downloads of one file to a shared storage
 * would collide).
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { GuestSpec, ImageSpec, StorageSpec } from "../config/schema";
import { SHARED_KINDS } from "../config/crosschecks";

export interface ImagesArgs {
    readonly images: Readonly<Record<string, ImageSpec>>;
    readonly guests: Readonly<Record<string, GuestSpec>>;
    readonly storages: Readonly<Record<string, StorageSpec>>;
    /** Storage resources the downloads wait for (managed storages), by id. */
    readonly storageResources?: Readonly<Record<string, pulumi.Resource>>;
    /** The API-token provider the downloads are made with (components/providers.ts). */
    readonly provider?: proxmoxve.Provider;
}

/** One planned download: where it goes and the nodes whose guests use it. */
export interface PlannedDownload {
    /** Child name suffix: `node:<node>/<image>` or, on a shared storage, `storage:<id>/<image>`. */
    readonly key: string;
    readonly image: string;
    /** The node that downloads it. */
    readonly node: string;
    /** The nodes whose guests boot from this download. */
    readonly usedBy: readonly string[];
}

/** Which downloads the guests need; deterministic. */
export function planDownloads(args: Pick<ImagesArgs, "images" | "guests" | "storages">): PlannedDownload[] {
    const nodesByImage = new Map<string, Set<string>>();
    for (const guest of Object.values(args.guests)) {
        if (guest.image === undefined || !Object.hasOwn(args.images, guest.image)) continue;
        const nodes = nodesByImage.get(guest.image) ?? new Set<string>();
        nodes.add(guest.node);
        nodesByImage.set(guest.image, nodes);
    }
    const out: PlannedDownload[] = [];
    for (const image of [...nodesByImage.keys()].sort()) {
        const nodes = [...nodesByImage.get(image)!].sort();
        const storageId = args.images[image].storage;
        const storage = args.storages[storageId];
        if (storage !== undefined && SHARED_KINDS.includes(storage.kind))
            out.push({ key: `storage:${storageId}/${image}`, image, node: nodes[0], usedBy: nodes });
        else for (const node of nodes) out.push({ key: `node:${node}/${image}`, image, node, usedBy: [node] });
    }
    return out;
}

/** The downloads of the stack; `fileId(node, image)` is the volume id a guest on `node` uses. */
export class Images extends pulumi.ComponentResource {
    private readonly ids = new Map<string, pulumi.Output<string>>();

    constructor(name: string, args: ImagesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("homelab:proxmox:Images", name, {}, opts);
        for (const d of planDownloads(args)) {
            const image = args.images[d.image];
            const storage = args.storageResources?.[image.storage];
            const file = new proxmoxve.download.File(
                `${name}-${d.key}`,
                {
                    nodeName: d.node,
                    url: image.url,
                    fileName: image.fileName,
                    contentType: image.contentType,
                    datastoreId: image.storage,
                    checksum: image.checksum,
                    checksumAlgorithm: image.checksumAlgorithm,
                },
                // The file name is fixed: a replacement deletes the old file first (P13).
                {
                    parent: this,
                    provider: args.provider,
                    deleteBeforeReplace: true,
                    ...(storage !== undefined ? { dependsOn: [storage] } : {}),
                },
            );
            for (const node of d.usedBy) this.ids.set(`${node}\u0000${d.image}`, file.id);
        }
        this.registerOutputs({});
    }

    /** The volume id of `image` for a guest on `node`. */
    fileId(node: string, image: string): pulumi.Output<string> {
        const id = this.ids.get(`${node}\u0000${image}`);
        if (id === undefined) throw new Error(`[images.${image}] no download of it for node "${node}"`);
        return id;
    }
}
