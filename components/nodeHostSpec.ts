/**
 * What a node's host preparation needs, read from the inventory: the USB devices its containers
 * get by mapping (each linked to a stable path by a udev rule).
 */
import { Inventory } from "../config/schema";

/** The USB devices (mapping name and vendor:product id) containers on `node` get. */
export function usbDevicesOfNode(inv: Inventory, node: string): { mapping: string; id: string }[] {
    const out = new Map<string, string>();
    for (const guest of Object.values(inv.guests)) {
        if (guest.kind !== "lxc" || guest.node !== node) continue;
        for (const d of guest.devices) {
            if (!("usb" in d)) continue;
            const entry = inv.mappings.usb[d.usb]?.map.find((m) => m.node === node);
            if (entry) out.set(d.usb, entry.id);
        }
    }
    return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([mapping, id]) => ({ mapping, id }));
}
