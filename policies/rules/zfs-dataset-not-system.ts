import type { PolicyResource } from "@pulumi/policy";
import { datasetFixAt, datasetPath } from "../datasets";
import { stackRule } from "../define";
import { str } from "../props";
import { normalizeHostPath, systemPathBelow, systemPathCovering } from "../shared/paths";
import { SimpleCommand, commandsOf } from "../shared/shell";
import { REMOTE_COMMAND_TYPES, ZFS_DATASET_COMPONENT_TYPE } from "../tokens";

/**
 * Why a dataset of this name belongs to the node rather than to the data, or undefined:
 * `<pool>/ROOT` and below (the installer's boot environment, the node's root file system), the
 * installer's `rpool/data` and below (where Proxmox keeps the guest volumes of `local-zfs`), and
 * `rpool` itself, the parent of both (its properties pass down to them).
 */
export function systemDatasetProblem(name: string): string | undefined {
    const [pool, second] = name.split("/");
    if (second === "ROOT")
        return `${name} is ${name === `${pool}/ROOT` ? "" : "under "}${pool}/ROOT, the installer's boot environment (the node's root file system)`;
    if (name === "rpool/data" || name.startsWith("rpool/data/"))
        return `${name} is ${name === "rpool/data" ? "" : "under "}the installer's rpool/data, where Proxmox keeps guest volumes (local-zfs)`;
    if (name === "rpool")
        return "rpool is the pool itself, the parent of the installer's rpool/ROOT and rpool/data: its properties pass down to both";
    return undefined;
}

/**
 * Why a mountpoint belongs to the node, or undefined: at or under a system path (`/etc/x`,
 * `/var/lib/vz`), or above one, which it would shadow (`/var` holds `/var/lib/pve-cluster`).
 * `none`, `legacy` and relative values mount nothing here.
 */
export function systemMountpointProblem(mountpoint: string): string | undefined {
    if (!mountpoint.startsWith("/")) return undefined;
    const path = normalizeHostPath(mountpoint);
    const covering = systemPathCovering(path);
    if (covering !== undefined)
        return covering === "/" ? "the root of the node's filesystem" : `${path === covering ? "at" : "under"} the system path ${covering}`;
    const below = systemPathBelow(path);
    return below === undefined ? undefined : `above the system path ${below}, which it would shadow`;
}

/** What one `zfs create`, `zfs set mountpoint=` or `zfs rename` makes: the datasets it names and the mountpoint it sets. */
interface ZfsChange {
    readonly datasets: readonly string[];
    readonly mountpoint?: string;
}

/** Options of `zfs create` that take a value (`-o prop=value`, `-V size`, `-b blocksize`). */
const CREATE_VALUED = "oVb";

/** A `zfs create` (not a dry run `-n`): the dataset and the mountpoint given with `-o`. */
function zfsCreate(args: readonly string[]): ZfsChange | undefined {
    const operands: string[] = [];
    const properties: string[] = [];
    let dryRun = false;
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (!a.startsWith("-") || a === "-" || a.startsWith("--")) {
            if (a !== "--") operands.push(a);
            continue;
        }
        // A cluster of flags (`-pu`); a valued flag takes the rest of the word or the next one (`-omountpoint=/x`, `-o mountpoint=/x`).
        for (let j = 1; j < a.length; j++) {
            const flag = a[j];
            if (flag === "n") dryRun = true;
            if (!CREATE_VALUED.includes(flag)) continue;
            const value = j + 1 < a.length ? a.slice(j + 1) : args[++i];
            if (flag === "o" && value !== undefined) properties.push(value);
            break;
        }
    }
    if (dryRun || operands.length === 0) return undefined;
    const mountpoint = properties.filter((p) => p.startsWith("mountpoint=")).pop();
    return { datasets: [operands[operands.length - 1]], mountpoint: mountpoint?.slice("mountpoint=".length) };
}

/** A `zfs set` of the mountpoint: the datasets it names (`zfs set prop=value ... dataset ...`). */
function zfsSetMountpoint(args: readonly string[]): ZfsChange | undefined {
    const words = args.filter((a) => !a.startsWith("-"));
    const mountpoint = words.filter((w) => w.startsWith("mountpoint=")).pop();
    if (mountpoint === undefined) return undefined;
    return { datasets: words.filter((w) => !w.includes("=")), mountpoint: mountpoint.slice("mountpoint=".length) };
}

/** A `zfs rename` of a dataset (not of a snapshot or bookmark): the name it moves and the one it takes. */
function zfsRename(args: readonly string[]): ZfsChange | undefined {
    const names = args.filter((a) => !a.startsWith("-"));
    if (names.some((n) => n.includes("@") || n.includes("#"))) return undefined;
    return { datasets: names };
}

/** The datasets and mountpoints a command changes, or undefined for any other command. */
function zfsChange(c: SimpleCommand): ZfsChange | undefined {
    if (c.name !== "zfs") return undefined;
    const [sub, ...rest] = c.args;
    if (sub === "create") return zfsCreate(rest);
    if (sub === "set") return zfsSetMountpoint(rest);
    if (sub === "rename") return zfsRename(rest);
    return undefined;
}

const KEEP_OUT =
    "Keep data in datasets of its own outside the node's system datasets, such as rpool/appdata or a data pool, mounted under a managed root such as /tank";

/**
 * A dataset made or moved into the node's own system datasets, or mounted on its system paths,
 * takes over what the node runs from: a dataset under `rpool/ROOT` is part of the boot
 * environment, one under `rpool/data` sits among the guests' volumes, converging `rpool` changes
 * both, and a mountpoint on `/etc` or `/var` hides the node's own files. The inventory refuses
 * these (config/crosschecks/datasets.ts and nodeSystem.ts); this rule catches them on dataset
 * components and on hand-written remote commands (`zfs create`, `zfs set mountpoint=`, `zfs rename`).
 */
export const zfsDatasetNotSystem = stackRule({
    name: "zfs-dataset-not-system",
    description:
        "Checks that no ZFS dataset (a dataset component, or a remote command's `zfs create`, `zfs set mountpoint=` or `zfs rename`) is under `<pool>/ROOT`, is `rpool/data`, under it or `rpool` itself, or is mounted at, under or above a system path.",
    validate: (resources, ctx) => {
        const datasetComponent = (r: PolicyResource | undefined) => r?.type === ZFS_DATASET_COMPONENT_TYPE;
        for (const r of resources) {
            if (r.type === ZFS_DATASET_COMPONENT_TYPE) {
                // The name and the mountpoint are judged apart: a mountpoint unknown at preview leaves the name judged.
                ctx.judge(r, (report) => {
                    const path = datasetPath(r);
                    const problem = systemDatasetProblem(path);
                    if (problem !== undefined) report(`Dataset ${problem}. ${KEEP_OUT}: rename ${datasetFixAt(r, "")}.`);
                });
                ctx.judge(r, (report) => {
                    const mountpoint = str(r.props.mountpoint);
                    const problem = mountpoint === undefined ? undefined : systemMountpointProblem(mountpoint);
                    if (problem !== undefined)
                        report(
                            `Dataset ${datasetPath(r)} is mounted at ${mountpoint}, ${problem}. Mount data under a managed root such as /tank: set ${datasetFixAt(r, "properties.mountpoint")}.`,
                        );
                });
            } else if (REMOTE_COMMAND_TYPES.has(r.type) && !datasetComponent(r.parent)) {
                // A dataset component's own command makes what the component registers: judged once, on the component.
                ctx.judge(r, (report) => {
                    for (const field of ["create", "update"] as const) {
                        const script = str(r.props[field]);
                        for (const c of script === undefined ? [] : commandsOf(script)) {
                            const change = zfsChange(c);
                            if (change === undefined) continue;
                            const run = `\`zfs ${c.args.join(" ")}\``;
                            for (const dataset of change.datasets) {
                                const problem = systemDatasetProblem(dataset);
                                if (problem !== undefined) report(`The \`${field}\` script runs ${run}: ${problem}. ${KEEP_OUT}.`);
                            }
                            const problem = change.mountpoint === undefined ? undefined : systemMountpointProblem(change.mountpoint);
                            if (problem !== undefined)
                                report(
                                    `The \`${field}\` script runs ${run}: the mountpoint ${change.mountpoint} is ${problem}. Mount data under a managed root such as /tank.`,
                                );
                        }
                    }
                });
            }
        }
    },
});
