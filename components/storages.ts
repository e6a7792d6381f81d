/**
 * The cluster's storage definitions (storage.cfg): one resource per managed storage, with the
 * nodes that have it. Storages the installer made (`local`, `local-zfs`) or that exist already
 * (`managed: false`, and every cephfs one) are only used, never registered. PBS storages are
 * registered by the backup plan, after the PBS they point at answers (P4). A managed rbd storage
 * is its Ceph pool: the program creates the pool and Proxmox adds the storage with it.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { CEPH_POOL_DEFAULTS, StorageSpec, isDeclaredOnly } from "../config/schema";

export interface StoragesArgs {
    /** The inventory's storages. */
    readonly storages: Readonly<Record<string, StorageSpec>>;
    /** Every node of the cluster (a storage without `nodes` is on all of them). */
    readonly nodeNames: readonly string[];
    /** Resources each storage waits for, by id: the dataset behind it, an NFS export (Proxmox activates a storage when it is added, P20). */
    readonly dependencies?: Readonly<Record<string, readonly pulumi.Resource[]>>;
    /** The CIFS password (secret), when a managed CIFS storage needs one. */
    readonly cifsPassword?: pulumi.Input<string>;
    /** The API-token provider the storages are made with (components/providers.ts). */
    readonly provider?: proxmoxve.Provider;
}

/** The storages of the cluster that this program creates. */
export class Storages extends pulumi.ComponentResource {
    /** Storage resources by id (managed ones only). */
    readonly byId: Record<string, pulumi.CustomResource>;

    constructor(name: string, args: StoragesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("homelab:proxmox:Storages", name, {}, opts);
        this.byId = {};
        for (const [id, storage] of Object.entries(args.storages)) {
            if (!storage.managed || storage.kind === "pbs" || isDeclaredOnly(storage)) continue;
            const child = `${name}-${id}`;
            // The id is fixed: a replacement must delete the old definition first, or the create fails
            // ("storage ID already defined", P13).
            const o: pulumi.CustomResourceOptions = {
                parent: this,
                provider: args.provider,
                dependsOn: [...(args.dependencies?.[id] ?? [])],
                deleteBeforeReplace: true,
            };
            if (storage.kind === "rbd") {
                this.byId[id] = cephPool(child, storage, args.nodeNames, o);
                continue;
            }
            const common = {
                resourceId: id,
                nodes: [...(storage.nodes ?? args.nodeNames)].sort(),
                contents: [...storage.content].sort(),
            };
            switch (storage.kind) {
                case "zfspool":
                    this.byId[id] = new proxmoxve.storage.Zfspool(
                        child,
                        { ...common, zfsPool: storage.pool, thinProvision: storage.sparse },
                        o,
                    );
                    break;
                case "lvmthin":
                    this.byId[id] = new proxmoxve.storage.Lvmthin(
                        child,
                        { ...common, volumeGroup: storage.volumeGroup, thinPool: storage.thinPool },
                        o,
                    );
                    break;
                case "lvm":
                    this.byId[id] = new proxmoxve.storage.Lvm(child, { ...common, volumeGroup: storage.volumeGroup }, o);
                    break;
                case "nfs":
                    this.byId[id] = new proxmoxve.storage.Nfs(child, { ...common, server: storage.server, export: storage.export }, o);
                    break;
                case "cifs":
                    if (args.cifsPassword === undefined)
                        throw new Error(
                            `[storages.${id}] a managed CIFS storage needs its password: set CIFS_PASSWORD or homelab:cifsPassword (secret)`,
                        );
                    this.byId[id] = new proxmoxve.storage.Cifs(
                        child,
                        {
                            ...common,
                            server: storage.server,
                            share: storage.share,
                            username: storage.username,
                            ...(storage.domain !== undefined ? { domain: storage.domain } : {}),
                            password: pulumi.secret(args.cifsPassword),
                        },
                        o,
                    );
                    break;
                case "dir":
                    this.byId[id] = new proxmoxve.storage.Directory(child, { ...common, path: storage.path }, o);
                    break;
            }
        }
        this.registerOutputs({ ids: Object.keys(this.byId) });
    }
}

/**
 * A managed rbd storage: its Ceph pool, created with `add_storages` so Proxmox adds the storage
 * (named after the pool; the cross-checks hold the inventory to that). The pool holds the guests'
 * disks: it is protected, so no deploy deletes it; deleting it on purpose (after `pulumi state
 * unprotect`) is refused by Proxmox while a storage on it lists disks, and removes its storage.
 * The API call goes through any node running Ceph (the pool is cluster-wide): the first by name,
 * and a later change of that choice is ignored, since a new node name would replace the pool.
 */
function cephPool(
    name: string,
    storage: Extract<StorageSpec, { kind: "rbd" }>,
    nodeNames: readonly string[],
    opts: pulumi.CustomResourceOptions,
): proxmoxve.ceph.Pool {
    return new proxmoxve.ceph.Pool(
        name,
        {
            nodeName: [...nodeNames].sort()[0],
            name: storage.pool,
            application: "rbd",
            size: storage.size ?? CEPH_POOL_DEFAULTS.size,
            minSize: storage.minSize ?? CEPH_POOL_DEFAULTS.minSize,
            addStorages: true,
            removeStorages: true,
        },
        { ...opts, protect: true, ignoreChanges: ["nodeName"] },
    );
}
