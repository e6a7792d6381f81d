/**
 * The datastore's jobs inside Proxmox Backup Server, as idempotent scripts (see setup.ts for the
 * conventions): the namespaces backups go to, the verify job and one prune job per backup tier.
 *
 * Jobs converge through one shell function, `converge KIND ID key=value...`: a missing job is
 * created with the settings; an existing one is updated only in the keys whose value differs, and
 * a key given empty is deleted when set (`--delete key`). The keys are those of pbs-api-types
 * (VerificationJobConfig, PruneJobConfig, SyncJobConfig) as `... list --output-format json`
 * prints them, so a second run finds nothing to change.
 */
import { RETENTION_OPTIONS, Retention } from "../backupSchedule";
import { shellQuote } from "../shell";
import { JSON_HELPERS, preamble, script } from "./script";
import { assertCalendarEvent, assertInteger, assertNamespace, assertSafeId } from "./values";

/** Default verify job: weekly on Sunday at 03:00, skipping snapshots verified within 30 days. */
export const DEFAULT_VERIFY = { id: "homelab-verify", schedule: "sun 03:00", outdatedAfterDays: 30 } as const;

/** Ids of the prune jobs this program manages start with this; others are left alone. */
const PRUNE_JOB_PREFIX = "homelab-prune-";

/** When the prune jobs run by default: in the evening, before the night's backups (GC frees the space at 02:00). */
const DEFAULT_PRUNE_SCHEDULE = "21:00";

/**
 * The namespace of a backup tier in the datastore: guests (PVE's storage of the tier) and datasets
 * of a tier back up there, so one prune job per tier holds each to its tier's retention.
 */
export function tierNamespace(tier: string): string {
    return assertNamespace("tier", tier);
}

/** One prune job per tier, `homelab-prune-<tier>` in the tier's namespace, keeping what the tier's retention says. */
export function tierPruneJobs(
    tiers: Readonly<Record<string, { readonly retention: Retention }>>,
    schedule: string = DEFAULT_PRUNE_SCHEDULE,
): PruneJobSpec[] {
    return Object.keys(tiers)
        .sort()
        .map((tier) => ({ id: `${PRUNE_JOB_PREFIX}${tier}`, namespace: tierNamespace(tier), schedule, keep: tiers[tier].retention }));
}

/** The `converge` shell function (see the module comment). */
export const CONVERGE_FUNCTION = [
    "# converge KIND ID key=value...: creates job ID of KIND (verify-job, prune-job, sync-job) with these",
    "# settings, or updates the keys whose value differs; an empty value deletes the key when it is set.",
    "converge() {",
    "    kind=$1 id=$2",
    "    shift 2",
    '    current=$(pick "$(proxmox-backup-manager "$kind" list --output-format json)" id "$id")',
    "    n=$#",
    "    for kv do",
    "        k=${kv%%=*} v=${kv#*=}",
    '        if [ -z "$current" ]; then',
    '            if [ -n "$v" ]; then set -- "$@" "--$k" "$v"; fi',
    "        else",
    '            cur=$(field "$current" "$k")',
    '            if [ -z "$v" ]; then',
    '                if [ -n "$cur" ]; then set -- "$@" --delete "$k"; fi',
    '            elif [ "$cur" != "$v" ]; then',
    '                set -- "$@" "--$k" "$v"',
    "            fi",
    "        fi",
    "    done",
    '    shift "$n"',
    '    if [ -z "$current" ]; then',
    '        proxmox-backup-manager "$kind" create "$id" "$@" >&2',
    '        echo "homelab: created $kind $id" >&2',
    '    elif [ "$#" -gt 0 ]; then',
    '        proxmox-backup-manager "$kind" update "$id" "$@" >&2',
    '        echo "homelab: updated $kind $id ($*)" >&2',
    "    fi",
    "}",
];

/** A job's settings as `key=value` words for `converge` ("" deletes the key). */
function settings(values: Record<string, string | number | boolean | undefined>): string {
    return Object.entries(values)
        .map(([k, v]) => shellQuote(`${k}=${v === undefined ? "" : String(v)}`))
        .join(" ");
}

// ---------------------------------------------------------------------------------------------
// Namespaces
// ---------------------------------------------------------------------------------------------

/** Every namespace and its parents, parents first, each once. */
export function namespacesWithParents(namespaces: readonly string[]): string[] {
    const all = new Set<string>();
    for (const ns of namespaces) {
        const parts = assertNamespace("namespace", ns).split("/");
        for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join("/"));
    }
    return [...all].sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
}

/**
 * Creates the datastore's missing namespaces (and their parents) through PBS's API
 * (`proxmox-backup-debug api`, as root: PVE's user may not create namespaces). Backups and prune
 * jobs name them, and PBS refuses a backup into a namespace that does not exist.
 */
export function namespacesScript(datastore: string, namespaces: readonly string[]): string {
    assertSafeId("datastore.name", datastore);
    const all = namespacesWithParents(namespaces);
    return script([
        ...preamble(`namespaces of datastore ${datastore}: ${all.join(", ") || "none"}`, ["proxmox-backup-debug", "jq"]),
        `API=${shellQuote(`/admin/datastore/${datastore}/namespace`)}`,
        "HAVE=$(proxmox-backup-debug api get \"$API\" --output-format json | jq -r '.[].ns // empty')",
        "ensure_ns() {",
        '    if printf \'%s\\n\' "$HAVE" | grep -qxF "$1"; then return 0; fi',
        '    case "$1" in',
        '        */*) proxmox-backup-debug api create "$API" --name "${1##*/}" --parent "${1%/*}" >&2 ;;',
        '        *) proxmox-backup-debug api create "$API" --name "$1" >&2 ;;',
        "    esac",
        '    echo "homelab: created namespace $1" >&2',
        "}",
        ...all.map((ns) => `ensure_ns ${shellQuote(ns)}`),
    ]);
}

// ---------------------------------------------------------------------------------------------
// Verify
// ---------------------------------------------------------------------------------------------

export interface VerifySpec {
    /** Job id. @default "homelab-verify" */
    readonly id?: string;
    /** When it runs. @default "sun 03:00" */
    readonly schedule?: string;
    /** A snapshot verified less than this many days ago is skipped. @default 30 */
    readonly outdatedAfterDays?: number;
}

/** The verify job of the datastore: skips snapshots verified within `outdatedAfterDays`. */
export function verifyJobScript(datastore: string, spec: VerifySpec = {}): string {
    assertSafeId("datastore.name", datastore);
    const id = assertSafeId("verify.id", spec.id ?? DEFAULT_VERIFY.id);
    const schedule = assertCalendarEvent("verify.schedule", spec.schedule ?? DEFAULT_VERIFY.schedule);
    const days = assertInteger("verify.outdatedAfterDays", spec.outdatedAfterDays ?? DEFAULT_VERIFY.outdatedAfterDays, 1, 3650);
    return script([
        ...preamble(`verify job ${id} of datastore ${datastore}: ${schedule}, skip verified within ${days} days`),
        ...JSON_HELPERS,
        ...CONVERGE_FUNCTION,
        `converge verify-job ${shellQuote(id)} ${settings({
            store: datastore,
            schedule,
            "ignore-verified": true,
            "outdated-after": days,
            ns: undefined,
            "max-depth": undefined,
        })}`,
    ]);
}

// ---------------------------------------------------------------------------------------------
// Prune
// ---------------------------------------------------------------------------------------------

export interface PruneJobSpec {
    /** Job id; starts with `homelab-prune-` (`homelab-prune-critical`). */
    readonly id: string;
    /** The namespace whose groups it prunes (with its children); absent = the datastore's root namespace. */
    readonly namespace?: string;
    /** How deep below the namespace it reaches. @default unlimited */
    readonly maxDepth?: number;
    /** When it runs. */
    readonly schedule: string;
    readonly keep: Retention;
}

/** The `keep-*` settings of a retention: set counts, and empty (deleted) for unset or 0. */
export function keepSettings(field: string, keep: Retention): Record<string, number | undefined> {
    const out: Record<string, number | undefined> = {};
    for (const [camel, kebab] of RETENTION_OPTIONS) {
        const n = keep[camel];
        out[kebab] = n === undefined || n === 0 ? undefined : assertInteger(`${field}.${camel}`, n, 1, 1_000_000);
    }
    if (Object.values(out).every((v) => v === undefined))
        throw new Error(
            `[${field}] keeps nothing: a prune job without a keep count would delete every backup; give at least one keep count`,
        );
    return out;
}

/**
 * One prune job per spec (per backup tier, each in its namespace), converged; jobs with the
 * program's prefix that are no longer wanted are removed (their backups stay).
 */
export function pruneJobsScript(datastore: string, jobs: readonly PruneJobSpec[]): string {
    assertSafeId("datastore.name", datastore);
    const ids = new Set<string>();
    const lines = jobs.map((job, i) => {
        const id = assertSafeId(`prune[${i}].id`, job.id);
        if (!id.startsWith(PRUNE_JOB_PREFIX))
            throw new Error(`[prune[${i}].id] must start with ${PRUNE_JOB_PREFIX}, got ${JSON.stringify(id)}`);
        if (ids.has(id)) throw new Error(`[prune[${i}].id] ${JSON.stringify(id)} is given twice; every prune job needs its own id`);
        ids.add(id);
        return `converge prune-job ${shellQuote(id)} ${settings({
            store: datastore,
            schedule: assertCalendarEvent(`prune[${i}].schedule`, job.schedule),
            ns: job.namespace === undefined ? undefined : assertNamespace(`prune[${i}].namespace`, job.namespace),
            "max-depth": job.maxDepth === undefined ? undefined : assertInteger(`prune[${i}].maxDepth`, job.maxDepth, 0, 7),
            ...keepSettings(`prune[${i}].keep`, job.keep),
            disable: undefined,
        })}`;
    });
    return script([
        ...preamble(`prune jobs of datastore ${datastore}: ${[...ids].join(", ") || "none"}`),
        ...JSON_HELPERS,
        ...CONVERGE_FUNCTION,
        ...lines,
        "# Prune jobs of this program that are no longer wanted.",
        `WANTED=${shellQuote([...ids].join("\n"))}`,
        `STALE=$(proxmox-backup-manager prune-job list --output-format json | jq -r --arg p ${shellQuote(PRUNE_JOB_PREFIX)} '.[].id | select(startswith($p))')`,
        "for id in $STALE; do",
        '    if ! printf \'%s\\n\' "$WANTED" | grep -qxF "$id"; then',
        '        proxmox-backup-manager prune-job remove "$id" >&2',
        '        echo "homelab: removed prune job $id (no longer in the inventory; its backups stay)" >&2',
        "    fi",
        "done",
    ]);
}

/** Removes the jobs of this program (verify, prune, and the ones given); never a datastore or a backup. */
export function removeJobsScript(jobs: readonly { readonly kind: "verify-job" | "prune-job" | "sync-job"; readonly id: string }[]): string {
    return script([
        ...preamble(`remove the jobs ${jobs.map((j) => j.id).join(", ")} (backups stay)`),
        ...JSON_HELPERS,
        ...jobs.flatMap((j, i) => {
            assertSafeId(`jobs[${i}].id`, j.id);
            return [
                `if [ -n "$(pick "$(proxmox-backup-manager ${j.kind} list --output-format json)" id ${shellQuote(j.id)})" ]; then`,
                `    proxmox-backup-manager ${j.kind} remove ${shellQuote(j.id)} >&2`,
                `    echo ${shellQuote(`homelab: removed ${j.kind} ${j.id}`)} >&2`,
                "fi",
            ];
        }),
    ]);
}
