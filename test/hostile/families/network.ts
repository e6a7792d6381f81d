/**
 * Families of addresses and names: guests on addresses that belong to others, and names the
 * services refuse, that collide, or that look up members of a plain object.
 */
import { formatIpv4, parseCidr } from "../../../lib/ipv4";
import { BaseStack, Config, Edit, Entity, entries, freeAddress, networkOf, onNetwork, ordinaryGuest, schemeOff, section } from "../stacks";

/** Guest and node addresses that collide with what the inventory or the network holds. */
export function addressesFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const [guest, g] = ordinaryGuest(cfg);
    const nodes = entries(cfg, "nodes");
    const [nodeName, node] = nodes[0];
    const nodeNet = networkOf(cfg, node.address as string)!;
    const net = section(cfg, "networks")[g.network];
    const cidr = parseCidr(net.cidr as string)!;
    const qdevice = section(cfg, "cluster").qdevice?.address as string | undefined;
    const reserved = entries(cfg, "networks").flatMap(([name, n]) =>
        ((n.reserved ?? []) as Entity[]).map((r) => ({ network: name, address: (r.address ?? r.to) as string })),
    );
    const vips = entries(cfg, "ha").flatMap(([, h]) => (h.vip ? [h.vip as string] : []));
    const other = entries(cfg, "guests").find(([n, x]) => n !== guest && x.ipv4 && x.network === g.network);
    const names = Object.keys(section(cfg, "guests"));
    const at = `guests.${guest}.ipv4`;
    const moveTo = (network: string, address: string) => (c: Config) => (onNetwork(c, guest, network).ipv4 = address);
    const edits: Edit[] = [
        { what: `guest ${guest} on node ${nodeName}'s address`, expect: "dangerous", path: at, edit: moveTo(nodeNet, node.address) },
        { what: `guest ${guest} on its network's gateway`, expect: "dangerous", path: at, edit: moveTo(g.network, net.gateway) },
        ...(qdevice
            ? [
                  {
                      what: `guest ${guest} on the QDevice's address`,
                      expect: "dangerous",
                      path: at,
                      edit: moveTo(networkOf(cfg, qdevice)!, qdevice),
                  } as Edit,
              ]
            : []),
        ...reserved.map((r): Edit => ({
            what: `guest ${guest} on reserved ${r.address}`,
            expect: "dangerous",
            path: at,
            edit: moveTo(r.network, r.address),
        })),
        ...vips.map((vip): Edit => ({
            what: `guest ${guest} on the HA virtual IP ${vip}`,
            expect: "dangerous",
            path: at,
            edit: moveTo(networkOf(cfg, vip)!, vip),
        })),
        ...(other
            ? [
                  {
                      what: `guest ${guest} on guest ${other[0]}'s address`,
                      expect: "refused",
                      // The second of the two in the file is the one reported.
                      path: `guests.${names.indexOf(guest) > names.indexOf(other[0]) ? guest : other[0]}.ipv4`,
                      edit: moveTo(g.network, other[1].ipv4),
                  } as Edit,
              ]
            : []),
        { what: `guest ${guest} on the network address`, expect: "refused", path: at, edit: moveTo(g.network, formatIpv4(cidr.network)) },
        {
            what: `guest ${guest} on the broadcast address`,
            expect: "refused",
            path: at,
            edit: moveTo(g.network, formatIpv4(cidr.broadcast)),
        },
        { what: `guest ${guest} outside its network`, expect: "refused", path: at, edit: moveTo(g.network, "172.31.255.7") },
        ...["0.0.0.0", "255.255.255.255", "127.0.0.1", "169.254.1.1", "224.0.0.1"].map((a): Edit => ({
            what: `guest ${guest} on ${a}`,
            expect: "refused",
            path: at,
            edit: moveTo(g.network, a),
        })),
        ...[
            g.ipv4.replace(/\.(\d+)$/, ".0$1"),
            `::ffff:${g.ipv4}`,
            `${g.ipv4}/24`,
            ` ${g.ipv4}`,
            `${g.ipv4} `,
            "192.168.30.256",
            "fe80::1",
            "1.2.3",
            "1.2.3.4.5",
            "0x7f.0.0.1",
            "",
        ].map((a): Edit => ({
            what: `guest ${guest} on ${JSON.stringify(a)}`,
            expect: "refused",
            path: at,
            edit: (c) => (section(c, "guests")[guest].ipv4 = a),
        })),
        ...(nodes.length > 1
            ? [
                  {
                      what: `node ${nodes[1][0]} on node ${nodeName}'s address`,
                      expect: "refused",
                      path: `nodes.${nodes[1][0]}.address`,
                      edit: (c: Config) => (section(c, "nodes")[nodes[1][0]].address = node.address),
                  } as Edit,
              ]
            : []),
        {
            what: `node ${nodeName} on its network's gateway`,
            expect: "refused",
            path: `nodes.${nodeName}.address`,
            edit: (c) => (section(c, "nodes")[nodeName].address = section(c, "networks")[nodeNet].gateway),
        },
        ...(qdevice
            ? [
                  {
                      what: `the QDevice on node ${nodeName}'s address`,
                      expect: "refused",
                      path: "cluster.qdevice.address",
                      edit: (c: Config) => (section(c, "cluster").qdevice.address = node.address),
                  } as Edit,
              ]
            : []),
        {
            what: "an admin source of every address",
            expect: "dangerous",
            path: "cluster.firewall.adminSources[0]",
            edit: (c) => (section(c, "cluster").firewall = { adminSources: ["0.0.0.0/0"] }),
        },
        { what: "a DNS server on 0.0.0.0", expect: "free", edit: (c) => (section(c, "cluster").dnsServers = ["0.0.0.0"]) },
        {
            what: `a free address for guest ${guest} (the scheme off)`,
            expect: "free",
            edit: (c) => (onNetwork(c, guest, g.network).ipv4 = freeAddress(c, g.network)),
        },
    ];
    return edits;
}

/** Names the services refuse at apply, names that collide, names that look up Object members. */
export function namesFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const [guest] = ordinaryGuest(cfg);
    const [node] = entries(cfg, "nodes")[0];
    const rename = (sec: string, from: string, to: string) => (c: Config) => {
        const s = section(c, sec);
        // An own key, even for __proto__ (an assignment would set the prototype instead).
        Object.defineProperty(s, to, { value: s[from], enumerable: true, writable: true, configurable: true });
        delete s[from];
    };
    const offsite = (bucket: string) => (c: Config) =>
        (c["homelab:offsite"] = {
            service: "aws",
            bucket,
            region: "eu-central-1",
            noncurrentVersionDays: 30,
            servesPbs: false,
            writers: [guest],
        });
    const edits: Edit[] = [
        ...["Photos", "photos_1", "1photos", "-photos", "a".repeat(64), "__proto__", "photos;reboot", "ph otos", ""].map((to): Edit => ({
            what: `guest ${guest} renamed ${JSON.stringify(to.slice(0, 40))}`,
            expect: "refused",
            edit: rename("guests", guest, to),
        })),
        // Names that look up members of a plain object: must be plain names, never a crash.
        ...["constructor", "tostring", "hasownproperty", "valueof", "prototype"].map((to): Edit => ({
            what: `guest ${guest} renamed ${to}`,
            expect: "free",
            edit: rename("guests", guest, to),
        })),
        ...["constructor", "prototype"].map((to): Edit => ({
            what: `node ${node} renamed ${to}`,
            expect: "free",
            edit: rename("nodes", node, to),
        })),
        { what: `a 63-character guest name`, expect: "free", edit: rename("guests", guest, `g${"a".repeat(62)}`) },
        ...[
            "a..b",
            "192.168.1.1",
            "xn--bucket",
            "ab",
            "b".repeat(64),
            "Bucket",
            "bucket-",
            "-bucket",
            "b.-c",
            "my_bucket",
            "sthree-x",
            "x-s3alias",
        ].map((bucket): Edit => ({
            what: `S3 bucket ${bucket.slice(0, 40)}`,
            expect: "refused",
            path: "offsite.bucket",
            edit: offsite(bucket),
        })),
        {
            what: "a writer listed twice",
            expect: "refused",
            edit: (c) =>
                (c["homelab:offsite"] = {
                    service: "aws",
                    bucket: "attic-offsite",
                    region: "eu-central-1",
                    noncurrentVersionDays: 30,
                    servesPbs: false,
                    writers: [guest, guest],
                }),
        },
        {
            what: "a cluster name of 64 characters",
            expect: "refused",
            path: "cluster.name",
            edit: (c) => (section(c, "cluster").name = "c".repeat(64)),
        },
        {
            what: "a domain label of 64 characters",
            expect: "refused",
            path: "cluster.domain",
            edit: (c) => (section(c, "cluster").domain = `${"d".repeat(64)}.example.org`),
        },
        {
            what: "a domain of 300 characters",
            expect: "refused",
            path: "cluster.domain",
            edit: (c) => (section(c, "cluster").domain = Array(20).fill("abcdefghijklmno").join(".")),
        },
        { what: "a tag in capitals", expect: "refused", edit: (c) => (section(c, "guests")[guest].tags = ["Media"]) },
        { what: "a tag twice", expect: "refused", edit: (c) => (section(c, "guests")[guest].tags = ["media", "media"]) },
        {
            what: "the automation user root@pam",
            expect: "refused",
            path: "cluster.automation.user",
            edit: (c) => (section(c, "cluster").automation = { user: "root@pam" }),
        },
        { what: "a cloud-init user Root", expect: "refused", edit: (c) => (section(c, "guests")[guest].cloudInit = { user: "Root" }) },
        {
            what: "a VMID of 99",
            expect: "refused",
            edit: (c) => {
                schemeOff(c);
                section(c, "guests")[guest].vmid = 99;
            },
        },
        {
            what: "a VMID of 10^12",
            expect: "refused",
            edit: (c) => {
                schemeOff(c);
                section(c, "guests")[guest].vmid = 1e12;
            },
        },
        {
            what: "two guests on one VMID",
            expect: "refused",
            edit: (c) => {
                schemeOff(c);
                const [a, b] = entries(c, "guests");
                b[1].vmid = a[1].vmid;
            },
        },
    ];
    if (section(cfg, "dns").records) {
        const [record] = Object.keys(section(cfg, "dns").records);
        const name = (n: string) => (c: Config) => (section(c, "dns").records[record].name = n);
        edits.push(
            { what: "a DNS label of 64 characters", expect: "refused", path: `dns.records.${record}.name`, edit: name("l".repeat(64)) },
            {
                what: "a DNS name of 260 characters",
                expect: "refused",
                path: `dns.records.${record}.name`,
                edit: name(Array(26).fill("abcdefghi").join(".")),
            },
            { what: "a DNS name with an empty label", expect: "refused", path: `dns.records.${record}.name`, edit: name("a..b") },
            { what: "a DNS name with a payload", expect: "refused", path: `dns.records.${record}.name`, edit: name("x;reboot") },
            {
                what: "a DNS A record to a private address",
                expect: "dangerous",
                edit: (c) => Object.assign(section(c, "dns").records[record], { type: "A", target: "192.168.1.1" }),
            },
            {
                what: "a DNS A record to ::ffff:192.168.1.1",
                expect: "refused",
                edit: (c) => Object.assign(section(c, "dns").records[record], { type: "A", target: "::ffff:192.168.1.1" }),
            },
            {
                what: "a DNS A record to 127.000.000.001",
                expect: "refused",
                edit: (c) => Object.assign(section(c, "dns").records[record], { type: "A", target: "127.000.000.001" }),
            },
            { what: "a WAN address in a private range", expect: "dangerous", edit: (c) => (section(c, "dns").wanAddress = "10.0.0.1") },
        );
    }
    return edits;
}
