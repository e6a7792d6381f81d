import { DnsProxyConfig, DNS_PROXY_SCHEMA } from "../config";
import { resourceRule } from "../define";
import { matchesPattern } from "../exemptions";
import { bool, str, strings } from "../props";
import { DNS_RECORD_TYPES } from "../tokens";

/** Whether a record serves UDP: a `_udp` SRV name, `udp` in its comment or tags, or a configured name. */
function servesUdp(name: string, comment: string | undefined, tags: readonly string[], udpRecordNames: readonly string[]): boolean {
    return (
        /(^|\.)_udp(\.|$)/i.test(name) ||
        /\budp\b/i.test(comment ?? "") ||
        tags.some((t) => /^(protocol:)?udp$/i.test(t.trim())) ||
        udpRecordNames.some((p) => matchesPattern(p, name))
    );
}

/**
 * Cloudflare's proxy carries HTTP(S) only: a proxied record for a UDP service (WireGuard) stops
 * working, and a proxied wildcard hides the client's address from the reverse proxy behind it.
 */
export const dnsNoProxyForUdpOrWildcard = resourceRule<DnsProxyConfig>({
    name: "dns-no-proxy-for-udp-or-wildcard",
    description: "Checks that DNS records for UDP services and wildcard records are not proxied by Cloudflare.",
    types: DNS_RECORD_TYPES,
    configSchema: DNS_PROXY_SCHEMA,
    validate: (props, ctx, report) => {
        if (bool(props.proxied) !== true) return;
        const name = (str(props.name) ?? "").trim();
        if (name === "*" || name.startsWith("*.")) {
            report(
                `The wildcard record "${name}" is proxied, so the reverse proxy behind it sees Cloudflare's addresses instead of the client's. Set \`proxied: false\`.`,
            );
        }
        if (servesUdp(name, str(props.comment), strings(props.tags), ctx.config.udpRecordNames)) {
            report(
                `The record "${name}" serves a UDP service but is proxied, and Cloudflare's proxy carries no UDP. Set \`proxied: false\`.`,
            );
        }
    },
});
