/**
 * What containers and VMs share when they are read into the inventory: the tier (from the tags,
 * the startup order or the CPU weight), the tags, the firewall (policies and rules in the
 * inventory's terms), and the notes on what the inventory cannot state.
 *
 * The rule for every value: the inventory gets what the provider reads back after the import
 * (lib/pveConfig.ts, the provider's own parsing), so the import shows no change; where Proxmox's
 * effective value differs from what the provider reads (a key left unset), a note says so.
 */
import { FirewallRuleSpec } from "../../config/schema";
import { FIREWALL_PROTOCOLS } from "../../config/schema/guests";
import { GUEST_TAG_PATTERN, PORTS_PATTERN } from "../../lib/patterns";
import { parseIpv4, parseCidr } from "../../lib/ipv4";
import { parseStartup, parseTags, pveBool, pveNumber } from "../../lib/pveConfig";
import { CPU_UNITS_BY_TIER, STARTUP_DELAY_SECONDS_BY_TIER, STARTUP_ORDER_BY_TIER, TIERS, Tier } from "../../lib/scheme";
import { InventoryPath, Notes } from "./notes";
import { FirewallOptions, FirewallRule, GuestConfig } from "./types";

/**
 * The fields of an adopted guest's entry from its tier to `template`, in the inventory's order:
 * the tier and CPU weight (tierAndTags), the description, protection as `stateful`, `adopt`, and
 * `template` when it is one. Containers and VMs alike.
 */
export function adoptedGuestFields(config: GuestConfig, tier: Tier, cpuUnits: number | undefined): Record<string, unknown> {
    return {
        tier,
        ...(cpuUnits !== undefined ? { cpuUnits } : {}),
        ...(typeof config.description === "string" ? { description: config.description } : {}),
        stateful: pveBool(config.protection) === true,
        adopt: true,
        ...(pveBool(config.template) ? { template: true } : {}),
    };
}

/** The guest's tier, its extra tags and its CPU weight when it is not the tier's. */
export function tierAndTags(
    config: GuestConfig,
    docker: boolean,
    where: InventoryPath,
    notes: Notes,
): { tier: Tier; tags: string[]; cpuUnits?: number } {
    const tags = parseTags(config.tags as string | undefined);
    const startup = config.startup !== undefined ? parseStartup(String(config.startup)) : undefined;
    const units = pveNumber(config.cpuunits);
    const byTag = TIERS.find((t) => tags.includes(t));
    const byOrder = TIERS.find((t) => startup?.order === STARTUP_ORDER_BY_TIER[t]);
    const byUnits = TIERS.find((t) => units === CPU_UNITS_BY_TIER[t]);
    const tier = byTag ?? byOrder ?? byUnits ?? "normal";
    if (byTag === undefined)
        notes.info(
            [...where, "tier"],
            `no tier tag on the cluster; tier ${tier} chosen${byOrder ? " from the startup order" : byUnits ? " from the CPU weight" : ""}: the first up adds the tag "${tier}"`,
        );
    if (
        startup?.order !== STARTUP_ORDER_BY_TIER[tier] ||
        startup?.up !== STARTUP_DELAY_SECONDS_BY_TIER[tier] ||
        startup?.down !== undefined
    )
        notes.info(
            [...where, "tier"],
            `startup on the cluster is ${config.startup === undefined ? "unset" : `"${config.startup}"`}; tier ${tier} means order=${STARTUP_ORDER_BY_TIER[tier]},up=${STARTUP_DELAY_SECONDS_BY_TIER[tier]}, which the first up writes`,
        );
    const extra = tags.filter((t) => t !== tier && !(docker && t === "docker"));
    const kept = extra.filter((t) => GUEST_TAG_PATTERN.test(t));
    for (const t of extra.filter((x) => !GUEST_TAG_PATTERN.test(x)))
        notes.info([...where, "tags"], `tag "${t}" is not one the inventory accepts (a-z, 0-9, '-', '_'); the first up removes it`);
    const out: { tier: Tier; tags: string[]; cpuUnits?: number } = { tier, tags: kept };
    if (units !== undefined && units !== CPU_UNITS_BY_TIER[tier]) {
        if (units >= 1 && units <= 10000) out.cpuUnits = units;
        else notes.info([...where, "cpuUnits"], `cpuunits ${units} is outside 1-10000; the first up sets the tier's weight`);
    }
    if (units === undefined)
        notes.info(
            [...where, "tier"],
            `cpuunits is unset on the cluster (the provider reads 0); the first up sets the tier's weight ${CPU_UNITS_BY_TIER[tier]}`,
        );
    return out;
}

/** The guest's NIC address as the inventory has it: the address and its subnet, or why not. */
export function staticAddress(ip: string | undefined): { address: string; cidr: string } | string {
    if (ip === undefined) return "the NIC has no IPv4 address";
    if (ip === "dhcp" || ip === "manual") return `the NIC's IPv4 is "${ip}", not a static address`;
    const [address, prefix] = ip.split("/");
    const value = parseIpv4(address);
    if (value === undefined || prefix === undefined || !/^\d{1,2}$/.test(prefix) || Number(prefix) > 32)
        return `the NIC's IPv4 "${ip}" is not an address with its prefix`;
    const bits = Number(prefix);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const network = (value & mask) >>> 0;
    const cidr = `${[network >>> 24, (network >>> 16) & 255, (network >>> 8) & 255, network & 255].join(".")}/${bits}`;
    return parseCidr(cidr) ? { address, cidr } : `the NIC's IPv4 "${ip}" has no valid subnet`;
}

/** Policies the inventory accepts. */
const POLICIES = ["DROP", "REJECT", "ACCEPT"] as const;
type Policy = (typeof POLICIES)[number];

/** A firewall rule in the inventory's terms, or why it cannot be stated. */
function ruleSpec(rule: FirewallRule): FirewallRuleSpec | string {
    if (rule.type === "group") return `security group "${rule.action}"`;
    if (rule.type !== "in" && rule.type !== "out") return `a rule of type "${rule.type}"`;
    if (!POLICIES.includes(rule.action as Policy)) return `action "${rule.action}"`;
    const unsupported = (["macro", "sport", "dest", "iface"] as const).filter((k) => rule[k] !== undefined && rule[k] !== "");
    if (unsupported.length > 0) return `a rule with ${unsupported.join(", ")}`;
    if (rule.log !== undefined && rule.log !== "nolog") return `a rule that logs (log ${rule.log})`;
    if (rule.enable !== undefined && rule.enable !== 1) return "a disabled rule";
    const proto =
        rule.proto === undefined
            ? undefined
            : /^\d+$/.test(rule.proto)
              ? Number(rule.proto)
              : (FIREWALL_PROTOCOLS as readonly string[]).includes(rule.proto)
                ? (rule.proto as (typeof FIREWALL_PROTOCOLS)[number])
                : null;
    if (proto === null) return `protocol "${rule.proto}"`;
    if (rule.dport !== undefined && !PORTS_PATTERN.test(rule.dport)) return `ports "${rule.dport}"`;
    if (rule.source !== undefined && parseIpv4(rule.source) === undefined && parseCidr(rule.source) === undefined)
        return `source "${rule.source}" (an alias or ipset)`;
    if (rule.comment !== undefined && rule.comment.length > 120) return "a comment longer than 120 characters";
    return {
        action: rule.action as Policy,
        direction: rule.type,
        ...(proto !== undefined ? { proto } : {}),
        ...(rule.dport !== undefined ? { dport: rule.dport } : {}),
        ...(rule.source !== undefined ? { source: rule.source } : {}),
        ...(rule.comment !== undefined ? { comment: rule.comment } : {}),
    };
}

/**
 * The guest's firewall in the inventory's terms, and the notes on what the first up changes: the
 * options the program always states (P7), rules it cannot state (the import would remove them).
 */
export function firewallSpec(
    fw: { options?: FirewallOptions; rules?: readonly FirewallRule[] } | undefined,
    router: boolean,
    readAt: string,
    where: InventoryPath,
    notes: Notes,
): { inputPolicy: Policy; outputPolicy: Policy; rules: FirewallRuleSpec[]; reason?: string } {
    const path = [...where, "firewall"];
    const o = fw?.options ?? {};
    const policy = (key: string, fallback: Policy): Policy => {
        const v = o[key];
        return POLICIES.includes(v as Policy) ? (v as Policy) : fallback;
    };
    const inputPolicy = policy("policy_in", "DROP");
    const outputPolicy = policy("policy_out", "ACCEPT");
    if (fw?.options === undefined) notes.fill(path, "the guest's firewall options could not be read; check the policies");
    // The options the program always states (components/guestShared.ts; P7) against what the cluster has.
    const stated: Record<string, unknown> = {
        enable: true,
        dhcp: false,
        ndp: true,
        radv: router,
        macfilter: true,
        ipfilter: !router,
        log_level_in: "nolog",
        log_level_out: "nolog",
        policy_in: inputPolicy,
        policy_out: outputPolicy,
    };
    const differ = Object.entries(stated).filter(([k, v]) => (typeof v === "boolean" ? pveBool(o[k]) !== v : o[k] !== v));
    if (fw?.options !== undefined && differ.length > 0)
        notes.info(
            path,
            `the first up writes the firewall options ${differ.map(([k, v]) => `${k}=${typeof v === "boolean" ? Number(v) : v}`).join(", ")} (the cluster has ${differ.map(([k]) => `${k}=${o[k] ?? "unset"}`).join(", ")})`,
        );
    const rules: FirewallRuleSpec[] = [];
    // The API lists rules by position; the provider reads them in that order.
    for (const r of [...(fw?.rules ?? [])].sort((a, b) => a.pos - b.pos)) {
        const spec = ruleSpec(r);
        if (typeof spec === "string")
            notes.rule(
                [...path, "rules"],
                `rule ${r.pos} (${r.type} ${r.action}${r.comment ? `, "${r.comment}"` : ""}) is ${spec}, which the inventory cannot state; the first up would remove it`,
            );
        else rules.push(spec);
    }
    const out: { inputPolicy: Policy; outputPolicy: Policy; rules: FirewallRuleSpec[]; reason?: string } = {
        inputPolicy,
        outputPolicy,
        rules,
    };
    if (inputPolicy === "ACCEPT") {
        out.reason = `inbound policy ACCEPT on the running cluster when read (${readAt.slice(0, 10)}); not reviewed yet`;
        notes.rule(
            [...path, "inputPolicy"],
            "an inbound policy of ACCEPT opens every port of the guest: use DROP with rules, or give the real reason",
        );
    }
    return out;
}
