/**
 * The change report end to end: pairs of inventories recorded by the real program under the mock
 * runtime, compared. Facts: P8 (container ForceNew fields), P9 (a VM disk's fileId), P13 (storages
 * created before the old one is deleted), C4 (a dataset's node change is an update), P10.
 * The mutations go through the helpers of change-fixtures.ts (inventory-format dependent).
 */
import { ChangeReport } from "../../tools/change/report";
import { renderChangeText } from "../../tools/change/render";
import {
    addCloudImage,
    addContainerImage,
    addDataset,
    changeReportOf,
    reference,
    removeDataset,
    setBridgePorts,
    setContainerImage,
    setDatasetNode,
    setDnsZone,
    setGuestCores,
    setGuestMemory,
    setGuestVmid,
    setOffsiteBucket,
    setSshKeys,
    setStoragePool,
    setVmImage,
} from "./change-fixtures";

const CT = "proxmoxve:index/containerLegacy:ContainerLegacy";
const VM = "proxmoxve:index/vmLegacy:VmLegacy";

/** The changed resources of a report as [name, op]. */
const changed = (r: ChangeReport) => r.groups.flatMap((g) => g.changes.filter((c) => c.op !== "unchanged").map((c) => [c.name, c.op]));
const change = (r: ChangeReport, name: string) => r.groups.flatMap((g) => g.changes).find((c) => c.name === name)!;

describe("the change report of the reference inventory", () => {
    it("unchanged inventory: no changes, exit 0", async () => {
        const report = await changeReportOf(reference(), reference());
        expect(report.exitCode).toBe(0);
        expect(changed(report)).toEqual([]);
        expect(report.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, import: 0, unchanged: 106 });
        expect(report.dangers).toEqual([]);
        expect(report.advisories).toEqual([]);
        expect(renderChangeText(report)).toContain("  No changes: every resource is unchanged.\n");
    });

    it("memory of a guest changed: one update, exit 0", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => setGuestMemory(inv, "media", 6144)),
        );
        expect(changed(report)).toEqual([["media-container", "update"]]);
        expect(change(report, "media-container").changedPaths).toEqual(["memory.dedicated"]);
        expect(report.exitCode).toBe(0);
        expect(report.groups.find((g) => g.component?.name === "media")?.component).toMatchObject({
            type: "homelab:proxmox:LxcGuest",
            op: "unchanged",
        });
    });

    it("template of a protected container changed: replace, exit 1, naming it (P8)", async () => {
        const report = await changeReportOf(
            reference((inv) => addContainerImage(inv, "debian-13-lxc")),
            reference((inv) => {
                addContainerImage(inv, "debian-13-lxc");
                setContainerImage(inv, "cloud", "debian-13-lxc");
            }),
        );
        expect(change(report, "cloud-container")).toMatchObject({
            op: "replace",
            order: "delete-then-create",
            protect: true,
            replaceReasons: [{ rule: "schema", path: "operatingSystem.templateFileId", source: expect.stringMatching(/^P8/) }],
        });
        expect(report.exitCode).toBe(1);
        expect(report.dangers.filter((d) => d.name === "cloud-container").map((d) => d.kind)).toEqual(["protected", "data"]);
        const text = renderChangeText(report);
        expect(text).toContain(
            "-+ cloud-container (proxmoxve:index/containerLegacy:ContainerLegacy): replace (delete, then create) by operatingSystem.templateFileId [P8",
        );
        expect(text).toContain("  ! cloud-container (proxmoxve:index/containerLegacy:ContainerLegacy) [protected]: protected in the state");
    });

    it("a dataset's node changed: exit 1, naming the data and the way to move it (C4)", async () => {
        const report = await changeReportOf(
            reference((inv) => addDataset(inv, "rpool/appdata/scratch", "pve-storage")),
            reference((inv) => {
                addDataset(inv, "rpool/appdata/scratch", "pve-storage");
                setDatasetNode(inv, "rpool/appdata/scratch", "pve-network");
            }),
        );
        expect(changed(report)).toEqual([["rpool/appdata/scratch-zfs", "update"]]);
        expect(report.exitCode).toBe(1);
        expect(report.dangers).toEqual([
            expect.objectContaining({
                name: "rpool/appdata/scratch-zfs",
                kind: "data",
                // Node names once the dataset component (or the cluster component) registers them; the SSH hosts until then.
                why: expect.stringMatching(
                    /^dataset rpool\/appdata\/scratch moves from (pve-storage|the node at 192\.168\.10\.12) to (pve-network|the node at 192\.168\.10\.11): .*\(C4\)$/,
                ),
                procedure: "move data with zfs send/receive; a dataset's node cannot change in place",
            }),
        ]);
    });

    it("a dataset removed: exit 1, naming the data left behind", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => removeDataset(inv, "tank/pbs")),
        );
        expect(changed(report)).toEqual([["tank/pbs-zfs", "delete"]]);
        expect(report.groups.find((g) => g.component?.name === "tank/pbs")?.component?.op).toBe("delete");
        expect(report.exitCode).toBe(1);
        expect(report.dangers.map((d) => [d.name, d.kind])).toEqual([
            ["tank/pbs-zfs", "protected"],
            ["tank/pbs-zfs", "data"],
        ]);
        expect(report.dangers[1].why).toMatch(
            /^dataset tank\/pbs on .* leaves the stack: its data stays on the node, no longer managed \(orphaned\)$/,
        );
    });

    it("the cluster's SSH keys changed: every container is replaced (P8: initialization.userAccount)", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) =>
                setSshKeys(inv, ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm1i0Vd6x3zGbVu7yJwz0bqRMQ3RXcHbmpXQ1gLXrxj new@workstation"]),
            ),
        );
        const containers = report.groups.flatMap((g) => g.changes).filter((c) => c.type === CT);
        expect(containers).toHaveLength(7);
        for (const c of containers) expect(c.replaceReasons.map((r) => r.path)).toEqual(["initialization.userAccount.keys[0]"]);
        expect(report.exitCode).toBe(1);
    });

    it("a container's VMID changed: replaced (P8), its firewall updated", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => setGuestVmid(inv, "unifi", 6)),
        );
        expect(change(report, "unifi-container").replaceReasons.map((r) => [r.path, r.source])).toEqual([["vmId", "P8"]]);
        expect(change(report, "unifi-firewall")).toMatchObject({ op: "update", changedPaths: ["containerId"] });
    });

    it("a VM's cloud image changed: the disk's fileId replaces it (P9)", async () => {
        const report = await changeReportOf(
            reference((inv) => addCloudImage(inv, "debian-13-cloud-2")),
            reference((inv) => {
                addCloudImage(inv, "debian-13-cloud-2");
                setVmImage(inv, "pbs", "debian-13-cloud-2");
            }),
        );
        expect(change(report, "pbs-vm")).toMatchObject({
            op: "replace",
            type: VM,
            replaceReasons: [{ path: "disks[0].fileId", source: "P9" }],
        });
        expect(report.dangers.filter((d) => d.name === "pbs-vm").map((d) => d.kind)).toEqual(["protected", "data"]);
    });

    it("a zfs storage's pool changed: replaced, and the report says the create fails (P13); advisory", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => setStoragePool(inv, "pve-network", "net-zfs", "rpool/guests")),
        );
        expect(change(report, "pve-network-storage-net-zfs")).toMatchObject({ op: "replace", replaceReasons: [{ path: "zfsPool" }] });
        expect(report.dangers).toEqual([]);
        expect(report.advisories.find((a) => a.name === "pve-network-storage-net-zfs")?.message).toContain("storage ID already defined");
    });

    it("the bridge's ports changed: the interface carrying the node's address, exit 1", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => setBridgePorts(inv, "pve-storage", ["enp3s0"])),
        );
        expect(changed(report)).toEqual([["pve-storage-vmbr0", "update"]]);
        expect(report.dangers).toEqual([expect.objectContaining({ name: "pve-storage-vmbr0", kind: "network" })]);
    });

    it("the router's cores changed: an update with an advisory, exit 0", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => setGuestCores(inv, "opnsense", 4)),
        );
        expect(changed(report)).toEqual([["opnsense-vm", "update"]]);
        expect(report.exitCode).toBe(0);
        expect(report.advisories.map((a) => a.message)).toEqual([
            "the router guest changes (cpu.cores): a change that needs a reboot interrupts routing",
        ]);
    });

    it("the DNS zone changed: every record is replaced (zoneId), advisory", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => setDnsZone(inv, "example.net")),
        );
        const records = report.groups.flatMap((g) => g.changes).filter((c) => c.type === "cloudflare:index/dnsRecord:DnsRecord");
        expect(records.map((c) => c.replaceReasons[0]?.path)).toEqual(["zoneId", "zoneId", "zoneId", "zoneId"]);
        expect(report.exitCode).toBe(0);
    });

    it("the offsite bucket renamed: the protected bucket would be replaced, exit 1", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => setOffsiteBucket(inv, "attic-pbs-offsite-2")),
        );
        expect(change(report, "offsite-bucket")).toMatchObject({ op: "replace", replaceReasons: [{ path: "bucket" }] });
        expect(report.dangers.filter((d) => d.name === "offsite-bucket").map((d) => d.kind)).toEqual(["protected", "data"]);
    });
});
