/**
 * Every regular expression in the sources runs in linear time. The test finds the patterns itself
 * (regex literals and `RegExp(...)` in config/, lib/, components/, policies/ and tools/, read with
 * the TypeScript compiler), so a pattern added tomorrow is covered without editing this file, and
 * times each on adversarial inputs of 10,000 characters built from its own characters, in a child
 * process that is killed if a pattern never finishes. Then the realistic case that hung
 * `validate` for minutes: a typo such as `/tank/photos-from-grandmas-house-2019(1)` in a path.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { SAFE_ABSOLUTE_PATH, isSafeAbsolutePath } from "../lib/patterns";
import { ATTACK_LENGTH, SlowInput, attackRecipes, findPatterns, patternsIn, timePatterns } from "./helpers/patterns";

const ROOT = path.join(__dirname, "..");
const SOURCE_DIRS = ["config", "lib", "components", "policies", "tools"];
/** Per input of 10,000 characters; linear patterns take well under a millisecond. */
const BUDGET_MS = 10;
/** For a whole child run; a pattern still running then is reported as hung. */
const HANG_MS = 20_000;

const describeSlow = (s: SlowInput) =>
    s.hung
        ? `${s.where} /${s.source}/ did not finish within ${HANG_MS} ms`
        : `${s.where} /${s.source}/ on ${JSON.stringify(s.recipe)}: ${s.ms} ms` +
          (s.longerMs !== undefined ? `, ${s.longerMs} ms at 4× the length` : "");

describe("the pattern finder", () => {
    it("finds literals, RegExp calls with literal arguments, and refuses patterns built at run time", () => {
        const text = [
            "const a = /^a+$/i;",
            'const b = new RegExp("^b*$", "g");',
            "const c = RegExp(`c?`);",
            "const d = new RegExp(`^${x}$`);",
            'const e = "/not a regex/";',
        ].join("\n");
        expect(patternsIn(text, "x.ts")).toEqual([
            { where: "x.ts:1", source: "^a+$", flags: "i" },
            { where: "x.ts:2", source: "^b*$", flags: "g" },
            { where: "x.ts:3", source: "c?", flags: "" },
            {
                where: "x.ts:4",
                flags: "",
                problem: "a RegExp built at run time cannot be checked for linear time: build it from a literal, or use plain code",
            },
        ]);
    });

    it("finds the patterns of the sources, among them the safe-path pattern", () => {
        const found = findPatterns(ROOT, SOURCE_DIRS);
        expect(found.length).toBeGreaterThan(50);
        expect(found).toContainEqual(expect.objectContaining({ source: SAFE_ABSOLUTE_PATH.source, flags: "" }));
    });
});

describe("the adversarial inputs", () => {
    it("come from the pattern's own characters: a prefix into each quantifier, a pump it repeats, a tail it cannot match", () => {
        const recipes = attackRecipes("^\\/(?:[a-z]+\\/?)*$", "");
        // `/` and a letter are the classes of characters the pattern tells apart; a space matches nothing.
        expect(recipes).toEqual(
            expect.arrayContaining([
                { prefix: "/", pump: "a", tail: " " },
                { prefix: "/", pump: "a/", tail: " " },
                { prefix: "", pump: "/a", tail: " " },
            ]),
        );
        expect(new Set(recipes.map((r) => r.tail))).toEqual(new Set([" "]));
    });
});

describe("every pattern in the sources", () => {
    const found = findPatterns(ROOT, SOURCE_DIRS);

    it("is a literal the test can check", () => {
        expect(found.filter((f) => f.problem !== undefined).map((f) => `${f.where}: ${f.problem}`)).toEqual([]);
    });

    it(`runs in linear time on adversarial inputs of ${ATTACK_LENGTH} characters (${BUDGET_MS} ms each, no faster-than-linear growth)`, () => {
        const timed = found
            .filter((f): f is typeof f & { source: string } => f.source !== undefined)
            .map((f) => ({ where: f.where, source: f.source, flags: f.flags, recipes: attackRecipes(f.source, f.flags) }));
        expect(timed.every((t) => t.recipes.length > 0)).toBe(true);
        expect(timePatterns(timed, BUDGET_MS, HANG_MS).map(describeSlow)).toEqual([]);
    }, 120_000);
});

describe("the realistic typo that hung validate: /tank/photos-from-grandmas-house-2019(1)", () => {
    const TYPO = "/tank/photos-from-grandmas-house-2019(1)";

    // `,` and `=` are refused: Proxmox property strings (`mp0: <host>,mp=<path>`) split on them.
    it("is refused by the safe-path pattern, which still accepts what it accepted", () => {
        expect(SAFE_ABSOLUTE_PATH.test(TYPO)).toBe(false);
        for (const ok of ["/", "/tank", "/tank/", "/tank/photos from grandmas house 2019", "/srv/a.b/c@e+f:g"])
            expect([ok, SAFE_ABSOLUTE_PATH.test(ok)]).toEqual([ok, true]);
        for (const bad of ["tank", "//tank", "/tank//x", "/tank/$(id)", "/srv/a,b", "/srv/a=b"])
            expect([bad, SAFE_ABSOLUTE_PATH.test(bad)]).toEqual([bad, false]);
        // `.` and `..` components are plain code (hasDotComponent), not the pattern.
        for (const bad of ["/tank/../etc", "/tank/./x", "/.", "/.."]) expect([bad, isSafeAbsolutePath(bad)]).toEqual([bad, false]);
    });

    it("in managedRoots, a mountpoint, a mount path and a storage path: validate refuses each at once, naming the field", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-typo-"));
        const reference = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
            config: Record<string, Record<string, unknown>>;
        };
        type Config = Record<string, Record<string, unknown>>;
        const datasets = (c: Config) =>
            Object.values(c["homelab:datasets"]) as { properties?: Record<string, unknown>; mounts?: { path: string }[] }[];
        /** Where storages are defined: cluster-wide `storages`, or each node's `storages`. */
        const storages = (c: Config) =>
            (c["homelab:storages"] ?? (Object.values(c["homelab:nodes"])[0] as { storages: Record<string, unknown> }).storages) as Record<
                string,
                unknown
            >;
        const cases: Record<string, (c: Config) => void> = {
            roots: (c) => ((c["homelab:cluster"].managedRoots as string[])[0] = TYPO),
            mountpoint: (c) => (datasets(c)[0].properties = { ...datasets(c)[0].properties, mountpoint: TYPO }),
            mount: (c) => (datasets(c).find((d) => (d.mounts ?? []).length > 0)!.mounts![0].path = TYPO),
            storage: (c) => (storages(c).typo = { kind: "dir", path: TYPO, content: ["backup"] }),
        };
        for (const [stack, change] of Object.entries(cases)) {
            const doc = structuredClone(reference);
            change(doc.config);
            fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), toYaml(doc));
        }
        const script = `
            const { main } = require(${JSON.stringify(path.join(ROOT, "tools", "validate"))});
            for (const stack of ${JSON.stringify(Object.keys(cases))}) {
                const started = Date.now();
                const code = main(["--stack", stack], ${JSON.stringify(dir)});
                process.stdout.write(JSON.stringify({ stack, code, ms: Date.now() - started }) + "\\n");
            }`;
        const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: ROOT,
            encoding: "utf8",
            timeout: 60_000,
            killSignal: "SIGKILL",
        });
        const results = run.stdout
            .split("\n")
            .filter((l) => l !== "")
            .map((l) => JSON.parse(l) as { stack: string; code: number; ms: number });
        expect(results.map((r) => [r.stack, r.code, r.ms < 2_000])).toEqual(Object.keys(cases).map((stack) => [stack, 1, true]));
        // One problem per stack, as compilers print them: `Pulumi.roots.yaml:35:7: cluster.managedRoots[0]: ...`.
        const problems = run.stderr.split("\n").filter((l) => /^Pulumi\.[a-z]+\.yaml:\d+:\d+: /.test(l));
        expect(problems).toHaveLength(4);
        for (const p of problems)
            expect(p).toContain(`must be an absolute path of letters, digits, spaces and _ . @ + : - (no ',' or '='), got "${TYPO}"`);
        fs.rmSync(dir, { recursive: true, force: true });
    }, 90_000);
});
