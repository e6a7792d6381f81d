/**
 * Cross-checks of guests: identity (VMID, address, network, the ID scheme) here; containers
 * (containers.ts), VMs (vms.ts), the storages of their disks and files (guestStorage.ts), clones,
 * templates and replication (clones.ts).
 */
import { cidrContains, parseIpv4 } from "../../lib/ipv4";
import { expectedVmid } from "../../lib/scheme";
import { GuestSpec } from "../schema";
import { checkCloneAndTemplate, checkReplication } from "./clones";
import { reservationRange } from "./cluster";
import { checkContainer } from "./containers";
import { CheckContext, NetworkInfo } from "./context";
import { checkVm } from "./vms";

export function checkGuests(ctx: CheckContext): void {
    const vmids = new Map<number, string>();
    const ips = new Map<string, string>();
    const reserved = reservedAddresses(ctx);
    for (const [name, g] of Object.entries(ctx.inv.guests)) {
        const base = ["guests", name];
        const node = ctx.requireNode([...base, "node"], g.node);
        const net = ctx.requireNetwork([...base, "network"], g.network);
        const prevId = vmids.get(g.vmid);
        if (prevId)
            ctx.add([...base, "vmid"], `VMID ${g.vmid} is already used by guest "${prevId}"; every guest needs its own VMID`, [
                `guests.${prevId}`,
            ]);
        vmids.set(g.vmid, name);
        if (g.ipv4 === undefined) {
            if (!g.template)
                ctx.add([...base, "ipv4"], `a guest needs an address on its network (only a template may have none); set ipv4`);
        } else {
            const prevIp = ips.get(g.ipv4);
            if (prevIp)
                ctx.add([...base, "ipv4"], `address ${g.ipv4} is already used by guest "${prevIp}"; every guest needs its own address`, [
                    `guests.${prevIp}`,
                ]);
            ips.set(g.ipv4, name);
            if (net) checkAddress(ctx, name, g, g.ipv4, net, reserved);
        }
        if (net) checkIdScheme(ctx, name, g, net);
        if (g.cpuUnits !== undefined && g.template) ctx.add([...base, "cpuUnits"], `a template never runs; remove cpuUnits`);
        checkCloneAndTemplate(ctx, name, g);
        if (node) checkReplication(ctx, name, g);
        if (g.firewall.inputPolicy === "ACCEPT" && g.firewall.reason === undefined)
            ctx.add(
                [...base, "firewall", "reason"],
                `an inbound policy of ACCEPT opens every port of the guest; say why in firewall.reason (the router that filters its own traffic), or use DROP with rules`,
            );
        if (g.gateway && g.kind !== "vm")
            ctx.add([...base, "gateway"], `the router is a VM here (it needs NICs by PCI passthrough); a container cannot own the gateway`);
        // Checks against the node's storages and devices need a known node (an unknown one is reported above).
        if (g.kind === "lxc") checkContainer(ctx, name, g, node !== undefined);
        else checkVm(ctx, name, g, node !== undefined);
    }
}

/** Addresses no guest may take: reservations, node and QDevice addresses, HA virtual IPs. */
function reservedAddresses(ctx: CheckContext): { first: number; last: number; what: string; refs: string[] }[] {
    const out: { first: number; last: number; what: string; refs: string[] }[] = [];
    for (const [name, net] of Object.entries(ctx.inv.networks))
        for (const r of net.reserved) {
            const range = reservationRange(r);
            if (range)
                out.push({
                    first: range[0],
                    last: range[1],
                    what: `reserved in network "${name}" (${r.purpose})`,
                    refs: [`networks.${name}`],
                });
        }
    for (const [node, spec] of Object.entries(ctx.inv.nodes)) {
        const ip = parseIpv4(spec.address);
        if (ip !== undefined) out.push({ first: ip, last: ip, what: `node "${node}"'s address`, refs: [`nodes.${node}`] });
    }
    if (ctx.inv.cluster.qdevice) {
        const ip = parseIpv4(ctx.inv.cluster.qdevice.address);
        if (ip !== undefined) out.push({ first: ip, last: ip, what: "the QDevice's address", refs: ["cluster"] });
    }
    for (const [group, ha] of Object.entries(ctx.inv.ha))
        if (ha.kind === "keepalived") {
            const ip = parseIpv4(ha.vip);
            if (ip !== undefined) out.push({ first: ip, last: ip, what: `the virtual IP of HA group "${group}"`, refs: [`ha.${group}`] });
        }
    return out;
}

function checkAddress(
    ctx: CheckContext,
    name: string,
    g: GuestSpec,
    address: string,
    net: NetworkInfo,
    reserved: ReturnType<typeof reservedAddresses>,
): void {
    const base = ["guests", name];
    const refs = [`networks.${net.name}`];
    const subnet = net.subnet;
    const ip = parseIpv4(address);
    if (!subnet || ip === undefined) return;
    if (!cidrContains(subnet, ip))
        return ctx.add(
            [...base, "ipv4"],
            `address ${address} is outside ${net.spec.cidr} of network "${net.name}"; pick an address in that subnet`,
            refs,
        );
    if (ip === subnet.network)
        return ctx.add([...base, "ipv4"], `address ${address} is the network address of ${net.spec.cidr}; pick a host address`, refs);
    if (ip === subnet.broadcast)
        return ctx.add([...base, "ipv4"], `address ${address} is the broadcast address of ${net.spec.cidr}; pick a host address`, refs);
    if (address === net.spec.gateway && !g.gateway)
        return ctx.add(
            [...base, "ipv4"],
            `address ${address} is the gateway of network "${net.name}"; pick another host address (or set gateway: true on the router guest)`,
            refs,
        );
    if (g.gateway && address !== net.spec.gateway)
        return ctx.add(
            [...base, "gateway"],
            `a router guest owns its network's gateway address ${net.spec.gateway}, got ${address}; fix the address or the network's gateway`,
            refs,
        );
    const hit = reserved.find((r) => ip >= r.first && ip <= r.last);
    if (hit) ctx.add([...base, "ipv4"], `address ${address} is ${hit.what}; pick an address no one else holds`, hit.refs);
}

function checkIdScheme(ctx: CheckContext, name: string, g: GuestSpec, net: NetworkInfo): void {
    const { idScheme, idOffset } = ctx.inv.cluster;
    if (idScheme === "off" || g.template || g.ipv4 === undefined || parseIpv4(g.ipv4) === undefined) return;
    if (idScheme === "vlan" && net.spec.vlan === undefined) {
        ctx.add(
            ["guests", name, "network"],
            `network "${net.name}" is untagged, so the vlan ID scheme (VLAN × 1000 + last octet) cannot apply; set cluster.idScheme to octet (with idOffset) or off`,
            [`networks.${net.name}`, "cluster"],
        );
        return;
    }
    const want = expectedVmid(idScheme, idOffset, net.spec.vlan, g.ipv4)?.vmid;
    if (want !== undefined && want !== g.vmid)
        ctx.add(
            ["guests", name, "vmid"],
            idScheme === "vlan"
                ? `VMID ${g.vmid} breaks the ID scheme (VLAN × 1000 + last octet); for VLAN ${net.spec.vlan} and ${g.ipv4} it must be ${want}`
                : `VMID ${g.vmid} breaks the ID scheme (${idOffset} + last octet); for ${g.ipv4} it must be ${want}`,
            [`networks.${net.name}`, "cluster"],
        );
}
