import { DockerFlagsConfig, DOCKER_FLAGS_SCHEMA } from "../config";
import { resourceRule } from "../define";
import { guestInventoryKey } from "../guestInputs";
import { bool, record, strings } from "../props";
import { CONTAINER_TYPES } from "../tokens";

/**
 * `nesting` exposes /proc and /sys more widely and `keyctl` lets the container use the host's
 * kernel keyring: Docker needs them, nothing else does.
 */
export const proxmoxContainerNestingDockerOnly = resourceRule<DockerFlagsConfig>({
    name: "proxmox-container-nesting-docker-only",
    description: "Checks that only containers tagged as running Docker enable the `nesting` or `keyctl` features.",
    types: CONTAINER_TYPES,
    configSchema: DOCKER_FLAGS_SCHEMA,
    validate: (props, ctx, report) => {
        const features = record(props.features);
        const on = (["nesting", "keyctl"] as const).filter((f) => bool(features?.[f]) === true);
        if (on.length === 0 || strings(props.tags).includes(ctx.config.dockerTag)) return;
        const flags = on.map((f) => `\`features.${f}\``).join(" and ");
        // A container from the inventory gets the flags and the tag from its `docker` key.
        const key = guestInventoryKey(ctx.urn);
        if (key !== undefined) {
            report(
                `The container enables ${flags} but is not tagged "${ctx.config.dockerTag}"; these flags weaken isolation and only Docker needs them. Set \`${key}.docker: true\` if it runs Docker, else \`${key}.docker: false\`.`,
            );
            return;
        }
        report(
            `The container enables ${flags} but is not tagged "${ctx.config.dockerTag}"; these flags weaken isolation and only Docker needs them. Turn them off, or tag the container "${ctx.config.dockerTag}" if it runs Docker.`,
        );
    },
});
