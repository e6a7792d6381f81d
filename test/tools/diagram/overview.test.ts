/**
 * The overview: everything of the inventory is in it (every network, also one without guests;
 * every node, guest, HA group and public record; the backup path with its tiers in order and the
 * datasets they back up), it stays within the width budget, and it is valid Mermaid whatever the
 * names and descriptions hold.
 */
import * as path from "path";
import { parseInventory } from "../../../config/parse";
import { Inventory } from "../../../config/schema";
import { readStackFile } from "../../../config/stackfile";
import { generateInventory } from "../../../tools/bench/generate";
import { BOX_GAP, LINE_CHARS, WIDE_CHARS, WIDTH_BUDGET, rowId } from "../../../tools/diagram/layout";
import { TITLE_CHARS, estimateWidth, mermaidId } from "../../../tools/diagram/mermaid";
import { TIER_NAMES, networkBands, renderOverview } from "../../../tools/diagram/overview";
import { labelsOf, mermaidProblems } from "./mermaidSyntax";

const ROOT = path.join(__dirname, "../../..");
const stack = (name: string): Inventory => parseInventory(readStackFile(path.join(ROOT, `Pulumi.${name}.yaml`)).inventory);
const reference = (): Inventory => stack("prod");

/** The node definitions of the row subgraph `id` (its lines up to its `end`), as ids. */
function rowMembers(chart: string, id: string): string[] {
    const lines = chart.split("\n").map((l) => l.trim());
    const start = lines.indexOf(`subgraph ${id}[" "]`);
    if (start < 0) throw new Error(`no row ${id}`);
    const out: string[] = [];
    for (let i = start + 2; lines[i] !== "end"; i++) if (!lines[i].includes("~~~")) out.push(lines[i].split(/[[({>]/)[0]);
    return out;
}

/** Every row of a chart: its id and the label lines of its boxes. */
function rows(chart: string): { id: string; boxes: string[][] }[] {
    const ids = [...chart.matchAll(/subgraph (row\d+_\w+)\[" "\]/g)].map((m) => m[1]);
    const lines = chart.split("\n").map((l) => l.trim());
    return ids.map((id) => ({
        id,
        boxes: rowMembers(chart, id).map((box) => labelsOf(lines.find((l) => l.startsWith(box) && /^\w+[[({>]/.test(l))!)[0]),
    }));
}

describe("renderOverview", () => {
    it.each(["prod", "example-single", "example-cluster"])("writes valid Mermaid for stack %s", (name) => {
        expect(mermaidProblems(renderOverview(stack(name)))).toEqual([]);
    });

    it("draws every network in order, the one without guests too, each with its guests in name order", () => {
        const chart = renderOverview(reference());
        const titles = [...chart.matchAll(/subgraph net_\w+\["([^"]*)"\]/g)].map((m) => m[1]);
        expect(titles).toEqual([
            "VLAN 10 · management · 192.168.10.0/24",
            "VLAN 20 · trusted · 192.168.20.0/24",
            "VLAN 30 · services · 192.168.30.0/24",
            "VLAN 40 · iot · 192.168.40.0/24",
            "VLAN 50 · cameras · 192.168.50.0/24",
        ]);
        expect(rowMembers(chart, rowId("net_management", 0))).toEqual(["g_opnsense", "g_pbs", "g_unifi"]);
        expect([...rowMembers(chart, rowId("net_services", 0)), ...rowMembers(chart, rowId("net_services", 1))]).toEqual([
            "g_cloud",
            "g_edge",
            "g_files",
            "g_media",
            "g_photos",
        ]);
        expect(chart).toContain('none_iot["no guests<br/>smart-home devices;<br/>internet only"]');
    });

    it("draws every node and guest once, with where it runs and what sets it apart", () => {
        const inv = reference();
        const chart = renderOverview(inv);
        for (const n of Object.keys(inv.nodes)) expect(chart.match(new RegExp(`^ +${mermaidId("n", n)}\\[`, "gm"))).toHaveLength(1);
        for (const g of Object.keys(inv.guests)) expect(chart.match(new RegExp(`^ +${mermaidId("g", g)}[[(]`, "gm"))).toHaveLength(1);
        expect(chart).toContain(
            'n_pve_storage["pve-storage<br/>192.168.10.12<br/>AMD Ryzen 7 PRO 8845HS<br/>16 threads · 96 GiB<br/>7 guests"]',
        );
        expect(chart).toContain('g_opnsense[["opnsense<br/>192.168.10.1<br/>VM 10001 · pve-network<br/>router"]]');
        expect(chart).toContain('g_photos("photos<br/>192.168.30.40<br/>LXC 30040 · pve-storage<br/>docker · privileged")');
        expect(chart).toContain('g_edge("edge<br/>192.168.30.10<br/>LXC 30010 · pve-network<br/>reverse proxy · docker")');
        expect(chart).toContain('qdevice{{"QDevice<br/>192.168.10.13<br/>quorum vote"}}');
    });

    it("draws every public record to the WAN or its outside host, and says who receives the WAN's traffic", () => {
        const chart = renderOverview(reference());
        expect(chart).toContain(`dns_lab_wildcard["*.lab.example.org · A<br/>reverse proxy; must see the<br/>client's real IP"]`);
        expect(chart).toContain('dns_vpn["vpn.example.org · A<br/>udp · WireGuard"]');
        expect(chart).toContain('dns_apex["example.org · CNAME<br/>proxied · public site"]');
        expect(chart).toContain('dns_www["www.example.org · CNAME<br/>proxied · public site"]');
        expect(chart.match(/^ +dns_\w+ --> \w+$/gm)).toEqual([
            "            dns_apex --> ext_example_2dorg_2epages_2edev",
            "            dns_lab_wildcard --> wan",
            "            dns_vpn --> wan",
            "            dns_www --> ext_example_2dorg_2epages_2edev",
        ]);
        expect(chart).toContain('wan(("WAN<br/>203.0.113.10<br/>forwarded by opnsense<br/>to edge"))');
    });

    it("draws a keepalived group in its members' network and a Proxmox HA group in the cluster, and marks the members", () => {
        const chart = renderOverview(stack("example-cluster"));
        expect(rowMembers(chart, rowId("net_servers", 0))[0]).toBe("ha_resolvers");
        expect(chart).toContain('ha_resolvers(["HA resolvers<br/>keepalived<br/>VIP 10.0.20.53 · VRRP 53<br/>dns-a, dns-b"])');
        expect(rowMembers(chart, rowId("cluster", 1))).toEqual(["ha_apps"]);
        expect(chart).toContain('ha_apps(["HA apps<br/>Proxmox HA<br/>nodes pve1 › pve2 › pve3<br/>wiki"])');
        expect(chart).toContain('g_dns_a("dns-a<br/>10.0.20.11<br/>LXC 20011 · pve1<br/>HA resolvers")');
        expect(chart).toContain('g_wiki[["wiki<br/>10.0.20.20<br/>VM 20020 · pve1<br/>HA apps"]]');
        expect(chart).toContain('g_ci_runner[["ci-runner<br/>10.0.20.40<br/>VM 20040 · pve3<br/>linked clone of golden"]]');
        expect(renderOverview(reference())).not.toContain("ha_");
    });

    it("draws the backup path: tiers in their order with their guests and datasets, the target, the bucket, the exclusions", () => {
        const chart = renderOverview(reference());
        expect(rowMembers(chart, rowId("tiers", 0))).toEqual(["tier_critical", "tier_medium"]);
        expect(rowMembers(chart, rowId("tiers", 1))).toEqual(["tier_low"]);
        const critical = labelsOf(chart.split("\n").find((l) => l.trim().startsWith("tier_critical["))!)[0];
        expect(critical).toEqual([
            "critical · every day",
            "keep 7 daily, 4 weekly, 6 monthly",
            "guests: cloud, edge, opnsense,",
            "photos",
            "datasets: rpool/appdata/edge,",
            "tank/appdata/cloud,",
            "tank/appdata/photos, tank/cloud,",
            "tank/photos",
        ]);
        expect(chart).toContain('tier_low["low · every month on day 1<br/>keep 3 monthly<br/>guests: files, windows"]');
        expect(chart).toContain('tiers -->|"vzdump and dataset jobs"| stores');
        expect(chart).toContain(
            'target[("Proxmox Backup Server<br/>storage pbs · datastore tank<br/>on guest pbs (pve-storage)<br/>datastore on NFS<br/>192.168.10.12:/tank/pbs")]',
        );
        expect(chart).toContain('target -->|"sync job"| offsite');
        expect(chart).toContain('offsite[("offsite bucket<br/>attic-pbs-offsite<br/>aws · eu-central-1<br/>writers: pbs")]');
        expect(chart).toContain(
            'excluded["excluded from backups<br/>guests: pbs<br/>datasets: tank/media, tank/nvr,<br/>tank/pbs, tank/shared, tank/vm"]',
        );
    });

    it("orders tiers by cadence, not by name, and names an external PBS and a directory target", () => {
        const cluster = renderOverview(stack("example-cluster"));
        expect(rowMembers(cluster, rowId("tiers", 0))).toEqual(["tier_daily", "tier_weekly"]);
        expect(cluster).toContain('target[("Proxmox Backup Server<br/>storage pbs · datastore rack<br/>at 10.0.10.30 (run elsewhere)")]');
        expect(cluster).toContain('tiers -->|"vzdump and dataset jobs"| stores');
        const single = renderOverview(stack("example-single"));
        expect(single).toContain('target[("storage usb-backup<br/>directory /mnt/usb-backup<br/>on mini")]');
        expect(single).toContain('tiers -->|"vzdump jobs"| stores');
        expect(single).not.toContain("offsite");
        const inv = reference();
        const renamed = renderOverview({
            ...inv,
            backups: { ...inv.backups!, tiers: { zz: inv.backups!.tiers.critical, aa: inv.backups!.tiers.low } },
        });
        expect(renamed.indexOf("tier_zz[")).toBeLessThan(renamed.indexOf("tier_aa["));
    });

    it("draws the bucket unlinked when PBS does not write to it", () => {
        const inv = reference();
        const chart = renderOverview({ ...inv, offsite: { ...inv.offsite!, servesPbs: false } });
        expect(chart).toContain("offsite[(");
        expect(chart).not.toContain('-->|"sync job"|');
        expect(chart).toContain("target ~~~ offsite");
    });

    it("without backups, draws the bucket alone; without public DNS, no internet band", () => {
        const { backups: _backups, ...inv } = reference();
        const chart = renderOverview(inv);
        expect(mermaidProblems(chart)).toEqual([]);
        expect(chart).toContain('subgraph backup["offsite copy"]');
        expect(chart).toContain("offsite[(");
        expect(chart).not.toMatch(/tier_|target|excluded/);
        const single = renderOverview(stack("example-single"));
        expect(single).not.toContain("band_internet");
        expect(single).toContain("band_cluster ~~~ band_net_0 ~~~ band_backup");
    });

    it("gives the same text whatever the order of the inventory's keys", () => {
        const inv = reference();
        const reversed = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T;
        const shuffled: Inventory = {
            ...inv,
            networks: reversed(inv.networks),
            nodes: reversed(inv.nodes),
            guests: reversed(inv.guests),
            datasets: reversed(inv.datasets),
            storages: reversed(inv.storages),
            dns: inv.dns && { ...inv.dns, records: reversed(inv.dns.records) },
            backups: inv.backups && { ...inv.backups, tiers: reversed(inv.backups.tiers) },
        };
        expect(renderOverview(shuffled)).toBe(renderOverview(inv));
    });

    it("puts networks side by side while they fit the budget, in order", () => {
        expect(networkBands(reference()).map((band) => band.map((g) => g.id))).toEqual([
            ["net_management"],
            ["net_trusted"],
            ["net_services"],
            ["net_iot", "net_cameras"],
        ]);
    });
});

describe("the overview stays legible at README width", () => {
    const cases: [string, () => Inventory][] = [
        ["prod", reference],
        ["example-cluster", () => stack("example-cluster")],
        ["a generated 1000-guest inventory", () => parseInventory(generateInventory(1000))],
    ];

    it.each(cases)("%s: every row fits the width budget, at most 4 boxes of text a row", (_name, inv) => {
        const chart = renderOverview(inv());
        const found = rows(chart);
        expect(found.length).toBeGreaterThan(0);
        for (const row of found) {
            expect(row.boxes.length).toBeLessThanOrEqual(4);
            const width = row.boxes.reduce((s, lines) => s + estimateWidth(lines), 0) + BOX_GAP * (row.boxes.length - 1);
            if (row.boxes.length > 1) expect(width).toBeLessThanOrEqual(WIDTH_BUDGET);
        }
    });

    it.each(cases)("%s: no line of a box is longer than a wide box's, no line of a title longer than a title's", (_name, inv) => {
        const lines = renderOverview(inv()).split("\n");
        const longest = (which: string[]) => Math.max(...labelsOf(which.join("\n")).flatMap((ls) => ls.map((l) => l.length)));
        expect(longest(lines.filter((l) => !l.trim().startsWith("subgraph ")))).toBeLessThanOrEqual(WIDE_CHARS);
        expect(longest(lines.filter((l) => l.trim().startsWith("subgraph ")))).toBeLessThanOrEqual(TITLE_CHARS);
        expect(LINE_CHARS).toBeLessThan(WIDE_CHARS);
    });

    it("a generated 1000-guest inventory: valid, every guest once, tiers name at most ten and count the rest", () => {
        const inv = parseInventory(generateInventory(1000));
        const chart = renderOverview(inv);
        expect(mermaidProblems(chart)).toEqual([]);
        const guests = [...chart.matchAll(/^ +(g_\w+)[[(]/gm)].map((m) => m[1]);
        expect(guests).toHaveLength(1000);
        expect(new Set(guests).size).toBe(1000);
        const tiers = labelsOf(
            chart
                .split("\n")
                .filter((l) => /^ +tier_\w+\[/.test(l))
                .join("\n"),
        );
        for (const lines of tiers) {
            const names = lines.join(" ").match(/guests: (.*?)(?: datasets:|$)/)![1];
            const more = /and (\d+) more/.exec(names);
            expect(names.split(",").length).toBeLessThanOrEqual(TIER_NAMES);
            if (more) expect(Number(more[1])).toBeGreaterThan(0);
        }
    });
});

describe("hostile text cannot break the picture", () => {
    const HOSTILE = 'x"] --> evil["y`<b>bold</b>` | #1 & 100% %% end\nsubgraph z\r';

    it("keeps every label on its line and inside its quotes, and shows the text as written", () => {
        const inv = reference();
        const hostile: Inventory = {
            ...inv,
            nodes: { ...inv.nodes, "pve-network": { ...inv.nodes["pve-network"], cpu: HOSTILE } },
            networks: { ...inv.networks, iot: { ...inv.networks.iot, description: HOSTILE } },
            dns: { ...inv.dns!, records: { ...inv.dns!.records, vpn: { ...inv.dns!.records.vpn, purpose: HOSTILE } } },
        };
        const chart = renderOverview(hostile);
        expect(mermaidProblems(chart)).toEqual([]);
        const text = labelsOf(chart)
            .map((lines) => lines.join(" "))
            .join("\n");
        expect(text).toContain('x"] --> evil["y`<b>bold</b>` | #1 & 100% %% end subgraph z');
        expect(chart).not.toMatch(/^\s*evil/m);
    });

    it("never gives two boxes one id: a network named like another's row", () => {
        const inv = reference();
        const net = { ...inv.networks.iot, vlan: 41, cidr: "192.168.41.0/24", gateway: "192.168.41.1" };
        const chart = renderOverview({ ...inv, networks: { ...inv.networks, "iot-r0": net, "row0-net-iot": { ...net, vlan: 42 } } });
        expect(mermaidProblems(chart)).toEqual([]);
    });
});
