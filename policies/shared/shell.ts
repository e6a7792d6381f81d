/**
 * A small reader of POSIX shell for the pack's rules: it finds every simple command a script
 * runs, with its arguments (quotes removed), the files its output is redirected to, and the
 * directory it runs in when a `cd` to an absolute path said so.
 *
 * It understands quotes, backslashes, comments, the operators that end a simple command (`;`,
 * `&&`, `||`, `|`, `&`, newlines, parentheses), redirections, and reads as scripts of their own:
 * command substitutions (`$(...)`, backticks), `sh`/`bash`/... `-c`, `su`/`runuser`/`flock -c`,
 * `eval` and `ssh host command`. It skips what stands before a program: shell keywords,
 * assignments and wrappers that run their arguments as a command (`sudo`, `env`, `timeout N`,
 * `chroot DIR`, `nsenter`, `busybox`, ...). It reads text, so it cannot see through variables
 * (`$ZFS destroy -r`, `rm -rf "$DIR"/`).
 */
import { normalizeHostPath } from "./paths";

/** One simple command of a script, as it will run. */
export interface SimpleCommand {
    /** The program's name without its directory (`/usr/sbin/zfs` → `zfs`). */
    readonly name: string;
    /** Its arguments, quotes removed. */
    readonly args: readonly string[];
    /** Files its output is redirected to (`> f`, `>> f`, `2> f`, `&> f`). */
    readonly writesTo: readonly string[];
    /** The directory it runs in, when a `cd` to an absolute path said so. */
    readonly cwd: string | undefined;
}

/** Every simple command `script` runs, nested scripts included. */
export function commandsOf(script: string): SimpleCommand[] {
    const found: SimpleCommand[] = [];
    walk(script, undefined, 0, found);
    return found;
}

/** `path` made absolute against `cwd` and normalised (`/tank/../x/./` → `/x`); undefined when that cannot be known. */
export function resolvePath(path: string, cwd: string | undefined): string | undefined {
    if (path.includes("$") || path.startsWith("~")) return undefined;
    const full = path.startsWith("/") ? path : cwd === undefined ? undefined : `${cwd}/${path}`;
    return full === undefined ? undefined : normalizeHostPath(full);
}

// ---- Words and commands -------------------------------------------------------------------------

interface LexedCommand {
    readonly words: string[];
    readonly writesTo: string[];
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

const isDigits = (w: string) => w !== "" && [...w].every((c) => c >= "0" && c <= "9");

/** Splits a script into simple commands and collects the scripts of its command substitutions. */
function lex(s: string): { commands: LexedCommand[]; substitutions: string[] } {
    const commands: LexedCommand[] = [];
    const substitutions: string[] = [];
    let words: string[] = [];
    let writesTo: string[] = [];
    let word = "";
    let inWord = false;
    /** What the next word is: an argument, the file of an output redirection, or another redirection's operand. */
    let next: "argument" | "output" | "other" = "argument";
    const endWord = () => {
        if (inWord) {
            if (next === "argument") words.push(word);
            else if (next === "output" && word !== "-" && !isDigits(word)) writesTo.push(word);
            next = "argument";
        }
        word = "";
        inWord = false;
    };
    const endCommand = () => {
        endWord();
        next = "argument";
        if (words.length > 0 || writesTo.length > 0) commands.push({ words, writesTo });
        words = [];
        writesTo = [];
    };
    /** Reads `$(...)` or a backtick substitution at `i`; returns the index after it. */
    const substitution = (i: number): number => {
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
                    i = substitution(i);
                } else {
                    word += s[i++];
                }
            }
            i++;
        } else if (s.startsWith("$(", i) || c === "`") {
            inWord = true;
            i = substitution(i);
        } else if (c === "#" && !inWord) {
            const end = s.indexOf("\n", i);
            i = end < 0 ? s.length : end;
        } else if (c === ">" || c === "<" || (c === "&" && s[i + 1] === ">")) {
            // A redirection: the fd number before it is not an argument, the word after it is its file.
            if (inWord && isDigits(word)) {
                word = "";
                inWord = false;
            }
            endWord();
            let op = "";
            while (i < s.length && "<>&|".includes(s[i])) op += s[i++];
            next = op.includes(">") ? "output" : "other";
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

// ---- Programs, wrappers and scripts inside scripts ----------------------------------------------

/** Shell words that may come before a program. */
const KEYWORDS: ReadonlySet<string> = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}"]);

function isAssignment(word: string): boolean {
    const eq = word.indexOf("=");
    if (eq <= 0) return false;
    const name = word.slice(0, eq);
    const wordChar = (c: string) => c === "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9");
    return !(name[0] >= "0" && name[0] <= "9") && [...name].every(wordChar);
}

/** A program that runs the rest of its arguments as a command. */
interface Wrapper {
    /** Short options that take the next word as their value when last in their cluster. */
    readonly valued: string;
    /** Long options that take the next word as their value (unless written `--opt=value`). */
    readonly valuedLong?: readonly string[];
    /** Operands before the command: timeout's duration, chroot's new root, flock's lock file. */
    readonly operands?: number;
    /** Short options after which it runs nothing (`command -v zfs` only looks zfs up). */
    readonly inert?: string;
}

const WRAPPERS: Readonly<Record<string, Wrapper>> = {
    sudo: { valued: "ughpCDrtUT" },
    doas: { valued: "uC" },
    env: { valued: "uCS" },
    timeout: { valued: "sk", operands: 1 },
    nice: { valued: "n" },
    ionice: { valued: "cnp" },
    nohup: { valued: "" },
    exec: { valued: "a" },
    command: { valued: "", inert: "vV" },
    stdbuf: { valued: "ioe" },
    xargs: { valued: "adEILnPs" },
    time: { valued: "fo" },
    chroot: { valued: "", operands: 1 },
    setsid: { valued: "" },
    flock: { valued: "wE", valuedLong: ["--wait", "--timeout", "--conflict-exit-code"], operands: 1 },
    nsenter: { valued: "tSG", valuedLong: ["--target", "--setuid", "--setgid"] },
    runuser: { valued: "ugGsw", valuedLong: ["--user", "--group", "--supp-group", "--shell", "--whitelist-environment"] },
    busybox: { valued: "" },
};

/** Programs that run the script given with `-c` / `--command` (anywhere among their arguments). */
const SCRIPT_OPTION_PROGRAMS: ReadonlySet<string> = new Set(["su", "runuser", "flock"]);

const SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "dash", "zsh", "ksh", "ash"]);

/** ssh's options that take a value (`-p 22`, `-i key`, `-o Opt=v`). */
const SSH_VALUED = "BbcDEeFIiJLlmOopQRSWw";

/** `/usr/sbin/zfs` → `zfs`. */
function basename(word: string): string {
    return word.slice(word.lastIndexOf("/") + 1);
}

/**
 * Skips options from `i`: `-x`, clusters, `--long[=v]`, a short option in `valued` taking the
 * next word when nothing follows it in its cluster, a long one in `valuedLong` taking the next
 * word. Returns the index of the first operand and whether an option in `stop` was seen.
 */
function skipOptions(words: readonly string[], i: number, wrapper: Wrapper): { next: number; stopped: boolean } {
    let stopped = false;
    while (i < words.length && words[i].startsWith("-") && words[i] !== "-") {
        const w = words[i++];
        if (w === "--") break;
        if (w.startsWith("--")) {
            if (!w.includes("=") && (wrapper.valuedLong ?? []).includes(w)) i++;
            continue;
        }
        for (let k = 1; k < w.length; k++) {
            if ((wrapper.inert ?? "").includes(w[k])) stopped = true;
            if (wrapper.valued.includes(w[k])) {
                if (k === w.length - 1) i++;
                break;
            }
        }
    }
    return { next: i, stopped };
}

/** The script of `-c script`, `--command script` or `--command=script` among `args`. */
function scriptOption(args: readonly string[]): string | undefined {
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "-c" || args[i] === "--command") return args[i + 1];
        if (args[i].startsWith("--command=")) return args[i].slice("--command=".length);
    }
    return undefined;
}

/**
 * What a simple command runs: its program's words (keywords, assignments and wrappers skipped),
 * or the script it hands to `su`/`runuser`/`flock -c`; undefined when it runs nothing visible.
 */
function unwrap(words: readonly string[]): { program: string[] } | { script: string } | undefined {
    let i = 0;
    while (i < words.length) {
        const w = words[i];
        if (KEYWORDS.has(w) || isAssignment(w)) {
            i++;
            continue;
        }
        const name = basename(w);
        if (SCRIPT_OPTION_PROGRAMS.has(name)) {
            const script = scriptOption(words.slice(i + 1));
            if (script !== undefined) return { script };
            // `runuser -u user cmd ...` and `flock file cmd ...` run a command; su without -c runs nothing visible.
            if (name === "su" || (name === "runuser" && !words.slice(i + 1).some((a) => a === "-u" || a.startsWith("--user")))) {
                return undefined;
            }
        }
        const wrapper = WRAPPERS[name];
        if (wrapper === undefined) return { program: words.slice(i) };
        const { next, stopped } = skipOptions(words, i + 1, wrapper);
        if (stopped) return undefined;
        // `env` and `sudo` take assignments before the program; the loop skips them.
        i = next + (wrapper.operands ?? 0);
    }
    return undefined;
}

/** The script of `sh -c 'script'` (also `-ec`, `-xc`, `-o pipefail -c`); undefined without `-c`. */
function shellScriptArgument(args: readonly string[]): string | undefined {
    let withC = false;
    let i = 0;
    while (i < args.length && (args[i].startsWith("-") || args[i].startsWith("+")) && args[i] !== "-" && args[i] !== "--") {
        const w = args[i++];
        if (w.startsWith("--")) continue;
        if (w.slice(1).includes("c")) withC = true;
        if (w.endsWith("o") || w === "-O" || w === "+O") i++;
    }
    if (args[i] === "--") i++;
    return withC ? args[i] : undefined;
}

/** The script `ssh [options] host command...` runs remotely (the remote shell parses the joined words). */
function sshRemoteScript(args: readonly string[]): string | undefined {
    const { next } = skipOptions(args, 0, { valued: SSH_VALUED });
    const rest = args.slice(next + 1);
    return rest.length > 0 ? rest.join(" ") : undefined;
}

/** How deep scripts inside scripts (`sh -c`, ssh, substitutions) are followed. */
const MAX_DEPTH = 8;

function walk(script: string, cwd: string | undefined, depth: number, found: SimpleCommand[]): void {
    if (depth > MAX_DEPTH) return;
    const { commands, substitutions } = lex(script);
    for (const sub of substitutions) walk(sub, cwd, depth + 1, found);
    // A `cd` is followed through the commands after it, whatever the branches (a conditional `cd` counts as taken).
    let dir = cwd;
    for (const { words, writesTo } of commands) {
        const runs = unwrap(words);
        if (runs === undefined) {
            if (writesTo.length > 0) found.push({ name: "", args: [], writesTo, cwd: dir });
            continue;
        }
        if ("script" in runs) {
            // su and runuser start a login shell: the directory is the user's home, not known here.
            walk(runs.script, undefined, depth + 1, found);
            continue;
        }
        const [first, ...args] = runs.program;
        const name = basename(first);
        found.push({ name, args, writesTo, cwd: dir });
        if (name === "cd") {
            const target = args.filter((a) => !(a.startsWith("-") && a.length > 1 && [...a.slice(1)].every((c) => "LPe@".includes(c))))[0];
            dir = target === undefined || target === "-" ? undefined : resolvePath(target, dir);
        } else if (SHELLS.has(name)) {
            const inner = shellScriptArgument(args);
            if (inner !== undefined) walk(inner, dir, depth + 1, found);
        } else if (name === "eval") {
            walk(args.join(" "), dir, depth + 1, found);
        } else if (name === "ssh") {
            const remote = sshRemoteScript(args);
            if (remote !== undefined) walk(remote, undefined, depth + 1, found);
        }
    }
}
