import type { PolicyResource } from "@pulumi/policy";
import { clusterOf } from "../cluster";
import { datasetFixAt, datasetPath } from "../datasets";
import { stackRule } from "../define";
import { record, str } from "../props";
import { sharenfsProblem } from "../shared/nfs";
import { commandsOf } from "../shared/shell";
import { REMOTE_COMMAND_TYPES, ZFS_DATASET_COMPONENT_TYPE } from "../tokens";

/** The `sharenfs` values a script sets: `zfs set sharenfs=...` and `zfs create -o sharenfs=...`. */
function sharenfsInScript(script: string): string[] {
    const values: string[] = [];
    for (const c of commandsOf(script)) {
        if (c.name !== "zfs" || (c.args[0] !== "set" && c.args[0] !== "create")) continue;
        c.args.forEach((a, i) => {
            const option = a === "-o" ? c.args[i + 1] : a.startsWith("-o") ? a.slice(2) : a;
            if (option?.startsWith("sharenfs=") && (c.args[0] === "set" || a.startsWith("-o")))
                values.push(option.slice("sharenfs=".length));
        });
    }
    return values;
}

/**
 * A dataset component's `sharenfs` values: what the inventory declares (`declaredProperties`,
 * known at preview) and what the node reports (`properties`, `{ value, source }` from `zfs get`,
 * after the first `up`; a plain string is read as the value).
 */
function sharenfsOf(dataset: PolicyResource): string[] {
    const declared = str(record(dataset.props.declaredProperties)?.sharenfs);
    const property = record(dataset.props.properties)?.sharenfs;
    const reported = str(property) ?? str(record(property)?.value);
    return [...new Set([declared, reported].filter((v): v is string => v !== undefined))];
}

/**
 * An NFS export of a dataset to every host, to clients outside the inventory's networks, or with
 * `no_root_squash` to a subnet, hands the dataset (and with root squashing off, root over it) to
 * whatever joins the network. Exports come from a ZFS dataset component's `properties.sharenfs`
 * (the inventory's `datasets[...].properties.sharenfs`) or a remote command's `zfs set`/`zfs
 * create -o`. The value is judged by the reader the inventory uses (shared/nfs.ts); the allowed
 * client networks are the Cluster component's `networks`.
 */
export const nfsExportsRestricted = stackRule({
    name: "nfs-exports-restricted",
    description:
        "Checks that no ZFS dataset is shared over NFS to every host (`on`, no host, `*`, a wildcard, a /0 network), to a client outside the inventory's networks, or with `no_root_squash` to more than single addresses.",
    validate: (resources, ctx) => {
        const datasetComponent = (r: PolicyResource | undefined) => r?.type === ZFS_DATASET_COMPONENT_TYPE;
        const cluster = clusterOf(resources);
        let allowed: [number, number][] | undefined;
        let allowedRead = false;
        /** The inventory's networks, read once and only where an export needs them. */
        const problemOf = (value: string) => {
            if (!allowedRead) {
                allowed = cluster?.networkRanges();
                allowedRead = true;
            }
            const problem = sharenfsProblem(value, allowed);
            return problem === undefined ? undefined : `it ${problem}`;
        };
        for (const r of resources) {
            if (r.type === ZFS_DATASET_COMPONENT_TYPE) {
                ctx.judge(r, (report) => {
                    for (const value of sharenfsOf(r)) {
                        const problem = problemOf(value);
                        if (problem !== undefined)
                            report(
                                `Dataset ${datasetPath(r)} is shared over NFS with sharenfs=${value}: ${problem}. Set ${datasetFixAt(r, "properties.sharenfs")}.`,
                            );
                    }
                });
            } else if (REMOTE_COMMAND_TYPES.has(r.type) && !datasetComponent(r.parent)) {
                // A dataset component's own command sets what its properties say: reported once, on the component.
                ctx.judge(r, (report) => {
                    for (const field of ["create", "update", "delete"] as const) {
                        const script = str(r.props[field]);
                        for (const value of script === undefined ? [] : sharenfsInScript(script)) {
                            const problem = problemOf(value);
                            if (problem !== undefined)
                                report(`The \`${field}\` script shares a dataset over NFS with sharenfs=${value}: ${problem}.`);
                        }
                    }
                });
            }
        }
    },
});
