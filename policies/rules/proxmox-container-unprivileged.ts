import { resourceRule } from "../define";
import { bool } from "../props";
import { CONTAINER_TYPES } from "../tokens";

/**
 * A privileged container's root is the host's root: one escape and the hypervisor is gone.
 * The provider creates a privileged container unless `unprivileged: true` is set.
 */
export const proxmoxContainerUnprivileged = resourceRule({
    name: "proxmox-container-unprivileged",
    description:
        "Checks that every LXC container runs unprivileged, treating a missing `unprivileged` as the provider default (privileged).",
    types: CONTAINER_TYPES,
    validate: (props, _ctx, report) => {
        const unprivileged = bool(props.unprivileged);
        if (unprivileged === true) return;
        const state =
            props.unprivileged === undefined
                ? "leaves `unprivileged` unset, which the provider treats as privileged"
                : "is privileged (`unprivileged: false`)";
        report(
            `The container ${state}. Set \`unprivileged: true\`; if it truly needs a privileged container, exempt it by name with a reason in the policy config of proxmox-container-unprivileged.`,
        );
    },
});
