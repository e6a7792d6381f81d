/**
 * Script builders for what the program sets on a container from its node, as root over SSH,
 * instead of through the provider:
 *
 * - bind mounts (`pct set <vmid> --mpN <host>,mp=<path>`): the provider's `mountPoints` is
 *   ForceNew (P8), so a mount added through it replaces the container. `pct` on the node runs as
 *   root@pam, may add bind mounts and hot-plugs a new one into a running container; removing or
 *   changing one stays pending until the container restarts (pve-container
 *   `vmconfig_hotplug_pending`). Proxmox refuses mount changes on a protected container, so the
 *   script lifts `protection` for the change and restores it on exit.
 * - the managed block of root's `authorized_keys` (`pct exec`): the provider sets keys only at
 *   creation (`initialization.userAccount` is ForceNew, P8), so a rotated key reaches running
 *   containers through this block instead. Keys outside the block are left alone.
 *
 * Pure; every value is validated and shell-quoted. The scripts are POSIX sh with `set -eu`.
 */
import { refuse } from "./errors";
import { MAX_PATH_LENGTH, shellQuote } from "./shell";
import { SSH_PUBLIC_KEY_PATTERN, isSafeAbsolutePath } from "./patterns";

/** One bind mount as the container gets it. */
export interface ContainerMount {
    readonly hostPath: string;
    readonly containerPath: string;
    readonly readOnly: boolean;
}

export interface ContainerHostSpec {
    /** The container's VMID on this node. */
    readonly vmid: number;
    /** Bind mounts the container must have; other bind mounts under `managedRoots` are removed. */
    readonly mounts: readonly ContainerMount[];
    /** Host roots the program manages mounts under (a bind mount of another path is never touched). */
    readonly managedRoots: readonly string[];
    /** Public keys of the managed block of root's authorized_keys. */
    readonly sshPublicKeys: readonly string[];
}

/** Marker lines of the managed block of authorized_keys. */
export const KEYS_BEGIN = "# homelab: managed keys begin";
export const KEYS_END = "# homelab: managed keys end";

/** Validates a spec; throws naming the field on the first problem. */
export function validateContainerHostSpec(spec: ContainerHostSpec): ContainerHostSpec {
    if (!Number.isInteger(spec.vmid) || spec.vmid < 100 || spec.vmid > 999999999) refuse("vmid", "must be a VMID from 100", spec.vmid);
    const paths = new Set<string>();
    spec.mounts.forEach((m, i) => {
        for (const [field, value] of [
            ["hostPath", m.hostPath],
            ["containerPath", m.containerPath],
        ] as const)
            if (typeof value !== "string" || !isSafeAbsolutePath(value) || value.length > MAX_PATH_LENGTH)
                refuse(`mounts[${i}].${field}`, "must be a safe absolute path (letters, digits, spaces and _ . @ + : -)", value);
        if (paths.has(m.containerPath)) refuse(`mounts[${i}].containerPath`, "must be unique", m.containerPath);
        paths.add(m.containerPath);
        if (!spec.managedRoots.some((r) => m.hostPath === r || m.hostPath.startsWith(r.endsWith("/") ? r : `${r}/`)))
            refuse(`mounts[${i}].hostPath`, `must lie under a managed root (${spec.managedRoots.join(", ")})`, m.hostPath);
    });
    spec.managedRoots.forEach((r, i) => {
        if (!isSafeAbsolutePath(r) || r === "/") refuse(`managedRoots[${i}]`, "must be a safe absolute path other than /", r);
    });
    spec.sshPublicKeys.forEach((k, i) => {
        if (!SSH_PUBLIC_KEY_PATTERN.test(k) || k.includes("'")) refuse(`sshPublicKeys[${i}]`, "must be an OpenSSH public key line", k);
    });
    return spec;
}

/** The `mpN` value of a bind mount: `<host>,mp=<path>[,ro=1]`. */
export function mountValue(m: ContainerMount): string {
    return `${m.hostPath},mp=${m.containerPath}${m.readOnly ? ",ro=1" : ""}`;
}

/** The script run inside the container (by `pct exec`) that rewrites the managed block of authorized_keys. */
export function authorizedKeysScript(keys: readonly string[]): string {
    return [
        "set -eu",
        "umask 077",
        "mkdir -p /root/.ssh",
        "f=/root/.ssh/authorized_keys",
        'touch "$f"',
        `awk -v b=${shellQuote(KEYS_BEGIN)} -v e=${shellQuote(KEYS_END)} '$0 == b {skip = 1} !skip {print} $0 == e {skip = 0}' "$f" > "$f.homelab"`,
        `printf '%s\\n' ${[KEYS_BEGIN, ...keys, KEYS_END].map(shellQuote).join(" ")} >> "$f.homelab"`,
        'mv "$f.homelab" "$f"',
    ].join("\n");
}

/**
 * Converges the container's bind mounts and keys (create and update). Fails when the container
 * does not exist, or when a mount the program does not manage already takes a wanted path.
 */
export function containerHostScript(input: ContainerHostSpec): string {
    const spec = validateContainerHostSpec(input);
    const desired = spec.mounts.map((m) => mountValue(m));
    return (
        [
            `# homelab: bind mounts and SSH keys of container ${spec.vmid}`,
            "set -eu",
            `VMID=${shellQuote(String(spec.vmid))}`,
            'if ! pct config "$VMID" >/dev/null 2>&1; then',
            '    echo "homelab: container $VMID does not exist on this node" >&2',
            "    exit 1",
            "fi",
            "# Proxmox refuses mount changes on a protected container: lift protection for the change, restore it on exit.",
            'if pct config "$VMID" | grep -qx "protection: 1"; then',
            '    pct set "$VMID" --protection 0',
            "    trap 'pct set \"$VMID\" --protection 1' EXIT",
            "fi",
            "# Wanted mounts, one mpN value per line.",
            `WANTED=$(printf '%s\\n' ${desired.length > 0 ? desired.map(shellQuote).join(" ") : "''"})`,
            `ROOTS=$(printf '%s\\n' ${spec.managedRoots.map((r) => shellQuote(r.endsWith("/") && r.length > 1 ? r.slice(0, -1) : r)).join(" ")})`,
            "# Current mounts (with pending changes) as `mpN<TAB>value`.",
            'current() { pct config "$VMID" | awk \'/^mp[0-9]+: / {k = $1; sub(/:$/, "", k); v = $0; sub(/^mp[0-9]+: /, "", v); print k "\\t" v}\'; }',
            "# A mount's host path and container path.",
            "host_of() { printf '%s\\n' \"$1\" | cut -d, -f1; }",
            "path_of() { printf '%s\\n' \"$1\" | tr ',' '\\n' | sed -n 's/^mp=//p'; }",
            'managed() { printf \'%s\\n\' "$ROOTS" | while IFS= read -r r; do case "$1" in "$r" | "$r"/*) echo yes ;; esac; done | grep -q yes; }',
            "# Remove or change the managed mounts that are not wanted as they are.",
            "current | while IFS=\"$(printf '\\t')\" read -r key value; do",
            '    host=$(host_of "$value")',
            '    case "$host" in /*) ;; *) continue ;; esac',
            '    managed "$host" || continue',
            '    if printf \'%s\\n\' "$WANTED" | grep -qxF "$value"; then continue; fi',
            '    path=$(path_of "$value")',
            '    replacement=$(printf \'%s\\n\' "$WANTED" | while IFS= read -r w; do [ -n "$w" ] && [ "$(path_of "$w")" = "$path" ] && echo "$w"; done | head -n 1)',
            '    if [ -n "$replacement" ]; then',
            '        pct set "$VMID" "--$key" "$replacement"',
            '        echo "homelab: changed $key of container $VMID to $replacement (takes effect when the container restarts)" >&2',
            "    else",
            '        pct set "$VMID" --delete "$key"',
            '        echo "homelab: removed $key ($value) from container $VMID (unmounted when the container stops)" >&2',
            "    fi",
            "done",
            "# Add the wanted mounts that are missing, at the lowest free mpN (hot-plugged into a running container).",
            "printf '%s\\n' \"$WANTED\" | while IFS= read -r w; do",
            '    [ -n "$w" ] || continue',
            '    path=$(path_of "$w")',
            '    taken=$(current | while IFS="$(printf \'\\t\')" read -r key value; do [ "$(path_of "$value")" = "$path" ] && echo "$key"; done | head -n 1)',
            '    if [ -n "$taken" ]; then',
            '        value=$(current | awk -v k="$taken" -F "\\t" \'$1 == k {print $2}\')',
            '        host=$(host_of "$value")',
            '        if ! managed "$host"; then',
            '            echo "homelab: $taken of container $VMID already mounts $host at $path; remove it or pick another path" >&2',
            "            exit 1",
            "        fi",
            "        continue",
            "    fi",
            "    i=0",
            '    while current | cut -f1 | grep -qx "mp$i"; do i=$((i + 1)); done',
            '    pct set "$VMID" "--mp$i" "$w"',
            '    echo "homelab: added mp$i ($w) to container $VMID" >&2',
            "done",
            ...(spec.sshPublicKeys.length > 0
                ? [
                      "# Root's managed SSH keys, when the container runs (a stopped one gets them at its next converge).",
                      'if pct status "$VMID" | grep -qx "status: running"; then',
                      "    # The inner script runs inside the container: its $ expand there, not here.",
                      "    # shellcheck disable=SC2016",
                      `    pct exec "$VMID" -- sh -c ${shellQuote(authorizedKeysScript(spec.sshPublicKeys))}`,
                      "else",
                      '    echo "homelab: container $VMID is not running; its SSH keys are set at the next update" >&2',
                      "fi",
                  ]
                : []),
        ].join("\n") + "\n"
    );
}

/** Removes the container's managed bind mounts (when the container leaves the stack or has no mounts left). */
export function containerHostDeleteScript(input: ContainerHostSpec): string {
    const spec = validateContainerHostSpec({ ...input, mounts: [] });
    return containerHostScript({ ...spec, sshPublicKeys: [] }).replace(
        'if ! pct config "$VMID" >/dev/null 2>&1; then\n    echo "homelab: container $VMID does not exist on this node" >&2\n    exit 1\nfi',
        'if ! pct config "$VMID" >/dev/null 2>&1; then\n    echo "homelab: container $VMID is gone; nothing to unmount" >&2\n    exit 0\nfi',
    );
}
