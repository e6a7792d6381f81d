/**
 * An LXC container from the inventory: unprivileged unless the inventory grants the exception,
 * its root disk on named storage, a static address on its network, its firewall and HA; its bind
 * mounts and SSH keys converged from the node (lib/containerHost.ts), so neither ever replaces it.
 */
import * as command from "@pulumi/command";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { LxcGuestSpec } from "../config/schema";
import { containerOsType, privilegedIdmapProblem } from "../config/crosschecks";
import {
    ContainerHostSpec,
    ContainerMount,
    containerHostDeleteScript,
    containerHostScript,
    validateContainerHostSpec,
} from "../lib/containerHost";
import { FieldError } from "../lib/errors";
import { usbDevicePath } from "../lib/nodeHost";
import { containerFeatures, rootReasons } from "../lib/privilege";
import { normalizeTags } from "../lib/scheme";
import { guestProvider } from "./providers";
import {
    GuestArgsBase,
    GuestResource,
    checkStorage,
    cloneBlock,
    cpuUnitsOf,
    guestAddress,
    guestResourceOptions,
    nicVlan,
    startupByTier,
} from "./guestShared";
import { SshConnection } from "./proxmoxNode";

/**
 * Changes that replace the container (delete, then create with the same VMID: its root disk is
 * lost; bind-mounted datasets stay): `vmid`, `node` and `unprivileged` (P8). A stateful guest (the default) is protected in Proxmox and in Pulumi, so
 * such a change, or its removal, stops at preview (E2); docs/operations.md gives the
 * two-step procedure. Bind mounts, SSH keys and the template are not among them: mounts and keys
 * are converged from the node, and the template only matters at create.
 */
export interface LxcGuestArgs extends GuestArgsBase {
    /** The container from the inventory. */
    readonly spec: LxcGuestSpec;
    /** Volume id of the OS template on the node (`local:vztmpl/debian-12-standard_...tar.zst`); absent for a clone or an adopted container. */
    readonly templateFileId?: pulumi.Input<string>;
    /** File name of the template, to tell Proxmox the OS type. */
    readonly templateFileName?: string;
    /** The template container a clone is made from: its VMID and node. */
    readonly cloneSource?: { readonly vmid: number; readonly node: string };
    /** Host directories bind-mounted into the container (its datasets, host mounts). @default [] */
    readonly mounts?: readonly ContainerMount[];
    /** Host roots mounts may come from (a bind mount outside them is never touched). */
    readonly managedRoots: readonly string[];
    /** The node's pinned SSH connection: mounts and keys are converged over it. */
    readonly connection: pulumi.Input<SshConnection>;
}

/** Device mode as the provider wants it: four octal digits. */
export function deviceMode(mode: string): string {
    return mode.padStart(4, "0");
}

/**
 * Ignored on every container after its create:
 * - `mountPoints`: set from the node instead of the provider (P8);
 * - `initialization.userAccount`: the provider cannot read it back after an import (P3), and the
 *   keys are converged from the node;
 * - `operatingSystem`: the template only matters when the container is created (the block is
 *   ForceNew, and Proxmox never re-templates a container), so a new image or template reaches new
 *   containers and never replaces a running one, also through a delete-first replacement of the
 *   template's download (E5). An adopted container's template is not the program's at all: the
 *   provider cannot read it back (P3) and reads the block back from `ostype` (P34). To rebuild a
 *   container from a new template on purpose: docs/operations.md.
 */
export const CONTAINER_IGNORED_FIELDS = ["mountPoints", "initialization.userAccount", "operatingSystem"] as const;

/** What the constructor derives from its args, validated: throws with the field, the value and the fix. */
export function planLxcGuest(args: LxcGuestArgs): {
    address?: string;
    storage: string;
    host: ContainerHostSpec;
    rootReasons: string[];
    provider: proxmoxve.Provider;
} {
    const { spec } = args;
    const where = `guests.${args.guestName}`;
    const address = guestAddress(where, spec, args.network);
    const storage = checkStorage(`${where}.disk.storage`, spec.disk.storage);
    // The inventory's check (config/crosschecks/containers.ts), kept for direct callers.
    const privileged = privilegedIdmapProblem(spec);
    if (privileged) throw new FieldError(`${where}.idmap`, privileged);
    if (spec.image !== undefined && !spec.adopt && (args.templateFileId === undefined || args.templateFileName === undefined))
        throw new Error(`[${where}.image] the container's image "${spec.image}" was not given; pass templateFileId and templateFileName`);
    const host = validateContainerHostSpec({
        vmid: spec.vmid,
        mounts: args.mounts ?? [],
        managedRoots: args.managedRoots,
        sshPublicKeys: spec.template ? [] : [...(args.sshPublicKeys ?? [])],
    });
    const reasons = rootReasons(spec);
    return {
        ...(address !== undefined ? { address } : {}),
        storage,
        host,
        rootReasons: reasons,
        provider: guestProvider(where, reasons, args.providers),
    };
}

/** An LXC container, its firewall, HA resource, and the node-side convergence of its mounts and keys. */
export class LxcGuest extends GuestResource {
    readonly container: proxmoxve.ContainerLegacy;
    /** Bind mounts and SSH keys, converged over the node's SSH login. */
    readonly hostConfig: command.remote.Command;

    constructor(name: string, args: LxcGuestArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything: a bad guest stops the program with no half-made component.
        const plan = planLxcGuest(args);
        super("homelab:proxmox:LxcGuest", name, args.spec, plan.rootReasons, opts);
        const { spec } = args;
        const features = containerFeatures(spec);
        const osType = args.templateFileName !== undefined ? containerOsType(args.templateFileName) : undefined;

        this.container = new proxmoxve.ContainerLegacy(
            `${name}-container`,
            {
                nodeName: spec.node,
                vmId: spec.vmid,
                description: spec.description,
                // The provider's default is privileged: say so explicitly, always.
                unprivileged: spec.privileged === undefined,
                // The provider's default is `local`: the root disk always names its storage.
                disk: { datastoreId: plan.storage, size: spec.disk.sizeGiB },
                cpu: { cores: spec.cores, units: cpuUnitsOf(spec) },
                memory: { dedicated: spec.memoryMiB, swap: spec.swapMiB },
                ...(features ? { features } : {}),
                ...(spec.devices.length > 0
                    ? {
                          devicePassthroughs: spec.devices.map((d) => ({
                              path: "path" in d ? d.path : usbDevicePath(d.usb),
                              ...(d.gid !== undefined ? { gid: d.gid } : {}),
                              ...(d.mode !== undefined ? { mode: deviceMode(d.mode) } : {}),
                          })),
                      }
                    : {}),
                // Written by the provider to the container's config file over SSH (the API cannot set `lxc.*` keys).
                ...(spec.idmap !== undefined && spec.idmap.length > 0
                    ? { idmaps: spec.idmap.map((r) => ({ type: r.type, containerId: r.containerId, hostId: r.hostId, size: r.size })) }
                    : {}),
                template: spec.template,
                started: !spec.template,
                startOnBoot: !spec.template,
                startup: startupByTier(spec.tier),
                tags: normalizeTags([spec.tier, ...(spec.docker ? ["docker"] : []), ...spec.tags]),
                protection: spec.stateful,
                initialization: {
                    hostname: args.guestName,
                    ...(plan.address !== undefined
                        ? { ipConfigs: [{ ipv4: { address: plan.address, gateway: args.network.gateway } }] }
                        : {}),
                    dns: { domain: args.dns.domain, servers: [...args.dns.servers] },
                    userAccount: { keys: [...(args.sshPublicKeys ?? [])] },
                },
                // An adopted container's template is never sent (P3, P34); none is ever diffed (CONTAINER_IGNORED_FIELDS).
                ...(args.templateFileId !== undefined && !spec.adopt
                    ? { operatingSystem: { templateFileId: args.templateFileId, ...(osType ? { type: osType } : {}) } }
                    : {}),
                ...(args.cloneSource !== undefined ? { clone: cloneBlock(args.cloneSource, spec, plan.storage) } : {}),
                networkInterfaces: [
                    {
                        name: "eth0",
                        bridge: args.bridge ?? "vmbr0",
                        firewall: true,
                        ...nicVlan(args),
                    },
                ],
            },
            guestResourceOptions(this, plan.provider, spec, args.dependsOn ?? [], [...CONTAINER_IGNORED_FIELDS]),
        );

        const hostSpec = plan.host;
        this.hostConfig = new command.remote.Command(
            `${name}-host`,
            {
                connection: args.connection,
                create: containerHostScript(hostSpec),
                update: containerHostScript(hostSpec),
                delete: containerHostDeleteScript(hostSpec),
                // The container's id: a replaced container (same id, new guest) is converged again
                // because this command is replaced with it (deleteBeforeReplace cascades to dependents).
                triggers: [this.container.id],
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [this.container] },
        );

        this.finish({ name, kind: "ct", spec, args, guest: this.container, carriesKeys: true });
    }
}
