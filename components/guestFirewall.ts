/**
 * A guest's firewall rules as the provider takes them: the inventory's own, and those the program
 * adds (SSH from the admin networks, VRRP between keepalived peers).
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { FirewallRuleSpec } from "../config/schema";

/** What the generated rules follow from (the guest's arguments carry these). */
export interface FirewallSources {
    /** SSH public keys the guest carries. */
    readonly sshPublicKeys?: readonly string[];
    /** The admin networks SSH is accepted from. */
    readonly adminSources?: readonly string[];
    /** The keepalived group the guest is a member of. */
    readonly vrrp?: { readonly group: string; readonly peers: readonly string[] };
}

/** Inventory firewall rules as `firewall.RulesLegacy` rule blocks (a protocol number as its string). */
export function firewallRules(rules: readonly FirewallRuleSpec[]): proxmoxve.types.input.firewall.RulesLegacyRule[] {
    return rules.map((r) => ({
        type: r.direction,
        action: r.action,
        enabled: true,
        ...(r.proto !== undefined ? { proto: String(r.proto) } : {}),
        ...(r.dport !== undefined ? { dport: r.dport } : {}),
        ...(r.source !== undefined ? { source: r.source } : {}),
        ...(r.comment !== undefined ? { comment: r.comment } : {}),
    }));
}

/** The rules the program adds: SSH from the admin networks for a guest with the keys, VRRP between keepalived peers. */
export function generatedRules(args: FirewallSources, carriesKeys: boolean): FirewallRuleSpec[] {
    const rules: FirewallRuleSpec[] = [];
    if (carriesKeys && (args.sshPublicKeys ?? []).length > 0)
        for (const source of args.adminSources ?? [])
            rules.push({
                action: "ACCEPT",
                direction: "in",
                proto: "tcp",
                dport: "22",
                source,
                comment: "homelab: SSH from the admin network",
            });
    for (const peer of args.vrrp?.peers ?? [])
        rules.push({
            action: "ACCEPT",
            direction: "in",
            proto: "vrrp",
            source: peer,
            comment: `homelab: VRRP of HA group ${args.vrrp!.group}`,
        });
    return rules;
}
