/**
 * The composition of the homelab from a validated inventory:
 *
 *   access (root@pam → the API token's user, role and ACLs → the token's provider) → cluster
 *   (datacenter firewall, hardware mappings) → nodes (bridge, node firewall, host preparation) →
 *   ZFS datasets (over each node's pinned SSH) → storages (after the datasets behind them) → image
 *   downloads → guests (after their storages, downloads and datasets; the PBS guest with the user
 *   data that installs PBS) → HA groups → public DNS → the offsite bucket → backups (PBS set up
 *   over SSH, its storages once it answers, vzdump jobs, dataset backups; components/backups.ts).
 *
 * No config is read here: the inventory comes in typed, the credentials through config/loader.ts,
 * read once; this is where each secret is handed to what needs it (providers.ts builds the
 * providers from them). Tests and the offline plan call this directly.
 */
import * as pulumi from "@pulumi/pulumi";
import { pbsPasswordUses } from "./config/credentials";
import { Credentials } from "./config/loader";
import { Inventory } from "./config/schema";
import { bindMountsByGuest } from "./lib/privilege";
import { storageBackingDatasets } from "./lib/storageBacking";
import { deployAccess } from "./components/access";
import { deployBackups, preparePbsHost } from "./components/backups";
import { Cluster } from "./components/cluster";
import { deployDns } from "./components/dnsRecord";
import { HaGroup } from "./components/haGroup";
import { Images } from "./components/images";
import { deployOffsite } from "./components/offsiteBucket";
import { deployGuests, deployNodes } from "./components/proxmox";
import { offsiteAccess, tokenCommand } from "./components/providers";
import { Storages } from "./components/storages";
import { deployDatasets } from "./components/zfsDataset";

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
    /** The certificate fingerprint of the PBS the program set up, as PBS reports it. */
    readonly pbsFingerprint?: pulumi.Output<string | undefined>;
    /** The PBS VM's SSH host key (`ssh-ed25519 ...`), for known_hosts. */
    readonly pbsHostKey?: pulumi.Output<string>;
    /** Dataset path → the systemd timer on its node that backs it up. */
    readonly datasetBackups?: Record<string, string>;
    /** What to enter in PBS to use the offsite bucket; the secret key only with --show-secrets. */
    readonly offsiteEndpoint?: pulumi.Output<string>;
    readonly offsiteBucket?: pulumi.Output<string>;
    readonly offsiteRegion?: pulumi.Output<string>;
    readonly offsiteAccessKeyId?: pulumi.Output<string>;
    readonly offsiteSecretAccessKey?: pulumi.Output<string>;
    /** The program's API token (`user@pve!name=uuid`), secret: store it once with `proxmoxApiTokenCommand`. */
    readonly proxmoxApiToken: pulumi.Output<string>;
    /** The command that stores `proxmoxApiToken` as the stack's API token for every later run. */
    readonly proxmoxApiTokenCommand: string;
}

/** Registers every resource of the homelab. */
export function deployHomelab(inv: Inventory, credentials: Credentials): HomelabOutputs {
    // The token's access first, through root@pam; the API-token provider waits for it.
    const { providers, access } = deployAccess(inv, credentials);
    const cluster = new Cluster("cluster", { inventory: inv, provider: providers.api });

    // Nodes first (their host preparation: the NFS server datasets export through, udev rules), then
    // the datasets storages and guests stand on.
    const nodes = deployNodes(inv, providers);
    const datasets = deployDatasets(inv, nodes);

    const backing = storageBackingDatasets(inv);
    const storages = new Storages("storages", {
        storages: inv.storages,
        nodeNames: Object.keys(inv.nodes),
        dependencies: Object.fromEntries(Object.entries(backing).map(([id, paths]) => [id, paths.map((p) => datasets[p])])),
        cifsPassword: credentials.optional("cifsPassword"),
        provider: providers.api,
    });
    const images = new Images("images", {
        images: inv.images,
        guests: inv.guests,
        storages: inv.storages,
        storageResources: storages.byId,
        provider: providers.api,
    });

    const mounts = bindMountsByGuest(inv);
    // The PBS guest boots with the user data that installs PBS and the host key the setup pins.
    const pbsHost = preparePbsHost(inv);
    const guests = deployGuests(inv, {
        providers,
        nodes,
        images,
        storages: storages.byId,
        mounts,
        dependencies: (guest) => [
            ...(mounts.get(guest) ?? []).flatMap((m) => (m.dataset !== undefined ? [datasets[m.dataset]] : [])),
            ...(Object.values(inv.mappings.pci).length + Object.values(inv.mappings.usb).length > 0 ? [cluster] : []),
            nodes[inv.guests[guest].node].hostPreparation,
        ],
        ...(pbsHost !== undefined ? { userData: { [pbsHost.pbs.guest]: pbsHost.userData } } : {}),
    });

    // Proxmox HA groups: where their members may run (the members' HA resources are the guests').
    for (const [group, ha] of Object.entries(inv.ha)) {
        if (ha.kind !== "proxmox") continue;
        new HaGroup(`ha-${group}`, {
            group,
            resources: ha.members.map((m) => `${inv.guests[m].kind === "vm" ? "vm" : "ct"}:${inv.guests[m].vmid}`),
            nodes: ha.nodes ?? Object.keys(inv.nodes),
            pveVersion: inv.cluster.pveVersion,
            members: ha.members.flatMap((m) => (guests[m].side.ha ? [guests[m].side.ha!] : [])),
            provider: providers.api,
        });
    }

    const dns = deployDns(inv, providers.cloudflare);

    const offsite = deployOffsite(inv, offsiteAccess(inv, credentials, providers.cloudflare));
    const backups = deployBackups(inv, {
        ...(pbsPasswordUses(inv).length > 0 ? { pbsPassword: credentials.require("pbsPassword") } : {}),
        providers,
        nodes,
        datasets,
        guests,
        ...(pbsHost ? { pbsHost } : {}),
        ...(offsite ? { offsite } : {}),
    });

    return {
        guestAddresses: Object.fromEntries(Object.entries(inv.guests).flatMap(([name, g]) => (g.ipv4 ? [[name, g.ipv4]] : []))),
        guestVmids: Object.fromEntries(Object.entries(inv.guests).map(([name, g]) => [name, g.vmid])),
        datasetMountpoints: Object.fromEntries(Object.entries(datasets).map(([path, ds]) => [path, ds.mountpoint])),
        datasetProperties: Object.fromEntries(Object.entries(datasets).map(([path, ds]) => [path, ds.properties])),
        ...(dns ? { dnsRecords: Object.fromEntries(Object.entries(dns.records).map(([key, r]) => [key, r.hostname])) } : {}),
        ...(backups ? { backupJobs: backups.plan.jobs } : {}),
        ...(backups?.pbs ? { pbsFingerprint: backups.pbs.fingerprint } : {}),
        ...(pbsHost ? { pbsHostKey: pbsHost.publicKey } : {}),
        ...(backups && Object.keys(backups.datasets).length > 0
            ? { datasetBackups: Object.fromEntries(Object.entries(backups.datasets).map(([path, d]) => [path, d.timer])) }
            : {}),
        ...(offsite
            ? {
                  offsiteEndpoint: offsite.endpoint,
                  offsiteBucket: offsite.bucketName,
                  offsiteRegion: offsite.region,
                  offsiteAccessKeyId: offsite.accessKeyId,
                  offsiteSecretAccessKey: offsite.secretAccessKey,
              }
            : {}),
        proxmoxApiToken: access.tokenValue,
        proxmoxApiTokenCommand: tokenCommand(pulumi.getStack()),
    };
}
