/**
 * The legend: every shape and edge the overview and the node views draw, with what it stands
 * for. One picture for all stacks, drawn with the same shapes as the views ({@link SHAPES}).
 */
import { GROUP_PADDING, WIDTH_BUDGET, packRows, writeRows } from "./layout";
import { Chart, Shape, label, node } from "./mermaid";

/** Each shape the views use, with what it stands for (one home for the meaning of a shape). */
const SHAPE_MEANINGS: readonly { readonly shape: Shape; readonly lines: readonly string[] }[] = [
    { shape: "box", lines: ["Proxmox VE node, public record,", "backup tier, host path"] },
    { shape: "round", lines: ["LXC container"] },
    { shape: "vm", lines: ["QEMU VM"] },
    { shape: "stadium", lines: ["HA group"] },
    { shape: "cylinder", lines: ["ZFS dataset, storage,", "backup target, offsite bucket"] },
    { shape: "hexagon", lines: ["QDevice, device node,", "PCI or USB mapping"] },
    { shape: "circle", lines: ["WAN"] },
    { shape: "flag", lines: ["a host outside the homelab,", "a subnet of NFS clients"] },
];

/** Each edge the views draw: its arrow and what it means. */
const EDGE_MEANINGS: readonly {
    readonly arrow: string;
    readonly from: string;
    readonly text: readonly string[];
    readonly to: string;
}[] = [
    { arrow: "-->", from: "dataset", text: ["bind mount:", "rw or ro, path inside"], to: "container" },
    { arrow: "==>", from: "dataset", text: ["NFS export:", "rw or ro"], to: "guest or node" },
    { arrow: "-.->", from: "mapping, device", text: ["passthrough"], to: "guest" },
    { arrow: "-->", from: "public record", text: ["points to"], to: "WAN or host" },
    { arrow: "-->", from: "backup tiers", text: ["jobs write to"], to: "backup target" },
];

/** The legend's Mermaid text (without the code fence). */
export function renderLegend(): string {
    const chart = new Chart("TB");
    const shapeRows = packRows(
        SHAPE_MEANINGS.map((s, i) => ({ id: `shape_${i}`, shape: s.shape, lines: s.lines })),
        WIDTH_BUDGET - 2 * GROUP_PADDING,
    );
    chart.subgraph("shapes", "legend: shapes", "TB", () => writeRows(chart, "shapes", shapeRows));
    // One example a row: two side by side would not fit the width.
    chart.subgraph("edges", "legend: edges", "TB", () => {
        EDGE_MEANINGS.forEach((e, i) =>
            chart.subgraph(
                `edge_${i}`,
                " ",
                "LR",
                () => {
                    chart.add(node(`edge_${i}_from`, "box", [e.from]));
                    chart.add(node(`edge_${i}_to`, "box", [e.to]));
                    chart.add(`edge_${i}_from ${e.arrow}|${label(e.text)}| edge_${i}_to`);
                },
                true,
            ),
        );
        chart.chain(EDGE_MEANINGS.map((_, i) => `edge_${i}`));
    });
    chart.chain(["shapes", "edges"]);
    return chart.text();
}
