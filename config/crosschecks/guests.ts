/**
 * Cross-checks of guests: identity (VMID, address, network), storages, boot media, devices,
 * mappings, clones and templates, replication.
 */
import { cidrContains, parseIpv4 } from "../../lib/ipv4";
import { hasDotComponent } from "../../lib/patterns";
import { expectedVmid } from "../../lib/scheme";
import { GuestSpec, LxcGuestSpec, VmGuestSpec } from "../schema";
import { didYouMean } from "../suggest";
import { CheckContext, NetworkInfo, own, systemPathReason, underPath } from "./context";
import { reservationRange } from "./cluster";
import { GUEST_DISK_CONTENT, LINKED_CLONE_KINDS, guestDiskStorageProblem } from "./storage";

/** Device classes a container may be given (anything else is a block device, memory, or worse). */
export const ALLOWED_DEVICE_PREFIXES = [
    "/dev/dri/",
    "/dev/net/tun",
    "/dev/bus/usb/",
    "/dev/ttyUSB",
    "/dev/ttyACM",
    "/dev/serial/by-id/",
    "/dev/apex_",
] as const;

/** True when a device path is one of the allowed classes. */
export function deviceAllowed(path: string): boolean {
    if (hasDotComponent(path)) return false;
    return ALLOWED_DEVICE_PREFIXES.some((p) =>
        p.endsWith("/") || p.endsWith("_") ? path.startsWith(p) : path === p || path.startsWith(p),
    );
}

export function checkGuests(ctx: CheckContext): void {
    const vmids = new Map<number, string>();
    const ips = new Map<string, string>();
    const reserved = reservedAddresses(ctx);
    for (const [name, g] of Object.entries(ctx.inv.guests)) {
        const base = ["guests", name];
        const node = ctx.requireNode([...base, "node"], g.node);
        const net = ctx.requireNetwork([...base, "network"], g.network);
        const prevId = vmids.get(g.vmid);
        if (prevId)
            ctx.add([...base, "vmid"], `VMID ${g.vmid} is already used by guest "${prevId}"; every guest needs its own VMID`, [
                `guests.${prevId}`,
            ]);
        vmids.set(g.vmid, name);
        if (g.ipv4 === undefined) {
            if (!g.template)
                ctx.add([...base, "ipv4"], `a guest needs an address on its network (only a template may have none); set ipv4`);
        } else {
            const prevIp = ips.get(g.ipv4);
            if (prevIp)
                ctx.add([...base, "ipv4"], `address ${g.ipv4} is already used by guest "${prevIp}"; every guest needs its own address`, [
                    `guests.${prevIp}`,
                ]);
            ips.set(g.ipv4, name);
            if (net) checkAddress(ctx, name, g, g.ipv4, net, reserved);
        }
        if (net) checkIdScheme(ctx, name, g, net);
        if (g.cpuUnits !== undefined && g.template) ctx.add([...base, "cpuUnits"], `a template never runs; remove cpuUnits`);
        checkCloneAndTemplate(ctx, name, g);
        if (node) checkReplication(ctx, name, g);
        if (g.firewall.inputPolicy === "ACCEPT" && g.firewall.reason === undefined)
            ctx.add(
                [...base, "firewall", "reason"],
                `an inbound policy of ACCEPT opens every port of the guest; say why in firewall.reason (the router that filters its own traffic), or use DROP with rules`,
            );
        if (g.gateway && g.kind !== "vm")
            ctx.add([...base, "gateway"], `the router is a VM here (it needs NICs by PCI passthrough); a container cannot own the gateway`);
        // Checks against the node's storages and devices need a known node (an unknown one is reported above).
        if (g.kind === "lxc") checkContainer(ctx, name, g, node !== undefined);
        else checkVm(ctx, name, g, node !== undefined);
    }
}

/** Addresses no guest may take: reservations, node and QDevice addresses, HA virtual IPs. */
function reservedAddresses(ctx: CheckContext): { first: number; last: number; what: string; refs: string[] }[] {
    const out: { first: number; last: number; what: string; refs: string[] }[] = [];
    for (const [name, net] of Object.entries(ctx.inv.networks))
        for (const r of net.reserved) {
            const range = reservationRange(r);
            if (range)
                out.push({
                    first: range[0],
                    last: range[1],
                    what: `reserved in network "${name}" (${r.purpose})`,
                    refs: [`networks.${name}`],
                });
        }
    for (const [node, spec] of Object.entries(ctx.inv.nodes)) {
        const ip = parseIpv4(spec.address);
        if (ip !== undefined) out.push({ first: ip, last: ip, what: `node "${node}"'s address`, refs: [`nodes.${node}`] });
    }
    if (ctx.inv.cluster.qdevice) {
        const ip = parseIpv4(ctx.inv.cluster.qdevice.address);
        if (ip !== undefined) out.push({ first: ip, last: ip, what: "the QDevice's address", refs: ["cluster"] });
    }
    for (const [group, ha] of Object.entries(ctx.inv.ha))
        if (ha.kind === "keepalived") {
            const ip = parseIpv4(ha.vip);
            if (ip !== undefined) out.push({ first: ip, last: ip, what: `the virtual IP of HA group "${group}"`, refs: [`ha.${group}`] });
        }
    return out;
}

function checkAddress(
    ctx: CheckContext,
    name: string,
    g: GuestSpec,
    address: string,
    net: NetworkInfo,
    reserved: ReturnType<typeof reservedAddresses>,
): void {
    const base = ["guests", name];
    const refs = [`networks.${net.name}`];
    const subnet = net.subnet;
    const ip = parseIpv4(address);
    if (!subnet || ip === undefined) return;
    if (!cidrContains(subnet, ip))
        return ctx.add(
            [...base, "ipv4"],
            `address ${address} is outside ${net.spec.cidr} of network "${net.name}"; pick an address in that subnet`,
            refs,
        );
    if (ip === subnet.network)
        return ctx.add([...base, "ipv4"], `address ${address} is the network address of ${net.spec.cidr}; pick a host address`, refs);
    if (ip === subnet.broadcast)
        return ctx.add([...base, "ipv4"], `address ${address} is the broadcast address of ${net.spec.cidr}; pick a host address`, refs);
    if (address === net.spec.gateway && !g.gateway)
        return ctx.add(
            [...base, "ipv4"],
            `address ${address} is the gateway of network "${net.name}"; pick another host address (or set gateway: true on the router guest)`,
            refs,
        );
    if (g.gateway && address !== net.spec.gateway)
        return ctx.add(
            [...base, "gateway"],
            `a router guest owns its network's gateway address ${net.spec.gateway}, got ${address}; fix the address or the network's gateway`,
            refs,
        );
    const hit = reserved.find((r) => ip >= r.first && ip <= r.last);
    if (hit) ctx.add([...base, "ipv4"], `address ${address} is ${hit.what}; pick an address no one else holds`, hit.refs);
}

function checkIdScheme(ctx: CheckContext, name: string, g: GuestSpec, net: NetworkInfo): void {
    const { idScheme, idOffset } = ctx.inv.cluster;
    if (idScheme === "off" || g.template || g.ipv4 === undefined || parseIpv4(g.ipv4) === undefined) return;
    if (idScheme === "vlan" && net.spec.vlan === undefined) {
        ctx.add(
            ["guests", name, "network"],
            `network "${net.name}" is untagged, so the vlan ID scheme (VLAN × 1000 + last octet) cannot apply; set cluster.idScheme to octet (with idOffset) or off`,
            [`networks.${net.name}`, "cluster"],
        );
        return;
    }
    const want = expectedVmid(idScheme, idOffset, net.spec.vlan, g.ipv4)?.vmid;
    if (want !== undefined && want !== g.vmid)
        ctx.add(
            ["guests", name, "vmid"],
            idScheme === "vlan"
                ? `VMID ${g.vmid} breaks the ID scheme (VLAN × 1000 + last octet); for VLAN ${net.spec.vlan} and ${g.ipv4} it must be ${want}`
                : `VMID ${g.vmid} breaks the ID scheme (${idOffset} + last octet); for ${g.ipv4} it must be ${want}`,
            [`networks.${net.name}`, "cluster"],
        );
}

/** A disk's storage: known, on the guest's node, holding the content, not the root disk. */
function checkDiskStorage(
    ctx: CheckContext,
    path: readonly PropertyKey[],
    g: GuestSpec,
    id: string,
    content: (typeof GUEST_DISK_CONTENT)[number],
): void {
    const storage = ctx.storage(id);
    const forbidden = guestDiskStorageProblem(id, storage);
    if (forbidden) return ctx.add(path, forbidden, [`storages.${id}`]);
    if (!ctx.requireStorage(path, id) || !storage) return;
    const refs = [...ctx.storageRefs(id), `nodes.${g.node}`];
    if (!ctx.storageNodes(storage).includes(g.node))
        ctx.add(
            path,
            `node "${g.node}" does not have storage "${id}" (it is on ${ctx.storageNodes(storage).join(", ")}); add the node to storages.${id}.nodes or pick a storage the node has`,
            refs,
        );
    else if (!storage.content.includes(content))
        ctx.add(
            path,
            `storage "${id}" does not hold "${content}" content; add "${content}" to storages.${id}.content or pick another storage`,
            refs,
        );
}

/** A file (an image, an ISO) on a storage the guest's node has. */
function checkFileStorage(
    ctx: CheckContext,
    path: readonly PropertyKey[],
    g: GuestSpec,
    id: string,
    content: string,
    refs: string[],
): void {
    const storage = ctx.storage(id);
    if (!storage) return; // reported on the image (or below for a cdrom)
    const all = [...refs, ...ctx.storageRefs(id), `nodes.${g.node}`];
    if (!ctx.storageNodes(storage).includes(g.node))
        ctx.add(
            path,
            `node "${g.node}" does not have storage "${id}", where this ${content} file lives; add the node to storages.${id}.nodes`,
            all,
        );
    else if (!storage.content.includes(content as never))
        ctx.add(path, `storage "${id}" does not hold "${content}" content; add it to storages.${id}.content`, all);
}

function checkContainer(ctx: CheckContext, name: string, g: LxcGuestSpec, nodeKnown: boolean): void {
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
                    `${d.path} is not a device a container may be given (allowed: /dev/dri/*, /dev/net/tun, /dev/bus/usb/*, /dev/ttyUSB*, /dev/ttyACM*, /dev/serial/by-id/*, /dev/apex_*; never a disk, memory or ZFS control device); pass a USB device by mapping (usb: <mapping>) or a VM the disk`,
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
    const paths = new Set<string>();
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
        paths.add(m.path);
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

function checkIdmap(ctx: CheckContext, name: string, g: LxcGuestSpec): void {
    const path = ["guests", name, "idmap"];
    const idmap = g.idmap ?? [];
    if (g.privileged) {
        ctx.add(path, `a privileged container uses the host's ids; an idmap applies only to unprivileged containers, so remove it`);
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

function checkVm(ctx: CheckContext, name: string, g: VmGuestSpec, nodeKnown: boolean): void {
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
    if (image?.contentType === "vztmpl")
        ctx.add(
            [...base, "image"],
            `image "${g.image}" is a container template; a VM boots an installer ISO (contentType iso) or a disk image (contentType import)`,
            [`images.${g.image}`],
        );
    if (image && image.contentType !== "vztmpl" && nodeKnown)
        checkFileStorage(ctx, [...base, "image"], g, image.storage, image.contentType, [`images.${g.image}`]);
    if (image?.contentType === "iso" && g.cdrom !== undefined)
        ctx.add([...base, "cdrom"], `image "${g.image}" is an installer ISO and takes the CD drive; remove cdrom or image`, [
            `images.${g.image}`,
        ]);
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
    if (g.tpm && g.bios !== "ovmf") ctx.add([...base, "bios"], `a TPM needs UEFI; set bios to "ovmf"`);
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

function checkCloneAndTemplate(ctx: CheckContext, name: string, g: GuestSpec): void {
    const base = ["guests", name];
    if (g.template) {
        if (g.kind === "vm" && g.pciMappings.length > 0)
            ctx.add([...base, "pciMappings"], `a template is never started; pass hardware to its clones instead`);
        if (g.clone) ctx.add([...base, "clone"], `a template is made from an image here, not cloned; remove clone or template`);
    }
    if (!g.clone) return;
    const source = ctx.requireGuest([...base, "clone", "from"], g.clone.from);
    if (!source) return;
    const refs = [`guests.${g.clone.from}`];
    if (!source.template)
        return ctx.add(
            [...base, "clone", "from"],
            `guest "${g.clone.from}" is not a template; set template: true on it, or clone another guest`,
            refs,
        );
    if (source.kind !== g.kind)
        return ctx.add(
            [...base, "clone", "from"],
            `guest "${g.clone.from}" is a ${source.kind === "vm" ? "VM" : "container"} template; a ${g.kind === "vm" ? "VM" : "container"} clones a template of its own kind`,
            refs,
        );
    const sourceStorages = storagesOf(source);
    const targetStorages = storagesOf(g);
    if (source.node !== g.node && !sourceStorages.every((id) => sharedOnBoth(ctx, id, source.node, g.node)))
        ctx.add(
            [...base, "node"],
            `template "${g.clone.from}" lives on node "${source.node}" on storage not shared with "${g.node}"; clone on the template's node, or keep the template on shared storage`,
            refs,
        );
    if (!g.clone.full) {
        const kinds = sourceStorages.map((id) => ctx.storage(id)?.kind);
        if (targetStorages.join() !== sourceStorages.join())
            ctx.add(
                [...base, "clone", "full"],
                `a linked clone stays on its template's storage (${sourceStorages.join(", ")}); use those storages or a full clone`,
                refs,
            );
        else if (kinds.some((k) => k === undefined || !LINKED_CLONE_KINDS.includes(k)))
            ctx.add(
                [...base, "clone", "full"],
                `storage ${sourceStorages.join(", ")} cannot hold linked clones (zfspool, lvmthin and rbd can); use a full clone`,
                refs,
            );
    }
}

function storagesOf(g: GuestSpec): string[] {
    return g.kind === "lxc" ? [g.disk.storage] : g.disks.flatMap((d) => ("storage" in d ? [d.storage] : []));
}

function sharedOnBoth(ctx: CheckContext, id: string, a: string, b: string): boolean {
    const storage = ctx.storage(id);
    if (!storage) return true; // reported elsewhere
    const nodes = ctx.storageNodes(storage);
    return ["nfs", "cifs", "rbd", "cephfs"].includes(storage.kind) && nodes.includes(a) && nodes.includes(b);
}

function checkReplication(ctx: CheckContext, name: string, g: GuestSpec): void {
    g.replication.forEach((r, i) => {
        const path = ["guests", name, "replication", i, "node"];
        if (!ctx.requireNode(path, r.node)) return;
        if (r.node === g.node) return ctx.add(path, `a guest cannot replicate to its own node "${g.node}"; name another node`);
        for (const id of storagesOf(g)) {
            const storage = ctx.storage(id);
            if (!storage) continue;
            if (storage.kind !== "zfspool")
                ctx.add(
                    path,
                    `replication copies ZFS volumes; storage "${id}" is ${storage.kind}, so move the disks to a zfspool storage or drop the replication`,
                    [`storages.${id}`],
                );
            else if (!ctx.storageNodes(storage).includes(r.node))
                ctx.add(
                    path,
                    `node "${r.node}" does not have storage "${id}", which replication writes to; add it to storages.${id}.nodes`,
                    [`storages.${id}`],
                );
        }
    });
}

export { ALLOWED_DEVICE_PREFIXES as DEVICE_ALLOW_LIST };
