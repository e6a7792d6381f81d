/**
 * How the pictures stay legible at README width: boxes in rows that fit a width budget (by an
 * estimate of each box's width), rows stacked in order inside a bordered group.
 *
 * How Mermaid lays this out: a subgraph with no edge crossing its border is laid out on its own,
 * in its own direction (always given: without one it takes the opposite of its parent's), and then
 * placed as one box; invisible links (`~~~`) between such boxes put them one after another. A row
 * is such a subgraph, left to right and without a border; a group stacks its rows top to bottom.
 */
import { Chart, Shape, estimateWidth, node } from "./mermaid";

/** Estimated width, in pixels, a band of a picture may take: about a README's width, so the text is not scaled down. */
export const WIDTH_BUDGET = 800;
/** Gap Mermaid leaves between boxes side by side in a subgraph laid out on its own (its fixed `nodesep`). */
export const BOX_GAP = 50;
/** Padding of a subgraph's border on each side. */
export const GROUP_PADDING = 16;
/** Characters per line in a box. */
export const LINE_CHARS = 24;
/** Characters per line in a box that lists names (a backup tier, public records, the backup target). */
export const WIDE_CHARS = 34;

/** A box: a node of a picture, with its shape and label lines. */
export interface Box {
    readonly id: string;
    readonly shape: Shape;
    readonly lines: readonly string[];
}

/** Estimated width of boxes side by side. */
const rowWidth = (boxes: readonly Box[]): number =>
    boxes.reduce((sum, b) => sum + estimateWidth(b.lines), 0) + BOX_GAP * Math.max(0, boxes.length - 1);

/** Boxes in rows, in order, each row as wide as fits `budget` (at least one box a row). */
export function packRows(boxes: readonly Box[], budget: number): Box[][] {
    const rows: Box[][] = [];
    for (const box of boxes) {
        const last = rows[rows.length - 1];
        if (last && rowWidth([...last, box]) <= budget) last.push(box);
        else rows.push([box]);
    }
    return rows;
}

/** A bordered group (the cluster, a network, the tiers) of boxes in rows. */
export interface Group {
    readonly id: string;
    readonly title: string;
    readonly rows: Box[][];
}

/** Estimated width of a group: its widest row or its title, and its border's padding. */
export const groupWidth = (g: Group): number => Math.max(estimateWidth([g.title]), ...g.rows.map(rowWidth)) + 2 * GROUP_PADDING;

/**
 * The id of row `i` of the group `id`. Ids from `mermaidId` are `<prefix>_<key>`, and no prefix
 * is `row<n>`, so a row id never meets another id.
 */
export const rowId = (id: string, i: number): string => `row${i}_${id}`;

/** Writes rows of boxes (invisible subgraphs, left to right) stacked top to bottom, in order. */
export function writeRows(chart: Chart, id: string, rows: readonly (readonly Box[])[]): void {
    rows.forEach((row, i) =>
        chart.subgraph(
            rowId(id, i),
            " ",
            "LR",
            () => {
                for (const b of row) chart.add(node(b.id, b.shape, b.lines));
                chart.chain(row.map((b) => b.id));
            },
            true,
        ),
    );
    chart.chain(rows.map((_, i) => rowId(id, i)));
}

/** Writes a bordered group: its title, its rows top to bottom. */
export function writeGroup(chart: Chart, g: Group): void {
    chart.subgraph(g.id, g.title, "TB", () => writeRows(chart, g.id, g.rows));
}
