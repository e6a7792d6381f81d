/**
 * The Pulumi program: load and validate the inventory from stack config (fail closed: an invalid
 * inventory throws one error listing every problem and nothing is registered), then compose.
 */
import { loadInventory, readCredentials } from "./config/loader";
import { deployHomelab } from "./program";

const outputs = deployHomelab(loadInventory(), readCredentials());

export const guestAddresses = outputs.guestAddresses;
export const guestVmids = outputs.guestVmids;
export const datasetMountpoints = outputs.datasetMountpoints;
export const datasetProperties = outputs.datasetProperties;
export const dnsRecords = outputs.dnsRecords;
export const backupJobs = outputs.backupJobs;
export const offsiteEndpoint = outputs.offsiteEndpoint;
export const offsiteBucket = outputs.offsiteBucket;
export const offsiteRegion = outputs.offsiteRegion;
export const offsiteAccessKeyId = outputs.offsiteAccessKeyId;
export const offsiteSecretAccessKey = outputs.offsiteSecretAccessKey;
export const proxmoxApiToken = outputs.proxmoxApiToken;
export const proxmoxApiTokenCommand = outputs.proxmoxApiTokenCommand;
