/**
 * The credential gate (tools/credential-gate.ts), as both workflows call it: every credential the
 * program reads for the stack, from its environment variable, the stack's encrypted config or a
 * Pulumi ESC environment; the verdict in $GITHUB_OUTPUT, a notice naming what is missing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseInventory } from "../../config/parse";
import { readStackFile } from "../../config/stackfile";
import { guestsNeedingRoot } from "../../lib/privilege";
import { main, stackEnvironments } from "../../tools/credential-gate";
import { mutated, referenceRaw } from "../config/reference";
import { ROOT, projectDir, sink, stackYaml } from "./project";
import { PBS_FINGERPRINT_STAND_IN } from "../../tools/runtime/invokes";

/** What the workflows' gate steps pass: each credential as "set" when the secret is set. */
const ALL_SET = Object.fromEntries(
    [
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_CONFIG_PASSPHRASE",
        "PROXMOX_VE_API_TOKEN",
        "PROXMOX_VE_PASSWORD",
        "CLOUDFLARE_API_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "PBS_PASSWORD",
    ].map((k) => [k, "set"]),
);

interface GateRun {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** What the gate appended to $GITHUB_OUTPUT. */
    readonly output: string;
}

/** Runs the gate in `dir` as a GitHub Actions step does (GITHUB_ACTIONS, a GITHUB_OUTPUT file). */
function gate(argv: string[], env: NodeJS.ProcessEnv, dir = ROOT): GateRun {
    const outputFile = path.join(projectDir({}), "github-output");
    fs.writeFileSync(outputFile, "");
    const out = sink();
    const err = sink();
    const code = main(argv, dir, { GITHUB_ACTIONS: "true", GITHUB_OUTPUT: outputFile, ...env }, out, err);
    return { code, stdout: out.text(), stderr: err.text(), output: fs.readFileSync(outputFile, "utf8") };
}

/** The reference stack without dns, with a B2 bucket, three credentials as secret config and a passphrase salt. */
function labStack(settings: Record<string, unknown> = {}): string {
    const inv = mutated((i) => {
        delete i.dns;
        i.offsite = {
            service: "b2",
            bucket: "attic-pbs-offsite",
            region: "us-west-004",
            endpoint: "https://s3.us-west-004.backblazeb2.com",
            noncurrentVersionDays: 30,
            writers: ["pbs"],
        };
    });
    return stackYaml(
        inv,
        {
            "homelab:proxmoxRootPassword": { secure: "v1:cm9vdA==" },
            "homelab:offsiteAccessKeyId": { secure: "v1:a2V5" },
            "homelab:pbsPassword": { secure: "v1:cGJz" },
        },
        { encryptionsalt: "v1:c2FsdA==", ...settings },
    );
}

const rootGuests = Object.keys(guestsNeedingRoot(parseInventory(readStackFile(path.join(ROOT, "Pulumi.prod.yaml")).inventory).guests));
const PROD_OUTPUT = "available=false\nstack=prod\npolicy-config=policies/stacks/prod.json\n";

describe("the credential gate", () => {
    it("without credentials: names every one the reference stack needs and what for, and skips", () => {
        expect(rootGuests.length).toBeGreaterThan(0);
        expect(gate(["--for", "up"], { PULUMI_STACK: "prod" })).toEqual({
            code: 0,
            stderr: "",
            output: PROD_OUTPUT,
            stdout:
                "::notice title=pulumi up skipped::Stack prod needs credentials that the homelab environment lacks: " +
                "PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL (the Pulumi backend), PROXMOX_VE_API_TOKEN (the Proxmox API), " +
                `PROXMOX_VE_PASSWORD (root@pam for the automation user, role and ACLs and for ${rootGuests.join(", ")}), CLOUDFLARE_API_TOKEN (the DNS records), ` +
                "PBS_PASSWORD (the PBS storage and the dataset backups), AWS_ACCESS_KEY_ID (the aws offsite bucket), AWS_SECRET_ACCESS_KEY (the aws offsite bucket); " +
                "see docs/ci.md. Nothing was deployed.\n",
        });
    });

    it("lets a preview with an API token run without the root@pam password (the root provider previews with the token); an update and the drift check need it", () => {
        const { PROXMOX_VE_PASSWORD: _, ...withoutRoot } = ALL_SET;
        expect(gate(["--for", "preview"], withoutRoot).output).toBe(PROD_OUTPUT.replace("available=false", "available=true"));
        for (const run of ["up", "drift"])
            expect(gate(["--for", run], withoutRoot).stdout).toContain(
                "lacks: PROXMOX_VE_PASSWORD (root@pam for the automation user, role and ACLs",
            );
        // Without a token the preview is the bootstrap's: everything goes through root@pam.
        const { PROXMOX_VE_API_TOKEN: __, ...neither } = withoutRoot;
        expect(gate(["--for", "preview"], neither).stdout).toContain(
            "PROXMOX_VE_API_TOKEN (the Proxmox API), PROXMOX_VE_PASSWORD (root@pam",
        );
    });

    it("words the skip for what comes next: a pull request's preview (the default) or the drift check", () => {
        expect(gate([], {}).stdout).toMatch(
            /^::notice title=pulumi preview skipped::Stack prod needs credentials that the repository lacks: .* The offline plan checked the program and the policies\.\n$/,
        );
        expect(gate(["--for", "drift"], {}).stdout).toMatch(/^::notice title=drift check skipped::.* No drift was checked\.\n$/);
    });

    it("with every credential set: lets Pulumi run, says nothing, and derives the policy configuration from the stack name alone", () => {
        expect(gate(["--for", "up"], { ...ALL_SET, PULUMI_STACK: "acme/homelab/prod" })).toEqual({
            code: 0,
            stdout: "",
            stderr: "",
            output: "available=true\nstack=prod\npolicy-config=policies/stacks/prod.json\n",
        });
    });

    it("counts encrypted stack config, asks for the passphrase of a passphrase stack and for AWS keys on an S3 backend", () => {
        const dir = projectDir({ lab: labStack() }, { lab: {} });
        expect(
            gate(
                ["--for", "up"],
                { PULUMI_STACK: "org/homelab/lab", PULUMI_BACKEND_URL: "s3://state?region=eu-central-1", PROXMOX_VE_API_TOKEN: "set" },
                dir,
            ),
        ).toEqual({
            code: 0,
            stderr: "",
            output: "available=false\nstack=lab\npolicy-config=policies/stacks/lab.json\n",
            stdout:
                "::notice title=pulumi up skipped::Stack lab needs credentials that the homelab environment lacks: " +
                "PULUMI_CONFIG_PASSPHRASE (the stack's passphrase secrets provider), AWS_ACCESS_KEY_ID (the S3 backend), " +
                "AWS_SECRET_ACCESS_KEY (the S3 backend; the b2 offsite bucket); see docs/ci.md. Nothing was deployed.\n",
        });
    });

    describe("with Pulumi ESC", () => {
        it("a stack importing ESC environments needs only the Pulumi Cloud login here; the rest is expected from ESC", () => {
            const dir = projectDir({ lab: labStack({ environment: ["homelab/common", "homelab/lab"] }) }, { lab: {} });
            expect(gate(["--stack", "lab"], { PULUMI_ACCESS_TOKEN: "set" }, dir)).toEqual({
                code: 0,
                stderr: "",
                output: "available=true\nstack=lab\npolicy-config=policies/stacks/lab.json\n",
                stdout:
                    "::notice title=Credentials from Pulumi ESC::Stack lab takes its credentials from homelab/common, homelab/lab; expected there: " +
                    "PULUMI_CONFIG_PASSPHRASE (the stack's passphrase secrets provider), PROXMOX_VE_API_TOKEN (the Proxmox API), " +
                    "AWS_SECRET_ACCESS_KEY (the b2 offsite bucket). Pulumi stops naming any the environment lacks.\n",
            });
        });

        it("ESC lives in Pulumi Cloud: without its login the gate skips, whatever the state backend", () => {
            const dir = projectDir({ lab: labStack({ environment: ["homelab/lab"] }) }, { lab: {} });
            const run = gate(["--stack", "lab"], { PULUMI_BACKEND_URL: "file:///state" }, dir);
            expect(run.output).toBe("available=false\nstack=lab\npolicy-config=policies/stacks/lab.json\n");
            expect(run.stdout).toBe(
                "::notice title=pulumi preview skipped::Stack lab needs credentials that the repository lacks: PULUMI_ACCESS_TOKEN (Pulumi ESC (homelab/lab)); " +
                    "see docs/ci.md. The offline plan checked the program and the policies.\n",
            );
        });

        it("PULUMI_ESC_ENVIRONMENT names environments CI attaches; credentials set here are not expected from ESC", () => {
            const run = gate(["--for", "up"], {
                PULUMI_ACCESS_TOKEN: "set",
                PROXMOX_VE_API_TOKEN: "set",
                PULUMI_ESC_ENVIRONMENT: "homelab/prod, homelab/dns",
            });
            expect(run.output).toBe("available=true\nstack=prod\npolicy-config=policies/stacks/prod.json\n");
            expect(run.stdout).toMatch(
                /^::notice title=Credentials from Pulumi ESC::Stack prod takes its credentials from homelab\/prod, homelab\/dns; expected there: PROXMOX_VE_PASSWORD /,
            );
            expect(run.stdout).not.toContain("PROXMOX_VE_API_TOKEN");
        });

        it("reads the imports in either form of a stack file's environment", () => {
            const of = (environment: unknown) =>
                stackEnvironments({ ...readStackFile(path.join(ROOT, "Pulumi.prod.yaml")), settings: { environment } });
            expect(of(["a/b", "c"])).toEqual(["a/b", "c"]);
            expect(of({ imports: ["a/b", { "c/d": { merge: false } }] })).toEqual(["a/b", "c/d"]);
            expect(of(undefined)).toEqual([]);
            expect(of("a/b")).toEqual([]);
        });
    });

    it("asks for the PBS password on a PBS storage that exists already (managed: false) only for the dataset backups", () => {
        const toExisting = (i: Parameters<Parameters<typeof mutated>[0]>[0]) => {
            const storages = i.storages as Record<string, Record<string, unknown>>;
            storages.pbs = {
                kind: "pbs",
                server: "192.168.10.30",
                datastore: "tank",
                fingerprint: PBS_FINGERPRINT_STAND_IN,
                content: ["backup"],
                managed: false,
            };
            // The offsite sync needs a PBS the program sets up; this one it does not.
            delete i.offsite;
        };
        const existing = mutated(toExisting);
        const { PBS_PASSWORD: _, ...withoutPbs } = ALL_SET;
        // The reference's datasets back up to PBS with proxmox-backup-client: they log in.
        const withDatasets = projectDir({ lab: stackYaml(existing) }, { lab: {} });
        expect(gate(["--stack", "lab", "--for", "up"], withoutPbs, withDatasets).stdout).toContain("PBS_PASSWORD (the dataset backups)");
        // Without dataset backups nothing logs in to it: no password.
        const withoutDatasets = mutated((i) => {
            toExisting(i);
            for (const d of Object.values(i.datasets as Record<string, { backup: unknown }>))
                d.backup = { exclude: "not backed up in this test" };
        });
        const dir = projectDir({ lab: stackYaml(withoutDatasets) }, { lab: {} });
        expect(gate(["--stack", "lab", "--for", "up"], withoutPbs, dir)).toEqual({
            code: 0,
            stdout: "",
            stderr: "",
            output: "available=true\nstack=lab\npolicy-config=policies/stacks/lab.json\n",
        });
    });

    it("fails, naming every problem with its line, when the stack file is invalid", () => {
        const dir = projectDir({ bad: stackYaml(mutated((i) => (i.guests.files.vmid = 30051))) }, { bad: {} });
        const run = gate(["--stack", "bad"], {}, dir);
        expect(run.code).toBe(1);
        expect(run.output).toBe("");
        expect(run.stderr).toMatch(
            /^Pulumi\.bad\.yaml is invalid \(1 problem\):\nPulumi\.bad\.yaml:\d+:7: guests\.files\.vmid: VMID 30051 breaks/,
        );
        expect(run.stdout).toBe(
            "::error title=Stack bad unusable::Pulumi.bad.yaml is invalid (1 problem); npm run -s validate -- --stack bad lists every problem\n",
        );
    });

    it("fails when the stack file or its policy configuration is missing, saying how to make it", () => {
        expect(gate(["--stack", "nosuchstack"], {})).toMatchObject({
            code: 1,
            output: "",
            stdout: "::error title=Stack nosuchstack unusable::Pulumi.nosuchstack.yaml: no such stack file; create it (copy Pulumi.prod.yaml, or pulumi stack init nosuchstack) or name another stack with --stack NAME\n",
        });
        const dir = projectDir({ home: stackYaml(referenceRaw()) });
        expect(gate([], { PULUMI_STACK: "home" }, dir)).toMatchObject({
            code: 1,
            output: "",
            stdout: "::error title=Stack home unusable::policies/stacks/home.json: stack home has no policy configuration; create it with npm run policy-config -- --stack home\n",
        });
    });

    it("outside GitHub Actions: plain lines, the verdict included", () => {
        const out = sink();
        expect(main([], ROOT, { ...ALL_SET }, out, sink())).toBe(0);
        expect(out.text()).toBe("Pulumi.prod.yaml: available=true, stack=prod, policy-config=policies/stacks/prod.json\n");
    });

    it("explains itself with --help and refuses a purpose it does not know", () => {
        const out = sink();
        expect(main(["--help"], ROOT, {}, out, sink())).toBe(0);
        expect(out.text().split("\n")[0]).toBe("usage: npm run -s credential-gate -- [--stack NAME] [--for preview|up|drift]");
        const err = sink();
        expect(main(["--for", "destroy"], ROOT, {}, sink(), err)).toBe(2);
        expect(err.text()).toBe('error: --for needs one of preview, up, drift, got "destroy"\n');
    });

    it("runs as the workflows run it: npm run -s credential-gate, nothing but its own output", () => {
        const outputFile = path.join(projectDir({}), "github-output");
        fs.writeFileSync(outputFile, "");
        const run = spawnSync("npm", ["run", "-s", "credential-gate", "--", "--for", "up"], {
            cwd: ROOT,
            encoding: "utf8",
            env: {
                PATH: process.env.PATH,
                HOME: process.env.HOME,
                GITHUB_ACTIONS: "true",
                GITHUB_OUTPUT: outputFile,
                PULUMI_STACK: "acme/homelab/prod",
                ...ALL_SET,
            },
        });
        expect(run.status).toBe(0);
        expect(run.stdout).toBe("");
        expect(fs.readFileSync(outputFile, "utf8")).toBe("available=true\nstack=prod\npolicy-config=policies/stacks/prod.json\n");
    }, 60_000);

    it("ends what it did not expect with exit 3 and one line, no stack trace (a GITHUB_OUTPUT it cannot write)", () => {
        const outputDir = projectDir({});
        const run = spawnSync("npm", ["run", "-s", "credential-gate"], {
            cwd: ROOT,
            encoding: "utf8",
            env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_ACTIONS: "true", GITHUB_OUTPUT: outputDir, ...ALL_SET },
        });
        expect(run.status).toBe(3);
        expect(run.stdout).toBe("");
        expect(run.stderr).toBe(
            `credential-gate: internal error (a bug; please report it): EISDIR: illegal operation on a directory, open '${outputDir}'\n`,
        );
    }, 60_000);
});
