/**
 * The pieces the cluster reader and the adoption view take Proxmox and ZFS output apart with
 * (lib/pveConfig.ts, tools/fromCluster/ssh.ts, infra.ts, document.ts), each on the forms the
 * upstream code writes (fixtures/README.md names the sources), and what they refuse.
 */
import {
    driveKind,
    indexedKeys,
    parseIdmap,
    parsePropertyString,
    parseStartup,
    parseTags,
    sizeBytes,
    sizeGiB,
    vmDriveKey,
    volumeStorage,
} from "../../../lib/pveConfig";
import { renderStackFile, wrap } from "../../../tools/fromCluster/document";
import { cadenceOf, dataDatasets, retentionOf, sizeText } from "../../../tools/fromCluster/infra";
import { containerIdOf } from "../../../tools/fromCluster/inventory";
import { Notes } from "../../../tools/fromCluster/notes";
import { hostKeyLine, ownersCommand, parseOwners, parseZfsDatasets, qdeviceHost } from "../../../tools/fromCluster/ssh";
import { recordedSsh } from "./standin";

describe("Proxmox config values (lib/pveConfig.ts)", () => {
    it("splits property strings, a bare first item under the format's default key", () => {
        expect(parsePropertyString("local-zfs:subvol-101-disk-0,size=8G", "volume")).toEqual({
            volume: "local-zfs:subvol-101-disk-0",
            size: "8G",
        });
        expect(parsePropertyString("name=eth0,bridge=vmbr0,ip=192.168.30.5/24,tag=30", "name")).toEqual({
            name: "eth0",
            bridge: "vmbr0",
            ip: "192.168.30.5/24",
            tag: "30",
        });
        expect(parsePropertyString("")).toEqual({});
    });

    it("reads sizes as the provider does: bytes rounded up, whole GiB truncated", () => {
        expect(sizeBytes("8G")).toBe(8 * 1024 ** 3);
        expect(sizeBytes("1.5T")).toBe(1.5 * 1024 ** 4);
        expect(sizeBytes("512M")).toBe(512 * 1024 ** 2);
        expect(sizeGiB("8.5G")).toBe(8);
        expect(sizeGiB("512M")).toBe(0);
        expect(sizeBytes("eight")).toBeUndefined();
    });

    it("reads startup order, tags, idmaps and drive keys", () => {
        expect(parseStartup("order=2,up=15")).toEqual({ order: 2, up: 15 });
        expect(parseTags("normal;docker;media")).toEqual(["docker", "media", "normal"]);
        expect(parseTags(undefined)).toEqual([]);
        expect(
            parseIdmap([
                ["lxc.idmap", "u 0 100000 1000"],
                ["lxc.apparmor.profile", "unconfined"],
                ["lxc.idmap", "x 0 1 2"],
            ]),
        ).toEqual({ entries: [{ type: "uid", containerId: 0, hostId: 100000, size: 1000 }], invalid: ["x 0 1 2"] });
        expect(indexedKeys({ net10: 1, net2: 1, net0: 1, netx: 1 }, "net")).toEqual(["net0", "net2", "net10"]);
        expect(vmDriveKey("scsi12")).toEqual({ bus: "scsi", index: 12 });
        expect(vmDriveKey("efidisk0")).toBeUndefined();
        expect(driveKind("none,media=cdrom")).toBe("cdrom");
        expect(driveKind("local-zfs:vm-100-cloudinit,media=cdrom")).toBe("cdrom");
        expect(driveKind("local-zfs:vm-100-cloudinit")).toBe("cloudinit");
        expect(driveKind("local-zfs:vm-100-disk-0,size=32G")).toBe("disk");
        expect(volumeStorage("tank-vm:subvol-1-disk-0")).toBe("tank-vm");
        expect(volumeStorage("/dev/disk/by-id/ata-X")).toBeUndefined();
    });
});

describe("what SSH reads (tools/fromCluster/ssh.ts)", () => {
    it("keeps the filesystems of zfs get with their properties, leaving volumes out", () => {
        const datasets = parseZfsDatasets(recordedSsh().pve2.datasets);
        expect(datasets.map((d) => d.name)).toEqual([
            "rpool",
            "rpool/ROOT",
            "rpool/ROOT/pve-1",
            "rpool/data",
            "rpool/data/subvol-105-disk-0",
            "rpool/var-lib-vz",
        ]);
        expect(datasets[4].properties.quota).toEqual({ value: "8589934592", source: "local" });
        expect(() => parseZfsDatasets("rpool\tcompression\n")).toThrow("unexpected line in zfs get output");
    });

    it("finds the QDevice in corosync.conf and the host key line without its comment", () => {
        expect(qdeviceHost(recordedSsh().pve1.corosync)).toBe("192.168.10.5");
        expect(qdeviceHost("quorum {\n  provider: corosync_votequorum\n}\n")).toBeUndefined();
        expect(hostKeyLine("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIXrbQY8IGM490BYBjqtSfaYl9abUk6Bnphak9e9RiaY root@pve1\n")).toBe(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIXrbQY8IGM490BYBjqtSfaYl9abUk6Bnphak9e9RiaY",
        );
    });

    it("quotes each path of the owners command and refuses one a shell would read, before building it", () => {
        expect(ownersCommand(["/tank/media", "/tank/my files"]).text).toBe("stat -c '%u %g %a %n' -- '/tank/media' '/tank/my files'");
        expect(() => ownersCommand(["/tank/x;rm -rf /"])).toThrow("[mountpoint] must be an absolute path");
        expect(() => ownersCommand(["/tank/$(reboot)"])).toThrow("[mountpoint] must be an absolute path");
        expect(parseOwners("201000 201000 750 /tank/media\n0 0 755 /tank/my files\n")).toEqual({
            "/tank/media": { uid: 201000, gid: 201000, mode: "750" },
            "/tank/my files": { uid: 0, gid: 0, mode: "755" },
        });
    });
});

describe("the inventory's terms (tools/fromCluster/infra.ts, inventory.ts)", () => {
    it("states sizes exactly in the largest unit that divides them", () => {
        expect(sizeText("2199023255552")).toBe("2T");
        expect(sizeText("1048576")).toBe("1M");
        expect(sizeText("1536")).toBe("1536");
        expect(sizeText("none")).toBeUndefined();
    });

    it("takes vzdump schedules it can state as a tier's cadence, and their retention", () => {
        expect(cadenceOf("02:30")).toEqual({ every: { every: "day" }, time: "02:30" });
        expect(cadenceOf("sun 1:00")).toEqual({ every: { every: "week", weekday: "sun" }, time: "01:00" });
        expect(cadenceOf("*-*-15 03:00")).toEqual({ every: { every: "month", dayOfMonth: 15 }, time: "03:00" });
        expect(cadenceOf("mon..fri 22:00")).toBeUndefined();
        expect(retentionOf("keep-daily=7,keep-weekly=4")).toEqual({ keepDaily: 7, keepWeekly: 4 });
        expect(retentionOf({ "keep-last": 3 })).toEqual({ keepLast: 3 });
    });

    it("leaves Proxmox's own datasets out: the root file system, a storage's pool and its volumes, pool roots", () => {
        const names = (list: string[]) =>
            dataDatasets(
                list.map((name) => ({ name, type: "filesystem", properties: {} })),
                ["rpool/data", "tank/vm"],
            ).map((d) => d.name);
        expect(
            names([
                "rpool",
                "rpool/ROOT/pve-1",
                "rpool/data",
                "rpool/data/subvol-1-disk-0",
                "rpool/var-lib-vz",
                "tank",
                "tank/vm",
                "tank/media",
            ]),
        ).toEqual(["tank/media"]);
    });

    it("sees a host id as the container does: through its idmap, the default range, or as is when privileged", () => {
        const idmap = [{ type: "uid", containerId: 1000, hostId: 201000, size: 1 }];
        expect(containerIdOf(201000, "uid", { idmap })).toBe(1000);
        expect(containerIdOf(201000, "gid", { idmap })).toBeUndefined();
        expect(containerIdOf(101000, "uid", {})).toBe(1000);
        expect(containerIdOf(0, "uid", {})).toBeUndefined();
        expect(containerIdOf(33, "uid", { privileged: { reason: "x" } })).toBe(33);
    });
});

describe("the stack file's text (tools/fromCluster/document.ts)", () => {
    it("puts each note above its key, its nearest ancestor when the key is missing, and quotes what YAML 1.1 would misread", () => {
        const notes = new Notes();
        notes.rule(["guests", "a", "vmid"], "VMID off the scheme");
        notes.fill(["cluster", "domain"], "give the domain");
        const text = renderStackFile(
            { "homelab:cluster": { name: "lab" }, "homelab:guests": { a: { vmid: 105, tags: ["x"], window: "02:30", atime: "off" } } },
            notes.all,
            { endpoint: "https://pve:8006/", readAt: "2026-01-01T00:00:00.000Z", stack: "lab", errors: [] },
        );
        expect(text).toContain("  # FILL IN: give the domain\n  homelab:cluster: { name: lab }\n");
        expect(text).toContain(
            '    a:\n      # RULE: VMID off the scheme\n      vmid: 105\n      tags: [ x ]\n      window: "02:30"\n      atime: "off"\n',
        );
    });

    it("wraps long comments at about 100 columns, continuing indented", () => {
        expect(wrap("word ".repeat(30).trim(), 40)).toEqual([
            "word word word word word word word word",
            "  word word word word word word word",
            "  word word word word word word word",
            "  word word word word word word word",
            "  word",
        ]);
    });
});
