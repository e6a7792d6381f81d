import * as pulumi from "@pulumi/pulumi";
import { Recording, installRecorder, runInStack } from "../../tools/runtime/recorder";
import { record } from "./harness";

class Thing extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(type, name, props, opts);
    }
}

class Box extends pulumi.ComponentResource {
    readonly size: pulumi.Output<number>;
    constructor(name: string, opts: pulumi.ComponentResourceOptions = {}) {
        super("test:index:Box", name, {}, opts);
        const inner = new Thing(
            "test:index:Thing",
            `${name}-thing`,
            { password: pulumi.secret("hunter2"), size: 3 },
            { parent: this, protect: true, retainOnDelete: true, ignoreChanges: ["size"] },
        );
        new Thing("test:index:Other", `${name}-other`, { ref: inner.id }, { parent: this, dependsOn: [inner] });
        this.size = pulumi.output(3);
        this.registerOutputs({ size: this.size, secret: pulumi.secret("s") });
    }
}

describe("the recording mock harness", () => {
    it("records parent, options, dependencies, secrets and registered outputs", async () => {
        const { recording } = await record(() => {
            new Box("b");
        });
        const box = recording.one("b", "test:index:Box");
        const thing = recording.one("b-thing");
        const other = recording.one("b-other");
        expect(thing.parent).toBe(box.urn);
        expect(thing.options.protect).toBe(true);
        expect(thing.options.retainOnDelete).toBe(true);
        expect(thing.options.ignoreChanges).toEqual(["size"]);
        expect(thing.secretPaths).toEqual(["password"]);
        expect(thing.inputs).toEqual({ password: "hunter2", size: 3 });
        expect(other.options.dependsOn).toEqual([thing.urn]);
        expect(other.dependencies).toEqual([thing.urn]);
        expect(box.outputs).toEqual({ size: 3, secret: "s" });
        expect(box.outputSecretPaths).toEqual(["secret"]);
    });

    it("refuses a second resource of one type and name as the engine does, naming the URN, and records the first only", async () => {
        await expect(
            record(() => {
                new Thing("test:index:Thing", "twin", { n: 1 });
                new Thing("test:index:Thing", "twin", { n: 2 });
            }),
        ).rejects.toThrow(
            "the engine would refuse the program:\nDuplicate resource URN 'urn:pulumi:test::homelab::test:index:Thing::twin'; try giving it a unique name",
        );
        const recording = await recordRaw(() => {
            new Thing("test:index:Thing", "twin", { n: 1 });
            new Thing("test:index:Thing", "twin", { n: 2 });
            new Thing("test:index:Other", "twin", { n: 3 });
        });
        expect(recording.engineErrors).toEqual([
            "Duplicate resource URN 'urn:pulumi:test::homelab::test:index:Thing::twin'; try giving it a unique name",
        ]);
        expect(recording.resources.filter((r) => r.name === "twin").map((r) => [r.type, r.inputs.n])).toEqual([
            ["test:index:Thing", 1],
            ["test:index:Other", 3],
        ]);
    });

    it("takes the URN the engine gives: every ancestor's type, the stack's left out", async () => {
        class Crate extends pulumi.ComponentResource {
            constructor(name: string) {
                super("test:index:Crate", name, {});
                new Box("inner", { parent: this });
                this.registerOutputs({});
            }
        }
        // The mock's URNs of the two `inner-thing`s are equal (it keeps only the parent's type);
        // the engine's differ (test:index:Box$... and test:index:Crate$test:index:Box$...).
        const recording = await recordRaw(() => {
            new Box("inner");
            new Crate("crate");
        });
        expect(recording.engineErrors).toEqual([]);
        // Under one parent type, children of one type and name collide whatever the parents' names.
        const twins = await recordRaw(() => {
            const a = new Box("a");
            const b = new Box("b");
            new Thing("test:index:Thing", "x", {}, { parent: a });
            new Thing("test:index:Thing", "x", {}, { parent: b });
        });
        expect(twins.engineErrors).toEqual([
            "Duplicate resource URN 'urn:pulumi:test::homelab::test:index:Box$test:index:Thing::x'; try giving it a unique name",
        ]);
    });

    it("fails on an unmocked invoke", async () => {
        await expect(record(() => pulumi.runtime.invoke("aws:index/getRegion:getRegion", {}))).rejects.toThrow(
            /unmocked invoke aws:index\/getRegion:getRegion/,
        );
    });
});

/** Records a program without failing on what it records (the harness's `record` throws on engine errors). */
async function recordRaw(program: () => void): Promise<Recording> {
    pulumi.runtime.setAllConfig({});
    const recording = await installRecorder({ project: "homelab", stack: "test" });
    await runInStack(program);
    return recording;
}
