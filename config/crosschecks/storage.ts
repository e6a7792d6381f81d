/**
 * Cross-checks of storages, hardware mappings and images.
 */
import { NodeSpec, StorageSpec } from "../schema";
import { didYouMean } from "../suggest";
import { checkCephStorage } from "./ceph";
import { CheckContext, systemPathReason } from "./context";

/** Content that is a guest's disk: never on the root disk's directory storage. */
export const GUEST_DISK_CONTENT = ["images", "rootdir"] as const;

/** Storage ids a guest disk must never use, whatever they are: the installer's directory storage. */
export const FORBIDDEN_GUEST_STORAGES = ["local"] as const;

/** Content each storage kind can hold (pvesm: a storage plugin's `content` list). */
const CONTENT_BY_KIND: Readonly<Record<StorageSpec["kind"], readonly string[]>> = {
    dir: ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import"],
    nfs: ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import"],
    cifs: ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import"],
    cephfs: ["vztmpl", "iso", "backup", "snippets", "import"],
    lvm: ["images", "rootdir"],
    lvmthin: ["images", "rootdir"],
    zfspool: ["images", "rootdir"],
    rbd: ["images", "rootdir"],
    pbs: ["backup"],
};

/** Kinds whose volumes every node of the storage sees (Proxmox HA and migration without replication). */
export const SHARED_KINDS: readonly StorageSpec["kind"][] = ["nfs", "cifs", "rbd", "cephfs"];

/** Kinds that allow linked clones of a template (snapshots of the base volume). */
export const LINKED_CLONE_KINDS: readonly StorageSpec["kind"][] = ["zfspool", "lvmthin", "rbd"];

/** The ZFS pools a node has: its boot pool, its data pools and the pools under zfspool storages it has. */
export function nodePools(ctx: CheckContext, name: string, node: NodeSpec): string[] {
    const pools = new Set<string>(node.pools);
    if (node.boot && "pool" in node.boot) pools.add(node.boot.pool);
    for (const storage of Object.values(ctx.inv.storages))
        if (storage.kind === "zfspool" && ctx.storageNodes(storage).includes(name)) pools.add(storage.pool.split("/")[0]);
    return [...pools].sort();
}

/** Why a storage may not hold guest disks (judged by what it is, not only its id), or undefined. */
export function guestDiskStorageProblem(id: string, storage: StorageSpec | undefined): string | undefined {
    if ((FORBIDDEN_GUEST_STORAGES as readonly string[]).includes(id))
        return `"${id}" is the root disk's directory storage: guest disks never go there; use a named ZFS or LVM-thin storage`;
    if (storage?.kind === "dir") {
        const why = systemPathReason(storage.path);
        if (why)
            return `storage "${id}" is a directory on the root disk (${storage.path}, ${why}): guest disks never go there; use a named ZFS or LVM-thin storage`;
    }
    return undefined;
}

export function checkStorages(ctx: CheckContext): void {
    const zfsPools = new Map<string, string>();
    for (const [id, storage] of Object.entries(ctx.inv.storages)) {
        const base = ["storages", id];
        (storage.nodes ?? []).forEach((n, i) => ctx.requireNode([...base, "nodes", i], n));
        const allowed = CONTENT_BY_KIND[storage.kind];
        storage.content.forEach((c, i) => {
            if (!allowed.includes(c))
                ctx.add(
                    [...base, "content", i],
                    `a ${storage.kind} storage cannot hold "${c}" content (it holds: ${allowed.join(", ")}); remove it`,
                );
        });
        checkCephStorage(ctx, id, storage);
        if (storage.kind === "dir") {
            const why = systemPathReason(storage.path);
            if (why && storage.managed)
                ctx.add(
                    [...base, "path"],
                    `${storage.path} is ${why}; a new directory storage belongs on a data disk or pool, not the root file system`,
                );
            else if (why && storage.content.some((c) => (["images", "rootdir"] as string[]).includes(c)))
                ctx.add(
                    [...base, "content"],
                    `storage "${id}" is a directory on the root disk (${storage.path}); remove images and rootdir from its content and keep guest disks on ZFS or LVM-thin`,
                );
        }
        if (storage.kind === "zfspool") {
            const other = zfsPools.get(storage.pool);
            if (other)
                ctx.add(
                    [...base, "pool"],
                    `storage "${other}" already stands on ${storage.pool}; two storages on one dataset give one disk two volume ids (a rescan shows live disks as unused), so use "${other}"`,
                    [`storages.${other}`],
                );
            zfsPools.set(storage.pool, id);
            if (storage.pool === "rpool/data" && storage.managed && id !== "local-zfs")
                ctx.add(
                    [...base, "pool"],
                    `a ZFS install already defines local-zfs on rpool/data; declare it as storages.local-zfs { kind: zfspool, pool: rpool/data, managed: false } and use that`,
                );
        }
        if (storage.kind === "pbs") checkPbsStorage(ctx, id, storage);
    }
}

function checkPbsStorage(ctx: CheckContext, id: string, storage: Extract<StorageSpec, { kind: "pbs" }>): void {
    const base = ["storages", id];
    if ((storage.guest === undefined) === (storage.server === undefined)) {
        ctx.add(
            base,
            `a PBS storage names either guest (a PBS guest of this inventory, set up by the program) or server (a PBS it does not manage), not ${storage.guest ? "both" : "neither"}`,
        );
        return;
    }
    if (storage.server !== undefined && storage.fingerprint === undefined)
        ctx.add(
            [...base, "fingerprint"],
            `a PBS the program does not manage cannot be asked for its certificate; pin its fingerprint (proxmox-backup-manager cert info on the PBS)`,
        );
    if (storage.server !== undefined && storage.nfs !== undefined)
        ctx.add(
            [...base, "nfs"],
            `the datastore's NFS mount is set up only on a PBS guest of this inventory; remove nfs or name the guest`,
        );
    if (storage.guest !== undefined) {
        const guest = ctx.requireGuest([...base, "guest"], storage.guest);
        if (guest && guest.kind !== "vm")
            ctx.add([...base, "guest"], `guest "${storage.guest}" is a container; Proxmox Backup Server is installed on a VM here`, [
                `guests.${storage.guest}`,
            ]);
        if (guest && guest.kind === "vm" && guest.cloudInit === undefined)
            ctx.add(
                [...base, "guest"],
                `guest "${storage.guest}" has no cloudInit; the program installs PBS through cloud-init user data, so give it cloudInit and a Debian cloud image`,
                [`guests.${storage.guest}`],
            );
        if (ctx.inv.cluster.sshPublicKeys.length === 0)
            ctx.add(
                ["cluster", "sshPublicKeys"],
                `the PBS guest "${storage.guest}" lets in only these keys, and the program sets PBS up over SSH with one of them; add the public half of the key the program uses (PROXMOX_VE_SSH_PRIVATE_KEY or your agent's)`,
                [`storages.${id}`],
            );
        if (guest && guest.ipv4 === undefined)
            ctx.add(
                [...base, "guest"],
                `guest "${storage.guest}" has no ipv4; the program sets PBS up over SSH and PVE reaches it at that address, so give it a static ipv4`,
                [`guests.${storage.guest}`],
            );
        if (guest && "tier" in guest.backup)
            ctx.add(
                ["guests", storage.guest, "backup"],
                `the PBS guest cannot back itself up into its own datastore; exclude it with a reason`,
                [`storages.${id}`],
            );
    }
}

export function checkMappings(ctx: CheckContext): void {
    for (const kind of ["pci", "usb"] as const) {
        const pathsByNode = new Map<string, string>();
        for (const [name, mapping] of Object.entries(ctx.inv.mappings[kind])) {
            const seenNodes = new Set<string>();
            mapping.map.forEach((entry, i) => {
                const path = ["mappings", kind, name, "map", i];
                ctx.requireNode([...path, "node"], entry.node);
                if (seenNodes.has(entry.node))
                    ctx.add([...path, "node"], `node "${entry.node}" has two entries in this mapping; one device per node`);
                seenNodes.add(entry.node);
                const where = `${entry.node} ${"path" in entry ? entry.path : entry.id}`;
                const other = pathsByNode.get(where);
                if (other && kind === "pci")
                    ctx.add([...path, "path"], `${where} is already mapping "${other}"; a device belongs to one mapping`, [
                        `mappings.${kind}.${other}`,
                    ]);
                pathsByNode.set(where, name);
            });
        }
    }
}

/** Compressions the provider's download can undo, by URL suffix (bpg `decompression_algorithm`). */
export const DECOMPRESSION_BY_SUFFIX: Readonly<Record<string, string>> = { ".gz": "gz", ".bz2": "bz2", ".zst": "zst", ".lzo": "lzo" };
/** Compressions it cannot. */
const UNSUPPORTED_COMPRESSION = [".xz", ".lz4", ".7z", ".zip"] as const;

/** File name endings Proxmox accepts per content type (pve-storage Storage.pm: ISO_EXT_RE_0, VZTMPL_EXT_RE_1, IMPORT_EXT_RE_1). */
const FILE_EXTENSIONS: Readonly<Record<"iso" | "vztmpl" | "import", readonly string[]>> = {
    iso: [".iso", ".img"],
    vztmpl: [".tar", ".tar.gz", ".tar.xz", ".tar.zst", ".tar.bz2"],
    import: [".qcow2", ".raw", ".vmdk", ".ova"],
};

/** Container OS types by template name prefix (pct.conf(5) `ostype`); the provider's default `unmanaged` skips hostname and network setup. */
const CONTAINER_OS_TYPES: readonly [string, string][] = [
    ["debian-", "debian"],
    ["devuan-", "devuan"],
    ["ubuntu-", "ubuntu"],
    ["centos-", "centos"],
    ["rockylinux-", "centos"],
    ["almalinux-", "centos"],
    ["fedora-", "fedora"],
    ["opensuse-", "opensuse"],
    ["archlinux-", "archlinux"],
    ["alpine-", "alpine"],
    ["gentoo-", "gentoo"],
    ["nixos-", "nixos"],
];

/** The container OS type of a template file name, or undefined. */
export function containerOsType(fileName: string): string | undefined {
    return CONTAINER_OS_TYPES.find(([prefix]) => fileName.startsWith(prefix))?.[1];
}

export function checkImages(ctx: CheckContext): void {
    for (const [k, img] of Object.entries(ctx.inv.images)) {
        const base = ["images", k];
        const storage = ctx.requireStorage([...base, "storage"], img.storage);
        if (storage && !storage.content.includes(img.contentType))
            ctx.add(
                [...base, "storage"],
                `storage "${img.storage}" does not hold "${img.contentType}" content; add it to storages.${img.storage}.content or pick another storage`,
                [`storages.${img.storage}`],
            );
        const digestLength = img.checksumAlgorithm === "sha256" ? 64 : 128;
        if (img.checksum.length !== digestLength)
            ctx.add([...base, "checksum"], `a ${img.checksumAlgorithm} digest has ${digestLength} hex digits, got ${img.checksum.length}`);
        const lower = img.fileName.toLowerCase();
        const extensions = FILE_EXTENSIONS[img.contentType];
        if (!extensions.some((e) => lower.endsWith(e))) {
            const hint =
                img.contentType === "iso" && FILE_EXTENSIONS.import.some((e) => lower.endsWith(e))
                    ? `; a disk image (cloud image) is contentType import, which the VM imports as its system disk`
                    : "";
            ctx.add(
                [...base, "fileName"],
                `Proxmox stores ${img.contentType} files ending in ${extensions.join(", ")}; rename the file${hint}`,
            );
        }
        if (img.contentType === "vztmpl" && containerOsType(img.fileName) === undefined)
            ctx.add(
                [...base, "fileName"],
                `cannot tell the container's distribution from "${img.fileName}"; name the template file as Proxmox does (${CONTAINER_OS_TYPES.map(
                    ([p]) => p,
                )
                    .slice(0, 4)
                    .join(", ")}...)`,
            );
        let urlPath = "";
        try {
            urlPath = new URL(img.url).pathname.toLowerCase();
        } catch {
            continue;
        }
        const unsupported = UNSUPPORTED_COMPRESSION.find((s) => urlPath.endsWith(s));
        if (unsupported !== undefined && !lower.endsWith(unsupported))
            ctx.add(
                [...base, "url"],
                `the provider cannot decompress "${unsupported}" (it can: ${Object.keys(DECOMPRESSION_BY_SUFFIX).join(", ")}); use an uncompressed or .gz/.bz2/.zst URL`,
            );
        const decompressed = Object.keys(DECOMPRESSION_BY_SUFFIX).find((s) => urlPath.endsWith(s));
        if (decompressed !== undefined && img.contentType !== "vztmpl" && !lower.endsWith(decompressed))
            ctx.add(
                [...base, "url"],
                `a download the provider decompresses (${decompressed}) is planned for replacement on every refresh (the stored size never matches the URL's); use an uncompressed URL`,
            );
    }
    const used = new Set<string>();
    for (const g of Object.values(ctx.inv.guests)) if (g.image) used.add(g.image);
    void didYouMean;
}
