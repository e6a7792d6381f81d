import {
    NFS_CONF_FILE,
    NFS_PORTS,
    UDEV_RULES_FILE,
    nodeHostDeleteScript,
    nodeHostScript,
    udevRules,
    usbDevicePath,
} from "../../lib/nodeHost";

describe("node host preparation", () => {
    // Fact P20: PVE nodes do not ship nfs-kernel-server; an NFS storage is mounted when added.
    it("fixes mountd's port on a node that exports, so the firewall rules for NFS clients can name it (P36)", () => {
        const script = nodeHostScript({ nfsServer: true, usbDevices: [] });
        expect(script).toContain(`printf '%s' '[mountd]\nport=${NFS_PORTS.mountd}\n' > '${NFS_CONF_FILE}.homelab'`);
        expect(script).toContain(`if ! cmp -s '${NFS_CONF_FILE}.homelab' '${NFS_CONF_FILE}'; then`);
        expect(script).toContain("    systemctl restart nfs-mountd >&2");
        expect(nodeHostScript({ nfsServer: false, usbDevices: [] })).not.toContain("mountd");
    });

    it("installs and starts the NFS server only on a node that exports", () => {
        expect(nodeHostScript({ nfsServer: true, usbDevices: [] })).toContain(
            "    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nfs-kernel-server >&2\nfi\nsystemctl enable --now nfs-server >&2",
        );
        expect(nodeHostScript({ nfsServer: false, usbDevices: [] })).not.toContain("nfs");
    });

    it("links each USB device of a container to a stable path by vendor:product (followed at every container start)", () => {
        expect(usbDevicePath("coral")).toBe("/dev/homelab/usb-coral");
        expect(
            udevRules([
                { mapping: "zigbee", id: "10c4:ea60" },
                { mapping: "coral", id: "18d1:9302" },
            ]),
        ).toBe(
            [
                "# Managed by homelab: stable paths for USB devices passed into containers.",
                'SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="18d1", ATTR{idProduct}=="9302", SYMLINK+="homelab/usb-coral"',
                'SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="10c4", ATTR{idProduct}=="ea60", SYMLINK+="homelab/usb-zigbee"',
                "",
            ].join("\n"),
        );
        const script = nodeHostScript({ nfsServer: false, usbDevices: [{ mapping: "coral", id: "18d1:9302" }] });
        expect(script).toContain(`mv '${UDEV_RULES_FILE}.homelab' '${UDEV_RULES_FILE}'`);
        expect(script).toContain("udevadm trigger --subsystem-match=usb --action=add");
    });

    it("removes its rules when no container needs a USB device any more, and on delete", () => {
        expect(nodeHostScript({ nfsServer: false, usbDevices: [] })).toContain(`rm -f '${UDEV_RULES_FILE}'`);
        expect(nodeHostDeleteScript()).toContain(`rm -f '${UDEV_RULES_FILE}'`);
    });

    it("refuses an id or a mapping name that is not what it claims", () => {
        expect(() => udevRules([{ mapping: "coral", id: '18d1:9302", RUN+="/bin/sh' }])).toThrow(
            "[mappings.usb.coral] id must be vendor:product",
        );
        expect(() => usbDevicePath("../x")).toThrow("[mapping] must be a lowercase DNS label");
    });
});
