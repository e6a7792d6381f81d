/**
 * Rows of the replacement table: remote commands, the PBS host key, Cloudflare (DNS, R2 lifecycle),
 * the offsite bucket on AWS's provider, the providers themselves, and the components.
 */
import { ResourceRules, rule, rules } from "./rule";

export const SERVICE_ROWS: readonly ResourceRules[] = [
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
