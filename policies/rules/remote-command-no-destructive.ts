import { resourceRule } from "../define";
import { str } from "../props";
import { SimpleCommand, commandsOf, resolvePath } from "../shared/shell";
import { REMOTE_COMMAND_TYPES } from "../tokens";

/** What is destructive, each with why; reported in this order, once per script. */
const WHY = {
    "zfs destroy -r": "it destroys a dataset with every child dataset and snapshot",
    "zfs destroy of a snapshot range": "`dataset@first%last` (or `@%`) destroys every snapshot in the range at once",
    "zfs rollback -r": "it destroys every snapshot (and with -R every clone) newer than the one rolled back to",
    "zpool destroy": "it destroys a whole pool and every dataset in it",
    "rm -rf /": "it deletes the node's whole filesystem",
    wipefs: "it erases the signatures of a disk or partition, so its filesystem or pool is gone",
    "a write to a device": "it overwrites a disk or partition below its filesystem (`dd of=/dev/...` or `> /dev/...`)",
} as const;

export type DestructivePart = keyof typeof WHY;

/** Devices a script may write to without harming a disk. */
const HARMLESS_DEVICES: ReadonlySet<string> = new Set([
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/stdout",
    "/dev/stderr",
    "/dev/tty",
    "/dev/console",
    "/dev/kmsg",
]);

/** Whether writing to `path` (normalised against `cwd`) writes to a device other than the harmless ones. */
function isDeviceWrite(path: string, cwd: string | undefined): boolean {
    const full = resolvePath(path, cwd);
    return (
        full !== undefined &&
        full.startsWith("/dev/") &&
        !HARMLESS_DEVICES.has(full) &&
        !full.startsWith("/dev/fd/") &&
        !full.startsWith("/dev/pts/")
    );
}

/** Options (before `--`) and operands of a command line; `-abc` clusters stay whole. */
function split(args: readonly string[]): { options: string[]; operands: string[] } {
    const options: string[] = [];
    const operands: string[] = [];
    let onlyOperands = false;
    for (const a of args) {
        if (!onlyOperands && a === "--") onlyOperands = true;
        else if (!onlyOperands && a.startsWith("-") && a !== "-") options.push(a);
        else operands.push(a);
    }
    return { options, operands };
}

/** A short option letter in any cluster (`-fr`), long options left out. */
const hasShort = (options: readonly string[], letters: string) =>
    options.some((o) => !o.startsWith("--") && [...o.slice(1)].some((c) => letters.includes(c)));

/** GNU tools accept any unambiguous prefix of a long option (`--recur`). */
function hasLong(options: readonly string[], name: string, all: readonly string[]): boolean {
    return options.some((o) => {
        const given = o.split("=")[0];
        if (!o.startsWith("--") || given.length < 3) return false;
        const matches = all.filter((a) => a.startsWith(given));
        return given === name || (matches.length === 1 && matches[0] === name);
    });
}

const RM_LONG = [
    "--force",
    "--interactive",
    "--one-file-system",
    "--no-preserve-root",
    "--preserve-root",
    "--recursive",
    "--dir",
    "--verbose",
];
const WIPEFS_LONG = [
    "--all",
    "--backup",
    "--force",
    "--no-act",
    "--noheadings",
    "--json",
    "--offset",
    "--output",
    "--parsable",
    "--types",
    "--quiet",
    "--lock",
];

/** `/`, or globs of nothing but `*` below it (`/*`, `/*\/*`): the whole filesystem. */
function isWholeFilesystem(path: string | undefined): boolean {
    return path !== undefined && path.split("/").every((seg) => [...seg].every((c) => c === "*"));
}

/** The destructive parts of one command. */
function destructiveIn(command: SimpleCommand): DestructivePart[] {
    const { name, args, cwd } = command;
    const parts: DestructivePart[] = command.writesTo.some((f) => isDeviceWrite(f, cwd)) ? ["a write to a device"] : [];
    const { options, operands } = split(args.slice(1));
    // zfs reads options after the dataset too; `-n` is a dry run.
    if (name === "zfs" && args[0] === "destroy" && !hasShort(options, "n")) {
        if (hasShort(options, "rR")) parts.push("zfs destroy -r");
        if (operands.some((o) => o.includes("@") && o.slice(o.indexOf("@")).includes("%"))) parts.push("zfs destroy of a snapshot range");
    }
    if (name === "zfs" && args[0] === "rollback" && hasShort(options, "rR")) parts.push("zfs rollback -r");
    if (name === "zpool" && args[0] === "destroy") parts.push("zpool destroy");
    if (name === "rm") {
        // Recursive alone is enough: in a script, without a terminal, `rm -r` asks nothing; `-f` only silences.
        const all = split(args);
        const recursive = hasShort(all.options, "rR") || hasLong(all.options, "--recursive", RM_LONG);
        if (
            hasLong(all.options, "--no-preserve-root", RM_LONG) ||
            (recursive && all.operands.some((t) => isWholeFilesystem(resolvePath(t, cwd))))
        )
            parts.push("rm -rf /");
    }
    if (name === "wipefs") {
        const all = split(args);
        const erases =
            hasShort(all.options, "ao") || hasLong(all.options, "--all", WIPEFS_LONG) || hasLong(all.options, "--offset", WIPEFS_LONG);
        const dryRun = hasShort(all.options, "n") || hasLong(all.options, "--no-act", WIPEFS_LONG);
        if (erases && !dryRun) parts.push("wipefs");
    }
    if (name === "dd" && args.some((a) => a.startsWith("of=") && isDeviceWrite(a.slice(3), cwd))) parts.push("a write to a device");
    return parts;
}

/**
 * What is destructive in a script, once each, in a fixed order: a recursive `zfs destroy`, a
 * snapshot range destroyed, a recursive `zfs rollback`, `zpool destroy`, an `rm -r` of the whole
 * filesystem, `wipefs` that erases, and a write to a device (`dd of=/dev/...`, `> /dev/...`); also
 * behind wrappers and inside nested scripts (see shared/shell.ts). Text that only mentions a
 * command (`echo "zfs destroy -r"`) does not count.
 */
export function destructiveParts(script: string): DestructivePart[] {
    const found = new Set(commandsOf(script).flatMap(destructiveIn));
    return (Object.keys(WHY) as DestructivePart[]).filter((part) => found.has(part));
}

/**
 * The remote commands run as root on a node; one recursive destroy in a delete script turns a
 * rename or a typo into the loss of every dataset below it.
 */
export const remoteCommandNoDestructive = resourceRule({
    name: "remote-command-no-destructive",
    description:
        "Checks that no remote command script (create, update or delete) destroys datasets, snapshots, pools, disks or the root filesystem wholesale.",
    types: REMOTE_COMMAND_TYPES,
    validate: (props, _ctx, report) => {
        for (const field of ["create", "update", "delete"] as const) {
            const script = str(props[field]);
            if (script === undefined) continue;
            for (const part of destructiveParts(script)) {
                report(
                    `The \`${field}\` script contains "${part}": ${WHY[part]}. Remove it; deleting data must be a deliberate step run by hand, one dataset at a time.`,
                );
            }
        }
    },
});
