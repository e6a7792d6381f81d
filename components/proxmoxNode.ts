/**
 * A Proxmox VE node: the installer's bridge (imported, never created), the node firewall, and the
 * host preparation its datasets and containers need (NFS server, udev rules for USB devices).
 */
import * as command from "@pulumi/command";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { Network, NodeSpec } from "../config/schema";
import { nodeOutsideNetworks } from "../config/crosschecks/cluster";
import { FieldError } from "../lib/errors";
import { cidrContains, parseCidr, parseIpv4 } from "../lib/ipv4";
import { NodeHostSpec, nodeHostDeleteScript, nodeHostScript } from "../lib/nodeHost";

/** An SSH connection of @pulumi/command 1.2.1, with the node's host key pinned (fact C2). */
export type SshConnection = command.types.input.remote.ConnectionArgs;

/** The SSH connection of a node for remote commands, pinned to its host key; secret (it may hold the private key). */
export function nodeConnection(
    spec: Pick<NodeSpec, "address" | "sshPort" | "sshUser" | "hostKey">,
    sshPrivateKey: pulumi.Input<string> | undefined,
): pulumi.Output<SshConnection> {
    return pulumi.secret(
        pulumi.output(sshPrivateKey).apply((privateKey) => ({
            host: spec.address,
            port: spec.sshPort,
            user: spec.sshUser,
            // Without hostKey the provider accepts any key (C2); pulumi-command compares the whole line.
            hostKey: spec.hostKey,
            ...(privateKey !== undefined ? { privateKey } : {}),
        })),
    );
}

/** The network whose subnet holds an address (the node's management network). */
export function networkOfAddress(networks: readonly Network[], address: string): Network | undefined {
    const ip = parseIpv4(address);
    if (ip === undefined) return undefined;
    return networks.find((n) => {
        const cidr = parseCidr(n.cidr);
        return cidr !== undefined && cidrContains(cidr, ip);
    });
}

/** Bridge fields the installer does not set: left as they are while the node is being adopted. */
export const ADOPTION_IGNORED_BRIDGE_FIELDS = ["vlanAware", "vids", "comment"] as const;

export interface ProxmoxNodeArgs {
    /** The node's name in the cluster (`pve-storage`). */
    readonly nodeName: string;
    /** The node from the inventory. */
    readonly spec: NodeSpec;
    /** Every network of the inventory: the bridge carries all their VLANs. */
    readonly networks: readonly Network[];
    /** What the host needs (NFS server, USB udev rules). */
    readonly host: NodeHostSpec;
    /** SSH private key for the node's root login; absent means the SSH agent. */
    readonly sshPrivateKey?: pulumi.Input<string>;
    /** The API-token provider the bridge and the host firewall are managed with (components/providers.ts). */
    readonly provider?: proxmoxve.Provider;
}

/**
 * A Proxmox VE node and what it owns.
 *
 * Every Proxmox install already has the bridge (`vmbr0`) carrying the host's address, and creating
 * an interface that exists fails (P1), so the bridge is always registered with the `import` option
 * (id `<node>:<bridge>`, P2): the first `up` imports it, later ones find it in the state and the
 * option does nothing (E1). While `adopt` is set the fields the installer leaves unset
 * (`vlanAware`, `vids`, `comment`) are ignored, so the import matches the installer's bridge exactly
 * on any engine version (P3); once `adopt` is removed, the next `up` makes the bridge VLAN-aware in
 * place.
 */
export class ProxmoxNode extends pulumi.ComponentResource {
    readonly nodeName: string;
    readonly address: string;
    /** Hardware threads (sockets × threads, for overcommit checks). */
    readonly threads: number;
    readonly memoryGiB: number;
    /** The bridge guests attach to; it carries the host's address. */
    readonly bridge: proxmoxve.network.linux.Bridge;
    readonly bridgeName: string;
    /** The VLAN holding the node's own address, which reaches the bridge untagged; undefined on an untagged network. */
    readonly nativeVlan?: number;
    readonly firewall: proxmoxve.node.Firewall;
    /** The host preparation (NFS server, udev rules); datasets that export and containers with USB devices wait for it. */
    readonly hostPreparation: command.remote.Command;
    /** The node's pinned SSH connection for remote commands. */
    readonly connection: pulumi.Output<SshConnection>;

    constructor(name: string, args: ProxmoxNodeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const { nodeName, spec } = args;
        const mgmt = networkOfAddress(args.networks, spec.address);
        if (mgmt === undefined) {
            // The cross-checks refuse this first; a direct caller gets the same message.
            throw new FieldError(`nodes.${nodeName}.address`, nodeOutsideNetworks(spec.address));
        }
        const prefix = mgmt.cidr.split("/")[1];
        super("homelab:proxmox:Node", name, {}, opts);
        this.nodeName = nodeName;
        this.address = spec.address;
        this.threads = spec.threads * spec.sockets;
        this.memoryGiB = spec.memoryGiB;
        this.bridgeName = spec.bridge.name;
        this.nativeVlan = mgmt.vlan;
        this.connection = nodeConnection(spec, args.sshPrivateKey);

        // The bridge keeps the host's address untagged where the installer put it (moving it to a
        // VLAN interface in the same apply would cut the node off mid-change), is VLAN-aware, and
        // carries exactly the inventory's VLANs, so a VLAN the inventory does not know reaches no guest.
        const vlanIds = [...new Set(args.networks.flatMap((n) => (n.vlan === undefined ? [] : [n.vlan])))].sort((a, b) => a - b);
        this.bridge = new proxmoxve.network.linux.Bridge(
            `${name}-${spec.bridge.name}`,
            {
                nodeName,
                // Always named: the SDK would otherwise generate a name (P22).
                name: spec.bridge.name,
                address: `${spec.address}/${prefix}`,
                gateway: mgmt.gateway,
                ports: [...spec.bridge.ports],
                autostart: true,
                vlanAware: vlanIds.length > 0,
                ...(vlanIds.length > 0 ? { vids: vlanIds.join(" ") } : {}),
                comment: "VLAN-aware bridge managed by homelab",
            },
            {
                parent: this,
                provider: args.provider,
                // Never created: the installer made it (P1). Imported once, then an ordinary resource.
                import: `${nodeName}:${spec.bridge.name}`,
                ...(spec.adopt ? { ignoreChanges: [...ADOPTION_IGNORED_BRIDGE_FIELDS] } : {}),
                // Deleting it would take the host's address away: a node leaving the stack keeps its network.
                retainOnDelete: true,
            },
        );

        // Every host option stated (bpg sends all of them; these are PVE's own defaults, P18).
        this.firewall = new proxmoxve.node.Firewall(
            `${name}-firewall`,
            {
                nodeName,
                enabled: true,
                ndp: true,
                nosmurfs: true,
                nftables: false,
                logLevelIn: "nolog",
                logLevelOut: "nolog",
                logLevelForward: "nolog",
                smurfLogLevel: "nolog",
                tcpFlagsLogLevel: "nolog",
                nfConntrackMax: 262144,
                nfConntrackTcpTimeoutEstablished: 432000,
            },
            // While the node is adopted its host firewall options are imported (id: the node name, P2),
            // so the first `up` shows what it would write over instead of writing it blind.
            { parent: this, provider: args.provider, ...(spec.adopt ? { import: nodeName } : {}) },
        );

        this.hostPreparation = new command.remote.Command(
            `${name}-host`,
            {
                connection: this.connection,
                create: nodeHostScript(args.host),
                update: nodeHostScript(args.host),
                delete: nodeHostDeleteScript(),
                addPreviousOutputInEnv: false,
            },
            { parent: this },
        );

        this.registerOutputs({
            nodeName: this.nodeName,
            address: this.address,
            threads: this.threads,
            memoryGiB: this.memoryGiB,
        });
    }
}
