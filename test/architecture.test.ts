/**
 * The layers of the house (docs/architecture.md), checked on every import of every source file:
 *
 *   config/ ──→ lib/ ←── components/ ──→ program.ts ──→ index.ts
 *      ↑                     │
 *      └─────────────────────┘          tools/ may use any of them; policies/ stands alone.
 *
 * lib/ is pure (no Pulumi SDK, no environment, nothing above it; the pack's shared tables it
 * re-exports are the one exception); config/ reads the inventory with lib/'s help and knows
 * nothing of resources; components/ build resources and never reach into the tools; the policy
 * pack imports nothing outside policies/ (it is published alone). An import the wrong way fails
 * here with the file and the specifier.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..");

/** Every .ts file below `dir` (node_modules left out), as a path relative to the root. */
function tsFiles(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(rel);
        return e.name.endsWith(".ts") ? [rel] : [];
    });
}

/** The module specifiers a file imports: static, dynamic and `require`. */
function specifiers(file: string): string[] {
    return ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), "utf8"), true, true).importedFiles.map((f) => f.fileName);
}

/** What a specifier of `file` names: a repository path for a relative one (`lib/ipv4`), else the package. */
function target(file: string, spec: string): string {
    if (!spec.startsWith(".")) return spec;
    return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
}

/** Each import of the files below `dir` (or of the one file `dir` names) that `forbidden` says why it may not make. */
function violations(dir: string, forbidden: (target: string, spec: string) => string | undefined): string[] {
    const files = dir.endsWith(".ts") ? [dir] : tsFiles(dir);
    return files.flatMap((file) =>
        specifiers(file).flatMap((spec) => {
            const why = forbidden(target(file, spec), spec);
            return why === undefined ? [] : [`${file} imports ${spec}: ${why}`];
        }),
    );
}

const under = (t: string, ...dirs: string[]) => dirs.some((d) => t === d || t.startsWith(`${d}/`));
const isRoot = (t: string) => t === "program" || t === "index";

describe("the layers", () => {
    it("finds what a file imports, relative or a package", () => {
        expect(target("lib/pbs/jobs.ts", "../backupSchedule")).toBe("lib/backupSchedule");
        expect(target("components/lxcGuest.ts", "../config/schema")).toBe("config/schema");
        expect(target("program.ts", "./components/access")).toBe("components/access");
        expect(target("lib/cloudInit.ts", "yaml")).toBe("yaml");
        expect(specifiers("lib/ipv4.ts")).toEqual(["../policies/shared/ipv4"]);
    });

    it("lib/ imports nothing from config/, components/, tools/ or the program, from the pack only its shared tables, and no Pulumi SDK", () => {
        expect(
            violations("lib", (t) => {
                if (under(t, "config", "components", "tools", "test") || isRoot(t)) return "lib/ is below every other layer";
                if (under(t, "policies") && !under(t, "policies/shared")) return "lib/ may re-export only the pack's shared tables";
                if (t.startsWith("@pulumi/") || t.startsWith("@muhlba91/")) return "lib/ is pure: it builds no resources";
                return undefined;
            }),
        ).toEqual([]);
    });

    it("lib/ reads no environment and no stack config", () => {
        const readers = tsFiles("lib").filter((file) => /process\.env|pulumi\.Config/.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
        expect(readers).toEqual([]);
    });

    it("config/ imports nothing from components/, tools/, the pack or the program", () => {
        expect(
            violations("config", (t) =>
                under(t, "components", "tools", "policies", "test") || isRoot(t)
                    ? "config/ reads the inventory; it knows no resources"
                    : undefined,
            ),
        ).toEqual([]);
    });

    it("components/ import nothing from tools/, the pack or the program", () => {
        expect(
            violations("components", (t) =>
                under(t, "tools", "policies", "test") || isRoot(t)
                    ? "components/ are composed by program.ts, never the other way"
                    : undefined,
            ),
        ).toEqual([]);
    });

    it("program.ts and index.ts import nothing from tools/ or the pack", () => {
        for (const entry of ["program.ts", "index.ts"])
            expect(
                violations(entry, (t) => (under(t, "tools", "policies", "test") ? "the program runs without the tools" : undefined)),
            ).toEqual([]);
    });

    it("the policy pack imports nothing outside policies/ (it is published alone)", () => {
        expect(
            violations("policies", (t, spec) =>
                spec.startsWith(".") && !under(t, "policies") ? "the pack must load on its own" : undefined,
            ),
        ).toEqual([]);
    });

    describe("credentials and providers: read once, built once, passed down", () => {
        const sources = [...tsFiles("config"), ...tsFiles("components"), ...tsFiles("lib"), "program.ts", "index.ts"];
        const text = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

        it("only config/loader.ts reads stack config and the environment", () => {
            expect(sources.filter((f) => /new pulumi\.Config\(|getSecret\(|process\.env\b/.test(text(f)))).toEqual(["config/loader.ts"]);
        });

        it("only components/providers.ts and program.ts take values from the credentials", () => {
            expect(sources.filter((f) => /credentials\.(require|optional)\(/.test(text(f)))).toEqual([
                "components/providers.ts",
                "program.ts",
            ]);
        });

        it("only components/providers.ts builds the Proxmox and Cloudflare providers; the offsite bucket builds its own AWS provider", () => {
            expect(sources.filter((f) => /new (proxmoxve|cloudflare)\.Provider\(/.test(text(f)))).toEqual(["components/providers.ts"]);
            expect(sources.filter((f) => /new aws\.Provider\(/.test(text(f)))).toEqual(["components/offsiteBucket.ts"]);
        });
    });

    it("README.md and program.ts's comment state the order deployHomelab composes the homelab in", () => {
        /** Each step: how program.ts starts it, and its name in both texts. */
        const steps: [call: string, name: string][] = [
            ["deployAccess(", "access"],
            ["new Cluster(", "cluster"],
            ["deployNodes(", "nodes"],
            ["deployDatasets(", "ZFS datasets"],
            ["new Storages(", "storages"],
            ["new Images(", "image downloads"],
            ["deployGuests(", "guests"],
            ["new HaGroup(", "HA groups"],
            ["deployDns(", "public DNS"],
            ["deployOffsite(", "the offsite bucket"],
            ["deployBackups(", "backups"],
        ];
        const flat = (text: string) => text.replace(/\n\s*\*?\s*/g, " ");
        const program = fs.readFileSync(path.join(ROOT, "program.ts"), "utf8");
        const body = program.slice(program.indexOf("export function deployHomelab"));
        const comment = flat(program.slice(0, program.indexOf("*/")));
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const from = readme.indexOf("`program.ts` composes:");
        const chain = flat(readme.slice(from, readme.indexOf("\n\n", from)));
        const names = steps.map(([, name]) => name);
        /** The names in the order they first stand in `text` as words of their own (a missing one is left out). */
        const orderIn = (text: string) =>
            names
                .map((n) => ({ n, at: text.search(new RegExp(`(?<![\\w-])${n}(?![\\w-])`)) }))
                .filter(({ at }) => at >= 0)
                .sort((x, y) => x.at - y.at)
                .map(({ n }) => n);
        const calls = steps.map(([call, name]) => ({ name, at: body.indexOf(call) }));
        expect(
            calls
                .filter(({ at }) => at >= 0)
                .sort((x, y) => x.at - y.at)
                .map(({ name }) => name),
        ).toEqual(names);
        expect(orderIn(comment)).toEqual(names);
        expect(orderIn(chain)).toEqual(names);
    });
});
