import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import { parseInventory } from "../../config/parse";
import { Inventory } from "../../config/schema";
import { readStackFile } from "../../config/stackfile";
import { generateInventory } from "../../tools/bench/generate";
import {
    diagramFile,
    firstDifference,
    main,
    mermaidId,
    mermaidText,
    nfsClients,
    renderTopology,
    withReadmeDiagram,
} from "../../tools/diagram";

const ROOT = path.join(__dirname, "../..");
const reference = (): Inventory => parseInventory(readStackFile(path.join(ROOT, "Pulumi.prod.yaml")).inventory);

/** A stream that keeps what is written to it. */
function sink(): Writable & { text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
        write(chunk, _encoding, done) {
            chunks.push(String(chunk));
            done();
        },
    }) as Writable & { text: () => string };
    stream.text = () => chunks.join("");
    return stream;
}

/** A throw-away repository root holding a copy of the reference stack file. */
function tempRoot(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-diagram-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.prod.yaml"), path.join(dir, "Pulumi.prod.yaml"));
    return dir;
}

describe("renderTopology", () => {
    it("draws the reference homelab (snapshot)", () => {
        expect(renderTopology(reference())).toMatchSnapshot();
    });

    it("matches the committed docs/topology.md", () => {
        expect(fs.readFileSync(path.join(ROOT, "docs/topology.md"), "utf8")).toBe(renderTopology(reference()));
    });

    it("gives the same text whatever the order of the inventory's keys", () => {
        const inv = reference();
        const reversed = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T;
        const shuffled: Inventory = {
            ...inv,
            nodes: reversed(inv.nodes),
            guests: reversed(inv.guests),
            datasets: reversed(inv.datasets),
            dns: inv.dns && { ...inv.dns, records: reversed(inv.dns.records) },
        };
        expect(renderTopology(shuffled)).toBe(renderTopology(inv));
    });

    it("groups each node's guests by VLAN inside the node's subgraph", () => {
        const lines = renderTopology(reference()).split("\n");
        const node = lines.indexOf('    subgraph node_pve_storage["pve-storage · AMD Ryzen 7 PRO 8845HS · 16 threads · 96 GiB"]');
        const start = lines.indexOf('        subgraph n_pve_storage_net_services["VLAN 30 · services · 192.168.30.0/24"]');
        expect(node).toBeGreaterThan(0);
        expect(start).toBeGreaterThan(node);
        expect(lines.slice(start + 1, start + 5).map((l) => l.trim().split(/[([]/)[0])).toEqual([
            "g_cloud",
            "g_files",
            "g_media",
            "g_photos",
        ]);
        expect(lines[start + 5].trim()).toBe("end");
    });

    it("draws mounts with their access and path, and NFS exports to the guest or host with that address", () => {
        const text = renderTopology(reference());
        expect(text).toContain('ds_tank_2fphotos -->|"ro /srv/shares/photos"| g_files');
        expect(text).toContain('ds_tank_2fphotos -->|"rw /mnt/photos"| g_photos');
        expect(text).toContain('ds_tank_2fpbs ==>|"NFS rw"| g_pbs');
        expect(text).toContain('ds_tank_2fshared ==>|"NFS rw"| n_pve_network');
        expect(text.match(/^ {4}ds_\w+ ==>/gm)).toHaveLength(2);
    });

    it("draws the backup path by tier to the PBS guest and the offsite bucket, leaving out excluded guests", () => {
        const text = renderTopology(reference());
        expect(text.match(/ -\.-> bk_critical$/gm)).toHaveLength(4);
        expect(text.match(/ -\.-> bk_medium$/gm)).toHaveLength(3);
        expect(text.match(/ -\.-> bk_low$/gm)).toHaveLength(2);
        expect(text).toContain('bk_critical -.->|"vzdump to pbs"| g_pbs');
        expect(text).toContain('g_pbs -.->|"datastore copy"| offsite');
        expect(text).not.toContain("g_pbs -.-> bk_");
    });

    it("draws the QDevice vote to every node and the public records to the WAN or their outside target", () => {
        const text = renderTopology(reference());
        expect(text).toContain('qdevice{{"corosync QDevice<br/>192.168.10.13"}}');
        expect(text.match(/^ {4}qdevice ---\|"quorum vote"\| n_/gm)).toHaveLength(2);
        expect(text).toContain("dns_lab_wildcard --> wan");
        expect(text).toContain("dns_vpn --> wan");
        expect(text).toContain("dns_www --> ext_example_2dorg_2epages_2edev");
        expect(text).toContain('wan -->|"port forwards"| g_opnsense');
        expect(text).toContain('g_opnsense -->|"reverse proxy"| g_edge');
    });

    it("titles an untagged network by its name and subnet, ahead of the VLANs", () => {
        const inv = reference();
        const { vlan: _tagged, ...management } = inv.networks.management;
        const lines = renderTopology({ ...inv, networks: { ...inv.networks, management } }).split("\n");
        const node = lines.indexOf('    subgraph node_pve_network["pve-network · Intel N150 · 4 threads · 16 GiB"]');
        expect(lines.slice(node + 2, node + 6)).toEqual([
            '        subgraph n_pve_network_net_management["management · 192.168.10.0/24 · untagged"]',
            '            g_opnsense[["opnsense<br/>VM 10001 · 192.168.10.1<br/>router"]]',
            '            g_unifi("unifi<br/>LXC 10005 · 192.168.10.5")',
            "        end",
        ]);
    });

    it("joins the members of an HA group with a dotted edge, in name order", () => {
        const inv = reference();
        const ha = { dns: { kind: "keepalived" as const, members: ["unifi", "files"], vip: "192.168.30.53", vrrpId: 53 } };
        const text = renderTopology({ ...inv, ha });
        expect(text).toContain('g_files -.-|"HA dns"| g_unifi');
        expect(text.match(/-\.-\|"HA /g)).toHaveLength(1);
        expect(renderTopology(inv)).not.toMatch(/-\.-\|"HA /);
    });

    it("marks a template guest and leaves out the address it does not have", () => {
        const inv = reference();
        const { ipv4: _address, ...files } = inv.guests.files;
        const text = renderTopology({ ...inv, guests: { ...inv.guests, files: { ...files, template: true } } });
        expect(text).toContain('g_files("files<br/>LXC 30050<br/>template")');
    });

    it("draws a generated 1000-guest inventory: one subgraph per node, every guest once, unique ids", () => {
        const inv = parseInventory(generateInventory(1000));
        const lines = renderTopology(inv).split("\n");
        expect(lines.filter((l) => /^ {4}subgraph node_/.test(l))).toHaveLength(25);
        const guestDefs = lines.filter((l) => /^ {12}g_/.test(l)).map((l) => l.trim().split(/[([]/)[0]);
        expect(guestDefs).toHaveLength(1000);
        expect(new Set(guestDefs).size).toBe(1000);
        expect(lines.filter((l) => /^ {12}ds_/.test(l))).toHaveLength(Object.keys(inv.datasets).length);
    });

    it("draws no QDevice for a cluster without one", () => {
        const inv = reference();
        const { qdevice: _qdevice, ...cluster } = inv.cluster;
        const text = renderTopology({ ...inv, cluster });
        expect(text).not.toContain("qdevice");
        expect(text).toContain('subgraph node_pve_network["pve-network · Intel N150 · 4 threads · 16 GiB"]');
    });

    it("names the stack in the heading", () => {
        expect(renderTopology(reference(), { stack: "lab" }).split("\n").slice(0, 3)).toEqual([
            "# Topology of stack `lab`",
            "",
            "Generated by `npm run diagram` from `Pulumi.lab.yaml`; do not edit by hand. CI fails when this file is stale.",
        ]);
    });
});

describe("helpers", () => {
    it.each([
        ["g", "opnsense", "g_opnsense"],
        ["n", "pve-network", "n_pve_network"],
        ["ds", "tank/appdata/photos", "ds_tank_2fappdata_2fphotos"],
        ["ds", "tank/a_b", "ds_tank_2fa_5fb"],
        ["ds", "tank/a-b", "ds_tank_2fa_2db"],
        ["ext", "example-org.pages.dev", "ext_example_2dorg_2epages_2edev"],
    ])("mermaidId(%s, %s) is %s", (prefix, key, id) => {
        expect(mermaidId(prefix, key)).toBe(id);
    });

    it("escapes quotes, angle brackets and # in labels", () => {
        expect(mermaidText('say "hi" <b> #1')).toBe("say #quot;hi#quot; #lt;b#gt; #35;1");
    });

    it.each([
        ["rw=@192.168.10.20/32,no_root_squash", [{ access: "rw", cidr: "192.168.10.20/32" }]],
        [
            "ro=@192.168.30.0/24:@192.168.20.5,rw=@192.168.10.11",
            [
                { access: "ro", cidr: "192.168.30.0/24" },
                { access: "ro", cidr: "192.168.20.5/32" },
                { access: "rw", cidr: "192.168.10.11/32" },
            ],
        ],
        ["on", []],
        ["off", []],
        ["rw=nas.lan", []],
        [undefined, []],
    ])("nfsClients(%s)", (value, clients) => {
        expect(nfsClients(value)).toEqual(clients);
    });

    it("finds the first differing line", () => {
        expect(firstDifference("a\nb\nc", "a\nb\nc")).toBeUndefined();
        expect(firstDifference("a\nb\nc", "a\nx\nc")).toBe(2);
        expect(firstDifference("a\nb", "a\nb\nc")).toBe(3);
    });

    it("puts prod's diagram in docs/topology.md and other stacks' beside it", () => {
        expect(diagramFile("prod")).toBe(path.join("docs", "topology.md"));
        expect(diagramFile("lab")).toBe(path.join("docs", "topology.lab.md"));
    });
});

describe("npm run diagram", () => {
    it("writes docs/topology.md, then --check passes", () => {
        const root = tempRoot();
        const out = sink();
        expect(main([], root, out, sink())).toBe(0);
        expect(out.text()).toBe("wrote docs/topology.md from Pulumi.prod.yaml\n");
        expect(fs.readFileSync(path.join(root, "docs/topology.md"), "utf8")).toBe(renderTopology(reference()));
        const checked = sink();
        expect(main(["--check"], root, checked, sink())).toBe(0);
        expect(checked.text()).toBe("docs/topology.md is up to date with Pulumi.prod.yaml\n");
    });

    it("--check exits 1 and says what to run when the committed diagram is stale", () => {
        const root = tempRoot();
        expect(main([], root, sink(), sink())).toBe(0);
        const file = path.join(root, "docs/topology.md");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("g_unifi(", "g_unify("));
        const err = sink();
        expect(main(["--check"], root, sink(), err)).toBe(1);
        expect(err.text()).toMatch(
            /^error: docs\/topology\.md is stale: it differs from the rendering of Pulumi\.prod\.yaml from line \d+ on; run npm run diagram and commit the result\n$/,
        );
    });

    it("--check exits 1 when the inventory changed after the diagram was written", () => {
        const root = tempRoot();
        expect(main([], root, sink(), sink())).toBe(0);
        const stackFile = path.join(root, "Pulumi.prod.yaml");
        fs.writeFileSync(
            stackFile,
            fs
                .readFileSync(stackFile, "utf8")
                .replace("mounts:\n        - { guest: nvr, path: /mnt/recordings }", "mounts:\n        - { guest: nvr, path: /mnt/clips }"),
        );
        const err = sink();
        expect(main(["--check"], root, sink(), err)).toBe(1);
        expect(err.text()).toContain("docs/topology.md is stale");
    });

    it("--check exits 1 when the diagram was never written", () => {
        const err = sink();
        expect(main(["--check"], tempRoot(), sink(), err)).toBe(1);
        expect(err.text()).toBe("error: docs/topology.md is missing; run npm run diagram and commit it\n");
    });

    it("exits 2 with the problem's path when the inventory is invalid", () => {
        const root = tempRoot();
        const stackFile = path.join(root, "Pulumi.prod.yaml");
        fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace("vmid: 30042", "vmid: 30043"));
        const err = sink();
        expect(main([], root, sink(), err)).toBe(2);
        expect(err.text()).toContain("guests.media.vmid");
        expect(fs.existsSync(path.join(root, "docs"))).toBe(false);
    });

    it("exits 2 on an unknown argument", () => {
        const err = sink();
        expect(main(["--bogus"], tempRoot(), sink(), err)).toBe(2);
        expect(err.text()).toBe('error: unknown argument "--bogus" (known: --stack NAME, --check, --help)\n');
    });

    it("explains itself with --help and exits 0, writing nothing", () => {
        const root = tempRoot();
        const out = sink();
        expect(main(["--help"], root, out, sink())).toBe(0);
        expect(out.text().split("\n")[0]).toBe("usage: npm run -s diagram -- [--stack NAME] [--check]");
        expect(fs.existsSync(path.join(root, "docs"))).toBe(false);
    });

    it("draws the stack PULUMI_STACK names (org/project/stack form too) into docs/topology.NAME.md", () => {
        const root = tempRoot();
        fs.copyFileSync(path.join(root, "Pulumi.prod.yaml"), path.join(root, "Pulumi.home.yaml"));
        const out = sink();
        expect(main([], root, out, sink(), { PULUMI_STACK: "acme/homelab/home" })).toBe(0);
        expect(out.text()).toBe("wrote docs/topology.home.md from Pulumi.home.yaml\n");
        expect(fs.existsSync(path.join(root, "docs/topology.home.md"))).toBe(true);
    });

    it("exits 2 naming the file and how to create it when the stack file is missing (it needs no policy configuration)", () => {
        const err = sink();
        expect(main(["--stack", "home"], tempRoot(), sink(), err)).toBe(2);
        expect(err.text()).toBe(
            "error: Pulumi.home.yaml: no such stack file; create it (copy Pulumi.prod.yaml, or pulumi stack init home) or name another stack with --stack NAME\n",
        );
    });
});

describe("the picture in README.md", () => {
    const rendered = "# Topology\n\n```mermaid\nflowchart TB\n    a --> b\n```\n\nlegend\n";

    it("replaces what stands between the topology markers with the Mermaid block", () => {
        const readme = "intro\n<!-- topology:start -->\nold picture\n<!-- topology:end -->\nrest\n";
        expect(withReadmeDiagram(readme, rendered)).toBe(
            "intro\n<!-- topology:start -->\n\n```mermaid\nflowchart TB\n    a --> b\n```\n\n<!-- topology:end -->\nrest\n",
        );
    });

    it("leaves a README without markers unchanged", () => {
        expect(withReadmeDiagram("no markers here\n", rendered)).toBe("no markers here\n");
    });

    it("is current in the committed README.md", () => {
        const root = path.join(__dirname, "../..");
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        expect(withReadmeDiagram(readme, fs.readFileSync(path.join(root, "docs/topology.md"), "utf8"))).toBe(readme);
    });
});
