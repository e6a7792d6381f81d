/**
 * A Proxmox VE node: its VLAN-aware bridge and management VLAN interface, the storage
 * definitions it owns, the node firewall and the images its guests boot from.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { ImageSpec, Network, NodeSpec, StorageSpec } from "../config/schema";
import { cidrContains, parseCidr, parseIpv4 } from "../lib/ipv4";

/** An SSH connection in the shape of `command.types.input.remote.ConnectionArgs` (@pulumi/command 1.2.1). */
export interface SshConnection {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly privateKey?: string;
}

export interface ProxmoxNodeArgs {
    /** The node's name in the cluster (`pve-storage`). */
    readonly nodeName: string;
    /** The node from the inventory. */
    readonly spec: NodeSpec;
    /** Every network of the inventory: the bridge carries all their VLANs. */
    readonly networks: readonly Network[];
    /** The images guests on this node boot from, by image key (one download each). @default {} */
    readonly images?: Readonly<Record<string, ImageSpec>>;
    /** SSH private key for the node's root login; absent means the SSH agent. */
    readonly sshPrivateKey?: pulumi.Input<string>;
}

/** Compression suffixes `download.File` can undo (`decompressionAlgorithm`), by file suffix. */
export const DECOMPRESSION_BY_SUFFIX: Readonly<Record<string, string>> = { ".gz": "gz", ".bz2": "bz2", ".zst": "zst", ".lzo": "lzo" };
const UNSUPPORTED_COMPRESSION = [".xz", ".lz4", ".7z", ".zip"];

/**
 * The decompression algorithm of an image download, or undefined when the file is stored as
 * downloaded. Container templates stay compressed (Proxmox reads `.tar.zst` directly); an image
 * whose URL is compressed but whose file name is not gets decompressed on the node.
 */
export function decompressionFor(key: string, image: ImageSpec): string | undefined {
    if (image.contentType === "vztmpl") return undefined;
    const urlPath = new URL(image.url).pathname;
    const suffix = Object.keys(DECOMPRESSION_BY_SUFFIX).find((s) => urlPath.endsWith(s));
    if (suffix !== undefined) return image.fileName.endsWith(suffix) ? undefined : DECOMPRESSION_BY_SUFFIX[suffix];
    const unsupported = UNSUPPORTED_COMPRESSION.find((s) => urlPath.endsWith(s));
    if (unsupported !== undefined && !image.fileName.endsWith(unsupported)) {
        throw new Error(
            `[images.${key}.url] the provider cannot decompress "${unsupported}" (it can: ${Object.keys(DECOMPRESSION_BY_SUFFIX).join(", ")}); use an uncompressed or .gz/.bz2/.zst URL`,
        );
    }
    return undefined;
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

/** A Proxmox VE node and what it owns. */
export class ProxmoxNode extends pulumi.ComponentResource {
    /** The node's name in the cluster. */
    readonly nodeName: string;
    /** Hardware threads (for overcommit checks). */
    readonly threads: number;
    /** Physical memory in GiB (for overcommit checks). */
    readonly memoryGiB: number;
    /** Root SSH connection to the node (secret: it may hold the private key). */
    readonly sshConnection: pulumi.Output<SshConnection>;
    /** Volume ids (`local:vztmpl/...`) of the downloaded images, by image key. */
    readonly imageFileIds: Record<string, pulumi.Output<string>>;
    /** The VLAN-aware bridge guests attach to. */
    readonly bridge: proxmoxve.network.linux.Bridge;
    /** The bridge's name (`vmbr0`). */
    readonly bridgeName: string;
    /** The node's interface on its management VLAN, when its address is on one of the networks. */
    readonly managementVlan?: proxmoxve.network.linux.Vlan;
    /** Storage definitions this node owns, by storage id (unmanaged ones such as `local` are absent). */
    readonly storages: Record<string, pulumi.CustomResource>;
    readonly firewall: proxmoxve.node.Firewall;

    constructor(name: string, args: ProxmoxNodeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("homelab:proxmox:Node", name, {}, opts);
        const { nodeName, spec } = args;
        this.nodeName = nodeName;
        this.threads = spec.threads;
        this.memoryGiB = spec.memoryGiB;
        this.bridgeName = spec.bridge.name;

        const vlanIds = [...new Set(args.networks.map((n) => n.vlan))].sort((a, b) => a - b);
        if (vlanIds.length === 0) throw new Error(`[networks] node "${nodeName}" needs at least one network for its bridge to carry`);

        // The bridge is VLAN-aware and carries exactly the inventory's VLANs (not PVE's implicit 2-4094):
        // guests tag their own NICs, so a VLAN the inventory does not know cannot reach any guest.
        this.bridge = new proxmoxve.network.linux.Bridge(
            `${name}-${spec.bridge.name}`,
            {
                nodeName,
                name: spec.bridge.name,
                ports: [...spec.bridge.ports],
                vlanAware: true,
                vids: vlanIds.join(" "),
                comment: "VLAN-aware bridge managed by homelab",
            },
            { parent: this },
        );

        // The host itself gets an address only on its management VLAN, as a VLAN interface of the
        // bridge (`vmbr0.10`). The other VLANs need no host interface: guests tag their own NICs, and
        // an address there would expose the hypervisor's API and SSH to those networks.
        const mgmt = networkOfAddress(args.networks, spec.address);
        if (mgmt !== undefined) {
            const prefix = mgmt.cidr.split("/")[1];
            this.managementVlan = new proxmoxve.network.linux.Vlan(
                `${name}-vlan-${mgmt.vlan}`,
                {
                    nodeName,
                    name: `${spec.bridge.name}.${mgmt.vlan}`,
                    address: `${spec.address}/${prefix}`,
                    gateway: mgmt.gateway,
                    comment: "management address of the node",
                },
                { parent: this, dependsOn: [this.bridge] },
            );
        }

        this.storages = {};
        for (const [id, storage] of Object.entries(spec.storages)) {
            if (!storage.managed) continue;
            this.storages[id] = this.storage(name, nodeName, id, storage);
        }

        this.firewall = new proxmoxve.node.Firewall(`${name}-firewall`, { nodeName, enabled: true }, { parent: this });

        this.imageFileIds = {};
        for (const [key, image] of Object.entries(args.images ?? {})) {
            const decompressionAlgorithm = decompressionFor(key, image);
            const storage = this.storages[image.storage];
            const file = new proxmoxve.download.File(
                `${name}-image-${key}`,
                {
                    nodeName,
                    url: image.url,
                    fileName: image.fileName,
                    contentType: image.contentType,
                    datastoreId: image.storage,
                    checksum: image.checksum,
                    checksumAlgorithm: image.checksumAlgorithm,
                    ...(decompressionAlgorithm !== undefined ? { decompressionAlgorithm } : {}),
                },
                { parent: this, ...(storage !== undefined ? { dependsOn: [storage] } : {}) },
            );
            this.imageFileIds[key] = file.id;
        }

        this.sshConnection = pulumi.secret(
            pulumi.output(args.sshPrivateKey).apply((privateKey) => ({
                host: spec.address,
                port: spec.sshPort,
                user: spec.sshUser,
                ...(privateKey !== undefined ? { privateKey } : {}),
            })),
        );

        this.registerOutputs({
            nodeName: this.nodeName,
            threads: this.threads,
            memoryGiB: this.memoryGiB,
            sshConnection: this.sshConnection,
            imageFileIds: this.imageFileIds,
        });
    }

    /** One storage definition, restricted to this node. */
    private storage(name: string, nodeName: string, id: string, storage: StorageSpec): pulumi.CustomResource {
        const common = { resourceId: id, nodes: [nodeName], contents: [...storage.content] };
        const opts = { parent: this };
        const child = `${name}-storage-${id}`;
        switch (storage.kind) {
            case "zfs":
                return new proxmoxve.storage.Zfspool(child, { ...common, zfsPool: storage.pool, thinProvision: storage.sparse }, opts);
            case "lvmthin":
                return new proxmoxve.storage.Lvmthin(
                    child,
                    { ...common, volumeGroup: storage.volumeGroup, thinPool: storage.thinPool },
                    opts,
                );
            case "nfs":
                return new proxmoxve.storage.Nfs(child, { ...common, server: storage.server, export: storage.export }, opts);
            case "dir":
                return new proxmoxve.storage.Directory(child, { ...common, path: storage.path }, opts);
        }
    }
}
