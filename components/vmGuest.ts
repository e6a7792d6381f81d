/**
 * A QEMU VM from the inventory: every disk and system volume on named storage, hardware only
 * through mappings, a balloon floor, the QEMU agent, cloud-init where the image takes it, its
 * firewall and (optionally) HA.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { ImageSpec, VmGuestSpec } from "../config/schema";
import { rootReasons } from "../lib/privilege";
import { CPU_UNITS_BY_TIER, normalizeTags } from "../lib/scheme";
import {
    GuestArgsBase,
    GuestResource,
    checkStorage,
    guestAddress,
    guestProvider,
    nicVlanId,
    optionalVlan,
    startupByTier,
} from "./guestShared";

/**
 * Changes that replace the VM (delete, then create with the same VMID: its disks are lost):
 * `vmid`, `node` (bpg re-creates a VM on a node change unless `migrate` is set, which we do not),
 * the clone source (`clone`) and the TPM state version, among others bpg only sets at creation.
 * A stateful guest (`spec.stateful`, the default) is protected in Pulumi, so such a change, or its
 * removal from the inventory, stops before anything is deleted; unprotect it deliberately
 * (`pulumi state unprotect`) to go ahead.
 */
export interface VmGuestArgs extends GuestArgsBase {
    /** The VM from the inventory. */
    readonly spec: VmGuestSpec;
    /** The boot image (`spec.image`) as the inventory describes it; required when `spec.image` is set. */
    readonly image?: ImageSpec;
    /** Volume id of the boot image downloaded on the node; required when `spec.image` is set. */
    readonly imageFileId?: pulumi.Input<string>;
    /** Every VLAN id of the inventory: the router's trunk carries them all. */
    readonly allVlans: readonly number[];
}

/** How an image boots a VM: an installer in the CD drive, or a disk image imported as the first disk. */
export type BootMedia = "cdrom" | "disk-file" | "disk-import";

/**
 * `import` content is imported with `importFrom`; an `iso`-content cloud image (`.img`, `.qcow2`,
 * `.raw`) goes through the disk's `fileId`; a real `.iso` is an installer in the CD drive.
 */
export function bootMediaOf(image: ImageSpec): BootMedia {
    if (image.contentType === "import") return "disk-import";
    if (image.contentType === "iso" && !image.fileName.toLowerCase().endsWith(".iso")) return "disk-file";
    if (image.contentType === "iso") return "cdrom";
    throw new Error(`[images] a container template (vztmpl) cannot boot a VM; use an iso or import image`);
}

/** Machine type: q35 where the inventory asks for it or PCIe passthrough needs it. */
export function machineOf(spec: VmGuestSpec): "pc" | "q35" {
    return spec.machine === "q35" || spec.pciMappings.some((m) => m.pcie) ? "q35" : "pc";
}

/**
 * The QEMU agent block. The agent is always enabled (Proxmox uses it for clean shutdowns and
 * consistent backups), but bpg waits for it to report an IP address after create and on every
 * refresh (up to `agent.timeout`, 15 min by default). A VM booting installer media (a `cdrom` ISO,
 * or an image without cloud-init) has no agent until someone installs one, so its IP is not
 * waited for. Clones and cloud-init images keep the provider's default wait.
 */
export function agentOf(spec: VmGuestSpec, media: BootMedia | undefined): { enabled: true; waitForIp?: { disabled: true } } {
    const hasAgentSoon = spec.clone !== undefined || (spec.cloudInit !== undefined && media !== undefined && media !== "cdrom");
    return hasAgentSoon ? { enabled: true } : { enabled: true, waitForIp: { disabled: true } };
}

/** CD and cloud-init drive slots: q35 only has ide0 and ide2. */
const CDROM_INTERFACE = "ide2";
const CLOUD_INIT_INTERFACE = "ide0";

/** What the constructor derives from its args, validated: throws with the field, the value and the fix. */
export function planVmGuest(args: VmGuestArgs): {
    address: string;
    diskStorages: string[];
    systemStorage: string;
    media?: BootMedia;
    rootReasons: string[];
    provider: proxmoxve.Provider;
} {
    const { spec } = args;
    const where = `guests.${args.guestName}`;
    const address = guestAddress(where, spec, args.network);
    const diskStorages = spec.disks.map((d, i) => checkStorage(`${where}.disks[${i}].storage`, d.storage));
    // EFI vars, TPM state and the cloud-init drive: the named system storage, else the first disk's.
    const systemStorage = checkStorage(`${where}.systemStorage`, spec.systemStorage ?? diskStorages[0]);
    if (spec.tpm && spec.bios !== "ovmf") throw new Error(`[${where}.bios] a TPM needs UEFI; set bios to "ovmf"`);
    let media: BootMedia | undefined;
    if (spec.image !== undefined) {
        if (args.image === undefined || args.imageFileId === undefined)
            throw new Error(`[${where}.image] image "${spec.image}" was not given to the VM; pass its spec and downloaded file id`);
        media = bootMediaOf(args.image);
        if (media === "cdrom" && spec.cdrom !== undefined)
            throw new Error(`[${where}.cdrom] the image "${spec.image}" is an installer ISO and takes the CD drive; remove cdrom or image`);
    }
    const reasons = rootReasons(spec, 0);
    const provider = guestProvider(where, reasons, args.providers);
    return { address, diskStorages, systemStorage, ...(media !== undefined ? { media } : {}), rootReasons: reasons, provider };
}

/** A VM and its firewall (and HA resource when the guest is HA-managed). */
export class VmGuest extends GuestResource {
    readonly vm: proxmoxve.VmLegacy;

    constructor(name: string, args: VmGuestArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad guest stops the program with no half-made component.
        const plan = planVmGuest(args);
        super("homelab:proxmox:VmGuest", name, args.spec, plan.rootReasons, opts);
        const { spec } = args;
        const { address, diskStorages, systemStorage, media, provider } = plan;

        const bridge = args.bridge ?? "vmbr0";
        // The router (gateway: true) routes between every VLAN, so its first NIC is a trunk of all of
        // them: untagged (no vlanId) on the VLAN-aware bridge, with every VLAN id allowed through.
        const nic = spec.gateway
            ? { bridge, model: "virtio", firewall: true, trunks: [...new Set(args.allVlans)].sort((a, b) => a - b).join(";") }
            : { bridge, model: "virtio", firewall: true, ...optionalVlan(nicVlanId(spec, args.nativeVlan)) };

        const disks = spec.disks.map((d, i) => ({
            interface: `scsi${i}`,
            datastoreId: diskStorages[i],
            size: d.sizeGiB,
            discard: "on",
            ...(i === 0 && media === "disk-file" ? { fileId: args.imageFileId } : {}),
            ...(i === 0 && media === "disk-import" ? { importFrom: args.imageFileId } : {}),
        }));

        const cdromFileId = media === "cdrom" ? args.imageFileId : spec.cdrom;

        this.vm = new proxmoxve.VmLegacy(
            `${name}-vm`,
            {
                nodeName: spec.node,
                vmId: spec.vmid,
                name: args.guestName,
                description: spec.description,
                tags: normalizeTags([spec.tier, ...spec.tags]),
                onBoot: true,
                startup: startupByTier(spec.tier),
                protection: spec.stateful,
                bios: spec.bios,
                machine: machineOf(spec),
                operatingSystem: { type: spec.osType },
                cpu: { cores: spec.cores, type: spec.cpuType, units: CPU_UNITS_BY_TIER[spec.tier] },
                memory: { dedicated: spec.memoryMiB, floating: spec.memoryFloorMiB ?? Math.floor(spec.memoryMiB / 2) },
                agent: agentOf(spec, media),
                disks,
                ...(spec.bios === "ovmf"
                    ? { efiDisk: { datastoreId: systemStorage, type: "4m", preEnrolledKeys: spec.osType.startsWith("win") } }
                    : {}),
                ...(spec.tpm ? { tpmState: { datastoreId: systemStorage, version: "v2.0" } } : {}),
                ...(cdromFileId !== undefined ? { cdrom: { fileId: cdromFileId, interface: CDROM_INTERFACE } } : {}),
                ...(spec.clone !== undefined
                    ? {
                          clone: {
                              vmId: spec.clone.vmid,
                              full: true,
                              datastoreId: diskStorages[0],
                              ...(spec.clone.node !== undefined ? { nodeName: spec.clone.node } : {}),
                          },
                      }
                    : {}),
                ...(spec.cloudInit !== undefined
                    ? {
                          initialization: {
                              datastoreId: systemStorage,
                              interface: CLOUD_INIT_INTERFACE,
                              ipConfigs: [{ ipv4: { address, gateway: args.network.gateway } }],
                              dns: { domain: args.dns.domain, servers: [...args.dns.servers] },
                              userAccount: { username: spec.cloudInit.user, keys: [...(args.sshPublicKeys ?? [])] },
                          },
                      }
                    : {}),
                networkDevices: [nic],
                ...(spec.pciMappings.length > 0
                    ? { hostpcis: spec.pciMappings.map((m, i) => ({ device: `hostpci${i}`, mapping: m.mapping, pcie: m.pcie })) }
                    : {}),
                ...(spec.usbMappings.length > 0 ? { usbs: spec.usbMappings.map((m) => ({ mapping: m.mapping })) } : {}),
            },
            {
                parent: this,
                provider,
                dependsOn: args.dependsOn ?? [],
                // Stateful guests: a replacement or a removal stops at the Pulumi level, before the
                // provider deletes anything (Proxmox `protection` alone would fail mid-replacement).
                protect: spec.stateful,
                // The VMID is fixed by the scheme, so a replacement can never create the new VM before
                // the old one is gone: delete first.
                deleteBeforeReplace: true,
                // An existing VM is imported (id `<node>/<vmid>`), not created.
                ...(spec.adopt ? { import: `${spec.node}/${spec.vmid}` } : {}),
                // The provider plans an all-zero `speed` block on every disk that declares none, on
                // every preview, even right after an apply (muhlba91/pulumi-proxmoxve#664, still in
                // 8.6.0; upstream bpg/terraform-provider-proxmox#1539: absent and all-zero are the
                // same to the provider). We never set disk speed limits.
                ignoreChanges: ["disks[*].speed"],
            },
        );

        this.finish(name, "vm", spec, this.vm, args.providers.api);
    }
}
