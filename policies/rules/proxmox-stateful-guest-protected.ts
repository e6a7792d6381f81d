import { StatefulGuestConfig, STATEFUL_GUEST_SCHEMA } from "../config";
import { resourceRule } from "../define";
import { guestInventoryKey, hasProtectionFlag } from "../guestInputs";
import { bool, records, str, strings } from "../props";
import { CONTAINER_TYPES, GUEST_TYPES } from "../tokens";

/**
 * A guest whose data lives inside it (a volume mount point, or tagged stateful) loses that data
 * with one `pulumi destroy` or one replacing change. Bind-mounted data lives on host datasets and
 * does not make a container stateful.
 */
export const proxmoxStatefulGuestProtected = resourceRule<StatefulGuestConfig>({
    name: "proxmox-stateful-guest-protected",
    description:
        "Checks that every stateful guest (tagged stateful, or a container with volume mount points) is protected by `protection: true` or the Pulumi `protect` option.",
    types: GUEST_TYPES,
    configSchema: STATEFUL_GUEST_SCHEMA,
    validate: (props, ctx, report) => {
        const tags = strings(props.tags);
        const tag = ctx.config.statefulTags.find((t) => tags.includes(t));
        const volumes = CONTAINER_TYPES.has(ctx.type)
            ? records(props.mountPoints).filter((mp) => !(str(mp.volume) ?? "/").startsWith("/")).length
            : 0;
        if (tag === undefined && volumes === 0) return;
        if (bool(props.protection) === true || ctx.opts.protect) return;
        const why = tag !== undefined ? `tagged "${tag}"` : `has ${volumes} volume mount point${volumes === 1 ? "" : "s"}`;
        // A guest from the inventory gets both from its `stateful` key.
        const key = guestInventoryKey(ctx.urn);
        if (key !== undefined) {
            report(
                `The guest is stateful (${why}) but is not protected from deletion, so deleting or replacing it deletes its data. Set \`${key}.stateful: true\`.`,
            );
            return;
        }
        report(
            hasProtectionFlag(ctx.type)
                ? `The guest is stateful (${why}) but neither \`protection: true\` nor the Pulumi \`protect\` option is set, so deleting or replacing it deletes its data. Set both.`
                : `The guest is stateful (${why}) but the Pulumi \`protect\` option is not set (this class has no \`protection\` flag), so deleting or replacing it deletes its data. Set \`protect: true\`.`,
        );
    },
});
