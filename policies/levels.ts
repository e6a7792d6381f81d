/**
 * Enforcement levels: the one place they are chosen. Mandatory rules block `pulumi up` (and make
 * the offline plan exit 1); advisory ones warn. A stack may override any of them with
 * `--policy-pack-config` (`{ "<rule>": { "enforcementLevel": "advisory" } }`), including
 * `remediate` for a rule that can fix resources itself and `disabled`.
 */
import type { EnforcementLevel } from "@pulumi/policy";

export const LEVELS: Readonly<Record<string, EnforcementLevel>> = {
    // Mandatory: a violation is a security hole, data loss waiting to happen or a broken deploy.
    "proxmox-container-unprivileged": "mandatory",
    "proxmox-guest-storage-not-local": "mandatory",
    "proxmox-vmid-scheme": "mandatory",
    "proxmox-container-bind-mount-roots": "mandatory",
    "proxmox-passthrough-via-mappings": "mandatory",
    "remote-command-no-destructive": "mandatory",
    "offsite-bucket-hardened": "mandatory",
    "offsite-bucket-no-object-lock-for-pbs": "mandatory",
    "offsite-bucket-service-calls": "mandatory",
    "dns-no-private-targets": "mandatory",
    "dns-no-proxy-for-udp-or-wildcard": "mandatory",
    "proxmox-vmid-scheme-components": "mandatory",
    "proxmox-vmid-unique": "mandatory",
    "proxmox-ipv4-unique": "mandatory",
    "proxmox-ha-pair-separate-nodes": "mandatory",
    "proxmox-node-overcommit": "mandatory",
    "proxmox-backup-coverage": "mandatory",
    "proxmox-guest-address-unclaimed": "mandatory",
    "proxmox-container-idmap-floor": "mandatory",
    "proxmox-container-devices-allowed": "mandatory",
    "proxmox-directory-storage-path": "mandatory",
    "nfs-exports-restricted": "mandatory",
    "zfs-dataset-not-system": "mandatory",
    "proxmox-acl-least-privilege": "mandatory",
    // Advisory: good practice whose absence degrades the homelab but breaks nothing at once.
    "proxmox-container-nesting-docker-only": "advisory",
    "proxmox-guest-cpu-units": "advisory",
    "proxmox-guest-firewall": "advisory",
    "proxmox-stateful-guest-protected": "advisory",
    "proxmox-download-checksum": "advisory",
    "proxmox-guest-tags-normalized": "advisory",
    "proxmox-nas-not-on-dependent-node": "advisory",
    // Advisory by default: a second medium and an offsite bucket cost money; a stack that has them makes it mandatory.
    "backup-three-two-one": "advisory",
};
