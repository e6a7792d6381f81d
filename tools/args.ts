/** Minimal argument parsing shared by the tools: `--stack NAME`, boolean flags and `--name VALUE` options. */
export interface ParsedArgs {
    readonly stack: string;
    readonly flags: ReadonlySet<string>;
    /** Options given with a value (`--base origin/main` or `--base=origin/main`), by name. */
    readonly values: ReadonlyMap<string, string>;
}

export function parseArgs(argv: readonly string[], spec: { flags: readonly string[]; options?: readonly string[] }): ParsedArgs {
    let stack = "prod";
    const flags = new Set<string>();
    const values = new Map<string, string>();
    const options = spec.options ?? [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const eq = a.indexOf("=");
        const optionName = a.startsWith("--") ? (eq > 0 ? a.slice(2, eq) : a.slice(2)) : "";
        if (a === "--stack" || a === "-s") {
            const v = argv[++i];
            if (v === undefined || v.startsWith("-")) throw new Error(`${a} needs a stack name`);
            stack = v;
        } else if (a.startsWith("--stack=")) {
            stack = a.slice("--stack=".length);
        } else if (a.startsWith("--") && spec.flags.includes(a.slice(2))) {
            flags.add(a.slice(2));
        } else if (optionName !== "" && options.includes(optionName)) {
            const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
            if (v === undefined || v === "" || (eq < 0 && v.startsWith("-"))) throw new Error(`--${optionName} needs a value`);
            values.set(optionName, v);
        } else {
            const known = ["--stack NAME", ...spec.flags.map((f) => `--${f}`), ...options.map((o) => `--${o} VALUE`)].join(", ");
            throw new Error(`unknown argument "${a}" (known: ${known})`);
        }
    }
    return { stack, flags, values };
}
