import { stackRule } from "../define";
import { guestOf } from "../guests";
import { bool } from "../props";
import { CONTAINER_TYPES } from "../tokens";

/**
 * A privileged container's root is the host's root: one escape and the hypervisor is gone.
 * The provider creates a privileged container unless `unprivileged: true` is set. A container the
 * inventory makes privileged on purpose carries the reason (`guests.<name>.privileged.reason`,
 * registered by its guest component as `privilegedReason`), which exempts it.
 */
export const proxmoxContainerUnprivileged = stackRule({
    name: "proxmox-container-unprivileged",
    description:
        "Checks that every LXC container runs unprivileged, treating a missing `unprivileged` as the provider default (privileged), unless the inventory gives a reason.",
    validate: (resources, ctx) => {
        for (const container of resources.filter((r) => CONTAINER_TYPES.has(r.type))) {
            ctx.judge(container, (report) => {
                const props = container.props;
                if (bool(props.unprivileged) === true) return;
                const guest = guestOf(container);
                if (guest.privilegedReason() !== undefined) return;
                const key = guest.inventoryKey();
                if (key !== undefined) {
                    report(
                        `The container is privileged, and the inventory gives no reason. Remove \`${key}.privileged\` to run it unprivileged, or set \`${key}.privileged\` with a reason if it truly needs the host's root.`,
                    );
                    return;
                }
                const state =
                    props.unprivileged === undefined
                        ? "leaves `unprivileged` unset, which the provider treats as privileged"
                        : "is privileged (`unprivileged: false`)";
                report(
                    `The container ${state}. Set \`unprivileged: true\`; if it truly needs a privileged container, exempt it by name with a reason in the policy config of proxmox-container-unprivileged.`,
                );
            });
        }
    },
});
