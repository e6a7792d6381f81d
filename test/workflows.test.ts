/**
 * The GitHub Actions workflows: valid against the Schema Store's workflow schema (vendored in
 * test/fixtures, see its README), and saying what docs/ci.md promises.
 */
import Ajv from "ajv";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { parseInventory } from "../config/parse";
import { readStackFile } from "../config/stackfile";
import { guestsNeedingRoot } from "../lib/privilege";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

type Step = {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
};
type Job = {
    "runs-on": string;
    needs?: string[];
    if?: string;
    environment?: string;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    permissions?: Record<string, string>;
    container?: { image: string; options?: string };
    env?: Record<string, string>;
    outputs?: Record<string, string>;
    steps: Step[];
};
type Workflow = { name: string; on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };

const load = (file: string): Workflow => parseYaml(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
const runs = (job: Job): string[] => job.steps.filter((s) => s.run !== undefined).map((s) => s.run!.trim());
const uses = (job: Job, action: string): Step[] => job.steps.filter((s) => s.uses?.split("@")[0] === action);

/** The credentials every deploying job passes to the program and the Pulumi CLI. */
const DEPLOY_ENV = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "CLOUDFLARE_API_TOKEN",
    "PBS_PASSWORD",
    "PROXMOX_VE_API_TOKEN",
    "PROXMOX_VE_PASSWORD",
    "PROXMOX_VE_SSH_PRIVATE_KEY",
    "PULUMI_ACCESS_TOKEN",
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE",
];

/** The secrets the credential gate reads: everything the program may require (the SSH key is optional: an agent serves too). */
const GATE_SECRETS = DEPLOY_ENV.filter((k) => k !== "PROXMOX_VE_SSH_PRIVATE_KEY");
const GATE_STEP = "Check for every credential the stack needs";
const gateStep = (job: Job): Step => job.steps.find((s) => s.name === GATE_STEP)!;

const CHECK_COMMANDS = ["npm ci", "npm run lint", "npm run typecheck", "npm run test:unit", "npm run plan", "npm run diagram -- --check"];

describe("workflow files", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "github-workflow.schema.json"), "utf8"));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

    it("are exactly pull-request.yml and main.yml", () => {
        expect(fs.readdirSync(WORKFLOWS).sort()).toEqual(["main.yml", "pull-request.yml"]);
    });

    it.each(["pull-request.yml", "main.yml"])("%s is valid against the GitHub Actions workflow schema", (file) => {
        const ok = validate(load(file));
        expect(validate.errors ?? []).toEqual([]);
        expect(ok).toBe(true);
    });

    it("the schema rejects a workflow with a misspelt key (it really checks)", () => {
        const broken = { ...load("main.yml"), jobs: { up: { ...load("main.yml").jobs.up, "run-on": "ubuntu-latest" } } };
        expect(validate(broken)).toBe(false);
        expect(validate(JSON.parse(JSON.stringify({ on: "push" })))).toBe(false);
    });
});

describe("pull-request.yml", () => {
    const wf = load("pull-request.yml");

    it("runs on pull requests with read-only contents by default", () => {
        expect(Object.keys(wf.on)).toEqual(["pull_request"]);
        expect(wf.permissions).toEqual({ contents: "read" });
    });

    it("installs with Node 24 and the npm cache, then runs lint, typecheck, unit tests, the offline plan and the diagram check", () => {
        const checks = wf.jobs.checks;
        expect(checks["runs-on"]).toBe("ubuntu-latest");
        expect(uses(checks, "actions/setup-node")[0].with).toEqual({ "node-version": 24, cache: "npm" });
        expect(runs(checks)).toEqual(CHECK_COMMANDS);
    });

    it("runs the integration tests as root in a Debian container that may use FUSE", () => {
        const job = wf.jobs.integration;
        expect(job.container).toEqual({
            image: "node:24-bookworm",
            options: "--device /dev/fuse --cap-add SYS_ADMIN --security-opt apparmor:unconfined",
        });
        expect(runs(job)).toContain("npm run test:integration");
        expect(runs(job).join("\n")).toMatch(/apt-get install .*zfs-fuse openssh-server/);
    });

    it("previews with the policy pack and a PR comment, only when the credentials job found credentials", () => {
        const preview = wf.jobs.preview;
        expect(preview.needs).toEqual(["checks", "credentials"]);
        expect(preview.if).toBe("needs.credentials.outputs.available == 'true'");
        expect(preview.permissions).toEqual({ contents: "read", "pull-requests": "write" });
        const [step] = uses(preview, "pulumi/actions");
        expect(step.uses).toBe("pulumi/actions@v7");
        expect(step.with).toMatchObject({
            command: "preview",
            policyPacks: "policies",
            policyPackConfigs: "policies/stacks/${{ vars.PULUMI_STACK || 'prod' }}.json",
            "comment-on-pr": true,
            "work-dir": ".",
            "stack-name": "${{ vars.PULUMI_STACK || 'prod' }}",
        });
        expect(Object.keys(preview.env!).sort()).toEqual(DEPLOY_ENV);
        for (const [key, value] of Object.entries(preview.env!)) expect(value).toContain(`secrets.${key}`);
    });

    it("skips the preview with a notice for forks, before installing anything", () => {
        const creds = wf.jobs.credentials;
        expect(creds.outputs).toEqual({ available: "${{ steps.check.outputs.available }}" });
        const [fork, ...rest] = creds.steps;
        expect(fork).toMatchObject({ id: "fork", if: "github.event.pull_request.head.repo.full_name != github.repository" });
        expect(fork.run).toMatch(
            /^echo "::notice title=pulumi preview skipped::This pull request comes from a fork, which gets no secrets/,
        );
        for (const step of rest) expect(step.if).toBe("steps.fork.outcome == 'skipped'");
        expect(rest.map((s) => s.uses?.split("@")[0] ?? s.run?.trim().split("\n")[0])).toEqual([
            "actions/checkout",
            "actions/setup-node",
            "npm ci",
            "node <<'EOF_NODE'",
        ]);
    });

    it("gates the preview on every secret the program may require, not only a login and the API token", () => {
        const step = gateStep(wf.jobs.credentials);
        expect(step).toMatchObject({ id: "check" });
        expect(step.env).toMatchObject({
            STACK: "${{ vars.PULUMI_STACK || 'prod' }}",
            SKIPPED: "pulumi preview skipped",
            WHERE: "the repository",
        });
        const secrets = Object.keys(step.env!).filter((k) => !["STACK", "SKIPPED", "WHERE", "OUTCOME"].includes(k));
        expect(secrets.sort()).toEqual(GATE_SECRETS);
        for (const key of secrets) expect(step.env![key]).toContain(`secrets.${key}`);
    });
});

describe("main.yml", () => {
    const wf = load("main.yml");

    it("runs on pushes to main (and by hand) with the same checks and integration tests as pull requests", () => {
        expect(wf.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
        expect(runs(wf.jobs.checks)).toEqual(CHECK_COMMANDS);
        expect(wf.jobs.integration).toEqual(load("pull-request.yml").jobs.integration);
    });

    it("deploys with pulumi up and the policy pack in the protected environment, one at a time", () => {
        const up = wf.jobs.up;
        expect(up.needs).toEqual(["checks", "integration"]);
        expect(up.environment).toBe("homelab");
        expect(up.concurrency).toEqual({ group: "homelab-prod", "cancel-in-progress": false });
        expect(up["runs-on"]).toBe("${{ vars.HOMELAB_RUNNER || 'ubuntu-latest' }}");
        const [step] = uses(up, "pulumi/actions");
        expect(step.with).toMatchObject({
            command: "up",
            policyPacks: "policies",
            policyPackConfigs: "policies/stacks/${{ vars.PULUMI_STACK || 'prod' }}.json",
            "stack-name": "${{ vars.PULUMI_STACK || 'prod' }}",
        });
        expect(step.if).toBe("steps.credentials.outputs.available == 'true'");
        expect(Object.keys(up.env!).sort()).toEqual(DEPLOY_ENV);
    });

    it("installs, then checks the credentials, and runs every deploying step only when the check found them all", () => {
        const up = wf.jobs.up;
        const names = up.steps.map((s) => s.name ?? s.uses?.split("@")[0] ?? s.run);
        expect(names).toEqual([
            "actions/checkout",
            "actions/setup-node",
            "npm ci",
            GATE_STEP,
            "Join the tailnet (when the homelab is reached through Tailscale)",
            "pulumi up --policy-pack policies",
        ]);
        const gate = gateStep(up);
        expect(gate).toMatchObject({ id: "credentials", env: { SKIPPED: "pulumi up skipped", WHERE: "the homelab environment" } });
        // The environment's secrets are the job's env, so the gate sees them all.
        for (const key of GATE_SECRETS) expect(Object.keys(up.env!)).toContain(key);
        for (const step of up.steps.slice(4)) expect(step.if).toMatch(/^steps\.credentials\.outputs\.available == 'true'/);
    });

    it("runs the same gate as the pull requests", () => {
        expect(gateStep(wf.jobs.up).run).toBe(gateStep(load("pull-request.yml").jobs.credentials).run);
    });
});

/**
 * The gate itself, run as the workflow runs it (bash, then node in the checkout) against a stack
 * file: the reference one, or one written to a scratch checkout that links the program's sources.
 */
describe("the credential gate", () => {
    const script = gateStep(load("main.yml").jobs.up).run!;
    const base = {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        SKIPPED: "pulumi up skipped",
        WHERE: "the homelab environment",
        OUTCOME: "Nothing was deployed.",
    };
    type GateRun = { status: number | null; stdout: string; available: string };

    const scratch: string[] = [];
    const scratchDir = (prefix: string): string => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
        scratch.push(dir);
        return dir;
    };

    /** Runs the gate as the step does: bash, with the step's env and a GITHUB_OUTPUT file. */
    function runGate(env: Record<string, string>, cwd = ROOT): Promise<GateRun> {
        const output = path.join(scratchDir("gate-out-"), "output");
        fs.writeFileSync(output, "");
        return new Promise((resolve) => {
            execFile("bash", ["-e", "-c", script], { cwd, env: { ...base, GITHUB_OUTPUT: output, ...env } }, (err, stdout) =>
                resolve({
                    status: err ? (typeof err.code === "number" ? err.code : null) : 0,
                    stdout: stdout.trim(),
                    available: fs.readFileSync(output, "utf8").trim(),
                }),
            );
        });
    }

    /** A checkout whose sources are the repository's and whose only stack file is `Pulumi.<stack>.yaml` = `doc`. */
    function scratchCheckout(stack: string, doc: unknown): string {
        const dir = scratchDir("gate-checkout-");
        for (const entry of ["components", "config", "lib", "node_modules", "package.json", "tsconfig.json"])
            fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringifyYaml(doc));
        return dir;
    }

    /** The reference stack without dns, with a B2 bucket, three credentials as secret config and a passphrase salt. */
    function labStack(): unknown {
        const reference = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };
        const config: Record<string, unknown> = { ...reference.config };
        delete config["homelab:dns"];
        config["homelab:offsite"] = {
            service: "b2",
            bucket: "attic-pbs-offsite",
            region: "us-west-004",
            endpoint: "https://s3.us-west-004.backblazeb2.com",
            noncurrentVersionDays: 30,
            writers: ["pbs"],
        };
        config["homelab:proxmoxRootPassword"] = { secure: "v1:cm9vdA==" };
        config["homelab:offsiteAccessKeyId"] = { secure: "v1:a2V5" };
        config["homelab:pbsPassword"] = { secure: "v1:cGJz" };
        return { encryptionsalt: "v1:c2FsdA==", config };
    }

    // Each run starts node and ts-node (about a second): all four run side by side.
    let runs: Record<"none" | "all" | "lab" | "missing", GateRun>;
    beforeAll(async () => {
        const all = Object.fromEntries(GATE_SECRETS.map((k) => [k, `value-of-${k}`]));
        const [none, everything, lab, missing] = await Promise.all([
            runGate({ STACK: "prod" }),
            runGate({ STACK: "prod", ...all, PULUMI_BACKEND_URL: "" }),
            runGate(
                { STACK: "org/homelab/lab", PULUMI_BACKEND_URL: "s3://state?region=eu-central-1", PROXMOX_VE_API_TOKEN: "t" },
                scratchCheckout("lab", labStack()),
            ),
            runGate({ STACK: "nosuchstack" }),
        ]);
        runs = { none, all: everything, lab, missing };
    }, 60_000);
    afterAll(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it("names every credential the reference stack needs when none is set, and says why each is needed", () => {
        // The guests the program builds the root@pam provider for (edge, photos, ... today).
        const rootGuests = Object.keys(guestsNeedingRoot(parseInventory(readStackFile(path.join(ROOT, "Pulumi.prod.yaml")).inventory)));
        expect(rootGuests.length).toBeGreaterThan(0);
        expect(runs.none).toEqual({
            status: 0,
            available: "available=false",
            stdout:
                "::notice title=pulumi up skipped::Stack prod needs credentials that the homelab environment lacks: " +
                "PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL (the Pulumi backend), PROXMOX_VE_API_TOKEN (the Proxmox API), " +
                `PROXMOX_VE_PASSWORD (root@pam for ${rootGuests.join(", ")}), CLOUDFLARE_API_TOKEN (the DNS records), ` +
                "PBS_PASSWORD (the PBS storage), AWS_ACCESS_KEY_ID (the aws offsite bucket), AWS_SECRET_ACCESS_KEY (the aws offsite bucket); " +
                "see docs/ci.md. Nothing was deployed.",
        });
    });

    it("lets the deployment run when every credential is set", () => {
        expect(runs.all).toEqual({ status: 0, stdout: "", available: "available=true" });
    });

    it("counts secret stack config, asks for the passphrase of a passphrase stack and AWS keys for an S3 backend", () => {
        expect(runs.lab).toEqual({
            status: 0,
            available: "available=false",
            stdout:
                "::notice title=pulumi up skipped::Stack lab needs credentials that the homelab environment lacks: " +
                "PULUMI_CONFIG_PASSPHRASE (the stack's passphrase secrets provider), AWS_ACCESS_KEY_ID (the S3 backend), " +
                "AWS_SECRET_ACCESS_KEY (the S3 backend; the b2 offsite bucket); see docs/ci.md. Nothing was deployed.",
        });
    });

    it("fails with an error naming the problem when the stack file is missing", () => {
        expect(runs.missing).toEqual({
            status: 1,
            available: "",
            stdout: "::error title=Stack nosuchstack unreadable::Pulumi.nosuchstack.yaml: no such stack file; create it (copy Pulumi.prod.yaml, or pulumi stack init nosuchstack) or name another stack with --stack NAME; npm run plan -- --stack nosuchstack lists every problem",
        });
    });
});
