/**
 * Host paths the node keeps for itself and path helpers. The list lives in the policy pack
 * (policies/shared/paths.ts), which must load on its own when published; the inventory's checks
 * read it from here.
 */
export * from "../policies/shared/paths";
