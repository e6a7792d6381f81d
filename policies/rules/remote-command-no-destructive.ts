import { EXEMPTIONS_ONLY_SCHEMA } from "../config";
import { resourceRule } from "../define";
import { str } from "../props";
import { REMOTE_COMMAND_TYPES } from "../tokens";

/** Splits a shell script into simple commands (on `;`, `&&`, `||`, `|`, `&` and newlines), each into words without quotes. */
function commandsOf(script: string): string[][] {
    return script
        .split(/\n|;|&&|\|\||\||&/)
        .map((c) =>
            c
                .trim()
                .split(/\s+/)
                .filter((w) => w !== "")
                .map((w) => w.replace(/^["']+|["']+$/g, "")),
        )
        .filter((words) => words.length > 0);
}

/** Words that may precede the program: shell keywords, wrappers and `VAR=value` assignments. */
const PREFIX = /^(if|then|else|elif|do|while|until|!|\{|\(|sudo|env|exec|command|nice|nohup|time|xargs)$|^[A-Za-z_][A-Za-z0-9_]*=/;

/** The words of a simple command from its program on. */
function program(words: string[]): string[] {
    let i = 0;
    while (i < words.length && PREFIX.test(words[i])) i++;
    return words.slice(i);
}

/** What is destructive in a script: `zfs destroy` with -r/-R, `rm -r` of `/` (or `/*`, or with --no-preserve-root). */
export function destructiveParts(script: string): string[] {
    const found: string[] = [];
    for (const words of commandsOf(script).map(program)) {
        const [cmd, ...rest] = words;
        const flags = rest.filter((w) => w.startsWith("-"));
        const shortFlags = flags.filter((f) => !f.startsWith("--")).join("");
        if (/(^|\/)zfs$/.test(cmd ?? "") && rest[0] === "destroy" && /[rR]/.test(shortFlags)) found.push("zfs destroy -r");
        if (/(^|\/)rm$/.test(cmd ?? "")) {
            const recursive = /[rR]/.test(shortFlags) || flags.includes("--recursive");
            const targets = rest.filter((w) => !w.startsWith("-"));
            if (flags.includes("--no-preserve-root") || (recursive && targets.some((t) => /^\/+\*?$/.test(t)))) found.push("rm -rf /");
        }
    }
    return [...new Set(found)];
}

const WHY: Readonly<Record<string, string>> = {
    "zfs destroy -r": "it destroys a dataset with every child dataset and snapshot",
    "rm -rf /": "it deletes the node's whole filesystem",
};

/**
 * The remote commands run as root on a node; one recursive destroy in a delete script turns a
 * rename or a typo into the loss of every dataset below it.
 */
export const remoteCommandNoDestructive = resourceRule({
    name: "remote-command-no-destructive",
    description: "Checks that no remote command script (create, update or delete) contains a recursive `zfs destroy` or an `rm -rf /`.",
    types: REMOTE_COMMAND_TYPES,
    configSchema: EXEMPTIONS_ONLY_SCHEMA,
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
