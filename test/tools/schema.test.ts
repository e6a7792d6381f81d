/**
 * The JSON Schema of a stack file (docs/inventory.schema.json), generated from the zod schema for
 * editors: current, accepting the reference stack, and refusing a typo where validate refuses it.
 */
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { InventoryError } from "../../config/errors";
import { readInventory } from "../../config/stackfile";
import { INVENTORY_SCHEMA_FILE, SCHEMA_MODELINE, main, stackFileSchema } from "../../tools/schema";
import { RawInventory, mutated, referenceRaw } from "../config/reference";
import { ROOT, projectDir, sink, stackYaml } from "./project";

// Formats zod writes that JSON Schema validators know: checked here as editors check them.
const ajv = new Ajv({ strict: false, allErrors: true, formats: { uri: (s: string) => URL.canParse(s), ipv4: true, cidrv4: true } });
const validateStackFile = ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, INVENTORY_SCHEMA_FILE), "utf8")));

async function run(argv: string[], root: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = sink();
    const err = sink();
    const code = await main(argv, root, out, err);
    return { code, stdout: out.text(), stderr: err.text() };
}

describe("docs/inventory.schema.json", () => {
    it("is the schema generated from config/schema/ (npm run schema -- --check passes)", async () => {
        expect(await run(["--check"], ROOT)).toEqual({
            code: 0,
            stdout: `${INVENTORY_SCHEMA_FILE} is current with config/schema/\n`,
            stderr: "",
        });
    });

    it("accepts the reference stack file", () => {
        const ok = validateStackFile(parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")));
        expect(validateStackFile.errors ?? []).toEqual([]);
        expect(ok).toBe(true);
    });

    it("is named by the first line of every stack file, for yaml-language-server", () => {
        const stacks = fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
        expect(stacks).toContain("Pulumi.prod.yaml");
        for (const f of stacks) expect(fs.readFileSync(path.join(ROOT, f), "utf8").split("\n")[0]).toBe(SCHEMA_MODELINE);
        expect(SCHEMA_MODELINE).toBe("# yaml-language-server: $schema=docs/inventory.schema.json");
    });

    it("wraps the inventory as a stack file has it: homelab:<section> (or the bare key) under config, credentials only encrypted", () => {
        const schema = stackFileSchema() as { properties: { config: { properties: Record<string, unknown> } } };
        const config = schema.properties.config.properties;
        expect(config["homelab:cluster"]).toEqual({ $ref: "#/definitions/cluster" });
        expect(config.cluster).toEqual({ $ref: "#/definitions/cluster" });
        expect(config["homelab:proxmoxApiToken"]).toEqual({ $ref: "#/definitions/secret" });
        const stack = (extra: Record<string, unknown>) => ({
            config: { ...parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).config, ...extra },
        });
        expect(validateStackFile(stack({ "homelab:pbsPassword": { secure: "v1:AAAA" }, "proxmoxve:insecure": "true" }))).toBe(true);
        expect(validateStackFile(stack({ "homelab:pbsPassword": "hunter2" }))).toBe(false);
    });
});

/** A stack file from a raw inventory (plus extra config), parsed as an editor sees it. */
const docOf = (inv: RawInventory, extra: Record<string, unknown> = {}): unknown => parseYaml(stackYaml(inv, extra));

describe("a stack file with a typo fails the JSON Schema where validate refuses it", () => {
    test.each([
        {
            name: "a misspelt key of a guest",
            inv: mutated((i) => (i.guests.unifi.coress = 2)),
            extra: {},
            schemaError: {
                instancePath: "/config/homelab:guests/unifi",
                keyword: "additionalProperties",
                params: { additionalProperty: "coress" },
            },
            problem: "guests.unifi.coress",
        },
        {
            name: "a misspelt config key",
            inv: referenceRaw(),
            extra: { "homelab:guest": { kind: "lxc" } },
            schemaError: { instancePath: "/config", keyword: "propertyNames", params: { propertyName: "homelab:guest" } },
            problem: "homelab:guest",
        },
        {
            name: "a misspelt ZFS property",
            inv: mutated((i) => (i.datasets["tank/nvr"].properties.compresion = "lz4")),
            extra: {},
            schemaError: {
                instancePath: "/config/homelab:datasets/tank~1nvr/properties",
                keyword: "additionalProperties",
                params: { additionalProperty: "compresion" },
            },
            problem: 'datasets["tank/nvr"].properties.compresion',
        },
        {
            name: "a number written as a string",
            inv: mutated((i) => (i.nodes["pve-network"].threads = "4")),
            extra: {},
            schemaError: { instancePath: "/config/homelab:nodes/pve-network/threads", keyword: "type" },
            problem: "nodes.pve-network.threads",
        },
        {
            name: "a value outside its enum",
            inv: mutated((i) => (i.guests.media.tier = "urgent")),
            extra: {},
            schemaError: { instancePath: "/config/homelab:guests/media/tier", keyword: "enum" },
            problem: "guests.media.tier",
        },
        {
            name: "a missing required section",
            inv: mutated((i) => delete i.nodes),
            extra: {},
            schemaError: { instancePath: "/config", keyword: "required", params: { missingProperty: "homelab:nodes" } },
            problem: "nodes",
        },
    ])("$name", ({ inv, extra, schemaError, problem }) => {
        // The JSON Schema, as an editor applies it.
        expect(validateStackFile(docOf(inv, extra))).toBe(false);
        expect(validateStackFile.errors).toEqual(expect.arrayContaining([expect.objectContaining(schemaError)]));
        // validate, on the same file.
        const dir = projectDir({ typo: stackYaml(inv, extra) });
        let error: unknown;
        try {
            readInventory(path.join(dir, "Pulumi.typo.yaml"));
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(InventoryError);
        expect((error as InventoryError).problems.map((p) => p.path)).toContain(problem);
    });
});

describe("npm run schema", () => {
    it("writes the schema, then --check passes", async () => {
        const root = projectDir({});
        expect(await run([], root)).toEqual({ code: 0, stdout: `wrote ${INVENTORY_SCHEMA_FILE}\n`, stderr: "" });
        expect(fs.readFileSync(path.join(root, INVENTORY_SCHEMA_FILE), "utf8")).toBe(
            fs.readFileSync(path.join(ROOT, INVENTORY_SCHEMA_FILE), "utf8"),
        );
        expect((await run(["--check"], root)).code).toBe(0);
        expect(await run([], root)).toEqual({ code: 0, stdout: `wrote ${INVENTORY_SCHEMA_FILE} (unchanged)\n`, stderr: "" });
    });

    it("--check fails with what to run when the schema is missing or stale", async () => {
        const root = projectDir({});
        expect(await run(["--check"], root)).toEqual({
            code: 1,
            stdout: "",
            stderr: `error: ${INVENTORY_SCHEMA_FILE} is missing; run npm run schema and commit the result\n`,
        });
        fs.mkdirSync(path.join(root, "docs"));
        fs.writeFileSync(path.join(root, INVENTORY_SCHEMA_FILE), "{}\n");
        expect(await run(["--check"], root)).toEqual({
            code: 1,
            stdout: "",
            stderr: `error: ${INVENTORY_SCHEMA_FILE} is stale; run npm run schema and commit the result\n`,
        });
    });

    it("explains itself with --help (it reads no stack) and refuses --stack", async () => {
        const help = await run(["--help"], projectDir({}));
        expect(help.code).toBe(0);
        expect(help.stdout.split("\n")[0]).toBe("usage: npm run -s schema -- [--check]");
        expect(await run(["--stack", "prod"], projectDir({}))).toEqual({
            code: 2,
            stdout: "",
            stderr: 'error: unknown argument "--stack" (known: --check, --help)\n',
        });
    });
});
