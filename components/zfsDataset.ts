/**
 * A ZFS dataset on a Proxmox node, managed over SSH: the Proxmox API has no dataset resource.
 *
 * One `command.remote.Command` runs the scripts of lib/zfs.ts: create and update converge the
 * dataset (properties, the mountpoint's owner and mode) and print its effective properties,
 * which become the `properties` output; delete leaves the data on disk unless the inventory sets
 * `allowDestroy`, and then destroys only an empty dataset, never recursively.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { Inventory } from "../config/schema";
import { datasetMountpoint } from "../lib/datasets";
import { hostIds } from "../lib/idmap";
import {
    ZfsProperties,
    ZfsDatasetSpec,
    ZfsOwner,
    ZfsPropertyValue,
    createScript,
    deleteScript,
    parseZfsGet,
    updateScript,
    validateSpec,
} from "../lib/zfs";

/** An SSH connection of @pulumi/command 1.2.1 (host, port, user, privateKey, ...). */
export type ConnectionArgs = command.types.input.remote.ConnectionArgs;

export interface ZfsDatasetArgs {
    /** Dataset name, `pool/child/...` (letters, digits and `_ . : -`). Missing parents are created. */
    readonly path: string;
    /**
     * The node whose pool holds it. It is part of the dataset's identity: a change replaces the
     * command, which `protect` stops at preview, instead of running the update on the new node
     * against an empty pool and leaving the data behind (C4).
     */
    readonly node: string;
    /** The dataset's backup tier, or the reason it has none (registered for the policy pack and the 3-2-1 report). */
    readonly backup?: { readonly tier: string } | { readonly exclude: string };
    /**
     * ZFS properties to set. A managed property (compression, recordsize, quota, reservation,
     * atime, xattr, acltype, mountpoint, sharenfs) left out is inherited, or `none` for quota and
     * reservation. @default {}
     */
    readonly properties?: ZfsProperties;
    /** Host uid owning the mountpoint (already mapped: 101000 for uid 1000 of an unprivileged container). @default ownership left alone */
    readonly ownerUid?: number;
    /** Host gid of the mountpoint; required with `ownerUid`. @default ownership left alone */
    readonly ownerGid?: number;
    /** Octal mode of the mountpoint directory, applied with the owner. @default "0750" */
    readonly mode?: string;
    /**
     * Removing the resource destroys the dataset when it is empty (no children, no snapshots, no
     * files). Otherwise the resource is protected and retained on delete: the data stays on disk.
     * @default false
     */
    readonly allowDestroy?: boolean;
    /** Root SSH connection to the node that holds the pool, its host key pinned; stored as a secret. */
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** What the command waits for (the node's NFS server, for a dataset that exports). @default [] */
    readonly dependsOn?: readonly pulumi.Resource[];
}

const DEFAULTS = { properties: {} as ZfsProperties, mode: "0750", allowDestroy: false };

/** The validated spec the scripts are built from; throws on an owner given by half. */
export function zfsDatasetSpec(args: Omit<ZfsDatasetArgs, "connection" | "node" | "backup" | "dependsOn">): ZfsDatasetSpec {
    const a = { ...DEFAULTS, ...args };
    if ((a.ownerUid === undefined) !== (a.ownerGid === undefined)) {
        throw new Error(
            `[ownerUid/ownerGid] give both or neither, got uid ${JSON.stringify(a.ownerUid)} and gid ${JSON.stringify(a.ownerGid)}`,
        );
    }
    const owner: ZfsOwner | undefined =
        a.ownerUid !== undefined && a.ownerGid !== undefined ? { uid: a.ownerUid, gid: a.ownerGid, mode: a.mode } : undefined;
    return validateSpec({ path: a.path, properties: a.properties, owner, allowDestroy: a.allowDestroy });
}

/** A ZFS dataset on a node, with its properties and the owner of its mountpoint. */
export class ZfsDataset extends pulumi.ComponentResource {
    /** Dataset name (`tank/photos`). */
    readonly path: string;
    /** Where the dataset is mounted on the node: the effective `mountpoint`, or the inventory's value before the first run. */
    readonly mountpoint: pulumi.Output<string>;
    /** Effective managed properties as the node reports them (`zfs get -Hp`: sizes in bytes), by property. */
    readonly properties: pulumi.Output<Record<string, ZfsPropertyValue>>;
    /** The remote command that runs the scripts (guests that mount the dataset depend on it). */
    readonly command: command.remote.Command;

    constructor(name: string, args: ZfsDatasetArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad dataset leaves no half-made component.
        const spec = zfsDatasetSpec(args);
        super("homelab:storage:ZfsDataset", name, {}, opts);
        this.path = spec.path;

        this.command = new command.remote.Command(
            `${name}-zfs`,
            {
                connection: args.connection,
                create: createScript(spec),
                update: updateScript(spec),
                delete: deleteScript(spec),
                // The dataset's name and node make it another dataset: a new one must be created (and,
                // with allowDestroy, the old one deleted if empty), never renamed, reused, or "updated"
                // on another node's pool (C4). Property, owner and mode changes are updates. The
                // connection is left out on purpose: a new address or key reaches the same dataset.
                triggers: [spec.path, args.node],
                // The scripts read the state from ZFS itself; the previous stdout is not needed (and
                // passing it needs AcceptEnv on the node's sshd).
                addPreviousOutputInEnv: false,
            },
            {
                parent: this,
                dependsOn: [...(args.dependsOn ?? [])],
                // Data lives here: removing the resource by mistake must not touch it. Destroying
                // is a deliberate act: set allowDestroy, deploy, then remove the dataset.
                protect: !spec.allowDestroy,
                retainOnDelete: !spec.allowDestroy,
            },
        );

        // stdout is empty under mocks and unknown in a preview: then the properties are `{}`.
        this.properties = this.command.stdout.apply((stdout) => parseZfsGet(stdout ?? ""));
        const declared = datasetMountpoint(spec.path, spec.properties.mountpoint);
        this.mountpoint = this.properties.apply((p) => p.mountpoint?.value ?? declared);

        this.registerOutputs({
            path: this.path,
            node: args.node,
            mountpoint: this.mountpoint,
            properties: this.properties,
            // What the inventory asks for, known at preview (the policy pack judges it before any `zfs get`).
            declaredProperties: { ...(args.properties ?? {}) },
            ...(args.backup && "tier" in args.backup ? { backupTier: args.backup.tier } : {}),
            ...(args.backup && "exclude" in args.backup ? { backupExclusionReason: args.backup.exclude } : {}),
        });
    }
}

/**
 * One `ZfsDataset` per dataset of the inventory, named by its path, over its node's connection.
 * The owner's ids are mapped through the owning container's idmap (100000 + id when unprivileged).
 * A dataset that exports (sharenfs) waits for its node's NFS server.
 */
export function deployDatasets(
    inv: Inventory,
    nodes: Readonly<Record<string, { readonly connection: pulumi.Input<ConnectionArgs>; readonly hostPreparation: pulumi.Resource }>>,
    opts: pulumi.ComponentResourceOptions = {},
): Record<string, ZfsDataset> {
    const out: Record<string, ZfsDataset> = {};
    for (const [path, ds] of Object.entries(inv.datasets)) {
        const node = nodes[ds.node];
        if (node === undefined) throw new Error(`[datasets.${path}.node] node "${ds.node}" was not built; pass every node`);
        let owner: { ownerUid: number; ownerGid: number; mode: string } | undefined;
        if (ds.owner !== undefined) {
            const container = inv.guests[ds.owner.container];
            if (container?.kind !== "lxc")
                throw new Error(
                    `[datasets.${path}.owner.container] "${ds.owner.container}" is not a container of the inventory; name the container whose user owns the data`,
                );
            const ids = hostIds(ds.owner, container);
            owner = { ownerUid: ids.uid, ownerGid: ids.gid, mode: ds.owner.mode };
        }
        const exports = ds.properties.sharenfs !== undefined && ds.properties.sharenfs !== "off";
        out[path] = new ZfsDataset(
            path,
            {
                path,
                node: ds.node,
                backup: ds.backup,
                properties: ds.properties,
                ...owner,
                allowDestroy: ds.allowDestroy,
                connection: node.connection,
                ...(exports ? { dependsOn: [node.hostPreparation] } : {}),
            },
            opts,
        );
    }
    return out;
}
