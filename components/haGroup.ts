/**
 * A Proxmox HA group of the inventory: where its members may run. The members themselves are HA
 * resources of their guests (guestShared.ts); this adds the node preference: a node-affinity rule
 * on PVE 9 (which replaced HA groups with rules), an HA group on PVE 8.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";

export interface HaGroupArgs {
    /** The group's name in the inventory (`ha.<name>`). */
    readonly group: string;
    /** HA resource ids of the members (`vm:20020`, `ct:20050`). */
    readonly resources: readonly string[];
    /** Nodes the members may run on, in order of preference. */
    readonly nodes: readonly string[];
    readonly pveVersion: 8 | 9;
    /** The members' HA resources: the rule needs them to exist. */
    readonly members: readonly pulumi.Resource[];
    readonly provider: proxmoxve.Provider;
}

/** Node priorities from a preference order: the first node highest. */
export function nodePriorities(nodes: readonly string[]): Record<string, number> {
    return Object.fromEntries(nodes.map((n, i) => [n, nodes.length - i]));
}

export class HaGroup extends pulumi.ComponentResource {
    readonly placement: proxmoxve.Harule | proxmoxve.Hagroup;

    constructor(name: string, args: HaGroupArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("homelab:proxmox:HaGroup", name, {}, opts);
        const child = { parent: this, provider: args.provider, dependsOn: [...args.members] };
        this.placement =
            args.pveVersion === 9
                ? new proxmoxve.Harule(
                      `${name}-rule`,
                      {
                          rule: args.group,
                          type: "node-affinity",
                          resources: [...args.resources].sort(),
                          nodes: nodePriorities(args.nodes),
                          strict: false,
                          comment: "managed by homelab",
                      },
                      child,
                  )
                : new proxmoxve.Hagroup(
                      `${name}-group`,
                      { group: args.group, nodes: nodePriorities(args.nodes), comment: "managed by homelab" },
                      { parent: this, provider: args.provider },
                  );
        this.registerOutputs({ group: args.group, nodes: [...args.nodes] });
    }
}
