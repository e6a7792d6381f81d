/**
 * Which input changes replace a resource: one table, per resource type token, read by the offline
 * change report (tools/change/). Each rule cites its fact: an entry of docs/provider-behaviour.md
 * (P8, P9, P13, C1) or the upstream schema file where the field is ForceNew (SDKv2) or has a
 * RequiresReplace plan modifier (plugin framework).
 *
 * Paths use Pulumi's input names (camelCase, a one-element Terraform block flattened to an
 * object): `disk.datastoreId`, `disks[*].fileId`. A rule covers every path below it, so
 * `mountPoints` replaces on any change to any mount. A rule of one top-level input with no
 * condition (`mountPoints`, `triggers`, `resourceId`) means the input itself forces the
 * replacement, so it also replaces when the input only becomes unknown (ENGINE_RULES.dependent).
 *
 * Bridged schema files are those of bpg/terraform-provider-proxmox v0.111.1 (bridged by
 * @muhlba91/pulumi-proxmoxve 8.6: its provider/go.mod); `id` fields are renamed `resourceId` by the
 * bridge (muhlba91 `provider/resources.go` resourceIDOverrides).
 *
 * Pulumi's own rules (replaceOnChanges, deleteBeforeReplace, a dependent of a delete-first
 * replacement, a changed parent or provider, the `import` option) are in ENGINE_RULES below; they
 * apply to every type.
 */

/** One input whose change replaces the resource. */
export interface ReplaceRule {
    /** Input path in Pulumi's names; `[*]` is any element. A change at or below the path replaces. */
    readonly path: string;
    /**
     * `decreases`: only a smaller number replaces (a disk shrink; growing is in place).
     * `both-set`: only a change from one set value to another (adding or removing the block is in place).
     * @default any change
     */
    readonly when?: "decreases" | "both-set";
    /** No replacement when this input is `true` in the new inputs (a VM moves with `migrate`). */
    readonly unlessTrue?: string;
    /** The fact behind the rule: a fact id (P8) or the upstream file that makes the field ForceNew. */
    readonly source: string;
}

/** An input whose change is an in-place update that does not do what the new value says. */
export interface UpdateNote {
    /** Input path in Pulumi's names, as in ReplaceRule. */
    readonly path: string;
    /** What the provider's update does with it. */
    readonly note: string;
    /** The fact or the upstream file that shows it. */
    readonly source: string;
}

/** The replacement rules of one resource type (under its current and previous token). */
export interface ResourceRules {
    /** Type tokens sharing these rules: one provider resource under its v8 name and its Legacy twin. */
    readonly types: readonly string[];
    /** `component`: never replaced itself (no provider; its children carry the changes). */
    readonly kind: "custom" | "provider" | "component";
    readonly replaceOn: readonly ReplaceRule[];
    /** What any replacement of this type takes with it or runs into, beyond the new resource (with its sources). */
    readonly replaceNote?: string;
    /**
     * What a replacement that creates the new resource before deleting the old one runs into (P13:
     * a storage id or a file name exists twice for a moment). Not shown with deleteBeforeReplace.
     */
    readonly createFirstNote?: string;
    /** Inputs whose in-place update does not do what the new value says. */
    readonly updateNotes?: readonly UpdateNote[];
    /** Where the schema was read (for a row without rules: where it shows there are none). */
    readonly schema: string;
}

const BPG = "bpg/terraform-provider-proxmox v0.111.1";
const CONTAINER_GO = `${BPG} proxmoxtf/resource/container/container.go`;
const VM_GO = `${BPG} proxmoxtf/resource/vm/vm.go`;
const STORAGE_GO = (file: string) => `${BPG} fwprovider/storage/${file}`;
/** Every storage kind shares the factory's `id` attribute (RequiresReplace), bridged as `resourceId`. */
const STORAGE_ID: ReplaceRule = { path: "resourceId", source: STORAGE_GO("schema_factory.go") };
/** P13: the bridge sets no delete-before-replace, so a new definition with the same id is created first. */
const STORAGE_CREATE_FIRST_NOTE =
    "P13: the provider creates the new storage before deleting the old one and fails with 'storage ID already defined'; " +
    "set deleteBeforeReplace on the resource or remove the storage in one deploy and add it in the next";
/** Deleting a storage definition touches no volume (pve-storage API2/Storage/Config.pm delete). */
const STORAGE_REPLACE_NOTE =
    "the delete removes only the definition: the volumes stay where they were, and a definition that points elsewhere " +
    "(another pool, path, server or share) does not find the guests' existing disks; move them first " +
    "(pve-storage src/PVE/API2/Storage/Config.pm delete)";
/** What deleting a guest removes besides the guest (pve-container and qemu-server destroy). */
const CT_DESTROY = "pve-container src/PVE/API2/LXC.pm (destroy_vm)";
const VM_DESTROY = "qemu-server src/PVE/API2/Qemu.pm (destroy_vm)";

const rule = (path: string, source: string, extra: Omit<ReplaceRule, "path" | "source"> = {}): ReplaceRule => ({
    path,
    source,
    ...extra,
});
const rules = (source: string, ...paths: string[]): ReplaceRule[] => paths.map((p) => rule(p, source));

/** The table. A type the program registers without a row here fails the table's test. */
export const REPLACEMENT_RULES: readonly ResourceRules[] = [
    // Guests.
    {
        types: ["proxmoxve:index/containerLegacy:ContainerLegacy"],
        kind: "custom",
        replaceOn: [
            rule("vmId", "P8"),
            rule("nodeName", "P8"),
            rule("unprivileged", "P8"),
            rule("operatingSystem", "P8 (operatingSystem.templateFileId; the whole block is ForceNew)"),
            rule("initialization.userAccount", "P8 (keys, password)"),
            rule("mountPoints", "P8 (the whole mount_point list)"),
            ...rules(
                CONTAINER_GO,
                "clone.vmId",
                "clone.datastoreId",
                "clone.nodeName",
                "clone.full",
                "disk.datastoreId",
                "poolId",
                "template",
            ),
            rule("disk.size", `${CONTAINER_GO} (CustomizeDiff: shrinking the root disk)`, { when: "decreases" }),
        ],
        replaceNote:
            "the delete removes the container's firewall file (<vmid>.fw: options, rules, address sets), which the unchanged " +
            "firewall resources do not write again until a `pulumi refresh`; bpg deletes without purge, so Proxmox refuses " +
            `the delete while the container is an HA resource or has replication jobs (${CT_DESTROY}; ${CONTAINER_GO} containerDelete)`,
        schema: CONTAINER_GO,
    },
    {
        types: ["proxmoxve:index/vmLegacy:VmLegacy"],
        kind: "custom",
        replaceOn: [
            rule("vmId", `${VM_GO} (CustomizeDiff ForceNewIf vm_id)`),
            rule("nodeName", `${VM_GO} (CustomizeDiff ForceNewIf node_name unless migrate)`, { unlessTrue: "migrate" }),
            rule("disks[*].fileId", "P9"),
            ...rules(
                VM_GO,
                "clone.vmId",
                "clone.datastoreId",
                "clone.nodeName",
                "clone.full",
                "clone.retries",
                "amdSev",
                "initialization.type",
                "initialization.userDataFileId",
                "initialization.vendorDataFileId",
                "initialization.networkDataFileId",
                "initialization.metaDataFileId",
            ),
            rule("tpmState.version", `${VM_GO} (forceNewOnTPMVersionChange)`, { when: "both-set" }),
            rule("efiDisk.type", `${VM_GO} (forceNewOnEFIDiskTypeChange)`, { when: "both-set" }),
        ],
        replaceNote:
            "bpg deletes with purge (purge_on_destroy defaults to true): the VM's firewall file (<vmid>.fw), its replication " +
            "jobs, its HA resource and its place in backup jobs go with it, and the unchanged resources that set them do not " +
            `write them again until a \`pulumi refresh\` (${VM_DESTROY}; ${VM_GO} vmDelete)`,
        updateNotes: [
            {
                path: "disks[*].importFrom",
                note: "the provider records the new image but never imports into an existing disk again, so the VM keeps its system disk",
                source: `P9; ${BPG} proxmoxtf/resource/vm/disk/disk.go Update`,
            },
        ],
        schema: `${VM_GO}, proxmoxtf/resource/vm/disk/schema.go`,
    },
    // Node resources.
    {
        types: ["proxmoxve:download/file:File", "proxmoxve:download/fileLegacy:FileLegacy"],
        kind: "custom",
        replaceOn: rules(
            `${BPG} fwprovider/nodes/resource_download_file.go`,
            "contentType",
            "fileName",
            "datastoreId",
            "nodeName",
            "url",
            "checksum",
            "checksumAlgorithm",
            "decompressionAlgorithm",
        ),
        createFirstNote:
            "P13: the new download is created before the old file is deleted and fails with 'File already exists' unless the file name changes too",
        schema: `${BPG} fwprovider/nodes/resource_download_file.go`,
    },
    {
        types: ["proxmoxve:index/fileLegacy:FileLegacy"],
        kind: "custom",
        replaceOn: rules(
            `${BPG} proxmoxtf/resource/file.go`,
            "contentType",
            "datastoreId",
            "fileMode",
            "nodeName",
            "sourceFile",
            "sourceRaw",
        ),
        createFirstNote:
            "P28: the new file is uploaded over the old one (overwrite defaults to true), then the old one's delete removes it; set deleteBeforeReplace",
        schema: `${BPG} proxmoxtf/resource/file.go`,
    },
    {
        types: ["proxmoxve:network/linux/bridge:Bridge", "proxmoxve:network/linux/bridgeLegacy:BridgeLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/nodes/network/resource_linux_bridge.go`, "name"),
        schema: `${BPG} fwprovider/nodes/network/resource_linux_bridge.go (node_name is not RequiresReplace)`,
    },
    {
        types: ["proxmoxve:node/firewall:Firewall", "proxmoxve:node/firewallLegacy:FirewallLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/nodes/firewall/resource_node_firewall.go`, "nodeName"),
        schema: `${BPG} fwprovider/nodes/firewall/resource_node_firewall.go`,
    },
    // Storages: the factory's id plus each kind's own fields.
    {
        types: ["proxmoxve:storage/zfspool:Zfspool", "proxmoxve:storage/zfspoolLegacy:ZfspoolLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_zfs.go"), "zfsPool")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_zfs.go"),
    },
    {
        types: ["proxmoxve:storage/nfs:Nfs", "proxmoxve:storage/nfsLegacy:NfsLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_nfs.go"), "server", "export", "preallocation", "snapshotAsVolumeChain")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_nfs.go"),
    },
    {
        types: ["proxmoxve:storage/pbs:Pbs", "proxmoxve:storage/pbsLegacy:PbsLegacy"],
        kind: "custom",
        replaceOn: [
            STORAGE_ID,
            ...rules("P13", "server", "datastore", "username", "password", "namespace"),
            ...rules(STORAGE_GO("resource_pbs.go"), "encryptionKey", "generateEncryptionKey"),
        ],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_pbs.go"),
    },
    {
        types: ["proxmoxve:storage/directory:Directory", "proxmoxve:storage/directoryLegacy:DirectoryLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_directory.go"), "path")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_directory.go"),
    },
    {
        types: ["proxmoxve:storage/lvmthin:Lvmthin", "proxmoxve:storage/lvmthinLegacy:LvmthinLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_lvm_thin.go"), "volumeGroup", "thinPool")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_lvm_thin.go"),
    },
    {
        types: ["proxmoxve:storage/lvm:Lvm", "proxmoxve:storage/lvmLegacy:LvmLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_lvm.go"), "volumeGroup")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_lvm.go"),
    },
    {
        types: ["proxmoxve:storage/cifs:Cifs", "proxmoxve:storage/cifsLegacy:CifsLegacy"],
        kind: "custom",
        replaceOn: [
            STORAGE_ID,
            ...rules(
                STORAGE_GO("resource_cifs.go"),
                "server",
                "username",
                "password",
                "share",
                "domain",
                "subdirectory",
                "snapshotAsVolumeChain",
            ),
        ],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_cifs.go"),
    },
    {
        types: ["proxmoxve:ceph/pool:Pool"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/nodes/ceph/pool/resource.go`, "name", "nodeName", "erasureCoding", "addStorages"),
        replaceNote:
            "the delete destroys the Ceph pool and every RBD image in it (Proxmox refuses while a storage on the pool still " +
            "lists images, unless forceDestroy; with removeStorages the storages on the pool go too; pve-manager " +
            "PVE/API2/Ceph/Pool.pm destroypool); the program protects its pools, so a replacement stops at the delete",
        schema: `${BPG} fwprovider/nodes/ceph/pool/resource.go`,
    },
    // Guest firewall, cluster firewall, backups, HA, replication.
    {
        types: ["proxmoxve:firewall/optionsLegacy:OptionsLegacy", "proxmoxve:firewall/rulesLegacy:RulesLegacy"],
        kind: "custom",
        replaceOn: [],
        schema: `${BPG} proxmoxtf/resource/firewall/options.go, rules.go, selector.go (no ForceNew field: a new node or guest id is an update)`,
    },
    {
        types: ["proxmoxve:firewall/ipsetLegacy:IpsetLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} proxmoxtf/resource/firewall/ipset.go`, "cidrs"),
        schema: `${BPG} proxmoxtf/resource/firewall/ipset.go`,
    },
    {
        types: ["proxmoxve:cluster/firewallLegacy:FirewallLegacy"],
        kind: "custom",
        replaceOn: [],
        schema: `${BPG} proxmoxtf/resource/cluster/firewall/firewall.go (no ForceNew field)`,
    },
    {
        types: ["proxmoxve:backup/job:Job"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/cluster/backup/resource.go`, "resourceId"),
        schema: `${BPG} fwprovider/cluster/backup/resource.go`,
    },
    {
        types: ["proxmoxve:index/haresource:Haresource", "proxmoxve:index/haresourceLegacy:HaresourceLegacy"],
        kind: "custom",
        replaceOn: [],
        updateNotes: [
            {
                path: "resourceId",
                note: "the update is sent to the HA resource of the id in the state (the old guest); the new id is not added to HA",
                source: `${BPG} fwprovider/cluster/ha/resource_haresource.go Update`,
            },
        ],
        schema: `${BPG} fwprovider/cluster/ha/resource_haresource.go (no RequiresReplace attribute)`,
    },
    {
        types: ["proxmoxve:index/hagroup:Hagroup", "proxmoxve:index/hagroupLegacy:HagroupLegacy"],
        kind: "custom",
        replaceOn: [],
        schema: `${BPG} fwprovider/cluster/ha/resource_hagroup.go (no RequiresReplace attribute)`,
    },
    {
        types: ["proxmoxve:index/harule:Harule", "proxmoxve:index/haruleLegacy:HaruleLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/cluster/ha/resource_harule.go`, "rule", "type"),
        schema: `${BPG} fwprovider/cluster/ha/resource_harule.go`,
    },
    {
        types: ["proxmoxve:index/replication:Replication", "proxmoxve:index/replicationLegacy:ReplicationLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/cluster/replication/resource.go`, "resourceId", "target", "type"),
        schema: `${BPG} fwprovider/cluster/replication/resource.go`,
    },
    {
        types: [
            "proxmoxve:hardware/mapping/pci:Pci",
            "proxmoxve:hardware/mapping/pciLegacy:PciLegacy",
            "proxmoxve:hardware/mapping/usb:Usb",
            "proxmoxve:hardware/mapping/usbLegacy:UsbLegacy",
        ],
        kind: "custom",
        replaceOn: [],
        schema: `${BPG} fwprovider/cluster/hardwaremapping/resource_pci.go, resource_usb.go (no RequiresReplace attribute)`,
    },
    // Access control.
    {
        types: ["proxmoxve:index/acl:Acl", "proxmoxve:index/aclLegacy:AclLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/access/resource_acl.go`, "groupId", "path", "roleId", "tokenId", "userId"),
        schema: `${BPG} fwprovider/access/resource_acl.go`,
    },
    {
        types: ["proxmoxve:index/roleLegacy:RoleLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} proxmoxtf/resource/role.go`, "roleId"),
        schema: `${BPG} proxmoxtf/resource/role.go`,
    },
    {
        types: ["proxmoxve:index/userLegacy:UserLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} proxmoxtf/resource/user.go`, "userId"),
        schema: `${BPG} proxmoxtf/resource/user.go`,
    },
    {
        types: ["proxmoxve:user/token:Token", "proxmoxve:user/tokenLegacy:TokenLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/access/resource_user_token.go`, "tokenName", "userId"),
        replaceNote:
            "a new token gets a new secret: whatever uses the old one (CI, the program's own credentials) must be given the new value",
        schema: `${BPG} fwprovider/access/resource_user_token.go`,
    },
    // Remote commands (ZFS datasets).
    {
        types: ["command:remote:Command"],
        kind: "custom",
        // Every other input change is an update that runs the new `update` script over the new
        // connection (C1); a change of only the dataset's node is such an update (C4).
        replaceOn: [rule("triggers", "C1 (@pulumi/command marks triggers replaceOnChanges)")],
        schema: "pulumi/pulumi-command v1.2.1 provider/pkg/provider/common/inputs.go (triggers), remote/commandController.go (C1, C4)",
    },
    // The lifecycle of an R2 offsite bucket, through Cloudflare's API (S5).
    {
        types: ["cloudflare:index/r2BucketLifecycle:R2BucketLifecycle"],
        kind: "custom",
        replaceOn: rules(
            "cloudflare/terraform-provider-cloudflare internal/services/r2_bucket_lifecycle/schema.go",
            "accountId",
            "bucketName",
            "rules",
        ),
        schema: "cloudflare/terraform-provider-cloudflare internal/services/r2_bucket_lifecycle/schema.go (every rule change replaces the lifecycle, which keeps no data)",
    },
    // The PBS VM's SSH host key, generated once and kept in the state.
    {
        types: ["tls:index/privateKey:PrivateKey"],
        kind: "custom",
        replaceOn: rules(
            "hashicorp/terraform-provider-tls internal/provider/resource_private_key.go (every argument RequiresReplace; Update is a no-op)",
            "algorithm",
            "rsaBits",
            "ecdsaCurve",
        ),
        replaceNote:
            "a new host key reaches the PBS VM only through its user data, which cloud-init reads on the first boot: until the VM is reinstalled, every command to PBS pins a key the VM does not have and fails",
        schema: "hashicorp/terraform-provider-tls internal/provider/resource_private_key.go",
    },
    // Public DNS.
    {
        types: ["cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/record:Record"],
        kind: "custom",
        replaceOn: rules("cloudflare/terraform-provider-cloudflare internal/services/dns_record/schema.go", "zoneId"),
        schema: "cloudflare/terraform-provider-cloudflare internal/services/dns_record/schema.go (name, type and content are updated in place)",
    },
    // The offsite bucket (terraform-provider-aws v6 under pulumi-aws 7).
    {
        types: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
        kind: "custom",
        replaceOn: rules("hashicorp/terraform-provider-aws internal/service/s3/bucket.go", "bucket", "bucketPrefix", "objectLockEnabled"),
        replaceNote: "a new bucket is empty: the old bucket's objects (the offsite backups) are not copied",
        schema: "hashicorp/terraform-provider-aws internal/service/s3/bucket.go",
    },
    {
        types: [
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketVersioningV2:BucketVersioningV2",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
        ],
        kind: "custom",
        replaceOn: rules("hashicorp/terraform-provider-aws internal/service/s3/bucket_*.go", "bucket", "expectedBucketOwner"),
        schema: "hashicorp/terraform-provider-aws internal/service/s3/bucket_versioning.go, bucket_server_side_encryption_configuration.go, bucket_lifecycle_configuration.go",
    },
    {
        types: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
        kind: "custom",
        replaceOn: rules(
            "hashicorp/terraform-provider-aws internal/service/s3/bucket_ownership_controls.go, bucket_public_access_block.go",
            "bucket",
        ),
        schema: "hashicorp/terraform-provider-aws internal/service/s3/bucket_ownership_controls.go, bucket_public_access_block.go",
    },
    {
        types: ["aws:iam/user:User"],
        kind: "custom",
        replaceOn: [],
        schema: "hashicorp/terraform-provider-aws internal/service/iam/user.go (name and path are updated in place)",
    },
    {
        types: ["aws:iam/accessKey:AccessKey"],
        kind: "custom",
        replaceOn: rules("hashicorp/terraform-provider-aws internal/service/iam/access_key.go", "user", "pgpKey"),
        replaceNote: "a new key pair: PBS must be given the new secret (the old key is deleted after)",
        schema: "hashicorp/terraform-provider-aws internal/service/iam/access_key.go",
    },
    {
        types: ["aws:iam/userPolicy:UserPolicy"],
        kind: "custom",
        replaceOn: rules("hashicorp/terraform-provider-aws internal/service/iam/user_policy.go", "user", "name", "namePrefix"),
        schema: "hashicorp/terraform-provider-aws internal/service/iam/user_policy.go",
    },
    // Providers: a changed config replaces the provider (and every resource it manages) only for
    // keys the bridge marks ForcesProviderReplace (pulumi-terraform-bridge pkg/tfbridge/provider.go configDiffer).
    {
        types: ["pulumi:providers:proxmoxve"],
        kind: "provider",
        replaceOn: [],
        schema: "muhlba91/pulumi-proxmoxve provider/resources.go (Config is empty: no ForcesProviderReplace key)",
    },
    {
        types: ["pulumi:providers:cloudflare"],
        kind: "provider",
        replaceOn: [],
        schema: "pulumi/pulumi-cloudflare provider/resources.go (Config marks secrets only: no ForcesProviderReplace key)",
    },
    {
        types: ["pulumi:providers:aws"],
        kind: "provider",
        replaceOn: [],
        schema: "pulumi/pulumi-aws provider/resources.go (region and profile carry no ForcesProviderReplace)",
    },
    // Components and the stack: no provider, so the engine never replaces them; their children carry the changes.
    {
        types: [
            "pulumi:pulumi:Stack",
            "homelab:proxmox:Cluster",
            "homelab:proxmox:Node",
            "homelab:proxmox:Storages",
            "homelab:proxmox:Images",
            "homelab:proxmox:HaGroup",
            "homelab:proxmox:LxcGuest",
            "homelab:proxmox:VmGuest",
            "homelab:storage:ZfsDataset",
            "homelab:dns:DnsRecord",
            "homelab:backup:BackupPlan",
            "homelab:backup:OffsiteBucket",
            "homelab:backup:PbsServer",
            "homelab:backup:DatasetBackup",
            "homelab:proxmox:Access",
        ],
        kind: "component",
        replaceOn: [],
        schema: "pulumi/pulumi pkg/resource/deploy/step_generator.go (a resource without a provider is diffed, never replaced)",
    },
];

/** Pulumi's own replacement rules: they apply to every type, on top of the table. */
export const ENGINE_RULES = {
    replaceOnChanges: {
        rule: "a change under a `replaceOnChanges` path replaces the resource",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go applyReplaceOnChanges",
    },
    deleteBeforeReplace: {
        rule: "with `deleteBeforeReplace` the old resource is deleted before the new one is created (otherwise created first, deleted last)",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go (replace steps)",
    },
    dependent: {
        rule:
            "when a resource is replaced delete-first, every resource with an input taken from it (transitively) is diffed " +
            "with that input unknown; one whose provider then asks for a replacement is deleted before it and created after",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go calculateDependentReplacements",
    },
    parent: {
        rule:
            "the URN holds the parent's type: under a parent of another type the resource has a new URN, so without an alias " +
            "Pulumi creates the new one and deletes the old one at the end",
        source: "pulumi/pulumi sdk resource URNs (parent type chain); pkg/resource/deploy/step_generator.go (deletes of resources not registered)",
    },
    provider: {
        rule:
            "a resource moved to another provider resource is replaced when the new provider's DiffConfig asks for it; bridged " +
            "providers ask only for config keys marked ForcesProviderReplace (a replaced provider replaces all its resources)",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go providerChanged; pulumi-terraform-bridge pkg/tfbridge/provider.go configDiffer",
    },
    import: {
        rule:
            "the `import` option adopts an existing resource: for a resource not yet in the state that is an import; for one in the " +
            "state under another id, Pulumi imports the given id and replaces the old resource (ImportReplacement)",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go (isImport, NewImportReplacementStep)",
    },
} as const;

export type EngineRule = keyof typeof ENGINE_RULES;

const BY_TYPE: ReadonlyMap<string, ResourceRules> = new Map(REPLACEMENT_RULES.flatMap((row) => row.types.map((t) => [t, row] as const)));

/** The rules of a type token, or undefined when the table has no row for it. */
export function rulesFor(type: string): ResourceRules | undefined {
    return BY_TYPE.get(type);
}

/**
 * The provider notes of a replacement of a type in the order it runs: what any replacement does
 * (`replaceNote`), then what a create-first one runs into (`createFirstNote`).
 */
export function replaceNoteOf(
    rules: ResourceRules | undefined,
    order: "create-then-delete" | "delete-then-create" | undefined,
): string | undefined {
    const notes = [rules?.replaceNote, order === "create-then-delete" ? rules?.createFirstNote : undefined].filter(
        (n): n is string => n !== undefined,
    );
    return notes.length > 0 ? notes.join("; ") : undefined;
}

/** The provider package of a `pulumi:providers:<pkg>` type or a resource token (`proxmoxve:index/...`). */
export function packageOf(type: string): string {
    return type.startsWith("pulumi:providers:") ? type.slice("pulumi:providers:".length) : type.split(":")[0];
}
