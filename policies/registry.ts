/**
 * The registry: every rule, once, with its enforcement level from levels.ts. The pack
 * (index.ts), the offline runner and the tests all take the policies from here, so they run the
 * same objects.
 */
import type { EnforcementLevel, Policies, PolicyPackArgs } from "@pulumi/policy";
import { LEVELS } from "./levels";
import { backupThreeTwoOne } from "./rules/backup-three-two-one";
import { dnsNoPrivateTargets } from "./rules/dns-no-private-targets";
import { dnsNoProxyForUdpOrWildcard } from "./rules/dns-no-proxy-for-udp-or-wildcard";
import { nfsExportsRestricted } from "./rules/nfs-exports-restricted";
import { offsiteBucketHardened } from "./rules/offsite-bucket-hardened";
import { offsiteBucketNoObjectLockForPbs } from "./rules/offsite-bucket-no-object-lock-for-pbs";
import { offsiteBucketServiceCalls } from "./rules/offsite-bucket-service-calls";
import { proxmoxAclLeastPrivilege } from "./rules/proxmox-acl-least-privilege";
import { proxmoxBackupCoverage } from "./rules/proxmox-backup-coverage";
import { proxmoxContainerBindMountRoots } from "./rules/proxmox-container-bind-mount-roots";
import { proxmoxContainerDevicesAllowed } from "./rules/proxmox-container-devices-allowed";
import { proxmoxContainerIdmapFloor } from "./rules/proxmox-container-idmap-floor";
import { proxmoxContainerNestingDockerOnly } from "./rules/proxmox-container-nesting-docker-only";
import { proxmoxContainerUnprivileged } from "./rules/proxmox-container-unprivileged";
import { proxmoxDirectoryStoragePath } from "./rules/proxmox-directory-storage-path";
import { proxmoxDownloadChecksum } from "./rules/proxmox-download-checksum";
import { proxmoxGuestAddressUnclaimed } from "./rules/proxmox-guest-address-unclaimed";
import { proxmoxGuestCpuUnits } from "./rules/proxmox-guest-cpu-units";
import { proxmoxGuestFirewall } from "./rules/proxmox-guest-firewall";
import { proxmoxGuestStorageNotLocal } from "./rules/proxmox-guest-storage-not-local";
import { proxmoxGuestTagsNormalized } from "./rules/proxmox-guest-tags-normalized";
import { proxmoxHaPairSeparateNodes } from "./rules/proxmox-ha-pair-separate-nodes";
import { proxmoxIpv4Unique } from "./rules/proxmox-ipv4-unique";
import { proxmoxNasNotOnDependentNode } from "./rules/proxmox-nas-not-on-dependent-node";
import { proxmoxNodeOvercommit } from "./rules/proxmox-node-overcommit";
import { proxmoxPassthroughViaMappings } from "./rules/proxmox-passthrough-via-mappings";
import { proxmoxStatefulGuestProtected } from "./rules/proxmox-stateful-guest-protected";
import { proxmoxVmidScheme } from "./rules/proxmox-vmid-scheme";
import { proxmoxVmidSchemeComponents } from "./rules/proxmox-vmid-scheme-components";
import { proxmoxVmidUnique } from "./rules/proxmox-vmid-unique";
import { remoteCommandNoDestructive } from "./rules/remote-command-no-destructive";
import { zfsDatasetNotSystem } from "./rules/zfs-dataset-not-system";

/** Every rule of the pack, without levels. */
export const RULES: Policies = [
    proxmoxContainerUnprivileged,
    proxmoxGuestStorageNotLocal,
    proxmoxVmidScheme,
    proxmoxContainerBindMountRoots,
    proxmoxPassthroughViaMappings,
    remoteCommandNoDestructive,
    dnsNoPrivateTargets,
    dnsNoProxyForUdpOrWildcard,
    proxmoxContainerNestingDockerOnly,
    proxmoxGuestCpuUnits,
    proxmoxStatefulGuestProtected,
    proxmoxDownloadChecksum,
    proxmoxGuestTagsNormalized,
    offsiteBucketHardened,
    offsiteBucketNoObjectLockForPbs,
    offsiteBucketServiceCalls,
    proxmoxGuestFirewall,
    proxmoxVmidSchemeComponents,
    proxmoxVmidUnique,
    proxmoxIpv4Unique,
    proxmoxHaPairSeparateNodes,
    proxmoxNodeOvercommit,
    proxmoxBackupCoverage,
    proxmoxNasNotOnDependentNode,
    proxmoxGuestAddressUnclaimed,
    proxmoxContainerIdmapFloor,
    proxmoxContainerDevicesAllowed,
    proxmoxDirectoryStoragePath,
    nfsExportsRestricted,
    zfsDatasetNotSystem,
    proxmoxAclLeastPrivilege,
    backupThreeTwoOne,
];

/**
 * The rules with their levels. Throws on a duplicate name, a rule without a level, or a level
 * for a rule that is not registered (a renamed rule must not keep a stale level).
 */
export function register(rules: Policies, levels: Readonly<Record<string, EnforcementLevel>>): Policies {
    const seen = new Set<string>();
    const out: Policies = [];
    for (const rule of rules) {
        if (seen.has(rule.name)) throw new Error(`policy "${rule.name}" is registered twice; policy names must be unique`);
        seen.add(rule.name);
        const level = levels[rule.name];
        if (level === undefined) throw new Error(`policy "${rule.name}" has no enforcement level in policies/levels.ts`);
        out.push({ ...rule, enforcementLevel: level });
    }
    const stale = Object.keys(levels).filter((name) => !seen.has(name));
    if (stale.length > 0) throw new Error(`policies/levels.ts sets a level for unregistered policies: ${stale.join(", ")}`);
    return out;
}

/** The pack's policies, levels applied. */
export const POLICIES: Policies = register(RULES, LEVELS);

/** The pack's name (as `pulumi preview --policy-pack` reports it) and its arguments. */
export const PACK_NAME = "homelab";

export const PACK_ARGS: PolicyPackArgs = {
    description:
        "Guards a Proxmox VE homelab: unprivileged containers with safe idmaps and devices, no guest storage on local, the VMID scheme, safe bind mounts, passthrough, storages, ZFS datasets off the system and NFS exports, free guest addresses, a least-privilege API token, a hardened offsite bucket, sane public DNS, and stack-wide uniqueness, HA, capacity and backup coverage.",
    displayName: "Homelab (Proxmox VE)",
    provider: "proxmoxve",
    tags: ["proxmox", "homelab"],
    policies: POLICIES,
};
