import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { record, valueOf } from "../helpers/harness";
import { ADOPTION_IGNORED_BRIDGE_FIELDS, ProxmoxNode, networkOfAddress, nodeConnection } from "../../components/proxmoxNode";
import { NodeSpec } from "../../config/schema";
import { NodeHostSpec } from "../../lib/nodeHost";
import { TEST_SSH_KEY, decoded, providerRef, referenceInventory } from "./fixtures";

const T = {
    node: "homelab:proxmox:Node",
    bridge: "proxmoxve:network/linux/bridge:Bridge",
    firewall: "proxmoxve:node/firewall:Firewall",
    command: "command:remote:Command",
};

const inv = referenceInventory();
const networks = Object.values(inv.networks);
const NO_HOST: NodeHostSpec = { nfsServer: false, usbDevices: [] };

async function deployNode(nodeName: string, spec: NodeSpec = inv.nodes[nodeName], host: NodeHostSpec = NO_HOST, sshPrivateKey?: string) {
    return record(() => {
        const api = new proxmoxve.Provider("api", {});
        new ProxmoxNode(nodeName, { nodeName, spec, networks, host, ...(sshPrivateKey ? { sshPrivateKey } : {}), provider: api });
    });
}

describe("ProxmoxNode", () => {
    it("owns exactly its bridge, its node firewall and its host preparation", async () => {
        const { recording } = await deployNode("pve-storage");
        const node = recording.one("pve-storage", T.node);
        expect(
            recording
                .childrenOf(node.urn)
                .map((r) => [r.type, r.name])
                .sort(),
        ).toEqual(
            [
                [T.bridge, "pve-storage-vmbr0"],
                [T.firewall, "pve-storage-firewall"],
                [T.command, "pve-storage-host"],
            ].sort(),
        );
        const api = recording.one("api", "pulumi:providers:proxmoxve");
        expect(recording.one("pve-storage-vmbr0", T.bridge).options.provider).toBe(providerRef(api));
        expect(recording.one("pve-storage-firewall", T.firewall).options.provider).toBe(providerRef(api));
    });

    // Facts P1 (creating an existing bridge fails), P2 (import id `<node>:<iface>`), P3 (the import must match).
    it("never creates the bridge: it imports the installer's, and ignores what the installer leaves unset while adopting", async () => {
        const { recording } = await deployNode("pve-network");
        const bridge = recording.one("pve-network-vmbr0", T.bridge);
        expect(bridge.options.importId).toBe("pve-network:vmbr0");
        expect(bridge.options.ignoreChanges).toEqual([...ADOPTION_IGNORED_BRIDGE_FIELDS]);
        expect(bridge.options.retainOnDelete).toBe(true);
        expect(bridge.options.protect).toBe(false);
        expect(bridge.inputs).toEqual({
            nodeName: "pve-network",
            name: "vmbr0",
            address: "192.168.10.11/24",
            gateway: "192.168.10.1",
            ports: ["enp1s0"],
            autostart: true,
            vlanAware: true,
            vids: "10 20 30 40 50",
            comment: "VLAN-aware bridge managed by homelab",
        });
    });

    it("makes the bridge VLAN-aware once the node is no longer being adopted (still with the import id, which the engine ignores once in state)", async () => {
        const { recording } = await deployNode("pve-network", { ...inv.nodes["pve-network"], adopt: false });
        const bridge = recording.one("pve-network-vmbr0", T.bridge);
        expect(bridge.options.importId).toBe("pve-network:vmbr0");
        expect(bridge.options.ignoreChanges).toEqual([]);
        expect(decoded(bridge.inputs.vlanAware)).toBe(true);
    });

    it("leaves the bridge untagged-only on a flat network", async () => {
        const flat = [{ cidr: "192.168.1.0/24", gateway: "192.168.1.1", reserved: [] }];
        const { recording } = await record(() => {
            new ProxmoxNode("solo", {
                nodeName: "solo",
                spec: { ...inv.nodes["pve-network"], address: "192.168.1.2" },
                networks: flat,
                host: NO_HOST,
            });
        });
        const bridge = recording.one("solo-vmbr0", T.bridge);
        expect(decoded(bridge.inputs.vlanAware)).toBe(false);
        expect(bridge.inputs).not.toHaveProperty("vids");
        expect(bridge.inputs.address).toBe("192.168.1.2/24");
    });

    it("states every host firewall option (the provider sends all of them, P18)", async () => {
        const { recording } = await deployNode("pve-storage");
        const fw = recording.one("pve-storage-firewall", T.firewall);
        expect(Object.fromEntries(Object.entries(fw.inputs).map(([k, v]) => [k, decoded(v)]))).toEqual({
            nodeName: "pve-storage",
            enabled: true,
            ndp: true,
            nosmurfs: true,
            nftables: false,
            logLevelIn: "nolog",
            logLevelOut: "nolog",
            logLevelForward: "nolog",
            smurfLogLevel: "nolog",
            tcpFlagsLogLevel: "nolog",
            nfConntrackMax: 262144,
            nfConntrackTcpTimeoutEstablished: 432000,
        });
    });

    // Fact C2: without hostKey the command provider accepts any host key.
    it("runs its host preparation over the node's SSH with the host key pinned, the connection secret", async () => {
        const { recording } = await deployNode(
            "pve-storage",
            inv.nodes["pve-storage"],
            { nfsServer: true, usbDevices: [{ mapping: "coral", id: "18d1:9302" }] },
            TEST_SSH_KEY,
        );
        const host = recording.one("pve-storage-host", T.command);
        expect(host.inputs.connection).toEqual({
            // The provider's schema defaults, filled in by the SDK.
            dialErrorLimit: 10,
            perDialTimeout: 15,
            host: "192.168.10.12",
            port: 22,
            user: "root",
            hostKey: inv.nodes["pve-storage"].hostKey,
            privateKey: TEST_SSH_KEY,
        });
        expect(host.secretPaths).toContain("connection");
        expect(host.inputs.create).toContain("nfs-kernel-server");
        expect(host.inputs.create).toContain('ATTR{idVendor}=="18d1", ATTR{idProduct}=="9302", SYMLINK+="homelab/usb-coral"');
        expect(host.inputs.update).toBe(host.inputs.create);
    });

    it("registers the outputs policies read", async () => {
        const { recording } = await deployNode("pve-storage");
        expect(recording.one("pve-storage", T.node).outputs).toEqual({
            nodeName: "pve-storage",
            address: "192.168.10.12",
            threads: 16,
            memoryGiB: 96,
        });
    });

    it("counts threads over every socket", async () => {
        const { recording } = await deployNode("pve-storage", { ...inv.nodes["pve-storage"], sockets: 2 });
        expect(recording.one("pve-storage", T.node).outputs.threads).toBe(32);
    });

    it("refuses a node whose address is inside no network", async () => {
        const spec: NodeSpec = { ...inv.nodes["pve-network"], address: "10.0.0.5" };
        await expect(deployNode("pve-network", spec)).rejects.toThrow(
            "[nodes.pve-network.address] 10.0.0.5 is inside no network of the inventory; the bridge carries the host's address, so add the management network that holds it",
        );
    });
});

describe("nodeConnection", () => {
    it("uses the SSH agent when no key is given, and is secret", async () => {
        const connection = nodeConnection(inv.nodes["pve-network"], undefined);
        expect(await valueOf(connection)).toEqual({
            host: "192.168.10.11",
            port: 22,
            user: "root",
            hostKey: inv.nodes["pve-network"].hostKey,
        });
    });
});

describe("networkOfAddress", () => {
    it("finds the management network of a node address", () => {
        expect(networkOfAddress(networks, "192.168.10.12")?.vlan).toBe(10);
        expect(networkOfAddress(networks, "10.0.0.1")).toBeUndefined();
    });
});
