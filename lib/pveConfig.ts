/**
 * Proxmox VE guest and node configuration as the API returns it, taken apart: property strings
 * (`name=eth0,bridge=vmbr0,ip=...`), sizes, startup order, tags, idmaps. Pure; shared by the
 * cluster reader (tools/fromCluster/) and the adoption view's model of what the provider reads
 * back (tools/change/readback.ts), so both read a config the same way.
 *
 * The shapes follow pve-common `PVE::JSONSchema::parse_property_string` (comma-separated
 * `key=value` pairs, a bare first value for the format's default key) and the provider's own
 * parsers (bpg `proxmox/nodes/containers/containers_types.go`, `proxmox/nodes/vms/vms_types.go`,
 * `proxmox/types/disk_size.go`), which the provider uses to read a guest back after an import.
 */

/** A property string as key → value; a bare item (no `=`) is stored under `defaultKey`. */
export function parsePropertyString(value: string, defaultKey = "_"): Record<string, string> {
    const out: Record<string, string> = {};
    for (const item of value.split(",")) {
        const part = item.trim();
        if (part === "") continue;
        const eq = part.indexOf("=");
        if (eq < 0) out[defaultKey] = part;
        else out[part.slice(0, eq)] = part.slice(eq + 1);
    }
    return out;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * Bytes of a Proxmox size (`8G`, `512M`, `1.5T`, `32`), rounded up like the provider's
 * `ParseDiskSize`; undefined when it is not a size.
 */
export function sizeBytes(size: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)([KMGT])?(?:i?B)?$/i.exec(size.trim());
    if (!m) return undefined;
    return Math.ceil(Number(m[1]) * SIZE_UNITS[(m[2] ?? "").toUpperCase()]);
}

/** Whole GiB of a size, truncated: the provider's `DiskSize.InGigabytes`, which is what it reads back. */
export function sizeGiB(size: string): number | undefined {
    const bytes = sizeBytes(size);
    return bytes === undefined ? undefined : Math.floor(bytes / 1024 ** 3);
}

/** `order=1,up=30,down=60` as numbers (each part optional). */
export function parseStartup(value: string): { order?: number; up?: number; down?: number } {
    const p = parsePropertyString(value);
    const num = (v: string | undefined) => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined);
    return {
        ...(num(p.order) !== undefined ? { order: num(p.order) } : {}),
        ...(num(p.up) !== undefined ? { up: num(p.up) } : {}),
        ...(num(p.down) !== undefined ? { down: num(p.down) } : {}),
    };
}

/** Tags as Proxmox stores them (`a;b`, also `,` or space separated), trimmed, sorted: how the provider reads them back. */
export function parseTags(value: string | undefined): string[] {
    if (value === undefined) return [];
    return value
        .split(/[;, ]/)
        .map((t) => t.trim())
        .filter((t) => t !== "")
        .sort();
}

/** One `lxc.idmap` range (`u 0 100000 65536`). */
export interface IdmapEntry {
    readonly type: "uid" | "gid";
    readonly containerId: number;
    readonly hostId: number;
    readonly size: number;
}

/**
 * The `lxc.idmap` entries of a container's raw `lxc` keys (the API returns them as `[key, value]`
 * pairs); entries that do not parse are returned in `invalid`.
 */
export function parseIdmap(lxc: readonly (readonly [string, string])[] | undefined): { entries: IdmapEntry[]; invalid: string[] } {
    const entries: IdmapEntry[] = [];
    const invalid: string[] = [];
    for (const [key, value] of lxc ?? []) {
        if (key !== "lxc.idmap") continue;
        const f = value.trim().split(/\s+/);
        const nums = f.slice(1).map(Number);
        if (f.length !== 4 || (f[0] !== "u" && f[0] !== "g") || nums.some((n) => !Number.isInteger(n) || n < 0)) {
            invalid.push(value);
            continue;
        }
        entries.push({ type: f[0] === "u" ? "uid" : "gid", containerId: nums[0], hostId: nums[1], size: nums[2] });
    }
    return { entries, invalid };
}

/** Keys of a config that match `prefix<N>` (`net0`, `mp3`), ordered by N. */
export function indexedKeys(config: Readonly<Record<string, unknown>>, prefix: string): string[] {
    const index = (k: string) => (k.startsWith(prefix) && /^\d+$/.test(k.slice(prefix.length)) ? Number(k.slice(prefix.length)) : -1);
    return Object.keys(config)
        .filter((k) => index(k) >= 0)
        .sort((a, b) => index(a) - index(b));
}

/** A Proxmox boolean (`1`, `0`, true, false) as a boolean; undefined when absent. */
export function pveBool(value: unknown): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    return value === 1 || value === "1" || value === true || value === "true";
}

/** A Proxmox number (the API returns some as strings); undefined when absent or not a number. */
export function pveNumber(value: unknown): number | undefined {
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "" && !isNaN(Number(value))) return Number(value);
    return undefined;
}

/** The storage id of a volume (`local-zfs:subvol-101-disk-0` → `local-zfs`); undefined for a host path. */
export function volumeStorage(volume: string): string | undefined {
    const colon = volume.indexOf(":");
    return colon > 0 && !volume.startsWith("/") ? volume.slice(0, colon) : undefined;
}

/** VM NIC models: a `netN` value names its model as the key of the MAC address (`virtio=BC:24:...`). */
export const VM_NIC_MODELS = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3"] as const;

/** VM config keys of cloud-init (besides the `ipconfigN` keys and the cloud-init drive). */
export const VM_CLOUD_INIT_KEYS = [
    "ipconfig0",
    "nameserver",
    "searchdomain",
    "ciuser",
    "cicustom",
    "sshkeys",
    "citype",
    "ciupgrade",
] as const;

/** Bus prefixes of VM drives, in the order Proxmox lists them. */
const VM_DISK_BUSES = ["scsi", "virtio", "sata", "ide"] as const;

/** A VM drive key (`scsi0`, `virtio1`, `ide2`): its bus and index, or undefined for another key. */
export function vmDriveKey(key: string): { bus: (typeof VM_DISK_BUSES)[number]; index: number } | undefined {
    const bus = VM_DISK_BUSES.find((b) => key.startsWith(b));
    const index = bus === undefined ? "" : key.slice(bus.length);
    return bus !== undefined && /^\d+$/.test(index) ? { bus, index: Number(index) } : undefined;
}

/** Whether a VM drive value is a CD drive (`media=cdrom`) or the cloud-init drive (`...:vm-<id>-cloudinit`). */
export function driveKind(value: string): "cdrom" | "cloudinit" | "disk" {
    const p = parsePropertyString(value, "file");
    if (p.media === "cdrom") return "cdrom";
    if (/cloudinit/.test(p.file ?? "")) return "cloudinit";
    return "disk";
}
