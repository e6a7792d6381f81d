/**
 * Provider type tokens the rules match, as sets: the current name and the previous major's.
 * Providers rename types between majors (`@muhlba91/pulumi-proxmoxve` 8 renamed every resource),
 * so a rule that matched one string would silently stop applying after an upgrade.
 *
 * Current names come from the `__pulumiType` of the installed SDKs; previous names from the last
 * release of the previous major. Only types whose inputs have the same shape share a set.
 */

/** The previous major's cloned VM, whose VMID field is `vmId` (a string), not `resourceId`. */
export const CLONED_VM_V7 = "proxmoxve:VM/clonedVirtualMachine:ClonedVirtualMachine";

/** LXC containers: `proxmoxve.ContainerLegacy` (v8) and `proxmoxve.ct.Container` (v7). */
export const CONTAINER_TYPES: ReadonlySet<string> = new Set([
    "proxmoxve:index/containerLegacy:ContainerLegacy",
    "proxmoxve:CT/container:Container",
]);

/**
 * QEMU VMs with the full input shape (`vmId`, `disks`, `networkDevices`, `initialization`, PCI and
 * USB passthrough): `proxmoxve.VmLegacy` (v8) and `proxmoxve.vm.VirtualMachine` (v7).
 */
export const VM_TYPES: ReadonlySet<string> = new Set(["proxmoxve:index/vmLegacy:VmLegacy", "proxmoxve:VM/virtualMachine:VirtualMachine"]);

/**
 * VMs cloned from a template that manage only what they list: `proxmoxve.cloned.Vm` and
 * `cloned.VmLegacy` (v8), `proxmoxve.vm.ClonedVirtualMachine` (v7). Their disks and NICs are maps
 * keyed by interface (`disk.scsi0`, `network.net0` with `tag`), memory is `memory.size`, the clone
 * target `clone.targetDatastore`, and the VMID a string (`resourceId`; v7: `vmId`).
 */
export const CLONED_VM_TYPES: ReadonlySet<string> = new Set(["proxmoxve:cloned/vm:Vm", "proxmoxve:cloned/vmLegacy:VmLegacy", CLONED_VM_V7]);

/**
 * The provider's experimental VM: `proxmoxve.Vm` and `Vm2Legacy` (v8), `proxmoxve.vm.VirtualMachine2`
 * (v7). Its inputs have no disks, NICs or memory; the VMID is the string `resourceId` (none in v7).
 */
export const EXPERIMENTAL_VM_TYPES: ReadonlySet<string> = new Set([
    "proxmoxve:index/vm:Vm",
    "proxmoxve:index/vm2Legacy:Vm2Legacy",
    "proxmoxve:VM/virtualMachine2:VirtualMachine2",
]);

/** Every VM class. */
const ALL_VM_TYPES: ReadonlySet<string> = new Set([...VM_TYPES, ...CLONED_VM_TYPES, ...EXPERIMENTAL_VM_TYPES]);

/** Every guest class: containers and VMs of every shape. */
export const GUEST_TYPES: ReadonlySet<string> = new Set([...CONTAINER_TYPES, ...ALL_VM_TYPES]);

/** Guest firewall options: `proxmoxve.firewall.OptionsLegacy` (v8) and `proxmoxve.network.FirewallOptions` (v7). */
export const FIREWALL_OPTIONS_TYPES: ReadonlySet<string> = new Set([
    "proxmoxve:firewall/optionsLegacy:OptionsLegacy",
    "proxmoxve:Network/firewallOptions:FirewallOptions",
]);

/** Downloads to a node's storage (templates, ISOs, cloud images). */
export const DOWNLOAD_FILE_TYPES: ReadonlySet<string> = new Set([
    "proxmoxve:download/file:File",
    "proxmoxve:download/fileLegacy:FileLegacy",
    "proxmoxve:Download/file:File",
]);

/** vzdump backup jobs (new in v8; no previous name). */
export const BACKUP_JOB_TYPES: ReadonlySet<string> = new Set(["proxmoxve:backup/job:Job"]);

/** Network storages a node mounts from a server (NFS, SMB/CIFS). */
export const NETWORK_STORAGE_TYPES: ReadonlySet<string> = new Set([
    "proxmoxve:storage/nfs:Nfs",
    "proxmoxve:storage/nfsLegacy:NfsLegacy",
    "proxmoxve:storage/cifs:Cifs",
    "proxmoxve:storage/cifsLegacy:CifsLegacy",
]);

/** Remote commands (`@pulumi/command` 1.x and 0.x share the token). */
export const REMOTE_COMMAND_TYPES: ReadonlySet<string> = new Set(["command:remote:Command"]);

/** Cloudflare DNS records: `cloudflare.DnsRecord` (v6) and `cloudflare.Record` (v5, deprecated in v6). */
export const DNS_RECORD_TYPES: ReadonlySet<string> = new Set(["cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/record:Record"]);

/** S3 buckets: `aws.s3.Bucket` (v7) and `aws.s3.BucketV2` (v6, deprecated in v7). */
export const S3_BUCKET_TYPES: ReadonlySet<string> = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);

export const S3_VERSIONING_TYPES: ReadonlySet<string> = new Set([
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
]);

export const S3_ENCRYPTION_TYPES: ReadonlySet<string> = new Set([
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
]);

export const S3_PUBLIC_ACCESS_BLOCK_TYPES: ReadonlySet<string> = new Set(["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]);

export const S3_LIFECYCLE_TYPES: ReadonlySet<string> = new Set([
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
]);

export const S3_OBJECT_LOCK_TYPES: ReadonlySet<string> = new Set([
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
]);

export const S3_ACL_TYPES: ReadonlySet<string> = new Set(["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"]);

/** Directory storages: `proxmoxve.storage.Directory` and `DirectoryLegacy` (v8; none in v7). */
export const DIRECTORY_STORAGE_TYPES: ReadonlySet<string> = new Set([
    "proxmoxve:storage/directory:Directory",
    "proxmoxve:storage/directoryLegacy:DirectoryLegacy",
]);

/** ACLs: `proxmoxve.Acl` and `AclLegacy` (v8), `proxmoxve.Acl` (v7, the same token). Same inputs: path, roleId, propagate, tokenId/userId/groupId. */
export const ACL_TYPES: ReadonlySet<string> = new Set(["proxmoxve:index/acl:Acl", "proxmoxve:index/aclLegacy:AclLegacy"]);

/** Roles: `proxmoxve.RoleLegacy` (v8) and `proxmoxve.permission.Role` (v7): roleId, privileges. */
export const ROLE_TYPES: ReadonlySet<string> = new Set(["proxmoxve:index/roleLegacy:RoleLegacy", "proxmoxve:Permission/role:Role"]);

/** API tokens: `proxmoxve.user.Token` and `TokenLegacy` (v8): userId, tokenName. */
export const API_TOKEN_TYPES: ReadonlySet<string> = new Set(["proxmoxve:user/token:Token", "proxmoxve:user/tokenLegacy:TokenLegacy"]);

/** Our components (contract: the outputs they register are listed in policies/README.md). */
export const CLUSTER_COMPONENT_TYPE = "homelab:proxmox:Cluster";
export const BACKUP_PLAN_COMPONENT_TYPE = "homelab:backup:BackupPlan";
export const ZFS_DATASET_COMPONENT_TYPE = "homelab:storage:ZfsDataset";
export const NODE_COMPONENT_TYPE = "homelab:proxmox:Node";
export const GUEST_COMPONENT_TYPES: ReadonlySet<string> = new Set(["homelab:proxmox:LxcGuest", "homelab:proxmox:VmGuest"]);
