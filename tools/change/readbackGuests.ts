/**
 * What the provider (bpg v0.111.1) reads back after importing a container (`container/container.go`
 * containerRead) or a VM (`vm/vm.go` vmReadCustom, vmReadPrimitiveValues, `vm/disk/disk.go` Read):
 * the attributes the program sets or whose default it could differ from, with the provider's
 * handling of an unset key. Config keys these models do not know are unverified.
 */
import {
    VM_CLOUD_INIT_KEYS,
    VM_NIC_MODELS,
    driveKind,
    indexedKeys,
    parsePropertyString,
    parseIdmap,
    parseStartup,
    parseTags,
    pveBool,
    pveNumber,
    sizeGiB,
    vmDriveKey,
    volumeStorage,
} from "../../lib/pveConfig";
import { ClusterSnapshot, GuestConfig, GuestRead } from "../fromCluster/types";
import { COMPUTED, Missing, ReadBack } from "./readback";

const LXC_READ = new Set([
    "arch", "cmode", "console", "cores", "cpulimit", "cpuunits", "description", "digest", "entrypoint", "env", "features", "hookscript",
    "hostname", "lxc", "memory", "nameserver", "onboot", "ostype", "protection", "rootfs", "searchdomain", "startup", "swap", "tags",
    "template", "tty", "unprivileged",
]); // prettier-ignore
const VM_READ = new Set([
    "acpi", "affinity", "agent", "args", "balloon", "bios", "boot", "cores", "cpu", "cpulimit", "cpuunits", "description", "digest",
    "efidisk0", "hookscript", "hotplug", "keyboard", "machine", "memory", "meta", "name", "numa", "onboot", "ostype", "protection",
    "scsihw", "smbios1", "sockets", "startup", "tablet", "tags", "template", "tpmstate0", "vcpus", "vga", "vmgenid",
]); // prettier-ignore

/** The guest an import id `<node>/<vmid>` names, of the expected kind. */
function guestOf(id: string, kind: "lxc" | "qemu", snapshot: ClusterSnapshot): GuestRead | Missing {
    const [node, vmid] = id.split("/");
    const g = snapshot.guests[vmid];
    if (g === undefined || g.resource.node !== node || g.resource.type !== kind)
        return { missing: `no ${kind === "lxc" ? "container" : "VM"} ${vmid} on node ${node} in the snapshot` };
    if (g.config === undefined) return { missing: `the config of ${kind === "lxc" ? "container" : "VM"} ${vmid} was not read` };
    return g;
}

function unknownKeys(c: GuestConfig, known: ReadonlySet<string>, indexed: RegExp): string[] {
    return Object.keys(c)
        .filter((k) => !known.has(k) && !indexed.test(k))
        .map((k) => `config key "${k}"`);
}

const STARTUP_DEFAULTS = { order: -1, upDelay: -1, downDelay: -1 };

function startupOf(value: unknown): Record<string, number> | null {
    if (value === undefined) return null;
    const s = parseStartup(String(value));
    return { order: s.order ?? -1, upDelay: s.up ?? -1, downDelay: s.down ?? -1 };
}

/** The container model. */
export function containerReadBack(id: string, snapshot: ClusterSnapshot): ReadBack | Missing {
    const g = guestOf(id, "lxc", snapshot);
    if ("missing" in g) return g;
    const c = g.config!;
    const rootfs = c.rootfs !== undefined ? parsePropertyString(String(c.rootfs), "volume") : undefined;
    const features = parsePropertyString(String(c.features ?? ""));
    const nets = indexedKeys(c, "net").map((k) => parsePropertyString(String(c[k]), "name"));
    const nameserver =
        c.nameserver !== undefined
            ? String(c.nameserver)
                  .split(" ")
                  .filter((s) => s !== "")
            : undefined;
    const env = parsePropertyString(
        String(c.env ?? "")
            .split("\0")
            .join(","),
    );
    const values: Record<string, unknown> = {
        nodeName: g.resource.node,
        vmId: g.resource.vmid,
        description: c.description ?? "",
        unprivileged: pveBool(c.unprivileged) === true,
        protection: pveBool(c.protection) === true,
        startOnBoot: pveBool(c.onboot) === true,
        started: g.resource.status === "running",
        template: pveBool(c.template) === true,
        tags: parseTags(c.tags as string | undefined),
        hookScriptFileId: c.hookscript ?? "",
        poolId: g.resource.pool ?? "",
        console: { enabled: pveBool(c.console) ?? true, type: c.cmode ?? "tty", ttyCount: pveNumber(c.tty) ?? 2 },
        cpu: {
            architecture: c.arch ?? "amd64",
            cores: pveNumber(c.cores) ?? 1,
            limit: pveNumber(c.cpulimit) ?? 0,
            units: pveNumber(c.cpuunits) ?? 0,
        },
        disk: rootfs
            ? {
                  datastoreId: volumeStorage(rootfs.volume ?? "") ?? "",
                  size: rootfs.size !== undefined ? (sizeGiB(rootfs.size) ?? 0) : 0,
                  acl: pveBool(rootfs.acl) === true,
                  quota: pveBool(rootfs.quota) === true,
                  replicate: pveBool(rootfs.replicate) === true,
                  mountOptions: rootfs.mountoptions !== undefined ? rootfs.mountoptions.split(";") : [],
              }
            : { datastoreId: "local", size: 4 },
        memory: { dedicated: pveNumber(c.memory) ?? 0, swap: pveNumber(c.swap) ?? 0 },
        features: {
            nesting: pveBool(features.nesting) === true,
            keyctl: pveBool(features.keyctl) === true,
            fuse: pveBool(features.fuse) === true,
            mknod: pveBool(features.mknod) === true,
            mounts: features.mount ? features.mount.split(";") : [],
        },
        devicePassthroughs: indexedKeys(c, "dev").map((k) => {
            const d = parsePropertyString(String(c[k]), "path");
            return {
                path: d.path ?? "",
                gid: pveNumber(d.gid) ?? 0,
                uid: pveNumber(d.uid) ?? 0,
                mode: d.mode ?? "0660",
                denyWrite: pveBool(d["deny-write"]) === true,
            };
        }),
        idmaps: parseIdmap(c.lxc).entries.map((e) => ({ type: e.type, containerId: e.containerId, hostId: e.hostId, size: e.size })),
        initialization: {
            hostname: c.hostname ?? "",
            entrypoint: c.entrypoint ?? "",
            dns:
                nameserver !== undefined || c.searchdomain !== undefined
                    ? { domain: c.searchdomain ?? "", servers: nameserver ?? [] }
                    : null,
            ipConfigs: nets
                .filter((n) => n.ip !== undefined || n.gw !== undefined || n.ip6 !== undefined || n.gw6 !== undefined)
                .map((n) => ({
                    ...(n.ip !== undefined || n.gw !== undefined ? { ipv4: { address: n.ip ?? "", gateway: n.gw ?? "" } } : {}),
                    ...(n.ip6 !== undefined || n.gw6 !== undefined ? { ipv6: { address: n.ip6 ?? "", gateway: n.gw6 ?? "" } } : {}),
                })),
        },
        networkInterfaces: nets.map((n) => ({
            name: n.name ?? "",
            enabled: true,
            bridge: n.bridge ?? "",
            firewall: pveBool(n.firewall) === true,
            hostManaged: pveBool(n["host-managed"]) === true,
            mtu: pveNumber(n.mtu) ?? 0,
            rateLimit: pveNumber(n.rate) ?? 0,
            vlanId: pveNumber(n.tag) ?? 0,
        })),
        startup: startupOf(c.startup),
        environmentVariables: Object.fromEntries(Object.entries(env).filter(([k]) => k !== "_")),
        operatingSystem: c.ostype !== undefined && c.ostype !== "unmanaged" ? { type: c.ostype, templateFileId: "" } : null,
    };
    return {
        values,
        defaults: {
            description: "",
            tags: [],
            hookScriptFileId: "",
            poolId: "",
            console: { enabled: true, type: "tty", ttyCount: 2 },
            cpu: { architecture: "amd64", cores: 1, limit: 0, units: COMPUTED },
            disk: { acl: false, quota: false, replicate: false, mountOptions: [] },
            memory: { dedicated: 512, swap: 0 },
            features: { nesting: false, keyctl: false, fuse: false, mknod: false, mounts: [] },
            devicePassthroughs: [{ gid: 0, uid: 0, mode: "0660", denyWrite: false }],
            idmaps: [],
            initialization: { hostname: "", entrypoint: "", ipConfigs: [] },
            networkInterfaces: [{ enabled: true, bridge: "vmbr0", firewall: false, hostManaged: false, mtu: 0, rateLimit: 0, vlanId: 0 }],
            startup: STARTUP_DEFAULTS,
            environmentVariables: {},
            unprivileged: false,
            protection: false,
            startOnBoot: true,
            template: false,
            started: true,
        },
        unverified: unknownKeys(c, LXC_READ, /^(?:net|mp|dev)\d+$/),
    };
}

/** A volume's format when the config names none, as the storage answers the provider: from its file, else raw. */
function formatOf(volume: string): string {
    return /\.(qcow2|vmdk)$/.exec(volume)?.[1] ?? "raw";
}

/** A VM disk as the provider reads it (interface, storage, size in whole GiB, each option or its default). */
function vmDisk(key: string, value: string): Record<string, unknown> {
    const d = parsePropertyString(value, "file");
    const file = d.file ?? "";
    const storage = volumeStorage(file);
    const format = d.format ?? (storage === undefined ? null : formatOf(file));
    return {
        interface: key,
        datastoreId: storage ?? "",
        pathInDatastore: storage === undefined ? file : file.slice(storage.length + 1),
        fileFormat: format,
        size: d.size !== undefined ? (sizeGiB(d.size) ?? 0) : 0,
        aio: d.aio ?? "io_uring",
        backup: d.backup === undefined ? true : pveBool(d.backup) === true,
        iothread: pveBool(d.iothread) === true,
        queues: pveNumber(d.queues) ?? 0,
        replicate: d.replicate === undefined ? true : pveBool(d.replicate) === true,
        serial: d.serial ?? "",
        ssd: pveBool(d.ssd) === true,
        discard: d.discard ?? "ignore",
        cache: d.cache ?? "none",
    };
}

/** The VM model. */
export function vmReadBack(id: string, snapshot: ClusterSnapshot): ReadBack | Missing {
    const g = guestOf(id, "qemu", snapshot);
    if ("missing" in g) return g;
    const c = g.config!;
    const drives = Object.keys(c).filter((k) => vmDriveKey(k) !== undefined);
    const diskKeys = drives.filter((k) => driveKind(String(c[k])) === "disk" && !String(c[k]).startsWith("none")).sort();
    const agent = c.agent !== undefined ? parsePropertyString(String(c.agent), "enabled") : undefined;
    const cpu = parsePropertyString(String(c.cpu ?? ""), "cputype");
    const efi = c.efidisk0 !== undefined ? parsePropertyString(String(c.efidisk0), "file") : undefined;
    const tpm = c.tpmstate0 !== undefined ? parsePropertyString(String(c.tpmstate0), "file") : undefined;
    // After an import the provider looks for the CD drive on its default interface, ide3 (P35).
    const ide3 = c.ide3 !== undefined && driveKind(String(c.ide3)) === "cdrom" ? parsePropertyString(String(c.ide3), "file") : undefined;
    const vga = c.vga !== undefined ? parsePropertyString(String(c.vga), "type") : {};
    const cloudInit = VM_CLOUD_INIT_KEYS.some((k) => c[k] !== undefined);
    const unverified = unknownKeys(c, new Set([...VM_READ, ...VM_CLOUD_INIT_KEYS]), /^(?:net|scsi|virtio|sata|ide|hostpci|usb|serial)\d+$/);
    if (cloudInit) unverified.push("initialization (cloud-init): not modelled; the import shows the program's initialization against it");
    const values: Record<string, unknown> = {
        nodeName: g.resource.node,
        vmId: g.resource.vmid,
        name: c.name ?? "",
        description: c.description ?? "",
        tags: parseTags(c.tags as string | undefined),
        template: pveBool(c.template) === true,
        ...(pveBool(c.template) ? {} : { started: g.resource.status === "running" }),
        onBoot: pveBool(c.onboot) === true,
        protection: pveBool(c.protection) === true,
        bios: c.bios ?? "seabios",
        machine: c.machine ?? "",
        acpi: pveBool(c.acpi) ?? true,
        kvmArguments: String(c.args ?? "").trim(),
        keyboardLayout: c.keyboard ?? "en-us",
        tabletDevice: pveBool(c.tablet) ?? true,
        hookScriptFileId: c.hookscript ?? "",
        scsiHardware: c.scsihw ?? "",
        poolId: g.resource.pool ?? "",
        bootOrders: c.boot !== undefined ? (parsePropertyString(String(c.boot), "legacy").order?.split(";") ?? null) : null,
        agent: agent
            ? {
                  enabled: pveBool(agent.enabled) === true,
                  trim: pveBool(agent.fstrim_cloned_disks) === true,
                  type: agent.type ?? "virtio",
                  timeout: "15m",
              }
            : null,
        cdrom: ide3 ? { fileId: ide3.file ?? "", interface: "ide3" } : null,
        cpu: {
            architecture: c.arch ?? "",
            cores: pveNumber(c.cores) ?? 1,
            hotplugged: pveNumber(c.vcpus) ?? 0,
            limit: pveNumber(c.cpulimit) ?? 0,
            numa: pveBool(c.numa) === true,
            sockets: pveNumber(c.sockets) ?? 1,
            flags: cpu.flags !== undefined ? cpu.flags.split(";") : [],
            type: cpu.cputype ?? "qemu64",
            units: pveNumber(c.cpuunits) ?? 0,
            affinity: c.affinity ?? "",
        },
        memory: {
            dedicated: pveNumber(parsePropertyString(String(c.memory ?? ""), "current").current) ?? 0,
            floating: pveNumber(c.balloon) ?? 0,
            shared: 0,
            hugepages: "",
            keepHugepages: false,
        },
        disks: diskKeys.map((k) => vmDisk(k, String(c[k]))),
        efiDisk: efi
            ? {
                  datastoreId: volumeStorage(efi.file ?? "") ?? "",
                  fileFormat: efi.format ?? formatOf(efi.file ?? ""),
                  type: efi.efitype ?? "2m",
                  preEnrolledKeys: pveBool(efi["pre-enrolled-keys"]) === true,
              }
            : null,
        tpmState: tpm ? { datastoreId: volumeStorage(tpm.file ?? "") ?? "", version: tpm.version || "v2.0" } : null,
        hostpcis: indexedKeys(c, "hostpci")
            .map((k) => ({ k, p: parsePropertyString(String(c[k]), "host") }))
            .filter(({ p }) => p.host !== undefined || p.mapping !== undefined)
            .map(({ k, p }) => ({
                device: k,
                id: p.host ?? "",
                mdev: p.mdev ?? "",
                pcie: pveBool(p.pcie) === true,
                rombar: p.rombar === undefined ? true : pveBool(p.rombar) === true,
                romFile: p.romfile ?? "",
                xvga: pveBool(p["x-vga"]) === true,
                mapping: p.mapping ?? "",
            })),
        usbs: indexedKeys(c, "usb").map((k) => {
            const p = parsePropertyString(String(c[k]), "host");
            return { host: p.host ?? "", usb3: pveBool(p.usb3) === true, mapping: p.mapping ?? "" };
        }),
        networkDevices: indexedKeys(c, "net").map((k) => {
            const n = parsePropertyString(String(c[k]), "model");
            const model = VM_NIC_MODELS.find((m) => n[m] !== undefined) ?? n.model ?? "";
            return {
                model,
                bridge: n.bridge ?? "",
                enabled: true,
                firewall: pveBool(n.firewall) === true,
                vlanId: pveNumber(n.tag) ?? 0,
                mtu: pveNumber(n.mtu) ?? 0,
                queues: pveNumber(n.queues) ?? 0,
                rateLimit: pveNumber(n.rate) ?? 0,
                trunks: n.trunks ?? "",
                disconnected: pveBool(n.link_down) === true,
            };
        }),
        operatingSystem: c.ostype !== undefined && c.ostype !== "other" ? { type: c.ostype } : null,
        serialDevices: indexedKeys(c, "serial").map((k) => ({ device: String(c[k]) })),
        startup: startupOf(c.startup),
        vga: { type: vga.type ?? "std", memory: pveNumber(vga.memory) ?? 16, clipboard: vga.clipboard ?? "" },
    };
    if (Object.keys(parsePropertyString(String(c.smbios1 ?? ""))).some((k) => k !== "uuid"))
        unverified.push('config key "smbios1" beyond its uuid');
    return {
        values,
        defaults: {
            description: "",
            tags: [],
            template: false,
            started: true,
            onBoot: true,
            protection: false,
            bios: "seabios",
            machine: "",
            acpi: true,
            kvmArguments: "",
            keyboardLayout: "en-us",
            tabletDevice: true,
            hookScriptFileId: "",
            scsiHardware: "virtio-scsi-pci",
            poolId: "",
            agent: { timeout: "15m" },
            cpu: {
                architecture: "",
                cores: 1,
                hotplugged: 0,
                limit: 0,
                numa: false,
                sockets: 1,
                flags: [],
                type: "qemu64",
                units: COMPUTED,
                affinity: "",
            },
            memory: { dedicated: 512, floating: 0, shared: 0, hugepages: "", keepHugepages: false },
            disks: [
                {
                    pathInDatastore: COMPUTED,
                    fileFormat: COMPUTED,
                    aio: "io_uring",
                    backup: true,
                    iothread: false,
                    queues: 0,
                    replicate: true,
                    serial: "",
                    ssd: false,
                    discard: "ignore",
                    cache: "none",
                },
            ],
            efiDisk: { fileFormat: "raw" },
            hostpcis: [{ id: "", mdev: "", romFile: "", xvga: false, rombar: true }],
            usbs: [{ host: "", usb3: false }],
            networkDevices: [
                {
                    enabled: true,
                    mtu: 0,
                    queues: 0,
                    rateLimit: 0,
                    vlanId: 0,
                    trunks: "",
                    disconnected: false,
                    model: "virtio",
                    bridge: "vmbr0",
                    firewall: false,
                },
            ],
            serialDevices: [],
            startup: STARTUP_DEFAULTS,
            vga: { type: "std", memory: 16, clipboard: "" },
        },
        unverified,
    };
}
