/**
 * The GitHub Actions workflows: valid against the Schema Store's workflow schema (vendored in
 * test/fixtures, see its README), and saying what docs/ci.md promises.
 */
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
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

    it("skips the preview with a notice for forks and for a repository without credentials", () => {
        const creds = wf.jobs.credentials;
        expect(creds.outputs).toEqual({ available: "${{ steps.check.outputs.available }}" });
        const script = creds.steps[0].run!;
        expect(script.match(/::notice title=pulumi preview skipped::/g)).toHaveLength(2);
        expect(creds.steps[0].env).toMatchObject({
            PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
            PROXMOX_VE_API_TOKEN: "${{ secrets.PROXMOX_VE_API_TOKEN }}",
        });
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

    it("skips every deploying step with a notice when the environment has no credentials", () => {
        const up = wf.jobs.up;
        expect(up.steps[0].run).toContain("::notice title=pulumi up skipped::");
        for (const step of up.steps.slice(1)) expect(step.if).toMatch(/^steps\.credentials\.outputs\.available == 'true'/);
    });
});
