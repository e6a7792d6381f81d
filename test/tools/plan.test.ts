/**
 * The offline plan: the reference stack is clean with the expected counts, a stack with a policy
 * violation exits 1 naming it, an invalid inventory exits 2 naming the path, and `--json` output
 * follows its documented schema.
 */
import Ajv from "ajv";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PassThrough } from "stream";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { referenceInventory } from "../program/reference";
import { longestDependencyChain } from "../../tools/plan/dependencies";
import { planTool } from "../../tools/plan/main";
import { mockConfig } from "../../tools/plan/record";
import { lastSiblings, renderReport } from "../../tools/plan/render";
import { PlanReport, plan, planInventory } from "../../tools/plan/report";
import { finishTool } from "../../tools/output";
import { RecordedResource } from "../../tools/runtime/recorder";
import { projectDir } from "./project";

const ROOT = path.join(__dirname, "../..");
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "tools/plan.schema.json"), "utf8"));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/**
 * Writes Pulumi.<stack>.yaml into a temp dir from the reference file, after `mutate`, with an empty
 * policy configuration (every rule at its pack level, no exemption) unless `policyConfig` is null.
 */
function stackDir(
    stack: string,
    mutate: (config: Record<string, unknown>) => void = () => undefined,
    policyConfig: Record<string, unknown> | null = {},
): string {
    const doc = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };
    mutate(doc.config);
    return projectDir({ [stack]: toYaml(doc) }, policyConfig === null ? {} : { [stack]: policyConfig });
}

describe("the offline plan of the reference stack", () => {
    let report: PlanReport;
    beforeAll(async () => {
        report = await plan("prod", ROOT);
    });

    it("exits 0 with no mandatory violation and no advisory one", () => {
        expect(report.exitCode).toBe(0);
        expect(report.violations).toEqual({ mandatory: [], advisory: [] });
    });

    it("counts what the reference homelab registers", () => {
        expect(report.inventory).toEqual({ nodes: 2, guests: 10, datasets: 12, records: 4 });
        expect(report.resources!.total).toBe(178);
        expect(report.resources!.byType).toMatchObject({
            "homelab:proxmox:Cluster": 1,
            "homelab:proxmox:Storages": 1,
            "homelab:proxmox:Images": 1,
            "homelab:proxmox:Node": 2,
            "homelab:proxmox:LxcGuest": 7,
            "homelab:proxmox:VmGuest": 3,
            "homelab:storage:ZfsDataset": 12,
            "homelab:dns:DnsRecord": 4,
            "proxmoxve:index/containerLegacy:ContainerLegacy": 7,
            "proxmoxve:index/vmLegacy:VmLegacy": 3,
            "proxmoxve:backup/job:Job": 5,
            // 12 datasets, 2 node host preparations, 7 container host configurations.
            "command:remote:Command": 37,
            "aws:s3/bucket:Bucket": 1,
        });
        expect(report.resources!.tree[0]).toEqual({ type: "pulumi:pulumi:Stack", name: "homelab-prod", depth: 0, protect: false });
    });

    it("reports the allocation per node against physical", () => {
        expect(report.capacity).toEqual([
            { node: "pve-network", threads: 4, allocatedCores: 5, cpuRatio: 1.25, memoryGiB: 16, allocatedMemoryGiB: 7, memoryRatio: 0.44 },
            {
                node: "pve-storage",
                threads: 16,
                allocatedCores: 26,
                cpuRatio: 1.63,
                memoryGiB: 96,
                allocatedMemoryGiB: 52,
                memoryRatio: 0.54,
            },
        ]);
    });

    it("reports the longest dependency chain, from the stack to a dataset's backup (after PBS is set up)", () => {
        expect(report.dependencies!.depth).toBe(report.dependencies!.chain.length);
        expect(report.dependencies!.chain[0]).toBe("homelab-prod");
        expect(report.dependencies!.depth).toBeGreaterThanOrEqual(6);
        expect(report.dependencies!.chain).toEqual(expect.arrayContaining(["pbs-vm", "pbs-ready", "pbs-datastore"]));
        expect(report.dependencies!.chain.at(-1)).toMatch(/-backup$/);
    });

    it("lists every guest's and dataset's copies (3-2-1), each backed-up one meeting it", () => {
        expect(report.copies).toHaveLength(22);
        const text = renderReport(report);
        expect(text).toContain(
            "Copies (3-2-1): 16 of 16 backed-up guests and datasets have 3 copies on 2 media, one offsite; 6 left out of backups with a reason\n",
        );
        expect(text).toContain(
            "  ok  datasets.tank/photos: live ZFS pool tank on pve-storage; backup PBS datastore tank on tank/pbs (NFS from pve-storage); offsite aws bucket attic-pbs-offsite (3 copies on 2 media, one offsite)\n",
        );
        expect(text).toContain(
            "  -   guests.pbs: live local-zfs on pve-storage (left out of backups: PBS cannot back itself up into its own datastore;",
        );
    });

    it("matches the documented JSON shape", () => {
        const ok = validate(JSON.parse(JSON.stringify(report)));
        expect(validate.errors ?? []).toEqual([]);
        expect(ok).toBe(true);
    });

    it("names the files it read", () => {
        expect(report.file).toBe("Pulumi.prod.yaml");
        expect(report.policyConfig).toBe("policies/stacks/prod.json");
    });

    it("prints the tree, the counts, the violations, the capacity and the chain, as a from-scratch view", () => {
        const text = renderReport(report);
        expect(text.split("\n").slice(0, 2)).toEqual([
            "Plan of stack prod from Pulumi.prod.yaml and policies/stacks/prod.json (offline, under the Pulumi mock runtime)",
            "A from-scratch view: what a first `pulumi up` on an empty stack would create. It reads no state, so it shows no updates or deletions.",
        ]);
        expect(text).toContain(" +   pulumi:pulumi:Stack");
        expect(text).toContain("├─ homelab:proxmox:LxcGuest");
        expect(text).toMatch(/Resources: 178 to create/);
        expect(text).toContain("Policy violations: 0 mandatory, 0 advisory");
        expect(text).toContain("pve-storage      CPU  26 cores /  16 threads = 1.63x   memory   52.0 /   96 GiB = 0.54x");
        expect(text).toMatch(/Longest dependency chain: \d+ steps\n {2}homelab-prod → /);
        expect(text).toContain("Plan OK: no mandatory violation.");
    });
});

describe("a stack the policy pack refuses", () => {
    it("exits 1 and names the violation: a node overcommitted past the stack's own limit", async () => {
        // The reference inventory with a stricter policy configuration: at most one vCPU per thread.
        const report = await plan(
            "lab",
            stackDir("lab", undefined, { "proxmox-node-overcommit": { enforcementLevel: "mandatory", cpuRatio: 1 } }),
        );
        expect(report.exitCode).toBe(1);
        expect(report.violations!.mandatory.map((v) => [v.policy, v.name])).toEqual([
            ["proxmox-node-overcommit", "pve-network"],
            ["proxmox-node-overcommit", "pve-storage"],
        ]);
        expect(renderReport(report)).toContain("[proxmox-node-overcommit] pve-storage: ");
        expect(validate(JSON.parse(JSON.stringify(report)))).toBe(true);
    });

    it("honours the inventory's reasons without a word in the policy configuration", async () => {
        // The photos container is privileged and the router's firewall accepts by default, each with
        // its reason in the inventory: an empty policy configuration passes them.
        const report = await plan("lab", stackDir("lab"));
        expect(report.exitCode).toBe(0);
        expect(report.violations).toEqual({ mandatory: [], advisory: [] });
    });
});

describe("an invalid inventory", () => {
    it("exits 2, plans nothing and names the path of every problem", async () => {
        const dir = stackDir("bad", (config) => {
            const guests = config["homelab:guests"] as Record<string, Record<string, unknown>>;
            (guests.cloud.disk as Record<string, unknown>).storage = "local";
            guests.media.vmid = 30099;
        });
        const report = await plan("bad", dir);
        expect(report.exitCode).toBe(2);
        expect(report.resources).toBeUndefined();
        expect(report.error!.problems.map((p) => p.path)).toEqual(["guests.cloud.disk.storage", "guests.media.vmid"]);
        // Each problem with the line and column of the key it names in the stack file.
        const lines = fs.readFileSync(path.join(dir, "Pulumi.bad.yaml"), "utf8").split("\n");
        const media = lines.findIndex((l) => l === "    media:");
        const vmidLine = media + lines.slice(media).findIndex((l) => l === "      vmid: 30099") + 1;
        expect(report.error!.problems[1]).toMatchObject({ path: "guests.media.vmid", line: vmidLine, column: 7 });
        expect(renderReport(report)).toContain(`\nPulumi.bad.yaml:${vmidLine}:7: guests.media.vmid: VMID 30099 breaks the ID scheme`);
        expect(validate(JSON.parse(JSON.stringify(report)))).toBe(true);
    });

    it("exits 2 (never 3) for an image the provider cannot decompress, naming its URL", async () => {
        const dir = stackDir("xz", (config) => {
            const images = config["homelab:images"] as Record<string, Record<string, unknown>>;
            images["debian-13-cloud"].url = `${String(images["debian-13-cloud"].url)}.xz`;
        });
        const report = await plan("xz", dir);
        expect(report.exitCode).toBe(2);
        expect(report.resources).toBeUndefined();
        expect(report.error!.problems.map((p) => [p.path, p.message])).toEqual([
            [
                "images.debian-13-cloud.url",
                `the provider cannot decompress ".xz" (it can: .gz, .bz2, .zst, .lzo); use an uncompressed or .gz/.bz2/.zst URL`,
            ],
        ]);
    });

    it("exits 2 with one line for a missing stack file", async () => {
        const report = await plan("nowhere", projectDir({}));
        expect(report.exitCode).toBe(2);
        expect(report.file).toBe("Pulumi.nowhere.yaml");
        expect(report.error!.kind).toBe("stack-file");
        expect(report.error!.message).toMatch(/^Pulumi\.nowhere\.yaml: no such stack file/);
        expect(validate(JSON.parse(JSON.stringify(report)))).toBe(true);
    });
});

describe("the policy configuration", () => {
    it("is required: a stack without one exits 2 with the command that makes it, planning nothing", async () => {
        const report = await plan(
            "home",
            stackDir("home", () => undefined, null),
        );
        expect(report).toMatchObject({
            exitCode: 2,
            file: "Pulumi.home.yaml",
            error: {
                kind: "policy-config",
                message:
                    "policies/stacks/home.json: stack home has no policy configuration; create it with npm run policy-config -- --stack home",
                problems: [],
            },
        });
        expect(report.resources).toBeUndefined();
        expect(renderReport(report)).toBe(
            "Plan of stack home: no usable policy configuration\n" +
                "  policies/stacks/home.json: stack home has no policy configuration; create it with npm run policy-config -- --stack home\n\n" +
                "Nothing was planned. Fix the problems above and run the plan again.\n",
        );
        expect(validate(JSON.parse(JSON.stringify(report)))).toBe(true);
    });

    it("must be valid: a rule the pack lacks exits 2 naming it", async () => {
        const report = await plan(
            "home",
            stackDir("home", () => undefined, { "proxmox-no-such-rule": { enforcementLevel: "advisory" } }),
        );
        expect(report.exitCode).toBe(2);
        expect(report.error).toEqual({
            kind: "policy-config",
            message: "policies/stacks/home.json: invalid policy pack config:\n  - proxmox-no-such-rule: no such policy in the pack",
            problems: [],
        });
        expect(validate(JSON.parse(JSON.stringify(report)))).toBe(true);
    });
});

describe("a program the engine would refuse", () => {
    it("fails the plan with exit 1 and the engine's error naming the duplicate URN", async () => {
        class Thing extends pulumi.CustomResource {
            constructor(name: string) {
                super("test:index:Thing", name, {});
            }
        }
        const report = await planInventory(
            referenceInventory(),
            {},
            "dup",
            {},
            {
                program: () => {
                    new Thing("twin");
                    new Thing("twin");
                },
            },
        );
        expect(report.exitCode).toBe(1);
        expect(report.engineErrors).toEqual([
            "Duplicate resource URN 'urn:pulumi:dup::homelab::test:index:Thing::twin'; try giving it a unique name",
        ]);
        expect(report.violations).toEqual({ mandatory: [], advisory: [] });
        expect(report.resources!.total).toBe(2);
        expect(validate(JSON.parse(JSON.stringify(report)))).toBe(true);
        const text = renderReport(report);
        expect(text).toContain(
            "Engine errors: 1 (pulumi preview and up would stop on these)\n    Duplicate resource URN 'urn:pulumi:dup::homelab::test:index:Thing::twin'; try giving it a unique name\n",
        );
        expect(text).toContain("Plan FAILED: the engine would refuse this program (engine errors above).");
    });
});

describe("mockConfig", () => {
    it("turns encrypted values and absent credentials into secret placeholders", () => {
        const { values, secretKeys } = mockConfig({ "homelab:pbsPassword": { secure: "v1:abc" }, "homelab:cluster": { name: "x" } });
        expect(values["homelab:pbsPassword"]).toBe("[secret]");
        expect(values["homelab:cluster"]).toBe('{"name":"x"}');
        expect(values["homelab:proxmoxApiToken"]).toBe("[secret]");
        expect(secretKeys).toEqual(
            expect.arrayContaining(["homelab:pbsPassword", "homelab:proxmoxApiToken", "homelab:cloudflareApiToken"]),
        );
        expect(secretKeys).not.toContain("homelab:cluster");
    });
});

describe("the printed tree", () => {
    const e = (depth: number, name: string) => ({ type: "t", name, depth, protect: false });
    const tree = [e(0, "stack"), e(1, "a"), e(2, "a1"), e(2, "a2"), e(1, "b"), e(2, "b1"), e(3, "b1x")];

    it("knows which entries are the last of their siblings", () => {
        expect(lastSiblings(tree)).toEqual([true, false, false, true, true, true, true]);
    });

    it("draws no │ below the last sibling and keeps a space between a long type and the name", () => {
        const report = {
            stack: "s",
            file: "Pulumi.s.yaml",
            exitCode: 0 as const,
            durationMs: 1,
            resources: { total: 7, byType: {}, tree: [...tree.slice(0, 6), { ...e(3, "b1x"), type: "x".repeat(90) }] },
            violations: { mandatory: [], advisory: [] },
            capacity: [],
            dependencies: { depth: 0, chain: [] },
        };
        const lines = renderReport(report).split("\n");
        expect(lines.filter((l) => l.startsWith(" +   "))).toEqual([
            expect.stringMatching(/^ \+ {3}t +stack$/),
            expect.stringMatching(/^ \+ {3}├─ t +a$/),
            expect.stringMatching(/^ \+ {3}│ {2}├─ t +a1$/),
            expect.stringMatching(/^ \+ {3}│ {2}└─ t +a2$/),
            expect.stringMatching(/^ \+ {3}└─ t +b$/),
            expect.stringMatching(/^ \+ {6}└─ t +b1$/),
            ` +         └─ ${"x".repeat(90)} b1x`,
        ]);
    });
});

describe("longestDependencyChain", () => {
    const r = (urn: string, deps: string[] = [], parent?: string) =>
        ({ urn, name: urn, dependencies: deps, parent }) as unknown as RecordedResource;

    it("follows dependencies and parents to the deepest resource", () => {
        expect(longestDependencyChain([r("s"), r("a", [], "s"), r("b", ["a"], "s"), r("c", ["b", "a"], "s"), r("d", [], "s")])).toEqual({
            depth: 4,
            chain: ["s", "a", "b", "c"],
        });
    });

    it("is linear: a chain of 5000 resources completes at once", () => {
        const list = Array.from({ length: 5000 }, (_, i) => r(`r${i}`, i ? [`r${i - 1}`] : []));
        expect(longestDependencyChain(list).depth).toBe(5000);
    });
});

describe("npm run plan", () => {
    it("prints the report as JSON with --json and exits with the plan's code", () => {
        const run = spawnSync("npm", ["run", "--silent", "plan", "--", "--json"], {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, PROXMOX_VE_API_TOKEN: "real-token-must-not-leak" },
        });
        expect(run.status).toBe(0);
        expect(run.stdout).not.toContain("real-token-must-not-leak");
        const doc = JSON.parse(run.stdout);
        expect(validate(doc)).toBe(true);
        expect(doc.exitCode).toBe(0);
        expect(doc.resources.total).toBe(178);
    }, 60000);

    it("refuses an unknown argument with exit 2, saying what is known", () => {
        const run = spawnSync("npm", ["run", "--silent", "plan", "--", "--frobnicate"], { cwd: ROOT, encoding: "utf8" });
        expect(run.status).toBe(2);
        expect(run.stderr).toContain(
            'error: unknown argument "--frobnicate" (known: --stack NAME, --base REF, --adopt SNAPSHOT, --format text|json|markdown, --json, --help)',
        );
    }, 60000);

    it("explains itself with --help, says it is a from-scratch view, and exits 0 without planning", () => {
        const run = spawnSync("npm", ["run", "--silent", "plan", "--", "--help"], { cwd: ROOT, encoding: "utf8" });
        expect(run.status).toBe(0);
        expect(run.stdout.split("\n")[0]).toBe(
            "usage: npm run -s plan -- [--stack NAME] [--base REF] [--adopt SNAPSHOT] [--format text|json|markdown] [--json]",
        );
        expect(run.stdout).toContain("what a first `pulumi up` on an empty stack would create");
        expect(run.stdout).toContain("--json ");
    }, 60000);
});

/** Collects what is written to it. */
function sink(): PassThrough & { text: () => string } {
    const s = new PassThrough();
    const chunks: Buffer[] = [];
    s.on("data", (c: Buffer) => chunks.push(c));
    return Object.assign(s, { text: () => Buffer.concat(chunks).toString("utf8") });
}

describe("the plan's end", () => {
    it("exits 3 for a bug: one line on stderr and, with --json, the JSON error document its schema describes", async () => {
        const failing = () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'vmid')\n    at GuestResource"));
        const out = sink();
        const err = sink();
        expect(await finishTool(planTool(["--json", "--stack", "lab"], failing), out, err)).toBe(3);
        expect(err.text()).toBe(
            "plan: internal error (a bug; please report it): Cannot read properties of undefined (reading 'vmid'); at GuestResource\n",
        );
        const doc = JSON.parse(out.text());
        expect(doc).toEqual({
            stack: "lab",
            exitCode: 3,
            error: { kind: "internal", message: "Cannot read properties of undefined (reading 'vmid'); at GuestResource" },
        });
        expect(validate(doc)).toBe(true);
        // Without --json, stdout stays empty.
        const text = sink();
        expect(await finishTool(planTool([], failing), text, sink())).toBe(3);
        expect(text.text()).toBe("");
    });
});
