import { IdmapRange, hostIds, mapThroughRanges } from "../../lib/idmap";

/** The usual "pass one user through" map: container 1000 is host 1000, everything else in the default range. */
const passThrough1000: IdmapRange[] = [
    { type: "uid", containerId: 0, hostId: 100000, size: 1000 },
    { type: "gid", containerId: 0, hostId: 100000, size: 1000 },
    { type: "uid", containerId: 1000, hostId: 1000, size: 1 },
    { type: "gid", containerId: 1000, hostId: 1000, size: 1 },
    { type: "uid", containerId: 1001, hostId: 101001, size: 64535 },
    { type: "gid", containerId: 1001, hostId: 101001, size: 64535 },
];

describe("hostIds", () => {
    it("maps through the default range of an unprivileged container without an idmap", () => {
        expect(hostIds({ uid: 1000, gid: 1000 }, {})).toEqual({ uid: 101000, gid: 101000 });
        expect(hostIds({ uid: 0, gid: 0 }, { idmap: [] })).toEqual({ uid: 100000, gid: 100000 });
    });

    it("maps an id inside a custom range to hostId + (id - containerId), per type", () => {
        expect(hostIds({ uid: 1000, gid: 1000 }, { idmap: passThrough1000 })).toEqual({ uid: 1000, gid: 1000 });
        expect(hostIds({ uid: 33, gid: 999 }, { idmap: passThrough1000 })).toEqual({ uid: 100033, gid: 100999 });
        expect(hostIds({ uid: 1001, gid: 65535 }, { idmap: passThrough1000 })).toEqual({ uid: 101001, gid: 165535 });
        const shifted: IdmapRange[] = [
            { type: "uid", containerId: 500, hostId: 200000, size: 100 },
            { type: "gid", containerId: 0, hostId: 300000, size: 65536 },
        ];
        expect(hostIds({ uid: 542, gid: 7 }, { idmap: shifted })).toEqual({ uid: 200042, gid: 300007 });
    });

    it("refuses an id outside every range of its type: a custom idmap replaces the default range", () => {
        const uidOnly1000: IdmapRange[] = [
            { type: "uid", containerId: 1000, hostId: 1000, size: 1 },
            { type: "gid", containerId: 0, hostId: 100000, size: 65536 },
        ];
        expect(() => hostIds({ uid: 33, gid: 33 }, { idmap: uidOnly1000 })).toThrow(
            "[owner.uid] uid 33 is outside every uid range of the container's idmap, so it is unmapped inside the container; add a range that holds it",
        );
        // The range's end is exclusive: containerId + size is the first id it does not hold.
        const gidTo999: IdmapRange[] = [
            { type: "uid", containerId: 0, hostId: 100000, size: 65536 },
            { type: "gid", containerId: 0, hostId: 100000, size: 1000 },
        ];
        expect(hostIds({ uid: 1000, gid: 999 }, { idmap: gidTo999 })).toEqual({ uid: 101000, gid: 100999 });
        expect(() => hostIds({ uid: 1000, gid: 1000 }, { idmap: gidTo999 })).toThrow("[owner.gid] gid 1000 is outside every gid range");
    });

    it("keeps the host's ids in a privileged container, idmap or not", () => {
        const privileged = { privileged: { reason: "iGPU and TUN device" } };
        expect(hostIds({ uid: 1000, gid: 44 }, privileged)).toEqual({ uid: 1000, gid: 44 });
        expect(hostIds({ uid: 1000, gid: 44 }, { ...privileged, idmap: passThrough1000 })).toEqual({ uid: 1000, gid: 44 });
    });

    it("refuses ids a container cannot have, before any mapping", () => {
        expect(() => hostIds({ uid: 65536, gid: 0 }, { idmap: passThrough1000 })).toThrow(
            "[owner.uid] must be an id inside the container from 0 to 65535, got 65536",
        );
        expect(() => hostIds({ uid: 0, gid: 1.5 }, {})).toThrow("[owner.gid] must be an id inside the container from 0 to 65535, got 1.5");
    });
});

describe("mapThroughRanges", () => {
    it("finds the range of the asked type only", () => {
        const ranges: IdmapRange[] = [{ type: "gid", containerId: 0, hostId: 5000, size: 10 }];
        expect(mapThroughRanges(ranges, "gid", 9)).toBe(5009);
        expect(mapThroughRanges(ranges, "gid", 10)).toBeUndefined();
        expect(mapThroughRanges(ranges, "uid", 0)).toBeUndefined();
    });
});
