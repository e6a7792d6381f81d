import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { main } from "../../tools/validate";
import { RawInventory, mutated } from "../config/reference";

const ROOT = path.join(__dirname, "../..");
const OK = "ok: 2 nodes, 10 guests, 12 datasets, 4 records\n";

/** Runs `main` with stdout and stderr captured. */
function run(argv: string[], cwd: string): { code: number; stdout: string; stderr: string } {
    let stdout = "";
    let stderr = "";
    const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
        stdout += String(chunk);
        return true;
    });
    const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
    });
    try {
        return { code: main(argv, cwd), stdout, stderr };
    } finally {
        out.mockRestore();
        err.mockRestore();
    }
}

/** A throw-away directory holding the given stack files (name → YAML text). */
function stackDir(files: Readonly<Record<string, string>>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-validate-"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

/** A stack file holding a raw inventory under `homelab:` keys, plus any extra config entries. */
function stackYaml(inv: RawInventory, extra: Readonly<Record<string, unknown>> = {}): string {
    const config = Object.fromEntries(Object.entries(inv).map(([k, v]) => [`homelab:${k}`, v]));
    return stringify({ config: { ...config, ...extra } });
}

const dirs: string[] = [];
const tempStacks = (files: Readonly<Record<string, string>>): string => {
    const dir = stackDir(files);
    dirs.push(dir);
    return dir;
};
afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("validate main", () => {
    it("prints the summary of the reference stack and returns 0", () => {
        expect(run([], ROOT)).toEqual({ code: 0, stdout: OK, stderr: "" });
        expect(run(["--stack", "prod"], ROOT)).toEqual({ code: 0, stdout: OK, stderr: "" });
    });

    it("validates the stack named by --stack NAME, --stack=NAME or -s NAME in the given directory", () => {
        const dir = tempStacks({ "Pulumi.lab.yaml": fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8") });
        for (const argv of [["--stack", "lab"], ["--stack=lab"], ["-s", "lab"]]) {
            expect(run(argv, dir)).toEqual({ code: 0, stdout: OK, stderr: "" });
        }
    });

    it("counts what the stack holds: a stack without DNS has 0 records", () => {
        const dir = tempStacks({ "Pulumi.nodns.yaml": stackYaml(mutated((i) => delete i.dns)) });
        expect(run(["--stack", "nodns"], dir)).toEqual({ code: 0, stdout: "ok: 2 nodes, 10 guests, 12 datasets, 0 records\n", stderr: "" });
    });

    it("prints every cross-check problem with its path and returns 1", () => {
        const broken = mutated((i) => {
            i.guests.files.vmid = 30051;
            i.offsite.objectLock = true;
        });
        const dir = tempStacks({ "Pulumi.broken.yaml": stackYaml(broken) });
        expect(run(["--stack", "broken"], dir)).toEqual({
            code: 1,
            stdout: "",
            stderr:
                "error: Pulumi.broken.yaml is invalid (2 problems):\n" +
                "  - guests.files.vmid: VMID 30051 breaks the ID scheme (VLAN × 1000 + last octet); for VLAN 30 and 192.168.30.50 it must be 30050\n" +
                "  - offsite.objectLock: Object Lock stops Proxmox Backup Server's garbage collection from deleting chunks; turn it off for a bucket PBS writes to\n",
        });
    });

    it("prints every schema problem with its path and returns 1", () => {
        const broken = mutated((i) => {
            i.guests.edge.cores = "2";
            delete i.guests.media.tier;
        });
        const dir = tempStacks({ "Pulumi.broken.yaml": stackYaml(broken) });
        expect(run(["--stack", "broken"], dir)).toEqual({
            code: 1,
            stdout: "",
            stderr:
                "error: Pulumi.broken.yaml is invalid (2 problems):\n" +
                '  - guests.edge.cores: must be a number, got "2"\n' +
                '  - guests.media.tier: is required: set it to one of "critical", "high", "normal", "low", "minimal"\n',
        });
    });

    it("refuses an unknown homelab:* config key by name and returns 1", () => {
        const dir = tempStacks({
            "Pulumi.typo.yaml": stackYaml(
                mutated(() => undefined),
                { "homelab:guest": { kind: "lxc" } },
            ),
        });
        const result = run(["--stack", "typo"], dir);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr.split("\n")[0]).toBe("error: Pulumi.typo.yaml is invalid (1 problem):");
        expect(result.stderr.split("\n")[1]).toMatch(
            /^ {2}- homelab:guest: unknown config key; the inventory keys are cluster, networks, /,
        );
    });

    it("ignores credentials and other namespaces in the stack file", () => {
        const text = stackYaml(
            mutated(() => undefined),
            {
                "homelab:proxmoxApiToken": { secure: "v1:AAAA" },
                "proxmoxve:insecure": "true",
            },
        );
        const dir = tempStacks({ "Pulumi.prod.yaml": text });
        expect(run([], dir)).toEqual({ code: 0, stdout: OK, stderr: "" });
    });

    test.each([
        [
            "a missing stack file",
            ["--stack", "nope"],
            {},
            "error: Pulumi.nope.yaml: no such stack file; create it or name another stack with --stack NAME\n",
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
            `error: invalid stack name "../prod": use letters, digits, '.', '_' and '-'\n`,
        ],
        ["an unknown argument", ["--bogus"], {}, 'error: unknown argument "--bogus" (known: --stack NAME)\n'],
        ["--stack without a name", ["--stack"], {}, "error: --stack needs a stack name\n"],
    ])("reports %s on one line and returns 1", (_what, argv, files, message) => {
        const result = run(argv, tempStacks(files));
        expect(result).toEqual({ code: 1, stdout: "", stderr: message });
        expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    });
});

describe("npm run validate", () => {
    const npm = (args: string[]) =>
        spawnSync("npm", ["run", "--silent", "validate", "--", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60000 });

    it("validates the reference stack with ts-node and exits 0", () => {
        const result = npm(["--stack", "prod"]);
        expect(result.stdout).toBe(OK);
        expect(result.status).toBe(0);
    });

    it("exits non-zero with a one-line error and no stack trace for a missing stack file", () => {
        const result = npm(["--stack", "no-such-stack"]);
        expect(result.status).toBe(1);
        expect(result.stdout).toBe("");
        // npm itself may warn about the user's npmrc; the tool's own output is the one error line.
        const lines = result.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("npm warn"));
        expect(lines).toEqual(["error: Pulumi.no-such-stack.yaml: no such stack file; create it or name another stack with --stack NAME"]);
    });
});
