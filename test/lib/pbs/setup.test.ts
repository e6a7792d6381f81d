/**
 * The PBS setup scripts as text: the exact commands each step runs (subcommands, positional
 * arguments and options as proxmox-backup 4's src/bin/proxmox_backup_manager/*.rs define them),
 * no secret in any script, every input refused before a script is built, and shellcheck-clean.
 * What they do against a PBS is tested in test/integration/pbsSetup.test.ts against a recording
 * stand-in of proxmox-backup-manager.
 */
import {
    PbsOffsiteSpec,
    accessScript,
    certFingerprintScript,
    datastoreScript,
    keepScript,
    namespacesScript,
    namespacesWithParents,
    nfsMountScript,
    offsiteScript,
    parseCertFingerprint,
    pruneJobsScript,
    readyScript,
    removeJobsScript,
    verifyJobScript,
} from "../../../lib/pbs/setup";
import { shellcheck } from "../../helpers/shellcheck";

const FP = "7a:1b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09";
const OFFSITE: PbsOffsiteSpec = {
    sourceDatastore: "tank",
    host: "s3.us-west-004.backblazeb2.com",
    region: "us-west-004",
    pathStyle: true,
    accessKeyId: "004b2keyid",
    bucket: "attic-pbs-offsite",
};
const PRUNE = [
    { id: "homelab-prune-critical", namespace: "critical", schedule: "05:30", keep: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 } },
    { id: "homelab-prune-low", namespace: "low", schedule: "05:30", keep: { keepMonthly: 3 } },
];

/** Every script builder with representative arguments. */
const SCRIPTS: Record<string, string> = {
    ready: readyScript(),
    mount: nfsMountScript({ server: "192.168.10.12", export: "/tank/pbs", mountpoint: "/mnt/datastore/tank" }),
    datastore: datastoreScript({ name: "tank", path: "/mnt/datastore/tank", requireMountpoint: true }),
    access: accessScript({ userid: "pve@pbs", datastore: "tank" }),
    namespaces: namespacesScript("tank", ["critical", "datasets/low"]),
    verify: verifyJobScript("tank"),
    prune: pruneJobsScript("tank", PRUNE),
    offsite: offsiteScript(OFFSITE),
    certificate: certFingerprintScript(),
    pinnedCertificate: certFingerprintScript(FP.toUpperCase()),
    removeJobs: removeJobsScript([
        { kind: "verify-job", id: "homelab-verify" },
        { kind: "sync-job", id: "homelab-offsite" },
    ]),
    keep: keepScript("datastore tank and its data"),
};

describe.each(Object.entries(SCRIPTS))("the %s script", (_name, script) => {
    it("is POSIX sh with set -eu, and shellcheck-clean", () => {
        expect(script.split("\n")[1]).toBe("set -eu");
        expect(shellcheck(script)).toEqual([]);
    });
    it("is exactly as built (snapshot)", () => expect(script).toMatchSnapshot());
});

describe("readyScript", () => {
    it("waits for cloud-init (done, or done with recoverable errors) and for PBS's proxy", () => {
        expect(SCRIPTS.ready).toContain("    cloud-init status --wait >/dev/null || rc=$?\n");
        expect(SCRIPTS.ready).toContain('    if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then\n');
        expect(SCRIPTS.ready).toContain("if ! systemctl is-active --quiet proxmox-backup-proxy; then\n");
    });
});

describe("nfsMountScript", () => {
    it("converges one fstab line for the mountpoint, keeping the others, then mounts it", () => {
        const s = SCRIPTS.mount;
        expect(s).toContain("SOURCE='192.168.10.12:/tank/pbs'\nMP='/mnt/datastore/tank'\nFSTAB='/etc/fstab'\n");
        expect(s).toContain('LINE="$SOURCE $MP nfs _netdev,hard 0 0"\n');
        expect(s).toContain('    awk -v mp="$MP" \'!($1 !~ /^#/ && $2 == mp)\' "$FSTAB" > "$TMP"\n');
        expect(s).toContain('    mount "$MP"\n');
    });
    it("refuses a mountpoint mounted from elsewhere", () => {
        expect(SCRIPTS.mount).toContain('elif [ "$CURRENT" != "$SOURCE" ]; then\n');
    });
    it.each([
        [{ server: "192.168.10.12;reboot" }, "[nfs.server] must be an IPv4 address or a host name"],
        [{ export: "/tank/my pbs" }, "[nfs.export] must be an absolute path of letters, digits and _ . @ + : , - (no spaces"],
        [{ mountpoint: "/mnt/../etc" }, "[datastore.path] must be an absolute path"],
    ])("refuses %j", (change, message) => {
        expect(() =>
            nfsMountScript({ server: "192.168.10.12", export: "/tank/pbs", mountpoint: "/mnt/datastore/tank", ...change }),
        ).toThrow(message);
    });
});

describe("datastoreScript", () => {
    it("creates the datastore with its GC schedule (daily 02:00 by default), reusing a chunk store already there", () => {
        const s = SCRIPTS.datastore;
        expect(s).toContain("GC='02:00'\n");
        expect(s).toContain(
            '        proxmox-backup-manager datastore create "$NAME" "$DIR" --gc-schedule "$GC" --reuse-datastore true >&2\n',
        );
        expect(s).toContain('        proxmox-backup-manager datastore create "$NAME" "$DIR" --gc-schedule "$GC" >&2\n');
        expect(s).toContain('        proxmox-backup-manager datastore update "$NAME" --gc-schedule "$GC" >&2\n');
    });
    it("refuses to create it off its NFS mount, and never moves a datastore", () => {
        expect(SCRIPTS.datastore).toContain('if ! findmnt -n --mountpoint "$DIR" >/dev/null 2>&1; then\n');
        expect(SCRIPTS.datastore).toContain("the program never moves a datastore");
        expect(datastoreScript({ name: "tank", path: "/srv/tank", requireMountpoint: false })).not.toContain("findmnt");
    });
    it.each([
        [
            { name: "t" },
            '[datastore.name] must be 3–32 letters, digits and . _ - (not starting with . or -), such as tank or homelab-verify, got "t"',
        ],
        [
            { gcSchedule: "02:00; reboot" },
            '[datastore.gcSchedule] must be a calendar event such as 02:00, daily, sun 03:00 or *-*-01 04:00, got "02:00; reboot"',
        ],
    ])("refuses %j", (change, message) => {
        expect(() => datastoreScript({ name: "tank", path: "/mnt/datastore/tank", requireMountpoint: true, ...change })).toThrow(message);
    });
});

describe("accessScript", () => {
    const s = SCRIPTS.access;
    it("reads the password from stdin and never holds it in the script text", () => {
        expect(s).toContain("PW=''\nIFS= read -r PW || true\n");
        expect(s).not.toMatch(/--password '/);
    });
    it("creates the user, then sets its password through PUT /access/password (PBS 4 ignores user update --password)", () => {
        expect(s).toContain('    proxmox-backup-manager user create "$USERID" --comment "$COMMENT" >&2\n');
        expect(s).toContain('    proxmox-backup-debug api set /access/password --userid "$USERID" --password "$PW" >/dev/null\n');
        expect(s).not.toContain('user update "$USERID" --password');
    });
    it("changes the password only when crypt(3) of it does not give the hash in shadow.json (keyed by the name without realm)", () => {
        expect(s).toContain("SHADOW='/etc/proxmox-backup/shadow.json'\n");
        expect(s).toContain('NAME="${USERID%@*}" perl -e');
        expect(s).toContain("exit(crypt($pw, $1) eq $1 ? 0 : 1);'");
        expect(s).toContain("    if ! password_matches; then set_password; fi\n");
    });
    it("grants DatastoreBackup on /datastore/<name> only, propagating, and removes every other entry of the user", () => {
        expect(s).toContain("ACL_PATH='/datastore/tank'\nROLE='DatastoreBackup'\n");
        expect(s).toContain('select(.ugid == $u and .ugid_type == "user")');
        expect(s).toContain('        proxmox-backup-manager acl update "$path" "$role" --auth-id "$USERID" --delete true >&2\n');
        expect(s).toContain('    proxmox-backup-manager acl update "$ACL_PATH" "$ROLE" --auth-id "$USERID" --propagate true >&2\n');
    });
    it.each([
        [{ userid: "pve@pam" }, '[user] must be a user of the pbs realm such as pve@pbs (the program sets its password), got "pve@pam"'],
        [
            { userid: "pve@pbs!token" },
            '[user] must be a user of the pbs realm such as pve@pbs (the program sets its password), got "pve@pbs!token"',
        ],
        [{ comment: "a\nb" }, '[user.comment] must be one line of at most 128 characters without control characters, got "a\\nb"'],
    ])("refuses %j", (change, message) => {
        expect(() => accessScript({ userid: "pve@pbs", datastore: "tank", ...change })).toThrow(message);
    });
});

describe("namespacesScript", () => {
    it("creates every namespace and its parents, parents first, through PBS's API as root", () => {
        expect(namespacesWithParents(["datasets/low", "critical", "datasets/critical"])).toEqual([
            "critical",
            "datasets",
            "datasets/critical",
            "datasets/low",
        ]);
        expect(SCRIPTS.namespaces).toContain("API='/admin/datastore/tank/namespace'\n");
        expect(SCRIPTS.namespaces).toContain(
            '        */*) proxmox-backup-debug api create "$API" --name "${1##*/}" --parent "${1%/*}" >&2 ;;\n',
        );
        expect(SCRIPTS.namespaces.endsWith("ensure_ns 'critical'\nensure_ns 'datasets'\nensure_ns 'datasets/low'\n")).toBe(true);
    });
    it("refuses a namespace PBS would not take", () => {
        expect(() => namespacesScript("tank", ["a/../b"])).toThrow("[namespace] must be a namespace such as critical or datasets/critical");
    });
});

describe("verifyJobScript", () => {
    it("runs weekly on Sunday 03:00, skipping snapshots verified within 30 days, by default", () => {
        expect(SCRIPTS.verify).toContain(
            "converge verify-job 'homelab-verify' 'store=tank' 'schedule=sun 03:00' 'ignore-verified=true' 'outdated-after=30' 'ns=' 'max-depth='\n",
        );
    });
    it("takes its schedule and days", () => {
        expect(verifyJobScript("tank", { id: "v-tank", schedule: "sat 04:00", outdatedAfterDays: 60 })).toContain(
            "converge verify-job 'v-tank' 'store=tank' 'schedule=sat 04:00' 'ignore-verified=true' 'outdated-after=60' 'ns=' 'max-depth='\n",
        );
    });
    it("converges a job: creates it missing, updates the keys that differ, deletes the keys given empty", () => {
        expect(SCRIPTS.verify).toContain('            if [ -n "$v" ]; then set -- "$@" "--$k" "$v"; fi\n');
        expect(SCRIPTS.verify).toContain('                if [ -n "$cur" ]; then set -- "$@" --delete "$k"; fi\n');
        expect(SCRIPTS.verify).toContain('        proxmox-backup-manager "$kind" create "$id" "$@" >&2\n');
        expect(SCRIPTS.verify).toContain('        proxmox-backup-manager "$kind" update "$id" "$@" >&2\n');
    });
});

describe("pruneJobsScript", () => {
    it("converges one prune job per tier in its namespace, with exactly the tier's keep counts", () => {
        expect(SCRIPTS.prune).toContain(
            "converge prune-job 'homelab-prune-critical' 'store=tank' 'schedule=05:30' 'ns=critical' 'max-depth=' 'keep-last=' 'keep-hourly=' 'keep-daily=7' 'keep-weekly=4' 'keep-monthly=6' 'keep-yearly=' 'disable='\n",
        );
        expect(SCRIPTS.prune).toContain(
            "converge prune-job 'homelab-prune-low' 'store=tank' 'schedule=05:30' 'ns=low' 'max-depth=' 'keep-last=' 'keep-hourly=' 'keep-daily=' 'keep-weekly=' 'keep-monthly=3' 'keep-yearly=' 'disable='\n",
        );
    });
    it("removes the program's prune jobs no longer wanted, and no other", () => {
        expect(SCRIPTS.prune).toContain("WANTED='homelab-prune-critical\nhomelab-prune-low'\n");
        expect(SCRIPTS.prune).toContain("jq -r --arg p 'homelab-prune-' '.[].id | select(startswith($p))'");
        expect(SCRIPTS.prune).toContain('        proxmox-backup-manager prune-job remove "$id" >&2\n');
    });
    it.each([
        [
            [{ ...PRUNE[0], keep: {} }],
            "[prune[0].keep] keeps nothing: a prune job without a keep count would delete every backup; give at least one keep count",
        ],
        [[{ ...PRUNE[0], keep: { keepDaily: 0 } }], "[prune[0].keep] keeps nothing"],
        [[{ ...PRUNE[0], keep: { keepDaily: 1.5 } }], "[prune[0].keep.keepDaily] must be a whole number from 1 to 1000000, got 1.5"],
        [[{ ...PRUNE[0], id: "critical" }], '[prune[0].id] must start with homelab-prune-, got "critical"'],
        [[PRUNE[0], PRUNE[0]], '[prune[1].id] "homelab-prune-critical" is given twice; every prune job needs its own id'],
    ])("refuses %#", (jobs, message) => {
        expect(() => pruneJobsScript("tank", jobs)).toThrow(message);
    });
});

describe("offsiteScript", () => {
    const s = SCRIPTS.offsite;
    it("reads the secret key from stdin, never holds it in the text and never prints it", () => {
        expect(s).toContain("SECRET=''\nIFS= read -r SECRET || true\n");
        expect(s.match(/\$SECRET/g)).toHaveLength(4);
        expect(s).not.toMatch(/echo[^\n]*\$SECRET/);
        // the endpoint update says what it updated without its arguments (one of them may be the secret)
        expect(s).toContain('        echo "homelab: updated S3 endpoint $ID" >&2\n');
    });
    it("creates PBS 4's S3 endpoint with the key, path-style and region, updating only what differs (the secret from s3.cfg)", () => {
        expect(s).toContain(
            "ID='homelab-offsite'\nHOST='s3.us-west-004.backblazeb2.com'\nPORT=''\nREGION='us-west-004'\nACCESS_KEY='004b2keyid'\nPATH_STYLE=true\nS3_FINGERPRINT=''\nS3_CFG='/etc/proxmox-backup/s3.cfg'\n",
        );
        expect(s).toContain('    proxmox-backup-manager s3 endpoint create "$ID" "$@" --secret-key "$SECRET" >&2\n');
        expect(s).toContain('    if [ "$(stored_secret)" != "$SECRET" ]; then set -- "$@" --secret-key "$SECRET"; fi\n');
        expect(s).toContain('        proxmox-backup-manager s3 endpoint update "$ID" "$@" >&2\n');
    });
    it("creates the S3-backed datastore with its cache directory and GC schedule, taking back only this host's own", () => {
        expect(s).toContain(
            "STORE='tank-offsite'\nCACHE='/var/lib/proxmox-backup/s3-cache/tank-offsite'\nBACKEND='type=s3,client=homelab-offsite,bucket=attic-pbs-offsite'\nGC='sun 08:00'\n",
        );
        expect(s).toContain(
            '    if OUT=$(proxmox-backup-manager datastore create "$STORE" "$CACHE" --backend "$BACKEND" --gc-schedule "$GC" 2>&1); then\n',
        );
        expect(s).toContain('            *"in use by host $HOST_NAME"*)\n');
        expect(s).toContain("--reuse-datastore true --overwrite-in-use true >&2\n");
    });
    it("pulls the local datastore into it with a local sync job on the schedule (06:00 by default)", () => {
        expect(s).toContain(
            "converge sync-job 'homelab-offsite' 'store=tank-offsite' 'remote=' 'remote-store=tank' 'schedule=06:00' 'remove-vanished=true' 'sync-direction=' 'ns=' 'remote-ns=' 'max-depth='\n",
        );
    });
    it("bounds the cache when told (the backend's max-cache-size)", () => {
        expect(offsiteScript({ ...OFFSITE, cacheMaxSize: "64GiB", cachePath: "/mnt/s3-cache" })).toContain(
            "CACHE='/mnt/s3-cache'\nBACKEND='type=s3,client=homelab-offsite,bucket=attic-pbs-offsite,max-cache-size=64GiB'\n",
        );
        expect(() => offsiteScript({ ...OFFSITE, cacheMaxSize: "64 GiB" })).toThrow(
            '[offsite.cacheMaxSize] must be a size with its unit, such as 64GiB or 100GB, got "64 GiB"',
        );
    });
    it("takes a port and a certificate fingerprint", () => {
        const custom = offsiteScript({
            ...OFFSITE,
            host: "minio.lab.example.org",
            port: 9000,
            fingerprint: FP.toUpperCase(),
            schedule: "07:15",
        });
        expect(custom).toContain("HOST='minio.lab.example.org'\nPORT='9000'\n");
        expect(custom).toContain(`S3_FINGERPRINT='${FP}'\n`);
        expect(custom).toContain("'schedule=07:15'");
    });
    it.each([
        [
            { bucket: "attic.pbs" },
            "[offsite.bucket] must be 3–63 lowercase letters, digits and '-' (Proxmox Backup Server takes no '.' in bucket names)",
        ],
        [{ host: "https://s3.example.org" }, "[offsite.host] must be a host name without scheme or path"],
        [{ region: "EU" }, '[offsite.region] must be an S3 region such as eu-central-1 or auto, got "EU"'],
        [{ accessKeyId: "a b" }, '[offsite.accessKeyId] must be an access key id (printable characters, no spaces), got "a b"'],
        [{ datastore: "tank" }, "[offsite.datastore] must differ from the datastore it copies (tank)"],
    ])("refuses %j", (change, message) => {
        expect(() => offsiteScript({ ...OFFSITE, ...change })).toThrow(message);
    });
});

describe("certFingerprintScript and parseCertFingerprint", () => {
    it("reads the sha256 line of cert info and prints it lowercase", () => {
        expect(SCRIPTS.certificate).toContain(
            "FP=$(proxmox-backup-manager cert info | sed -n 's/^Fingerprint (sha256): //p' | tr 'A-F' 'a-f')\n",
        );
        expect(SCRIPTS.certificate.endsWith("printf 'fingerprint %s\\n' \"$FP\"\n")).toBe(true);
        expect(SCRIPTS.certificate).not.toContain("PINNED");
    });
    it("fails, naming both, when a pinned fingerprint differs (compared lowercase)", () => {
        expect(SCRIPTS.pinnedCertificate).toContain(`PINNED='${FP}'\nif [ "$FP" != "$PINNED" ]; then\n`);
        expect(SCRIPTS.pinnedCertificate).toContain("but the inventory pins $PINNED");
        expect(() => certFingerprintScript("7A:1B")).toThrow(
            "[fingerprint] must be a SHA-256 fingerprint as 32 hex pairs separated by ':', got \"7A:1B\"",
        );
    });
    it("parses what the script prints, lowercase", () => {
        expect(parseCertFingerprint(`fingerprint ${FP.toUpperCase()}\n`)).toBe(FP);
    });
    it("gives undefined for empty output (the command has not run) and refuses anything else", () => {
        expect(parseCertFingerprint("")).toBeUndefined();
        expect(parseCertFingerprint("\n")).toBeUndefined();
        expect(() => parseCertFingerprint("Fingerprint (sha256): aa:bb\n")).toThrow("unexpected output of the certificate script");
        expect(() => parseCertFingerprint(`fingerprint ${FP}\nfingerprint ${FP}\n`)).toThrow("unexpected output of the certificate script");
    });
});

describe("removeJobsScript and keepScript", () => {
    it("removes only the named jobs, when they exist", () => {
        expect(SCRIPTS.removeJobs).toContain(
            "if [ -n \"$(pick \"$(proxmox-backup-manager verify-job list --output-format json)\" id 'homelab-verify')\" ]; then\n    proxmox-backup-manager verify-job remove 'homelab-verify' >&2\n",
        );
        expect(SCRIPTS.removeJobs).not.toContain("datastore remove");
    });
    it("keeps data: only says so", () => {
        expect(SCRIPTS.keep).toBe(
            "# homelab: keep datastore tank and its data\nset -eu\necho 'homelab: leaving datastore tank and its data in place; remove it in Proxmox Backup Server by hand if it is no longer needed' >&2\n",
        );
    });
});

describe("the secrets' checks (values.ts), which never echo the secret", () => {
    it("refuses a PBS password PBS would refuse (8–64 characters, no control characters)", () => {
        const { assertPbsPassword, assertSecretKey } =
            jest.requireActual<typeof import("../../../lib/pbs/values")>("../../../lib/pbs/values");
        expect(assertPbsPassword("password", "correct horse")).toBe("correct horse");
        for (const bad of ["short", "x".repeat(65), "has\na newline", "tab\there"]) {
            expect(() => assertPbsPassword("password", bad)).toThrow(
                "[password] must be 8 to 64 characters without control characters (Proxmox Backup Server's password rules)",
            );
            try {
                assertPbsPassword("password", bad);
            } catch (e) {
                expect(String(e)).not.toContain(bad);
            }
        }
        expect(() => assertSecretKey("offsite.secretAccessKey", "two words")).toThrow(
            "[offsite.secretAccessKey] must be an S3 secret key: printable characters, no spaces or line breaks",
        );
    });
});
