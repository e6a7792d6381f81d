/**
 * Policy test fixtures: plain `PolicyResourceInput`s shaped like the provider inputs (typed against
 * the installed SDKs' args, so a renamed or reshaped field fails `tsc`), and a compliant stack:
 * two nodes, a container and a VM under their guest components, firewall options, backup jobs,
 * downloads, a remote command, DNS records and the offsite bucket with its sub-resources.
 * `runPolicies(compliantStack())` reports nothing; each test mutates one thing.
 */
import type * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import type * as aws from "@pulumi/aws";
import type * as cloudflare from "@pulumi/cloudflare";
import type * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { PolicyPackConfig, PolicyResourceInput, PolicyRunResult, runPolicies } from "../../tools/policy/runner";

export type ContainerInputs = pulumi.Unwrap<proxmoxve.ContainerLegacyArgs>;
export type VmInputs = pulumi.Unwrap<proxmoxve.VmLegacyArgs>;
export type ClonedVmInputs = pulumi.Unwrap<proxmoxve.cloned.VmArgs>;
export type ClonedVmLegacyInputs = pulumi.Unwrap<proxmoxve.cloned.VmLegacyArgs>;
export type ExperimentalVmInputs = pulumi.Unwrap<proxmoxve.VmArgs>;
export type Vm2LegacyInputs = pulumi.Unwrap<proxmoxve.Vm2LegacyArgs>;
export type FirewallOptionsInputs = pulumi.Unwrap<proxmoxve.firewall.OptionsLegacyArgs>;
export type BackupJobInputs = pulumi.Unwrap<proxmoxve.backup.JobArgs>;
export type DownloadInputs = pulumi.Unwrap<proxmoxve.download.FileArgs>;
export type NfsInputs = pulumi.Unwrap<proxmoxve.storage.NfsArgs>;
export type DirectoryInputs = pulumi.Unwrap<proxmoxve.storage.DirectoryArgs>;
export type AclInputs = pulumi.Unwrap<proxmoxve.AclArgs>;
export type RoleInputs = pulumi.Unwrap<proxmoxve.RoleLegacyArgs>;
export type TokenInputs = pulumi.Unwrap<proxmoxve.user.TokenLegacyArgs>;
export type CommandInputs = Omit<pulumi.Unwrap<command.remote.CommandArgs>, "connection">;
export type DnsRecordInputs = pulumi.Unwrap<cloudflare.DnsRecordArgs>;
export type BucketInputs = pulumi.Unwrap<aws.s3.BucketArgs>;

export const T = {
    container: "proxmoxve:index/containerLegacy:ContainerLegacy",
    containerV7: "proxmoxve:CT/container:Container",
    vm: "proxmoxve:index/vmLegacy:VmLegacy",
    vmV7: "proxmoxve:VM/virtualMachine:VirtualMachine",
    clonedVm: "proxmoxve:cloned/vm:Vm",
    clonedVmLegacy: "proxmoxve:cloned/vmLegacy:VmLegacy",
    clonedVmV7: "proxmoxve:VM/clonedVirtualMachine:ClonedVirtualMachine",
    experimentalVm: "proxmoxve:index/vm:Vm",
    vm2Legacy: "proxmoxve:index/vm2Legacy:Vm2Legacy",
    experimentalVmV7: "proxmoxve:VM/virtualMachine2:VirtualMachine2",
    firewallOptions: "proxmoxve:firewall/optionsLegacy:OptionsLegacy",
    backupJob: "proxmoxve:backup/job:Job",
    download: "proxmoxve:download/file:File",
    nfs: "proxmoxve:storage/nfs:Nfs",
    remoteCommand: "command:remote:Command",
    localCommand: "command:local:Command",
    dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
    dnsRecordV5: "cloudflare:index/record:Record",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    acl: "aws:s3/bucketAcl:BucketAcl",
    nodeComponent: "homelab:proxmox:Node",
    clusterComponent: "homelab:proxmox:Cluster",
    backupPlanComponent: "homelab:backup:BackupPlan",
    datasetComponent: "homelab:storage:ZfsDataset",
    directory: "proxmoxve:storage/directory:Directory",
    directoryLegacy: "proxmoxve:storage/directoryLegacy:DirectoryLegacy",
    pveAcl: "proxmoxve:index/acl:Acl",
    aclLegacy: "proxmoxve:index/aclLegacy:AclLegacy",
    role: "proxmoxve:index/roleLegacy:RoleLegacy",
    token: "proxmoxve:user/tokenLegacy:TokenLegacy",
    lxcComponent: "homelab:proxmox:LxcGuest",
    vmComponent: "homelab:proxmox:VmGuest",
} as const;

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::homelab::${type}::${name}`;
}

/** A custom resource with these inputs. */
export function custom(type: string, name: string, inputs: object, extra: Partial<PolicyResourceInput> = {}): PolicyResourceInput {
    return {
        urn: urnOf(type, name),
        type,
        name,
        custom: true,
        inputs: structuredClone(inputs) as Record<string, unknown>,
        outputs: {},
        dependencies: [],
        ...extra,
    };
}

/** A component with these registered outputs. */
export function component(type: string, name: string, outputs: object, extra: Partial<PolicyResourceInput> = {}): PolicyResourceInput {
    return {
        urn: urnOf(type, name),
        type,
        name,
        custom: false,
        inputs: {},
        outputs: structuredClone(outputs) as Record<string, unknown>,
        dependencies: [],
        ...extra,
    };
}

export const CONTAINER: ContainerInputs = {
    nodeName: "pve-storage",
    vmId: 30041,
    unprivileged: true,
    cpu: { cores: 2, units: 1024 },
    memory: { dedicated: 4096 },
    disk: { datastoreId: "stor-zfs", size: 16 },
    features: { nesting: true, keyctl: true },
    tags: ["docker", "normal"],
    mountPoints: [
        { path: "/mnt/cloud", volume: "/tank/cloud" },
        { path: "/srv/appdata", volume: "/tank/appdata/cloud" },
    ],
    idmaps: [
        { type: "uid", containerId: 0, hostId: 100000, size: 33 },
        { type: "uid", containerId: 33, hostId: 33, size: 1 },
        { type: "uid", containerId: 34, hostId: 100034, size: 65502 },
    ],
    devicePassthroughs: [{ path: "/dev/net/tun" }, { path: "/dev/dri/renderD128", gid: 104 }],
    networkInterfaces: [{ name: "eth0", bridge: "vmbr0", vlanId: 30, firewall: true }],
    initialization: { hostname: "cloud", ipConfigs: [{ ipv4: { address: "192.168.30.41/24", gateway: "192.168.30.1" } }] },
    operatingSystem: { templateFileId: "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst", type: "debian" },
};

export const VM: VmInputs = {
    nodeName: "pve-storage",
    vmId: 10020,
    name: "pbs",
    bios: "ovmf",
    machine: "q35",
    cpu: { cores: 4, units: 1500, type: "host" },
    memory: { dedicated: 8192, floating: 4096 },
    disks: [{ interface: "scsi0", datastoreId: "stor-zfs", size: 32 }],
    efiDisk: { datastoreId: "stor-zfs", type: "4m" },
    tpmState: { datastoreId: "stor-zfs", version: "v2.0" },
    initialization: { datastoreId: "stor-zfs", ipConfigs: [{ ipv4: { address: "192.168.10.20/24", gateway: "192.168.10.1" } }] },
    networkDevices: [{ bridge: "vmbr0", vlanId: 10, firewall: true }],
    hostpcis: [{ device: "hostpci0", mapping: "nic-wan", pcie: true }],
    usbs: [{ mapping: "coral" }],
    tags: ["backup", "high"],
};

/** A VM cloned from template 9000 on VLAN 10 (.30): disks and NICs are maps keyed by interface. */
export const CLONED_VM: ClonedVmInputs = {
    nodeName: "pve-storage",
    resourceId: "10030",
    name: "builder",
    clone: { sourceVmId: 9000, full: true, targetDatastore: "stor-zfs" },
    cpu: { cores: 2, units: 1024 },
    memory: { size: 4096 },
    disk: { scsi0: { datastoreId: "stor-zfs", sizeGb: 32 } },
    network: { net0: { bridge: "vmbr0", tag: 10, firewall: true } },
    tags: ["normal"],
};

/** The provider's experimental VM: no disks, NICs or memory in its inputs. */
export const EXPERIMENTAL_VM: ExperimentalVmInputs = {
    nodeName: "pve-storage",
    resourceId: "10031",
    name: "lab",
    cpu: { cores: 1, units: 1024 },
    tags: ["low"],
};

export function container(
    name = "cloud-container",
    inputs: ContainerInputs = CONTAINER,
    extra: Partial<PolicyResourceInput> = {},
): PolicyResourceInput {
    return custom(T.container, name, inputs, extra);
}

export function vm(name = "pbs-vm", inputs: VmInputs = VM, extra: Partial<PolicyResourceInput> = {}): PolicyResourceInput {
    return custom(T.vm, name, inputs, extra);
}

/** A copy of `r` with its inputs changed by `change` (which edits a deep copy in place). */
export function mutate<T extends object>(r: PolicyResourceInput, change: (inputs: T) => void): PolicyResourceInput {
    const inputs = structuredClone(r.inputs) as T;
    change(inputs);
    return { ...r, inputs: inputs as Record<string, unknown> };
}

export const DOWNLOAD: DownloadInputs = {
    nodeName: "pve-storage",
    datastoreId: "local",
    contentType: "vztmpl",
    url: "http://download.proxmox.com/images/system/debian-12-standard_12.12-1_amd64.tar.zst",
    checksum:
        "50c85eaaece677a3ebe01cc909b83872e9da2a22c29ae652838afce71e83222fdf40f6accecd7d52b180e912fc1f85ecdf7b3fc4d3027da4d865e509a9e76597",
    checksumAlgorithm: "sha512",
};

export const COMMAND: CommandInputs = {
    create: "set -eu\nzfs create -o recordsize=128K tank/cloud\nchown 100033:100033 /tank/cloud",
    update: "set -eu\nzfs set recordsize=128K tank/cloud",
    delete: "set -eu\nif zfs list -H tank/cloud >/dev/null 2>&1; then zfs destroy tank/cloud; fi",
};

export const WILDCARD: DnsRecordInputs = {
    zoneId: "zone-example.org",
    name: "*.lab.example.org",
    type: "A",
    content: "203.0.113.10",
    ttl: 300,
    proxied: false,
};
export const VPN: DnsRecordInputs = {
    zoneId: "zone-example.org",
    name: "vpn.example.org",
    type: "A",
    content: "203.0.113.10",
    ttl: 300,
    proxied: false,
    comment: "managed by homelab (pulumi); udp; WireGuard",
};
export const WWW: DnsRecordInputs = {
    zoneId: "zone-example.org",
    name: "www.example.org",
    type: "CNAME",
    content: "example-org.pages.dev",
    ttl: 1,
    proxied: true,
};

export const BUCKET_NAME = "attic-pbs-offsite";
export const BUCKET: BucketInputs = { bucket: BUCKET_NAME, tags: { "managed-by": "homelab", "serves-pbs": "true" } };

/** The offsite bucket and its five sub-resources, compliant. */
export function offsiteBucket(): PolicyResourceInput[] {
    const bucket = custom(T.bucket, "offsite", BUCKET);
    const sub = (type: string, name: string, inputs: object) => custom(type, name, inputs, { dependencies: [bucket.urn] });
    return [
        bucket,
        sub(T.versioning, "offsite-versioning", { bucket: BUCKET_NAME, versioningConfiguration: { status: "Enabled" } }),
        sub(T.encryption, "offsite-encryption", {
            bucket: BUCKET_NAME,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }),
        sub(T.publicAccessBlock, "offsite-public-access", {
            bucket: BUCKET_NAME,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }),
        sub(T.lifecycle, "offsite-lifecycle", {
            bucket: BUCKET_NAME,
            rules: [{ id: "expire-noncurrent", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 30 } }],
        }),
    ];
}

/** A guest component and its provider resource (and firewall options), linked by parent. */
export function guest(
    kind: "lxc" | "vm",
    name: string,
    inputs: ContainerInputs | VmInputs,
    outputs: Record<string, unknown>,
): { component: PolicyResourceInput; provider: PolicyResourceInput; firewall: PolicyResourceInput } {
    const comp = component(kind === "lxc" ? T.lxcComponent : T.vmComponent, name, outputs);
    const provider = custom(kind === "lxc" ? T.container : T.vm, `${name}-${kind === "lxc" ? "container" : "vm"}`, inputs, {
        parent: comp.urn,
    });
    const vmid = inputs.vmId as number;
    const firewallInputs: FirewallOptionsInputs = {
        nodeName: inputs.nodeName as string,
        ...(kind === "lxc" ? { containerId: vmid } : { vmId: vmid }),
        enabled: true,
        inputPolicy: "DROP",
        outputPolicy: "ACCEPT",
    };
    const firewall = custom(T.firewallOptions, `${name}-firewall`, firewallInputs, { parent: comp.urn, dependencies: [provider.urn] });
    return { component: comp, provider, firewall };
}

/** The Cluster component's outputs: what the inventory says about the whole cluster (see docs of the pack). */
export const CLUSTER = {
    name: "homelab",
    qdeviceAddress: "192.168.10.5",
    idScheme: "vlan",
    idOffset: 0,
    managedRoots: ["/tank", "/rpool/appdata"],
    hostIdFloor: 100000,
    automationTokenId: "homelab@pve!homelab",
    networks: [
        { name: "management", vlan: 10, cidr: "192.168.10.0/24", gateway: "192.168.10.1", reserved: [] },
        {
            name: "services",
            vlan: 30,
            cidr: "192.168.30.0/24",
            gateway: "192.168.30.1",
            reserved: [
                { first: "192.168.30.2", last: "192.168.30.2", purpose: "keepalived VIP of the reverse proxy" },
                { first: "192.168.30.200", last: "192.168.30.249", purpose: "DHCP pool" },
            ],
        },
    ],
    nodes: [
        { name: "pve-network", address: "192.168.10.11" },
        { name: "pve-storage", address: "192.168.10.12" },
    ],
};

/** The program's role, its token and ACLs on the narrowest paths. */
export function accessControl(): PolicyResourceInput[] {
    const role: RoleInputs = {
        roleId: "HomelabAutomation",
        privileges: ["Datastore.AllocateSpace", "Datastore.Audit", "Sys.Audit", "VM.Allocate", "VM.Audit", "VM.Config.Disk"],
    };
    const token: TokenInputs = { userId: "homelab@pve", tokenName: "homelab", privilegesSeparation: true };
    const acl = (name: string, path: string, propagate = true): PolicyResourceInput =>
        custom(T.pveAcl, name, { path, roleId: "HomelabAutomation", tokenId: "homelab@pve!homelab", propagate } satisfies AclInputs);
    return [
        custom(T.role, "homelab-role", role),
        custom(T.token, "homelab-token", token),
        acl("acl-vms", "/vms/30041"),
        acl("acl-storage", "/storage/stor-zfs"),
        acl("acl-root-audit", "/", false),
    ];
}

export const NODES = {
    "pve-network": { threads: 4, memoryGiB: 16 },
    "pve-storage": { threads: 16, memoryGiB: 96 },
} as const;

/** A compliant stack: no rule reports anything. */
/** The copies the BackupPlan registers (lib/copies): the cloud container meets 3-2-1, the PBS VM is left out with its reason. */
export const COPIES = [
    {
        key: "guests.cloud",
        copies: [
            { kind: "live", where: "local-zfs on pve-storage", media: "pve-storage:rpool", offsite: false },
            { kind: "backup", where: "PBS datastore tank on tank/pbs (NFS from pve-storage)", media: "pve-storage:tank", offsite: false },
            { kind: "offsite", where: "aws bucket attic-pbs-offsite", media: "aws:attic-pbs-offsite", offsite: true },
        ],
        mediaCount: 3,
        offsite: true,
        meets321: true,
        tier: "critical",
        shortfalls: [],
    },
    {
        key: "guests.pbs",
        copies: [{ kind: "live", where: "local-zfs on pve-storage", media: "pve-storage:rpool", offsite: false }],
        mediaCount: 1,
        offsite: false,
        meets321: false,
        excluded: "PBS cannot back itself up into its own datastore",
        shortfalls: ["left out of backups: PBS cannot back itself up into its own datastore", "1 copy, 3 wanted", "none offsite"],
    },
];

export function compliantStack(): PolicyResourceInput[] {
    const addresses: Record<string, string> = { "pve-network": "192.168.10.11", "pve-storage": "192.168.10.12" };
    const nodes = Object.entries(NODES).map(([nodeName, cap]) =>
        component(T.nodeComponent, nodeName, { nodeName, address: addresses[nodeName], ...cap }),
    );
    const pbsDataset = component(T.datasetComponent, "tank/pbs", {
        path: "tank/pbs",
        node: "pve-storage",
        mountpoint: "/tank/pbs",
        properties: { recordsize: "1M", sharenfs: "rw=@192.168.10.20/32,no_root_squash" },
    });
    const dump: DirectoryInputs = { resourceId: "tank-dump", path: "/tank/dump", contents: ["backup"] };
    const cloud = guest("lxc", "cloud", CONTAINER, {
        vmid: 30041,
        nodeName: "pve-storage",
        ipv4: "192.168.30.41",
        tier: "normal",
        backupTier: "critical",
        usesRootProvider: true,
    });
    const pbs = guest("vm", "pbs", VM, {
        vmid: 10020,
        nodeName: "pve-storage",
        ipv4: "192.168.10.20",
        tier: "high",
        backupExclusionReason: "PBS cannot back itself up into its own datastore",
        usesRootProvider: false,
    });
    const job: BackupJobInputs = {
        resourceId: "critical-pve-storage",
        schedule: "*-*-* 00:30",
        storage: "pbs",
        node: "pve-storage",
        vmids: ["30041"],
        mode: "snapshot",
        compress: "zstd",
    };
    const nfs: NfsInputs = { resourceId: "shared-nfs", server: "192.168.10.12", export: "/tank/shared", nodes: ["pve-network"] };
    return [
        component(T.clusterComponent, "homelab", CLUSTER),
        ...nodes,
        cloud.component,
        cloud.provider,
        cloud.firewall,
        pbs.component,
        pbs.provider,
        pbs.firewall,
        component(T.backupPlanComponent, "backups", { copies: COPIES }),
        custom(T.backupJob, "backup-critical-pve-storage", job),
        custom(T.nfs, "pve-network-shared-nfs", nfs),
        custom(T.directory, "tank-dump", dump),
        pbsDataset,
        ...accessControl(),
        custom(T.download, "pve-storage-debian-12-lxc", DOWNLOAD),
        custom(T.remoteCommand, "tank-cloud", COMMAND),
        custom(T.dnsRecord, "dns-lab-wildcard", WILDCARD),
        custom(T.dnsRecord, "dns-vpn", VPN),
        custom(T.dnsRecord, "dns-www", WWW),
        ...offsiteBucket(),
    ];
}

/** Replaces the resource named `name` in `stack` with `change(resource)`. */
export function replace(
    stack: PolicyResourceInput[],
    name: string,
    change: (r: PolicyResourceInput) => PolicyResourceInput,
): PolicyResourceInput[] {
    let found = false;
    const out = stack.map((r) => {
        if (r.name !== name) return r;
        found = true;
        return change(r);
    });
    if (!found) throw new Error(`no resource named ${name} in the stack`);
    return out;
}

/** Runs the pack; returns the messages of one policy's violations. */
export function messages(result: PolicyRunResult, policy: string): string[] {
    return result.violations.filter((v) => v.policy === policy).map((v) => v.message);
}

/** Runs the pack over `resources` and returns the messages of `policy`. */
export function check(policy: string, resources: PolicyResourceInput[], config?: PolicyPackConfig): string[] {
    return messages(runPolicies(resources, config), policy);
}
