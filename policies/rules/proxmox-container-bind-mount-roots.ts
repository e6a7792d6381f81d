import { BindMountRootsConfig, BIND_MOUNT_ROOTS_SCHEMA } from "../config";
import { resourceRule } from "../define";
import { records, str } from "../props";
import { normalizeHostPath } from "../shared/paths";
import { CONTAINER_TYPES } from "../tokens";

/** Host paths no container may see, whatever the configured managed roots say. */
export const ALWAYS_REFUSED_HOST_PATHS: readonly string[] = ["/", "/etc", "/root", "/var/lib/vz", "/dev", "/proc", "/sys", "/boot", "/usr"];

/** Whether `path` is `root` or below it (both normalized). */
export function isUnder(path: string, root: string): boolean {
    return root === "/" ? true : path === root || path.startsWith(`${root}/`);
}

/** The refused system path that covers `path`, if any (`/` only refuses itself). */
export function refusedRoot(path: string): string | undefined {
    return ALWAYS_REFUSED_HOST_PATHS.find((r) => (r === "/" ? path === "/" : isUnder(path, r)));
}

/**
 * A bind mount hands a container a host directory. Under the datasets this program manages that
 * is the design; anywhere else it leaks host state (`/etc/pve`, the backup store in
 * `/var/lib/vz`, devices) into a guest.
 */
export const proxmoxContainerBindMountRoots = resourceRule<BindMountRootsConfig>({
    name: "proxmox-container-bind-mount-roots",
    description:
        "Checks that every container bind mount of a host path lies under a configured managed root and never under a system path such as /etc or /var/lib/vz.",
    types: CONTAINER_TYPES,
    configSchema: BIND_MOUNT_ROOTS_SCHEMA,
    validate: (props, ctx, report) => {
        const roots = ctx.config.managedRoots.map(normalizeHostPath);
        records(props.mountPoints).forEach((mp, i) => {
            const volume = str(mp.volume);
            if (volume === undefined || !volume.startsWith("/")) return;
            const hostPath = normalizeHostPath(volume);
            const where = `host path "${volume}" (\`mountPoints[${i}].volume\`)`;
            const refused = refusedRoot(hostPath);
            if (refused !== undefined) {
                report(
                    `The bind mount of ${where} is refused: "${refused}" is a system path no container may see. Mount a dataset under a managed root (${roots.join(", ")}) instead.`,
                );
            } else if (!roots.some((root) => isUnder(hostPath, root))) {
                report(
                    `The bind mount of ${where} is outside the managed roots (${roots.join(", ")}). Mount a dataset this program manages, or add its root to managedRoots in the policy config.`,
                );
            }
        });
    },
});
