/**
 * inventory:from-cluster run as a user runs it, through npm: where nothing answers it retries,
 * then exits 2 naming the call, and writes nothing. Slow: it waits for its retries.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { ROOT } from "../project";

describe("npm run inventory:from-cluster", () => {
    it("runs as npm runs it: where nothing answers it exits 2 after its retries, naming the call, and writes nothing", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as net.AddressInfo;
        await new Promise<void>((resolve) => server.close(() => resolve()));
        const run = spawnSync(
            "npm",
            ["run", "-s", "inventory:from-cluster", "--", "--endpoint", `https://127.0.0.1:${port}/`, "--stack", "lab", "--no-ssh"],
            {
                cwd: ROOT,
                encoding: "utf8",
                env: { PATH: process.env.PATH, HOME: process.env.HOME, PROXMOX_VE_API_TOKEN: "reader@pve!adopt=x" },
            },
        );
        expect(run.status).toBe(2);
        expect(run.stderr).toBe(`error: GET /nodes: connect ECONNREFUSED 127.0.0.1:${port} (3 attempts); nothing was written\n`);
        expect(fs.existsSync(path.join(ROOT, "Pulumi.lab.yaml"))).toBe(false);
    }, 60_000);
});
