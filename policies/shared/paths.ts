/** Pure path helpers the rules share; the program reads them through lib/paths.ts. */

/** An absolute path with `.`, `..` and repeated slashes resolved (`/tank/../etc/` → `/etc`). */
export function normalizeHostPath(path: string): string {
    const parts: string[] = [];
    for (const part of path.split("/")) {
        if (part === "" || part === ".") continue;
        if (part === "..") parts.pop();
        else parts.push(part);
    }
    return `/${parts.join("/")}`;
}

/**
 * Host paths that belong to the node itself: no guest may see them and no storage, dataset
 * mountpoint or managed root may live there, whatever the configuration says. `/` covers only
 * itself; the others cover what is below them. `/var/lib/vz` is the installer's `local` storage,
 * `/var/lib/pve-cluster` the cluster configuration's database, `/var/lib/lxc` the containers' own
 * configuration. The one list for the pack's rules and the inventory's checks (lib/paths.ts).
 */
export const SYSTEM_PATHS: readonly string[] = [
    "/",
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/usr",
    "/var/lib/pve-cluster",
    "/var/lib/vz",
    "/var/lib/lxc",
    "/var/log",
];

/** Whether `path` is `root` or below it (both normalized). */
export function isUnder(path: string, root: string): boolean {
    return root === "/" ? true : path === root || path.startsWith(`${root}/`);
}

/** The system path that covers `path` (normalized), if any. */
export function systemPathCovering(path: string): string | undefined {
    return SYSTEM_PATHS.find((r) => (r === "/" ? path === "/" : isUnder(path, r)));
}

/**
 * The system path that lies strictly below `path` (normalized), if any: a bind mount of `/var`
 * hands a container `/var/lib/pve-cluster` and `/var/lib/vz` as surely as mounting them.
 */
export function systemPathBelow(path: string): string | undefined {
    if (path === "/") return undefined;
    return SYSTEM_PATHS.find((r) => r !== "/" && r !== path && isUnder(r, path));
}
