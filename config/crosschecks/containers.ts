/** Cross-checks of containers: root disk, image or clone, devices, bind mounts, the id map. */
import { DEVICE_CLASSES } from "../../lib/devices";
import { hasDotComponent } from "../../lib/patterns";
import { LxcGuestSpec } from "../schema";
import { didYouMean } from "../suggest";
import { CheckContext, own, systemPathReason, underPath } from "./context";
import { checkDiskStorage, checkFileStorage } from "./guestStorage";

/** The device classes an inventory may name: the pack's table without the links the program makes itself. */
const INVENTORY_DEVICE_CLASSES = DEVICE_CLASSES.filter((c) => c.programOnly !== true);

/** True when a device path is one of the classes an inventory may name (and has no `.` or `..` component). */
export function deviceAllowed(path: string): boolean {
    return !hasDotComponent(path) && INVENTORY_DEVICE_CLASSES.some((c) => c.matches(path));
}

export function checkContainer(ctx: CheckContext, name: string, g: LxcGuestSpec, nodeKnown: boolean): void {
    const base = ["guests", name];
    if (nodeKnown) checkDiskStorage(ctx, [...base, "disk", "storage"], g, g.disk.storage, "rootdir");
    // No image and no clone: the container exists already (adopted); its template is never managed.
    if (g.image !== undefined && g.clone !== undefined)
        ctx.add([...base, "clone"], `a container is made from an image or a clone, not both; remove one`);
    if (g.image !== undefined) {
        const image = own(ctx.inv.images, g.image);
        if (!image)
            ctx.add(
                [...base, "image"],
                `image "${g.image}" is not in images; add it under images with its checksum${didYouMean(g.image, Object.keys(ctx.inv.images))}`,
                [`images.${g.image}`],
            );
        else if (image.contentType !== "vztmpl")
            ctx.add(
                [...base, "image"],
                `image "${g.image}" has contentType ${image.contentType}, not a container template; name an image whose contentType is vztmpl`,
                [`images.${g.image}`],
            );
        else if (nodeKnown) checkFileStorage(ctx, [...base, "image"], g, image.storage, "vztmpl", [`images.${g.image}`]);
    }
    if (g.idmap) checkIdmap(ctx, name, g);
    g.devices.forEach((d, i) => {
        if ("path" in d) {
            if (!deviceAllowed(d.path))
                ctx.add(
                    [...base, "devices", i, "path"],
                    `${d.path} is not a device a container may be given (allowed: ${INVENTORY_DEVICE_CLASSES.map((c) => c.label).join(", ")}; never a disk, memory or ZFS control device); pass a USB device by mapping (usb: <mapping>) or a VM the disk`,
                );
        } else {
            const mapping = own(ctx.inv.mappings.usb, d.usb);
            if (!mapping)
                ctx.add(
                    [...base, "devices", i, "usb"],
                    `USB mapping "${d.usb}" is not in mappings.usb; add it with the device's vendor:product id${didYouMean(d.usb, Object.keys(ctx.inv.mappings.usb))}`,
                    [`mappings.usb.${d.usb}`],
                );
            else if (nodeKnown && !mapping.map.some((m) => m.node === g.node))
                ctx.add(
                    [...base, "devices", i, "usb"],
                    `USB mapping "${d.usb}" has no entry for node "${g.node}"; add the device of that node to mappings.usb.${d.usb}.map`,
                    [`mappings.usb.${d.usb}`],
                );
        }
    });
    g.hostMounts.forEach((m, i) => {
        if (!ctx.inv.cluster.managedRoots.some((r) => underPath(m.hostPath, r)))
            ctx.add(
                [...base, "hostMounts", i, "hostPath"],
                `${m.hostPath} is outside the managed roots (${ctx.inv.cluster.managedRoots.join(", ")}); mount a path under one of them or add a root to cluster.managedRoots`,
                ["cluster"],
            );
        const why = systemPathReason(m.hostPath);
        if (why) ctx.add([...base, "hostMounts", i, "hostPath"], `${m.hostPath} is ${why}; never bind-mount system paths into a guest`);
        checkMountTarget(ctx, [...base, "hostMounts", i, "path"], m.path);
    });
}

/** A path inside a container that a mount may not cover. */
export function checkMountTarget(ctx: CheckContext, path: readonly PropertyKey[], target: string): void {
    if (
        target === "/" ||
        ["/proc", "/sys", "/dev", "/etc", "/usr", "/bin", "/sbin", "/lib", "/boot", "/run"].some((p) => underPath(target, p))
    )
        ctx.add(path, `mount path ${target} would shadow a system directory inside the container; mount under /mnt, /srv or /data`);
}

/** Why a container cannot have its idmap (it is privileged), or undefined; components/lxcGuest.ts refuses the same for direct callers. */
export function privilegedIdmapProblem(g: Pick<LxcGuestSpec, "idmap" | "privileged">): string | undefined {
    return g.idmap !== undefined && g.privileged !== undefined
        ? `a privileged container uses the host's ids; an idmap applies only to unprivileged containers, so remove it`
        : undefined;
}

function checkIdmap(ctx: CheckContext, name: string, g: LxcGuestSpec): void {
    const path = ["guests", name, "idmap"];
    const idmap = g.idmap ?? [];
    const privileged = privilegedIdmapProblem(g);
    if (privileged) {
        ctx.add(path, privileged);
        return;
    }
    const floor = ctx.inv.cluster.hostIdFloor;
    idmap.forEach((r, i) => {
        if (r.containerId + r.size > 65536)
            ctx.add([...path, i], `range ${r.containerId}+${r.size} runs past container id 65535; shorten it`);
        if (r.hostId < floor)
            ctx.add(
                [...path, i],
                `host ids ${r.hostId}-${r.hostId + r.size - 1} lie below cluster.hostIdFloor (${floor}), among the host's own users${r.containerId === 0 && r.hostId === 0 ? " (container root would be host root)" : ""}; map to ids from ${floor} (the node's /etc/subuid range)`,
                ["cluster"],
            );
    });
    for (const type of ["uid", "gid"] as const) {
        const ranges = idmap.map((r, i) => ({ r, i })).filter(({ r }) => r.type === type);
        if (ranges.length === 0) {
            ctx.add(path, `no ${type} range: a custom idmap replaces the default one, so give both uid and gid ranges`);
            continue;
        }
        if (!ranges.some(({ r }) => r.containerId === 0))
            ctx.add(path, `no ${type} range maps container id 0 (root), so the container cannot start; add one`);
        const byContainer = [...ranges].sort((a, b) => a.r.containerId - b.r.containerId);
        for (let k = 1; k < byContainer.length; k++) {
            const prev = byContainer[k - 1].r;
            if (byContainer[k].r.containerId < prev.containerId + prev.size)
                ctx.add(
                    [...path, byContainer[k].i],
                    `${type} range overlaps range ${byContainer[k - 1].i} inside the container; make them disjoint`,
                );
        }
        const byHost = [...ranges].sort((a, b) => a.r.hostId - b.r.hostId);
        for (let k = 1; k < byHost.length; k++) {
            const prev = byHost[k - 1].r;
            if (byHost[k].r.hostId < prev.hostId + prev.size)
                ctx.add([...path, byHost[k].i], `${type} range overlaps range ${byHost[k - 1].i} on the host; make them disjoint`);
        }
    }
}
