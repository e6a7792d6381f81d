/**
 * The change report end to end: pairs of inventories recorded by the real program under the mock
 * runtime, compared. Facts: P8 (container ForceNew fields), P9 (a VM disk's `importFrom` is not
 * ForceNew), C1 and C4 (a dataset's node is in its command's triggers), P10, and the engine's
 * dependent replacements (a container's node-side command goes with it).
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
import { parseInventory } from "../../config/parse";
import { guestsNeedingRoot } from "../../lib/privilege";

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
        expect(report.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, import: 0, unchanged: 178 });
        expect(report.dangers).toEqual([]);
        expect(report.advisories).toEqual([]);
        expect(renderChangeText(report)).toContain("  No changes: every resource is unchanged.\n");
    });

    it("docker turned off for an unprivileged container: its features change through the API token, which Proxmox refuses (P27), said with the procedure", async () => {
        const base = reference();
        const rootBefore = guestsNeedingRoot(parseInventory(base).guests);
        // A Docker container that needs root@pam for its features alone.
        const name = Object.keys(rootBefore).find((g) => {
            const after = reference((inv) => ((inv.guests[g] as { docker?: boolean }).docker = false));
            return (
                (base.guests[g] as { docker?: boolean }).docker === true && guestsNeedingRoot(parseInventory(after).guests)[g] === undefined
            );
        })!;
        expect(name).toBeDefined();
        const report = await changeReportOf(
            base,
            reference((inv) => ((inv.guests[name] as { docker?: boolean }).docker = false)),
        );
        const container = change(report, `${name}-container`);
        expect(container.op).toBe("update");
        expect(container.changedPaths).toEqual(expect.arrayContaining(["provider"]));
        expect(report.advisories.filter((a) => a.name === `${name}-container`).map((a) => a.message)).toContainEqual(
            expect.stringMatching(
                /^the container's features change through the API token, but after creation only root@pam may change them \(P27\)/,
            ),
        );
        // Adding docker goes through root@pam: no such advisory.
        const back = await changeReportOf(
            reference((inv) => ((inv.guests[name] as { docker?: boolean }).docker = false)),
            base,
        );
        expect(back.advisories.filter((a) => a.message.includes("(P27)"))).toEqual([]);
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

    it("template of a protected container changed: nothing happens to the container (the template only matters at create, E5), exit 0", async () => {
        const report = await changeReportOf(
            reference((inv) => addContainerImage(inv, "debian-13-lxc")),
            reference((inv) => {
                addContainerImage(inv, "debian-13-lxc");
                setContainerImage(inv, "cloud", "debian-13-lxc");
            }),
        );
        // The new template is downloaded on the container's node (only new containers use it).
        expect(changed(report)).toEqual([["images-node:pve-storage/debian-13-lxc", "create"]]);
        expect(change(report, "cloud-container").op).toBe("unchanged");
        expect(change(report, "cloud-host").op).toBe("unchanged");
        expect(report.exitCode).toBe(0);
        expect(report.dangers).toEqual([]);
    });

    it("a dataset's node changed: its command is replaced (the node is in its triggers), exit 1, naming the data and the way to move it (C1, C4)", async () => {
        const report = await changeReportOf(
            reference((inv) => addDataset(inv, "rpool/appdata/scratch", "pve-storage")),
            reference((inv) => {
                addDataset(inv, "rpool/appdata/scratch", "pve-storage");
                setDatasetNode(inv, "rpool/appdata/scratch", "pve-network");
            }),
        );
        expect(changed(report)).toEqual([["rpool/appdata/scratch-zfs", "replace"]]);
        expect(change(report, "rpool/appdata/scratch-zfs").replaceReasons).toEqual([
            { rule: "schema", path: "triggers[1]", source: "C1 (@pulumi/command marks triggers replaceOnChanges)" },
        ]);
        expect(report.exitCode).toBe(1);
        expect(report.dangers).toEqual([
            expect.objectContaining({ name: "rpool/appdata/scratch-zfs", kind: "protected" }),
            {
                urn: expect.any(String),
                type: "command:remote:Command",
                name: "rpool/appdata/scratch-zfs",
                kind: "data",
                why:
                    "dataset rpool/appdata/scratch moves from pve-storage to pve-network: its command's triggers hold the node, so the " +
                    "dataset is created empty on pve-network and the old one on pve-storage is left behind with the data (orphaned) (C1, C4)",
                procedure: "move data with zfs send/receive; a dataset's node cannot change in place",
            },
        ]);
    });

    it("a dataset removed: exit 1, naming the data left behind", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => removeDataset(inv, "tank/pbs")),
        );
        // Its NFS export goes too, and with it the firewall rule that let the PBS guest mount it (P36).
        expect(changed(report)).toEqual([
            ["cluster-firewall-rules", "update"],
            ["tank/pbs-zfs", "delete"],
        ]);
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

    it("the cluster's SSH keys changed: no container is replaced (ignoreChanges), their node-side commands update the keys", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) =>
                setSshKeys(inv, ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm1i0Vd6x3zGbVu7yJwz0bqRMQ3RXcHbmpXQ1gLXrxj new@workstation"]),
            ),
        );
        const all = report.groups.flatMap((g) => g.changes);
        const containers = all.filter((c) => c.type === CT);
        expect(containers).toHaveLength(7);
        // P8 makes the keys ForceNew; the components hide them from the engine and converge them from the node.
        for (const c of containers) expect(c).toMatchObject({ op: "unchanged", ignoredPaths: ["initialization.userAccount.keys[0]"] });
        expect(
            all.filter((c) => c.type === "command:remote:Command" && c.op !== "unchanged").map((c) => [c.name, c.op, c.changedPaths]),
        ).toEqual(["unifi", "edge", "photos", "cloud", "media", "nvr", "files"].map((g) => [`${g}-host`, "update", ["create", "update"]]));
        // The PBS VM's cloud-init user data holds the keys: a new snippet, delete-first (P28).
        expect(change(report, "pbs-user-data")).toMatchObject({
            op: "replace",
            order: "delete-then-create",
            replaceReasons: [{ rule: "schema", path: "sourceRaw.data" }],
        });
        // The VM names the snippet's fixed volume id itself and waits for it by dependsOn only: no input
        // of the VM comes from the replaced snippet, so the engine does not replace it (E5).
        expect(change(report, "pbs-vm").op).toBe("unchanged");
        expect(change(report, "pbs-vm").unknownInputs ?? []).toEqual([]);
        expect(report.advisories.find((a) => a.name === "pbs-vm")).toBeUndefined();
        expect(report.exitCode).toBe(0);
    });

    it("a container's VMID changed: replaced (P8) with its node-side command, its firewall updated, its address set replaced", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => setGuestVmid(inv, "unifi", 6)),
        );
        expect(change(report, "unifi-container").replaceReasons.map((r) => [r.path, r.source])).toEqual([["vmId", "P8"]]);
        expect(change(report, "unifi-host").replaceReasons.map((r) => [r.rule, r.path])).toEqual([["dependent", "triggers"]]);
        expect(change(report, "unifi-firewall")).toMatchObject({ op: "update", changedPaths: ["containerId"] });
        expect(change(report, "unifi-firewall-rules")).toMatchObject({ op: "update", changedPaths: ["containerId"] });
        expect(change(report, "unifi-addresses")).toMatchObject({
            op: "replace",
            changedPaths: ["cidrs[0].name", "containerId"],
            replaceReasons: [{ rule: "schema", path: "cidrs[0].name" }],
        });
        expect(change(report, "backups-backup_medium_pve-network")).toMatchObject({ op: "update", changedPaths: ["vmids[0]"] });
        expect(report.exitCode).toBe(1);
    });

    it("a VM's cloud image changed: importFrom updates in place and imports nothing (P9), advisory, exit 0", async () => {
        const report = await changeReportOf(
            reference((inv) => addCloudImage(inv, "debian-13-cloud-2")),
            reference((inv) => {
                addCloudImage(inv, "debian-13-cloud-2");
                setVmImage(inv, "pbs", "debian-13-cloud-2");
            }),
        );
        expect(change(report, "pbs-vm")).toMatchObject({
            op: "update",
            type: VM,
            changedPaths: ["disks[0].importFrom"],
            replaceReasons: [],
        });
        // In the order the components registered (the report groups by component).
        expect(changed(report)).toEqual(
            expect.arrayContaining([
                ["pbs-vm", "update"],
                ["images-node:pve-storage/debian-13-cloud-2", "create"],
                ["images-node:pve-storage/debian-13-cloud", "delete"],
            ]),
        );
        expect(changed(report)).toHaveLength(3);
        expect(report.advisories.filter((a) => a.name === "pbs-vm").map((a) => a.message)).toEqual([
            "disks[0].importFrom changes in place: the provider records the new image but never imports into an existing disk again, " +
                "so the VM keeps its system disk (P9; bpg/terraform-provider-proxmox v0.111.1 proxmoxtf/resource/vm/disk/disk.go Update)",
        ]);
        expect(report.exitCode).toBe(0);
    });

    it("a zfs storage's pool changed: replaced delete-first (no P13 collision), advisory naming the disks left behind", async () => {
        const report = await changeReportOf(
            reference(),
            reference((inv) => setStoragePool(inv, "tank-vm", "tank/vm2")),
        );
        expect(change(report, "storages-tank-vm")).toMatchObject({
            op: "replace",
            order: "delete-then-create",
            replaceReasons: [{ path: "zfsPool" }],
            note: expect.stringMatching(/^the delete removes only the definition/),
        });
        expect(report.dangers).toEqual([]);
        const advice = report.advisories.find((a) => a.name === "storages-tank-vm")?.message;
        expect(advice).toMatch(/^replaced \(deleted, then created\)/);
        expect(advice).not.toContain("storage ID already defined");
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
