/**
 * Rules between entities of a parsed inventory. Pure: each check returns problems with the
 * path and the fix; `crossCheck` runs them all so one run reports everything.
 */
import { MAX_DATASET_NAME_LENGTH } from "../lib/shell";
import { IdmapRange, UNPRIVILEGED_ID_COUNT, mapThroughRanges } from "../lib/idmap";
import {
    DnsRecordField,
    dnsRecordProblems,
    fullRecordName,
    isFqdn,
    nonPublicHostnameReason,
    recordComment,
    recordContent,
    recordTtl,
} from "../lib/dns";
import { cidrContains, nonPublicReason, parseCidr, parseIpv4 } from "../lib/ipv4";
import { schemeVmid } from "../lib/scheme";
import { InventoryProblem, formatPath } from "./errors";
import { Inventory, ZFS_DATASET_PATTERN } from "./schema";

type Problems = InventoryProblem[];
const at = (path: PropertyKey[], message: string): InventoryProblem => ({ path: formatPath(path), message });

/**
 * Looks up a key of an inventory record. Plain indexing would find inherited members
 * (`nodes["constructor"]` is a function), so a reference named like one would slip through.
 */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
    return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** S3 services with an IAM API: a bucket-scoped key per writer. The others take one scoped key. */
export const SERVICES_WITH_IAM: readonly string[] = ["aws", "wasabi"];
/** Cloudflare R2's only region. */
export const R2_REGION = "auto";
/** An R2 endpoint: the 32-hex-digit account id, optionally a jurisdiction. */
export const R2_ENDPOINT_PATTERN = /^https:\/\/[0-9a-f]{32}(\.(eu|fedramp))?\.r2\.cloudflarestorage\.com\/?$/;

/** Storage ids a guest disk must never use: the root disk's directory storage. */
export const FORBIDDEN_GUEST_STORAGES = ["local"] as const;

/** Runs every cross-check and returns all problems (empty when the inventory is coherent). */
export function crossCheck(inv: Inventory): InventoryProblem[] {
    const problems: Problems = [];
    checkNetworks(inv, problems);
    checkNodes(inv, problems);
    checkGuests(inv, problems);
    checkDatasets(inv, problems);
    checkImages(inv, problems);
    checkDns(inv, problems);
    checkBackups(inv, problems);
    checkOffsite(inv, problems);
    return problems;
}

/** Finds the network carrying a VLAN id. */
export function networkByVlan(inv: Inventory, vlan: number): [string, Inventory["networks"][string]] | undefined {
    return Object.entries(inv.networks).find(([, n]) => n.vlan === vlan);
}

/** All storages of all nodes, keyed by id, with the node offering each. */
export function storagesById(inv: Inventory): Map<string, { node: string; spec: Inventory["nodes"][string]["storages"][string] }> {
    const out = new Map<string, { node: string; spec: Inventory["nodes"][string]["storages"][string] }>();
    for (const [node, spec] of Object.entries(inv.nodes)) {
        for (const [id, storage] of Object.entries(spec.storages)) if (!out.has(id)) out.set(id, { node, spec: storage });
    }
    return out;
}

function checkNetworks(inv: Inventory, problems: Problems): void {
    const seen = new Map<number, string>();
    for (const [name, net] of Object.entries(inv.networks)) {
        const other = seen.get(net.vlan);
        if (other)
            problems.push(
                at(["networks", name, "vlan"], `VLAN ${net.vlan} is already used by network "${other}"; give each network its own VLAN id`),
            );
        seen.set(net.vlan, name);
        const subnet = parseCidr(net.cidr);
        const gw = parseIpv4(net.gateway);
        if (!subnet) {
            problems.push(
                at(
                    ["networks", name, "cidr"],
                    `"${net.cidr}" is not a network address; use the subnet's first address, e.g. 192.168.30.0/24`,
                ),
            );
        } else if (gw !== undefined && (!cidrContains(subnet, gw) || gw === subnet.network || gw === subnet.broadcast)) {
            problems.push(
                at(
                    ["networks", name, "gateway"],
                    `gateway ${net.gateway} is not a host address of ${net.cidr}; use an address inside the subnet`,
                ),
            );
        }
    }
}

function checkNodes(inv: Inventory, problems: Problems): void {
    const owner = new Map<string, string>();
    const addresses = new Map<string, string>();
    for (const [node, spec] of Object.entries(inv.nodes)) {
        const other = addresses.get(spec.address);
        if (other)
            problems.push(
                at(["nodes", node, "address"], `address ${spec.address} is also node "${other}"'s; every node needs its own address`),
            );
        addresses.set(spec.address, node);
        for (const [id, storage] of Object.entries(spec.storages)) {
            const prev = owner.get(id);
            // The installer's own storages (`local`) exist on every node: the same unmanaged definition may repeat.
            const sameUnmanaged =
                prev !== undefined && !storage.managed && JSON.stringify(inv.nodes[prev].storages[id]) === JSON.stringify(storage);
            if (prev && !sameUnmanaged)
                problems.push(
                    at(
                        ["nodes", node, "storages", id],
                        `storage id "${id}" is already defined on node "${prev}"; storage ids are cluster-wide, give this one another id`,
                    ),
                );
            owner.set(id, node);
        }
    }
}

function checkDisk(
    inv: Inventory,
    problems: Problems,
    path: PropertyKey[],
    node: string,
    storage: string,
    wantContent: "images" | "rootdir",
): void {
    if ((FORBIDDEN_GUEST_STORAGES as readonly string[]).includes(storage)) {
        problems.push(
            at(
                path,
                `guest storage must not be "${storage}" (the root disk's directory storage); use a named ZFS or LVM-thin storage of node "${node}"`,
            ),
        );
        return;
    }
    const nodeSpec = own(inv.nodes, node);
    if (!nodeSpec) return; // reported on the guest's node
    const spec = own(nodeSpec.storages, storage);
    if (!spec) {
        const offered = Object.keys(nodeSpec.storages).join(", ") || "none";
        problems.push(
            at(
                path,
                `node "${node}" offers no storage "${storage}" (it offers: ${offered}); add it under nodes.${node}.storages or pick one of those`,
            ),
        );
        return;
    }
    if (!spec.content.includes(wantContent)) {
        problems.push(
            at(
                path,
                `storage "${storage}" does not hold "${wantContent}" content; add "${wantContent}" to nodes.${node}.storages.${storage}.content or pick another storage`,
            ),
        );
    }
}

function checkGuests(inv: Inventory, problems: Problems): void {
    const vmids = new Map<number, string>();
    const ips = new Map<string, string>();
    const pairs = new Map<string, { guest: string; node: string }[]>();
    for (const [name, g] of Object.entries(inv.guests)) {
        const base = ["guests", name];
        if (!own(inv.nodes, g.node)) {
            problems.push(
                at(
                    [...base, "node"],
                    `node "${g.node}" is not in nodes (known: ${Object.keys(inv.nodes).join(", ")}); fix the name or add the node`,
                ),
            );
        }
        const prevId = vmids.get(g.vmid);
        if (prevId)
            problems.push(at([...base, "vmid"], `VMID ${g.vmid} is already used by guest "${prevId}"; every guest needs its own VMID`));
        vmids.set(g.vmid, name);
        const prevIp = ips.get(g.ipv4);
        if (prevIp)
            problems.push(
                at([...base, "ipv4"], `address ${g.ipv4} is already used by guest "${prevIp}"; every guest needs its own address`),
            );
        ips.set(g.ipv4, name);

        const net = networkByVlan(inv, g.vlan);
        if (!net) {
            problems.push(
                at(
                    [...base, "vlan"],
                    `VLAN ${g.vlan} is not a network (known: ${Object.values(inv.networks)
                        .map((n) => n.vlan)
                        .join(", ")}); fix the VLAN or add the network`,
                ),
            );
        } else {
            const subnet = parseCidr(net[1].cidr);
            const ip = parseIpv4(g.ipv4);
            if (subnet && ip !== undefined) {
                if (!cidrContains(subnet, ip))
                    problems.push(
                        at(
                            [...base, "ipv4"],
                            `address ${g.ipv4} is outside ${net[1].cidr} of VLAN ${g.vlan} ("${net[0]}"); pick an address in that subnet`,
                        ),
                    );
                else if (ip === subnet.network)
                    problems.push(at([...base, "ipv4"], `address ${g.ipv4} is the network address of ${net[1].cidr}; pick a host address`));
                else if (ip === subnet.broadcast)
                    problems.push(
                        at([...base, "ipv4"], `address ${g.ipv4} is the broadcast address of ${net[1].cidr}; pick a host address`),
                    );
                else if (g.ipv4 === net[1].gateway && !g.gateway)
                    problems.push(
                        at(
                            [...base, "ipv4"],
                            `address ${g.ipv4} is the gateway of VLAN ${g.vlan}; pick another host address (or set gateway: true on the router guest)`,
                        ),
                    );
                else if (g.gateway && g.ipv4 !== net[1].gateway)
                    problems.push(
                        at(
                            [...base, "gateway"],
                            `a router guest owns its VLAN's gateway address ${net[1].gateway}, got ${g.ipv4}; fix the address or the network's gateway`,
                        ),
                    );
            }
            if (inv.cluster.enforceIdScheme && parseIpv4(g.ipv4) !== undefined) {
                const want = schemeVmid(g.vlan, g.ipv4);
                if (want !== g.vmid)
                    problems.push(
                        at(
                            [...base, "vmid"],
                            `VMID ${g.vmid} breaks the ID scheme (VLAN × 1000 + last octet); for VLAN ${g.vlan} and ${g.ipv4} it must be ${want}`,
                        ),
                    );
            }
        }

        if (g.haPair) {
            const list = pairs.get(g.haPair) ?? [];
            list.push({ guest: name, node: g.node });
            pairs.set(g.haPair, list);
        }

        if (g.kind === "lxc") {
            checkDisk(inv, problems, [...base, "disk", "storage"], g.node, g.disk.storage, "rootdir");
            if (g.idmap) checkIdmap(g.idmap, g.privileged !== undefined, [...base, "idmap"], problems);
            const template = own(inv.images, g.template);
            if (!template)
                problems.push(
                    at([...base, "template"], `template "${g.template}" is not in images; add it under images with its checksum`),
                );
            else if (template.contentType !== "vztmpl")
                problems.push(
                    at(
                        [...base, "template"],
                        `image "${g.template}" has contentType ${template.contentType}, not a container template; name an image whose contentType is vztmpl`,
                    ),
                );
            if (g.privileged && g.privileged.reason.trim().length < 10) {
                problems.push(
                    at(
                        [...base, "privileged", "reason"],
                        `a privileged container must say why in at least 10 characters (not counting spaces); give a reason or drop the exception`,
                    ),
                );
            }
        } else {
            g.disks.forEach((d, i) => checkDisk(inv, problems, [...base, "disks", i, "storage"], g.node, d.storage, "images"));
            if (g.systemStorage !== undefined) checkDisk(inv, problems, [...base, "systemStorage"], g.node, g.systemStorage, "images");
            const image = g.image === undefined ? undefined : own(inv.images, g.image);
            if (g.image && !image)
                problems.push(at([...base, "image"], `image "${g.image}" is not in images; add it under images with its checksum`));
            if (g.image && g.clone) problems.push(at([...base, "clone"], `a VM boots from an image or a clone, not both; remove one`));
            const media = [g.image, g.clone, g.cdrom].filter((m) => m !== undefined).length;
            if (media === 0) problems.push(at([...base, "image"], `a VM needs boot media: set image (a key of images), cdrom or clone`));
            const cdromNode = own(inv.nodes, g.node);
            const cdromStorage = g.cdrom?.split(":")[0];
            if (cdromNode && cdromStorage !== undefined) {
                const spec = own(cdromNode.storages, cdromStorage);
                if (!spec) {
                    problems.push(
                        at(
                            [...base, "cdrom"],
                            `storage "${cdromStorage}" is not offered by node "${g.node}" (it offers: ${Object.keys(cdromNode.storages).join(", ") || "none"}); put the ISO on one of those`,
                        ),
                    );
                } else if (!spec.content.includes("iso")) {
                    problems.push(
                        at(
                            [...base, "cdrom"],
                            `storage "${cdromStorage}" does not hold "iso" content; put the ISO on a storage that does, or add "iso" to nodes.${g.node}.storages.${cdromStorage}.content`,
                        ),
                    );
                }
            }
            if (g.cloudInit && image?.contentType === "iso" && !image.fileName.endsWith(".img")) {
                problems.push(
                    at(
                        [...base, "cloudInit"],
                        `cloud-init needs a cloud image or a clone, not the installer ISO "${g.image}"; remove cloudInit or boot a cloud image`,
                    ),
                );
            }
            if (g.memoryFloorMiB !== undefined && g.memoryFloorMiB > g.memoryMiB)
                problems.push(
                    at(
                        [...base, "memoryFloorMiB"],
                        `balloon floor ${g.memoryFloorMiB} MiB exceeds memory ${g.memoryMiB} MiB; lower the floor`,
                    ),
                );
            if (g.tpm && g.bios !== "ovmf") problems.push(at([...base, "bios"], `a TPM needs UEFI; set bios to "ovmf"`));
        }
    }
    for (const [pair, members] of pairs) {
        const byNode = new Map<string, string[]>();
        for (const m of members) byNode.set(m.node, [...(byNode.get(m.node) ?? []), m.guest]);
        for (const [node, guests] of byNode) {
            if (guests.length > 1) {
                for (const guest of guests.slice(1)) {
                    problems.push(
                        at(
                            ["guests", guest, "node"],
                            `HA pair "${pair}" has ${guests.join(" and ")} on node "${node}"; members of a pair must run on different nodes`,
                        ),
                    );
                }
            }
        }
    }
}

/** A custom idmap replaces the default range: it must be whole, in bounds and without overlaps. */
function checkIdmap(idmap: readonly IdmapRange[], privileged: boolean, path: PropertyKey[], problems: Problems): void {
    if (privileged) {
        problems.push(
            at(path, `a privileged container uses the host's ids; an idmap applies only to unprivileged containers, so remove it`),
        );
        return;
    }
    idmap.forEach((r, i) => {
        if (r.containerId + r.size > UNPRIVILEGED_ID_COUNT)
            problems.push(at([...path, i], `range ${r.containerId}+${r.size} runs past container id 65535; shorten it`));
    });
    for (const type of ["uid", "gid"] as const) {
        const ranges = idmap.map((r, i) => ({ r, i })).filter(({ r }) => r.type === type);
        if (ranges.length === 0) {
            problems.push(at(path, `no ${type} range: a custom idmap replaces the default one, so give both uid and gid ranges`));
            continue;
        }
        if (mapThroughRanges(idmap, type, 0) === undefined)
            problems.push(at(path, `no ${type} range maps container id 0 (root), so the container cannot start; add one`));
        for (let a = 0; a < ranges.length; a++) {
            for (let b = a + 1; b < ranges.length; b++) {
                const x = ranges[a].r;
                const y = ranges[b].r;
                if (x.containerId < y.containerId + y.size && y.containerId < x.containerId + x.size)
                    problems.push(
                        at([...path, ranges[b].i], `${type} range overlaps range ${ranges[a].i} inside the container; make them disjoint`),
                    );
                if (x.hostId < y.hostId + y.size && y.hostId < x.hostId + x.size)
                    problems.push(
                        at([...path, ranges[b].i], `${type} range overlaps range ${ranges[a].i} on the host; make them disjoint`),
                    );
            }
        }
    }
}

/** Host path of a dataset: its mountpoint property, or `/<name>` as ZFS defaults it. */
export function datasetMountpoint(path: string, mountpoint?: string): string {
    return mountpoint ?? `/${path}`;
}

function underRoot(path: string, roots: readonly string[]): boolean {
    return roots.some((r) => {
        const root = r.endsWith("/") ? r.slice(0, -1) : r;
        return path === root || path.startsWith(`${root}/`);
    });
}

/** The ZFS pools a node is known to have: its boot mirror and the pools under its zfs storages. */
export function nodePools(node: Inventory["nodes"][string]): string[] {
    const pools = new Set([node.bootMirror.pool]);
    for (const storage of Object.values(node.storages)) if (storage.kind === "zfs") pools.add(storage.pool.split("/")[0]);
    return [...pools].sort();
}

function checkDatasets(inv: Inventory, problems: Problems): void {
    for (const [path, ds] of Object.entries(inv.datasets)) {
        const base = ["datasets", path];
        if (!ZFS_DATASET_PATTERN.test(path) || path.length > MAX_DATASET_NAME_LENGTH) {
            problems.push(
                at(
                    base,
                    `"${path}" is not a safe ZFS dataset name: use pool/child with letters, digits and _ . : - only (no spaces or shell characters)`,
                ),
            );
            continue;
        }
        const nodeSpec = own(inv.nodes, ds.node);
        if (!nodeSpec) {
            problems.push(
                at(
                    [...base, "node"],
                    `node "${ds.node}" is not in nodes (known: ${Object.keys(inv.nodes).join(", ")}); fix the name or add the node`,
                ),
            );
        }
        if (nodeSpec) {
            const pools = nodePools(nodeSpec);
            const pool = path.split("/")[0];
            if (!pools.includes(pool)) {
                problems.push(
                    at(
                        [...base, "node"],
                        `node "${ds.node}" has no ZFS pool "${pool}" (its pools: ${pools.join(", ")}); put the dataset on a node that has the pool, or declare the pool as a zfs storage of that node`,
                    ),
                );
            }
        }
        const mountpoint = datasetMountpoint(path, ds.properties.mountpoint);
        if (!underRoot(mountpoint, inv.cluster.managedRoots)) {
            problems.push(
                at(
                    [...base, "properties", "mountpoint"],
                    `mountpoint ${mountpoint} is outside the managed roots (${inv.cluster.managedRoots.join(", ")}); set a mountpoint under one of them or add a root to cluster.managedRoots`,
                ),
            );
        }
        if (ds.owner) {
            const owner = own(inv.guests, ds.owner.container);
            if (!owner)
                problems.push(
                    at(
                        [...base, "owner", "container"],
                        `guest "${ds.owner.container}" is not in guests; name the container whose user owns the data`,
                    ),
                );
            else if (owner.kind !== "lxc")
                problems.push(
                    at(
                        [...base, "owner", "container"],
                        `guest "${ds.owner.container}" is a VM; ownership is expressed as seen inside a container, so name the container whose user owns the data`,
                    ),
                );
            else if (
                owner.kind === "lxc" &&
                !owner.privileged &&
                owner.idmap &&
                (mapThroughRanges(owner.idmap, "uid", ds.owner.uid) === undefined ||
                    mapThroughRanges(owner.idmap, "gid", ds.owner.gid) === undefined)
            )
                problems.push(
                    at(
                        [...base, "owner"],
                        `uid ${ds.owner.uid} / gid ${ds.owner.gid} is not mapped by container "${ds.owner.container}"'s idmap; map it or pick ids the idmap covers`,
                    ),
                );
            // (Only once every mount resolves: a misspelt mount is reported on its own.)
            else if (ds.mounts.every((m) => own(inv.guests, m.guest)) && !ds.mounts.some((m) => m.guest === ds.owner!.container))
                problems.push(
                    at(
                        [...base, "owner", "container"],
                        `container "${ds.owner.container}" does not mount this dataset, so its ids say nothing about who writes it; name a container listed in mounts`,
                    ),
                );
        }
        const unowned: string[] = [];
        ds.mounts.forEach((m, i) => {
            const guest = own(inv.guests, m.guest);
            if (!guest) {
                problems.push(at([...base, "mounts", i, "guest"], `guest "${m.guest}" is not in guests; fix the name or remove the mount`));
                return;
            }
            if (guest.node !== ds.node && nodeSpec && own(inv.nodes, guest.node)) {
                problems.push(
                    at(
                        [...base, "mounts", i, "guest"],
                        `guest "${m.guest}" runs on "${guest.node}" but the dataset lives on "${ds.node}"; a bind mount must be on the same node`,
                    ),
                );
            }
            if (guest.kind === "vm") {
                problems.push(
                    at(
                        [...base, "mounts", i, "guest"],
                        `"${m.guest}" is a VM and cannot bind-mount a host dataset; export it with properties.sharenfs instead`,
                    ),
                );
            } else {
                if (!guest.privileged && !ds.owner && !unowned.includes(m.guest)) unowned.push(m.guest);
                if (m.path === "/" || ["/proc", "/sys", "/dev", "/etc"].some((p) => m.path === p || m.path.startsWith(`${p}/`))) {
                    problems.push(
                        at(
                            [...base, "mounts", i, "path"],
                            `mount path ${m.path} would shadow a system directory inside the container; mount under /mnt, /srv or /data`,
                        ),
                    );
                }
            }
        });
        if (unowned.length > 0) {
            const list = unowned.map((g) => `"${g}"`).join(" and ");
            problems.push(
                at(
                    [...base, "owner"],
                    `dataset is bind-mounted into unprivileged container${unowned.length > 1 ? "s" : ""} ${list} but has no owner; set owner {container, uid, gid} so the mapped ids can write to it`,
                ),
            );
        }
        const guests = ds.mounts.map((m) => m.guest);
        const dup = guests.find((g, i) => guests.indexOf(g) !== i);
        if (dup) problems.push(at([...base, "mounts"], `guest "${dup}" mounts the dataset twice; keep one mount per guest`));
    }
}

function checkImages(inv: Inventory, problems: Problems): void {
    const storages = storagesById(inv);
    for (const [k, img] of Object.entries(inv.images)) {
        const s = storages.get(img.storage);
        const want = img.contentType;
        if (!s)
            problems.push(
                at(["images", k, "storage"], `storage "${img.storage}" is not offered by any node; add it under a node's storages`),
            );
        else if (!s.spec.content.includes(want))
            problems.push(
                at(["images", k, "storage"], `storage "${img.storage}" does not hold "${want}" content; add it to its content list`),
            );
        const digestLength = img.checksumAlgorithm === "sha256" ? 64 : 128;
        if (img.checksum.length !== digestLength)
            problems.push(
                at(
                    ["images", k, "checksum"],
                    `a ${img.checksumAlgorithm} digest has ${digestLength} hex digits, got ${img.checksum.length}`,
                ),
            );
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

function checkDns(inv: Inventory, problems: Problems): void {
    if (!inv.dns) return;
    const dns = inv.dns;
    // Where `wan` resolves to; a bad source is reported once, on the source, not on every record using it.
    let wanSourceReported = false;
    if (dns.wanAddress && dns.ddnsHostname)
        problems.push(
            at(["dns", "ddnsHostname"], `set either wanAddress or ddnsHostname, not both; with a static WAN address drop ddnsHostname`),
        );
    if (dns.wanAddress) {
        const why = nonPublicReason(dns.wanAddress);
        if (why) {
            problems.push(at(["dns", "wanAddress"], `${dns.wanAddress} is ${why}; public records need the public WAN address`));
            wanSourceReported = true;
        }
    }
    if (dns.ddnsHostname) {
        const why = isFqdn(dns.ddnsHostname) ? nonPublicHostnameReason(dns.ddnsHostname) : "not a fully qualified hostname";
        if (why) {
            problems.push(
                at(
                    ["dns", "ddnsHostname"],
                    `"${dns.ddnsHostname}" is ${why}; use the public dynamic-DNS name of the WAN, such as home.dyndns.example.net`,
                ),
            );
            wanSourceReported = true;
        }
    }
    const names = new Map<string, string>();
    for (const [k, r] of Object.entries(dns.records)) {
        const base = ["dns", "records", k];
        const name = fullRecordName(r.name, dns.zone);
        const prev = names.get(name);
        if (prev) problems.push(at([...base, "name"], `record name "${name}" is already used by record "${prev}"; one record per name`));
        names.set(name, k);
        let content: string | undefined;
        if (r.target === "wan" && r.type === "A" && !dns.wanAddress) {
            problems.push(
                at([...base, "type"], `an A record to "wan" needs dns.wanAddress; set it, or use type CNAME (to dns.ddnsHostname)`),
            );
        } else if (r.target === "wan" && r.type === "CNAME" && !dns.ddnsHostname) {
            problems.push(at([...base, "type"], `a CNAME to "wan" needs dns.ddnsHostname; set it, or use type A (to dns.wanAddress)`));
        } else {
            content = recordContent(`dns.records.${k}`, r, dns);
        }
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
            problems.push(at([...base, DNS_FIELD_PATH[p.field]], p.message));
        }
    }
}

function checkBackups(inv: Inventory, problems: Problems): void {
    if (!inv.backups) {
        for (const [name, g] of Object.entries(inv.guests)) {
            if ("tier" in g.backup)
                problems.push(
                    at(
                        ["guests", name, "backup"],
                        `guest has backup tier "${g.backup.tier}" but the inventory has no backups section; add backups or exclude the guest with a reason`,
                    ),
                );
        }
        return;
    }
    const b = inv.backups;
    const pbs = own(inv.guests, b.pbs.guest);
    if (!pbs)
        problems.push(
            at(["backups", "pbs", "guest"], `guest "${b.pbs.guest}" is not in guests; name the guest running Proxmox Backup Server`),
        );
    else if ("tier" in pbs.backup)
        problems.push(
            at(["guests", b.pbs.guest, "backup"], `the PBS guest cannot back itself up into its own datastore; exclude it with a reason`),
        );
    if (b.window.start === b.window.end)
        problems.push(at(["backups", "window"], `the night window is empty (start equals end); give it at least one slot`));
    for (const [tier, spec] of Object.entries(b.tiers)) {
        const r = spec.retention;
        if (!r.keepDaily && !r.keepWeekly && !r.keepMonthly && !r.keepYearly)
            problems.push(at(["backups", "tiers", tier, "retention"], `retention keeps nothing; set at least one keep* count`));
    }
}

/**
 * Cloudflare R2 implements no object versioning and no S3 Object Lock, and answers in region
 * `auto`. Without versions, whatever PBS's garbage collection, a prune or a stolen PBS key deletes
 * is gone at once (on a versioned bucket a delete only hides an object behind a noncurrent version
 * kept for `noncurrentVersionDays`), so R2 cannot hold a bucket PBS writes to.
 */
function checkOffsite(inv: Inventory, problems: Problems): void {
    const o = inv.offsite;
    if (!o) return;
    if (o.service !== "aws" && !o.endpoint) {
        const example = o.service === "r2" ? "https://<account-id>.r2.cloudflarestorage.com" : "https://s3.us-west-004.backblazeb2.com";
        problems.push(at(["offsite", "endpoint"], `service "${o.service}" needs its S3 endpoint; set endpoint, e.g. ${example}`));
    }
    if (o.objectLock && o.servesPbs)
        problems.push(
            at(
                ["offsite", "objectLock"],
                `Object Lock stops Proxmox Backup Server's garbage collection from deleting chunks; turn it off for a bucket PBS writes to`,
            ),
        );
    if (!SERVICES_WITH_IAM.includes(o.service) && o.writers.length > 1) {
        problems.push(
            at(["offsite", "writers"], `service "${o.service}" has no IAM API, so one scoped key serves one writer; list a single writer`),
        );
    }
    if (o.service !== "r2") return;
    if (o.servesPbs)
        problems.push(
            at(
                ["offsite", "service"],
                "R2 has no object versioning: a chunk that PBS's garbage collection, a prune or anyone holding PBS's key deletes is gone at once, with no noncurrent version to restore, so the offsite copy would not survive a compromised PBS; use aws, wasabi or b2 for a bucket PBS writes to, or set servesPbs: false",
            ),
        );
    if (o.objectLock && !o.servesPbs)
        problems.push(
            at(
                ["offsite", "objectLock"],
                "R2 implements no S3 Object Lock (its bucket locks are set through Cloudflare's API); set objectLock: false",
            ),
        );
    if (o.region !== R2_REGION)
        problems.push(at(["offsite", "region"], `R2 buckets live in region "${R2_REGION}"; set region: ${R2_REGION}, got ${o.region}`));
    if (o.bucket.includes("."))
        problems.push(
            at(["offsite", "bucket"], `R2 bucket names take lowercase letters, digits and '-' only; remove the '.' from "${o.bucket}"`),
        );
    if (o.endpoint !== undefined && !R2_ENDPOINT_PATTERN.test(o.endpoint))
        problems.push(
            at(
                ["offsite", "endpoint"],
                `"${o.endpoint}" is not an R2 endpoint; use https://<account-id>.r2.cloudflarestorage.com (the 32-hex-digit account id; .eu. or .fedramp. before r2 for a jurisdiction)`,
            ),
        );
}
