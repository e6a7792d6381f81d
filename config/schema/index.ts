/**
 * The inventory schema (v2): every entity of the homelab as strict zod objects, one file per
 * section. Pure module: no `@pulumi/*` import, so tools, tests and the policy pack can use it
 * offline. Types come from `z.infer`; rules between entities live in `config/crosschecks/` and run
 * after this schema has parsed. Credentials are never fields here.
 */
import { z } from "zod";
import { clusterSchema, mappingsSchema, networkSchema, nodeSchema, storageSchema } from "./cluster";
import { key } from "./common";
import { datasetSchema, imageSchema } from "./data";
import { firewallRuleSchema, guestSchema, haGroupSchema, lxcGuestSchema, vmGuestSchema } from "./guests";
import { backupsSchema, dnsSchema, offsiteSchema, retentionSchema, tierSchema } from "./services";

export * from "./cluster";
export * from "./data";
export * from "./guests";
export * from "./services";
export { KEY_PATTERN, ZFS_DATASET_PATTERN } from "../../lib/patterns";

export const inventorySchema = z.strictObject({
    cluster: clusterSchema,
    networks: z.record(key("network name"), networkSchema),
    nodes: z.record(key("node name"), nodeSchema),
    storages: z.record(key("storage id"), storageSchema).default({}),
    mappings: mappingsSchema.default({ pci: {}, usb: {} }),
    images: z.record(key("image key"), imageSchema).default({}),
    datasets: z.record(z.string(), datasetSchema).default({}),
    guests: z.record(key("guest name"), guestSchema),
    ha: z.record(key("HA group name"), haGroupSchema).default({}),
    dns: dnsSchema.optional(),
    backups: backupsSchema.optional(),
    offsite: offsiteSchema.optional(),
});

/** The keys of `homelab:*` stack config that make the inventory. */
export const INVENTORY_KEYS = Object.keys(inventorySchema.shape) as (keyof typeof inventorySchema.shape)[];

export type Inventory = z.infer<typeof inventorySchema>;
export type InventoryInput = z.input<typeof inventorySchema>;
export type Network = z.infer<typeof networkSchema>;
export type NodeSpec = z.infer<typeof nodeSchema>;
export type StorageSpec = z.infer<typeof storageSchema>;
export type StorageKind = StorageSpec["kind"];
export type DatasetEntry = z.infer<typeof datasetSchema>;
export type GuestSpec = z.infer<typeof guestSchema>;
export type LxcGuestSpec = z.infer<typeof lxcGuestSchema>;
export type VmGuestSpec = z.infer<typeof vmGuestSchema>;
export type ImageSpec = z.infer<typeof imageSchema>;
export type HaGroupSpec = z.infer<typeof haGroupSchema>;
export type DnsSpec = z.infer<typeof dnsSchema>;
export type BackupsSpec = z.infer<typeof backupsSchema>;
export type TierSpec = z.infer<typeof tierSchema>;
export type RetentionSpec = z.infer<typeof retentionSchema>;
export type OffsiteSpec = z.infer<typeof offsiteSchema>;
export type FirewallRuleSpec = z.infer<typeof firewallRuleSchema>;
