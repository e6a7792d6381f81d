/**
 * A container's config (pve-container `LXC/Config.pm` keys) as an inventory guest. Values are
 * what the provider reads back after the import (bpg `containerRead`), so the import shows no
 * change; what the inventory cannot state gets a note.
 */
import { DEVICE_PATH } from "../../lib/patterns";
import { indexedKeys, parseIdmap, parsePropertyString, pveBool, pveNumber, sizeBytes, sizeGiB, volumeStorage } from "../../lib/pveConfig";
import { deviceAllowed } from "../../config/crosschecks";
import { mountValue } from "../../lib/containerHost";
import { adoptedGuestFields, firewallSpec, tierAndTags } from "./guestCommon";
import { GuestContext, guestNotes } from "./guestContext";
import { GuestRead } from "./types";

/** Config keys of a container the reader understands (anything else gets a note). */
const LXC_KEYS = new Set([
    "arch",
    "cmode",
    "console",
    "cores",
    "cpulimit",
    "cpuunits",
    "description",
    "digest",
    "features",
    "hostname",
    "lxc",
    "memory",
    "nameserver",
    "onboot",
    "ostype",
    "protection",
    "rootfs",
    "searchdomain",
    "startup",
    "swap",
    "tags",
    "template",
    "tty",
    "unprivileged",
]);

/** The inventory entry of a container. */
export function lxcGuest(name: string, g: GuestRead, ctx: GuestContext): Record<string, unknown> {
    const c = g.config!;
    const where = ["guests", name];
    const { notes } = ctx;
    const unprivileged = pveBool(c.unprivileged) === true;
    const features = parsePropertyString(String(c.features ?? ""));
    const nesting = pveBool(features.nesting) === true;
    const keyctl = pveBool(features.keyctl) === true;
    // docker: nesting, plus keyctl when unprivileged (lib/privilege.ts containerFeatures).
    const docker = nesting && keyctl === unprivileged;
    if (nesting && !docker)
        notes.info(
            [...where, "docker"],
            `features "${c.features}": the inventory states nesting only with keyctl (docker: true) on an unprivileged container; the first up changes the flags`,
        );
    const others = ["fuse", "mount", "mknod"].filter((f) => features[f] !== undefined && features[f] !== "" && features[f] !== "0");
    if (others.length > 0)
        notes.rule([...where, "docker"], `feature flags ${others.join(", ")} are not in the inventory; the first up turns them off`);
    const { tier, tags, cpuUnits } = tierAndTags(c, docker, where, notes);

    const cores = pveNumber(c.cores);
    if (cores === undefined)
        notes.info([...where, "cores"], "cores is unset (the container may use every core of the node); the provider reads 1");
    const memory = pveNumber(c.memory);
    if (memory === undefined)
        notes.info([...where, "memoryMiB"], "memory is unset (Proxmox's 512 MiB); the provider reads 0, so the first up writes 512");
    const swap = pveNumber(c.swap);
    if (swap === undefined) notes.info([...where, "swapMiB"], "swap is unset (Proxmox's 512 MiB); the provider reads 0");

    const rootfs = parsePropertyString(String(c.rootfs ?? ""), "volume");
    const storage = rootfs.volume !== undefined ? volumeStorage(rootfs.volume) : undefined;
    const disk: Record<string, unknown> = {};
    if (storage === undefined) notes.fill([...where, "disk", "storage"], `the root disk "${c.rootfs ?? ""}" is not a volume on a storage`);
    else {
        disk.storage = storage;
        const problem = ctx.diskStorageProblem(storage);
        if (problem) notes.rule([...where, "disk", "storage"], `${problem}: move the disk (pct move-volume) before adopting`);
    }
    const gib = rootfs.size !== undefined ? sizeGiB(rootfs.size) : undefined;
    if (gib === undefined || gib < 1)
        notes.fill([...where, "disk", "sizeGiB"], `the root disk's size "${rootfs.size ?? "unset"}" is under 1 GiB`);
    else {
        disk.sizeGiB = gib;
        if (sizeBytes(rootfs.size!) !== gib * 1024 ** 3)
            notes.info(
                [...where, "disk", "sizeGiB"],
                `the root disk is ${rootfs.size}; the provider reads whole GiB (${gib}) and never shrinks it`,
            );
    }
    const rootOptions = Object.keys(rootfs).filter((k) => !["volume", "size"].includes(k));
    if (rootOptions.length > 0)
        notes.info([...where, "disk"], `root disk options ${rootOptions.join(", ")} are not in the inventory; the first up resets them`);

    const entry: Record<string, unknown> = {
        kind: "lxc",
        ...ctx.identity(name, g, where),
        cores: cores ?? 1,
        memoryMiB: memory ?? 512,
        swapMiB: swap ?? 0,
        ...adoptedGuestFields(c, tier, cpuUnits),
        disk,
        ...(docker ? { docker: true } : {}),
    };
    if (!unprivileged) {
        entry.privileged = { reason: `privileged on the running cluster when read (${ctx.readAt.slice(0, 10)}); not reviewed yet` };
        notes.rule(
            [...where, "privileged"],
            "a privileged container: its root is the host's root; give the real reason, or back it up and restore it unprivileged",
        );
    }
    const devices = lxcDevices(c, where, ctx);
    if (devices.length > 0) entry.devices = devices;
    const idmap = parseIdmap(c.lxc);
    for (const bad of idmap.invalid) notes.fill([...where, "idmap"], `lxc.idmap "${bad}" does not parse`);
    if (idmap.entries.length > 0) entry.idmap = idmap.entries;
    const rawLxc = (c.lxc ?? []).filter(([k]) => k !== "lxc.idmap");
    if (rawLxc.length > 0)
        notes.rule(
            [...where],
            `raw lxc keys ${rawLxc.map(([k]) => k).join(", ")} are not in the inventory; they stay in the config as they are`,
        );
    const hostMounts = lxcMounts(name, g, where, ctx);
    if (hostMounts.length > 0) entry.hostMounts = hostMounts;
    if (tags.length > 0) entry.tags = tags;
    entry.backup = ctx.backupOf(g.resource.vmid, where);
    entry.firewall = firewallSpec(g.firewall, false, ctx.readAt, where, notes);
    if (pveBool(c.onboot) !== !pveBool(c.template))
        notes.info([...where], `onboot is ${c.onboot ?? "unset"}; the first up sets start at boot to ${!pveBool(c.template)}`);
    if (c.arch !== undefined && c.arch !== "amd64") notes.info([...where], `arch ${c.arch}: the first up writes amd64`);
    for (const [key, value, dflt] of [
        ["console", c.console, "1"],
        ["cmode", c.cmode, "tty"],
        ["tty", c.tty, "2"],
        ["cpulimit", c.cpulimit, "0"],
    ] as const)
        if (value !== undefined && String(value) !== dflt)
            notes.info([...where], `${key}: ${value} is not in the inventory; the first up resets it to ${dflt}`);
    guestNotes(name, g, LXC_KEYS, /^(?:net|mp|dev)\d+$/, where, ctx);
    return entry;
}

/** `devN` entries as inventory devices; what the inventory cannot state is noted. */
function lxcDevices(c: Record<string, unknown>, where: (string | number)[], ctx: GuestContext): Record<string, unknown>[] {
    return indexedKeys(c, "dev").map((key, i) => {
        const d = parsePropertyString(String(c[key]), "path");
        const path = d.path ?? "";
        if (!DEVICE_PATH.test(path) || !deviceAllowed(path))
            ctx.notes.rule(
                [...where, "devices", i, "path"],
                `${key} passes ${path} into the container; the inventory allows only the device classes of the policy pack`,
            );
        if ((d.uid !== undefined && d.uid !== "0") || pveBool(d["deny-write"]))
            ctx.notes.info(
                [...where, "devices", i],
                `${key} sets uid or deny-write, which the inventory cannot state; the first up resets them`,
            );
        const gid = d.gid !== undefined ? Number(d.gid) : undefined;
        return {
            path,
            ...(gid !== undefined && gid !== 0 ? { gid } : {}),
            ...(d.mode !== undefined && d.mode !== "0660" ? { mode: d.mode } : {}),
        };
    });
}

/**
 * Bind mounts: those of a dataset's mountpoint go to the dataset's `mounts`, others to `hostMounts`;
 * volume mounts stay as they are (the program manages bind mounts only).
 */
function lxcMounts(name: string, g: GuestRead, where: (string | number)[], ctx: GuestContext): Record<string, unknown>[] {
    const c = g.config!;
    const out: Record<string, unknown>[] = [];
    for (const key of indexedKeys(c, "mp")) {
        const mp = parsePropertyString(String(c[key]), "volume");
        const volume = mp.volume ?? "";
        if (!volume.startsWith("/")) {
            ctx.notes.info([...where], `${key} is a volume (${volume}) at ${mp.mp}: not in the inventory, it stays as it is`);
            continue;
        }
        const readOnly = pveBool(mp.ro) === true;
        const wanted = mountValue({ hostPath: volume, containerPath: mp.mp ?? "", readOnly });
        if (String(c[key]) !== wanted)
            ctx.notes.info(
                [...where],
                `${key} is "${c[key]}"; the program states bind mounts as "${wanted}", so the first up rewrites it (in effect at the container's next restart)`,
            );
        ctx.addRoot(volume);
        const dataset = ctx.datasetAt(g.resource.node, volume);
        if (dataset !== undefined) ctx.addDatasetMount(dataset, { guest: name, path: mp.mp ?? "", readOnly });
        else out.push({ hostPath: volume, path: mp.mp ?? "", readOnly });
    }
    return out;
}
