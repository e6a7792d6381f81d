/**
 * A Proxmox VE node: its VLAN-aware bridge (the installer's `vmbr0`, adopted), the storage
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
    /**
     * Resources a storage definition waits for, by storage id: the dataset behind a zfs storage
     * or an NFS export. Proxmox activates a storage when it is added, so what it points at must
     * exist first. @default none
     */
    readonly storageDependencies?: Readonly<Record<string, readonly pulumi.Resource[]>>;
}

/** The SSH connection of a node for remote commands (root by default), as a secret. */
export function nodeConnection(spec: NodeSpec, sshPrivateKey: pulumi.Input<string> | undefined): pulumi.Output<SshConnection> {
    return pulumi.secret(
        pulumi.output(sshPrivateKey).apply((privateKey) => ({
            host: spec.address,
            port: spec.sshPort,
            user: spec.sshUser,
            ...(privateKey !== undefined ? { privateKey } : {}),
        })),
    );
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

/**
 * A Proxmox VE node and what it owns.
 *
 * Every Proxmox install already has the bridge (`vmbr0`) carrying the host's address, so the
 * bridge is adopted, not created: import it into the stack before the first `pulumi up`, or the
 * create fails because the interface already exists. The same goes for a storage id the node
 * already defines. Import ids (the provider's formats):
 * - bridge `proxmoxve:network/linux/bridge:Bridge`: `<node>:<interface>`, e.g.
 *   `pulumi import proxmoxve:network/linux/bridge:Bridge pve-storage-vmbr0 pve-storage:vmbr0 --parent <urn of the node component>`;
 * - storages `proxmoxve:storage/{zfspool:Zfspool,lvmthin:Lvmthin,nfs:Nfs,directory:Directory}`: the
 *   storage id alone, e.g. `pulumi import proxmoxve:storage/zfspool:Zfspool pve-storage-storage-stor-zfs stor-zfs`;
 * - node firewall `proxmoxve:node/firewall:Firewall`: the node name.
 *
 * The imported bridge keeps the host's address where the installer put it; its inputs state that
 * same address, gateway and ports, so the import shows no change to them.
 */
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
    /** The VLAN-aware bridge guests attach to; it carries the host's address. */
    readonly bridge: proxmoxve.network.linux.Bridge;
    /** The bridge's name (`vmbr0`). */
    readonly bridgeName: string;
    /** The VLAN holding the node's own address, which reaches the bridge untagged. */
    readonly nativeVlan: number;
    /** Storage definitions this node owns, by storage id (unmanaged ones such as `local` are absent). */
    readonly storages: Record<string, pulumi.CustomResource>;
    readonly firewall: proxmoxve.node.Firewall;

    constructor(name: string, args: ProxmoxNodeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad node stops the program with no half-made component.
        const { nodeName, spec } = args;
        const vlanIds = [...new Set(args.networks.map((n) => n.vlan))].sort((a, b) => a - b);
        if (vlanIds.length === 0) throw new Error(`[networks] node "${nodeName}" needs at least one network for its bridge to carry`);
        const mgmt = networkOfAddress(args.networks, spec.address);
        if (mgmt === undefined) {
            throw new Error(
                `[nodes.${nodeName}.address] ${spec.address} is inside no network of the inventory; the bridge carries the host's address, so add the management network that holds it`,
            );
        }
        const prefix = mgmt.cidr.split("/")[1];

        super("homelab:proxmox:Node", name, {}, opts);
        this.nodeName = nodeName;
        this.threads = spec.threads;
        this.memoryGiB = spec.memoryGiB;
        this.bridgeName = spec.bridge.name;
        this.nativeVlan = mgmt.vlan;

        // The installer's bridge, adopted (see the class comment): it keeps the host's address and
        // gateway where the installer put them, untagged on the bridge. Moving the address to a VLAN
        // interface (`vmbr0.10`) in the same apply would cut the node off from Pulumi mid-change, and
        // there is no need for one: the switch port already delivers the management network to the
        // bridge untagged. So there is no host interface on the other VLANs either: guests tag their
        // own NICs, and an address there would expose the hypervisor's API and SSH to those networks.
        // The bridge is VLAN-aware and carries exactly the inventory's VLANs (not PVE's implicit
        // 2-4094), so a VLAN the inventory does not know cannot reach any guest.
        this.bridge = new proxmoxve.network.linux.Bridge(
            `${name}-${spec.bridge.name}`,
            {
                nodeName,
                name: spec.bridge.name,
                address: `${spec.address}/${prefix}`,
                gateway: mgmt.gateway,
                ports: [...spec.bridge.ports],
                vlanAware: true,
                vids: vlanIds.join(" "),
                comment: "VLAN-aware bridge managed by homelab",
            },
            // Deleting this resource would delete the interface that carries the host's address; a
            // node leaving the stack keeps its network.
            // On an adopted node the installer's bridge is imported (id `<node>:<interface>`), not created.
            { parent: this, retainOnDelete: true, ...(spec.adopt ? { import: `${nodeName}:${spec.bridge.name}` } : {}) },
        );

        this.storages = {};
        for (const [id, storage] of Object.entries(spec.storages)) {
            if (!storage.managed) continue;
            this.storages[id] = this.storage(name, nodeName, id, storage, args.storageDependencies?.[id] ?? []);
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

        this.sshConnection = nodeConnection(spec, args.sshPrivateKey);

        this.registerOutputs({
            nodeName: this.nodeName,
            threads: this.threads,
            memoryGiB: this.memoryGiB,
            sshConnection: this.sshConnection,
            imageFileIds: this.imageFileIds,
        });
    }

    /** One storage definition, restricted to this node. */
    private storage(
        name: string,
        nodeName: string,
        id: string,
        storage: StorageSpec,
        dependsOn: readonly pulumi.Resource[],
    ): pulumi.CustomResource {
        const common = { resourceId: id, nodes: [nodeName], contents: [...storage.content] };
        const opts = { parent: this, dependsOn: [...dependsOn] };
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
