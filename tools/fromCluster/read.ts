/**
 * Reads a running cluster into a snapshot: the Proxmox API (GET only) and, when given, SSH on each
 * node (host key, ZFS, corosync.conf). A call that fails is recorded with its endpoint and reason
 * and the read goes on; only the calls without which there is nothing to describe (`/nodes`,
 * `/cluster/resources`) stop it. Guests are read a few at a time, so a cluster of hundreds of guests
 * reads in a few seconds over a LAN.
 */
import { ApiCallError, Permission, ProxmoxApi } from "./api";
import { isSafeAbsolutePath } from "../../lib/patterns";
import { dataDatasets } from "./infra";
import {
    HostKeyError,
    RemoteRunner,
    SSH_COMMANDS,
    SshCommand,
    SshTarget,
    hostKeyLine,
    ownersCommand,
    parseOwners,
    parseZfsDatasets,
    qdeviceHost,
} from "./ssh";
import { parsePropertyString, pveBool } from "../../lib/pveConfig";
import {
    AgentInterface,
    BackupJob,
    ClusterResource,
    ClusterSnapshot,
    ClusterStatusEntry,
    FirewallOptions,
    FirewallRule,
    GuestConfig,
    GuestRead,
    HaResource,
    HardwareMapping,
    IpsetEntry,
    NetworkInterface,
    NodeDns,
    NodeRead,
    NodeSshRead,
    NodeStatus,
    ReadError,
    ReplicationJob,
    SECRET_CONFIG_KEYS,
    StorageEntry,
    VersionInfo,
} from "./types";

/** A call without which nothing can be described failed: nothing is written. */
export class ReadFailedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReadFailedError";
    }
}

/** How the reader reaches the nodes over SSH. */
export interface SshAccess {
    readonly run: RemoteRunner;
    /** @default 22 */
    readonly port?: number;
    /** @default "root" */
    readonly user?: string;
}

export interface ReadOptions {
    /** SSH access to the nodes; without it no host key, ZFS or QDevice is read. */
    readonly ssh?: SshAccess;
    /** Guests read at the same time. @default 8 */
    readonly concurrency?: number;
    /** The time the snapshot says it was read. @default now */
    readonly now?: () => Date;
}

const ROOT: Permission = { privilege: "Sys.Audit", path: "/" };
const nodePerm = (node: string): Permission => ({ privilege: "Sys.Audit", path: `/nodes/${node}` });
const vmPerm = (vmid: number): Permission => ({ privilege: "VM.Audit", path: `/vms/${vmid}` });

/** Runs `fn` over `items`, `limit` at a time, keeping the order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const out: R[] = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            out[i] = await fn(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return out;
}

/** Whether a VM's `agent` option (`1`, `enabled=1,fstrim_cloned_disks=1`) turns the agent on. */
export function agentEnabled(value: string | number | undefined): boolean {
    if (value === undefined) return false;
    const p = parsePropertyString(String(value), "enabled");
    return pveBool(p.enabled) === true;
}

/** A guest config without the keys a snapshot never keeps (secrets). */
function withoutSecrets(config: GuestConfig): GuestConfig {
    const copy: Record<string, unknown> = { ...config };
    for (const key of SECRET_CONFIG_KEYS) delete copy[key];
    return copy as GuestConfig;
}

/** Reads the cluster. Throws ReadFailedError when `/nodes` or `/cluster/resources` cannot be read. */
export async function readCluster(api: ProxmoxApi, options: ReadOptions = {}): Promise<ClusterSnapshot> {
    const errors: ReadError[] = [];
    /** A call whose failure is recorded; undefined then. */
    const tryGet = async <T>(path: string, permission?: Permission): Promise<T | undefined> => {
        try {
            return await api.get<T>(path, permission);
        } catch (e) {
            if (!(e instanceof ApiCallError)) throw e;
            errors.push({ call: e.endpoint, message: e.message });
            return undefined;
        }
    };
    const mustGet = async <T>(path: string): Promise<T> => {
        try {
            return await api.get<T>(path);
        } catch (e) {
            if (e instanceof ApiCallError) throw new ReadFailedError(`${e.message}; nothing was written`);
            throw e;
        }
    };

    const version = await tryGet<VersionInfo>("/version");
    const nodeList = await mustGet<{ node: string }[]>("/nodes");
    const resources = await mustGet<ClusterResource[]>("/cluster/resources?type=vm");
    const status = await tryGet<ClusterStatusEntry[]>("/cluster/status", ROOT);

    const storages = await tryGet<StorageEntry[]>("/storage", { privilege: "Datastore.Audit", path: "/storage" });
    const storagePools = (storages ?? []).filter((s) => s.type === "zfspool" && s.pool !== undefined).map((s) => s.pool!);
    const nodeNames = nodeList.map((n) => n.node).sort();
    const addressOf = (node: string) => status?.find((e) => e.type === "node" && e.name === node)?.ip;
    const nodes: Record<string, NodeRead> = {};
    for (const name of nodeNames) {
        const p = (...rest: string[]) => api.path("nodes", name, ...rest);
        const [nodeStatus, network, dns, time, firewall] = await Promise.all([
            tryGet<NodeStatus>(p("status"), nodePerm(name)),
            tryGet<NetworkInterface[]>(p("network"), nodePerm(name)),
            tryGet<NodeDns>(p("dns"), nodePerm(name)),
            tryGet<{ timezone?: string }>(p("time"), nodePerm(name)),
            tryGet<FirewallOptions>(p("firewall", "options"), nodePerm(name)),
        ]);
        const address = addressOf(name) ?? bridgeAddress(network);
        // The QDevice matters only to a two-node cluster; corosync.conf is the same on every node.
        const corosync = nodeNames.length === 2 && name === nodeNames[0];
        const ssh =
            options.ssh && address ? await readNode(options.ssh, { node: name, address }, corosync, storagePools, errors) : undefined;
        nodes[name] = {
            name,
            ...(nodeStatus ? { status: nodeStatus } : {}),
            ...(network ? { network } : {}),
            ...(dns ? { dns } : {}),
            ...(time?.timezone ? { timezone: time.timezone } : {}),
            ...(firewall ? { firewall } : {}),
            ...(ssh ? { ssh } : {}),
        };
    }

    const guestList = resources.filter((r) => (r.type === "lxc" || r.type === "qemu") && nodeNames.includes(r.node));
    const guestReads = await mapLimited(guestList, options.concurrency ?? 8, async (r): Promise<GuestRead> => {
        const base = ["nodes", r.node, r.type, r.vmid] as const;
        const [config, fwOptions, rules, ipsets] = await Promise.all([
            tryGet<GuestConfig>(api.path(...base, "config"), vmPerm(r.vmid)),
            tryGet<FirewallOptions>(api.path(...base, "firewall", "options"), vmPerm(r.vmid)),
            tryGet<FirewallRule[]>(api.path(...base, "firewall", "rules"), vmPerm(r.vmid)),
            tryGet<IpsetEntry[]>(api.path(...base, "firewall", "ipset"), vmPerm(r.vmid)),
        ]);
        // A VM's address is in its config only with cloud-init; a running agent reports it.
        const agentOn = r.type === "qemu" && r.status === "running" && config !== undefined && agentEnabled(config.agent);
        const agent = agentOn
            ? await tryGet<{ result?: AgentInterface[] }>(api.path(...base, "agent", "network-get-interfaces"), {
                  privilege: "VM.GuestAgent.Audit (PVE 9) or VM.Monitor (PVE 8)",
                  path: `/vms/${r.vmid}`,
              })
            : undefined;
        const firewall = {
            ...(fwOptions ? { options: fwOptions } : {}),
            ...(rules ? { rules } : {}),
            ...(ipsets ? { ipsets } : {}),
        };
        return {
            resource: r,
            ...(config ? { config: withoutSecrets(config) } : {}),
            ...(agent?.result ? { agentInterfaces: agent.result } : {}),
            ...(Object.keys(firewall).length > 0 ? { firewall } : {}),
        };
    });
    const guests: Record<string, GuestRead> = {};
    for (const g of guestReads) guests[String(g.resource.vmid)] = g;

    const [backupJobs, pci, usb, ha, replication, clusterOptions, clusterRules] = await Promise.all([
        tryGet<BackupJob[]>("/cluster/backup", ROOT),
        tryGet<HardwareMapping[]>("/cluster/mapping/pci", { privilege: "Mapping.Audit", path: "/mapping/pci" }),
        tryGet<HardwareMapping[]>("/cluster/mapping/usb", { privilege: "Mapping.Audit", path: "/mapping/usb" }),
        tryGet<HaResource[]>("/cluster/ha/resources", ROOT),
        tryGet<ReplicationJob[]>("/cluster/replication", ROOT),
        tryGet<FirewallOptions>("/cluster/firewall/options", ROOT),
        tryGet<FirewallRule[]>("/cluster/firewall/rules", ROOT),
    ]);
    const clusterEntry = status?.find((e) => e.type === "cluster");
    return {
        format: 1,
        endpoint: api.endpoint,
        readAt: (options.now?.() ?? new Date()).toISOString(),
        ...(version ? { version } : {}),
        ...(clusterEntry ? { clusterName: clusterEntry.name } : {}),
        ...(status ? { clusterNodes: status.filter((e) => e.type === "node") } : {}),
        nodes,
        ...(storages ? { storages } : {}),
        guests,
        ...(backupJobs ? { backupJobs } : {}),
        mappings: { ...(pci ? { pci } : {}), ...(usb ? { usb } : {}) },
        ...(ha ? { ha } : {}),
        ...(replication ? { replication } : {}),
        ...(clusterOptions || clusterRules
            ? {
                  clusterFirewall: {
                      ...(clusterOptions ? { options: clusterOptions } : {}),
                      ...(clusterRules ? { rules: clusterRules } : {}),
                  },
              }
            : {}),
        errors,
    };
}

/** The address of the bridge that carries the node's gateway (a standalone node lists no IP in /cluster/status). */
function bridgeAddress(network: readonly NetworkInterface[] | undefined): string | undefined {
    const withGateway = network?.find((i) => i.gateway !== undefined && (i.address !== undefined || i.cidr !== undefined));
    return withGateway?.address ?? withGateway?.cidr?.split("/")[0];
}

/** Host key, pools, datasets and QDevice of one node; a failure is recorded and the rest goes on. */
async function readNode(
    ssh: SshAccess,
    where: { node: string; address: string },
    corosync: boolean,
    storagePools: readonly string[],
    errors: ReadError[],
): Promise<NodeSshRead> {
    const target: SshTarget = { node: where.node, address: where.address, port: ssh.port ?? 22, user: ssh.user ?? "root" };
    let hostKeyRefused = false;
    const attempt = async <T>(command: SshCommand, parse: (stdout: string) => T): Promise<T | undefined> => {
        try {
            return parse(await ssh.run(target, command));
        } catch (e) {
            if (e instanceof HostKeyError) hostKeyRefused = true;
            errors.push({ call: `ssh ${where.node}: ${command.name}`, message: (e as Error).message });
            return undefined;
        }
    };
    const named = (name: keyof typeof SSH_COMMANDS): SshCommand => ({ name, text: SSH_COMMANDS[name] });
    const hostKey = await attempt(named("hostKey"), hostKeyLine);
    // Without the host key check passing nothing else can be read.
    if (hostKeyRefused) return {};
    const pools = await attempt(named("pools"), (out) => out.split("\n").filter((l) => l.trim() !== ""));
    const datasets = await attempt(named("datasets"), parseZfsDatasets);
    const qdevice = corosync ? await attempt(named("corosync"), qdeviceHost) : undefined;
    // Owners of the mountpoints of data datasets (a bind-mounted one needs its owner in the inventory).
    const mountpoints = dataDatasets(datasets ?? [], storagePools)
        .map((d) => d.properties.mountpoint?.value)
        .filter((m): m is string => m !== undefined && isSafeAbsolutePath(m));
    const owners = mountpoints.length > 0 ? await attempt(ownersCommand(mountpoints), parseOwners) : undefined;
    return {
        ...(hostKey ? { hostKey } : {}),
        ...(pools ? { pools } : {}),
        ...(datasets ? { datasets } : {}),
        ...(qdevice ? { qdevice } : {}),
        ...(owners ? { owners } : {}),
    };
}
