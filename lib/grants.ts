/**
 * From what the program manages through its API token to what Proxmox must grant it: the
 * resources' uses (components/accessUses.ts derives them from the inventory), through the
 * privilege table (lib/privileges.ts), to privileges on paths, the role and the ACLs.
 *
 * The ACLs sit on the narrowest paths Proxmox checks (`/`, `/nodes/<node>`, `/storage/<id>`,
 * `/sdn/zones/localnetwork/<bridge>/<vlan>`, `/mapping/pci/<name>`, ...), never propagated,
 * with two exceptions Proxmox itself forces: guests and defined storages are granted on `/vms`
 * and `/storage` with propagation, because Proxmox deletes every ACL on `/vms/<vmid>` when it
 * destroys the guest and on `/storage/<id>` when it removes the storage (fact P31). A guest or a
 * storage the program replaces (delete, then create with the same id) would otherwise lose its
 * grant between the delete and the create, and the create would be refused.
 */
import { PRIVILEGE_TABLE } from "./privileges";

/**
 * What a need acts on; its ACL path comes from `SLOT_PATHS`. Fixed slots (`datacenter`,
 * `storageConfig`, `pciMappings`, `usbMappings`) have one path; the others one per id a resource
 * gives (a node name, a storage id, a VMID, `<bridge>` or `<bridge>/<vlan>`, a mapping name).
 */
export type Slot =
    | "datacenter"
    | "node"
    | "storageConfig"
    | "definedStorage"
    | "diskStorage"
    | "imageStorage"
    | "downloadStorage"
    | "snippetStorage"
    | "backupStorage"
    | "guest"
    | "cloneSource"
    | "vnet"
    | "pciMappings"
    | "pciMapping"
    | "usbMappings"
    | "usbMapping";

/** The ACL path of a slot's id (pve-access-control `src/PVE/AccessControl.pm` check_path lists the valid ones). */
const SLOT_PATHS: Readonly<Record<Slot, (id: string) => string>> = {
    datacenter: () => "/",
    node: (node) => `/nodes/${node}`,
    storageConfig: () => "/storage",
    definedStorage: (id) => `/storage/${id}`,
    diskStorage: (id) => `/storage/${id}`,
    imageStorage: (id) => `/storage/${id}`,
    downloadStorage: (id) => `/storage/${id}`,
    snippetStorage: (id) => `/storage/${id}`,
    backupStorage: (id) => `/storage/${id}`,
    guest: (vmid) => `/vms/${vmid}`,
    cloneSource: (vmid) => `/vms/${vmid}`,
    // A plain Linux bridge is the zone `localnetwork` (pve-guest-common `GuestHelpers.pm` check_vnet_access).
    vnet: (bridgeAndVlan) => `/sdn/zones/localnetwork/${bridgeAndVlan}`,
    pciMappings: () => "/mapping/pci",
    pciMapping: (name) => `/mapping/pci/${name}`,
    usbMappings: () => "/mapping/usb",
    usbMapping: (name) => `/mapping/usb/${name}`,
};

/** The id list a use gives a fixed slot. */
export const HERE: readonly string[] = [""];

/** What a resource does that some needs depend on. */
export type Trait = "agent" | "cloudInit" | "cdrom" | "privileged" | "nesting";

/** One API call's privileges. */
export interface PrivilegeNeed {
    /** Privileges Proxmox checks together on the path. */
    readonly privileges: readonly string[];
    readonly on: Slot;
    /** The API call(s) or parameters that need them. */
    readonly call: string;
    /** Upstream source (repository, file, function) and the fact recording it, if one does. */
    readonly source: string;
    /** Only when the resource has this trait. */
    readonly when?: Trait;
    /** Only on this Proxmox VE major (the privilege or the check differs on the other). */
    readonly pve?: 8 | 9;
    /** A refresh (`pulumi preview --refresh`, the drift check) makes this call too. */
    readonly read?: true;
}

/** A resource type's entry: what the token needs for it, or why only root@pam manages it. */
export type TableEntry = { readonly needs: readonly PrivilegeNeed[] } | { readonly rootOnly: string };

/** One resource the token manages, as the privilege table reads it. */
export interface ResourceUse {
    /** The resource type token (`proxmoxve:index/vmLegacy:VmLegacy`). */
    readonly type: string;
    /** What it stands for in the inventory (`guests.photos`, `nodes.pve1`, `cluster`). */
    readonly entity: string;
    /** Ids per slot (`HERE` for a fixed slot); a need whose slot has no ids does not apply. */
    readonly at: Partial<Record<Slot, readonly string[]>>;
    readonly traits?: readonly Trait[];
}

/** One privilege needed on one path, and where the need comes from. */
export interface PathNeed {
    readonly privilege: string;
    readonly path: string;
    readonly slot: Slot;
    readonly type: string;
    readonly entity: string;
    readonly call: string;
    readonly source: string;
    /** A refresh makes the call too. */
    readonly read: boolean;
}

/** Every privilege the uses need on every path, on a Proxmox VE major. Throws for a type the table lacks. */
export function pathNeeds(
    uses: readonly ResourceUse[],
    pveVersion: 8 | 9,
    table: Readonly<Record<string, TableEntry>> = PRIVILEGE_TABLE,
): PathNeed[] {
    const out: PathNeed[] = [];
    for (const use of uses) {
        const entry = Object.hasOwn(table, use.type) ? table[use.type] : undefined;
        if (entry === undefined)
            throw new Error(
                `[${use.entity}] resource type ${use.type} has no entry in the privilege table (lib/privileges.ts): add the API calls it makes and the privileges Proxmox checks for them`,
            );
        if ("rootOnly" in entry) throw new Error(`[${use.entity}] ${use.type} is managed through root@pam only: ${entry.rootOnly}`);
        for (const need of entry.needs) {
            if (need.pve !== undefined && need.pve !== pveVersion) continue;
            if (need.when !== undefined && !(use.traits ?? []).includes(need.when)) continue;
            for (const id of use.at[need.on] ?? [])
                for (const privilege of need.privileges)
                    out.push({
                        privilege,
                        path: SLOT_PATHS[need.on](id),
                        slot: need.on,
                        type: use.type,
                        entity: use.entity,
                        call: need.call,
                        source: need.source,
                        read: need.read === true,
                    });
        }
    }
    return out;
}

/** The role's privileges: every privilege needed somewhere, sorted. */
export function rolePrivileges(needs: readonly PathNeed[]): string[] {
    return [...new Set(needs.map((n) => n.privilege))].sort();
}

/** An ACL the program gives its user: the role on one path. */
export interface AclGrant {
    readonly path: string;
    /** Whether the grant reaches the paths below (only `/vms` and `/storage`, see the module comment). */
    readonly propagate: boolean;
    /** The privileges needed on the paths it covers, sorted (the role has more; they have no effect there). */
    readonly privileges: readonly string[];
}

/** Subtrees granted whole, and why (fact P31). */
export const SUBTREES: Readonly<Record<string, string>> = {
    "/vms": "Proxmox deletes the ACLs on /vms/<vmid> when it destroys the guest (pve-access-control src/PVE/AccessControl.pm remove_vm_access, from qemu-server and pve-container destroy_vm): a replaced guest could not be created again",
    "/storage":
        "Proxmox deletes the ACLs on /storage/<id> when it removes the storage (remove_storage_access, from pve-storage src/PVE/API2/Storage/Config.pm delete): a replaced storage could not be read back",
};

/** The ACLs that grant exactly the needs' paths, with the two subtrees of `SUBTREES`. Sorted by path. */
export function aclGrants(needs: readonly PathNeed[]): AclGrant[] {
    // A storage the program defines can be replaced by it; storages it only uses never are.
    const definesStorages = needs.some((n) => n.slot === "definedStorage");
    const byPath = new Map<string, { propagate: boolean; privileges: Set<string> }>();
    for (const need of needs) {
        let path = need.path;
        let propagate = false;
        if (path.startsWith("/vms/")) [path, propagate] = ["/vms", true];
        else if (definesStorages && (path === "/storage" || path.startsWith("/storage/"))) [path, propagate] = ["/storage", true];
        const grant = byPath.get(path) ?? { propagate, privileges: new Set<string>() };
        grant.privileges.add(need.privilege);
        byPath.set(path, grant);
    }
    return [...byPath.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([path, g]) => ({ path, propagate: g.propagate, privileges: [...g.privileges].sort() }));
}

/** Whether an ACL on `grants` with a role of `role` gives `privilege` on `path` (Proxmox's own inheritance). */
export function isGranted(grants: readonly AclGrant[], role: ReadonlySet<string>, privilege: string, path: string): boolean {
    if (!role.has(privilege)) return false;
    return grants.some((g) => g.path === path || (g.propagate && (g.path === "/" || path.startsWith(`${g.path}/`))));
}

/**
 * What a refresh (the drift check) reads beyond what `PVEAuditor` propagated from `/` gives: its
 * role holds every `*.Audit` privilege (pve-access-control `AccessControl.pm` create_roles), so
 * these are the read needs on other privileges.
 */
export function readsBeyondAuditor(needs: readonly PathNeed[]): PathNeed[] {
    return needs.filter((n) => n.read && !n.privilege.endsWith(".Audit"));
}
