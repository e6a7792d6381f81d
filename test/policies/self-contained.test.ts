/**
 * The pack ships on its own: `pulumi policy publish policies` uploads the policies/ folder and
 * nothing else, so no file in it may import a path outside it (test/architecture.test.ts checks
 * that with the other layers), and its files may only use Node's modules and the packages
 * policies/package.json declares. The program's lib/ipv4.ts, lib/scheme.ts, lib/paths.ts and
 * lib/devices.ts re-export the pack's copy (one copy of the code).
 */
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "../..");
const POLICIES_DIR = path.join(ROOT, "policies");

/** Every .ts file under `dir`, node_modules left out. */
function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(full);
        return e.name.endsWith(".ts") ? [full] : [];
    });
}

/** The module specifiers a file imports: `import`/`export ... from`, `import(...)` and `require(...)`. */
function specifiers(file: string): string[] {
    return ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles.map((f) => f.fileName);
}

const isRelative = (spec: string) => spec.startsWith("./") || spec.startsWith("../");

/** The file a relative specifier names (`.ts` or `/index.ts`), or the bare resolved path if neither exists. */
function resolveRelative(from: string, spec: string): string {
    const base = path.resolve(path.dirname(from), spec);
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) if (fs.existsSync(candidate)) return candidate;
    return base;
}

/** The package a bare specifier names (`@scope/name` or `name`, subpaths dropped). */
function packageOf(spec: string): string {
    const parts = spec.split("/");
    return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The files the pack loads, from index.ts through relative imports. */
function loadedByPack(): string[] {
    const seen = new Set<string>();
    const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const spec of specifiers(file)) if (isRelative(spec)) visit(resolveRelative(file, spec));
    };
    visit(path.join(POLICIES_DIR, "index.ts"));
    return [...seen].sort();
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

describe("the policy pack is self-contained", () => {
    it("finds the imports of a file, static and dynamic", () => {
        const probe = path.join(POLICIES_DIR, "rules", "proxmox-vmid-scheme.ts");
        expect(specifiers(probe)).toContain("../shared/scheme");
        expect(
            ts
                .preProcessFile('import a from "./a";\nexport * from "../b";\nconst c = require("c");\nvoid import("./d");', true, true)
                .importedFiles.map((f) => f.fileName),
        ).toEqual(["./a", "../b", "c", "./d"]);
    });

    it("imports only Node's modules and the packages policies/package.json declares, in every file", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICIES_DIR, "package.json"), "utf8")) as {
            dependencies: Record<string, string>;
        };
        const declared = new Set(Object.keys(pkg.dependencies));
        const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
        const files = loadedByPack();
        expect(files.map(rel)).toEqual(expect.arrayContaining(["policies/index.ts", "policies/registry.ts", "policies/shared/scheme.ts"]));
        const undeclared = tsFiles(POLICIES_DIR).flatMap((file) =>
            specifiers(file)
                .filter((spec) => !isRelative(spec) && !builtins.has(spec) && !declared.has(packageOf(spec)))
                .map((spec) => `${rel(file)} imports ${spec}`),
        );
        expect(undeclared).toEqual([]);
    });

    it("typechecks on its own with policies/tsconfig.json, whose rootDir refuses files outside policies/ (npm run typecheck runs it)", () => {
        const tsconfig = JSON.parse(fs.readFileSync(path.join(POLICIES_DIR, "tsconfig.json"), "utf8")) as {
            compilerOptions: { rootDir?: string };
            include: string[];
        };
        expect(tsconfig.compilerOptions.rootDir).toBe(".");
        expect(tsconfig.include).toEqual(["**/*.ts"]);
        // The type check itself is kept out of jest (it is slow): the typecheck script, which CI runs, includes the pack's.
        const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
            .scripts;
        expect(scripts.typecheck.split(" && ")).toContain("tsc --noEmit -p policies/tsconfig.json");
    });

    it("is the one copy of the IPv4 helpers, the VMID scheme, the system paths and the device classes: lib/ re-exports it", () => {
        for (const name of ["ipv4", "scheme", "paths", "devices"]) {
            const code = fs
                .readFileSync(path.join(ROOT, "lib", `${name}.ts`), "utf8")
                .replace(/\/\*[\s\S]*?\*\//g, "")
                .trim();
            expect(code).toBe(`export * from "../policies/shared/${name}";`);
        }
    });
});
