import { resourceRule } from "../define";
import { str } from "../props";
import { formatIpv4, ipv4Readings, nonPublicIpv4Reason } from "../shared/ipv4";
import { parseIpv6 } from "../shared/ipv6";
import { DNS_RECORD_TYPES } from "../tokens";

/**
 * Why an IPv6 address must not be published (loopback, unspecified, unique-local, link-local,
 * site-local, multicast, or an IPv4 address inside it that is not public), or undefined. Every
 * spelling counts: `0:0:0:0:0:0:0:1` is `::1`, `::ffff:192.168.1.1` is 192.168.1.1.
 */
function nonPublicIpv6Reason(address: string): string | undefined {
    const g = parseIpv6(address);
    if (g === undefined) return undefined;
    const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
    if (zeroUpTo(8)) return "an unspecified address";
    if (zeroUpTo(7) && g[7] === 1) return "a loopback address";
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
    const embedsIpv4 =
        (zeroUpTo(5) && g[5] === 0xffff) || zeroUpTo(6) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0));
    if (embedsIpv4) {
        const v4 = ((g[6] << 16) >>> 0) + g[7];
        const reason = nonPublicIpv4Reason(v4);
        return reason === undefined ? undefined : `the IPv4 address ${formatIpv4(v4)} inside an IPv6 one, ${reason}`;
    }
    if ((g[0] & 0xfe00) === 0xfc00) return "a unique-local (private) address";
    if ((g[0] & 0xffc0) === 0xfe80) return "a link-local address";
    if ((g[0] & 0xffc0) === 0xfec0) return "a site-local (private) address";
    if ((g[0] & 0xff00) === 0xff00) return "a multicast address";
    return undefined;
}

/**
 * Why an A record's content must not be published, or undefined. Spaces around it are ignored and
 * an octet with a leading zero is read both ways resolvers do (`010.0.0.1`: 10.0.0.1, or 8.0.0.1
 * as octal): a record that any of them takes for a non-public address is refused.
 */
function nonPublicIpv4ContentReason(content: string): string | undefined {
    for (const value of ipv4Readings(content)) {
        const reason = nonPublicIpv4Reason(value);
        if (reason === undefined) continue;
        return formatIpv4(value) === content.trim() ? reason : `read as ${formatIpv4(value)}, ${reason}`;
    }
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
        const type = str(props.type)?.trim().toUpperCase();
        // `value` is the v4 provider's field; v5 and later use `content`.
        const content = str(props.content) ?? str(props.value);
        if (content === undefined || (type !== "A" && type !== "AAAA")) return;
        const reason = type === "A" ? nonPublicIpv4ContentReason(content) : nonPublicIpv6Reason(content);
        if (reason !== undefined) {
            report(
                `The ${type} record "${str(props.name) ?? ""}" points at ${content.trim()}, ${reason}. Public records must point at public addresses; serve private names from the LAN's resolver instead.`,
            );
        }
    },
});
