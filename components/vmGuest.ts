/**
 * A QEMU VM from the inventory: every disk and system volume on named storage, hardware only
 * through mappings, a balloon floor, an explicit boot order, the guest agent only where one runs,
 * cloud-init user data that installs it, its firewall and HA.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { ImageSpec, VmGuestSpec } from "../config/schema";
import { vmCdromProblem, vmImageProblem, vmTpmProblem } from "../config/crosschecks";
import { FieldError } from "../lib/errors";
import { userData } from "../lib/cloudInit";
import { rootReasons } from "../lib/privilege";
import { normalizeTags } from "../lib/scheme";
import { guestProvider } from "./providers";
import {
    GuestArgsBase,
    GuestResource,
    checkStorage,
    cloneBlock,
    cpuUnitsOf,
    guestAddress,
    guestResourceOptions,
    nicVlan,
    startupByTier,
} from "./guestShared";

/**
 * Changes that replace the VM (delete, then create with the same VMID: its disks are lost): `vmid`,
 * `node`, the clone source, a disk `fileId` (P9; cloud images use `importFrom`, which is not), the
 * user-data file id. A stateful guest (the default) is protected in Proxmox and in Pulumi, so such a
 * change, or its removal, stops at preview; docs/operations.md gives the two-step procedure.
 */
export interface VmGuestArgs extends GuestArgsBase {
    /** The VM from the inventory. */
    readonly spec: VmGuestSpec;
    /** The boot image (`spec.image`) as the inventory describes it; required when `spec.image` is set. */
    readonly image?: ImageSpec;
    /** Volume id of the boot image on the node; required when `spec.image` is set. */
    readonly imageFileId?: pulumi.Input<string>;
    /** Every VLAN id of the inventory: the router's trunk carries them all. */
    readonly allVlans: readonly number[];
    /** The template VM a clone is made from: its VMID and node. */
    readonly cloneSource?: { readonly vmid: number; readonly node: string };
    /** A storage with `snippets` content on the node, for the cloud-init user data; required with `spec.cloudInit`. */
    readonly snippetsStorage?: string;
    /** User data replacing the generated one (the PBS guest's, which installs PBS). */
    readonly userData?: pulumi.Input<string>;
    /** Whether the image ships the guest agent (`images.<key>.guestAgent`). @default false */
    readonly imageHasAgent?: boolean;
}

/** How an image boots a VM: an installer in the CD drive, or a disk image imported as the system disk. */
export type BootMedia = "cdrom" | "disk-import";

/**
 * `import` content is imported as the system disk (`importFrom`, not ForceNew: P9); an `iso` is an
 * installer. A container template boots no VM: refused at `field` (the guest's `image`) with the
 * inventory's own message.
 */
export function bootMediaOf(key: string, image: ImageSpec, field = `images.${key}`): BootMedia {
    const problem = vmImageProblem(key, image);
    if (problem) throw new FieldError(field, problem);
    return image.contentType === "import" ? "disk-import" : "cdrom";
}

/** Machine type: q35 where the inventory asks for it or PCIe passthrough needs it. */
export function machineOf(spec: VmGuestSpec): "pc" | "q35" {
    return spec.machine === "q35" || spec.pciMappings.some((m) => m.pcie) ? "q35" : "pc";
}

/**
 * Whether the QEMU agent is on: the inventory's choice, else on exactly when something installs it
 * (the program's cloud-init user data, an image that ships it). An agent that never answers makes
 * every create and refresh wait (P11).
 */
export function agentEnabled(spec: VmGuestSpec, imageHasAgent: boolean): boolean {
    return spec.agent ?? (spec.cloudInit !== undefined || imageHasAgent);
}

/** CD and cloud-init drive slots: q35 only has ide0 and ide2. */
const CDROM_INTERFACE = "ide2";
const CLOUD_INIT_INTERFACE = "ide0";

/** The boot order: the system disk first, then the CD drive (an installer boots only while the disk is empty), then the network. */
export function bootOrderOf(hasCdrom: boolean): string[] {
    return ["scsi0", ...(hasCdrom ? [CDROM_INTERFACE] : []), "net0"];
}

/** What the constructor derives from its args, validated: throws with the field, the value and the fix. */
export function planVmGuest(args: VmGuestArgs): {
    address?: string;
    systemStorage?: string;
    media?: BootMedia;
    agent: boolean;
    rootReasons: string[];
    provider: proxmoxve.Provider;
} {
    const { spec } = args;
    const where = `guests.${args.guestName}`;
    const address = guestAddress(where, spec, args.network);
    spec.disks.forEach((d, i) => {
        if ("storage" in d) checkStorage(`${where}.disks[${i}].storage`, d.storage);
    });
    const firstStorage = spec.disks.find((d): d is { storage: string; sizeGiB: number } => "storage" in d)?.storage;
    // EFI vars, TPM state and the cloud-init drive: the named system storage, else the first storage disk's.
    const system = spec.systemStorage ?? firstStorage;
    const systemStorage = system === undefined ? undefined : checkStorage(`${where}.systemStorage`, system);
    // The inventory's checks (config/crosschecks/vms.ts), kept for direct callers.
    const tpm = vmTpmProblem(spec);
    if (tpm) throw new FieldError(`${where}.bios`, tpm);
    let media: BootMedia | undefined;
    // An adopted VM is installed already: its boot media played their part, and the provider could
    // not read them back after the import (P3), so they are not sent.
    if (spec.image !== undefined && !spec.adopt) {
        if (args.image === undefined || args.imageFileId === undefined)
            throw new Error(`[${where}.image] image "${spec.image}" was not given to the VM; pass its spec and downloaded file id`);
        media = bootMediaOf(spec.image, args.image, `${where}.image`);
        const cdrom = vmCdromProblem(spec.image, args.image, spec.cdrom);
        if (cdrom) throw new FieldError(`${where}.cdrom`, cdrom);
    }
    // Generated or given (the PBS guest's), the user data is uploaded as a snippet.
    if (spec.cloudInit !== undefined && args.snippetsStorage === undefined)
        throw new Error(`[${where}.cloudInit] the user data needs a storage with snippets content on node "${spec.node}"`);
    const agent = agentEnabled(spec, args.imageHasAgent ?? false);
    const reasons = rootReasons(spec);
    return {
        ...(address !== undefined ? { address } : {}),
        ...(systemStorage !== undefined ? { systemStorage } : {}),
        ...(media !== undefined ? { media } : {}),
        agent,
        rootReasons: reasons,
        provider: guestProvider(where, reasons, args.providers),
    };
}

/** The file name of a VM's user-data snippet. */
function snippetFileName(guestName: string): string {
    return `${guestName}-user-data.yaml`;
}

/** The volume id bpg gives a snippet file (`<storage>:snippets/<file>`, proxmoxtf/resource/file.go fileVolumeID). */
export function snippetVolumeId(storage: string, guestName: string): string {
    return `${storage}:snippets/${snippetFileName(guestName)}`;
}

/** A VM, its user-data snippet, its firewall and HA resource. */
export class VmGuest extends GuestResource {
    readonly vm: proxmoxve.VmLegacy;
    /** The cloud-init user-data snippet, for a VM with cloud-init. */
    readonly userDataFile?: proxmoxve.FileLegacy;

    constructor(name: string, args: VmGuestArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad guest stops the program with no half-made component.
        const plan = planVmGuest(args);
        super("homelab:proxmox:VmGuest", name, args.spec, plan.rootReasons, opts);
        const { spec } = args;
        const { address, systemStorage, media, provider } = plan;

        const bridge = args.bridge ?? "vmbr0";
        // The router routes between every VLAN, so its NIC is a trunk of all of them: untagged on the
        // VLAN-aware bridge, with every VLAN id allowed through.
        const nic = spec.gateway
            ? { bridge, model: "virtio", firewall: true, trunks: [...new Set(args.allVlans)].sort((a, b) => a - b).join(";") }
            : { bridge, model: "virtio", firewall: true, ...nicVlan(args) };

        const disks = spec.disks.map((d, i) =>
            "storage" in d
                ? {
                      interface: `scsi${i}`,
                      datastoreId: d.storage,
                      size: d.sizeGiB,
                      discard: "on",
                      ...(i === 0 && media === "disk-import" ? { importFrom: args.imageFileId } : {}),
                  }
                : // A whole physical disk by its stable id (root@pam only: lib/privilege.ts).
                  { interface: `scsi${i}`, datastoreId: "", pathInDatastore: d.device, fileFormat: "raw", discard: "on", backup: false },
        );

        // The CD drive: an installer ISO (an image or a volume on a storage), or kept empty (`none`)
        // once installed, since removing the block re-adds a host drive (P12).
        const cdromFileId = media === "cdrom" ? args.imageFileId : spec.cdrom;

        if (spec.cloudInit !== undefined) {
            const content =
                args.userData ??
                userData({
                    hostname: args.guestName,
                    domain: args.dns.domain,
                    user: spec.cloudInit.user,
                    sshPublicKeys: args.sshPublicKeys ?? [],
                });
            this.userDataFile = new proxmoxve.FileLegacy(
                `${name}-user-data`,
                {
                    nodeName: spec.node,
                    datastoreId: args.snippetsStorage!,
                    contentType: "snippets",
                    sourceRaw: { data: content, fileName: snippetFileName(args.guestName) },
                },
                // Uploaded over SSH to a fixed path: a new content replaces the file, which must be
                // deleted first or the delete of the old one removes the new upload (P28).
                { parent: this, provider: args.providers.api, deleteBeforeReplace: true },
            );
        }

        this.vm = new proxmoxve.VmLegacy(
            `${name}-vm`,
            {
                nodeName: spec.node,
                vmId: spec.vmid,
                // Always named: the SDK would otherwise generate one.
                name: args.guestName,
                description: spec.description,
                tags: normalizeTags([spec.tier, ...spec.tags]),
                template: spec.template,
                started: !spec.template,
                onBoot: !spec.template,
                startup: startupByTier(spec.tier),
                protection: spec.stateful,
                bios: spec.bios,
                machine: machineOf(spec),
                operatingSystem: { type: spec.osType },
                cpu: { cores: spec.cores, type: spec.cpuType, units: cpuUnitsOf(spec) },
                memory: { dedicated: spec.memoryMiB, floating: spec.memoryFloorMiB ?? Math.floor(spec.memoryMiB / 2) },
                agent: { enabled: plan.agent, type: "virtio", trim: plan.agent },
                disks,
                bootOrders: bootOrderOf(cdromFileId !== undefined),
                ...(spec.bios === "ovmf" && systemStorage !== undefined
                    ? { efiDisk: { datastoreId: systemStorage, type: "4m", preEnrolledKeys: spec.osType.startsWith("win") } }
                    : {}),
                ...(spec.tpm && systemStorage !== undefined ? { tpmState: { datastoreId: systemStorage, version: "v2.0" } } : {}),
                ...(cdromFileId !== undefined ? { cdrom: { fileId: cdromFileId, interface: CDROM_INTERFACE } } : {}),
                ...(args.cloneSource !== undefined
                    ? { clone: cloneBlock(args.cloneSource, spec, "storage" in spec.disks[0] ? spec.disks[0].storage : undefined) }
                    : {}),
                ...(spec.cloudInit !== undefined && this.userDataFile !== undefined
                    ? {
                          initialization: {
                              datastoreId: systemStorage,
                              interface: CLOUD_INIT_INTERFACE,
                              ...(address !== undefined ? { ipConfigs: [{ ipv4: { address, gateway: args.network.gateway } }] } : {}),
                              dns: { domain: args.dns.domain, servers: [...args.dns.servers] },
                              // The snippet's volume id, named here rather than read from the file
                              // resource: a property dependency would make the VM a dependent of the
                              // snippet's delete-first replacement, and the id is ForceNew, so new user
                              // data (a rotated SSH key) would replace the VM (E5). The path never
                              // changes; `dependsOn` keeps the order, and cloud-init applies user data
                              // once per instance anyway.
                              userDataFileId: snippetVolumeId(args.snippetsStorage!, args.guestName),
                          },
                      }
                    : {}),
                networkDevices: [nic],
                ...(spec.pciMappings.length > 0
                    ? {
                          hostpcis: spec.pciMappings.map((m, i) => ({
                              device: `hostpci${i}`,
                              mapping: m.mapping,
                              pcie: m.pcie,
                              // bpg sends rombar=0 unless set; PVE's default is on (P18).
                              rombar: true,
                          })),
                      }
                    : {}),
                ...(spec.usbMappings.length > 0 ? { usbs: spec.usbMappings.map((m) => ({ mapping: m.mapping, usb3: true })) } : {}),
            },
            guestResourceOptions(
                this,
                provider,
                spec,
                [...(args.dependsOn ?? []), ...(this.userDataFile ? [this.userDataFile] : [])],
                // The provider plans an all-zero `speed` block on every disk that declares none
                // (muhlba91/pulumi-proxmoxve#664, bpg#1539). `agent.waitForIp` is provider-local and
                // cannot be read back after an import (P3).
                ["disks[*].speed", ...(spec.adopt ? ["agent.waitForIp"] : [])],
            ),
        );

        this.finish({ name, kind: "vm", spec, args, guest: this.vm, carriesKeys: spec.cloudInit !== undefined });
    }
}
