import { stackRule } from "../define";
import { guestOf } from "../guests";
import { records, str } from "../props";
import { DEVICE_CLASSES, refusedDevice } from "../shared/devices";
import { CONTAINER_TYPES } from "../tokens";

/**
 * A device node passed into a container is the host's device: a disk, `/dev/mem` or `/dev/zfs`
 * hands the container the host. Only device classes a homelab service needs are allowed.
 */
export const proxmoxContainerDevicesAllowed = stackRule({
    name: "proxmox-container-devices-allowed",
    description:
        "Checks that containers are given only devices from an allow-list of classes (GPU, TUN, USB and serial adapters, Coral TPUs, the program's USB links), never a block device, host memory or a path with `..`.",
    validate: (resources, ctx) => {
        const allowed = DEVICE_CLASSES.map((c) => c.label).join(", ");
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
