import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../define";
import { record, str } from "../props";
import { parseIpv4 } from "../shared/ipv4";
import { commandsOf } from "../shared/shell";
import { REMOTE_COMMAND_TYPES, ZFS_DATASET_COMPONENT_TYPE } from "../tokens";

/** Whether an export host (`@192.168.10.20/32`, `192.168.10.20`) is one IPv4 address. */
function isSingleHost(host: string): boolean {
    const [address, prefix] = (host.startsWith("@") ? host.slice(1) : host).split("/");
    return parseIpv4(address) !== undefined && (prefix === undefined || prefix === "32");
}

/**
 * Why a `sharenfs` value exports too widely, or undefined. OpenZFS exports to every host when the
 * value is `on` or names no host (`rw=`/`ro=` lists, `:`-separated); `*`, a wildcard or a /0
 * network is every host too; `no_root_squash` lets root on a client act as root on the dataset,
 * so it may only go to single addresses (`@192.168.10.20/32`).
 */
function sharenfsProblem(value: string): string | undefined {
    const v = value.trim();
    if (v === "" || v === "off") return undefined;
    if (v === "on") return "`on` exports it to every host";
    const hosts: string[] = [];
    let noRootSquash = false;
    for (const option of v.split(",")) {
        const eq = option.indexOf("=");
        const key = (eq < 0 ? option : option.slice(0, eq)).trim();
        if ((key === "rw" || key === "ro") && eq >= 0) hosts.push(...option.slice(eq + 1).split(":"));
        if (key === "no_root_squash") noRootSquash = true;
    }
    if (hosts.length === 0) return "it names no host (`rw=@address/32`), so every host may mount it";
    for (const h of hosts) {
        const host = h.trim().startsWith("@") ? h.trim().slice(1) : h.trim();
        if (host === "" || host.includes("*") || host.includes("?")) return `\`${h}\` lets every host (or every matching name) mount it`;
        if (host.split("/")[1] === "0") return `\`${h}\` is every IPv4 address`;
    }
    const wide = hosts.filter((h) => !isSingleHost(h.trim()));
    if (noRootSquash && wide.length > 0)
        return `\`no_root_squash\` goes to ${wide.join(", ")}, more than one address: root on any client there is root on the dataset`;
    return undefined;
}

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
 * An NFS export of a dataset to every host, or with `no_root_squash` to a subnet, hands the
 * dataset (and with root squashing off, root over it) to whatever joins the network. Exports come
 * from a ZFS dataset component's `properties.sharenfs` (the inventory's
 * `datasets[...].properties.sharenfs`) or a remote command's `zfs set`/`zfs create -o`.
 */
export const nfsExportsRestricted = stackRule({
    name: "nfs-exports-restricted",
    description:
        "Checks that no ZFS dataset is shared over NFS to every host (`on`, no host, `*`, a /0 network) or with `no_root_squash` to more than single addresses.",
    validate: (resources, ctx) => {
        const datasetComponent = (r: PolicyResource | undefined) => r?.type === ZFS_DATASET_COMPONENT_TYPE;
        for (const r of resources) {
            if (r.type === ZFS_DATASET_COMPONENT_TYPE) {
                ctx.judge(r, (report) => {
                    const value = str(record(r.props.properties)?.sharenfs);
                    const problem = value === undefined ? undefined : sharenfsProblem(value);
                    const path = str(r.props.path) ?? r.name;
                    if (problem !== undefined)
                        report(
                            `Dataset ${path} is shared over NFS with sharenfs=${value}: ${problem}. Export it to the addresses that need it, such as \`rw=@192.168.10.20/32\`: set \`datasets["${path}"].properties.sharenfs\`.`,
                        );
                });
            } else if (REMOTE_COMMAND_TYPES.has(r.type) && !datasetComponent(r.parent)) {
                // A dataset component's own command sets what its properties say: reported once, on the component.
                ctx.judge(r, (report) => {
                    for (const field of ["create", "update", "delete"] as const) {
                        const script = str(r.props[field]);
                        for (const value of script === undefined ? [] : sharenfsInScript(script)) {
                            const problem = sharenfsProblem(value);
                            if (problem !== undefined)
                                report(
                                    `The \`${field}\` script shares a dataset over NFS with sharenfs=${value}: ${problem}. Export it to the addresses that need it, such as \`rw=@192.168.10.20/32\`.`,
                                );
                        }
                    }
                });
            }
        }
    },
});
