/**
 * The detail view of one node: the host (boot layout, pools, bridge) and the storages it has, on
 * top; below, what reaches its guests from the host, left to right: ZFS datasets with their bind
 * mounts and NFS exports, hardware mappings (PCI and USB passthrough), device nodes and host
 * paths, each with an edge to the guest (or the host) that receives it.
 */
import { Inventory, NodeSpec } from "../../config/schema";
import { storageBackingDatasets } from "../../lib/storageBacking";
import { backupTier, datasetDetails, guestFlags, guestKind, networkTitle, nfsReach, storageNodes, storageText } from "./facts";
import { Box, GROUP_PADDING, LINE_CHARS, WIDTH_BUDGET, packRows, writeGroup, writeRows } from "./layout";
import { Chart, byString, label, mermaidId, node, packLines, sortedKeys, wrapText } from "./mermaid";

/** `ZFS mirror rpool (nvme0n1, nvme1n1)`, `LVM pve`. */
function bootText(spec: NodeSpec): string | undefined {
    const b = spec.boot;
    if (!b) return undefined;
    switch (b.layout) {
        case "zfs-mirror":
            return `ZFS mirror ${b.pool} (${b.disks.join(", ")})`;
        case "zfs-raidz":
            return `ZFS RAIDZ ${b.pool} (${b.disks.join(", ")})`;
        case "zfs-single":
            return `ZFS ${b.pool}${b.disk ? ` (${b.disk})` : ""}`;
        case "lvm":
            return `LVM ${b.volumeGroup}${b.disk ? ` (${b.disk})` : ""}`;
    }
}

function hostBox(name: string, spec: NodeSpec): Box {
    const boot = bootText(spec);
    const pools = [...(spec.boot && spec.boot.layout !== "lvm" ? [spec.boot.pool] : []), ...spec.pools];
    return {
        id: mermaidId("n", name),
        shape: "box",
        lines: [
            `${name} · ${spec.address}`,
            ...(spec.cpu ? wrapText(spec.cpu, LINE_CHARS) : []),
            `${spec.sockets > 1 ? `${spec.sockets} × ` : ""}${spec.threads} threads · ${spec.memoryGiB} GiB`,
            ...(boot ? wrapText(`boot: ${boot}`, LINE_CHARS) : []),
            ...(pools.length > 0 ? wrapText(`ZFS pools: ${pools.join(", ")}`, LINE_CHARS) : []),
            `bridge ${spec.bridge.name} on ${spec.bridge.ports.join(", ")}`,
        ],
    };
}

function storageBox(inv: Inventory, id: string, backing: readonly string[]): Box {
    const s = inv.storages[id];
    const nodes = storageNodes(inv, id);
    return {
        id: mermaidId("st", id),
        shape: "cylinder",
        lines: [
            `storage ${id}`,
            ...wrapText(storageText(inv, id), LINE_CHARS),
            ...wrapText(`holds ${s.content.join(", ")}`, LINE_CHARS),
            ...(backing.length > 0 ? wrapText(`on dataset ${backing.join(", ")}`, LINE_CHARS) : []),
            ...(nodes.length < Object.keys(inv.nodes).length ? wrapText(`nodes: ${nodes.join(", ")}`, LINE_CHARS) : []),
            ...(s.managed ? [] : ["existing (not managed)"]),
        ],
    };
}

/** Disks of a guest, by storage: `disk local-zfs 32 GiB`, `disks tank-vm 128 GiB, /dev/disk/by-id/...`. */
function diskText(inv: Inventory, name: string): string {
    const g = inv.guests[name];
    if (g.kind === "lxc") return `disk ${g.disk.storage} ${g.disk.sizeGiB} GiB`;
    const disks = g.disks.map((d) => ("device" in d ? d.device : `${d.storage} ${d.sizeGiB} GiB`));
    return `${disks.length === 1 ? "disk" : "disks"} ${disks.join(", ")}`;
}

function guestLines(inv: Inventory, name: string): string[] {
    const g = inv.guests[name];
    const net = inv.networks[g.network];
    const replicated = g.replication.map((r) => `replicated to ${r.node}`);
    return [
        `${name} · ${guestKind(g)}`,
        ...(g.ipv4 ? [g.ipv4] : []),
        ...(net ? wrapText(networkTitle(g.network, net).split(" · ").slice(0, 2).join(" · "), LINE_CHARS) : []),
        ...wrapText(diskText(inv, name), LINE_CHARS),
        ...packLines([...guestFlags(inv, name), ...replicated], LINE_CHARS, " · "),
    ];
}

/** An edge of the flow: its ends and its Mermaid line. */
interface FlowEdge {
    readonly from: string;
    readonly to: string;
    readonly text: string;
}

/**
 * What reaches the node's guests, as boxes and edges: datasets (bind mounts, NFS exports), PCI and
 * USB mappings, device nodes, host paths, and the receivers (the node's guests; other nodes,
 * guests elsewhere and subnets an export names).
 */
function flowOf(inv: Inventory, nodeName: string): { boxes: Box[]; edges: FlowEdge[] } {
    const guests = sortedKeys(inv.guests).filter((g) => inv.guests[g].node === nodeName);
    const boxes: Box[] = [];
    const edges: FlowEdge[] = [];
    const edge = (from: string, arrow: string, text: string, to: string) =>
        edges.push({ from, to, text: `${from} ${arrow}|${label([text])}| ${to}` });
    const outside = new Map<string, Box>();
    const receiver = (kind: "node" | "guest" | "subnet", key: string): string => {
        if (kind === "guest" && guests.includes(key)) return mermaidId("g", key);
        const id = kind === "node" ? mermaidId("other", key) : kind === "guest" ? mermaidId("og", key) : mermaidId("subnet", key);
        if (!outside.has(id)) {
            const lines =
                kind === "node"
                    ? [`node ${key}`, inv.nodes[key].address]
                    : kind === "guest"
                      ? [`${key} · ${guestKind(inv.guests[key])}`, `on ${inv.guests[key].node}`]
                      : [`clients in ${key}`];
            outside.set(id, { id, shape: kind === "subnet" ? "flag" : "box", lines });
        }
        return id;
    };

    for (const p of sortedKeys(inv.datasets).filter((d) => inv.datasets[d].node === nodeName)) {
        const ds = inv.datasets[p];
        const tier = backupTier(ds);
        const id = mermaidId("ds", p);
        boxes.push({
            id,
            shape: "cylinder",
            lines: [p, ...packLines(datasetDetails(p, ds), LINE_CHARS, " · "), tier ? `backup ${tier}` : "no backup"],
        });
        for (const m of [...ds.mounts].sort((a, b) => byString(a.guest, b.guest) || byString(a.path, b.path)))
            edge(id, "-->", `${m.readOnly ? "ro" : "rw"} ${m.path}`, receiver("guest", m.guest));
        for (const reach of nfsReach(inv, ds)) {
            const targets = [...reach.nodes.map((n) => receiver("node", n)), ...reach.guests.map((g) => receiver("guest", g))];
            if (targets.length === 0) targets.push(receiver("subnet", reach.client));
            for (const t of targets) edge(id, "==>", `NFS ${reach.access ?? ""}`.trim(), t);
        }
    }
    for (const m of sortedKeys(inv.mappings.pci)) {
        const mapping = inv.mappings.pci[m];
        const entry = mapping.map.find((e) => e.node === nodeName);
        if (!entry) continue;
        const id = mermaidId("pci", m);
        boxes.push({
            id,
            shape: "hexagon",
            lines: [`PCI ${m}`, entry.id, entry.path, ...(mapping.description ? wrapText(mapping.description, LINE_CHARS) : [])],
        });
        for (const g of guests) {
            const spec = inv.guests[g];
            if (spec.kind === "vm" && spec.pciMappings.some((x) => x.mapping === m)) edge(id, "-.->", "PCI passthrough", mermaidId("g", g));
        }
    }
    for (const m of sortedKeys(inv.mappings.usb)) {
        const mapping = inv.mappings.usb[m];
        const entry = mapping.map.find((e) => e.node === nodeName);
        if (!entry) continue;
        const id = mermaidId("usb", m);
        boxes.push({
            id,
            shape: "hexagon",
            lines: [`USB ${m}`, entry.id, ...(mapping.description ? wrapText(mapping.description, LINE_CHARS) : [])],
        });
        for (const g of guests) {
            const spec = inv.guests[g];
            const uses =
                spec.kind === "vm" ? spec.usbMappings.some((x) => x.mapping === m) : spec.devices.some((d) => "usb" in d && d.usb === m);
            if (uses) edge(id, "-.->", "USB passthrough", mermaidId("g", g));
        }
    }
    const devices = new Map<string, string[]>();
    const hostPaths = new Map<string, { guest: string; text: string }[]>();
    for (const g of guests) {
        const spec = inv.guests[g];
        if (spec.kind !== "lxc") continue;
        for (const d of spec.devices) if ("path" in d) devices.set(d.path, [...(devices.get(d.path) ?? []), g]);
        for (const m of spec.hostMounts)
            hostPaths.set(m.hostPath, [...(hostPaths.get(m.hostPath) ?? []), { guest: g, text: `${m.readOnly ? "ro" : "rw"} ${m.path}` }]);
    }
    for (const path of [...devices.keys()].sort(byString)) {
        boxes.push({ id: mermaidId("dev", path), shape: "hexagon", lines: ["device", path] });
        for (const g of devices.get(path)!) edge(mermaidId("dev", path), "-.->", "device", mermaidId("g", g));
    }
    for (const path of [...hostPaths.keys()].sort(byString)) {
        boxes.push({ id: mermaidId("hp", path), shape: "box", lines: ["host path", path] });
        for (const m of hostPaths.get(path)!) edge(mermaidId("hp", path), "-->", m.text, mermaidId("g", m.guest));
    }
    for (const g of guests)
        boxes.push({ id: mermaidId("g", g), shape: inv.guests[g].kind === "vm" ? "vm" : "round", lines: guestLines(inv, g) });
    for (const id of [...outside.keys()].sort(byString)) boxes.push(outside.get(id)!);
    return { boxes, edges };
}

/** A part of the flow drawn on its own: boxes joined by edges, or (last) the boxes no edge touches. */
interface Card {
    readonly boxes: Box[];
    readonly edges: FlowEdge[];
}

/**
 * The flow cut into its connected parts, each laid out on its own and stacked, so the view stays
 * one part wide. Parts in the order of their first box; the boxes no edge touches come last.
 */
export function cardsOf(boxes: readonly Box[], edges: readonly FlowEdge[]): Card[] {
    const parent = new Map(boxes.map((b) => [b.id, b.id]));
    const root = (id: string): string => {
        let r = id;
        while (parent.get(r) !== r) r = parent.get(r)!;
        return r;
    };
    for (const e of edges) parent.set(root(e.from), root(e.to));
    const touched = new Set(edges.flatMap((e) => [e.from, e.to]));
    const cards = new Map<string, Card>();
    for (const b of boxes.filter((x) => touched.has(x.id))) {
        const r = root(b.id);
        if (!cards.has(r)) cards.set(r, { boxes: [], edges: [] });
        cards.get(r)!.boxes.push(b);
    }
    for (const e of edges) cards.get(root(e.from))!.edges.push(e);
    const alone = boxes.filter((b) => !touched.has(b.id));
    return [...cards.values(), ...(alone.length > 0 ? [{ boxes: [...alone], edges: [] }] : [])];
}

/** The Mermaid text of a node's view (without the code fence). Pure and deterministic. */
export function renderNodeView(inv: Inventory, nodeName: string): string {
    const spec = inv.nodes[nodeName];
    const chart = new Chart("TB");
    const backing = storageBackingDatasets(inv);
    const storages = sortedKeys(inv.storages).filter((id) => storageNodes(inv, id).includes(nodeName));
    const boxes = [hostBox(nodeName, spec), ...storages.map((id) => storageBox(inv, id, backing[id] ?? []))];

    chart.subgraph(
        "band_host",
        " ",
        "TB",
        () =>
            writeGroup(chart, {
                id: "host",
                title: `node ${nodeName} and its storages`,
                rows: packRows(boxes, WIDTH_BUDGET - 2 * GROUP_PADDING),
            }),
        true,
    );
    const { boxes: flowBoxes, edges } = flowOf(inv, nodeName);
    const cards = cardsOf(flowBoxes, edges);
    chart.subgraph(
        "band_flow",
        " ",
        "TB",
        () => {
            chart.subgraph("flow", `what ${nodeName} gives its guests`, "TB", () => {
                cards.forEach((card, i) => {
                    const id = `card_${i}`;
                    if (card.edges.length === 0) {
                        // Boxes no edge touches: in rows that fit the width.
                        chart.subgraph(
                            id,
                            " ",
                            "TB",
                            () => writeRows(chart, id, packRows(card.boxes, WIDTH_BUDGET - 4 * GROUP_PADDING)),
                            true,
                        );
                        return;
                    }
                    chart.subgraph(
                        id,
                        " ",
                        "LR",
                        () => {
                            for (const b of card.boxes) chart.add(node(b.id, b.shape, b.lines));
                            for (const e of card.edges) chart.add(e.text);
                        },
                        true,
                    );
                });
                chart.chain(cards.map((_, i) => `card_${i}`));
                if (cards.length === 0) chart.add(node("nothing", "box", ["no guests, datasets or devices"]));
            });
        },
        true,
    );
    chart.chain(["band_host", "band_flow"]);
    return chart.text();
}
