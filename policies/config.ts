/**
 * Per-rule configuration: JSON schemas (what `--policy-pack-config` may set) and our defaults.
 *
 * The policy SDK passes a rule only the keys the user set and applies no schema default, so each
 * rule reads its config through `withDefaults`, which fills every missing key from the schema's
 * `default`. Every rule's schema has `exemptions` (see exemptions.ts).
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { EXEMPTIONS_SCHEMA, Exemption } from "./exemptions";
import { ID_SCHEMES, IdScheme, UNPRIVILEGED_ID_OFFSET } from "./shared/scheme";

/** Config every rule has. */
export interface BaseConfig {
    readonly exemptions: readonly Exemption[];
}

/** A rule's config schema: its own knobs plus `exemptions`; unknown keys are refused. */
function configSchema(properties: Record<string, PolicyConfigJSONSchema> = {}): PolicyConfigSchema {
    return { properties: { ...properties, exemptions: EXEMPTIONS_SCHEMA } };
}

const resolved = new WeakMap<PolicyConfigSchema, WeakMap<object, unknown>>();

/**
 * `raw` with every key the schema declares a default for filled in (a deep copy of the default).
 * Memoized per schema and config object: the offline runner hands every call the same config
 * object, so a rule resolves its config once per run. Rules treat the result as read-only.
 */
export function withDefaults<T extends BaseConfig>(schema: PolicyConfigSchema | undefined, raw: object | undefined): T {
    if (schema === undefined || raw === undefined) return resolve<T>(schema, raw);
    let bySchema = resolved.get(schema);
    if (bySchema === undefined) resolved.set(schema, (bySchema = new WeakMap()));
    const hit = bySchema.get(raw);
    if (hit !== undefined) return hit as T;
    const out = resolve<T>(schema, raw);
    bySchema.set(raw, out);
    return out;
}

function resolve<T extends BaseConfig>(schema: PolicyConfigSchema | undefined, raw: object | undefined): T {
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
        if (typeof prop === "object" && prop.default !== undefined) out[key] = structuredClone(prop.default);
    }
    for (const [key, value] of Object.entries(raw ?? {})) {
        if (key !== "enforcementLevel" && value !== undefined) out[key] = value;
    }
    return out as unknown as T;
}

// ---- Knobs of the rules that have them -------------------------------------------------------

/** Host paths under which container bind mounts are allowed (the ZFS datasets this program manages). */
const DEFAULT_MANAGED_ROOTS: readonly string[] = ["/tank", "/rpool/appdata"];

export interface BindMountRootsConfig extends BaseConfig {
    readonly managedRoots: readonly string[];
}

export const BIND_MOUNT_ROOTS_SCHEMA = configSchema({
    managedRoots: {
        type: "array",
        description: "Absolute host paths under which bind mounts are allowed (system paths stay refused whatever is listed).",
        items: { type: "string", pattern: "^/" },
        default: [...DEFAULT_MANAGED_ROOTS],
    },
});

/** Storages no guest volume may use: the root disk's directory storage. */
const DEFAULT_FORBIDDEN_DATASTORES: readonly string[] = ["local"];

export interface GuestStorageConfig extends BaseConfig {
    readonly forbiddenDatastores: readonly string[];
}

export const GUEST_STORAGE_SCHEMA = configSchema({
    forbiddenDatastores: {
        type: "array",
        description: "Storage ids no guest disk or volume may use.",
        items: { type: "string", minLength: 1 },
        default: [...DEFAULT_FORBIDDEN_DATASTORES],
    },
});

/** Overcommit limits per node. */
const DEFAULT_CPU_OVERCOMMIT = 3;
const DEFAULT_MEMORY_OVERCOMMIT = 2;

export interface OvercommitConfig extends BaseConfig {
    /** Allocated vCPUs may be at most this many times the node's hardware threads. */
    readonly cpuRatio: number;
    /** Allocated memory may be at most this many times the node's physical memory. */
    readonly memoryRatio: number;
}

export const OVERCOMMIT_SCHEMA = configSchema({
    cpuRatio: { type: "number", exclusiveMinimum: 0, description: "Max vCPUs per hardware thread.", default: DEFAULT_CPU_OVERCOMMIT },
    memoryRatio: {
        type: "number",
        exclusiveMinimum: 0,
        description: "Max allocated memory per physical memory.",
        default: DEFAULT_MEMORY_OVERCOMMIT,
    },
});

export interface DnsProxyConfig extends BaseConfig {
    /** Record names (patterns, `*` and `?`) that serve UDP, besides those marked `udp` in their comment or tags. */
    readonly udpRecordNames: readonly string[];
}

export const DNS_PROXY_SCHEMA = configSchema({
    udpRecordNames: {
        type: "array",
        description: "Names of records for UDP services (patterns), besides records whose comment or tags say `udp`.",
        items: { type: "string", minLength: 1 },
        default: [],
    },
});

export interface StatefulGuestConfig extends BaseConfig {
    /** Guest tags that mark a guest as stateful. */
    readonly statefulTags: readonly string[];
}

export const STATEFUL_GUEST_SCHEMA = configSchema({
    statefulTags: {
        type: "array",
        description: "Tags that mark a guest as stateful (besides having volume mount points).",
        items: { type: "string", minLength: 1 },
        default: ["stateful"],
    },
});

export interface DockerFlagsConfig extends BaseConfig {
    /** The tag that says a guest runs Docker. */
    readonly dockerTag: string;
}

export const DOCKER_FLAGS_SCHEMA = configSchema({
    dockerTag: { type: "string", minLength: 1, description: "The tag that marks a container running Docker.", default: "docker" },
});

/** The VMID scheme of a stack without a Cluster component (with one, the inventory's `idScheme` and `idOffset` win). */
export interface VmidSchemeConfig extends BaseConfig {
    readonly idScheme: IdScheme;
    readonly idOffset: number;
}

export const VMID_SCHEME_SCHEMA = configSchema({
    idScheme: {
        type: "string",
        enum: [...ID_SCHEMES],
        description:
            "vlan: VMID = VLAN × 1000 + last octet; octet: VMID = idOffset + last octet; off: no check. Used when no Cluster component registers idScheme.",
        default: "vlan",
    },
    idOffset: { type: "integer", minimum: 0, description: "Added to the last octet under the octet scheme.", default: 0 },
});

/** The lowest host uid/gid a container's root may map to, for a stack without a Cluster component. */
export interface IdmapFloorConfig extends BaseConfig {
    readonly hostIdFloor: number;
}

export const IDMAP_FLOOR_SCHEMA = configSchema({
    hostIdFloor: {
        type: "integer",
        minimum: 1,
        description:
            "Lowest host id container root may map to (the start of root's range in /etc/subuid). Used when no Cluster component registers hostIdFloor.",
        default: UNPRIVILEGED_ID_OFFSET,
    },
});

/** Schema of rules whose only knob is `exemptions`. */
export const EXEMPTIONS_ONLY_SCHEMA = configSchema();
