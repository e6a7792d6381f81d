/**
 * `npm run policy-config`: writes a stack's policy configuration with every rule of the pack at its
 * default level and no exemptions, and merges the rules an existing file lacks without touching a
 * setting written by hand.
 */
import * as fs from "fs";
import * as path from "path";
import { LEVELS } from "../../policies/levels";
import { POLICIES } from "../../policies/registry";
import { normalizeConfig } from "../../tools/policy/runner";
import { main, mergePolicyConfig, packRules } from "../../tools/policy-config";
import { projectDir, referenceYaml, sink } from "./project";

const RULES = POLICIES.map((p) => p.name);
const read = (dir: string, stack: string): Record<string, unknown> =>
    JSON.parse(fs.readFileSync(path.join(dir, "policies", "stacks", `${stack}.json`), "utf8")) as Record<string, unknown>;

async function run(argv: string[], dir: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = sink();
    const err = sink();
    const code = await main(argv, dir, env, out, err);
    return { code, stdout: out.text(), stderr: err.text() };
}

/** A hand-written configuration: a level changed, a knob, an exemption with its reason, and an entry without a level. */
const HAND_WRITTEN = {
    "proxmox-guest-cpu-units": { enforcementLevel: "mandatory" },
    "proxmox-node-overcommit": { enforcementLevel: "advisory", cpuRatio: 3 },
    "proxmox-guest-firewall": {
        exemptions: [{ resourceName: "opnsense-firewall", reason: "The firewall VM filters the traffic it routes itself." }],
    },
};

describe("mergePolicyConfig", () => {
    const rules = [
        { name: "a", level: "mandatory" as const },
        { name: "b", level: "advisory" as const },
        { name: "c", level: "advisory" as const },
    ];

    it("writes every rule at its default level when there is no file", () => {
        expect(mergePolicyConfig(undefined, rules)).toEqual({
            config: { a: { enforcementLevel: "mandatory" }, b: { enforcementLevel: "advisory" }, c: { enforcementLevel: "advisory" } },
            added: ["a", "b", "c"],
            leveled: [],
        });
    });

    it("keeps every setting and the order of an existing file, adds the rules it lacks, and a level where an entry has none", () => {
        const existing = { c: "disabled", x: { anything: 1 }, b: { exemptions: [{ resourceName: "r", reason: "why" }] } };
        const merged = mergePolicyConfig(existing, rules);
        expect(merged).toEqual({
            config: {
                c: "disabled",
                x: { anything: 1 },
                b: { enforcementLevel: "advisory", exemptions: [{ resourceName: "r", reason: "why" }] },
                a: { enforcementLevel: "mandatory" },
            },
            added: ["a"],
            leveled: ["b"],
        });
        expect(Object.keys(merged.config)).toEqual(["c", "x", "b", "a"]);
        expect(existing.b).toEqual({ exemptions: [{ resourceName: "r", reason: "why" }] });
    });

    it("takes the pack's rules and levels from the registry", () => {
        expect(packRules(POLICIES)).toEqual(RULES.map((name) => ({ name, level: LEVELS[name] })));
    });
});

describe("npm run policy-config", () => {
    it("writes a missing configuration: every rule of the pack at its default level, no exemptions, formatted", async () => {
        const dir = projectDir({ home: referenceYaml() });
        expect(await run(["--stack", "home"], dir)).toEqual({
            code: 0,
            stdout: `wrote policies/stacks/home.json: ${RULES.length} rules at their default levels, no exemptions\n`,
            stderr: "",
        });
        const written = read(dir, "home");
        expect(written).toEqual(Object.fromEntries(RULES.map((name) => [name, { enforcementLevel: LEVELS[name] }])));
        expect(() => normalizeConfig(written as never)).not.toThrow();
        const text = fs.readFileSync(path.join(dir, "policies/stacks/home.json"), "utf8");
        expect(text.split("\n")[1]).toBe(`    "${RULES[0]}": { "enforcementLevel": "${LEVELS[RULES[0]]}" },`);
        // Then it is complete.
        expect(await run(["--stack", "home", "--check"], dir)).toEqual({
            code: 0,
            stdout: "policies/stacks/home.json is complete: every rule of the pack has an entry with a level\n",
            stderr: "",
        });
    });

    it("merges into an existing configuration without touching what was written by hand", async () => {
        const dir = projectDir({ home: referenceYaml() }, { home: HAND_WRITTEN });
        const result = await run([], dir, { PULUMI_STACK: "acme/homelab/home" });
        expect(result.code).toBe(0);
        // HAND_WRITTEN sets three rules (one of them without a level): the rest of the pack is added.
        expect(result.stdout).toMatch(
            new RegExp(
                `^updated policies/stacks/home\\.json: added ${RULES.length - 3} rules at their default levels \\(.*\\); gave proxmox-guest-firewall their default levels; every setting already there is kept\n$`,
            ),
        );
        const written = read(dir, "home");
        expect(written["proxmox-guest-cpu-units"]).toEqual({ enforcementLevel: "mandatory" });
        expect(written["proxmox-node-overcommit"]).toEqual({ enforcementLevel: "advisory", cpuRatio: 3 });
        expect(written["proxmox-guest-firewall"]).toEqual({
            enforcementLevel: LEVELS["proxmox-guest-firewall"],
            ...HAND_WRITTEN["proxmox-guest-firewall"],
        });
        expect(Object.keys(written).slice(0, 3)).toEqual(Object.keys(HAND_WRITTEN));
        expect(Object.keys(written).sort()).toEqual([...RULES].sort());
        // A second run has nothing to do.
        expect((await run(["--stack", "home"], dir)).stdout).toBe(
            "policies/stacks/home.json is complete: every rule of the pack has an entry with a level; nothing to write\n",
        );
    });

    it("--check fails on a missing file with the command that makes it, and on an incomplete one naming what it lacks", async () => {
        const missing = await run(["--stack", "home", "--check"], projectDir({ home: referenceYaml() }));
        expect(missing).toEqual({
            code: 1,
            stdout: "",
            stderr: "error: policies/stacks/home.json is missing; create it with npm run policy-config -- --stack home\n",
        });
        const dir = projectDir({ prod: referenceYaml() }, { prod: { "proxmox-guest-firewall": { exemptions: [] } } });
        const incomplete = await run(["--check"], dir);
        expect(incomplete.code).toBe(1);
        expect(incomplete.stderr).toMatch(
            /^error: policies\/stacks\/prod\.json is incomplete: proxmox-container-unprivileged \(no entry\), /,
        );
        expect(incomplete.stderr).toMatch(/proxmox-guest-firewall \(no level\); run npm run policy-config and commit the result\n$/);
        expect(read(dir, "prod")).toEqual({ "proxmox-guest-firewall": { exemptions: [] } });
    });

    it("refuses an existing file the pack refuses (a rule it lacks), writing nothing", async () => {
        const dir = projectDir({ prod: referenceYaml() }, { prod: { "proxmox-no-such-rule": { enforcementLevel: "advisory" } } });
        expect(await run([], dir)).toEqual({
            code: 1,
            stdout: "",
            stderr: "error: policies/stacks/prod.json: invalid policy pack config:\n  - proxmox-no-such-rule: no such policy in the pack\n",
        });
        expect(read(dir, "prod")).toEqual({ "proxmox-no-such-rule": { enforcementLevel: "advisory" } });
    });

    it("refuses a file that is not a JSON object, writing nothing", async () => {
        const dir = projectDir({ prod: referenceYaml() });
        fs.mkdirSync(path.join(dir, "policies/stacks"), { recursive: true });
        fs.writeFileSync(path.join(dir, "policies/stacks/prod.json"), "[1, 2]\n");
        const result = await run([], dir);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(
            "error: policies/stacks/prod.json: not a policy configuration (expected an object of rules); fix it by hand, or delete it and run npm run policy-config\n",
        );
        expect(fs.readFileSync(path.join(dir, "policies/stacks/prod.json"), "utf8")).toBe("[1, 2]\n");
    });

    it("explains itself with --help and refuses an unknown argument", async () => {
        const help = await run(["--help"], projectDir({}));
        expect(help.code).toBe(0);
        expect(help.stdout.split("\n")[0]).toBe("usage: npm run -s policy-config -- [--stack NAME] [--check]");
        expect(await run(["--force"], projectDir({}))).toEqual({
            code: 2,
            stdout: "",
            stderr: 'error: unknown argument "--force" (known: --stack NAME, --check, --help)\n',
        });
    });
});
