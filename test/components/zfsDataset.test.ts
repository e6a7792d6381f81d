import { ZfsDataset, datasetMountsByGuest, datasetMountsFor, deployDatasets, zfsDatasetSpec } from "../../components/zfsDataset";
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
    properties: { recordsize: "1M" as const, compression: "on" as const, quota: "4T" },
    ownerUid: 101000,
    ownerGid: 101000,
    connection: CONNECTION,
};
const SPEC = { path: "tank/photos", properties: ARGS.properties, owner: { uid: 101000, gid: 101000, mode: "0750" }, allowDestroy: false };
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

    it("replaces only when the path changes: the path is the one trigger", async () => {
        const { recording } = await record(() => new ZfsDataset("photos", ARGS));
        const cmd = recording.one("photos-zfs", T.command);
        expect(cmd.inputs.triggers).toEqual(["tank/photos"]);
        expect(cmd.options.replaceOnChanges).toEqual(["triggers[*]"]);
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
            mountpoint: "/tank/photos",
            properties: {
                compression: { value: "on", source: "local" },
                recordsize: { value: "1048576", source: "local" },
                quota: { value: "4398046511104", source: "local" },
                mountpoint: { value: "/tank/photos", source: "default" },
            },
        });
        expect(component.outputSecretPaths).toEqual([]);
    });

    it("with empty stdout (mocks) exports no properties and the declared mountpoint", async () => {
        let ds: ZfsDataset | undefined;
        await record(() => {
            ds = new ZfsDataset("media", { path: "tank/media", properties: { mountpoint: "/srv/my media" }, connection: CONNECTION });
        });
        expect(await valueOf(ds!.properties)).toEqual({});
        expect(await valueOf(ds!.mountpoint)).toBe("/srv/my media");
        expect(ds!.path).toBe("tank/media");
    });

    it("leaves ownership alone without an owner and applies the mode with one", async () => {
        const { recording } = await record(() => {
            new ZfsDataset("shared", { path: "tank/shared", connection: CONNECTION });
            new ZfsDataset("cloud", { path: "tank/cloud", ownerUid: 100033, ownerGid: 100033, mode: "0770", connection: CONNECTION });
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
                new ZfsDataset("bad", { path: "tank/`reboot`", connection: CONNECTION });
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
    const connections = { "pve-network": { host: "192.168.10.11", user: "root" }, "pve-storage": { host: "192.168.10.12", user: "root" } };

    it("creates every dataset of the reference stack, named by its path, over its node's connection", async () => {
        const { recording } = await record(() => deployDatasets(inv, connections));
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
            port: 22,
            dialErrorLimit: 10,
            perDialTimeout: 15,
        });
        expect(recording.one("tank/photos-zfs", T.command).inputs.connection).toEqual({
            host: "192.168.10.12",
            user: "root",
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

    it("maps owners through the owning container: unprivileged +100000, the privileged photos container unchanged", async () => {
        const { recording } = await record(() => deployDatasets(inv, connections));
        const create = (path: string) => String(recording.one(`${path}-zfs`, T.command).inputs.create);
        expect(create("tank/cloud")).toContain("chown '100033:100033' \"$MP\"\nchmod '0750' \"$MP\"\n");
        expect(create("tank/media")).toContain("chown '101000:101000' \"$MP\"");
        expect(create("tank/nvr")).toContain("chown '101000:101000' \"$MP\"");
        expect(create("tank/photos")).toContain("chown '1000:1000' \"$MP\"");
        expect(create("tank/appdata/photos")).toContain("chown '1000:1000' \"$MP\"");
        expect(create("rpool/appdata/edge")).toContain("chown '101000:101000' \"$MP\"");
        expect(create("tank/pbs")).not.toContain("chown");
        expect(create("tank/pbs")).toContain(`zfs create -p -o 'quota=3T' -o 'sharenfs=rw=@192.168.10.20/32,no_root_squash' "$DS"`);
    });

    it("returns the datasets by path and passes options to each", async () => {
        let result: Record<string, ZfsDataset> = {};
        const { recording } = await record(() => {
            result = deployDatasets(inv, connections, { aliases: [{ name: "old" }] });
        });
        expect(Object.keys(result).sort()).toEqual(Object.keys(inv.datasets).sort());
        expect(result["tank/nvr"].path).toBe("tank/nvr");
        expect(recording.one("tank/nvr", T.dataset).options.aliases).toBe(1);
    });

    it("refuses a dataset whose node has no connection", async () => {
        await expect(record(() => deployDatasets(inv, { "pve-storage": connections["pve-storage"] }))).rejects.toThrow(
            '[datasets.rpool/appdata/edge.node] no SSH connection for node "pve-network" (have: pve-storage); pass one per node',
        );
    });

    it("lets a guest depend on the datasets it mounts: the engine waits for their commands", async () => {
        const { recording } = await record(() => {
            const datasets = deployDatasets(inv, connections);
            const mounts = datasetMountsFor(inv, "files");
            new ZfsDataset(
                "dependent",
                { path: "tank/dependent", connection: CONNECTION },
                { dependsOn: mounts.map((m) => datasets[m.dataset]) },
            );
        });
        const deps = recording.one("dependent", T.dataset).options.dependsOn;
        expect(deps.map((urn) => urn.split("::").at(-1)).sort()).toEqual(["tank/cloud-zfs", "tank/media-zfs", "tank/photos-zfs"]);
    });
});

describe("datasetMountsFor", () => {
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
        ["unifi", []],
        ["pbs", []],
    ])("gives %s its dataset mounts", (guest, expected) => {
        expect(datasetMountsFor(inv, guest)).toEqual(expected);
    });

    it("uses a dataset's own mountpoint as the host path", () => {
        const custom = { ...inv, datasets: { "tank/x": { ...inv.datasets["tank/nvr"], properties: { mountpoint: "/srv/my data" } } } };
        expect(datasetMountsFor(custom, "nvr")).toEqual([
            { hostPath: "/srv/my data", containerPath: "/mnt/recordings", readOnly: false, dataset: "tank/x" },
        ]);
    });

    it("maps every mounting guest at once, the same as per guest", () => {
        const all = datasetMountsByGuest(inv);
        expect([...all.keys()].sort()).toEqual(["cloud", "edge", "files", "media", "nvr", "photos"]);
        for (const guest of Object.keys(inv.guests)) expect(all.get(guest) ?? []).toEqual(datasetMountsFor(inv, guest));
        expect(all.get("nvr")).toEqual([
            { hostPath: "/tank/nvr", containerPath: "/mnt/recordings", readOnly: false, dataset: "tank/nvr" },
            { hostPath: "/tank/appdata/nvr", containerPath: "/srv/appdata", readOnly: false, dataset: "tank/appdata/nvr" },
        ]);
    });
});
