/**
 * A small, read-only client of the Proxmox VE API: GET only, one API token, a timeout per call,
 * bounded retries of what may pass on a second try (a 5xx answer, a timeout, a dropped
 * connection), and one clear error per failed call naming the endpoint, the status and, for a
 * 403, the privilege the token likely lacks and where.
 *
 * The token is sent as `Authorization: PVEAPIToken=<user>@<realm>!<id>=<secret>` (pve-access-control
 * `PVE/APIServer/AnyEvent` and `PVE/AccessControl.pm` verify_token) and never appears in a message.
 * Answers are `{"data": ...}` (pve-http-server's JSON formatter); a refused call carries its reason
 * in the status line (`403 Permission check failed (/nodes/pve1, Sys.Audit)`).
 */
import * as https from "https";
import { redactUrl, urlCredentialProblem } from "../../lib/urls";

/** The privilege a call needs and where, as the API's `permissions.check` states it. */
export interface Permission {
    readonly privilege: string;
    readonly path: string;
}

/** Why a call failed. */
export type ApiFailure = "status" | "timeout" | "network" | "tls" | "answer";

/** One failed call: the endpoint, what happened, and what to do about a refusal. */
export class ApiCallError extends Error {
    constructor(
        /** `GET /nodes/pve1/network` */
        readonly endpoint: string,
        readonly failure: ApiFailure,
        message: string,
        /** The HTTP status, for a `status` failure. */
        readonly status?: number,
        /** For a 403: the privilege the token likely lacks. */
        readonly permission?: Permission,
    ) {
        super(message);
        this.name = "ApiCallError";
    }
}

/** How the client connects. */
export interface ApiOptions {
    /** `https://192.168.10.11:8006/`. */
    readonly endpoint: string;
    /** `user@realm!tokenid=secret`, as PROXMOX_VE_API_TOKEN holds it. */
    readonly token: string;
    /** Accept any certificate (a fresh install's self-signed one). @default false */
    readonly insecure?: boolean;
    /** The CA the API's certificate must chain to (the cluster's `/etc/pve/pve-root-ca.pem`), in PEM. @default the system's */
    readonly ca?: string;
    /** Milliseconds one attempt may take. @default 15000 */
    readonly timeoutMs?: number;
    /** Further attempts after a 5xx, a timeout or a dropped connection. @default 2 */
    readonly retries?: number;
    /** Milliseconds before the first retry, doubled for each next one. @default 500 */
    readonly retryDelayMs?: number;
}

/** The token's format: the secret is a UUID in practice, but any printable value without spaces is sent as is. */
const TOKEN_PATTERN = /^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z0-9._-]+=[!-~]+$/;

/** Why an endpoint or token cannot be used, or undefined. Neither value is echoed for the token. */
export function checkConnection(endpoint: string, token: string | undefined): string | undefined {
    let url: URL;
    try {
        url = new URL(endpoint);
    } catch {
        return `--endpoint ${JSON.stringify(redactUrl(endpoint))} is not a URL; give the API's address such as https://192.168.10.11:8006/`;
    }
    const credential = urlCredentialProblem(endpoint);
    if (credential !== undefined)
        return `--endpoint must not carry credentials (it has ${credential}); give the API token in PROXMOX_VE_API_TOKEN`;
    if (url.protocol !== "https:") return `--endpoint must be an https:// URL such as https://192.168.10.11:8006/, got ${url.protocol}`;
    if (token === undefined || token === "")
        return "no API token: set PROXMOX_VE_API_TOKEN to a read-only token (user@realm!tokenid=secret; the PVEAuditor role on / is enough)";
    if (!TOKEN_PATTERN.test(token)) return "PROXMOX_VE_API_TOKEN is not of the form user@realm!tokenid=secret (the value is not shown)";
    return undefined;
}

/** Certificate errors of Node's TLS: retrying cannot help. */
const TLS_CODES = /^(?:CERT_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_)/;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A read-only Proxmox API client. */
export class ProxmoxApi {
    private readonly base: URL;
    private readonly agent: https.Agent;
    private readonly timeoutMs: number;
    private readonly retries: number;
    private readonly retryDelayMs: number;

    constructor(private readonly options: ApiOptions) {
        const problem = checkConnection(options.endpoint, options.token);
        if (problem) throw new Error(problem);
        this.base = new URL(options.endpoint);
        this.timeoutMs = options.timeoutMs ?? 15000;
        this.retries = options.retries ?? 2;
        this.retryDelayMs = options.retryDelayMs ?? 500;
        this.agent = new https.Agent({
            keepAlive: true,
            maxSockets: 8,
            rejectUnauthorized: !(options.insecure ?? false),
            ...(options.ca !== undefined ? { ca: options.ca } : {}),
        });
    }

    /** The endpoint as given (`https://192.168.10.11:8006/`). */
    get endpoint(): string {
        return this.options.endpoint;
    }

    /** Closes the kept-alive connections. */
    close(): void {
        this.agent.destroy();
    }

    /**
     * `GET /api2/json<path>` and its `data`. `path` is built by the caller from encoded segments
     * (`api.path("nodes", node, "network")`). Throws ApiCallError after the last attempt.
     */
    async get<T>(path: string, permission?: Permission): Promise<T> {
        const endpoint = `GET ${path}`;
        let last: ApiCallError | undefined;
        for (let attempt = 0; attempt <= this.retries; attempt++) {
            if (attempt > 0) await sleep(this.retryDelayMs * 2 ** (attempt - 1));
            try {
                return await this.once<T>(path, endpoint, permission);
            } catch (e) {
                if (!(e instanceof ApiCallError)) throw e;
                last = e;
                const retriable = e.failure === "timeout" || e.failure === "network" || (e.status !== undefined && e.status >= 500);
                if (!retriable) throw e;
            }
        }
        const tries = this.retries + 1;
        throw new ApiCallError(last!.endpoint, last!.failure, `${last!.message} (${tries} attempts)`, last!.status, last!.permission);
    }

    /** `/nodes/pve%201/network` from raw segments. */
    path(...segments: (string | number)[]): string {
        return "/" + segments.map((s) => encodeURIComponent(String(s))).join("/");
    }

    private once<T>(path: string, endpoint: string, permission: Permission | undefined): Promise<T> {
        const url = new URL(`${this.base.pathname.replace(/\/$/, "")}/api2/json${path}`, this.base);
        return new Promise<T>((resolve, reject) => {
            const req = https.request(
                url,
                {
                    method: "GET",
                    agent: this.agent,
                    headers: { Authorization: `PVEAPIToken=${this.options.token}`, Accept: "application/json" },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("error", (e) => reject(new ApiCallError(endpoint, "network", `${endpoint}: ${e.message}`)));
                    res.on("end", () => {
                        const status = res.statusCode ?? 0;
                        const reason = (res.statusMessage ?? "").trim();
                        if (status !== 200) return reject(statusError(endpoint, status, reason, permission));
                        try {
                            const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data?: T };
                            if (body === null || typeof body !== "object" || !("data" in body))
                                return reject(new ApiCallError(endpoint, "answer", `${endpoint}: the answer has no "data"`));
                            resolve(body.data as T);
                        } catch (e) {
                            reject(new ApiCallError(endpoint, "answer", `${endpoint}: the answer is not JSON (${(e as Error).message})`));
                        }
                    });
                },
            );
            req.setTimeout(this.timeoutMs, () => {
                req.destroy(new ApiCallError(endpoint, "timeout", `${endpoint}: no answer within ${this.timeoutMs / 1000} s`));
            });
            req.on("error", (e: NodeJS.ErrnoException) => {
                if (e instanceof ApiCallError) return reject(e);
                if (TLS_CODES.test(e.code ?? ""))
                    return reject(
                        new ApiCallError(
                            endpoint,
                            "tls",
                            `${endpoint}: the API's certificate is not trusted (${e.message}); pass --ca with the cluster's /etc/pve/pve-root-ca.pem, or --insecure to accept it unchecked`,
                        ),
                    );
                reject(new ApiCallError(endpoint, "network", `${endpoint}: ${e.message}`));
            });
            req.end();
        });
    }
}

/** The error of a non-200 answer: the status line, and for a 403 the privilege to grant. */
export function statusError(endpoint: string, status: number, reason: string, permission: Permission | undefined): ApiCallError {
    const said = `${endpoint}: ${status}${reason ? ` ${reason}` : ""}`;
    if (status === 401)
        return new ApiCallError(
            endpoint,
            "status",
            `${said}; the token was refused (check PROXMOX_VE_API_TOKEN and that it has not expired)`,
            status,
        );
    if (status === 403) {
        // Proxmox names the check it failed as `(<path>, <privilege>)`; else the call's own.
        const named = /\((\/[^,()]*), ([A-Za-z.]+)\)/.exec(reason);
        const lacks = named ? { path: named[1], privilege: named[2] } : permission;
        const hint = lacks
            ? `; the token likely lacks ${lacks.privilege} on ${lacks.path} (grant read access: pveum acl modify ${lacks.path} --tokens '<user>@<realm>!<token>' --roles PVEAuditor; a token with privilege separation needs it on the token itself)`
            : "";
        return new ApiCallError(endpoint, "status", `${said}${hint}`, status, lacks);
    }
    return new ApiCallError(endpoint, "status", said, status);
}
