/**
 * Cross-checks of the cluster section, the networks and the nodes.
 */
import { cidrContains, formatIpv4, parseIpv4 } from "../../lib/ipv4";
import { CheckContext, NetworkInfo, systemPathReason } from "./context";

/** First and last address of a reservation, as numbers, or undefined when it does not parse. */
export function reservationRange(r: { address?: string; from?: string; to?: string }): [number, number] | undefined {
    const first = parseIpv4(r.address ?? r.from ?? "");
    const last = parseIpv4(r.address ?? r.to ?? "");
    return first === undefined || last === undefined ? undefined : [first, last];
}

export function checkCluster(ctx: CheckContext): void {
    const { cluster } = ctx.inv;
    cluster.managedRoots.forEach((root, i) => {
        const why = systemPathReason(root);
        if (why)
            ctx.add(
                ["cluster", "managedRoots", i],
                `${root} is ${why}; managed roots hold datasets and bind-mount sources, so name a data path such as /tank or /srv/data`,
            );
    });
    const nodeCount = ctx.nodeNames.length;
    // The node count: a refused node would make these follow-on problems, hence the section ref.
    if (nodeCount === 2 && !cluster.qdevice)
        ctx.add(
            ["cluster", "qdevice"],
            `a two-node cluster loses quorum when either node is down; add cluster.qdevice with the address of a corosync QDevice (corosync-qnetd on a third machine)`,
            ["nodes"],
        );
    if (nodeCount === 1 && cluster.qdevice)
        ctx.add(["cluster", "qdevice"], `a single node has no quorum to keep; remove cluster.qdevice`, ["nodes"]);
    if (cluster.qdevice) {
        const net = ctx.networkOfAddress(cluster.qdevice.address);
        if (!net)
            ctx.add(
                ["cluster", "qdevice", "address"],
                `${cluster.qdevice.address} is inside no network of the inventory; add the network that holds it (the nodes reach the QDevice on TCP 5403)`,
            );
        for (const [node, spec] of Object.entries(ctx.inv.nodes))
            if (spec.address === cluster.qdevice.address)
                ctx.add(["cluster", "qdevice", "address"], `${spec.address} is node "${node}"'s address; the QDevice is a third machine`, [
                    `nodes.${node}`,
                ]);
    }
    (cluster.firewall.adminSources ?? []).forEach((source, i) => {
        if (source === "0.0.0.0/0" || source.endsWith("/0"))
            ctx.add(
                ["cluster", "firewall", "adminSources", i],
                `${source} opens the Proxmox API and SSH to every address; name the management network or the hosts you administer from`,
            );
    });
}

export function checkNetworks(ctx: CheckContext): void {
    const byVlan = new Map<number, string>();
    const untagged: string[] = [];
    const nets = [...ctx.networks.values()];
    for (const { name, spec, subnet } of nets) {
        const base = ["networks", name];
        if (spec.vlan === undefined) untagged.push(name);
        else {
            const other = byVlan.get(spec.vlan);
            if (other)
                ctx.add([...base, "vlan"], `VLAN ${spec.vlan} is already used by network "${other}"; give each network its own VLAN id`);
            byVlan.set(spec.vlan, name);
        }
        if (!subnet) {
            ctx.add([...base, "cidr"], `"${spec.cidr}" is not a network address; use the subnet's first address, e.g. 192.168.30.0/24`);
            continue;
        }
        const gw = parseIpv4(spec.gateway);
        if (gw !== undefined && (!cidrContains(subnet, gw) || gw === subnet.network || gw === subnet.broadcast))
            ctx.add(
                [...base, "gateway"],
                `gateway ${spec.gateway} is not a host address of ${spec.cidr}; use an address inside the subnet`,
            );
        spec.reserved.forEach((r, i) => {
            const range = reservationRange(r);
            if (!range) return;
            const [first, last] = range;
            if (first > last)
                ctx.add(
                    [...base, "reserved", i],
                    `the range starts after it ends (${formatIpv4(first)} > ${formatIpv4(last)}); swap from and to`,
                );
            else if (!cidrContains(subnet, first) || !cidrContains(subnet, last))
                ctx.add(
                    [...base, "reserved", i],
                    `${formatIpv4(first)}${first === last ? "" : `-${formatIpv4(last)}`} is outside ${spec.cidr}; reserve addresses of this network`,
                );
        });
    }
    if (untagged.length > 1)
        ctx.add(
            ["networks", untagged[1], "vlan"],
            `networks ${untagged.map((n) => `"${n}"`).join(" and ")} are both untagged, but a bridge carries one untagged network; give all but one a VLAN id`,
        );
    // Overlapping subnets make "the network of an address" ambiguous.
    const sorted = nets.filter((n): n is NetworkInfo & { subnet: NonNullable<NetworkInfo["subnet"]> } => n.subnet !== undefined);
    sorted.sort((a, b) => a.subnet.network - b.subnet.network);
    for (let i = 1; i < sorted.length; i++) {
        if (sorted[i].subnet.network <= sorted[i - 1].subnet.broadcast)
            ctx.add(
                ["networks", sorted[i].name, "cidr"],
                `${sorted[i].spec.cidr} overlaps ${sorted[i - 1].spec.cidr} of network "${sorted[i - 1].name}"; networks must not overlap`,
                [`networks.${sorted[i - 1].name}`],
            );
    }
}

/** A node address inside no network (components/proxmoxNode.ts refuses it in the same words for direct callers). */
export function nodeOutsideNetworks(address: string): string {
    return `${address} is inside no network of the inventory; the bridge carries the host's address, so add the management network that holds it`;
}

export function checkNodes(ctx: CheckContext): void {
    const addresses = new Map<string, string>();
    const hostKeys = new Map<string, string>();
    for (const [node, spec] of Object.entries(ctx.inv.nodes)) {
        const base = ["nodes", node];
        const other = addresses.get(spec.address);
        if (other) ctx.add([...base, "address"], `address ${spec.address} is also node "${other}"'s; every node needs its own address`);
        addresses.set(spec.address, node);
        const keyBody = spec.hostKey.split(" ").slice(0, 2).join(" ");
        const sameKey = hostKeys.get(keyBody);
        if (sameKey)
            ctx.add(
                [...base, "hostKey"],
                `the host key is node "${sameKey}"'s too; every node has its own, read it on this node with \`cat /etc/ssh/ssh_host_ed25519_key.pub\``,
            );
        hostKeys.set(keyBody, node);
        const net = ctx.nodeNetwork.get(node);
        if (!net) ctx.add([...base, "address"], nodeOutsideNetworks(spec.address));
        else if (spec.address === net.spec.gateway)
            ctx.add([...base, "address"], `${spec.address} is the gateway of network "${net.name}"; give the node its own address`, [
                `networks.${net.name}`,
            ]);
        if (spec.boot?.layout.startsWith("zfs") && spec.pools.includes((spec.boot as { pool: string }).pool))
            ctx.add([...base, "pools"], `"${(spec.boot as { pool: string }).pool}" is the boot pool already; list only data pools here`);
    }
}
