/**
 * Cross-checks of ZFS datasets: names, pools, mountpoints, exports, owners and mounts.
 */
import { mapThroughRanges } from "../../lib/idmap";
import { parseCidr } from "../../lib/ipv4";
import { sharenfsProblem } from "../../lib/nfs";
import { ZFS_DATASET_PATTERN } from "../../lib/patterns";
import { MAX_DATASET_NAME_LENGTH } from "../../lib/shell";
import { datasetMountpoint } from "../../lib/datasets";
import { entityRef } from "../errors";
import { CheckContext, systemPathReason, underPath } from "./context";
import { didYouMean } from "../suggest";
import { checkMountTarget } from "./containers";
import { nodePools } from "./storage";

export function checkDatasets(ctx: CheckContext): void {
    const allowedSubnets = [...ctx.networks.values()].flatMap((n) => (n.subnet ? [[n.subnet.network, n.subnet.broadcast] as const] : []));
    // PVE owns the volumes under a zfspool storage's dataset (rpool/data/vm-100-disk-0, ...).
    const storagePools = Object.entries(ctx.inv.storages).flatMap(([id, s]) =>
        s.kind === "zfspool" ? [{ id, pool: s.pool, managed: s.managed }] : [],
    );
    for (const [path, ds] of Object.entries(ctx.inv.datasets)) {
        const base = ["datasets", path];
        if (!ZFS_DATASET_PATTERN.test(path) || path.length > MAX_DATASET_NAME_LENGTH) {
            ctx.add(
                base,
                `"${path}" is not a safe ZFS dataset name: use pool/child with letters, digits and _ . : - only (no spaces or shell characters)`,
            );
            continue;
        }
        const nodeSpec = ctx.requireNode([...base, "node"], ds.node);
        const pool = path.split("/")[0];
        if (nodeSpec) {
            const pools = nodePools(ctx, ds.node, nodeSpec);
            if (!pools.includes(pool))
                ctx.add(
                    [...base, "node"],
                    `node "${ds.node}" has no ZFS pool "${pool}" (its pools: ${pools.join(", ") || "none"}); put the dataset on a node that has the pool, or list the pool in nodes.${ds.node}.pools`,
                    [`nodes.${ds.node}`],
                );
            const bootPool = nodeSpec.boot && "pool" in nodeSpec.boot ? nodeSpec.boot.pool : "rpool";
            if (path === `${bootPool}/ROOT` || path.startsWith(`${bootPool}/ROOT/`))
                ctx.add(
                    base,
                    `${path} is the node's root file system (the installer's ${bootPool}/ROOT); manage data in a dataset of its own such as ${bootPool}/appdata`,
                    [`nodes.${ds.node}`],
                );
        }
        if (path === "rpool/data" || path.startsWith("rpool/data/"))
            ctx.add(
                base,
                `${path} is the installer's rpool/data, where Proxmox keeps guest volumes (local-zfs); use a dataset of your own such as rpool/appdata`,
            );
        for (const sp of storagePools) {
            if (path !== sp.pool && path.startsWith(`${sp.pool}/`))
                ctx.add(
                    base,
                    `${path} lies inside ${sp.pool}, where storage "${sp.id}" keeps guest volumes; Proxmox owns that dataset, so use one of your own`,
                    [`storages.${sp.id}`],
                );
            if (!sp.managed && sp.pool.startsWith(`${path}/`))
                ctx.add(
                    base,
                    `${path} is a parent of ${sp.pool} (the installer's storage "${sp.id}"); converging its properties would change the guests' volumes`,
                    [`storages.${sp.id}`],
                );
        }
        const mountpoint = datasetMountpoint(path, ds.properties.mountpoint);
        const why = systemPathReason(mountpoint);
        if (why)
            ctx.add(
                [...base, "properties", "mountpoint"],
                `mountpoint ${mountpoint} is ${why}; mount data under a managed root such as /tank`,
            );
        else if (!ctx.inv.cluster.managedRoots.some((r) => underPath(mountpoint, r)))
            ctx.add(
                [...base, "properties", "mountpoint"],
                `mountpoint ${mountpoint} is outside the managed roots (${ctx.inv.cluster.managedRoots.join(", ")}); set a mountpoint under one of them or add a root to cluster.managedRoots`,
                ["cluster"],
            );
        if (ds.properties.sharenfs !== undefined) {
            const problem = sharenfsProblem(ds.properties.sharenfs, allowedSubnets);
            if (problem) ctx.add([...base, "properties", "sharenfs"], `the export ${problem}`);
        }
        checkBackupChoice(ctx, [...base, "backup"], ds.backup);
        checkOwnerAndMounts(ctx, path, ds);
    }
}

/** A guest's or dataset's backup choice names a tier of `backups.tiers`. */
export function checkBackupChoice(ctx: CheckContext, path: readonly PropertyKey[], choice: { tier: string } | { exclude: string }): void {
    if (!("tier" in choice)) return;
    const backups = ctx.inv.backups;
    if (!backups) {
        ctx.add(path, `backup tier "${choice.tier}" but the inventory has no backups section; add backups, or exclude with a reason`, [
            "backups",
        ]);
        return;
    }
    if (!Object.hasOwn(backups.tiers, choice.tier))
        ctx.add(
            [...path, "tier"],
            `tier "${choice.tier}" is not in backups.tiers (known: ${Object.keys(backups.tiers).join(", ")}); pick one of those or add it${didYouMean(choice.tier, Object.keys(backups.tiers))}`,
            ["backups"],
        );
}

function checkOwnerAndMounts(ctx: CheckContext, path: string, ds: CheckContext["inv"]["datasets"][string]): void {
    const base = ["datasets", path];
    if (ds.owner) {
        const owner = ctx.requireGuest([...base, "owner", "container"], ds.owner.container);
        const refs = [`guests.${ds.owner.container}`];
        if (owner && owner.kind !== "lxc")
            ctx.add(
                [...base, "owner", "container"],
                `guest "${ds.owner.container}" is a VM; ownership is expressed as seen inside a container, so name the container whose user owns the data`,
                refs,
            );
        else if (
            owner?.kind === "lxc" &&
            !owner.privileged &&
            owner.idmap &&
            (mapThroughRanges(owner.idmap, "uid", ds.owner.uid) === undefined ||
                mapThroughRanges(owner.idmap, "gid", ds.owner.gid) === undefined)
        )
            ctx.add(
                [...base, "owner"],
                `uid ${ds.owner.uid} / gid ${ds.owner.gid} is not mapped by container "${ds.owner.container}"'s idmap; map it or pick ids the idmap covers`,
                refs,
            );
        // (Only once every mount resolves: a misspelt mount is reported on its own.)
        else if (owner && ds.mounts.every((m) => ctx.guest(m.guest)) && !ds.mounts.some((m) => m.guest === ds.owner!.container))
            ctx.add(
                [...base, "owner", "container"],
                `container "${ds.owner.container}" does not mount this dataset, so its ids say nothing about who writes it; name a container listed in mounts`,
                [...refs, ...ds.mounts.map((m) => `guests.${m.guest}`)],
            );
    }
    const unowned: string[] = [];
    ds.mounts.forEach((m, i) => {
        const guest = ctx.requireGuest([...base, "mounts", i, "guest"], m.guest);
        if (!guest) return;
        const refs = [`guests.${m.guest}`, `nodes.${ds.node}`, `nodes.${guest.node}`];
        if (guest.node !== ds.node && ctx.node(guest.node) && ctx.node(ds.node))
            ctx.add(
                [...base, "mounts", i, "guest"],
                `guest "${m.guest}" runs on "${guest.node}" but the dataset lives on "${ds.node}"; a bind mount must be on the same node`,
                refs,
            );
        if (guest.kind === "vm") {
            ctx.add(
                [...base, "mounts", i, "guest"],
                `"${m.guest}" is a VM and cannot bind-mount a host dataset; export it with properties.sharenfs instead`,
                refs,
            );
            return;
        }
        if (guest.template) ctx.add([...base, "mounts", i, "guest"], `"${m.guest}" is a template; mount data into its clones`, refs);
        if (!guest.privileged && !ds.owner && !unowned.includes(m.guest)) unowned.push(m.guest);
        checkMountTarget(ctx, [...base, "mounts", i, "path"], m.path);
        const clash = guest.hostMounts.find((h) => h.path === m.path);
        if (clash)
            ctx.add(
                [...base, "mounts", i, "path"],
                `guest "${m.guest}" already mounts ${clash.hostPath} at ${m.path}; one mount per path`,
                refs,
            );
    });
    if (unowned.length > 0)
        ctx.add(
            [...base, "owner"],
            `dataset is bind-mounted into unprivileged container${unowned.length > 1 ? "s" : ""} ${unowned.map((g) => `"${g}"`).join(" and ")} but has no owner; set owner {container, uid, gid} so the mapped ids can write to it`,
            unowned.map((g) => `guests.${g}`),
        );
}

/** Mount paths per guest across datasets: two datasets on one path of a guest shadow each other. */
export function checkMountPathsPerGuest(ctx: CheckContext): void {
    const seen = new Map<string, string>();
    for (const [path, ds] of Object.entries(ctx.inv.datasets))
        ds.mounts.forEach((m, i) => {
            const k = `${m.guest}\u0000${m.path}`;
            const other = seen.get(k);
            if (other)
                ctx.add(
                    ["datasets", path, "mounts", i, "path"],
                    `guest "${m.guest}" already mounts dataset ${other} at ${m.path}; one mount per path`,
                    [entityRef("datasets", other), `guests.${m.guest}`],
                );
            else seen.set(k, path);
        });
    void parseCidr;
}
