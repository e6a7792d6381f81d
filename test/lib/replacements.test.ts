/**
 * The replacement table (lib/replacements.ts): complete for what the program's source constructs
 * and the stacks register, every token and input name real in the installed SDKs, and every rule
 * triggering a replacement with its cited fact, shown in the report. Each rule gets a pair of
 * recorded resources that differ in exactly that input (built by hand, so conditional rules get
 * their harmless case too); test/tools/change-rules.slow.test.ts runs each rule through the real
 * program with a pair of inventories, or checks why no inventory reaches it.
 */
import * as fs from "fs";
import * as path from "path";
import { ENGINE_RULES, REPLACEMENT_RULES, ReplaceRule, ResourceRules, rulesFor } from "../../lib/replacements";
import { classifyChanges } from "../../tools/change/classify";
import { renderChangeText } from "../../tools/change/render";
import { buildChangeReport } from "../../tools/change/report";
import { constructedTypes } from "../helpers/programTypes";
import { objectAt, recordRaw, resource, stackRaw } from "../tools/change-fixtures";

const NODE_MODULES = path.join(__dirname, "../../node_modules");
const SDK_DIRS: Readonly<Record<string, string>> = {
    proxmoxve: "@muhlba91/pulumi-proxmoxve",
    aws: "@pulumi/aws",
    cloudflare: "@pulumi/cloudflare",
    command: "@pulumi/command",
    tls: "@pulumi/tls",
};

/** The SDK module file of a resource token: `proxmoxve:storage/zfspool:Zfspool` → storage/zfspool.js. */
function sdkFile(token: string): string {
    const [pkg, module, name] = token.split(":");
    const rel = module.includes("/") ? module.replace(/^index\//, "") : `${module}/${name[0].toLowerCase()}${name.slice(1)}`;
    const file = path.join(NODE_MODULES, SDK_DIRS[pkg], `${rel}.js`);
    if (fs.existsSync(file)) return file;
    // Some SDKs lower-case more of the module name (cloudflare's r2bucketLifecycle.js).
    const dir = path.dirname(file);
    const found = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.toLowerCase() === path.basename(file).toLowerCase()) : undefined;
    return found !== undefined ? path.join(dir, found) : file;
}

const customRows = REPLACEMENT_RULES.filter((row) => row.kind === "custom");

describe("the replacement table", () => {
    it("has a row for every resource class and component the program's source constructs (a new kind cannot slip in)", () => {
        const { custom, components } = constructedTypes();
        const missing = [...custom, ...components]
            .filter(([t]) => rulesFor(t) === undefined)
            .map(([t, files]) => `${t} (${files.join(", ")})`);
        expect(missing).toEqual([]);
        // Component types are never replaced themselves: their rows say so.
        expect([...components.keys()].filter((t) => rulesFor(t)?.kind !== "component")).toEqual([]);
    });

    it("reads every type the three stacks register from the source (the scan above misses none), and each has a row", async () => {
        const { custom, components } = constructedTypes();
        for (const stack of ["prod", "example-single", "example-cluster"] as const) {
            const recorded = [...new Set((await recordRaw(stackRaw(stack), stack)).map((r) => r.type))];
            expect([stack, recorded.filter((t) => t !== "pulumi:pulumi:Stack" && !custom.has(t) && !components.has(t))]).toEqual([
                stack,
                [],
            ]);
            expect([stack, recorded.filter((t) => rulesFor(t) === undefined)]).toEqual([stack, []]);
        }
    });

    it("has rows for the access-control types the Access component registers (the token's user, role, ACLs)", () => {
        for (const t of [
            "proxmoxve:index/acl:Acl",
            "proxmoxve:index/roleLegacy:RoleLegacy",
            "proxmoxve:index/userLegacy:UserLegacy",
            "proxmoxve:user/token:Token",
        ]) {
            expect([t, rulesFor(t)?.kind]).toEqual([t, "custom"]);
            expect([t, constructedTypes().custom.get(t)]).toEqual([t, ["components/access.ts"]]);
        }
    });

    it("names each type once (one home per fact)", () => {
        const all = REPLACEMENT_RULES.flatMap((row) => row.types);
        expect(all.filter((t, i) => all.indexOf(t) !== i)).toEqual([]);
    });

    it("names only resource tokens the installed SDKs define", () => {
        const missing = customRows
            .flatMap((row) => row.types)
            .filter((t) => {
                const file = sdkFile(t);
                return !fs.existsSync(file) || !fs.readFileSync(file, "utf8").includes(`__pulumiType = '${t}'`);
            });
        expect(missing).toEqual([]);
    });

    it("names only inputs the SDK's Args declare (the first segment of each rule and update-note path)", () => {
        const unknown: string[] = [];
        for (const row of customRows) {
            for (const t of row.types) {
                const dts = fs.readFileSync(sdkFile(t).replace(/\.js$/, ".d.ts"), "utf8");
                const name = t.split(":")[2];
                const args = dts.slice(dts.indexOf(`export interface ${name}Args {`));
                const argsBody = args.slice(0, args.indexOf("\n}"));
                for (const r of [...row.replaceOn, ...(row.updateNotes ?? [])]) {
                    for (const p of [r.path, ...("unlessTrue" in r && r.unlessTrue ? [r.unlessTrue] : [])]) {
                        const first = p.split(/[.[]/)[0];
                        if (!new RegExp(`\\n {4}(readonly )?${first}\\??:`).test(argsBody)) unknown.push(`${t} ${first}`);
                    }
                }
            }
        }
        expect(unknown).toEqual([]);
    });

    it("lists no provider config key that forces a replacement (the report would then have to replace every resource of that provider)", () => {
        expect(REPLACEMENT_RULES.filter((row) => row.kind === "provider" && row.replaceOn.length > 0)).toEqual([]);
    });

    it("cites a fact or an upstream file for every rule and every update note", () => {
        for (const row of REPLACEMENT_RULES) {
            expect(row.schema.length).toBeGreaterThan(10);
            for (const r of [...row.replaceOn, ...(row.updateNotes ?? [])]) expect(r.source).toMatch(/^(P\d+|C\d+)\b|\.go\b/);
        }
    });

    it("lists every engine rule in the JSON schema's replace reasons (tools/plan.schema.json) and in docs/plan.md", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "../../tools/plan.schema.json"), "utf8"));
        const reasons = schema.definitions.resourceChange.properties.replaceReasons.items.properties.rule.enum;
        expect([...reasons].sort()).toEqual(["schema", ...Object.keys(ENGINE_RULES)].sort());
        // docs/plan.md lists them in the JSON example of the change report.
        const doc = fs.readFileSync(path.join(__dirname, "../../docs/plan.md"), "utf8");
        const listed = doc.split("\n").find((l) => l.includes('// "rule": "schema"'));
        expect(reasons.filter((r: string) => !listed?.includes(`"${r}"`))).toEqual([]);
    });
});

/** Old and new values that trigger a rule (and, for a conditional rule, a pair that does not). */
function valuesFor(r: ReplaceRule): { trigger: [unknown, unknown]; harmless?: [unknown, unknown] } {
    if (r.when === "decreases") return { trigger: [32, 16], harmless: [16, 32] };
    if (r.when === "both-set") return { trigger: ["v1.2", "v2.0"], harmless: [undefined, "v2.0"] };
    return { trigger: ["before", "after"] };
}

const cases = customRows.flatMap((row: ResourceRules) => row.replaceOn.map((r) => [row.types[0], r.path, r] as const));

describe.each(cases)("%s: a change of %s", (type, rulePath, r) => {
    const { trigger, harmless } = valuesFor(r);
    const pair = (before: unknown, after: unknown, extra: Record<string, unknown> = {}) => {
        const base = resource(type, "subject", { ...objectAt(rulePath, before), keep: 1 });
        const current = resource(type, "subject", { ...objectAt(rulePath, after), keep: 1, ...extra });
        return { base, current };
    };

    it(`replaces the resource, citing ${r.source}`, () => {
        const { base, current } = pair(...trigger);
        const [x] = classifyChanges([base], [current]);
        expect(x.change.op).toBe("replace");
        expect(x.change.replaceReasons).toEqual([{ rule: "schema", path: rulePath.replace("[*]", "[0]"), source: r.source }]);
        expect(x.change.order).toBe("create-then-delete");
        const text = renderChangeText(buildChangeReport("base", [base], [current]));
        expect(text).toContain(`+- subject (${type}): replace (create, then delete) by ${rulePath.replace("[*]", "[0]")} [${r.source}]`);
    });

    if (harmless) {
        it(`updates in place when the change does not meet the rule's condition (${r.when})`, () => {
            const { base, current } = pair(...harmless);
            expect(classifyChanges([base], [current])[0].change.op).toBe("update");
        });
    }
    if (r.unlessTrue) {
        it(`updates in place when ${r.unlessTrue} is true`, () => {
            const { base, current } = pair(...trigger, { [r.unlessTrue!]: true });
            const [x] = classifyChanges([base], [current]);
            expect(x.change.op).toBe("update");
            expect(x.change.changedPaths).toEqual([r.unlessTrue, rulePath]);
        });
    }
});

describe("a type whose every change is in place", () => {
    it.each(customRows.filter((row) => row.replaceOn.length === 0).map((row) => row.types[0]))(
        "%s: an input change is an update",
        (type) => {
            const [x] = classifyChanges([resource(type, "s", { comment: "a" })], [resource(type, "s", { comment: "b" })]);
            expect(x.change).toMatchObject({ op: "update", changedPaths: ["comment"], replaceReasons: [] });
        },
    );
});
