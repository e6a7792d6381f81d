/**
 * The plan's output reaches a slow reader whole: the JSON report of a 1,000-guest stack through a
 * real pipe (written, then flushed, before the process exits). Slow: it plans 1,000 guests.
 */
import Ajv from "ajv";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify as toYaml } from "yaml";
import { shellQuote } from "../../lib/shell";
import { generateInventory } from "../../tools/bench/generate";
import { PlanReport } from "../../tools/plan/report";

const ROOT = path.join(__dirname, "../..");
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "tools/plan.schema.json"), "utf8"));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe("npm run plan through a pipe", () => {
    it("writes the JSON report of a 1,000-guest stack in full through a real pipe to a slow reader", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-plan-pipe-"));
        const inventory = generateInventory(1000);
        const config = Object.fromEntries(Object.entries(inventory).map(([key, value]) => [`homelab:${key}`, value]));
        fs.writeFileSync(path.join(dir, "Pulumi.gen.yaml"), toYaml({ config }));
        fs.mkdirSync(path.join(dir, "policies", "stacks"), { recursive: true });
        fs.writeFileSync(path.join(dir, "policies", "stacks", "gen.json"), "{}\n");
        // The reader takes a chunk, then rests 5 ms before the next: the plan must wait for it.
        const reader =
            "process.stdin.on('data', (c) => { process.stdout.write(c); process.stdin.pause(); setTimeout(() => process.stdin.resume(), 5); });";
        const node = shellQuote(process.execPath);
        const planScript = shellQuote(path.join(ROOT, "tools", "plan", "main.ts"));
        const command = `${node} -r ts-node/register/transpile-only ${planScript} --stack gen --json | ${node} -e ${shellQuote(reader)}; echo "\${PIPESTATUS[*]}" >&2`;
        const run = spawnSync("bash", ["-c", command], {
            cwd: dir,
            encoding: "utf8",
            timeout: 180_000,
            maxBuffer: 256 * 1024 * 1024,
            env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"), NODE_PATH: path.join(ROOT, "node_modules") },
        });
        expect(run.stderr.trim()).toBe("0 0");
        const doc = JSON.parse(run.stdout) as PlanReport;
        expect(validate(doc)).toBe(true);
        expect(doc.exitCode).toBe(0);
        expect(doc.inventory!.guests).toBe(1000);
        expect(doc.resources!.tree).toHaveLength(doc.resources!.total);
        expect(run.stdout.length).toBeGreaterThan(256 * 1024);
        fs.rmSync(dir, { recursive: true, force: true });
    }, 200_000);
});
