import { lxcGuestSchema, vmGuestSchema, LxcGuestSpec } from "../../config/schema";
import { bindMountsByGuest, containerFeatures, guestsNeedingRoot, rootReasons, wantsKeyctl } from "../../lib/privilege";
import { referenceInventory } from "../components/fixtures";

const baseLxc = {
    kind: "lxc",
    node: "pve-storage",
    network: "services",
    ipv4: "192.168.30.60",
    vmid: 30060,
    cores: 1,
    memoryMiB: 512,
    tier: "normal",
    disk: { storage: "local-zfs", sizeGiB: 8 },
    image: "debian-12-lxc",
    backup: { tier: "low" },
};
const container = (extra: Record<string, unknown> = {}): LxcGuestSpec => lxcGuestSchema.parse({ ...baseLxc, ...extra });
const PRIVILEGED = { privileged: { reason: "needs the iGPU for transcoding" } };

// Fact P17 (pve-container LXC.pm check_ct_modify_config_perm): devices and feature flags other
// than nesting need root@pam; any feature flag of a privileged container does; bind mounts would,
// but the program sets them with `pct` over the node's root login, never through the provider.
describe("rootReasons (fact P17)", () => {
    it.each([
        ["a plain container", {}, []],
        [
            "a container with a custom idmap (written over SSH by the provider)",
            { idmap: [{ type: "uid", containerId: 0, hostId: 100000, size: 65536 }] },
            [],
        ],
        ["an unprivileged Docker container (keyctl)", { docker: true }, ["feature flag keyctl (Docker)"]],
        [
            "a privileged container whose only feature is nesting",
            { docker: true, ...PRIVILEGED },
            ["feature flags on a privileged container (nesting)"],
        ],
        [
            "a container with devices",
            { devices: [{ path: "/dev/net/tun" }, { path: "/dev/dri/renderD128", gid: 104 }] },
            ["device passthrough of /dev/net/tun, /dev/dri/renderD128"],
        ],
        ["a container with a USB device by mapping", { devices: [{ usb: "coral" }] }, ["device passthrough of USB mapping coral"]],
        [
            "Docker and a device at once",
            { docker: true, devices: [{ path: "/dev/net/tun" }] },
            ["device passthrough of /dev/net/tun", "feature flag keyctl (Docker)"],
        ],
    ])("for %s: %j", (_what, extra, expected) => {
        expect(rootReasons(container(extra))).toEqual(expected);
    });

    const vm = (extra: Record<string, unknown> = {}) =>
        vmGuestSchema.parse({
            kind: "vm",
            node: "pve-network",
            network: "management",
            ipv4: "192.168.10.1",
            vmid: 10001,
            cores: 2,
            memoryMiB: 2048,
            tier: "critical",
            disks: [{ storage: "local-zfs", sizeGiB: 16 }],
            cdrom: "local:iso/installer.iso",
            pciMappings: [{ mapping: "nic" }],
            usbMappings: [{ mapping: "coral" }],
            backup: { tier: "critical" },
            ...extra,
        });

    it("never asks root for a VM whose hardware comes through mappings (Mapping.Use suffices)", () => {
        expect(rootReasons(vm())).toEqual([]);
    });

    it("asks root for a VM with a physical disk by path (pve-storage check_volume_access)", () => {
        expect(rootReasons(vm({ disks: [{ storage: "local-zfs", sizeGiB: 16 }, { device: "/dev/disk/by-id/ata-DISK1" }] }))).toEqual([
            "physical disk passthrough of /dev/disk/by-id/ata-DISK1",
        ]);
    });

    it("gives keyctl only to unprivileged Docker containers", () => {
        expect(wantsKeyctl(container({ docker: true }))).toBe(true);
        expect(wantsKeyctl(container())).toBe(false);
        expect(wantsKeyctl(container({ docker: true, ...PRIVILEGED }))).toBe(false);
        expect(containerFeatures(container({ docker: true }))).toEqual({ nesting: true, keyctl: true });
        expect(containerFeatures(container({ docker: true, ...PRIVILEGED }))).toEqual({ nesting: true });
        expect(containerFeatures(container())).toBeUndefined();
    });
});

describe("the reference inventory", () => {
    const inv = referenceInventory();
    const mounts = bindMountsByGuest(inv);
    const plain = (guest: string) =>
        (mounts.get(guest) ?? []).map(({ hostPath, containerPath, readOnly }) => ({ hostPath, containerPath, readOnly }));

    it("bind-mounts each container's datasets at their mount paths, read-only where asked", () => {
        expect(plain("files")).toEqual([
            { hostPath: "/tank/cloud", containerPath: "/srv/shares/cloud", readOnly: false },
            { hostPath: "/tank/media", containerPath: "/srv/shares/media", readOnly: true },
            { hostPath: "/tank/photos", containerPath: "/srv/shares/photos", readOnly: true },
        ]);
        expect(plain("edge")).toEqual([{ hostPath: "/rpool/appdata/edge", containerPath: "/srv/appdata", readOnly: false }]);
        expect(mounts.get("edge")?.[0].dataset).toBe("rpool/appdata/edge");
        expect(plain("unifi")).toEqual([]);
        expect(plain("pbs")).toEqual([]);
    });

    it("adds host mounts that are not datasets", () => {
        const withHost = {
            ...inv,
            guests: {
                ...inv.guests,
                unifi: { ...inv.guests.unifi, hostMounts: [{ hostPath: "/tank/iso", path: "/mnt/iso", readOnly: true }] },
            },
        };
        expect(bindMountsByGuest(withHost).get("unifi")).toEqual([{ hostPath: "/tank/iso", containerPath: "/mnt/iso", readOnly: true }]);
    });

    it("needs root only for containers with keyctl, devices or privileged features", () => {
        expect(guestsNeedingRoot(inv.guests)).toEqual({
            edge: ["feature flag keyctl (Docker)"],
            photos: ["device passthrough of /dev/dri/renderD128, /dev/net/tun", "feature flags on a privileged container (nesting)"],
            cloud: ["feature flag keyctl (Docker)"],
            media: ["feature flag keyctl (Docker)"],
            nvr: ["device passthrough of USB mapping coral", "feature flag keyctl (Docker)"],
        });
    });
});
