/**
 * `npm run -s diagram [-- --stack NAME] [--check]`: draws the topology of a stack's inventory as a
 * Mermaid flowchart in `docs/topology.md` (`docs/topology.NAME.md` for a stack other than prod).
 *
 * The picture comes from the inventory alone (no Pulumi runtime): nodes, guests grouped by VLAN,
 * datasets and their mounts, NFS exports, HA pairs, the backup path to PBS and offsite, the
 * QDevice and the public DNS records. The rendering is deterministic (everything sorted), so
 * `--check` can fail CI when the committed file no longer matches the inventory.
 *
 * Exit codes: 0 written / up to date, 1 stale (`--check`), 2 unreadable or invalid inventory; 3 for
 * a bug and 4 when stdout was closed early (tools/output.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { InventoryError } from "../config/errors";
import { GuestSpec, Inventory, TierSpec } from "../config/schema";
import { StackFileError, readInventory, stackFilePath } from "../config/stackfile";
import { cidrContains, parseCidr, parseIpv4 } from "../lib/ipv4";
import { ArgsError, ToolSpec, helpText, parseArgs } from "./args";
import { flush, runTool } from "./output";

/** Guests carrying this tag receive the WAN's web traffic (the reverse proxy). */
export const REVERSE_PROXY_TAG = "proxy";

const INDENT = "    ";

/** Code-point order: locale-independent, so the output is the same on every machine. */
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sortedKeys = (record: object): string[] => Object.keys(record).sort(byString);

/**
 * A Mermaid node id from a prefix and a key. Keys that are DNS labels (nodes, guests, records)
 * keep their letters and digits and turn `-` into `_` (`pve-network` → `n_pve_network`); any
 * other key (dataset paths, host names) turns every character but letters and digits into `_` +
 * its two hex digits (`tank/photos` → `ds_tank_2fphotos`). Each prefix holds keys of one kind
 * only, so two keys never share an id.
 */
export function mermaidId(prefix: string, key: string): string {
    if (/^[a-z0-9-]+$/.test(key)) return `${prefix}_${key.replace(/-/g, "_")}`;
    return `${prefix}_${key.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}`;
}

/** Text inside a quoted Mermaid label: quotes, angle brackets and `#` become entity codes. */
export function mermaidText(text: string): string {
    return text.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

/** A quoted label from lines of plain text (joined with Mermaid line breaks). */
const label = (...lines: string[]): string => `"${lines.map(mermaidText).join("<br/>")}"`;

/** One client list of a `sharenfs` value: who may mount the export, and how. */
export interface NfsClient {
    readonly access: "rw" | "ro";
    /** The client as a subnet (`/32` for a single address). */
    readonly cidr: string;
}

/**
 * Reads the address clients out of a ZFS `sharenfs` value (`rw=@192.168.10.20/32,no_root_squash`,
 * `ro=@192.168.30.0/24:@192.168.20.5`). Host names, `on` and `off` give no client.
 */
export function nfsClients(sharenfs: string | undefined): NfsClient[] {
    if (!sharenfs || sharenfs === "on" || sharenfs === "off") return [];
    const out: NfsClient[] = [];
    for (const option of sharenfs.split(",")) {
        const m = /^(rw|ro)=(.+)$/.exec(option);
        if (!m) continue;
        for (const host of m[2].split(":")) {
            const bare = host.startsWith("@") ? host.slice(1) : host;
            const cidr = bare.includes("/") ? bare : `${bare}/32`;
            if (parseCidr(cidr)) out.push({ access: m[1] as "rw" | "ro", cidr });
        }
    }
    return out;
}

function guestLabel(name: string, g: GuestSpec): string {
    const flags: string[] = [];
    if (g.gateway) flags.push("router");
    if (g.kind === "lxc" && g.docker) flags.push("docker");
    if (g.kind === "lxc" && g.privileged) flags.push("privileged");
    if (g.template) flags.push("template");
    const lines = [name, `${g.kind === "vm" ? "VM" : "LXC"} ${g.vmid}${g.ipv4 ? ` · ${g.ipv4}` : ""}`];
    if (flags.length > 0) lines.push(flags.join(" · "));
    return label(...lines);
}

/** VMs as subroutine boxes, containers as rounded boxes. */
const guestNode = (name: string, g: GuestSpec): string =>
    g.kind === "vm" ? `${mermaidId("g", name)}[[${guestLabel(name, g)}]]` : `${mermaidId("g", name)}(${guestLabel(name, g)})`;

function datasetLabel(dsPath: string, ds: Inventory["datasets"][string]): string {
    const props: string[] = [];
    if (ds.properties.quota) props.push(`quota ${ds.properties.quota}`);
    if (ds.properties.recordsize) props.push(`recordsize ${ds.properties.recordsize}`);
    if (ds.properties.sharenfs && ds.properties.sharenfs !== "off") props.push("NFS");
    return props.length > 0 ? label(dsPath, props.join(" · ")) : label(dsPath);
}

function retentionText(r: TierSpec["retention"]): string {
    const parts = [
        r.keepLast ? `${r.keepLast} last` : "",
        r.keepHourly ? `${r.keepHourly}h` : "",
        r.keepDaily ? `${r.keepDaily}d` : "",
        r.keepWeekly ? `${r.keepWeekly}w` : "",
        r.keepMonthly ? `${r.keepMonthly}m` : "",
        r.keepYearly ? `${r.keepYearly}y` : "",
    ].filter((p) => p !== "");
    return `keep ${parts.join(" ")}`;
}

function backupTierLabel(tier: string, t: TierSpec): string {
    const cadence = t.every === "day" ? "daily" : t.every === "week" ? `weekly (${t.weekday})` : `monthly (day ${t.dayOfMonth})`;
    return label(`backup: ${tier}`, `${cadence} · ${retentionText(t.retention)}`);
}

/** The backup tier of a guest, or undefined when it is excluded from vzdump jobs. */
const backupTier = (g: GuestSpec): string | undefined => ("tier" in g.backup ? g.backup.tier : undefined);

/** The guest running the backup target's PBS, when the program sets it up. */
function pbsGuestOf(inv: Inventory): string | undefined {
    const target = inv.backups ? inv.storages[inv.backups.target] : undefined;
    return target?.kind === "pbs" ? target.guest : undefined;
}

/** The record's full name in the zone (`@` is the apex). */
const recordFqdn = (name: string, zone: string): string => (name === "@" ? zone : `${name}.${zone}`);

/** Options of {@link renderTopology}. */
export interface TopologyOptions {
    /** Stack whose inventory this is; named in the heading. @default "prod" */
    readonly stack?: string;
}

/**
 * Renders the topology of an inventory as a Markdown document holding one Mermaid flowchart.
 * Pure and deterministic: the same inventory always gives the same text.
 */
export function renderTopology(inv: Inventory, options: TopologyOptions = {}): string {
    const stack = options.stack ?? "prod";
    const defs: string[] = [];
    const edges: string[] = [];
    const def = (depth: number, line: string) => defs.push(INDENT.repeat(depth) + line);
    const edge = (line: string) => edges.push(INDENT + line);
    const guestNames = sortedKeys(inv.guests);
    const datasetPaths = sortedKeys(inv.datasets);

    // Nodes: the host, its guests by VLAN, its datasets.
    for (const node of sortedKeys(inv.nodes)) {
        const spec = inv.nodes[node];
        const title = [node, ...(spec.cpu ? [spec.cpu] : []), `${spec.threads} threads`, `${spec.memoryGiB} GiB`].join(" · ");
        def(1, `subgraph ${mermaidId("node", node)}[${label(title)}]`);
        def(2, `${mermaidId("n", node)}[${label("Proxmox VE host", spec.address)}]`);
        const nets = [...new Set(guestNames.filter((g) => inv.guests[g].node === node).map((g) => inv.guests[g].network))].sort(
            (a, b) => (inv.networks[a]?.vlan ?? 0) - (inv.networks[b]?.vlan ?? 0) || byString(a, b),
        );
        for (const netName of nets) {
            const net = inv.networks[netName];
            const vlanTitle =
                net.vlan !== undefined ? `VLAN ${net.vlan} · ${netName} · ${net.cidr}` : `${netName} · ${net.cidr} · untagged`;
            def(2, `subgraph ${mermaidId("n", node)}_${mermaidId("net", netName)}[${label(vlanTitle)}]`);
            for (const g of guestNames.filter((n) => inv.guests[n].node === node && inv.guests[n].network === netName))
                def(3, guestNode(g, inv.guests[g]));
            def(2, "end");
        }
        const nodeDatasets = datasetPaths.filter((p) => inv.datasets[p].node === node);
        if (nodeDatasets.length > 0) {
            def(2, `subgraph ${mermaidId("n", node)}_zfs[${label("ZFS datasets")}]`);
            for (const p of nodeDatasets) def(3, `${mermaidId("ds", p)}[(${datasetLabel(p, inv.datasets[p])})]`);
            def(2, "end");
        }
        def(1, "end");
    }

    // The QDevice: the third quorum vote, not a Proxmox node.
    if (inv.cluster.qdevice) {
        def(1, `qdevice{{${label("corosync QDevice", inv.cluster.qdevice.address)}}}`);
        for (const node of sortedKeys(inv.nodes)) edge(`qdevice ---|${label("quorum vote")}| ${mermaidId("n", node)}`);
    }

    // Datasets: bind mounts into containers, NFS exports to the guests or hosts they name.
    for (const p of datasetPaths) {
        const ds = inv.datasets[p];
        for (const m of [...ds.mounts].sort((a, b) => byString(a.guest, b.guest) || byString(a.path, b.path))) {
            edge(`${mermaidId("ds", p)} -->|${label(`${m.readOnly ? "ro" : "rw"} ${m.path}`)}| ${mermaidId("g", m.guest)}`);
        }
        for (const client of nfsClients(ds.properties.sharenfs)) {
            const subnet = parseCidr(client.cidr)!;
            const inside = (address: string) => {
                const value = parseIpv4(address);
                return value !== undefined && cidrContains(subnet, value);
            };
            const targets = [
                ...sortedKeys(inv.nodes)
                    .filter((n) => inside(inv.nodes[n].address))
                    .map((n) => mermaidId("n", n)),
                ...guestNames.filter((g) => inv.guests[g].ipv4 !== undefined && inside(inv.guests[g].ipv4!)).map((g) => mermaidId("g", g)),
            ];
            for (const target of targets) edge(`${mermaidId("ds", p)} ==>|${label(`NFS ${client.access}`)}| ${target}`);
        }
    }

    // HA pairs: members joined in name order.
    for (const group of sortedKeys(inv.ha)) {
        const members = [...inv.ha[group].members].sort(byString);
        for (let i = 1; i < members.length; i++)
            edge(`${mermaidId("g", members[i - 1])} -.-|${label(`HA ${group}`)}| ${mermaidId("g", members[i])}`);
    }

    // Backups: guests → their tier's vzdump job → the PBS guest → the offsite bucket.
    if (inv.backups) {
        const backups = inv.backups;
        const pbsGuest = pbsGuestOf(inv);
        for (const tier of sortedKeys(backups.tiers)) {
            const members = guestNames.filter((g) => backupTier(inv.guests[g]) === tier);
            if (members.length === 0) continue;
            def(1, `${mermaidId("bk", tier)}[/${backupTierLabel(tier, backups.tiers[tier])}/]`);
            for (const g of members) edge(`${mermaidId("g", g)} -.-> ${mermaidId("bk", tier)}`);
            if (pbsGuest) edge(`${mermaidId("bk", tier)} -.->|${label(`vzdump to ${backups.target}`)}| ${mermaidId("g", pbsGuest)}`);
        }
    }
    if (inv.offsite) {
        const o = inv.offsite;
        def(1, `offsite[(${label(`offsite bucket ${o.bucket}`, `${o.service} · ${o.region} · versioned, encrypted`)})]`);
        const pbsGuest = pbsGuestOf(inv);
        if (pbsGuest && o.servesPbs) edge(`${mermaidId("g", pbsGuest)} -.->|${label("datastore copy")}| offsite`);
    }

    // Public DNS: records → the WAN (→ router → reverse proxy) or an outside host.
    if (inv.dns) {
        const dns = inv.dns;
        const records = sortedKeys(dns.records);
        def(1, `subgraph zone[${label(`public DNS · ${dns.zone}`)}]`);
        for (const k of records) {
            const r = dns.records[k];
            def(
                2,
                `${mermaidId("dns", k)}[${label(recordFqdn(r.name, dns.zone), `${r.type}${r.proxied ? " · proxied" : ""}${r.purpose ? ` · ${r.purpose}` : ""}`)}]`,
            );
        }
        def(1, "end");
        const outside = new Set<string>();
        let wanUsed = false;
        for (const k of records) {
            const r = dns.records[k];
            if (r.target === "wan") {
                wanUsed = true;
                edge(`${mermaidId("dns", k)} --> wan`);
            } else {
                outside.add(r.target);
                edge(`${mermaidId("dns", k)} --> ${mermaidId("ext", r.target)}`);
            }
        }
        for (const target of [...outside].sort(byString)) def(1, `${mermaidId("ext", target)}>${label(target)}]`);
        if (wanUsed) {
            def(1, `wan((${label("WAN", dns.wanAddress ?? dns.ddnsHostname ?? "dynamic address")}))`);
            const routers = guestNames.filter((g) => inv.guests[g].gateway);
            const proxies = guestNames.filter((g) => inv.guests[g].tags.includes(REVERSE_PROXY_TAG));
            for (const router of routers) edge(`wan -->|${label("port forwards")}| ${mermaidId("g", router)}`);
            for (const proxy of proxies) {
                if (routers.length === 0) edge(`wan --> ${mermaidId("g", proxy)}`);
                for (const router of routers) edge(`${mermaidId("g", router)} -->|${label("reverse proxy")}| ${mermaidId("g", proxy)}`);
            }
        }
    }

    const vlanCount = new Set(guestNames.map((g) => inv.guests[g].network)).size;
    const nodeCount = Object.keys(inv.nodes).length;
    const recordCount = inv.dns ? Object.keys(inv.dns.records).length : 0;
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    return [
        `# Topology of stack \`${stack}\``,
        "",
        `Generated by \`npm run diagram\` from \`Pulumi.${stack}.yaml\`; do not edit by hand. CI fails when this file is stale.`,
        "",
        `${plural(nodeCount, "node")}, ${plural(guestNames.length, "guest")} in ${plural(vlanCount, "network")}, ${plural(datasetPaths.length, "dataset")}, ${plural(recordCount, "public record")}.`,
        "",
        "```mermaid",
        "flowchart TB",
        ...defs,
        ...edges,
        "```",
        "",
        "Edges:",
        "",
        "- `-->` from a dataset: a bind mount into a container (`rw` or `ro`, with the path inside the container)",
        "- `==>` an NFS export (`sharenfs`) to the guest or host with that address",
        "- `-.->` the backup path: guest → its tier's vzdump job → Proxmox Backup Server → the offsite bucket",
        "- `-.-` members of an HA pair (they must run on different nodes)",
        "- `---` the QDevice's quorum vote",
        `- \`-->\` from a public record: where it points (the WAN, forwarded to the reverse proxy tagged \`${REVERSE_PROXY_TAG}\`, or an outside host)`,
        "",
    ].join("\n");
}

/** Where the diagram of `stack` lives, relative to the repository root. */
export function diagramFile(stack: string): string {
    return stack === "prod" ? path.join("docs", "topology.md") : path.join("docs", `topology.${stack}.md`);
}

/** The first line (1-based) where two texts differ, or undefined when equal. */
export function firstDifference(a: string, b: string): number | undefined {
    if (a === b) return undefined;
    const la = a.split("\n");
    const lb = b.split("\n");
    for (let i = 0; i < Math.max(la.length, lb.length); i++) if (la[i] !== lb[i]) return i + 1;
    return undefined;
}

export const README_START = "<!-- topology:start -->";
export const README_END = "<!-- topology:end -->";
const MERMAID_OPEN = "```mermaid\n";
const MERMAID_CLOSE = "\n```\n";

/** README text with the Mermaid block of `rendered` between the topology markers (unchanged without markers). */
export function withReadmeDiagram(readme: string, rendered: string): string {
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    if (start < 0 || end < start) return readme;
    // indexOf, not a lazy pattern: unanchored, /```mermaid\n[\s\S]*?\n```\n/ is quadratic in the text.
    const open = rendered.indexOf(MERMAID_OPEN);
    const close = open < 0 ? -1 : rendered.indexOf(MERMAID_CLOSE, open + MERMAID_OPEN.length);
    if (close < 0) return readme;
    const block = rendered.slice(open, close + MERMAID_CLOSE.length);
    return `${readme.slice(0, start + README_START.length)}\n\n${block}\n${readme.slice(end)}`;
}

export const DIAGRAM: ToolSpec = {
    command: "npm run -s diagram",
    summary:
        "Draws the topology of a stack's inventory (Pulumi.NAME.yaml) as a Mermaid flowchart in docs/topology.md\n" +
        "(docs/topology.NAME.md for a stack other than prod; prod's picture also stands in README.md).",
    stack: true,
    flags: [{ name: "check", help: "write nothing; fail when the committed diagram differs from the inventory" }],
    details: ["exit codes: 0 written or up to date; 1 stale (--check); 2 unreadable or invalid inventory, or bad arguments"],
};

/** Runs the command in `root` (the repository root). Returns the exit code. */
export function main(
    argv: string[],
    root = process.cwd(),
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
): number {
    let args;
    try {
        args = parseArgs(argv, DIAGRAM, env);
    } catch (e) {
        if (!(e instanceof ArgsError || e instanceof StackFileError)) throw e;
        err.write(`error: ${e.message}\n`);
        return 2;
    }
    if (args.help) {
        out.write(helpText(DIAGRAM));
        return 0;
    }
    const source = `Pulumi.${args.stack}.yaml`;
    let rendered: string;
    try {
        const { inventory } = readInventory(stackFilePath(args.stack, root));
        rendered = renderTopology(inventory, { stack: args.stack });
    } catch (e) {
        if (e instanceof InventoryError || e instanceof StackFileError) {
            err.write(`error: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
    const relative = diagramFile(args.stack);
    const file = path.join(root, relative);
    // The reference stack's picture also stands in README.md, between the topology markers.
    const readmePath = path.join(root, "README.md");
    const readme = args.stack === "prod" && fs.existsSync(readmePath) ? fs.readFileSync(readmePath, "utf8") : undefined;
    const readmeRendered = readme === undefined ? undefined : withReadmeDiagram(readme, rendered);
    if (args.flags.has("check")) {
        if (readme !== undefined && readmeRendered !== readme) {
            err.write(`error: the picture in README.md is stale; run npm run diagram and commit the result\n`);
            return 1;
        }
        const committed = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
        if (committed === undefined) {
            err.write(
                `error: ${relative} is missing; run npm run diagram${args.stack === "prod" ? "" : ` -- --stack ${args.stack}`} and commit it\n`,
            );
            return 1;
        }
        const line = firstDifference(committed, rendered);
        if (line !== undefined) {
            err.write(
                `error: ${relative} is stale: it differs from the rendering of ${source} from line ${line} on; ` +
                    `run npm run diagram${args.stack === "prod" ? "" : ` -- --stack ${args.stack}`} and commit the result\n`,
            );
            return 1;
        }
        out.write(`${relative} is up to date with ${source}\n`);
        return 0;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, rendered);
    out.write(`wrote ${relative} from ${source}\n`);
    if (readme !== undefined && readmeRendered !== undefined && readmeRendered !== readme) {
        fs.writeFileSync(readmePath, readmeRendered);
        out.write(`wrote README.md\n`);
    }
    return 0;
}

if (require.main === module) {
    runTool({
        name: "diagram",
        run: async (out, err) => {
            const code = main(process.argv.slice(2), process.cwd(), out, err);
            await flush(err);
            await flush(out);
            return code;
        },
    });
}
