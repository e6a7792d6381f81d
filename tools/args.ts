/**
 * Argument handling shared by the tools: `--stack NAME` (else `PULUMI_STACK`, else prod),
 * boolean flags, `--help`, and an error naming the known arguments for anything else.
 */
import { DEFAULT_STACK, StackFileError, stackName } from "../config/stackfile";

/** A boolean flag of a tool (`--json`). */
export interface FlagSpec {
    readonly name: string;
    readonly help: string;
}

/** An option with a value: one of a fixed list (`--for up`), or free (`--base origin/main`, then `choices` is absent). */
export interface OptionSpec {
    readonly name: string;
    /** The values it takes; absent for a free value (named by `placeholder`). */
    readonly choices?: readonly string[];
    /** How `--help` names a free value (`REF`). @default "VALUE" */
    readonly placeholder?: string;
    /** The value when the option is not given; absent for an option that may be left out. */
    readonly default?: string;
    readonly help: string;
}

/** What a tool takes and says about itself in `--help`. */
export interface ToolSpec {
    /** How to run it, without arguments: `npm run -s plan`. */
    readonly command: string;
    /** What it does, in a few lines. */
    readonly summary: string;
    /** Whether it reads a stack (`--stack NAME`, `PULUMI_STACK`). */
    readonly stack: boolean;
    readonly flags: readonly FlagSpec[];
    readonly options?: readonly OptionSpec[];
    /** Further lines: exit codes, environment variables. */
    readonly details?: readonly string[];
}

export type ParsedArgs =
    | { readonly help: true }
    | {
          readonly help: false;
          /** The stack name (`org/homelab/prod` already reduced to `prod`). */
          readonly stack: string;
          readonly flags: ReadonlySet<string>;
          /** Every option's value (its default when not given; absent when it has none). */
          readonly options: ReadonlyMap<string, string>;
      };

/** A command line that asks the tool to run (not for its help). */
export type RunArgs = Extract<ParsedArgs, { readonly help: false }>;

/** A bad command line: the message says what is known. */
export class ArgsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ArgsError";
    }
}

/** The stack a tool reads: `--stack NAME`, else `PULUMI_STACK`, else prod (`org/homelab/NAME` is NAME). */
export function resolveStack(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
    const value = flag ?? (env.PULUMI_STACK !== undefined && env.PULUMI_STACK !== "" ? env.PULUMI_STACK : DEFAULT_STACK);
    return stackName(value);
}

const optionUsage = (o: OptionSpec): string => `--${o.name} ${o.choices ? o.choices.join("|") : (o.placeholder ?? "VALUE")}`;

function known(spec: ToolSpec): string {
    return [
        ...(spec.stack ? ["--stack NAME"] : []),
        ...(spec.options ?? []).map(optionUsage),
        ...spec.flags.map((f) => `--${f.name}`),
        "--help",
    ].join(", ");
}

/** Parses a tool's arguments. Throws ArgsError (unknown argument, `--stack` without a name) or StackFileError (a bad stack name). */
export function parseArgs(argv: readonly string[], spec: ToolSpec, env: NodeJS.ProcessEnv = process.env): ParsedArgs {
    let stack: string | undefined;
    const flags = new Set<string>();
    const options = new Map((spec.options ?? []).flatMap((o) => (o.default === undefined ? [] : [[o.name, o.default] as const])));
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const option = (spec.options ?? []).find((o) => a === `--${o.name}` || a.startsWith(`--${o.name}=`));
        if (a === "--help" || a === "-h") return { help: true };
        if (option) {
            const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
            if (option.choices === undefined) {
                if (v === undefined || v === "" || (!a.includes("=") && v.startsWith("-")))
                    throw new ArgsError(`--${option.name} needs a value (${option.placeholder ?? "VALUE"})`);
            } else if (v === undefined || !option.choices.includes(v))
                throw new ArgsError(`--${option.name} needs one of ${option.choices.join(", ")}${v === undefined ? "" : `, got "${v}"`}`);
            options.set(option.name, v);
            continue;
        }
        if (spec.stack && (a === "--stack" || a === "-s")) {
            const v = argv[++i];
            if (v === undefined || v.startsWith("-")) throw new ArgsError(`${a} needs a stack name`);
            stack = v;
        } else if (spec.stack && a.startsWith("--stack=")) {
            stack = a.slice("--stack=".length);
        } else if (a.startsWith("--") && spec.flags.some((f) => f.name === a.slice(2))) {
            flags.add(a.slice(2));
        } else {
            throw new ArgsError(`unknown argument "${a}" (known: ${known(spec)})`);
        }
    }
    return { help: false, stack: spec.stack ? resolveStack(stack, env) : DEFAULT_STACK, flags, options };
}

/**
 * The command line of a tool that writes to streams: the arguments to run with, or the exit code
 * when there is nothing to run: 0 after `--help` (the help written to `out`), 2 after a bad command
 * line or stack name (the error written to `err`).
 */
export function commandLine(
    argv: readonly string[],
    spec: ToolSpec,
    env: NodeJS.ProcessEnv,
    out: NodeJS.WritableStream,
    err: NodeJS.WritableStream,
): RunArgs | 0 | 2 {
    let args: ParsedArgs;
    try {
        args = parseArgs(argv, spec, env);
    } catch (e) {
        if (!(e instanceof ArgsError || e instanceof StackFileError)) throw e;
        err.write(`error: ${e.message}\n`);
        return 2;
    }
    if (!args.help) return args;
    out.write(helpText(spec));
    return 0;
}

/** The `--help` text of a tool. */
export function helpText(spec: ToolSpec): string {
    const options: [string, string][] = [];
    if (spec.stack)
        options.push([
            "--stack NAME, -s NAME",
            `the stack: reads Pulumi.NAME.yaml; default $PULUMI_STACK, else ${DEFAULT_STACK} (org/homelab/NAME is NAME)`,
        ]);
    for (const o of spec.options ?? [])
        options.push([optionUsage(o), o.default === undefined ? o.help : `${o.help} (default ${o.default})`]);
    for (const f of spec.flags) options.push([`--${f.name}`, f.help]);
    options.push(["--help, -h", "print this help and exit"]);
    const width = Math.max(...options.map(([o]) => o.length)) + 2;
    const usage = [
        ...(spec.stack ? ["[--stack NAME]"] : []),
        ...(spec.options ?? []).map((o) => `[${optionUsage(o)}]`),
        ...spec.flags.map((f) => `[--${f.name}]`),
    ].join(" ");
    return [
        `usage: ${spec.command}${usage ? ` -- ${usage}` : ""}`,
        "",
        spec.summary,
        "",
        "options:",
        ...options.map(([o, h]) => `  ${o.padEnd(width)}${h}`),
        ...(spec.details && spec.details.length > 0 ? ["", ...spec.details] : []),
        "",
    ].join("\n");
}
