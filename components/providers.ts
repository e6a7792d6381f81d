/**
 * The providers of a stack, built once from the credentials and passed down explicitly:
 *
 * - Proxmox through the program's own API token (`cluster.automation`, created by the Access
 *   component with exactly the privileges the inventory needs) for everything it can do, and
 *   `root@pam` (password) for that token's role, user and ACLs and for the guests whose inputs
 *   Proxmox reserves to root (lib/privilege.ts). Moving a guest from one to the other is an update
 *   through the new provider, never a replacement (the bridged provider marks no config key as
 *   forcing a provider replacement: E3).
 * - The first `up` (no token configured yet) is the bootstrap: the API-token provider is root@pam
 *   too, said in a warning, and the run creates the token (see components/access.ts).
 * - Cloudflare for public DNS, when the inventory has a `dns` section.
 * - The offsite bucket's access (`offsiteAccess`): its bucket-scoped key where the service has no
 *   IAM, and a Cloudflare provider for an R2 bucket's lifecycle. The bucket's own AWS provider is
 *   its child, made from its region and endpoint (components/offsiteBucket.ts).
 *
 * Credentials come from config/loader.ts (environment first, then secret stack config) and stay
 * secret Outputs all the way into the provider resources. Both Proxmox providers carry the nodes'
 * SSH login (uploads of cloud-init snippets, container idmaps).
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { rootPasswordNeeded } from "../config/credentials";
import { Credentials } from "../config/loader";
import { Inventory } from "../config/schema";
import { guestsNeedingRoot } from "../lib/privilege";
import { S3_SERVICE_FEATURES } from "../lib/s3Services";
import { CREDENTIAL_ENV, PROJECT } from "../config/stackfile";

/** The providers of a stack. */
export interface Providers {
    /** API token (`user@realm!token=secret`): every Proxmox resource that does not need root; root@pam while bootstrapping. */
    readonly api: proxmoxve.Provider;
    /** `root@pam` with a password: the automation role, user, token and ACLs, and the guests with root reasons. */
    readonly root: proxmoxve.Provider;
    /** No API token is configured yet: this run is the bootstrap, `api` logs in as root@pam and the run creates the token. */
    readonly bootstrap: boolean;
    /** Cloudflare, when the inventory has public DNS. */
    readonly cloudflare?: cloudflare.Provider;
    /** The SSH private key for the nodes, when one is configured (else the SSH agent). */
    readonly sshPrivateKey?: pulumi.Output<string>;
}

/** What the offsite bucket is given besides its inventory section. */
export interface OffsiteAccess {
    /**
     * The bucket-scoped key of a service without IAM (B2, MinIO, R2): the program manages the
     * bucket with it and hands it to PBS. Required there; unused on AWS and Wasabi, which mint a key
     * per writer with the ambient credentials of the provider (`AWS_ACCESS_KEY_ID`, a profile, ...).
     */
    readonly accessKeyId?: pulumi.Input<string>;
    /** The secret of `accessKeyId`; always handled as a secret. */
    readonly secretAccessKey?: pulumi.Input<string>;
    /**
     * The Cloudflare provider (an API token with R2 edit rights) that sets an R2 bucket's lifecycle
     * (`cloudflare.R2BucketLifecycle`): R2's lifecycle is not managed through the S3 API (S5).
     * Required on R2, unused elsewhere.
     */
    readonly cloudflareProvider?: cloudflare.Provider;
}

/** The providers a guest component picks from (a direct caller may leave out root when no guest needs it). */
export interface GuestProviders {
    readonly api: proxmoxve.Provider;
    readonly root?: proxmoxve.Provider;
}

export interface ProvidersOptions {
    /** Prefix of the Proxmox provider names (`<name>-api`, `<name>-root`). @default "proxmox" */
    readonly name?: string;
    /** The root@pam provider, when already built (`createRootProvider`). @default built here */
    readonly root?: proxmoxve.Provider;
    /** What the API-token provider waits for: the ACLs that grant its token (components/access.ts). @default [] */
    readonly apiDependsOn?: pulumi.Resource[];
}

/** The `ssh` block both Proxmox providers share: every node by name with its address and port, as root. */
function providerSsh(inv: Pick<Inventory, "nodes">, privateKey: pulumi.Output<string> | undefined): proxmoxve.types.input.ProviderSsh {
    return {
        // Snippet uploads and idmap edits run as root on the node.
        username: "root",
        nodes: Object.entries(inv.nodes).map(([name, node]) => ({ name, address: node.address, port: node.sshPort })),
        ...(privateKey !== undefined ? { privateKey } : { agent: true }),
    };
}

/**
 * An explicit empty API token, for a provider that logs in as root@pam. bpg reads
 * `PROXMOX_VE_API_TOKEN` from its environment in both provider halves, and a token wins over a
 * configured username and password (bpg `proxmox/api/credentials.go` NewCredentials); the program
 * reads its own token from that variable. An empty one is "no token" to bpg
 * (`proxmoxtf/provider/schema.go` api_token: "we allow empty string as a valid value, as it is
 * used to unset the token"; `provider.go` GetOkExists; fact P32). A fresh Output per provider: one
 * shared across runs would carry runtime state from one program run to the next.
 */
function noToken(): pulumi.Output<string> {
    return pulumi.secret("");
}

/** The root@pam password, or an error naming everything that needs it and both ways to set it. */
function rootPassword(inv: Inventory, credentials: Credentials): pulumi.Output<string> {
    const password = credentials.optional("proxmoxRootPassword");
    if (password !== undefined) return password;
    const guests = Object.entries(guestsNeedingRoot(inv.guests)).map(([guest, reasons]) => `${guest} (${reasons.join("; ")})`);
    throw new Error(
        `missing credential: the root@pam password, needed by the automation user ${inv.cluster.automation.user}, its role and ACLs${guests.length > 0 ? `, and by ${guests.join(", ")}` : ""}; set the environment variable ${CREDENTIAL_ENV.proxmoxRootPassword} or run \`pulumi config set --secret ${PROJECT}:proxmoxRootPassword <password>\``,
    );
}

/** The root@pam provider's resource name for a prefix (`proxmox-root`); the change report knows it by it. */
export function rootProviderName(prefix: string): string {
    return `${prefix}-root`;
}

/**
 * The root@pam provider (`<name>-root`). Throws when the password is missing, except in a preview
 * with an API token (config/credentials.ts rootPasswordNeeded): there it previews with the token,
 * and the preview lists the provider as updated (its inputs differ from the deployed ones, E3).
 */
export function createRootProvider(inv: Inventory, credentials: Credentials, name = "proxmox"): proxmoxve.Provider {
    const apiToken = credentials.optional("proxmoxApiToken");
    const password = credentials.optional("proxmoxRootPassword");
    if (password === undefined && apiToken !== undefined && !rootPasswordNeeded(pulumi.runtime.isDryRun() ? "preview" : "up", true)) {
        pulumi.log.warn(
            `No root@pam password in this preview (${CREDENTIAL_ENV.proxmoxRootPassword} or ${PROJECT}:proxmoxRootPassword): the root@pam provider previews with the API token, and the preview lists it as updated; \`pulumi up\` needs the password.`,
        );
        return new proxmoxve.Provider(rootProviderName(name), {
            endpoint: inv.cluster.endpoint,
            insecure: inv.cluster.insecure,
            apiToken,
            ssh: providerSsh(inv, credentials.optional("proxmoxSshPrivateKey")),
        });
    }
    return new proxmoxve.Provider(rootProviderName(name), {
        endpoint: inv.cluster.endpoint,
        insecure: inv.cluster.insecure,
        username: "root@pam",
        password: rootPassword(inv, credentials),
        apiToken: noToken(),
        ssh: providerSsh(inv, credentials.optional("proxmoxSshPrivateKey")),
    });
}

/**
 * Builds the providers the inventory needs. Throws when a needed credential is missing, naming
 * both ways to set it. Without an API token the run is the bootstrap (`Providers.bootstrap`).
 */
export function createProviders(inv: Inventory, credentials: Credentials, opts: ProvidersOptions = {}): Providers {
    const name = opts.name ?? "proxmox";
    const root = opts.root ?? createRootProvider(inv, credentials, name);
    const apiToken = credentials.optional("proxmoxApiToken");
    const sshPrivateKey = credentials.optional("proxmoxSshPrivateKey");
    const common = { endpoint: inv.cluster.endpoint, insecure: inv.cluster.insecure, ssh: providerSsh(inv, sshPrivateKey) };
    const bootstrap = apiToken === undefined;
    if (bootstrap) {
        const token = `${inv.cluster.automation.user}!${inv.cluster.automation.token}`;
        pulumi.log.warn(
            `No Proxmox API token is configured (${CREDENTIAL_ENV.proxmoxApiToken} or ${PROJECT}:proxmoxApiToken): this run is the bootstrap, and every Proxmox resource goes through root@pam. It creates the token ${token}; store it for every later run with: ${tokenCommand(pulumi.getStack())}`,
        );
    }
    const api = new proxmoxve.Provider(
        `${name}-api`,
        bootstrap
            ? { ...common, username: "root@pam", password: rootPassword(inv, credentials), apiToken: noToken() }
            : { ...common, apiToken },
        { dependsOn: opts.apiDependsOn ?? [] },
    );
    // One Cloudflare provider for the public DNS records and an R2 bucket's lifecycle alike.
    const cf =
        inv.dns || offsiteNeedsCloudflare(inv)
            ? new cloudflare.Provider("cloudflare", { apiToken: credentials.require("cloudflareApiToken") })
            : undefined;
    return { api, root, bootstrap, cloudflare: cf, sshPrivateKey };
}

/** The command that stores the token the program created as the stack's API token. */
export function tokenCommand(stack: string): string {
    return `pulumi config set --stack ${stack} --secret ${PROJECT}:proxmoxApiToken "$(pulumi stack output --stack ${stack} --show-secrets proxmoxApiToken)"`;
}

/** The Proxmox provider a guest uses: root@pam when it has reasons to, else the API token. */
export function guestProvider(where: string, reasons: readonly string[], providers: GuestProviders): proxmoxve.Provider {
    const provider = reasons.length > 0 ? providers.root : providers.api;
    if (provider === undefined) {
        throw new Error(
            `[${where}] needs root@pam (${reasons.join("; ")}) but no root provider was built; set the root password so createProviders builds it`,
        );
    }
    return provider;
}

/**
 * The offsite bucket's access from the credentials, or undefined without an `offsite` section: on a
 * service without IAM (B2, MinIO, R2) the bucket-scoped key (`AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY` or secret config `homelab:offsiteAccessKeyId` / `homelab:offsiteSecretAccessKey`);
 * on R2 the Cloudflare provider of its lifecycle: the stack's one (createProviders), given by the caller.
 * Throws when one of them is missing, naming both ways to set it.
 */
export function offsiteAccess(
    inv: Inventory,
    credentials: Credentials,
    cloudflareProvider?: cloudflare.Provider,
): OffsiteAccess | undefined {
    if (!inv.offsite) return undefined;
    const features = S3_SERVICE_FEATURES[inv.offsite.service];
    const keys = features.iam
        ? {}
        : {
              accessKeyId: credentials.require("offsiteAccessKeyId"),
              secretAccessKey: credentials.require("offsiteSecretAccessKey"),
          };
    // createProviders builds the one Cloudflare provider the stack has; a caller without it (a test
    // of the bucket alone) gets one built here the same way.
    const r2 = offsiteNeedsCloudflare(inv)
        ? (cloudflareProvider ?? new cloudflare.Provider("cloudflare", { apiToken: credentials.require("cloudflareApiToken") }))
        : undefined;
    return { ...keys, ...(r2 ? { cloudflareProvider: r2 } : {}) };
}

/** Whether the offsite bucket's service takes its lifecycle through the Cloudflare provider (R2). */
function offsiteNeedsCloudflare(inv: Inventory): boolean {
    return inv.offsite !== undefined && S3_SERVICE_FEATURES[inv.offsite.service].lifecycle.via === "r2";
}
