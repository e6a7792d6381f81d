/** ZFS sharenfs parsing and rules; the one copy lives in the policy pack (policies/shared/nfs.ts). */
export * from "../policies/shared/nfs";
