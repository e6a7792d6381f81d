/**
 * The devices a container may be given, as classes of device paths, and why any other path is
 * refused. The one table for the pack's rule (proxmox-container-devices-allowed) and the
 * inventory's check (config/crosschecks/containers.ts, through lib/devices.ts).
 */
import { normalizeHostPath } from "./paths";

/** A class of devices a container may be given: a path, or everything below a directory or with a name prefix. */
export interface DeviceClass {
    readonly label: string;
    readonly matches: (path: string) => boolean;
    /** Made by the program itself (never named in an inventory). */
    readonly programOnly?: true;
}

const below = (dir: string): DeviceClass => ({ label: `${dir}/*`, matches: (p) => p.startsWith(`${dir}/`) && p.length > dir.length + 1 });
const numbered = (prefix: string): DeviceClass => ({
    label: `${prefix}*`,
    matches: (p) => p.startsWith(prefix) && p.length > prefix.length && [...p.slice(prefix.length)].every((c) => c >= "0" && c <= "9"),
});

/**
 * The device classes a container may be given: GPUs for transcoding, TUN for VPNs, USB and
 * serial adapters (Zigbee, Z-Wave), Coral TPUs, and the `/dev/homelab/*` links the program makes
 * for USB mappings. Nothing that reaches the host's disks or memory.
 */
export const DEVICE_CLASSES: readonly DeviceClass[] = [
    below("/dev/dri"),
    { label: "/dev/net/tun", matches: (p) => p === "/dev/net/tun" },
    below("/dev/bus/usb"),
    numbered("/dev/ttyUSB"),
    numbered("/dev/ttyACM"),
    below("/dev/serial/by-id"),
    numbered("/dev/apex_"),
    { ...below("/dev/homelab"), programOnly: true },
];

/** Devices refused by name, with why (the allow-list refuses everything else too). */
const DANGEROUS: readonly [prefixes: readonly string[], why: string][] = [
    [["/dev/mem", "/dev/kmem", "/dev/port"], "the host's memory"],
    [["/dev/zfs"], "the ZFS control device, which commands every pool on the host"],
    [
        [
            "/dev/sd",
            "/dev/nvme",
            "/dev/vd",
            "/dev/hd",
            "/dev/xvd",
            "/dev/mmcblk",
            "/dev/dm-",
            "/dev/md",
            "/dev/zd",
            "/dev/loop",
            "/dev/nbd",
            "/dev/rbd",
            "/dev/mapper/",
            "/dev/disk/",
        ],
        "a block device: the container could read or overwrite a disk below its filesystem",
    ],
];

/** Why a device path is refused, or undefined when it is in an allowed class. */
export function refusedDevice(path: string): string | undefined {
    if (!path.startsWith("/") || path.split("/").some((seg) => seg === "..")) return "a path that is not absolute or climbs with `..`";
    const p = normalizeHostPath(path);
    if (DEVICE_CLASSES.some((c) => c.matches(p))) return undefined;
    for (const [prefixes, why] of DANGEROUS) if (prefixes.some((prefix) => p.startsWith(prefix))) return why;
    return "not in the allow-list";
}
