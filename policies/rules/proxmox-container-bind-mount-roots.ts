import { clusterOf } from "../cluster";
import { BindMountRootsConfig, BIND_MOUNT_ROOTS_SCHEMA } from "../config";
import { stackRule } from "../define";
import { mergedList } from "../knobs";
import { records, str } from "../props";
import { isUnder, normalizeHostPath, systemPathBelow, systemPathCovering } from "../shared/paths";
import { CONTAINER_TYPES } from "../tokens";

/**
 * A bind mount hands a container a host directory. Under the datasets this program manages that
 * is the design; anywhere else it leaks host state (`/etc/pve`, the backup store in
 * `/var/lib/vz`, devices) into a guest. The managed roots are the inventory's
 * (`cluster.managedRoots`, registered by the Cluster component), plus any the rule's
 * `managedRoots` knob adds; a stack without that component takes them from the knob alone.
 */
export const proxmoxContainerBindMountRoots = stackRule<BindMountRootsConfig>({
    name: "proxmox-container-bind-mount-roots",
    description:
        "Checks that every container bind mount of a host path lies under a managed root and never at, under or above a system path such as /etc or /var/lib/vz.",
    configSchema: BIND_MOUNT_ROOTS_SCHEMA,
    validate: (resources, ctx) => {
        const fromInventory = clusterOf(resources)?.managedRoots();
        // The policy configuration's roots are added to the inventory's, never dropped (knobs.ts).
        const roots = (
            fromInventory === undefined
                ? ctx.config.managedRoots
                : mergedList(fromInventory, ctx.configured.has("managedRoots") ? ctx.config.managedRoots : undefined)
        ).map(normalizeHostPath);
        const addRoot =
            fromInventory !== undefined ? "add its root to `cluster.managedRoots`" : "add its root to managedRoots in the policy config";
        for (const container of resources.filter((r) => CONTAINER_TYPES.has(r.type))) {
            ctx.judge(container, (report) =>
                records(container.props.mountPoints).forEach((mp, i) => {
                    const volume = str(mp.volume);
                    if (volume === undefined || !volume.startsWith("/")) return;
                    const hostPath = normalizeHostPath(volume);
                    const where = `host path "${volume}" (\`mountPoints[${i}].volume\`)`;
                    // At or under a system path, or above one (`/var` holds `/var/lib/pve-cluster`).
                    const refused = systemPathCovering(hostPath) ?? systemPathBelow(hostPath);
                    if (refused !== undefined) {
                        report(
                            `The bind mount of ${where} is refused: "${refused}" is a system path no container may see. Mount a dataset under a managed root (${roots.join(", ")}) instead.`,
                        );
                    } else if (!roots.some((root) => isUnder(hostPath, root))) {
                        report(
                            `The bind mount of ${where} is outside the managed roots (${roots.join(", ")}). Mount a dataset this program manages, or ${addRoot}.`,
                        );
                    }
                }),
            );
        }
    },
});
