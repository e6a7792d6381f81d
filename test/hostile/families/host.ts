/**
 * Families of what a node holds: host paths, datasets, devices passed into containers and
 * storages, judged by what they are, not by their names.
 */
import {
    BaseStack,
    Config,
    dataPool,
    Edit,
    Entity,
    entries,
    mountedDataset,
    ordinaryGuest,
    section,
    unprivilegedContainer,
} from "../stacks";

/** Host paths: system paths, parents of system paths, relative, dotted and shell-hostile ones. */
export function pathsFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const [ct] = unprivilegedContainer(cfg);
    const root = section(cfg, "cluster").managedRoots[0] as string;
    /** The index a new managed root gets. */
    const roots = (section(cfg, "cluster").managedRoots as string[]).length;
    const hostile = [
        "/tank/photos-from-grandmas-house-2019(1)",
        "/tank/a,b",
        "/tank/a=b",
        "/tank/a;rm -rf /",
        "/tank/$(reboot)",
        "/tank/`id`",
        "/tank/a\nb",
        "tank/relative",
        "/tank/../etc",
        "/tank/./x",
        "//tank",
        "/tank//x",
        `/${"a".repeat(5000)}`,
        "/tank/\u00fcber",
        "/tank/a\u202eb",
        "",
    ];
    /** Host paths a guest or a root must never reach: system paths and their parents. */
    const system = [
        "/",
        "/etc",
        "/etc/pve",
        "/var/lib/pve-cluster",
        "/var/lib/vz",
        "/root",
        "/boot",
        "/usr",
        "/proc",
        "/dev",
        "/var",
        "/var/lib",
    ];
    const hostMount = (hostPath: string, extraRoot?: string) => (c: Config) => {
        if (extraRoot) section(c, "cluster").managedRoots.push(extraRoot);
        section(c, "guests")[ct].hostMounts = [{ hostPath, path: "/mnt/x" }];
    };
    return [
        ...hostile.map((p): Edit => ({
            what: `managed root ${JSON.stringify(p.slice(0, 60))}`,
            expect: "refused",
            path: `cluster.managedRoots[${roots}]`,
            edit: (c) => section(c, "cluster").managedRoots.push(p),
        })),
        ...system.map((p): Edit => ({
            what: `managed root ${p}`,
            expect: "dangerous",
            path: `cluster.managedRoots[${roots}]`,
            edit: (c) => section(c, "cluster").managedRoots.push(p),
        })),
        ...hostile.map((p): Edit => ({
            what: `host mount of ${JSON.stringify(p.slice(0, 60))}`,
            expect: "refused",
            path: `guests.${ct}.hostMounts[0].hostPath`,
            edit: hostMount(p),
        })),
        // A system path as a host mount, even where the operator made it a managed root.
        ...system.map((p): Edit => ({
            what: `host mount of ${p} (a managed root too)`,
            expect: "dangerous",
            path: `guests.${ct}.hostMounts[0].hostPath`,
            edit: hostMount(p, p),
        })),
        {
            what: `host mount outside the managed roots`,
            expect: "dangerous",
            path: `guests.${ct}.hostMounts[0].hostPath`,
            edit: hostMount("/home/someone"),
        },
        ...["/", "/etc", "/proc/1", "/usr/local", "/dev"].map((p): Edit => ({
            what: `host mount into ${p} inside the container`,
            expect: "refused",
            path: `guests.${ct}.hostMounts[0].path`,
            edit: (c) => (section(c, "guests")[ct].hostMounts = [{ hostPath: `${root}/x`, path: p }]),
        })),
        { what: "a host mount under a managed root", expect: "free", edit: hostMount(`${root}/shared`) },
    ];
}

/** Datasets that take over the system's, export to the world, or carry hostile names and values. */
export function datasetsFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const { node, pool } = dataPool(cfg);
    const bootNode = entries(cfg, "nodes").find(([, n]) => n.boot?.pool)?.[0];
    const [mounted] = mountedDataset(cfg);
    const root = section(cfg, "cluster").managedRoots[0] as string;
    const networks = entries(cfg, "networks");
    const subnet = networks[networks.length - 1][1].cidr as string;
    const host = `${subnet.split("/")[0].replace(/\.0$/, ".9")}/32`;
    const add = (name: string, spec: Entity) => (c: Config) =>
        (section(c, "datasets")[name] = { backup: { exclude: "a variant of the hostile generator" }, ...spec });
    const share = (value: string) => (c: Config) =>
        (section(c, "datasets")[mounted].properties = { ...section(c, "datasets")[mounted].properties, sharenfs: value });
    const mountpoint = (mp: string, extraRoot?: string) => (c: Config) => {
        if (extraRoot) section(c, "cluster").managedRoots.push(extraRoot);
        section(c, "datasets")[mounted].properties = { ...section(c, "datasets")[mounted].properties, mountpoint: mp };
    };
    const sharenfs = `datasets["${mounted}"].properties.sharenfs`;
    const backups = section(cfg, "backups");
    const pbsTarget = section(cfg, "storages")[backups.target]?.kind === "pbs";
    const tier = Object.keys(backups.tiers ?? {})[0] as string | undefined;
    const edits: Edit[] = [
        ...(bootNode
            ? ["rpool/ROOT", "rpool/ROOT/pve-1", "rpool/ROOT/pve-1/var", "rpool/data", "rpool/data/vm-100-disk-0"].map((name): Edit => ({
                  what: `dataset ${name}`,
                  expect: "dangerous",
                  path: `datasets["${name}"]`,
                  edit: add(name, { node: bootNode, properties: {} }),
              }))
            : []),
        ...[
            "rpool",
            pool,
            `${pool}/a;rm -rf /`,
            `${pool}/a b`,
            `${pool}/a@snap`,
            `${pool}/a%b`,
            `${pool}/../x`,
            `${pool}//x`,
            `${pool}/x/`,
            `${pool}/$(id)`,
            `${pool}/${"x".repeat(300)}`,
        ].map((name): Edit => ({
            what: `dataset ${JSON.stringify(name.slice(0, 60))}`,
            expect: "refused",
            edit: add(name, { node, properties: {} }),
        })),
        ...["/etc", "/", "/var/lib/pve-cluster", "/usr/lib", "/boot", "/root/.ssh"].map((mp): Edit => ({
            what: `mountpoint ${mp}`,
            expect: "dangerous",
            path: `datasets["${mounted}"].properties.mountpoint`,
            edit: mountpoint(mp),
        })),
        // A parent of system paths shadows them all, even where the operator made it a managed root.
        ...["/var", "/var/lib"].map((mp): Edit => ({
            what: `mountpoint ${mp} (a managed root too)`,
            expect: "dangerous",
            path: `datasets["${mounted}"].properties.mountpoint`,
            edit: mountpoint(mp, mp),
        })),
        { what: "mountpoint outside the managed roots", expect: "refused", edit: mountpoint("/home/data") },
        { what: "sharenfs on", expect: "dangerous", path: sharenfs, edit: share("on") },
        { what: "sharenfs rw to everyone", expect: "dangerous", path: sharenfs, edit: share("rw") },
        { what: "sharenfs rw=*", expect: "dangerous", path: sharenfs, edit: share("rw=*") },
        {
            what: "sharenfs to 0.0.0.0/0 with no_root_squash",
            expect: "dangerous",
            path: sharenfs,
            edit: share("rw=@0.0.0.0/0,no_root_squash"),
        },
        { what: "sharenfs no_root_squash to a subnet", expect: "dangerous", path: sharenfs, edit: share(`rw=@${subnet},no_root_squash`) },
        { what: "sharenfs to a subnet outside the inventory", expect: "dangerous", path: sharenfs, edit: share("rw=@10.99.0.0/16") },
        { what: "sharenfs to a host name", expect: "free", edit: share("rw=@backup.example.org") },
        { what: "sharenfs with a shell payload", expect: "refused", path: sharenfs, edit: share("rw=@1.2.3.4;reboot") },
        { what: "sharenfs to a host of the inventory", expect: "free", edit: share(`rw=@${host}`) },
        { what: "sharenfs read-only to a subnet", expect: "free", edit: share(`ro=@${subnet}`) },
        ...["4X", "-1G", "1e3G", "99999999999999999999T"].map((q): Edit => ({
            what: `quota ${q}`,
            expect: "refused",
            edit: (c) => (section(c, "datasets")[mounted].properties.quota = q),
        })),
        { what: "recordsize 3K", expect: "refused", edit: (c) => (section(c, "datasets")[mounted].properties.recordsize = "3K") },
        {
            what: "an unknown ZFS property",
            expect: "refused",
            edit: (c) => (section(c, "datasets")[mounted].properties["com.sun:auto-snapshot"] = "true"),
        },
        {
            what: "owner uid -1",
            expect: "refused",
            edit: (c) => (section(c, "datasets")[mounted].owner = { ...section(c, "datasets")[mounted].owner, uid: -1 }),
        },
        {
            what: "owner uid 2^32",
            expect: "refused",
            edit: (c) => (section(c, "datasets")[mounted].owner = { ...section(c, "datasets")[mounted].owner, uid: 4294967296 }),
        },
        {
            what: "owner mode 7777",
            expect: "free",
            edit: (c) => (section(c, "datasets")[mounted].owner = { ...section(c, "datasets")[mounted].owner, mode: "7777" }),
        },
        {
            what: "owner mode 0777; rm",
            expect: "refused",
            edit: (c) => (section(c, "datasets")[mounted].owner = { ...section(c, "datasets")[mounted].owner, mode: "0777; rm" }),
        },
        {
            what: "a mount into an unknown guest",
            expect: "refused",
            edit: (c) => section(c, "datasets")[mounted].mounts.push({ guest: "nobody", path: "/mnt/nobody" }),
        },
        {
            what: "the same mount path twice",
            expect: "refused",
            edit: (c) => section(c, "datasets")[mounted].mounts.push({ ...section(c, "datasets")[mounted].mounts[0] }),
        },
        ...["/mnt/a,b", "/mnt/a=b", "/mnt/a\tb"].map((p): Edit => ({
            what: `a mount path ${JSON.stringify(p)} in the guest (Proxmox splits mp options on , and =)`,
            expect: "refused",
            path: `datasets["${mounted}"].mounts[0].path`,
            edit: (c) => (section(c, "datasets")[mounted].mounts[0].path = p),
        })),
        { what: "a mount at /etc in the guest", expect: "refused", edit: (c) => (section(c, "datasets")[mounted].mounts[0].path = "/etc") },
        {
            what: `a dataset on a node without pool ${pool}`,
            expect: "refused",
            edit: add(`${pool}/elsewhere`, { node: entries(cfg, "nodes").find(([n]) => n !== node)?.[0] ?? "nowhere", properties: {} }),
        },
        { what: "a dataset on an unknown node", expect: "refused", edit: add(`${pool}/lost`, { node: "nowhere", properties: {} }) },
        {
            what: "two datasets whose backups share a name (tank/a-b and tank-a/b)",
            // Backed up to PBS, both would be the unit and backup group <pool>-a-b: one overwrites the other.
            expect: pbsTarget && tier ? "refused" : "free",
            ...(pbsTarget && tier ? { path: `datasets["${pool}-a/b"]` } : {}),
            edit: (c) => {
                section(c, "nodes")[node].pools.push(`${pool}-a`);
                section(c, "cluster").managedRoots.push(`/${pool}-a`);
                const backup = tier ? { tier } : { exclude: "a variant of the hostile generator" };
                section(c, "datasets")[`${pool}/a-b`] = { node, backup, properties: {} };
                section(c, "datasets")[`${pool}-a/b`] = { node, backup, properties: {} };
            },
        },
        {
            what: "a new dataset under a managed root",
            expect: "free",
            edit: add(`${pool}/extra`, { node, properties: { mountpoint: `${root}/extra` } }),
        },
    ];
    return edits;
}

/** Devices passed into a container, and id maps. */
export function devicesFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const [ct] = unprivilegedContainer(cfg);
    const device = (p: string) => (c: Config) => (section(c, "guests")[ct].devices = [{ path: p }]);
    const at = `guests.${ct}.devices[0].path`;
    const allowed = [
        "/dev/dri/renderD129",
        "/dev/dri/card0",
        "/dev/net/tun",
        "/dev/bus/usb/001/004",
        "/dev/ttyUSB0",
        "/dev/ttyACM1",
        "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0",
        "/dev/apex_0",
    ];
    const dangerous = [
        "/dev/sda",
        "/dev/sda1",
        "/dev/nvme0n1",
        "/dev/nvme0n1p3",
        "/dev/zfs",
        "/dev/mem",
        "/dev/kmem",
        "/dev/port",
        "/dev/dri/../sda",
        "/dev/dri/../../etc/shadow",
        "/dev/disk/by-id/ata-WDC_WD40EFRX",
        "/dev/mapper/pve-root",
        "/dev/dm-0",
        "/dev/loop0",
        "/dev/sg0",
        "/dev/kvm",
        "/dev/vfio/vfio",
        "/dev/cpu/0/msr",
        "/dev/input/event0",
        "/dev/console",
        "/dev/tty0",
        "/dev/hidraw0",
        "/dev/bus/usb/../../sda",
        "/dev/serial/by-id/../../../dev/sda",
    ];
    const idmap = (uid: number, gid: number) => (c: Config) =>
        (section(c, "guests")[ct].idmap = [
            { type: "uid", containerId: 0, hostId: uid, size: 65536 },
            { type: "gid", containerId: 0, hostId: gid, size: 65536 },
        ]);
    return [
        ...allowed.map((p): Edit => ({ what: `device ${p}`, expect: "free", edit: device(p) })),
        ...dangerous.map((p): Edit => ({ what: `device ${p}`, expect: "dangerous", path: at, edit: device(p) })),
        ...["dev/sda", "/dev/", "/etc/shadow", "/dev/dri/renderD128;reboot", "/dev/dri/$(id)", `/dev/${"x".repeat(300)}`].map(
            (p): Edit => ({ what: `device ${JSON.stringify(p.slice(0, 60))}`, expect: "refused", path: at, edit: device(p) }),
        ),
        { what: "container root mapped to host root", expect: "dangerous", path: `guests.${ct}.idmap[0]`, edit: idmap(0, 0) },
        { what: "container root mapped to host uid 1000", expect: "dangerous", path: `guests.${ct}.idmap[0]`, edit: idmap(1000, 100000) },
        { what: "container root mapped to host gid 0", expect: "dangerous", path: `guests.${ct}.idmap[1]`, edit: idmap(100000, 0) },
        { what: "container root mapped to 100000", expect: "free", edit: idmap(100000, 100000) },
        {
            what: "an idmap without a gid range",
            expect: "refused",
            edit: (c) => (section(c, "guests")[ct].idmap = [{ type: "uid", containerId: 0, hostId: 100000, size: 65536 }]),
        },
        { what: "a privileged container without a reason", expect: "refused", edit: (c) => (section(c, "guests")[ct].privileged = {}) },
        {
            what: "a privileged container with a short reason",
            expect: "refused",
            edit: (c) => (section(c, "guests")[ct].privileged = { reason: "because" }),
        },
        { what: "an unknown USB mapping", expect: "refused", edit: (c) => (section(c, "guests")[ct].devices = [{ usb: "nothing" }]) },
        {
            what: "a device gid 70000",
            expect: "refused",
            edit: (c) => (section(c, "guests")[ct].devices = [{ path: "/dev/net/tun", gid: 70000 }]),
        },
    ];
}

/** Storages judged by what they are: their path or pool, not their id. */
export function storagesFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const [guest, g] = ordinaryGuest(cfg);
    const add = (id: string, spec: Entity) => (c: Config) => (section(c, "storages")[id] = spec);
    const dir = (p: string, extra: Entity = {}) => add("vmstore", { kind: "dir", path: p, content: ["images", "rootdir"], ...extra });
    const disk = g.kind === "lxc" ? `guests.${guest}.disk.storage` : `guests.${guest}.disks[0].storage`;
    const useStorage = (id: string) => (c: Config) => {
        const x = section(c, "guests")[guest];
        if (x.kind === "lxc") x.disk.storage = id;
        else x.disks[0].storage = id;
    };
    return [
        ...["/var/lib/vz", "/var/lib/vz/", "/", "/etc/pve", "/var/lib/pve-cluster", "/boot", "/root"].map((p): Edit => ({
            what: `a directory storage at ${p}`,
            expect: "dangerous",
            path: "storages.vmstore.path",
            edit: dir(p),
        })),
        ...["/var/lib/vz", "/"].map((p): Edit => ({
            what: `an existing directory storage at ${p} holding guest disks`,
            expect: "dangerous",
            edit: dir(p, { managed: false }),
        })),
        {
            what: `guest ${guest} on an existing directory storage at /var/lib/vz`,
            expect: "dangerous",
            path: disk,
            edit: (c) => {
                dir("/var/lib/vz", { managed: false, content: ["images", "rootdir"] })(c);
                section(c, "storages").vmstore.content = ["iso"];
                useStorage("vmstore")(c);
            },
        },
        { what: `guest ${guest} on local`, expect: "dangerous", path: disk, edit: useStorage("local") },
        { what: `guest ${guest} on an unknown storage`, expect: "refused", path: disk, edit: useStorage("nowhere") },
        // The root file system of a node booting from ZFS.
        ...(entries(cfg, "nodes").some(([, n]) => n.boot?.pool === "rpool") ? ["rpool/ROOT", "rpool/ROOT/pve-1"] : []).map(
            (pool): Edit => ({
                what: `a ZFS storage on ${pool}`,
                expect: "dangerous",
                path: "storages.vmzfs.pool",
                edit: add("vmzfs", { kind: "zfspool", pool, content: ["images", "rootdir"] }),
            }),
        ),
        {
            what: "a second ZFS storage on rpool/data",
            expect: "refused",
            edit: add("vmzfs", { kind: "zfspool", pool: "rpool/data", content: ["images"] }),
        },
        {
            what: "no storage with snippets content",
            // The cloud-init user data of a VM is uploaded as a snippet.
            expect: entries(cfg, "guests").some(([, x]) => x.kind === "vm" && x.cloudInit) ? "refused" : "free",
            edit: (c) => {
                for (const [, st] of entries(c, "storages")) st.content = (st.content as string[]).filter((x) => x !== "snippets");
            },
        },
        { what: "an unknown storage kind", expect: "refused", edit: add("weird", { kind: "iscsi", content: ["images"] }) },
        { what: "a managed cephfs storage", expect: "refused", edit: add("cfs", { kind: "cephfs", content: ["iso"] }) },
        {
            what: "an NFS export with ..",
            expect: "refused",
            edit: add("nas", { kind: "nfs", server: "192.168.1.5", export: "/export/../etc", content: ["iso"] }),
        },
        {
            what: "an NFS server with a payload",
            expect: "refused",
            edit: add("nas", { kind: "nfs", server: "nas;reboot", export: "/export", content: ["iso"] }),
        },
        {
            what: "a CIFS share with a payload",
            expect: "refused",
            edit: add("smb", { kind: "cifs", server: "192.168.1.5", share: "x$(id)", username: "u", content: ["iso"] }),
        },
        {
            what: "a PBS fingerprint of 31 pairs",
            expect: "refused",
            edit: add("pbs2", {
                kind: "pbs",
                server: "192.168.1.6",
                datastore: "x",
                fingerprint: Array(31).fill("AB").join(":"),
                content: ["backup"],
            }),
        },
        {
            what: "a storage on an unknown node",
            expect: "refused",
            edit: add("usb", { kind: "dir", path: "/mnt/usb", content: ["backup"], nodes: ["nowhere"] }),
        },
        {
            what: "a directory storage on a data path",
            expect: "free",
            edit: add("usb2", { kind: "dir", path: "/mnt/usb2", content: ["backup"] }),
        },
    ];
}
