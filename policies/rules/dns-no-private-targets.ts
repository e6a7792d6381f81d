import { nonPublicReason, parseIpv4 } from "../shared/ipv4";
import { resourceRule } from "../define";
import { str } from "../props";
import { DNS_RECORD_TYPES } from "../tokens";

/** Why an IPv6 address must not be published (loopback, unspecified, unique-local, link-local), or undefined. */
export function nonPublicIpv6Reason(address: string): string | undefined {
    const a = address.trim().toLowerCase();
    if (!a.includes(":")) return undefined;
    if (a === "::1") return "a loopback address";
    if (a === "::") return "an unspecified address";
    if (/^f[cd][0-9a-f]{0,2}:/.test(a)) return "a unique-local (private) address";
    if (/^fe[89ab][0-9a-f]?:/.test(a)) return "a link-local address";
    return undefined;
}

/**
 * A public record that points at a private address leaks the LAN's layout and breaks for
 * everyone outside (or hijacks a name inside someone else's network).
 */
export const dnsNoPrivateTargets = resourceRule({
    name: "dns-no-private-targets",
    description: "Checks that no public A or AAAA record points at a private, loopback, link-local or otherwise non-public address.",
    types: DNS_RECORD_TYPES,
    validate: (props, _ctx, report) => {
        const type = str(props.type)?.toUpperCase();
        // `value` is the v4 provider's field; v5 and later use `content`.
        const content = str(props.content) ?? str(props.value);
        if (content === undefined || (type !== "A" && type !== "AAAA")) return;
        const reason =
            type === "A" ? (parseIpv4(content) !== undefined ? nonPublicReason(content) : undefined) : nonPublicIpv6Reason(content);
        if (reason !== undefined) {
            report(
                `The ${type} record "${str(props.name) ?? ""}" points at ${content}, ${reason}. Public records must point at public addresses; serve private names from the LAN's resolver instead.`,
            );
        }
    },
});
