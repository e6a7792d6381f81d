/**
 * The PBS setup scripts of lib/pbs/setup.ts run for real, over real SSH, by the login shell,
 * against a recording stand-in of proxmox-backup-manager and proxmox-backup-debug
 * (stand-ins/pbs.js): Proxmox Backup Server cannot be installed here. The stand-in keeps what the
 * commands configure and answers `list --output-format json` with PBS's fields, so this proves
 * what the scripts call, in which order, with which arguments, and that they converge: a second
 * run calls nothing but reads. It does not prove PBS accepts those calls (the unit tests pin them
 * to PBS's CLI definitions). `mount`, `findmnt` and `systemctl` are stand-ins too (no NFS server
 * and no systemd here); the scripts' own shell, jq, awk and perl are real.
 */
import * as fs from "fs";
import * as path from "path";
import {
    accessScript,
    certFingerprintScript,
    datastoreScript,
    namespacesScript,
    nfsMountScript,
    offsiteScript,
    pruneJobsScript,
    readyScript,
    verifyJobScript,
} from "../../lib/pbs/setup";
import { shellQuote } from "../../lib/shell";
import { readState, sshRun } from "./environment";

const state = readState();
if (!state.available) throw new Error(`the integration environment is not ready: ${state.reason}`);
const env = state;

const PASSWORD = "correct horse battery";
const SECRET = "b2-secret/with+chars=";
const FP = "7a:1b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09";

/** A fresh stand-in world: bin/ (the stand-ins first on PATH), state, etc/ and a copy of an fstab. */
function world(name: string) {
    const dir = path.join(env.dir, `pbs-${name}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.mkdirSync(path.join(dir, "etc"), { recursive: true });
    const standIn = path.join(__dirname, "stand-ins", "pbs.js");
    const wrapper = (tool: string) =>
        `#!/bin/sh\nPBS_STAND_IN_DIR=${shellQuote(dir)} exec ${shellQuote(process.execPath)} ${shellQuote(standIn)} ${tool} "$@"\n`;
    const record = (name: string, body: string) =>
        `#!/bin/sh\nprintf '%s\\n' "$(printf '%s ' ${shellQuote(name)} "$@")" >> ${shellQuote(path.join(dir, "os-calls"))}\n${body}`;
    const files: Record<string, string> = {
        "proxmox-backup-manager": wrapper("manager"),
        "proxmox-backup-debug": wrapper("debug"),
        // mounts: "<source> <mountpoint>" lines, what findmnt reads and mount writes
        findmnt: `#!/bin/sh\nfor last; do :; done\nsrc=$(awk -v mp="$last" '$2 == mp { print $1 }' ${shellQuote(path.join(dir, "mounts"))} 2>/dev/null)\n[ -n "$src" ] || exit 1\ncase "$*" in *SOURCE*) printf '%s\\n' "$src" ;; esac\n`,
        mount: record(
            "mount",
            `awk -v mp="$1" '$2 == mp { print $1, $2 }' ${shellQuote(path.join(dir, "fstab"))} >> ${shellQuote(path.join(dir, "mounts"))}\n`,
        ),
        systemctl: record("systemctl", "exit 0\n"),
    };
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(bin, file), text, { mode: 0o755 });
    fs.writeFileSync(
        path.join(dir, "fstab"),
        "# /etc/fstab\nUUID=abcd / ext4 errors=remount-ro 0 1\n192.168.10.99:/old /mnt/datastore/tank nfs defaults 0 0\n",
    );
    const read = (file: string) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8") : "");
    return {
        dir,
        /** Runs a script with the stand-ins first on PATH. */
        run: (script: string, input?: string) => sshRun(env, `PATH=${shellQuote(bin)}:"$PATH"; export PATH\n${script}`, input),
        /** The PBS tool calls recorded so far, as argument lists. */
        calls: (): string[][] =>
            read("calls.jsonl")
                .split("\n")
                .filter((l) => l !== "")
                .map((l) => JSON.parse(l) as string[]),
        osCalls: () => read("os-calls"),
        forget: () => {
            fs.rmSync(path.join(dir, "calls.jsonl"), { force: true });
            fs.rmSync(path.join(dir, "os-calls"), { force: true });
        },
        state: () => JSON.parse(read("state.json")) as Record<string, unknown>,
        setState: (s: Record<string, unknown>) => fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(s)),
        read,
        etc: path.join(dir, "etc"),
        fstab: path.join(dir, "fstab"),
    };
}

type World = ReturnType<typeof world>;

/** The whole setup, as the PbsServer component orders it; each step must succeed. Returns all it printed. */
function setUp(w: World, password = PASSWORD, secret = SECRET): string {
    const steps: [string, string, string?][] = [
        ["ready", readyScript()],
        ["mount", nfsMountScript({ server: "192.168.10.12", export: "/tank/pbs", mountpoint: "/mnt/datastore/tank", fstab: w.fstab })],
        ["datastore", datastoreScript({ name: "tank", path: "/mnt/datastore/tank", requireMountpoint: true })],
        ["access", accessScript({ userid: "pve@pbs", datastore: "tank", configDir: w.etc }), `${password}\n`],
        ["namespaces", namespacesScript("tank", ["critical", "medium", "low"])],
        ["verify", verifyJobScript("tank")],
        [
            "prune",
            pruneJobsScript("tank", [
                {
                    id: "homelab-prune-critical",
                    namespace: "critical",
                    schedule: "05:30",
                    keep: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
                },
                { id: "homelab-prune-low", namespace: "low", schedule: "05:30", keep: { keepMonthly: 3 } },
            ]),
        ],
        [
            "offsite",
            offsiteScript({
                sourceDatastore: "tank",
                host: "s3.us-west-004.backblazeb2.com",
                region: "us-west-004",
                pathStyle: true,
                accessKeyId: "004b2keyid",
                bucket: "attic-pbs-offsite",
                cachePath: path.join(w.dir, "cache"),
                configDir: w.etc,
            }),
            `${secret}\n`,
        ],
        ["certificate", certFingerprintScript(FP)],
    ];
    let printed = "";
    for (const [name, script, input] of steps) {
        const r = w.run(script, input);
        if (r.code !== 0) throw new Error(`step ${name} failed (${r.code}): ${r.stderr}`);
        printed += r.stdout + r.stderr;
    }
    return printed;
}

/** Calls that change something (everything but list, cert info and api get). */
const changing = (calls: string[][]) =>
    calls.filter((c) => !c.includes("list") && !(c[1] === "cert" && c[2] === "info") && !(c[1] === "api" && c[2] === "get"));

describe("PBS setup scripts over SSH against a recording proxmox-backup-manager stand-in (PBS is not installable here)", () => {
    const w = world("converge");
    let printed = "";

    it("set up everything on the first run, with the exact calls PBS's CLI takes", () => {
        printed = setUp(w);
        expect(changing(w.calls())).toEqual([
            ["proxmox-backup-manager", "datastore", "create", "tank", "/mnt/datastore/tank", "--gc-schedule", "02:00"],
            ["proxmox-backup-manager", "user", "create", "pve@pbs", "--comment", "Proxmox VE (managed by homelab)"],
            ["proxmox-backup-debug", "api", "set", "/access/password", "--userid", "pve@pbs", "--password", PASSWORD],
            [
                "proxmox-backup-manager",
                "acl",
                "update",
                "/datastore/tank",
                "DatastoreBackup",
                "--auth-id",
                "pve@pbs",
                "--propagate",
                "true",
            ],
            ["proxmox-backup-debug", "api", "create", "/admin/datastore/tank/namespace", "--name", "critical"],
            ["proxmox-backup-debug", "api", "create", "/admin/datastore/tank/namespace", "--name", "low"],
            ["proxmox-backup-debug", "api", "create", "/admin/datastore/tank/namespace", "--name", "medium"],
            [
                "proxmox-backup-manager",
                "verify-job",
                "create",
                "homelab-verify",
                "--store",
                "tank",
                "--schedule",
                "sun 03:00",
                "--ignore-verified",
                "true",
                "--outdated-after",
                "30",
            ],
            [
                "proxmox-backup-manager",
                "prune-job",
                "create",
                "homelab-prune-critical",
                "--store",
                "tank",
                "--schedule",
                "05:30",
                "--ns",
                "critical",
                "--keep-daily",
                "7",
                "--keep-weekly",
                "4",
                "--keep-monthly",
                "6",
            ],
            [
                "proxmox-backup-manager",
                "prune-job",
                "create",
                "homelab-prune-low",
                "--store",
                "tank",
                "--schedule",
                "05:30",
                "--ns",
                "low",
                "--keep-monthly",
                "3",
            ],
            [
                "proxmox-backup-manager",
                "s3",
                "endpoint",
                "create",
                "homelab-offsite",
                "--endpoint",
                "s3.us-west-004.backblazeb2.com",
                "--region",
                "us-west-004",
                "--access-key",
                "004b2keyid",
                "--path-style",
                "true",
                "--secret-key",
                SECRET,
            ],
            [
                "proxmox-backup-manager",
                "datastore",
                "create",
                "tank-offsite",
                path.join(w.dir, "cache"),
                "--backend",
                "type=s3,client=homelab-offsite,bucket=attic-pbs-offsite",
                "--gc-schedule",
                "sun 08:00",
            ],
            [
                "proxmox-backup-manager",
                "sync-job",
                "create",
                "homelab-offsite",
                "--store",
                "tank-offsite",
                "--remote-store",
                "tank",
                "--schedule",
                "06:00",
                "--remove-vanished",
                "true",
            ],
        ]);
    });

    it("left the fstab with one line for the datastore's mountpoint, every other line kept, and mounted it", () => {
        expect(w.read("fstab")).toBe(
            "# /etc/fstab\nUUID=abcd / ext4 errors=remount-ro 0 1\n192.168.10.12:/tank/pbs /mnt/datastore/tank nfs _netdev,hard 0 0\n",
        );
        expect(w.read("mounts")).toBe("192.168.10.12:/tank/pbs /mnt/datastore/tank\n");
        expect(w.osCalls()).toContain("mount /mnt/datastore/tank");
    });

    it("stored the password as a crypt(3) hash and the S3 secret in s3.cfg, and printed neither", () => {
        const shadow = JSON.parse(fs.readFileSync(path.join(w.etc, "shadow.json"), "utf8")) as Record<string, string>;
        expect(Object.keys(shadow)).toEqual(["pve"]);
        expect(shadow.pve).toMatch(/^\$6\$/);
        expect(fs.readFileSync(path.join(w.etc, "s3.cfg"), "utf8")).toContain(`\tsecret-key ${SECRET}\n`);
        expect(printed).toContain("homelab: created S3 endpoint homelab-offsite");
        expect(printed).not.toContain(PASSWORD);
        expect(printed).not.toContain(SECRET);
    });

    it("changes nothing on a second run: only lists and reads", () => {
        const before = {
            state: w.read("state.json"),
            fstab: w.read("fstab"),
            shadow: fs.readFileSync(path.join(w.etc, "shadow.json"), "utf8"),
        };
        w.forget();
        setUp(w);
        expect(changing(w.calls())).toEqual([]);
        expect(w.calls().length).toBeGreaterThan(10);
        expect(w.osCalls()).toBe("systemctl is-active --quiet proxmox-backup-proxy \n");
        expect({
            state: w.read("state.json"),
            fstab: w.read("fstab"),
            shadow: fs.readFileSync(path.join(w.etc, "shadow.json"), "utf8"),
        }).toEqual(before);
    });

    it("converges drift made by hand with exactly the calls that undo it", () => {
        const s = w.state() as {
            datastore: { name: string; ["gc-schedule"]?: string }[];
            user: { userid: string; enable?: boolean }[];
            acl: object[];
            "prune-job": { id: string; disable?: boolean; ["keep-last"]?: number }[];
        };
        s.datastore[0]["gc-schedule"] = "03:00";
        s.user[0].enable = false;
        s.acl.push({ path: "/", ugid: "pve@pbs", ugid_type: "user", propagate: true, roleid: "Admin" });
        s["prune-job"][0].disable = true;
        s["prune-job"][0]["keep-last"] = 2;
        s["prune-job"].push({ id: "homelab-prune-gone", disable: false }, { id: "by-hand", disable: false });
        w.setState(s);
        w.forget();
        const out = setUp(w, "a new password 1", "rotated-secret");
        expect(out).not.toContain("a new password 1");
        expect(out).not.toContain("rotated-secret");
        expect(changing(w.calls())).toEqual([
            ["proxmox-backup-manager", "datastore", "update", "tank", "--gc-schedule", "02:00"],
            ["proxmox-backup-manager", "user", "update", "pve@pbs", "--enable", "true"],
            ["proxmox-backup-debug", "api", "set", "/access/password", "--userid", "pve@pbs", "--password", "a new password 1"],
            ["proxmox-backup-manager", "acl", "update", "/", "Admin", "--auth-id", "pve@pbs", "--delete", "true"],
            ["proxmox-backup-manager", "prune-job", "update", "homelab-prune-critical", "--delete", "keep-last", "--delete", "disable"],
            ["proxmox-backup-manager", "prune-job", "remove", "homelab-prune-gone"],
            ["proxmox-backup-manager", "s3", "endpoint", "update", "homelab-offsite", "--secret-key", "rotated-secret"],
        ]);
        // and then it is quiet again
        w.forget();
        setUp(w, "a new password 1", "rotated-secret");
        expect(changing(w.calls())).toEqual([]);
    });

    it("fails naming both fingerprints when the certificate differs from the pinned one", () => {
        const other = FP.replace(/^7a/, "00");
        const r = w.run(certFingerprintScript(other));
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`has fingerprint ${FP}, but the inventory pins ${other}`);
        expect(r.stdout).toBe("");
        const ok = w.run(certFingerprintScript());
        expect({ code: ok.code, stdout: ok.stdout }).toEqual({ code: 0, stdout: `fingerprint ${FP}\n` });
    });
});

describe("PBS setup scripts refuse what would lose data (recording proxmox-backup-manager stand-in)", () => {
    it("never creates the datastore on the VM's own disk when its NFS export is not mounted", () => {
        const w = world("unmounted");
        const r = w.run(datastoreScript({ name: "tank", path: "/mnt/datastore/tank", requireMountpoint: true }));
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
            "homelab: /mnt/datastore/tank is not mounted; the datastore lives on its NFS export, never on the VM's own disk",
        );
        expect(changing(w.calls())).toEqual([]);
    });

    it("never moves a datastore that exists at another path", () => {
        const w = world("moved");
        w.setState({
            datastore: [{ name: "tank", path: "/srv/tank" }],
            user: [],
            acl: [],
            "verify-job": [],
            "prune-job": [],
            "sync-job": [],
            s3: [],
            namespaces: {},
        });
        const r = w.run(datastoreScript({ name: "tank", path: "/mnt/datastore/tank", requireMountpoint: false }));
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("homelab: datastore tank is at /srv/tank, not /mnt/datastore/tank; the program never moves a datastore");
        expect(changing(w.calls())).toEqual([]);
    });

    it("refuses a mountpoint mounted from another server", () => {
        const w = world("elsewhere");
        fs.writeFileSync(path.join(w.dir, "mounts"), "192.168.10.99:/old /mnt/datastore/tank\n");
        const r = w.run(
            nfsMountScript({ server: "192.168.10.12", export: "/tank/pbs", mountpoint: "/mnt/datastore/tank", fstab: w.fstab }),
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("homelab: /mnt/datastore/tank is mounted from 192.168.10.99:/old, not 192.168.10.12:/tank/pbs");
        expect(w.osCalls()).not.toContain("mount /mnt/datastore/tank");
    });

    it("fails without the password on stdin, creating nothing", () => {
        const w = world("nopassword");
        const r = w.run(accessScript({ userid: "pve@pbs", datastore: "tank", configDir: w.etc }), "");
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("homelab: the password of pve@pbs must arrive on stdin (first line); got nothing");
        expect(w.calls()).toEqual([]);
    });
});
