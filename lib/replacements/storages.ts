/** Rows of the replacement table: the storage definitions (the factory's id plus each kind's own fields). */
import { BPG, ReplaceRule, ResourceRules, rules } from "./rule";

const STORAGE_GO = (file: string) => `${BPG} fwprovider/storage/${file}`;
/** Every storage kind shares the factory's `id` attribute (RequiresReplace), bridged as `resourceId`. */
const STORAGE_ID: ReplaceRule = { path: "resourceId", source: STORAGE_GO("schema_factory.go") };
/** P13: the bridge sets no delete-before-replace, so a new definition with the same id is created first. */
const STORAGE_CREATE_FIRST_NOTE =
    "P13: the provider creates the new storage before deleting the old one and fails with 'storage ID already defined'; " +
    "set deleteBeforeReplace on the resource or remove the storage in one deploy and add it in the next";
/** Deleting a storage definition touches no volume (pve-storage API2/Storage/Config.pm delete). */
const STORAGE_REPLACE_NOTE =
    "the delete removes only the definition: the volumes stay where they were, and a definition that points elsewhere " +
    "(another pool, path, server or share) does not find the guests' existing disks; move them first " +
    "(pve-storage src/PVE/API2/Storage/Config.pm delete)";
/** What deleting a guest removes besides the guest (pve-container and qemu-server destroy). */

export const STORAGE_ROWS: readonly ResourceRules[] = [
    {
        types: ["proxmoxve:storage/zfspool:Zfspool", "proxmoxve:storage/zfspoolLegacy:ZfspoolLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_zfs.go"), "zfsPool")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_zfs.go"),
    },
    {
        types: ["proxmoxve:storage/nfs:Nfs", "proxmoxve:storage/nfsLegacy:NfsLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_nfs.go"), "server", "export", "preallocation", "snapshotAsVolumeChain")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_nfs.go"),
    },
    {
        types: ["proxmoxve:storage/pbs:Pbs", "proxmoxve:storage/pbsLegacy:PbsLegacy"],
        kind: "custom",
        replaceOn: [
            STORAGE_ID,
            ...rules("P13", "server", "datastore", "username", "password", "namespace"),
            ...rules(STORAGE_GO("resource_pbs.go"), "encryptionKey", "generateEncryptionKey"),
        ],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_pbs.go"),
    },
    {
        types: ["proxmoxve:storage/directory:Directory", "proxmoxve:storage/directoryLegacy:DirectoryLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_directory.go"), "path")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_directory.go"),
    },
    {
        types: ["proxmoxve:storage/lvmthin:Lvmthin", "proxmoxve:storage/lvmthinLegacy:LvmthinLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_lvm_thin.go"), "volumeGroup", "thinPool")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_lvm_thin.go"),
    },
    {
        types: ["proxmoxve:storage/lvm:Lvm", "proxmoxve:storage/lvmLegacy:LvmLegacy"],
        kind: "custom",
        replaceOn: [STORAGE_ID, ...rules(STORAGE_GO("resource_lvm.go"), "volumeGroup")],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_lvm.go"),
    },
    {
        types: ["proxmoxve:storage/cifs:Cifs", "proxmoxve:storage/cifsLegacy:CifsLegacy"],
        kind: "custom",
        replaceOn: [
            STORAGE_ID,
            ...rules(
                STORAGE_GO("resource_cifs.go"),
                "server",
                "username",
                "password",
                "share",
                "domain",
                "subdirectory",
                "snapshotAsVolumeChain",
            ),
        ],
        replaceNote: STORAGE_REPLACE_NOTE,
        createFirstNote: STORAGE_CREATE_FIRST_NOTE,
        schema: STORAGE_GO("resource_cifs.go"),
    },
    {
        types: ["proxmoxve:ceph/pool:Pool"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/nodes/ceph/pool/resource.go`, "name", "nodeName", "erasureCoding", "addStorages"),
        replaceNote:
            "the delete destroys the Ceph pool and every RBD image in it (Proxmox refuses while a storage on the pool still " +
            "lists images, unless forceDestroy; with removeStorages the storages on the pool go too; pve-manager " +
            "PVE/API2/Ceph/Pool.pm destroypool); the program protects its pools, so a replacement stops at the delete",
        schema: `${BPG} fwprovider/nodes/ceph/pool/resource.go`,
    },
];
