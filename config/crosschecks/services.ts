/**
 * Cross-checks of HA groups, public DNS, backups and the offsite bucket.
 */
import { BackupScheduleError, planBackupJobs } from "../../lib/backupSchedule";
import {
    DnsRecordField,
    dnsRecordProblems,
    fullRecordName,
    isFqdn,
    nonPublicHostnameReason,
    recordComment,
    recordContent,
    recordTtl,
} from "../../lib/dns";
import { cidrContains, nonPublicReason, parseIpv4 } from "../../lib/ipv4";
import { FieldError } from "../../lib/errors";
import { s3BucketNameProblem } from "../../lib/patterns";
import { S3_SERVICE_FEATURES, offsiteProblems, r2Problems, writerUserName } from "../../lib/s3Services";
import { CheckContext } from "./context";
import { checkBackupChoice } from "./datasets";
import { SHARED_KINDS } from "./storage";

export function checkHa(ctx: CheckContext): void {
    const memberOf = new Map<string, string>();
    const vrrpIds = new Map<string, string>();
    for (const [group, ha] of Object.entries(ctx.inv.ha)) {
        const base = ["ha", group];
        const members = ha.members.flatMap((m, i) => {
            const guest = ctx.requireGuest([...base, "members", i], m);
            const other = memberOf.get(m);
            if (other)
                ctx.add([...base, "members", i], `guest "${m}" is already a member of HA group "${other}"; a guest belongs to one group`, [
                    `ha.${other}`,
                    `guests.${m}`,
                ]);
            memberOf.set(m, group);
            if (guest?.template) ctx.add([...base, "members", i], `"${m}" is a template and never runs; name its clones`, [`guests.${m}`]);
            return guest ? [{ name: m, index: i, guest }] : [];
        });
        if (ha.kind === "keepalived") {
            const byNode = new Map<string, string>();
            for (const m of members) {
                const other = byNode.get(m.guest.node);
                if (other)
                    ctx.add(
                        [...base, "members", m.index],
                        `HA group "${group}" has ${other} and ${m.name} on node "${m.guest.node}"; members of a pair must run on different nodes, or one node failing takes both down`,
                        [`guests.${m.name}`, `guests.${other}`],
                    );
                byNode.set(m.guest.node, m.name);
            }
            const networks = new Set(members.map((m) => m.guest.network));
            if (networks.size > 1)
                ctx.add(
                    [...base, "members"],
                    `VRRP runs inside one network, but the members are on ${[...networks].join(" and ")}; put them on one network`,
                    members.map((m) => `guests.${m.name}`),
                );
            const net = members.length > 0 ? ctx.networks.get(members[0].guest.network) : undefined;
            const vip = parseIpv4(ha.vip);
            if (net?.subnet && vip !== undefined && !cidrContains(net.subnet, vip))
                ctx.add(
                    [...base, "vip"],
                    `virtual IP ${ha.vip} is outside ${net.spec.cidr} of the members' network "${net.name}"; pick an address in it`,
                    [`networks.${net.name}`, ...members.map((m) => `guests.${m.name}`)],
                );
            if (net && ha.vip === net.spec.gateway)
                ctx.add([...base, "vip"], `virtual IP ${ha.vip} is the gateway of network "${net.name}"; pick a free address`, [
                    `networks.${net.name}`,
                ]);
            // A machine's own address as the VIP: two hosts answer ARP for it.
            const node = Object.entries(ctx.inv.nodes).find(([, spec]) => spec.address === ha.vip)?.[0];
            if (node !== undefined)
                ctx.add([...base, "vip"], `virtual IP ${ha.vip} is node "${node}"'s address; pick a free address`, [`nodes.${node}`]);
            else if (ctx.inv.cluster.qdevice?.address === ha.vip)
                ctx.add([...base, "vip"], `virtual IP ${ha.vip} is the QDevice's address; pick a free address`, ["cluster"]);
            if (net) {
                const k = `${net.name}\u0000${ha.vrrpId}`;
                const other = vrrpIds.get(k);
                if (other)
                    ctx.add(
                        [...base, "vrrpId"],
                        `VRRP id ${ha.vrrpId} is already HA group "${other}"'s on network "${net.name}"; pick another id`,
                        [`ha.${other}`],
                    );
                vrrpIds.set(k, group);
            }
        } else {
            const nodes = ha.nodes ?? ctx.nodeNames;
            (ha.nodes ?? []).forEach((n, i) => ctx.requireNode([...base, "nodes", i], n));
            for (const m of members) {
                if (!nodes.includes(m.guest.node))
                    ctx.add(
                        [...base, "members", m.index],
                        `guest "${m.name}" runs on "${m.guest.node}", which is not one of the group's nodes (${nodes.join(", ")}); add it to nodes`,
                        [`guests.${m.name}`],
                    );
                const others = nodes.filter((n) => n !== m.guest.node);
                const storages =
                    m.guest.kind === "lxc" ? [m.guest.disk.storage] : m.guest.disks.flatMap((d) => ("storage" in d ? [d.storage] : []));
                if (m.guest.kind === "vm" && m.guest.disks.some((d) => "device" in d))
                    ctx.add(
                        [...base, "members", m.index],
                        `guest "${m.name}" has a physical disk passed through; it cannot run on another node, so leave it out of Proxmox HA`,
                        [`guests.${m.name}`],
                    );
                for (const id of storages) {
                    const storage = ctx.storage(id);
                    if (!storage) continue;
                    const shared = SHARED_KINDS.includes(storage.kind) && others.every((n) => ctx.storageNodes(storage).includes(n));
                    const replicated = others.every((n) => m.guest.replication.some((r) => r.node === n));
                    if (!shared && !replicated)
                        ctx.add(
                            [...base, "members", m.index],
                            `guest "${m.name}" keeps its disk on "${id}" (${storage.kind}, on ${ctx.storageNodes(storage).join(", ")}), which the HA manager cannot start on ${others.join(", ")}; use shared storage or add guests.${m.name}.replication to those nodes`,
                            [`guests.${m.name}`, `storages.${id}`],
                        );
                }
            }
        }
    }
}

/** Inventory path of the field a DNS rule is about (`content` is the inventory's `target`, the comment its `purpose`). */
const DNS_FIELD_PATH: Record<DnsRecordField, string> = {
    name: "name",
    type: "type",
    content: "target",
    proxied: "proxied",
    ttl: "proxied",
    comment: "purpose",
};

export function checkDns(ctx: CheckContext): void {
    const dns = ctx.inv.dns;
    if (!dns) return;
    let wanSourceReported = false;
    if (dns.wanAddress && dns.ddnsHostname)
        ctx.add(["dns", "ddnsHostname"], `set either wanAddress or ddnsHostname, not both; with a static WAN address drop ddnsHostname`);
    if (dns.wanAddress) {
        const why = nonPublicReason(dns.wanAddress);
        if (why) {
            ctx.add(["dns", "wanAddress"], `${dns.wanAddress} is ${why}; public records need the public WAN address`);
            wanSourceReported = true;
        }
    }
    if (dns.ddnsHostname) {
        const why = isFqdn(dns.ddnsHostname) ? nonPublicHostnameReason(dns.ddnsHostname) : "not a fully qualified hostname";
        if (why) {
            ctx.add(
                ["dns", "ddnsHostname"],
                `"${dns.ddnsHostname}" is ${why}; use the public dynamic-DNS name of the WAN, such as home.dyndns.example.net`,
            );
            wanSourceReported = true;
        }
    }
    const names = new Map<string, string>();
    for (const [k, r] of Object.entries(dns.records)) {
        const base = ["dns", "records", k];
        const name = fullRecordName(r.name, dns.zone);
        const prev = names.get(name);
        if (prev) ctx.add([...base, "name"], `record name "${name}" is already used by record "${prev}"; one record per name`);
        names.set(name, k);
        if (name.length > 253) ctx.add([...base, "name"], `"${name}" is ${name.length} characters; a DNS name has at most 253`);
        let content: string | undefined;
        if (r.target === "wan" && r.type === "A" && !dns.wanAddress)
            ctx.add([...base, "type"], `an A record to "wan" needs dns.wanAddress; set it, or use type CNAME (to dns.ddnsHostname)`);
        else if (r.target === "wan" && r.type === "CNAME" && !dns.ddnsHostname)
            ctx.add([...base, "type"], `a CNAME to "wan" needs dns.ddnsHostname; set it, or use type A (to dns.wanAddress)`);
        else content = recordContent(`dns.records.${k}`, r, dns);
        const resolved = {
            name,
            type: r.type,
            content,
            proxied: r.proxied,
            ttl: recordTtl(r.proxied, dns.ttlSeconds),
            comment: recordComment(r.purpose, r.protocol),
            protocol: r.protocol,
        };
        for (const p of dnsRecordProblems(resolved)) {
            if (p.field === "content" && r.target === "wan" && wanSourceReported) continue;
            ctx.add([...base, DNS_FIELD_PATH[p.field]], p.message);
        }
    }
}

export function checkBackups(ctx: CheckContext): void {
    for (const [name, g] of Object.entries(ctx.inv.guests)) checkBackupChoice(ctx, ["guests", name, "backup"], g.backup);
    const b = ctx.inv.backups;
    if (!b) return;
    const target = ctx.requireStorage(["backups", "target"], b.target);
    if (target && !target.content.includes("backup"))
        ctx.add(
            ["backups", "target"],
            `storage "${b.target}" does not hold "backup" content; name a PBS, NFS or directory storage with backup content`,
            [`storages.${b.target}`],
        );
    if (target) {
        const nodes = ctx.storageNodes(target);
        const onNodes = new Set(
            [...Object.values(ctx.inv.guests), ...Object.values(ctx.inv.datasets)].filter((s) => "tier" in s.backup).map((s) => s.node),
        );
        for (const node of onNodes)
            if (ctx.node(node) && !nodes.includes(node))
                ctx.add(
                    ["backups", "target"],
                    `node "${node}" backs up guests or datasets but does not have storage "${b.target}"; add it to storages.${b.target}.nodes`,
                    [...ctx.storageRefs(b.target), `nodes.${node}`],
                );
        const datasetsBackedUp = Object.values(ctx.inv.datasets).some((d) => "tier" in d.backup);
        if (datasetsBackedUp && target.kind !== "pbs")
            ctx.add(
                ["backups", "target"],
                `datasets are backed up with proxmox-backup-client, which writes to a Proxmox Backup Server; make the target a pbs storage, or exclude the datasets with a reason`,
                [`storages.${b.target}`],
            );
        // On a PBS the program sets up, each tier gets its own PVE storage `<target>-<tier>` (its namespace).
        if (target.kind === "pbs" && target.guest !== undefined)
            for (const tier of Object.keys(b.tiers)) {
                const id = `${b.target}-${tier}`;
                if (Object.hasOwn(ctx.inv.storages, id))
                    ctx.add(
                        ["storages", id],
                        `the id is taken by the PVE storage of tier "${tier}" on PBS (${b.target}-${tier}, its namespace); rename this storage`,
                        [`storages.${b.target}`, `backups.tiers.${tier}`],
                    );
            }
    }
    if (b.window.start === b.window.end)
        ctx.add(["backups", "window"], `the night window is empty (start equals end); give it at least one slot`);
    for (const [tier, spec] of Object.entries(b.tiers)) {
        const r = spec.retention;
        if (!r.keepLast && !r.keepHourly && !r.keepDaily && !r.keepWeekly && !r.keepMonthly && !r.keepYearly)
            ctx.add(["backups", "tiers", tier, "retention"], `retention keeps nothing; set at least one keep* count`);
    }
    const tiersOk = [...Object.values(ctx.inv.guests), ...Object.values(ctx.inv.datasets)].every(
        (s) => !("tier" in s.backup) || Object.hasOwn(b.tiers, s.backup.tier),
    );
    if (b.window.start !== b.window.end && tiersOk) {
        try {
            planBackupJobs({ guests: ctx.inv.guests, datasets: ctx.inv.datasets, window: b.window, tiers: b.tiers });
        } catch (err) {
            if (!(err instanceof BackupScheduleError)) throw err;
            ctx.add(err.field.split("."), err.reason);
        }
    }
}

export function checkOffsite(ctx: CheckContext): void {
    const o = ctx.inv.offsite;
    if (!o) return;
    const service = S3_SERVICE_FEATURES[o.service];
    const bucketProblem = s3BucketNameProblem(o.bucket);
    if (bucketProblem) ctx.add(["offsite", "bucket"], `"${o.bucket}" ${bucketProblem}`);
    for (const p of offsiteProblems(o)) ctx.add(p.field.split("."), p.reason);
    if (service.iam)
        o.writers.forEach((w, i) => {
            try {
                writerUserName(o.bucket, w);
            } catch (err) {
                if (!(err instanceof FieldError)) throw err;
                ctx.add(["offsite", "writers", i], err.reason);
            }
        });
    if (o.servesPbs) {
        const target = ctx.inv.backups ? ctx.storage(ctx.inv.backups.target) : undefined;
        if (!target || target.kind !== "pbs" || target.guest === undefined)
            ctx.add(
                ["offsite", "servesPbs"],
                `the program copies PBS's datastore to the bucket only when it sets PBS up: make backups.target a pbs storage on a guest of this inventory, or set servesPbs: false and sync by hand`,
                ["backups"],
            );
    }
    for (const p of r2Problems(o)) ctx.add(p.field.split("."), p.reason);
}
