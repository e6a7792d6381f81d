import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { record } from "../helpers/harness";
import { Cluster, adminSources, clusterRules, nfsRules } from "../../components/cluster";
import { Inventory } from "../../config/schema";
import { decoded, providerRef, referenceInventory } from "./fixtures";

const T = {
    cluster: "homelab:proxmox:Cluster",
    options: "proxmoxve:cluster/firewallLegacy:FirewallLegacy",
    rules: "proxmoxve:firewall/rulesLegacy:RulesLegacy",
    pci: "proxmoxve:hardware/mapping/pci:Pci",
    usb: "proxmoxve:hardware/mapping/usb:Usb",
};
const inv = referenceInventory();

async function deployCluster(inventory: Inventory = inv) {
    return record(() => {
        const api = new proxmoxve.Provider("api", {});
        new Cluster("cluster", { inventory, provider: api });
    });
}

describe("Cluster", () => {
    it("owns the datacenter firewall, its rules and the hardware mappings, all through the API token", async () => {
        const { recording } = await deployCluster();
        const cluster = recording.one("cluster", T.cluster);
        expect(
            recording
                .childrenOf(cluster.urn)
                .map((r) => [r.type, r.name])
                .sort(),
        ).toEqual(
            [
                [T.rules, "cluster-firewall-rules"],
                [T.options, "cluster-firewall"],
                [T.pci, "cluster-pci-opnsense-wan"],
                [T.pci, "cluster-pci-opnsense-lan"],
                [T.usb, "cluster-usb-coral"],
            ].sort(),
        );
        const api = providerRef(recording.one("api", "pulumi:providers:proxmoxve"));
        for (const child of recording.childrenOf(cluster.urn)) expect(child.options.provider).toBe(api);
    });

    // Fact P6: the firewall is off (every rule ignored) until the datacenter option enable is set.
    it("switches the datacenter firewall on, after its rules, with ebtables stated (the provider would send 0)", async () => {
        const { recording } = await deployCluster();
        const options = recording.one("cluster-firewall", T.options);
        const rules = recording.one("cluster-firewall-rules", T.rules);
        expect(Object.fromEntries(Object.entries(options.inputs).map(([k, v]) => [k, decoded(v)]))).toEqual({
            enabled: true,
            ebtables: true,
            inputPolicy: "DROP",
            outputPolicy: "ACCEPT",
            forwardPolicy: "ACCEPT",
            logRatelimit: { enabled: true, burst: 5, rate: "1/second" },
        });
        expect(options.options.dependsOn).toEqual([rules.urn]);
    });

    it("keeps the operator in: API and SSH from the admin network, corosync between the nodes, the QDevice", async () => {
        expect(clusterRules(inv)).toEqual([
            {
                type: "in",
                action: "ACCEPT",
                proto: "tcp",
                dport: "8006",
                source: "192.168.10.0/24",
                enabled: true,
                comment: "homelab: Proxmox API and web UI",
            },
            { type: "in", action: "ACCEPT", proto: "tcp", dport: "22", source: "192.168.10.0/24", enabled: true, comment: "homelab: SSH" },
            {
                type: "in",
                action: "ACCEPT",
                proto: "udp",
                dport: "5405:5412",
                source: "192.168.10.11",
                enabled: true,
                comment: "homelab: corosync from pve-network",
            },
            {
                type: "in",
                action: "ACCEPT",
                proto: "udp",
                dport: "5405:5412",
                source: "192.168.10.12",
                enabled: true,
                comment: "homelab: corosync from pve-storage",
            },
            {
                type: "out",
                action: "ACCEPT",
                proto: "tcp",
                dport: "5403",
                dest: "192.168.10.13",
                enabled: true,
                comment: "homelab: corosync QDevice",
            },
        ]);
        const { recording } = await deployCluster();
        expect(decoded(recording.one("cluster-firewall-rules", T.rules).inputs.rules)).toEqual([...clusterRules(inv), ...nfsRules(inv)]);
        expect(recording.one("cluster-firewall-rules", T.rules).inputs).not.toHaveProperty("nodeName");
    });

    it("lets each NFS export's clients reach the node that exports it, and no other host (P36)", () => {
        expect(nfsRules(inv)).toEqual(
            [
                ["192.168.10.20/32", "tank/pbs"],
                ["192.168.10.11/32", "tank/shared"],
            ].flatMap(([source, dataset]) => [
                {
                    type: "in",
                    action: "ACCEPT",
                    source,
                    dest: "192.168.10.12",
                    enabled: true,
                    comment: `homelab: NFS to pve-storage (${dataset})`,
                    proto: "tcp",
                    dport: "111,2049,20048",
                },
                {
                    type: "in",
                    action: "ACCEPT",
                    source,
                    dest: "192.168.10.12",
                    enabled: true,
                    comment: `homelab: NFS to pve-storage (${dataset})`,
                    proto: "udp",
                    dport: "111,20048",
                },
            ]),
        );
        const off = {
            ...inv,
            datasets: Object.fromEntries(
                Object.entries(inv.datasets).map(([k, d]) => [k, { ...d, properties: { ...d.properties, sharenfs: "off" } }]),
            ),
        };
        expect(nfsRules(off)).toEqual([]);
    });

    it("takes the admin sources from the inventory when it names them", () => {
        const custom = { ...inv, cluster: { ...inv.cluster, firewall: { enabled: true, adminSources: ["10.8.0.0/24", "192.168.20.5"] } } };
        expect(adminSources(custom)).toEqual(["10.8.0.0/24", "192.168.20.5"]);
        expect(adminSources(inv)).toEqual(["192.168.10.0/24"]);
    });

    it("can leave the firewall off when the inventory says so", async () => {
        const { recording } = await deployCluster({ ...inv, cluster: { ...inv.cluster, firewall: { enabled: false } } });
        expect(decoded(recording.one("cluster-firewall", T.options).inputs.enabled)).toBe(false);
    });

    // Fact P5: a VM naming a mapping that does not exist fails to start.
    it("creates each PCI and USB mapping by its inventory name, with its node, id, path and IOMMU facts", async () => {
        const { recording } = await deployCluster();
        expect(recording.one("cluster-pci-opnsense-wan", T.pci).inputs).toEqual({
            name: "opnsense-wan",
            comment: "Intel i226-V, the WAN port",
            maps: [{ node: "pve-network", id: "8086:125c", path: "0000:01:00.0", subsystemId: "8086:0000", iommuGroup: 12 }],
        });
        expect(recording.one("cluster-usb-coral", T.usb).inputs).toEqual({
            name: "coral",
            comment: "Coral USB TPU",
            maps: [{ node: "pve-storage", id: "18d1:9302" }],
        });
    });

    it("registers the inventory facts the policy pack reads", async () => {
        const { recording } = await deployCluster();
        const outputs = recording.one("cluster", T.cluster).outputs;
        expect(outputs).toMatchObject({
            name: "attic",
            qdeviceAddress: "192.168.10.13",
            idScheme: "vlan",
            idOffset: 0,
            managedRoots: ["/tank", "/rpool/appdata"],
            hostIdFloor: 100000,
            automationTokenId: "homelab@pve!homelab",
            nodes: [
                { name: "pve-network", address: "192.168.10.11" },
                { name: "pve-storage", address: "192.168.10.12" },
            ],
        });
        expect((outputs.networks as unknown[])[1]).toEqual({
            name: "trusted",
            vlan: 20,
            cidr: "192.168.20.0/24",
            gateway: "192.168.20.1",
            reserved: [{ first: "192.168.20.100", last: "192.168.20.199", purpose: "DHCP pool of the router" }],
        });
    });

    it("reserves the virtual IP of a keepalived group in its members' network", async () => {
        const withHa: Inventory = {
            ...inv,
            ha: { proxy: { kind: "keepalived", members: ["edge", "cloud"], vip: "192.168.30.5", vrrpId: 5 } },
        };
        const { recording } = await deployCluster(withHa);
        const services = (recording.one("cluster", T.cluster).outputs.networks as { name: string; reserved: unknown[] }[]).find(
            (n) => n.name === "services",
        );
        expect(services?.reserved).toEqual([{ first: "192.168.30.5", last: "192.168.30.5", purpose: "virtual IP of HA group proxy" }]);
    });
});
