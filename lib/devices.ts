/**
 * The devices a container may be given. The table lives in the policy pack
 * (policies/shared/devices.ts), which must load on its own when published; the inventory's checks
 * read it from here.
 */
export * from "../policies/shared/devices";
