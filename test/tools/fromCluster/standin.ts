/**
 * A recording stand-in for the Proxmox API: an HTTPS server on 127.0.0.1 answering GET requests
 * from recorded responses (fixtures/two-node/api.json), with a throw-away certificate made by
 * openssl for this run. It checks the API token header, can fail a path (a status and its reason),
 * hang on one (a timeout), and stops by itself after a short idle time. Loopback only.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";

export const FIXTURES = path.join(__dirname, "fixtures", "two-node");
export const TOKEN = "reader@pve!adopt=5b0e2c7a-1f3d-4e5a-9b8c-7d6e5f4a3b2c";

/** The recorded responses of the two-node cluster: path → `{ data }`. */
export function recordedApi(): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(path.join(FIXTURES, "api.json"), "utf8")) as Record<string, unknown>;
}

/** The recorded SSH output of each node: node → command name → stdout. */
export function recordedSsh(): Record<string, Record<string, string>> {
    return JSON.parse(fs.readFileSync(path.join(FIXTURES, "ssh.json"), "utf8")) as Record<string, Record<string, string>>;
}

let certificate: { key: string; cert: string } | undefined;

/** A self-signed certificate for 127.0.0.1, made once per test process. */
export function loopbackCertificate(): { key: string; cert: string } {
    if (certificate) return certificate;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-standin-"));
    try {
        execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                path.join(dir, "key.pem"),
                "-out",
                path.join(dir, "cert.pem"),
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ],
            { stdio: "ignore" },
        );
        certificate = {
            key: fs.readFileSync(path.join(dir, "key.pem"), "utf8"),
            cert: fs.readFileSync(path.join(dir, "cert.pem"), "utf8"),
        };
        return certificate;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A planted fault on a path: a status with its reason line, or no answer at all. */
export type Fault =
    { readonly status: number; readonly reason: string; readonly times?: number } | { readonly hang: true; readonly times?: number };

export interface StandIn {
    /** `https://127.0.0.1:<port>/` */
    readonly url: string;
    /** The CA to trust (the server's own certificate). */
    readonly ca: string;
    /** Paths requested, in order. */
    readonly requests: string[];
    close(): Promise<void>;
}

/** Starts the stand-in; it closes itself after `idleMs` without a request. */
export async function startStandIn(
    responses: Record<string, unknown>,
    faults: Readonly<Record<string, Fault>> = {},
    idleMs = 5000,
): Promise<StandIn> {
    const { key, cert } = loopbackCertificate();
    const requests: string[] = [];
    const used = new Map<string, number>();
    const hanging = new Set<import("http").ServerResponse>();
    let idle: NodeJS.Timeout | undefined;
    const server = https.createServer({ key, cert }, (req, res) => {
        const url = (req.url ?? "").replace(/^\/api2\/json/, "");
        requests.push(url);
        armIdle();
        if (req.method !== "GET") return answer(res, 501, `Method '${req.method} ${url}' not implemented`);
        if (req.headers.authorization !== `PVEAPIToken=${TOKEN}`) return answer(res, 401, "authentication failure");
        const fault = faults[url];
        const count = (used.get(url) ?? 0) + 1;
        used.set(url, count);
        if (fault && (fault.times === undefined || count <= fault.times)) {
            if ("hang" in fault) return void hanging.add(res);
            return answer(res, fault.status, fault.reason);
        }
        if (!(url in responses)) return answer(res, 501, `Method 'GET ${url}' not implemented`);
        res.writeHead(200, { "Content-Type": "application/json;charset=UTF-8" });
        res.end(JSON.stringify(responses[url]));
    });
    const close = () =>
        new Promise<void>((resolve) => {
            if (idle) clearTimeout(idle);
            for (const res of hanging) res.destroy();
            server.closeAllConnections();
            server.close(() => resolve());
        });
    const armIdle = () => {
        if (idle) clearTimeout(idle);
        idle = setTimeout(() => void close(), idleMs);
        idle.unref();
    };
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    server.unref();
    armIdle();
    const { port } = server.address() as AddressInfo;
    return { url: `https://127.0.0.1:${port}/`, ca: cert, requests, close };
}

function answer(res: import("http").ServerResponse, status: number, reason: string): void {
    res.writeHead(status, reason, { "Content-Type": "application/json;charset=UTF-8" });
    res.end(JSON.stringify({ data: null }));
}

/** An SSH runner answering from the recorded output (node → command name), failing for a node or command not recorded. */
export function recordedRunner(ssh: Record<string, Record<string, string>>, ran: string[] = []) {
    return async (target: { node: string; address: string }, command: { name: string; text: string }): Promise<string> => {
        ran.push(`${target.node}@${target.address}: ${command.text}`);
        const out = ssh[target.node]?.[command.name];
        if (out === undefined) throw new Error(`ssh root@${target.address} (${target.node}): no recorded output for ${command.name}`);
        return out;
    };
}
