/**
 * The read-only Proxmox API client (tools/fromCluster/api.ts) against a recording stand-in: an HTTPS
 * server on 127.0.0.1 answering from recorded responses, with faults planted per path. It proves the
 * client's own behaviour (headers, retries, timeouts, messages); not that a real Proxmox answers so.
 */
import { ApiCallError, ProxmoxApi, checkConnection, statusError } from "../../../tools/fromCluster/api";
import { StandIn, TOKEN, recordedApi, startStandIn } from "./standin";

const FAST = { timeoutMs: 300, retries: 2, retryDelayMs: 10 };
let stand: StandIn | undefined;

afterEach(async () => {
    await stand?.close();
    stand = undefined;
});

async function client(faults: Parameters<typeof startStandIn>[1] = {}, options: Partial<ConstructorParameters<typeof ProxmoxApi>[0]> = {}) {
    stand = await startStandIn(recordedApi(), faults);
    return new ProxmoxApi({ endpoint: stand.url, token: TOKEN, ca: stand.ca, ...FAST, ...options });
}

/** The error a call rejects with. */
async function failure(p: Promise<unknown>): Promise<ApiCallError> {
    try {
        await p;
    } catch (e) {
        if (e instanceof ApiCallError) return e;
        throw e;
    }
    throw new Error("the call succeeded");
}

describe("the API client against the recording stand-in on 127.0.0.1", () => {
    it("sends the token as PVEAPIToken and returns the answer's data", async () => {
        const api = await client();
        expect(await api.get(api.path("nodes", "pve1", "dns"))).toEqual({ search: "lab.example.org", dns1: "192.168.10.1" });
        api.close();
    });

    it("retries a 5xx answer and returns the answer of the next attempt", async () => {
        const api = await client({
            "/cluster/status": { status: 500, reason: "cfs-lock 'file-corosync_conf' error: got lock request timeout", times: 1 },
        });
        const data = await api.get<{ name: string }[]>("/cluster/status");
        expect(data.map((e) => e.name)).toEqual(["lab", "pve1", "pve2"]);
        expect(stand!.requests.filter((r) => r === "/cluster/status")).toHaveLength(2);
        api.close();
    });

    it("gives up after the bounded retries of a failing call, naming the endpoint, the status and the attempts", async () => {
        const api = await client({ "/cluster/ha/resources": { status: 500, reason: "internal error" } });
        const e = await failure(api.get("/cluster/ha/resources"));
        expect(e.message).toBe("GET /cluster/ha/resources: 500 internal error (3 attempts)");
        expect(e).toMatchObject({ endpoint: "GET /cluster/ha/resources", failure: "status", status: 500 });
        expect(stand!.requests.filter((r) => r === "/cluster/ha/resources")).toHaveLength(3);
        api.close();
    });

    it("times out a call that gets no answer, retries it, and says how long it waited", async () => {
        const api = await client({ "/nodes/pve2/dns": { hang: true } }, { retries: 1 });
        const started = Date.now();
        const e = await failure(api.get("/nodes/pve2/dns"));
        expect(e.message).toBe("GET /nodes/pve2/dns: no answer within 0.3 s (2 attempts)");
        expect(e.failure).toBe("timeout");
        expect(Date.now() - started).toBeLessThan(3000);
        api.close();
    });

    it("does not retry a 403, and names the privilege and path Proxmox says are missing, with the grant", async () => {
        const api = await client({ "/cluster/backup": { status: 403, reason: "Permission check failed (/, Sys.Audit)" } });
        const e = await failure(api.get("/cluster/backup", { privilege: "Sys.Audit", path: "/" }));
        expect(e.message).toBe(
            "GET /cluster/backup: 403 Permission check failed (/, Sys.Audit); the token likely lacks Sys.Audit on / " +
                "(grant read access: pveum acl modify / --tokens '<user>@<realm>!<token>' --roles PVEAuditor; a token with privilege separation needs it on the token itself)",
        );
        expect(e.permission).toEqual({ privilege: "Sys.Audit", path: "/" });
        expect(stand!.requests.filter((r) => r === "/cluster/backup")).toHaveLength(1);
        api.close();
    });

    it("says what the call needs when a 403 names no check", () => {
        expect(statusError("GET /x", 403, "Forbidden", { privilege: "VM.Audit", path: "/vms/105" }).message).toMatch(
            /^GET \/x: 403 Forbidden; the token likely lacks VM\.Audit on \/vms\/105 \(grant read access/,
        );
    });

    it("reports a refused token without showing it", async () => {
        stand = await startStandIn(recordedApi());
        const api = new ProxmoxApi({ endpoint: stand.url, token: "reader@pve!adopt=wrong-secret", ca: stand.ca, ...FAST });
        const e = await failure(api.get("/nodes"));
        expect(e.message).toBe(
            "GET /nodes: 401 authentication failure; the token was refused (check PROXMOX_VE_API_TOKEN and that it has not expired)",
        );
        expect(e.message).not.toContain("wrong-secret");
        api.close();
    });

    it("refuses a certificate it cannot check once, without retrying, and says how to trust it", async () => {
        stand = await startStandIn(recordedApi());
        const api = new ProxmoxApi({ endpoint: stand.url, token: TOKEN, ...FAST });
        const e = await failure(api.get("/version"));
        expect(e.failure).toBe("tls");
        expect(e.message).toMatch(
            /^GET \/version: the API's certificate is not trusted \(.+\); pass --ca with the cluster's \/etc\/pve\/pve-root-ca\.pem, or --insecure to accept it unchecked$/,
        );
        expect(stand.requests).toEqual([]);
        api.close();
        const insecure = new ProxmoxApi({ endpoint: stand.url, token: TOKEN, insecure: true, ...FAST });
        expect(await insecure.get("/version")).toMatchObject({ version: "8.2.4" });
        insecure.close();
    });

    it("refuses an endpoint or token it cannot use before any connection", () => {
        expect(checkConnection("http://192.168.10.11:8006/", TOKEN)).toBe(
            "--endpoint must be an https:// URL such as https://192.168.10.11:8006/, got http:",
        );
        expect(checkConnection("https://root:pw@192.168.10.11:8006/", TOKEN)).toBe(
            "--endpoint must not carry credentials (it has a user and password (user:password@)); give the API token in PROXMOX_VE_API_TOKEN",
        );
        expect(checkConnection("https://192.168.10.11:8006/?token=root@pam!x=s3cr3t", TOKEN)).toBe(
            "--endpoint must not carry credentials (it has a credential in its query (token=)); give the API token in PROXMOX_VE_API_TOKEN",
        );
        // Not a URL (port out of range): shown with the password hidden.
        expect(checkConnection("https://root:s3cr3t@192.168.10.11:99999/", TOKEN)).toBe(
            '--endpoint "https://***@192.168.10.11:99999/" is not a URL; give the API\'s address such as https://192.168.10.11:8006/',
        );
        expect(checkConnection("192.168.10.11:8006", TOKEN)).toBe(
            '--endpoint "192.168.10.11:8006" is not a URL; give the API\'s address such as https://192.168.10.11:8006/',
        );
        expect(checkConnection("https://192.168.10.11:8006/", undefined)).toMatch(/^no API token: set PROXMOX_VE_API_TOKEN/);
        expect(checkConnection("https://192.168.10.11:8006/", "not a token")).toBe(
            "PROXMOX_VE_API_TOKEN is not of the form user@realm!tokenid=secret (the value is not shown)",
        );
        expect(checkConnection("https://192.168.10.11:8006/", TOKEN)).toBeUndefined();
    });

    it("encodes each segment of a path it builds", () => {
        const api = new ProxmoxApi({ endpoint: "https://192.168.10.11:8006/", token: TOKEN });
        expect(api.path("nodes", "pve 1", "qemu", 30030, "config")).toBe("/nodes/pve%201/qemu/30030/config");
        api.close();
    });
});
