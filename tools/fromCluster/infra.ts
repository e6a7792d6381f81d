/**
 * The cluster-wide parts of the inventory read from a running cluster: nodes, storages (all
 * `managed: false`: they exist), hardware mappings, ZFS datasets (the ones guests bind-mount or
 * that hold data outside Proxmox's own volumes) and the backup tiers the cluster's vzdump jobs make.
 */
import { STORAGE_CONTENT } from "../../config/schema";
import { KEY_PATTERN, PCI_PATH_PATTERN, DEVICE_ID_PATTERN } from "../../lib/patterns";
import { RETENTION_OPTIONS, formatHhmm, parseHhmm } from "../../lib/backupSchedule";
import { parsePropertyString, pveBool } from "../../lib/pveConfig";
import { MANAGED_PROPERTIES, RECORDSIZES } from "../../lib/zfsValues";
import { NodeNet } from "./networks";
import { Notes } from "./notes";
import { BackupJob, ClusterSnapshot, HardwareMapping, NodeRead, StorageEntry, ZfsDatasetRead } from "./types";

const GIB = 1024 ** 3;

/** A node as the inventory has it. */
export function nodeEntry(node: NodeRead, net: NodeNet | undefined, notes: Notes): Record<string, unknown> {
    const where = ["nodes", node.name];
    const cpu = node.status?.cpuinfo;
    const sockets = cpu?.sockets ?? 1;
    const threads = cpu?.cpus !== undefined ? Math.max(1, Math.round(cpu.cpus / sockets)) : undefined;
    const memoryGiB = node.status?.memory?.total !== undefined ? Math.max(1, Math.round(node.status.memory.total / GIB)) : undefined;
    if (threads === undefined || memoryGiB === undefined)
        notes.fill(where, "the node's CPU and memory could not be read (GET /nodes/<node>/status)");
    if (node.ssh?.hostKey === undefined)
        notes.fill(
            [...where, "hostKey"],
            "the host key was not read over SSH; give the line of /etc/ssh/ssh_host_ed25519_key.pub, read on the node's console",
        );
    if (net === undefined) notes.fill([...where, "address"], "the node's address and bridge could not be read (GET /nodes/<node>/network)");
    else if (net.ports.length === 0) notes.fill([...where, "bridge", "ports"], `bridge ${net.bridge} has no physical port listed`);
    const pools = (node.ssh?.pools ?? []).filter((p) => p !== "rpool");
    return {
        ...(net ? { address: net.address } : {}),
        ...(node.ssh?.hostKey ? { hostKey: node.ssh.hostKey } : {}),
        ...(cpu?.model ? { cpu: cpu.model.slice(0, 100) } : {}),
        ...(sockets !== 1 ? { sockets } : {}),
        ...(threads !== undefined ? { threads } : {}),
        ...(memoryGiB !== undefined ? { memoryGiB } : {}),
        ...(pools.length > 0 ? { pools } : {}),
        adopt: true,
        ...(net ? { bridge: { name: net.bridge, ports: [...net.ports] } } : {}),
    };
}

const KIND_BY_TYPE: Readonly<Record<string, string>> = {
    dir: "dir",
    lvm: "lvm",
    lvmthin: "lvmthin",
    zfspool: "zfspool",
    nfs: "nfs",
    cifs: "cifs",
    pbs: "pbs",
    rbd: "rbd",
    cephfs: "cephfs",
};

/** The storages the inventory can state, each `managed: false`; the others are noted. */
export function storageEntries(storages: readonly StorageEntry[], nodeNames: readonly string[], notes: Notes): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of storages) {
        const kind = KIND_BY_TYPE[s.type];
        if (kind === undefined || !KEY_PATTERN.test(s.storage)) {
            notes.info(["storages"], `storage ${s.storage} (${s.type}) is not one the inventory can state; guests on it cannot be adopted`);
            continue;
        }
        const content = (s.content ?? "").split(",").filter((c) => (STORAGE_CONTENT as readonly string[]).includes(c));
        const nodes = s.nodes?.split(",").filter((n) => nodeNames.includes(n));
        const fields: Record<string, unknown> = {
            dir: { path: s.path },
            lvm: { volumeGroup: s.vgname },
            lvmthin: { volumeGroup: s.vgname, thinPool: s.thinpool },
            zfspool: { pool: s.pool, sparse: pveBool(s.sparse) === true },
            nfs: { server: s.server, export: s.export },
            cifs: { server: s.server, share: s.share, username: s.username, ...(s.domain ? { domain: s.domain } : {}) },
            pbs: { server: s.server, datastore: s.datastore, ...(s.username ? { username: s.username } : {}), fingerprint: s.fingerprint },
            rbd: { pool: s.pool },
            cephfs: {},
        }[kind] as Record<string, unknown>;
        out[s.storage] = {
            kind,
            ...fields,
            content: content.length > 0 ? content : ["images"],
            ...(nodes && nodes.length > 0 ? { nodes } : {}),
            managed: false,
        };
        if (content.length === 0)
            notes.fill(["storages", s.storage, "content"], `content "${s.content ?? ""}" holds nothing the inventory states`);
        if (pveBool(s.disable)) notes.info(["storages", s.storage], "disabled on the cluster");
    }
    return out;
}

/** PCI and USB mappings, each adopted; entries the inventory cannot state are noted. */
export function mappingEntries(
    mappings: ClusterSnapshot["mappings"],
    notes: Notes,
): { pci: Record<string, unknown>; usb: Record<string, unknown> } {
    const section = (kind: "pci" | "usb", list: readonly HardwareMapping[] | undefined) => {
        const out: Record<string, unknown> = {};
        for (const m of list ?? []) {
            const where = ["mappings", kind, m.id];
            if (!KEY_PATTERN.test(m.id)) {
                notes.info(["mappings", kind], `mapping ${m.id} is not a name the inventory accepts; VMs using it cannot be stated`);
                continue;
            }
            const map = m.map.flatMap((entry) => {
                const p = parsePropertyString(entry);
                if (kind === "usb") {
                    if (p.id === undefined || !DEVICE_ID_PATTERN.test(p.id)) {
                        notes.rule(where, `entry "${entry}" maps a USB port, not a vendor:product id; the inventory maps devices by id`);
                        return [];
                    }
                    return [{ node: p.node, id: p.id }];
                }
                if (p.path === undefined || !PCI_PATH_PATTERN.test(p.path) || p.id === undefined) {
                    notes.fill(where, `entry "${entry}" has no PCI address and id the inventory can state`);
                    return [];
                }
                return [
                    {
                        node: p.node,
                        id: p.id,
                        path: p.path,
                        ...(p["subsystem-id"] !== undefined ? { subsystemId: p["subsystem-id"] } : {}),
                        ...(p.iommugroup !== undefined ? { iommuGroup: Number(p.iommugroup) } : {}),
                    },
                ];
            });
            out[m.id] = { ...(m.description ? { description: m.description } : {}), map, adopt: true };
        }
        return out;
    };
    return { pci: section("pci", mappings.pci), usb: section("usb", mappings.usb) };
}

/** A size in bytes as the inventory states it (`2T`), exactly, or undefined when no unit fits. */
export function sizeText(bytes: string): string | undefined {
    if (!/^\d+$/.test(bytes)) return undefined;
    const n = BigInt(bytes);
    for (const [unit, shift] of [
        ["P", 50n],
        ["T", 40n],
        ["G", 30n],
        ["M", 20n],
        ["K", 10n],
    ] as const)
        if (n >= 1n << shift && n % (1n << shift) === 0n) return `${n >> shift}${unit}`;
    return bytes;
}

/** The managed properties set on the dataset itself (source `local`), as the inventory states them. */
export function datasetProperties(d: ZfsDatasetRead, where: (string | number)[], notes: Notes): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of MANAGED_PROPERTIES) {
        const prop = d.properties[p];
        if (prop === undefined || prop.source !== "local") continue;
        let value: string | undefined = prop.value;
        if (p === "recordsize") value = RECORDSIZES.find((r) => sizeText(prop.value) === r || r === prop.value);
        else if (p === "quota" || p === "reservation")
            value = prop.value === "0" || prop.value === "none" ? undefined : sizeText(prop.value);
        if (value === undefined) {
            notes.info([...where, "properties"], `${p}=${prop.value} (set on the dataset) cannot be stated; the first up resets it`);
            continue;
        }
        out[p] = value;
    }
    return out;
}

/**
 * Datasets worth an inventory entry: filesystems below a pool, except Proxmox's own (the root file
 * system, a storage's pool and the guest volumes in it) and the pool roots.
 */
export function dataDatasets(datasets: readonly ZfsDatasetRead[], storagePools: readonly string[]): ZfsDatasetRead[] {
    const under = (name: string, root: string) => name === root || name.startsWith(`${root}/`);
    return datasets.filter(
        (d) =>
            d.name.includes("/") &&
            !under(d.name, "rpool/ROOT") &&
            d.name !== "rpool/var-lib-vz" &&
            !storagePools.some((p) => under(d.name, p)) &&
            // A storage's pool root itself holds guest volumes below it.
            !storagePools.some((p) => under(p, d.name)),
    );
}

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** A vzdump schedule as a tier's cadence and start time, or undefined when it is none the inventory states. */
export function cadenceOf(schedule: string | undefined): { every: Record<string, unknown>; time: string } | undefined {
    const s = (schedule ?? "").trim();
    const time = /(\d{1,2}):(\d{2})$/.exec(s);
    const hhmm = time ? `${time[1].padStart(2, "0")}:${time[2]}` : "00:00";
    const rest = time ? s.slice(0, time.index).trim() : s;
    if (rest === "" || rest === "daily" || rest === "*-*-*") return { every: { every: "day" }, time: hhmm };
    if (WEEKDAYS.includes(rest)) return { every: { every: "week", weekday: rest }, time: hhmm };
    if (rest === "weekly") return { every: { every: "week", weekday: "mon" }, time: hhmm };
    const monthly = /^\*-\*-(\d{1,2})$/.exec(rest);
    if (rest === "monthly") return { every: { every: "month", dayOfMonth: 1 }, time: hhmm };
    if (monthly && Number(monthly[1]) <= 28) return { every: { every: "month", dayOfMonth: Number(monthly[1]) }, time: hhmm };
    return undefined;
}

/** The retention of a job's `prune-backups` (a property string or an object). */
export function retentionOf(prune: BackupJob["prune-backups"]): Record<string, number> {
    const p = typeof prune === "string" ? parsePropertyString(prune) : (prune ?? {});
    const out: Record<string, number> = {};
    for (const [key, option] of RETENTION_OPTIONS) if (p[option] !== undefined) out[key] = Number(p[option]);
    return out;
}

/** The backup section and each guest's tier from the cluster's enabled vzdump jobs. */
export function backupsFrom(
    jobs: readonly BackupJob[],
    guests: ReadonlyMap<number, { node: string }>,
    notes: Notes,
): { backups?: Record<string, unknown>; tierOf: Map<number, string> } {
    const tierOf = new Map<number, string>();
    const tiers: Record<string, unknown> = {};
    const times: number[] = [];
    const targets = new Set<string>();
    let bwlimit: number | undefined;
    for (const job of jobs.filter((j) => (j.type ?? "vzdump") === "vzdump" && j.enabled !== 0)) {
        const cadence = cadenceOf(job.schedule);
        if (cadence === undefined) {
            notes.info(["backups"], `job ${job.id} runs at "${job.schedule}", which no tier states; its guests are left out`);
            continue;
        }
        const name = `job-${tierName(job.id, Object.keys(tiers).length)}`;
        tiers[name] = { ...cadence.every, retention: retentionOf(job["prune-backups"]) };
        if (Object.keys(retentionOf(job["prune-backups"])).length === 0)
            notes.fill(["backups", "tiers", name, "retention"], `job ${job.id} names no retention (it takes the storage's); state one`);
        times.push(parseHhmm(cadence.time));
        if (job.storage) targets.add(job.storage);
        if (job.bwlimit !== undefined) bwlimit = Math.max(bwlimit ?? 0, job.bwlimit);
        const excluded = new Set(
            (job.exclude ?? "")
                .split(",")
                .filter((v) => v !== "")
                .map(Number),
        );
        const listed = job.vmid !== undefined ? job.vmid.split(",").map(Number) : undefined;
        for (const [vmid, g] of guests) {
            const inJob = listed
                ? listed.includes(vmid)
                : pveBool(job.all) === true && !excluded.has(vmid) && (job.node === undefined || job.node === g.node);
            if (inJob && !tierOf.has(vmid)) tierOf.set(vmid, name);
        }
        if (job.pool !== undefined) notes.info(["backups"], `job ${job.id} backs up pool ${job.pool}; its guests are not read into a tier`);
    }
    if (Object.keys(tiers).length === 0) return { tierOf };
    const start = Math.min(...times);
    // Room for every tier's vzdump and dataset job per node, 30 minutes each, and at least two hours.
    const end = (start + Math.max(120, Object.keys(tiers).length * 2 * 30 + 30)) % (24 * 60);
    if (targets.size > 1) notes.info(["backups", "target"], `the jobs write to ${[...targets].join(", ")}; the inventory has one target`);
    if (bwlimit === undefined) notes.fill(["backups", "bandwidthLimitKiBps"], "the jobs set no bandwidth limit; state one in KiB/s");
    notes.info(
        ["backups"],
        `the first up creates this program's jobs (one per tier and node, backup_<tier>_<node>); the cluster's jobs ${jobs.map((j) => j.id).join(", ")} keep running: delete them after the first up, or every guest is backed up twice`,
    );
    return {
        backups: {
            target: [...targets][0],
            window: { start: formatHhmm(start), end: formatHhmm(end), slotMinutes: 30 },
            ...(bwlimit !== undefined ? { bandwidthLimitKiBps: bwlimit } : {}),
            tiers,
        },
        tierOf,
    };
}

/** A tier name from a job id (`backup-9a8b7c6d-1234` → `9a8b7c6d`), or its position. */
function tierName(id: string, index: number): string {
    const m = /^backup-([a-z0-9]{1,12})/.exec(id.toLowerCase());
    return m ? m[1] : String(index + 1);
}
