/**
 * The two Proxmox connections: a scoped API token for everything it can do, and `root@pam` for
 * what Proxmox reserves to root (host bind mounts, feature flags other than `nesting`, device
 * passthrough into containers). The root provider exists only when some guest needs it.
 *
 * Credentials come from the environment or secret stack config (config/loader.ts) and stay
 * secret Outputs all the way into the provider resources.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { optionalCredential, requireCredential } from "../config/loader";
import { Inventory } from "../config/schema";
import { CREDENTIAL_ENV, PROJECT } from "../config/stackfile";
import { guestsNeedingRoot } from "./privilege";

/** The Proxmox providers of a stack. */
export interface ProxmoxProviders {
    /** API token (`user@realm!token=secret`): every resource that does not need root. */
    readonly api: proxmoxve.Provider;
    /** `root@pam` with a password: only guests whose `rootReasons` is non-empty. Absent when none needs it. */
    readonly root?: proxmoxve.Provider;
    /** The SSH private key both providers use for the nodes, when one is configured (else the SSH agent). */
    readonly sshPrivateKey?: pulumi.Output<string>;
}

export interface ProxmoxProvidersOptions {
    /** Prefix of the provider resource names (`<name>-api`, `<name>-root`). @default "proxmox" */
    readonly name?: string;
    /** Build the root provider even when no guest needs it. @default false */
    readonly forceRoot?: boolean;
}

/** The `ssh` block both providers share: every node by name with its address and port, as root. */
export function providerSsh(inv: Inventory, privateKey: pulumi.Output<string> | undefined): proxmoxve.types.input.ProviderSsh {
    return {
        // ZFS and snippet operations of the provider run as root on the node.
        username: "root",
        nodes: Object.entries(inv.nodes).map(([name, node]) => ({ name, address: node.address, port: node.sshPort })),
        ...(privateKey !== undefined ? { privateKey } : { agent: true }),
    };
}

/**
 * Builds the API-token provider and, when some guest needs `root@pam`, the root provider.
 * Throws when a needed credential is missing, naming both ways to set it.
 */
export function createProxmoxProviders(inv: Inventory, opts: ProxmoxProvidersOptions = {}): ProxmoxProviders {
    const name = opts.name ?? "proxmox";
    const apiToken = requireCredential("proxmoxApiToken");
    const sshPrivateKey = optionalCredential("proxmoxSshPrivateKey");
    const ssh = providerSsh(inv, sshPrivateKey);
    const common = { endpoint: inv.cluster.endpoint, insecure: inv.cluster.insecure };

    const api = new proxmoxve.Provider(`${name}-api`, { ...common, apiToken, ssh });

    const needing = guestsNeedingRoot(inv);
    let root: proxmoxve.Provider | undefined;
    if (opts.forceRoot || Object.keys(needing).length > 0) {
        const password = optionalCredential("proxmoxRootPassword");
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
    return { api, root, sshPrivateKey };
}
