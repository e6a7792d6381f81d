import { normalizeTags } from "../shared/scheme";
import { resourceRule } from "../define";
import { strings } from "../props";
import { GUEST_TYPES } from "../tokens";

/**
 * Proxmox stores tags lowercased and sorted; tags given any other way show as a change on every
 * preview. At level `remediate` the rule fixes the tags itself.
 */
export const proxmoxGuestTagsNormalized = resourceRule({
    name: "proxmox-guest-tags-normalized",
    description: "Checks that guest tags are lowercase, sorted and unique, as Proxmox stores them.",
    types: GUEST_TYPES,
    validate: (props, _ctx, report) => {
        const tags = strings(props.tags);
        const normalized = normalizeTags(tags);
        if (JSON.stringify(tags) === JSON.stringify(normalized)) return;
        report(
            `The tags ${JSON.stringify(tags)} are not lowercase, sorted and unique, so Proxmox reports a change on every run. Give them as ${JSON.stringify(normalized)}.`,
        );
    },
    remediate: (props) => {
        const tags = strings(props.tags);
        const normalized = normalizeTags(tags);
        if (JSON.stringify(tags) === JSON.stringify(normalized)) return undefined;
        return { ...props, tags: normalized };
    },
});
