/**
 * For every rule of the replacement table (lib/replacements.ts): either a pair of inventories whose
 * change triggers it through the real program, or why no inventory can (checked against what the
 * program registers). test/tools/change-rules.slow.test.ts runs both.
 *
 * INVENTORY-FORMAT DEPENDENT, like change-fixtures.ts: the mutations name inventory v2's fields.
 */
import { RawInventory, StackName } from "./change-fixtures";

/** A base inventory and the change that triggers a rule on one resource. */
export interface RulePair {
    readonly stack: StackName;
    /** The base: the stack's inventory with the variant applied (VARIANTS). @default the stack as it is */
    readonly variant?: keyof typeof VARIANTS;
    readonly change: (inv: RawInventory) => void;
    /** The resource the rule replaces. */
    readonly resource: string;
    /** `ignored`: the program lists the path in the resource's ignoreChanges, so the engine never sees it. @default "replace" */
    readonly expect?: "replace" | "ignored";
}

/** Why no inventory triggers a rule; each is checked against the recorded resources of the row's types. */
export type Unreachable =
    /** The program never sets the input. */
    | { readonly why: "never set" }
    /** The program always sends this value. */
    | { readonly why: "constant"; readonly value: unknown }
    /** The value is part of the resource's name: another value is another resource (a delete and a create). */
    | { readonly why: "in the name" }
    /** A secret: the plan sees the placeholder on both sides (docs/plan.md). */
    | { readonly why: "secret" }
    /** Taken from another resource's output: it changes only with that resource (ENGINE_RULES.dependent). */
    | { readonly why: "from a resource" }
    /** The program registers no resource of the type. */
    | { readonly why: "not registered" };

const PBS_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm1i0Vd6x3zGbVu7yJwz0bqRMQ3RXcHbmpXQ1gLXrxj new@workstation";
const LXC_13 = {
    url: "http://download.proxmox.com/images/system/debian-13-standard_13.1-2_amd64.tar.zst",
    fileName: "debian-13-standard_13.1-2_amd64.tar.zst",
};

/** Base inventories with what the stacks lack: more storage kinds, a container template and its clone, images on a shared storage. */
export const VARIANTS = {
    /** The reference homelab's offsite bucket on Cloudflare R2 (no versioning, so PBS does not write to it). */
    r2: (inv: RawInventory) => {
        inv.offsite = {
            ...inv.offsite,
            service: "r2",
            region: "auto",
            endpoint: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
            servesPbs: false,
        };
    },
    /** The reference homelab with an LVM, an LVM-thin, a CIFS and a directory storage of its own, and a dataset on rpool (both nodes have one). */
    extras: (inv: RawInventory) => {
        inv.datasets["rpool/appdata/scratch"] = {
            node: "pve-storage",
            properties: {},
            backup: { exclude: "scratch space, rebuilt from nothing" },
        };
        inv.storages["vm-lvm"] = { kind: "lvm", volumeGroup: "vg-data", content: ["images"], nodes: ["pve-network"] };
        inv.storages["vm-thin"] = {
            kind: "lvmthin",
            volumeGroup: "vg-data",
            thinPool: "thin",
            content: ["images", "rootdir"],
            nodes: ["pve-network"],
        };
        inv.storages["nas-smb"] = {
            kind: "cifs",
            server: "192.168.10.40",
            share: "backups",
            username: "pve",
            domain: "LAB",
            content: ["iso"],
        };
        inv.storages["isos"] = {
            kind: "dir",
            path: "/tank/isos",
            content: ["iso", "vztmpl", "import", "snippets"],
            nodes: ["pve-storage"],
        };
    },
    /**
     * The example cluster with its VM template on Ceph (clones on any node), a container template on
     * Ceph and a clone of it, and the VM image on CephFS (one download for the cluster).
     */
    clones: (inv: RawInventory) => {
        inv.guests.golden.disks[0].storage = "ceph-vm";
        inv.guests["ci-runner"].disks[0].storage = "ceph-vm";
        inv.guests["ct-golden"] = {
            kind: "lxc",
            node: "pve3",
            network: "servers",
            vmid: 9100,
            template: true,
            cores: 1,
            memoryMiB: 512,
            tier: "low",
            disk: { storage: "ceph-vm", sizeGiB: 4 },
            image: "debian-12-lxc",
            backup: { exclude: "a template, rebuilt from its image" },
        };
        inv.guests["ct-clone"] = {
            kind: "lxc",
            node: "pve3",
            network: "servers",
            ipv4: "10.0.20.60",
            vmid: 20060,
            cores: 1,
            memoryMiB: 512,
            tier: "low",
            stateful: false,
            clone: { from: "ct-golden", full: true },
            disk: { storage: "local-zfs", sizeGiB: 4 },
            backup: { exclude: "stateless, rebuilt from the template" },
        };
        inv.storages["cephfs"] = { kind: "cephfs", content: ["vztmpl", "iso", "import"], managed: false };
        inv.images["debian-12-cloud"].storage = "cephfs";
    },
    /** The example cluster with a Ceph pool the program creates (Proxmox adds its storage), the wiki's disk on it. */
    ceph: (inv: RawInventory) => {
        inv.storages["vmpool"] = { kind: "rbd", pool: "vmpool", content: ["images", "rootdir"], size: 3, minSize: 2 };
        inv.guests.wiki.disks[0].storage = "vmpool";
    },
} as const;

/** Rule key: the row's first type token and the rule's path. */
export const PAIRS: Readonly<Record<string, RulePair>> = {
    // Containers (P8 and container.go).
    "proxmoxve:index/containerLegacy:ContainerLegacy vmId": {
        stack: "prod",
        change: (inv) => {
            inv.guests.unifi.ipv4 = "192.168.10.6";
            inv.guests.unifi.vmid = 10006;
        },
        resource: "unifi-container",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy nodeName": {
        stack: "prod",
        change: (inv) => (inv.guests.unifi.node = "pve-storage"),
        resource: "unifi-container",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy unprivileged": {
        stack: "prod",
        change: (inv) => (inv.guests.unifi.privileged = { reason: "The controller's discovery needs raw sockets on the host network." }),
        resource: "unifi-container",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy operatingSystem": {
        stack: "prod",
        change: (inv) => {
            inv.images["debian-13-lxc"] = { ...inv.images["debian-12-lxc"], ...LXC_13 };
            inv.guests.unifi.image = "debian-13-lxc";
        },
        resource: "unifi-container",
        expect: "ignored",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy initialization.userAccount": {
        stack: "prod",
        change: (inv) => (inv.cluster.sshPublicKeys = [PBS_KEY]),
        resource: "unifi-container",
        expect: "ignored",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy clone.vmId": {
        stack: "example-cluster",
        variant: "clones",
        change: (inv) => (inv.guests["ct-golden"].vmid = 9101),
        resource: "ct-clone-container",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy clone.full": {
        stack: "example-cluster",
        variant: "clones",
        change: (inv) => {
            // A linked clone stays on its template's storage.
            inv.guests["ct-clone"].clone.full = false;
            inv.guests["ct-clone"].disk.storage = "ceph-vm";
        },
        resource: "ct-clone-container",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy clone.datastoreId": {
        stack: "example-cluster",
        variant: "clones",
        change: (inv) => (inv.guests["ct-clone"].disk.storage = "ceph-vm"),
        resource: "ct-clone-container",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy clone.nodeName": {
        stack: "example-cluster",
        variant: "clones",
        change: (inv) => (inv.guests["ct-clone"].node = "pve1"),
        resource: "ct-clone-container",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy disk.datastoreId": {
        stack: "prod",
        change: (inv) => (inv.guests.cloud.disk.storage = "tank-vm"),
        resource: "cloud-container",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy template": {
        stack: "prod",
        change: (inv) => (inv.guests.unifi.template = true),
        resource: "unifi-container",
    },
    "proxmoxve:index/containerLegacy:ContainerLegacy disk.size": {
        stack: "prod",
        change: (inv) => (inv.guests.files.disk.sizeGiB = 4),
        resource: "files-container",
    },
    // VMs (vm.go).
    "proxmoxve:index/vmLegacy:VmLegacy vmId": {
        stack: "prod",
        change: (inv) => {
            inv.guests.windows.ipv4 = "192.168.20.31";
            inv.guests.windows.vmid = 20031;
        },
        resource: "windows-vm",
    },
    // The snippet's volume id is named by the VM (components/vmGuest.ts snippetVolumeId): another
    // snippets storage on the node moves it.
    "proxmoxve:index/vmLegacy:VmLegacy initialization.userDataFileId": {
        stack: "prod",
        change: (inv) => {
            inv.storages["a-snippets"] = { kind: "dir", path: "/tank/snippets", content: ["snippets"], nodes: ["pve-storage"] };
        },
        resource: "pbs-vm",
    },
    "proxmoxve:index/vmLegacy:VmLegacy nodeName": {
        stack: "example-cluster",
        change: (inv) => (inv.guests.wiki.node = "pve2"),
        resource: "wiki-vm",
    },
    "proxmoxve:index/vmLegacy:VmLegacy clone.vmId": {
        stack: "example-cluster",
        change: (inv) => (inv.guests.golden.vmid = 9001),
        resource: "ci-runner-vm",
    },
    "proxmoxve:index/vmLegacy:VmLegacy clone.datastoreId": {
        stack: "example-cluster",
        change: (inv) => {
            inv.guests["ci-runner"].disks[0].storage = "ceph-vm";
            inv.guests["ci-runner"].clone.full = true;
        },
        resource: "ci-runner-vm",
    },
    "proxmoxve:index/vmLegacy:VmLegacy clone.nodeName": {
        stack: "example-cluster",
        variant: "clones",
        change: (inv) => (inv.guests["ci-runner"].node = "pve1"),
        resource: "ci-runner-vm",
    },
    "proxmoxve:index/vmLegacy:VmLegacy clone.full": {
        stack: "example-cluster",
        change: (inv) => (inv.guests["ci-runner"].clone.full = true),
        resource: "ci-runner-vm",
    },
    // Downloads (resource_download_file.go).
    "proxmoxve:download/file:File contentType": {
        stack: "example-cluster",
        change: (inv) => {
            inv.images["debian-12-cloud"].contentType = "iso";
            inv.images["debian-12-cloud"].fileName = "debian-12-genericcloud-amd64-20250210-2019.img";
            // An installer ISO takes no cloud-init.
            delete inv.guests.wiki.cloudInit;
            delete inv.guests.golden.cloudInit;
        },
        resource: "images-node:pve1/debian-12-cloud",
    },
    "proxmoxve:download/file:File fileName": {
        stack: "prod",
        change: (inv) => (inv.images["debian-12-lxc"].fileName = "debian-12-standard_12.12-1_amd64.tar.xz"),
        resource: "images-node:pve-storage/debian-12-lxc",
    },
    "proxmoxve:download/file:File datastoreId": {
        stack: "prod",
        variant: "extras",
        change: (inv) => {
            inv.images["debian-13-cloud"].storage = "isos";
        },
        resource: "images-node:pve-storage/debian-13-cloud",
    },
    "proxmoxve:download/file:File nodeName": {
        stack: "example-cluster",
        variant: "clones",
        change: (inv) => (inv.guests.wiki.node = "pve2"),
        resource: "images-storage:cephfs/debian-12-cloud",
    },
    "proxmoxve:download/file:File url": {
        stack: "prod",
        change: (inv) =>
            (inv.images["debian-12-lxc"].url = "https://mirror.example.org/images/system/debian-12-standard_12.12-1_amd64.tar.zst"),
        resource: "images-node:pve-storage/debian-12-lxc",
    },
    "proxmoxve:download/file:File checksum": {
        stack: "prod",
        change: (inv) => (inv.images["debian-12-lxc"].checksum = "0".repeat(128)),
        resource: "images-node:pve-storage/debian-12-lxc",
    },
    "proxmoxve:download/file:File checksumAlgorithm": {
        stack: "prod",
        change: (inv) => {
            inv.images["debian-12-lxc"].checksumAlgorithm = "sha256";
            inv.images["debian-12-lxc"].checksum = "0".repeat(64);
        },
        resource: "images-node:pve-storage/debian-12-lxc",
    },
    // Snippets (file.go, P28).
    "proxmoxve:index/fileLegacy:FileLegacy datastoreId": {
        stack: "prod",
        variant: "extras",
        change: (inv) => (inv.storages["isos"].content = ["iso", "vztmpl", "import"]),
        resource: "pbs-user-data",
    },
    "proxmoxve:index/fileLegacy:FileLegacy nodeName": {
        stack: "example-cluster",
        change: (inv) => (inv.guests.wiki.node = "pve2"),
        resource: "wiki-user-data",
    },
    "proxmoxve:index/fileLegacy:FileLegacy sourceRaw": {
        stack: "prod",
        change: (inv) => (inv.cluster.sshPublicKeys = [PBS_KEY]),
        resource: "pbs-user-data",
    },
    // Storages (fwprovider/storage).
    // The pool's API calls go through the first node by name; a new first node is ignored (not a new pool).
    "proxmoxve:ceph/pool:Pool nodeName": {
        stack: "example-cluster",
        variant: "ceph",
        change: (inv) => {
            inv.nodes.pve0 = {
                ...inv.nodes.pve1,
                address: "10.0.10.10",
                hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHc2Tn0pXr4c5VvL0m8yq3Qx1Zs7Kd9Wb6Ej2Fg4Hi5J",
            };
        },
        resource: "storages-vmpool",
        expect: "ignored",
    },
    "proxmoxve:storage/zfspool:Zfspool zfsPool": {
        stack: "prod",
        change: (inv) => (inv.storages["tank-vm"].pool = "tank/vm2"),
        resource: "storages-tank-vm",
    },
    "proxmoxve:storage/nfs:Nfs server": {
        stack: "prod",
        change: (inv) => (inv.storages["shared-nfs"].server = "192.168.10.40"),
        resource: "storages-shared-nfs",
    },
    "proxmoxve:storage/nfs:Nfs export": {
        stack: "prod",
        change: (inv) => (inv.storages["shared-nfs"].export = "/tank/shared/vm"),
        resource: "storages-shared-nfs",
    },
    "proxmoxve:storage/pbs:Pbs server": {
        stack: "example-cluster",
        change: (inv) => (inv.storages.pbs.server = "10.0.10.31"),
        resource: "backups-storage-pbs",
    },
    "proxmoxve:storage/pbs:Pbs datastore": {
        stack: "example-cluster",
        change: (inv) => (inv.storages.pbs.datastore = "rack2"),
        resource: "backups-storage-pbs",
    },
    "proxmoxve:storage/pbs:Pbs username": {
        stack: "example-cluster",
        change: (inv) => (inv.storages.pbs.username = "cluster@pbs"),
        resource: "backups-storage-pbs",
    },
    "proxmoxve:storage/directory:Directory path": {
        stack: "example-single",
        change: (inv) => (inv.storages["usb-backup"].path = "/mnt/usb-backup2"),
        resource: "storages-usb-backup",
    },
    "proxmoxve:storage/lvmthin:Lvmthin volumeGroup": {
        stack: "prod",
        variant: "extras",
        change: (inv) => (inv.storages["vm-thin"].volumeGroup = "vg-fast"),
        resource: "storages-vm-thin",
    },
    "proxmoxve:storage/lvmthin:Lvmthin thinPool": {
        stack: "prod",
        variant: "extras",
        change: (inv) => (inv.storages["vm-thin"].thinPool = "thin2"),
        resource: "storages-vm-thin",
    },
    "proxmoxve:storage/lvm:Lvm volumeGroup": {
        stack: "prod",
        variant: "extras",
        change: (inv) => (inv.storages["vm-lvm"].volumeGroup = "vg-fast"),
        resource: "storages-vm-lvm",
    },
    "proxmoxve:storage/cifs:Cifs server": {
        stack: "prod",
        variant: "extras",
        change: (inv) => (inv.storages["nas-smb"].server = "192.168.10.41"),
        resource: "storages-nas-smb",
    },
    "proxmoxve:storage/cifs:Cifs username": {
        stack: "prod",
        variant: "extras",
        change: (inv) => (inv.storages["nas-smb"].username = "proxmox"),
        resource: "storages-nas-smb",
    },
    "proxmoxve:storage/cifs:Cifs share": {
        stack: "prod",
        variant: "extras",
        change: (inv) => (inv.storages["nas-smb"].share = "isos"),
        resource: "storages-nas-smb",
    },
    "proxmoxve:storage/cifs:Cifs domain": {
        stack: "prod",
        variant: "extras",
        change: (inv) => (inv.storages["nas-smb"].domain = "HOME"),
        resource: "storages-nas-smb",
    },
    // Guest firewall, replication.
    "proxmoxve:firewall/ipsetLegacy:IpsetLegacy cidrs": {
        stack: "prod",
        change: (inv) => {
            inv.guests.files.ipv4 = "192.168.30.51";
            inv.guests.files.vmid = 30051;
        },
        resource: "files-addresses",
    },
    "proxmoxve:index/replication:Replication resourceId": {
        stack: "example-cluster",
        change: (inv) => inv.guests.git.replication.unshift({ node: "pve2", schedule: "*/15" }),
        resource: "git-replication-pve1",
    },
    // Remote commands (C1).
    "command:remote:Command triggers": {
        stack: "prod",
        variant: "extras",
        change: (inv) => (inv.datasets["rpool/appdata/scratch"].node = "pve-network"),
        resource: "rpool/appdata/scratch-zfs",
    },
    // Public DNS, the offsite bucket.
    "cloudflare:index/dnsRecord:DnsRecord zoneId": {
        stack: "prod",
        change: (inv) => (inv.dns.zone = "example.net"),
        resource: "dns-www-record",
    },
    // The API token's user, role and ACLs (cluster.automation).
    "proxmoxve:index/acl:Acl roleId": {
        stack: "prod",
        change: (inv) => (inv.cluster.automation = { role: "HomelabDeploy" }),
        resource: "access-acl:/",
    },
    "proxmoxve:index/acl:Acl userId": {
        stack: "prod",
        change: (inv) => (inv.cluster.automation = { user: "deploy@pve" }),
        resource: "access-acl:/",
    },
    "proxmoxve:index/roleLegacy:RoleLegacy roleId": {
        stack: "prod",
        change: (inv) => (inv.cluster.automation = { role: "HomelabDeploy" }),
        resource: "access-role",
    },
    "proxmoxve:index/userLegacy:UserLegacy userId": {
        stack: "prod",
        change: (inv) => (inv.cluster.automation = { user: "deploy@pve" }),
        resource: "access-user",
    },
    "proxmoxve:user/token:Token tokenName": {
        stack: "prod",
        change: (inv) => (inv.cluster.automation = { token: "deploy" }),
        resource: "access-token",
    },
    "proxmoxve:user/token:Token userId": {
        stack: "prod",
        change: (inv) => (inv.cluster.automation = { user: "deploy@pve" }),
        resource: "access-token",
    },
    "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle accountId": {
        stack: "prod",
        variant: "r2",
        change: (inv) => (inv.offsite.endpoint = "https://fedcba9876543210fedcba9876543210.r2.cloudflarestorage.com"),
        resource: "offsite-lifecycle",
    },
    "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle bucketName": {
        stack: "prod",
        variant: "r2",
        change: (inv) => (inv.offsite.bucket = "attic-pbs-offsite-2"),
        resource: "offsite-lifecycle",
    },
    "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle rules": {
        stack: "prod",
        variant: "r2",
        change: (inv) => (inv.offsite.abortIncompleteUploadDays = 3),
        resource: "offsite-lifecycle",
    },
    "aws:s3/bucket:Bucket bucket": {
        stack: "prod",
        change: (inv) => (inv.offsite.bucket = "attic-pbs-offsite-2"),
        resource: "offsite-bucket",
    },
    "aws:s3/bucket:Bucket objectLockEnabled": {
        stack: "prod",
        change: (inv) => {
            inv.offsite.objectLock = true;
            inv.offsite.servesPbs = false;
        },
        resource: "offsite-bucket",
    },
    "aws:s3/bucketVersioning:BucketVersioning bucket": {
        stack: "prod",
        change: (inv) => (inv.offsite.bucket = "attic-pbs-offsite-2"),
        resource: "offsite-versioning",
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls bucket": {
        stack: "prod",
        change: (inv) => (inv.offsite.bucket = "attic-pbs-offsite-2"),
        resource: "offsite-ownership",
    },
    "aws:iam/accessKey:AccessKey user": {
        stack: "prod",
        change: (inv) => (inv.offsite.bucket = "attic-pbs-offsite-2"),
        resource: "offsite-writer-pbs-key",
    },
    "aws:iam/userPolicy:UserPolicy user": {
        stack: "prod",
        change: (inv) => (inv.offsite.bucket = "attic-pbs-offsite-2"),
        resource: "offsite-writer-pbs-policy",
    },
    "aws:iam/userPolicy:UserPolicy name": {
        stack: "prod",
        change: (inv) => (inv.offsite.bucket = "attic-pbs-offsite-2"),
        resource: "offsite-writer-pbs-policy",
    },
};

export const NOT_FROM_INVENTORY: Readonly<Record<string, Unreachable>> = {
    // Mounts are converged from the node (lib/containerHost.ts), never through the provider.
    "proxmoxve:index/containerLegacy:ContainerLegacy mountPoints": { why: "never set" },
    "proxmoxve:index/containerLegacy:ContainerLegacy poolId": { why: "never set" },
    // components/lxcGuest.ts sends no `full` in a container's clone block (the provider's default: a full clone).
    // Cloud images go through importFrom (P9), not fileId.
    "proxmoxve:index/vmLegacy:VmLegacy disks[*].fileId": { why: "never set" },
    "proxmoxve:index/vmLegacy:VmLegacy clone.retries": { why: "never set" },
    "proxmoxve:index/vmLegacy:VmLegacy amdSev": { why: "never set" },
    "proxmoxve:index/vmLegacy:VmLegacy initialization.type": { why: "never set" },
    "proxmoxve:index/vmLegacy:VmLegacy initialization.vendorDataFileId": { why: "never set" },
    "proxmoxve:index/vmLegacy:VmLegacy initialization.networkDataFileId": { why: "never set" },
    "proxmoxve:index/vmLegacy:VmLegacy initialization.metaDataFileId": { why: "never set" },
    "proxmoxve:index/vmLegacy:VmLegacy tpmState.version": { why: "constant", value: "v2.0" },
    "proxmoxve:index/vmLegacy:VmLegacy efiDisk.type": { why: "constant", value: "4m" },
    "proxmoxve:download/file:File decompressionAlgorithm": { why: "never set" },
    "proxmoxve:index/fileLegacy:FileLegacy contentType": { why: "constant", value: "snippets" },
    "proxmoxve:index/fileLegacy:FileLegacy fileMode": { why: "never set" },
    "proxmoxve:index/fileLegacy:FileLegacy sourceFile": { why: "never set" },
    "proxmoxve:network/linux/bridge:Bridge name": { why: "in the name" },
    "proxmoxve:node/firewall:Firewall nodeName": { why: "in the name" },
    "proxmoxve:storage/zfspool:Zfspool resourceId": { why: "in the name" },
    "proxmoxve:storage/nfs:Nfs resourceId": { why: "in the name" },
    "proxmoxve:storage/nfs:Nfs preallocation": { why: "never set" },
    "proxmoxve:storage/nfs:Nfs snapshotAsVolumeChain": { why: "never set" },
    "proxmoxve:storage/pbs:Pbs resourceId": { why: "in the name" },
    "proxmoxve:storage/pbs:Pbs password": { why: "secret" },
    "proxmoxve:storage/pbs:Pbs namespace": { why: "in the name" },
    "proxmoxve:storage/pbs:Pbs encryptionKey": { why: "never set" },
    "proxmoxve:storage/pbs:Pbs generateEncryptionKey": { why: "never set" },
    "proxmoxve:storage/directory:Directory resourceId": { why: "in the name" },
    "proxmoxve:storage/lvmthin:Lvmthin resourceId": { why: "in the name" },
    "proxmoxve:storage/lvm:Lvm resourceId": { why: "in the name" },
    "proxmoxve:storage/cifs:Cifs resourceId": { why: "in the name" },
    "proxmoxve:storage/cifs:Cifs password": { why: "secret" },
    "proxmoxve:storage/cifs:Cifs subdirectory": { why: "never set" },
    "proxmoxve:storage/cifs:Cifs snapshotAsVolumeChain": { why: "never set" },
    "proxmoxve:backup/job:Job resourceId": { why: "in the name" },
    // The storage id equals the pool's name (config/crosschecks/ceph.ts), and the id names the resource.
    "proxmoxve:ceph/pool:Pool name": { why: "in the name" },
    "proxmoxve:ceph/pool:Pool erasureCoding": { why: "never set" },
    "proxmoxve:ceph/pool:Pool addStorages": { why: "constant", value: true },
    "proxmoxve:index/harule:Harule rule": { why: "in the name" },
    "proxmoxve:index/harule:Harule type": { why: "constant", value: "node-affinity" },
    "tls:index/privateKey:PrivateKey algorithm": { why: "constant", value: "ED25519" },
    "tls:index/privateKey:PrivateKey rsaBits": { why: "never set" },
    "tls:index/privateKey:PrivateKey ecdsaCurve": { why: "never set" },
    "proxmoxve:index/replication:Replication target": { why: "in the name" },
    "proxmoxve:index/replication:Replication type": { why: "constant", value: "local" },
    // Access control: rows ready for the cluster component's automation user (inventory v2 design).
    "proxmoxve:index/acl:Acl groupId": { why: "never set" },
    "proxmoxve:index/acl:Acl path": { why: "in the name" },
    "proxmoxve:index/acl:Acl tokenId": { why: "never set" },
    "aws:s3/bucket:Bucket bucketPrefix": { why: "never set" },
    "aws:s3/bucketVersioning:BucketVersioning expectedBucketOwner": { why: "never set" },
    "aws:iam/accessKey:AccessKey pgpKey": { why: "never set" },
    "aws:iam/userPolicy:UserPolicy namePrefix": { why: "never set" },
};
