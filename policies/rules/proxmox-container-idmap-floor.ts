import { clusterOf } from "../cluster";
import { IdmapFloorConfig, IDMAP_FLOOR_SCHEMA } from "../config";
import { stackRule } from "../define";
import { reportOverriddenKnob } from "../knobs";
import { guestOf } from "../guests";
import { num, records, str } from "../props";
import { CONTAINER_TYPES } from "../tokens";

/**
 * An "unprivileged" container whose idmap maps its root (id 0) to a host id below the
 * unprivileged range is root, or a real system user, on the host: the isolation the flag promises
 * is gone. The floor is the inventory's `cluster.hostIdFloor` (registered by the Cluster
 * component), else the rule's `hostIdFloor` knob (100000, the start of root's range in
 * /etc/subuid). Other ids (a container's uid 1000 mapped to the host's 1000 for a shared
 * dataset) are a design choice and stay allowed.
 */
export const proxmoxContainerIdmapFloor = stackRule<IdmapFloorConfig>({
    name: "proxmox-container-idmap-floor",
    description: "Checks that no container idmap maps the container's root (id 0) to a host uid or gid below the unprivileged range.",
    configSchema: IDMAP_FLOOR_SCHEMA,
    validate: (resources, ctx) => {
        const cluster = clusterOf(resources);
        const fromInventory = cluster?.hostIdFloor();
        const floor = fromInventory ?? ctx.config.hostIdFloor;
        const floorFrom = fromInventory !== undefined ? "`cluster.hostIdFloor`" : "the rule's hostIdFloor";
        if (cluster !== undefined && fromInventory !== undefined)
            reportOverriddenKnob(ctx, cluster.resource, "hostIdFloor", ctx.config.hostIdFloor, "cluster.hostIdFloor", fromInventory);
        for (const container of resources.filter((r) => CONTAINER_TYPES.has(r.type))) {
            ctx.judge(container, (report) => {
                records(container.props.idmaps).forEach((m, i) => {
                    const containerId = num(m.containerId);
                    const hostId = num(m.hostId);
                    const size = num(m.size) ?? 1;
                    if (containerId !== 0 || hostId === undefined || size < 1 || hostId >= floor) return;
                    const kind = str(m.type) ?? "uid";
                    report(
                        `The container maps its root (${kind} 0, \`idmaps[${i}]\`) to host ${kind} ${hostId}, below ${floor} (${floorFrom}), so root in the container is ${hostId === 0 ? "root" : "a real user"} on the host. Map container id 0 to ${floor} or above: fix ${guestOf(container).fixAt("idmap", `idmaps[${i}]`)}.`,
                    );
                });
            });
        }
    },
});
