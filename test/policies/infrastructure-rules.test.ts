/**
 * The rules on what a hand-written resource (or a component) could do to the host: guest
 * addresses the cluster claims, container idmaps and devices, directory storages, NFS exports, ZFS
 * datasets in the node's system and the program's ACLs. The compliant stack first (in baseline.test.ts), then one mutation per case.
 */
import { UNKNOWN } from "../../policies/unknowns";
import { PolicyResourceInput, runPolicies } from "../../tools/policy/runner";
import {
    AclInputs,
    CLUSTER,
    COMMAND,
    ContainerInputs,
    DirectoryInputs,
    RoleInputs,
    T,
    accessControl,
    check,
    compliantStack,
    component,
    custom,
    mutate,
    replace,
} from "./fixtures";

type Stack = PolicyResourceInput[];
const edit = <I extends object>(stack: Stack, name: string, change: (i: I) => void): Stack =>
    replace(stack, name, (r) => mutate<I>(r, change));
const withOutputs = (stack: Stack, name: string, outputs: Record<string, unknown>): Stack =>
    replace(stack, name, (r) => ({ ...r, outputs: { ...r.outputs, ...outputs } }));
const withoutCluster = (stack: Stack): Stack => stack.filter((r) => r.type !== T.clusterComponent);
const notApplicable = (rule: string, stack: Stack) =>
    runPolicies(stack)
        .notApplicable.filter((n) => n.policy === rule)
        .map((n) => n.reason);

describe("proxmox-guest-address-unclaimed", () => {
    const rule = "proxmox-guest-address-unclaimed";
    const cloudAt = (address: string, stack = compliantStack()) =>
        edit<ContainerInputs>(stack, "cloud-container", (i) => (i.initialization!.ipConfigs![0].ipv4!.address = `${address}/24`));
    const fix = "Give it a free address: set `initialization.ipConfigs[0].ipv4.address`.";

    it.each([
        ["192.168.10.12", "the address of node pve-storage"],
        ["192.168.10.5", "the QDevice's address"],
        ["192.168.30.1", "the gateway of network services"],
        ["192.168.30.2", "reserved in network services (192.168.30.2: keepalived VIP of the reverse proxy)"],
        ["192.168.30.222", "reserved in network services (192.168.30.200–192.168.30.249: DHCP pool)"],
    ])("refuses a guest on %s, %s", (address, what) => {
        expect(check(rule, cloudAt(address))).toEqual([`Guest cloud-container has the address ${address}, ${what}. ${fix}`]);
    });

    it("lets the router hold a gateway, and nothing else", () => {
        const router = withOutputs(cloudAt("192.168.30.1"), "cloud", { isGateway: true });
        expect(check(rule, router)).toEqual([]);
        expect(check(rule, withOutputs(cloudAt("192.168.10.5"), "cloud", { isGateway: true }))).toHaveLength(1);
    });

    it("reads the component's ipv4 and names the inventory key", () => {
        const stack = withOutputs(compliantStack(), "pbs", { ipv4: "192.168.10.11", inventoryKey: "guests.pbs" });
        expect(check(rule, stack)).toEqual([
            "Guest pbs-vm has the address 192.168.10.11, the address of node pve-network. Give it a free address: set `guests.pbs.ipv4`.",
        ]);
    });

    it("without a Cluster component takes the nodes' addresses from the Node components", () => {
        expect(check(rule, cloudAt("192.168.10.11", withoutCluster(compliantStack())))).toEqual([
            `Guest cloud-container has the address 192.168.10.11, the address of node pve-network. ${fix}`,
        ]);
        expect(check(rule, cloudAt("192.168.30.1", withoutCluster(compliantStack())))).toEqual([]);
    });

    it("is not applicable when nothing registers a claimed address", () => {
        const bare = withoutCluster(compliantStack()).filter((r) => r.type !== T.nodeComponent);
        expect(notApplicable(rule, bare)).toEqual(["no Cluster or Node component registers node, QDevice, gateway or reserved addresses"]);
    });
});

describe("proxmox-container-idmap-floor", () => {
    const rule = "proxmox-container-idmap-floor";
    const map = (hostId: number, type = "uid") =>
        edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.idmaps = [{ type, containerId: 0, hostId, size: 65536 }]));

    it("refuses root mapped to host root, or to a real user", () => {
        expect(check(rule, map(0))).toEqual([
            "The container maps its root (uid 0, `idmaps[0]`) to host uid 0, below 100000 (`cluster.hostIdFloor`), so root in the container is root on the host. Map container id 0 to 100000 or above: fix `idmaps[0]`.",
        ]);
        expect(check(rule, map(1000, "gid"))).toEqual([
            "The container maps its root (gid 0, `idmaps[0]`) to host gid 1000, below 100000 (`cluster.hostIdFloor`), so root in the container is a real user on the host. Map container id 0 to 100000 or above: fix `idmaps[0]`.",
        ]);
    });

    it("allows other ids at their host ids (a shared dataset's owner), as the baseline does", () => {
        expect(check(rule, compliantStack())).toEqual([]);
    });

    it("takes the floor from the inventory, else from the rule's knob", () => {
        const higher = withOutputs(map(100000), "homelab", { hostIdFloor: 200000 });
        expect(check(rule, higher)).toHaveLength(1);
        const knob = withoutCluster(map(100000));
        expect(check(rule, knob)).toEqual([]);
        expect(check(rule, knob, { [rule]: { hostIdFloor: 200000 } })).toEqual([
            "The container maps its root (uid 0, `idmaps[0]`) to host uid 100000, below 200000 (the rule's hostIdFloor), so root in the container is a real user on the host. Map container id 0 to 200000 or above: fix `idmaps[0]`.",
        ]);
    });

    it("says when the policy configuration sets a floor the inventory overrides, instead of dropping it", () => {
        expect(check(rule, compliantStack(), { [rule]: { hostIdFloor: 200000 } })).toEqual([
            "The policy configuration sets hostIdFloor: 200000, but the inventory's `cluster.hostIdFloor` is 100000, which the rule uses. Remove hostIdFloor from the policy configuration, or change `cluster.hostIdFloor`.",
        ]);
    });

    it("names the inventory key of a container from the inventory", () => {
        const stack = withOutputs(map(0), "cloud", { inventoryKey: "guests.cloud" });
        expect(check(rule, stack)[0]).toMatch(/fix `guests\.cloud\.idmap`\.$/);
    });
});

describe("proxmox-container-devices-allowed", () => {
    const rule = "proxmox-container-devices-allowed";
    const give = (path: string) => edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.devicePassthroughs = [{ path }]));
    const allowed =
        "/dev/dri/*, /dev/net/tun, /dev/bus/usb/*, /dev/ttyUSB*, /dev/ttyACM*, /dev/serial/by-id/*, /dev/apex_*, /dev/homelab/*";

    it.each([
        "/dev/dri/renderD128",
        "/dev/dri/by-path/pci-0000:00:02.0-render",
        "/dev/net/tun",
        "/dev/bus/usb/002/002",
        "/dev/ttyUSB0",
        "/dev/ttyACM12",
        "/dev/serial/by-id/usb-ITead_Sonoff_Zigbee_3.0-if00-port0",
        "/dev/apex_0",
        "/dev/homelab/zigbee",
    ])("allows %s", (path) => expect(check(rule, give(path))).toEqual([]));

    it.each([
        ["/dev/sda", "a block device: the container could read or overwrite a disk below its filesystem"],
        ["/dev/nvme0n1p2", "a block device: the container could read or overwrite a disk below its filesystem"],
        ["/dev/disk/by-id/ata-WDC_WD40", "a block device: the container could read or overwrite a disk below its filesystem"],
        ["/dev/mem", "the host's memory"],
        ["/dev/zfs", "the ZFS control device, which commands every pool on the host"],
        ["/dev/dri/../sda", "a path that is not absolute or climbs with `..`"],
        ["dev/net/tun", "a path that is not absolute or climbs with `..`"],
        ["/dev/ttyUSBx", "not in the allow-list"],
        ["/dev/random", "not in the allow-list"],
    ])("refuses %s: %s", (path, why) => {
        expect(check(rule, give(path))).toEqual([
            `The container is given the device ${path} (\`devicePassthroughs[0].path\`): ${why}. Only ${allowed} may be passed through; remove it from \`devicePassthroughs\`.`,
        ]);
    });

    it("names the inventory key of a container from the inventory", () => {
        expect(check(rule, withOutputs(give("/dev/sda"), "cloud", { inventoryKey: "guests.cloud" }))[0]).toMatch(
            /remove it from `guests\.cloud\.devices`\.$/,
        );
    });
});

describe("proxmox-directory-storage-path", () => {
    const rule = "proxmox-directory-storage-path";
    const at = (path: string, type: string = T.directory) =>
        replace(compliantStack(), "tank-dump", (r) => mutate<DirectoryInputs>({ ...r, type }, (i) => (i.path = path)));

    it("accepts a directory storage on a dataset of its own", () => {
        expect(check(rule, at("/tank/dump"))).toEqual([]);
        expect(check(rule, at("/mnt/usb-backup"))).toEqual([]);
    });

    it.each([
        ["/var/lib/vz", "the installer's `local` storage under another id: guest disks and backups there fill the node's root disk"],
        ["/var/lib/vz/dump/", "the installer's `local` storage under another id: guest disks and backups there fill the node's root disk"],
        ["/", "the root of the node's filesystem"],
        ["/tank/../etc/pve", "under /etc, a system path of the node"],
        ["/var/lib/pve-cluster", "under /var/lib/pve-cluster, a system path of the node"],
    ])("refuses one at %s whatever its id", (path, what) => {
        expect(check(rule, at(path))).toEqual([
            `The directory storage "tank-dump" is at ${path}, ${what}. Put it on a dataset or disk of its own (a managed root such as /tank/...).`,
        ]);
    });

    it("judges the legacy class too", () => expect(check(rule, at("/", T.directoryLegacy))).toHaveLength(1));
});

describe("nfs-exports-restricted", () => {
    const rule = "nfs-exports-restricted";
    const share = (sharenfs: string) =>
        replace(compliantStack(), "tank/pbs", (r) => ({ ...r, outputs: { ...r.outputs, properties: { recordsize: "1M", sharenfs } } }));
    const fix = 'Set `datasets["tank/pbs"].properties.sharenfs`.';
    const everyone = (client: string) => `it exports to every host (${client}); name the hosts or subnets, e.g. rw=@192.168.10.20/32`;
    const outside = (client: string) => `it exports to ${client}, which is not a host or subnet inside the inventory's networks`;
    const rootSquash = (client: string) =>
        `it gives root on the clients root on the data (no_root_squash) for a whole subnet (${client}); use no_root_squash only for single hosts (/32)`;

    it.each([
        "off",
        "rw=@192.168.10.20/32,no_root_squash",
        "rw=@192.168.30.0/24",
        "ro=@192.168.10.20:@192.168.10.21/32,no_root_squash,async",
    ])("accepts sharenfs=%s", (value) => expect(check(rule, share(value))).toEqual([]));

    it.each([
        ["on", everyone("on")],
        ["rw,no_root_squash", everyone("*")],
        ["rw=*", everyone("*")],
        ["rw=*.lan", everyone("*.lan")],
        ["rw=@0.0.0.0/0,no_root_squash", everyone("@0.0.0.0/0")],
        ["rw=@10.99.0.0/16", outside("@10.99.0.0/16")],
        ["ro=@192.168.10.20/32:@172.16.0.5", outside("@172.16.0.5")],
        ["rw=nas.lan", outside("nas.lan")],
        ["rw=@192.168.10.0/24,no_root_squash", rootSquash("@192.168.10.0/24")],
    ])("refuses sharenfs=%s", (value, why) => {
        expect(check(rule, share(value))).toEqual([`Dataset tank/pbs is shared over NFS with sharenfs=${value}: ${why}. ${fix}`]);
    });

    it("reads the properties as the component registers them ({ value, source } from zfs get)", () => {
        const stack = replace(compliantStack(), "tank/pbs", (r) => ({
            ...r,
            outputs: { ...r.outputs, properties: { sharenfs: { value: "rw=@10.99.0.0/16", source: "local" } } },
        }));
        expect(check(rule, stack)).toEqual([
            `Dataset tank/pbs is shared over NFS with sharenfs=rw=@10.99.0.0/16: ${outside("@10.99.0.0/16")}. ${fix}`,
        ]);
    });

    it("judges what the inventory declares at preview, before the node has reported anything, and what the node reports after", () => {
        const declared = replace(compliantStack(), "tank/pbs", (r) => ({
            ...r,
            outputs: { ...r.outputs, properties: {}, declaredProperties: { sharenfs: "rw=@10.99.0.0/16" } },
        }));
        expect(check(rule, declared)).toEqual([
            `Dataset tank/pbs is shared over NFS with sharenfs=rw=@10.99.0.0/16: ${outside("@10.99.0.0/16")}. ${fix}`,
        ]);
        // A node that reports another value than the inventory's (changed by hand) is judged too.
        const drifted = replace(declared, "tank/pbs", (r) => ({
            ...r,
            outputs: { ...r.outputs, properties: { sharenfs: { value: "on", source: "local" } } },
        }));
        expect(check(rule, drifted)).toHaveLength(2);
    });

    it("names the component's argument for a dataset component written by hand", () => {
        const stack = replace(compliantStack(), "tank/pbs", (r) => ({
            ...r,
            name: "pbs-store",
            outputs: { ...r.outputs, properties: { sharenfs: "on" } },
        }));
        expect(check(rule, stack)).toEqual([
            `Dataset tank/pbs is shared over NFS with sharenfs=on: ${everyone("on")}. Set \`properties.sharenfs\` of the ZfsDataset component "pbs-store".`,
        ]);
    });

    it("without a Cluster component, checks no networks but still refuses every host and wide no_root_squash", () => {
        const noCluster = (value: string) => share(value).filter((r) => r.type !== T.clusterComponent);
        expect(check(rule, noCluster("rw=@10.99.0.0/16"))).toEqual([]);
        expect(check(rule, noCluster("on"))).toEqual([`Dataset tank/pbs is shared over NFS with sharenfs=on: ${everyone("on")}. ${fix}`]);
        expect(check(rule, noCluster("rw=@nfsclients,no_root_squash"))).toEqual([
            `Dataset tank/pbs is shared over NFS with sharenfs=rw=@nfsclients,no_root_squash: ${rootSquash("@nfsclients")}. ${fix}`,
        ]);
    });

    it("reads zfs set and zfs create -o in a hand-written remote command, and not a dataset component's own command twice", () => {
        const command = (create: string, parent?: string) =>
            custom(T.remoteCommand, "share", { ...COMMAND, create }, parent ? { parent } : {});
        expect(check(rule, [command("zfs set sharenfs=on tank/x")])).toEqual([
            `The \`create\` script shares a dataset over NFS with sharenfs=on: ${everyone("on")}.`,
        ]);
        expect(check(rule, [command("zfs create -p -o 'sharenfs=rw,no_root_squash' tank/x")])).toHaveLength(1);
        expect(check(rule, [command("zfs create -o sharenfs=rw=@192.168.10.20/32 tank/x; zfs get sharenfs tank/x")])).toEqual([]);
        const dataset = component(T.datasetComponent, "tank/x", { path: "tank/x", properties: {} });
        expect(check(rule, [dataset, command("zfs set sharenfs=on tank/x", dataset.urn)])).toEqual([]);
    });

    it("refuses a hand-written command's export outside the inventory's networks", () => {
        const stack = [
            ...compliantStack(),
            custom(T.remoteCommand, "share", { ...COMMAND, update: "zfs set sharenfs=rw=@10.99.0.0/16 tank/x" }),
        ];
        expect(check(rule, stack)).toEqual([
            `The \`update\` script shares a dataset over NFS with sharenfs=rw=@10.99.0.0/16: ${outside("@10.99.0.0/16")}.`,
        ]);
    });
});

describe("zfs-dataset-not-system", () => {
    const rule = "zfs-dataset-not-system";
    const dataset = (path: string, mountpoint: string, name = path) =>
        component(T.datasetComponent, name, { path, node: "pve-storage", mountpoint, properties: {} });
    const script = (create: string, update = "true", parent?: string) =>
        custom(T.remoteCommand, "by-hand", { ...COMMAND, create, update }, parent ? { parent } : {});
    const keepOut =
        "Keep data in datasets of its own outside the node's system datasets, such as rpool/appdata or a data pool, mounted under a managed root such as /tank";
    const root = "rpool/ROOT/pve-1/data is under rpool/ROOT, the installer's boot environment (the node's root file system)";

    it("accepts the compliant stack's dataset and the program's hand-written command", () => {
        expect(check(rule, compliantStack())).toEqual([]);
    });

    it.each([
        ["tank/photos", "/tank/photos"],
        ["rpool/appdata", "/rpool/appdata"],
        ["tank/ROOTS", "/tank/ROOTS"],
        ["rpool/database", "/srv/database"],
        ["tank/vz", "/var/lib/vzdump-extra"],
        ["tank/legacy", "legacy"],
        ["tank/unmounted", "none"],
    ])("accepts the dataset %s at %s", (path, mountpoint) => expect(check(rule, [dataset(path, mountpoint)])).toEqual([]));

    it.each([
        ["rpool/ROOT", "rpool/ROOT is rpool/ROOT, the installer's boot environment (the node's root file system)"],
        ["rpool/ROOT/pve-1/data", root],
        ["tank/ROOT/x", "tank/ROOT/x is under tank/ROOT, the installer's boot environment (the node's root file system)"],
        ["rpool/data", "rpool/data is the installer's rpool/data, where Proxmox keeps guest volumes (local-zfs)"],
        ["rpool/data/app", "rpool/data/app is under the installer's rpool/data, where Proxmox keeps guest volumes (local-zfs)"],
        ["rpool", "rpool is the pool itself, the parent of the installer's rpool/ROOT and rpool/data: its properties pass down to both"],
    ])("refuses the dataset component %s, naming the inventory key", (path, why) => {
        expect(check(rule, [dataset(path, "/tank/x")])).toEqual([`Dataset ${why}. ${keepOut}: rename \`datasets["${path}"]\`.`]);
    });

    it.each([
        ["/etc/pve-data", "under the system path /etc"],
        ["/var/lib/vz", "at the system path /var/lib/vz"],
        ["/tank/../root/keys", "under the system path /root"],
        ["/", "the root of the node's filesystem"],
        ["/var", "above the system path /var/lib/pve-cluster, which it would shadow"],
        ["/var/lib/", "above the system path /var/lib/pve-cluster, which it would shadow"],
    ])("refuses a dataset component mounted at %s", (mountpoint, why) => {
        expect(check(rule, [dataset("tank/x", mountpoint)])).toEqual([
            `Dataset tank/x is mounted at ${mountpoint}, ${why}. Mount data under a managed root such as /tank: set \`datasets["tank/x"].properties.mountpoint\`.`,
        ]);
    });

    it("names the component's arguments for a dataset component written by hand", () => {
        expect(check(rule, [dataset("rpool/data/app", "/etc/app", "app-data")])).toEqual([
            `Dataset rpool/data/app is under the installer's rpool/data, where Proxmox keeps guest volumes (local-zfs). ${keepOut}: rename \`path\` of the ZfsDataset component "app-data".`,
            'Dataset rpool/data/app is mounted at /etc/app, under the system path /etc. Mount data under a managed root such as /tank: set `properties.mountpoint` of the ZfsDataset component "app-data".',
        ]);
    });

    it("judges the name when the mountpoint is unknown at preview, and names the dataset it could not judge", () => {
        const stack = [component(T.datasetComponent, "rpool/data/x", { path: "rpool/data/x", mountpoint: UNKNOWN, properties: {} })];
        expect(check(rule, stack)).toEqual([
            `Dataset rpool/data/x is under the installer's rpool/data, where Proxmox keeps guest volumes (local-zfs). ${keepOut}: rename \`datasets["rpool/data/x"]\`.`,
        ]);
        expect(notApplicable(rule, stack)).toEqual(["rpool/data/x: mountpoint is unknown during preview"]);
    });

    it.each([
        ["zfs create -p rpool/ROOT/pve-1/data", `\`zfs create -p rpool/ROOT/pve-1/data\`: ${root}. ${keepOut}.`],
        [
            "sudo zfs create -o compression=lz4 rpool/data/app",
            `\`zfs create -o compression=lz4 rpool/data/app\`: rpool/data/app is under the installer's rpool/data, where Proxmox keeps guest volumes (local-zfs). ${keepOut}.`,
        ],
        [
            "zfs create -o mountpoint=/etc/app tank/app",
            "`zfs create -o mountpoint=/etc/app tank/app`: the mountpoint /etc/app is under the system path /etc. Mount data under a managed root such as /tank.",
        ],
        [
            "zfs create -pomountpoint=/var tank/var",
            "`zfs create -pomountpoint=/var tank/var`: the mountpoint /var is above the system path /var/lib/pve-cluster, which it would shadow. Mount data under a managed root such as /tank.",
        ],
        [
            "set -eu; zfs set compression=lz4 mountpoint=/usr/local tank/x",
            "`zfs set compression=lz4 mountpoint=/usr/local tank/x`: the mountpoint /usr/local is under the system path /usr. Mount data under a managed root such as /tank.",
        ],
        ["zfs rename tank/x rpool/ROOT/pve-1/data", `\`zfs rename tank/x rpool/ROOT/pve-1/data\`: ${root}. ${keepOut}.`],
        [
            "sh -c 'zfs rename -p rpool/data tank/old-data'",
            `\`zfs rename -p rpool/data tank/old-data\`: rpool/data is the installer's rpool/data, where Proxmox keeps guest volumes (local-zfs). ${keepOut}.`,
        ],
    ])("refuses in a hand-written command's create script: %s", (create, what) => {
        expect(check(rule, [script(create)])).toEqual([`The \`create\` script runs ${what}`]);
    });

    it("refuses both the dataset and the mountpoint of one command, in the update script too", () => {
        expect(check(rule, [script("true", "zfs set mountpoint=/ rpool")])).toEqual([
            `The \`update\` script runs \`zfs set mountpoint=/ rpool\`: rpool is the pool itself, the parent of the installer's rpool/ROOT and rpool/data: its properties pass down to both. ${keepOut}.`,
            "The `update` script runs `zfs set mountpoint=/ rpool`: the mountpoint / is the root of the node's filesystem. Mount data under a managed root such as /tank.",
        ]);
    });

    it.each([
        "zfs create -o mountpoint=/tank/app tank/app",
        "zfs create -n rpool/ROOT/x",
        "zfs set compression=lz4 rpool/data",
        "zfs get mountpoint rpool/ROOT",
        "zfs rename rpool/ROOT/pve-1@before rpool/ROOT/pve-1@old",
        "zfs set mountpoint=legacy tank/x",
        "echo zfs create rpool/ROOT/x",
    ])("accepts in a hand-written command: %s", (create) => expect(check(rule, [script(create)])).toEqual([]));

    it("judges a dataset component's own command once, on the component", () => {
        const ds = dataset("tank/x", "/tank/x");
        expect(check(rule, [ds, script("zfs create -o mountpoint=/etc tank/x", "true", ds.urn)])).toEqual([]);
    });

    it("is exempted by the resource's name", () => {
        const config = { [rule]: { exemptions: [{ resourceName: "by-hand", reason: "a rescue mount, reviewed" }] } };
        expect(runPolicies([script("zfs create rpool/ROOT/x")], config).violations).toEqual([]);
    });
});

describe("proxmox-acl-least-privilege", () => {
    const rule = "proxmox-acl-least-privilege";
    const token = "the program's token homelab@pve!homelab";
    const acl = (change: (i: AclInputs) => void) => edit<AclInputs>(compliantStack(), "acl-vms", change);
    const role = (privileges: string[]) => edit<RoleInputs>(compliantStack(), "homelab-role", (i) => (i.privileges = privileges));

    it("refuses Administrator for the token", () => {
        expect(
            check(
                rule,
                acl((i) => (i.roleId = "Administrator")),
            ),
        ).toEqual([
            `The ACL gives ${token} the Administrator role on /vms/30041: every privilege, permissions included. Give it the program's own role with only the privileges it needs.`,
        ]);
    });

    it("refuses a role that holds Permissions.Modify or Sys.PowerMgmt", () => {
        expect(check(rule, role(["VM.Allocate", "Permissions.Modify"]))).toEqual([
            `The ACL gives ${token} the role HomelabAutomation, which holds Permissions.Modify: with it the token can grant itself anything. Remove Permissions.Modify from the role, or give the token another role.`,
            `The ACL gives ${token} the role HomelabAutomation, which holds Permissions.Modify: with it the token can grant itself anything. Remove Permissions.Modify from the role, or give the token another role.`,
            `The ACL gives ${token} the role HomelabAutomation, which holds Permissions.Modify: with it the token can grant itself anything. Remove Permissions.Modify from the role, or give the token another role.`,
        ]);
        expect(check(rule, role(["Sys.PowerMgmt"]))[0]).toBe(
            `The ACL gives ${token} the role HomelabAutomation, which holds Sys.PowerMgmt: with it the token can shut nodes down. Remove Sys.PowerMgmt from the role, or give the token another role.`,
        );
    });

    it("refuses a role propagated from / whose privileges belong on narrower paths", () => {
        const fromRoot = acl((i) => ((i.path = "/"), (i.roleId = "PVEVMUser")));
        expect(check(rule, fromRoot)).toEqual([
            `The ACL propagates the role PVEVMUser from / to ${token}, so VM.Audit, VM.Backup, VM.Config.CDROM, VM.Config.Cloudinit, VM.Console, VM.GuestAgent.Audit, VM.GuestAgent.FileRead, VM.GuestAgent.FileSystemMgmt, VM.GuestAgent.FileWrite, VM.PowerMgmt reach every guest, storage and zone. Grant these on the paths they act on (/vms/<vmid> or /pool/<pool>) instead.`,
        ]);
        // Not propagated, / grants them only on / itself; the baseline's Sys.Audit role at / without propagation passes too.
        expect(
            check(
                rule,
                acl((i) => ((i.path = "/"), (i.roleId = "PVEVMUser"), (i.propagate = false))),
            ),
        ).toEqual([]);
        // The provider propagates by default.
        expect(
            check(
                rule,
                acl((i) => ((i.path = "/"), (i.roleId = "PVEDatastoreUser"), delete i.propagate)),
            ),
        ).toHaveLength(1);
    });

    it("counts ACLs on the token's user, and ignores other principals", () => {
        const toUser = acl((i) => (delete i.tokenId, (i.userId = "homelab@pve"), (i.roleId = "Administrator")));
        expect(check(rule, toUser)[0]).toMatch(/^The ACL gives the program's user homelab@pve the Administrator role/);
        expect(
            check(
                rule,
                acl((i) => ((i.tokenId = "admin@pam!ops"), (i.roleId = "Administrator"))),
            ),
        ).toEqual([]);
        expect(
            check(
                rule,
                acl((i) => (delete i.tokenId, (i.groupId = "admins"), (i.roleId = "Administrator"))),
            ),
        ).toEqual([]);
    });

    it("without a Cluster component takes the tokens the stack creates; with neither it is not applicable", () => {
        const stack = withoutCluster(acl((i) => (i.roleId = "Administrator")));
        expect(check(rule, stack)).toHaveLength(1);
        const bare = withoutCluster(compliantStack()).filter((r) => r.type !== T.token);
        expect(notApplicable(rule, bare)).toEqual(["no Cluster component registers automationTokenId and the stack creates no API token"]);
    });

    it("cannot judge a role that is neither built in nor in the stack, and says so", () => {
        const stack = acl((i) => (i.roleId = "Elsewhere"));
        expect(check(rule, stack)).toEqual([]);
        expect(notApplicable(rule, stack)).toEqual(["acl-vms: role Elsewhere is neither built in nor defined in the stack"]);
    });

    it("reads the legacy ACL class too", () => {
        const legacy = custom(T.aclLegacy, "legacy", {
            path: "/",
            roleId: "Administrator",
            tokenId: "homelab@pve!homelab",
        } satisfies AclInputs);
        expect(check(rule, [component(T.clusterComponent, "homelab", CLUSTER), legacy])).toHaveLength(1);
        expect(accessControl()).toHaveLength(5);
    });
});

describe("stack rules judge resource by resource", () => {
    it("report what they found on the other resources when one has an unknown value, and name that one", () => {
        let stack = edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.devicePassthroughs = [{ path: "/dev/sda" }]));
        const other = mutate<ContainerInputs>(
            custom(T.container, "other-container", { ...compliantStack().find((r) => r.name === "cloud-container")!.inputs }),
            (i) => (i.devicePassthroughs = [{ path: "/dev/mem" }]),
        );
        stack = [...stack, { ...other, unknownPaths: ["devicePassthroughs[0].path"] }];
        const result = runPolicies(stack);
        expect(result.violations.filter((v) => v.policy === "proxmox-container-devices-allowed").map((v) => v.name)).toEqual([
            "cloud-container",
        ]);
        expect(notApplicable("proxmox-container-devices-allowed", stack)).toEqual([
            "other-container: devicePassthroughs.0.path is unknown during preview",
        ]);
    });
});
