/**
 * The offsite copy inside Proxmox Backup Server 4, as one idempotent script (conventions in
 * setup.ts): PBS's S3 endpoint for the bucket, a datastore backed by the bucket (S3 backend, a
 * local cache directory) and a sync job that pulls the local datastore into it on a schedule.
 *
 * The bucket-scoped secret key arrives as the first line of stdin. PBS lists endpoints without
 * their secret, so the script compares it with the one in `s3.cfg` (PBS's section config, where
 * `s3 endpoint create` stores it) and updates it only when it differs; it is never printed.
 *
 * Sources (proxmox-backup 4): `src/bin/proxmox_backup_manager/s3.rs` (`s3 endpoint list|create|
 * update`), `src/api2/config/datastore.rs` (`--backend type=s3,client=<id>,bucket=<bucket>`, the
 * in-use marker and `--reuse-datastore`/`--overwrite-in-use`), proxmox-s3-client `api_types.rs`
 * (endpoint, port, region, access-key, path-style, fingerprint), pbs-api-types SyncJobConfig (a
 * sync job without `remote` is a local sync).
 */
import { shellQuote } from "../shell";
import { CONVERGE_FUNCTION } from "./jobs";
import { JSON_HELPERS, preamble, readSecretLines, script } from "./script";
import {
    assertAccessKeyId,
    assertByteSize,
    assertCalendarEvent,
    assertFingerprint,
    assertInteger,
    assertPlainPath,
    assertS3Bucket,
    assertS3Endpoint,
    assertS3Region,
    assertSafeId,
} from "./values";

const OFFSITE_DEFAULTS = {
    endpointId: "homelab-offsite",
    syncJobId: "homelab-offsite",
    /** After the night's backups (the reference window ends at 05:00). */
    schedule: "06:00",
    /** Garbage collection of the S3 datastore: weekly, as every chunk it touches is a billed request. */
    gcSchedule: "sun 08:00",
    /** Local cache directories of S3 datastores live here, one per datastore. */
    cacheRoot: "/var/lib/proxmox-backup/s3-cache",
} as const;

export interface PbsOffsiteSpec {
    /** The local datastore copied offsite. */
    readonly sourceDatastore: string;
    /** Id of PBS's S3 endpoint config. @default "homelab-offsite" */
    readonly endpointId?: string;
    /** Host name (no scheme: PBS speaks HTTPS only), with `{{bucket}}.`/`{{region}}` templates where virtual-hosted. */
    readonly host: string;
    /** Port of the endpoint. @default 443 (unset) */
    readonly port?: number;
    readonly region: string;
    /** Path-style (`host/bucket`) rather than virtual-hosted (`bucket.host`) addressing. */
    readonly pathStyle: boolean;
    /** SHA-256 fingerprint of the endpoint's certificate, for a self-signed one. @default none (the system's CAs) */
    readonly fingerprint?: string;
    /** The bucket-scoped access key id (its secret arrives on stdin). */
    readonly accessKeyId: string;
    readonly bucket: string;
    /** Name of the S3-backed datastore. @default "<sourceDatastore>-offsite" */
    readonly datastore?: string;
    /**
     * Its local cache directory on the VM. PBS's documentation recommends 64–128 GiB on a dedicated
     * disk, partition or ZFS dataset with a quota. @default "/var/lib/proxmox-backup/s3-cache/<datastore>"
     */
    readonly cachePath?: string;
    /** Upper bound of the cache (`max-cache-size` of the backend), such as `64GiB`. @default none (the cache's filesystem is the bound) */
    readonly cacheMaxSize?: string;
    /** Garbage collection of the S3 datastore. @default "sun 08:00" */
    readonly gcSchedule?: string;
    /** Id of the sync job. @default "homelab-offsite" */
    readonly syncJobId?: string;
    /** When the sync job copies the local datastore offsite. @default "06:00" */
    readonly schedule?: string;
    /** Snapshots pruned locally are removed offsite too (the bucket's versioning keeps them for its noncurrent days). @default true */
    readonly removeVanished?: boolean;
    /** PBS's configuration directory (s3.cfg). @default "/etc/proxmox-backup" */
    readonly configDir?: string;
}

/** The S3-backed datastore PBS copies a datastore to, by default: `<source>-offsite`. */
export function offsiteDatastoreName(source: string): string {
    return `${source}-offsite`;
}

/** The spec with defaults applied and every value checked. */
export function resolvePbsOffsite(spec: PbsOffsiteSpec) {
    const source = assertSafeId("offsite.sourceDatastore", spec.sourceDatastore);
    const datastore = assertSafeId("offsite.datastore", spec.datastore ?? offsiteDatastoreName(source));
    return {
        source,
        datastore,
        endpointId: assertSafeId("offsite.endpointId", spec.endpointId ?? OFFSITE_DEFAULTS.endpointId),
        host: assertS3Endpoint("offsite.host", spec.host),
        port: spec.port === undefined ? undefined : assertInteger("offsite.port", spec.port, 1, 65535),
        region: assertS3Region("offsite.region", spec.region),
        pathStyle: spec.pathStyle === true,
        fingerprint: spec.fingerprint === undefined ? undefined : assertFingerprint("offsite.fingerprint", spec.fingerprint).toLowerCase(),
        accessKeyId: assertAccessKeyId("offsite.accessKeyId", spec.accessKeyId),
        bucket: assertS3Bucket("offsite.bucket", spec.bucket),
        cachePath: assertPlainPath("offsite.cachePath", spec.cachePath ?? `${OFFSITE_DEFAULTS.cacheRoot}/${datastore}`),
        cacheMaxSize: spec.cacheMaxSize === undefined ? undefined : assertByteSize("offsite.cacheMaxSize", spec.cacheMaxSize),
        gcSchedule: assertCalendarEvent("offsite.gcSchedule", spec.gcSchedule ?? OFFSITE_DEFAULTS.gcSchedule),
        syncJobId: assertSafeId("offsite.syncJobId", spec.syncJobId ?? OFFSITE_DEFAULTS.syncJobId),
        schedule: assertCalendarEvent("offsite.schedule", spec.schedule ?? OFFSITE_DEFAULTS.schedule),
        removeVanished: spec.removeVanished ?? true,
        configDir: assertPlainPath("configDir", spec.configDir ?? "/etc/proxmox-backup"),
    };
}

/** The S3 endpoint, the S3-backed datastore and the sync job, converged; the secret key on stdin. */
export function offsiteScript(spec: PbsOffsiteSpec): string {
    const o = resolvePbsOffsite(spec);
    if (o.datastore === o.source) throw new Error(`[offsite.datastore] must differ from the datastore it copies (${o.source})`);
    return script([
        ...preamble(
            `copy datastore ${o.source} to bucket ${o.bucket} (S3 endpoint ${o.endpointId}, datastore ${o.datastore}, sync job ${o.syncJobId})`,
            ["proxmox-backup-manager", "jq", "awk"],
        ),
        ...JSON_HELPERS,
        ...CONVERGE_FUNCTION,
        ...readSecretLines("SECRET", "the S3 secret key"),
        `ID=${shellQuote(o.endpointId)}`,
        `HOST=${shellQuote(o.host)}`,
        `PORT=${shellQuote(o.port === undefined ? "" : String(o.port))}`,
        `REGION=${shellQuote(o.region)}`,
        `ACCESS_KEY=${shellQuote(o.accessKeyId)}`,
        `PATH_STYLE=${o.pathStyle ? "true" : "false"}`,
        `S3_FINGERPRINT=${shellQuote(o.fingerprint ?? "")}`,
        `S3_CFG=${shellQuote(`${o.configDir}/s3.cfg`)}`,
        `STORE=${shellQuote(o.datastore)}`,
        `CACHE=${shellQuote(o.cachePath)}`,
        `BACKEND=${shellQuote(`type=s3,client=${o.endpointId},bucket=${o.bucket}${o.cacheMaxSize === undefined ? "" : `,max-cache-size=${o.cacheMaxSize}`}`)}`,
        `GC=${shellQuote(o.gcSchedule)}`,
        "# The secret key PBS holds for endpoint $ID (section config: 's3-endpoint: <id>', then '\\t<key> <value>' lines).",
        "stored_secret() {",
        '    [ -f "$S3_CFG" ] || return 0',
        '    awk -v id="$ID" \'/^[^ \\t]/ { inside = ($0 == "s3-endpoint: " id); next } inside && $1 == "secret-key" { sub(/^[ \\t]+secret-key[ \\t]+/, ""); print; exit }\' "$S3_CFG"',
        "}",
        "# The S3 endpoint.",
        'CURRENT=$(pick "$(proxmox-backup-manager s3 endpoint list --output-format json)" id "$ID")',
        'if [ -z "$CURRENT" ]; then',
        '    set -- --endpoint "$HOST" --region "$REGION" --access-key "$ACCESS_KEY" --path-style "$PATH_STYLE"',
        '    if [ -n "$PORT" ]; then set -- "$@" --port "$PORT"; fi',
        '    if [ -n "$S3_FINGERPRINT" ]; then set -- "$@" --fingerprint "$S3_FINGERPRINT"; fi',
        '    proxmox-backup-manager s3 endpoint create "$ID" "$@" --secret-key "$SECRET" >&2',
        '    echo "homelab: created S3 endpoint $ID ($HOST)" >&2',
        "else",
        "    set --",
        '    if [ "$(field "$CURRENT" endpoint)" != "$HOST" ]; then set -- "$@" --endpoint "$HOST"; fi',
        '    if [ "$(field "$CURRENT" region)" != "$REGION" ]; then set -- "$@" --region "$REGION"; fi',
        '    if [ "$(field "$CURRENT" access-key)" != "$ACCESS_KEY" ]; then set -- "$@" --access-key "$ACCESS_KEY"; fi',
        '    CUR_PATH_STYLE=$(field "$CURRENT" path-style)',
        '    if [ "${CUR_PATH_STYLE:-false}" != "$PATH_STYLE" ]; then set -- "$@" --path-style "$PATH_STYLE"; fi',
        '    CUR_PORT=$(field "$CURRENT" port)',
        '    if [ -z "$PORT" ] && [ -n "$CUR_PORT" ]; then set -- "$@" --delete port; elif [ "$CUR_PORT" != "$PORT" ]; then set -- "$@" --port "$PORT"; fi',
        "    CUR_FP=$(field \"$CURRENT\" fingerprint | tr 'A-F' 'a-f')",
        '    if [ -z "$S3_FINGERPRINT" ] && [ -n "$CUR_FP" ]; then set -- "$@" --delete fingerprint; elif [ "$CUR_FP" != "$S3_FINGERPRINT" ]; then set -- "$@" --fingerprint "$S3_FINGERPRINT"; fi',
        '    if [ "$(stored_secret)" != "$SECRET" ]; then set -- "$@" --secret-key "$SECRET"; fi',
        '    if [ "$#" -gt 0 ]; then',
        '        proxmox-backup-manager s3 endpoint update "$ID" "$@" >&2',
        '        echo "homelab: updated S3 endpoint $ID" >&2',
        "    fi",
        "fi",
        "# The datastore backed by the bucket (the cache directory is local).",
        "normalized() { printf '%s' \"$1\" | tr ',' '\\n' | sort | tr '\\n' ','; }",
        'CURRENT=$(pick "$(proxmox-backup-manager datastore list --output-format json)" name "$STORE")',
        'if [ -z "$CURRENT" ]; then',
        '    mkdir -p "$CACHE"',
        "    HOST_NAME=$(hostname)",
        '    if OUT=$(proxmox-backup-manager datastore create "$STORE" "$CACHE" --backend "$BACKEND" --gc-schedule "$GC" 2>&1); then',
        "        printf '%s\\n' \"$OUT\" >&2",
        "    else",
        '        case "$OUT" in',
        '            *"in use by host $HOST_NAME"*)',
        "                # The bucket holds this host's own datastore (the VM was rebuilt): take it back.",
        '                echo "homelab: bucket of $BACKEND holds datastore $STORE of this host ($HOST_NAME); reusing it" >&2',
        '                proxmox-backup-manager datastore create "$STORE" "$CACHE" --backend "$BACKEND" --gc-schedule "$GC" --reuse-datastore true --overwrite-in-use true >&2',
        "                ;;",
        "            *)",
        "                printf '%s\\n' \"$OUT\" >&2",
        '                echo "homelab: could not create datastore $STORE on $BACKEND; if the bucket holds a datastore of a PBS that is gone for good, create it once by hand with --reuse-datastore true --overwrite-in-use true" >&2',
        "                exit 1",
        "                ;;",
        "        esac",
        "    fi",
        '    echo "homelab: created datastore $STORE on $BACKEND" >&2',
        "else",
        '    if [ "$(normalized "$(field "$CURRENT" backend)")" != "$(normalized "$BACKEND")" ]; then',
        '        echo "homelab: datastore $STORE is backed by $(field "$CURRENT" backend), not $BACKEND; PBS cannot change a backend: remove the datastore by hand or name another" >&2',
        "        exit 1",
        "    fi",
        '    if [ "$(field "$CURRENT" gc-schedule)" != "$GC" ]; then',
        '        proxmox-backup-manager datastore update "$STORE" --gc-schedule "$GC" >&2',
        '        echo "homelab: garbage collection of $STORE runs at $GC" >&2',
        "    fi",
        "fi",
        "# The sync job: a local pull (no remote) from the datastore into the S3-backed one.",
        `converge sync-job ${shellQuote(o.syncJobId)} ${[
            `store=${o.datastore}`,
            "remote=",
            `remote-store=${o.source}`,
            `schedule=${o.schedule}`,
            `remove-vanished=${o.removeVanished}`,
            "sync-direction=",
            "ns=",
            "remote-ns=",
            "max-depth=",
        ]
            .map(shellQuote)
            .join(" ")}`,
    ]);
}
