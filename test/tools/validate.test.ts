import { spawnSync } from "child_process";
import { main } from "../../tools/validate";
import { mutated } from "../config/reference";
import { ROOT, captured, projectDir, referenceYaml, stackYaml } from "./project";

const OK = "ok: Pulumi.prod.yaml: 2 nodes, 10 guests, 12 datasets, 4 records\n";

/** Runs `main` in `cwd` with `env` (no PULUMI_STACK unless given), stdout and stderr captured. */
async function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const { result, stdout, stderr } = await captured(() => main(argv, cwd, env));
    return { code: result, stdout, stderr };
}

/** A project holding each stack with an empty policy configuration. */
const project = (stacks: Readonly<Record<string, string>>): string =>
    projectDir(stacks, Object.fromEntries(Object.keys(stacks).map((name) => [name, {}])));

describe("validate main", () => {
    it("prints the summary of the reference stack, naming the file, and returns 0", async () => {
        expect(await run([], ROOT)).toEqual({ code: 0, stdout: OK, stderr: "" });
        expect(await run(["--stack", "prod"], ROOT)).toEqual({ code: 0, stdout: OK, stderr: "" });
    });

    it("validates the stack named by --stack NAME, --stack=NAME, -s NAME or org/homelab/NAME in the given directory", async () => {
        const dir = project({ lab: referenceYaml() });
        const lab = OK.replace("Pulumi.prod.yaml", "Pulumi.lab.yaml");
        for (const argv of [["--stack", "lab"], ["--stack=lab"], ["-s", "lab"], ["--stack", "acme/homelab/lab"]]) {
            expect(await run(argv, dir)).toEqual({ code: 0, stdout: lab, stderr: "" });
        }
    });

    it("takes the stack from PULUMI_STACK (also in its org/project/stack form) when --stack is not given; --stack wins", async () => {
        const dir = project({ home: referenceYaml(), prod: referenceYaml() });
        const home = OK.replace("Pulumi.prod.yaml", "Pulumi.home.yaml");
        expect(await run([], dir, { PULUMI_STACK: "home" })).toEqual({ code: 0, stdout: home, stderr: "" });
        expect(await run([], dir, { PULUMI_STACK: "acme/homelab/home" })).toEqual({ code: 0, stdout: home, stderr: "" });
        expect(await run(["--stack", "prod"], dir, { PULUMI_STACK: "home" })).toEqual({ code: 0, stdout: OK, stderr: "" });
    });

    it("counts what the stack holds: a stack without DNS has 0 records", async () => {
        const dir = project({ nodns: stackYaml(mutated((i) => delete i.dns)) });
        expect(await run(["--stack", "nodns"], dir)).toEqual({
            code: 0,
            stdout: "ok: Pulumi.nodns.yaml: 2 nodes, 10 guests, 12 datasets, 0 records\n",
            stderr: "",
        });
    });

    it("prints every cross-check problem with its file, line, column and path and returns 1", async () => {
        const broken = mutated((i) => {
            i.guests.files.vmid = 30051;
            i.offsite.objectLock = true;
        });
        const text = stackYaml(broken);
        const lines = text.split("\n");
        // The keys the problems point at, as the stack file has them.
        const vmidLine = lines.findIndex((l) => l === "      vmid: 30051") + 1;
        const lockLine = lines.findIndex((l) => l === "    objectLock: true") + 1;
        const dir = project({ broken: text });
        expect(await run(["--stack", "broken"], dir)).toEqual({
            code: 1,
            stdout: "",
            stderr:
                "error: Pulumi.broken.yaml is invalid (2 problems):\n" +
                `Pulumi.broken.yaml:${vmidLine}:7: guests.files.vmid: VMID 30051 breaks the ID scheme (VLAN × 1000 + last octet); for VLAN 30 and 192.168.30.50 it must be 30050\n` +
                `Pulumi.broken.yaml:${lockLine}:5: offsite.objectLock: Object Lock stops Proxmox Backup Server's garbage collection from deleting chunks; turn it off for a bucket PBS writes to\n`,
        });
    });

    it("prints every schema problem with its position and path and returns 1", async () => {
        const broken = mutated((i) => {
            i.guests.edge.cores = "2";
            delete i.guests.media.tier;
        });
        const text = stackYaml(broken);
        const lines = text.split("\n");
        const coresLine = lines.findIndex((l) => l === '      cores: "2"') + 1;
        const mediaLine = lines.findIndex((l) => l === "    media:") + 1;
        const dir = project({ broken: text });
        expect(await run(["--stack", "broken"], dir)).toEqual({
            code: 1,
            stdout: "",
            stderr:
                "error: Pulumi.broken.yaml is invalid (2 problems):\n" +
                `Pulumi.broken.yaml:${coresLine}:7: guests.edge.cores: must be a number, got "2"\n` +
                // A missing key: the position of the guest that lacks it.
                `Pulumi.broken.yaml:${mediaLine}:5: guests.media.tier: is required: must be one of "critical", "high", "normal", "low", "minimal"\n`,
        });
    });

    it("refuses an unknown homelab:* config key by name, at its line, with the closest known key", async () => {
        const dir = project({
            typo: stackYaml(
                mutated(() => undefined),
                { "homelab:guest": { kind: "lxc" } },
            ),
        });
        const line = stackYaml(
            mutated(() => undefined),
            { "homelab:guest": { kind: "lxc" } },
        )
            .split("\n")
            .findIndex((l) => l === "  homelab:guest:");
        const result = await run(["--stack", "typo"], dir);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr.split("\n")[0]).toBe("error: Pulumi.typo.yaml is invalid (1 problem):");
        expect(result.stderr.split("\n")[1]).toMatch(
            new RegExp(
                `^Pulumi\\.typo\\.yaml:${line + 1}:3: homelab:guest: unknown config key; did you mean "homelab:guests"\\? The inventory keys are cluster, networks, `,
            ),
        );
    });

    it("ignores credentials and other namespaces in the stack file", async () => {
        const text = stackYaml(
            mutated(() => undefined),
            { "homelab:proxmoxApiToken": { secure: "v1:AAAA" }, "proxmoxve:insecure": "true" },
        );
        expect(await run([], project({ prod: text }))).toEqual({ code: 0, stdout: OK, stderr: "" });
    });

    test.each([
        [
            "a missing stack file",
            ["--stack", "nope"],
            {},
            "error: Pulumi.nope.yaml: no such stack file; create it (copy Pulumi.prod.yaml, or pulumi stack init nope) or name another stack with --stack NAME\n",
        ],
        [
            "a missing policy configuration",
            ["--stack", "home"],
            { "Pulumi.home.yaml": referenceYaml() },
            "error: policies/stacks/home.json: stack home has no policy configuration; create it with npm run policy-config -- --stack home\n",
        ],
        [
            "a YAML syntax error",
            ["--stack", "bad"],
            { "Pulumi.bad.yaml": "config:\n  homelab:cluster:\n    name: [attic\n" },
            "error: Pulumi.bad.yaml: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ] at line 4, column 1\n",
        ],
        [
            "inconsistent indentation",
            ["--stack", "bad"],
            { "Pulumi.bad.yaml": "config:\n  homelab:cluster: {}\n   homelab:nodes: {}\n" },
            "error: Pulumi.bad.yaml: YAML syntax error: All mapping items must start at the same column at line 3, column 1\n",
        ],
        [
            "a file that is a list",
            ["--stack", "list"],
            { "Pulumi.list.yaml": "- a\n- b\n" },
            'error: Pulumi.list.yaml: expected a mapping with a "config:" section\n',
        ],
        [
            "a stack name with a path in it",
            ["--stack", "../prod"],
            {},
            `error: invalid stack name "../prod": use letters, digits, '.', '_' and '-' (or Pulumi's org/homelab/stack form)\n`,
        ],
        [
            "a stack of another project",
            ["--stack", "acme/other/prod"],
            {},
            `error: stack "acme/other/prod" belongs to project "other", not homelab; name a stack of homelab\n`,
        ],
        ["an unknown argument", ["--bogus"], {}, 'error: unknown argument "--bogus" (known: --stack NAME, --help)\n'],
        ["--stack without a name", ["--stack"], {}, "error: --stack needs a stack name\n"],
    ])("reports %s on one line and returns 1", async (_what, argv, files, message) => {
        const dir = projectDir(
            Object.fromEntries(Object.entries(files).map(([f, text]) => [f.replace(/^Pulumi\.(.*)\.yaml$/, "$1"), text])),
        );
        const result = await run(argv, dir);
        expect(result).toEqual({ code: 1, stdout: "", stderr: message });
        expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    });

    it("explains itself with --help and exits 0", async () => {
        const result = await run(["--help"], ROOT);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe("");
        expect(result.stdout.split("\n")[0]).toBe("usage: npm run -s validate -- [--stack NAME]");
        expect(result.stdout).toContain("--stack NAME, -s NAME  the stack: reads Pulumi.NAME.yaml; default $PULUMI_STACK, else prod");
        expect(result.stdout).toContain("exit codes: 0 valid; 1 invalid inventory");
    });
});

describe("npm run -s validate", () => {
    const npm = (args: string[], env: NodeJS.ProcessEnv = {}) =>
        spawnSync("npm", ["run", "--silent", "validate", "--", ...args], {
            cwd: ROOT,
            encoding: "utf8",
            timeout: 60000,
            env: { ...process.env, PULUMI_STACK: "", ...env },
        });

    it("validates the reference stack with tsx and exits 0, printing nothing else", () => {
        const result = npm(["--stack", "prod"]);
        expect(result.stdout).toBe(OK);
        expect(result.status).toBe(0);
    });

    it("exits non-zero with a one-line error and no stack trace for a missing stack file", () => {
        const result = npm([], { PULUMI_STACK: "acme/homelab/no-such-stack" });
        expect(result.status).toBe(1);
        expect(result.stdout).toBe("");
        // npm itself may warn about the user's npmrc; the tool's own output is the one error line.
        const lines = result.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("npm warn"));
        expect(lines).toEqual([
            "error: Pulumi.no-such-stack.yaml: no such stack file; create it (copy Pulumi.prod.yaml, or pulumi stack init no-such-stack) or name another stack with --stack NAME",
        ]);
    });
});
