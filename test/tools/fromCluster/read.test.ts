/**
 * The cluster reader (npm run inventory:from-cluster) against recorded API responses of a two-node
 * cluster (fixtures/two-node, served by a stand-in on 127.0.0.1) and recorded SSH output: the
 * inventory it writes, the comments on rule breaks, and what it does when a call fails, times out
 * or is refused on one path. A recording stand-in: it proves what the reader makes of these
 * answers, not that every Proxmox version answers so (their origin: fixtures/README.md).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseInventory } from "../../../config/parse";
import { readStackFile } from "../../../config/stackfile";
import { main as validate } from "../../../tools/validate";
import { sink } from "../project";
import { runReader } from "./helpers";

const config = (yaml: string) => (parse(yaml) as { config: Record<string, unknown> }).config;

describe("reading the recorded two-node cluster", () => {
    let run: Awaited<ReturnType<typeof runReader>>;
    beforeAll(async () => {
        run = await runReader({ policyConfig: true });
    });

    it("writes a stack file that validates (npm run -s validate), and says so (exit 0)", () => {
        expect(run.stderr).toBe("");
        expect(run.stdout).toBe(
            "wrote Pulumi.lab.yaml (2 nodes, 4 guests, 2 datasets, 4 storages) and Pulumi.lab.cluster.json\n" +
                "2 values break a rule (RULE comments), 0 must be filled in (FILL IN), 6 notes\n" +
                "Pulumi.lab.yaml is valid; review the RULE comments, then run the adoption view (README, Adopting a running cluster)\n",
        );
        expect(run.code).toBe(0);
        const out = sink();
        expect(validate(["--stack", "lab"], run.dir, {}, out, sink())).toBe(0);
        expect(out.text()).toBe("ok: Pulumi.lab.yaml: 2 nodes, 4 guests, 2 datasets, 0 records\n");
    });

    it("adopts the cluster with its settings, its networks and its nodes (host keys read over SSH)", () => {
        const c = config(run.yaml!);
        expect(c["homelab:cluster"]).toEqual({
            name: "lab",
            domain: "lab.example.org",
            timezone: "Europe/Berlin",
            pveVersion: 8,
            endpoint: run.url,
            qdevice: { address: "192.168.10.5" },
            dnsServers: ["192.168.10.1"],
            idScheme: "off",
            managedRoots: ["/tank"],
            sshPublicKeys: [],
            firewall: { enabled: true },
            adopt: true,
        });
        expect(c["homelab:networks"]).toEqual({
            management: { cidr: "192.168.10.0/24", gateway: "192.168.10.1" },
            vlan30: { vlan: 30, cidr: "192.168.30.0/24", gateway: "192.168.30.1" },
        });
        expect(c["homelab:nodes"]).toEqual({
            pve1: {
                address: "192.168.10.11",
                hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIXrbQY8IGM490BYBjqtSfaYl9abUk6Bnphak9e9RiaY",
                cpu: "Intel(R) Core(TM) i5-12500",
                threads: 16,
                memoryGiB: 64,
                pools: ["tank"],
                adopt: true,
                bridge: { name: "vmbr0", ports: ["enp1s0"] },
            },
            pve2: {
                address: "192.168.10.12",
                hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJGdFMFdfc7clfNEKmBYs/25+WlzWnVeqgga5qXCd0Cs",
                cpu: "Intel(R) N100",
                threads: 8,
                memoryGiB: 32,
                adopt: true,
                bridge: { name: "vmbr0", ports: ["eno1"] },
            },
        });
    });

    it("declares every storage as existing (managed: false) and adopts the PCI mapping", () => {
        const c = config(run.yaml!);
        expect(c["homelab:storages"]).toEqual({
            local: { kind: "dir", path: "/var/lib/vz", content: ["iso", "vztmpl", "backup"], managed: false },
            "local-zfs": { kind: "zfspool", pool: "rpool/data", sparse: true, content: ["images", "rootdir"], managed: false },
            "tank-vm": { kind: "zfspool", pool: "tank/vm", sparse: true, content: ["rootdir", "images"], nodes: ["pve1"], managed: false },
            pbs: {
                kind: "pbs",
                server: "192.168.10.30",
                datastore: "main",
                username: "pve@pbs",
                fingerprint: "7A:1B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09",
                content: ["backup"],
                managed: false,
            },
        });
        expect(c["homelab:mappings"]).toEqual({
            pci: {
                "nic-i226": {
                    description: "Intel i226-V, the second port",
                    map: [{ node: "pve2", id: "8086:125c", path: "0000:03:00.0", subsystemId: "8086:0000", iommuGroup: 14 }],
                    adopt: true,
                },
            },
            usb: {},
        });
    });

    it("reads the data datasets with the properties set on them, the bind mount and the owner through the container's idmap", () => {
        expect(config(run.yaml!)["homelab:datasets"]).toEqual({
            "tank/media": {
                node: "pve1",
                properties: { recordsize: "1M", quota: "2T", atime: "off" },
                mounts: [{ guest: "media", path: "/srv/media", readOnly: false }],
                // Host 201000 is container uid 1000 through `u 1000 201000 1`.
                owner: { container: "media", uid: 1000, gid: 1000, mode: "0750" },
                backup: {
                    exclude: expect.stringMatching(
                        /^no backup of this dataset was found when the cluster was read \(\d{4}-\d\d-\d\d\); choose a tier$/,
                    ),
                },
            },
            "tank/archive": {
                node: "pve1",
                properties: { compression: "zstd", xattr: "sa" },
                backup: { exclude: expect.stringMatching(/^no backup of this dataset was found/) },
            },
        });
    });

    it("reads each guest as the provider will read it back: containers with their idmap and Docker flags, the VM with its mapping", () => {
        const guests = config(run.yaml!)["homelab:guests"] as Record<string, Record<string, unknown>>;
        expect(Object.keys(guests)).toEqual(["legacy", "dns", "media", "homeassistant"]);
        const firewall = (rules: unknown[]) => ({ inputPolicy: "DROP", outputPolicy: "ACCEPT", rules });
        expect(guests.dns).toEqual({
            kind: "lxc", node: "pve1", network: "vlan30", ipv4: "192.168.30.11", vmid: 30011, cores: 1, memoryMiB: 512, swapMiB: 512,
            tier: "critical", stateful: true, adopt: true, disk: { storage: "local-zfs", sizeGiB: 4 }, backup: { tier: "job-9a8b7c6d" },
            firewall: firewall([
                { action: "ACCEPT", direction: "in", proto: "udp", dport: "53", comment: "DNS" },
                { action: "ACCEPT", direction: "in", proto: "tcp", dport: "53", comment: "DNS over TCP" },
            ]),
        }); // prettier-ignore
        expect(guests.media).toEqual({
            kind: "lxc", node: "pve1", network: "vlan30", ipv4: "192.168.30.20", vmid: 30020, cores: 4, memoryMiB: 4096, swapMiB: 512,
            tier: "normal", stateful: true, adopt: true, disk: { storage: "tank-vm", sizeGiB: 16 }, docker: true,
            idmap: [
                { type: "uid", containerId: 0, hostId: 100000, size: 1000 },
                { type: "gid", containerId: 0, hostId: 100000, size: 1000 },
                { type: "uid", containerId: 1000, hostId: 201000, size: 1 },
                { type: "gid", containerId: 1000, hostId: 201000, size: 1 },
                { type: "uid", containerId: 1001, hostId: 101001, size: 64535 },
                { type: "gid", containerId: 1001, hostId: 101001, size: 64535 },
            ],
            tags: ["media"], backup: { tier: "job-9a8b7c6d" },
            firewall: firewall([{ action: "ACCEPT", direction: "in", proto: "tcp", dport: "8096", source: "192.168.30.0/24", comment: "Jellyfin" }]),
        }); // prettier-ignore
        expect(guests.legacy).toEqual({
            kind: "lxc", node: "pve2", network: "vlan30", ipv4: "192.168.30.50", vmid: 105, cores: 1, memoryMiB: 1024, swapMiB: 0,
            tier: "low", stateful: false, adopt: true, disk: { storage: "local-zfs", sizeGiB: 8 },
            privileged: { reason: expect.stringMatching(/^privileged on the running cluster when read \(\d{4}-\d\d-\d\d\); not reviewed yet$/) },
            backup: { exclude: expect.stringMatching(/^in no backup job on the cluster when read/) }, firewall: firewall([]),
        }); // prettier-ignore
        expect(guests.homeassistant).toEqual({
            kind: "vm", node: "pve2", network: "vlan30", ipv4: "192.168.30.30", vmid: 30030, cores: 2, memoryMiB: 4096, memoryFloorMiB: 2048,
            tier: "high", stateful: true, adopt: true, disks: [{ storage: "local-zfs", sizeGiB: 32 }], cpuType: "x86-64-v2-AES",
            bios: "ovmf", machine: "q35", osType: "l26", agent: true, pciMappings: [{ mapping: "nic-i226", pcie: true }],
            backup: { tier: "job-9a8b7c6d" }, firewall: firewall([]),
        }); // prettier-ignore
    });

    it("makes a backup tier of the cluster's vzdump job, with a window from its start time", () => {
        expect(config(run.yaml!)["homelab:backups"]).toEqual({
            target: "pbs",
            window: { start: "02:30", end: "04:30", slotMinutes: 30 },
            bandwidthLimitKiBps: 51200,
            tiers: { "job-9a8b7c6d": { every: "day", retention: { keepDaily: 7, keepWeekly: 4 } } },
        });
    });

    it("comments on each value that breaks a rule, above the key, and on what the first up leaves alone", () => {
        const yaml = run.yaml!;
        expect(yaml).toContain(
            "      # RULE: VMID 105 is off the ID scheme (VLAN 30 × 1000 + last octet of 192.168.30.50 = 30050); idScheme\n" +
                "      #   is off until the guests are renumbered\n      vmid: 105\n",
        );
        expect(yaml).toContain(
            "      # RULE: a privileged container: its root is the host's root; give the real reason, or back it up and\n" +
                "      #   restore it unprivileged\n      privileged: { reason:",
        );
        expect(yaml).toContain("    # note: an HA resource on the cluster (vm:30030, started); left as it is: add it to ha once adopted\n");
        expect(yaml.split("\n")[0]).toBe("# yaml-language-server: $schema=docs/inventory.schema.json");
        // Times and values a YAML 1.1 reader would take for something else are quoted.
        expect(yaml).toContain('window: { start: "02:30", end: "04:30", slotMinutes: 30 }');
        expect(yaml).toContain('atime: "off"');
    });

    it("keeps the snapshot it read, without secrets, for the adoption view", () => {
        const snapshot = JSON.parse(fs.readFileSync(path.join(run.dir, "Pulumi.lab.cluster.json"), "utf8"));
        expect(snapshot).toMatchObject({ format: 1, endpoint: run.url, errors: [] });
        expect(Object.keys(snapshot.guests)).toEqual(["105", "30011", "30020", "30030"]);
        expect(JSON.stringify(snapshot)).not.toContain("cipassword");
    });

    it("reads only with GET and runs only the fixed read commands over SSH, quoting the one path it passes", () => {
        expect(run.ssh).toEqual([
            "pve1@192.168.10.11: cat /etc/ssh/ssh_host_ed25519_key.pub",
            "pve1@192.168.10.11: zpool list -H -o name",
            expect.stringMatching(/^pve1@192\.168\.10\.11: set -eu\n/),
            "pve1@192.168.10.11: cat /etc/pve/corosync.conf",
            "pve1@192.168.10.11: stat -c '%u %g %a %n' -- '/tank/media' '/tank/archive'",
            "pve2@192.168.10.12: cat /etc/ssh/ssh_host_ed25519_key.pub",
            "pve2@192.168.10.12: zpool list -H -o name",
            expect.stringMatching(/^pve2@192\.168\.10\.12: set -eu\n/),
        ]);
        expect(readStackFile(path.join(run.dir, "Pulumi.lab.yaml")).secretKeys).toEqual([]);
        expect(fs.existsSync(path.join(run.dir, "policies", "stacks", "lab.json"))).toBe(true);
    });
});

describe("when calls fail", () => {
    it("records a call that keeps failing (500), writes the rest, and exits 1 naming it", async () => {
        const run = await runReader({ faults: { "/cluster/ha/resources": { status: 500, reason: "internal error" } } });
        expect(run.code).toBe(1);
        expect(run.stderr).toBe("Pulumi.lab.yaml is incomplete:\n  failed: GET /cluster/ha/resources: 500 internal error (2 attempts)\n");
        expect(run.yaml).toContain(
            "# Calls that failed (their parts are missing or marked FILL IN):\n#   GET /cluster/ha/resources: 500 internal error (2 attempts)\n",
        );
        expect(() => parseInventory(readStackFile(path.join(run.dir, "Pulumi.lab.yaml")).inventory)).not.toThrow();
    });

    it("times out a call that gets no answer and goes on without it", async () => {
        const run = await runReader({ faults: { "/nodes/pve2/firewall/options": { hang: true } } });
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
            "Pulumi.lab.yaml is incomplete:\n  failed: GET /nodes/pve2/firewall/options: no answer within 0.3 s (2 attempts)\n",
        );
        expect(Object.keys(config(run.yaml!)["homelab:guests"] as object)).toHaveLength(4);
    });

    it("leaves out the guest whose config a 403 refuses, names the privilege to grant, and keeps the others", async () => {
        const run = await runReader({
            faults: { "/nodes/pve2/qemu/30030/config": { status: 403, reason: "Permission check failed (/vms/30030, VM.Audit)" } },
        });
        expect(run.code).toBe(1);
        const guests = config(run.yaml!)["homelab:guests"] as object;
        expect(Object.keys(guests)).toEqual(["legacy", "dns", "media"]);
        expect(run.stderr).toContain(
            "  failed: GET /nodes/pve2/qemu/30030/config: 403 Permission check failed (/vms/30030, VM.Audit); the token likely lacks VM.Audit on /vms/30030",
        );
        expect(run.stderr).toContain(
            "  fill in: guests: guest 30030 (homeassistant) could not be read: GET /nodes/pve2/qemu/30030/config: 403",
        );
        // Its mapping and backup job were read all the same.
        expect(run.yaml).toContain("nic-i226:");
    });

    it("writes guests without a tier when the backup jobs are refused, and says what to fill in", async () => {
        const run = await runReader({ faults: { "/cluster/backup": { status: 403, reason: "Permission check failed (/, Sys.Audit)" } } });
        expect(run.code).toBe(1);
        expect(config(run.yaml!)["homelab:backups"]).toBeUndefined();
        expect(run.stderr).toContain(
            "  fill in: backups: the backup jobs could not be read (GET /cluster/backup); guests are written without a tier\n",
        );
    });

    it("runs nothing more on a node whose host key ssh refuses, and names the fix", async () => {
        const run = await runReader({ unknownHostKeys: ["pve2"] });
        expect(run.code).toBe(1);
        expect(run.ssh.filter((c) => c.startsWith("pve2@"))).toEqual([]);
        expect(run.stderr).toContain(
            "  failed: ssh root@192.168.10.12 (pve2): Host key verification failed.; the node's host key is not in known_hosts: check it on the node's console (cat /etc/ssh/ssh_host_ed25519_key.pub), add it, and run again\n" +
                "  fill in: nodes.pve2.hostKey: the host key was not read over SSH; give the line of /etc/ssh/ssh_host_ed25519_key.pub, read on the node's console\n",
        );
    });

    it("writes nothing when the guests cannot be listed (exit 2)", async () => {
        const run = await runReader({ faults: { "/cluster/resources?type=vm": { status: 500, reason: "internal error" } } });
        expect(run.code).toBe(2);
        expect(run.stderr).toBe("error: GET /cluster/resources?type=vm: 500 internal error (2 attempts); nothing was written\n");
        expect(run.yaml).toBeUndefined();
        expect(fs.existsSync(path.join(run.dir, "Pulumi.lab.cluster.json"))).toBe(false);
    });
});

describe("rule breaks the inventory cannot hold", () => {
    it("comments on a root disk on local, and exits 1 with the cross-check that refuses it", async () => {
        const run = await runReader({
            api: (r) => {
                const cfg = (r["/nodes/pve2/lxc/105/config"] as { data: Record<string, unknown> }).data;
                cfg.rootfs = "local:105/vm-105-disk-0.raw,size=8G";
            },
        });
        expect(run.code).toBe(1);
        expect(run.yaml).toContain(
            '        # RULE: "local" is the root disk\'s directory storage: guest disks never go there; use a named ZFS or\n' +
                "        #   LVM-thin storage: move the disk (pct move-volume) before adopting\n        storage: local\n",
        );
        expect(run.stderr).toMatch(/invalid: .*guests\.legacy\.disk\.storage: "local" is the root disk's directory storage/);
    });

    it("refuses to write over an existing stack file unless --force", async () => {
        const first = await runReader();
        const out = sink();
        const err = sink();
        const { main } = await import("../../../tools/fromCluster/main");
        const code = await main(
            ["--endpoint", first.url, "--stack", "lab"],
            { env: { PROXMOX_VE_API_TOKEN: "reader@pve!adopt=x" }, dir: first.dir },
            out,
            err,
        );
        expect(code).toBe(2);
        expect(err.text()).toBe("error: Pulumi.lab.yaml exists; name a new stack with --stack NAME, or pass --force to replace it\n");
    });

    it("needs its endpoint and token, and explains itself", async () => {
        const { main } = await import("../../../tools/fromCluster/main");
        const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
            const out = sink();
            const err = sink();
            const code = await main(argv, { env, dir: "/nonexistent" }, out, err);
            return { code, out: out.text(), err: err.text() };
        };
        expect(await run([])).toEqual({
            code: 2,
            out: "",
            err: "error: --endpoint URL is required (the Proxmox API, such as https://192.168.10.11:8006/)\n",
        });
        expect((await run(["--endpoint", "https://192.168.10.11:8006/"])).err).toMatch(/^error: no API token: set PROXMOX_VE_API_TOKEN/);
        const help = await run(["--help"]);
        expect(help.code).toBe(0);
        expect(help.out.split("\n")[0]).toBe(
            "usage: npm run -s inventory:from-cluster -- [--stack NAME] [--endpoint URL] [--ca FILE] [--ssh-key FILE] [--ssh-user USER] [--ssh-port PORT] [--known-hosts FILE] [--insecure] [--no-ssh] [--force]",
        );
    });
});
