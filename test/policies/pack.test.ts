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
        unprivileged: false,
        disk: { datastoreId: "stor-zfs" },
        cpu: { units: 1024 },
    };
    const rule = "proxmox-container-unprivileged";

    it("lists every policy with the level from levels.ts", async () => {
        const info = await call<Empty, pb.AnalyzerInfo>("getAnalyzerInfo", new Empty());
        const names: Record<number, string> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };
        expect(info.getName()).toBe("homelab");
        expect(Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), names[p.getEnforcementlevel()]]))).toEqual(LEVELS);
    });

    it("reports a privileged container as a mandatory violation with our message", async () => {
        const diags = (await analyze(container)).getDiagnosticsList().filter((d) => d.getPolicyname() === rule);
        expect(diags.map((d) => [d.getEnforcementlevel(), d.getMessage().split("\n")[1]])).toEqual([
            [
                pb.EnforcementLevel.MANDATORY,
                "The container is privileged (`unprivileged: false`). Set `unprivileged: true`; if it truly needs a privileged container, exempt it by name with a reason in the policy config of proxmox-container-unprivileged.",
            ],
        ]);
    });

    it("answers not applicable, not a violation, when the value is unknown during preview", async () => {
        const res = await analyze({ ...container, unprivileged: UNKNOWN });
        expect(res.getDiagnosticsList().filter((d) => d.getPolicyname() === rule)).toEqual([]);
        expect(
            res
                .getNotApplicableList()
                .filter((n) => n.getPolicyName() === rule)
                .map((n) => n.getReason()),
        ).toEqual(["unprivileged is unknown during preview"]);
    });

    it("honours an exemption given as pack config", async () => {
        const req = new pb.ConfigureAnalyzerRequest();
        const config = new pb.PolicyConfig();
        config.setEnforcementlevel(pb.EnforcementLevel.MANDATORY);
        config.setProperties(Struct.fromJavaScript({ exemptions: [{ resourceName: "photos-*", reason: "the iGPU needs it" }] }));
        req.getPolicyconfigMap().set(rule, config);
        await call("configure", req);
        const res = await analyze(container);
        expect(res.getDiagnosticsList().filter((d) => d.getPolicyname() === rule)).toEqual([]);
        expect(
            res
                .getNotApplicableList()
                .filter((n) => n.getPolicyName() === rule)
                .map((n) => n.getReason()),
        ).toEqual(["exempted: the iGPU needs it"]);
    });
});
