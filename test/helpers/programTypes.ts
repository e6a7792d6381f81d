/**
 * The resource types the program's source can register, read from the source itself: every
 * `new <sdk>.<Class>(` in program.ts and components/ resolved through the installed SDK to its type
 * token (a provider class to `pulumi:providers:<package>`), and every component type passed to a
 * `super("homelab:...")` call. Unlike a recording, this also sees branches no stack takes (PVE 8
 * HA groups, a CIFS storage), so a new kind of resource cannot slip past the replacement table.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "../..");

/** The SDK packages the program registers resources from. */
const SDKS = ["@muhlba91/pulumi-proxmoxve", "@pulumi/aws", "@pulumi/cloudflare", "@pulumi/command", "@pulumi/tls"];

/** Linear patterns: one character class per repetition, no nesting. */
const IMPORT = /import \* as ([A-Za-z_$][\w$]*) from "([^"]+)"/g;
const CONSTRUCTION = /new\s+([\w$.]+)\s*\(/g;
const COMPONENT = /super\(\s*"([a-z]+:[A-Za-z]+:[A-Za-z]+)"/g;

/** Source files of the program. */
export function programFiles(): string[] {
    const components = path.join(ROOT, "components");
    return [
        path.join(ROOT, "program.ts"),
        ...fs
            .readdirSync(components)
            .filter((f) => f.endsWith(".ts"))
            .map((f) => path.join(components, f)),
    ];
}

/** A constructed class's type token, or undefined when `expression` names no SDK resource class. */
function tokenOf(expression: string, aliases: ReadonlyMap<string, string>): string | undefined {
    const [alias, ...members] = expression.split(".");
    const pkg = aliases.get(alias);
    if (pkg === undefined || members.length === 0) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    let value: unknown = require(pkg);
    for (const m of members) value = (value as Record<string, unknown> | undefined)?.[m];
    const token = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    if (typeof token !== "string") throw new Error(`new ${expression}(...): no resource class of ${pkg}`);
    return token.includes(":") ? token : `pulumi:providers:${token}`;
}

/** Custom resource and component types the program's source constructs, by file. */
export function constructedTypes(): { custom: Map<string, string[]>; components: Map<string, string[]> } {
    const custom = new Map<string, string[]>();
    const components = new Map<string, string[]>();
    const add = (map: Map<string, string[]>, type: string, file: string) => map.set(type, [...(map.get(type) ?? []), file]);
    for (const file of programFiles()) {
        const text = fs.readFileSync(file, "utf8");
        const rel = path.relative(ROOT, file);
        const aliases = new Map([...text.matchAll(IMPORT)].filter((m) => SDKS.includes(m[2])).map((m) => [m[1], m[2]]));
        for (const m of text.matchAll(CONSTRUCTION)) {
            const token = tokenOf(m[1], aliases);
            if (token !== undefined) add(custom, token, rel);
        }
        for (const m of text.matchAll(COMPONENT)) add(components, m[1], rel);
    }
    return { custom, components };
}
