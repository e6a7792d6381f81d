import { clusterOf, nodeAddresses } from "../cluster";
import { stackRule } from "../define";
import { guestsOf } from "../guests";
import { formatIpv4, parseIpv4 } from "../shared/ipv4";

/** An address (or range) the cluster claims, and what claims it. */
interface Claim {
    readonly first: number;
    readonly last: number;
    readonly what: string;
    /** A gateway: its network's router may hold it. */
    readonly gateway: boolean;
}

/**
 * A guest on a node's, the QDevice's or a gateway's address takes the network (or the cluster's
 * quorum) down with it, and one inside a reserved range collides with a virtual IP or a DHCP lease
 * sooner or later. The claims come from the inventory, as the Cluster component registers them
 * (`nodes`, `qdeviceAddress`, `networks[].gateway` and `reserved`), and the Node components'
 * `address`; the router (the guest whose component registers `isGateway: true`) may hold a gateway.
 */
export const proxmoxGuestAddressUnclaimed = stackRule({
    name: "proxmox-guest-address-unclaimed",
    description:
        "Checks that no guest takes an address the cluster claims: a node's, the QDevice's, a network's gateway (unless the guest is the router) or one inside a reserved range.",
    validate: (resources, ctx) => {
        const cluster = clusterOf(resources);
        const claims: Claim[] = [];
        const claim = (address: string | undefined, what: string, gateway = false) => {
            const value = address === undefined ? undefined : parseIpv4(address.split("/")[0]);
            if (value !== undefined) claims.push({ first: value, last: value, what, gateway });
        };
        for (const n of nodeAddresses(resources, cluster)) claim(n.address, `the address of node ${n.name}`);
        claim(cluster?.qdeviceAddress(), "the QDevice's address");
        for (const net of cluster?.networks() ?? []) {
            claim(net.gateway, `the gateway of network ${net.name}`, true);
            for (const r of net.reserved) {
                const first = parseIpv4(r.first);
                const last = parseIpv4(r.last);
                if (first === undefined || last === undefined) continue;
                const range = first === last ? r.first : `${r.first}–${r.last}`;
                claims.push({ first, last, what: `reserved in network ${net.name} (${range}: ${r.purpose})`, gateway: false });
            }
        }
        if (claims.length === 0) ctx.notApplicable("no Cluster or Node component registers node, QDevice, gateway or reserved addresses");
        for (const guest of guestsOf(resources)) {
            ctx.judge(guest.resource, (report) => {
                for (const ip of guest.ipv4s()) {
                    const value = parseIpv4(ip);
                    if (value === undefined) continue;
                    for (const c of claims) {
                        if (value < c.first || value > c.last || (c.gateway && guest.isGateway())) continue;
                        report(
                            `Guest ${guest.name} has the address ${formatIpv4(value)}, ${c.what}. Give it a free address: set ${guest.fixAt("ipv4", "initialization.ipConfigs[0].ipv4.address")}.`,
                        );
                    }
                }
            });
        }
    },
});
