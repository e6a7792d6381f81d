/** Minimal argument parsing shared by the tools: `--stack NAME` and boolean flags. */
export interface ParsedArgs {
    readonly stack: string;
    readonly flags: ReadonlySet<string>;
}

export function parseArgs(argv: readonly string[], spec: { flags: readonly string[] }): ParsedArgs {
    let stack = "prod";
    const flags = new Set<string>();
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--stack" || a === "-s") {
            const v = argv[++i];
            if (v === undefined || v.startsWith("-")) throw new Error(`${a} needs a stack name`);
            stack = v;
        } else if (a.startsWith("--stack=")) {
            stack = a.slice("--stack=".length);
        } else if (a.startsWith("--") && spec.flags.includes(a.slice(2))) {
            flags.add(a.slice(2));
        } else {
            const known = ["--stack NAME", ...spec.flags.map((f) => `--${f}`)].join(", ");
            throw new Error(`unknown argument "${a}" (known: ${known})`);
        }
    }
    return { stack, flags };
}
