/** Resource rules on remote commands, downloads and DNS records. */
import * as pulumi from "@pulumi/pulumi";
import { deployDatasets } from "../../components/zfsDataset";
import { readScript } from "../../lib/zfs";
import { runPolicies } from "../../tools/policy/runner";
import { destructiveParts } from "../../policies/rules/remote-command-no-destructive";
import { record } from "../helpers/harness";
import { referenceInventory } from "../program/reference";
import {
    COMMAND,
    CommandInputs,
    DOWNLOAD,
    DnsRecordInputs,
    DownloadInputs,
    T,
    VPN,
    WILDCARD,
    WWW,
    check,
    custom,
    mutate,
} from "./fixtures";

describe("remote-command-no-destructive", () => {
    const rule = "remote-command-no-destructive";
    const cmd = (change: (i: CommandInputs) => void) => [mutate<CommandInputs>(custom(T.remoteCommand, "tank-cloud", COMMAND), change)];
    it("accepts scripts that destroy one dataset without -r", () =>
        expect(check(rule, [custom(T.remoteCommand, "tank-cloud", COMMAND)])).toEqual([]));
    it("refuses a recursive zfs destroy in the delete script", () => {
        expect(
            check(
                rule,
                cmd((i) => (i.delete = "zfs destroy -r tank/cloud")),
            ),
        ).toEqual([
            'The `delete` script contains "zfs destroy -r": it destroys a dataset with every child dataset and snapshot. Remove it; deleting data must be a deliberate step run by hand, one dataset at a time.',
        ]);
    });
    it("refuses rm -rf / in any script", () => {
        expect(
            check(
                rule,
                cmd((i) => (i.create = "cd /tmp && sudo rm -rf / ")),
            ),
        ).toEqual([
            'The `create` script contains "rm -rf /": it deletes the node\'s whole filesystem. Remove it; deleting data must be a deliberate step run by hand, one dataset at a time.',
        ]);
    });
    it.each([
        ["zfs destroy -r tank/x", ["zfs destroy -r"]],
        ["zfs destroy -R tank/x", ["zfs destroy -r"]],
        ["set -e; if true; then /sbin/zfs destroy -fr tank/x; fi", ["zfs destroy -r"]],
        ["zfs destroy tank/x", []],
        ["zfs destroy tank/x@snap", []],
        ["rm -rf /", ["rm -rf /"]],
        ["rm -fr /*", ["rm -rf /"]],
        ["rm -r --force '/'", ["rm -rf /"]],
        ["rm --recursive --no-preserve-root /srv", ["rm -rf /"]],
        ["rm -rf /tank/cloud/.cache", []],
        ["rm -f /", []],
        // Inside a shell's -c, ssh, su -c, eval and command substitutions.
        ['bash -c "zfs destroy -r tank/x"', ["zfs destroy -r"]],
        ["sh -c 'rm -rf /'", ["rm -rf /"]],
        ["bash -o pipefail -ec 'zfs list; zfs destroy -r tank'", ["zfs destroy -r"]],
        ["ssh n zfs destroy -r tank", ["zfs destroy -r"]],
        ["ssh -p 2222 -o BatchMode=yes root@pve 'sudo sh -c \"zfs destroy -R tank\"'", ["zfs destroy -r"]],
        ["su -c 'rm -rf /' root", ["rm -rf /"]],
        ['eval "zfs destroy -r tank"', ["zfs destroy -r"]],
        ["OUT=$(zfs destroy -r tank 2>&1)", ["zfs destroy -r"]],
        ["echo `rm -rf /*`", ["rm -rf /"]],
        // Behind wrappers.
        ["timeout 60 zfs destroy -r tank", ["zfs destroy -r"]],
        ["sudo zfs destroy -R tank", ["zfs destroy -r"]],
        ["sudo -u root env ZFS_DEBUG=1 nice -n 10 nohup zfs destroy -r tank", ["zfs destroy -r"]],
        ["timeout -s KILL 5m exec command zfs destroy -r tank", ["zfs destroy -r"]],
        ["zfs list -H -o name tank | xargs -n 1 zfs destroy -r", ["zfs destroy -r"]],
        ["\\rm -rf /", ["rm -rf /"]],
        // Every spelling of the flags, also after the operand.
        ["zfs destroy -rf tank", ["zfs destroy -r"]],
        ["zfs destroy -vR tank", ["zfs destroy -r"]],
        ["zfs destroy tank -r", ["zfs destroy -r"]],
        ["rm -fr /", ["rm -rf /"]],
        ["rm -r -f /", ["rm -rf /"]],
        ["rm --recursive --force /", ["rm -rf /"]],
        ["rm --recur -f /", ["rm -rf /"]],
        ["rm / -rf", ["rm -rf /"]],
        ["rm -rf -- /", ["rm -rf /"]],
        // Paths that normalise to the root, and a cd to it before.
        ["rm -rf /tank/../", ["rm -rf /"]],
        ["rm -rf //./", ["rm -rf /"]],
        ["rm -rf /*/*", ["rm -rf /"]],
        ["cd / && rm -rf *", ["rm -rf /"]],
        ["cd /tank; rm -rf ../*", ["rm -rf /"]],
        ["cd /tank/cloud && rm -rf *", []],
        ["cd && rm -rf *", []],
        // Text that only mentions the commands, look-ups, comments and other zfs subcommands.
        ['echo "never run zfs destroy -r tank"', []],
        ["printf '%s\\n' 'rm -rf /'", []],
        ["# zfs destroy -r tank\nzfs destroy tank/x", []],
        ["command -v zfs >/dev/null 2>&1", []],
        ["zfs list -H -o name -r -t filesystem,volume tank", []],
        ["zfs snapshot -r tank@now", []],
        ['rm -rf "$MP"', []],
        ["rm -rf ./cache /tank/cloud/tmp", []],
        ["rm -rf / --preserve-root=all", ["rm -rf /"]],
        // Snapshot ranges, recursive rollbacks and pools; dry runs and look-ups are harmless.
        ["zfs destroy tank/x@%", ["zfs destroy of a snapshot range"]],
        ["zfs destroy tank/x@auto-2024-01%auto-2024-12", ["zfs destroy of a snapshot range"]],
        ["zfs destroy -rnv tank/x", []],
        ["zfs destroy -nv tank/x@%", []],
        ["zfs rollback -r tank/x@before", ["zfs rollback -r"]],
        ["zfs rollback -Rf tank/x@before", ["zfs rollback -r"]],
        ["zfs rollback tank/x@latest", []],
        ["zpool destroy tank", ["zpool destroy"]],
        ["zpool destroy -f tank", ["zpool destroy"]],
        ["zpool list -H -o name; zpool status tank", []],
        // Disks: wipefs that erases, dd and redirections to a device.
        ["wipefs -a /dev/sdb", ["wipefs"]],
        ["wipefs -af /dev/sdb", ["wipefs"]],
        ["wipefs --all --force /dev/sdb", ["wipefs"]],
        ["wipefs -o 0x438 /dev/sdb1", ["wipefs"]],
        ["wipefs /dev/sdb", []],
        ["wipefs -n -a /dev/sdb", []],
        ["dd if=/dev/zero of=/dev/sda bs=1M", ["a write to a device"]],
        ["dd if=/dev/zero of=/dev/disk/by-id/ata-X status=progress", ["a write to a device"]],
        ["cd /dev && dd if=/dev/zero of=sda", ["a write to a device"]],
        ["cat disk.raw > /dev/nvme0n1", ["a write to a device"]],
        ["printf x &> /dev/sdb", ["a write to a device"]],
        ["dd if=/dev/urandom of=/tank/cloud/key bs=32 count=1", []],
        ["dd if=/dev/zero of=/dev/null count=1", []],
        ["echo done > /dev/null 2>&1; echo warn >&2; echo x > /dev/stderr", []],
        // The wrappers of chroot, setsid, flock, nsenter, runuser and busybox.
        ["chroot /mnt zfs destroy -r tank", ["zfs destroy -r"]],
        ["chroot --userspec=root:root /mnt rm -rf /", ["rm -rf /"]],
        ["setsid zpool destroy tank", ["zpool destroy"]],
        ["setsid -f zfs destroy -r tank", ["zfs destroy -r"]],
        ["flock /run/lock/zfs zfs destroy -r tank", ["zfs destroy -r"]],
        ["flock -w 10 /run/lock/zfs -c 'zfs destroy -r tank'", ["zfs destroy -r"]],
        ["flock --timeout 10 /run/lock/zfs zpool destroy tank", ["zpool destroy"]],
        ["exec 9>/run/lock/zfs; flock 9", []],
        ["nsenter -t 1 -m -u -i -n -p zfs destroy -r tank", ["zfs destroy -r"]],
        ["nsenter --target 1 --mount zpool destroy tank", ["zpool destroy"]],
        ["runuser -u root -- zfs destroy -r tank", ["zfs destroy -r"]],
        ["runuser root -c 'zfs destroy -r tank'", ["zfs destroy -r"]],
        ["runuser -l root", []],
        ["busybox rm -rf /", ["rm -rf /"]],
        ["busybox sh -c 'dd if=/dev/zero of=/dev/sda'", ["a write to a device"]],
    ])("reads %j as %j", (script, expected) => expect(destructiveParts(script)).toEqual(expected));
    it("reports each destructive part once per script, in a fixed order", () => {
        expect(destructiveParts("rm -rf /\nzfs destroy -r a\nzfs destroy -R b\nsh -c 'rm -r /*'")).toEqual(["zfs destroy -r", "rm -rf /"]);
        expect(
            destructiveParts("dd if=/dev/zero of=/dev/sda; wipefs -a /dev/sda; zpool destroy t; zfs rollback -r t@a; zfs destroy t@%"),
        ).toEqual(["zfs destroy of a snapshot range", "zfs rollback -r", "zpool destroy", "wipefs", "a write to a device"]);
    });
    it("says why for each new part", () => {
        const messages = (script: string) =>
            check(
                rule,
                cmd((i) => (i.delete = script)),
            );
        expect(messages("zpool destroy tank")).toEqual([
            'The `delete` script contains "zpool destroy": it destroys a whole pool and every dataset in it. Remove it; deleting data must be a deliberate step run by hand, one dataset at a time.',
        ]);
        expect(messages("dd if=/dev/zero of=/dev/sda")).toEqual([
            'The `delete` script contains "a write to a device": it overwrites a disk or partition below its filesystem (`dd of=/dev/...` or `> /dev/...`). Remove it; deleting data must be a deliberate step run by hand, one dataset at a time.',
        ]);
    });
    it("does not apply to local commands", () =>
        expect(check(rule, [custom(T.localCommand, "local", { create: "zfs destroy -r tank" })])).toEqual([]));
});

describe("remote-command-no-destructive over the real ZFS scripts of lib/zfs.ts", () => {
    const rule = "remote-command-no-destructive";
    const connections = { "pve-network": { host: "192.168.10.11", user: "root" }, "pve-storage": { host: "192.168.10.12", user: "root" } };
    // The nodes deployDatasets takes: each one's connection and host preparation (a stand-in component; only the scripts are read here).
    const nodes = () =>
        Object.fromEntries(
            Object.entries(connections).map(([name, connection]) => [
                name,
                { connection, hostPreparation: new pulumi.ComponentResource("test:node:HostPreparation", `${name}-host`) },
            ]),
        );
    const scriptsOf = (inputs: Record<string, unknown>) => (["create", "update", "delete"] as const).map((f) => inputs[f] as string);

    it.each([false, true])("passes every script of the reference datasets with allowDestroy %s", async (allowDestroy) => {
        const inv = referenceInventory();
        const datasets = Object.fromEntries(Object.entries(inv.datasets).map(([path, ds]) => [path, { ...ds, allowDestroy }]));
        const { recording } = await record(() => deployDatasets({ ...inv, datasets }, nodes()));
        const commands = recording.ofType(T.remoteCommand);
        expect(commands).toHaveLength(12);
        // The delete script destroys the (empty) dataset only with allowDestroy: both paths are read.
        expect(commands.filter((c) => String(c.inputs.delete).includes('until zfs destroy "$DS"; do'))).toHaveLength(allowDestroy ? 12 : 0);
        expect(commands.flatMap((c) => scriptsOf(c.inputs).flatMap(destructiveParts))).toEqual([]);
        expect(Object.keys(datasets).flatMap((path) => destructiveParts(readScript(path)))).toEqual([]);
        expect(runPolicies(recording.resources).violations.filter((v) => v.policy === rule)).toEqual([]);
    });

    it("would flag the real delete script if its destroy were recursive", async () => {
        const inv = referenceInventory();
        const datasets = { "tank/cloud": { ...inv.datasets["tank/cloud"], allowDestroy: true } };
        const { recording } = await record(() => deployDatasets({ ...inv, datasets }, nodes()));
        const [cmd] = recording.ofType(T.remoteCommand);
        const recursive = String(cmd.inputs.delete).replace('until zfs destroy "$DS"; do', 'until zfs destroy -r "$DS"; do');
        expect(recursive).not.toBe(cmd.inputs.delete);
        expect(check(rule, [custom(T.remoteCommand, "tank-cloud", { ...cmd.inputs, delete: recursive })])).toEqual([
            'The `delete` script contains "zfs destroy -r": it destroys a dataset with every child dataset and snapshot. Remove it; deleting data must be a deliberate step run by hand, one dataset at a time.',
        ]);
    });
});

describe("proxmox-download-checksum", () => {
    const rule = "proxmox-download-checksum";
    it("accepts a download with a pinned checksum", () => expect(check(rule, [custom(T.download, "tmpl", DOWNLOAD)])).toEqual([]));
    it("flags a download without checksum or algorithm", () => {
        const bare = mutate<DownloadInputs>(custom(T.download, "tmpl", DOWNLOAD), (i) => (delete i.checksum, delete i.checksumAlgorithm));
        expect(check(rule, [bare])).toEqual([
            "The download of http://download.proxmox.com/images/system/debian-12-standard_12.12-1_amd64.tar.zst leaves `checksum` and `checksumAlgorithm` unset, so a tampered or truncated file is accepted. Pin the published checksum with `checksum` and `checksumAlgorithm` (sha256 or sha512).",
        ]);
    });
    it("applies to the legacy and previous-major download types", () => {
        for (const type of ["proxmoxve:download/fileLegacy:FileLegacy", "proxmoxve:Download/file:File"]) {
            expect(check(rule, [custom(type, "tmpl", { ...DOWNLOAD, checksum: "" })])).toHaveLength(1);
        }
    });
});

describe("dns-no-private-targets", () => {
    const rule = "dns-no-private-targets";
    const rec = (inputs: DnsRecordInputs, type: string = T.dnsRecord) => [custom(type, "dns", inputs)];
    it("accepts public A records and CNAMEs", () => expect(check(rule, [...rec(WILDCARD), ...rec(WWW)])).toEqual([]));
    it.each([
        ["192.168.30.10", "a private (RFC 1918) address"],
        ["10.0.0.5", "a private (RFC 1918) address"],
        ["127.0.0.1", "a loopback address"],
        ["100.64.1.1", "a carrier-grade NAT address"],
    ])("refuses an A record pointing at %s", (content, reason) => {
        expect(check(rule, rec({ ...VPN, content }))).toEqual([
            `The A record "vpn.example.org" points at ${content}, ${reason}. Public records must point at public addresses; serve private names from the LAN's resolver instead.`,
        ]);
    });
    it.each([
        [" 192.168.30.10 ", "192.168.30.10, a private (RFC 1918) address"],
        ["010.0.0.1", "010.0.0.1, read as 10.0.0.1, a private (RFC 1918) address"],
        ["192.168.001.001", "192.168.001.001, read as 192.168.1.1, a private (RFC 1918) address"],
        ["0127.0.0.1", "0127.0.0.1, read as 127.0.0.1, a loopback address"],
    ])("refuses an A record %j: spaces around it and leading zeros are read as resolvers read them", (content, said) => {
        expect(check(rule, rec({ ...VPN, content }))).toEqual([
            `The A record "vpn.example.org" points at ${said}. Public records must point at public addresses; serve private names from the LAN's resolver instead.`,
        ]);
    });
    it("refuses 012.0.0.1 whose octal reading (10.0.0.1) is private, and accepts a public address with a leading zero in neither reading", () => {
        expect(check(rule, rec({ ...VPN, content: "012.0.0.1" }))).toEqual([
            `The A record "vpn.example.org" points at 012.0.0.1, read as 10.0.0.1, a private (RFC 1918) address. Public records must point at public addresses; serve private names from the LAN's resolver instead.`,
        ]);
        expect(check(rule, rec({ ...VPN, content: "203.0.113.010" }))).toEqual([]);
    });
    it.each([
        ["::1", "a loopback address"],
        ["0:0:0:0:0:0:0:1", "a loopback address"],
        ["0000:0000:0000:0000:0000:0000:0000:0001", "a loopback address"],
        [" ::1 ", "a loopback address"],
        ["::", "an unspecified address"],
        ["::ffff:192.168.1.1", "the IPv4 address 192.168.1.1 inside an IPv6 one, a private (RFC 1918) address"],
        ["::FFFF:c0a8:0101", "the IPv4 address 192.168.1.1 inside an IPv6 one, a private (RFC 1918) address"],
        ["::ffff:127.0.0.1", "the IPv4 address 127.0.0.1 inside an IPv6 one, a loopback address"],
        ["64:ff9b::10.0.0.1", "the IPv4 address 10.0.0.1 inside an IPv6 one, a private (RFC 1918) address"],
        ["FD00::10", "a unique-local (private) address"],
        ["fe80::1%eth0", "a link-local address"],
        ["fec0::1", "a site-local (private) address"],
        ["ff02::1", "a multicast address"],
    ])("refuses an AAAA record %j", (content, reason) => {
        expect(check(rule, rec({ ...VPN, type: "AAAA", content }))).toEqual([
            `The AAAA record "vpn.example.org" points at ${content.trim()}, ${reason}. Public records must point at public addresses; serve private names from the LAN's resolver instead.`,
        ]);
    });
    it.each(["2001:db8::1", "::ffff:203.0.113.10", "2606:4700:4700::1111", "not an address", "1::2::3", "12345::1"])(
        "accepts the AAAA record %j (public, or no address the rule can read)",
        (content) => expect(check(rule, rec({ ...VPN, type: "AAAA", content }))).toEqual([]),
    );
    it("reads the record type with spaces around it", () => {
        expect(check(rule, rec({ ...VPN, type: " a ", content: "10.0.0.1" }))).toHaveLength(1);
    });
    it("refuses an AAAA record pointing at a unique-local address, on the previous major's type too", () => {
        expect(check(rule, rec({ ...VPN, type: "AAAA", content: "fd00::10" }, T.dnsRecordV5))).toEqual([
            `The AAAA record "vpn.example.org" points at fd00::10, a unique-local (private) address. Public records must point at public addresses; serve private names from the LAN's resolver instead.`,
        ]);
        expect(check(rule, rec({ ...VPN, type: "AAAA", content: "2001:db8::1" }))).toEqual([]);
    });
});

describe("dns-no-proxy-for-udp-or-wildcard", () => {
    const rule = "dns-no-proxy-for-udp-or-wildcard";
    const rec = (inputs: DnsRecordInputs) => [custom(T.dnsRecord, "dns", inputs)];
    it("accepts unproxied wildcard and UDP records, and a proxied web record", () => {
        expect(check(rule, [...rec(WILDCARD), ...rec(VPN), ...rec(WWW)])).toEqual([]);
    });
    it("refuses a proxied wildcard", () => {
        expect(check(rule, rec({ ...WILDCARD, proxied: true, ttl: 1 }))).toEqual([
            "The wildcard record \"*.lab.example.org\" is proxied, so the reverse proxy behind it sees Cloudflare's addresses instead of the client's. Set `proxied: false`.",
        ]);
    });
    it("refuses a proxied record whose comment says udp", () => {
        expect(check(rule, rec({ ...VPN, proxied: true, ttl: 1 }))).toEqual([
            'The record "vpn.example.org" serves a UDP service but is proxied, and Cloudflare\'s proxy carries no UDP. Set `proxied: false`.',
        ]);
    });
    it("knows UDP records by tag, by _udp name, and by configured name", () => {
        expect(check(rule, rec({ ...WWW, tags: ["protocol:udp"] }))).toHaveLength(1);
        expect(check(rule, rec({ ...WWW, name: "_sip._udp.example.org", type: "SRV" }))).toHaveLength(1);
        expect(check(rule, rec({ ...WWW, name: "wg.example.org" }), { [rule]: { udpRecordNames: ["wg.*"] } })).toHaveLength(1);
        expect(check(rule, rec({ ...WWW, name: "wg.example.org" }))).toEqual([]);
    });
    it("reads names and tags with spaces around them", () => {
        expect(check(rule, rec({ ...WILDCARD, name: " *.lab.example.org ", proxied: true, ttl: 1 }))).toHaveLength(1);
        expect(check(rule, rec({ ...WWW, tags: [" udp "] }))).toHaveLength(1);
    });
});

describe("remote-command-no-destructive over the backup components' scripts (PbsServer, DatasetBackup)", () => {
    it("passes every create, update and delete script, and the installed backup script", async () => {
        const { PbsServer } = await import("../../components/pbsServer");
        const { DatasetBackup } = await import("../../components/datasetBackup");
        const { datasetBackupScript } = await import("../../lib/datasetBackup");
        const { tierPruneJobs } = await import("../../lib/pbs/setup");
        const fingerprint = Array.from({ length: 32 }, () => "ab").join(":");
        const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKlnFXZR5qE7MfcqEuBrhZzQgEkH2aFD1Q8oFrceSWi1 pbs";
        const backup = {
            dataset: "tank/photos",
            mountpoint: "/tank/photos",
            repository: { user: "pve@pbs", server: "192.168.10.20", datastore: "tank" },
            tier: "critical",
            namespace: "critical",
            cadence: { every: "day" as const },
            startTime: "05:30",
        };
        const { recording } = await record(() => {
            new PbsServer("pbs", {
                address: "192.168.10.20",
                hostKey,
                privateKey: "key",
                datastore: { name: "tank", path: "/mnt/datastore/tank", nfs: { server: "192.168.10.12", export: "/tank/pbs" } },
                user: "pve@pbs",
                password: "correct horse battery",
                prune: tierPruneJobs({ critical: { retention: { keepDaily: 7 } } }),
                offsite: {
                    endpoint: "s3.us-west-004.backblazeb2.com",
                    region: "us-west-004",
                    bucket: "attic-pbs-offsite",
                    pathStyle: true,
                    accessKeyId: "id",
                    secretAccessKey: "secret",
                },
            });
            new DatasetBackup("tank/photos", {
                ...backup,
                connection: { host: "192.168.10.12", hostKey },
                password: "correct horse battery",
                fingerprint,
            });
        });
        const commands = recording.ofType(T.remoteCommand);
        expect(commands).toHaveLength(10);
        const scripts = commands.flatMap((c) => (["create", "update", "delete"] as const).map((f) => String(c.inputs[f] ?? "")));
        expect(scripts.flatMap(destructiveParts)).toEqual([]);
        expect(destructiveParts(datasetBackupScript({ ...backup, fingerprint }))).toEqual([]);
        expect(runPolicies(recording.resources).violations.filter((v) => v.policy === "remote-command-no-destructive")).toEqual([]);
    });
});
