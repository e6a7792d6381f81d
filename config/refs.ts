/**
 * The entities a cross-check problem follows from, worked out from where it is and what the raw
 * inventory holds there, for the checks of `crosschecks.ts` that set no `refs` of their own.
 * Each case below is a check whose reference is known: a guest's `node` names a node, its `vlan`
 * the network carrying that VLAN, a dataset mount its guest, ... No message text is read.
 */
import { entityRef, parsePath } from "./errors";

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const field = (value: unknown, key: string): unknown => (isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined);
const entries = (value: unknown): [string, unknown][] => (isRecord(value) ? Object.entries(value) : []);

/** Sections whose entries are entities of their own (a refused entry is left out, the rest is checked). */
const ENTITY_SECTIONS = new Set(["networks", "nodes", "storages", "images", "datasets", "guests", "ha"]);

/** `nodes.<name>` for a string naming a node, none otherwise. */
const nodeRef = (name: unknown): string[] => (typeof name === "string" ? [entityRef("nodes", name)] : []);
const guestRef = (name: unknown): string[] => (typeof name === "string" ? [entityRef("guests", name)] : []);
const imageRef = (name: unknown): string[] => (typeof name === "string" ? [entityRef("images", name)] : []);

/** The networks carrying a VLAN id in the raw inventory (refused ones included). */
function networksWithVlan(raw: unknown, vlan: unknown): string[] {
    return entries(field(raw, "networks"))
        .filter(([, n]) => field(n, "vlan") === vlan)
        .map(([name]) => entityRef("networks", name));
}

/** The nodes defining a storage id in the raw inventory. */
function nodesWithStorage(raw: unknown, id: unknown): string[] {
    if (typeof id !== "string") return [];
    return entries(field(raw, "nodes"))
        .filter(([, n]) => Object.hasOwn(isRecord(field(n, "storages")) ? (field(n, "storages") as object) : {}, id))
        .map(([name]) => entityRef("nodes", name));
}

function guestRefs(raw: unknown, name: string, rest: readonly (string | number)[]): string[] {
    const guest = field(field(raw, "guests"), name);
    const node = field(guest, "node");
    switch (rest[0]) {
        case "node": {
            // The node, and for an HA pair the other members on it.
            const pair = field(guest, "haPair");
            const members =
                pair === undefined
                    ? []
                    : entries(field(raw, "guests")).filter(([, g]) => field(g, "haPair") === pair && field(g, "node") === node);
            return [...nodeRef(node), ...members.map(([m]) => entityRef("guests", m))];
        }
        case "vlan":
        case "ipv4":
        case "vmid":
        case "gateway":
            return networksWithVlan(raw, field(guest, "vlan"));
        case "disk":
        case "disks":
        case "systemStorage":
        case "cdrom":
            return nodeRef(node);
        case "template":
            return imageRef(field(guest, "template"));
        case "image":
        case "cloudInit":
            return imageRef(field(guest, "image"));
        case "backup":
            return [entityRef("backups")];
        default:
            return [];
    }
}

function datasetRefs(raw: unknown, name: string, rest: readonly (string | number)[]): string[] {
    const dataset = field(field(raw, "datasets"), name);
    const mounts = Array.isArray(field(dataset, "mounts")) ? (field(dataset, "mounts") as unknown[]) : [];
    const mountGuests = mounts.flatMap((m) => guestRef(field(m, "guest")));
    switch (rest[0]) {
        case "node":
            return nodeRef(field(dataset, "node"));
        case "owner":
            return [...guestRef(field(field(dataset, "owner"), "container")), ...mountGuests];
        case "mounts":
            return typeof rest[1] === "number" ? guestRef(field(mounts[rest[1]], "guest")) : mountGuests;
        default:
            return [];
    }
}

/**
 * The entity paths (`entityRef` form) a problem at `path` follows from: the entity or section it
 * is in, plus the entities the field at `path` refers to in `raw`.
 */
export function derivedRefs(path: string, raw: unknown): string[] {
    const parts = parsePath(path);
    if (parts === undefined || parts.length === 0 || typeof parts[0] !== "string") return [];
    const [section, name, ...rest] = parts;
    if (!ENTITY_SECTIONS.has(section) || typeof name !== "string") {
        // A section that is one entity (dns, backups, offsite); the PBS guest is named in backups.
        const pbsGuest = section === "backups" && name === "pbs" && rest[0] === "guest";
        return [entityRef(section), ...(pbsGuest ? guestRef(field(field(field(raw, "backups"), "pbs"), "guest")) : [])];
    }
    const refs = [entityRef(section, name)];
    if (section === "guests") refs.push(...guestRefs(raw, name, rest));
    else if (section === "datasets") refs.push(...datasetRefs(raw, name, rest));
    else if (section === "images" && rest[0] === "storage")
        refs.push(...nodesWithStorage(raw, field(field(field(raw, "images"), name), "storage")));
    return [...new Set(refs)];
}
