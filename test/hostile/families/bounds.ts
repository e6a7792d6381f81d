/**
 * The values at the edges of what the schema allows: each is refused by validate or plans without
 * a crash (a component refusing what validate let through is exit 3).
 */
import { BaseStack, Config, Entity, Edit, entries, mountedDataset, ordinaryGuest, schemeOff, section } from "../stacks";

/**
 * Values at the edges of what the schema allows: each must either be refused by validate or plan
 * without a crash (a component or a script builder refusing what validate let through is exit 3).
 */
export function boundsFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const [guest] = ordinaryGuest(cfg);
    const [mounted] = mountedDataset(cfg);
    const [node] = entries(cfg, "nodes")[0];
    const pbs = entries(cfg, "storages").find(([, st]) => st.kind === "pbs")?.[0];
    const tiers = Object.keys(section(cfg, "backups").tiers ?? {});
    const value = (what: string, set: (c: Config) => void): Edit => ({ what, expect: "free", edit: set });
    const edits: Edit[] = [
        value("a guest with 128 cores", (c) => (section(c, "guests")[guest].cores = 128)),
        value("a guest with 16 MiB", (c) => (section(c, "guests")[guest].memoryMiB = 16)),
        value("a guest with 2^31 MiB", (c) => (section(c, "guests")[guest].memoryMiB = 2 ** 31)),
        value("a guest with cpuUnits 1", (c) => (section(c, "guests")[guest].cpuUnits = 1)),
        value("a guest with cpuUnits 10000", (c) => (section(c, "guests")[guest].cpuUnits = 10000)),
        value("VMID 999999999", (c) => {
            schemeOff(c);
            section(c, "guests")[guest].vmid = 999999999;
        }),
        value("a description of 500 characters", (c) => (section(c, "guests")[guest].description = "d".repeat(500))),
        value("a node with 1 thread and 1 GiB", (c) => Object.assign(section(c, "nodes")[node], { threads: 1, memoryGiB: 1 })),
        value("a node with 8 sockets", (c) => (section(c, "nodes")[node].sockets = 8)),
        value("SSH port 65535", (c) => (section(c, "nodes")[node].sshPort = 65535)),
        value("a cluster name of 63 characters", (c) => (section(c, "cluster").name = `c${"x".repeat(62)}`)),
        value("an automation token of 63 characters", (c) => (section(c, "cluster").automation = { token: `t${"x".repeat(62)}` })),
        value("an automation role of 64 characters", (c) => (section(c, "cluster").automation = { role: `R${"x".repeat(63)}` })),
        value("an automation user of 32 characters", (c) => (section(c, "cluster").automation = { user: `u${"x".repeat(31)}@pve` })),
        value("hostIdFloor 4294967294", (c) => (section(c, "cluster").hostIdFloor = 4294967294)),
        value("quota 0", (c) => (section(c, "datasets")[mounted].properties.quota = "0")),
        value("quota 16383P", (c) => (section(c, "datasets")[mounted].properties.quota = "16383P")),
        value("reservation 0.001K", (c) => (section(c, "datasets")[mounted].properties.reservation = "0.001K")),
        value(
            "a firewall rule on every port and protocol 255",
            (c) => (section(c, "guests")[guest].firewall = { rules: [{ action: "ACCEPT", proto: 255, dport: "1:65535" }] }),
        ),
        value("VLAN 4094", (c) => (entries(c, "networks")[0][1].vlan = 4094)),
        value("a guest disk of 10^9 GiB", (c) => {
            const g = section(c, "guests")[guest];
            if (g.kind === "lxc") g.disk.sizeGiB = 1e9;
            else g.disks[0].sizeGiB = 1e9;
        }),
    ];
    // A dataset owned through a container's id map at the top of the host's id range.
    const owned = entries(cfg, "datasets").find(([, d]) => d.owner && !section(cfg, "guests")[d.owner.container]?.privileged);
    if (owned) {
        const idmapAt = (hostId: number) => (c: Config) =>
            (section(c, "guests")[owned[1].owner.container].idmap = [
                { type: "uid", containerId: 0, hostId, size: 65536 },
                { type: "gid", containerId: 0, hostId, size: 65536 },
            ]);
        edits.push(
            value("an id map ending at the last host id", idmapAt(4294967295 - 65536)),
            value("an id map running past the last host id", idmapAt(4294967294)),
        );
    }
    // The offsite bucket on every service, with what each service cannot do.
    const offsite = (spec: Entity) => (c: Config) =>
        (c["homelab:offsite"] = {
            bucket: "homelab-offsite",
            region: "us-east-1",
            noncurrentVersionDays: 30,
            writers: [guest],
            servesPbs: false,
            ...spec,
        });
    const r2 = { service: "r2", region: "auto", endpoint: `https://${"a".repeat(32)}.r2.cloudflarestorage.com` };
    edits.push(
        value("an R2 bucket PBS writes to", offsite({ ...r2, servesPbs: true })),
        value("an R2 bucket with Object Lock", offsite({ ...r2, objectLock: true })),
        value("an R2 bucket outside region auto", offsite({ ...r2, region: "us-east-1" })),
        value("an R2 bucket with a dot", offsite({ ...r2, bucket: "homelab.offsite" })),
        value("an R2 bucket on another endpoint", offsite({ ...r2, endpoint: "https://s3.example.org" })),
        value("an R2 bucket", offsite(r2)),
        value(
            "a B2 bucket with a KMS key",
            offsite({ service: "b2", endpoint: "https://s3.us-west-004.backblazeb2.com", kmsKeyId: "alias/x" }),
        ),
        value(
            "a B2 bucket with two writers",
            offsite({ service: "b2", endpoint: "https://s3.us-west-004.backblazeb2.com", writers: [guest, node] }),
        ),
        value("a MinIO bucket without an endpoint", offsite({ service: "minio" })),
        value(
            "a Wasabi bucket with Object Lock for PBS",
            offsite({ service: "wasabi", endpoint: "https://s3.wasabisys.com", objectLock: true, servesPbs: true }),
        ),
        value("an AWS bucket with a writer name of 60 characters", offsite({ service: "aws", writers: [`w${"x".repeat(59)}`] })),
        value("an AWS bucket with an endpoint", offsite({ service: "aws", endpoint: "https://s3.example.org" })),
        value("an offsite sync at :30", offsite({ service: "aws", syncSchedule: ":30" })),
    );
    if (section(cfg, "backups").window)
        edits.push(
            value("a backup window from 23:59 to 00:00", (c) => (section(c, "backups").window = { start: "23:59", end: "00:00" })),
            value("a backup window of no length", (c) => (section(c, "backups").window = { start: "02:00", end: "02:00" })),
            value("backup slots of 5 minutes", (c) => (section(c, "backups").window.slotMinutes = 5)),
            value("backup slots of 240 minutes", (c) => (section(c, "backups").window.slotMinutes = 240)),
            value("a bandwidth limit of 1 KiB/s", (c) => (section(c, "backups").bandwidthLimitKiBps = 1)),
            value("a bandwidth limit of 10^15 KiB/s", (c) => (section(c, "backups").bandwidthLimitKiBps = 1e15)),
        );
    if (tiers.length > 0) {
        const [tier] = tiers;
        const renameTier = (to: string) => (c: Config) => {
            const t = section(c, "backups").tiers;
            t[to] = t[tier];
            delete t[tier];
            for (const [, e] of [...entries(c, "guests"), ...entries(c, "datasets")]) if (e.backup?.tier === tier) e.backup.tier = to;
        };
        edits.push(
            value(`tier ${tier} renamed with 63 characters`, renameTier(`t${"x".repeat(62)}`)),
            value(`tier ${tier} renamed with 33 characters`, renameTier(`t${"x".repeat(32)}`)),
            value(`tier ${tier} keeping nothing`, (c) => (section(c, "backups").tiers[tier].retention = {})),
            value(
                `tier ${tier} keeping 10000 of everything`,
                (c) =>
                    (section(c, "backups").tiers[tier].retention = Object.fromEntries(
                        ["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly"].map((k) => [k, 10000]),
                    )),
            ),
        );
    }
    if (pbs) {
        const set = (field: string, v: unknown) => (c: Config) => (section(c, "storages")[pbs][field] = v);
        edits.push(
            ...["ab", "-x", "_x", "x.y", "d".repeat(32)].map((v) => value(`PBS datastore ${v}`, set("datastore", v))),
            ...["x@pam", "_x@pbs", "root@pam", `${"u".repeat(70)}@pbs`].map((v) => value(`PBS user ${v.slice(0, 40)}`, set("username", v))),
            ...[":30", "-", " 02:00", "0", "*", "..........", "x".repeat(40)].map((v) =>
                value(`PBS gc schedule ${JSON.stringify(v)}`, set("gcSchedule", v)),
            ),
            ...[":30", " sat"].map((v) =>
                value(`PBS verify schedule ${JSON.stringify(v)}`, set("verify", { schedule: v, skipVerifiedDays: 3650 })),
            ),
        );
    }
    if (section(cfg, "dns").records) {
        const [record] = Object.keys(section(cfg, "dns").records);
        edits.push(
            value("a DNS TTL of 60", (c) => (section(c, "dns").ttlSeconds = 60)),
            value("a DNS TTL of 86400", (c) => (section(c, "dns").ttlSeconds = 86400)),
            value("a CNAME target of 253 characters", (c) =>
                Object.assign(section(c, "dns").records[record], {
                    type: "CNAME",
                    target: Array(4).fill("a".repeat(62)).join(".").slice(0, 253),
                }),
            ),
            value("a record purpose of 100 characters", (c) => (section(c, "dns").records[record].purpose = "p".repeat(100))),
        );
    }
    const pci = Object.keys(section(cfg, "mappings").pci ?? {})[0];
    if (pci)
        edits.push(
            value("a PCI mapping name of 63 characters", (c) => {
                const m = section(c, "mappings").pci;
                const to = `m${"x".repeat(62)}`;
                m[to] = m[pci];
                delete m[pci];
                for (const [, g] of entries(c, "guests")) for (const p of g.pciMappings ?? []) if (p.mapping === pci) p.mapping = to;
            }),
        );
    return edits;
}
