/**
 * Which changes are dangerous (the change report exits 1) and which are advisory.
 *
 * Dangerous: replacing or deleting a protected or stateful resource; destroying or orphaning data
 * (a ZFS dataset removed, renamed or moved to another node; a guest's disks on a replacement; the
 * offsite bucket replaced); taking the network down (the router guest replaced or removed, the
 * bridge that carries a node's address replaced or its addressing changed). Each names the
 * resource, why, and the safe procedure. Everything else that changes is advisory at most; so are
 * an update the provider does not carry out as written (lib/replacements.ts updateNotes) and an
 * input left unknown by a delete-first replacement it depends on (tools/change/dependents.ts).
 */
import { rootProviderName } from "../../components/providers";
import { ENGINE_RULES, rulesFor } from "../../lib/replacements";
import {
    BRIDGE_TYPES,
    CLUSTER_COMPONENT_TYPE,
    CONTAINER_TYPES,
    GUEST_TYPES,
    S3_BUCKET_TYPES,
    VM_TYPES,
    ZFS_DATASET_COMPONENT_TYPE,
} from "./tokens";
import { RecordedResource } from "../runtime/recorder";
import { ClassifiedChange, ComponentRef, ResourceChange, providerUrn } from "./classify";
import { covers, parsePath, valuesAt } from "./paths";

export type DangerKind = "protected" | "stateful" | "data" | "network";

/** A change that must not go through as it is. */
export interface Danger {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly kind: DangerKind;
    /** What would happen. */
    readonly why: string;
    /** How to make the change safely. */
    readonly procedure: string;
}

/** A change worth a look that does not block. */
export interface Advisory {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly message: string;
}

/** Bridge inputs that move the host's address or the links under it. */
const BRIDGE_ADDRESSING = ["address", "gateway", "ports", "name", "nodeName", "vlanAware", "mtu"];

/** The two recordings' resources by URN (component outputs live on the components). */
export interface RecordingIndex {
    readonly base: ReadonlyMap<string, RecordedResource>;
    readonly current: ReadonlyMap<string, RecordedResource>;
}

const what = (c: ResourceChange) => (c.op === "delete" ? "deleted" : "replaced");
const forcedBy = (c: ResourceChange) => {
    const paths = c.replaceReasons.map((r) => (r.path ? `${r.path} (${r.source})` : `${r.rule} (${r.source})`));
    return paths.length > 0 ? ` (forced by ${paths.join(", ")})` : "";
};

/** The component of a change, as recorded on the side that has it. */
function componentOf(x: ClassifiedChange, index: RecordingIndex, side: "base" | "current"): RecordedResource | undefined {
    const ref: ComponentRef | undefined = x.component;
    if (!ref) return undefined;
    return side === "base"
        ? (index.base.get(ref.urn) ?? index.current.get(ref.urn))
        : (index.current.get(ref.urn) ?? index.base.get(ref.urn));
}

/** A guest marked stateful: its component says so, or Proxmox protection is on. */
function isStateful(r: RecordedResource | undefined, component: RecordedResource | undefined): boolean {
    return component?.outputs.stateful === true || r?.inputs.protection === true;
}

/**
 * The router guest: its component registers `isGateway` (or `gateway`) true; until components do,
 * a VM whose NIC trunks VLANs is the router (the only guest the program gives a trunk).
 */
function isGateway(r: RecordedResource | undefined, component: RecordedResource | undefined): boolean {
    if (component?.outputs.isGateway === true || component?.outputs.gateway === true) return true;
    return r !== undefined && VM_TYPES.has(r.type) && valuesAt(r.inputs, ["networkDevices", "*", "trunks"]).some((t) => t !== "");
}

/** Node names by address, from the cluster component's `nodes` output (`[{ name, address }]`) where one is registered. */
function nodeNames(resources: ReadonlyMap<string, RecordedResource>): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of resources.values()) {
        if (r.type !== CLUSTER_COMPONENT_TYPE || !Array.isArray(r.outputs.nodes)) continue;
        for (const n of r.outputs.nodes as { name?: unknown; address?: unknown }[]) {
            if (typeof n.name === "string" && typeof n.address === "string") out.set(n.address, n.name);
        }
    }
    return out;
}

/**
 * Dataset name and node of a dataset's remote command: the component's `path` and `node` outputs;
 * without a `node` output, the node whose address is the SSH host, or the host itself.
 */
function datasetOf(
    x: ClassifiedChange,
    index: RecordingIndex,
    side: "base" | "current",
    names: ReadonlyMap<string, string>,
): { path: string; node: string } | undefined {
    const r = side === "base" ? x.base : x.current;
    const component = componentOf(x, index, side);
    if (!r || component?.type !== ZFS_DATASET_COMPONENT_TYPE) return undefined;
    const path = typeof component.outputs.path === "string" ? component.outputs.path : component.name;
    if (typeof component.outputs.node === "string") return { path, node: component.outputs.node };
    const host = valuesAt(r.inputs, ["connection", "host"])[0];
    const known = typeof host === "string" ? names.get(host) : undefined;
    return { path, node: known ?? (typeof host === "string" ? `the node at ${host}` : "its node") };
}

/** The root@pam provider's URN ends with its name (components/providers.ts). */
const ROOT_PROVIDER_SUFFIX = `::${rootProviderName("proxmox")}`;

/** Dangers and advisories of a set of classified changes. */
export function assessChanges(changes: readonly ClassifiedChange[], index: RecordingIndex): { dangers: Danger[]; advisories: Advisory[] } {
    const dangers: Danger[] = [];
    const advisories: Advisory[] = [];
    // Once per report, not per change: the lookups below stay linear in the number of resources.
    const names = { base: nodeNames(index.base), current: nodeNames(index.current) };
    for (const x of changes) {
        const c = x.change;
        const id = { urn: c.urn, type: c.type, name: c.name };
        const add = (kind: DangerKind, why: string, procedure: string) => dangers.push({ ...id, kind, why, procedure });
        const advise = (message: string) => advisories.push({ ...id, message });
        // Also on a resource whose own inputs are unchanged.
        for (const u of c.unknownInputs ?? []) {
            advise(
                `${u.path} comes from ${u.from}, which is replaced delete-first: the engine diffs this resource with ${u.path} unknown, ` +
                    `and rules below it may replace it too (pulumi preview shows whether; ${ENGINE_RULES.dependent.source})`,
            );
        }
        if (c.op === "unchanged" || !c.custom) continue;
        const gone = c.op === "replace" || c.op === "delete";
        const baseComponent = componentOf(x, index, "base");
        const before = dangers.length;

        // Protected or stateful.
        if (gone && x.base?.options.protect) {
            add(
                "protected",
                `protected in the state: Pulumi refuses to ${c.op === "delete" ? "delete" : "replace"} it and the deploy stops there${forcedBy(c)}`,
                GUEST_TYPES.has(c.type)
                    ? "turn protection off in one deploy (set the guest's stateful: false; Proxmox protection must be off before a delete, P10), then make the change in the next"
                    : "turn protection off in one deploy, then replace or remove it in the next",
            );
        } else if (gone && GUEST_TYPES.has(c.type) && isStateful(x.base, baseComponent)) {
            add(
                "stateful",
                `a stateful guest would be ${what(c)}${forcedBy(c)}; Proxmox protection fails the delete after the provider has stopped it (P10)`,
                "set stateful: false and deploy, then make the change",
            );
        }

        // Data.
        if (c.op === "replace" && GUEST_TYPES.has(c.type)) {
            add(
                "data",
                `replacing the guest deletes its ${VM_TYPES.has(c.type) ? "disks" : "root disk"} with the old one${forcedBy(c)}; bind-mounted datasets stay` +
                    (c.note ? `; ${c.note}` : ""),
                `back the guest up (vzdump) and restore it into the new one, or revert ${c.replaceReasons.map((r) => r.path ?? r.rule).join(", ")}: it cannot change in place` +
                    "; after the replacement run `pulumi refresh`, then `pulumi up`, so its firewall, HA and backup settings are written again",
            );
        }
        const oldDataset = datasetOf(x, index, "base", names.base);
        const newDataset = datasetOf(x, index, "current", names.current);
        if (oldDataset && c.op === "delete") {
            add(
                "data",
                `dataset ${oldDataset.path} on ${oldDataset.node} leaves the stack: ${x.base?.options.retainOnDelete ? "its data stays on the node, no longer managed (orphaned)" : "the delete script destroys it if it is empty"}`,
                "keep it in the inventory; to remove it on purpose set allowDestroy: true and deploy, empty it, then remove it",
            );
        } else if (oldDataset && newDataset && c.op === "replace" && oldDataset.path === newDataset.path) {
            add(
                "data",
                `dataset ${newDataset.path} moves from ${oldDataset.node} to ${newDataset.node}: its command's triggers hold the node, so the ` +
                    `dataset is created empty on ${newDataset.node} and the old one on ${oldDataset.node} is ${x.base?.options.retainOnDelete ? "left behind with the data (orphaned)" : "destroyed if empty"} (C1, C4)`,
                "move data with zfs send/receive; a dataset's node cannot change in place",
            );
        } else if (oldDataset && c.op === "replace") {
            add(
                "data",
                `dataset ${oldDataset.path} on ${oldDataset.node} is renamed to ${newDataset?.path ?? "?"}: the new dataset is created empty and the old one is ${x.base?.options.retainOnDelete ? "left behind with the data (orphaned)" : "destroyed if empty"}`,
                "rename it on the node (zfs rename) or move the data with zfs send/receive, then change the inventory",
            );
        } else if (oldDataset && newDataset && c.op === "update" && oldDataset.node !== newDataset.node) {
            add(
                "data",
                `dataset ${newDataset.path} moves from ${oldDataset.node} to ${newDataset.node}: the update runs on the new node, which has no such data, and the data stays behind on ${oldDataset.node} (C4)`,
                "move data with zfs send/receive; a dataset's node cannot change in place",
            );
        }
        if (gone && S3_BUCKET_TYPES.has(c.type)) {
            add(
                "data",
                `the offsite bucket would be ${what(c)}${forcedBy(c)}: the backups in it are not carried over`,
                "copy the objects to the new bucket first (rclone/aws s3 sync), then switch the inventory and let PBS sync again",
            );
        }

        // Network.
        const currentComponent = componentOf(x, index, "current");
        if (gone && GUEST_TYPES.has(c.type) && isGateway(x.base, baseComponent)) {
            add(
                "network",
                `the router guest would be ${what(c)}${forcedBy(c)}: every VLAN loses its gateway until a new one runs`,
                "plan a maintenance window with console access to the nodes; keep the old router until the new one routes",
            );
        } else if (c.op === "update" && GUEST_TYPES.has(c.type) && isGateway(x.current, currentComponent)) {
            advise(`the router guest changes (${c.changedPaths.join(", ")}): a change that needs a reboot interrupts routing`);
        }
        if (BRIDGE_TYPES.has(c.type)) {
            const carriesAddress = valuesAt(x.base?.inputs ?? x.current?.inputs, ["address"]).length > 0;
            const addressing = c.changedPaths.filter((p) =>
                BRIDGE_ADDRESSING.some((k) => p === k || p.startsWith(`${k}[`) || p.startsWith(`${k}.`)),
            );
            if (carriesAddress && c.op === "replace") {
                add(
                    "network",
                    `the bridge carrying the node's address would be replaced${forcedBy(c)}: the node drops off the network mid-deploy`,
                    "change the bridge from the node's console, one node at a time, then import it into the stack",
                );
            } else if (carriesAddress && c.op === "update" && addressing.length > 0) {
                add(
                    "network",
                    `the bridge carrying the node's address changes ${addressing.join(", ")}: a mistake cuts the node off from the API and SSH`,
                    "make the change from the node's console (or with another way in), one node at a time, and check it before the next",
                );
            } else if (c.op === "delete" && !x.base?.options.retainOnDelete) {
                add(
                    "network",
                    "the bridge would be deleted from the node",
                    "keep the bridge in the stack (retainOnDelete) or remove it from the console",
                );
            }
        }

        // A container's features after creation are root@pam's (P27): an update that changes them
        // through another provider (docker turned off moves the container to the API token) gets 403.
        if (
            c.op === "update" &&
            CONTAINER_TYPES.has(c.type) &&
            c.changedPaths.some((p) => p === "features" || p.startsWith("features.")) &&
            !providerUrn(x.current?.options.provider)?.endsWith(ROOT_PROVIDER_SUFFIX)
        )
            advise(
                "the container's features change through the API token, but after creation only root@pam may change them (P27): Proxmox refuses the update (403); " +
                    "take the features off by hand first (docs/operations.md, turning docker off for a container)",
            );

        // Advisories that hold whatever else the change does.
        for (const n of rulesFor(c.type)?.updateNotes ?? []) {
            const pattern = parsePath(n.path);
            const hit = c.op === "update" ? c.changedPaths.find((p) => covers(pattern, parsePath(p))) : undefined;
            if (hit !== undefined) advise(`${hit} changes in place: ${n.note} (${n.source})`);
        }

        // Advisories for what is not dangerous.
        if (dangers.length > before) continue;
        if (c.op === "replace") {
            const order = c.order === "delete-then-create" ? "deleted, then created" : "created, then the old one deleted";
            advise(`replaced (${order})${forcedBy(c)}${c.note ? `; ${c.note}` : ""}`);
        } else if (c.op === "delete") {
            advise(x.base?.options.retainOnDelete ? "leaves the stack; retainOnDelete keeps it on the node" : "deleted");
        } else if (c.op === "import") {
            advise(
                `imported (id ${x.current?.options.importId}): the inputs must match what the provider reads back, or the import fails (P3)`,
            );
        } else if (c.op === "update" && c.changedPaths.includes("provider")) {
            advise("moves to another provider resource (credentials); updated in place");
        }
    }
    return { dangers, advisories };
}
