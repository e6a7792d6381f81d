/** The pack's own contract: names, descriptions, one file per rule, levels in one place, the README. */
import * as fs from "fs";
import * as path from "path";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LEVELS } from "../../policies/levels";
import { POLICIES, RULES, register } from "../../policies/registry";

const POLICIES_DIR = path.join(__dirname, "../../policies");
const RULE_FILES = fs
    .readdirSync(path.join(POLICIES_DIR, "rules"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.replace(/\.ts$/, ""))
    .sort();
const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const README = fs.readFileSync(path.join(POLICIES_DIR, "README.md"), "utf8");

describe("the registry", () => {
    it("holds every rule file exactly once, under the file's name", () => {
        expect(POLICIES.map((p) => p.name).sort()).toEqual(RULE_FILES);
        expect(new Set(POLICIES.map((p) => p.name)).size).toBe(POLICIES.length);
    });
    it.each(RULE_FILES)("rules/%s.ts exports one rule, named like the file, as the camel-cased const", (file) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path.join(POLICIES_DIR, "rules", file)) as Record<string, unknown>;
        const rules = Object.entries(mod).filter(([, v]) => typeof v === "object" && v !== null && "description" in v && "name" in v);
        expect(rules.map(([key, v]) => [key, (v as { name: string }).name])).toEqual([[camel(file), file]]);
        expect(RULES).toContain(mod[camel(file)]);
    });
    it("refuses a duplicate name, a rule without a level and a level without a rule", () => {
        const rule = RULES[0];
        expect(() => register([rule, rule], LEVELS)).toThrow(`policy "${rule.name}" is registered twice; policy names must be unique`);
        expect(() => register([rule], {})).toThrow(`policy "${rule.name}" has no enforcement level in policies/levels.ts`);
        expect(() => register([rule], { [rule.name]: "mandatory", "gone-rule": "advisory" })).toThrow(
            "policies/levels.ts sets a level for unregistered policies: gone-rule",
        );
    });
    it("takes every level from levels.ts", () => {
        expect(Object.fromEntries(POLICIES.map((p) => [p.name, p.enforcementLevel]))).toEqual(LEVELS);
        expect(RULES.every((r) => r.enforcementLevel === undefined)).toBe(true);
    });
});

describe.each(POLICIES.map((p) => [p.name, p]))("%s", (name, policy) => {
    it("has a stable kebab-case name", () => expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/));
    it('has a description that is one full sentence starting "Checks that"', () => {
        expect(policy.description).toMatch(/^Checks that [^\n]+[^.\s]\.$/);
        expect(policy.description.slice(0, -1)).not.toMatch(/\.\s/);
    });
    it("has a config schema that takes exemptions with a required reason", () => {
        const exemptions = policy.configSchema?.properties.exemptions as { items: { required: string[] } };
        expect(exemptions.items.required).toEqual(["resourceName", "reason"]);
    });
    it("is listed in policies/README.md with its level, what it checks, why and how to exempt", () => {
        const section = README.split(/^### /m).find((s) => s.startsWith(`\`${name}\`\n`));
        expect(section).toBeDefined();
        expect(section).toContain(`- **Level:** ${LEVELS[name]}`);
        expect(section).toContain("- **Checks** ");
        expect(section).toContain("- **Why:** ");
        expect(section).toMatch(new RegExp(`- \\*\\*Exempt:\\*\\*[^]*"${name}": \\{`));
    });
    it("is a resource rule that only remediates if it also validates", () => {
        const r = policy as ResourceValidationPolicy;
        if (r.remediateResource !== undefined) expect(r.validateResource).toBeDefined();
    });
});

describe("policies/README.md", () => {
    it("lists no rule that is not registered", () => {
        const listed = [...README.matchAll(/^### `([a-z0-9-]+)`$/gm)].map((m) => m[1]).sort();
        expect(listed).toEqual(POLICIES.map((p) => p.name).sort());
    });
});
