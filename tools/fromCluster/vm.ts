/**
 * A VM's config (qemu-server `QemuServer.pm` keys) as an inventory guest. Values are what the
 * provider reads back after the import (bpg `vmReadCustom`, `vmReadPrimitiveValues`,
 * `disk.Read`), so the import shows no change; what the inventory cannot state gets a note.
 */
import {
    VM_CLOUD_INIT_KEYS,
    driveKind,
    indexedKeys,
    parsePropertyString,
    pveBool,
    pveNumber,
    sizeBytes,
    sizeGiB,
    vmDriveKey,
    volumeStorage,
} from "../../lib/pveConfig";
import { agentEnabled } from "./read";
import { adoptedGuestFields, firewallSpec, tierAndTags } from "./guestCommon";
import { GuestContext, guestNotes } from "./guestContext";
import { GuestRead } from "./types";

/** Config keys of a VM the reader understands (anything else gets a note). */
const VM_KEYS = new Set([
    "acpi",
    "agent",
    "balloon",
    "bios",
    "boot",
    "cicustom",
    "citype",
    "ciupgrade",
    "ciuser",
    "cores",
    "cpu",
    "cpuunits",
    "description",
    "digest",
    "efidisk0",
    "machine",
    "memory",
    "meta",
    "name",
    "nameserver",
    "numa",
    "onboot",
    "ostype",
    "protection",
    "scsihw",
    "searchdomain",
    "smbios1",
    "sockets",
    "sshkeys",
    "startup",
    "tablet",
    "tags",
    "template",
    "tpmstate0",
    "vmgenid",
]);
const OS_TYPES = ["l26", "win11", "win10", "other"];
const DISK_OPTIONS_STATED = new Set(["file", "size", "discard", "format"]);

/** The inventory entry of a VM. */
export function vmGuest(name: string, g: GuestRead, ctx: GuestContext): Record<string, unknown> {
    const c = g.config!;
    const where = ["guests", name];
    const { notes } = ctx;
    const { tier, tags, cpuUnits } = tierAndTags(c, false, where, notes);
    const memory = pveNumber(parsePropertyString(String(c.memory ?? ""), "current").current);
    if (memory === undefined)
        notes.info([...where, "memoryMiB"], "memory is unset (Proxmox's 512 MiB); the provider reads 0, so the first up writes 512");
    const balloon = pveNumber(c.balloon);
    if (balloon === undefined)
        notes.info([...where, "memoryFloorMiB"], "balloon is unset (no ballooning below memory); the provider reads 0, stated here as 0");

    // Disks in the order of their drive keys; CD drives and the cloud-init drive are not disks.
    const drives = Object.keys(c)
        .map((k) => ({ key: k, drive: vmDriveKey(k) }))
        .filter((d): d is { key: string; drive: NonNullable<ReturnType<typeof vmDriveKey>> } => d.drive !== undefined)
        .filter((d) => driveKind(String(c[d.key])) === "disk" && !String(c[d.key]).startsWith("none"))
        .sort((a, b) => a.drive.bus.localeCompare(b.drive.bus) || a.drive.index - b.drive.index);
    const disks = drives.map(({ key }, i) => {
        const d = parsePropertyString(String(c[key]), "file");
        const file = d.file ?? "";
        if (key !== `scsi${i}`)
            notes.rule(
                [...where, "disks", i],
                `disk ${key}: the program addresses disks as scsi0, scsi1, ...; the first up would move it to scsi${i} (detach and attach)`,
            );
        const extra = Object.keys(d).filter((o) => !DISK_OPTIONS_STATED.has(o));
        if (extra.length > 0)
            notes.info([...where, "disks", i], `disk ${key} sets ${extra.map((o) => `${o}=${d[o]}`).join(", ")}; the first up resets them`);
        if (d.discard !== "on")
            notes.info([...where, "disks", i], `disk ${key} has discard ${d.discard ?? "unset"}; the first up turns it on`);
        if (file.startsWith("/dev/")) return { device: file };
        const gib = d.size !== undefined ? sizeGiB(d.size) : undefined;
        if (gib !== undefined && sizeBytes(d.size!) !== gib * 1024 ** 3)
            notes.info([...where, "disks", i], `disk ${key} is ${d.size}; the provider reads whole GiB (${gib})`);
        const storage = volumeStorage(file) ?? "";
        const problem = ctx.diskStorageProblem(storage);
        if (problem) notes.rule([...where, "disks", i, "storage"], `${problem}: move the disk (qm disk move) before adopting`);
        return { storage, sizeGiB: gib ?? 0 };
    });
    if (disks.length === 0) notes.fill([...where, "disks"], "the VM has no disk the inventory can state");

    const cpu = parsePropertyString(String(c.cpu ?? "qemu64"), "cputype");
    if (c.cpu === undefined) notes.info([...where, "cpuType"], "cpu is unset on the cluster (kvm64); the provider reads qemu64");
    if (Object.keys(cpu).some((k) => k !== "cputype"))
        notes.info([...where, "cpuType"], `cpu "${c.cpu}": options other than the type are reset by the first up`);
    const bios = c.bios === "ovmf" ? "ovmf" : "seabios";
    const machine = String(c.machine ?? "");
    const q35 = /^(?:pc-)?q35\b/.test(machine);
    if (machine !== "q35" && machine !== "pc")
        notes.info([...where, "machine"], `machine "${machine || "unset"}": the first up writes ${q35 ? "q35" : "pc"}`);
    const ostype = String(c.ostype ?? "");
    if (!OS_TYPES.includes(ostype))
        notes.info(
            [...where, "osType"],
            `ostype "${ostype || "unset"}": the inventory states l26, win11, win10 or other; the first up writes other`,
        );
    const efi = parsedDrive(c.efidisk0);
    const tpm = parsedDrive(c.tpmstate0);
    const firstStorage = disks.find((d): d is { storage: string; sizeGiB: number } => "storage" in d)?.storage;
    const systemStorage = volumeStorage(efi?.file ?? tpm?.file ?? "");
    if (efi && efi.efitype !== "4m")
        notes.rule(
            [...where, "bios"],
            `the EFI vars disk is ${efi.efitype ?? "2m"}; the program states 4m, a replacement the import refuses`,
        );
    const winKeys = ostype.startsWith("win");
    if (efi && pveBool(efi["pre-enrolled-keys"]) !== winKeys)
        notes.info(
            [...where, "bios"],
            `the EFI vars disk has pre-enrolled keys ${efi["pre-enrolled-keys"] ?? "0"}; the program states ${Number(winKeys)} for ${ostype || "this OS"}`,
        );

    const entry: Record<string, unknown> = {
        kind: "vm",
        ...ctx.identity(name, g, where),
        cores: pveNumber(c.cores) ?? 1,
        memoryMiB: memory ?? 512,
        memoryFloorMiB: balloon ?? 0,
        ...adoptedGuestFields(c, tier, cpuUnits),
        disks,
        cpuType: cpu.cputype,
        bios,
        machine: q35 ? "q35" : "pc",
        ...(tpm ? { tpm: true } : {}),
        ...(systemStorage !== undefined && systemStorage !== firstStorage ? { systemStorage } : {}),
        osType: OS_TYPES.includes(ostype) ? ostype : "other",
        agent: agentEnabled(c.agent),
    };
    const cdrom = vmCdrom(c, where, ctx);
    if (cdrom !== undefined) entry.cdrom = cdrom;
    const agent = parsePropertyString(String(c.agent ?? ""), "enabled");
    if (agentEnabled(c.agent) && pveBool(agent.fstrim_cloned_disks) !== true)
        notes.info([...where, "agent"], "the agent's fstrim_cloned_disks is off; the first up turns it on with the agent");
    if (agent.type !== undefined && agent.type !== "virtio")
        notes.info([...where, "agent"], `agent type ${agent.type}: the first up writes virtio`);
    const pci = vmMappings(c, "hostpci", where, ctx);
    if (pci.length > 0) entry.pciMappings = pci;
    const usb = vmMappings(c, "usb", where, ctx);
    if (usb.length > 0) entry.usbMappings = usb;
    if (tags.length > 0) entry.tags = tags;
    entry.backup = ctx.backupOf(g.resource.vmid, where);
    entry.firewall = firewallSpec(g.firewall, false, ctx.readAt, where, notes);
    vmDefaultsNotes(c, where, ctx, cdrom !== undefined);
    guestNotes(name, g, VM_KEYS, /^(?:net|scsi|virtio|sata|ide|hostpci|usb|ipconfig)\d+$/, where, ctx);
    return entry;
}

function parsedDrive(value: string | number | undefined): Record<string, string> | undefined {
    return value === undefined ? undefined : parsePropertyString(String(value), "file");
}

/** The CD drive: `none` (kept empty) or the ISO's volume id; the provider reads it back only on ide3 after an import (P35). */
function vmCdrom(c: Record<string, unknown>, where: (string | number)[], ctx: GuestContext): string | undefined {
    const keys = Object.keys(c).filter((k) => vmDriveKey(k) !== undefined && driveKind(String(c[k])) === "cdrom");
    if (keys.length === 0) return undefined;
    if (keys.length > 1 || keys[0] !== "ide2")
        ctx.notes.info([...where, "cdrom"], `CD drives ${keys.join(", ")}: the program states one, on ide2`);
    const file = parsePropertyString(String(c[keys[0]]), "file").file ?? "none";
    ctx.notes.info(
        [...where, "cdrom"],
        "after an import the provider reads a CD drive back only on ide3 (P35): the first up writes this drive again, unchanged",
    );
    return file === "cdrom" ? "none" : file;
}

/** PCI or USB passthrough by mapping; raw host devices are rule breaks. */
function vmMappings(
    c: Record<string, unknown>,
    prefix: "hostpci" | "usb",
    where: (string | number)[],
    ctx: GuestContext,
): Record<string, unknown>[] {
    const field = prefix === "hostpci" ? "pciMappings" : "usbMappings";
    const out: Record<string, unknown>[] = [];
    for (const key of indexedKeys(c, prefix)) {
        const p = parsePropertyString(String(c[key]), "host");
        if (p.mapping === undefined) {
            ctx.notes.rule(
                [...where, field],
                `${key} passes host device ${p.host ?? "?"} without a mapping; define a ${prefix === "hostpci" ? "PCI" : "USB"} mapping and use it`,
            );
            continue;
        }
        if (key !== `${prefix}${out.length}`)
            ctx.notes.info([...where, field], `${key}: the program numbers devices from ${prefix}0 in order`);
        const extra = Object.keys(p).filter((k) => !["mapping", "pcie", "usb3"].includes(k));
        if (extra.length > 0) ctx.notes.info([...where, field], `${key} sets ${extra.join(", ")}; the first up resets them`);
        if (prefix === "usb" && pveBool(p.usb3) !== true)
            ctx.notes.info([...where, field], `${key} is not usb3; the first up turns usb3 on`);
        out.push(prefix === "hostpci" ? { mapping: p.mapping, pcie: pveBool(p.pcie) === true } : { mapping: p.mapping });
    }
    return out;
}

/** Keys whose value the program leaves to the provider's default: a non-default value is changed by the first up. */
function vmDefaultsNotes(c: Record<string, unknown>, where: (string | number)[], ctx: GuestContext, cdrom: boolean): void {
    const defaults: [string, string][] = [
        ["acpi", "1"],
        ["tablet", "1"],
        ["numa", "0"],
        ["sockets", "1"],
        ["scsihw", "virtio-scsi-pci"],
    ];
    for (const [key, dflt] of defaults)
        if (c[key] !== undefined && String(c[key]) !== dflt)
            ctx.notes.info(where, `${key}: ${c[key]} is not in the inventory; the first up writes ${dflt}`);
    const boot = parsePropertyString(String(c.boot ?? ""), "order").order;
    const wanted = ["scsi0", ...(cdrom ? ["ide2"] : []), "net0"].join(";");
    if (boot !== wanted) ctx.notes.info(where, `boot order ${boot ?? "unset"}: the first up writes ${wanted}`);
    if (pveBool(c.onboot) !== !pveBool(c.template))
        ctx.notes.info(where, `onboot is ${c.onboot ?? "unset"}; the first up sets it to ${Number(!pveBool(c.template))}`);
    const smbios = parsePropertyString(String(c.smbios1 ?? ""));
    if (Object.keys(smbios).some((k) => k !== "uuid"))
        ctx.notes.info(where, "smbios1 sets more than the uuid; the inventory cannot state it");
    const cloudInit = VM_CLOUD_INIT_KEYS.filter((k) => c[k] !== undefined);
    const ciDrive = Object.keys(c).some((k) => vmDriveKey(k) !== undefined && driveKind(String(c[k])) === "cloudinit");
    if (cloudInit.length > 0 || ciDrive)
        ctx.notes.rule(
            where,
            `cloud-init settings (${[...cloudInit, ...(ciDrive ? ["the cloud-init drive"] : [])].join(", ")}) are not in the inventory (its cloudInit brings the program's own user data): the import shows them as removed`,
        );
}
