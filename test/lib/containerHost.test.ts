import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    ContainerHostSpec,
    KEYS_BEGIN,
    KEYS_END,
    authorizedKeysScript,
    containerHostDeleteScript,
    containerHostScript,
    mountValue,
    validateContainerHostSpec,
} from "../../lib/containerHost";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFNptuM5fbXDmgmM4XDvh/bZRCtFLLUyxEdK6+BhGtUW operator@workstation";
const SPEC: ContainerHostSpec = {
    vmid: 30050,
    mounts: [
        { hostPath: "/tank/cloud", containerPath: "/srv/shares/cloud", readOnly: false },
        { hostPath: "/tank/photos", containerPath: "/srv/shares/photos", readOnly: true },
    ],
    managedRoots: ["/tank", "/rpool/appdata"],
    sshPublicKeys: [KEY],
};

describe("validateContainerHostSpec", () => {
    it.each([
        [{ ...SPEC, vmid: 99 }, "[vmid] must be a VMID from 100, got 99"],
        [
            { ...SPEC, mounts: [{ hostPath: "/tank/x;reboot", containerPath: "/mnt/x", readOnly: false }] },
            "[mounts[0].hostPath] must be a safe absolute path",
        ],
        [
            { ...SPEC, mounts: [{ hostPath: "/tank/x", containerPath: "/mnt/a,mp=/etc", readOnly: false }] },
            "[mounts[0].containerPath] must be a safe absolute path",
        ],
        [
            { ...SPEC, mounts: [{ hostPath: "/etc", containerPath: "/mnt/etc", readOnly: false }] },
            "[mounts[0].hostPath] must lie under a managed root (/tank, /rpool/appdata)",
        ],
        [
            { ...SPEC, mounts: [SPEC.mounts[0], { ...SPEC.mounts[1], containerPath: "/srv/shares/cloud" }] },
            "[mounts[1].containerPath] must be unique",
        ],
        [{ ...SPEC, managedRoots: ["/"] }, "[managedRoots[0]] must be a safe absolute path other than /"],
        [{ ...SPEC, sshPublicKeys: ["ssh-ed25519 AAAA'; reboot; '"] }, "[sshPublicKeys[0]] must be an OpenSSH public key line"],
    ])("refuses %j", (spec, message) => {
        expect(() => validateContainerHostSpec(spec)).toThrow(message);
    });

    it("writes a bind mount as Proxmox stores it", () => {
        expect(mountValue(SPEC.mounts[0])).toBe("/tank/cloud,mp=/srv/shares/cloud");
        expect(mountValue(SPEC.mounts[1])).toBe("/tank/photos,mp=/srv/shares/photos,ro=1");
    });

    it("quotes every mount and key into the script", () => {
        const script = containerHostScript(SPEC);
        expect(script).toContain("VMID='30050'");
        expect(script).toContain("WANTED=$(printf '%s\\n' '/tank/cloud,mp=/srv/shares/cloud' '/tank/photos,mp=/srv/shares/photos,ro=1')");
        expect(script).toContain("ROOTS=$(printf '%s\\n' '/tank' '/rpool/appdata')");
        expect(authorizedKeysScript([KEY])).toContain(`'${KEYS_BEGIN}' '${KEY}' '${KEYS_END}'`);
    });
});

// Run against a recording stand-in for `pct` (test/lib/standins/pct): it stores the config as
// pve-container does and records each call, so these tests prove what the script asks Proxmox to do
// and that it converges; they say nothing about Proxmox's hot-plugging.
describe("the container host script against a recording pct stand-in", () => {
    let state: string;
    const standins = path.join(__dirname, "standins");
    const conf = () => fs.readFileSync(path.join(state, "30050.conf"), "utf8");
    const calls = () =>
        fs.existsSync(path.join(state, "calls")) ? fs.readFileSync(path.join(state, "calls"), "utf8").trim().split("\n") : [];
    const run = (script: string) =>
        execFileSync("sh", ["-c", script], {
            env: { ...process.env, PATH: `${standins}:${process.env.PATH}`, PCT_STATE: state },
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    const write = (lines: string[]) => fs.writeFileSync(path.join(state, "30050.conf"), lines.join("\n") + "\n");

    beforeEach(() => {
        state = fs.mkdtempSync(path.join(os.tmpdir(), "pct-"));
    });
    afterEach(() => fs.rmSync(state, { recursive: true, force: true }));

    it("adds the wanted mounts at the lowest free mpN, lifting protection only for the change", () => {
        write(["arch: amd64", "mp1: local-zfs:subvol-30050-disk-1,mp=/var/cache,size=8G", "protection: 1"]);
        run(containerHostScript({ ...SPEC, sshPublicKeys: [] }));
        expect(
            conf()
                .split("\n")
                .filter((l) => l.startsWith("mp"))
                .sort(),
        ).toEqual([
            "mp0: /tank/cloud,mp=/srv/shares/cloud",
            "mp1: local-zfs:subvol-30050-disk-1,mp=/var/cache,size=8G",
            "mp2: /tank/photos,mp=/srv/shares/photos,ro=1",
        ]);
        expect(conf()).toContain("protection: 1");
        expect(calls().filter((c) => c.includes("--protection"))).toEqual(["pct set 30050 --protection 0", "pct set 30050 --protection 1"]);
    });

    it("converges: a second run changes nothing", () => {
        write(["arch: amd64"]);
        run(containerHostScript({ ...SPEC, sshPublicKeys: [] }));
        const before = calls().length;
        run(containerHostScript({ ...SPEC, sshPublicKeys: [] }));
        expect(
            calls()
                .slice(before)
                .filter((c) => c.includes(" set ")),
        ).toEqual([]);
    });

    it("removes a managed mount no longer wanted, changes one whose options changed, and leaves mounts outside the managed roots alone", () => {
        write(["mp0: /tank/cloud,mp=/srv/shares/cloud,ro=1", "mp1: /tank/old,mp=/srv/old", "mp2: /mnt/pve/nfs,mp=/srv/nfs"]);
        run(containerHostScript({ ...SPEC, sshPublicKeys: [] }));
        const mps = conf()
            .split("\n")
            .filter((l) => l.startsWith("mp"))
            .sort();
        expect(mps).toEqual([
            "mp0: /tank/cloud,mp=/srv/shares/cloud",
            "mp1: /tank/photos,mp=/srv/shares/photos,ro=1",
            "mp2: /mnt/pve/nfs,mp=/srv/nfs",
        ]);
        expect(calls()).toContain("pct set 30050 --delete mp1");
    });

    it("refuses when a mount it does not manage already takes a wanted path, changing nothing", () => {
        write(["mp0: /mnt/pve/nfs,mp=/srv/shares/cloud"]);
        expect(() => run(containerHostScript({ ...SPEC, mounts: [SPEC.mounts[0]], sshPublicKeys: [] }))).toThrow(
            /already mounts \/mnt\/pve\/nfs at \/srv\/shares\/cloud/,
        );
        expect(conf()).toBe("mp0: /mnt/pve/nfs,mp=/srv/shares/cloud\n");
    });

    it("fails when the container does not exist, and the delete script then has nothing to do", () => {
        expect(() => run(containerHostScript(SPEC))).toThrow(/container 30050 does not exist on this node/);
        expect(run(containerHostDeleteScript(SPEC))).toBe("");
    });

    it("removes every managed mount on delete", () => {
        write(["mp0: /tank/cloud,mp=/srv/shares/cloud", "mp1: /mnt/pve/nfs,mp=/srv/nfs"]);
        run(containerHostDeleteScript(SPEC));
        expect(conf().trim()).toBe("mp1: /mnt/pve/nfs,mp=/srv/nfs");
    });

    it("rewrites only its own block of root's authorized_keys in a running container", () => {
        write(["arch: amd64"]);
        fs.writeFileSync(path.join(state, "30050.running"), "");
        fs.mkdirSync(path.join(state, "root-30050", ".ssh"), { recursive: true });
        const keys = path.join(state, "root-30050", ".ssh", "authorized_keys");
        fs.writeFileSync(keys, `ssh-ed25519 AAAAkept someone@else\n${KEYS_BEGIN}\nssh-ed25519 AAAAold old@key\n${KEYS_END}\n`);
        run(containerHostScript({ ...SPEC, mounts: [] }));
        expect(fs.readFileSync(keys, "utf8")).toBe(`ssh-ed25519 AAAAkept someone@else\n${KEYS_BEGIN}\n${KEY}\n${KEYS_END}\n`);
        expect(fs.statSync(keys).mode & 0o777).toBe(0o600);
    });
});
