/**
 * Which guests need what Proxmox reserves for `root@pam`, and the host bind mounts a container
 * gets from the inventory's datasets. Pure: the providers, the components, the policies and the
 * tools share it.
 *
 * Proxmox refuses these to an API token, whatever its privileges (pve-container and qemu-server
 * check for `root@pam` itself): container bind mounts of a host path, container feature flags
 * other than `nesting`, raw device nodes passed into a container, and raw PCI ids in a VM.
 * PCI/USB passthrough through a hardware mapping only needs `Mapping.Use`, so a VM never needs
 * root here (the schema has no raw PCI ids).
 *
 * A container's `idmap` is no reason either: the API cannot write `lxc.idmap` entries at all (for
 * root or anyone), so the provider writes them to the container's config file over SSH, and both
 * providers carry the same SSH login to the nodes (`providerSsh`).
 */
import { datasetMountpoint } from "../config/crosschecks";
import { GuestSpec, Inventory } from "../config/schema";

/** A host directory bind-mounted into a container. */
export interface BindMount {
    /** Absolute path on the node (the dataset's mountpoint). */
    readonly hostPath: string;
    /** Absolute path inside the container. */
    readonly containerPath: string;
    /** Mounted read-only. */
    readonly readOnly: boolean;
}

/**
 * Whether a container gets `keyctl`: Docker needs it, and Proxmox only honours it on
 * unprivileged containers ("keyctl: for unprivileged containers only", pct.conf(5)), so a
 * privileged Docker container gets `nesting` alone.
 */
export function wantsKeyctl(guest: GuestSpec): boolean {
    return guest.kind === "lxc" && guest.docker && guest.privileged === undefined;
}

/**
 * Why a guest needs the `root@pam` connection; empty means the API token is enough.
 * `mountCount` is the number of host bind mounts the container gets.
 */
export function rootReasons(guest: GuestSpec, mountCount: number): string[] {
    if (guest.kind !== "lxc") return [];
    const reasons: string[] = [];
    if (mountCount > 0) reasons.push(`${mountCount} host bind mount${mountCount === 1 ? "" : "s"}`);
    if (wantsKeyctl(guest)) reasons.push("feature flag keyctl (Docker)");
    if (guest.devices.length > 0) reasons.push(`device passthrough of ${guest.devices.map((d) => d.path).join(", ")}`);
    return reasons;
}

/** A bind mount of a dataset into a container, with the dataset it comes from (for `dependsOn`). */
export interface DatasetMount extends BindMount {
    /** Dataset name: the key of `deployDatasets`' result. */
    readonly dataset: string;
}

/** Every guest's dataset mounts in one pass over the inventory, each list sorted by container path. */
export function datasetMountsByGuest(inv: Inventory): Map<string, DatasetMount[]> {
    const byGuest = new Map<string, DatasetMount[]>();
    for (const [path, ds] of Object.entries(inv.datasets)) {
        const hostPath = datasetMountpoint(path, ds.properties.mountpoint);
        for (const m of ds.mounts) {
            const list = byGuest.get(m.guest) ?? [];
            list.push({ hostPath, containerPath: m.path, readOnly: m.readOnly, dataset: path });
            byGuest.set(m.guest, list);
        }
    }
    for (const list of byGuest.values()) list.sort((a, b) => a.containerPath.localeCompare(b.containerPath));
    return byGuest;
}

/** The bind mounts of a container from the inventory's datasets, sorted by container path. */
export function guestBindMounts(inv: Inventory, guest: string): BindMount[] {
    if (inv.guests[guest]?.kind !== "lxc") return [];
    return (datasetMountsByGuest(inv).get(guest) ?? []).map(({ hostPath, containerPath, readOnly }) => ({
        hostPath,
        containerPath,
        readOnly,
    }));
}

/** Guests of the inventory that need `root@pam`, with their reasons (guests that do not are left out). */
export function guestsNeedingRoot(inv: Inventory): Record<string, string[]> {
    const mounts = datasetMountsByGuest(inv);
    const out: Record<string, string[]> = {};
    for (const [name, guest] of Object.entries(inv.guests)) {
        const reasons = rootReasons(guest, guest.kind === "lxc" ? (mounts.get(name) ?? []).length : 0);
        if (reasons.length > 0) out[name] = reasons;
    }
    return out;
}
