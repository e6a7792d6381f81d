/**
 * `npm run plan -- --base <git-ref | stack file>`: the base read from a temporary git repository
 * with history (two commits), from a stack file, refused when it cannot be read; two recordings
 * in one process equal a recording in a fresh process; the JSON follows tools/plan.schema.json;
 * the command line's formats and exit codes.
 */
import Ajv from "ajv";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { planAgainstBase } from "../../tools/change/run";
import { renderReport } from "../../tools/plan/render";
import { PlanReport } from "../../tools/plan/report";
import { RawInventory, recordRaw, reference, removeDataset, setGuestMemory } from "./change-fixtures";

const ROOT = path.join(__dirname, "../..");
const validate = new Ajv({ allErrors: true, strict: false }).compile(
    JSON.parse(fs.readFileSync(path.join(ROOT, "tools/plan.schema.json"), "utf8")),
);

/** The reference stack file's YAML with the inventory replaced by `inv`. */
function stackYaml(inv: RawInventory): string {
    const doc = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };
    for (const [k, v] of Object.entries(inv)) doc.config[`homelab:${k}`] = v;
    return toYaml(doc);
}

/** A temporary project directory with the stacks' policy configurations (the plan requires one per stack). */
function tmp(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-change-"));
    fs.cpSync(path.join(ROOT, "policies/stacks"), path.join(dir, "policies/stacks"), { recursive: true });
    return dir;
}
const git = (dir: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main", ...args], {
        cwd: dir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
const schemaErrors = (report: PlanReport) => (validate(JSON.parse(JSON.stringify(report))) ? [] : validate.errors);

describe("--base with a git ref, on a temporary repository with history", () => {
    let dir: string;
    beforeAll(() => {
        dir = tmp();
        git(dir, "init", "--quiet");
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), stackYaml(reference()));
        git(dir, "add", "Pulumi.prod.yaml");
        git(dir, "commit", "--quiet", "-m", "reference");
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), stackYaml(reference((inv) => removeDataset(inv, "tank/pbs"))));
        git(dir, "commit", "--quiet", "-am", "drop a dataset");
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("against the previous commit: the removed dataset, exit 1, in the documented JSON shape", async () => {
        const report = await planAgainstBase("prod", "HEAD~1", dir);
        expect(report.exitCode).toBe(1);
        expect(report.changes!.base).toBe("HEAD~1");
        expect(report.changes!.dangers.map((d) => [d.name, d.kind])).toEqual([
            ["tank/pbs-zfs", "protected"],
            ["tank/pbs-zfs", "data"],
        ]);
        expect(report.violations!.mandatory).toEqual([]);
        expect(schemaErrors(report)).toEqual([]);
    });

    it("against the current commit: no changes, exit 0", async () => {
        const report = await planAgainstBase("prod", "HEAD", dir);
        expect(report.exitCode).toBe(0);
        expect(report.changes!.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
    });

    it("a ref that does not exist: exit 2, nothing compared, the ref named", async () => {
        const report = await planAgainstBase("prod", "no-such-branch", dir);
        expect(report.exitCode).toBe(2);
        expect(report.error).toEqual({
            kind: "base",
            message: `--base "no-such-branch": no such file, and no such commit in the repository at ${path.basename(dir)}`,
            problems: [],
        });
        expect(schemaErrors(report)).toEqual([]);
    });

    it("a ref without the stack file: exit 2 naming the file", async () => {
        const report = await planAgainstBase("other", "HEAD", withOtherStack(dir));
        expect(report.exitCode).toBe(2);
        expect(report.error!.message).toMatch(/^--base "HEAD": Pulumi\.other\.yaml does not exist at that ref/);
    });

    it("refuses a ref git would read as an option before running git", async () => {
        const report = await planAgainstBase("prod", "--output=/tmp/x", dir);
        expect(report.error!.message).toBe(
            '--base "--output=/tmp/x" is neither a stack file nor a git ref; name a file or a ref such as origin/main',
        );
    });
});

describe("--base with a git ref whose inventory is invalid", () => {
    it("names the problems by the ref and the stack file, with their lines in the file at that ref", async () => {
        const dir = tmp();
        git(dir, "init", "--quiet");
        const broken = reference();
        broken.guests.media.vmid = 30099;
        const brokenYaml = stackYaml(broken);
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), brokenYaml);
        git(dir, "add", "Pulumi.prod.yaml");
        git(dir, "commit", "--quiet", "-m", "broken");
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), stackYaml(reference()));
        const report = await planAgainstBase("prod", "HEAD", dir);
        const vmidLine = brokenYaml.split("\n").findIndex((l) => /^\s+vmid: 30099$/.test(l)) + 1;
        expect(report.exitCode).toBe(2);
        expect(report.error).toMatchObject({
            kind: "base",
            source: "HEAD:Pulumi.prod.yaml",
            problems: [{ path: "guests.media.vmid", line: vmidLine, column: 7 }],
        });
        expect(renderReport(report)).toContain(`HEAD:Pulumi.prod.yaml:${vmidLine}:7: guests.media.vmid: `);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

/** A stack file `Pulumi.other.yaml` and its policy configuration in the working tree only (not committed). */
function withOtherStack(dir: string): string {
    fs.writeFileSync(path.join(dir, "Pulumi.other.yaml"), stackYaml(reference()));
    fs.copyFileSync(path.join(ROOT, "policies/stacks/prod.json"), path.join(dir, "policies/stacks/other.json"));
    return dir;
}

describe("--base with a stack file", () => {
    it("plans both and reports the change; an invalid base stops with exit 2 and its problems", async () => {
        const dir = tmp();
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), stackYaml(reference((inv) => setGuestMemory(inv, "media", 6144))));
        fs.writeFileSync(path.join(dir, "base.yaml"), stackYaml(reference()));
        const ok = await planAgainstBase("prod", "base.yaml", dir);
        expect(ok.exitCode).toBe(0);
        expect(ok.changes!.summary.update).toBe(1);

        const broken = reference();
        broken.guests.media.vmid = 30099;
        fs.writeFileSync(path.join(dir, "broken.yaml"), stackYaml(broken));
        const bad = await planAgainstBase("prod", "broken.yaml", dir);
        expect(bad.exitCode).toBe(2);
        expect(bad.error).toMatchObject({ kind: "base", problems: [expect.objectContaining({ path: "guests.media.vmid" })] });
        // The problem points into the base file, at the line of the guest's vmid, and is named after it.
        const vmidLine =
            stackYaml(broken)
                .split("\n")
                .findIndex((l) => /^\s+vmid: 30099$/.test(l)) + 1;
        expect(vmidLine).toBeGreaterThan(0);
        expect(bad.error).toMatchObject({ source: "broken.yaml", problems: [{ line: vmidLine, column: 7 }] });
        expect(renderReport(bad)).toContain(`broken.yaml:${vmidLine}:7: guests.media.vmid: `);
        expect(schemaErrors(bad)).toEqual([]);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

describe("the JSON of a change report with dependent replacements and unknown inputs", () => {
    it("follows tools/plan.schema.json", async () => {
        const dir = tmp();
        const current = reference((inv) => {
            inv.cluster.sshPublicKeys = [
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm1i0Vd6x3zGbVu7yJwz0bqRMQ3RXcHbmpXQ1gLXrxj new@workstation",
            ];
            inv.guests.unifi.ipv4 = "192.168.10.6";
            inv.guests.unifi.vmid = 10006;
            // A new build under the same image key: its download is replaced delete-first, and the
            // PBS VM's disk imports from it (an input the engine diffs unknown).
            const image = inv.images["debian-13-cloud"];
            image.url = image.url.replace("20250924-2245", "20251001-0000");
            image.fileName = image.fileName.replace("20250924-2245", "20251001-0000");
            image.checksum = "0".repeat(128);
        });
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), stackYaml(current));
        fs.writeFileSync(path.join(dir, "base.yaml"), stackYaml(reference()));
        const report = await planAgainstBase("prod", "base.yaml", dir);
        const changes = report.changes!.groups.flatMap((g) => g.changes);
        expect(changes.filter((c) => c.replaceReasons.some((r) => r.rule === "dependent")).map((c) => c.name)).toEqual(["unifi-host"]);
        expect(changes.filter((c) => c.unknownInputs !== undefined).map((c) => c.name)).toEqual(["pbs-vm"]);
        expect(schemaErrors(report)).toEqual([]);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

describe("two recordings in one process", () => {
    it("the second equals a recording of the same inventory in a fresh process (no runtime state carries over)", async () => {
        await recordRaw(reference((inv) => removeDataset(inv, "tank/pbs")));
        const inProcess = (await recordRaw(reference())).map((r) => [r.urn, r.inputs, r.options, r.parent ?? null, r.outputs]);
        const script = [
            'const { recordRaw, reference } = require("./test/tools/change-fixtures");',
            "recordRaw(reference()).then((rs) => process.stdout.write(JSON.stringify(rs.map((r) => [r.urn, r.inputs, r.options, r.parent ?? null, r.outputs]))));",
        ].join("\n");
        const fresh = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
        });
        expect(JSON.parse(JSON.stringify(inProcess))).toEqual(JSON.parse(fresh));
    }, 60000);
});

describe("npm run plan -- --base", () => {
    let dir: string;
    beforeAll(() => {
        dir = tmp();
        fs.writeFileSync(path.join(dir, "base.yaml"), stackYaml(reference((inv) => setGuestMemory(inv, "media", 6144))));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const run = (...args: string[]) => spawnSync("npm", ["run", "--silent", "plan", "--", ...args], { cwd: ROOT, encoding: "utf8" });

    it("--json: the plan with its change section, exit 0 for an update", () => {
        const r = run("--base", path.join(dir, "base.yaml"), "--json");
        expect(r.status).toBe(0);
        const doc = JSON.parse(r.stdout);
        expect(validate(doc)).toBe(true);
        expect(doc.changes.summary.update).toBe(1);
    }, 60000);

    it("--format markdown: the pull-request comment", () => {
        const r = run(`--base=${path.join(dir, "base.yaml")}`, "--format", "markdown");
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/^### Offline change report against `.*base\.yaml`\n\n:white_check_mark: No dangerous change\./);
        expect(r.stdout).toContain(
            "| `~` | `media-container` | `proxmoxve:index/containerLegacy:ContainerLegacy` | update memory.dedicated \\[protected\\] |",
        );
    }, 60000);

    it("refuses --format markdown without --base, and an unknown format, with exit 2", () => {
        expect(run("--format", "markdown")).toMatchObject({
            status: 2,
            stderr: expect.stringContaining("--format markdown renders the change report"),
        });
        expect(run("--format", "yaml")).toMatchObject({
            status: 2,
            stderr: expect.stringContaining('--format needs one of text, json, markdown, got "yaml"'),
        });
        expect(run("--base")).toMatchObject({ status: 2, stderr: expect.stringContaining("--base needs a value") });
    }, 60000);
});
