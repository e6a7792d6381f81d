/**
 * The pure IPv4 helpers. The one copy lives in the policy pack (policies/shared/ipv4.ts), which must
 * load on its own when published; the program imports it from here.
 */
export * from "../policies/shared/ipv4";
