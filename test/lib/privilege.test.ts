import { LxcGuestSpec, lxcGuestSchema, vmGuestSchema } from "../../config/schema";
import { guestBindMounts, guestsNeedingRoot, rootReasons, wantsKeyctl } from "../../lib/privilege";
import { referenceInventory } from "../components/fixtures";

const baseLxc = {
    kind: "lxc",
    node: "pve-storage",
    vlan: 30,
    ipv4: "192.168.30.60",
    vmid: 30060,
    cores: 1,
    memoryMiB: 512,
    tier: "normal",
    disk: { storage: "stor-zfs", sizeGiB: 8 },
    template: "debian-12-lxc",
    backup: { tier: "low" },
};
const container = (extra: Record<string, unknown> = {}): LxcGuestSpec => lxcGuestSchema.parse({ ...baseLxc, ...extra });

describe("rootReasons", () => {
    it.each([
        ["a plain container", {}, 0, []],
        ["a container with two bind mounts", {}, 2, ["2 host bind mounts"]],
        ["a container with one bind mount", {}, 1, ["1 host bind mount"]],
        [
            "a container with a custom idmap (written over SSH, not by root@pam)",
            { idmap: [{ type: "uid", containerId: 0, hostId: 100000, size: 65536 }] },
            0,
            [],
        ],
        ["an unprivileged Docker container (keyctl)", { docker: true }, 0, ["feature flag keyctl (Docker)"]],
        [
            "a privileged Docker container (nesting only: keyctl is for unprivileged containers)",
            { docker: true, privileged: { reason: "needs the iGPU for transcoding" } },
            0,
            [],
        ],
        [
            "a container with devices",
            { devices: [{ path: "/dev/net/tun" }, { path: "/dev/dri/renderD128", gid: 104 }] },
            0,
            ["device passthrough of /dev/net/tun, /dev/dri/renderD128"],
        ],
        [
            "everything at once",
            { docker: true, devices: [{ path: "/dev/net/tun" }] },
            3,
            ["3 host bind mounts", "feature flag keyctl (Docker)", "device passthrough of /dev/net/tun"],
        ],
    ])("lists why %s needs root@pam", (_what, extra, mounts, expected) => {
        expect(rootReasons(container(extra), mounts)).toEqual(expected);
    });

    it("never asks root for a VM, hardware mappings included", () => {
        const spec = vmGuestSchema.parse({
            kind: "vm",
            node: "pve-network",
            vlan: 10,
            ipv4: "192.168.10.1",
            vmid: 10001,
            cores: 2,
            memoryMiB: 2048,
            tier: "critical",
            disks: [{ storage: "net-zfs", sizeGiB: 16 }],
            cdrom: "local:iso/installer.iso",
            pciMappings: [{ mapping: "nic" }],
            usbMappings: [{ mapping: "coral" }],
            backup: { tier: "critical" },
        });
        expect(rootReasons(spec, 3)).toEqual([]);
    });

    it("gives keyctl only to unprivileged Docker containers", () => {
        expect(wantsKeyctl(container({ docker: true }))).toBe(true);
        expect(wantsKeyctl(container())).toBe(false);
        expect(wantsKeyctl(container({ docker: true, privileged: { reason: "needs the iGPU for transcoding" } }))).toBe(false);
    });
});

describe("the reference inventory", () => {
    const inv = referenceInventory();

    it("bind-mounts each container's datasets at their mount paths, read-only where asked", () => {
        expect(guestBindMounts(inv, "files")).toEqual([
            { hostPath: "/tank/cloud", containerPath: "/srv/shares/cloud", readOnly: false },
            { hostPath: "/tank/media", containerPath: "/srv/shares/media", readOnly: true },
            { hostPath: "/tank/photos", containerPath: "/srv/shares/photos", readOnly: true },
        ]);
        expect(guestBindMounts(inv, "edge")).toEqual([{ hostPath: "/rpool/appdata/edge", containerPath: "/srv/appdata", readOnly: false }]);
        expect(guestBindMounts(inv, "unifi")).toEqual([]);
        expect(guestBindMounts(inv, "pbs")).toEqual([]);
    });

    it("needs root only for containers with mounts, keyctl or devices", () => {
        expect(guestsNeedingRoot(inv)).toEqual({
            edge: ["1 host bind mount", "feature flag keyctl (Docker)"],
            photos: ["2 host bind mounts", "device passthrough of /dev/dri/renderD128, /dev/net/tun"],
            cloud: ["2 host bind mounts", "feature flag keyctl (Docker)"],
            media: ["2 host bind mounts", "feature flag keyctl (Docker)"],
            nvr: ["2 host bind mounts", "feature flag keyctl (Docker)", "device passthrough of /dev/bus/usb/002/002"],
            files: ["3 host bind mounts"],
        });
    });
});
