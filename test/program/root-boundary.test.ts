/**
 * The root@pam boundary (facts P17, P26, P27), checked from Proxmox's own rules: for every guest the
 * program registers, the API parameters bpg sends for its inputs are judged as Proxmox judges
 * them, and the guest must go through the root@pam provider exactly when Proxmox would refuse
 * those parameters to anyone else (an API token of root included).
 *
 * The rules, as the upstream sources word them:
 * - pve-container `src/PVE/LXC.pm` check_ct_modify_config_perm (run for every key of a create and
 *   an update): `devN` "configuring device passthrough is only allowed for root@pam"; a mount point
 *   of type bind or device "mount point type $type is only allowed for root@pam"; `features` on a
 *   privileged container "changing feature flags for privileged container is only allowed for
 *   root@pam" (nesting alone included); any flag but nesting "changing feature flags (except
 *   nesting) is only allowed for root@pam"; `hookscript` "changing the hookscript is only allowed
 *   for root@pam".
 * - qemu-server `src/PVE/API2/Qemu.pm`: a disk that is a host path, "Only root can pass arbitrary
 *   filesystem paths." (pve-storage `src/PVE/Storage.pm` check_volume_access); check_hostpci_perm
 *   "only root can set '$opt' config for non-mapped devices"; check_usb_perm (a `host=` other than
 *   spice); `args`, `hookscript` and other keys outside $check_vm_modify_config_perm's lists "only
 *   root can set '$opt' config"; a serial port on a host device.
 * - Not root: a container's `idmap` is written by bpg to the config file over the node's SSH login
 *   (bpg `proxmoxtf/resource/container/container.go` containerSetIDMaps), and bind mounts are set by
 *   this program with `pct set` over SSH (P25), never sent to the provider (P8).
 */
import * as path from "path";
import { readCredentials } from "../../config/loader";
import { parseInventory } from "../../config/parse";
import { Inventory } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";
import { deployHomelab } from "../../program";
import { mutated } from "../config/reference";
import { RecordedResource, Recording, record } from "../helpers/harness";
import { credentialConfig } from "./reference";

const CT = "proxmoxve:index/containerLegacy:ContainerLegacy";
const VM = "proxmoxve:index/vmLegacy:VmLegacy";

type Inputs = Record<string, unknown>;
const list = (v: unknown): Inputs[] => (Array.isArray(v) ? (v as Inputs[]) : []);
const obj = (v: unknown): Inputs => (v !== null && typeof v === "object" ? (v as Inputs) : {});

/** Why Proxmox refuses a guest's parameters to anyone but root@pam; empty when an API token may send them. */
function rootOnlyParameters(r: RecordedResource): string[] {
    const i = r.inputs;
    const reasons: string[] = [];
    if (r.type === CT) {
        if (list(i.devicePassthroughs).length > 0) reasons.push("devN: device passthrough");
        if (list(i.mountPoints).some((m) => String(m.volume).startsWith("/"))) reasons.push("mpN of type bind");
        const f = obj(i.features);
        const sent = Object.entries(f).filter(([k, v]) => (k === "mount" ? list(v).length > 0 : v === true));
        if (sent.length > 0 && i.unprivileged === false) reasons.push("features on a privileged container");
        if (sent.some(([k]) => k !== "nesting")) reasons.push(`features other than nesting: ${sent.map(([k]) => k).join(", ")}`);
        if (i.hookScriptFileId !== undefined) reasons.push("hookscript");
    } else if (r.type === VM) {
        if (list(i.disks).some((d) => String(d.pathInDatastore ?? "").startsWith("/") && !d.datastoreId))
            reasons.push("a disk that is a host path");
        if (list(i.hostpcis).some((h) => h.mapping === undefined)) reasons.push("hostpciN of a non-mapped device");
        if (list(i.usbs).some((u) => u.host !== undefined && u.host !== "spice")) reasons.push("usbN of a host device");
        if (i.kvmArguments !== undefined) reasons.push("args");
        if (i.hookScriptFileId !== undefined) reasons.push("hookscript");
        if (list(i.serialDevices).some((s) => s.device !== undefined && s.device !== "socket")) reasons.push("serialN of a host device");
    }
    return reasons;
}

const stack = (name: string): Inventory => parseInventory(readStackFile(path.join(__dirname, "../..", `Pulumi.${name}.yaml`)).inventory);

/** The reference stack with one change to a guest. */
const variant = (change: (guests: Record<string, Record<string, unknown>>) => void): (() => Inventory) => {
    return () => parseInventory(mutated((r) => change(r.guests)));
};

const CASES: Readonly<Record<string, { inventory: () => Inventory; root: string[] }>> = {
    prod: { inventory: () => stack("prod"), root: ["cloud", "edge", "media", "nvr", "photos"] },
    "example-single": { inventory: () => stack("example-single"), root: ["jellyfin"] },
    "example-cluster": { inventory: () => stack("example-cluster"), root: [] },
    "prod with a privileged container whose only feature is nesting (photos without its devices)": {
        inventory: variant((g) => (g.photos.devices = [])),
        root: ["cloud", "edge", "media", "nvr", "photos"],
    },
    "prod with a privileged container without features (photos without Docker or devices)": {
        inventory: variant((g) => ((g.photos.devices = []), (g.photos.docker = false))),
        root: ["cloud", "edge", "media", "nvr"],
    },
};

async function recordProgram(inv: Inventory): Promise<Recording> {
    const creds = credentialConfig();
    return (await record(() => deployHomelab(inv, readCredentials()), { config: creds.config, secretKeys: creds.secretKeys })).recording;
}

describe.each(Object.keys(CASES))("the root@pam boundary over %s", (name) => {
    let recording: Recording;
    beforeAll(async () => {
        recording = await recordProgram(CASES[name].inventory());
    });

    it("routes through root@pam exactly the guests whose parameters Proxmox reserves to root", () => {
        const ref = (provider: string) => {
            const p = recording.one(provider, "pulumi:providers:proxmoxve");
            return `${p.urn}::${p.id}`;
        };
        const root = ref("proxmox-root");
        const guests = [...recording.ofType(CT), ...recording.ofType(VM)];
        expect(guests.length).toBeGreaterThan(0);
        for (const g of guests) {
            const owner = recording.get(g.parent!)!;
            const needsRoot = rootOnlyParameters(g).length > 0;
            expect({ guest: owner.name, needsRoot, viaRoot: g.options.provider === root, output: owner.outputs.usesRootProvider }).toEqual({
                guest: owner.name,
                needsRoot,
                viaRoot: needsRoot,
                output: needsRoot,
            });
        }
        expect(
            guests
                .filter((g) => rootOnlyParameters(g).length > 0)
                .map((g) => recording.get(g.parent!)!.name)
                .sort(),
        ).toEqual(CASES[name].root);
    });

    it("sends no bind mount and no hookscript to the provider: mounts go over SSH with pct (P8, P25)", () => {
        for (const g of recording.ofType(CT)) {
            expect([g.name, g.inputs.mountPoints, g.inputs.hookScriptFileId]).toEqual([g.name, undefined, undefined]);
            expect(g.options.ignoreChanges).toContain("mountPoints");
        }
    });
});

describe("an idmap", () => {
    it("reaches the provider, which writes it over SSH, and keeps its unprivileged container on the API token", async () => {
        const recording = await recordProgram(
            parseInventory(
                mutated(
                    (r) =>
                        (r.guests.files.idmap = [
                            { type: "uid", containerId: 0, hostId: 200000, size: 65536 },
                            { type: "gid", containerId: 0, hostId: 200000, size: 65536 },
                        ]),
                ),
            ),
        );
        const files = recording.one("files-container", CT);
        expect(files.inputs.idmaps).toEqual([
            { type: "uid", containerId: 0, hostId: 200000, size: 65536 },
            { type: "gid", containerId: 0, hostId: 200000, size: 65536 },
        ]);
        expect(rootOnlyParameters(files)).toEqual([]);
        const api = recording.one("proxmox-api", "pulumi:providers:proxmoxve");
        expect(files.options.provider).toBe(`${api.urn}::${api.id}`);
    });
});

describe("the model of Proxmox's rules", () => {
    const ct = (inputs: Inputs): RecordedResource => ({ type: CT, inputs }) as unknown as RecordedResource;
    const vm = (inputs: Inputs): RecordedResource => ({ type: VM, inputs }) as unknown as RecordedResource;

    it("judges container parameters as check_ct_modify_config_perm does", () => {
        expect(rootOnlyParameters(ct({ unprivileged: true, features: { nesting: true } }))).toEqual([]);
        expect(rootOnlyParameters(ct({ unprivileged: false, features: { nesting: true } }))).toEqual([
            "features on a privileged container",
        ]);
        expect(rootOnlyParameters(ct({ unprivileged: true, features: { nesting: true, keyctl: true } }))).toEqual([
            "features other than nesting: nesting, keyctl",
        ]);
        expect(rootOnlyParameters(ct({ unprivileged: true, features: { mount: ["nfs"] } }))).toEqual([
            "features other than nesting: mount",
        ]);
        expect(rootOnlyParameters(ct({ unprivileged: false }))).toEqual([]);
        expect(rootOnlyParameters(ct({ devicePassthroughs: [{ path: "/dev/net/tun" }] }))).toEqual(["devN: device passthrough"]);
        expect(rootOnlyParameters(ct({ mountPoints: [{ volume: "/tank/photos", path: "/photos" }] }))).toEqual(["mpN of type bind"]);
        expect(rootOnlyParameters(ct({ mountPoints: [{ volume: "local-zfs:8", path: "/data" }] }))).toEqual([]);
        expect(rootOnlyParameters(ct({ idmaps: [{ type: "uid", containerId: 0, hostId: 200000, size: 65536 }] }))).toEqual([]);
    });

    it("judges VM parameters as qemu-server does", () => {
        expect(rootOnlyParameters(vm({ hostpcis: [{ device: "hostpci0", mapping: "wan" }], usbs: [{ mapping: "coral" }] }))).toEqual([]);
        expect(rootOnlyParameters(vm({ hostpcis: [{ device: "hostpci0", id: "0000:01:00.0" }] }))).toEqual([
            "hostpciN of a non-mapped device",
        ]);
        expect(rootOnlyParameters(vm({ usbs: [{ host: "18d1:9302" }] }))).toEqual(["usbN of a host device"]);
        expect(rootOnlyParameters(vm({ usbs: [{ host: "spice" }] }))).toEqual([]);
        expect(rootOnlyParameters(vm({ disks: [{ datastoreId: "", pathInDatastore: "/dev/disk/by-id/ata-X" }] }))).toEqual([
            "a disk that is a host path",
        ]);
        expect(rootOnlyParameters(vm({ disks: [{ datastoreId: "tank-vm", size: 32 }], kvmArguments: "-cpu host" }))).toEqual(["args"]);
        expect(rootOnlyParameters(vm({ serialDevices: [{ device: "/dev/ttyS0" }] }))).toEqual(["serialN of a host device"]);
        expect(rootOnlyParameters(vm({ serialDevices: [{ device: "socket" }] }))).toEqual([]);
    });
});
