import { resourceRule } from "../define";
import { normalizeHostPath } from "../shared/paths";
import { str } from "../props";
import { REMOTE_COMMAND_TYPES } from "../tokens";

/*
 * A small reader of POSIX shell, enough to find the programs a script runs: quotes, backslashes,
 * comments, the operators that end a simple command (`;`, `&&`, `||`, `|`, `&`, newlines,
 * parentheses), redirections, and command substitutions (`$(...)`, backticks), which are read as
 * scripts of their own. It reads text, so it cannot see through variables (`$ZFS destroy -r`,
 * `rm -rf "$DIR"/`): those are for review, not for this rule.
 */

/** A script read into simple commands (words without quotes) and the scripts of its command substitutions. */
interface Lexed {
    readonly commands: string[][];
    readonly substitutions: string[];
}

/** The index just past the `)` that closes a `$(` whose contents start at `start`. */
function closingParen(s: string, start: number): number {
    let depth = 1;
    let i = start;
    while (i < s.length) {
        const c = s[i];
        if (c === "\\") i += 2;
        else if (c === "'") {
            const end = s.indexOf("'", i + 1);
            i = end < 0 ? s.length : end + 1;
        } else if (c === '"') {
            i++;
            while (i < s.length && s[i] !== '"') i += s[i] === "\\" ? 2 : 1;
            i++;
        } else {
            if (c === "(") depth++;
            if (c === ")" && --depth === 0) return i + 1;
            i++;
        }
    }
    return s.length;
}

/** The index of the backtick that closes one opened just before `start`. */
function closingBacktick(s: string, start: number): number {
    let i = start;
    while (i < s.length && s[i] !== "`") i += s[i] === "\\" ? 2 : 1;
    return Math.min(i, s.length);
}

function lex(script: string): Lexed {
    const commands: string[][] = [];
    const substitutions: string[] = [];
    let words: string[] = [];
    let word = "";
    let inWord = false;
    let dropNextWord = false;
    const endWord = () => {
        if (inWord && !dropNextWord) words.push(word);
        if (inWord) dropNextWord = false;
        word = "";
        inWord = false;
    };
    const endCommand = () => {
        endWord();
        dropNextWord = false;
        if (words.length > 0) commands.push(words);
        words = [];
    };
    /** Reads `$(...)` or a backtick substitution at `i`; returns the index after it. */
    const substitution = (s: string, i: number): number => {
        if (s[i] === "`") {
            const end = closingBacktick(s, i + 1);
            substitutions.push(s.slice(i + 1, end));
            word += s.slice(i, end + 1);
            return end + 1;
        }
        const end = closingParen(s, i + 2);
        substitutions.push(s.slice(i + 2, end - 1));
        word += s.slice(i, end);
        return end;
    };

    let i = 0;
    const s = script;
    while (i < s.length) {
        const c = s[i];
        if (c === "\\") {
            if (s[i + 1] !== "\n") word += s[i + 1] ?? "";
            inWord = inWord || s[i + 1] !== "\n";
            i += 2;
        } else if (c === "'") {
            const end = s.indexOf("'", i + 1);
            word += s.slice(i + 1, end < 0 ? s.length : end);
            inWord = true;
            i = end < 0 ? s.length : end + 1;
        } else if (c === '"') {
            inWord = true;
            i++;
            while (i < s.length && s[i] !== '"') {
                if (s[i] === "\\" && i + 1 < s.length && '$`"\\\n'.includes(s[i + 1])) {
                    word += s[i + 1];
                    i += 2;
                } else if (s.startsWith("$(", i) || s[i] === "`") {
                    i = substitution(s, i);
                } else {
                    word += s[i++];
                }
            }
            i++;
        } else if (s.startsWith("$(", i) || c === "`") {
            inWord = true;
            i = substitution(s, i);
        } else if (c === "#" && !inWord) {
            const end = s.indexOf("\n", i);
            i = end < 0 ? s.length : end;
        } else if (c === ">" || c === "<") {
            // A redirection: the fd number before it and the file after it are not arguments.
            if (inWord && /^\d+$/.test(word)) {
                word = "";
                inWord = false;
            }
            endWord();
            while (i < s.length && "<>&|-".includes(s[i])) i++;
            dropNextWord = true;
        } else if (c === " " || c === "\t") {
            endWord();
            i++;
        } else if ("\n;&|()".includes(c)) {
            endCommand();
            i++;
        } else {
            word += c;
            inWord = true;
            i++;
        }
    }
    endCommand();
    return { commands, substitutions };
}

// ---- Programs and their wrappers ------------------------------------------------------------

/** Shell words that may come before a program. */
const KEYWORDS: ReadonlySet<string> = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}"]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Wrappers that run the rest of their arguments as a command, with their options that take a value. */
const WRAPPERS: Readonly<Record<string, { readonly valued: string; readonly operands?: number }>> = {
    sudo: { valued: "ughpCDrtUT" },
    doas: { valued: "uC" },
    env: { valued: "uCS" },
    timeout: { valued: "sk", operands: 1 },
    nice: { valued: "n" },
    ionice: { valued: "cnp" },
    nohup: { valued: "" },
    exec: { valued: "a" },
    command: { valued: "" },
    stdbuf: { valued: "ioe" },
    xargs: { valued: "adEILnPs" },
    time: { valued: "fo" },
};

const SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "dash", "zsh", "ksh", "ash"]);

/** `/usr/sbin/zfs` → `zfs`. */
function basename(word: string): string {
    return word.slice(word.lastIndexOf("/") + 1);
}

/**
 * Skips the options of a wrapper from `i`: `-x`, clusters, `--long[=v]`, a short option in
 * `valued` taking the next word when nothing follows it in its cluster. Returns the index of the
 * first operand, and whether an option in `stop` (such as `command -v`) was seen.
 */
function skipOptions(words: readonly string[], i: number, valued: string, stop = ""): { next: number; stopped: boolean } {
    let stopped = false;
    while (i < words.length && words[i].startsWith("-") && words[i] !== "-") {
        const w = words[i++];
        if (w === "--") break;
        if (w.startsWith("--")) continue;
        for (let k = 1; k < w.length; k++) {
            if (stop.includes(w[k])) stopped = true;
            if (valued.includes(w[k])) {
                if (k === w.length - 1) i++;
                break;
            }
        }
    }
    return { next: i, stopped };
}

/** The words of a simple command from its program on (keywords, assignments and wrappers skipped); undefined when it runs nothing. */
function programWords(words: readonly string[]): string[] | undefined {
    let i = 0;
    while (i < words.length) {
        const w = words[i];
        if (KEYWORDS.has(w) || ASSIGNMENT.test(w)) {
            i++;
            continue;
        }
        const name = basename(w);
        const wrapper = WRAPPERS[name];
        if (wrapper === undefined) return words.slice(i);
        // `command -v zfs` and `-V` only look the program up.
        const { next, stopped } = skipOptions(words, i + 1, wrapper.valued, name === "command" ? "vV" : "");
        if (stopped) return undefined;
        i = next;
        // `env` and `sudo` take assignments before the program; the loop skips them.
        i += wrapper.operands ?? 0;
    }
    return undefined;
}

// ---- What is destructive --------------------------------------------------------------------

/** `/tank/../x/./` → `/x`; undefined for a relative path that cannot be resolved. */
function normalize(path: string, cwd: string | undefined): string | undefined {
    if (path.includes("$") || path.startsWith("~")) return undefined;
    const full = path.startsWith("/") ? path : cwd === undefined ? undefined : `${cwd}/${path}`;
    return full === undefined ? undefined : normalizeHostPath(full);
}

/** `/`, or globs of nothing but `*` below it (`/*`, `/*\/*`): the whole filesystem. */
function isWholeFilesystem(path: string | undefined): boolean {
    return path !== undefined && path.split("/").every((seg) => /^\**$/.test(seg));
}

const RM_LONG_OPTIONS = [
    "--force",
    "--interactive",
    "--one-file-system",
    "--no-preserve-root",
    "--preserve-root",
    "--recursive",
    "--dir",
    "--verbose",
];

/** GNU rm accepts any unambiguous prefix of a long option (`--recur`). */
function rmLongOption(word: string): string | undefined {
    const name = word.split("=")[0];
    const matches = RM_LONG_OPTIONS.filter((o) => o.startsWith(name));
    return matches.includes(name) ? name : matches.length === 1 ? matches[0] : undefined;
}

/**
 * `rm` that is recursive (`-r`, `-R`, `--recursive`, clustered or not, before or after the paths)
 * on a path that normalises to `/` or `/*` (relative paths against the directory of a preceding
 * `cd`), or with `--no-preserve-root`. Recursive alone is enough: in a script, without a terminal,
 * `rm -r` asks nothing before deleting; `-f` only silences write-protected files.
 */
function isRmOfRoot(args: readonly string[], cwd: string | undefined): boolean {
    let recursive = false;
    let noPreserveRoot = false;
    let operandsOnly = false;
    const targets: string[] = [];
    for (const a of args) {
        if (!operandsOnly && a === "--") operandsOnly = true;
        else if (!operandsOnly && a.startsWith("--")) {
            const option = rmLongOption(a);
            recursive ||= option === "--recursive";
            noPreserveRoot ||= option === "--no-preserve-root";
        } else if (!operandsOnly && a.startsWith("-") && a !== "-") recursive ||= /[rR]/.test(a);
        else targets.push(a);
    }
    return noPreserveRoot || (recursive && targets.some((t) => isWholeFilesystem(normalize(t, cwd))));
}

/** `zfs destroy` with `-r` or `-R` in any option cluster (zfs reads options after the dataset too). */
function isRecursiveZfsDestroy(args: readonly string[]): boolean {
    if (args[0] !== "destroy") return false;
    const options = args.slice(1, args.includes("--") ? args.indexOf("--") : undefined);
    return options.some((a) => /^-[^-]*[rR]/.test(a));
}

/** ssh's options that take a value (`-p 22`, `-i key`, `-o Opt=v`). */
const SSH_VALUED = "BbcDEeFIiJLlmOopQRSWw";

/** The script `ssh [options] host command...` runs remotely (the remote shell parses the joined words). */
function sshRemoteScript(args: readonly string[]): string | undefined {
    const { next } = skipOptions(args, 0, SSH_VALUED);
    const rest = args.slice(next + 1);
    return rest.length > 0 ? rest.join(" ") : undefined;
}

/** The script of `sh -c 'script'` (also `-ec`, `-xc`, `-o pipefail -c`); undefined without `-c`. */
function shellScriptArgument(args: readonly string[]): string | undefined {
    let withC = false;
    let i = 0;
    while (i < args.length && /^[-+]/.test(args[i]) && args[i] !== "-" && args[i] !== "--") {
        const w = args[i++];
        if (w.startsWith("--")) continue;
        if (w.slice(1).includes("c")) withC = true;
        if (w.endsWith("o") || w === "-O" || w === "+O") i++;
    }
    if (args[i] === "--") i++;
    return withC ? args[i] : undefined;
}

/** `su [user] -c 'script'` / `--command=script`. */
function suScriptArgument(args: readonly string[]): string | undefined {
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "-c" || args[i] === "--command") return args[i + 1];
        if (args[i].startsWith("--command=")) return args[i].slice("--command=".length);
    }
    return undefined;
}

/** How deep scripts inside scripts (`sh -c`, ssh, substitutions) are followed. */
const MAX_DEPTH = 8;

function scan(script: string, cwd: string | undefined, depth: number, found: Set<string>): void {
    if (depth > MAX_DEPTH) return;
    const { commands, substitutions } = lex(script);
    for (const sub of substitutions) scan(sub, cwd, depth + 1, found);
    let dir = cwd;
    for (const words of commands) {
        const program = programWords(words);
        if (program === undefined || program.length === 0) continue;
        const [first, ...args] = program;
        const name = basename(first);
        if (name === "zfs" && isRecursiveZfsDestroy(args)) found.add("zfs destroy -r");
        else if (name === "rm" && isRmOfRoot(args, dir)) found.add("rm -rf /");
        else if (name === "cd") {
            const target = args.filter((a) => !/^-[LPe@]+$/.test(a))[0];
            dir = target === undefined || target === "-" ? undefined : normalize(target, dir);
        } else if (SHELLS.has(name)) {
            const inner = shellScriptArgument(args);
            if (inner !== undefined) scan(inner, dir, depth + 1, found);
        } else if (name === "su") {
            const inner = suScriptArgument(args);
            if (inner !== undefined) scan(inner, undefined, depth + 1, found);
        } else if (name === "eval") {
            scan(args.join(" "), dir, depth + 1, found);
        } else if (name === "ssh") {
            const remote = sshRemoteScript(args);
            if (remote !== undefined) scan(remote, undefined, depth + 1, found);
        }
    }
}

/**
 * What is destructive in a script: a recursive `zfs destroy` and an `rm -r` of the whole
 * filesystem, also behind `sudo`, `timeout`, `env`, `nice`, `nohup`, `exec`, `command`, `xargs`,
 * inside `sh -c`/`bash -c`, `su -c`, `eval`, `ssh host ...` and command substitutions.
 * `cd / && rm -rf *` counts: the directory of a `cd` to an absolute path is followed through the
 * commands after it (whatever the branches, so a conditional `cd` counts as taken).
 */
export function destructiveParts(script: string): string[] {
    const found = new Set<string>();
    scan(script, undefined, 0, found);
    return ["zfs destroy -r", "rm -rf /"].filter((part) => found.has(part));
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
