/**
 * The providers of a stack, built once from the credentials and passed down explicitly:
 *
 * - Proxmox through an API token for everything it can do, and `root@pam` (password) only for
 *   guests whose inputs Proxmox reserves to root (lib/privilege.ts). Moving a guest from one to
 *   the other is an update through the new provider, never a replacement (the bridged provider
 *   marks no config key as forcing a provider replacement; facts, engine A4).
 * - Cloudflare for public DNS, when the inventory has a `dns` section.
 *
 * Credentials come from config/loader.ts (environment first, then secret stack config) and stay
 * secret Outputs all the way into the provider resources. Both Proxmox providers carry the nodes'
 * SSH login (uploads of cloud-init snippets, container idmaps).
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { Credentials } from "../config/loader";
import { Inventory } from "../config/schema";
import { guestsNeedingRoot } from "../lib/privilege";
import { CREDENTIAL_ENV, PROJECT } from "../config/stackfile";

/** The providers of a stack. */
export interface Providers {
    /** API token (`user@realm!token=secret`): every Proxmox resource that does not need root. */
    readonly api: proxmoxve.Provider;
    /** `root@pam` with a password: only guests with root reasons. Absent when none needs it. */
    readonly root?: proxmoxve.Provider;
    /** Cloudflare, when the inventory has public DNS. */
    readonly cloudflare?: cloudflare.Provider;
    /** The SSH private key for the nodes, when one is configured (else the SSH agent). */
    readonly sshPrivateKey?: pulumi.Output<string>;
}

export interface ProvidersOptions {
    /** Prefix of the Proxmox provider names (`<name>-api`, `<name>-root`). @default "proxmox" */
    readonly name?: string;
    /** Build the root provider even when no guest needs it. @default false */
    readonly forceRoot?: boolean;
}

/** The `ssh` block both Proxmox providers share: every node by name with its address and port, as root. */
export function providerSsh(
    inv: Pick<Inventory, "nodes">,
    privateKey: pulumi.Output<string> | undefined,
): proxmoxve.types.input.ProviderSsh {
    return {
        // Snippet uploads and idmap edits run as root on the node.
        username: "root",
        nodes: Object.entries(inv.nodes).map(([name, node]) => ({ name, address: node.address, port: node.sshPort })),
        ...(privateKey !== undefined ? { privateKey } : { agent: true }),
    };
}

/**
 * Builds the providers the inventory needs. Throws when a needed credential is missing, naming
 * both ways to set it.
 */
export function createProviders(inv: Inventory, credentials: Credentials, opts: ProvidersOptions = {}): Providers {
    const name = opts.name ?? "proxmox";
    const apiToken = credentials.require("proxmoxApiToken");
    const sshPrivateKey = credentials.optional("proxmoxSshPrivateKey");
    const ssh = providerSsh(inv, sshPrivateKey);
    const common = { endpoint: inv.cluster.endpoint, insecure: inv.cluster.insecure };

    const api = new proxmoxve.Provider(`${name}-api`, { ...common, apiToken, ssh });

    const needing = guestsNeedingRoot(inv.guests);
    let root: proxmoxve.Provider | undefined;
    if (opts.forceRoot || Object.keys(needing).length > 0) {
        const password = credentials.optional("proxmoxRootPassword");
        if (password === undefined) {
            const who = Object.entries(needing)
                .map(([guest, reasons]) => `${guest} (${reasons.join("; ")})`)
                .join(", ");
            throw new Error(
                `missing credential: the root@pam password, needed by ${who || "forceRoot"}; set the environment variable ${CREDENTIAL_ENV.proxmoxRootPassword} or run \`pulumi config set --secret ${PROJECT}:proxmoxRootPassword <password>\``,
            );
        }
        root = new proxmoxve.Provider(`${name}-root`, { ...common, username: "root@pam", password, ssh });
    }
    const cf = inv.dns ? new cloudflare.Provider("cloudflare", { apiToken: credentials.require("cloudflareApiToken") }) : undefined;
    return { api, root, cloudflare: cf, sshPrivateKey };
}

/** The Proxmox provider a guest uses: root@pam when it has reasons to, else the API token. */
export function guestProvider(where: string, reasons: readonly string[], providers: Pick<Providers, "api" | "root">): proxmoxve.Provider {
    const provider = reasons.length > 0 ? providers.root : providers.api;
    if (provider === undefined) {
        throw new Error(
            `[${where}] needs root@pam (${reasons.join("; ")}) but no root provider was built; set the root password so createProviders builds it`,
        );
    }
    return provider;
}
