import * as pulumi from "@pulumi/pulumi";
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

    it("fails on an unmocked invoke", async () => {
        await expect(record(() => pulumi.runtime.invoke("aws:index/getRegion:getRegion", {}))).rejects.toThrow(
            /unmocked invoke aws:index\/getRegion:getRegion/,
        );
    });
});
