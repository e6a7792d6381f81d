import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { record } from "../helpers/harness";
import { LxcGuest, LxcGuestArgs, containerOsType, deviceMode, planLxcGuest } from "../../components/lxcGuest";
import { networkByVlan } from "../../config/crosschecks";
import { LxcGuestSpec } from "../../config/schema";
import { BindMount, guestBindMounts } from "../../lib/privilege";
import { lxc, providerRef, referenceInventory } from "./fixtures";

const T = {
    guest: "homelab:proxmox:LxcGuest",
    ct: "proxmoxve:index/containerLegacy:ContainerLegacy",
    options: "proxmoxve:firewall/optionsLegacy:OptionsLegacy",
    rules: "proxmoxve:firewall/rulesLegacy:RulesLegacy",
    ha: "proxmoxve:index/haresource:Haresource",
    provider: "pulumi:providers:proxmoxve",
};
const TEMPLATE = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst";
const inv = referenceInventory();
const KEY = inv.cluster.sshPublicKeys[0];

class Dataset extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Dataset", name, {});
    }
}

interface Deploy {
    readonly spec?: LxcGuestSpec;
    readonly mounts?: BindMount[];
}

async function deployLxc(guest: string, d: Deploy = {}) {
    const spec = d.spec ?? lxc(inv, guest);
    return record(() => {
        const api = new proxmoxve.Provider("api", {});
        const root = new proxmoxve.Provider("root", {});
        const dataset = new Dataset(`${guest}-dataset`);
        new LxcGuest(guest, {
            guestName: guest,
            spec,
            network: networkByVlan(inv, spec.vlan)![1],
            dns: { servers: ["192.168.10.1"], domain: "lab.example.org" },
            sshPublicKeys: [KEY],
            templateFileId: TEMPLATE,
            templateFileName: "debian-12-standard_12.12-1_amd64.tar.zst",
            mounts: d.mounts ?? guestBindMounts(inv, guest),
            dependsOn: [dataset],
            providers: { api, root },
        });
    });
}

describe("LxcGuest", () => {
    it("owns exactly its container, firewall options and firewall rules", async () => {
        const { recording } = await deployLxc("cloud");
        const guest = recording.one("cloud", T.guest);
        expect(
            recording
                .childrenOf(guest.urn)
                .map((r) => [r.type, r.name])
                .sort(),
        ).toEqual(
            [
                [T.ct, "cloud-container"],
                [T.options, "cloud-firewall"],
                [T.rules, "cloud-firewall-rules"],
            ].sort(),
        );
    });

    it("builds an unprivileged Docker container with named storage, scheme VMID, static address, mounts and tier settings", async () => {
        const { recording } = await deployLxc("cloud");
        const ct = recording.one("cloud-container", T.ct);
        expect(ct.inputs).toEqual({
            nodeName: "pve-storage",
            vmId: 30041,
            description: "File sync and share.",
            unprivileged: true,
            disk: { datastoreId: "stor-zfs", size: 16 },
            cpu: { cores: 2, units: 1024 },
            memory: { dedicated: 4096, swap: 512 },
            features: { nesting: true, keyctl: true },
            mountPoints: [
                { volume: "/tank/cloud", path: "/mnt/cloud", readOnly: false },
                { volume: "/tank/appdata/cloud", path: "/srv/appdata", readOnly: false },
            ],
            startOnBoot: true,
            startup: { order: 3, upDelay: 5 },
            tags: ["docker", "normal"],
            protection: true,
            initialization: {
                hostname: "cloud",
                ipConfigs: [{ ipv4: { address: "192.168.30.41/24", gateway: "192.168.30.1" } }],
                dns: { domain: "lab.example.org", servers: ["192.168.10.1"] },
                userAccount: { keys: [KEY] },
            },
            operatingSystem: { templateFileId: TEMPLATE, type: "debian" },
            networkInterfaces: [{ name: "eth0", bridge: "vmbr0", vlanId: 30, firewall: true }],
        });
        expect(ct.options.ignoreChanges).toEqual([]);
        expect(ct.options.protect).toBe(true);
        expect(ct.options.deleteBeforeReplace).toBe(true);
        expect(ct.inputs).not.toHaveProperty("idmaps");
    });

    it("gives a container without Docker, mounts or devices no features, no mount points, no devices and the API token", async () => {
        const { recording } = await deployLxc("unifi");
        const ct = recording.one("unifi-container", T.ct);
        expect(ct.inputs.unprivileged).toBe(true);
        expect(ct.inputs).not.toHaveProperty("features");
        expect(ct.inputs).not.toHaveProperty("mountPoints");
        expect(ct.inputs).not.toHaveProperty("devicePassthroughs");
        expect(ct.inputs.tags).toEqual(["high", "network"]);
        expect(ct.inputs.cpu).toEqual({ cores: 1, units: 1500 });
        expect(ct.options.provider).toBe(providerRef(recording.one("api", T.provider)));
        expect(recording.one("unifi", T.guest).outputs.usesRootProvider).toBe(false);
    });

    it("makes only the privileged exception privileged, with nesting but no keyctl, its devices and root", async () => {
        const { recording } = await deployLxc("photos");
        const ct = recording.one("photos-container", T.ct);
        expect(ct.inputs.unprivileged).toBe(false);
        expect(ct.inputs.features).toEqual({ nesting: true });
        expect(ct.inputs.devicePassthroughs).toEqual([{ path: "/dev/dri/renderD128", gid: 104 }, { path: "/dev/net/tun" }]);
        expect(ct.inputs.mountPoints).toEqual([
            { volume: "/tank/photos", path: "/mnt/photos", readOnly: false },
            { volume: "/tank/appdata/photos", path: "/srv/appdata", readOnly: false },
        ]);
        expect(ct.options.provider).toBe(providerRef(recording.one("root", T.provider)));
    });

    it("passes a device with its mode as four octal digits", async () => {
        const { recording } = await deployLxc("nvr");
        expect(recording.one("nvr-container", T.ct).inputs.devicePassthroughs).toEqual([{ path: "/dev/bus/usb/002/002", mode: "0660" }]);
    });

    it("mounts read-only where the inventory asks", async () => {
        const { recording } = await deployLxc("files");
        const ct = recording.one("files-container", T.ct);
        expect(ct.inputs.mountPoints).toEqual([
            { volume: "/tank/cloud", path: "/srv/shares/cloud", readOnly: false },
            { volume: "/tank/media", path: "/srv/shares/media", readOnly: true },
            { volume: "/tank/photos", path: "/srv/shares/photos", readOnly: true },
        ]);
        expect(ct.inputs).not.toHaveProperty("features");
        expect(ct.options.provider).toBe(providerRef(recording.one("root", T.provider)));
    });

    it("waits for its datasets", async () => {
        const { recording } = await deployLxc("media");
        const ct = recording.one("media-container", T.ct);
        expect(ct.options.dependsOn).toEqual([recording.one("media-dataset").urn]);
    });

    it("turns the guest firewall on with DROP inbound and the inventory's rules, through the API token", async () => {
        const { recording } = await deployLxc("nvr");
        const api = providerRef(recording.one("api", T.provider));
        const ctUrn = recording.one("nvr-container", T.ct).urn;
        const options = recording.one("nvr-firewall", T.options);
        expect(options.inputs).toEqual({
            nodeName: "pve-storage",
            containerId: 50010,
            enabled: true,
            inputPolicy: "DROP",
            outputPolicy: "ACCEPT",
        });
        expect(options.options.provider).toBe(api);
        expect(options.options.dependsOn).toEqual([ctUrn]);
        const rules = recording.one("nvr-firewall-rules", T.rules);
        expect(rules.inputs).toEqual({
            nodeName: "pve-storage",
            containerId: 50010,
            rules: [
                {
                    type: "in",
                    action: "ACCEPT",
                    enabled: true,
                    proto: "tcp",
                    dport: "554",
                    source: "192.168.50.0/24",
                    comment: "RTSP from cameras",
                },
                {
                    type: "in",
                    action: "ACCEPT",
                    enabled: true,
                    proto: "tcp",
                    dport: "8971",
                    source: "192.168.30.10",
                    comment: "from the reverse proxy",
                },
            ],
        });
        expect(rules.options.provider).toBe(api);
    });

    it("creates no rules resource for a guest without rules", async () => {
        const spec: LxcGuestSpec = { ...lxc(inv, "unifi"), firewall: { inputPolicy: "DROP", outputPolicy: "ACCEPT", rules: [] } };
        const { recording } = await deployLxc("unifi", { spec });
        expect(recording.ofType(T.rules)).toEqual([]);
        expect(recording.ofType(T.options)).toHaveLength(1);
    });

    it("adds an HA resource for an HA-managed guest and reports its pair", async () => {
        const spec: LxcGuestSpec = { ...lxc(inv, "edge"), ha: { state: "started" }, haPair: "proxy" };
        const { recording } = await deployLxc("edge", { spec });
        const ha = recording.one("edge-ha", T.ha);
        expect(ha.inputs).toEqual({ resourceId: "ct:30010", type: "ct", state: "started", comment: "managed by homelab" });
        expect(ha.parent).toBe(recording.one("edge", T.guest).urn);
        expect(ha.options.provider).toBe(providerRef(recording.one("api", T.provider)));
        expect(recording.one("edge", T.guest).outputs.haPair).toBe("proxy");
    });

    it("has no HA resource when the guest is not HA-managed", async () => {
        const { recording } = await deployLxc("edge");
        expect(recording.ofType(T.ha)).toEqual([]);
    });

    it("turns protection off, in Proxmox and in Pulumi, only for a guest marked stateless; always deletes before replacing", async () => {
        const stateless = await deployLxc("unifi", { spec: { ...lxc(inv, "unifi"), stateful: false } });
        const ct = stateless.recording.one("unifi-container", T.ct);
        expect(ct.inputs.protection).toBe(false);
        expect(ct.options.protect).toBe(false);
        expect(ct.options.deleteBeforeReplace).toBe(true);
        const stateful = await deployLxc("unifi");
        const kept = stateful.recording.one("unifi-container", T.ct);
        expect(kept.inputs.protection).toBe(true);
        expect(kept.options.protect).toBe(true);
        expect(kept.options.deleteBeforeReplace).toBe(true);
        // Only the container itself is protected; its firewall can always be replaced.
        expect(stateful.recording.one("unifi-firewall", T.options).options.protect).toBe(false);
    });

    it("passes a custom idmap to the container and still uses the API token (the provider writes it over SSH)", async () => {
        const idmap: LxcGuestSpec["idmap"] = [
            { type: "uid", containerId: 0, hostId: 100000, size: 1000 },
            { type: "uid", containerId: 1000, hostId: 1000, size: 1 },
            { type: "uid", containerId: 1001, hostId: 101001, size: 64535 },
            { type: "gid", containerId: 0, hostId: 100000, size: 65536 },
        ];
        const { recording } = await deployLxc("unifi", { spec: { ...lxc(inv, "unifi"), idmap } });
        const ct = recording.one("unifi-container", T.ct);
        expect(ct.inputs.idmaps).toEqual([
            { type: "uid", containerId: 0, hostId: 100000, size: 1000 },
            { type: "uid", containerId: 1000, hostId: 1000, size: 1 },
            { type: "uid", containerId: 1001, hostId: 101001, size: 64535 },
            { type: "gid", containerId: 0, hostId: 100000, size: 65536 },
        ]);
        expect(ct.inputs.unprivileged).toBe(true);
        expect(ct.options.provider).toBe(providerRef(recording.one("api", T.provider)));
        expect(recording.one("unifi", T.guest).outputs.usesRootProvider).toBe(false);
    });

    it("sends no idmaps for an empty idmap", async () => {
        const { recording } = await deployLxc("unifi", { spec: { ...lxc(inv, "unifi"), idmap: [] } });
        expect(recording.one("unifi-container", T.ct).inputs).not.toHaveProperty("idmaps");
    });

    it.each([
        ["critical", 2048, 1, 30],
        ["high", 1500, 2, 15],
        ["normal", 1024, 3, 5],
        ["low", 800, 4, 0],
        ["minimal", 512, 5, 0],
    ] as const)("weighs a %s guest at %i cpu units and starts it in order %i", async (tier, units, order, upDelay) => {
        const spec: LxcGuestSpec = { ...lxc(inv, "unifi"), tier };
        const { recording } = await deployLxc("unifi", { spec });
        const ct = recording.one("unifi-container", T.ct);
        expect(ct.inputs.cpu).toEqual({ cores: 1, units });
        expect(ct.inputs.startup).toEqual({ order, upDelay });
        expect(recording.one("unifi", T.guest).outputs.tier).toBe(tier);
    });

    it("registers the outputs policies read, with exactly one of backup tier or exclusion", async () => {
        const { recording } = await deployLxc("cloud");
        expect(recording.one("cloud", T.guest).outputs).toEqual({
            vmid: 30041,
            nodeName: "pve-storage",
            ipv4: "192.168.30.41",
            vlan: 30,
            tier: "normal",
            backupTier: "critical",
            usesRootProvider: true,
        });
        const spec: LxcGuestSpec = { ...lxc(inv, "unifi"), backup: { exclude: "rebuilt from scratch in minutes" } };
        const excluded = await deployLxc("unifi", { spec });
        expect(excluded.recording.one("unifi", T.guest).outputs).toEqual({
            vmid: 10005,
            nodeName: "pve-network",
            ipv4: "192.168.10.5",
            vlan: 10,
            tier: "high",
            backupExclusionReason: "rebuilt from scratch in minutes",
            usesRootProvider: false,
        });
    });

    describe("refuses, before registering anything,", () => {
        const api = {} as proxmoxve.Provider;
        const args = (spec: LxcGuestSpec, extra: Partial<LxcGuestArgs> = {}): LxcGuestArgs => ({
            guestName: "unifi",
            spec,
            network: networkByVlan(inv, spec.vlan)?.[1] ?? inv.networks.management,
            dns: { servers: ["192.168.10.1"], domain: "lab.example.org" },
            templateFileId: TEMPLATE,
            templateFileName: "debian-12-standard_12.12-1_amd64.tar.zst",
            providers: { api },
            ...extra,
        });
        it("a root disk on local", () => {
            expect(() => planLxcGuest(args({ ...lxc(inv, "unifi"), disk: { storage: "local", sizeGiB: 8 } }))).toThrow(
                '[guests.unifi.disk.storage] must not be "local"',
            );
        });
        it("a network of another VLAN", () => {
            expect(() => planLxcGuest(args(lxc(inv, "unifi"), { network: inv.networks.services }))).toThrow(
                "[guests.unifi.vlan] the guest is on VLAN 10 but was given network VLAN 30",
            );
        });
        it("an address outside its VLAN's subnet", () => {
            expect(() => planLxcGuest(args({ ...lxc(inv, "unifi"), ipv4: "192.168.30.5" }))).toThrow(
                "[guests.unifi.ipv4] 192.168.30.5 is not inside 192.168.10.0/24",
            );
        });
        it("a relative bind mount path", () => {
            expect(() =>
                planLxcGuest(args(lxc(inv, "unifi"), { mounts: [{ hostPath: "tank/x", containerPath: "/x", readOnly: false }] })),
            ).toThrow("must use absolute paths");
        });
        it("an idmap on a privileged container", () => {
            const spec: LxcGuestSpec = {
                ...lxc(inv, "unifi"),
                privileged: { reason: "needs the iGPU for transcoding" },
                idmap: [{ type: "uid", containerId: 0, hostId: 100000, size: 65536 }],
            };
            expect(() => planLxcGuest(args(spec))).toThrow(
                "[guests.unifi.idmap] a privileged container shares the host's ids and has no idmap; remove idmap or the privileged exception",
            );
        });
        it("a guest that needs root when no root provider exists", () => {
            expect(() => planLxcGuest(args(lxc(inv, "unifi"), { mounts: guestBindMounts(inv, "files") }))).toThrow(
                "[guests.unifi] needs root@pam (3 host bind mounts)",
            );
        });
        it("nothing when the guest fits", () => {
            expect(planLxcGuest(args(lxc(inv, "unifi")))).toEqual({
                address: "192.168.10.5/24",
                storage: "net-zfs",
                rootReasons: [],
                provider: api,
            });
        });
    });
});

describe("containerOsType", () => {
    it.each([
        ["debian-12-standard_12.12-1_amd64.tar.zst", "debian"],
        ["ubuntu-24.04-standard_24.04-2_amd64.tar.zst", "ubuntu"],
        ["alpine-3.20-default_20240908_amd64.tar.xz", "alpine"],
        ["rockylinux-9-default_20240912_amd64.tar.xz", "centos"],
        ["archlinux-base_20240911-1_amd64.tar.zst", "archlinux"],
    ])("reads %s as %s", (file, os) => {
        expect(containerOsType(file)).toBe(os);
    });
    it("refuses a template it cannot place, rather than leaving Proxmox's unmanaged default", () => {
        expect(() => containerOsType("my-template.tar.zst")).toThrow('cannot tell the container OS from "my-template.tar.zst"');
    });
});

describe("deviceMode", () => {
    it.each([
        ["660", "0660"],
        ["0660", "0660"],
        ["1777", "1777"],
    ])("writes %s as %s", (mode, expected) => {
        expect(deviceMode(mode)).toBe(expected);
    });
});
