import { stackRule } from "../define";
import { guestOf } from "../guests";
import { records, str } from "../props";
import { normalizeHostPath } from "../shared/paths";
import { CONTAINER_TYPES } from "../tokens";

/** A class of devices a container may be given: a path, or everything below a directory or with a name prefix. */
interface DeviceClass {
    readonly label: string;
    readonly matches: (path: string) => boolean;
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
const ALLOWED_DEVICES: readonly DeviceClass[] = [
    below("/dev/dri"),
    { label: "/dev/net/tun", matches: (p) => p === "/dev/net/tun" },
    below("/dev/bus/usb"),
    numbered("/dev/ttyUSB"),
    numbered("/dev/ttyACM"),
    below("/dev/serial/by-id"),
    numbered("/dev/apex_"),
    below("/dev/homelab"),
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
function refusedDevice(path: string): string | undefined {
    if (!path.startsWith("/") || path.split("/").some((seg) => seg === "..")) return "a path that is not absolute or climbs with `..`";
    const p = normalizeHostPath(path);
    if (ALLOWED_DEVICES.some((c) => c.matches(p))) return undefined;
    for (const [prefixes, why] of DANGEROUS) if (prefixes.some((prefix) => p.startsWith(prefix))) return why;
    return "not in the allow-list";
}

/**
 * A device node passed into a container is the host's device: a disk, `/dev/mem` or `/dev/zfs`
 * hands the container the host. Only device classes a homelab service needs are allowed.
 */
export const proxmoxContainerDevicesAllowed = stackRule({
    name: "proxmox-container-devices-allowed",
    description:
        "Checks that containers are given only devices from an allow-list of classes (GPU, TUN, USB and serial adapters, Coral TPUs, the program's USB links), never a block device, host memory or a path with `..`.",
    validate: (resources, ctx) => {
        const allowed = ALLOWED_DEVICES.map((c) => c.label).join(", ");
        for (const container of resources.filter((r) => CONTAINER_TYPES.has(r.type))) {
            ctx.judge(container, (report) => {
                records(container.props.devicePassthroughs).forEach((d, i) => {
                    const path = str(d.path);
                    if (path === undefined) return;
                    const why = refusedDevice(path);
                    if (why === undefined) return;
                    report(
                        `The container is given the device ${path} (\`devicePassthroughs[${i}].path\`): ${why}. Only ${allowed} may be passed through; remove it from ${guestOf(container).fixAt("devices", "devicePassthroughs")}.`,
                    );
                });
            });
        }
    },
});
