/**
 * The contract between this program and a real cluster: for every fact of docs/provider-behaviour.md
 * the program relies on, a test over what it registers, on the reference stack and on generated
 * variants (tools/bench/generate.ts). The mock runtime accepts anything; these tests pin that what
 * the program sends is what the provider and Proxmox accept and do what we mean.
 */
import { readCredentials } from "../../config/loader";
import { parseInventory } from "../../config/parse";
import { Inventory } from "../../config/schema";
import { deployHomelab } from "../../program";
import { parseSharenfs } from "../../lib/nfs";
import { generateInventory } from "../../tools/bench/generate";
import { Recording, record } from "../helpers/harness";
import { RecordedResource } from "../helpers/harness";
import { TEST_PASSWORD, TEST_SSH_KEY, TEST_TOKEN, decoded, referenceInventory, setCredentials } from "../components/fixtures";

const T = {
    bridge: "proxmoxve:network/linux/bridge:Bridge",
    ct: "proxmoxve:index/containerLegacy:ContainerLegacy",
    vm: "proxmoxve:index/vmLegacy:VmLegacy",
    options: "proxmoxve:firewall/optionsLegacy:OptionsLegacy",
    ipset: "proxmoxve:firewall/ipsetLegacy:IpsetLegacy",
    clusterFirewall: "proxmoxve:cluster/firewallLegacy:FirewallLegacy",
    rules: "proxmoxve:firewall/rulesLegacy:RulesLegacy",
    pci: "proxmoxve:hardware/mapping/pci:Pci",
    usb: "proxmoxve:hardware/mapping/usb:Usb",
    download: "proxmoxve:download/file:File",
    snippet: "proxmoxve:index/fileLegacy:FileLegacy",
    command: "command:remote:Command",
    nodeFirewall: "proxmoxve:node/firewall:Firewall",
};
const STORAGE_TYPES = ["zfspool:Zfspool", "nfs:Nfs", "directory:Directory", "lvmthin:Lvmthin", "lvm:Lvm", "cifs:Cifs", "pbs:Pbs"].map(
    (t) => `proxmoxve:storage/${t}`,
);

async function recordStack(inv: Inventory): Promise<Recording> {
    setCredentials({ token: TEST_TOKEN, password: TEST_PASSWORD, sshKey: TEST_SSH_KEY });
    process.env.CLOUDFLARE_API_TOKEN = "cloudflare-token-for-tests";
    process.env.PBS_PASSWORD = "pbs-password-for-tests";
    try {
        const { recording } = await record(() => {
            deployHomelab(inv, readCredentials());
        });
        return recording;
    } finally {
        setCredentials({});
        delete process.env.CLOUDFLARE_API_TOKEN;
        delete process.env.PBS_PASSWORD;
    }
}

const reference = referenceInventory();
const STACKS: [string, () => Inventory][] = [
    ["the reference stack", () => reference],
    [
        "the reference stack after adoption (nodes no longer adopted)",
        () => ({ ...reference, nodes: Object.fromEntries(Object.entries(reference.nodes).map(([n, s]) => [n, { ...s, adopt: false }])) }),
    ],
    [
        "the reference stack read from a running cluster (cluster, mappings and guests adopted)",
        () => {
            // A JSON copy: structuredClone makes arrays of another realm under jest, which the SDK serializes as objects.
            const inv = JSON.parse(JSON.stringify(reference)) as Inventory;
            inv.cluster.adopt = true;
            for (const m of [...Object.values(inv.mappings.pci), ...Object.values(inv.mappings.usb)]) m.adopt = true;
            for (const g of Object.values(inv.guests)) g.adopt = true;
            return inv;
        },
    ],
    ["a generated stack of 10 guests", () => parseInventory(generateInventory(10))],
    ["a generated stack of 120 guests", () => parseInventory(generateInventory(120))],
];

const guestName = (recording: Recording, r: RecordedResource) => recording.get(r.parent!)!.name;
const isRouterOptions = (inv: Inventory, recording: Recording, r: RecordedResource) =>
    inv.guests[guestName(recording, r)]?.gateway === true;

describe.each(STACKS)("on %s", (name, inventory) => {
    let inv: Inventory;
    let recording: Recording;
    beforeAll(async () => {
        inv = inventory();
        recording = await recordStack(inv);
    });

    it("P1, P2: never creates a bridge; every bridge is imported by `<node>:<iface>`", () => {
        const bridges = recording.ofType(T.bridge);
        expect(bridges).toHaveLength(Object.keys(inv.nodes).length);
        for (const b of bridges) expect(b.options.importId).toBe(`${b.inputs.nodeName}:${b.inputs.name}`);
    });

    it("P3: while a node is adopted, its bridge ignores exactly what the installer leaves unset", () => {
        for (const b of recording.ofType(T.bridge)) {
            const adopted = inv.nodes[b.inputs.nodeName as string].adopt;
            expect(b.options.ignoreChanges).toEqual(adopted ? ["vlanAware", "vids", "comment"] : []);
        }
    });

    it("P5: every hardware mapping a VM names is registered, with an entry for the VM's node", () => {
        const pci = new Map(recording.ofType(T.pci).map((r) => [r.inputs.name as string, r]));
        const usb = new Map(recording.ofType(T.usb).map((r) => [r.inputs.name as string, r]));
        for (const vm of recording.ofType(T.vm)) {
            for (const h of (vm.inputs.hostpcis as { mapping: string }[] | undefined) ?? []) {
                const mapping = pci.get(h.mapping);
                expect(mapping).toBeDefined();
                expect((mapping!.inputs.maps as { node: string }[]).map((m) => m.node)).toContain(vm.inputs.nodeName);
            }
            for (const u of (vm.inputs.usbs as { mapping: string }[] | undefined) ?? []) expect(usb.get(u.mapping)).toBeDefined();
        }
    });

    it("P6: switches the datacenter firewall on, after the rules that keep the operator in", () => {
        const [options] = recording.ofType(T.clusterFirewall);
        expect(decoded(options.inputs.enabled)).toBe(true);
        expect(decoded(options.inputs.ebtables)).toBe(true);
        const clusterRules = recording.one("cluster-firewall-rules", T.rules);
        expect(options.options.dependsOn).toContain(clusterRules.urn);
        const rules = clusterRules.inputs.rules as { dport?: string; action: string }[];
        expect(rules.filter((r) => r.action === "ACCEPT").map((r) => r.dport)).toEqual(expect.arrayContaining(["8006", "22"]));
    });

    it("P36: the firewall lets each NFS export's clients reach the exporting node (rpcbind, NFS, mountd at its fixed port)", () => {
        const rules = recording.one("cluster-firewall-rules", T.rules).inputs.rules as Record<string, string>[];
        const nfs = rules.filter((r) => r.comment?.startsWith("homelab: NFS"));
        const exporting = new Set<string>();
        for (const ds of Object.values(inv.datasets)) {
            if (ds.properties.sharenfs === undefined || parseSharenfs(ds.properties.sharenfs).off) continue;
            exporting.add(ds.node);
            const dest = inv.nodes[ds.node].address;
            for (const c of parseSharenfs(ds.properties.sharenfs).clients) {
                const source = c.raw.replace(/^@/, "");
                expect(nfs).toContainEqual(
                    expect.objectContaining({ action: "ACCEPT", proto: "tcp", dport: "111,2049,20048", source, dest }),
                );
                expect(nfs).toContainEqual(expect.objectContaining({ action: "ACCEPT", proto: "udp", dport: "111,20048", source, dest }));
            }
        }
        if (name === "the reference stack") expect([...exporting]).toEqual(["pve-storage"]);
        // mountd listens where the rules say: each exporting node's preparation fixes its port.
        const preps = recording
            .ofType(T.command)
            .filter((c) => String(decoded(c.inputs.create)).includes("systemctl enable --now nfs-server"));
        expect(preps).toHaveLength(exporting.size);
        for (const prep of preps) expect(String(decoded(prep.inputs.create))).toContain("port=20048");
    });

    it("P7: every guest firewall states every option: no guest router advertisements, NDP on, IP and MAC filtering on (the router excepted)", () => {
        const options = recording.ofType(T.options);
        expect(options).toHaveLength(Object.keys(inv.guests).length);
        for (const o of options) {
            const router = isRouterOptions(inv, recording, o);
            expect({
                guest: guestName(recording, o),
                ...Object.fromEntries(["enabled", "dhcp", "ndp", "radv", "macfilter", "ipfilter"].map((k) => [k, decoded(o.inputs[k])])),
            }).toEqual({
                guest: guestName(recording, o),
                enabled: true,
                dhcp: false,
                ndp: true,
                radv: router,
                macfilter: true,
                ipfilter: !router,
            });
        }
    });

    it("P7: every guest with ipfilter on has an explicit ipfilter-net0 set holding its own address", () => {
        const sets = new Map(recording.ofType(T.ipset).map((s) => [guestName(recording, s), s]));
        for (const o of recording.ofType(T.options).filter((x) => decoded(x.inputs.ipfilter) === true)) {
            const guest = guestName(recording, o);
            const set = sets.get(guest);
            expect({ guest, name: set?.inputs.name }).toEqual({ guest, name: "ipfilter-net0" });
            expect((set!.inputs.cidrs as { name: string }[]).map((c) => c.name)).toContain(inv.guests[guest].ipv4);
        }
    });

    it("P8: never gives the provider a container's mounts or the keys it sets only at creation", () => {
        for (const ct of recording.ofType(T.ct)) {
            expect(ct.inputs).not.toHaveProperty("mountPoints");
            expect(ct.options.ignoreChanges).toEqual(expect.arrayContaining(["mountPoints", "initialization.userAccount"]));
        }
    });

    it("P9: imports disk images (importFrom), never boots one by the ForceNew fileId", () => {
        for (const vm of recording.ofType(T.vm))
            for (const d of vm.inputs.disks as Record<string, unknown>[]) expect(d).not.toHaveProperty("fileId");
    });

    it("P10: protects every stateful guest in Pulumi and in Proxmox; a replacement deletes first, never while adopting", () => {
        for (const r of [...recording.ofType(T.ct), ...recording.ofType(T.vm)]) {
            const spec = inv.guests[guestName(recording, r)];
            expect({
                name: r.name,
                protect: r.options.protect,
                protection: decoded(r.inputs.protection),
                dbr: r.options.deleteBeforeReplace,
            }).toEqual({
                name: r.name,
                protect: spec.stateful || spec.adopt,
                protection: spec.stateful,
                dbr: !spec.adopt,
            });
        }
    });

    it("P33: imports the firewall rules and options of every adopted guest, and the datacenter's of an adopted cluster", () => {
        for (const r of [...recording.ofType(T.rules), ...recording.ofType(T.options)]) {
            if (r.inputs.nodeName === undefined) {
                expect(r.options.importId).toBe(inv.cluster.adopt ? "cluster" : undefined);
                continue;
            }
            const spec = inv.guests[guestName(recording, r)];
            const kind = r.inputs.containerId !== undefined ? "container" : "vm";
            expect(r.options.importId).toBe(spec.adopt ? `${kind}/${spec.node}/${spec.vmid}` : undefined);
        }
        for (const r of [...recording.ofType(T.pci), ...recording.ofType(T.usb)]) {
            const kind = r.type === T.pci ? "pci" : "usb";
            expect(r.options.importId).toBe(inv.mappings[kind][r.inputs.name as string].adopt ? r.inputs.name : undefined);
        }
    });

    it("P34, E5: a container with no image sends no template; every container ignores the operatingSystem block after its create", () => {
        for (const r of recording.ofType(T.ct)) {
            const spec = inv.guests[guestName(recording, r)];
            if (spec.kind !== "lxc") throw new Error(`${r.name} is not a container`);
            const exists = spec.adopt || (spec.image === undefined && spec.clone === undefined);
            expect(r.inputs.operatingSystem === undefined).toBe(exists || spec.clone !== undefined);
            expect(r.options.ignoreChanges).toContain("operatingSystem");
        }
    });

    it("P28, E5: a VM's user data is a snippet replaced delete-first, whose fixed volume id the VM names itself (no input of the VM comes from it)", () => {
        let checked = 0;
        for (const vm of recording.ofType(T.vm)) {
            const id = (decoded(vm.inputs.initialization) as { userDataFileId?: string } | undefined)?.userDataFileId;
            if (id === undefined) continue;
            const snippet = recording.ofType(T.snippet).find((f) => f.parent === vm.parent)!;
            expect(snippet.options.deleteBeforeReplace).toBe(true);
            const source = decoded<{ fileName: string }>(snippet.inputs.sourceRaw);
            expect(id).toBe(`${snippet.inputs.datastoreId}:snippets/${source.fileName}`);
            expect(vm.propertyDependencies.initialization ?? []).not.toContain(snippet.urn);
            expect(vm.options.dependsOn).toContain(snippet.urn);
            checked++;
        }
        // The reference's PBS VM boots with user data.
        if (name === "the reference stack") expect(checked).toBeGreaterThan(0);
    });

    it("P11: enables the QEMU agent exactly where something installs it", () => {
        for (const vm of recording.ofType(T.vm)) {
            const spec = inv.guests[guestName(recording, vm)];
            if (spec.kind !== "vm") throw new Error("not a VM");
            const image = spec.image ? inv.images[spec.image] : undefined;
            expect((vm.inputs.agent as { enabled: boolean }).enabled).toBe(
                spec.agent ?? (spec.cloudInit !== undefined || image?.guestAgent === true),
            );
        }
    });

    it("P12: boots every VM from its system disk first, the CD drive on ide2", () => {
        for (const vm of recording.ofType(T.vm)) {
            expect((vm.inputs.bootOrders as string[])[0]).toBe("scsi0");
            if (vm.inputs.cdrom !== undefined) expect((vm.inputs.cdrom as { interface: string }).interface).toBe("ide2");
        }
    });

    it("P13: deletes storages, downloads and snippets before replacing them (their ids are fixed)", () => {
        for (const r of recording.resources.filter((x) => [...STORAGE_TYPES, T.download, T.snippet].includes(x.type)))
            expect({ name: r.name, deleteBeforeReplace: r.options.deleteBeforeReplace }).toEqual({
                name: r.name,
                deleteBeforeReplace: true,
            });
    });

    it("P14: defines no second storage on the installer's rpool/data", () => {
        for (const r of recording.ofType("proxmoxve:storage/zfspool:Zfspool")) expect(r.inputs.zfsPool).not.toBe("rpool/data");
    });

    it("P18: states rombar on every PCI device and every host firewall option", () => {
        for (const vm of recording.ofType(T.vm))
            for (const h of (vm.inputs.hostpcis as { rombar?: boolean }[] | undefined) ?? []) expect(h.rombar).toBe(true);
        for (const fw of recording.ofType(T.nodeFirewall))
            expect(Object.keys(fw.inputs).sort()).toEqual([
                "enabled",
                "logLevelForward",
                "logLevelIn",
                "logLevelOut",
                "ndp",
                "nfConntrackMax",
                "nfConntrackTcpTimeoutEstablished",
                "nftables",
                "nodeName",
                "nosmurfs",
                "smurfLogLevel",
                "tcpFlagsLogLevel",
            ]);
    });

    it("P19: lets the provider decompress no download", () => {
        for (const d of recording.ofType(T.download)) expect(d.inputs).not.toHaveProperty("decompressionAlgorithm");
    });

    it("P20: installs the NFS server on every node that exports, before its exporting datasets", () => {
        for (const node of Object.keys(inv.nodes)) {
            const host = recording.one(`${node}-host`, T.command);
            const exports = Object.entries(inv.datasets).filter(
                ([, d]) => d.node === node && d.properties.sharenfs && d.properties.sharenfs !== "off",
            );
            expect({ node, nfs: (host.inputs.create as string).includes("nfs-kernel-server") }).toEqual({ node, nfs: exports.length > 0 });
            for (const [path] of exports) expect(recording.one(`${path}-zfs`, T.command).options.dependsOn).toContain(host.urn);
        }
    });

    it("C2: pins the host key of every remote command's connection", () => {
        const commands = recording.ofType(T.command);
        expect(commands.length).toBeGreaterThan(0);
        for (const c of commands) expect((c.inputs.connection as { hostKey?: string }).hostKey).toMatch(/^ssh-ed25519 /);
    });

    it("C4: makes a dataset's node part of its identity (a change replaces, which protect stops at preview)", () => {
        for (const [path, ds] of Object.entries(inv.datasets)) {
            const command = recording.one(`${path}-zfs`, T.command);
            expect(command.inputs.triggers).toEqual([path, ds.node]);
            expect(command.options.protect).toBe(!ds.allowDestroy);
        }
    });

    it("P31: grants guests on /vms and defined storages on /storage, both propagated, never on a path Proxmox deletes with them", () => {
        const acls = recording.ofType("proxmoxve:index/acl:Acl").map((a) => [String(a.inputs.path), a.inputs.propagate]);
        expect(acls).toContainEqual(["/vms", true]);
        expect(acls.filter(([p]) => String(p).startsWith("/vms/"))).toEqual([]);
        const defined = recording.resources.filter((r) => STORAGE_TYPES.includes(r.type)).map((r) => String(r.inputs.resourceId));
        expect(defined.length).toBeGreaterThan(0);
        expect(acls).toContainEqual(["/storage", true]);
        expect(acls.filter(([p]) => String(p).startsWith("/storage/"))).toEqual([]);
        // Everything else sits on its own path, unpropagated.
        expect(acls.filter(([p, propagate]) => propagate === true && p !== "/vms" && p !== "/storage")).toEqual([]);
    });

    it("P32: every root@pam provider states an empty API token, so bpg never takes the environment's over the password", () => {
        const providers = recording.ofType("pulumi:providers:proxmoxve");
        const root = providers.filter((p) => p.inputs.username === "root@pam");
        expect(root.map((p) => p.name)).toEqual(["proxmox-root"]);
        for (const p of root)
            expect([p.name, p.inputs.apiToken, p.secretPaths]).toEqual([p.name, "", expect.arrayContaining(["apiToken"])]);
    });
});

describe("changes that must not replace a guest", () => {
    const containerInputs = (recording: Recording, guest: string) => recording.one(`${guest}-container`, T.ct).inputs;

    // Fact P8: a change to the provider's mount list replaces the container.
    it("P8: a new dataset mount changes the container's node-side command only", async () => {
        const base = await recordStack(reference);
        const changed = await recordStack({
            ...reference,
            datasets: {
                ...reference.datasets,
                "tank/media": {
                    ...reference.datasets["tank/media"],
                    mounts: [...reference.datasets["tank/media"].mounts, { guest: "cloud", path: "/mnt/media", readOnly: true }],
                },
            },
        });
        expect(containerInputs(changed, "cloud")).toEqual(containerInputs(base, "cloud"));
        expect(changed.one("cloud-host", T.command).inputs.update).not.toEqual(base.one("cloud-host", T.command).inputs.update);
        expect(changed.one("cloud-host", T.command).inputs.triggers).toEqual(base.one("cloud-host", T.command).inputs.triggers);
    });

    it("P8: a rotated SSH key changes only fields the container ignores, and its node-side command", async () => {
        const base = await recordStack(reference);
        const rotated = await recordStack({
            ...reference,
            cluster: {
                ...reference.cluster,
                sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGjNewKeyNewKeyNewKeyNewKeyNewKeyNewKeyNewKeyN new@workstation"],
            },
        });
        const strip = (inputs: Record<string, unknown>) => ({
            ...inputs,
            initialization: { ...(inputs.initialization as object), userAccount: undefined },
        });
        expect(strip(containerInputs(rotated, "unifi"))).toEqual(strip(containerInputs(base, "unifi")));
        expect(rotated.one("unifi-container", T.ct).options.ignoreChanges).toContain("initialization.userAccount");
        expect(rotated.one("unifi-host", T.command).inputs.update).toContain("new@workstation");
    });

    // Fact P9: a new disk image must not replace the VM.
    it("P9: a new cloud image reaches the VM only through importFrom, which is not ForceNew", async () => {
        const base = await recordStack(reference);
        const bumped = await recordStack({
            ...reference,
            images: {
                ...reference.images,
                "debian-13-cloud": {
                    ...reference.images["debian-13-cloud"],
                    url: "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2",
                    fileName: "debian-12-genericcloud-amd64.qcow2",
                },
            },
        });
        const disk = (r: Recording) => (r.one("pbs-vm", T.vm).inputs.disks as Record<string, unknown>[])[0];
        expect(Object.keys(disk(bumped)).sort()).toEqual(Object.keys(disk(base)).sort());
        expect(disk(bumped)).not.toHaveProperty("fileId");
        expect(disk(bumped).importFrom).toBe(bumped.one("images-node:pve-storage/debian-13-cloud", T.download).id);
        expect(bumped.one("images-node:pve-storage/debian-13-cloud", T.download).inputs.fileName).toBe(
            "debian-12-genericcloud-amd64.qcow2",
        );
    });
});
