/**
 * The real entry point (index.ts) over the reference stack's config under the recording mocks:
 * the whole homelab is registered, credentials stay secret, data is protected.
 */
import { readCredentials } from "../../config/loader";
import { deployHomelab } from "../../program";
import { Recording, record } from "../helpers/harness";
import { credentialConfig, referenceConfig, referenceInventory } from "./reference";

let recording: Recording;
let outputs: Record<string, unknown>;

beforeAll(async () => {
    const creds = credentialConfig();
    ({ recording, outputs } = await record(() => import("../../index"), {
        config: { ...referenceConfig(), ...creds.config },
        secretKeys: creds.secretKeys,
    }));
});

const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const COMMAND = "command:remote:Command";

describe("the program over the reference stack", () => {
    it("registers every component and provider resource of the reference homelab", () => {
        expect(recording.countsByType()).toEqual({
            "aws:iam/accessKey:AccessKey": 1,
            "aws:iam/user:User": 1,
            "aws:iam/userPolicy:UserPolicy": 1,
            "aws:s3/bucket:Bucket": 1,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
            "aws:s3/bucketVersioning:BucketVersioning": 1,
            "cloudflare:index/dnsRecord:DnsRecord": 4,
            // 12 datasets, 2 node host preparations, 7 container host configurations (mounts and keys).
            "command:remote:Command": 37,
            "homelab:backup:BackupPlan": 1,
            "homelab:backup:DatasetBackup": 7,
            "homelab:backup:OffsiteBucket": 1,
            "homelab:backup:PbsServer": 1,
            "homelab:dns:DnsRecord": 4,
            // The program's own user, token, role and ACLs (components/access.ts).
            "homelab:proxmox:Access": 1,
            "homelab:proxmox:Cluster": 1,
            "homelab:proxmox:Images": 1,
            "homelab:proxmox:LxcGuest": 7,
            "homelab:proxmox:Node": 2,
            "homelab:proxmox:Storages": 1,
            "homelab:proxmox:VmGuest": 3,
            "homelab:storage:ZfsDataset": 12,
            "proxmoxve:backup/job:Job": 5,
            "proxmoxve:cluster/firewallLegacy:FirewallLegacy": 1,
            // debian-12-lxc on each node's local storage, debian-13-cloud on pve-storage.
            "proxmoxve:download/file:File": 3,
            // Every guest but the router (which forwards for every address) has its ipfilter-net0 set.
            "proxmoxve:firewall/ipsetLegacy:IpsetLegacy": 9,
            "proxmoxve:firewall/optionsLegacy:OptionsLegacy": 10,
            // The datacenter rules and the rules of the nine guests that have some (the router has none).
            "proxmoxve:firewall/rulesLegacy:RulesLegacy": 10,
            "proxmoxve:hardware/mapping/pci:Pci": 2,
            "proxmoxve:hardware/mapping/usb:Usb": 1,
            // /, /nodes/<2 nodes>, /storage, /vms, /mapping/{pci,usb} and their 3 mappings, the bridge and its 5 VLANs.
            "proxmoxve:index/acl:Acl": 16,
            "proxmoxve:index/containerLegacy:ContainerLegacy": 7,
            // The PBS VM's cloud-init user data.
            "proxmoxve:index/fileLegacy:FileLegacy": 1,
            "proxmoxve:index/roleLegacy:RoleLegacy": 1,
            "proxmoxve:index/userLegacy:UserLegacy": 1,
            "proxmoxve:index/vmLegacy:VmLegacy": 3,
            "proxmoxve:network/linux/bridge:Bridge": 2,
            "proxmoxve:node/firewall:Firewall": 2,
            // shared-nfs and tank-vm; local and local-zfs are the installer's (managed: false), pbs is the backup plan's.
            "proxmoxve:storage/nfs:Nfs": 1,
            "proxmoxve:storage/pbs:Pbs": 3,
            "proxmoxve:storage/zfspool:Zfspool": 1,
            "proxmoxve:user/token:Token": 1,
            "pulumi:providers:aws": 1,
            "pulumi:providers:cloudflare": 1,
            "pulumi:providers:proxmoxve": 2,
            "pulumi:pulumi:Stack": 1,
            "tls:index/privateKey:PrivateKey": 1,
        });
    });

    it("creates every guest of the reference homelab with its VMID", () => {
        const names = [...recording.ofType(CONTAINER), ...recording.ofType(VM)].map((r) => `${r.inputs.vmId}`).sort();
        expect(names).toEqual(["10001", "10005", "10020", "20030", "30010", "30040", "30041", "30042", "30050", "50010"]);
        expect(outputs.guestVmids).toEqual({
            opnsense: 10001,
            unifi: 10005,
            edge: 30010,
            pbs: 10020,
            windows: 20030,
            photos: 30040,
            cloud: 30041,
            media: 30042,
            nvr: 50010,
            files: 30050,
        });
    });

    it("makes exactly one privileged container: photos", () => {
        const privileged = recording.ofType(CONTAINER).filter((r) => r.inputs.unprivileged !== true);
        expect(privileged.map((r) => r.inputs.vmId)).toEqual([30040]);
    });

    it("makes every guest that bind-mounts a dataset wait for that dataset, and every guest for its node's host preparation", () => {
        // Depending on a component means depending on its children: the dataset's remote command.
        const datasetUrn = (path: string) => recording.one(`${path}-zfs`, COMMAND).urn;
        const hostUrn = (node: string) => recording.one(`${node}-host`, COMMAND).urn;
        // The container resource itself waits: that is what a bind mount needs.
        const guestDeps = (name: string) =>
            recording.childrenOf(recording.one(name, "homelab:proxmox:LxcGuest").urn).find((r) => r.type === CONTAINER)!.options.dependsOn;
        const commandDeps = (name: string) =>
            guestDeps(name)
                .filter((u) => u.includes(COMMAND))
                .sort();
        expect(commandDeps("files")).toEqual(
            [datasetUrn("tank/photos"), datasetUrn("tank/cloud"), datasetUrn("tank/media"), hostUrn("pve-storage")].sort(),
        );
        expect(commandDeps("photos")).toEqual(
            [datasetUrn("tank/photos"), datasetUrn("tank/appdata/photos"), hostUrn("pve-storage")].sort(),
        );
        expect(commandDeps("edge")).toEqual([datasetUrn("rpool/appdata/edge"), hostUrn("pve-network")].sort());
        // nvr's Coral gets its stable path from the udev rule of pve-storage's host preparation.
        expect(commandDeps("nvr")).toEqual([datasetUrn("tank/nvr"), datasetUrn("tank/appdata/nvr"), hostUrn("pve-storage")].sort());
        expect(commandDeps("unifi")).toEqual([hostUrn("pve-network")]);
        const vmDeps = (name: string) =>
            recording.childrenOf(recording.one(name, "homelab:proxmox:VmGuest").urn).find((r) => r.type === VM)!.options.dependsOn;
        expect(vmDeps("pbs").filter((u) => u.includes(COMMAND))).toEqual([hostUrn("pve-storage")]);
    });

    it("makes the datasets that export over NFS wait for their node's NFS server, and no other", () => {
        const waiting = recording
            .ofType("homelab:storage:ZfsDataset")
            .map((ds) => recording.one(`${ds.name}-zfs`, COMMAND))
            .filter((cmd) => cmd.options.dependsOn.length > 0)
            .map((cmd) => [cmd.name, cmd.options.dependsOn]);
        expect(waiting).toEqual([
            ["tank/pbs-zfs", [recording.one("pve-storage-host", COMMAND).urn]],
            ["tank/shared-zfs", [recording.one("pve-storage-host", COMMAND).urn]],
        ]);
    });

    it("makes a storage wait for the dataset behind it: the NFS export and the zfs pool path", () => {
        const nfs = recording.one("storages-shared-nfs", "proxmoxve:storage/nfs:Nfs");
        expect(nfs.options.dependsOn).toEqual([recording.one("tank/shared-zfs", COMMAND).urn]);
        expect(nfs.options.deleteBeforeReplace).toBe(true);
        const zfs = recording.one("storages-tank-vm", "proxmoxve:storage/zfspool:Zfspool");
        expect(zfs.options.dependsOn).toEqual([recording.one("tank/vm-zfs", COMMAND).urn]);
        expect(zfs.options.deleteBeforeReplace).toBe(true);
        // The installer's storages are used, never defined again.
        expect(recording.resources.filter((r) => r.type.startsWith("proxmoxve:storage/") && /-(local|local-zfs)$/.test(r.name))).toEqual(
            [],
        );
    });

    it("protects every dataset, the bucket and every stateful guest", () => {
        for (const ds of recording.ofType("homelab:storage:ZfsDataset")) {
            const cmd = recording.childrenOf(ds.urn).find((c) => c.type === COMMAND)!;
            expect([ds.name, cmd.options.protect, cmd.options.retainOnDelete]).toEqual([ds.name, true, true]);
        }
        const bucket = recording.ofType("aws:s3/bucket:Bucket");
        expect(bucket.map((b) => [b.inputs.bucket, b.inputs.forceDestroy, b.options.protect])).toEqual([
            ["attic-pbs-offsite", false, true],
        ]);
        for (const guest of [...recording.ofType(CONTAINER), ...recording.ofType(VM)])
            expect([guest.name, guest.inputs.protection]).toEqual([guest.name, true]);
    });

    it("keeps every credential input secret: provider tokens and passwords, SSH connections, the PBS password", () => {
        const providers = recording.ofType("pulumi:providers:proxmoxve");
        const api = providers.find((p) => p.inputs.apiToken !== undefined)!;
        const root = providers.find((p) => p.inputs.password !== undefined)!;
        expect(api.secretPaths).toContain("apiToken");
        expect(root.secretPaths).toContain("password");
        expect(recording.ofType("pulumi:providers:cloudflare")[0].secretPaths).toContain("apiToken");
        for (const cmd of recording.ofType(COMMAND))
            expect([cmd.name, cmd.secretPaths]).toEqual([cmd.name, expect.arrayContaining(["connection"])]);
        expect(recording.ofType("proxmoxve:storage/pbs:Pbs")[0].secretPaths).toContain("password");
    });

    it("hands no credential's value to any resource outside an input the engine keeps secret", () => {
        const values = Object.values(credentialConfig().config);
        /** The paths of the leaves of `value` that hold a credential's value. */
        const holders = (value: unknown, path: string): string[] => {
            if (typeof value === "string") return values.some((v) => value.includes(v)) ? [path] : [];
            if (Array.isArray(value)) return value.flatMap((v, i) => holders(v, `${path}[${i}]`));
            if (value !== null && typeof value === "object")
                return Object.entries(value).flatMap(([k, v]) => holders(v, path === "" ? k : `${path}.${k}`));
            return [];
        };
        const underSecret = (path: string, secrets: readonly string[]) =>
            secrets.some((s) => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`));
        const carriers = recording.resources.flatMap((r) => holders(r.inputs, "").map((path) => ({ r, path })));
        // The credentials do reach resources (providers, SSH connections, PBS storages), so the check has something to judge.
        expect(carriers.length).toBeGreaterThan(40);
        expect(carriers.filter(({ r, path }) => !underSecret(path, r.secretPaths)).map(({ r, path }) => `${r.name}: ${path}`)).toEqual([]);
    });

    it("exports every dataset's mountpoint and effective properties", () => {
        const paths = Object.keys(outputs.datasetMountpoints as object).sort();
        expect(paths).toHaveLength(12);
        expect(Object.keys(outputs.datasetProperties as object).sort()).toEqual(paths);
        expect((outputs.datasetMountpoints as Record<string, string>)["tank/photos"]).toBe("/tank/photos");
    });

    it("exports exactly the program's API token and the offsite key's secret as secrets", () => {
        // The stack's registered outputs as the engine receives them: these two are marked secret
        // (stored encrypted, shown only with --show-secrets); every other output is in the clear.
        expect([...recording.ofType("pulumi:pulumi:Stack")[0].outputSecretPaths].sort()).toEqual([
            "offsiteSecretAccessKey",
            "proxmoxApiToken",
        ]);
    });

    it("exports the command that stores the program's API token for later runs", () => {
        expect(outputs.proxmoxApiTokenCommand).toBe(
            'pulumi config set --stack test --secret homelab:proxmoxApiToken "$(pulumi stack output --stack test --show-secrets proxmoxApiToken)"',
        );
        const token = recording.ofType("proxmoxve:user/token:Token")[0];
        expect([token.inputs.userId, token.inputs.tokenName, token.inputs.privilegesSeparation]).toEqual(["homelab@pve", "homelab", false]);
    });

    it("exports what PBS needs to reach the offsite bucket", () => {
        expect([outputs.offsiteBucket, outputs.offsiteRegion, outputs.offsiteEndpoint]).toEqual([
            "attic-pbs-offsite",
            "eu-central-1",
            "https://s3.eu-central-1.amazonaws.com",
        ]);
    });

    it("puts every guest disk and system volume on a named inventory storage for guest disks, never on local or the provider default", () => {
        const inv = referenceInventory();
        const guestStorages = Object.entries(inv.storages)
            .filter(([, s]) => s.content.includes("images") || s.content.includes("rootdir"))
            .map(([id]) => id)
            .sort();
        expect(guestStorages).toEqual(["local-zfs", "shared-nfs", "tank-vm"]);
        const used: string[] = [];
        for (const ct of recording.ofType(CONTAINER)) used.push((ct.inputs.disk as { datastoreId?: string }).datastoreId!);
        for (const vm of recording.ofType(VM)) {
            for (const disk of vm.inputs.disks as { datastoreId?: string }[]) used.push(disk.datastoreId!);
            for (const key of ["efiDisk", "tpmState", "initialization"])
                if (vm.inputs[key] !== undefined) used.push((vm.inputs[key] as { datastoreId?: string }).datastoreId!);
        }
        // 7 container root disks, 3 VM system disks, 2 EFI disks, 1 TPM state, 1 cloud-init drive.
        expect(used).toHaveLength(14);
        for (const id of used) expect(guestStorages).toContain(id);
        expect(used).not.toContain("local");
    });
});

describe("deployHomelab without the optional sections (dns, backups, offsite)", () => {
    it("builds no Cloudflare provider, backup plan or bucket, needs none of their credentials, and exports none of their outputs", async () => {
        const inv = { ...referenceInventory(), dns: undefined, backups: undefined, offsite: undefined };
        // Only the Proxmox credentials: a missing Cloudflare token, PBS password or bucket key would throw.
        const config = { "homelab:proxmoxApiToken": "test-token", "homelab:proxmoxRootPassword": "test-password" };
        let exported: Record<string, unknown> = {};
        const { recording: r } = await record(
            () => {
                exported = { ...deployHomelab(inv, readCredentials()) };
            },
            { config, secretKeys: Object.keys(config) },
        );
        const types = Object.keys(r.countsByType());
        expect(types.filter((t) => /cloudflare|aws|backup|storage\/pbs/i.test(t))).toEqual([]);
        expect(r.ofType(CONTAINER)).toHaveLength(7);
        expect(r.ofType(VM)).toHaveLength(3);
        expect(Object.keys(exported).sort()).toEqual([
            "datasetMountpoints",
            "datasetProperties",
            "guestAddresses",
            "guestVmids",
            "proxmoxApiToken",
            "proxmoxApiTokenCommand",
        ]);
    });
});
