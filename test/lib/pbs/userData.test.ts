/**
 * The PBS VM's user data: exact document, YAML 1.1 as cloud-init reads it, valid against
 * cloud-init's own schema (vendored from Debian's cloud-init package, test/fixtures/README.md),
 * and every input validated before anything is serialized.
 */
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
    INSTALL_SCRIPT_PATH,
    PROXMOX_KEYRING_SHA256,
    PROXMOX_KEYRING_URL,
    PbsUserDataArgs,
    pbsInstallScript,
    pbsUserData,
    publicBlobOfPrivateKey,
} from "../../../lib/pbs/userData";
import { shellcheck } from "../../helpers/shellcheck";
import { ADMIN_PUBLIC_KEY, ENCRYPTED_PRIVATE_KEY, HOST_PRIVATE_KEY, HOST_PUBLIC_KEY, OTHER_PUBLIC_KEY } from "./keys";

const ARGS: PbsUserDataArgs = {
    hostname: "pbs",
    fqdn: "pbs.lab.example.org",
    timezone: "Europe/Berlin",
    authorizedKeys: [ADMIN_PUBLIC_KEY],
    hostKey: { privateKey: HOST_PRIVATE_KEY, publicKey: HOST_PUBLIC_KEY },
};

/** cloud-init's schema for #cloud-config (draft-04 by its label; ajv checks the keywords it uses). */
function cloudConfigValidator() {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "../../fixtures/cloud-config.schema.json"), "utf8")) as Record<
        string,
        unknown
    >;
    delete schema.$schema;
    return new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
}

describe("pbsUserData", () => {
    it("is a #cloud-config document that parses (YAML 1.1, as cloud-init reads it) to exactly the intended config", () => {
        const text = pbsUserData(ARGS);
        expect(text.startsWith("#cloud-config\n")).toBe(true);
        expect(parse(text, { version: "1.1" })).toEqual({
            hostname: "pbs",
            fqdn: "pbs.lab.example.org",
            manage_etc_hosts: true,
            timezone: "Europe/Berlin",
            ssh_deletekeys: true,
            ssh_keys: { ed25519_private: HOST_PRIVATE_KEY, ed25519_public: HOST_PUBLIC_KEY },
            ssh_pwauth: false,
            disable_root: false,
            users: [{ name: "root", ssh_authorized_keys: [ADMIN_PUBLIC_KEY] }],
            package_update: true,
            packages: ["qemu-guest-agent", "nfs-common", "jq", "wget"],
            write_files: [{ path: INSTALL_SCRIPT_PATH, owner: "root:root", permissions: "0755", content: pbsInstallScript() }],
            runcmd: [[INSTALL_SCRIPT_PATH]],
        });
    });

    it("is valid against cloud-init's schema, and the schema check really checks", () => {
        const validate = cloudConfigValidator();
        const config = parse(pbsUserData(ARGS), { version: "1.1" }) as Record<string, unknown>;
        expect(validate(config)).toBe(true);
        expect(validate.errors ?? []).toEqual([]);
        expect(validate({ ...config, ssh_keys: { ed25519_secret: "x" } })).toBe(false);
    });

    it("quotes what YAML 1.1 would read as another type (the mode 0755 stays a string)", () => {
        expect(pbsUserData(ARGS)).toContain('permissions: "0755"');
    });

    it("gives a user other than root password-less sudo and keeps root's login off", () => {
        const config = parse(pbsUserData({ ...ARGS, loginUser: "homelab", timezone: undefined }), { version: "1.1" }) as Record<
            string,
            unknown
        >;
        expect(config.users).toEqual([
            {
                name: "homelab",
                shell: "/bin/bash",
                lock_passwd: true,
                sudo: "ALL=(ALL) NOPASSWD:ALL",
                ssh_authorized_keys: [ADMIN_PUBLIC_KEY],
            },
        ]);
        expect(config.disable_root).toBe(true);
        expect(config).not.toHaveProperty("timezone");
        expect(cloudConfigValidator()(config)).toBe(true);
    });

    it("keeps a hostile-looking but valid comment of a key as data, not YAML", () => {
        const key = `${ADMIN_PUBLIC_KEY.split(" ").slice(0, 2).join(" ")} admin: {evil: true} # x`;
        const config = parse(pbsUserData({ ...ARGS, authorizedKeys: [key] }), { version: "1.1" }) as {
            users: { ssh_authorized_keys: string[] }[];
        };
        expect(config.users[0].ssh_authorized_keys).toEqual([key]);
    });

    it.each([
        [{ hostname: "PBS" }, '[hostname] must be a lowercase DNS label such as pbs, got "PBS"'],
        [{ hostname: "pbs\nruncmd: [reboot]" }, '[hostname] must be a lowercase DNS label such as pbs, got "pbs\\nruncmd: [reboot]"'],
        [
            { fqdn: "backup.lab.example.org" },
            '[fqdn] must be a host name that starts with the hostname, such as pbs.lab.example.org, got "backup.lab.example.org"',
        ],
        [{ timezone: "Europe/Berlin; reboot" }, '[timezone] must be an IANA time zone such as Europe/Berlin, got "Europe/Berlin; reboot"'],
        [{ loginUser: "root\n" }, '[loginUser] must be a user name such as root or homelab, got "root\\n"'],
        [{ authorizedKeys: [] }, "[authorizedKeys] must list at least one OpenSSH public key, or nobody could log in"],
        [
            { authorizedKeys: [`${ADMIN_PUBLIC_KEY}\nssh-rsa AAAA intruder`] },
            "[authorizedKeys[0]] must be one OpenSSH public key line such as ssh-ed25519 AAAA... admin",
        ],
        [
            { hostKey: { privateKey: HOST_PRIVATE_KEY, publicKey: "ssh-rsa AAAAB3Nza pbs" } },
            '[hostKey.publicKey] must be an ed25519 public key line such as ssh-ed25519 AAAA... pbs, got "ssh-rsa AAAAB3Nza pbs"',
        ],
        [
            { hostKey: { privateKey: HOST_PRIVATE_KEY, publicKey: OTHER_PUBLIC_KEY } },
            "[hostKey] the public key is not the one of the private key; pin the public half of this very key pair",
        ],
        [
            { hostKey: { privateKey: ENCRYPTED_PRIVATE_KEY, publicKey: HOST_PUBLIC_KEY } },
            "[hostKey.privateKey] is encrypted with a passphrase; sshd needs the host key unencrypted (ssh-keygen -p -N '')",
        ],
        [
            { hostKey: { privateKey: "not a key", publicKey: HOST_PUBLIC_KEY } },
            "[hostKey.privateKey] must be an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY----- ... -----END OPENSSH PRIVATE KEY-----)",
        ],
    ])("refuses bad input before serializing anything (%#)", (change, message) => {
        expect(() => pbsUserData({ ...ARGS, ...change } as PbsUserDataArgs)).toThrow(message);
    });

    it("never puts the private key into an error message", () => {
        let message = "";
        try {
            pbsUserData({ ...ARGS, hostKey: { privateKey: HOST_PRIVATE_KEY, publicKey: OTHER_PUBLIC_KEY } });
        } catch (e) {
            message = String(e);
        }
        expect(message).not.toContain("PRIVATE KEY");
        expect(message).not.toContain(HOST_PRIVATE_KEY.split("\n")[1]);
    });

    it("reads the public key out of an OpenSSH private key (PROTOCOL.key)", () => {
        expect(publicBlobOfPrivateKey(HOST_PRIVATE_KEY).toString("base64")).toBe(HOST_PUBLIC_KEY.split(" ")[1]);
    });
});

describe("pbsInstallScript", () => {
    const script = pbsInstallScript();

    it("pins the keyring by the SHA-256 the PBS documentation gives for trixie (docs/package-repositories.rst) and stops on a mismatch", () => {
        expect(PROXMOX_KEYRING_URL).toBe("https://enterprise.proxmox.com/debian/proxmox-archive-keyring-trixie.gpg");
        expect(PROXMOX_KEYRING_SHA256).toBe("136673be77aba35dcce385b28737689ad64fd785a797e57897589aed08db6e45");
        expect(script).toContain(`KEYRING_SHA256='${PROXMOX_KEYRING_SHA256}'`);
        expect(script).toContain('    if ! printf \'%s  %s\\n\' "$KEYRING_SHA256" "$TMP" | sha256sum -c --status; then\n');
        expect(script).toContain("        exit 1\n");
        // the keyring is installed only after the check, and apt only after the keyring
        expect(script.indexOf("sha256sum -c")).toBeLessThan(script.indexOf('install -m 0644 "$TMP" "$KEYRING"'));
        expect(script.indexOf('install -m 0644 "$TMP" "$KEYRING"')).toBeLessThan(script.indexOf("apt-get update"));
    });

    it("adds the PBS 4 no-subscription repository for trixie, signed by that keyring, then installs PBS without recommends", () => {
        expect(script).toContain(
            "cat > '/etc/apt/sources.list.d/proxmox.sources' <<'HOMELAB_SOURCES'\nTypes: deb\nURIs: http://download.proxmox.com/debian/pbs\nSuites: trixie\nComponents: pbs-no-subscription\nSigned-By: /usr/share/keyrings/proxmox-archive-keyring.gpg\nHOMELAB_SOURCES\n",
        );
        expect(script).toContain("DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends proxmox-backup-server\n");
        expect(script.endsWith("systemctl enable --now qemu-guest-agent\n")).toBe(true);
    });

    it("is shellcheck-clean", () => expect(shellcheck(script)).toEqual([]));
});
