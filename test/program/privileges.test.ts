/**
 * The privileges of the program's token, checked against what the program really registers: the
 * program is recorded for the reference stack, the example stacks and variants without backups,
 * without mappings, with a Ceph pool the program creates and on Proxmox VE 8; every `proxmoxve:`
 * resource type it registers must have an entry in the privilege table, and the needs read
 * straight from the recorded resources' inputs
 * (an extractor written here, independent of components/accessUses.ts) must equal the needs the
 * Access component computed from the inventory, and be granted by the role and ACLs it registered.
 */
import * as path from "path";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { readCredentials } from "../../config/loader";
import { parseInventory } from "../../config/parse";
import { Inventory } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";
import { automationAccess } from "../../components/access";
import { HERE, PathNeed, ResourceUse, Trait, isGranted, pathNeeds } from "../../lib/grants";
import { PRIVILEGE_TABLE } from "../../lib/privileges";
import { deployHomelab } from "../../program";
import { RawInventory, mutated } from "../config/reference";
import { RecordedResource, Recording, record } from "../helpers/harness";
import { credentialConfig } from "./reference";

const ROOT = path.join(__dirname, "../..");
const PROVIDER = "pulumi:providers:proxmoxve";

const stackInventory = (stack: string): Inventory => parseInventory(readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)).inventory);

/** A stack's raw inventory with one change. */
function mutatedStack(stack: string, change: (raw: RawInventory) => void): RawInventory {
    const raw = structuredClone(readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)).inventory) as RawInventory;
    change(raw);
    return raw;
}

/** The stacks and variants checked, each a validated inventory. */
const STACKS: Readonly<Record<string, () => Inventory>> = {
    prod: () => stackInventory("prod"),
    "example-single (no VLANs: a flat LAN)": () => stackInventory("example-single"),
    "example-cluster (HA, a clone, replication)": () => stackInventory("example-cluster"),
    "prod without backups": () =>
        parseInventory(
            mutated((r) => {
                delete r.backups;
                delete r.offsite;
                for (const g of Object.values<Record<string, unknown>>(r.guests)) g.backup = { exclude: "no backups in this variant" };
                for (const d of Object.values<Record<string, unknown>>(r.datasets)) d.backup = { exclude: "no backups in this variant" };
            }),
        ),
    "prod without mappings": () =>
        parseInventory(
            mutated((r) => {
                r.mappings = { pci: {}, usb: {} };
                for (const g of Object.values<Record<string, unknown[]>>(r.guests)) {
                    if (g.pciMappings) g.pciMappings = [];
                    if (g.usbMappings) g.usbMappings = [];
                    if (g.devices) g.devices = g.devices.filter((d) => !("usb" in (d as object)));
                }
            }),
        ),
    "example-cluster with a Ceph pool the program creates": () =>
        parseInventory(
            mutatedStack("example-cluster", (r) => {
                r.storages.vmpool = { kind: "rbd", pool: "vmpool", content: ["images", "rootdir"] };
                r.guests.wiki.disks[0].storage = "vmpool";
            }),
        ),
    "example-cluster on Proxmox VE 8": () => {
        const inv = stackInventory("example-cluster");
        return { ...inv, cluster: { ...inv.cluster, pveVersion: 8 } };
    },
};

/** Records the whole program over an inventory, with every credential set (the steady state, not the bootstrap). */
async function recordProgram(inv: Inventory, extra?: () => void): Promise<Recording> {
    const creds = credentialConfig();
    const { recording } = await record(
        () => {
            deployHomelab(inv, readCredentials());
            extra?.();
        },
        { config: creds.config, secretKeys: creds.secretKeys },
    );
    return recording;
}

/** Every `proxmoxve:` custom resource type the recording holds that the privilege table lacks. */
function missingTableEntries(recording: Recording): string[] {
    const types = recording.resources.filter((r) => r.custom && r.type.startsWith("proxmoxve:")).map((r) => r.type);
    return [...new Set(types)].filter((t) => !Object.hasOwn(PRIVILEGE_TABLE, t));
}

type Inputs = Record<string, unknown>;
const list = (v: unknown): Inputs[] => (Array.isArray(v) ? (v as Inputs[]) : []);
const obj = (v: unknown): Inputs | undefined => (v !== null && typeof v === "object" ? (v as Inputs) : undefined);

/**
 * What a recorded resource touches, read from its inputs: the slots of the privilege table. A
 * volume id is a download's id in the mock runtime (`<name>-id`): its storage is that download's.
 */
function useOf(r: RecordedResource, recording: Recording): ResourceUse {
    const i = r.inputs;
    const downloads = new Map(recording.ofType("proxmoxve:download/file:File").map((d) => [d.id, String(d.inputs.datastoreId)]));
    const storageOf = (volume: unknown): string[] => {
        if (typeof volume !== "string" || volume === "" || volume === "none") return [];
        if (downloads.has(volume)) return [downloads.get(volume)!];
        return volume.includes(":") ? [volume.slice(0, volume.indexOf(":"))] : [];
    };
    const vnet = (nic: Inputs): string[] => {
        if (typeof nic.trunks === "string" && nic.trunks !== "") return nic.trunks.split(";").map((v) => `${nic.bridge}/${v}`);
        return [nic.vlanId !== undefined ? `${nic.bridge}/${nic.vlanId}` : String(nic.bridge)];
    };
    const base = { type: r.type, entity: r.name };
    switch (r.type) {
        case "proxmoxve:index/containerLegacy:ContainerLegacy": {
            const features = obj(i.features);
            const traits: Trait[] = [];
            if (i.unprivileged === false) traits.push("privileged");
            if (features?.nesting === true && features.keyctl !== true) traits.push("nesting");
            return {
                ...base,
                at: {
                    datacenter: HERE,
                    guest: [String(i.vmId)],
                    diskStorage: [String(obj(i.disk)?.datastoreId)],
                    imageStorage: storageOf(obj(i.operatingSystem)?.templateFileId),
                    vnet: list(i.networkInterfaces).flatMap(vnet),
                    ...(i.clone !== undefined ? { cloneSource: [String(obj(i.clone)!.vmId)] } : {}),
                },
                traits,
            };
        }
        case "proxmoxve:index/vmLegacy:VmLegacy": {
            const disks = list(i.disks);
            const cdrom = obj(i.cdrom);
            const traits: Trait[] = [];
            if (obj(i.agent)?.enabled === true) traits.push("agent");
            if (i.initialization !== undefined) traits.push("cloudInit");
            if (cdrom !== undefined) traits.push("cdrom");
            return {
                ...base,
                at: {
                    datacenter: HERE,
                    guest: [String(i.vmId)],
                    diskStorage: [
                        ...disks.flatMap((d) => (d.datastoreId ? [String(d.datastoreId)] : [])),
                        ...[obj(i.efiDisk), obj(i.tpmState)].flatMap((v) => (v ? [String(v.datastoreId)] : [])),
                    ],
                    imageStorage: [...disks.flatMap((d) => storageOf(d.importFrom)), ...storageOf(cdrom?.fileId)],
                    vnet: list(i.networkDevices).flatMap(vnet),
                    pciMapping: list(i.hostpcis).map((h) => String(h.mapping)),
                    usbMapping: list(i.usbs).map((u) => String(u.mapping)),
                    ...(i.clone !== undefined ? { cloneSource: [String(obj(i.clone)!.vmId)] } : {}),
                },
                traits,
            };
        }
        case "proxmoxve:firewall/optionsLegacy:OptionsLegacy":
        case "proxmoxve:firewall/ipsetLegacy:IpsetLegacy":
        case "proxmoxve:firewall/rulesLegacy:RulesLegacy": {
            const vmid = i.vmId ?? i.containerId;
            if (vmid !== undefined) return { ...base, at: { guest: [String(vmid)] } };
            return { ...base, at: i.nodeName !== undefined ? { node: [String(i.nodeName)] } : { datacenter: HERE } };
        }
        case "proxmoxve:node/firewall:Firewall":
        case "proxmoxve:network/linux/bridge:Bridge":
            return { ...base, at: { node: [String(i.nodeName)] } };
        case "proxmoxve:hardware/mapping/pci:Pci":
            return { ...base, at: { pciMappings: HERE, pciMapping: [String(i.name)] } };
        case "proxmoxve:hardware/mapping/usb:Usb":
            return { ...base, at: { usbMappings: HERE, usbMapping: [String(i.name)] } };
        case "proxmoxve:download/file:File":
            return { ...base, at: { datacenter: HERE, downloadStorage: [String(i.datastoreId)] } };
        case "proxmoxve:index/fileLegacy:FileLegacy":
            return { ...base, at: { snippetStorage: [String(i.datastoreId)] } };
        case "proxmoxve:backup/job:Job":
            return { ...base, at: { datacenter: HERE, backupStorage: [String(i.storage)] } };
        case "proxmoxve:ceph/pool:Pool":
            // Creating the pool adds its storage (add_storages); destroying it removes them (remove_storages).
            return {
                ...base,
                at: { datacenter: HERE, ...(i.addStorages === true || i.removeStorages === true ? { storageConfig: HERE } : {}) },
            };
        case "proxmoxve:index/replication:Replication":
            return { ...base, at: { guest: [String(i.resourceId).split("-")[0]], storageConfig: HERE } };
        default:
            if (r.type.startsWith("proxmoxve:storage/"))
                return { ...base, at: { storageConfig: HERE, definedStorage: [String(i.resourceId)] } };
            return { ...base, at: { datacenter: HERE } };
    }
}

/** `<type> <privilege>@<path>`, sorted and unique: which kind of resource needs what where. */
const flat = (needs: readonly PathNeed[]) => [...new Set(needs.map((n) => `${n.type} ${n.privilege}@${n.path}`))].sort();

describe.each(Object.keys(STACKS))("the token's privileges over %s", (stack) => {
    let inv: Inventory;
    let recording: Recording;
    let api: string;
    let root: string;

    beforeAll(async () => {
        inv = STACKS[stack]();
        recording = await recordProgram(inv);
        const ref = (name: string) => {
            const p = recording.one(name, PROVIDER);
            return `${p.urn}::${p.id}`;
        };
        api = ref("proxmox-api");
        root = ref("proxmox-root");
    });

    it("has a privilege table entry for every Proxmox resource type the program registers", () => {
        expect(missingTableEntries(recording)).toEqual([]);
    });

    it("manages the token's own access only through root@pam, and nothing the token manages is root-only", () => {
        const access = recording.one("access", "homelab:proxmox:Access").urn;
        for (const r of recording.childrenOf(access)) expect([r.name, r.options.provider]).toEqual([r.name, root]);
        const viaToken = recording.resources.filter((r) => r.custom && r.options.provider === api);
        expect(viaToken.filter((r) => "rootOnly" in PRIVILEGE_TABLE[r.type]).map((r) => r.name)).toEqual([]);
    });

    it("needs, by the table, exactly what the Access component computed from the inventory", () => {
        const viaToken = recording.resources.filter((r) => r.custom && r.options.provider === api);
        const recorded = pathNeeds(
            viaToken.map((r) => useOf(r, recording)),
            inv.cluster.pveVersion,
        );
        expect(flat(recorded)).toEqual(flat(automationAccess(inv).needs));
    });

    it("grants every one of those needs through the role and ACLs it registered, to the token's user", () => {
        const role = recording.ofType("proxmoxve:index/roleLegacy:RoleLegacy")[0].inputs;
        const user = String(recording.ofType("proxmoxve:index/userLegacy:UserLegacy")[0].inputs.userId);
        const acls = recording.ofType("proxmoxve:index/acl:Acl").map((a) => a.inputs);
        expect(new Set(acls.map((a) => [a.userId, a.roleId, a.tokenId].join(" ")))).toEqual(new Set([`${user} ${role.roleId} `]));
        const grants = acls.map((a) => ({ path: String(a.path), propagate: a.propagate === true, privileges: [] }));
        const privileges = new Set(role.privileges as string[]);
        const viaToken = recording.resources.filter((r) => r.custom && r.options.provider === api);
        const needs = pathNeeds(
            viaToken.map((r) => useOf(r, recording)),
            inv.cluster.pveVersion,
        );
        expect(needs.filter((n) => !isGranted(grants, privileges, n.privilege, n.path)).map((n) => `${n.privilege}@${n.path}`)).toEqual([]);
    });
});

describe("a new kind of resource", () => {
    it("without a privilege table entry is found when the program is recorded", async () => {
        const recording = await recordProgram(stackInventory("example-single"), () => {
            new proxmoxve.PoolLegacy("lab", { poolId: "lab" });
        });
        expect(missingTableEntries(recording)).toEqual(["proxmoxve:index/poolLegacy:PoolLegacy"]);
    });
});
