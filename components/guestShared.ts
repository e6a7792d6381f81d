/**
 * What containers and VMs share: arguments, validation, tags, startup, the guest firewall,
 * HA and the outputs policies read. Used by lxcGuest.ts and vmGuest.ts.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { FirewallRuleSpec, GuestSpec, Network } from "../config/schema";
import { cidrContains, parseCidr, parseIpv4 } from "../lib/ipv4";
import { ProxmoxProviders } from "../lib/providers";
import { STARTUP_DELAY_SECONDS_BY_TIER, STARTUP_ORDER_BY_TIER, Tier } from "../lib/scheme";
import { FORBIDDEN_GUEST_STORAGES } from "../config/crosschecks";

/** DNS settings of the cluster, given to every guest. */
export interface GuestDns {
    /** Resolvers, in order. */
    readonly servers: readonly string[];
    /** Search domain. */
    readonly domain: string;
}

/** Arguments every guest component takes. */
export interface GuestArgsBase {
    /** The guest's name in the inventory: its hostname and Proxmox name. */
    readonly guestName: string;
    /** The network of the guest's VLAN (its subnet gives the prefix, its gateway the route). */
    readonly network: Network;
    /** Cluster DNS settings. */
    readonly dns: GuestDns;
    /** Public SSH keys installed for the guest's login user. @default [] */
    readonly sshPublicKeys?: readonly string[];
    /** The node's VLAN-aware bridge. @default "vmbr0" */
    readonly bridge?: string;
    /**
     * The VLAN the node's uplink carries untagged: the one holding the node's own address, which
     * the installer put on the bridge itself. Untagged frames land in the bridge's default VLAN,
     * so a guest on this VLAN gets an untagged NIC; tagging it would cut it off. @default none
     */
    readonly nativeVlan?: number;
    /** Resources that must exist first (datasets, the node's storages and bridge). @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** The Proxmox providers; the component picks root only when the guest needs it. */
    readonly providers: ProxmoxProviders;
}

/** `ip/prefix` of the guest on its network; throws when the address is not inside it. */
export function guestAddress(where: string, spec: GuestSpec, network: Network): string {
    if (spec.vlan !== network.vlan)
        throw new Error(
            `[${where}.vlan] the guest is on VLAN ${spec.vlan} but was given network VLAN ${network.vlan}; pass the network of VLAN ${spec.vlan}`,
        );
    const cidr = parseCidr(network.cidr);
    const ip = parseIpv4(spec.ipv4);
    if (cidr === undefined || ip === undefined || !cidrContains(cidr, ip)) {
        throw new Error(
            `[${where}.ipv4] ${spec.ipv4} is not inside ${network.cidr} of VLAN ${network.vlan}; pick an address in that subnet`,
        );
    }
    return `${spec.ipv4}/${cidr.prefix}`;
}

/** Throws when a guest storage id is missing or one the rules forbid (`local`). */
export function checkStorage(where: string, storage: string | undefined): string {
    if (storage === undefined || storage === "")
        throw new Error(`[${where}] a storage id is required; never leave it to the provider default (local / local-lvm)`);
    if ((FORBIDDEN_GUEST_STORAGES as readonly string[]).includes(storage)) {
        throw new Error(`[${where}] must not be "${storage}" (the root disk's directory storage); use a named ZFS or LVM-thin storage`);
    }
    return storage;
}

/** Startup order and delay by tier: critical guests start first. */
export function startupByTier(tier: Tier): { order: number; upDelay: number } {
    return { order: STARTUP_ORDER_BY_TIER[tier], upDelay: STARTUP_DELAY_SECONDS_BY_TIER[tier] };
}

/** Inventory firewall rules as `firewall.RulesLegacy` rule blocks. */
export function firewallRules(rules: readonly FirewallRuleSpec[]): proxmoxve.types.input.firewall.RulesLegacyRule[] {
    return rules.map((r) => ({
        type: r.direction,
        action: r.action,
        enabled: true,
        ...(r.proto !== undefined ? { proto: r.proto } : {}),
        ...(r.dport !== undefined ? { dport: r.dport } : {}),
        ...(r.source !== undefined ? { source: r.source } : {}),
        ...(r.comment !== undefined ? { comment: r.comment } : {}),
    }));
}

/** Outputs every guest registers (stack policies read these names). */
export interface GuestOutputs {
    readonly vmid: number;
    readonly nodeName: string;
    readonly ipv4: string;
    /** The guest's VLAN, also when its NIC is untagged on the node's native VLAN. */
    readonly vlan: number;
    readonly tier: Tier;
    readonly haPair?: string;
    readonly backupTier?: "critical" | "medium" | "low";
    readonly backupExclusionReason?: string;
    readonly usesRootProvider: boolean;
}

/** `{ vlanId }` when the NIC is tagged, `{}` when it is not (the key must be absent, not undefined). */
export function optionalVlan(vlanId: number | undefined): { vlanId?: number } {
    return vlanId === undefined ? {} : { vlanId };
}

/** The VLAN tag of a guest's NIC: none on the node's native (untagged) VLAN. */
export function nicVlanId(spec: GuestSpec, nativeVlan: number | undefined): number | undefined {
    return spec.vlan === nativeVlan ? undefined : spec.vlan;
}

export function guestOutputs(spec: GuestSpec, usesRootProvider: boolean): GuestOutputs {
    return {
        vmid: spec.vmid,
        nodeName: spec.node,
        ipv4: spec.ipv4,
        vlan: spec.vlan,
        tier: spec.tier,
        ...(spec.haPair !== undefined ? { haPair: spec.haPair } : {}),
        ...("tier" in spec.backup ? { backupTier: spec.backup.tier } : { backupExclusionReason: spec.backup.exclude }),
        usesRootProvider,
    };
}

/**
 * The guest firewall (options with the inventory's policies, rules when there are any) and the
 * HA resource. Always through the API token: none of it needs root.
 */
export function guestSideResources(
    parent: pulumi.Resource,
    name: string,
    kind: "ct" | "vm",
    spec: GuestSpec,
    guest: pulumi.Resource,
    provider: proxmoxve.Provider,
): { options: proxmoxve.firewall.OptionsLegacy; rules?: proxmoxve.firewall.RulesLegacy; ha?: proxmoxve.Haresource } {
    const opts = { parent, provider, dependsOn: [guest] };
    const target = kind === "ct" ? { containerId: spec.vmid } : { vmId: spec.vmid };
    const options = new proxmoxve.firewall.OptionsLegacy(
        `${name}-firewall`,
        { nodeName: spec.node, ...target, enabled: true, inputPolicy: spec.firewall.inputPolicy, outputPolicy: spec.firewall.outputPolicy },
        opts,
    );
    const rules =
        spec.firewall.rules.length > 0
            ? new proxmoxve.firewall.RulesLegacy(
                  `${name}-firewall-rules`,
                  { nodeName: spec.node, ...target, rules: firewallRules(spec.firewall.rules) },
                  opts,
              )
            : undefined;
    // `Haresource` is current; `HaresourceLegacy` is deprecated ("use proxmoxve.Haresource instead").
    const ha =
        spec.ha !== undefined
            ? new proxmoxve.Haresource(
                  `${name}-ha`,
                  { resourceId: `${kind}:${spec.vmid}`, type: kind, state: spec.ha.state, comment: "managed by homelab" },
                  opts,
              )
            : undefined;
    return { options, rules, ha };
}

/** The provider a guest uses: root@pam only when it has reasons to, else the API token. */
export function guestProvider(where: string, reasons: readonly string[], providers: ProxmoxProviders): proxmoxve.Provider {
    const provider = reasons.length > 0 ? providers.root : providers.api;
    if (provider === undefined) {
        throw new Error(
            `[${where}] needs root@pam (${reasons.join("; ")}) but no root provider was built; set the root password so createProxmoxProviders builds it`,
        );
    }
    return provider;
}

/**
 * What containers and VMs share: their identity from the inventory, the provider choice, the
 * firewall and HA resources, and the outputs the policy pack reads. A subclass validates its args
 * before calling the constructor, creates its guest resource, then calls `finish`.
 */
export abstract class GuestResource extends pulumi.ComponentResource {
    readonly vmid: number;
    readonly nodeName: string;
    readonly ipv4: string;
    readonly tier: Tier;
    /** Why this guest needs root@pam; empty when the API token suffices. */
    readonly rootReasons: readonly string[];
    readonly usesRootProvider: boolean;
    /** Set by `finish`. */
    firewallOptions!: proxmoxve.firewall.OptionsLegacy;
    firewallRules?: proxmoxve.firewall.RulesLegacy;
    haResource?: proxmoxve.Haresource;

    protected constructor(
        type: string,
        name: string,
        spec: GuestSpec,
        rootReasons: readonly string[],
        opts: pulumi.ComponentResourceOptions,
    ) {
        super(type, name, {}, opts);
        this.vmid = spec.vmid;
        this.nodeName = spec.node;
        this.ipv4 = spec.ipv4;
        this.tier = spec.tier;
        this.rootReasons = rootReasons;
        this.usesRootProvider = rootReasons.length > 0;
    }

    /** Adds the firewall and HA resources of `guest` and registers the outputs: a subclass's last call. */
    protected finish(name: string, kind: "ct" | "vm", spec: GuestSpec, guest: pulumi.Resource, api: proxmoxve.Provider): void {
        const side = guestSideResources(this, name, kind, spec, guest, api);
        this.firewallOptions = side.options;
        this.firewallRules = side.rules;
        this.haResource = side.ha;
        this.registerOutputs(guestOutputs(spec, this.usesRootProvider));
    }
}
