/**
 * The view of one node: its host and storages, its datasets with their bind mounts and NFS
 * exports, PCI and USB mappings, device nodes and host paths, each drawn to the guest (or host)
 * receiving it; connected parts drawn one under another.
 */
import * as path from "path";
import { parseInventory } from "../../../config/parse";
import { Inventory } from "../../../config/schema";
import { readStackFile } from "../../../config/stackfile";
import { generateInventory } from "../../../tools/bench/generate";
import { Box } from "../../../tools/diagram/layout";
import { cardsOf, renderNodeView } from "../../../tools/diagram/nodeView";
import { labelsOf, mermaidProblems } from "./mermaidSyntax";

const ROOT = path.join(__dirname, "../../..");
const stack = (name: string): Inventory => parseInventory(readStackFile(path.join(ROOT, `Pulumi.${name}.yaml`)).inventory);
const reference = (): Inventory => stack("prod");

/** The lines of subgraph `id` up to its `end`, trimmed. */
function body(chart: string, id: string): string[] {
    const lines = chart.split("\n").map((l) => l.trim());
    const start = lines.findIndex((l) => l.startsWith(`subgraph ${id}[`));
    if (start < 0) throw new Error(`no subgraph ${id}`);
    let depth = 0;
    const out: string[] = [];
    for (let i = start + 1; i < lines.length; i++) {
        if (lines[i].startsWith("subgraph ")) depth++;
        if (lines[i] === "end" && depth-- === 0) break;
        out.push(lines[i]);
    }
    return out;
}

describe("renderNodeView", () => {
    it.each([
        ["prod", "pve-network"],
        ["prod", "pve-storage"],
        ["example-single", "mini"],
        ["example-cluster", "pve1"],
        ["example-cluster", "pve3"],
    ])("writes valid Mermaid for %s, node %s", (name, node) => {
        expect(mermaidProblems(renderNodeView(stack(name), node))).toEqual([]);
    });

    it("lists the node and the storages it has, with what backs them", () => {
        const chart = renderNodeView(reference(), "pve-storage");
        const host = body(chart, "host").filter((l) => /^(n|st)_\w+[[(]/.test(l));
        expect(host.map((l) => l.split(/[[(]/)[0])).toEqual(["n_pve_storage", "st_local", "st_local_zfs", "st_pbs", "st_tank_vm"]);
        expect(chart).toContain(
            'n_pve_storage["pve-storage · 192.168.10.12<br/>AMD Ryzen 7 PRO 8845HS<br/>16 threads · 96 GiB<br/>boot: ZFS mirror rpool<br/>(nvme0n1, nvme1n1)<br/>ZFS pools: rpool, tank<br/>bridge vmbr0 on enp2s0"]',
        );
        expect(chart).toContain(
            'st_tank_vm[("storage tank-vm<br/>zfspool tank/vm<br/>holds images, rootdir<br/>on dataset tank/vm<br/>nodes: pve-storage")]',
        );
        expect(chart).toContain(
            'st_local_zfs[("storage local-zfs<br/>zfspool rpool/data<br/>holds images, rootdir<br/>existing (not managed)")]',
        );
        expect(chart).not.toContain("st_shared_nfs");
        expect(renderNodeView(reference(), "pve-network")).toContain(
            'st_shared_nfs[("storage shared-nfs<br/>NFS 192.168.10.12:/tank<br/>/shared<br/>holds images, rootdir<br/>on dataset tank/shared<br/>nodes: pve-network")]',
        );
    });

    it("lists every dataset of the node, with its properties and backup, and draws each mount with its access and path", () => {
        const inv = reference();
        const chart = renderNodeView(inv, "pve-storage");
        const datasets = Object.keys(inv.datasets).filter((p) => inv.datasets[p].node === "pve-storage");
        expect(datasets).toHaveLength(11);
        const defined = [...chart.matchAll(/^ +ds_(\w+)\[\("([^"]*)"\)\]$/gm)].map((m) => labelsOf(`"${m[2]}"`)[0][0]);
        expect(defined.sort()).toEqual(datasets.sort());
        expect(chart).toContain('ds_tank_2fphotos[("tank/photos<br/>quota 4T · recordsize 1M<br/>backup critical")]');
        expect(chart).toContain('ds_tank_2fmedia[("tank/media<br/>quota 6T · recordsize 1M<br/>no backup")]');
        const mounts = [...chart.matchAll(/^ +(ds_\w+) -->\|"([^"]*)"\| (g_\w+)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
        expect(mounts.sort()).toEqual(
            [
                "ds_tank_2fappdata_2fcloud rw /srv/appdata g_cloud",
                "ds_tank_2fappdata_2fmedia rw /srv/appdata g_media",
                "ds_tank_2fappdata_2fnvr rw /srv/appdata g_nvr",
                "ds_tank_2fappdata_2fphotos rw /srv/appdata g_photos",
                "ds_tank_2fcloud rw /mnt/cloud g_cloud",
                "ds_tank_2fcloud rw /srv/shares/cloud g_files",
                "ds_tank_2fmedia ro /srv/shares/media g_files",
                "ds_tank_2fmedia rw /mnt/media g_media",
                "ds_tank_2fnvr rw /mnt/recordings g_nvr",
                "ds_tank_2fphotos ro /srv/shares/photos g_files",
                "ds_tank_2fphotos rw /mnt/photos g_photos",
            ].sort(),
        );
        // Every mount of the inventory on this node is drawn.
        const expected = datasets.reduce((n, p) => n + inv.datasets[p].mounts.length, 0);
        expect(mounts).toHaveLength(expected);
    });

    it("draws NFS exports to the guest or the node with that address", () => {
        const chart = renderNodeView(reference(), "pve-storage");
        expect(chart).toContain('ds_tank_2fpbs ==>|"NFS rw"| g_pbs');
        expect(chart).toContain('ds_tank_2fshared ==>|"NFS rw"| other_pve_network');
        expect(chart).toContain('other_pve_network["node pve-network<br/>192.168.10.11"]');
        expect(chart.match(/==>/g)).toHaveLength(2);
    });

    it("draws an export to a guest on another node, and to a subnet with no known host", () => {
        const inv = reference();
        const shared = { ...inv.datasets["tank/shared"], properties: { sharenfs: "ro=@192.168.30.10/32:@192.168.99.0/24" } };
        const chart = renderNodeView({ ...inv, datasets: { ...inv.datasets, "tank/shared": shared } }, "pve-storage");
        expect(mermaidProblems(chart)).toEqual([]);
        expect(chart).toContain('ds_tank_2fshared ==>|"NFS ro"| og_edge');
        expect(chart).toContain('og_edge["edge · LXC 30010<br/>on pve-network"]');
        expect(chart).toContain('ds_tank_2fshared ==>|"NFS ro"| subnet_192_2e168_2e99_2e0_2f24');
        expect(chart).toContain('subnet_192_2e168_2e99_2e0_2f24>"clients in 192.168.99.0/24"]');
    });

    it("draws PCI and USB mappings and device nodes to the guests they are passed into", () => {
        const network = renderNodeView(reference(), "pve-network");
        expect(network).toContain(
            'pci_opnsense_wan{{"PCI opnsense-wan<br/>8086:125c<br/>0000:01:00.0<br/>Intel i226-V, the WAN<br/>port"}}',
        );
        expect(network).toContain('pci_opnsense_wan -.->|"PCI passthrough"| g_opnsense');
        expect(network).toContain('pci_opnsense_lan -.->|"PCI passthrough"| g_opnsense');
        expect(network).not.toContain("usb_coral");
        const storage = renderNodeView(reference(), "pve-storage");
        expect(storage).toContain('usb_coral{{"USB coral<br/>18d1:9302<br/>Coral USB TPU"}}');
        expect(storage).toContain('usb_coral -.->|"USB passthrough"| g_nvr');
        expect(storage).toContain('dev__2fdev_2fdri_2frenderD128 -.->|"device"| g_photos');
        expect(storage).toContain('dev__2fdev_2fnet_2ftun -.->|"device"| g_photos');
        expect(storage).not.toContain("pci_");
    });

    it("draws a container's host paths, and its dataset's own mountpoint", () => {
        const chart = renderNodeView(stack("example-single"), "mini");
        expect(chart).toContain('hp__2fmnt_2fpve_2fnas_2fmedia["host path<br/>/mnt/pve/nas/media"]');
        expect(chart).toContain('hp__2fmnt_2fpve_2fnas_2fmedia -->|"ro /mnt/media"| g_jellyfin');
        expect(chart).toContain(
            'ds_data_2fappdata_2fjellyfin[("data/appdata/jellyfin<br/>at /srv/data/appdata<br/>/jellyfin<br/>recordsize 16K<br/>no backup")]',
        );
    });

    it("describes each guest of the node: network, disks, flags, replication", () => {
        const chart = renderNodeView(stack("example-cluster"), "pve3");
        expect(chart).toContain(
            'g_git("git · LXC 20050<br/>10.0.20.50<br/>VLAN 20 · servers<br/>disk local-zfs 8 GiB<br/>replicated to pve1")',
        );
        expect(chart).toContain('g_golden[["golden · VM 9000<br/>VLAN 20 · servers<br/>disk local-zfs 16 GiB<br/>template"]]');
        expect(chart).toContain('st_pbs[("storage pbs<br/>PBS datastore rack at<br/>10.0.10.30<br/>holds backup")]');
        expect(chart).toContain(
            'st_ceph_vm[("storage ceph-vm<br/>Ceph RBD pool vm<br/>holds images, rootdir<br/>existing (not managed)")]',
        );
    });

    it("draws the connected parts one under another, and the boxes no edge touches last, in rows", () => {
        const chart = renderNodeView(reference(), "pve-storage");
        expect(chart).toContain("card_0 ~~~ card_1 ~~~ card_2 ~~~ card_3 ~~~ card_4");
        expect(body(chart, "card_4").filter((l) => /^\w+[[(]/.test(l) && !l.startsWith("subgraph"))).toEqual([
            'ds_tank_2fvm[("tank/vm<br/>no backup")]',
            'g_windows[["windows · VM 20030<br/>192.168.20.30<br/>VLAN 20 · trusted<br/>disk tank-vm 128 GiB"]]',
        ]);
    });

    it("says so for a node with nothing on it", () => {
        const inv = stack("example-cluster");
        const chart = renderNodeView({ ...inv, guests: {}, datasets: {}, ha: {} }, "pve2");
        expect(mermaidProblems(chart)).toEqual([]);
        expect(chart).toContain('nothing["no guests, datasets or devices"]');
    });

    it("keeps hostile descriptions inside their labels", () => {
        const inv = reference();
        const hostile = 'x"]:::a --> evil{{"<img src=x>`|%%\nend';
        const pci = { ...inv.mappings.pci["opnsense-wan"], description: hostile };
        const chart = renderNodeView(
            {
                ...inv,
                nodes: { ...inv.nodes, "pve-network": { ...inv.nodes["pve-network"], cpu: hostile } },
                mappings: { ...inv.mappings, pci: { ...inv.mappings.pci, "opnsense-wan": pci } },
            },
            "pve-network",
        );
        expect(mermaidProblems(chart)).toEqual([]);
        expect(chart).not.toMatch(/^\s*evil/m);
        expect(chart).not.toContain("<img");
    });

    it("draws every node of a generated 1000-guest inventory as valid Mermaid", () => {
        const inv = parseInventory(generateInventory(1000));
        for (const node of Object.keys(inv.nodes)) expect(mermaidProblems(renderNodeView(inv, node))).toEqual([]);
    });
});

describe("cardsOf", () => {
    const box = (id: string): Box => ({ id, shape: "box", lines: [id] });
    const edge = (from: string, to: string) => ({ from, to, text: `${from} --> ${to}` });

    it("groups boxes joined by edges, in the order of their first box, and puts the untouched boxes last", () => {
        const cards = cardsOf(["a", "b", "c", "d", "e", "f"].map(box), [edge("c", "a"), edge("b", "e"), edge("e", "a")]);
        expect(cards.map((c) => ({ boxes: c.boxes.map((b) => b.id), edges: c.edges.map((e) => e.text) }))).toEqual([
            { boxes: ["a", "b", "c", "e"], edges: ["c --> a", "b --> e", "e --> a"] },
            { boxes: ["d", "f"], edges: [] },
        ]);
    });

    it("gives no card for nothing", () => {
        expect(cardsOf([], [])).toEqual([]);
    });
});
