/**
 * The change report's engine on recorded resources built by hand: property paths and the input
 * diff, Pulumi's own replacement rules (replaceOnChanges, deleteBeforeReplace, a changed parent or
 * provider, import, ignoreChanges), the grouping under components, and the danger analysis.
 * Sources: pulumi/pulumi pkg/resource/deploy/step_generator.go for the engine's rules; the facts
 * named in lib/replacements.ts and docs/provider-behaviour.md C4, P10 for the dangers.
 */
import { ENGINE_RULES, rulesFor } from "../../lib/replacements";
import { classifyChanges, providerUrn } from "../../tools/change/classify";
import { diffInputs, formatPath, parsePath, touches, valuesAt } from "../../tools/change/paths";
import { renderChangeText } from "../../tools/change/render";
import { buildChangeReport } from "../../tools/change/report";
import { component, resource } from "./change-fixtures";

const CT = "proxmoxve:index/containerLegacy:ContainerLegacy";
const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const CMD = "command:remote:Command";
const BRIDGE = "proxmoxve:network/linux/bridge:Bridge";
const BUCKET = "aws:s3/bucket:Bucket";
const OPTIONS = "proxmoxve:firewall/optionsLegacy:OptionsLegacy";
const SNIPPET = "proxmoxve:index/fileLegacy:FileLegacy";
const ZFSPOOL = "proxmoxve:storage/zfspool:Zfspool";
const HA = "proxmoxve:index/haresource:Haresource";

describe("property paths", () => {
    it("parses and formats Pulumi's notation, quoting keys that are not identifiers", () => {
        expect(parsePath("disks[*].fileId")).toEqual(["disks", "*", "fileId"]);
        expect(parsePath('tags["a.b"][2].x')).toEqual(["tags", "a.b", 2, "x"]);
        expect(formatPath(["tags", "a.b", 2, "x"])).toBe('tags["a.b"][2].x');
        expect(() => parsePath("disks[0")).toThrow('malformed property path "disks[0": unclosed [');
    });

    it("diffs inputs at the shallowest differing path: an added element is one entry", () => {
        const d = diffInputs(
            { cpu: { cores: 2 }, disks: [{ size: 8 }], tags: ["a"], gone: 1 },
            { cpu: { cores: 4 }, disks: [{ size: 8 }, { size: 16, fileId: "f" }], tags: ["a"], added: null },
        );
        expect(d.map((x) => [formatPath(x.path), x.kind])).toEqual([
            ["cpu.cores", "update"],
            ["disks[1]", "add"],
            ["gone", "delete"],
        ]);
    });

    it("matches a pattern at, below, or above a change (an added element that sets the field)", () => {
        const [added] = diffInputs({ disks: [] }, { disks: [{ fileId: "f" }] });
        const [plain] = diffInputs({ disks: [] }, { disks: [{ size: 8 }] });
        expect(touches(parsePath("disks[*].fileId"), added)).toBe(true);
        expect(touches(parsePath("disks[*].fileId"), plain)).toBe(false);
        expect(touches(parsePath("mountPoints"), diffInputs({ mountPoints: [{ a: 1 }] }, { mountPoints: [{ a: 2 }] })[0])).toBe(true);
        expect(valuesAt({ n: [{ t: "1;2" }, { t: "" }] }, ["n", "*", "t"])).toEqual(["1;2", ""]);
    });

    it("is linear: a diff of inputs with 100000 list elements completes at once", () => {
        const big = (v: number) => ({ list: Array.from({ length: 100000 }, (_, i) => ({ i, v })) });
        const started = Date.now();
        expect(diffInputs(big(1), big(2))).toHaveLength(100000);
        expect(Date.now() - started).toBeLessThan(2000);
    });
});

describe("Pulumi's own rules", () => {
    it("unchanged inputs: unchanged", () => {
        const [x] = classifyChanges([resource(OPTIONS, "fw", { a: 1 })], [resource(OPTIONS, "fw", { a: 1 })]);
        expect(x.change).toMatchObject({ op: "unchanged", changedPaths: [], replaceReasons: [] });
    });

    it("replaceOnChanges: a change under the path replaces", () => {
        const opts = { replaceOnChanges: ["spec.size"] };
        const [x] = classifyChanges(
            [resource(OPTIONS, "fw", { spec: { size: 1 } }, opts)],
            [resource(OPTIONS, "fw", { spec: { size: 2 } }, opts)],
        );
        expect(x.change.replaceReasons).toEqual([
            { rule: "replaceOnChanges", path: "spec.size", source: ENGINE_RULES.replaceOnChanges.source },
        ]);
    });

    it("a command's triggers are one reason though both the table and replaceOnChanges name them (C1)", () => {
        const opts = { replaceOnChanges: ["triggers[*]"] };
        const [x] = classifyChanges([resource(CMD, "c", { triggers: ["a"] }, opts)], [resource(CMD, "c", { triggers: ["b"] }, opts)]);
        expect(x.change.replaceReasons).toEqual([{ rule: "schema", path: "triggers[0]", source: expect.stringMatching(/^C1/) }]);
    });

    it("deleteBeforeReplace: the report shows delete, then create", () => {
        const opts = { deleteBeforeReplace: true };
        const base = resource(CT, "ct", { vmId: 1 }, opts);
        const current = resource(CT, "ct", { vmId: 2 }, opts);
        expect(classifyChanges([base], [current])[0].change.order).toBe("delete-then-create");
        expect(renderChangeText(buildChangeReport("b", [base], [current]))).toContain(
            "-+ ct (proxmoxve:index/containerLegacy:ContainerLegacy): replace (delete, then create) by vmId [P8]",
        );
    });

    it("a parent of another type: a new URN, so the new resource is created and the old one deleted", () => {
        const a = component("homelab:a:A", "x");
        const b = component("homelab:b:B", "x");
        const base = resource(OPTIONS, "fw", { a: 1 }, {}, { parent: a });
        const current = resource(OPTIONS, "fw", { a: 1 }, {}, { parent: b });
        const changes = classifyChanges([a, base], [b, current]);
        expect(changes.map((x) => [x.change.type, x.change.op])).toEqual([
            ["homelab:b:B", "create"],
            [OPTIONS, "replace"],
            ["homelab:a:A", "delete"],
        ]);
        expect(changes[1].change).toMatchObject({
            previousUrn: base.urn,
            order: "create-then-delete",
            replaceReasons: [{ rule: "parent", source: ENGINE_RULES.parent.source }],
        });
    });

    it("a parent of another type with an alias registered: the same resource", () => {
        const a = component("homelab:a:A", "x");
        const b = component("homelab:b:B", "x");
        const base = resource(OPTIONS, "fw", { a: 1 }, {}, { parent: a });
        const current = resource(OPTIONS, "fw", { a: 1 }, { aliases: 1 }, { parent: b });
        expect(classifyChanges([a, base], [b, current])[1].change).toMatchObject({ op: "unchanged", previousUrn: base.urn });
    });

    it("another provider resource of the same bridged package: an update, not a replacement (no ForcesProviderReplace key)", () => {
        const api = "urn:pulumi:test::homelab::pulumi:providers:proxmoxve::proxmox-api::id-1";
        const root = "urn:pulumi:test::homelab::pulumi:providers:proxmoxve::proxmox-root::id-2";
        expect(providerUrn(api)).toBe("urn:pulumi:test::homelab::pulumi:providers:proxmoxve::proxmox-api");
        const report = buildChangeReport(
            "b",
            [resource(CT, "ct", { a: 1 }, { provider: api })],
            [resource(CT, "ct", { a: 1 }, { provider: root })],
        );
        expect(report.groups[0].changes[0]).toMatchObject({ op: "update", changedPaths: ["provider"] });
        expect(report.advisories).toEqual([
            expect.objectContaining({ name: "ct", message: "moves to another provider resource (credentials); updated in place" }),
        ]);
        expect(report.exitCode).toBe(0);
    });

    it("import: a resource not in the base is imported; one gaining an import id is replaced (ImportReplacement)", () => {
        const fresh = classifyChanges([], [resource(CT, "ct", { a: 1 }, { importId: "pve/101" })]);
        expect(fresh[0].change.op).toBe("import");
        const [x] = classifyChanges([resource(CT, "ct", { a: 1 })], [resource(CT, "ct", { a: 1 }, { importId: "pve/101" })]);
        expect(x.change).toMatchObject({ op: "replace", replaceReasons: [{ rule: "import", source: ENGINE_RULES.import.source }] });
        const same = classifyChanges(
            [resource(CT, "ct", { a: 1 }, { importId: "pve/101" })],
            [resource(CT, "ct", { a: 1 }, { importId: "pve/101" })],
        );
        expect(same[0].change.op).toBe("unchanged");
    });

    it("ignoreChanges: an ignored path is not a change, and the report says it is hidden", () => {
        const opts = { ignoreChanges: ["disks[*].speed"] };
        const base = resource(VM, "vm", { disks: [{ speed: { read: 1 }, size: 8 }] }, opts);
        const current = resource(VM, "vm", { disks: [{ speed: { read: 2 }, size: 8 }] }, opts);
        const [x] = classifyChanges([base], [current]);
        expect(x.change).toMatchObject({ op: "unchanged", changedPaths: [], ignoredPaths: ["disks[0].speed.read"] });
    });

    it("dependent: a delete-first replacement replaces, transitively, the resources whose replacing input comes from it", () => {
        const dbr = { deleteBeforeReplace: true };
        const ct = (vmId: number) => resource(CT, "ct", { vmId }, dbr);
        // The command's triggers take the container's id; a second command's triggers take the first's.
        const host = resource(CMD, "host", { triggers: ["ct-id"] }, {}, { propertyDependencies: { triggers: [ct(1).urn] } });
        const next = resource(CMD, "next", { triggers: ["host-id"] }, {}, { propertyDependencies: { triggers: [host.urn] } });
        // Only a dependsOn edge, or an input no rule names: not replaced.
        const after = resource(CMD, "after", { create: "x" }, { dependsOn: [ct(1).urn] });
        const options = resource(OPTIONS, "fw", { containerId: 1 }, {}, { propertyDependencies: { containerId: [ct(1).urn] } });
        const changes = classifyChanges([ct(1), host, next, after, options], [ct(2), host, next, after, options]);
        expect(changes.map((x) => [x.change.name, x.change.op, x.change.order ?? null])).toEqual([
            ["ct", "replace", "delete-then-create"],
            ["host", "replace", "delete-then-create"],
            ["next", "replace", "delete-then-create"],
            ["after", "unchanged", null],
            ["fw", "unchanged", null],
        ]);
        expect(changes[1].change.replaceReasons).toEqual([
            { rule: "dependent", path: "triggers", source: `${ENGINE_RULES.dependent.source}; ${rulesFor(CMD)!.replaceOn[0].source}` },
        ]);
    });

    it("dependent: none after a create-first replacement; an input with rules only below it is left to the provider (advisory)", () => {
        const file = (data: string, opts = {}) => resource(SNIPPET, "ud", { sourceRaw: { data } }, opts);
        const vm = (deps: string) =>
            resource(VM, "vm", { initialization: { userDataFileId: "ud-id" } }, {}, { propertyDependencies: { initialization: [deps] } });
        const createFirst = classifyChanges([file("a"), vm(file("a").urn)], [file("b"), vm(file("a").urn)]);
        expect(createFirst.map((x) => [x.change.op, x.change.unknownInputs ?? null])).toEqual([
            ["replace", null],
            ["unchanged", null],
        ]);
        const dbr = { deleteBeforeReplace: true };
        const report = buildChangeReport("b", [file("a", dbr), vm(file("a").urn)], [file("b", dbr), vm(file("a").urn)]);
        const vmChange = report.groups.flatMap((g) => g.changes).find((c) => c.name === "vm")!;
        expect(vmChange).toMatchObject({ op: "unchanged", unknownInputs: [{ path: "initialization", from: "ud" }] });
        expect(report.advisories.map((a) => [a.name, a.message])).toEqual([
            ["ud", expect.stringMatching(/^replaced \(deleted, then created\)/)],
            [
                "vm",
                "initialization comes from ud, which is replaced delete-first: the engine diffs this resource with initialization unknown, " +
                    `and rules below it may replace it too (pulumi preview shows whether; ${ENGINE_RULES.dependent.source})`,
            ],
        ]);
    });

    it("dependent: a protected dependent makes the replacement dangerous", () => {
        const ct = (vmId: number) => resource(CT, "ct", { vmId }, { deleteBeforeReplace: true });
        const host = resource(CMD, "host", { triggers: ["ct-id"] }, { protect: true }, { propertyDependencies: { triggers: [ct(1).urn] } });
        const report = buildChangeReport("b", [ct(1), host], [ct(2), host]);
        expect(report.dangers.filter((d) => d.name === "host").map((d) => d.kind)).toEqual(["protected"]);
    });

    it("replace notes: what any replacement does always, what a create-first one runs into only then", () => {
        const vm = (vmId: number, opts = {}) => resource(VM, "vm", { vmId }, opts);
        const [dbr] = classifyChanges([vm(1, { deleteBeforeReplace: true })], [vm(2, { deleteBeforeReplace: true })]);
        expect(dbr.change.note).toBe(rulesFor(VM)!.replaceNote);
        const store = (pool: string, opts = {}) => resource(ZFSPOOL, "s", { zfsPool: pool }, opts);
        const [first] = classifyChanges([store("a")], [store("b")]);
        expect(first.change.note).toBe(`${rulesFor(ZFSPOOL)!.replaceNote}; ${rulesFor(ZFSPOOL)!.createFirstNote}`);
        const [last] = classifyChanges([store("a", { deleteBeforeReplace: true })], [store("b", { deleteBeforeReplace: true })]);
        expect(last.change.note).toBe(rulesFor(ZFSPOOL)!.replaceNote);
    });

    it("created, deleted and option-only changes", () => {
        const base = [resource(OPTIONS, "gone", {}), resource(OPTIONS, "kept", {}, { protect: true })];
        const current = [resource(OPTIONS, "kept", {}, { protect: false }), resource(OPTIONS, "new", {})];
        expect(classifyChanges(base, current).map((x) => [x.change.name, x.change.op, x.change.optionChanges])).toEqual([
            ["kept", "unchanged", ["protect: true → false"]],
            ["new", "create", []],
            ["gone", "delete", []],
        ]);
    });
});

describe("grouping under components", () => {
    it("puts each resource under its nearest component and stack-level ones under the stack", () => {
        const guest = component("homelab:proxmox:LxcGuest", "web");
        const ct = resource(CT, "web-container", { memory: { dedicated: 512 } }, {}, { parent: guest });
        const provider = resource("pulumi:providers:proxmoxve", "api", { endpoint: "a" });
        const after = resource(CT, "web-container", { memory: { dedicated: 1024 } }, {}, { parent: guest });
        const report = buildChangeReport("b", [guest, ct, provider], [guest, after, provider]);
        expect(report.groups.map((g) => [g.component?.name ?? null, g.changes.map((c) => [c.name, c.op])])).toEqual([
            ["web", [["web-container", "update"]]],
            [null, [["api", "unchanged"]]],
        ]);
        expect(report.summary).toEqual({ create: 0, update: 1, replace: 0, delete: 0, import: 0, unchanged: 2 });
    });
});

describe("dangerous changes", () => {
    it("a protected resource replaced: named, why, and the procedure (protection off in one deploy, P10)", () => {
        const base = resource(CT, "db-container", { vmId: 1, protection: true }, { protect: true, deleteBeforeReplace: true });
        const current = resource(CT, "db-container", { vmId: 2, protection: true }, { protect: true, deleteBeforeReplace: true });
        const report = buildChangeReport("b", [base], [current]);
        expect(report.exitCode).toBe(1);
        expect(report.dangers.map((d) => [d.name, d.kind])).toEqual([
            ["db-container", "protected"],
            ["db-container", "data"],
        ]);
        expect(report.dangers[0].procedure).toMatch(/^turn protection off in one deploy .*P10/);
        expect(report.dangers[1].why).toBe(
            "replacing the guest deletes its root disk with the old one (forced by vmId (P8)); bind-mounted datasets stay; " +
                rulesFor(CT)!.replaceNote!,
        );
        expect(report.dangers[1].procedure).toMatch(
            /; after the replacement run `pulumi refresh`, then `pulumi up`, so its firewall, HA and backup settings are written again$/,
        );
    });

    it("a stateful guest not protected in Pulumi: set stateful: false and deploy, then make the change", () => {
        const base = resource(CT, "ct", { nodeName: "a", protection: true });
        const report = buildChangeReport("b", [base], []);
        expect(report.dangers).toEqual([
            expect.objectContaining({ kind: "stateful", name: "ct", procedure: "set stateful: false and deploy, then make the change" }),
        ]);
    });

    it("an unprotected stateless guest deleted: advisory only, exit 0", () => {
        const report = buildChangeReport("b", [resource(CT, "ct", { nodeName: "a" })], []);
        expect(report.exitCode).toBe(0);
        expect(report.advisories).toEqual([expect.objectContaining({ name: "ct", message: "deleted" })]);
    });

    it("a dataset's node changed (the component's node output): data left behind, zfs send/receive (C4)", () => {
        const dsBase = component("homelab:storage:ZfsDataset", "tank/x", { path: "tank/x", node: "pve-a" });
        const dsNow = component("homelab:storage:ZfsDataset", "tank/x", { path: "tank/x", node: "pve-b" });
        const cmd = (host: string, parent = dsBase) =>
            resource(
                CMD,
                "tank/x-zfs",
                { connection: { host }, create: "zfs create" },
                { protect: true, retainOnDelete: true },
                { parent },
            );
        const report = buildChangeReport("b", [dsBase, cmd("10.0.0.1")], [dsNow, cmd("10.0.0.2", dsNow)]);
        expect(report.groups[0].changes[0]).toMatchObject({ op: "update", changedPaths: ["connection.host"] });
        expect(report.dangers).toEqual([
            {
                urn: cmd("x").urn,
                type: CMD,
                name: "tank/x-zfs",
                kind: "data",
                why: "dataset tank/x moves from pve-a to pve-b: the update runs on the new node, which has no such data, and the data stays behind on pve-a (C4)",
                procedure: "move data with zfs send/receive; a dataset's node cannot change in place",
            },
        ]);
    });

    it("a dataset's node without a node output: named through the cluster component's nodes, else by its SSH host", () => {
        const cluster = component("homelab:proxmox:Cluster", "attic", { nodes: [{ name: "pve-a", address: "10.0.0.1" }] });
        const ds = component("homelab:storage:ZfsDataset", "tank/y", { path: "tank/y" });
        const cmd = (host: string) => resource(CMD, "tank/y-zfs", { connection: { host } }, {}, { parent: ds });
        const report = buildChangeReport("b", [cluster, ds, cmd("10.0.0.1")], [cluster, ds, cmd("10.0.0.9")]);
        expect(report.dangers[0].why).toMatch(/^dataset tank\/y moves from pve-a to the node at 10\.0\.0\.9: /);
    });

    it("the router guest replaced takes every VLAN down; its update is advisory", () => {
        const router = component("homelab:proxmox:VmGuest", "fw", { isGateway: true });
        const vm = (vmId: number, cores = 1) => resource(VM, "fw-vm", { vmId, cpu: { cores } }, {}, { parent: router });
        const replaced = buildChangeReport("b", [router, vm(1)], [router, vm(2)]);
        expect(replaced.dangers.map((d) => d.kind)).toEqual(["data", "network"]);
        expect(replaced.dangers[1].why).toMatch(/^the router guest would be replaced .*every VLAN loses its gateway/);
        const updated = buildChangeReport("b", [router, vm(1)], [router, vm(1, 2)]);
        expect(updated.exitCode).toBe(0);
        expect(updated.advisories[0].message).toBe("the router guest changes (cpu.cores): a change that needs a reboot interrupts routing");
    });

    it("a VM that trunks VLANs is the router while components do not say so", () => {
        const vm = (vmId: number) => resource(VM, "r-vm", { vmId, networkDevices: [{ trunks: "10;20" }] });
        expect(buildChangeReport("b", [vm(1)], [vm(2)]).dangers.map((d) => d.kind)).toEqual(["data", "network"]);
    });

    it("the bridge carrying a node's address: an addressing change is dangerous, a comment is not", () => {
        const bridge = (ports: string[], comment = "c") => resource(BRIDGE, "pve-vmbr0", { address: "10.0.0.1/24", ports, comment });
        const ports = buildChangeReport("b", [bridge(["eno1"])], [bridge(["eno2"])]);
        expect(ports.dangers).toEqual([expect.objectContaining({ kind: "network", why: expect.stringContaining("changes ports[0]") })]);
        expect(buildChangeReport("b", [bridge(["eno1"])], [bridge(["eno1"], "d")]).exitCode).toBe(0);
    });

    it("the offsite bucket replaced: the backups in it are not carried over", () => {
        const report = buildChangeReport(
            "b",
            [resource(BUCKET, "offsite-bucket", { bucket: "a" })],
            [resource(BUCKET, "offsite-bucket", { bucket: "b" })],
        );
        expect(report.dangers.map((d) => [d.kind, d.why])).toEqual([
            ["data", expect.stringMatching(/^the offsite bucket would be replaced .*not carried over$/)],
        ]);
    });

    it("an update the provider does not carry out as written is advisory (the table's update notes)", () => {
        const ha = (id: string) => resource(HA, "ha", { resourceId: id, state: "started" });
        const report = buildChangeReport("b", [ha("vm:20020")], [ha("vm:20021")]);
        expect(report.exitCode).toBe(0);
        expect(report.advisories.map((a) => a.message)).toEqual([
            `resourceId changes in place: ${rulesFor(HA)!.updateNotes![0].note} (${rulesFor(HA)!.updateNotes![0].source})`,
        ]);
    });

    it("a storage replaced without deleteBeforeReplace is advisory and says the create will fail (P13)", () => {
        const pool = (zfsPool: string) => resource("proxmoxve:storage/zfspool:Zfspool", "st", { resourceId: "tank", zfsPool });
        const report = buildChangeReport("b", [pool("tank/a")], [pool("tank/b")]);
        expect(report.exitCode).toBe(0);
        expect(report.advisories[0].message).toMatch(/^replaced \(created, then the old one deleted\) .*P13: .*storage ID already defined/);
    });
});
