import { record } from "../helpers/harness";
import { createProxmoxProviders } from "../../lib/providers";
import { Inventory } from "../../config/schema";
import { TEST_PASSWORD, TEST_SSH_KEY, TEST_TOKEN, decoded, referenceInventory, setCredentials } from "../components/fixtures";

const PROVIDER = "pulumi:providers:proxmoxve";
const SSH_NODES = [
    { name: "pve-network", address: "192.168.10.11", port: 22 },
    { name: "pve-storage", address: "192.168.10.12", port: 22 },
];

/** The reference inventory without anything that needs root (no mounts, no Docker, no devices). */
function tokenOnlyInventory(): Inventory {
    const inv = referenceInventory();
    const guests = Object.fromEntries(
        Object.entries(inv.guests).filter(([, g]) => g.kind === "vm" || (!g.docker && g.devices.length === 0)),
    );
    return { ...inv, guests, datasets: {} };
}

describe("createProxmoxProviders", () => {
    afterEach(() => setCredentials({}));

    it("builds the API-token provider and the root@pam provider with secret credentials and every node's SSH address", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD, sshKey: TEST_SSH_KEY });
        const inv = referenceInventory();
        const { recording } = await record(() => {
            createProxmoxProviders(inv);
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
        expect(root.inputs.apiToken).toBeUndefined();
        expect(decoded(root.inputs.ssh)).toEqual({ username: "root", nodes: SSH_NODES, privateKey: TEST_SSH_KEY });
        expect([...root.secretPaths].sort()).toEqual(["password", "ssh"]);
    });

    it("falls back to the SSH agent when no private key is configured", async () => {
        setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD });
        const inv = referenceInventory();
        const { recording } = await record(() => {
            createProxmoxProviders(inv);
        });
        expect(decoded(recording.one("proxmox-api", PROVIDER).inputs.ssh)).toEqual({ username: "root", nodes: SSH_NODES, agent: true });
    });

    it("builds no root provider when no guest needs root, and needs no password then", async () => {
        setCredentials({ token: TEST_TOKEN });
        const inv = tokenOnlyInventory();
        let hasRoot: boolean | undefined;
        const { recording } = await record(() => {
            hasRoot = createProxmoxProviders(inv).root !== undefined;
        });
        expect(hasRoot).toBe(false);
        expect(recording.ofType(PROVIDER).map((r) => r.name)).toEqual(["proxmox-api"]);
    });

    it("refuses to run without the root password when a guest needs root, naming both ways to set it", () => {
        setCredentials({ token: TEST_TOKEN });
        expect(() => createProxmoxProviders(referenceInventory())).toThrow(
            /root@pam password, needed by edge \(1 host bind mount; feature flag keyctl \(Docker\)\).*PROXMOX_VE_PASSWORD.*pulumi config set --secret homelab:proxmoxRootPassword/,
        );
    });

    it("refuses to run without the API token, naming both ways to set it", () => {
        setCredentials({ password: TEST_PASSWORD });
        expect(() => createProxmoxProviders(referenceInventory())).toThrow(
            /PROXMOX_VE_API_TOKEN.*pulumi config set --secret homelab:proxmoxApiToken/,
        );
    });
});
