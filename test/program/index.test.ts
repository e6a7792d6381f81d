/**
 * The real entry point (index.ts) over the reference stack's config under the recording mocks:
 * the whole homelab is registered, credentials stay secret, data is protected.
 */
import { Recording, record } from "../helpers/harness";
import { credentialConfig, referenceConfig } from "./reference";

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
            "command:remote:Command": 12,
            "homelab:backup:BackupPlan": 1,
            "homelab:backup:OffsiteBucket": 1,
            "homelab:dns:DnsRecord": 4,
            "homelab:proxmox:LxcGuest": 7,
            "homelab:proxmox:Node": 2,
            "homelab:proxmox:VmGuest": 3,
            "homelab:storage:ZfsDataset": 12,
            "proxmoxve:backup/job:Job": 5,
            "proxmoxve:download/file:File": 3,
            "proxmoxve:firewall/optionsLegacy:OptionsLegacy": 10,
            "proxmoxve:firewall/rulesLegacy:RulesLegacy": 9,
            "proxmoxve:index/containerLegacy:ContainerLegacy": 7,
            "proxmoxve:index/vmLegacy:VmLegacy": 3,
            "proxmoxve:network/linux/bridge:Bridge": 2,
            "proxmoxve:node/firewall:Firewall": 2,
            "proxmoxve:storage/nfs:Nfs": 1,
            "proxmoxve:storage/pbs:Pbs": 1,
            "proxmoxve:storage/zfspool:Zfspool": 3,
            "pulumi:providers:aws": 1,
            "pulumi:providers:cloudflare": 1,
            "pulumi:providers:proxmoxve": 2,
            "pulumi:pulumi:Stack": 1,
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

    it("makes every guest that bind-mounts a dataset wait for that dataset", () => {
        // Depending on a component means depending on its children: the dataset's remote command.
        const datasetUrn = (path: string) => recording.one(`${path}-zfs`, COMMAND).urn;
        // The container resource itself waits: that is what a bind mount needs.
        const guestDeps = (name: string) =>
            recording.childrenOf(recording.one(name, "homelab:proxmox:LxcGuest").urn).find((r) => r.type === CONTAINER)!.options.dependsOn;
        expect(guestDeps("files")).toEqual(
            expect.arrayContaining([datasetUrn("tank/photos"), datasetUrn("tank/cloud"), datasetUrn("tank/media")]),
        );
        expect(guestDeps("photos")).toEqual(expect.arrayContaining([datasetUrn("tank/photos"), datasetUrn("tank/appdata/photos")]));
        expect(guestDeps("edge")).toEqual(expect.arrayContaining([datasetUrn("rpool/appdata/edge")]));
        expect(guestDeps("unifi").filter((u) => u.includes(COMMAND))).toEqual([]);
    });

    it("makes a storage wait for the dataset behind it: the NFS export and the zfs pool path", () => {
        const storage = (name: string) =>
            recording.ofType("proxmoxve:storage/" + name.split("|")[0]).find((r) => r.name === name.split("|")[1])!;
        expect(storage("nfs:Nfs|pve-network-storage-shared-nfs").options.dependsOn).toEqual(
            expect.arrayContaining([recording.one("tank/shared-zfs", COMMAND).urn]),
        );
        expect(storage("zfspool:Zfspool|pve-storage-storage-tank-vm").options.dependsOn).toEqual(
            expect.arrayContaining([recording.one("tank/vm-zfs", COMMAND).urn]),
        );
        expect(storage("zfspool:Zfspool|pve-storage-storage-stor-zfs").options.dependsOn).toEqual([]);
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

    it("exports every dataset's mountpoint and effective properties", () => {
        const paths = Object.keys(outputs.datasetMountpoints as object).sort();
        expect(paths).toHaveLength(12);
        expect(Object.keys(outputs.datasetProperties as object).sort()).toEqual(paths);
        expect((outputs.datasetMountpoints as Record<string, string>)["tank/photos"]).toBe("/tank/photos");
    });

    it("exports the offsite key's secret only as a secret", () => {
        const stack = recording.ofType("pulumi:pulumi:Stack")[0];
        expect(stack).toBeDefined();
        expect(outputs.offsiteBucket).toBe("attic-pbs-offsite");
        expect(outputs.offsiteSecretAccessKey).toBe("[secret]");
    });

    it("leaves no guest storage on local or to the provider default", () => {
        for (const ct of recording.ofType(CONTAINER))
            expect((ct.inputs.disk as { datastoreId?: string }).datastoreId).toMatch(/^(net-zfs|stor-zfs)$/);
        for (const vm of recording.ofType(VM)) {
            for (const disk of vm.inputs.disks as { datastoreId?: string }[])
                expect(disk.datastoreId).toMatch(/^(net-zfs|stor-zfs|tank-vm)$/);
        }
    });
});
