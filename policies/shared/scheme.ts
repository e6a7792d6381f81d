/**
 * The deterministic ID scheme and the tier tables every guest follows.
 * Pure values and functions: the schema, the components, the policies and the tools share them.
 * The one copy lives in the policy pack, so the pack is self-contained when published; the program
 * imports it through lib/scheme.ts.
 */
import { lastOctet } from "./ipv4";

/** VMID = VLAN × 1000 + last octet of the guest's IPv4 (VLAN 30, .66 → 30066). */
export function schemeVmid(vlan: number, ipv4: string): number {
    return vlan * 1000 + lastOctet(ipv4);
}

/**
 * The ID schemes: `vlan` (VMID = VLAN × 1000 + last octet), `octet` for a flat LAN (VMID =
 * idOffset + last octet) and `off` (any VMID).
 */
export type IdScheme = "vlan" | "octet" | "off";
export const ID_SCHEMES: readonly IdScheme[] = ["vlan", "octet", "off"];

/**
 * The VMID a guest must have under `scheme`, with how it is made (for messages); undefined when
 * the scheme is off, or a part it needs (the VLAN under `vlan`, the address) is missing.
 */
export function expectedVmid(
    scheme: IdScheme,
    idOffset: number,
    vlan: number | undefined,
    ipv4: string | undefined,
): { vmid: number; how: string } | undefined {
    if (scheme === "off" || ipv4 === undefined) return undefined;
    if (scheme === "octet") return { vmid: idOffset + lastOctet(ipv4), how: `${idOffset} + last octet of ${ipv4}` };
    return vlan === undefined ? undefined : { vmid: schemeVmid(vlan, ipv4), how: `VLAN ${vlan} × 1000 + last octet of ${ipv4}` };
}

/** Guest tiers, from most to least important. */
export const TIERS = ["critical", "high", "normal", "low", "minimal"] as const;
export type Tier = (typeof TIERS)[number];

/** Proxmox `cpuunits` per tier: weights compare against each other, not against the default 100. */
export const CPU_UNITS_BY_TIER: Readonly<Record<Tier, number>> = {
    critical: 2048,
    high: 1500,
    normal: 1024,
    low: 800,
    minimal: 512,
};

/** Startup order per tier: critical guests start first, minimal ones last. */
export const STARTUP_ORDER_BY_TIER: Readonly<Record<Tier, number>> = {
    critical: 1,
    high: 2,
    normal: 3,
    low: 4,
    minimal: 5,
};

/** Seconds Proxmox waits after starting a guest of this tier before starting the next one. */
export const STARTUP_DELAY_SECONDS_BY_TIER: Readonly<Record<Tier, number>> = {
    critical: 30,
    high: 15,
    normal: 5,
    low: 0,
    minimal: 0,
};

/** Default start of the unprivileged id range (`root:100000:65536` in /etc/subuid). */
export const UNPRIVILEGED_ID_OFFSET = 100000;

/** Sorted, lowercased, de-duplicated tags: Proxmox stores tags that way, so anything else diffs forever. */
export function normalizeTags(tags: readonly string[]): string[] {
    return [...new Set(tags.map((t) => t.toLowerCase()))].sort();
}
