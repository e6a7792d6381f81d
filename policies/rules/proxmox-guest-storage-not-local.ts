import { GuestStorageConfig, GUEST_STORAGE_SCHEMA } from "../config";
import { resourceRule } from "../define";
import { Props, record, records, str } from "../props";
import { guestFixAt, guestShape } from "../guestInputs";
import { GUEST_TYPES } from "../tokens";

/** Where the provider puts a container's root disk when `disk.datastoreId` is missing. */
const CONTAINER_DEFAULT_DATASTORE = "local";
/** Where the provider puts VM disks, EFI, TPM state and the cloud-init drive by default. */
const VM_DEFAULT_DATASTORE = "local-lvm";

const FIX = "a named ZFS or LVM-thin storage";

/**
 * `local` is the directory storage on the root disk: no snapshots worth having, no quota, and a
 * full root disk takes the node down. Leaving the storage out is the same mistake, because the
 * provider then picks `local` (containers) or `local-lvm` (VMs).
 */
export const proxmoxGuestStorageNotLocal = resourceRule<GuestStorageConfig>({
    name: "proxmox-guest-storage-not-local",
    description:
        "Checks that no guest volume (container root disk and mount volumes, VM disks, EFI disk, TPM state, cloud-init drive) is on `local` or left to the provider's default storage.",
    types: GUEST_TYPES,
    configSchema: GUEST_STORAGE_SCHEMA,
    validate: (props, ctx, report) => {
        const forbidden = new Set(ctx.config.forbiddenDatastores);
        // A guest from the inventory is fixed at its key (`guests.photos.disk.storage`), a hand-written one at the provider field.
        const fixAt = (inventoryField: string, field: string): string => guestFixAt(ctx.urn, inventoryField, field);
        const check = (
            what: string,
            field: string,
            inventoryField: string,
            datastore: string | undefined,
            providerDefault: string,
        ): void => {
            if (datastore === undefined || datastore === "") {
                report(
                    `The ${what} leaves \`${field}\` unset, so the provider puts it on "${providerDefault}". Set ${fixAt(inventoryField, field)} to ${FIX}.`,
                );
            } else if (forbidden.has(datastore)) {
                report(`The ${what} is on "${datastore}" (${fixAt(inventoryField, field)}). Move it to ${FIX}.`);
            }
        };
        // The components clone onto the root disk's storage (a container's disk, a VM's first disk).
        const checkClone = (clone: Props | undefined, inventoryField: string): void => {
            const target = str(clone?.datastoreId);
            if (target !== undefined && forbidden.has(target))
                report(`The clone target is on "${target}" (${fixAt(inventoryField, "clone.datastoreId")}). Clone to ${FIX}.`);
        };
        const shape = guestShape(ctx.type);
        if (shape === "cloned") {
            // A cloned VM keeps the disks of its source unless `clone.targetDatastore` or a disk's `datastoreId` moves them.
            const target = str(record(props.clone)?.targetDatastore);
            if (target !== undefined && forbidden.has(target))
                report(`The clone target is on "${target}" (\`clone.targetDatastore\`). Clone to ${FIX}.`);
            for (const [key, disk] of Object.entries(record(props.disk) ?? {})) {
                const datastore = str(record(disk)?.datastoreId);
                if (datastore !== undefined && forbidden.has(datastore))
                    report(`The disk ${key} is on "${datastore}" (\`disk.${key}.datastoreId\`). Move it to ${FIX}.`);
            }
            return;
        }
        // The experimental VM has no volumes in its inputs.
        if (shape === "experimental") return;
        checkClone(record(props.clone), shape === "container" ? "disk.storage" : "disks[0].storage");
        if (shape === "container") {
            check("root disk", "disk.datastoreId", "disk.storage", str(record(props.disk)?.datastoreId), CONTAINER_DEFAULT_DATASTORE);
            records(props.mountPoints).forEach((mp, i) => {
                const volume = str(mp.volume);
                // An absolute path is a bind mount (see proxmox-container-bind-mount-roots), not a volume.
                if (volume === undefined || volume.startsWith("/")) return;
                const storage = volume.split(":")[0];
                if (forbidden.has(storage))
                    report(
                        `Mount point ${str(mp.path) ?? `#${i}`} is a volume on "${storage}" (\`mountPoints[${i}].volume\`). Move it to ${FIX}.`,
                    );
            });
            return;
        }
        const disks = records(props.disks);
        if (disks.length === 0 && props.clone === undefined) {
            report(
                `The VM has no \`disks\`, so the provider creates a default disk on "${VM_DEFAULT_DATASTORE}". Declare its disks with \`datastoreId\` set to ${FIX}.`,
            );
        }
        disks.forEach((d, i) => {
            // A whole physical disk passed through by its device path lives on no storage (bpg:
            // `datastoreId: ""` with `pathInDatastore: "/dev/disk/by-id/..."`).
            if (str(d.datastoreId) === "" && str(d.pathInDatastore)?.startsWith("/dev/")) return;
            check(
                `disk ${str(d.interface) ?? `#${i}`}`,
                `disks[${i}].datastoreId`,
                `disks[${i}].storage`,
                str(d.datastoreId),
                VM_DEFAULT_DATASTORE,
            );
        });
        const efi = record(props.efiDisk);
        // EFI vars, TPM state and the cloud-init drive go to the inventory's `systemStorage`.
        if (efi !== undefined) check("EFI disk", "efiDisk.datastoreId", "systemStorage", str(efi.datastoreId), VM_DEFAULT_DATASTORE);
        const tpm = record(props.tpmState);
        if (tpm !== undefined) check("TPM state", "tpmState.datastoreId", "systemStorage", str(tpm.datastoreId), VM_DEFAULT_DATASTORE);
        const init = record(props.initialization);
        if (init !== undefined)
            check("cloud-init drive", "initialization.datastoreId", "systemStorage", str(init.datastoreId), VM_DEFAULT_DATASTORE);
    },
});
