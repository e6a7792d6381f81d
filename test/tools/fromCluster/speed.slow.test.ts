/**
 * Speed: the reader on a recorded cluster of 100 guests (the two-node recording with 100 containers
 * made from its `dns` container), served by the stand-in on 127.0.0.1: reading every guest's config
 * and firewall over HTTPS and writing the inventory takes under a second. A loopback stand-in answers
 * in microseconds, so this measures the reader's own work and its concurrency, not a real cluster.
 */
import { ProxmoxApi } from "../../../tools/fromCluster/api";
import { renderStackFile } from "../../../tools/fromCluster/document";
import { inventoryFromSnapshot } from "../../../tools/fromCluster/inventory";
import { readCluster } from "../../../tools/fromCluster/read";
import { TOKEN, recordedApi, recordedRunner, recordedSsh, startStandIn } from "./standin";

type Answer = { data: Record<string, unknown> & unknown[] };

/** The recorded cluster with 100 containers on VLAN 30 instead of its four guests. */
function hundredGuests(): Record<string, unknown> {
    const api = recordedApi();
    const template = api["/nodes/pve1/lxc/30011/config"] as Answer;
    const options = api["/nodes/pve1/lxc/30011/firewall/options"];
    const rules = api["/nodes/pve1/lxc/30011/firewall/rules"];
    const resources: unknown[] = [];
    for (const key of Object.keys(api)) if (/^\/nodes\/pve\d\/(lxc|qemu)\//.test(key)) delete api[key];
    for (let i = 0; i < 100; i++) {
        const octet = 101 + i;
        const vmid = 30000 + octet;
        const node = i % 2 === 0 ? "pve1" : "pve2";
        const name = `app${octet}`;
        resources.push({ id: `lxc/${vmid}`, type: "lxc", vmid, node, name, status: "running", template: 0 });
        const base = `/nodes/${node}/lxc/${vmid}`;
        api[`${base}/config`] = {
            data: {
                ...template.data,
                hostname: name,
                net0: `name=eth0,bridge=vmbr0,firewall=1,gw=192.168.30.1,ip=192.168.30.${octet}/24,tag=30,type=veth`,
                rootfs: `local-zfs:subvol-${vmid}-disk-0,size=4G`,
            },
        };
        api[`${base}/firewall/options`] = options;
        api[`${base}/firewall/rules`] = rules;
        api[`${base}/firewall/ipset`] = { data: [] };
    }
    api["/cluster/resources?type=vm"] = { data: resources };
    api["/cluster/backup"] = { data: [] };
    api["/cluster/ha/resources"] = { data: [] };
    return api;
}

it("reads a recorded cluster of 100 guests and writes its inventory in under a second", async () => {
    const stand = await startStandIn(hundredGuests());
    const api = new ProxmoxApi({ endpoint: stand.url, token: TOKEN, ca: stand.ca });
    try {
        // One call first: the TLS handshake and the module loading are not the reader's work.
        await api.get("/version");
        // The best of three runs: a machine busy with other suites slows one run, not the reader.
        let elapsed = Infinity;
        let result: { snapshot: Awaited<ReturnType<typeof readCluster>>; config: Record<string, unknown>; text: string } | undefined;
        for (let run = 0; run < 3; run++) {
            const started = performance.now();
            const snapshot = await readCluster(api, { ssh: { run: recordedRunner(recordedSsh()) } });
            const { config, notes } = inventoryFromSnapshot(snapshot, { endpoint: stand.url, insecure: false });
            const text = renderStackFile(config, notes.all, {
                endpoint: stand.url,
                readAt: snapshot.readAt,
                stack: "big",
                errors: snapshot.errors,
            });
            elapsed = Math.min(elapsed, performance.now() - started);
            result = { snapshot, config, text };
        }
        const { snapshot, config, text } = result!;
        expect(snapshot.errors).toEqual([]);
        expect(Object.keys(config["homelab:guests"] as object)).toHaveLength(100);
        expect(text).toContain("    app200:\n");
        expect(elapsed).toBeLessThan(1000);
    } finally {
        api.close();
        await stand.close();
    }
});
