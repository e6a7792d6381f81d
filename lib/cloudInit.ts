/**
 * Cloud-init user data for VMs the program gives a snippet (`cicustom: user=`). A user snippet
 * replaces Proxmox's generated user data entirely (qemu-server `Cloudinit.pm`), so the login user,
 * its keys and the hostname are stated here; the network still comes from Proxmox's ipconfig.
 * Every cloud-init VM installs and starts `qemu-guest-agent` this way, which is why the agent is on
 * for them (P11). Pure: YAML is serialized with the `yaml` package, never concatenated.
 */
import { stringify } from "yaml";
import { HOSTNAME_PATTERN, LINUX_USER_PATTERN, SSH_PUBLIC_KEY_PATTERN } from "./patterns";

export interface UserDataSpec {
    /** Short hostname (the guest's name). */
    readonly hostname: string;
    /** Search domain; the FQDN is `<hostname>.<domain>`. */
    readonly domain: string;
    /** The login user. */
    readonly user: string;
    /** Its public SSH keys. */
    readonly sshPublicKeys: readonly string[];
    /** Packages to install besides qemu-guest-agent. @default [] */
    readonly packages?: readonly string[];
}

/** The `#cloud-config` document of a VM. */
export function userData(spec: UserDataSpec): string {
    if (!HOSTNAME_PATTERN.test(spec.hostname) || !HOSTNAME_PATTERN.test(spec.domain))
        throw new Error(`[cloudInit] hostname and domain must be DNS names, got ${JSON.stringify(`${spec.hostname}.${spec.domain}`)}`);
    if (!LINUX_USER_PATTERN.test(spec.user))
        throw new Error(`[cloudInit.user] must be a Linux user name, got ${JSON.stringify(spec.user)}`);
    spec.sshPublicKeys.forEach((k, i) => {
        if (!SSH_PUBLIC_KEY_PATTERN.test(k)) throw new Error(`[sshPublicKeys[${i}]] must be an OpenSSH public key line`);
    });
    const doc = {
        hostname: spec.hostname,
        fqdn: `${spec.hostname}.${spec.domain}`,
        manage_etc_hosts: true,
        users: [
            {
                name: spec.user,
                groups: ["sudo"],
                shell: "/bin/bash",
                sudo: "ALL=(ALL) NOPASSWD:ALL",
                lock_passwd: true,
                ssh_authorized_keys: [...spec.sshPublicKeys],
            },
        ],
        ssh_pwauth: false,
        package_update: true,
        packages: ["qemu-guest-agent", ...(spec.packages ?? [])],
        runcmd: [["systemctl", "enable", "--now", "qemu-guest-agent"]],
    };
    return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
