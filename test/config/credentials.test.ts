/**
 * Credentials never stand in plain text in a stack file, nor inside a URL of the inventory: the
 * stack file reader, and so `validate`, the plan and the credential gate, refuse them naming the
 * key, its line and the `pulumi config set --secret` command, never the value; the program refuses
 * a plain credential in its config too.
 */
import { InventoryError } from "../../config/errors";
import { isConfigSecret } from "../../config/loader";
import { CREDENTIAL_KEYS, PROVIDER_CREDENTIAL_KEYS, plaintextCredentialProblem, readStackFile, splitConfig } from "../../config/stackfile";
import { main as gate } from "../../tools/credential-gate";
import { plan } from "../../tools/plan/report";
import { main as validate } from "../../tools/validate";
import { record } from "../helpers/harness";
import { credentialConfig, referenceConfig } from "../program/reference";
import { mutated } from "./reference";
import { projectDir, referenceYaml, sink, stackYaml } from "../tools/project";

/** A value no message may ever show. */
const SECRET = "Planted-S3cr3t-7f3a9c";

/** The message of a plain credential `key`, whose encrypted form is set with `command` and whose variable is `variable`. */
const plainMessage = (key: string, variable: string, other = "") =>
    `a credential in plain text${other}: store it encrypted with \`pulumi config set --secret homelab:${key} <value>\` (or set ${variable}), ` +
    "remove the plain value from this file, and rotate the credential: the stack file is in the repository's history (the value is not shown)";

/** The reference stack file with `lines` appended under `config:`, in a project with an empty policy configuration. */
function projectWith(lines: string[]): { dir: string; firstLine: number } {
    const text = referenceYaml();
    const firstLine = text.split("\n").length; // the reference ends with a newline: the next line's number
    return { dir: projectDir({ prod: text + lines.map((l) => `  ${l}\n`).join("") }, { prod: {} }), firstLine };
}

describe("a credential in plain text in a stack file", () => {
    it("is refused for every credential key, naming its line, the command and the variable, never the value", () => {
        const { dir, firstLine } = projectWith(CREDENTIAL_KEYS.map((k) => `homelab:${k}: ${SECRET}-${k}`));
        let thrown: unknown;
        try {
            readStackFile(`${dir}/Pulumi.prod.yaml`);
        } catch (e) {
            thrown = e;
        }
        expect(thrown).toBeInstanceOf(InventoryError);
        const variables = {
            proxmoxApiToken: "PROXMOX_VE_API_TOKEN",
            proxmoxRootPassword: "PROXMOX_VE_PASSWORD",
            proxmoxSshPrivateKey: "PROXMOX_VE_SSH_PRIVATE_KEY",
            cloudflareApiToken: "CLOUDFLARE_API_TOKEN",
            pbsPassword: "PBS_PASSWORD",
            cifsPassword: "CIFS_PASSWORD",
            offsiteAccessKeyId: "AWS_ACCESS_KEY_ID",
            offsiteSecretAccessKey: "AWS_SECRET_ACCESS_KEY",
        };
        expect((thrown as InventoryError).problems).toEqual(
            CREDENTIAL_KEYS.map((k, i) => ({
                path: `homelab:${k}`,
                message: plainMessage(k, variables[k]),
                line: firstLine + i,
                column: 3,
            })),
        );
        expect((thrown as InventoryError).message).not.toContain(SECRET);
    });

    it("is refused as a bare key (Pulumi reads it in the project's namespace), a number, a list or a mapping that is not secure:", () => {
        const { dir, firstLine } = projectWith([
            `pbsPassword: ${SECRET}`,
            "homelab:cifsPassword: 123456",
            `homelab:cloudflareApiToken: [${SECRET}]`,
            `homelab:offsiteSecretAccessKey: { value: ${SECRET} }`,
        ]);
        expect(() => readStackFile(`${dir}/Pulumi.prod.yaml`)).toThrow(InventoryError);
        try {
            readStackFile(`${dir}/Pulumi.prod.yaml`);
        } catch (e) {
            const problems = (e as InventoryError).problems;
            expect(problems.map((p) => [p.path, p.line])).toEqual([
                ["homelab:pbsPassword", firstLine],
                ["homelab:cifsPassword", firstLine + 1],
                ["homelab:cloudflareApiToken", firstLine + 2],
                ["homelab:offsiteSecretAccessKey", firstLine + 3],
            ]);
            expect((e as InventoryError).message).not.toContain(SECRET);
        }
    });

    it("is refused in a provider's own namespace too, naming the homelab: key that takes its place", () => {
        expect(plaintextCredentialProblem("proxmoxve:password", SECRET)).toEqual({
            path: "proxmoxve:password",
            message: plainMessage(
                "proxmoxRootPassword",
                "PROXMOX_VE_PASSWORD",
                "; this program does not read proxmoxve:password (its providers take homelab:proxmoxRootPassword)",
            ),
        });
        expect(Object.keys(PROVIDER_CREDENTIAL_KEYS).filter((k) => plaintextCredentialProblem(k, SECRET) === undefined)).toEqual([]);
        // Not credentials: left alone.
        expect(plaintextCredentialProblem("proxmoxve:endpoint", "https://192.168.10.11:8006/")).toBeUndefined();
        expect(plaintextCredentialProblem("aws:region", "eu-central-1")).toBeUndefined();
    });

    it("without a value is refused with the command that sets it, and no rotation", () => {
        expect(plaintextCredentialProblem("homelab:pbsPassword", null)).toEqual({
            path: "homelab:pbsPassword",
            message:
                "a credential key without a value: remove the line, and give the credential with `pulumi config set --secret homelab:pbsPassword <value>` (or set PBS_PASSWORD)",
        });
        expect(plaintextCredentialProblem("homelab:pbsPassword", "")).toEqual(plaintextCredentialProblem("homelab:pbsPassword", null));
    });

    it("is accepted encrypted (secure:), in any namespace", () => {
        const split = splitConfig({
            "homelab:pbsPassword": { secure: "AAABAC..." },
            "proxmoxve:password": { secure: "AAABAD..." },
            "homelab:cluster": { name: "attic" },
        });
        expect(split.secretKeys).toEqual(["homelab:pbsPassword", "proxmoxve:password"]);
        expect(split.inventory).toEqual({ cluster: { name: "attic" } });
    });

    it("stops validate (exit 1), the plan (exit 2) and the credential gate (exit 1), none of them showing the value", async () => {
        const { dir, firstLine } = projectWith([`homelab:proxmoxApiToken: root@pam!homelab=${SECRET}`]);
        const line = `Pulumi.prod.yaml:${firstLine}:3: homelab:proxmoxApiToken: ${plainMessage("proxmoxApiToken", "PROXMOX_VE_API_TOKEN")}`;

        const out = sink();
        const err = sink();
        expect(validate([], dir, {}, out, err)).toBe(1);
        expect(out.text()).toBe("");
        expect(err.text()).toBe(`error: Pulumi.prod.yaml is invalid (1 problem):\n${line}\n`);

        const report = await plan("prod", dir);
        expect(report.exitCode).toBe(2);
        expect(report.error?.kind).toBe("invalid-inventory");
        expect(report.error?.problems).toEqual([
            {
                path: "homelab:proxmoxApiToken",
                message: plainMessage("proxmoxApiToken", "PROXMOX_VE_API_TOKEN"),
                line: firstLine,
                column: 3,
            },
        ]);
        expect(JSON.stringify(report)).not.toContain(SECRET);

        const gateOut = sink();
        const gateErr = sink();
        expect(gate([], dir, { PROXMOX_VE_API_TOKEN: "set" }, gateOut, gateErr)).toBe(1);
        expect(gateErr.text()).toBe(`Pulumi.prod.yaml is invalid (1 problem):\n${line}\n`);
        expect(gateOut.text()).toBe(
            "Stack prod unusable: Pulumi.prod.yaml is invalid (1 problem); npm run -s validate -- --stack prod lists every problem\n",
        );
        expect(gateOut.text() + gateErr.text()).not.toContain(SECRET);
    });
});

describe("the program", () => {
    it("refuses a credential set without --secret, and registers nothing", async () => {
        const creds = credentialConfig();
        let error: unknown;
        let recorded: unknown;
        try {
            recorded = await record(() => import("../../index"), {
                config: { ...referenceConfig(), ...creds.config, "homelab:pbsPassword": SECRET },
                // pbsPassword is not among the secret keys: `pulumi config set` without --secret.
                secretKeys: creds.secretKeys.filter((k) => k !== "homelab:pbsPassword"),
            });
        } catch (e) {
            error = e;
        }
        expect(recorded).toBeUndefined();
        expect(error).toBeInstanceOf(InventoryError);
        expect((error as InventoryError).problems).toEqual([
            { path: "homelab:pbsPassword", message: plainMessage("pbsPassword", "PBS_PASSWORD") },
        ]);
        expect((error as InventoryError).message).not.toContain(SECRET);
    });

    it("reads which config keys are secret from the SDK's runtime (an internal function, pinned here)", async () => {
        const pulumi = await import("@pulumi/pulumi");
        expect(typeof (pulumi.runtime as unknown as Record<string, unknown>).isConfigSecret).toBe("function");
        pulumi.runtime.setAllConfig({ "homelab:pbsPassword": "x", "homelab:cifsPassword": "y" }, ["homelab:pbsPassword"]);
        expect([isConfigSecret("homelab:pbsPassword"), isConfigSecret("homelab:cifsPassword")]).toEqual([true, false]);
    });
});

describe("a credential inside a URL of the inventory", () => {
    /** Validates the reference stack with one URL replaced; the problems of that field, as validate prints them. */
    function refused(mutate: (url: string) => (i: ReturnType<typeof mutated>) => void, url: string): string {
        const dir = projectDir({ prod: stackYaml(mutated(mutate(url))) }, { prod: {} });
        const out = sink();
        const err = sink();
        expect(validate([], dir, {}, out, err)).toBe(1);
        expect(out.text()).toBe("");
        return err.text();
    }
    const endpoint = (url: string) => (i: ReturnType<typeof mutated>) => (i.cluster.endpoint = url);
    const image = (url: string) => (i: ReturnType<typeof mutated>) => (i.images["debian-13-cloud"].url = url);
    const offsite = (url: string) => (i: ReturnType<typeof mutated>) => {
        i.offsite = {
            service: "b2",
            bucket: "attic-pbs-offsite",
            region: "us-west-004",
            endpoint: url,
            noncurrentVersionDays: 30,
            writers: ["pbs"],
        };
    };
    const ROTATE = "remove it from the file and rotate it (the stack file is in the repository's history)";

    it.each([
        [`https://root:${SECRET}@192.168.10.11:8006/`, "https://***@192.168.10.11:8006/"],
        [`HTTPS://root:${SECRET}@192.168.10.11:8006/`, "HTTPS://***@192.168.10.11:8006/"],
        [`https:\\\\root:${SECRET}@192.168.10.11:8006/`, "https:\\\\\\\\***@192.168.10.11:8006/"],
        [`https://root:${SECRET}@192.168.10.11:99999/`, "https://***@192.168.10.11:99999/"],
        [`ftp://root:${SECRET}@192.168.10.11/`, "ftp://***@192.168.10.11/"],
    ])("the Proxmox endpoint %s is refused, shown as %s", (url, shown) => {
        const text = refused(endpoint, url);
        expect(text).toContain(
            "cluster.endpoint: must not carry credentials; it has a user and password (user:password@): give the API token with " +
                `\`pulumi config set --secret homelab:proxmoxApiToken <value>\` or PROXMOX_VE_API_TOKEN, then ${ROTATE}, got "${shown}"\n`,
        );
        expect(text).not.toContain(SECRET);
    });

    it("an image URL with a token in its query is refused, the token hidden", () => {
        const text = refused(image, `https://images.example.org/debian.qcow2?token=${SECRET}`);
        expect(text).toContain(
            `images.debian-13-cloud.url: must not carry credentials; it has a credential in its query (token=): use a URL every node can download from without a credential, then ${ROTATE}, got "https://images.example.org/debian.qcow2?token=***"\n`,
        );
        expect(text).not.toContain(SECRET);
    });

    it("an S3 endpoint with a user and password is refused, naming the offsite key's config", () => {
        const text = refused(offsite, `https://keyid:${SECRET}@s3.us-west-004.backblazeb2.com`);
        expect(text).toContain(
            "offsite.endpoint: must not carry credentials; it has a user and password (user:password@): give the key with " +
                "`pulumi config set --secret homelab:offsiteAccessKeyId <value>` and `... homelab:offsiteSecretAccessKey <value>` " +
                `(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), then ${ROTATE}, got "https://***@s3.us-west-004.backblazeb2.com"\n`,
        );
        expect(text).not.toContain(SECRET);
    });

    it("a URL with spaces around it is refused, not trimmed silently", () => {
        expect(refused(endpoint, "https://192.168.10.11:8006/ ")).toContain(
            'cluster.endpoint: must be an https:// URL of the Proxmox API, such as https://192.168.10.11:8006/ (no spaces, tabs or line breaks; a space in a path is %20), got "https://192.168.10.11:8006/ "\n',
        );
    });
});
