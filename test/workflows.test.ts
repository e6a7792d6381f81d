/**
 * The GitHub Actions workflows and Dependabot's configuration: valid against the Schema Store's
 * workflow schema (vendored in test/fixtures, see its README), secrets only in the steps that use
 * them, every action pinned by commit SHA, the Pulumi CLI pinned, and saying what docs/ci.md
 * promises. The credential gate they call is tested in test/tools/credential-gate.test.ts.
 */
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const FILES = ["change-report.yml", "drift.yml", "main.yml", "pull-request.yml"];
/** The workflows that run Pulumi (change-report.yml only posts a comment). */
const PULUMI_FILES = ["drift.yml", "main.yml", "pull-request.yml"];

type Step = {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    "continue-on-error"?: boolean;
};
type Job = {
    name?: string;
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
type Workflow = {
    name: string;
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    concurrency?: unknown;
    env?: Record<string, string>;
    jobs: Record<string, Job>;
};

const text = (file: string): string => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const load = (file: string): Workflow => parseYaml(text(file)) as Workflow;
const runs = (job: Job): string[] => job.steps.filter((s) => s.run !== undefined).map((s) => s.run!.trim());
const uses = (job: Job, action: string): Step[] => job.steps.filter((s) => s.uses?.split("@")[0] === action);
const named = (job: Job, name: string): Step => {
    const step = job.steps.find((s) => s.name === name);
    if (!step) throw new Error(`no step "${name}"`);
    return step;
};

/** The credentials the program and the Pulumi CLI read: the Pulumi steps get each from its secret. */
const PULUMI_SECRETS = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "CIFS_PASSWORD",
    "CLOUDFLARE_API_TOKEN",
    "PBS_PASSWORD",
    "PROXMOX_VE_API_TOKEN",
    "PROXMOX_VE_PASSWORD",
    "PROXMOX_VE_SSH_PRIVATE_KEY",
    "PULUMI_ACCESS_TOKEN",
    "PULUMI_CONFIG_PASSPHRASE",
];
/** What the gate reads: each credential as "set" or empty (the SSH key is not gated: an agent serves too). */
const GATE_PRESENCE = PULUMI_SECRETS.filter((k) => k !== "PROXMOX_VE_SSH_PRIVATE_KEY");
const GATE = "Check for every credential the stack needs";

const CHECK_COMMANDS = [
    "npm ci",
    "npm run lint",
    "npm run typecheck",
    "npm test",
    "npm run test:slow",
    "npm run -s plan",
    "npm run -s diagram -- --check",
    "npm run -s schema -- --check",
    'for stack_file in Pulumi.*.yaml; do\n  stack="${stack_file#Pulumi.}"\n  npm run -s policy-config -- --stack "${stack%.yaml}" --check\ndone',
];

/** Every string in a document with the path to it. */
function strings(value: unknown, at: string[] = [], out: { at: string[]; value: string }[] = []): { at: string[]; value: string }[] {
    if (typeof value === "string") out.push({ at, value });
    else if (Array.isArray(value)) value.forEach((v, i) => strings(v, [...at, String(i)], out));
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) strings(v, [...at, k], out);
    return out;
}

describe("workflow files", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "github-workflow.schema.json"), "utf8"));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

    it("are exactly change-report.yml, drift.yml, main.yml and pull-request.yml", () => {
        expect(fs.readdirSync(WORKFLOWS).sort()).toEqual(FILES);
    });

    it.each(FILES)("%s is valid against the GitHub Actions workflow schema", (file) => {
        const ok = validate(load(file));
        expect(validate.errors ?? []).toEqual([]);
        expect(ok).toBe(true);
    });

    it("the schema rejects a workflow with a misspelt key (it really checks)", () => {
        const broken = { ...load("main.yml"), jobs: { up: { ...load("main.yml").jobs.up, "run-on": "ubuntu-latest" } } };
        expect(validate(broken)).toBe(false);
        expect(validate(JSON.parse(JSON.stringify({ on: "push" })))).toBe(false);
    });

    it.each(FILES)("%s: secrets only in the env or inputs of the steps that use them, never at workflow or job level", (file) => {
        const wf = load(file);
        const places = strings(wf)
            .filter((s) => s.value.includes("secrets."))
            .map((s) => s.at.join("."));
        expect(places.length).toBeGreaterThan(0);
        for (const place of places) expect(place).toMatch(/^jobs\.[\w-]+\.steps\.\d+\.(env|with)\.[\w-]+$/);
        expect(wf.env).toBeUndefined();
        for (const job of Object.values(wf.jobs)) expect(job.env).toBeUndefined();
    });

    it.each(FILES)("%s: npm ci and the checks run without any secret", (file) => {
        for (const job of Object.values(load(file).jobs))
            for (const step of job.steps.filter((s) => s.run !== undefined && !s.run.includes("pulumi config env add"))) {
                for (const value of Object.values(step.env ?? {})) expect(value).not.toMatch(/secrets\.\w+ }}/);
            }
    });

    it.each(FILES)("%s: every action pinned by a 40-hex commit SHA with its version in a comment", (file) => {
        const lines = text(file)
            .split("\n")
            .filter((l) => /^\s*(- )?uses:/.test(l));
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    });

    it("each action is pinned to one commit and version across all workflows", () => {
        const pins = new Map<string, Set<string>>();
        for (const file of FILES)
            for (const m of text(file).matchAll(/uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v[\d.]+)/g))
                pins.set(m[1], new Set([...(pins.get(m[1]) ?? []), `${m[2]} ${m[3]}`]));
        expect(Object.fromEntries([...pins].map(([action, set]) => [action, [...set]]))).toEqual({
            "actions/checkout": ["d23441a48e516b6c34aea4fa41551a30e30af803 v6.1.0"],
            "actions/setup-node": ["249970729cb0ef3589644e2896645e5dc5ba9c38 v6.5.0"],
            "pulumi/actions": ["8e5e406f4007fca908480587cb9893c07090f58d v7.0.0"],
            "tailscale/github-action": ["780049a30b6ff5c378a9e7b389d15ece7a204888 v4.1.3"],
            "actions/github-script": ["ed597411d8f924073f98dfc5c65a23a2325f34cd v8.0.0"],
            "actions/upload-artifact": ["ea165f8d65b6e75b540449e92b4886f43607fa02 v4.6.2"],
            "actions/download-artifact": ["d3f86a106a0bac45b974a628896c90dbdf5c8093 v4.3.0"],
        });
    });

    it.each(FILES)("%s: checks out without persisting the token, and installs Node from .nvmrc", (file) => {
        for (const [id, job] of Object.entries(load(file).jobs)) {
            // The change report plans the base branch too: it needs the history.
            const checkout = id === "change-report" ? { "persist-credentials": false, "fetch-depth": 0 } : { "persist-credentials": false };
            for (const step of uses(job, "actions/checkout")) expect(step.with).toEqual(checkout);
            for (const step of uses(job, "actions/setup-node")) expect(step.with).toEqual({ "node-version-file": ".nvmrc", cache: "npm" });
        }
        expect(fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8")).toBe("24\n");
    });

    it.each(PULUMI_FILES)("%s: every Pulumi step installs the CLI version of .pulumi-version, the SDK's version", (file) => {
        const version = fs.readFileSync(path.join(ROOT, ".pulumi-version"), "utf8").trim();
        expect(version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version);
        for (const job of Object.values(load(file).jobs))
            for (const step of uses(job, "pulumi/actions")) expect(step.with).toMatchObject({ "pulumi-version-file": ".pulumi-version" });
    });

    it.each(PULUMI_FILES)("%s: the gate is the typed script, told only whether each secret is set", (file) => {
        const gates = Object.values(load(file).jobs)
            .flatMap((job) => job.steps)
            .filter((s) => s.name === GATE);
        expect(gates.length).toBeGreaterThan(0);
        for (const step of gates) {
            expect(step.id).toBe("gate");
            expect(step.run).toMatch(/^npm run -s credential-gate -- --for (preview|up|drift)$/);
            expect(step.env).toMatchObject({
                PULUMI_STACK: "${{ vars.PULUMI_STACK || 'prod' }}",
                PULUMI_ESC_ENVIRONMENT: "${{ vars.PULUMI_ESC_ENVIRONMENT }}",
                PULUMI_BACKEND_URL: "${{ secrets.PULUMI_BACKEND_URL || vars.PULUMI_BACKEND_URL }}",
            });
            const presence = Object.keys(step.env!).filter(
                (k) => !["PULUMI_STACK", "PULUMI_ESC_ENVIRONMENT", "PULUMI_BACKEND_URL"].includes(k),
            );
            expect(presence.sort()).toEqual(GATE_PRESENCE);
            for (const key of presence) expect(step.env![key]).toBe(`\${{ secrets.${key} != '' && 'set' || '' }}`);
        }
    });

    /** Every pulumi/actions step that runs a command: the program's secrets in its own env, the stack, the policy configuration from the gate. */
    it.each(PULUMI_FILES)("%s: the Pulumi commands get the program's credentials in their own env", (file) => {
        const steps = Object.values(load(file).jobs)
            .flatMap((job) => uses(job, "pulumi/actions"))
            .filter((s) => s.with?.command !== undefined);
        expect(steps.length).toBeGreaterThan(0);
        for (const step of steps) {
            expect(Object.keys(step.env!).sort()).toEqual(PULUMI_SECRETS);
            for (const [key, value] of Object.entries(step.env!)) expect(value).toBe(`\${{ secrets.${key} }}`);
            expect(step.with).toMatchObject({ "stack-name": "${{ vars.PULUMI_STACK || 'prod' }}", "work-dir": "." });
        }
    });
});

describe("pull-request.yml", () => {
    const wf = load("pull-request.yml");

    it("runs on pull requests with read-only contents by default", () => {
        expect(Object.keys(wf.on)).toEqual(["pull_request"]);
        expect(wf.permissions).toEqual({ contents: "read" });
    });

    it("runs lint, typecheck, unit tests, the offline plan and the diagram, JSON Schema and policy configuration checks", () => {
        expect(wf.jobs.checks["runs-on"]).toBe("ubuntu-latest");
        expect(runs(wf.jobs.checks)).toEqual(CHECK_COMMANDS);
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

    it("skips the preview with a notice for forks, before installing anything", () => {
        const creds = wf.jobs.credentials;
        expect(creds.outputs).toEqual({
            available: "${{ steps.gate.outputs.available }}",
            "policy-config": "${{ steps.gate.outputs.policy-config }}",
        });
        const [fork, ...rest] = creds.steps;
        expect(fork).toMatchObject({ id: "fork", if: "github.event.pull_request.head.repo.full_name != github.repository" });
        expect(fork.run).toMatch(
            /^echo "::notice title=pulumi preview skipped::This pull request comes from a fork, which gets no secrets/,
        );
        for (const step of rest) expect(step.if).toBe("steps.fork.outcome == 'skipped'");
        expect(rest.map((s) => s.uses?.split("@")[0] ?? s.name ?? s.run)).toEqual([
            "actions/checkout",
            "actions/setup-node",
            "npm ci",
            GATE,
        ]);
        expect(named(creds, GATE).run).toBe("npm run -s credential-gate -- --for preview");
    });

    it("previews with the policy pack, the gate's policy configuration and a PR comment, only when the gate found every credential", () => {
        const preview = wf.jobs.preview;
        expect(preview.needs).toEqual(["checks", "credentials"]);
        expect(preview.if).toBe("needs.credentials.outputs.available == 'true'");
        expect(preview.permissions).toEqual({ contents: "read", "pull-requests": "write" });
        expect(named(preview, "pulumi preview --policy-pack policies").with).toMatchObject({
            command: "preview",
            policyPacks: "policies",
            policyPackConfigs: "${{ needs.credentials.outputs.policy-config }}",
            "comment-on-pr": true,
        });
    });
});

describe("the change report on pull requests", () => {
    const job = load("pull-request.yml").jobs["change-report"];
    const post = load("change-report.yml");

    it("plans the base branch and the pull request offline, with no secret, for forks too", () => {
        expect(job.if).toBeUndefined();
        expect(job.permissions).toBeUndefined();
        expect(strings(job).filter((s) => s.value.includes("secrets."))).toEqual([]);
        const report = named(job, "Plan the base branch and the pull request, and compare");
        expect(report.run).toContain('npm run -s plan -- --base "origin/$BASE_REF" --format markdown > change-report/report.md || code=$?');
        expect(report.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
        expect(report.env).toEqual({
            BASE_REF: "${{ github.base_ref }}",
            PULL_REQUEST: "${{ github.event.pull_request.number }}",
            PULUMI_STACK: "${{ vars.PULUMI_STACK || 'prod' }}",
        });
    });

    it("hands the report on as an artifact, then fails the check on a dangerous change (exit 1)", () => {
        const names = job.steps.map((s) => s.name ?? s.uses?.split("@")[0] ?? s.run);
        expect(names.slice(-3)).toEqual([
            "Plan the base branch and the pull request, and compare",
            "actions/upload-artifact",
            "A dangerous change fails the check (the report says why and the safe procedure)",
        ]);
        expect(uses(job, "actions/upload-artifact")[0].with).toMatchObject({ name: "change-report", path: "change-report/" });
        const last = job.steps[job.steps.length - 1];
        expect(last.env).toEqual({ EXIT_CODE: "${{ steps.report.outputs.exit-code }}" });
        expect(last.run).toBe('exit "$EXIT_CODE"');
    });

    it("is posted by change-report.yml, which never checks out or runs the pull request's code", () => {
        expect(post.on).toEqual({ workflow_run: { workflows: [load("pull-request.yml").name], types: ["completed"] } });
        expect(post.permissions).toEqual({ contents: "read" });
        const comment = post.jobs.comment;
        expect(comment.permissions).toEqual({ actions: "read", "pull-requests": "write" });
        expect(comment.if).toBe("github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.conclusion != 'cancelled'");
        expect(comment.steps.map((s) => s.uses?.split("@")[0])).toEqual(["actions/download-artifact", "actions/github-script"]);
        expect(comment.steps.filter((s) => s.run !== undefined)).toEqual([]);
        expect(comment.steps[0].with).toMatchObject({ name: "change-report", "run-id": "${{ github.event.workflow_run.id }}" });
    });

    it("posts only on the pull request whose head the report was made from, updating its own comment", () => {
        const script = String(post.jobs.comment.steps[1].with!.script);
        expect(script).toContain("Number.isSafeInteger(number)");
        expect(script).toContain("pull.head.sha !== run.head_sha");
        expect(script).toContain("<!-- homelab-change-report -->");
        expect(script).toContain("github.rest.issues.updateComment");
    });
});

describe("main.yml", () => {
    const wf = load("main.yml");

    it("runs on pushes to main (and by hand) with the same checks and integration tests as pull requests", () => {
        expect(wf.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
        expect(runs(wf.jobs.checks)).toEqual(CHECK_COMMANDS);
        expect(wf.jobs.integration).toEqual(load("pull-request.yml").jobs.integration);
    });

    it("previews on main with the policy pack before the update, its report in the run's summary", () => {
        const preview = wf.jobs.preview;
        expect(preview.needs).toEqual(["checks", "integration"]);
        expect(preview.environment).toBeUndefined();
        expect(preview.outputs).toEqual({ available: "${{ steps.gate.outputs.available }}" });
        expect(named(preview, GATE).run).toBe("npm run -s credential-gate -- --for preview");
        const step = named(preview, "pulumi preview --policy-pack policies");
        expect(step.if).toBe("steps.gate.outputs.available == 'true'");
        expect(step.with).toMatchObject({
            command: "preview",
            policyPacks: "policies",
            policyPackConfigs: "${{ steps.gate.outputs.policy-config }}",
            "comment-on-summary": true,
        });
    });

    it("deploys with pulumi up and the policy pack in the protected environment, after a preview, one at a time", () => {
        const up = wf.jobs.up;
        expect(up.needs).toEqual(["preview"]);
        expect(up.if).toBe("needs.preview.outputs.available == 'true'");
        expect(up.environment).toBe("homelab");
        expect(up.concurrency).toEqual({ group: "homelab-prod", "cancel-in-progress": false });
        expect(up["runs-on"]).toBe("${{ vars.HOMELAB_RUNNER || 'ubuntu-latest' }}");
        expect(named(up, GATE).run).toBe("npm run -s credential-gate -- --for up");
        const step = named(up, "pulumi up --policy-pack policies");
        expect(step.with).toMatchObject({
            command: "up",
            policyPacks: "policies",
            policyPackConfigs: "${{ steps.gate.outputs.policy-config }}",
        });
    });

    it.each(["preview", "up"])(
        "%s: installs, gates, then runs every step that reaches the homelab only when the gate found every credential",
        (job) => {
            const steps = wf.jobs[job].steps;
            expect(steps.slice(0, 4).map((s) => s.name ?? s.uses?.split("@")[0] ?? s.run)).toEqual([
                "actions/checkout",
                "actions/setup-node",
                "npm ci",
                GATE,
            ]);
            for (const step of steps.slice(4)) expect(step.if).toMatch(/^steps\.gate\.outputs\.available == 'true'/);
            expect(steps.slice(4).map((s) => s.name)).toEqual([
                "Install the Pulumi CLI (for the ESC environment)",
                "Attach the ESC environment named by PULUMI_ESC_ENVIRONMENT",
                "Join the tailnet (when the homelab is reached through Tailscale)",
                job === "up" ? "pulumi up --policy-pack policies" : "pulumi preview --policy-pack policies",
            ]);
        },
    );

    it("attaches the ESC environment CI names with the pinned CLI, the login in that step only", () => {
        const attach = named(wf.jobs.up, "Attach the ESC environment named by PULUMI_ESC_ENVIRONMENT");
        expect(attach.run).toBe('pulumi config env add "$ESC_ENVIRONMENT" --stack "$STACK" --yes');
        expect(attach.if).toBe("steps.gate.outputs.available == 'true' && vars.PULUMI_ESC_ENVIRONMENT != ''");
        expect(Object.keys(attach.env!).sort()).toEqual([
            "ESC_ENVIRONMENT",
            "PULUMI_ACCESS_TOKEN",
            "PULUMI_BACKEND_URL",
            "PULUMI_CONFIG_PASSPHRASE",
            "STACK",
        ]);
    });
});

describe("drift.yml", () => {
    const wf = load("drift.yml");
    const job = wf.jobs.drift;

    it("runs every day and by hand, never two at once, outside the deployments' concurrency group", () => {
        expect(wf.on).toEqual({ schedule: [{ cron: "17 5 * * *" }], workflow_dispatch: null });
        expect(wf.concurrency).toEqual({ group: "homelab-drift", "cancel-in-progress": false });
        expect(wf.permissions).toEqual({ contents: "read" });
        expect(job.permissions).toEqual({ contents: "read", issues: "write" });
        expect(named(job, GATE).run).toBe("npm run -s credential-gate -- --for drift");
    });

    it("previews with --refresh --expect-no-changes, and a failure does not stop the run before the issue is written", () => {
        const step = named(job, "pulumi preview --refresh --expect-no-changes");
        expect(step).toMatchObject({ id: "preview", if: "steps.gate.outputs.available == 'true'", "continue-on-error": true });
        expect(step.with).toMatchObject({ command: "preview", refresh: true, "expect-no-changes": true });
    });

    it("on drift opens an issue labelled drift, or comments on the open one, then fails the run", () => {
        const issue = named(job, "Open or update the drift issue");
        expect(issue.if).toBe("steps.preview.outcome == 'failure'");
        expect(issue.uses!.split("@")[0]).toBe("actions/github-script");
        const script = String(issue.with!.script);
        expect(script).toContain('github.rest.issues.listForRepo, { ...context.repo, state: "open", labels: "drift" }');
        expect(script).toContain("github.rest.issues.createComment(");
        expect(script).toContain('github.rest.issues.create({ ...context.repo, title, body, labels: ["drift"] })');
        const fail = named(job, "Fail the run on drift");
        expect(fail.if).toBe("steps.preview.outcome == 'failure'");
        expect(fail.run!.trim()).toMatch(/\nexit 1$/);
        expect(job.steps.indexOf(fail)).toBeGreaterThan(job.steps.indexOf(issue));
    });
});

describe("dependabot.yml", () => {
    const config = parseYaml(fs.readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8")) as {
        version: number;
        updates: { "package-ecosystem": string; directory: string; schedule: { interval: string } }[];
    };

    it("keeps the pinned actions and the npm dependencies current, weekly", () => {
        expect(config.version).toBe(2);
        expect(config.updates.map((u) => [u["package-ecosystem"], u.directory, u.schedule.interval])).toEqual([
            ["github-actions", "/", "weekly"],
            ["npm", "/", "weekly"],
        ]);
    });
});

describe("docs/ci.md", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "ci.md"), "utf8");

    it("describes each workflow, the gate, the drift check and the pinning", () => {
        for (const needle of [
            ...FILES,
            "tools/credential-gate.ts",
            "--expect-no-changes",
            "PULUMI_ESC_ENVIRONMENT",
            ".pulumi-version",
            "dependabot.yml",
        ])
            expect(doc).toContain(needle);
    });
});
