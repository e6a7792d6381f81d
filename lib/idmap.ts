/**
 * Container ids to host ids. An unprivileged container sees host uid `100000 + N` as uid N (the
 * default `root:100000:65536` range of /etc/subuid and /etc/subgid); a privileged container
 * shares the host's ids. Files a container writes to a bind-mounted dataset must therefore be
 * owned on the host by the mapped ids.
 *
 * A container with its own `idmap` uses only the listed ranges: pve-container writes the default
 * `u 0 100000 65536` / `g 0 100000 65536` entries only when the config holds no `lxc.idmap` at all,
 * so an id outside every listed range of its type is unmapped (the container sees its files as
 * `nobody`) and cannot own anything.
 */
import { UNPRIVILEGED_ID_OFFSET } from "./scheme";

/** Ids of the default unprivileged range (`root:100000:65536`). */
const UNPRIVILEGED_ID_COUNT = 65536;

/** A uid/gid pair. */
export interface IdPair {
    readonly uid: number;
    readonly gid: number;
}

/** One range of a container's custom idmap. */
export interface IdmapRange {
    readonly type: "uid" | "gid";
    readonly containerId: number;
    readonly hostId: number;
    readonly size: number;
}

/** What the mapping needs to know of a container. */
export interface IdmapContainer {
    /** Present when the container is privileged (it shares the host's ids). */
    readonly privileged?: unknown;
    readonly idmap?: readonly IdmapRange[];
}

/** The host id of a container id through one type's custom ranges, or undefined when no range holds it. */
export function mapThroughRanges(ranges: readonly IdmapRange[], type: IdmapRange["type"], id: number): number | undefined {
    const range = ranges.find((r) => r.type === type && id >= r.containerId && id < r.containerId + r.size);
    return range === undefined ? undefined : range.hostId + (id - range.containerId);
}

function mapId(type: IdmapRange["type"], id: number, container: IdmapContainer): number {
    const field = `owner.${type}`;
    if (!Number.isInteger(id) || id < 0 || id >= UNPRIVILEGED_ID_COUNT) {
        throw new Error(`[${field}] must be an id inside the container from 0 to ${UNPRIVILEGED_ID_COUNT - 1}, got ${JSON.stringify(id)}`);
    }
    // A privileged container has no user namespace: its ids are the host's.
    if (container.privileged !== undefined) return id;
    if (container.idmap === undefined || container.idmap.length === 0) return UNPRIVILEGED_ID_OFFSET + id;
    const mapped = mapThroughRanges(container.idmap, type, id);
    if (mapped === undefined) {
        throw new Error(
            `[${field}] ${type} ${id} is outside every ${type} range of the container's idmap, so it is unmapped inside the container; add a range that holds it`,
        );
    }
    return mapped;
}

/**
 * Host ids of a container user: the same ids in a privileged container; through the container's
 * `idmap` when it has one (throws for an id no range holds); else `100000 + id`.
 */
export function hostIds(owner: IdPair, container: IdmapContainer): IdPair {
    return { uid: mapId("uid", owner.uid, container), gid: mapId("gid", owner.gid, container) };
}
