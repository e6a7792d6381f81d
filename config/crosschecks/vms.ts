/** Cross-checks of VMs: disks, system storage, boot media, cloud-init and the agent, memory, TPM, mappings. */
import { GuestSpec, ImageSpec, VmGuestSpec } from "../schema";
import { didYouMean } from "../suggest";
import { CheckContext, own } from "./context";
import { checkDiskStorage, checkFileStorage } from "./guestStorage";

// The rules below are shared with components/vmGuest.ts, which keeps them for direct callers.

/** Why image `key` cannot boot a VM (a container template), or undefined. */
export function vmImageProblem(key: string, image: Pick<ImageSpec, "contentType">): string | undefined {
    return image.contentType === "vztmpl"
        ? `image "${key}" is a container template; a VM boots an installer ISO (contentType iso) or a disk image (contentType import)`
        : undefined;
}

/** Why a VM booting image `key` cannot also have `cdrom` (an installer ISO takes the CD drive), or undefined. */
export function vmCdromProblem(key: string, image: Pick<ImageSpec, "contentType">, cdrom: string | undefined): string | undefined {
    return image.contentType === "iso" && cdrom !== undefined
        ? `image "${key}" is an installer ISO and takes the CD drive; remove cdrom or image`
        : undefined;
}

/** Why the VM's TPM cannot work (it needs UEFI), or undefined. */
export function vmTpmProblem(g: Pick<VmGuestSpec, "tpm" | "bios">): string | undefined {
    return g.tpm && g.bios !== "ovmf" ? `a TPM needs UEFI; set bios to "ovmf"` : undefined;
}

export function checkVm(ctx: CheckContext, name: string, g: VmGuestSpec, nodeKnown: boolean): void {
    const base = ["guests", name];
    const seenDevices = new Set<string>();
    g.disks.forEach((d, i) => {
        if ("storage" in d) {
            if (nodeKnown) checkDiskStorage(ctx, [...base, "disks", i, "storage"], g, d.storage, "images");
        } else {
            if (seenDevices.has(d.device))
                ctx.add([...base, "disks", i, "device"], `${d.device} is passed through twice; list each disk once`);
            seenDevices.add(d.device);
            if (i === 0 && g.image !== undefined)
                ctx.add([...base, "disks", 0], `the system disk receives the imported image; pass physical disks after a storage disk`);
        }
    });
    const firstStorage = g.disks.find((d): d is { storage: string; sizeGiB: number } => "storage" in d)?.storage;
    if (g.systemStorage !== undefined) {
        if (nodeKnown) checkDiskStorage(ctx, [...base, "systemStorage"], g, g.systemStorage, "images");
    } else if (firstStorage === undefined && (g.bios === "ovmf" || g.tpm || g.cloudInit))
        ctx.add(
            [...base, "systemStorage"],
            `EFI vars, TPM state and the cloud-init drive need a storage; set systemStorage (no disk names one)`,
        );
    const image = g.image === undefined ? undefined : own(ctx.inv.images, g.image);
    if (g.image !== undefined && !image)
        ctx.add(
            [...base, "image"],
            `image "${g.image}" is not in images; add it under images with its checksum${didYouMean(g.image, Object.keys(ctx.inv.images))}`,
            [`images.${g.image}`],
        );
    const imageProblem = image && g.image !== undefined ? vmImageProblem(g.image, image) : undefined;
    if (imageProblem) ctx.add([...base, "image"], imageProblem, [`images.${g.image}`]);
    if (image && image.contentType !== "vztmpl" && nodeKnown)
        checkFileStorage(ctx, [...base, "image"], g, image.storage, image.contentType, [`images.${g.image}`]);
    const cdromProblem = image && g.image !== undefined ? vmCdromProblem(g.image, image, g.cdrom) : undefined;
    if (cdromProblem) ctx.add([...base, "cdrom"], cdromProblem, [`images.${g.image}`]);
    if (g.image !== undefined && g.clone !== undefined)
        ctx.add([...base, "clone"], `a VM boots from an image or a clone, not both; remove one`);
    // `cdrom: none` is an installed VM whose drive stays empty (after adoption too).
    const media = [g.image, g.clone, g.cdrom].filter((m) => m !== undefined).length;
    if (media === 0 && !g.adopt && !g.template)
        ctx.add(
            [...base, "image"],
            `a VM needs boot media: set image (a key of images), cdrom or clone (an installed VM: cdrom none; one being adopted needs none)`,
        );
    if (g.cdrom !== undefined && g.cdrom !== "none") {
        const storageId = g.cdrom.split(":")[0];
        if (ctx.requireStorage([...base, "cdrom"], storageId) && nodeKnown)
            checkFileStorage(ctx, [...base, "cdrom"], g, storageId, "iso", []);
    }
    if (g.cloudInit && image?.contentType === "iso")
        ctx.add(
            [...base, "cloudInit"],
            `cloud-init needs a disk image (contentType import) or a clone, not the installer ISO "${g.image}"; remove cloudInit or boot a cloud image`,
            [`images.${g.image}`],
        );
    if (g.cloudInit && g.image === undefined && g.clone === undefined && !g.adopt)
        ctx.add([...base, "cloudInit"], `cloud-init configures a cloud image or a clone; give image (contentType import) or clone`);
    const agentSupported = g.cloudInit !== undefined || image?.guestAgent === true || cloneHasAgent(ctx, g);
    // A VM installed elsewhere (adopted; no image or clone, its CD drive empty or gone) runs what it runs.
    const installedElsewhere = g.adopt || (g.image === undefined && g.clone === undefined && (g.cdrom === undefined || g.cdrom === "none"));
    if (g.agent === true && !agentSupported && !installedElsewhere)
        ctx.add(
            [...base, "agent"],
            `nothing installs qemu-guest-agent in this VM (no cloudInit, and image ${g.image === undefined ? "(none)" : `"${g.image}"`} is not marked guestAgent: true), so Proxmox would wait for an agent that never answers; install it through cloudInit, mark the image, or set agent: false`,
        );
    if (g.memoryFloorMiB !== undefined && g.memoryFloorMiB > g.memoryMiB)
        ctx.add([...base, "memoryFloorMiB"], `balloon floor ${g.memoryFloorMiB} MiB exceeds memory ${g.memoryMiB} MiB; lower the floor`);
    const tpmProblem = vmTpmProblem(g);
    if (tpmProblem) ctx.add([...base, "bios"], tpmProblem);
    g.pciMappings.forEach((m, i) => checkMapping(ctx, [...base, "pciMappings", i, "mapping"], g, "pci", m.mapping, nodeKnown));
    g.usbMappings.forEach((m, i) => checkMapping(ctx, [...base, "usbMappings", i, "mapping"], g, "usb", m.mapping, nodeKnown));
}

function cloneHasAgent(ctx: CheckContext, g: VmGuestSpec): boolean {
    if (!g.clone) return false;
    const template = ctx.guest(g.clone.from);
    if (!template || template.kind !== "vm") return false;
    const image = template.image === undefined ? undefined : own(ctx.inv.images, template.image);
    return template.cloudInit !== undefined || template.agent === true || image?.guestAgent === true;
}

function checkMapping(
    ctx: CheckContext,
    path: readonly PropertyKey[],
    g: GuestSpec,
    kind: "pci" | "usb",
    mapping: string,
    nodeKnown: boolean,
): void {
    const spec = own(ctx.inv.mappings[kind], mapping);
    if (!spec)
        return ctx.add(
            path,
            `${kind.toUpperCase()} mapping "${mapping}" is not in mappings.${kind}; add it with the device's ${kind === "pci" ? "PCI address and id" : "vendor:product id"} on node "${g.node}"${didYouMean(mapping, Object.keys(ctx.inv.mappings[kind]))}`,
            [`mappings.${kind}.${mapping}`],
        );
    if (nodeKnown && !spec.map.some((m) => m.node === g.node))
        ctx.add(
            path,
            `${kind.toUpperCase()} mapping "${mapping}" has no entry for node "${g.node}"; add that node's device to mappings.${kind}.${mapping}.map`,
            [`mappings.${kind}.${mapping}`],
        );
}
