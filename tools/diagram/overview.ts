/**
 * The overview: the whole homelab in one picture that stays legible at README width (about 800
 * pixels). Everything is laid out in bands, one under the other: the public records and the WAN,
 * the cluster (nodes, QDevice, Proxmox HA groups), every network with its guests and keepalived
 * groups (networks side by side while they fit), and the backup path (tiers in their order → the
 * target → the offsite bucket). Inside a band, boxes stand in rows that fit the width budget.
 *
 * Each band is laid out on its own (tools/diagram/layout.ts), so the only drawn edges stay inside
 * a band (records → WAN or an outside host, tiers → target → bucket); which node hosts a guest,
 * and which guests an HA group holds, is written in the boxes.
 */
import { Inventory } from "../../config/schema";
import {
    REVERSE_PROXY_TAG,
    backupTargetLines,
    cadenceText,
    excludedFromBackups,
    guestFlags,
    guestKind,
    haText,
    networkTitle,
    networksInOrder,
    offsiteFromTarget,
    plural,
    recordText,
    retentionText,
    tiersWithMembers,
} from "./facts";
import { BOX_GAP, Box, GROUP_PADDING, Group, LINE_CHARS, WIDE_CHARS, WIDTH_BUDGET, groupWidth, packRows, writeGroup } from "./layout";
import { Chart, byString, label, mermaidId, node, packLines, sortedKeys, wrapText } from "./mermaid";

/** Names a backup tier lists before it counts the rest. */
export const TIER_NAMES = 10;

/** Names in lines, at most {@link TIER_NAMES} of them, then how many more. */
function nameLines(heading: string, names: readonly string[]): string[] {
    if (names.length === 0) return [];
    const shown = names.slice(0, TIER_NAMES);
    const rest = names.length - shown.length;
    return packLines(
        [`${heading}:`, ...shown.map((n, i) => (i < shown.length - 1 ? `${n},` : n)), ...(rest > 0 ? [`and ${rest} more`] : [])],
        WIDE_CHARS,
        " ",
    );
}

function guestBox(inv: Inventory, name: string): Box {
    const g = inv.guests[name];
    return {
        id: mermaidId("g", name),
        shape: g.kind === "vm" ? "vm" : "round",
        lines: [name, ...(g.ipv4 ? [g.ipv4] : []), ...packLines([guestKind(g), g.node, ...guestFlags(inv, name)], LINE_CHARS, " · ")],
    };
}

function internetBand(chart: Chart, inv: Inventory): void {
    const dns = inv.dns!;
    const keys = sortedKeys(dns.records);
    const outside = [...new Set(keys.map((k) => dns.records[k].target).filter((t) => t !== "wan"))].sort(byString);
    chart.subgraph("internet", `public DNS · ${dns.zone}`, "LR", () => {
        const edges: string[] = [];
        for (const k of keys) {
            const id = mermaidId("dns", k);
            const record = recordText(inv, k);
            chart.add(node(id, "box", [record.name, ...wrapText(record.details.join(" · "), WIDE_CHARS)]));
            const target = dns.records[k].target;
            edges.push(`${id} --> ${target === "wan" ? "wan" : mermaidId("ext", target)}`);
        }
        if (keys.some((k) => dns.records[k].target === "wan")) {
            const routers = sortedKeys(inv.guests).filter((g) => inv.guests[g].gateway);
            const proxies = sortedKeys(inv.guests).filter((g) => inv.guests[g].tags.includes(REVERSE_PROXY_TAG));
            chart.add(
                node("wan", "circle", [
                    "WAN",
                    dns.wanAddress ?? dns.ddnsHostname ?? "dynamic address",
                    ...(routers.length > 0 ? wrapText(`forwarded by ${routers.join(", ")}`, LINE_CHARS) : []),
                    ...(proxies.length > 0 ? wrapText(`to ${proxies.join(", ")}`, LINE_CHARS) : []),
                ]),
            );
        }
        for (const t of outside) chart.add(node(mermaidId("ext", t), "flag", [t]));
        for (const e of edges) chart.add(e);
    });
}

function clusterGroup(inv: Inventory): Group {
    const boxes: Box[] = sortedKeys(inv.nodes).map((n) => {
        const spec = inv.nodes[n];
        const guests = Object.values(inv.guests).filter((g) => g.node === n).length;
        return {
            id: mermaidId("n", n),
            shape: "box" as const,
            lines: [
                n,
                spec.address,
                ...(spec.cpu ? wrapText(spec.cpu, LINE_CHARS) : []),
                `${spec.sockets > 1 ? `${spec.sockets} × ` : ""}${spec.threads} threads · ${spec.memoryGiB} GiB`,
                plural(guests, "guest"),
            ],
        };
    });
    if (inv.cluster.qdevice)
        boxes.push({ id: "qdevice", shape: "hexagon", lines: ["QDevice", inv.cluster.qdevice.address, "quorum vote"] });
    for (const group of sortedKeys(inv.ha)) {
        const ha = inv.ha[group];
        if (ha.kind !== "proxmox") continue;
        boxes.push({
            id: mermaidId("ha", group),
            shape: "stadium",
            lines: [`HA ${group}`, ...haText(ha), ...packLines(ha.members, LINE_CHARS)],
        });
    }
    const title = `cluster ${inv.cluster.name} · ${plural(Object.keys(inv.nodes).length, "node")}`;
    return { id: "cluster", title, rows: packRows(boxes, WIDTH_BUDGET - 2 * GROUP_PADDING) };
}

function networkGroup(inv: Inventory, name: string): Group {
    const net = inv.networks[name];
    const guests = sortedKeys(inv.guests).filter((g) => inv.guests[g].network === name);
    const boxes: Box[] = [];
    for (const group of sortedKeys(inv.ha)) {
        const ha = inv.ha[group];
        if (ha.kind === "keepalived" && ha.members.some((m) => guests.includes(m)))
            boxes.push({
                id: mermaidId("ha", group),
                shape: "stadium",
                lines: [`HA ${group}`, ...haText(ha), ...packLines(ha.members, LINE_CHARS)],
            });
    }
    boxes.push(...guests.map((g) => guestBox(inv, g)));
    if (guests.length === 0)
        boxes.push({
            id: mermaidId("none", name),
            shape: "box",
            lines: ["no guests", ...(net.description ? wrapText(net.description, LINE_CHARS) : [])],
        });
    return { id: mermaidId("net", name), title: networkTitle(name, net), rows: packRows(boxes, WIDTH_BUDGET - 2 * GROUP_PADDING) };
}

/** Networks in order, in bands: side by side while they fit the budget. */
export function networkBands(inv: Inventory): Group[][] {
    const bands: Group[][] = [];
    for (const name of networksInOrder(inv)) {
        const g = networkGroup(inv, name);
        const last = bands[bands.length - 1];
        if (last && [...last, g].reduce((s, x) => s + groupWidth(x), 0) + BOX_GAP * last.length <= WIDTH_BUDGET) last.push(g);
        else bands.push([g]);
    }
    return bands;
}

function tierBox(tier: ReturnType<typeof tiersWithMembers>[number]): Box {
    const { spec, members } = tier;
    const lines = [
        `${tier.tier} · ${cadenceText(spec)}`,
        ...wrapText(retentionText(spec.retention), WIDE_CHARS),
        ...nameLines("guests", members.guests),
        ...nameLines("datasets", members.datasets),
    ];
    if (members.guests.length + members.datasets.length === 0) lines.push("nothing in this tier");
    return { id: mermaidId("tier", tier.tier), shape: "box", lines };
}

function backupBand(chart: Chart, inv: Inventory): void {
    const backups = inv.backups;
    const title = backups ? `backups · window ${backups.window.start}–${backups.window.end}` : "offsite copy";
    chart.subgraph("backup", title, "TB", () => {
        const tiers = tiersWithMembers(inv);
        if (backups)
            writeGroup(chart, {
                id: "tiers",
                title: "tiers, in the order their jobs run",
                rows: packRows(tiers.map(tierBox), WIDTH_BUDGET - 4 * GROUP_PADDING),
            });
        chart.subgraph(
            "stores",
            " ",
            "LR",
            () => {
                if (backups)
                    chart.add(
                        node(
                            "target",
                            "cylinder",
                            backupTargetLines(inv).flatMap((l) => wrapText(l, WIDE_CHARS)),
                        ),
                    );
                if (inv.offsite) {
                    const o = inv.offsite;
                    chart.add(
                        node("offsite", "cylinder", [
                            "offsite bucket",
                            o.bucket,
                            `${o.service} · ${o.region}`,
                            ...wrapText(`writers: ${o.writers.join(", ")}`, LINE_CHARS),
                        ]),
                    );
                    if (offsiteFromTarget(inv)) chart.add(`target -->|${label(["sync job"])}| offsite`);
                    else if (backups) chart.chain(["target", "offsite"]);
                }
            },
            true,
        );
        if (backups) {
            const datasets = tiers.some((t) => t.members.datasets.length > 0);
            chart.add(`tiers -->|${label([datasets ? "vzdump and dataset jobs" : "vzdump jobs"])}| stores`);
            const excluded = excludedFromBackups(inv);
            if (excluded.guests.length + excluded.datasets.length > 0) {
                chart.add(
                    node("excluded", "box", [
                        "excluded from backups",
                        ...nameLines("guests", excluded.guests),
                        ...nameLines("datasets", excluded.datasets),
                    ]),
                );
                chart.chain(["stores", "excluded"]);
            }
        }
    });
}

/** The overview's Mermaid text (without the code fence). Pure and deterministic. */
export function renderOverview(inv: Inventory): string {
    const chart = new Chart("TB");
    const bands: string[] = [];
    const band = (id: string, direction: "TB" | "LR", body: () => void) => {
        chart.subgraph(id, " ", direction, body, true);
        bands.push(id);
    };
    if (inv.dns) band("band_internet", "TB", () => internetBand(chart, inv));
    band("band_cluster", "TB", () => writeGroup(chart, clusterGroup(inv)));
    networkBands(inv).forEach((groups, i) =>
        band(`band_net_${i}`, "LR", () => {
            for (const g of groups) writeGroup(chart, g);
            chart.chain(groups.map((g) => g.id));
        }),
    );
    if (inv.backups || inv.offsite) band("band_backup", "TB", () => backupBand(chart, inv));
    chart.chain(bands);
    return chart.text();
}
