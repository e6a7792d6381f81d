/**
 * The cloud-init user data of the Proxmox Backup Server VM: a Debian 13 (trixie) cloud image that
 * installs Proxmox Backup Server 4 from the official repository on its first boot.
 *
 * - The repository is the PBS no-subscription repository of trixie (PBS 4 is built for Debian 13;
 *   PBS 3 was bookworm). Its signing keyring is downloaded from the URL the PBS documentation
 *   gives and installed only when its SHA-256 is the one the documentation pins
 *   (proxmox-backup `docs/package-repositories.rst`, "SecureApt"); otherwise the install stops.
 * - The SSH host key is the given ed25519 key pair, so the program can pin it (`connection.hostKey`)
 *   before the VM ever boots; cloud-init generates no other host key when `ssh_keys` is given.
 * - The login user gets the given authorized keys; passwords are off.
 *
 * Every value is validated first and the document is serialized by the `yaml` package as YAML 1.1
 * (cloud-init reads YAML 1.1: `yes`, `on`, `0755` are quoted), never by string concatenation.
 * The result holds the host's private key: upload it as a secret.
 */
import { stringify } from "yaml";
import { FieldError, refuse } from "../errors";
import { HOSTNAME_PATTERN, LINUX_USER_PATTERN } from "../patterns";

/** The Debian release of the PBS VM, and the PBS major built for it. */
const PBS_DEBIAN_SUITE = "trixie";
const PBS_MAJOR_VERSION = 4;

/** The Proxmox release keyring for trixie, as the PBS documentation names and pins it. */
export const PROXMOX_KEYRING_URL = "https://enterprise.proxmox.com/debian/proxmox-archive-keyring-trixie.gpg";
export const PROXMOX_KEYRING_SHA256 = "136673be77aba35dcce385b28737689ad64fd785a797e57897589aed08db6e45";
const PROXMOX_KEYRING_PATH = "/usr/share/keyrings/proxmox-archive-keyring.gpg";

/** The PBS repository as a deb822 stanza (`/etc/apt/sources.list.d/proxmox.sources`). */
const PBS_SOURCES_PATH = "/etc/apt/sources.list.d/proxmox.sources";
const PBS_SOURCES = [
    "Types: deb",
    "URIs: http://download.proxmox.com/debian/pbs",
    `Suites: ${PBS_DEBIAN_SUITE}`,
    "Components: pbs-no-subscription",
    `Signed-By: ${PROXMOX_KEYRING_PATH}`,
    "",
].join("\n");

/**
 * Debian packages installed before PBS: the guest agent (the VM's `agent` is on), the NFS client
 * for the datastore, `jq` for the setup scripts (lib/pbs/setup.ts read PBS's JSON with it) and
 * `wget` for the keyring.
 */
const BASE_PACKAGES = ["qemu-guest-agent", "nfs-common", "jq", "wget"] as const;

/** Where the install script lands on the VM (run once by cloud-init). */
export const INSTALL_SCRIPT_PATH = "/usr/local/sbin/homelab-install-pbs";

export interface PbsUserDataArgs {
    /** The VM's host name, a lowercase DNS label (`pbs`). */
    readonly hostname: string;
    /** Its fully qualified name (`pbs.lab.example.org`); PBS's certificate names it. @default hostname */
    readonly fqdn?: string;
    /** IANA time zone of the VM: PBS job schedules run in it. @default the image's (UTC) */
    readonly timezone?: string;
    /** The user the program logs in as. Root runs the setup directly; another user gets password-less sudo. @default "root" */
    readonly loginUser?: string;
    /** OpenSSH public key lines allowed to log in as `loginUser` (at least one). */
    readonly authorizedKeys: readonly string[];
    /** The host's ed25519 key pair: the unencrypted OpenSSH private key and its `ssh-ed25519 AAAA...` public line. */
    readonly hostKey: { readonly privateKey: string; readonly publicKey: string };
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TIMEZONE = /^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)*$/;
const PUBLIC_KEY = /^(?:ssh-(?:ed25519|rsa)|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/]+={0,3}(?: [\x20-\x7e]*)?$/;
const ED25519_PUBLIC = /^ssh-ed25519 ([A-Za-z0-9+/]+={0,3})(?: [\x20-\x7e]*)?$/;
const PRIVATE_KEY = /^-----BEGIN OPENSSH PRIVATE KEY-----\n((?:[A-Za-z0-9+/=]{1,76}\n)+)-----END OPENSSH PRIVATE KEY-----\n?$/;

/** Reads one SSH wire-format string (uint32 length, bytes) at `offset`. */
function sshString(buf: Buffer, offset: number): { value: Buffer; next: number } {
    if (offset + 4 > buf.length) throw new Error("truncated");
    const length = buf.readUInt32BE(offset);
    const end = offset + 4 + length;
    if (end > buf.length) throw new Error("truncated");
    return { value: buf.subarray(offset + 4, end), next: end };
}

/**
 * The public key blob inside an unencrypted `openssh-key-v1` private key (OpenSSH PROTOCOL.key:
 * magic, cipher, kdf, kdf options, key count, public keys, then the private section). Throws
 * when the key is not that, is encrypted, or holds more than one key.
 */
export function publicBlobOfPrivateKey(privateKey: string): Buffer {
    const m = PRIVATE_KEY.exec(privateKey);
    if (!m)
        refuse(
            "hostKey.privateKey",
            "must be an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY----- ... -----END OPENSSH PRIVATE KEY-----)",
        );
    const buf = Buffer.from(m[1].replace(/\n/g, ""), "base64");
    const magic = Buffer.from("openssh-key-v1\0", "latin1");
    if (!buf.subarray(0, magic.length).equals(magic)) refuse("hostKey.privateKey", "is not an openssh-key-v1 key");
    try {
        const cipher = sshString(buf, magic.length);
        if (cipher.value.toString("latin1") !== "none")
            refuse("hostKey.privateKey", "is encrypted with a passphrase; sshd needs the host key unencrypted (ssh-keygen -p -N '')");
        const kdf = sshString(buf, cipher.next);
        const kdfOptions = sshString(buf, kdf.next);
        if (kdfOptions.next + 4 > buf.length) throw new Error("truncated");
        const count = buf.readUInt32BE(kdfOptions.next);
        if (count !== 1) refuse("hostKey.privateKey", `must hold exactly one key, holds ${count}`);
        return sshString(buf, kdfOptions.next + 4).value;
    } catch (e) {
        if (e instanceof FieldError) throw e;
        return refuse("hostKey.privateKey", "is a truncated OpenSSH private key");
    }
}

/** Validates the arguments; throws naming the field, the value (never a private key) and the fix. */
function validateUserDataArgs(args: PbsUserDataArgs): Required<Omit<PbsUserDataArgs, "timezone">> & { timezone?: string } {
    if (typeof args.hostname !== "string" || !LABEL.test(args.hostname))
        refuse("hostname", "must be a lowercase DNS label such as pbs", args.hostname);
    const fqdn = args.fqdn ?? args.hostname;
    if (typeof fqdn !== "string" || !HOSTNAME_PATTERN.test(fqdn) || !(fqdn === args.hostname || fqdn.startsWith(`${args.hostname}.`)))
        refuse("fqdn", `must be a host name that starts with the hostname, such as ${args.hostname}.lab.example.org`, fqdn);
    if (args.timezone !== undefined && !TIMEZONE.test(args.timezone))
        refuse("timezone", "must be an IANA time zone such as Europe/Berlin", args.timezone);
    const loginUser = args.loginUser ?? "root";
    if (!LINUX_USER_PATTERN.test(loginUser)) refuse("loginUser", "must be a user name such as root or homelab", loginUser);
    if (!Array.isArray(args.authorizedKeys) || args.authorizedKeys.length === 0)
        refuse("authorizedKeys", "must list at least one OpenSSH public key, or nobody could log in");
    args.authorizedKeys.forEach((k, i) => {
        if (typeof k !== "string" || !PUBLIC_KEY.test(k))
            refuse(`authorizedKeys[${i}]`, "must be one OpenSSH public key line such as ssh-ed25519 AAAA... admin", k);
    });
    const publicMatch = ED25519_PUBLIC.exec(args.hostKey?.publicKey ?? "");
    if (!publicMatch)
        refuse("hostKey.publicKey", "must be an ed25519 public key line such as ssh-ed25519 AAAA... pbs", args.hostKey?.publicKey);
    const blob = publicBlobOfPrivateKey(args.hostKey.privateKey);
    if (!blob.equals(Buffer.from(publicMatch[1], "base64")))
        refuse("hostKey", "the public key is not the one of the private key; pin the public half of this very key pair");
    return {
        hostname: args.hostname,
        fqdn,
        timezone: args.timezone,
        loginUser,
        authorizedKeys: args.authorizedKeys,
        hostKey: args.hostKey,
    };
}

/**
 * The script cloud-init runs once: installs the keyring only when its SHA-256 is the pinned one,
 * adds the PBS repository, installs `proxmox-backup-server` without recommended packages (which
 * would swap the image's network stack for ifupdown2 and pull ZFS the VM does not use) and starts
 * the guest agent. Once the `proxmox-archive-keyring` package manages the keyring its hash may
 * change (the PBS documentation says so), so an installed package skips the check.
 */
export function pbsInstallScript(): string {
    return [
        "#!/bin/sh",
        `# homelab: install Proxmox Backup Server ${PBS_MAJOR_VERSION} (Debian ${PBS_DEBIAN_SUITE}) from the official repository`,
        "set -eu",
        `KEYRING='${PROXMOX_KEYRING_PATH}'`,
        `KEYRING_URL='${PROXMOX_KEYRING_URL}'`,
        `KEYRING_SHA256='${PROXMOX_KEYRING_SHA256}'`,
        "if ! dpkg-query -W -f '${Status}' proxmox-archive-keyring 2>/dev/null | grep -q 'install ok installed'; then",
        "    TMP=$(mktemp)",
        "    trap 'rm -f \"$TMP\"' EXIT",
        '    wget -q -O "$TMP" "$KEYRING_URL"',
        '    if ! printf \'%s  %s\\n\' "$KEYRING_SHA256" "$TMP" | sha256sum -c --status; then',
        '        echo "homelab: the Proxmox keyring from $KEYRING_URL does not have the pinned SHA-256 $KEYRING_SHA256; not installing anything" >&2',
        "        exit 1",
        "    fi",
        '    install -m 0644 "$TMP" "$KEYRING"',
        "fi",
        `cat > '${PBS_SOURCES_PATH}' <<'HOMELAB_SOURCES'`,
        PBS_SOURCES.trimEnd(),
        "HOMELAB_SOURCES",
        "apt-get update",
        "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends proxmox-backup-server",
        "systemctl enable --now qemu-guest-agent",
        "",
    ].join("\n");
}

/** The user data document (`#cloud-config` and YAML 1.1). Throws on any invalid argument. */
export function pbsUserData(args: PbsUserDataArgs): string {
    const a = validateUserDataArgs(args);
    const root = a.loginUser === "root";
    const user = root
        ? { name: "root", ssh_authorized_keys: [...a.authorizedKeys] }
        : {
              name: a.loginUser,
              shell: "/bin/bash",
              lock_passwd: true,
              sudo: "ALL=(ALL) NOPASSWD:ALL",
              ssh_authorized_keys: [...a.authorizedKeys],
          };
    const privateKey = a.hostKey.privateKey.endsWith("\n") ? a.hostKey.privateKey : `${a.hostKey.privateKey}\n`;
    const doc = {
        hostname: a.hostname,
        fqdn: a.fqdn,
        manage_etc_hosts: true,
        ...(a.timezone !== undefined ? { timezone: a.timezone } : {}),
        // The pinned host key; with ssh_keys given, cloud-init generates no other host key.
        ssh_deletekeys: true,
        ssh_keys: { ed25519_private: privateKey, ed25519_public: a.hostKey.publicKey },
        ssh_pwauth: false,
        disable_root: !root,
        users: [user],
        package_update: true,
        packages: [...BASE_PACKAGES],
        write_files: [{ path: INSTALL_SCRIPT_PATH, owner: "root:root", permissions: "0755", content: pbsInstallScript() }],
        runcmd: [[INSTALL_SCRIPT_PATH]],
    };
    return `#cloud-config\n${stringify(doc, { version: "1.1", lineWidth: 0 })}`;
}
