import { parse } from "yaml";
import { userData } from "../../lib/cloudInit";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFNptuM5fbXDmgmM4XDvh/bZRCtFLLUyxEdK6+BhGtUW operator@workstation";

describe("cloud-init user data", () => {
    // A user snippet replaces Proxmox's generated user data (qemu-server Cloudinit.pm): user, keys and hostname live here.
    it("states the host, the login user with its keys, and installs and starts the QEMU guest agent (P11)", () => {
        const text = userData({
            hostname: "pbs",
            domain: "lab.example.org",
            user: "debian",
            sshPublicKeys: [KEY],
            packages: ["nfs-common"],
        });
        expect(text.startsWith("#cloud-config\n")).toBe(true);
        expect(parse(text)).toEqual({
            hostname: "pbs",
            fqdn: "pbs.lab.example.org",
            manage_etc_hosts: true,
            users: [
                {
                    name: "debian",
                    groups: ["sudo"],
                    shell: "/bin/bash",
                    sudo: "ALL=(ALL) NOPASSWD:ALL",
                    lock_passwd: true,
                    ssh_authorized_keys: [KEY],
                },
            ],
            ssh_pwauth: false,
            package_update: true,
            packages: ["qemu-guest-agent", "nfs-common"],
            runcmd: [["systemctl", "enable", "--now", "qemu-guest-agent"]],
        });
    });

    it("refuses values that are not what they claim, rather than writing them into YAML", () => {
        expect(() => userData({ hostname: "pbs\nruncmd: [reboot]", domain: "lab.example.org", user: "debian", sshPublicKeys: [] })).toThrow(
            "[cloudInit] hostname and domain",
        );
        expect(() => userData({ hostname: "pbs", domain: "lab.example.org", user: "root;x", sshPublicKeys: [] })).toThrow(
            "[cloudInit.user]",
        );
        expect(() => userData({ hostname: "pbs", domain: "lab.example.org", user: "debian", sshPublicKeys: ["not a key"] })).toThrow(
            "[sshPublicKeys[0]]",
        );
    });
});
