import * as pulumi from "@pulumi/pulumi";
import { ZfsDataset, deployDatasets, zfsDatasetSpec } from "../../components/zfsDataset";
import { bindMountsByGuest } from "../../lib/privilege";
import { record, valueOf } from "../helpers/harness";
import { createScript, deleteScript, updateScript } from "../../lib/zfs";
import { referenceInventory } from "./fixtures";

const T = { dataset: "homelab:storage:ZfsDataset", command: "command:remote:Command" };
const CONNECTION = {
    host: "192.168.10.12",
    port: 22,
    user: "root",
    privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\ntest\n-----END OPENSSH PRIVATE KEY-----",
};
const ARGS = {
    path: "tank/photos",
    node: "pve-storage",
    backup: { tier: "critical" },
    properties: { recordsize: "1M" as const, compression: "on" as const, quota: "4T" },
    ownerUid: 101000,
    ownerGid: 101000,
    connection: CONNECTION,
};
const SPEC = { path: "tank/photos", properties: ARGS.properties, owner: { uid: 101000, gid: 101000, mode: "0750" }, allowDestroy: false };
/** A bare custom resource, standing in for what a dataset may wait for (a node's host preparation). */
class StandIn extends pulumi.CustomResource {
    constructor(type: string, name: string) {
        super(type, name, {});
    }
}

const STDOUT = "compression\ton\tlocal\nrecordsize\t1048576\tlocal\nquota\t4398046511104\tlocal\nmountpoint\t/tank/photos\tdefault\n";

describe("ZfsDataset", () => {
    it("runs one remote command whose create, update and delete are the exact scripts", async () => {
        const { recording } = await record(() => new ZfsDataset("photos", ARGS));
        expect(recording.countsByType()).toEqual({ [T.command]: 1, [T.dataset]: 1, "pulumi:pulumi:Stack": 1 });
        const component = recording.one("photos", T.dataset);
        const cmd = recording.one("photos-zfs", T.command);
        expect(cmd.parent).toBe(component.urn);
        expect(cmd.inputs.create).toBe(createScript(SPEC));
        expect(cmd.inputs.update).toBe(updateScript(SPEC));
        expect(cmd.inputs.delete).toBe(deleteScript(SPEC));
        expect(cmd.inputs.addPreviousOutputInEnv).toBe(false);
        expect(Object.keys(cmd.inputs).sort()).toEqual(["addPreviousOutputInEnv", "connection", "create", "delete", "triggers", "update"]);
    });

    it("keeps the connection (and its private key) secret", async () => {
        const { recording } = await record(() => new ZfsDataset("photos", ARGS));
        const cmd = recording.one("photos-zfs", T.command);
        expect(cmd.secretPaths).toContain("connection");
        expect(cmd.inputs.connection).toMatchObject(CONNECTION);
    });

    it("replaces only when the path or the node changes: they are the triggers (C4: data does not move with a key)", async () => {
        const { recording } = await record(() => {
            new ZfsDataset("photos", ARGS);
            new ZfsDataset("moved", { ...ARGS, node: "pve-network" });
        });
        const cmd = recording.one("photos-zfs", T.command);
        expect(cmd.inputs.triggers).toEqual(["tank/photos", "pve-storage"]);
        expect(cmd.options.replaceOnChanges).toEqual(["triggers[*]"]);
        expect(recording.one("moved-zfs", T.command).inputs.triggers).toEqual(["tank/photos", "pve-network"]);
    });

    it("leaves the connection out of the triggers: a new address or key reaches the same dataset", async () => {
        const { recording } = await record(() => {
            new ZfsDataset("photos", ARGS);
            new ZfsDataset("readdressed", { ...ARGS, connection: { ...CONNECTION, host: "192.168.10.99", port: 2222 } });
        });
        expect(recording.one("readdressed-zfs", T.command).inputs.triggers).toEqual(recording.one("photos-zfs", T.command).inputs.triggers);
    });

    it("makes its command wait for what dependsOn lists, and waits for nothing without it", async () => {
        const { recording } = await record(() => {
            const nfs = new StandIn("test:node:HostPreparation", "nfs-server");
            new ZfsDataset("photos", { ...ARGS, dependsOn: [nfs] });
            new ZfsDataset("media", { path: "tank/media", node: "pve-storage", connection: CONNECTION });
        });
        const nfs = recording.one("nfs-server", "test:node:HostPreparation").urn;
        expect(recording.one("photos-zfs", T.command).options.dependsOn).toEqual([nfs]);
        expect(recording.one("photos-zfs", T.command).dependencies).toContain(nfs);
        expect(recording.one("media-zfs", T.command).options.dependsOn).toEqual([]);
    });

    it("is protected and retained on delete by default: the data stays on disk", async () => {
        const { recording } = await record(() => new ZfsDataset("photos", ARGS));
        const cmd = recording.one("photos-zfs", T.command);
        expect(cmd.options.protect).toBe(true);
        expect(cmd.options.retainOnDelete).toBe(true);
        expect(cmd.inputs.delete).toContain("allowDestroy is false");
        expect(cmd.inputs.delete).not.toContain("zfs destroy");
    });

    it("with allowDestroy is neither protected nor retained, and its delete destroys only an empty dataset", async () => {
        const { recording } = await record(() => new ZfsDataset("photos", { ...ARGS, allowDestroy: true }));
        const cmd = recording.one("photos-zfs", T.command);
        expect(cmd.options.protect).toBe(false);
        expect(cmd.options.retainOnDelete).toBe(false);
        expect(cmd.inputs.delete).toBe(deleteScript({ ...SPEC, allowDestroy: true }));
        expect(cmd.inputs.delete).toContain('\nuntil zfs destroy "$DS"; do\n');
    });

    it("exports the effective properties parsed from stdout and the real mountpoint", async () => {
        const { recording } = await record(
            () => {
                const ds = new ZfsDataset("photos", ARGS);
                return { path: ds.path, mountpoint: ds.mountpoint, properties: ds.properties };
            },
            { states: { [T.command]: () => ({ stdout: STDOUT, stderr: "" }) } },
        );
        const component = recording.one("photos", T.dataset);
        expect(component.outputs).toEqual({
            path: "tank/photos",
            node: "pve-storage",
            backupTier: "critical",
            mountpoint: "/tank/photos",
            // What the inventory asks for, for the policy pack at preview.
            declaredProperties: { compression: "on", recordsize: "1M", quota: "4T" },
            properties: {
                compression: { value: "on", source: "local" },
                recordsize: { value: "1048576", source: "local" },
                quota: { value: "4398046511104", source: "local" },
                mountpoint: { value: "/tank/photos", source: "default" },
            },
        });
        expect(component.outputSecretPaths).toEqual([]);
    });

    it("registers a dataset's backup exclusion reason for the policy pack, and no backup fields when it is given none", async () => {
        const reason = "rolling camera recordings, overwritten within days";
        const { recording } = await record(() => {
            new ZfsDataset("nvr", { path: "tank/nvr", node: "pve-storage", backup: { exclude: reason }, connection: CONNECTION });
            new ZfsDataset("scratch", { path: "tank/scratch", node: "pve-storage", connection: CONNECTION });
        });
        expect(recording.one("nvr", T.dataset).outputs).toEqual({
            path: "tank/nvr",
            node: "pve-storage",
            backupExclusionReason: reason,
            mountpoint: "/tank/nvr",
            declaredProperties: {},
            properties: {},
        });
        expect(recording.one("scratch", T.dataset).outputs).toEqual({
            path: "tank/scratch",
            node: "pve-storage",
            mountpoint: "/tank/scratch",
            declaredProperties: {},
            properties: {},
        });
    });

    it("with empty stdout (mocks) exports no properties and the declared mountpoint", async () => {
        let ds: ZfsDataset | undefined;
        await record(() => {
            ds = new ZfsDataset("media", {
                path: "tank/media",
                node: "pve-storage",
                properties: { mountpoint: "/srv/my media" },
                connection: CONNECTION,
            });
        });
        expect(await valueOf(ds!.properties)).toEqual({});
        expect(await valueOf(ds!.mountpoint)).toBe("/srv/my media");
        expect(ds!.path).toBe("tank/media");
    });

    it("leaves ownership alone without an owner and applies the mode with one", async () => {
        const { recording } = await record(() => {
            new ZfsDataset("shared", { path: "tank/shared", node: "pve-storage", connection: CONNECTION });
            new ZfsDataset("cloud", {
                path: "tank/cloud",
                node: "pve-storage",
                ownerUid: 100033,
                ownerGid: 100033,
                mode: "0770",
                connection: CONNECTION,
            });
        });
        expect(recording.one("shared-zfs", T.command).inputs.create).not.toContain("chown");
        expect(recording.one("cloud-zfs", T.command).inputs.create).toContain("chown '100033:100033' \"$MP\"\nchmod '0770' \"$MP\"\n");
    });

    it.each([
        [
            { path: "tank/x;rm -rf /" },
            '[path] must be a ZFS dataset name such as tank/photos (pool/child, letters, digits and _ . : - only, no . or .. components), got "tank/x;rm -rf /"',
        ],
        [
            { path: "tank/$(reboot)" },
            '[path] must be a ZFS dataset name such as tank/photos (pool/child, letters, digits and _ . : - only, no . or .. components), got "tank/$(reboot)"',
        ],
        [{ path: "tank/x", ownerUid: 101000 }, "[ownerUid/ownerGid] give both or neither, got uid 101000 and gid undefined"],
        [{ path: "tank/x", ownerUid: 1, ownerGid: 1, mode: "`id`" }, '[owner.mode] must be an octal mode such as 0750, got "`id`"'],
    ])("refuses invalid arguments before registering anything (%#)", (args, message) => {
        expect(() => zfsDatasetSpec(args)).toThrow(message);
    });

    it("registers no command for a hostile path", async () => {
        let error: unknown;
        const { recording } = await record(() => {
            try {
                new ZfsDataset("bad", { path: "tank/`reboot`", node: "pve-storage", connection: CONNECTION });
            } catch (e) {
                error = e;
            }
        });
        expect(String(error)).toContain("[path] must be a ZFS dataset name such as tank/photos");
        expect(recording.ofType(T.command)).toEqual([]);
    });
});

describe("deployDatasets", () => {
    const inv = referenceInventory();
    const connections = {
        "pve-network": { host: "192.168.10.11", user: "root", hostKey: inv.nodes["pve-network"].hostKey },
        "pve-storage": { host: "192.168.10.12", user: "root", hostKey: inv.nodes["pve-storage"].hostKey },
    };
    type NodeName = keyof typeof connections;

    /**
     * Stand-ins for the nodes deployDatasets takes (ProxmoxNode in the program): each node's pinned
     * connection and its host preparation (a remote command there), here a bare custom resource
     * named `<node>-host`. Must be called inside a program.
     */
    function nodes(names: readonly NodeName[] = ["pve-network", "pve-storage"]) {
        return Object.fromEntries(
            names.map((n) => [n, { connection: connections[n], hostPreparation: new StandIn("test:node:HostPreparation", `${n}-host`) }]),
        );
    }

    it("creates every dataset of the reference stack, named by its path, over its node's pinned connection", async () => {
        const { recording } = await record(() => {
            deployDatasets(inv, nodes());
        });
        expect(
            recording
                .ofType(T.dataset)
                .map((r) => r.name)
                .sort(),
        ).toEqual([
            "rpool/appdata/edge",
            "tank/appdata/cloud",
            "tank/appdata/media",
            "tank/appdata/nvr",
            "tank/appdata/photos",
            "tank/cloud",
            "tank/media",
            "tank/nvr",
            "tank/pbs",
            "tank/photos",
            "tank/shared",
            "tank/vm",
        ]);
        expect(recording.ofType(T.command)).toHaveLength(12);
        expect(recording.one("rpool/appdata/edge-zfs", T.command).inputs.connection).toEqual({
            host: "192.168.10.11",
            user: "root",
            hostKey: inv.nodes["pve-network"].hostKey,
            port: 22,
            dialErrorLimit: 10,
            perDialTimeout: 15,
        });
        expect(recording.one("tank/photos-zfs", T.command).inputs.connection).toEqual({
            host: "192.168.10.12",
            user: "root",
            hostKey: inv.nodes["pve-storage"].hostKey,
            port: 22,
            dialErrorLimit: 10,
            perDialTimeout: 15,
        });
        for (const cmd of recording.ofType(T.command)) {
            expect(cmd.secretPaths).toContain("connection");
            expect(cmd.options.protect).toBe(true);
            expect(cmd.options.retainOnDelete).toBe(true);
        }
    });

    it("gives each dataset its node and backup choice: the node is a trigger, the tier or the reason an output", async () => {
        const { recording } = await record(() => {
            deployDatasets(inv, nodes());
        });
        for (const [path, ds] of Object.entries(inv.datasets)) {
            expect(recording.one(`${path}-zfs`, T.command).inputs.triggers).toEqual([path, ds.node]);
            const outputs = recording.one(path, T.dataset).outputs;
            expect(outputs.node).toBe(ds.node);
            if ("tier" in ds.backup) expect([outputs.backupTier, outputs.backupExclusionReason]).toEqual([ds.backup.tier, undefined]);
            else expect([outputs.backupTier, outputs.backupExclusionReason]).toEqual([undefined, ds.backup.exclude]);
        }
        expect(recording.one("rpool/appdata/edge", T.dataset).outputs).toMatchObject({ node: "pve-network", backupTier: "critical" });
        expect(recording.one("tank/media", T.dataset).outputs).toMatchObject({
            node: "pve-storage",
            backupExclusionReason: "a replaceable library: ripped and downloaded media, larger than the PBS datastore",
        });
    });

    it("maps owners through the owning container: unprivileged +100000, the privileged photos container unchanged", async () => {
        const { recording } = await record(() => {
            deployDatasets(inv, nodes());
        });
        const create = (path: string) => String(recording.one(`${path}-zfs`, T.command).inputs.create);
        expect(create("tank/cloud")).toContain("chown '100033:100033' \"$MP\"\nchmod '0750' \"$MP\"\n");
        expect(create("tank/media")).toContain("chown '101000:101000' \"$MP\"");
        expect(create("tank/nvr")).toContain("chown '101000:101000' \"$MP\"");
        expect(create("tank/photos")).toContain("chown '1000:1000' \"$MP\"\nchmod '0755' \"$MP\"\n");
        expect(create("tank/appdata/photos")).toContain("chown '1000:1000' \"$MP\"");
        expect(create("rpool/appdata/edge")).toContain("chown '101000:101000' \"$MP\"");
        expect(create("tank/pbs")).not.toContain("chown");
        expect(create("tank/pbs")).toContain(`zfs create -p -o 'quota=3T' -o 'sharenfs=rw=@192.168.10.20/32,no_root_squash' "$DS"`);
    });

    it("makes the command of a dataset that exports (sharenfs) wait for its node's host preparation (the NFS server), and no other", async () => {
        const { recording } = await record(() => {
            deployDatasets(inv, nodes());
        });
        const storageHost = recording.one("pve-storage-host", "test:node:HostPreparation").urn;
        const waiting = Object.keys(inv.datasets)
            .filter((path) => recording.one(`${path}-zfs`, T.command).options.dependsOn.length > 0)
            .sort();
        expect(waiting).toEqual(["tank/pbs", "tank/shared"]);
        for (const path of waiting) expect(recording.one(`${path}-zfs`, T.command).options.dependsOn).toEqual([storageHost]);
        for (const path of Object.keys(inv.datasets)) expect(recording.one(path, T.dataset).options.dependsOn).toEqual([]);
    });

    it("treats sharenfs=off as not exporting", async () => {
        const off = { ...inv, datasets: { "tank/pbs": { ...inv.datasets["tank/pbs"], properties: { quota: "3T", sharenfs: "off" } } } };
        const { recording } = await record(() => {
            deployDatasets(off, nodes());
        });
        expect(recording.one("tank/pbs-zfs", T.command).options.dependsOn).toEqual([]);
    });

    it("returns the datasets by path and passes options to each component, the NFS wait staying on the command", async () => {
        let result: Record<string, ZfsDataset> = {};
        const { recording } = await record(() => {
            const before = new StandIn("test:index:Before", "before");
            result = deployDatasets(inv, nodes(), { aliases: [{ name: "old" }], dependsOn: [before] });
        });
        expect(Object.keys(result).sort()).toEqual(Object.keys(inv.datasets).sort());
        expect(result["tank/nvr"].path).toBe("tank/nvr");
        expect(recording.one("tank/nvr", T.dataset).options.aliases).toBe(1);
        const before = recording.one("before", "test:index:Before").urn;
        const storageHost = recording.one("pve-storage-host", "test:node:HostPreparation").urn;
        expect(recording.one("tank/nvr", T.dataset).options.dependsOn).toEqual([before]);
        expect(recording.one("tank/pbs", T.dataset).options.dependsOn).toEqual([before]);
        expect(recording.one("tank/pbs-zfs", T.command).options.dependsOn).toEqual([storageHost]);
    });

    it("refuses a dataset whose node was not built", async () => {
        await expect(
            record(() => {
                deployDatasets(inv, nodes(["pve-storage"]));
            }),
        ).rejects.toThrow(new Error('[datasets.rpool/appdata/edge.node] node "pve-network" was not built; pass every node'));
    });

    it("refuses an owner that is not a container of the inventory", async () => {
        const bad = {
            ...inv,
            datasets: { "tank/x": { ...inv.datasets["tank/nvr"], owner: { container: "pbs", uid: 34, gid: 34, mode: "0750" } } },
        };
        await expect(
            record(() => {
                deployDatasets(bad, nodes());
            }),
        ).rejects.toThrow(
            new Error(
                '[datasets.tank/x.owner.container] "pbs" is not a container of the inventory; name the container whose user owns the data',
            ),
        );
    });

    it("lets a guest depend on the datasets it mounts: the engine waits for their commands", async () => {
        const { recording } = await record(() => {
            const datasets = deployDatasets(inv, nodes());
            const mounts = bindMountsByGuest(inv).get("files") ?? [];
            new ZfsDataset(
                "dependent",
                { path: "tank/dependent", node: "pve-storage", connection: CONNECTION },
                { dependsOn: mounts.flatMap((m) => (m.dataset !== undefined ? [datasets[m.dataset]] : [])) },
            );
        });
        const deps = recording.one("dependent", T.dataset).options.dependsOn;
        expect(deps.map((urn) => urn.split("::").at(-1)).sort()).toEqual(["tank/cloud-zfs", "tank/media-zfs", "tank/photos-zfs"]);
    });
});

describe("bindMountsByGuest: the datasets (and host mounts) a container depends on", () => {
    const inv = referenceInventory();

    it.each([
        [
            "files",
            [
                { hostPath: "/tank/cloud", containerPath: "/srv/shares/cloud", readOnly: false, dataset: "tank/cloud" },
                { hostPath: "/tank/media", containerPath: "/srv/shares/media", readOnly: true, dataset: "tank/media" },
                { hostPath: "/tank/photos", containerPath: "/srv/shares/photos", readOnly: true, dataset: "tank/photos" },
            ],
        ],
        [
            "photos",
            [
                { hostPath: "/tank/photos", containerPath: "/mnt/photos", readOnly: false, dataset: "tank/photos" },
                { hostPath: "/tank/appdata/photos", containerPath: "/srv/appdata", readOnly: false, dataset: "tank/appdata/photos" },
            ],
        ],
        ["edge", [{ hostPath: "/rpool/appdata/edge", containerPath: "/srv/appdata", readOnly: false, dataset: "rpool/appdata/edge" }]],
        ["unifi", undefined],
        ["pbs", undefined],
    ])("gives %s its dataset mounts", (guest, expected) => {
        expect(bindMountsByGuest(inv).get(guest)).toEqual(expected);
    });

    it("uses a dataset's own mountpoint as the host path", () => {
        const custom = { ...inv, datasets: { "tank/x": { ...inv.datasets["tank/nvr"], properties: { mountpoint: "/srv/my data" } } } };
        expect(bindMountsByGuest(custom).get("nvr")).toEqual([
            { hostPath: "/srv/my data", containerPath: "/mnt/recordings", readOnly: false, dataset: "tank/x" },
        ]);
    });

    it("lists exactly the containers that mount something, each sorted by container path", () => {
        const all = bindMountsByGuest(inv);
        expect([...all.keys()].sort()).toEqual(["cloud", "edge", "files", "media", "nvr", "photos"]);
        expect(all.get("nvr")).toEqual([
            { hostPath: "/tank/nvr", containerPath: "/mnt/recordings", readOnly: false, dataset: "tank/nvr" },
            { hostPath: "/tank/appdata/nvr", containerPath: "/srv/appdata", readOnly: false, dataset: "tank/appdata/nvr" },
        ]);
    });
});
