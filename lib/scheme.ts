/**
 * The VMID scheme and the tier tables. The one copy lives in the policy pack
 * (policies/shared/scheme.ts), which must load on its own when published; the program imports it
 * from here.
 */
export * from "../policies/shared/scheme";
