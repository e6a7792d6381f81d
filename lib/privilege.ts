/**
 * Which guests need what Proxmox reserves for `root@pam`, and the host bind mounts a container
 * gets. Pure: the providers, the components, the policies and the tools share it.
 *
 * Proxmox refuses these to an API token, whatever its privileges (a token of root is not root@pam;
 * fact P17, pve-container `LXC.pm` `check_ct_modify_config_perm`, qemu-server / pve-storage
 * `check_volume_access`):
 * - container device passthrough (`devN`), set or removed;
 * - container feature flags other than `nesting` (`keyctl`, `fuse`, `mknod`, `mount`), and any
 *   feature flag of a privileged container; the provider sends every flag on update, so a
 *   container with any flag beyond a lone `nesting` goes through root@pam for good;
 * - a VM disk that is a host path (`/dev/disk/by-id/...`).
 * Bind mounts need root@pam too, but the program never gives them to the provider: they are set
 * with `pct set` over the node's root SSH login (which is root@pam on the node), so that adding or
 * removing a mount is an update, never a replacement of the container (P8). A container's `idmap`
 * is written by the provider to the config file over SSH: no API user is involved.
 */
import { datasetMountpoint } from "./datasets";

/** A host directory bind-mounted into a container. */
export interface BindMount {
    /** Absolute path on the node (the dataset's mountpoint, or a host mount). */
    readonly hostPath: string;
    /** Absolute path inside the container. */
    readonly containerPath: string;
    /** Mounted read-only. */
    readonly readOnly: boolean;
    /** The dataset it comes from (for `dependsOn`); absent for a host mount. */
    readonly dataset?: string;
}

/** What the privilege rules read of a guest. */
export type PrivilegeGuest =
    | {
          readonly kind: "lxc";
          readonly docker: boolean;
          readonly privileged?: unknown;
          readonly devices: readonly ({ readonly path: string } | { readonly usb: string })[];
      }
    | { readonly kind: "vm"; readonly disks: readonly ({ readonly storage: string } | { readonly device: string })[] };

/**
 * Whether a container gets `keyctl`: Docker needs it, and Proxmox only honours it on
 * unprivileged containers ("keyctl: for unprivileged containers only", pct.conf(5)), so a
 * privileged Docker container gets `nesting` alone.
 */
export function wantsKeyctl(guest: PrivilegeGuest): boolean {
    return guest.kind === "lxc" && guest.docker && guest.privileged === undefined;
}

/** The feature flags a container gets (`nesting` and `keyctl` for Docker), or undefined for none. */
export function containerFeatures(guest: PrivilegeGuest): { nesting: true; keyctl?: true } | undefined {
    if (guest.kind !== "lxc" || !guest.docker) return undefined;
    return wantsKeyctl(guest) ? { nesting: true, keyctl: true } : { nesting: true };
}

/** Why a guest's provider inputs need `root@pam`; empty means the API token is enough. */
export function rootReasons(guest: PrivilegeGuest): string[] {
    const reasons: string[] = [];
    if (guest.kind === "lxc") {
        if (guest.devices.length > 0)
            reasons.push(`device passthrough of ${guest.devices.map((d) => ("path" in d ? d.path : `USB mapping ${d.usb}`)).join(", ")}`);
        const features = containerFeatures(guest);
        if (features && guest.privileged !== undefined) reasons.push("feature flags on a privileged container (nesting)");
        else if (features?.keyctl) reasons.push("feature flag keyctl (Docker)");
    } else {
        const devices = guest.disks.flatMap((d) => ("device" in d ? [d.device] : []));
        if (devices.length > 0) reasons.push(`physical disk passthrough of ${devices.join(", ")}`);
    }
    return reasons;
}

/** What the mount computation reads of an inventory. */
export interface MountSources {
    readonly datasets: Readonly<
        Record<
            string,
            {
                readonly properties: { readonly mountpoint?: string };
                readonly mounts: readonly { readonly guest: string; readonly path: string; readonly readOnly: boolean }[];
            }
        >
    >;
    readonly guests: Readonly<
        Record<string, { readonly kind: string; readonly hostMounts?: readonly { hostPath: string; path: string; readOnly: boolean }[] }>
    >;
}

/** Every container's bind mounts (dataset mounts and host mounts) in one pass, each list sorted by container path. */
export function bindMountsByGuest(inv: MountSources): Map<string, BindMount[]> {
    const byGuest = new Map<string, BindMount[]>();
    const push = (guest: string, mount: BindMount) => {
        const list = byGuest.get(guest) ?? [];
        list.push(mount);
        byGuest.set(guest, list);
    };
    for (const [path, ds] of Object.entries(inv.datasets)) {
        const hostPath = datasetMountpoint(path, ds.properties.mountpoint);
        for (const m of ds.mounts) push(m.guest, { hostPath, containerPath: m.path, readOnly: m.readOnly, dataset: path });
    }
    for (const [name, g] of Object.entries(inv.guests))
        for (const m of g.hostMounts ?? []) push(name, { hostPath: m.hostPath, containerPath: m.path, readOnly: m.readOnly });
    for (const list of byGuest.values())
        list.sort((a, b) => (a.containerPath < b.containerPath ? -1 : a.containerPath > b.containerPath ? 1 : 0));
    return byGuest;
}

/** Guests that need `root@pam`, with their reasons (guests that do not are left out). */
export function guestsNeedingRoot(guests: Readonly<Record<string, PrivilegeGuest>>): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, guest] of Object.entries(guests)) {
        const reasons = rootReasons(guest);
        if (reasons.length > 0) out[name] = reasons;
    }
    return out;
}
