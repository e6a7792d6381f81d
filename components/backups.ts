/**
 * The backups of the homelab, composed from the inventory (the 3-2-1 of docs/backups.md):
 *
 *   the PBS guest's user data (PBS 4 installed on first boot, an SSH host key generated here and
 *   pinned) → PbsServer (NFS mount, datastore, the PVE user and its ACL, a namespace per tier, GC,
 *   verify, a prune job per tier, the offsite copy to the bucket) → BackupPlan (the PVE storages,
 *   one per tier in its namespace, added once PBS answers with its fingerprint, P4; the vzdump
 *   jobs) → one DatasetBackup per dataset with a tier, on its node, in its tier's slot.
 *
 * A PBS the program does not manage (`server`) gets one storage; its vzdump jobs and dataset
 * backups prune after each run by the tier's retention (its user needs Datastore.Prune there, e.g.
 * DatastorePowerUser). A directory, NFS or CIFS target gets the vzdump jobs only; datasets back up
 * only to a PBS (config/crosschecks refuses anything else).
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { DatasetEntry, Inventory, StorageSpec } from "../config/schema";
import { BackupTarget, CopiesInput, copiesOf } from "../lib/copies";
import { tierNamespace, tierPruneJobs } from "../lib/pbs/jobs";
import { pbsUserData } from "../lib/pbs/userData";
import { BackupPlan } from "./backupPlan";
import { DatasetBackup } from "./datasetBackup";
import { OffsiteBucket } from "./offsiteBucket";
import { PbsServer, pbsOffsiteArgs } from "./pbsServer";
import { ProxmoxNode } from "./proxmoxNode";
import { Providers } from "./providers";
import { ZfsDataset } from "./zfsDataset";

type PbsStorage = Extract<StorageSpec, { kind: "pbs" }>;

/** A PBS the program installs and sets up on a guest of the inventory (the backup target's `guest`). */
export interface ManagedPbs {
    /** The target's storage id (`backups.target`). */
    readonly storageId: string;
    readonly storage: PbsStorage;
    /** The PBS guest's name and address. */
    readonly guest: string;
    readonly address: string;
    /** The user the program logs in as (the guest's cloud-init user). */
    readonly loginUser: string;
    /** The datastore's name, its path on the VM and the NFS export mounted there. */
    readonly datastore: {
        readonly name: string;
        readonly path: string;
        readonly nfs?: { readonly server: string; readonly export: string };
    };
}

/** The managed PBS of an inventory, or undefined (no backups, another kind of target, a PBS the program does not manage). */
export function managedPbsOf(inv: Inventory): ManagedPbs | undefined {
    if (!inv.backups) return undefined;
    const storage = inv.storages[inv.backups.target];
    if (storage?.kind !== "pbs" || storage.guest === undefined) return undefined;
    const guest = inv.guests[storage.guest];
    // config/crosschecks guarantees a VM with cloud-init and an address.
    if (guest?.kind !== "vm" || guest.cloudInit === undefined || guest.ipv4 === undefined)
        throw new Error(`[storages.${inv.backups.target}.guest] "${storage.guest}" must be a VM with cloudInit and ipv4`);
    return {
        storageId: inv.backups.target,
        storage,
        guest: storage.guest,
        address: guest.ipv4,
        loginUser: guest.cloudInit.user,
        datastore: {
            name: storage.datastore,
            path: storage.datastorePath ?? `/mnt/datastore/${storage.datastore}`,
            ...(storage.nfs !== undefined ? { nfs: storage.nfs } : {}),
        },
    };
}

/** The PBS guest's SSH host key and user data, made before the guest so the VM boots with them. */
export interface PbsHost {
    readonly pbs: ManagedPbs;
    /** The host key pair, generated once and kept (secret) in the state. */
    readonly hostKey: tls.PrivateKey;
    /** Its public line, `ssh-ed25519 AAAA...`: what every command to PBS pins. */
    readonly publicKey: pulumi.Output<string>;
    /** The guest's cloud-init user data (secret: it carries the host's private key). */
    readonly userData: pulumi.Output<string>;
}

/** The host key and user data of the managed PBS, or undefined when the inventory has none. */
export function preparePbsHost(inv: Inventory): PbsHost | undefined {
    const pbs = managedPbsOf(inv);
    if (pbs === undefined) return undefined;
    // config/crosschecks guarantees one; checked here too, before anything registers.
    if (inv.cluster.sshPublicKeys.length === 0)
        throw new Error(`[cluster.sshPublicKeys] the PBS guest "${pbs.guest}" needs at least one key the program logs in with`);
    const hostKey = new tls.PrivateKey(`${pbs.guest}-host-key`, { algorithm: "ED25519" });
    const publicKey = hostKey.publicKeyOpenssh.apply((line) => line.trim());
    const userData = pulumi.secret(
        pulumi.all([hostKey.privateKeyOpenssh, publicKey]).apply(([privateKey, publicLine]) =>
            pbsUserData({
                hostname: pbs.guest,
                fqdn: `${pbs.guest}.${inv.cluster.domain}`,
                timezone: inv.cluster.timezone,
                loginUser: pbs.loginUser,
                authorizedKeys: inv.cluster.sshPublicKeys,
                hostKey: { privateKey, publicKey: publicLine },
            }),
        ),
    );
    return { pbs, hostKey, publicKey, userData };
}

export interface DeployBackupsArgs {
    /** The PBS password, secret: given when the inventory needs it (config/credentials.ts pbsPasswordUses). */
    readonly pbsPassword?: pulumi.Output<string>;
    readonly providers: Providers;
    readonly nodes: Readonly<Record<string, ProxmoxNode>>;
    readonly datasets: Readonly<Record<string, ZfsDataset>>;
    /** The guests, by name: vzdump jobs name them by VMID and wait for them. */
    readonly guests: Readonly<Record<string, pulumi.Resource>>;
    /** The PBS guest's host (preparePbsHost), when the target is a PBS the program sets up. */
    readonly pbsHost?: PbsHost;
    /** The offsite bucket PBS copies its datastore to, when it serves PBS. */
    readonly offsite?: OffsiteBucket;
}

export interface Backups {
    readonly plan: BackupPlan;
    readonly pbs?: PbsServer;
    /** Dataset backups by dataset path. */
    readonly datasets: Record<string, DatasetBackup>;
}

/** The datasets an NFS export serves: the PBS datastore waits for the dataset behind its mount. */
function exportedDatasets(inv: Inventory, nfs: { server: string; export: string } | undefined): string[] {
    if (nfs === undefined) return [];
    return Object.entries(inv.datasets).flatMap(([path, d]: [string, DatasetEntry]) =>
        inv.nodes[d.node]?.address === nfs.server && (d.properties.mountpoint ?? `/${path}`) === nfs.export ? [path] : [],
    );
}

/** Registers the backups of an inventory with a `backups` section; undefined without one. */
export function deployBackups(inv: Inventory, args: DeployBackupsArgs): Backups | undefined {
    const backups = inv.backups;
    if (!backups) return undefined;
    const target = inv.storages[backups.target];
    const { providers } = args;
    const managed = args.pbsHost;
    const pbsPassword = (): pulumi.Output<string> => {
        if (args.pbsPassword === undefined)
            throw new Error(
                `[backups] the PBS password was not given; the program passes it where config/credentials.ts pbsPasswordUses says`,
            );
        return args.pbsPassword;
    };

    let pbs: PbsServer | undefined;
    if (managed !== undefined) {
        const m = managed.pbs;
        const offsite = args.offsite !== undefined && inv.offsite?.servesPbs ? args.offsite : undefined;
        pbs = new PbsServer(
            m.guest,
            {
                address: m.address,
                sshUser: m.loginUser,
                hostKey: managed.publicKey,
                ...(providers.sshPrivateKey !== undefined ? { privateKey: providers.sshPrivateKey } : {}),
                datastore: m.datastore,
                user: m.storage.username,
                password: pbsPassword(),
                gcSchedule: m.storage.gcSchedule,
                verify: { schedule: m.storage.verify.schedule, outdatedAfterDays: m.storage.verify.skipVerifiedDays },
                prune: tierPruneJobs(backups.tiers),
                ...(m.storage.fingerprint !== undefined ? { fingerprint: m.storage.fingerprint } : {}),
                ...(offsite !== undefined && inv.offsite !== undefined
                    ? {
                          offsite: pbsOffsiteArgs(inv.offsite, {
                              accessKeyId: offsite.accessKeyId,
                              secretAccessKey: offsite.secretAccessKey,
                          }),
                      }
                    : {}),
            },
            {
                // PBS is installed on the guest's first boot; its datastore lives on the NFS export.
                dependsOn: [args.guests[m.guest], ...exportedDatasets(inv, m.datastore.nfs).map((p) => args.datasets[p])],
            },
        );
    }

    const plan = new BackupPlan(
        "backups",
        {
            backups,
            target,
            guests: inv.guests,
            datasets: inv.datasets,
            nodeNames: Object.keys(inv.nodes),
            // A PBS storage that exists already (managed: false, an adopted cluster's) is only used.
            ...(target.kind === "pbs" && target.managed
                ? {
                      pbs: {
                          server: pbs !== undefined ? managed!.pbs.address : target.server!,
                          password: pbsPassword(),
                          // Read back from PBS (a pin in the inventory is enforced there); an external PBS's is pinned.
                          fingerprint: pbs !== undefined ? pbs.fingerprint.apply((f) => f ?? "") : target.fingerprint!,
                          ready: pbs?.ready ?? [],
                      },
                  }
                : {}),
            provider: providers.api,
            copies: copiesOf(copiesInputOf(inv)),
        },
        // Backup jobs name guests by VMID: they wait for the guests so a first `up` never schedules a missing one.
        { dependsOn: Object.values(args.guests) },
    );

    // Datasets: from their node with proxmox-backup-client, in their tier's slot. Into the tier's
    // namespace on the PBS the program sets up (its prune jobs keep the retention); into the root
    // namespace of a PBS it does not manage, pruning after each backup as vzdump does.
    const datasetBackups: Record<string, DatasetBackup> = {};
    if (target.kind === "pbs") {
        const server = pbs !== undefined ? managed!.pbs.address : target.server!;
        const fingerprint = pbs !== undefined ? pbs.fingerprint : pulumi.output(target.fingerprint);
        for (const job of plan.plan.jobs) {
            if (job.kind !== "datasets") continue;
            const tier = backups.tiers[job.tier];
            for (const path of job.members) {
                const spec = inv.datasets[path];
                // Named by the path, as the ZfsDataset is: no two datasets can collide.
                datasetBackups[path] = new DatasetBackup(
                    path,
                    {
                        connection: args.nodes[spec.node].connection,
                        dataset: path,
                        mountpoint: spec.properties.mountpoint ?? `/${path}`,
                        repository: { user: target.username, server, datastore: target.datastore },
                        password: pbsPassword(),
                        fingerprint,
                        tier: job.tier,
                        ...(pbs !== undefined ? { namespace: tierNamespace(job.tier) } : { keep: tier.retention }),
                        cadence: tier,
                        startTime: job.startTime,
                    },
                    // The dataset must be there, and on a managed PBS its namespace and PVE's user, before the timer first fires.
                    { dependsOn: [args.datasets[path], ...(pbs?.ready ?? [])] },
                );
            }
        }
    }
    return { plan, ...(pbs !== undefined ? { pbs } : {}), datasets: datasetBackups };
}

/** What the 3-2-1 count needs to know of an inventory: where each guest and dataset lives, PBS's datastore, the bucket. */
export function copiesInputOf(inv: Inventory): CopiesInput {
    const guests = Object.fromEntries(
        Object.entries(inv.guests).map(([name, g]) => {
            const storage = g.kind === "lxc" ? g.disk.storage : (g.disks.flatMap((d) => ("storage" in d ? [d.storage] : []))[0] ?? "none");
            const spec = inv.storages[storage];
            const pool = spec?.kind === "zfspool" ? spec.pool.split("/")[0] : undefined;
            return [name, { node: g.node, storage, ...(pool !== undefined ? { pool } : {}), backup: g.backup }];
        }),
    );
    const datasets = Object.fromEntries(Object.entries(inv.datasets).map(([path, d]) => [path, { node: d.node, backup: d.backup }]));
    const targetId = inv.backups?.target;
    const target = targetId !== undefined ? inv.storages[targetId] : undefined;
    let backupTarget: BackupTarget | undefined;
    if (target?.kind === "pbs") {
        // The dataset behind the datastore's NFS export: the same pool as its node's other datasets.
        const [exported] = exportedDatasets(inv, target.nfs);
        const pbsGuest = target.guest !== undefined ? inv.guests[target.guest] : undefined;
        const datastore = `PBS datastore ${target.datastore}`;
        if (exported !== undefined) {
            const node = inv.datasets[exported].node;
            backupTarget = { where: `${datastore} on ${exported} (NFS from ${node})`, media: `${node}:${exported.split("/")[0]}` };
        } else if (pbsGuest !== undefined)
            backupTarget = {
                where: `${datastore} on the ${target.guest} VM's disk on ${pbsGuest.node}`,
                media: `${pbsGuest.node}:${guests[target.guest!].storage}`,
            };
        else backupTarget = { where: `${datastore} on PBS ${target.server}`, media: `pbs:${target.server}` };
    } else if (target?.kind === "dir") {
        // A directory on each node's own disk (a USB disk, a second pool): a medium per node.
        backupTarget = { where: `directory ${targetId} (${target.path})`, media: targetId!, perNode: true };
    } else if (target?.kind === "nfs") {
        backupTarget = { where: `NFS ${target.server}:${target.export}`, media: `nfs:${target.server}:${target.export}` };
    } else if (target?.kind === "cifs") {
        backupTarget = { where: `CIFS //${target.server}/${target.share}`, media: `cifs:${target.server}/${target.share}` };
    }
    const offsite = inv.offsite?.servesPbs && target?.kind === "pbs" && target.guest !== undefined ? inv.offsite : undefined;
    return {
        guests,
        datasets,
        ...(backupTarget !== undefined ? { target: backupTarget } : {}),
        ...(offsite !== undefined ? { offsite: { service: offsite.service, bucket: offsite.bucket } } : {}),
    };
}
