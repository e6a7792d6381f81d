/**
 * The exact scripts of lib/zfs.ts against real ZFS (zfs-fuse) over real SSH, sent the way the
 * command provider sends them: as the command of an SSH session, run by the login shell.
 * zfs-fuse has no lz4, zstd, acltype or recordsize above 128K, so these tests use gzip, lzjb
 * and smaller records while the schema accepts the real ones.
 */
import * as fs from "fs";
import * as path from "path";
import { shellQuote } from "../../lib/shell";
import { ZfsDatasetSpec, createScript, deleteScript, parseZfsGet, readScript, updateScript } from "../../lib/zfs";
import { IntegrationState, readState, run, runOk, sleep, sshRun } from "./environment";

const state = readState();
// globalSetup fails the run when the environment is missing; this guards a stale state file.
if (!state.available) throw new Error(`the ZFS integration environment is not ready: ${state.reason}`);
const env = state;

/** Runs a script on 127.0.0.1 over SSH as one command string, as command.remote.Command does. */
const ssh = (env: Extract<IntegrationState, { available: true }>, script: string) => sshRun(env, script);

/** Local `zfs get -Hp` of one property: value and source. */
function zget(dataset: string, property: string): { value: string; source: string } {
    const [value, source] = runOk("zfs", ["get", "-Hp", "-o", "value,source", property, dataset]).replace(/\n$/, "").split("\t");
    return { value, source };
}

function exists(dataset: string): boolean {
    return run("zfs", ["list", "-H", "-o", "name", dataset]).status === 0;
}

/** Whether a path is a mountpoint of the kernel (so ownership applies to the dataset, not to the directory under it). */
function kernelMounted(mountpoint: string): boolean {
    const escaped = mountpoint.replace(/ /g, "\\040");
    return fs
        .readFileSync("/proc/mounts", "utf8")
        .split("\n")
        .some((line) => line.split(" ")[1] === escaped);
}

/** `zfs destroy` by hand; zfs-fuse keeps a just-unmounted dataset busy for a moment, so unmount first and retry. */
async function destroyByHand(dataset: string): Promise<void> {
    runOk("zfs", ["unmount", dataset]);
    for (let attempt = 1; run("zfs", ["destroy", dataset]).status !== 0; attempt++) {
        if (attempt === 10) throw new Error(`could not destroy ${dataset} by hand`);
        await sleep(300);
    }
}

function datasets(): string[] {
    return runOk("zfs", ["list", "-H", "-o", "name", "-r", env.pool]).trim().split("\n");
}

describe("ZFS datasets over SSH (zfs-fuse)", () => {
    const P = env?.pool;
    const mnt = (rel: string) => path.join(env.dir, "mnt", P, rel);

    it("reaches the node through the throw-away key and sees the test pool", () => {
        const r = ssh(env, "zpool list -H -o name");
        expect(r.code).toBe(0);
        expect(r.stdout.split("\n")).toContain(P);
    });

    describe("create", () => {
        const spec = (): ZfsDatasetSpec => ({
            path: `${P}/media/photos`,
            properties: { recordsize: "16K", compression: "gzip", quota: "64M", atime: "off" },
            owner: { uid: 101000, gid: 101000, mode: "0750" },
            allowDestroy: false,
        });

        it("creates the dataset with missing parents and its properties, and prints them", () => {
            const r = ssh(env, createScript(spec()));
            expect(r.stderr).toContain(`homelab: creating ${P}/media/photos`);
            expect(r.code).toBe(0);
            expect(exists(`${P}/media`)).toBe(true);
            expect(parseZfsGet(r.stdout)).toEqual({
                compression: { value: "gzip", source: "local" },
                recordsize: { value: "16384", source: "local" },
                quota: { value: "67108864", source: "local" },
                reservation: { value: "0", source: "default" },
                atime: { value: "off", source: "local" },
                xattr: { value: "on", source: "default" },
                mountpoint: { value: mnt("media/photos"), source: `inherited from ${P}` },
                sharenfs: { value: "off", source: "default" },
            });
        });

        it("applies the owner and mode to the mounted dataset's root", () => {
            expect(kernelMounted(mnt("media/photos"))).toBe(true);
            const st = fs.statSync(mnt("media/photos"));
            expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o777).toString(8) }).toEqual({ uid: 101000, gid: 101000, mode: "750" });
        });

        it("is idempotent: a second run converges without changing anything", () => {
            const before = ssh(env, readScript(`${P}/media/photos`)).stdout;
            const r = ssh(env, createScript(spec()));
            expect(r.code).toBe(0);
            expect(r.stderr).toContain(`homelab: ${P}/media/photos exists; converging it`);
            expect(r.stderr).not.toMatch(/homelab: (set|reset|creating)/);
            expect(r.stdout).toBe(before);
        });

        it("quotes odd but valid values: a colon in the name and a space in the mountpoint", () => {
            const mountpoint = path.join(env.dir, "my data");
            const r = ssh(
                env,
                createScript({
                    path: `${P}/my:data.v2`,
                    properties: { mountpoint, compression: "lzjb" },
                    owner: { uid: 100033, gid: 100034, mode: "0770" },
                    allowDestroy: false,
                }),
            );
            expect(r.code).toBe(0);
            expect(parseZfsGet(r.stdout).mountpoint).toEqual({ value: mountpoint, source: "local" });
            expect(zget(`${P}/my:data.v2`, "mounted").value).toBe("yes");
            expect(kernelMounted(mountpoint)).toBe(true);
            const st = fs.statSync(mountpoint);
            expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o777).toString(8) }).toEqual({ uid: 100033, gid: 100034, mode: "770" });
        });
    });

    describe("update", () => {
        const base: ZfsDatasetSpec = {
            path: "",
            properties: { recordsize: "32K", compression: "gzip", atime: "off" },
            owner: { uid: 101000, gid: 101000, mode: "0750" },
            allowDestroy: false,
        };

        it("reconciles drift made by hand: changed values are set back, hand-set extras are reset", () => {
            const spec = { ...base, path: `${P}/drift` };
            expect(ssh(env, createScript(spec)).code).toBe(0);
            runOk("zfs", ["set", "compression=lzjb", spec.path]);
            runOk("zfs", ["set", "recordsize=128K", spec.path]);
            runOk("zfs", ["inherit", "atime", spec.path]);
            runOk("zfs", ["set", "xattr=off", spec.path]);
            runOk("zfs", ["set", "quota=32M", spec.path]);

            const r = ssh(env, updateScript(spec));
            expect(r.code).toBe(0);
            expect(r.stderr).toContain(`homelab: set compression=gzip on ${spec.path}`);
            expect(r.stderr).toContain(`homelab: set recordsize=32K on ${spec.path}`);
            expect(r.stderr).toContain(`homelab: set atime=off on ${spec.path}`);
            expect(r.stderr).toContain(`homelab: reset xattr on ${spec.path} (not in the inventory)`);
            expect(r.stderr).toContain(`homelab: reset quota on ${spec.path} (not in the inventory)`);
            const props = parseZfsGet(r.stdout);
            expect(props.compression).toEqual({ value: "gzip", source: "local" });
            expect(props.recordsize).toEqual({ value: "32768", source: "local" });
            expect(props.atime).toEqual({ value: "off", source: "local" });
            expect(props.xattr).toEqual({ value: "on", source: "default" });
            expect(props.quota.value).toBe("0");
            expect(zget(spec.path, "compression")).toEqual({ value: "gzip", source: "local" });
        });

        it("sets changed properties, resets the ones the inventory removed, and re-owns the mountpoint", () => {
            const spec = { ...base, path: `${P}/changes` };
            expect(ssh(env, createScript(spec)).code).toBe(0);
            const changed: ZfsDatasetSpec = {
                ...spec,
                properties: { compression: "on", quota: "48M" },
                owner: { uid: 100033, gid: 100033, mode: "0700" },
            };
            const r = ssh(env, updateScript(changed));
            expect(r.code).toBe(0);
            const props = parseZfsGet(r.stdout);
            expect(props.compression).toEqual({ value: "on", source: "local" });
            expect(props.quota).toEqual({ value: "50331648", source: "local" });
            expect(props.recordsize).toEqual({ value: "131072", source: "default" });
            expect(props.atime).toEqual({ value: "on", source: "default" });
            const st = fs.statSync(mnt("changes"));
            expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o777).toString(8) }).toEqual({ uid: 100033, gid: 100033, mode: "700" });
        });

        it("recreates a dataset destroyed outside the program, empty", async () => {
            const spec = { ...base, path: `${P}/vanished` };
            expect(ssh(env, createScript(spec)).code).toBe(0);
            await destroyByHand(spec.path);
            const r = ssh(env, updateScript(spec));
            expect(r.code).toBe(0);
            expect(r.stderr).toContain(`homelab: ${spec.path} is missing (destroyed outside this program?); creating it empty`);
            expect(exists(spec.path)).toBe(true);
        });
    });

    describe("delete", () => {
        const spec = (name: string, allowDestroy: boolean): ZfsDatasetSpec => ({
            path: `${P}/del/${name}`,
            properties: { compression: "gzip" },
            allowDestroy,
        });

        it("without allowDestroy leaves the dataset and its data and succeeds", () => {
            const s = spec("kept", false);
            expect(ssh(env, createScript(s)).code).toBe(0);
            fs.writeFileSync(path.join(mnt("del/kept"), "photo.jpg"), "precious");
            const r = ssh(env, deleteScript(s));
            expect(r.code).toBe(0);
            expect(r.stderr).toContain(`homelab: leaving ZFS dataset ${s.path} and its data on disk (allowDestroy is false)`);
            expect(exists(s.path)).toBe(true);
            expect(fs.readFileSync(path.join(mnt("del/kept"), "photo.jpg"), "utf8")).toBe("precious");
        });

        it("with allowDestroy refuses a dataset holding files and keeps the data", () => {
            const s = spec("full", true);
            expect(ssh(env, createScript(s)).code).toBe(0);
            fs.writeFileSync(path.join(mnt("del/full"), "photo.jpg"), "precious");
            const r = ssh(env, deleteScript(s));
            expect(r.code).toBe(1);
            expect(r.stderr).toContain(
                `homelab: refusing to destroy ${s.path}, it is not empty:\n  - files in ${mnt("del/full")}, such as: photo.jpg`,
            );
            expect(exists(s.path)).toBe(true);
            expect(fs.readFileSync(path.join(mnt("del/full"), "photo.jpg"), "utf8")).toBe("precious");
        });

        it("with allowDestroy refuses a dataset with children or snapshots, and never destroys recursively", () => {
            const parent = spec("parent", true);
            expect(ssh(env, createScript(spec("parent/child", false))).code).toBe(0);
            const r1 = ssh(env, deleteScript(parent));
            expect(r1.code).toBe(1);
            expect(r1.stderr).toContain(`  - child datasets: ${P}/del/parent/child`);
            expect(exists(`${P}/del/parent/child`)).toBe(true);

            const snapped = spec("snapped", true);
            expect(ssh(env, createScript(snapped)).code).toBe(0);
            runOk("zfs", ["snapshot", `${snapped.path}@before`]);
            const r2 = ssh(env, deleteScript(snapped));
            expect(r2.code).toBe(1);
            expect(r2.stderr).toContain(`  - snapshots: ${snapped.path}@before`);
            expect(exists(`${snapped.path}@before`)).toBe(true);
        });

        it("with allowDestroy destroys an empty dataset, and a second run finds nothing to do", () => {
            const s = spec("empty", true);
            expect(ssh(env, createScript(s)).code).toBe(0);
            const r = ssh(env, deleteScript(s));
            expect(r.stderr).toContain(`homelab: destroyed empty dataset ${s.path}`);
            expect(r.code).toBe(0);
            expect(exists(s.path)).toBe(false);
            const again = ssh(env, deleteScript(s));
            expect(again.code).toBe(0);
            expect(again.stderr).toContain(`homelab: ${s.path} does not exist; nothing to destroy`);
        });
    });

    describe("errors and hostile values", () => {
        it("says so clearly when the pool does not exist", () => {
            const r = ssh(env, createScript({ path: "nosuchpool/x", properties: {}, allowDestroy: false }));
            expect(r.code).toBe(1);
            expect(r.stderr).toContain("homelab: ZFS pool nosuchpool is not available on");
            expect(r.stderr).toContain("create or import it (zpool import nosuchpool) first");
        });

        it("says so clearly when zfs is not installed", () => {
            const script = createScript({ path: `${P}/never`, properties: {}, allowDestroy: false });
            const r = ssh(env, `env PATH=/nonexistent /bin/sh -c ${shellQuote(script)}`);
            expect(r.code).toBe(1);
            expect(r.stderr).toContain("homelab: the zfs command is not installed on");
            expect(exists(`${P}/never`)).toBe(false);
        });

        const marker = () => path.join(env.dir, "pwned");
        const hostile = () => [
            `${P}/x;touch ${marker()}`,
            `${P}/$(touch ${marker()})`,
            `${P}/\`touch ${marker()}\``,
            `${P}/x\ntouch ${marker()}`,
            `${P}/../x`,
            `${P}/x' ; touch '${marker()}`,
        ];

        it("never lets a hostile name reach the shell: the builders refuse it, nothing is created, no marker appears", () => {
            const before = datasets();
            for (const name of hostile()) {
                for (const build of [createScript, updateScript, deleteScript]) {
                    expect(() => build({ path: name, properties: {}, allowDestroy: true })).toThrow("[path] must be a ZFS dataset name");
                }
                expect(() => readScript(name)).toThrow("[path] must be a ZFS dataset name");
                expect(() => createScript({ path: `${P}/ok`, properties: { mountpoint: `/srv/${name}` }, allowDestroy: false })).toThrow(
                    "[properties.mountpoint]",
                );
            }
            expect(datasets()).toEqual(before);
            expect(fs.existsSync(marker())).toBe(false);
        });

        it("quoting holds over the real SSH path: hostile text arrives as literal text", () => {
            for (const text of hostile()) {
                const r = ssh(env, `printf '%s' ${shellQuote(text)}`);
                expect(r.code).toBe(0);
                expect(r.stdout).toBe(text);
            }
            expect(fs.existsSync(marker())).toBe(false);
        });
    });
});
