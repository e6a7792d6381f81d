/**
 * What containers and VMs share: arguments, validation, tags, startup, the guest firewall
 * (options, the `ipfilter-net0` address set, rules), HA membership and the outputs policies read.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { GuestSpec, Network } from "../config/schema";
import { guestDiskStorageProblem } from "../config/crosschecks";
import { cidrContains, parseCidr, parseIpv4 } from "../lib/ipv4";
import { CPU_UNITS_BY_TIER, STARTUP_DELAY_SECONDS_BY_TIER, STARTUP_ORDER_BY_TIER, Tier } from "../lib/scheme";
import { firewallRules, generatedRules } from "./guestFirewall";
import { GuestProviders } from "./providers";

/** DNS settings of the cluster, given to every guest. */
export interface GuestDns {
    readonly servers: readonly string[];
    readonly domain: string;
}

/** The guest's network: the inventory's entry and its name. */
export interface GuestNetwork extends Network {
    readonly name: string;
}

/** A keepalived group the guest is a member of: the VIP it may send from, the peers it exchanges VRRP with. */
export interface GuestVrrp {
    readonly group: string;
    readonly vip: string;
    readonly peers: readonly string[];
}

/** A Proxmox HA group the guest is a member of. */
export interface GuestHa {
    readonly group: string;
    readonly state: "started" | "stopped" | "ignored";
    readonly maxRestart: number;
    readonly maxRelocate: number;
}

/** Arguments every guest component takes. */
export interface GuestArgsBase {
    /** The guest's name in the inventory: its hostname and Proxmox name. */
    readonly guestName: string;
    /** The guest's network (its subnet gives the prefix, its gateway the route). */
    readonly network: GuestNetwork;
    /** Cluster DNS settings. */
    readonly dns: GuestDns;
    /** Public SSH keys for the guest's login user. @default [] */
    readonly sshPublicKeys?: readonly string[];
    /** Sources allowed to SSH into a guest that carries the keys (the admin networks). @default [] */
    readonly adminSources?: readonly string[];
    /** The node's bridge. @default "vmbr0" */
    readonly bridge?: string;
    /**
     * The VLAN the node's uplink carries untagged (the one holding the node's own address): a guest
     * on it gets an untagged NIC; tagging it would cut it off. @default none
     */
    readonly nativeVlan?: number;
    /** keepalived membership (VRRP from the peers, the VIP as an allowed source). */
    readonly vrrp?: GuestVrrp;
    /** Proxmox HA membership. */
    readonly ha?: GuestHa;
    /** Resources that must exist first (the node's bridge, storages, downloads). @default [] */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** The Proxmox providers; the component picks root only when the guest needs it. */
    readonly providers: GuestProviders;
    /** The Proxmox VE major version (HA resources differ). @default 9 */
    readonly pveVersion?: 8 | 9;
}

/** `ip/prefix` of the guest on its network; throws when the address is not inside it. */
export function guestAddress(where: string, spec: GuestSpec, network: Network): string | undefined {
    if (spec.ipv4 === undefined) return undefined;
    const cidr = parseCidr(network.cidr);
    const ip = parseIpv4(spec.ipv4);
    if (cidr === undefined || ip === undefined || !cidrContains(cidr, ip))
        throw new Error(`[${where}.ipv4] ${spec.ipv4} is not inside ${network.cidr}; pick an address in that subnet`);
    return `${spec.ipv4}/${cidr.prefix}`;
}

/** Throws when a guest storage id is missing or one the rules forbid (`local`, a directory on the root disk). */
export function checkStorage(where: string, storage: string | undefined): string {
    if (storage === undefined || storage === "")
        throw new Error(`[${where}] a storage id is required; never leave it to the provider default (local / local-lvm)`);
    const problem = guestDiskStorageProblem(storage, undefined);
    if (problem) throw new Error(`[${where}] ${problem}`);
    return storage;
}

/** Startup order and delay by tier: critical guests start first. */
export function startupByTier(tier: Tier): { order: number; upDelay: number } {
    return { order: STARTUP_ORDER_BY_TIER[tier], upDelay: STARTUP_DELAY_SECONDS_BY_TIER[tier] };
}

/** The guest's CPU weight: its own `cpuUnits`, else its tier's. */
export function cpuUnitsOf(spec: GuestSpec): number {
    return spec.cpuUnits ?? CPU_UNITS_BY_TIER[spec.tier];
}

/** Outputs every guest registers (the policy pack reads these names; policies/README.md lists them). */
export interface GuestOutputs {
    readonly vmid: number;
    readonly nodeName: string;
    readonly ipv4?: string;
    /** The guest's VLAN, also when its NIC is untagged on the node's native VLAN; absent on an untagged network. */
    readonly vlan?: number;
    readonly network: string;
    readonly tier: Tier;
    readonly cpuUnits: number;
    readonly stateful: boolean;
    readonly isGateway: boolean;
    readonly isTemplate: boolean;
    readonly haGroup?: string;
    readonly haKind?: "keepalived" | "proxmox";
    readonly backupTier?: string;
    readonly backupExclusionReason?: string;
    readonly usesRootProvider: boolean;
    readonly privilegedReason?: string;
    readonly firewallPolicyReason?: string;
    /** Where the guest is in the inventory (`guests.photos`): policy messages name it. */
    readonly inventoryKey: string;
}

/** The guest's NIC tag as the provider takes it: `{ vlanId }` when tagged, `{}` when not (the key must be absent, not undefined). */
export function nicVlan(args: Pick<GuestArgsBase, "network" | "nativeVlan">): { vlanId?: number } {
    const vlanId = nicVlanId(args.network, args.nativeVlan);
    return vlanId === undefined ? {} : { vlanId };
}

/** The VLAN tag of a guest's NIC: none on the node's native (untagged) VLAN or an untagged network. */
export function nicVlanId(network: Network, nativeVlan: number | undefined): number | undefined {
    return network.vlan === undefined || network.vlan === nativeVlan ? undefined : network.vlan;
}

function guestOutputs(name: string, spec: GuestSpec, args: GuestArgsBase, usesRootProvider: boolean): GuestOutputs {
    return {
        vmid: spec.vmid,
        nodeName: spec.node,
        ...(spec.ipv4 !== undefined ? { ipv4: spec.ipv4 } : {}),
        ...(args.network.vlan !== undefined ? { vlan: args.network.vlan } : {}),
        network: args.network.name,
        tier: spec.tier,
        cpuUnits: cpuUnitsOf(spec),
        stateful: spec.stateful,
        isGateway: spec.gateway,
        isTemplate: spec.template,
        ...(args.vrrp ? { haGroup: args.vrrp.group, haKind: "keepalived" as const } : {}),
        ...(args.ha ? { haGroup: args.ha.group, haKind: "proxmox" as const } : {}),
        ...("tier" in spec.backup ? { backupTier: spec.backup.tier } : { backupExclusionReason: spec.backup.exclude }),
        usesRootProvider,
        ...(spec.kind === "lxc" && spec.privileged ? { privilegedReason: spec.privileged.reason } : {}),
        ...(spec.firewall.reason !== undefined ? { firewallPolicyReason: spec.firewall.reason } : {}),
        inventoryKey: `guests.${name}`,
    };
}

/** Import id of a guest's firewall options and rules (bpg `optionsImport`, `RulesImport`; P2). */
function guestFirewallImportId(kind: "ct" | "vm", node: string, vmid: number): string {
    return `${kind === "ct" ? "container" : "vm"}/${node}/${vmid}`;
}

/** A guest's own resource (its container or VM) with what its side resources need to know. */
export interface GuestParts {
    /** The component's resource name: the side resources' names start with it. */
    readonly name: string;
    readonly kind: "ct" | "vm";
    readonly spec: GuestSpec;
    readonly args: GuestArgsBase;
    /** The container or VM. */
    readonly guest: pulumi.Resource;
    /** Whether the guest carries the SSH keys (the admin networks may reach its SSH port). */
    readonly carriesKeys: boolean;
}

/**
 * The options of a guest's container or VM: under the component, through its provider, after its
 * dependencies; protected when stateful or adopted; a replacement deletes first (the VMID is
 * fixed); an adopted guest is imported.
 */
export function guestResourceOptions(
    parent: pulumi.Resource,
    provider: proxmoxve.Provider,
    spec: GuestSpec,
    dependsOn: pulumi.Input<pulumi.Resource>[],
    ignoreChanges: string[],
): pulumi.CustomResourceOptions {
    return {
        parent,
        provider,
        dependsOn,
        // Stateful guests: a replacement or a removal stops at preview, before the provider shuts
        // anything down (Proxmox `protection` alone would fail after the shutdown, P10). An adopted
        // guest is always protected: nothing of the first `up` may delete it.
        protect: spec.stateful || spec.adopt,
        // The VMID is fixed, so a replacement deletes first; never while adopting (the import must
        // not be followed by a delete of the running guest).
        ...(spec.adopt ? { import: `${spec.node}/${spec.vmid}` } : { deleteBeforeReplace: true }),
        ignoreChanges,
    };
}

/**
 * The provider's `clone` block of a guest made from a template: the template's VMID, its node when
 * it is another, the storage of the copy (when named), and a full copy unless the inventory asks
 * for a linked one (which shares the template's disk; its storage must allow it).
 */
export function cloneBlock(
    source: { readonly vmid: number; readonly node: string },
    spec: GuestSpec,
    datastoreId: string | undefined,
): { vmId: number; nodeName?: string; datastoreId?: string; full: boolean } {
    return {
        vmId: source.vmid,
        ...(source.node !== spec.node ? { nodeName: source.node } : {}),
        ...(datastoreId !== undefined ? { datastoreId } : {}),
        full: spec.clone?.full ?? true,
    };
}

/** The side resources of a guest. */
export interface GuestSideResources {
    readonly options: proxmoxve.firewall.OptionsLegacy;
    readonly addresses?: proxmoxve.firewall.IpsetLegacy;
    readonly rules?: proxmoxve.firewall.RulesLegacy;
    readonly ha?: proxmoxve.Haresource;
    /** ZFS replication jobs of its local disks, by target node. */
    readonly replication: Record<string, proxmoxve.Replication>;
}

/**
 * The guest firewall and the HA resource, always through the API token (none of it needs root).
 *
 * Options are all stated (bpg sends every one with its own defaults, P7): no router advertisements
 * from guests, NDP on, IP and MAC filtering on, no DHCP (addresses are static). The allowed source
 * addresses are an explicit `ipfilter-net0` set: a VM with ipfilter on and no set has an empty one
 * and can send nothing (pve-firewall `compile_ipsets`). The router is the exception: it forwards
 * packets of every address and announces routes, so it keeps ipfilter off and may send RAs.
 */
function guestSideResources(parent: pulumi.Resource, parts: GuestParts): GuestSideResources {
    const { name, kind, spec, args, guest, carriesKeys } = parts;
    const opts = { parent, provider: args.providers.api, dependsOn: [guest] };
    const target = kind === "ct" ? { containerId: spec.vmid } : { vmId: spec.vmid };
    // An adopted guest has its firewall options and rules already: both are imported (creating
    // rules where rules exist fails, P33; options would be written over blind).
    const adopted: pulumi.CustomResourceOptions = spec.adopt ? { import: guestFirewallImportId(kind, spec.node, spec.vmid) } : {};
    const router = spec.gateway;
    const addresses =
        !router && spec.ipv4 !== undefined
            ? new proxmoxve.firewall.IpsetLegacy(
                  `${name}-addresses`,
                  {
                      nodeName: spec.node,
                      ...target,
                      // The exact name pve-firewall reads (P7, P22); the SDK would otherwise append a suffix.
                      name: "ipfilter-net0",
                      comment: "homelab: addresses the guest may send from",
                      cidrs: [
                          { name: spec.ipv4, comment: "the guest's address" },
                          ...(args.vrrp ? [{ name: args.vrrp.vip, comment: `virtual IP of HA group ${args.vrrp.group}` }] : []),
                      ],
                  },
                  opts,
              )
            : undefined;
    const options = new proxmoxve.firewall.OptionsLegacy(
        `${name}-firewall`,
        {
            nodeName: spec.node,
            ...target,
            enabled: true,
            dhcp: false,
            ndp: true,
            radv: router,
            macfilter: true,
            ipfilter: !router,
            logLevelIn: "nolog",
            logLevelOut: "nolog",
            inputPolicy: spec.firewall.inputPolicy,
            outputPolicy: spec.firewall.outputPolicy,
        },
        { ...opts, dependsOn: [guest, ...(addresses ? [addresses] : [])], ...adopted },
    );
    const all = [...spec.firewall.rules, ...generatedRules(args, carriesKeys)];
    const rules =
        all.length > 0
            ? new proxmoxve.firewall.RulesLegacy(
                  `${name}-firewall-rules`,
                  { nodeName: spec.node, ...target, rules: firewallRules(all) },
                  { ...opts, ...adopted },
              )
            : undefined;
    const ha =
        args.ha !== undefined
            ? new proxmoxve.Haresource(
                  `${name}-ha`,
                  {
                      resourceId: `${kind}:${spec.vmid}`,
                      type: kind,
                      state: args.ha.state,
                      maxRestart: args.ha.maxRestart,
                      maxRelocate: args.ha.maxRelocate,
                      ...(args.pveVersion === 8 ? { group: args.ha.group } : {}),
                      comment: `managed by homelab (HA group ${args.ha.group})`,
                  },
                  opts,
              )
            : undefined;
    // Job ids are `<vmid>-<n>` (Proxmox's format); n follows the inventory's order of targets.
    const replication: Record<string, proxmoxve.Replication> = {};
    spec.replication.forEach((r, n) => {
        replication[r.node] = new proxmoxve.Replication(
            `${name}-replication-${r.node}`,
            {
                resourceId: `${spec.vmid}-${n}`,
                type: "local",
                target: r.node,
                schedule: r.schedule,
                ...(r.rateMBps !== undefined ? { rate: r.rateMBps } : {}),
                comment: "managed by homelab",
            },
            opts,
        );
    });
    return { options, addresses, rules, ha, replication };
}

/**
 * What containers and VMs share: identity, the provider choice, the firewall and HA resources,
 * and the outputs the policy pack reads. A subclass validates its args before calling the
 * constructor, creates its guest resource, then calls `finish`.
 */
export abstract class GuestResource extends pulumi.ComponentResource {
    readonly vmid: number;
    readonly nodeName: string;
    readonly ipv4?: string;
    readonly tier: Tier;
    /** Why this guest needs root@pam; empty when the API token suffices. */
    readonly rootReasons: readonly string[];
    readonly usesRootProvider: boolean;
    /** Set by `finish`. */
    side!: GuestSideResources;

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

    /** Adds the firewall and HA resources of the guest and registers the outputs: a subclass's last call. */
    protected finish(parts: GuestParts): void {
        this.side = guestSideResources(this, parts);
        this.registerOutputs(guestOutputs(parts.args.guestName, parts.spec, parts.args, this.usesRootProvider));
    }
}
