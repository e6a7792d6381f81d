/**
 * The pack as the engine runs it: index.ts only constructs the PolicyPack, and the real policy
 * SDK serves our rules over gRPC (the protocol `pulumi preview --policy-pack` speaks): the policy
 * list with our levels, a violation, an unknown value and an exemption.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as services from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { LEVELS } from "../../policies/levels";
import { UNKNOWN } from "../../policies/unknowns";

const POLICIES_DIR = path.join(__dirname, "../../policies");

describe("policies/index.ts", () => {
    it("does nothing but construct the PolicyPack from the registry", () => {
        const code = fs
            .readFileSync(path.join(POLICIES_DIR, "index.ts"), "utf8")
            .replace(/\/\*[\s\S]*?\*\//g, "")
            .replace(/\/\/.*$/gm, "")
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l !== "");
        expect(code).toEqual([
            'import { PolicyPack } from "@pulumi/policy";',
            'import { PACK_ARGS, PACK_NAME } from "./registry";',
            "new PolicyPack(PACK_NAME, PACK_ARGS);",
        ]);
    });
    it("is a nodejs policy pack with a versioned package", () => {
        expect(fs.readFileSync(path.join(POLICIES_DIR, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs\ndescription: \S.+\n$/);
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICIES_DIR, "package.json"), "utf8")) as {
            version: string;
            main: string;
            dependencies: Record<string, string>;
        };
        expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(pkg.main).toBe("index.ts");
        expect(Object.keys(pkg.dependencies)).toContain("@pulumi/policy");
    });
});

describe("the pack served by the policy SDK", () => {
    let child: ChildProcess;
    let client: services.AnalyzerClient;
    const call = <Req, Res>(method: string, req: Req): Promise<Res> =>
        new Promise((resolve, reject) =>
            (client as unknown as Record<string, (r: Req, cb: (e: Error | null, r: Res) => void) => void>)[method](req, (e, r) =>
                e ? reject(e) : resolve(r),
            ),
        );

    beforeAll(async () => {
        child = spawn(
            process.execPath,
            ["-e", "require('ts-node').register({ transpileOnly: true, project: 'tsconfig.json' }); require('./index.ts');"],
            { cwd: POLICIES_DIR },
        );
        const port = await new Promise<string>((resolve, reject) => {
            child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
            child.once("exit", (code) => reject(new Error(`policy pack exited with ${code}`)));
        });
        client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    }, 30000);

    afterAll(() => {
        client?.close();
        child?.kill();
    });

    const analyze = (props: Record<string, unknown>) => {
        const req = new pb.AnalyzeRequest();
        req.setType("proxmoxve:index/containerLegacy:ContainerLegacy");
        req.setName("photos-container");
        req.setUrn("urn:pulumi:prod::homelab::proxmoxve:index/containerLegacy:ContainerLegacy::photos-container");
        req.setOptions(new pb.AnalyzerResourceOptions());
        req.setProperties(Struct.fromJavaScript(props as never));
        return call<pb.AnalyzeRequest, pb.AnalyzeResponse>("analyze", req);
    };
    const container = {
        nodeName: "pve-storage",
        vmId: 30040,
        unprivileged: true,
        disk: { datastoreId: "local" },
        cpu: { units: 1024 },
    };
    const rule = "proxmox-guest-storage-not-local";

    it("lists every policy with the level from levels.ts", async () => {
        const info = await call<Empty, pb.AnalyzerInfo>("getAnalyzerInfo", new Empty());
        const names: Record<number, string> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };
        expect(info.getName()).toBe("homelab");
        expect(Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), names[p.getEnforcementlevel()]]))).toEqual(LEVELS);
    });

    it("reports a container disk on local as a mandatory violation with our message", async () => {
        const diags = (await analyze(container)).getDiagnosticsList().filter((d) => d.getPolicyname() === rule);
        expect(diags.map((d) => [d.getEnforcementlevel(), d.getMessage().split("\n")[1]])).toEqual([
            [
                pb.EnforcementLevel.MANDATORY,
                'The root disk is on "local" (`disk.datastoreId`). Move it to a named ZFS or LVM-thin storage.',
            ],
        ]);
    });

    it("answers not applicable, not a violation, when the value is unknown during preview", async () => {
        const res = await analyze({ ...container, disk: { datastoreId: UNKNOWN } });
        expect(res.getDiagnosticsList().filter((d) => d.getPolicyname() === rule)).toEqual([]);
        expect(
            res
                .getNotApplicableList()
                .filter((n) => n.getPolicyName() === rule)
                .map((n) => n.getReason()),
        ).toEqual(["disk.datastoreId is unknown during preview"]);
    });

    /** The stack as `analyzeStack` gets it: a privileged container, under a guest component when `outputs` are given. */
    const analyzeStack = (outputs?: Record<string, unknown>) => {
        const req = new pb.AnalyzeStackRequest();
        const resource = (type: string, name: string, props: Record<string, unknown>, parent?: string) => {
            const r = new pb.AnalyzerResource();
            r.setType(type);
            r.setName(name);
            r.setUrn(`urn:pulumi:prod::homelab::${type}::${name}`);
            r.setOptions(new pb.AnalyzerResourceOptions());
            r.setProperties(Struct.fromJavaScript(props as never));
            if (parent !== undefined) r.setParent(parent);
            return r;
        };
        const parent = outputs === undefined ? undefined : resource("homelab:proxmox:LxcGuest", "photos", outputs);
        req.setResourcesList([
            ...(parent === undefined ? [] : [parent]),
            resource(
                "proxmoxve:index/containerLegacy:ContainerLegacy",
                "photos-container",
                { ...container, unprivileged: false },
                parent?.getUrn(),
            ),
        ]);
        return call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>("analyzeStack", req);
    };
    const messagesOf = (res: pb.AnalyzeResponse, policy: string) =>
        res
            .getDiagnosticsList()
            .filter((d) => d.getPolicyname() === policy)
            .map((d) => d.getMessage().split("\n")[1]);

    it("runs the stack rules over the graph: a privileged container is exempt by its component's reason, and named by its inventory key", async () => {
        const unprivileged = "proxmox-container-unprivileged";
        expect(messagesOf(await analyzeStack({ inventoryKey: "guests.photos", privilegedReason: "the iGPU" }), unprivileged)).toEqual([]);
        expect(messagesOf(await analyzeStack({ inventoryKey: "guests.photos" }), unprivileged)).toEqual([
            "The container is privileged, and the inventory gives no reason. Remove `guests.photos.privileged` to run it unprivileged, or set `guests.photos.privileged` with a reason if it truly needs the host's root.",
        ]);
        expect(messagesOf(await analyzeStack(), unprivileged)).toEqual([
            "The container is privileged (`unprivileged: false`). Set `unprivileged: true`; if it truly needs a privileged container, exempt it by name with a reason in the policy config of proxmox-container-unprivileged.",
        ]);
    });

    it("honours an exemption given as pack config", async () => {
        const req = new pb.ConfigureAnalyzerRequest();
        const config = new pb.PolicyConfig();
        config.setEnforcementlevel(pb.EnforcementLevel.MANDATORY);
        config.setProperties(Struct.fromJavaScript({ exemptions: [{ resourceName: "photos-*", reason: "scratch space" }] }));
        req.getPolicyconfigMap().set(rule, config);
        await call("configure", req);
        const res = await analyze(container);
        expect(res.getDiagnosticsList().filter((d) => d.getPolicyname() === rule)).toEqual([]);
        expect(
            res
                .getNotApplicableList()
                .filter((n) => n.getPolicyName() === rule)
                .map((n) => n.getReason()),
        ).toEqual(["exempted: scratch space"]);
    });
});
