/**
 * The composition of the homelab from a validated inventory: providers → ZFS datasets (over each
 * node's SSH connection) → nodes (their storages after the datasets behind them) → guests (after
 * the datasets they mount) → public DNS → backups → the offsite bucket. No config is read here: the inventory comes in typed, the
 * credentials through config/loader.ts. Tests and the offline plan call this directly.
 */
import * as pulumi from "@pulumi/pulumi";
import { Inventory } from "./config/schema";
import { deployBackups } from "./components/backupPlan";
import { deployDns } from "./components/dnsRecord";
import { deployOffsite } from "./components/offsiteBucket";
import { deployGuests, deployNodes } from "./components/proxmox";
import { nodeConnection } from "./components/proxmoxNode";
import { datasetMountsByGuest, deployDatasets } from "./components/zfsDataset";
import { createProxmoxProviders } from "./lib/providers";
import { storageBackingDatasets } from "./lib/storageBacking";

/** What the stack exports. */
export interface HomelabOutputs {
    /** Guest name → IPv4 address. */
    readonly guestAddresses: Record<string, string>;
    /** Guest name → VMID. */
    readonly guestVmids: Record<string, number>;
    /** Dataset path → mountpoint on its node. */
    readonly datasetMountpoints: Record<string, pulumi.Output<string>>;
    /** Dataset path → its effective ZFS properties as `zfs get -Hp` reported them after create/update. */
    readonly datasetProperties: Record<string, pulumi.Output<Record<string, { value: string; source: string }>>>;
    /** Public DNS record key → full name. */
    readonly dnsRecords?: Record<string, pulumi.Output<string>>;
    /** Vzdump jobs: id → node, tier, schedule, VMIDs. */
    readonly backupJobs?: Record<string, unknown>;
    /** What to enter in PBS to use the offsite bucket; the secret key only with --show-secrets. */
    readonly offsiteEndpoint?: pulumi.Output<string>;
    readonly offsiteBucket?: pulumi.Output<string>;
    readonly offsiteRegion?: pulumi.Output<string>;
    readonly offsiteAccessKeyId?: pulumi.Output<string>;
    readonly offsiteSecretAccessKey?: pulumi.Output<string>;
}

/** Registers every resource of the homelab. */
export function deployHomelab(inv: Inventory): HomelabOutputs {
    const providers = createProxmoxProviders(inv);

    // Datasets first: storages (a zfs pool path, an NFS export) and guests' bind mounts stand on them.
    const connections = Object.fromEntries(
        Object.entries(inv.nodes).map(([name, spec]) => [name, nodeConnection(spec, providers.sshPrivateKey)]),
    );
    const datasets = deployDatasets(inv, connections);

    const backing = storageBackingDatasets(inv);
    const storageDependencies = Object.fromEntries(
        Object.entries(backing).map(([node, byStorage]) => [
            node,
            Object.fromEntries(Object.entries(byStorage).map(([id, paths]) => [id, paths.map((p) => datasets[p])])),
        ]),
    );
    const nodes = deployNodes(inv, providers, storageDependencies);

    // Mounts per guest, computed once: the lookups below stay linear in the size of the inventory.
    const mounts = datasetMountsByGuest(inv);
    const guests = deployGuests(inv, nodes, {
        providers,
        datasetMounts: (guest) => mounts.get(guest) ?? [],
        datasetDependencies: (guest) => (mounts.get(guest) ?? []).map((m) => datasets[m.dataset]),
    });

    const dns = deployDns(inv);
    // Backup jobs name guests by VMID: they wait for the guests so a first `up` never schedules a missing one.
    const backups = deployBackups(inv, providers.api, { dependsOn: Object.values(guests) });
    const offsite = deployOffsite(inv);

    return {
        guestAddresses: Object.fromEntries(Object.entries(inv.guests).map(([name, g]) => [name, g.ipv4])),
        guestVmids: Object.fromEntries(Object.entries(inv.guests).map(([name, g]) => [name, g.vmid])),
        datasetMountpoints: Object.fromEntries(Object.entries(datasets).map(([path, ds]) => [path, ds.mountpoint])),
        datasetProperties: Object.fromEntries(Object.entries(datasets).map(([path, ds]) => [path, ds.properties])),
        ...(dns ? { dnsRecords: Object.fromEntries(Object.entries(dns.records).map(([key, r]) => [key, r.hostname])) } : {}),
        ...(backups ? { backupJobs: backups.jobs } : {}),
        ...(offsite
            ? {
                  offsiteEndpoint: offsite.endpoint,
                  offsiteBucket: offsite.bucketName,
                  offsiteRegion: offsite.region,
                  offsiteAccessKeyId: offsite.accessKeyId,
                  offsiteSecretAccessKey: offsite.secretAccessKey,
              }
            : {}),
    };
}
