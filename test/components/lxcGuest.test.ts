import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { record } from "../helpers/harness";
import { CONTAINER_IGNORED_FIELDS, LxcGuest, LxcGuestArgs, deviceMode, planLxcGuest } from "../../components/lxcGuest";
import { GuestNetwork } from "../../components/guestShared";
import { haMembership } from "../../components/proxmox";
import { containerOsType } from "../../config/crosschecks";
import { parseInventory } from "../../config/parse";
import { LxcGuestSpec } from "../../config/schema";
import { ContainerMount } from "../../lib/containerHost";
import { bindMountsByGuest } from "../../lib/privilege";
import { mutated } from "../config/reference";
import { decoded, lxc, providerRef, referenceInventory } from "./fixtures";

const T = {
    guest: "homelab:proxmox:LxcGuest",
    ct: "proxmoxve:index/containerLegacy:ContainerLegacy",
    options: "proxmoxve:firewall/optionsLegacy:OptionsLegacy",
    rules: "proxmoxve:firewall/rulesLegacy:RulesLegacy",
    ipset: "proxmoxve:firewall/ipsetLegacy:IpsetLegacy",
    ha: "proxmoxve:index/haresource:Haresource",
    replication: "proxmoxve:index/replication:Replication",
    command: "command:remote:Command",
    provider: "pulumi:providers:proxmoxve",
};
const TEMPLATE = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst";
const inv = referenceInventory();
const KEY = inv.cluster.sshPublicKeys[0];
const MOUNTS = bindMountsByGuest(inv);
const CONNECTION = { host: "192.168.10.12", user: "root", hostKey: inv.nodes["pve-storage"].hostKey };

class Dataset extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Dataset", name, {});
    }
}

const networkOf = (spec: LxcGuestSpec): GuestNetwork => ({ name: spec.network, ...inv.networks[spec.network] });

function args(guest: string, spec: LxcGuestSpec, extra: Partial<LxcGuestArgs> = {}): Omit<LxcGuestArgs, "providers"> {
    return {
        guestName: guest,
        spec,
        network: networkOf(spec),
        dns: { servers: ["192.168.10.1"], domain: "lab.example.org" },
        sshPublicKeys: [KEY],
        adminSources: ["192.168.10.0/24"],
        nativeVlan: 10,
        templateFileId: TEMPLATE,
        templateFileName: "debian-12-standard_12.12-1_amd64.tar.zst",
        mounts: (MOUNTS.get(guest) ?? []).map(({ hostPath, containerPath, readOnly }) => ({ hostPath, containerPath, readOnly })),
        managedRoots: inv.cluster.managedRoots,
        connection: CONNECTION,
        ...extra,
    };
}

async function deployLxc(guest: string, spec: LxcGuestSpec = lxc(inv, guest), extra: Partial<LxcGuestArgs> = {}) {
    return record(() => {
        const api = new proxmoxve.Provider("api", {});
        const root = new proxmoxve.Provider("root", {});
        const dataset = new Dataset(`${guest}-dataset`);
        new LxcGuest(guest, { ...args(guest, spec, extra), dependsOn: [dataset], providers: { api, root } });
    });
}

describe("LxcGuest", () => {
    it("owns exactly its container, its node-side mounts and keys, firewall options, address set and rules", async () => {
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
                [T.command, "cloud-host"],
                [T.options, "cloud-firewall"],
                [T.ipset, "cloud-addresses"],
                [T.rules, "cloud-firewall-rules"],
            ].sort(),
        );
    });

    it("builds an unprivileged Docker container with named storage, scheme VMID, static address and tier settings, and no mount points (P8)", async () => {
        const { recording } = await deployLxc("cloud");
        const ct = recording.one("cloud-container", T.ct);
        expect(ct.inputs).toEqual({
            nodeName: "pve-storage",
            vmId: 30041,
            description: "File sync and share.",
            unprivileged: true,
            disk: { datastoreId: "local-zfs", size: 16 },
            cpu: { cores: 2, units: 1024 },
            memory: { dedicated: 4096, swap: 512 },
            features: { nesting: true, keyctl: true },
            template: false,
            started: true,
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
        expect(ct.options.ignoreChanges).toEqual([...CONTAINER_IGNORED_FIELDS]);
        expect(ct.options.protect).toBe(true);
        expect(ct.options.deleteBeforeReplace).toBe(true);
        expect(ct.options.importId).toBeUndefined();
        // keyctl is a feature only root@pam may set (P17).
        expect(ct.options.provider).toBe(providerRef(recording.one("root", T.provider)));
    });

    it("gives a container without Docker or devices no features, no devices and the API token", async () => {
        const { recording } = await deployLxc("unifi");
        const ct = recording.one("unifi-container", T.ct);
        expect(ct.inputs.unprivileged).toBe(true);
        expect(ct.inputs).not.toHaveProperty("features");
        expect(ct.inputs).not.toHaveProperty("devicePassthroughs");
        // On the node's native VLAN the NIC is untagged.
        expect(ct.inputs.networkInterfaces).toEqual([{ name: "eth0", bridge: "vmbr0", firewall: true }]);
        expect(ct.inputs.tags).toEqual(["high", "network"]);
        expect(ct.options.provider).toBe(providerRef(recording.one("api", T.provider)));
        expect(recording.one("unifi", T.guest).outputs.usesRootProvider).toBe(false);
    });

    it("makes only the privileged exception privileged, with nesting but no keyctl, its devices, and root@pam", async () => {
        const { recording } = await deployLxc("photos");
        const ct = recording.one("photos-container", T.ct);
        expect(ct.inputs.unprivileged).toBe(false);
        expect(ct.inputs.features).toEqual({ nesting: true });
        expect(ct.inputs.devicePassthroughs).toEqual([{ path: "/dev/dri/renderD128", gid: 104 }, { path: "/dev/net/tun" }]);
        expect(ct.options.provider).toBe(providerRef(recording.one("root", T.provider)));
    });

    it("passes a USB device by its mapping's stable udev path, with its mode as four octal digits", async () => {
        const { recording } = await deployLxc("nvr");
        expect(recording.one("nvr-container", T.ct).inputs.devicePassthroughs).toEqual([{ path: "/dev/homelab/usb-coral", mode: "0660" }]);
    });

    // Fact P8: the provider's mount list is ForceNew; mounts are converged from the node instead.
    it("converges its bind mounts and SSH keys from the node over the pinned SSH connection, after the container", async () => {
        const { recording } = await deployLxc("files");
        const host = recording.one("files-host", T.command);
        const ct = recording.one("files-container", T.ct);
        expect(host.inputs.connection).toMatchObject(CONNECTION);
        expect(host.inputs.create).toContain(
            "'/tank/cloud,mp=/srv/shares/cloud' '/tank/media,mp=/srv/shares/media,ro=1' '/tank/photos,mp=/srv/shares/photos,ro=1'",
        );
        expect(host.inputs.create).toContain(`pct exec "$VMID" -- sh -c`);
        expect(host.inputs.update).toBe(host.inputs.create);
        expect(host.inputs.delete).toContain("nothing to unmount");
        expect(host.options.dependsOn).toEqual([ct.urn]);
        expect(host.dependencies).toContain(ct.urn);
    });

    it("waits for what it is given (its datasets, the node's bridge and storages)", async () => {
        const { recording } = await deployLxc("media");
        expect(recording.one("media-container", T.ct).options.dependsOn).toEqual([recording.one("media-dataset").urn]);
    });

    // Fact P7: the provider sends every option with its own defaults (radv on, ndp off, ipfilter 0).
    it("turns the guest firewall on with every option stated, an explicit address set, and the inventory's rules plus SSH from the admin network", async () => {
        const { recording } = await deployLxc("nvr");
        const api = providerRef(recording.one("api", T.provider));
        const ctUrn = recording.one("nvr-container", T.ct).urn;
        const ipset = recording.one("nvr-addresses", T.ipset);
        expect(ipset.inputs).toEqual({
            nodeName: "pve-storage",
            containerId: 50010,
            name: "ipfilter-net0",
            comment: "homelab: addresses the guest may send from",
            cidrs: [{ name: "192.168.50.10", comment: "the guest's address" }],
        });
        const options = recording.one("nvr-firewall", T.options);
        expect(Object.fromEntries(Object.entries(options.inputs).map(([k, v]) => [k, decoded(v)]))).toEqual({
            nodeName: "pve-storage",
            containerId: 50010,
            enabled: true,
            dhcp: false,
            ndp: true,
            radv: false,
            macfilter: true,
            ipfilter: true,
            logLevelIn: "nolog",
            logLevelOut: "nolog",
            inputPolicy: "DROP",
            outputPolicy: "ACCEPT",
        });
        expect(options.options.provider).toBe(api);
        expect(options.options.dependsOn).toEqual([ctUrn, ipset.urn]);
        expect(recording.one("nvr-firewall-rules", T.rules).inputs.rules).toEqual([
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
            {
                type: "in",
                action: "ACCEPT",
                enabled: true,
                proto: "tcp",
                dport: "22",
                source: "192.168.10.0/24",
                comment: "homelab: SSH from the admin network",
            },
        ]);
    });

    it("adds an HA resource for a Proxmox HA member", async () => {
        const { recording } = await deployLxc("edge", lxc(inv, "edge"), {
            ha: { group: "web", state: "started", maxRestart: 2, maxRelocate: 1 },
        });
        const ha = recording.one("edge-ha", T.ha);
        expect(ha.inputs).toEqual({
            resourceId: "ct:30010",
            type: "ct",
            state: "started",
            maxRestart: 2,
            maxRelocate: 1,
            comment: "managed by homelab (HA group web)",
        });
        expect(ha.options.provider).toBe(providerRef(recording.one("api", T.provider)));
        expect(recording.one("edge", T.guest).outputs).toMatchObject({ haGroup: "web", haKind: "proxmox" });
    });

    it.each(["stopped", "ignored"] as const)("gives the HA resource the inventory's state %s", async (state) => {
        const parsed = parseInventory(
            mutated((i) => {
                i.guests.unifi.replication = [{ node: "pve-storage" }];
                i.ha = { controller: { kind: "proxmox", members: ["unifi"], state, maxRestart: 3, maxRelocate: 0 } };
            }),
        );
        const membership = haMembership(parsed, "unifi");
        expect(membership).toEqual({ ha: { group: "controller", state, maxRestart: 3, maxRelocate: 0 } });
        const { recording } = await deployLxc("unifi", lxc(parsed, "unifi"), membership);
        expect(recording.one("unifi-ha", T.ha).inputs).toEqual({
            resourceId: "ct:10005",
            type: "ct",
            state,
            maxRestart: 3,
            maxRelocate: 0,
            comment: "managed by homelab (HA group controller)",
        });
    });

    it("adds a replication job per target, with the inventory's rate limit where it gives one", async () => {
        const parsed = parseInventory(mutated((i) => (i.guests.unifi.replication = [{ node: "pve-storage", rateMBps: 12.5 }])));
        const { recording } = await deployLxc("unifi", {
            ...lxc(parsed, "unifi"),
            // A second target without a rate (the reference has two nodes; the component takes any).
            replication: [...lxc(parsed, "unifi").replication, { node: "pve-backup", schedule: "*/30" }],
        });
        expect(
            recording
                .ofType(T.replication)
                .map((j) => j.name)
                .sort(),
        ).toEqual(["unifi-replication-pve-backup", "unifi-replication-pve-storage"]);
        const storage = recording.one("unifi-replication-pve-storage", T.replication);
        expect(storage.inputs).toEqual({
            resourceId: "10005-0",
            type: "local",
            target: "pve-storage",
            schedule: "*/15",
            rate: 12.5,
            comment: "managed by homelab",
        });
        expect(recording.one("unifi-replication-pve-backup", T.replication).inputs).toEqual({
            resourceId: "10005-1",
            type: "local",
            target: "pve-backup",
            schedule: "*/30",
            comment: "managed by homelab",
        });
        expect(storage.options.provider).toBe(providerRef(recording.one("api", T.provider)));
    });

    it("lets a keepalived member send from the virtual IP and accept VRRP from its peers", async () => {
        const { recording } = await deployLxc("edge", lxc(inv, "edge"), {
            vrrp: { group: "proxy", vip: "192.168.30.5", peers: ["192.168.30.11"] },
        });
        expect(recording.one("edge-addresses", T.ipset).inputs.cidrs).toEqual([
            { name: "192.168.30.10", comment: "the guest's address" },
            { name: "192.168.30.5", comment: "virtual IP of HA group proxy" },
        ]);
        expect(recording.one("edge-firewall-rules", T.rules).inputs.rules).toContainEqual({
            type: "in",
            action: "ACCEPT",
            enabled: true,
            proto: "vrrp",
            source: "192.168.30.11",
            comment: "homelab: VRRP of HA group proxy",
        });
        expect(recording.ofType(T.ha)).toEqual([]);
    });

    it("writes a rule's protocol by number, which pve-firewall takes by id from /etc/protocols (src/PVE/Firewall.pm; VRRP is 112)", async () => {
        const spec = lxc(inv, "edge");
        const { recording } = await deployLxc("edge", {
            ...spec,
            firewall: { ...spec.firewall, rules: [{ action: "ACCEPT", direction: "in", proto: 112, source: "192.168.30.11" }] },
        });
        expect(recording.one("edge-firewall-rules", T.rules).inputs.rules).toContainEqual({
            type: "in",
            action: "ACCEPT",
            enabled: true,
            proto: "112",
            source: "192.168.30.11",
        });
    });

    it("turns protection off, in Proxmox and in Pulumi, only for a guest marked stateless; always deletes before replacing", async () => {
        const stateless = await deployLxc("unifi", { ...lxc(inv, "unifi"), stateful: false });
        const ct = stateless.recording.one("unifi-container", T.ct);
        expect(ct.inputs.protection).toBe(false);
        expect(ct.options.protect).toBe(false);
        expect(ct.options.deleteBeforeReplace).toBe(true);
        const stateful = await deployLxc("unifi");
        expect(stateful.recording.one("unifi-container", T.ct).options.protect).toBe(true);
        expect(stateful.recording.one("unifi-firewall", T.options).options.protect).toBe(false);
    });

    // Fact P3: after an import the provider cannot read the template back; never delete-before-replace while adopting.
    it("imports an adopted container without deleting before replacing, ignoring what the provider cannot read back", async () => {
        const { recording } = await deployLxc("unifi", { ...lxc(inv, "unifi"), adopt: true });
        const ct = recording.one("unifi-container", T.ct);
        expect(ct.options.importId).toBe("pve-network/10005");
        expect(ct.options.deleteBeforeReplace).toBe(false);
        expect(ct.options.protect).toBe(true);
        expect(ct.options.ignoreChanges).toEqual([...CONTAINER_IGNORED_FIELDS]);
    });

    it("passes a custom idmap to the container and still uses the API token (the provider writes it over SSH)", async () => {
        const idmap: LxcGuestSpec["idmap"] = [
            { type: "uid", containerId: 0, hostId: 100000, size: 1000 },
            { type: "uid", containerId: 1000, hostId: 101000, size: 1 },
            { type: "gid", containerId: 0, hostId: 100000, size: 65536 },
        ];
        const { recording } = await deployLxc("unifi", { ...lxc(inv, "unifi"), idmap });
        const ct = recording.one("unifi-container", T.ct);
        expect(ct.inputs.idmaps).toEqual(idmap);
        expect(ct.options.provider).toBe(providerRef(recording.one("api", T.provider)));
    });

    it("makes a template that never starts, and clones a container from a template", async () => {
        const template = await deployLxc("unifi", { ...lxc(inv, "unifi"), template: true });
        const t = template.recording.one("unifi-container", T.ct);
        expect(t.inputs).toMatchObject({ template: true, started: false, startOnBoot: false });
        const clone = await deployLxc(
            "edge",
            { ...lxc(inv, "edge"), image: undefined, clone: { from: "golden", full: true } },
            {
                templateFileId: undefined,
                templateFileName: undefined,
                cloneSource: { vmid: 9000, node: "pve-storage" },
            },
        );
        const c = clone.recording.one("edge-container", T.ct);
        expect(c.inputs.clone).toEqual({ vmId: 9000, nodeName: "pve-storage", datastoreId: "local-zfs", full: true });
        expect(c.inputs).not.toHaveProperty("operatingSystem");
    });

    it.each([
        ["critical", 2048, 1, 30],
        ["high", 1500, 2, 15],
        ["normal", 1024, 3, 5],
        ["low", 800, 4, 0],
        ["minimal", 512, 5, 0],
    ] as const)("weighs a %s guest at %i cpu units and starts it in order %i", async (tier, units, order, upDelay) => {
        const { recording } = await deployLxc("unifi", { ...lxc(inv, "unifi"), tier });
        const ct = recording.one("unifi-container", T.ct);
        expect(ct.inputs.cpu).toEqual({ cores: 1, units });
        expect(ct.inputs.startup).toEqual({ order, upDelay });
    });

    it("takes explicit cpuUnits over the tier's weight", async () => {
        const { recording } = await deployLxc("unifi", { ...lxc(inv, "unifi"), cpuUnits: 3000 });
        expect(recording.one("unifi-container", T.ct).inputs.cpu).toEqual({ cores: 1, units: 3000 });
        expect(recording.one("unifi", T.guest).outputs.cpuUnits).toBe(3000);
    });

    it("registers the outputs policies read", async () => {
        const { recording } = await deployLxc("photos");
        expect(recording.one("photos", T.guest).outputs).toEqual({
            vmid: 30040,
            nodeName: "pve-storage",
            ipv4: "192.168.30.40",
            vlan: 30,
            network: "services",
            tier: "normal",
            cpuUnits: 1024,
            stateful: true,
            isGateway: false,
            isTemplate: false,
            backupTier: "critical",
            usesRootProvider: true,
            privilegedReason: "The AMD iGPU (/dev/dri/renderD128) and a TUN device cannot be mapped into an unprivileged container.",
            inventoryKey: "guests.photos",
        });
    });

    describe("refuses, before registering anything,", () => {
        const api = {} as proxmoxve.Provider;
        const plan = (spec: LxcGuestSpec, extra: Partial<LxcGuestArgs> = {}) =>
            planLxcGuest({ ...args("unifi", spec, extra), providers: { api } });
        it("a root disk on local", () => {
            expect(() => plan({ ...lxc(inv, "unifi"), disk: { storage: "local", sizeGiB: 8 } })).toThrow(
                `[guests.unifi.disk.storage] "local" is the root disk's directory storage: guest disks never go there; use a named ZFS or LVM-thin storage`,
            );
        });
        it("an address outside its network's subnet", () => {
            expect(() => plan({ ...lxc(inv, "unifi"), ipv4: "192.168.30.5" })).toThrow(
                "[guests.unifi.ipv4] 192.168.30.5 is not inside 192.168.10.0/24",
            );
        });
        it("an idmap on a privileged container", () => {
            const spec: LxcGuestSpec = {
                ...lxc(inv, "unifi"),
                privileged: { reason: "needs the iGPU for transcoding" },
                idmap: [{ type: "uid", containerId: 0, hostId: 100000, size: 65536 }],
            };
            expect(() => plan(spec)).toThrow(
                "[guests.unifi.idmap] a privileged container uses the host's ids; an idmap applies only to unprivileged containers, so remove it",
            );
        });
        it("a container whose image was not handed in", () => {
            expect(() => plan(lxc(inv, "unifi"), { templateFileId: undefined })).toThrow(
                '[guests.unifi.image] the container\'s image "debian-12-lxc" was not given; pass templateFileId and templateFileName',
            );
        });
        it("a guest that needs root when no root provider exists", () => {
            expect(() => plan({ ...lxc(inv, "unifi"), docker: true })).toThrow(
                "[guests.unifi] needs root@pam (feature flag keyctl (Docker))",
            );
        });
        it("nothing when the guest fits", () => {
            expect(plan(lxc(inv, "unifi"))).toEqual({
                address: "192.168.10.5/24",
                storage: "local-zfs",
                host: { vmid: 10005, mounts: [], managedRoots: ["/tank", "/rpool/appdata"], sshPublicKeys: [KEY] },
                rootReasons: [],
                provider: api,
            });
        });
        it("a mount from outside the managed roots", () => {
            const mounts: ContainerMount[] = [{ hostPath: "/etc", containerPath: "/mnt/etc", readOnly: false }];
            expect(() => plan(lxc(inv, "unifi"), { mounts })).toThrow(
                "[mounts[0].hostPath] must lie under a managed root (/tank, /rpool/appdata)",
            );
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
    it("cannot place a template without a distribution prefix (the inventory refuses it)", () => {
        expect(containerOsType("my-template.tar.zst")).toBeUndefined();
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
