/**
 * The first `up` on a cluster with only root@pam: no API token is configured, so the whole program
 * runs through root@pam, says so, creates the token and exports it (secret) with the command that
 * stores it. Recorded under the mock runtime, as the offline plan runs it.
 */
import * as pulumi from "@pulumi/pulumi";
import { readCredentials } from "../../config/loader";
import { runPolicies } from "../../tools/policy/runner";
import { deployHomelab } from "../../program";
import { Recording, record } from "../helpers/harness";
import { credentialConfig, referenceInventory } from "./reference";

const PROVIDER = "pulumi:providers:proxmoxve";

let recording: Recording;
let outputs: Record<string, unknown>;
const warnings: string[] = [];

beforeAll(async () => {
    const creds = credentialConfig();
    delete creds.config["homelab:proxmoxApiToken"];
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
        warnings.push(message);
    });
    try {
        const inv = referenceInventory();
        ({ recording, outputs } = await record(() => deployHomelab(inv, readCredentials()), {
            config: creds.config,
            secretKeys: creds.secretKeys.filter((k) => k !== "homelab:proxmoxApiToken"),
        }));
    } finally {
        warn.mockRestore();
    }
});

describe("the bootstrap: the first up without an API token", () => {
    it("logs in as root@pam through both Proxmox providers, with an empty token so none from the environment is taken (P32)", () => {
        const providers = recording.ofType(PROVIDER);
        expect(providers.map((p) => [p.name, p.inputs.username, p.inputs.password, p.inputs.apiToken]).sort()).toEqual([
            ["proxmox-api", "root@pam", "test-proxmoxRootPassword", ""],
            ["proxmox-root", "root@pam", "test-proxmoxRootPassword", ""],
        ]);
        for (const p of providers) expect(p.secretPaths).toEqual(expect.arrayContaining(["apiToken", "password"]));
    });

    it("says so once, naming the token it creates and the command that stores it", () => {
        expect(warnings).toEqual([
            "No Proxmox API token is configured (PROXMOX_VE_API_TOKEN or homelab:proxmoxApiToken): this run is the bootstrap, and every Proxmox resource goes through root@pam. " +
                'It creates the token homelab@pve!homelab; store it for every later run with: pulumi config set --stack test --secret homelab:proxmoxApiToken "$(pulumi stack output --stack test --show-secrets proxmoxApiToken)"',
        ]);
    });

    it("registers the whole homelab and the token's access as a later run does, and exports the token only as a secret", () => {
        expect(recording.ofType("proxmoxve:index/containerLegacy:ContainerLegacy")).toHaveLength(7);
        expect(recording.ofType("proxmoxve:index/vmLegacy:VmLegacy")).toHaveLength(3);
        expect(recording.ofType("proxmoxve:index/acl:Acl")).toHaveLength(16);
        expect(recording.ofType("proxmoxve:user/token:Token").map((t) => t.inputs.tokenName)).toEqual(["homelab"]);
        expect(outputs.proxmoxApiToken).toBe("[secret]");
        expect(recording.ofType("pulumi:pulumi:Stack")[0].outputSecretPaths).toContain("proxmoxApiToken");
        expect(outputs.proxmoxApiTokenCommand).toBe(
            'pulumi config set --stack test --secret homelab:proxmoxApiToken "$(pulumi stack output --stack test --show-secrets proxmoxApiToken)"',
        );
    });

    it("passes the policy pack as a later run does", () => {
        expect(runPolicies(recording.resources).violations).toEqual([]);
    });
});
