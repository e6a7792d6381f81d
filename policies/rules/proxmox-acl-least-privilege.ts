import { clusterOf } from "../cluster";
import { stackRule } from "../define";
import { bool, str, strings } from "../props";
import { BUILT_IN_ROLES, NARROWER_PATHS } from "../shared/pveRoles";
import { ACL_TYPES, API_TOKEN_TYPES, ROLE_TYPES } from "../tokens";

/** Privileges the program's token must never hold: rewriting ACLs, and powering nodes off. */
const FORBIDDEN = ["Permissions.Modify", "Sys.PowerMgmt"] as const;

/**
 * The program's API token runs every `pulumi up`: whoever holds its secret holds what its ACLs
 * grant. It must not be an administrator, rewrite permissions (and so grant itself anything) or
 * power nodes off; and a privilege that acts on guests, storages, SDN zones, mappings or pools
 * belongs on those paths, not on `/` propagated to everything. The token is the inventory's
 * (`automationTokenId`, registered by the Cluster component), else the tokens the stack creates;
 * ACLs on the token's user count too (a token without privilege separation has its user's rights).
 */
export const proxmoxAclLeastPrivilege = stackRule({
    name: "proxmox-acl-least-privilege",
    description:
        "Checks that no ACL gives the program's API token (or its user) Administrator, Permissions.Modify or Sys.PowerMgmt, or propagates from / privileges that belong on narrower paths.",
    validate: (resources, ctx) => {
        const fromInventory = clusterOf(resources)?.automationTokenId();
        const tokens = new Set(
            fromInventory !== undefined
                ? [fromInventory]
                : resources
                      .filter((r) => API_TOKEN_TYPES.has(r.type))
                      .flatMap((t) => {
                          const user = str(t.props.userId);
                          const name = str(t.props.tokenName);
                          return user === undefined || name === undefined ? [] : [`${user}!${name}`];
                      }),
        );
        if (tokens.size === 0) ctx.notApplicable("no Cluster component registers automationTokenId and the stack creates no API token");
        const users = new Set([...tokens].map((t) => t.split("!")[0]));
        const roles = new Map<string, ReadonlySet<string>>(BUILT_IN_ROLES);
        for (const r of resources.filter((x) => ROLE_TYPES.has(x.type))) {
            const id = str(r.props.roleId);
            if (id !== undefined) roles.set(id, new Set(strings(r.props.privileges)));
        }
        for (const acl of resources.filter((r) => ACL_TYPES.has(r.type))) {
            ctx.judge(acl, (report, cannotJudge) => {
                const token = str(acl.props.tokenId);
                const user = str(acl.props.userId);
                const to =
                    token !== undefined && tokens.has(token)
                        ? `the program's token ${token}`
                        : user !== undefined && users.has(user)
                          ? `the program's user ${user}`
                          : undefined;
                if (to === undefined) return;
                const roleId = str(acl.props.roleId) ?? "";
                const path = str(acl.props.path) ?? "";
                if (roleId === "Administrator") {
                    report(
                        `The ACL gives ${to} the Administrator role on ${path}: every privilege, permissions included. Give it the program's own role with only the privileges it needs.`,
                    );
                    return;
                }
                const privileges = roles.get(roleId);
                if (privileges === undefined) return cannotJudge(`role ${roleId} is neither built in nor defined in the stack`);
                const forbidden = FORBIDDEN.filter((p) => privileges.has(p));
                if (forbidden.length > 0)
                    report(
                        `The ACL gives ${to} the role ${roleId}, which holds ${forbidden.join(" and ")}: ${forbidden.includes("Permissions.Modify") ? "with it the token can grant itself anything" : "with it the token can shut nodes down"}. Remove ${forbidden.join(" and ")} from the role, or give the token another role.`,
                    );
                // Proxmox propagates an ACL unless `propagate: false` (the provider's default is true).
                const propagates = bool(acl.props.propagate) !== false;
                if (path.trim() === "/" && propagates) {
                    const narrower = [...privileges]
                        .filter((p) => Object.keys(NARROWER_PATHS).some((prefix) => p.startsWith(prefix)))
                        .sort();
                    if (narrower.length > 0) {
                        const where = [
                            ...new Set(
                                narrower.map(
                                    (p) => NARROWER_PATHS[Object.keys(NARROWER_PATHS).find((prefix) => p.startsWith(prefix)) as string],
                                ),
                            ),
                        ];
                        report(
                            `The ACL propagates the role ${roleId} from / to ${to}, so ${narrower.join(", ")} reach every guest, storage and zone. Grant these on the paths they act on (${where.join("; ")}) instead.`,
                        );
                    }
                }
            });
        }
    },
});
