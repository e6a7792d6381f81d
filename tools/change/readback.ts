/**
 * What the provider reads back when the engine imports a resource, modelled from the cluster
 * snapshot the reader kept (tools/fromCluster/types.ts), in the shape of the resource's inputs;
 * and the comparison of that against what the program registers, as the engine's diff after an
 * import would see it (engine ≥ 3.174, P3): an input the program sets is compared with the value
 * read back; an attribute the program leaves out is compared with the provider's default for it
 * (an Optional attribute with a Default), or not at all (Computed).
 *
 * One model per resource type the program imports, each a reading of the provider's own read
 * function at bpg v0.111.1 (cited per model). A config key a model does not know, or an input the
 * model has no value for, is reported as unverified, never as "no change".
 */
import { parsePropertyString, pveBool, pveNumber } from "../../lib/pveConfig";
import { ClusterSnapshot, FirewallOptions, FirewallRule } from "../fromCluster/types";
import { PathSegments, covers, formatPath } from "./paths";

/** Marks an attribute the provider computes: no diff when the program leaves it out. */
export const COMPUTED = Symbol("computed");

/** Defaults in the inputs' shape: a leaf is the provider's default (or COMPUTED); `[x]` is every element's. */
export type Defaults = unknown;

/** What a model reads back for one imported resource. */
export interface ReadBack {
    /** The values in the inputs' shape. */
    readonly values: Record<string, unknown>;
    /** Defaults of the attributes the program may leave out. */
    readonly defaults: Record<string, Defaults>;
    /** What the model cannot say (a config key it does not know). */
    readonly unverified: readonly string[];
}

/** One difference the import would show. */
export interface ReadBackDiff {
    readonly path: string;
    readonly segments: PathSegments;
    /** What the provider reads from the cluster (undefined: nothing there). */
    readonly cluster: unknown;
    /** What the program registers (undefined: left out, the provider's default applies). */
    readonly program: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if ((typeof a === "number" || typeof a === "string") && (typeof b === "number" || typeof b === "string"))
        return String(a) === String(b);
    return false;
}

/** True when every leaf of `value` equals its default (an absent block the provider would not set). */
function allDefault(value: unknown, dflt: Defaults): boolean {
    // null: nothing on the cluster, as nothing in the program.
    if (dflt === COMPUTED || value === null) return true;
    if (Array.isArray(value)) return value.length === 0;
    if (isObject(value)) return Object.entries(value).every(([k, v]) => allDefault(v, isObject(dflt) ? dflt[k] : undefined));
    return dflt !== undefined && same(value, dflt);
}

/**
 * Compares what the program registers with what the provider reads back, skipping `ignoreChanges`
 * paths. Returns the differences and the input paths the model has no value for.
 */
export function compareReadBack(
    registered: Record<string, unknown>,
    back: ReadBack,
    ignoreChanges: readonly PathSegments[],
): { diffs: ReadBackDiff[]; unverified: string[] } {
    const diffs: ReadBackDiff[] = [];
    const unverified: string[] = [...back.unverified];
    const diff = (path: (string | number)[], cluster: unknown, program: unknown): void => {
        diffs.push({ path: formatPath(path), segments: [...path], cluster, program });
    };
    const walk = (reg: unknown, val: unknown, dflt: Defaults, path: (string | number)[]): void => {
        if (path.length > 0 && ignoreChanges.some((p) => covers(p, path))) return;
        if (val === undefined) {
            if (reg !== undefined) unverified.push(formatPath(path));
            return;
        }
        if (reg === undefined) {
            if (!allDefault(val, dflt)) {
                if (isObject(val) && isObject(dflt)) for (const [k, v] of Object.entries(val)) walk(undefined, v, dflt[k], [...path, k]);
                else diff(path, val, undefined);
            }
            return;
        }
        if (Array.isArray(val)) {
            if (!Array.isArray(reg)) return diff(path, val, reg);
            const element = Array.isArray(dflt) ? dflt[0] : undefined;
            for (let i = 0; i < Math.max(val.length, reg.length); i++) {
                if (i >= val.length) diff([...path, i], undefined, reg[i]);
                else if (i >= reg.length) diff([...path, i], val[i], undefined);
                else walk(reg[i], val[i], element, [...path, i]);
            }
            return;
        }
        if (isObject(val)) {
            if (!isObject(reg)) return diff(path, val, reg);
            for (const k of new Set([...Object.keys(val), ...Object.keys(reg)]))
                walk(reg[k], val[k], isObject(dflt) ? dflt[k] : undefined, [...path, k]);
            return;
        }
        if (!same(reg, val)) diff(path, val, reg);
    };
    walk(registered, back.values, back.defaults, []);
    return { diffs, unverified };
}

// ---------------------------------------------------------------------------------------------
// Models of the simple resources: bridges, firewalls, mappings.
// ---------------------------------------------------------------------------------------------

/** Why a model found nothing to import: the import would fail. */
export type Missing = { readonly missing: string };

/** A Linux bridge (`<node>:<iface>`): bpg `fwprovider/nodes/network/resource_linux_bridge.go` Read (P23). */
export function bridgeReadBack(id: string, snapshot: ClusterSnapshot): ReadBack | Missing {
    const [node, iface] = id.split(":");
    const entry = snapshot.nodes[node]?.network?.find((i) => i.iface === iface && i.type === "bridge");
    if (entry === undefined) return { missing: `no bridge ${iface} on node ${node} in the snapshot` };
    const cidr =
        entry.cidr ?? (entry.address !== undefined && entry.netmask !== undefined ? `${entry.address}/${entry.netmask}` : undefined);
    return {
        values: {
            nodeName: node,
            name: iface,
            ...(cidr !== undefined ? { address: cidr } : {}),
            ...(entry.gateway !== undefined ? { gateway: entry.gateway } : {}),
            ports: (entry.bridge_ports ?? "").split(/\s+/).filter((p) => p !== ""),
            autostart: pveBool(entry.autostart) === true,
            vlanAware: pveBool(entry.bridge_vlan_aware) === true,
            vids: entry["bridge-vids"] ?? null,
            comment: entry.comments !== undefined ? entry.comments.trim() : null,
            mtu: entry.mtu !== undefined ? (pveNumber(entry.mtu) ?? null) : null,
        },
        defaults: { ports: [COMPUTED], autostart: true, vlanAware: false, address: COMPUTED, gateway: COMPUTED },
        unverified: [],
    };
}

/** The firewall of a guest id `container|vm/<node>/<vmid>`, or undefined. */
function guestFirewall(id: string, snapshot: ClusterSnapshot) {
    const m = /^(container|vm)\/([^/]+)\/(\d+)$/.exec(id);
    if (!m) return undefined;
    const g = snapshot.guests[m[3]];
    if (g === undefined || g.resource.node !== m[2] || (g.resource.type === "lxc") !== (m[1] === "container")) return undefined;
    return { kind: m[1], node: m[2], vmid: Number(m[3]), firewall: g.firewall };
}

const GUEST_OPTION_KEYS: readonly [string, string, "bool" | "string"][] = [
    ["enable", "enabled", "bool"],
    ["dhcp", "dhcp", "bool"],
    ["ndp", "ndp", "bool"],
    ["radv", "radv", "bool"],
    ["macfilter", "macfilter", "bool"],
    ["ipfilter", "ipfilter", "bool"],
    ["log_level_in", "logLevelIn", "string"],
    ["log_level_out", "logLevelOut", "string"],
    ["policy_in", "inputPolicy", "string"],
    ["policy_out", "outputPolicy", "string"],
];

/** Options as the provider reads them: only keys present are set, the rest stay at their zero value. */
function readOptions(o: FirewallOptions, keys: readonly [string, string, "bool" | "string" | "number"][]) {
    const values: Record<string, unknown> = {};
    for (const [key, field, type] of keys)
        values[field] = type === "bool" ? pveBool(o[key]) === true : type === "number" ? (pveNumber(o[key]) ?? 0) : String(o[key] ?? "");
    const known = new Set(["digest", ...keys.map(([k]) => k)]);
    return {
        values,
        unverified: Object.keys(o)
            .filter((k) => !known.has(k))
            .map((k) => `firewall option "${k}"`),
    };
}

/** A guest's firewall options: bpg `proxmoxtf/resource/firewall/options.go` optionsImport, optionsRead. */
export function guestOptionsReadBack(id: string, snapshot: ClusterSnapshot): ReadBack | Missing {
    const g = guestFirewall(id, snapshot);
    if (g?.firewall?.options === undefined) return { missing: `no firewall options of ${id} in the snapshot` };
    const { values, unverified } = readOptions(g.firewall.options, GUEST_OPTION_KEYS);
    return {
        values: { nodeName: g.node, [g.kind === "container" ? "containerId" : "vmId"]: g.vmid, ...values },
        defaults: {},
        unverified,
    };
}

/** Rules as the provider reads them (bpg `RulesRead`, `baseRuleToMap`): every field, empty when unset. */
function readRules(rules: readonly FirewallRule[]): Record<string, unknown>[] {
    return [...rules]
        .sort((a, b) => a.pos - b.pos)
        .map((r) => ({
            pos: r.pos,
            ...(r.type === "group" ? { securityGroup: r.action } : { type: r.type, action: r.action }),
            enabled: r.enable === undefined ? true : r.enable === 1,
            proto: r.proto ?? "",
            dport: r.dport ?? "",
            sport: r.sport ?? "",
            source: r.source ?? "",
            dest: r.dest ?? "",
            macro: r.macro ?? "",
            iface: r.iface ?? "",
            log: r.log ?? "",
            comment: r.comment ?? "",
        }));
}

const RULE_DEFAULTS = [
    {
        pos: COMPUTED,
        enabled: true,
        proto: "",
        dport: "",
        sport: "",
        source: "",
        dest: "",
        macro: "",
        iface: "",
        log: "",
        comment: "",
        securityGroup: "",
    },
];

/** Firewall rules of a guest or the datacenter (`cluster`): bpg `proxmoxtf/resource/firewall/rules.go` RulesImport, RulesRead. */
export function rulesReadBack(id: string, snapshot: ClusterSnapshot): ReadBack | Missing {
    if (id === "cluster") {
        const rules = snapshot.clusterFirewall?.rules;
        if (rules === undefined) return { missing: "no datacenter firewall rules in the snapshot" };
        return { values: { rules: readRules(rules) }, defaults: { rules: RULE_DEFAULTS }, unverified: [] };
    }
    const g = guestFirewall(id, snapshot);
    if (g?.firewall?.rules === undefined) return { missing: `no firewall rules of ${id} in the snapshot` };
    return {
        values: { nodeName: g.node, [g.kind === "container" ? "containerId" : "vmId"]: g.vmid, rules: readRules(g.firewall.rules) },
        defaults: { rules: RULE_DEFAULTS },
        unverified: [],
    };
}

/** The datacenter firewall options: bpg `proxmoxtf/resource/cluster/firewall/firewall.go` (passthrough import). */
export function clusterFirewallReadBack(snapshot: ClusterSnapshot): ReadBack | Missing {
    const o = snapshot.clusterFirewall?.options;
    if (o === undefined) return { missing: "no datacenter firewall options in the snapshot" };
    const { values, unverified } = readOptions(o, [
        ["enable", "enabled", "bool"],
        ["ebtables", "ebtables", "bool"],
        ["policy_in", "inputPolicy", "string"],
        ["policy_out", "outputPolicy", "string"],
        ["policy_forward", "forwardPolicy", "string"],
    ]);
    const rate = parsePropertyString(String(o.log_ratelimit ?? ""), "enable");
    return {
        values: {
            ...values,
            logRatelimit: { enabled: pveBool(rate.enable) ?? false, burst: pveNumber(rate.burst) ?? 5, rate: rate.rate ?? "1/second" },
        },
        defaults: {},
        unverified: unverified.filter((u) => u !== 'firewall option "log_ratelimit"'),
    };
}

/** A node's host firewall (`<node>`): bpg `fwprovider/nodes/firewall/resource_node_firewall.go` Read; unset options read as null. */
export function nodeFirewallReadBack(id: string, snapshot: ClusterSnapshot): ReadBack | Missing {
    const o = snapshot.nodes[id]?.firewall;
    if (o === undefined) return { missing: `no host firewall options of node ${id} in the snapshot` };
    const keys: [string, string, "bool" | "string" | "number"][] = [
        ["enable", "enabled", "bool"],
        ["ndp", "ndp", "bool"],
        ["nosmurfs", "nosmurfs", "bool"],
        ["nftables", "nftables", "bool"],
        ["log_level_in", "logLevelIn", "string"],
        ["log_level_out", "logLevelOut", "string"],
        ["log_level_forward", "logLevelForward", "string"],
        ["smurf_log_level", "smurfLogLevel", "string"],
        ["tcp_flags_log_level", "tcpFlagsLogLevel", "string"],
        ["nf_conntrack_max", "nfConntrackMax", "number"],
        ["nf_conntrack_tcp_timeout_established", "nfConntrackTcpTimeoutEstablished", "number"],
    ];
    const values: Record<string, unknown> = { nodeName: id };
    // The framework reads an option Proxmox does not list as null: a program value differs from it.
    for (const [key, field, type] of keys)
        if (o[key] !== undefined)
            values[field] = type === "bool" ? pveBool(o[key]) === true : type === "number" ? pveNumber(o[key]) : String(o[key]);
        else values[field] = null;
    const known = new Set(["digest", ...keys.map(([k]) => k)]);
    return {
        values,
        defaults: {},
        unverified: Object.keys(o)
            .filter((k) => !known.has(k))
            .map((k) => `host firewall option "${k}"`),
    };
}

/** A PCI or USB mapping by name: bpg `fwprovider/cluster/hardwaremapping` Read. */
export function mappingReadBack(kind: "pci" | "usb", id: string, snapshot: ClusterSnapshot): ReadBack | Missing {
    const m = snapshot.mappings[kind]?.find((x) => x.id === id);
    if (m === undefined) return { missing: `no ${kind.toUpperCase()} mapping ${id} in the snapshot` };
    const maps = m.map.map((entry) => {
        const p = parsePropertyString(entry);
        return kind === "usb"
            ? { node: p.node, id: p.id, ...(p.comment ? { comment: p.comment } : {}) }
            : {
                  node: p.node,
                  id: p.id,
                  path: p.path,
                  ...(p["subsystem-id"] !== undefined ? { subsystemId: p["subsystem-id"] } : {}),
                  ...(p.iommugroup !== undefined ? { iommuGroup: Number(p.iommugroup) } : {}),
              };
    });
    return { values: { name: id, ...(m.description !== undefined ? { comment: m.description } : {}), maps }, defaults: {}, unverified: [] };
}
