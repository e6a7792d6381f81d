/**
 * Container ids to host ids. An unprivileged container sees host uid `100000 + N` as uid N (the
 * default `root:100000:65536` range of /etc/subuid and /etc/subgid); a privileged container
 * shares the host's ids. Files a container writes to a bind-mounted dataset must therefore be
 * owned on the host by the mapped ids.
 */
import { LxcGuestSpec } from "../config/schema";
import { UNPRIVILEGED_ID_OFFSET } from "./scheme";

/** Ids of the default unprivileged range (`root:100000:65536`). */
export const UNPRIVILEGED_ID_COUNT = 65536;

/** A uid/gid pair. */
export interface IdPair {
    readonly uid: number;
    readonly gid: number;
}

function mapId(field: string, id: number, privileged: boolean): number {
    if (!Number.isInteger(id) || id < 0 || id >= UNPRIVILEGED_ID_COUNT) {
        throw new Error(`[${field}] must be an id inside the container from 0 to ${UNPRIVILEGED_ID_COUNT - 1}, got ${JSON.stringify(id)}`);
    }
    return privileged ? id : UNPRIVILEGED_ID_OFFSET + id;
}

/** Host ids of a container user: `100000 + id` in an unprivileged container, the same ids in a privileged one. */
export function hostIds(owner: IdPair, container: Pick<LxcGuestSpec, "privileged">): IdPair {
    const privileged = container.privileged !== undefined;
    return { uid: mapId("owner.uid", owner.uid, privileged), gid: mapId("owner.gid", owner.gid, privileged) };
}
