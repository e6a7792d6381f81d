/**
 * The defects the generator of hostile inventories (test/hostile) found, one regression test
 * each: an alias bomb crashed the stack file reader (exit 3); paths above a system path, a ZFS
 * storage on the root file system and a private key for a public one were accepted; sizes past 64
 * bits and PBS values the setup and backup scripts refuse (datastore names, the managed PBS's
 * user, calendar events, paths with spaces, long tier names, the offsite datastore's derived name)
 * and a VM with cloud-init on a node without a snippets storage passed validate and stopped the
 * plan with exit 3, as did an id map running past the last host id and a KMS key on a service
 * without KMS; two datasets whose backups share a name planned with exit 0. Two refusals are pinned here
 * as well: a node's address in no network and a VM with an installer ISO image and a cdrom.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InventoryError, InventoryProblem } from "../../config/errors";
import { StackFileError, readStackFile, splitConfig } from "../../config/stackfile";
import { secretShape } from "../../lib/secrets";
import { RawInventory, mutated, problemsOf } from "./reference";

/** The problems of the reference stack with one edit, as path → message. */
const problems = (mutate: (i: RawInventory) => void): InventoryProblem[] => problemsOf(mutated(mutate));

describe("the stack file reader", () => {
    it("refuses an alias bomb with one line, not a crash", () => {
        const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
        for (let i = 1; i < 12; i++) {
            const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
            levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-bomb-"));
        const file = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(file, `bomb:\n${levels.map((l) => `  ${l}`).join("\n")}\nconfig:\n  homelab:cluster: *l\n`);
        try {
            expect(() => readStackFile(file)).toThrow(
                new StackFileError(
                    "Pulumi.prod.yaml: cannot read the YAML (Excessive alias count indicates a resource exhaustion attack); write the values out instead of nesting aliases",
                ),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a list or a mapping as a key with its line, never a warning on stderr", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-key-"));
        const file = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(file, "config:\n  homelab:nodes:\n    ? [a, b]\n    : x\n");
        const warn = jest.spyOn(process, "emitWarning");
        try {
            expect(() => readStackFile(file)).toThrow(
                new StackFileError("Pulumi.prod.yaml:3:7: a key is a list or a mapping; every key of a stack file is a name"),
            );
            expect(warn).not.toHaveBeenCalled();
        } finally {
            warn.mockRestore();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("a path above a system path", () => {
    it("is refused as a managed root", () => {
        expect(problems((i) => i.cluster.managedRoots.push("/var"))).toEqual([
            {
                path: "cluster.managedRoots[2]",
                message:
                    "/var holds the system path /var/lib/pve-cluster; managed roots hold datasets and bind-mount sources, so name a data path such as /tank or /srv/data",
            },
        ]);
    });

    it("is refused as a dataset's mountpoint and a container's host mount, even under a managed root", () => {
        expect(
            problems((i) => {
                i.cluster.managedRoots.push("/var/lib/");
                i.datasets["tank/media"].properties.mountpoint = "/var/lib";
                i.guests.unifi.hostMounts = [{ hostPath: "/var/lib/", path: "/mnt/lib" }];
            }),
        ).toEqual([
            {
                path: "cluster.managedRoots[2]",
                message:
                    "/var/lib/ holds the system path /var/lib/pve-cluster; managed roots hold datasets and bind-mount sources, so name a data path such as /tank or /srv/data",
            },
            {
                path: 'datasets["tank/media"].properties.mountpoint',
                message:
                    "mountpoint /var/lib would shadow the system path /var/lib/pve-cluster below it; mount data under a managed root such as /tank",
            },
            {
                path: "guests.unifi.hostMounts[0].hostPath",
                message: "/var/lib/ holds the system path /var/lib/pve-cluster; never bind-mount system paths into a guest",
            },
        ]);
    });

    it("leaves paths beside the system paths alone (/var/cache is neither at, under nor above one)", () => {
        expect(() => mutated((i) => i.cluster.managedRoots.push("/var/cache/appdata"))).not.toThrow();
        expect(problemsOfOrNone((i) => i.cluster.managedRoots.push("/var/cache/appdata"))).toEqual([]);
    });
});

describe("a ZFS storage on a node's root file system", () => {
    it.each(["rpool/ROOT", "rpool/ROOT/pve-1"])("%s is refused", (pool) => {
        expect(
            problems((i) => (i.storages.vmzfs = { kind: "zfspool", pool, content: ["images", "rootdir"], nodes: ["pve-storage"] })),
        ).toEqual([
            {
                path: "storages.vmzfs.pool",
                message: `${pool} is node "pve-storage"'s root file system (the installer's rpool/ROOT); guest volumes belong in a dataset of their own such as rpool/data or a data pool`,
            },
        ]);
    });
});

describe("a credential pasted into the inventory", () => {
    const key =
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
    const token = "homelab@pve!homelab=5f0c3a9e-secret-0000";
    const rotate = "which must never be in a stack file: remove it and rotate it (the stack file is in the repository's history)";

    it("is refused by its shape before the schema, which would quote it: a private key for a public or host key, a whole API token for its name", () => {
        const inv = mutated((i) => {
            i.cluster.sshPublicKeys = [key];
            i.nodes["pve-network"].hostKey = key;
            i.cluster.automation = { token };
            i.guests.unifi.description = `PVEAPIToken=${token}`;
        });
        let thrown: unknown;
        try {
            splitConfig(Object.fromEntries(Object.entries(inv).map(([k, v]) => [`homelab:${k}`, v])), "Pulumi.prod.yaml");
        } catch (e) {
            thrown = e;
        }
        expect(thrown).toBeInstanceOf(InventoryError);
        const privateKey = `is a private key, ${rotate}; a key field takes the public key line (the .pub file); the nodes' private key goes in \`pulumi config set --secret homelab:proxmoxSshPrivateKey <value>\` or PROXMOX_VE_SSH_PRIVATE_KEY (the value is not shown)`;
        const apiToken = `is a Proxmox API token with its secret, ${rotate}; the inventory takes names only (cluster.automation.token is the token's name); the token goes in \`pulumi config set --secret homelab:proxmoxApiToken <value>\` or PROXMOX_VE_API_TOKEN (the value is not shown)`;
        expect((thrown as InventoryError).problems).toEqual([
            { path: "cluster.sshPublicKeys[0]", message: privateKey },
            { path: "cluster.automation.token", message: apiToken },
            { path: "nodes.pve-network.hostKey", message: privateKey },
            { path: "guests.unifi.description", message: apiToken },
        ]);
        expect((thrown as InventoryError).message).not.toContain("c2VjcmV0");
        expect((thrown as InventoryError).message).not.toContain("5f0c3a9e");
    });

    it("leaves values that only resemble one alone: an e-mail address, a URL with ! and =", () => {
        expect(secretShape("operator@example.org")).toBeUndefined();
        expect(secretShape("ssh-ed25519 AAAAC3Nz operator@workstation")).toBeUndefined();
        expect(secretShape("https://h/a!b?c=d")).toBeUndefined();
        expect(secretShape("a@b!c= d")).toBeUndefined();
        expect(secretShape("PuTTY-User-Key-File-3: ssh-ed25519")).toBe("a private key");
        expect(secretShape("root@pam!ci=0000")).toBe("a Proxmox API token with its secret");
    });
});

describe("an id map running past the last host id", () => {
    it("is refused (a dataset's owner, mapped through it, would get no host id)", () => {
        expect(
            problems(
                (i) =>
                    (i.guests.cloud.idmap = [
                        { type: "uid", containerId: 0, hostId: 4294967294 - 65535, size: 65536 },
                        { type: "gid", containerId: 0, hostId: 4294967294 - 65534, size: 65536 },
                    ]),
            ),
        ).toEqual([
            {
                path: "guests.cloud.idmap[1].size",
                message: "the range runs past the last host id (4294967294); start it lower or shorten it",
            },
        ]);
    });
});

describe("a KMS key on a service without KMS", () => {
    it("is refused with the service's own reason (the bucket component stopped the plan with exit 3)", () => {
        expect(
            problems((i) => {
                i.offsite = {
                    service: "b2",
                    bucket: "attic-pbs-offsite",
                    region: "us-west-004",
                    endpoint: "https://s3.us-west-004.backblazeb2.com",
                    noncurrentVersionDays: 30,
                    writers: ["pbs"],
                    kmsKeyId: "alias/pbs",
                };
            }),
        ).toEqual([
            {
                path: "offsite.kmsKeyId",
                message:
                    "B2 encrypts with its own keys (SSE-B2) or a key sent with each request (SSE-C); it has no KMS, so offsite.kmsKeyId cannot be used; remove kmsKeyId",
            },
        ]);
    });
});

describe("a ZFS size past 64 bits", () => {
    it("is refused at validate, not by zfs set", () => {
        expect(problems((i) => (i.datasets["tank/media"].properties.quota = "16384P"))).toEqual([
            {
                path: 'datasets["tank/media"].properties.quota',
                message: 'is more than ZFS can hold (sizes are 64-bit: less than 16384P), got "16384P"',
            },
        ]);
    });
});

describe("PBS values the setup and backup scripts refuse", () => {
    it.each(["ab", "-x", ".x", `d${"x".repeat(32)}`])("refuses the datastore name %s (PBS's SAFE_ID)", (datastore) => {
        expect(problems((i) => (i.storages.pbs.datastore = datastore))).toContainEqual({
            path: "storages.pbs.datastore",
            message: `must be a datastore name such as tank: 3–32 letters, digits and . _ - (not starting with . or -), got ${JSON.stringify(datastore)}`,
        });
    });

    it("refuses a datastore whose offsite copy's name would pass 32 characters", () => {
        expect(problems((i) => (i.storages.pbs.datastore = "d".repeat(25)))).toEqual([
            {
                path: "storages.pbs.datastore",
                message: `the offsite copy of datastore "${"d".repeat(25)}" is the datastore "${"d".repeat(25)}-offsite", longer than the 32 characters PBS takes; shorten the datastore name to at most 24 characters`,
            },
        ]);
        expect(problemsOfOrNone((i) => (i.storages.pbs.datastore = "d".repeat(24)))).toEqual([]);
    });

    it("refuses a user of another realm on the PBS the program sets up (it sets the password)", () => {
        expect(problems((i) => (i.storages.pbs.username = "backup@pam"))).toContainEqual({
            path: "storages.pbs.username",
            message:
                "on a PBS this program sets up (guest), the user must be of the pbs realm, such as pve@pbs: the program sets its password",
        });
    });

    it.each(["_x@pbs", `${"u".repeat(65)}@pbs`])("refuses the user %s", (username) => {
        expect(problems((i) => (i.storages.pbs.username = username))).toContainEqual({
            path: "storages.pbs.username",
            // A long value is shown cut.
            message: `must be a PBS user such as pve@pbs (at most 64 characters before the realm), got ${username.length > 55 ? `${JSON.stringify(username).slice(0, 57)}...` : JSON.stringify(username)}`,
        });
    });

    it.each([":30", " 02:00", "-"])("refuses the calendar event %j", (event) => {
        expect(problems((i) => (i.storages.pbs.gcSchedule = event))).toContainEqual({
            path: "storages.pbs.gcSchedule",
            message: `must be a calendar event such as 02:00 or sun 03:00, got ${JSON.stringify(event)}`,
        });
    });

    it("refuses the offsite sync's calendar event by the same rule", () => {
        expect(problems((i) => (i.offsite.syncSchedule = ":30"))).toEqual([
            { path: "offsite.syncSchedule", message: 'must be a calendar event such as 06:00, daily or sat 07:00, got ":30"' },
        ]);
    });

    it("refuses a datastore path or an NFS export with a space (they go into /etc/fstab)", () => {
        const fstab = "must have no spaces and no component starting with '.': it goes into /etc/fstab on the PBS guest";
        const found = problems((i) => {
            i.storages.pbs.datastorePath = "/mnt/datastore/my store";
            i.storages.pbs.nfs.export = "/tank/my pbs";
        });
        expect(found).toContainEqual({ path: "storages.pbs.datastorePath", message: `${fstab}, got "/mnt/datastore/my store"` });
        expect(found).toContainEqual({ path: "storages.pbs.nfs.export", message: `${fstab}, got "/tank/my pbs"` });
    });

    it("refuses a tier name of more than 32 characters (a PBS namespace)", () => {
        const name = `t${"x".repeat(32)}`;
        expect(
            problems((i) => {
                i.backups.tiers[name] = i.backups.tiers.low;
                delete i.backups.tiers.low;
                i.guests.windows.backup.tier = name;
                i.guests.files.backup.tier = name;
            }),
        ).toEqual([
            {
                path: `backups.tiers.${name}`,
                message: "invalid key: tier names are at most 32 characters: they name PBS namespaces and backup jobs",
            },
        ]);
    });

    it("refuses a space in the mountpoint of a dataset backed up to PBS, and allows it in one left out", () => {
        expect(problems((i) => (i.datasets["tank/photos"].properties.mountpoint = "/tank/my photos"))).toEqual([
            {
                path: 'datasets["tank/photos"].properties.mountpoint',
                message:
                    "mountpoint /tank/my photos has a space or a component starting with '.', which the PBS backup of the dataset cannot take; rename the directory",
            },
        ]);
        expect(problemsOfOrNone((i) => (i.datasets["tank/media"].properties.mountpoint = "/tank/my media"))).toEqual([]);
    });
});

describe("two datasets backed up to PBS under one backup name", () => {
    it("is refused (tank/a-b and tank-a/b would share the unit and backup group tank-a-b)", () => {
        expect(
            problems((i) => {
                i.nodes["pve-storage"].pools.push("tank-a");
                i.cluster.managedRoots.push("/tank-a");
                i.datasets["tank/a-b"] = { node: "pve-storage", backup: { tier: "critical" }, properties: {} };
                i.datasets["tank-a/b"] = { node: "pve-storage", backup: { tier: "critical" }, properties: {} };
            }),
        ).toEqual([
            {
                path: 'datasets["tank-a/b"]',
                message:
                    "its backup would be named tank-a-b, like the backup of tank/a-b: one would overwrite the other's unit and share its PBS backup group; rename one of the datasets",
            },
        ]);
    });
});

describe("a VM with cloud-init on a node without a snippets storage", () => {
    it("is refused at validate (the PBS guest's given user data needs the snippet too)", () => {
        expect(problems((i) => (i.storages.local.content = ["iso", "vztmpl", "import"]))).toEqual([
            {
                path: "guests.pbs.cloudInit",
                message:
                    'the cloud-init user data is uploaded as a snippet, and node "pve-storage" has no storage with snippets content; add snippets to the content of a storage on it (the installer\'s local has it)',
            },
        ]);
    });
});

describe("a node's address in no network of the inventory", () => {
    it("is refused at validate with the node's address as its path", () => {
        expect(problems((i) => (i.nodes["pve-network"].address = "10.99.0.5"))).toEqual([
            {
                path: "nodes.pve-network.address",
                message:
                    "10.99.0.5 is inside no network of the inventory; the bridge carries the host's address, so add the management network that holds it",
            },
        ]);
    });
});

describe("a VM booting an installer ISO image with a cdrom as well", () => {
    it("is refused at validate on the cdrom (the ISO takes the CD drive)", () => {
        expect(
            problems((i) => {
                i.images["opnsense-installer"] = {
                    contentType: "iso",
                    url: "https://pkg.opnsense.org/releases/25.1/OPNsense-25.1-dvd-amd64.iso",
                    fileName: "OPNsense-25.1-dvd-amd64.iso",
                    checksumAlgorithm: "sha256",
                    checksum: "a".repeat(64),
                    storage: "local",
                };
                i.guests.opnsense.image = "opnsense-installer";
            }),
        ).toEqual([
            {
                path: "guests.opnsense.cdrom",
                message: 'image "opnsense-installer" is an installer ISO and takes the CD drive; remove cdrom or image',
            },
        ]);
    });
});

/** The problems of an edit, or none when the inventory validates. */
function problemsOfOrNone(mutate: (i: RawInventory) => void): InventoryProblem[] {
    try {
        return problemsOf(mutated(mutate));
    } catch (e) {
        if (e instanceof Error && e.message === "expected the inventory to be refused, but it validated") return [];
        throw e;
    }
}
