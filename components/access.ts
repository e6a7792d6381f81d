/**
 * Least privilege as code: the Proxmox user, API token, role and ACLs the program runs as
 * (`cluster.automation`), managed through root@pam.
 *
 * - The role holds exactly the privileges the resources of the inventory need (the table in
 *   lib/privileges.ts over the uses of components/accessUses.ts): a stack without backups asks
 *   for no backup privileges, one without mappings for no mapping privileges.
 * - The ACLs give it on the narrowest paths Proxmox checks, propagated only on `/vms` and
 *   `/storage`, which Proxmox forces (lib/grants.ts, fact P31); none on `/` propagates, none
 *   grants `Permissions.Modify` or `Sys.PowerMgmt` (policy `proxmox-acl-least-privilege`).
 * - The ACLs are on the user, and its token has no privilege separation: the token holds exactly
 *   the user's privileges, and the user has no password, so only the token can use them.
 * - The API-token provider waits for all of it, so a new node, storage, VLAN or mapping is granted
 *   before the first resource that needs it is created.
 *
 * The first `up` (no token configured) runs everything through root@pam and creates the token; its
 * secret is the stack output `proxmoxApiToken`, stored for later runs with the command in
 * `proxmoxApiTokenCommand` (README "Your first up"; rotation in docs/operations.md).
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { Credentials } from "../config/loader";
import { Inventory } from "../config/schema";
import { AclGrant, PathNeed, aclGrants, pathNeeds, rolePrivileges } from "../lib/grants";
import { automationUses } from "./accessUses";
import { Providers, createProviders, createRootProvider } from "./providers";

/** What the program's token is granted, computed from the inventory. */
export interface AutomationAccess {
    /** `homelab@pve`. */
    readonly userId: string;
    /** `homelab`. */
    readonly tokenName: string;
    /** `homelab@pve!homelab`. */
    readonly tokenId: string;
    /** `HomelabAutomation`. */
    readonly roleId: string;
    /** The role's privileges, sorted. */
    readonly privileges: readonly string[];
    /** The ACLs, sorted by path. */
    readonly acls: readonly AclGrant[];
    /** Every privilege on every path, with the resource, call and source it comes from. */
    readonly needs: readonly PathNeed[];
}

/** The access the inventory's resources need (pure: the component, the tests and the docs' check read it). */
export function automationAccess(inv: Inventory): AutomationAccess {
    const { user, token, role } = inv.cluster.automation;
    const needs = pathNeeds(automationUses(inv), inv.cluster.pveVersion);
    return {
        userId: user,
        tokenName: token,
        tokenId: `${user}!${token}`,
        roleId: role,
        privileges: rolePrivileges(needs),
        acls: aclGrants(needs),
        needs,
    };
}

export interface AccessArgs {
    readonly inventory: Inventory;
    /** The root@pam provider: a token must never manage its own privileges. */
    readonly provider: proxmoxve.Provider;
}

/** The program's Proxmox user, its token, its role and the role's ACLs. */
export class Access extends pulumi.ComponentResource {
    readonly role: proxmoxve.RoleLegacy;
    readonly user: proxmoxve.UserLegacy;
    readonly token: proxmoxve.user.Token;
    /** ACLs by path. */
    readonly acls: Record<string, proxmoxve.Acl>;
    /** The token as the provider takes it (`user@realm!name=uuid`), secret; set only by the run that created it. */
    readonly tokenValue: pulumi.Output<string>;
    readonly plan: AutomationAccess;

    constructor(name: string, args: AccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Computed before registering anything: a resource type without a table entry stops the program here.
        const plan = automationAccess(args.inventory);
        super("homelab:proxmox:Access", name, {}, opts);
        this.plan = plan;
        const child = { parent: this, provider: args.provider };

        this.role = new proxmoxve.RoleLegacy(`${name}-role`, { roleId: plan.roleId, privileges: [...plan.privileges] }, child);
        this.user = new proxmoxve.UserLegacy(
            `${name}-user`,
            {
                userId: plan.userId,
                enabled: true,
                // No password: the user cannot log in; only its token acts, with exactly its privileges.
                comment: "homelab automation: the user of the API token the program runs as (managed by homelab)",
            },
            child,
        );
        this.token = new proxmoxve.user.Token(
            `${name}-token`,
            {
                userId: plan.userId,
                tokenName: plan.tokenName,
                // The token carries its user's privileges (pve-access-control: privsep=0); the ACLs are on the user.
                privilegesSeparation: false,
                comment: "homelab automation: the program's API token (managed by homelab)",
            },
            { ...child, dependsOn: [this.user] },
        );
        this.acls = {};
        for (const grant of plan.acls)
            // Plain ids, not the role's and user's outputs: the policy pack judges them in every preview.
            this.acls[grant.path] = new proxmoxve.Acl(
                `${name}-acl:${grant.path}`,
                { path: grant.path, roleId: plan.roleId, userId: plan.userId, propagate: grant.propagate },
                { ...child, dependsOn: [this.role, this.user] },
            );
        this.tokenValue = pulumi.secret(this.token.value);

        this.registerOutputs({
            tokenId: plan.tokenId,
            roleId: plan.roleId,
            privileges: [...plan.privileges],
            acls: plan.acls.map((a) => ({ path: a.path, propagate: a.propagate })),
        });
    }
}

/**
 * The Proxmox providers and the access they run with, in order: root@pam, the token's access
 * through it, then the API-token provider (and so every resource it manages) after that access.
 * The one place the program builds them.
 */
export function deployAccess(inv: Inventory, credentials: Credentials): { providers: Providers; access: Access } {
    const root = createRootProvider(inv, credentials);
    const access = new Access("access", { inventory: inv, provider: root });
    const providers = createProviders(inv, credentials, { root, apiDependsOn: [access] });
    return { providers, access };
}
