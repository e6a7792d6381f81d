/**
 * Problems a person can act on: every inventory problem read from a stack file carries the line
 * and column of what its path names, unknown keys get the closest known key, and a refused entity
 * causes no follow-on problems (by the entities a problem refers to, never by its text).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import * as crosschecks from "../../config/crosschecks";
import { InventoryError, InventoryProblem, entityRef, formatPath, parsePath } from "../../config/errors";
import { readInventory, readStackFile } from "../../config/stackfile";
import { RawInventory, mutated, problemsOf, referenceRaw } from "./reference";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-problems-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes a stack file (`homelab:` keys plus `extra`) and returns its path and text. */
function stackFile(inv: RawInventory, extra: Record<string, unknown> = {}): { file: string; text: string } {
    const config = { ...Object.fromEntries(Object.entries(inv).map(([k, v]) => [`homelab:${k}`, v])), ...extra };
    const text = `# yaml-language-server: $schema=docs/inventory.schema.json\n${stringify({ config })}`;
    const file = path.join(dir, `Pulumi.t${fs.readdirSync(dir).length}.yaml`);
    fs.writeFileSync(file, text);
    return { file, text };
}

/** The problems readInventory reports for the file. */
function problemsIn(file: string): InventoryProblem[] {
    try {
        readInventory(file);
    } catch (err) {
        if (err instanceof InventoryError) return [...err.problems];
        throw err;
    }
    throw new Error("expected the inventory to be refused");
}

/**
 * The 1-based line and column of the `n`-th line (counting from the line after `after`) equal to
 * `line` in `text`; the column is where its content starts (a `- ` list marker skipped).
 */
function position(text: string, line: string, after?: string): { line: number; column: number } {
    const lines = text.split("\n");
    const from = after === undefined ? 0 : lines.indexOf(after) + 1;
    const index = lines.indexOf(line, from);
    if (index < 0) throw new Error(`no line ${JSON.stringify(line)}`);
    const content = line.replace(/^( *)- /, "$1  ");
    return { line: index + 1, column: content.length - content.trimStart().length + 1 };
}

describe("misspelt inventories: the position of the typo and the closest known key", () => {
    test.each([
        {
            name: "a guest's key",
            mutate: (i: RawInventory) => {
                i.guests.unifi.coress = 2;
                delete i.guests.unifi.cores;
            },
            path: "guests.unifi.coress",
            message: 'unknown key; did you mean "cores"?',
            at: ["      coress: 2", "    unifi:"],
        },
        {
            name: "a key in the wrong case",
            mutate: (i: RawInventory) => {
                i.guests.edge.memorymib = 1024;
                delete i.guests.edge.memoryMiB;
            },
            path: "guests.edge.memorymib",
            message: 'unknown key; did you mean "memoryMiB"?',
            at: ["      memorymib: 1024", "    edge:"],
        },
        {
            name: "a cluster key",
            mutate: (i: RawInventory) => {
                i.cluster.domian = "lab.example.org";
                delete i.cluster.domain;
            },
            path: "cluster.domian",
            message: 'unknown key; did you mean "domain"?',
            at: ["    domian: lab.example.org", "  homelab:cluster:"],
        },
        {
            name: "a ZFS property of a dataset (a key that is no identifier)",
            mutate: (i: RawInventory) => {
                i.datasets["tank/nvr"].properties.compresion = "lz4";
            },
            path: 'datasets["tank/nvr"].properties.compresion',
            message: 'unknown key; did you mean "compression"?',
            at: ["        compresion: lz4", "  tank/nvr:"],
        },
        {
            name: "a key of a firewall rule inside a list",
            mutate: (i: RawInventory) => {
                i.guests.unifi.firewall.rules[0].dprot = i.guests.unifi.firewall.rules[0].dport;
                delete i.guests.unifi.firewall.rules[0].dport;
            },
            path: "guests.unifi.firewall.rules[0].dprot",
            message: 'unknown key; did you mean "dport"?',
            at: [null, "    unifi:"],
        },
        {
            name: "a key nothing known is close to",
            mutate: (i: RawInventory) => {
                i.guests.nvr.frobnicate = true;
            },
            path: "guests.nvr.frobnicate",
            message: "unknown key; remove it or fix the spelling",
            at: ["      frobnicate: true", "    nvr:"],
        },
    ])("$name", ({ mutate, path: problemPath, message, at }) => {
        const { file, text } = stackFile(mutated(mutate));
        const [problem] = problemsIn(file);
        expect(problem).toMatchObject({ path: problemPath, message });
        const [line, after] = at;
        if (line !== null) {
            expect({ line: problem.line, column: problem.column }).toEqual(position(text, line, after ?? undefined));
        } else {
            // Inside a list: the line holds the key, at the list item's indentation.
            const lines = text.split("\n");
            expect(lines[problem.line! - 1].slice(problem.column! - 1)).toMatch(/^dprot: /);
        }
    });

    it("a misspelt config key: its line, and the closest inventory key", () => {
        const { file, text } = stackFile(referenceRaw(), { "homelab:guest": { kind: "lxc" } });
        let error: unknown;
        try {
            readStackFile(file);
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(InventoryError);
        const [problem] = (error as InventoryError).problems;
        expect(problem.path).toBe("homelab:guest");
        expect(problem.message).toMatch(/^unknown config key; did you mean "homelab:guests"\? The inventory keys are /);
        expect({ line: problem.line, column: problem.column }).toEqual(position(text, "  homelab:guest:"));
        expect((error as InventoryError).message.split("\n")[1]).toMatch(
            new RegExp(`^Pulumi\\.t\\d+\\.yaml:${problem.line}:3: homelab:guest: unknown config key`),
        );
    });

    it("a misspelt required key is one problem: the typo, not also the missing key", () => {
        const { file } = stackFile(
            mutated((i) => {
                i.guests.unifi.coress = i.guests.unifi.cores;
                delete i.guests.unifi.cores;
                delete i.guests.unifi.tier;
            }),
        );
        expect(problemsIn(file).map((p) => [p.path, p.message])).toEqual([
            ["guests.unifi.tier", 'is required: must be one of "critical", "high", "normal", "low", "minimal"'],
            ["guests.unifi.coress", 'unknown key; did you mean "cores"?'],
        ]);
    });

    it("a missing key points at the nearest key that exists: the guest that lacks it", () => {
        const { file, text } = stackFile(mutated((i) => delete i.guests.media.tier));
        const [problem] = problemsIn(file);
        expect(problem).toMatchObject({
            path: "guests.media.tier",
            message: 'is required: must be one of "critical", "high", "normal", "low", "minimal"',
        });
        expect({ line: problem.line, column: problem.column }).toEqual(position(text, "    media:", "  homelab:guests:"));
    });

    it("a cross-check problem points at the key its path names: a VMID off the scheme", () => {
        const { file, text } = stackFile(mutated((i) => (i.guests.files.vmid = 30051)));
        const [problem] = problemsIn(file);
        expect(problem.path).toBe("guests.files.vmid");
        expect({ line: problem.line, column: problem.column }).toEqual(position(text, "      vmid: 30051"));
    });

    it("several typos at once: each at its own line, in the order of the report", () => {
        const { file } = stackFile(
            mutated((i) => {
                i.guests.unifi.coress = 2;
                i.datasets["tank/nvr"].properties.compresion = "lz4";
                i.guests.files.vmid = 30051;
            }),
        );
        const problems = problemsIn(file);
        expect(problems.map((p) => p.path)).toEqual([
            'datasets["tank/nvr"].properties.compresion',
            "guests.unifi.coress",
            "guests.files.vmid",
        ]);
        expect(problems.every((p) => Number.isInteger(p.line) && p.line! > 1 && Number.isInteger(p.column))).toBe(true);
        expect(new Set(problems.map((p) => p.line)).size).toBe(3);
    });
});

describe("StackFile.locate", () => {
    const text = [
        "config:",
        "  cluster: &c", // a bare key: Pulumi reads it in the project's namespace
        "    name: attic",
        "  homelab:guests:",
        "    web: { node: pve, disks: [{ storage: tank }, { storage: local }] }",
        "  homelab:datasets:",
        '    "tank/photos":',
        "      node: *c",
        "",
    ].join("\n");
    const file = path.join(dir, "Pulumi.locate.yaml");
    fs.writeFileSync(file, text);
    const { locate } = readStackFile(file);

    it.each([
        ["cluster.name", 3, 5],
        ["cluster", 2, 3],
        ["guests.web.node", 5, 12],
        ["guests.web.disks[1].storage", 5, 52],
        ["guests.web.disks[1]", 5, 50],
        ['datasets["tank/photos"].node', 8, 7],
        // Missing: the nearest ancestor that exists.
        ["guests.web.disks[5].storage", 5, 23],
        ["guests.web.memoryMiB", 5, 5],
        ["guests.db.node", 4, 3],
        ["homelab:guest", 1, 1],
    ])("%s is at %i:%i", (problemPath, line, column) => {
        expect(locate(problemPath)).toEqual({ line, column });
    });

    it("follows an alias into what it names", () => {
        expect(locate('datasets["tank/photos"].node.name')).toEqual({ line: 3, column: 5 });
    });
});

describe("paths", () => {
    it.each([
        ["guests.photos.disks[0].storage", ["guests", "photos", "disks", 0, "storage"]],
        ['datasets["tank/photos"].mounts[1].guest', ["datasets", "tank/photos", "mounts", 1, "guest"]],
        ['x["a\\"b"]', ["x", 'a"b']],
        ["nodes.pve-storage", ["nodes", "pve-storage"]],
    ])("parsePath(%j) inverts formatPath", (text, parts) => {
        expect(parsePath(text)).toEqual(parts);
        expect(formatPath(parts)).toBe(text);
    });

    it.each(["a..b", "a[", "a[x]", 'a["b"', "a.b c"])("refuses %j", (text) => {
        expect(parsePath(text)).toBeUndefined();
    });

    it("names entities and sections as refs", () => {
        expect(entityRef("nodes", "pve-storage")).toBe("nodes.pve-storage");
        expect(entityRef("datasets", "tank/photos")).toBe('datasets["tank/photos"]');
        expect(entityRef("backups")).toBe("backups");
    });
});

describe("no follow-on problems from a refused entity", () => {
    it("a refused network: its guests' VLAN is not reported missing", () => {
        expect(problemsOf(mutated((i) => (i.networks.services.cidr = "10.0.0.0/33")))).toEqual([
            { path: "networks.services.cidr", message: 'must be an IPv4 subnet such as 192.168.30.0/24, got "10.0.0.0/33"' },
        ]);
    });

    it("a refused node: its guests, datasets and storages are not reported missing", () => {
        expect(problemsOf(mutated((i) => (i.nodes["pve-storage"].threads = "x")))).toEqual([
            { path: "nodes.pve-storage.threads", message: 'must be a number, got "x"' },
        ]);
    });

    it("a refused guest: the datasets that mount it and the PBS reference to it are not reported", () => {
        expect(problemsOf(mutated((i) => (i.guests.pbs.cores = "2")))).toEqual([
            { path: "guests.pbs.cores", message: 'must be a number, got "2"' },
        ]);
        expect(problemsOf(mutated((i) => (i.guests.photos.cores = "2")))).toEqual([
            { path: "guests.photos.cores", message: 'must be a number, got "2"' },
        ]);
    });

    it("a refused image: the containers built from it are not reported", () => {
        const image = Object.keys(referenceRaw().images)[0];
        expect(problemsOf(mutated((i) => (i.images[image].checksum = "x")))).toEqual([
            { path: `images.${image}.checksum`, message: 'must be a hex sha256 (64) or sha512 (128) digest, got "x"' },
        ]);
    });

    it("a refused backups section: guests with a tier are not told there is none", () => {
        expect(problemsOf(mutated((i) => (i.backups.bandwidthLimitKiBps = 0)))).toEqual([
            { path: "backups.bandwidthLimitKiBps", message: "must be at least 1, got 0" },
        ]);
    });

    it("a refused map section with a default (images: null): checked as empty, the references into it dropped", () => {
        // Found by the property test: the cross-checks once ran with no images map at all.
        expect(problemsOf(mutated((i) => (i.images = null)))).toEqual([{ path: "images", message: "must be a mapping, got null" }]);
        expect(problemsOf(mutated((i) => (i.datasets = [])))).toEqual([{ path: "datasets", message: "must be a mapping, got a list" }]);
    });

    it("a problem of another entity is still reported beside the refused one", () => {
        expect(
            problemsOf(
                mutated((i) => {
                    i.nodes["pve-storage"].threads = "x";
                    i.guests.unifi.vmid = 10006;
                }),
            ).map((p) => p.path),
        ).toEqual(["nodes.pve-storage.threads", "guests.unifi.vmid"]);
    });

    describe("the refs a cross-check sets decide", () => {
        afterEach(() => jest.restoreAllMocks());
        const extra = (refs?: string[]) =>
            jest.spyOn(crosschecks, "crossCheck").mockReturnValue([{ path: "offsite.bucket", message: "a check of the lead's", refs }]);
        const broken = () => mutated((i) => (i.nodes["pve-storage"].threads = "x"));

        it("dropped when a ref names a refused entity", () => {
            extra(["nodes.pve-storage"]);
            expect(problemsOf(broken()).map((p) => p.path)).toEqual(["nodes.pve-storage.threads"]);
        });

        it("kept when its refs name none", () => {
            extra([]);
            expect(problemsOf(broken()).map((p) => p.path)).toEqual(["nodes.pve-storage.threads", "offsite.bucket"]);
        });
    });
});

describe("every cross-check problem names the entities it follows from", () => {
    it("a guest on a refused node is not told the node does not exist, nor that its storages are missing there", () => {
        expect(problemsOf(mutated((i) => (i.nodes["pve-network"].threads = "x"))).map((p) => p.path)).toEqual([
            "nodes.pve-network.threads",
        ]);
    });
    it("a guest naming a refused network is not told the network does not exist", () => {
        expect(problemsOf(mutated((i) => (i.networks.services.cidr = "x"))).map((p) => p.path)).toEqual(["networks.services.cidr"]);
    });
    it("a refused dataset is not reported again through its mounts", () => {
        expect(problemsOf(mutated((i) => (i.datasets["tank/nvr"].properties.recordsize = "3K"))).map((p) => p.path)).toEqual([
            'datasets["tank/nvr"].properties.recordsize',
        ]);
    });
});
