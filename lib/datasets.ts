/**
 * Facts about datasets every layer shares. Pure.
 */

/** Host path of a dataset: its mountpoint property, or `/<name>` as ZFS defaults it. */
export function datasetMountpoint(path: string, mountpoint?: string): string {
    return mountpoint ?? `/${path}`;
}
