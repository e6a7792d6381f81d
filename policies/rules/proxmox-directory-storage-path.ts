import { resourceRule } from "../define";
import { str } from "../props";
import { normalizeHostPath, systemPathCovering } from "../shared/paths";
import { DIRECTORY_STORAGE_TYPES } from "../tokens";

/**
 * A directory storage is judged by where it is, not by its id: one at `/var/lib/vz` is the
 * installer's `local` under another name (guests on the root disk), one at `/` or under a system
 * path mixes guest images and backups with the node's own files.
 */
export const proxmoxDirectoryStoragePath = resourceRule({
    name: "proxmox-directory-storage-path",
    description: "Checks that no directory storage, whatever its id, lives at `/`, at `/var/lib/vz` or under another system path.",
    types: DIRECTORY_STORAGE_TYPES,
    validate: (props, _ctx, report) => {
        const path = str(props.path);
        if (path === undefined) return;
        const system = systemPathCovering(normalizeHostPath(path));
        if (system === undefined) return;
        const what =
            system === "/var/lib/vz"
                ? "the installer's `local` storage under another id: guest disks and backups there fill the node's root disk"
                : system === "/"
                  ? "the root of the node's filesystem"
                  : `under ${system}, a system path of the node`;
        report(
            `The directory storage "${str(props.resourceId) ?? ""}" is at ${path}, ${what}. Put it on a dataset or disk of its own (a managed root such as /tank/...).`,
        );
    },
});
