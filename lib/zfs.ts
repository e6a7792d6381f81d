/**
 * Script builders for ZFS datasets managed over SSH, and the parser of what they print.
 *
 * Pure functions of validated values: every builder validates its spec first (lib/shell.ts) and
 * throws on anything that is not a plain, valid value, then quotes every value it puts into the
 * script. The scripts are POSIX sh, start with `set -eu`, write their messages to stderr and
 * keep stdout for machine-readable `zfs get -Hp` output only.
 *
 * - create and update converge the dataset to the spec: create it (and missing parents) when
 *   absent, set the properties whose value or source differs, reset the managed properties the
 *   spec leaves out, apply the mountpoint's owner and mode, then print the effective properties.
 * - delete leaves the data on disk unless `allowDestroy`; then it destroys the dataset only when
 *   it has no children, no snapshots and no files. Never `zfs destroy -r`/`-R`/`-f`.
 */
import { MANAGED_PROPERTIES, ZfsProperties, zfsPropertyProblem, zfsSizeProblem, zfsSizeValue } from "./zfsValues";
import { assertAbsolutePath, assertDatasetPath, assertHostId, assertMode, poolOf, shellQuote } from "./shell";

export { MANAGED_PROPERTIES };
export type { ZfsProperties };

/** Managed properties ZFS cannot inherit: "leaving them out" means setting them to `none`. */
export const NON_INHERITABLE_PROPERTIES: readonly (keyof ZfsProperties)[] = ["quota", "reservation"];

/**
 * Above this many referenced bytes a dataset is not empty even when its mountpoint lists no
 * file. An empty filesystem references its own metadata only (about 100 KiB; 112 KiB on a
 * 4 KiB-sector pool); more means files held open after unlinking, space still being freed, or
 * data the listing cannot see.
 */
const EMPTY_DATASET_MAX_REFERENCED_BYTES = 1024 * 1024;

/** Attempts of `zfs destroy` on a dataset that stays busy just after unmounting, one second apart. */
const DESTROY_ATTEMPTS = 5;

/** Owner and mode of a dataset's mountpoint, in host ids (already mapped for the container). */
export interface ZfsOwner {
    /** Host uid of the mountpoint's owner (e.g. 101000 for uid 1000 in an unprivileged container). */
    readonly uid: number;
    /** Host gid of the mountpoint's group. */
    readonly gid: number;
    /** Octal permission mode of the mountpoint directory, such as `0750`. */
    readonly mode: string;
}

/** What a dataset must look like. */
export interface ZfsDatasetSpec {
    /** Dataset name, `pool/child/...`. */
    readonly path: string;
    /** Properties to set; a managed property left out is inherited (or `none` for quota and reservation). */
    readonly properties: ZfsProperties;
    /** Owner and mode of the mountpoint (not recursive). Absent leaves ownership alone. */
    readonly owner?: ZfsOwner;
    /** Deleting destroys the dataset when it is empty, instead of leaving it on disk. */
    readonly allowDestroy: boolean;
}

/** One property as `zfs get -Hp -o property,value,source` prints it. */
export interface ZfsPropertyValue {
    /** Exact value (sizes in bytes). */
    readonly value: string;
    /** `local`, `default`, `inherited from <dataset>`, `received`, `temporary` or `-`. */
    readonly source: string;
}

// ---------------------------------------------------------------------------------------------
// Validation and value conversion
// ---------------------------------------------------------------------------------------------

/**
 * Bytes of a ZFS size (`4T`, `1.5T`, `512`, `16K`) as `zfs get -p` prints it: powers of 1024,
 * fractions truncated like zfs_nicestrtonum does.
 */
export function zfsSizeBytes(field: string, size: string): string {
    const problem = zfsSizeProblem(size);
    if (problem !== undefined) throw new Error(`[${field}] ${problem}, got ${JSON.stringify(size)}`);
    return String(zfsSizeValue(size));
}

/** A mountpoint as ZFS stores it: without trailing slashes (a loop, not `/\/+$/`, which is quadratic). */
function normalizeMountpoint(mountpoint: string): string {
    let end = mountpoint.length;
    while (end > 1 && mountpoint[end - 1] === "/") end--;
    return mountpoint.length > 1 ? mountpoint.slice(0, end) : mountpoint;
}

/**
 * Validates a spec and throws, naming the field, the value and the fix, on the first problem.
 * The schema already refuses these values; builders check again because a script must never
 * be built from anything else.
 */
export function validateSpec(spec: ZfsDatasetSpec): ZfsDatasetSpec {
    assertDatasetPath("path", spec.path);
    if (spec.properties === null || typeof spec.properties !== "object" || Array.isArray(spec.properties))
        throw new Error(`[properties] must be a mapping of ZFS properties, got ${JSON.stringify(spec.properties)}`);
    for (const [key, value] of Object.entries(spec.properties)) {
        if (value === undefined) continue;
        const problem = (MANAGED_PROPERTIES as readonly string[]).includes(key)
            ? zfsPropertyProblem(key as keyof ZfsProperties, value)
            : "is not a property this program manages";
        if (problem) throw new Error(`[properties.${key}] ${problem}, got ${JSON.stringify(value)}`);
    }
    if (spec.properties.mountpoint !== undefined) assertAbsolutePath("properties.mountpoint", spec.properties.mountpoint);
    if (spec.properties.quota !== undefined) zfsSizeBytes("properties.quota", spec.properties.quota);
    if (spec.properties.reservation !== undefined) zfsSizeBytes("properties.reservation", spec.properties.reservation);
    if (spec.owner !== undefined) {
        assertHostId("owner.uid", spec.owner.uid);
        assertHostId("owner.gid", spec.owner.gid);
        assertMode("owner.mode", spec.owner.mode);
    }
    if (typeof spec.allowDestroy !== "boolean")
        throw new Error(`[allowDestroy] must be true or false, got ${JSON.stringify(spec.allowDestroy)}`);
    return spec;
}

/** The value `zfs get -Hp` prints for a property once it is set to `value`. */
export function expectedValue(property: keyof ZfsProperties, value: string): string {
    switch (property) {
        case "recordsize":
            return zfsSizeBytes("properties.recordsize", value);
        case "quota":
        case "reservation":
            return zfsSizeBytes(`properties.${property}`, value);
        case "mountpoint":
            return normalizeMountpoint(value);
        default:
            return value;
    }
}

// ---------------------------------------------------------------------------------------------
// Script pieces
// ---------------------------------------------------------------------------------------------

/** `set -eu`, the dataset and pool variables, and the checks for `zfs` and the pool. */
function preamble(title: string, path: string): string[] {
    return [
        `# homelab: ${title}`,
        "set -eu",
        `DS=${shellQuote(path)}`,
        `POOL=${shellQuote(poolOf(path))}`,
        "for tool in zfs zpool; do",
        '    if ! command -v "$tool" >/dev/null 2>&1; then',
        '        echo "homelab: the $tool command is not installed on $(hostname); install ZFS (zfsutils-linux) on this node" >&2',
        "        exit 1",
        "    fi",
        "done",
        'if ! err=$(zpool list -H -o name "$POOL" 2>&1); then',
        '    echo "homelab: ZFS pool $POOL is not available on $(hostname) ($err); create or import it (zpool import $POOL) first" >&2',
        "    exit 1",
        "fi",
    ];
}

/** Prints the managed properties this ZFS knows (zfs-fuse has no `acltype`), machine-readable. */
function printProperties(): string[] {
    return [
        'SUPPORTED=$(zfs get -H -o property all "$DS")',
        "PRINT=''",
        `for p in ${MANAGED_PROPERTIES.join(" ")}; do`,
        '    if printf \'%s\\n\' "$SUPPORTED" | grep -qxF "$p"; then PRINT="$PRINT${PRINT:+,}$p"; fi',
        "done",
        'zfs get -Hp -o property,value,source "$PRINT" "$DS"',
    ];
}

function convergeScript(spec: ZfsDatasetSpec, phase: "create" | "update"): string {
    validateSpec(spec);
    const props = MANAGED_PROPERTIES.filter((p) => spec.properties[p] !== undefined).map((p) => [p, spec.properties[p] as string] as const);
    const unset = MANAGED_PROPERTIES.filter((p) => spec.properties[p] === undefined);
    const createOptions = props.map(([p, v]) => ` -o ${shellQuote(`${p}=${v}`)}`).join("");
    const missing =
        phase === "create"
            ? 'echo "homelab: creating $DS" >&2'
            : 'echo "homelab: $DS is missing (destroyed outside this program?); creating it empty" >&2';
    const lines = [
        ...preamble(`${phase} ZFS dataset ${spec.path} (converges when it exists)`, spec.path),
        "TAB=$(printf '\\t')",
        'if zfs list -H -o name "$DS" >/dev/null 2>&1; then',
        '    echo "homelab: $DS exists; converging it" >&2',
        "else",
        `    ${missing}`,
        `    zfs create -p${createOptions} "$DS"`,
        "fi",
        "# Sets a property unless it already has the value, set locally. $1 property, $2 value as zfs get -Hp prints it, $3 value to set.",
        "converge() {",
        '    if [ "$(zfs get -Hp -o value,source "$1" "$DS")" != "$2${TAB}local" ]; then',
        '        zfs set "$1=$3" "$DS"',
        '        echo "homelab: set $1=$3 on $DS" >&2',
        "    fi",
        "}",
        ...props.map(([p, v]) => `converge ${shellQuote(p)} ${shellQuote(expectedValue(p, v))} ${shellQuote(v)}`),
    ];
    if (unset.length > 0) {
        lines.push(
            "# Managed properties the spec leaves out go back to inherited (quota and reservation to none).",
            'LOCAL=$(zfs get -H -o property -s local all "$DS")',
            "reset() {",
            '    if printf \'%s\\n\' "$LOCAL" | grep -qxF "$1"; then',
            '        case "$1" in',
            `            ${NON_INHERITABLE_PROPERTIES.join(" | ")}) zfs set "$1=none" "$DS" ;;`,
            '            *) zfs inherit "$1" "$DS" ;;',
            "        esac",
            '        echo "homelab: reset $1 on $DS (not in the inventory)" >&2',
            "    fi",
            "}",
            ...unset.map((p) => `reset ${shellQuote(p)}`),
        );
    }
    if (spec.owner !== undefined) {
        lines.push(
            "# Owner and mode of the mountpoint itself (not recursive: the data keeps its own owners).",
            'if [ "$(zfs get -H -o value mounted "$DS")" != yes ]; then zfs mount "$DS"; fi',
            'MP=$(zfs get -H -o value mountpoint "$DS")',
            `chown ${shellQuote(`${spec.owner.uid}:${spec.owner.gid}`)} "$MP"`,
            `chmod ${shellQuote(spec.owner.mode)} "$MP"`,
        );
    }
    lines.push(...printProperties());
    return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Public builders
// ---------------------------------------------------------------------------------------------

/** Creates the dataset with parents and properties, or converges an existing one; prints its properties. */
export function createScript(spec: ZfsDatasetSpec): string {
    return convergeScript(spec, "create");
}

/** Reconciles properties (set changed, reset removed) and ownership; recreates a missing dataset; prints its properties. */
export function updateScript(spec: ZfsDatasetSpec): string {
    return convergeScript(spec, "update");
}

/**
 * Prints the managed properties of a dataset (`zfs get -Hp`), for `parseZfsGet`: what create and
 * update print after converging. The program runs no read of its own; the tests observe a dataset
 * with it (test/integration/zfs.test.ts: a second create prints what a read prints).
 */
export function readScript(path: string): string {
    assertDatasetPath("path", path);
    return [...preamble(`read ZFS dataset ${path}`, path), ...printProperties()].join("\n") + "\n";
}

/**
 * Leaves the data (allowDestroy false), or destroys the dataset only when it has no children,
 * no snapshots and no data beyond an empty filesystem; otherwise fails and says what is in the way.
 *
 * Emptiness is judged by listing the mounted filesystem (the authority on files; `.zfs` aside),
 * backed by `referenced` (see EMPTY_DATASET_MAX_REFERENCED_BYTES), which also catches data the
 * listing cannot see. `written` is not used: it only counts since the last snapshot and old
 * ZFS (zfs-fuse) lacks it.
 */
export function deleteScript(spec: ZfsDatasetSpec): string {
    validateSpec(spec);
    if (!spec.allowDestroy) {
        const message = `homelab: leaving ZFS dataset ${spec.path} and its data on disk (allowDestroy is false); destroy it by hand if it is no longer needed`;
        return (
            [
                `# homelab: keep ZFS dataset ${spec.path} (allowDestroy is false)`,
                "set -eu",
                `echo ${shellQuote(message)} >&2`,
                "exit 0",
            ].join("\n") + "\n"
        );
    }
    return (
        [
            ...preamble(`destroy ZFS dataset ${spec.path} only if it is empty (never recursive)`, spec.path),
            'if ! zfs list -H -o name "$DS" >/dev/null 2>&1; then',
            '    echo "homelab: $DS does not exist; nothing to destroy" >&2',
            "    exit 0",
            "fi",
            "BLOCKERS=''",
            'CHILDREN=$(zfs list -H -o name -r -t filesystem,volume "$DS" | awk -v ds="$DS" \'$0 != ds\')',
            'if [ -n "$CHILDREN" ]; then BLOCKERS="$BLOCKERS',
            "  - child datasets: $(printf '%s' \"$CHILDREN\" | tr '\\n' ' ')\"; fi",
            'SNAPSHOTS=$(zfs list -H -o name -t snapshot -r "$DS")',
            'if [ -n "$SNAPSHOTS" ]; then BLOCKERS="$BLOCKERS',
            "  - snapshots: $(printf '%s' \"$SNAPSHOTS\" | tr '\\n' ' ')\"; fi",
            'if [ "$(zfs get -H -o value mounted "$DS")" != yes ]; then zfs mount "$DS"; fi',
            'MP=$(zfs get -H -o value mountpoint "$DS")',
            'LISTING=$(ls -A -- "$MP")',
            'FILES=$(printf \'%s\\n\' "$LISTING" | awk \'$0 != "" && $0 != ".zfs"\' | head -n 5)',
            'if [ -n "$FILES" ]; then BLOCKERS="$BLOCKERS',
            "  - files in $MP, such as: $(printf '%s' \"$FILES\" | tr '\\n' ' ')\"; fi",
            'REFERENCED=$(zfs get -Hp -o value referenced "$DS")',
            `if [ "$REFERENCED" -gt ${EMPTY_DATASET_MAX_REFERENCED_BYTES} ]; then BLOCKERS="$BLOCKERS`,
            '  - $REFERENCED bytes of data (an empty filesystem holds about 100 KiB; if files were just deleted, retry once the space is freed)"; fi',
            'if [ -n "$BLOCKERS" ]; then',
            '    printf \'homelab: refusing to destroy %s, it is not empty:%s\\nMove or delete what is in the way and retry, or set allowDestroy to false to keep the dataset.\\n\' "$DS" "$BLOCKERS" >&2',
            "    exit 1",
            "fi",
            "# Unmount first: a busy mount (a container still using it) fails here, before any destroy.",
            'if [ "$(zfs get -H -o value mounted "$DS")" = yes ]; then zfs unmount "$DS"; fi',
            "# A just-unmounted dataset can stay busy for a moment (zfs-fuse always does): retry a few times.",
            "tries=1",
            'until zfs destroy "$DS"; do',
            `    if [ "$tries" -ge ${DESTROY_ATTEMPTS} ]; then`,
            '        zfs mount "$DS"',
            '        echo "homelab: could not destroy $DS; it is mounted again and unchanged" >&2',
            "        exit 1",
            "    fi",
            "    tries=$((tries + 1))",
            "    sleep 1",
            "done",
            'echo "homelab: destroyed empty dataset $DS" >&2',
        ].join("\n") + "\n"
    );
}

/**
 * Parses `zfs get -Hp -o property,value,source` output into property → {value, source}.
 * Empty output (a preview, or mocks) gives `{}`; a line of another shape throws.
 */
export function parseZfsGet(stdout: string): Record<string, ZfsPropertyValue> {
    const out: Record<string, ZfsPropertyValue> = {};
    for (const line of stdout.split("\n")) {
        if (line.trim() === "") continue;
        const fields = line.split("\t");
        if (fields.length < 3 || fields[0] === "") {
            throw new Error(`unexpected line in zfs get output (want property<TAB>value<TAB>source): ${JSON.stringify(line)}`);
        }
        const property = fields[0];
        const source = fields[fields.length - 1];
        out[property] = { value: fields.slice(1, -1).join("\t"), source };
    }
    return out;
}
