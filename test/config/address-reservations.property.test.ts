/**
 * Property: the address-reservation relation. For a random flat LAN with random reservations
 * (single addresses such as virtual IPs, and ranges such as DHCP and load-balancer pools), nodes
 * and a QDevice at random addresses, an optional keepalived pair with a random virtual IP, and
 * guests at random distinct addresses, `validate` refuses exactly the guests whose address lies
 * in a reservation or is a node's, the QDevice's, a virtual IP or the gateway, each at
 * `guests.<name>.ipv4` with a message naming what holds the address, and accepts the rest. A
 * virtual IP on a node's or the QDevice's address is refused on the HA group.
 */
import fc from "fast-check";
import { InventoryError, InventoryProblem } from "../../config/errors";
import { parseInventory } from "../../config/parse";
import { LAN, nodeName, rawContainer, rawInventory, rawNode } from "./minimal";
import { RawInventory } from "./reference";

/** Host addresses of the LAN by last octet: .1 is the gateway, .2–.254 are free to generate. */
const octet = fc.integer({ min: 2, max: 254 });
const at = (n: number) => `${LAN.prefix}${n}`;

type Reservation = { readonly address: number } | { readonly from: number; readonly to: number };

interface Case {
    readonly nodes: readonly number[];
    readonly qdevice?: number;
    readonly reserved: readonly { readonly r: Reservation; readonly purpose: string }[];
    /** A keepalived pair of the first two guests (on the first two nodes) behind this virtual IP. */
    readonly vip?: number;
    /** Guests' last octets, distinct; 1 is the gateway. */
    readonly guests: readonly number[];
    /** Each guest's node index. */
    readonly guestNodes: readonly number[];
}

const reservation: fc.Arbitrary<{ r: Reservation; purpose: string }> = fc.oneof(
    fc.record({ r: octet.map((address) => ({ address })), purpose: fc.constant("virtual IP of the ingress") }),
    fc.record({
        r: fc.tuple(octet, octet).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) })),
        purpose: fc.constantFrom("DHCP pool", "load-balancer pool"),
    }),
);

const cases: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 4 }).chain((nodeCount) =>
    fc
        .record({
            nodes: fc.uniqueArray(octet, { minLength: nodeCount, maxLength: nodeCount }),
            // Two nodes need the QDevice, one node must not have it, three or more may.
            qdevice:
                nodeCount === 2
                    ? octet.map((n) => n as number | undefined)
                    : nodeCount === 1
                      ? fc.constant(undefined)
                      : fc.option(octet, { nil: undefined }),
            reserved: fc.array(reservation, { maxLength: 4 }),
            vip: nodeCount >= 2 ? fc.option(octet, { nil: undefined }) : fc.constant(undefined),
            // The gateway (.1) is a candidate too; guest addresses are distinct (duplicates are another check).
            guests: fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 2, maxLength: 10 }),
            guestNodes: fc.array(fc.integer({ min: 0, max: nodeCount - 1 }), { minLength: 10, maxLength: 10 }),
        })
        // The QDevice is a third machine: never on a node's address (another check refuses that).
        .filter((c) => c.qdevice === undefined || !c.nodes.includes(c.qdevice)),
);

function build(c: Case): RawInventory {
    const nodes = Object.fromEntries(c.nodes.map((n, i) => [nodeName(i), rawNode(i, at(n))]));
    const guests = Object.fromEntries(
        c.guests.map((n, i) => {
            // The pair's members run on different nodes; the others anywhere.
            const node = c.vip !== undefined && i < 2 ? i : c.guestNodes[i];
            return [`guest${i + 1}`, rawContainer(nodeName(node), at(n), "vmdata")];
        }),
    );
    return rawInventory({
        nodes,
        storages: { vmdata: { kind: "zfspool", pool: "tank/vm", content: ["images", "rootdir"] } },
        guests,
        reserved: c.reserved.map(({ r, purpose }) =>
            "address" in r ? { address: at(r.address), purpose } : { from: at(r.from), to: at(r.to), purpose },
        ),
        ...(c.qdevice === undefined ? {} : { qdevice: at(c.qdevice) }),
        ...(c.vip === undefined
            ? {}
            : { ha: { ingress: { kind: "keepalived", members: ["guest1", "guest2"], vip: at(c.vip), vrrpId: 7 } } }),
    });
}

/** What holds an address (in the words of the messages), by the relation's definition. */
function holders(c: Case, n: number): string[] {
    const out: string[] = [];
    for (const { r, purpose } of c.reserved)
        if ("address" in r ? r.address === n : r.from <= n && n <= r.to) out.push(`reserved in network "lan" (${purpose})`);
    c.nodes.forEach((a, i) => a === n && out.push(`node "${nodeName(i)}"'s address`));
    if (c.qdevice === n) out.push("the QDevice's address");
    if (c.vip === n) out.push(`the virtual IP of HA group "ingress"`);
    return out;
}

/** Every problem `validate` reports (empty when it accepts), as path and message. */
function problems(raw: RawInventory): InventoryProblem[] {
    try {
        parseInventory(raw);
        return [];
    } catch (err) {
        if (!(err instanceof InventoryError)) throw err;
        return err.problems.map(({ path, message }) => ({ path, message }));
    }
}

describe("the address-reservation relation (property)", () => {
    it("refuses exactly the guests on a reserved, node, QDevice, virtual or gateway address (and a VIP on a node or QDevice), naming the holder; accepts the rest", () => {
        const seen = { accepted: 0, refused: 0 };
        fc.assert(
            fc.property(cases, (c) => {
                const found = problems(build(c));
                const refused = new Map<string, string[]>();
                c.guests.forEach((n, i) => {
                    const address = at(n);
                    if (n === 1)
                        refused.set(`guests.guest${i + 1}.ipv4`, [
                            `address ${address} is the gateway of network "lan"; pick another host address (or set gateway: true on the router guest)`,
                        ]);
                    else {
                        const held = holders(c, n);
                        if (held.length > 0)
                            refused.set(
                                `guests.guest${i + 1}.ipv4`,
                                held.map((what) => `address ${address} is ${what}; pick an address no one else holds`),
                            );
                    }
                });
                // A virtual IP on a node's or the QDevice's address is refused on the group.
                const vipHolder =
                    c.vip === undefined
                        ? undefined
                        : c.nodes.includes(c.vip)
                          ? `node "${nodeName(c.nodes.indexOf(c.vip))}"'s address`
                          : c.qdevice === c.vip
                            ? "the QDevice's address"
                            : undefined;
                if (vipHolder !== undefined)
                    refused.set("ha.ingress.vip", [`virtual IP ${at(c.vip!)} is ${vipHolder}; pick a free address`]);
                // Exactly those guests (and that group), once each, at their address...
                expect(found.map((p) => p.path).sort()).toEqual([...refused.keys()].sort());
                // ...each naming something that truly holds the address.
                for (const p of found) expect(refused.get(p.path)).toContain(p.message);
                if (found.length === 0) seen.accepted++;
                else seen.refused++;
            }),
            { numRuns: 400 },
        );
        expect(seen.accepted).toBeGreaterThan(20);
        expect(seen.refused).toBeGreaterThan(20);
    });

    it("treats a range's ends as reserved and the addresses beside them as free", () => {
        const c: Case = {
            nodes: [11],
            reserved: [{ r: { from: 100, to: 150 }, purpose: "DHCP pool" }],
            guests: [99, 100, 150, 151],
            guestNodes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        };
        expect(problems(build(c))).toEqual([
            {
                path: "guests.guest2.ipv4",
                message: `address 10.0.10.100 is reserved in network "lan" (DHCP pool); pick an address no one else holds`,
            },
            {
                path: "guests.guest3.ipv4",
                message: `address 10.0.10.150 is reserved in network "lan" (DHCP pool); pick an address no one else holds`,
            },
        ]);
    });
});
