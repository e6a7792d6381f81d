/**
 * Every tool that reads a stack: `--stack NAME`, else `PULUMI_STACK` (its `org/project/stack`
 * form too), else prod; a report that names the file it read; a missing stack file named with how
 * to create it; a missing policy configuration named with the command that makes it (for the
 * tools that run or gate the policy pack).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as credentialGate from "../../tools/credential-gate";
import * as diagram from "../../tools/diagram/main";
import * as knownHosts from "../../tools/known-hosts";
import * as plan from "../../tools/plan/main";
import * as policyConfig from "../../tools/policy-config";
import * as validate from "../../tools/validate";
import { runReader } from "./fromCluster/helpers";
import { ROOT, captured, projectDir, referenceYaml, sink } from "./project";

interface Run {
    readonly code: number;
    readonly out: string;
    readonly err: string;
}
type Tool = (argv: string[], dir: string, env: NodeJS.ProcessEnv) => Promise<Run>;

const viaStreams =
    (
        fn: (
            argv: string[],
            dir: string,
            env: NodeJS.ProcessEnv,
            out: NodeJS.WritableStream,
            err: NodeJS.WritableStream,
        ) => number | Promise<number>,
    ): Tool =>
    async (argv, dir, env) => {
        const out = sink();
        const err = sink();
        const code = await fn(argv, dir, env, out, err);
        return { code, out: out.text(), err: err.text() };
    };
const viaProcess =
    (fn: (argv: string[], dir: string, env: NodeJS.ProcessEnv) => number | Promise<number>): Tool =>
    async (argv, dir, env) => {
        const { result, stdout, stderr } = await captured(() => fn(argv, dir, env));
        return { code: result, out: stdout, err: stderr };
    };

/** The known_hosts file known-hosts writes here (never the user's own). */
const KNOWN_HOSTS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-known-hosts-"));
const KNOWN_HOSTS_FILE = path.join(KNOWN_HOSTS_DIR, "known_hosts");
afterAll(() => fs.rmSync(KNOWN_HOSTS_DIR, { recursive: true, force: true }));

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface ToolRow {
    readonly run: Tool;
    /** Its report on the `home` stack. */
    readonly ok: RegExp;
    /** Its exit code for a missing stack file (and a missing policy configuration where it needs one). */
    readonly failCode: number;
    /** Whether it needs the stack's policy configuration; when not, why the row does not apply. */
    readonly policyConfig: { readonly needed: true } | { readonly needed: false; readonly why: string };
}

/**
 * The tools that read a stack file. inventory:from-cluster writes one instead; its rows are in the
 * describe block after this table.
 */
const TOOLS: Record<string, ToolRow> = {
    validate: {
        run: viaProcess((a, d, e) => validate.main(a, d, e)),
        ok: /^ok: Pulumi\.home\.yaml: 2 nodes/,
        failCode: 1,
        policyConfig: { needed: true },
    },
    plan: {
        run: viaStreams((a, d, e, o, r) => plan.main([...a, "--json"], e, d, o, r)),
        ok: /"file": "Pulumi\.home\.yaml",\n {2}"policyConfig": "policies\/stacks\/home\.json",\n {2}"exitCode": 0/,
        failCode: 2,
        policyConfig: { needed: true },
    },
    diagram: {
        run: viaStreams((a, d, e, o, r) => diagram.main(a, d, o, r, e)),
        ok: /^wrote docs\/topology\.home\.md from Pulumi\.home\.yaml\n$/,
        failCode: 2,
        policyConfig: { needed: false, why: "it draws the inventory and runs no policy" },
    },
    "policy-config": {
        run: viaStreams((a, d, e, o, r) => policyConfig.main(a, d, e, o, r)),
        ok: /^policies\/stacks\/home\.json is complete: every rule of the pack has an entry with a level; nothing to write\n$/,
        failCode: 1,
        policyConfig: { needed: false, why: "it writes the policy configuration" },
    },
    "credential-gate": {
        run: viaStreams((a, d, e, o, r) => credentialGate.main(a, d, e, o, r)),
        ok: /Pulumi\.home\.yaml: available=false, stack=home, policy-config=policies\/stacks\/home\.json\n$/,
        failCode: 1,
        policyConfig: { needed: true },
    },
    "known-hosts": {
        run: viaStreams((a, d, e, o, r) => knownHosts.main([...a, "--file", KNOWN_HOSTS_FILE], d, e, o, r)),
        ok: new RegExp(`^ok: ${escaped(KNOWN_HOSTS_FILE)} holds the host keys of 2 nodes of Pulumi\\.home\\.yaml\\n$`),
        failCode: 2,
        policyConfig: { needed: false, why: "it writes the nodes' host keys and runs no policy" },
    },
};

/** The reference stack as `home`, with the reference's policy configuration made complete. */
async function homeProject(): Promise<string> {
    const dir = projectDir({ home: referenceYaml() });
    fs.mkdirSync(path.join(dir, "policies/stacks"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "policies/stacks/prod.json"), path.join(dir, "policies/stacks/home.json"));
    expect((await TOOLS["policy-config"].run(["--stack", "home"], dir, {})).code).toBe(0);
    return dir;
}

describe.each(Object.entries(TOOLS))("%s", (_name, tool) => {
    let dir: string;
    beforeAll(async () => {
        dir = await homeProject();
    });

    it("reads the stack --stack names and names the file in its report", async () => {
        const run = await tool.run(["--stack", "home"], dir, {});
        expect(run.err).toBe("");
        expect(run.out).toMatch(tool.ok);
        expect(run.code).toBe(0);
    });

    it("reads the stack PULUMI_STACK names, in its org/project/stack form too", async () => {
        for (const PULUMI_STACK of ["home", "acme/homelab/home"]) {
            const run = await tool.run([], dir, { PULUMI_STACK });
            expect(run.out).toMatch(tool.ok);
            expect(run.code).toBe(0);
        }
    });

    it("names a missing stack file and how to create it", async () => {
        const run = await tool.run(["--stack", "nowhere"], dir, {});
        expect(run.code).toBe(tool.failCode);
        expect(`${run.out}${run.err}`).toContain(
            "Pulumi.nowhere.yaml: no such stack file; create it (copy Pulumi.prod.yaml, or pulumi stack init nowhere) or name another stack with --stack NAME",
        );
    });

    it(
        tool.policyConfig.needed
            ? "refuses a stack without its policy configuration, with the command that makes it"
            : `needs no policy configuration: ${tool.policyConfig.why}`,
        async () => {
            const bare = projectDir({ lab: referenceYaml() });
            const run = await tool.run([], bare, { PULUMI_STACK: "lab" });
            if (tool.policyConfig.needed) {
                expect(run.code).toBe(tool.failCode);
                expect(`${run.out}${run.err}`).toContain(
                    "policies/stacks/lab.json: stack lab has no policy configuration; create it with npm run policy-config -- --stack lab",
                );
            } else {
                expect(run.code).toBe(0);
            }
        },
    );
});

/**
 * inventory:from-cluster writes a stack file instead of reading one, so two rows of the table read
 * differently for it: where the others name a missing stack file, it refuses an existing one unless
 * --force; where the others need a policy configuration, it writes the stack's when there is none.
 * It reads the recording stand-in of a two-node cluster (test/tools/fromCluster/standin.ts): this
 * proves which files it writes, not how a real cluster answers.
 */
describe("inventory:from-cluster (against the recording stand-in of a two-node cluster)", () => {
    const wrote = (stack: string) =>
        `wrote Pulumi.${stack}.yaml (2 nodes, 4 guests, 2 datasets, 4 storages) and Pulumi.${stack}.cluster.json\n`;
    const files = (dir: string) =>
        fs
            .readdirSync(dir)
            .filter((f) => f.startsWith("Pulumi."))
            .sort();

    it("writes the stack --stack names (over PULUMI_STACK) and names the files in its report", async () => {
        const run = await runReader({ stackArgs: ["--stack", "home"], env: { PULUMI_STACK: "other" }, stack: "home" });
        expect(run.stderr).toBe("");
        expect(run.stdout.startsWith(wrote("home"))).toBe(true);
        expect(run.code).toBe(0);
        expect(files(run.dir)).toEqual(["Pulumi.home.cluster.json", "Pulumi.home.yaml"]);
        expect(run.yaml).toContain("homelab:nodes:");
        expect(run.policyConfigFor).toEqual(["home"]);
    });

    it("writes the stack PULUMI_STACK names, in its org/project/stack form too, else prod", async () => {
        for (const [env, stack] of [
            [{ PULUMI_STACK: "home" }, "home"],
            [{ PULUMI_STACK: "acme/homelab/home" }, "home"],
            [{}, "prod"],
        ] as const) {
            const run = await runReader({ stackArgs: [], env, stack });
            expect(run.stdout.startsWith(wrote(stack))).toBe(true);
            expect(run.code).toBe(0);
            expect(files(run.dir)).toEqual([`Pulumi.${stack}.cluster.json`, `Pulumi.${stack}.yaml`]);
            expect(run.policyConfigFor).toEqual([stack]);
        }
    });

    it("instead of naming a missing stack file: refuses an existing stack file or snapshot unless --force, reading and changing nothing", async () => {
        for (const existing of ["Pulumi.home.yaml", "Pulumi.home.cluster.json"]) {
            const run = await runReader({
                stackArgs: [],
                env: { PULUMI_STACK: "home" },
                stack: "home",
                prepare: (dir) => fs.writeFileSync(path.join(dir, existing), "kept\n"),
            });
            expect(run.code).toBe(2);
            expect(run.stdout).toBe("");
            expect(run.stderr).toBe(`error: ${existing} exists; name a new stack with --stack NAME, or pass --force to replace it\n`);
            expect(run.requests).toEqual([]);
            expect(files(run.dir)).toEqual([existing]);
            expect(fs.readFileSync(path.join(run.dir, existing), "utf8")).toBe("kept\n");
            expect(run.policyConfigFor).toEqual([]);
        }
        const forced = await runReader({
            stackArgs: ["--stack", "home"],
            args: ["--force"],
            stack: "home",
            prepare: (dir) => fs.writeFileSync(path.join(dir, "Pulumi.home.yaml"), "kept\n"),
        });
        expect(forced.code).toBe(0);
        expect(forced.stdout.startsWith(wrote("home"))).toBe(true);
        expect(forced.yaml).toContain("homelab:nodes:");
    });

    it("instead of needing a policy configuration: writes the stack's when it has none", async () => {
        const run = await runReader({ stackArgs: [], env: { PULUMI_STACK: "home" }, stack: "home", policyConfig: true });
        expect(run.code).toBe(0);
        expect(fs.existsSync(path.join(run.dir, "policies/stacks/home.json"))).toBe(true);
        const check = await TOOLS["policy-config"].run(["--stack", "home"], run.dir, {});
        expect(check.out).toBe(
            "policies/stacks/home.json is complete: every rule of the pack has an entry with a level; nothing to write\n",
        );
        expect(check.code).toBe(0);
    });
});
