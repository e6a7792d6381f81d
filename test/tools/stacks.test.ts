/**
 * Every tool that reads a stack: `--stack NAME`, else `PULUMI_STACK` (its `org/project/stack`
 * form too), else prod; a report that names the file it read; a missing stack file named with how
 * to create it; a missing policy configuration named with the command that makes it (for the
 * tools that run or gate the policy pack).
 */
import * as fs from "fs";
import * as path from "path";
import * as credentialGate from "../../tools/credential-gate";
import * as diagram from "../../tools/diagram/main";
import * as plan from "../../tools/plan/main";
import * as policyConfig from "../../tools/policy-config";
import * as validate from "../../tools/validate";
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

const TOOLS: Record<string, { run: Tool; ok: RegExp; failCode: number; needsPolicyConfig: boolean }> = {
    validate: {
        run: viaProcess((a, d, e) => validate.main(a, d, e)),
        ok: /^ok: Pulumi\.home\.yaml: 2 nodes/,
        failCode: 1,
        needsPolicyConfig: true,
    },
    plan: {
        run: viaStreams((a, d, e, o, r) => plan.main([...a, "--json"], e, d, o, r)),
        ok: /"file": "Pulumi\.home\.yaml",\n {2}"policyConfig": "policies\/stacks\/home\.json",\n {2}"exitCode": 0/,
        failCode: 2,
        needsPolicyConfig: true,
    },
    diagram: {
        run: viaStreams((a, d, e, o, r) => diagram.main(a, d, o, r, e)),
        ok: /^wrote docs\/topology\.home\.md from Pulumi\.home\.yaml\n$/,
        failCode: 2,
        needsPolicyConfig: false,
    },
    "policy-config": {
        run: viaStreams((a, d, e, o, r) => policyConfig.main(a, d, e, o, r)),
        ok: /^policies\/stacks\/home\.json is complete: every rule of the pack has an entry with a level; nothing to write\n$/,
        failCode: 1,
        needsPolicyConfig: false,
    },
    "credential-gate": {
        run: viaStreams((a, d, e, o, r) => credentialGate.main(a, d, e, o, r)),
        ok: /Pulumi\.home\.yaml: available=false, stack=home, policy-config=policies\/stacks\/home\.json\n$/,
        failCode: 1,
        needsPolicyConfig: true,
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
        tool.needsPolicyConfig
            ? "refuses a stack without its policy configuration, with the command that makes it"
            : "needs no policy configuration",
        async () => {
            const bare = projectDir({ lab: referenceYaml() });
            const run = await tool.run([], bare, { PULUMI_STACK: "lab" });
            if (tool.needsPolicyConfig) {
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
