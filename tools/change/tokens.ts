/**
 * Type tokens the change report reasons about. Guest, VM and bucket tokens are the policy pack's
 * (policies/tokens.ts, current and previous names); the rest are only needed here.
 */
export { CONTAINER_TYPES, GUEST_TYPES, S3_BUCKET_TYPES, VM_TYPES } from "../../policies/tokens";

/** Linux bridges: `proxmoxve.network.linux.Bridge` (v8) and its Legacy twin. */
export const BRIDGE_TYPES: ReadonlySet<string> = new Set([
    "proxmoxve:network/linux/bridge:Bridge",
    "proxmoxve:network/linux/bridgeLegacy:BridgeLegacy",
]);

/** The ZFS dataset component (components/zfsDataset.ts): its remote command holds the data. */
export const ZFS_DATASET_COMPONENT_TYPE = "homelab:storage:ZfsDataset";

/** The cluster component (one per stack): its `nodes` output names each node's address. */
export const CLUSTER_COMPONENT_TYPE = "homelab:proxmox:Cluster";
