/** ZFS `sharenfs` values as OpenZFS on Linux reads them: clients, their ranges and access, and no_root_squash. */
import { parseIpv4 } from "../../lib/ipv4";
import { parseSharenfs, sharenfsProblem } from "../../lib/nfs";

const ip = (a: string) => parseIpv4(a)!;

describe("parseSharenfs", () => {
    it("reads each client of rw= and ro= with its range and access", () => {
        expect(parseSharenfs("ro=@192.168.30.0/24:@192.168.20.5,rw=@192.168.10.11,no_root_squash")).toEqual({
            off: false,
            noRootSquash: true,
            clients: [
                {
                    raw: "@192.168.30.0/24",
                    range: [ip("192.168.30.0"), ip("192.168.30.255")],
                    everyone: false,
                    singleHost: false,
                    access: "ro",
                },
                { raw: "@192.168.20.5", range: [ip("192.168.20.5"), ip("192.168.20.5")], everyone: false, singleHost: true, access: "ro" },
                {
                    raw: "@192.168.10.11",
                    range: [ip("192.168.10.11"), ip("192.168.10.11")],
                    everyone: false,
                    singleHost: true,
                    access: "rw",
                },
            ],
        });
    });

    it("reads a host name as one host with no range, and * as everyone", () => {
        expect(parseSharenfs("rw=nas.lan:*").clients).toEqual([
            { raw: "nas.lan", everyone: false, singleHost: true, access: "rw" },
            { raw: "*", everyone: true, singleHost: false, access: "rw" },
        ]);
    });

    it("reads a wildcard name as everyone and an @name (an NIS netgroup) as more than one host", () => {
        expect(parseSharenfs("rw=*.lan:@nfsclients").clients).toEqual([
            { raw: "*.lan", everyone: true, singleHost: false, access: "rw" },
            { raw: "@nfsclients", everyone: false, singleHost: false, access: "rw" },
        ]);
    });

    it("exports to everyone, with no access list, for on and for options without clients", () => {
        expect(parseSharenfs("on")).toEqual({
            off: false,
            noRootSquash: false,
            clients: [{ raw: "*", everyone: true, singleHost: false }],
        });
        expect(parseSharenfs("sync,no_subtree_check").clients).toEqual([{ raw: "*", everyone: true, singleHost: false }]);
        expect(parseSharenfs("off")).toEqual({ off: true, clients: [], noRootSquash: false });
    });
});

describe("sharenfsProblem", () => {
    it("refuses an export to everyone and no_root_squash to a subnet, and accepts host-scoped exports", () => {
        expect(sharenfsProblem("on")).toBe("exports to every host (on); name the hosts or subnets, e.g. rw=@192.168.10.20/32");
        expect(sharenfsProblem("rw=@192.168.10.0/24,no_root_squash")).toBe(
            "gives root on the clients root on the data (no_root_squash) for a whole subnet (@192.168.10.0/24); use no_root_squash only for single hosts (/32)",
        );
        expect(sharenfsProblem("rw=@192.168.10.20/32,no_root_squash")).toBeUndefined();
        expect(sharenfsProblem("off")).toBeUndefined();
    });
});
