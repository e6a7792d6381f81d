/**
 * Proxmox VE's privileges and built-in roles, as pve-access-control defines them
 * (src/PVE/AccessControl.pm: `$privgroups`, `$special_roles`, `create_roles`): per category the
 * privileges only root may hold, an administrator's, a user's and an auditor's; `PVE<Cat>Admin`,
 * `PVE<Cat>User`, `PVEAdmin`, `PVEAuditor`, `PVETemplateUser`, `NoAccess` and `Administrator` (all).
 */

const GROUPS: Readonly<Record<string, { root: string[]; admin: string[]; user: string[]; audit: string[] }>> = {
    VM: {
        root: [],
        admin: [
            "VM.Config.Disk",
            "VM.Config.CPU",
            "VM.Config.Memory",
            "VM.Config.Network",
            "VM.Config.HWType",
            "VM.Config.Options",
            "VM.Allocate",
            "VM.Clone",
            "VM.GuestAgent.Unrestricted",
            "VM.Migrate",
            "VM.Replicate",
            "VM.Snapshot",
            "VM.Snapshot.Rollback",
        ],
        user: [
            "VM.Config.CDROM",
            "VM.Config.Cloudinit",
            "VM.Console",
            "VM.Backup",
            "VM.GuestAgent.FileRead",
            "VM.GuestAgent.FileSystemMgmt",
            "VM.GuestAgent.FileWrite",
            "VM.PowerMgmt",
        ],
        audit: ["VM.Audit", "VM.GuestAgent.Audit"],
    },
    Sys: {
        root: ["Sys.PowerMgmt", "Sys.Modify", "Sys.Incoming", "Sys.AccessNetwork"],
        admin: ["Sys.Console", "Sys.Syslog"],
        user: [],
        audit: ["Sys.Audit"],
    },
    Datastore: {
        root: [],
        admin: ["Datastore.Allocate", "Datastore.AllocateTemplate"],
        user: ["Datastore.AllocateSpace"],
        audit: ["Datastore.Audit"],
    },
    SDN: { root: [], admin: ["SDN.Allocate", "SDN.Audit"], user: ["SDN.Use"], audit: ["SDN.Audit"] },
    User: { root: ["Realm.Allocate"], admin: ["User.Modify", "Group.Allocate", "Realm.AllocateUser"], user: [], audit: [] },
    Pool: { root: [], admin: ["Pool.Allocate"], user: ["Pool.Audit"], audit: ["Pool.Audit"] },
    Mapping: { root: [], admin: ["Mapping.Modify"], user: ["Mapping.Use"], audit: ["Mapping.Audit"] },
};

/** Every privilege Proxmox knows (`Permissions.Modify` is in no group). */
const ALL_PRIVILEGES: readonly string[] = [
    ...new Set(["Permissions.Modify", ...Object.values(GROUPS).flatMap((g) => [...g.root, ...g.admin, ...g.user, ...g.audit])]),
];

function builtInRoles(): Map<string, ReadonlySet<string>> {
    const roles = new Map<string, Set<string>>([
        ["NoAccess", new Set()],
        ["Administrator", new Set(ALL_PRIVILEGES)],
        ["PVEAdmin", new Set()],
        ["PVEAuditor", new Set()],
        ["PVETemplateUser", new Set(["VM.Clone", "VM.Audit"])],
    ]);
    const add = (role: string, privileges: readonly string[]) => {
        const set = roles.get(role) ?? new Set<string>();
        for (const p of privileges) set.add(p);
        roles.set(role, set);
    };
    for (const [cat, g] of Object.entries(GROUPS)) {
        add(`PVE${cat}Admin`, [...g.admin, ...g.user, ...g.audit]);
        add("PVEAdmin", [...g.admin, ...g.user, ...g.audit]);
        if (g.user.length > 0) add(`PVE${cat}User`, [...g.user, ...g.audit]);
        add("PVEAuditor", g.audit);
    }
    roles.get("PVEAdmin")?.delete("Mapping.Modify");
    return roles;
}

/** The built-in roles and their privileges. */
export const BUILT_IN_ROLES: ReadonlyMap<string, ReadonlySet<string>> = builtInRoles();

/**
 * Privileges that only act on paths below `/`, each with the paths it belongs on: a guest's
 * (`/vms/<vmid>`), a storage's, an SDN zone's or VNet's, a hardware mapping's, a pool's.
 */
export const NARROWER_PATHS: Readonly<Record<string, string>> = {
    "VM.": "/vms/<vmid> or /pool/<pool>",
    "Datastore.": "/storage/<id>",
    "SDN.": "/sdn/zones/<zone>/...",
    "Mapping.": "/mapping/pci/<name> or /mapping/usb/<name>",
    "Pool.": "/pool/<pool>",
};

/**
 * The privileges of Proxmox VE 8 that 9 changed (pve-access-control, first released in 9.0.2 and
 * 9.0.3): 9 dropped `VM.Monitor` (0706945) and added the `VM.GuestAgent.*` privileges (922f710)
 * and `VM.Replicate` (5f7544f). A role naming a privilege its version lacks is refused ("invalid
 * privilege").
 */
const ONLY_PVE9 = ALL_PRIVILEGES.filter((p) => p.startsWith("VM.GuestAgent.") || p === "VM.Replicate");

/** Every privilege a Proxmox VE major knows (`ALL_PRIVILEGES` is 9's). */
export function privilegesOf(version: 8 | 9): ReadonlySet<string> {
    return new Set(version === 9 ? ALL_PRIVILEGES : [...ALL_PRIVILEGES.filter((p) => !ONLY_PVE9.includes(p)), "VM.Monitor"]);
}
