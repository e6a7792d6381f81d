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
import { datasetMountpoint } from "../config/crosschecks";
import { Inventory, ZfsProperties } from "../config/schema";
import { hostIds } from "../lib/idmap";
import { DatasetMount, datasetMountsByGuest } from "../lib/privilege";
import {
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
    /** Root SSH connection to the node that holds the pool; stored as a secret. */
    readonly connection: pulumi.Input<ConnectionArgs>;
}

const DEFAULTS = { properties: {} as ZfsProperties, mode: "0750", allowDestroy: false };

/** The validated spec the scripts are built from; throws on an owner given by half. */
export function zfsDatasetSpec(args: Omit<ZfsDatasetArgs, "connection">): ZfsDatasetSpec {
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
                // Only the dataset's name makes it another dataset: a new path must create the new
                // dataset (and, with allowDestroy, delete the old one if empty), never rename or
                // reuse the old one. Property, owner and mode changes are updates. The connection is
                // left out on purpose: a new address or key reaches the same dataset, and a
                // replacement there would create-then-destroy the very dataset it just converged.
                triggers: [spec.path],
                // The scripts read the state from ZFS itself; the previous stdout is not needed (and
                // passing it needs AcceptEnv on the node's sshd).
                addPreviousOutputInEnv: false,
            },
            {
                parent: this,
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

        this.registerOutputs({ path: this.path, mountpoint: this.mountpoint, properties: this.properties });
    }
}

/**
 * One `ZfsDataset` per dataset of the inventory, named by its path, over its node's connection.
 * The owner's ids are mapped through the owning container's idmap (100000 + id when unprivileged).
 * Throws when a dataset's node has no connection or its owner is not a container.
 */
export function deployDatasets(
    inv: Inventory,
    connections: Readonly<Record<string, pulumi.Input<ConnectionArgs>>>,
    opts: pulumi.ComponentResourceOptions = {},
): Record<string, ZfsDataset> {
    const out: Record<string, ZfsDataset> = {};
    for (const [path, ds] of Object.entries(inv.datasets)) {
        const connection = connections[ds.node];
        if (connection === undefined) {
            throw new Error(
                `[datasets.${path}.node] no SSH connection for node "${ds.node}" (have: ${Object.keys(connections).join(", ") || "none"}); pass one per node`,
            );
        }
        let owner: { ownerUid: number; ownerGid: number; mode: string } | undefined;
        if (ds.owner !== undefined) {
            const container = inv.guests[ds.owner.container];
            if (container?.kind !== "lxc") {
                throw new Error(
                    `[datasets.${path}.owner.container] "${ds.owner.container}" is not a container of the inventory; name the container whose user owns the data`,
                );
            }
            const ids = hostIds(ds.owner, container);
            owner = { ownerUid: ids.uid, ownerGid: ids.gid, mode: ds.owner.mode };
        }
        out[path] = new ZfsDataset(path, { path, properties: ds.properties, ...owner, allowDestroy: ds.allowDestroy, connection }, opts);
    }
    return out;
}

// The mounts are worked out with the other privilege facts of a container (lib/privilege.ts).
export type { DatasetMount };
export { datasetMountsByGuest };

/** The datasets a guest mounts, as host path → container path, sorted by container path. */
export function datasetMountsFor(inv: Inventory, guest: string): DatasetMount[] {
    return datasetMountsByGuest(inv).get(guest) ?? [];
}
