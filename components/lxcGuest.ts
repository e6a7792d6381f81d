/**
 * An LXC container from the inventory: unprivileged unless the inventory grants the exception,
 * disks on named storage, a static address on its VLAN, bind mounts of its datasets, its
 * firewall and (optionally) HA.
 */
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { LxcGuestSpec } from "../config/schema";
import { BindMount, rootReasons, wantsKeyctl } from "../lib/privilege";
import { CPU_UNITS_BY_TIER, normalizeTags } from "../lib/scheme";
import {
    GuestArgsBase,
    GuestResource,
    checkStorage,
    guestAddress,
    guestProvider,
    nicVlanId,
    optionalVlan,
    startupByTier,
} from "./guestShared";

/**
 * Changes that replace the container (delete, then create with the same VMID: its root disk is
 * lost; bind-mounted datasets stay): `vmid` and `node`, the template (`operatingSystem.templateFileId`)
 * and the cluster's SSH keys (`initialization.userAccount.keys`), which bpg can only set at
 * creation. A stateful guest (`spec.stateful`, the default) is protected in Pulumi, so such a
 * change, or its removal from the inventory, stops before anything is deleted; unprotect it
 * deliberately (`pulumi state unprotect`) to go ahead.
 */
export interface LxcGuestArgs extends GuestArgsBase {
    /** The container from the inventory. */
    readonly spec: LxcGuestSpec;
    /** Volume id of the OS template on the node (`local:vztmpl/debian-12-standard_...tar.zst`); a new one replaces the container. */
    readonly templateFileId: pulumi.Input<string>;
    /** File name of the template, to tell Proxmox the OS type (`debian-12-standard_...`). */
    readonly templateFileName: string;
    /** Host directories bind-mounted into the container (its datasets). @default [] */
    readonly mounts?: readonly BindMount[];
}

/** Proxmox container OS types by template name prefix (pct.conf(5) `ostype`). */
const OS_TYPES: readonly [RegExp, string][] = [
    [/^debian-/, "debian"],
    [/^devuan-/, "devuan"],
    [/^ubuntu-/, "ubuntu"],
    [/^(centos|rockylinux|almalinux)-/, "centos"],
    [/^fedora-/, "fedora"],
    [/^opensuse-/, "opensuse"],
    [/^archlinux-/, "archlinux"],
    [/^alpine-/, "alpine"],
    [/^gentoo-/, "gentoo"],
    [/^nixos-/, "nixos"],
];

/**
 * The container's OS type from its template's file name. It must be set: the provider's default
 * `unmanaged` makes Proxmox skip writing hostname and network inside the container.
 */
export function containerOsType(templateFileName: string): string {
    const found = OS_TYPES.find(([re]) => re.test(templateFileName));
    if (found === undefined) {
        throw new Error(
            `[images.*.fileName] cannot tell the container OS from "${templateFileName}"; name the template file after its distribution as Proxmox does (debian-, ubuntu-, alpine-, ...)`,
        );
    }
    return found[1];
}

/** Device mode as the provider wants it: four octal digits. */
export function deviceMode(mode: string): string {
    return mode.padStart(4, "0");
}

/** What the constructor derives from its args, validated: throws with the field, the value and the fix. */
export function planLxcGuest(args: LxcGuestArgs): {
    address: string;
    storage: string;
    rootReasons: string[];
    provider: proxmoxve.Provider;
} {
    const { spec } = args;
    const where = `guests.${args.guestName}`;
    const mounts = args.mounts ?? [];
    const address = guestAddress(where, spec, args.network);
    const storage = checkStorage(`${where}.disk.storage`, spec.disk.storage);
    for (const m of mounts) {
        if (!m.hostPath.startsWith("/") || !m.containerPath.startsWith("/")) {
            throw new Error(`[${where}] bind mount ${m.hostPath} -> ${m.containerPath} must use absolute paths on both sides`);
        }
    }
    if (spec.idmap !== undefined && spec.idmap.length > 0 && spec.privileged !== undefined) {
        throw new Error(
            `[${where}.idmap] a privileged container shares the host's ids and has no idmap; remove idmap or the privileged exception`,
        );
    }
    const reasons = rootReasons(spec, mounts.length);
    return { address, storage, rootReasons: reasons, provider: guestProvider(where, reasons, args.providers) };
}

/** An LXC container and its firewall (and HA resource when the guest is HA-managed). */
export class LxcGuest extends GuestResource {
    readonly container: proxmoxve.ContainerLegacy;

    constructor(name: string, args: LxcGuestArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad guest stops the program with no half-made component.
        const plan = planLxcGuest(args);
        super("homelab:proxmox:LxcGuest", name, args.spec, plan.rootReasons, opts);
        const { spec } = args;
        const { address, storage, provider } = plan;
        const mounts = args.mounts ?? [];

        this.container = new proxmoxve.ContainerLegacy(
            `${name}-container`,
            {
                nodeName: spec.node,
                vmId: spec.vmid,
                description: spec.description,
                // The provider's default is privileged: say so explicitly, always.
                unprivileged: spec.privileged === undefined,
                // The provider's default is `local`: the root disk always names its storage.
                disk: { datastoreId: storage, size: spec.disk.sizeGiB },
                cpu: { cores: spec.cores, units: CPU_UNITS_BY_TIER[spec.tier] },
                memory: { dedicated: spec.memoryMiB, swap: spec.swapMiB },
                ...(spec.docker ? { features: { nesting: true, ...(wantsKeyctl(spec) ? { keyctl: true } : {}) } } : {}),
                ...(mounts.length > 0
                    ? { mountPoints: mounts.map((m) => ({ volume: m.hostPath, path: m.containerPath, readOnly: m.readOnly })) }
                    : {}),
                ...(spec.devices.length > 0
                    ? {
                          devicePassthroughs: spec.devices.map((d) => ({
                              path: d.path,
                              ...(d.gid !== undefined ? { gid: d.gid } : {}),
                              ...(d.mode !== undefined ? { mode: deviceMode(d.mode) } : {}),
                          })),
                      }
                    : {}),
                // Written by the provider to the container's config file over SSH (the API cannot
                // set `lxc.*` keys); both providers carry the node's SSH login, so it needs no root@pam.
                ...(spec.idmap !== undefined && spec.idmap.length > 0
                    ? { idmaps: spec.idmap.map((r) => ({ type: r.type, containerId: r.containerId, hostId: r.hostId, size: r.size })) }
                    : {}),
                startOnBoot: true,
                startup: startupByTier(spec.tier),
                tags: normalizeTags([spec.tier, ...(spec.docker ? ["docker"] : []), ...spec.tags]),
                protection: spec.stateful,
                initialization: {
                    hostname: args.guestName,
                    ipConfigs: [{ ipv4: { address, gateway: args.network.gateway } }],
                    dns: { domain: args.dns.domain, servers: [...args.dns.servers] },
                    userAccount: { keys: [...(args.sshPublicKeys ?? [])] },
                },
                operatingSystem: { templateFileId: args.templateFileId, type: containerOsType(args.templateFileName) },
                networkInterfaces: [
                    { name: "eth0", bridge: args.bridge ?? "vmbr0", firewall: true, ...optionalVlan(nicVlanId(spec, args.nativeVlan)) },
                ],
            },
            {
                parent: this,
                provider,
                dependsOn: args.dependsOn ?? [],
                // Stateful guests: a replacement or a removal stops at the Pulumi level, before the
                // provider deletes anything (Proxmox `protection` alone would fail mid-replacement).
                protect: spec.stateful,
                // The VMID is fixed by the scheme, so a replacement can never create the new container
                // before the old one is gone: delete first.
                deleteBeforeReplace: true,
                // An existing container is imported (id `<node>/<vmid>`), not created.
                ...(spec.adopt ? { import: `${spec.node}/${spec.vmid}` } : {}),
                // No ignoreChanges: issue 3 ignores only fields with a known upstream perpetual diff,
                // and we know of none among the container fields we set. Fields that force a new
                // container (template, SSH keys, VMID, node) are real changes, not perpetual diffs:
                // they stay visible in the preview, and `protect` stops them for stateful guests.
            },
        );

        this.finish(name, "ct", spec, this.container, args.providers.api);
    }
}
