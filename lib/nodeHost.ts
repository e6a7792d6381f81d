/**
 * Script builders for what a node itself needs before its datasets and guests: the NFS server
 * when it exports datasets (PVE nodes do not ship `nfs-kernel-server`, and an NFS storage is
 * mounted when it is added: P20), and udev rules that give the USB devices of its containers a
 * stable path (`/dev/homelab/usb-<mapping>`, followed at every container start) instead of a bus
 * path that changes on re-plugging.
 *
 * Pure; values are validated and quoted. POSIX sh with `set -eu`, run as root over SSH.
 */
import { DEVICE_ID_PATTERN, KEY_PATTERN } from "./patterns";
import { shellQuote } from "./shell";

export interface NodeHostSpec {
    /** The node exports datasets over NFS (`sharenfs`): install and start the NFS server. */
    readonly nfsServer: boolean;
    /** USB devices its containers get, by mapping name, with their vendor:product id. */
    readonly usbDevices: readonly { readonly mapping: string; readonly id: string }[];
}

/**
 * The ports an NFS client reaches on the node (P36): rpcbind, which Proxmox's storage check asks
 * (`showmount`, or `rpcinfo` with vers=4), the NFS server, and mountd, fixed here at its
 * registered port (it picks a random one otherwise, which no firewall rule can name).
 */
export const NFS_PORTS = { rpcbind: 111, nfs: 2049, mountd: 20048 } as const;
/** Where the node's NFS configuration fixes mountd's port. */
export const NFS_CONF_FILE = "/etc/nfs.conf.d/homelab.conf";

/** Where the udev rules live on the node. */
export const UDEV_RULES_FILE = "/etc/udev/rules.d/70-homelab-usb.rules";
/** The stable device path of a USB mapping inside `/dev`. */
export function usbDevicePath(mapping: string): string {
    if (!KEY_PATTERN.test(mapping)) throw new Error(`[mapping] must be a lowercase DNS label, got ${JSON.stringify(mapping)}`);
    return `/dev/homelab/usb-${mapping}`;
}

/** The udev rules file: one SYMLINK rule per USB device. */
export function udevRules(devices: NodeHostSpec["usbDevices"]): string {
    const lines = ["# Managed by homelab: stable paths for USB devices passed into containers."];
    for (const d of [...devices].sort((a, b) => a.mapping.localeCompare(b.mapping))) {
        if (!DEVICE_ID_PATTERN.test(d.id))
            throw new Error(`[mappings.usb.${d.mapping}] id must be vendor:product such as 18d1:9302, got ${JSON.stringify(d.id)}`);
        const [vendor, product] = d.id.split(":");
        lines.push(
            `SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="${vendor}", ATTR{idProduct}=="${product}", SYMLINK+="${usbDevicePath(d.mapping).slice("/dev/".length)}"`,
        );
    }
    return lines.join("\n") + "\n";
}

/** Prepares the node (create and update): NFS server when it exports, the udev rules of its USB devices. */
export function nodeHostScript(spec: NodeHostSpec): string {
    const lines = ["# homelab: node preparation", "set -eu"];
    if (spec.nfsServer) {
        lines.push(
            "# The node exports datasets (sharenfs): ZFS hands the exports to the kernel NFS server.",
            "if ! command -v exportfs >/dev/null 2>&1; then",
            "    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nfs-kernel-server >&2",
            "fi",
            "systemctl enable --now nfs-server >&2",
            "# mountd on a fixed port, so that the firewall rules for NFS clients can name it.",
            `mkdir -p ${shellQuote(NFS_CONF_FILE.slice(0, NFS_CONF_FILE.lastIndexOf("/")))}`,
            `printf '%s' ${shellQuote(`[mountd]\nport=${NFS_PORTS.mountd}\n`)} > ${shellQuote(`${NFS_CONF_FILE}.homelab`)}`,
            `if ! cmp -s ${shellQuote(`${NFS_CONF_FILE}.homelab`)} ${shellQuote(NFS_CONF_FILE)}; then`,
            `    mv ${shellQuote(`${NFS_CONF_FILE}.homelab`)} ${shellQuote(NFS_CONF_FILE)}`,
            "    systemctl restart nfs-mountd >&2",
            "else",
            `    rm -f ${shellQuote(`${NFS_CONF_FILE}.homelab`)}`,
            "fi",
        );
    }
    if (spec.usbDevices.length > 0) {
        lines.push(
            `printf '%s' ${shellQuote(udevRules(spec.usbDevices))} > ${shellQuote(`${UDEV_RULES_FILE}.homelab`)}`,
            `if ! cmp -s ${shellQuote(`${UDEV_RULES_FILE}.homelab`)} ${shellQuote(UDEV_RULES_FILE)}; then`,
            `    mv ${shellQuote(`${UDEV_RULES_FILE}.homelab`)} ${shellQuote(UDEV_RULES_FILE)}`,
            "    udevadm control --reload-rules",
            "    udevadm trigger --subsystem-match=usb --action=add",
            "    echo 'homelab: udev rules for USB devices updated' >&2",
            "else",
            `    rm -f ${shellQuote(`${UDEV_RULES_FILE}.homelab`)}`,
            "fi",
        );
    } else {
        lines.push(
            `if [ -e ${shellQuote(UDEV_RULES_FILE)} ]; then rm -f ${shellQuote(UDEV_RULES_FILE)}; udevadm control --reload-rules; fi`,
        );
    }
    return lines.join("\n") + "\n";
}

/** Leaves the node (delete): removes the udev rules; the NFS server stays installed (other exports may use it). */
export function nodeHostDeleteScript(): string {
    return (
        [
            "# homelab: node preparation removed",
            "set -eu",
            `if [ -e ${shellQuote(UDEV_RULES_FILE)} ]; then rm -f ${shellQuote(UDEV_RULES_FILE)}; udevadm control --reload-rules; fi`,
        ].join("\n") + "\n"
    );
}
