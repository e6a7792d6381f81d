/**
 * Adopted datasets converge with no change: the cluster reader's ZFS commands over real SSH on
 * 127.0.0.1 against real ZFS (zfs-fuse) give the inventory's properties; the dataset scripts of
 * lib/zfs.ts run with that inventory change nothing; and the adoption view's model of those scripts
 * (tools/change/adoptionNode.ts datasetActions) predicts what they do when the inventory differs.
 */
import { readState, run, runOk, sshRun } from "./environment";
import { datasetActions } from "../../tools/change/adoptionNode";
import { datasetProperties } from "../../tools/fromCluster/infra";
import { Notes } from "../../tools/fromCluster/notes";
import { SSH_COMMANDS, ownersCommand, parseOwners, parseZfsDatasets, sshRunner } from "../../tools/fromCluster/ssh";
import { ZfsDatasetRead } from "../../tools/fromCluster/types";
import { shellQuote } from "../../lib/shell";
import { ZfsProperties, updateScript } from "../../lib/zfs";

const state = readState();
if (!state.available) throw new Error(`the ZFS integration environment is not ready: ${state.reason}`);
const env = state;
const target = { node: "it", address: "127.0.0.1", port: env.sshPort, user: "root" };
const runner = sshRunner({ identity: env.clientKey, knownHosts: env.knownHosts });

/** Runs a script over SSH as the command provider does; returns its exit code and output. */
const ssh = (script: string) => sshRun(env, script);

async function readDatasets(): Promise<ZfsDatasetRead[]> {
    return parseZfsDatasets(await runner(target, { name: "datasets", text: SSH_COMMANDS.datasets }));
}

describe("an adopted dataset, read over SSH and converged with what was read", () => {
    const parent = `${env.pool}/adopt`;
    const media = `${parent}/media`;
    beforeAll(() => {
        runOk("zfs", ["create", "-o", "compression=lzjb", parent]);
        runOk("zfs", ["create", "-o", "compression=gzip", "-o", "recordsize=64K", "-o", "atime=off", "-o", "quota=64M", media]);
    });
    afterAll(() => {
        run("zfs", ["destroy", "-r", parent]);
    });

    it("reads the properties set on the dataset itself, exactly, and leaves inherited ones out", async () => {
        const read = (await readDatasets()).find((d) => d.name === media)!;
        expect(read.properties.compression).toEqual({ value: "gzip", source: "local" });
        expect(read.properties.recordsize).toEqual({ value: "65536", source: "local" });
        const notes = new Notes();
        expect(datasetProperties(read, ["datasets", media], notes)).toEqual({
            compression: "gzip",
            recordsize: "64K",
            atime: "off",
            quota: "64M",
        });
        const child = (await readDatasets()).find((d) => d.name === parent)!;
        expect(datasetProperties(child, ["datasets", parent], notes)).toEqual({ compression: "lzjb" });
        expect(notes.all).toEqual([]);
    });

    it("the update script with the inventory as read sets nothing and resets nothing; the view's model agrees", async () => {
        const read = (await readDatasets()).find((d) => d.name === media)!;
        const properties = datasetProperties(read, [], new Notes()) as ZfsProperties;
        expect(datasetActions(properties, read.properties)).toEqual({ actions: [], unverified: [] });
        const r = ssh(updateScript({ path: media, properties, allowDestroy: false }));
        expect(r.code).toBe(0);
        expect(r.stderr.split("\n").filter((l) => /^homelab: (set|reset) /.test(l))).toEqual([]);
        expect((await readDatasets()).find((d) => d.name === media)!.properties).toEqual(read.properties);
    });

    it("with the inventory changed, the script does what the view's model says it will", async () => {
        const read = (await readDatasets()).find((d) => d.name === media)!;
        const changed: ZfsProperties = { compression: "gzip", recordsize: "64K", atime: "on" };
        // The model lists by property (quota before atime); the script sets first, then resets.
        expect(datasetActions(changed, read.properties).actions).toEqual(["zfs set quota=none", "zfs set atime=on"]);
        const r = ssh(updateScript({ path: media, properties: changed, allowDestroy: false }));
        expect(r.code).toBe(0);
        expect(r.stderr.split("\n").filter((l) => /^homelab: (set|reset) /.test(l))).toEqual([
            `homelab: set atime=on on ${media}`,
            `homelab: reset quota on ${media} (not in the inventory)`,
        ]);
    });

    it("reads the mountpoint's owner and mode with the quoted stat command", async () => {
        const mountpoint = runOk("zfs", ["get", "-H", "-o", "value", "mountpoint", media]).trim();
        runOk("chown", ["101000:101000", mountpoint]);
        runOk("chmod", ["750", mountpoint]);
        const command = ownersCommand([mountpoint]);
        expect(command.text).toBe(`stat -c '%u %g %a %n' -- ${shellQuote(mountpoint)}`);
        expect(parseOwners(await runner(target, command))).toEqual({ [mountpoint]: { uid: 101000, gid: 101000, mode: "750" } });
    });
});
