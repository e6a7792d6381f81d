import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { isSecret, record, valueOf } from "../helpers/harness";
import { Providers, createProviders, createRootProvider, guestProvider, offsiteAccess, tokenCommand } from "../../components/providers";
import { readCredentials } from "../../config/loader";
import { Inventory } from "../../config/schema";
import { TEST_PASSWORD, TEST_SSH_KEY, TEST_TOKEN, decoded, referenceInventory, setCredentials } from "../components/fixtures";

const PROVIDER = "pulumi:providers:proxmoxve";
const CLOUDFLARE = "pulumi:providers:cloudflare";
const CF_TOKEN = "cf-token-for-tests-0123456789";
const SSH_NODES = [
    { name: "pve-network", address: "192.168.10.11", port: 22 },
    { name: "pve-storage", address: "192.168.10.12", port: 22 },
];

/** Sets (or clears, with undefined) the Cloudflare API token in the environment. */
function setCloudflareToken(value: string | undefined): void {
    if (value === undefined) delete process.env.CLOUDFLARE_API_TOKEN;
    else process.env.CLOUDFLARE_API_TOKEN = value;
}

/** Clears the credentials of the environment and of stack config (a test reading them outside `record`). */
function clearCredentials(): void {
    setCredentials({});
    setCloudflareToken(undefined);
    pulumi.runtime.setAllConfig({});
}

/**
 * The reference inventory with every root reason taken away (no Docker, no devices, no physical
 * disks), but with its privileged container, its dataset bind mounts and its host mounts kept:
 * those need no root@pam (bind mounts are set with `pct` over SSH, lib/privilege.ts).
 */
function tokenOnlyInventory(): Inventory {
    const inv = referenceInventory();
    const guests = Object.fromEntries(
        Object.entries(inv.guests).map(([name, g]) => [
            name,
            g.kind === "lxc" ? { ...g, docker: false, devices: [] } : { ...g, disks: g.disks.filter((d) => !("device" in d)) },
        ]),
    );
    return { ...inv, guests };
}

/** The names of the providers a run registered, by type. */
async function providerNames(program: () => unknown): Promise<{ proxmox: string[]; cloudflare: string[] }> {
    const { recording } = await record(program);
    return {
        proxmox: recording
            .ofType(PROVIDER)
            .map((r) => r.name)
            .sort(),
        cloudflare: recording.ofType(CLOUDFLARE).map((r) => r.name),
    };
}

describe("createProviders", () => {
    beforeEach(clearCredentials);
    afterEach(clearCredentials);

    it("builds the API-token provider and the root@pam provider with secret credentials and every node's SSH address; root states an empty token (P32)", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD, sshKey: TEST_SSH_KEY });
        setCloudflareToken(CF_TOKEN);
        const inv = referenceInventory();
        const { recording } = await record(() => {
            createProviders(inv, readCredentials());
        });
        expect(
            recording
                .ofType(PROVIDER)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["proxmox-api", "proxmox-root"]);

        const api = recording.one("proxmox-api", PROVIDER);
        expect(api.inputs.apiToken).toBe(TEST_TOKEN);
        expect(api.inputs.endpoint).toBe("https://192.168.10.11:8006/");
        expect(decoded(api.inputs.insecure)).toBe(false);
        expect(api.inputs.username).toBeUndefined();
        expect(api.inputs.password).toBeUndefined();
        expect(decoded(api.inputs.ssh)).toEqual({ username: "root", nodes: SSH_NODES, privateKey: TEST_SSH_KEY });
        expect([...api.secretPaths].sort()).toEqual(["apiToken", "ssh"]);

        const root = recording.one("proxmox-root", PROVIDER);
        expect(root.inputs.username).toBe("root@pam");
        expect(root.inputs.password).toBe(TEST_PASSWORD);
        // bpg would take PROXMOX_VE_API_TOKEN from the environment over the password; "" turns it off.
        expect(root.inputs.apiToken).toBe("");
        expect(decoded(root.inputs.ssh)).toEqual({ username: "root", nodes: SSH_NODES, privateKey: TEST_SSH_KEY });
        expect([...root.secretPaths].sort()).toEqual(["apiToken", "password", "ssh"]);
    });

    it("returns the providers it built, and the SSH private key as a secret", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD, sshKey: TEST_SSH_KEY });
        setCloudflareToken(CF_TOKEN);
        const inv = referenceInventory();
        let providers: Providers | undefined;
        const { recording } = await record(() => {
            providers = createProviders(inv, readCredentials());
        });
        const p = providers!;
        expect(await valueOf(p.api.urn)).toBe(recording.one("proxmox-api", PROVIDER).urn);
        expect(await valueOf(p.root!.urn)).toBe(recording.one("proxmox-root", PROVIDER).urn);
        expect(await valueOf(p.cloudflare!.urn)).toBe(recording.one("cloudflare", CLOUDFLARE).urn);
        expect(await valueOf(p.sshPrivateKey!)).toBe(TEST_SSH_KEY);
        expect(await isSecret(p.sshPrivateKey!)).toBe(true);
    });

    it("falls back to the SSH agent when no private key is configured", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        setCloudflareToken(CF_TOKEN);
        const inv = referenceInventory();
        let key: unknown = "unset";
        const { recording } = await record(() => {
            key = createProviders(inv, readCredentials()).sshPrivateKey;
        });
        expect(key).toBeUndefined();
        expect(decoded(recording.one("proxmox-api", PROVIDER).inputs.ssh)).toEqual({ username: "root", nodes: SSH_NODES, agent: true });
    });

    it("always builds the root provider, for the automation user, role and ACLs, even when no guest needs root", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        setCloudflareToken(CF_TOKEN);
        const inv = tokenOnlyInventory();
        // The kept inventory still has dataset bind mounts and a privileged container: neither needs root@pam.
        expect(inv.datasets["tank/photos"].mounts.map((m) => m.guest)).toEqual(["photos", "files"]);
        expect(inv.guests.photos.kind === "lxc" && inv.guests.photos.privileged !== undefined).toBe(true);
        const names = await providerNames(() => {
            createProviders(inv, readCredentials());
        });
        expect(names.proxmox).toEqual(["proxmox-api", "proxmox-root"]);
        setCredentials({ token: TEST_TOKEN });
        expect(() => createProviders(inv, readCredentials())).toThrow(
            new Error(
                "missing credential: the root@pam password, needed by the automation user homelab@pve, its role and ACLs; set the environment variable PROXMOX_VE_PASSWORD or run `pulumi config set --secret homelab:proxmoxRootPassword <password>`",
            ),
        );
    });

    it("refuses to run without the root password, naming the automation user, every guest that needs root with its reasons, and both ways to set it", () => {
        setCredentials({ token: TEST_TOKEN });
        setCloudflareToken(CF_TOKEN);
        expect(() => createProviders(referenceInventory(), readCredentials())).toThrow(
            new Error(
                "missing credential: the root@pam password, needed by the automation user homelab@pve, its role and ACLs, and by " +
                    "edge (feature flag keyctl (Docker)), " +
                    "photos (device passthrough of /dev/dri/renderD128, /dev/net/tun; feature flags on a privileged container (nesting)), " +
                    "cloud (feature flag keyctl (Docker)), " +
                    "media (feature flag keyctl (Docker)), " +
                    "nvr (device passthrough of USB mapping coral; feature flag keyctl (Docker)); " +
                    "set the environment variable PROXMOX_VE_PASSWORD or run `pulumi config set --secret homelab:proxmoxRootPassword <password>`",
            ),
        );
    });

    it.each([
        [
            "a device passed into a container",
            (inv: Inventory) => ({ ...inv.guests.files, devices: [{ path: "/dev/ttyUSB0" }] }),
            "files (device passthrough of /dev/ttyUSB0)",
        ],
        [
            "Docker in an unprivileged container (keyctl)",
            (inv: Inventory) => ({ ...inv.guests.files, docker: true }),
            "files (feature flag keyctl (Docker))",
        ],
        [
            "Docker in a privileged container (any feature flag)",
            (inv: Inventory) => ({ ...inv.guests.files, docker: true, privileged: { reason: "a test of the privileged feature rule" } }),
            "files (feature flags on a privileged container (nesting))",
        ],
        [
            "a physical disk passed into a VM",
            (inv: Inventory) => {
                const windows = inv.guests.windows;
                if (windows.kind !== "vm") throw new Error("windows is a VM");
                return { ...windows, disks: [...windows.disks, { device: "/dev/disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-1234" }] };
            },
            "windows (physical disk passthrough of /dev/disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-1234)",
        ],
    ])("needs root@pam for %s", (_what, change, who) => {
        setCredentials({ token: TEST_TOKEN });
        setCloudflareToken(CF_TOKEN);
        const inv = tokenOnlyInventory();
        const changed = change(inv);
        const name = who.slice(0, who.indexOf(" "));
        expect(() => createProviders({ ...inv, guests: { ...inv.guests, [name]: changed } } as Inventory, readCredentials())).toThrow(
            new Error(
                `missing credential: the root@pam password, needed by the automation user homelab@pve, its role and ACLs, and by ${who}; set the environment variable PROXMOX_VE_PASSWORD or run \`pulumi config set --secret homelab:proxmoxRootPassword <password>\``,
            ),
        );
    });

    it("reuses a root provider built before (createRootProvider), named after the prefix, and makes the API-token provider wait for what it is given", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        setCloudflareToken(CF_TOKEN);
        const inv = referenceInventory();
        const { recording } = await record(() => {
            const root = createRootProvider(inv, readCredentials(), "pve");
            const gate = new proxmoxve.RoleLegacy("gate", { roleId: "Gate", privileges: [] });
            const providers = createProviders(inv, readCredentials(), { name: "pve", root, apiDependsOn: [gate] });
            expect(providers.root).toBe(root);
            expect(providers.bootstrap).toBe(false);
        });
        expect(
            recording
                .ofType(PROVIDER)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["pve-api", "pve-root"]);
        const gateUrn = recording.one("gate").urn;
        expect(recording.one("pve-api", PROVIDER).options.dependsOn).toEqual([gateUrn]);
        expect(recording.one("pve-root", PROVIDER).options.dependsOn).toEqual([]);
    });

    it("without an API token: the bootstrap, where the API-token provider logs in as root@pam and a warning says so, naming the token it creates and the command that stores it", async () => {
        setCredentials({ password: TEST_PASSWORD, sshKey: TEST_SSH_KEY });
        setCloudflareToken(CF_TOKEN);
        const inv = referenceInventory();
        const warnings: string[] = [];
        const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
            warnings.push(message);
        });
        let bootstrap: boolean | undefined;
        const { recording } = await record(() => {
            bootstrap = createProviders(inv, readCredentials()).bootstrap;
        });
        warn.mockRestore();
        expect(bootstrap).toBe(true);
        const api = recording.one("proxmox-api", PROVIDER);
        expect(api.inputs.username).toBe("root@pam");
        expect(api.inputs.password).toBe(TEST_PASSWORD);
        expect(api.inputs.apiToken).toBe("");
        expect([...api.secretPaths].sort()).toEqual(["apiToken", "password", "ssh"]);
        expect(warnings).toEqual([
            "No Proxmox API token is configured (PROXMOX_VE_API_TOKEN or homelab:proxmoxApiToken): this run is the bootstrap, and every Proxmox resource goes through root@pam. " +
                `It creates the token homelab@pve!homelab; store it for every later run with: ${tokenCommand("test")}`,
        ]);
    });

    it("in a preview without the root password but with an API token, builds the root@pam provider from the token and says so; an update still refuses", async () => {
        setCredentials({ token: TEST_TOKEN, sshKey: TEST_SSH_KEY });
        setCloudflareToken(CF_TOKEN);
        const inv = referenceInventory();
        const warnings: string[] = [];
        const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
            warnings.push(message);
        });
        const { recording } = await record(
            () => {
                createProviders(inv, readCredentials());
            },
            { preview: true },
        );
        warn.mockRestore();
        const root = recording.one("proxmox-root", PROVIDER);
        expect(root.inputs.apiToken).toBe(TEST_TOKEN);
        expect(root.inputs.username).toBeUndefined();
        expect(root.inputs.password).toBeUndefined();
        expect([...root.secretPaths].sort()).toEqual(["apiToken", "ssh"]);
        expect(warnings).toEqual([
            "No root@pam password in this preview (PROXMOX_VE_PASSWORD or homelab:proxmoxRootPassword): the root@pam provider previews with the API token, and the preview lists it as updated; `pulumi up` needs the password.",
        ]);
        await expect(
            record(() => {
                createProviders(inv, readCredentials());
            }),
        ).rejects.toThrow(/^missing credential: the root@pam password/);
    });

    it("words the command that stores the created token for one stack", () => {
        expect(tokenCommand("prod")).toBe(
            'pulumi config set --stack prod --secret homelab:proxmoxApiToken "$(pulumi stack output --stack prod --show-secrets proxmoxApiToken)"',
        );
    });
});

describe("createProviders: Cloudflare", () => {
    beforeEach(clearCredentials);
    afterEach(clearCredentials);

    it("builds the Cloudflare provider when the inventory has dns, with the API token from the environment as a secret", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        setCloudflareToken(CF_TOKEN);
        const { recording } = await record(() => {
            createProviders(referenceInventory(), readCredentials());
        });
        const provider = recording.one("cloudflare", CLOUDFLARE);
        expect(decoded(provider.inputs.apiToken)).toBe(CF_TOKEN);
        expect(provider.secretPaths).toEqual(["apiToken"]);
        expect(provider.inputs.apiKey).toBeUndefined();
        expect(provider.inputs.email).toBeUndefined();
    });

    it("builds one Cloudflare provider for the DNS records and an R2 bucket's lifecycle, and hands it to the bucket's access", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        setCloudflareToken(CF_TOKEN);
        process.env.AWS_ACCESS_KEY_ID = "r2keyid";
        process.env.AWS_SECRET_ACCESS_KEY = "r2secret";
        try {
            const inv = referenceInventory();
            const r2 = {
                ...inv.offsite!,
                service: "r2" as const,
                region: "auto",
                endpoint: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
                servesPbs: false,
                writers: ["rclone"],
            };
            let access: ReturnType<typeof offsiteAccess>;
            const { recording } = await record(() => {
                const providers = createProviders({ ...inv, offsite: r2 }, readCredentials());
                access = offsiteAccess({ ...inv, offsite: r2 }, readCredentials(), providers.cloudflare);
                expect(access?.cloudflareProvider).toBe(providers.cloudflare);
            });
            expect(recording.ofType(CLOUDFLARE)).toHaveLength(1);
            // Without DNS, the R2 bucket alone still gets it.
            const { recording: alone } = await record(() => {
                createProviders({ ...inv, dns: undefined, offsite: r2 }, readCredentials());
            });
            expect(alone.ofType(CLOUDFLARE)).toHaveLength(1);
        } finally {
            delete process.env.AWS_ACCESS_KEY_ID;
            delete process.env.AWS_SECRET_ACCESS_KEY;
        }
    });

    it("reads the Cloudflare token from secret stack config when the environment has none", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        const { recording } = await record(
            () => {
                createProviders(referenceInventory(), readCredentials());
            },
            { config: { "homelab:cloudflareApiToken": "from-config" }, secretKeys: ["homelab:cloudflareApiToken"] },
        );
        const provider = recording.one("cloudflare", CLOUDFLARE);
        expect(decoded(provider.inputs.apiToken)).toBe("from-config");
        expect(provider.secretPaths).toEqual(["apiToken"]);
    });

    it("builds no Cloudflare provider, and needs no token, without a dns section", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        let cloudflare: unknown = "unset";
        const names = await providerNames(() => {
            cloudflare = createProviders({ ...referenceInventory(), dns: undefined }, readCredentials()).cloudflare;
        });
        expect(cloudflare).toBeUndefined();
        expect(names).toEqual({ proxmox: ["proxmox-api", "proxmox-root"], cloudflare: [] });
    });

    it("refuses an inventory with dns but no Cloudflare token, naming both ways to give one", () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        expect(() => createProviders(referenceInventory(), readCredentials())).toThrow(
            new Error(
                "missing credential: set the environment variable CLOUDFLARE_API_TOKEN or run `pulumi config set --secret homelab:cloudflareApiToken <value>`",
            ),
        );
    });
});

describe("guestProvider", () => {
    // Stand-ins: guestProvider only picks one of the two, it never reads them.
    const api = { name: "api" } as unknown as proxmoxve.Provider;
    const root = { name: "root" } as unknown as proxmoxve.Provider;

    it("gives a guest without root reasons the API-token provider, even when a root provider exists", () => {
        expect(guestProvider("guests.files", [], { api, root })).toBe(api);
        expect(guestProvider("guests.files", [], { api })).toBe(api);
    });

    it("gives a guest with root reasons the root@pam provider", () => {
        expect(guestProvider("guests.edge", ["feature flag keyctl (Docker)"], { api, root })).toBe(root);
    });

    it("refuses a guest with root reasons when no root provider was built, naming the guest and its reasons", () => {
        expect(() => guestProvider("guests.edge", ["feature flag keyctl (Docker)"], { api })).toThrow(
            new Error(
                "[guests.edge] needs root@pam (feature flag keyctl (Docker)) but no root provider was built; set the root password so createProviders builds it",
            ),
        );
    });
});
