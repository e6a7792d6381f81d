/** Resource rules on containers and VMs: one compliant baseline, then one mutation per violation. */
import { guestInventoryKey } from "../../policies/guestInputs";
import { PolicyResourceInput, runPolicies } from "../../tools/policy/runner";
import { CONTAINER, ContainerInputs, T, VM, VmInputs, check, container, custom, mutate, vm } from "./fixtures";

const ct = (change: (i: ContainerInputs) => void, name = "cloud-container") => [mutate<ContainerInputs>(container(name), change)];
const v = (change: (i: VmInputs) => void, name = "pbs-vm") => [mutate<VmInputs>(vm(name), change)];

describe("proxmox-container-unprivileged", () => {
    const rule = "proxmox-container-unprivileged";
    it("accepts an unprivileged container", () => expect(check(rule, [container()])).toEqual([]));
    it("refuses a container that leaves unprivileged unset (the provider default is privileged)", () => {
        expect(
            check(
                rule,
                ct((i) => delete i.unprivileged),
            ),
        ).toEqual([
            "The container leaves `unprivileged` unset, which the provider treats as privileged. Set `unprivileged: true`; if it truly needs a privileged container, exempt it by name with a reason in the policy config of proxmox-container-unprivileged.",
        ]);
    });
    it("refuses a container with unprivileged: false", () => {
        expect(
            check(
                rule,
                ct((i) => (i.unprivileged = false)),
            ),
        ).toEqual([
            "The container is privileged (`unprivileged: false`). Set `unprivileged: true`; if it truly needs a privileged container, exempt it by name with a reason in the policy config of proxmox-container-unprivileged.",
        ]);
    });
    it("applies to the previous major's container type too", () => {
        const old = custom(T.containerV7, "old", { ...CONTAINER, unprivileged: false });
        expect(check(rule, [old])).toHaveLength(1);
    });
});

describe("proxmox-guest-storage-not-local", () => {
    const rule = "proxmox-guest-storage-not-local";
    it("accepts guests whose every volume is on a named storage", () => expect(check(rule, [container(), vm()])).toEqual([]));
    it("refuses a container root disk left to the provider default (local)", () => {
        expect(
            check(
                rule,
                ct((i) => delete i.disk!.datastoreId),
            ),
        ).toEqual([
            'The root disk leaves `disk.datastoreId` unset, so the provider puts it on "local". Set `disk.datastoreId` to a named ZFS or LVM-thin storage.',
        ]);
        expect(
            check(
                rule,
                ct((i) => delete i.disk),
            ),
        ).toHaveLength(1);
    });
    it("accepts a whole physical disk passed through by its device path, which lives on no storage", () => {
        const passthrough = v((i) =>
            i.disks!.push({
                interface: "scsi1",
                datastoreId: "",
                pathInDatastore: "/dev/disk/by-id/ata-WDC_WD80EFAX-68KNBN0_VAG0000",
                fileFormat: "raw",
            }),
        );
        expect(check(rule, passthrough)).toEqual([]);
        // An empty storage with no device path is still left to the provider's default.
        expect(
            check(
                rule,
                v((i) => i.disks!.push({ interface: "scsi1", datastoreId: "" })),
            ),
        ).toHaveLength(1);
    });
    it("refuses a container root disk on local", () => {
        expect(
            check(
                rule,
                ct((i) => (i.disk!.datastoreId = "local")),
            ),
        ).toEqual(['The root disk is on "local" (`disk.datastoreId`). Move it to a named ZFS or LVM-thin storage.']);
    });
    it("refuses a mount point volume on local, by storage id or volume id", () => {
        expect(
            check(
                rule,
                ct(
                    (i) =>
                        (i.mountPoints = [
                            { path: "/data", volume: "local" },
                            { path: "/old", volume: "local:subvol-30041-disk-1" },
                        ]),
                ),
            ),
        ).toEqual([
            'Mount point /data is a volume on "local" (`mountPoints[0].volume`). Move it to a named ZFS or LVM-thin storage.',
            'Mount point /old is a volume on "local" (`mountPoints[1].volume`). Move it to a named ZFS or LVM-thin storage.',
        ]);
    });
    it("leaves bind mounts to proxmox-container-bind-mount-roots", () => {
        expect(
            check(
                rule,
                ct((i) => (i.mountPoints = [{ path: "/x", volume: "/var/lib/vz/x" }])),
            ),
        ).toEqual([]);
    });
    it("refuses VM disks, EFI, TPM and cloud-init drives left to the default (local-lvm)", () => {
        const stack = v((i) => {
            delete i.disks![0].datastoreId;
            delete i.efiDisk!.datastoreId;
            delete i.tpmState!.datastoreId;
            delete i.initialization!.datastoreId;
        });
        expect(check(rule, stack)).toEqual([
            'The disk scsi0 leaves `disks[0].datastoreId` unset, so the provider puts it on "local-lvm". Set `disks[0].datastoreId` to a named ZFS or LVM-thin storage.',
            'The EFI disk leaves `efiDisk.datastoreId` unset, so the provider puts it on "local-lvm". Set `efiDisk.datastoreId` to a named ZFS or LVM-thin storage.',
            'The TPM state leaves `tpmState.datastoreId` unset, so the provider puts it on "local-lvm". Set `tpmState.datastoreId` to a named ZFS or LVM-thin storage.',
            'The cloud-init drive leaves `initialization.datastoreId` unset, so the provider puts it on "local-lvm". Set `initialization.datastoreId` to a named ZFS or LVM-thin storage.',
        ]);
    });
    it("refuses VM volumes on local", () => {
        const stack = v((i) => {
            i.disks![0].datastoreId = "local";
            i.efiDisk!.datastoreId = "local";
        });
        expect(check(rule, stack)).toEqual([
            'The disk scsi0 is on "local" (`disks[0].datastoreId`). Move it to a named ZFS or LVM-thin storage.',
            'The EFI disk is on "local" (`efiDisk.datastoreId`). Move it to a named ZFS or LVM-thin storage.',
        ]);
    });
    it("refuses a VM without disks (the provider then creates one on local-lvm)", () => {
        expect(
            check(
                rule,
                v((i) => delete i.disks),
            ),
        ).toEqual([
            'The VM has no `disks`, so the provider creates a default disk on "local-lvm". Declare its disks with `datastoreId` set to a named ZFS or LVM-thin storage.',
        ]);
    });
    it("refuses a clone onto local", () => {
        expect(
            check(
                rule,
                v((i) => (i.clone = { vmId: 9000, datastoreId: "local" })),
            ),
        ).toEqual(['The clone target is on "local" (`clone.datastoreId`). Clone to a named ZFS or LVM-thin storage.']);
    });
    it("does not ask for EFI, TPM or cloud-init storage on a VM without them", () => {
        expect(
            check(
                rule,
                v((i) => (delete i.efiDisk, delete i.tpmState, delete i.initialization)),
            ),
        ).toEqual([]);
    });
    it("takes the forbidden storages from config", () => {
        const config = { [rule]: { forbiddenDatastores: ["local", "stor-zfs"] } };
        expect(check(rule, [container()], config)).toEqual([
            'The root disk is on "stor-zfs" (`disk.datastoreId`). Move it to a named ZFS or LVM-thin storage.',
        ]);
    });
    it("applies to the previous major's VM type too", () => {
        expect(check(rule, [custom(T.vmV7, "old", { ...VM, disks: [{ interface: "scsi0" }] })])).toHaveLength(1);
    });
});

describe("proxmox-vmid-scheme", () => {
    const rule = "proxmox-vmid-scheme";
    it("accepts VMIDs that follow VLAN × 1000 + last octet", () => expect(check(rule, [container(), vm()])).toEqual([]));
    it("refuses a VMID off the scheme and names the right one", () => {
        expect(
            check(
                rule,
                ct((i) => (i.vmId = 30040)),
            ),
        ).toEqual([
            "VMID 30040 does not follow the scheme: VLAN 30 × 1000 + last octet of 192.168.30.41 = 30041. Set `vmId` to 30041, or fix the VLAN or address.",
        ]);
        expect(
            check(
                rule,
                v((i) => (i.networkDevices![0].vlanId = 20)),
            ),
        ).toEqual([
            "VMID 10020 does not follow the scheme: VLAN 20 × 1000 + last octet of 192.168.10.20 = 20020. Set `vmId` to 20020, or fix the VLAN or address.",
        ]);
    });
    it("refuses a guest without vmId (Proxmox would pick one)", () => {
        expect(
            check(
                rule,
                ct((i) => delete i.vmId),
            ),
        ).toEqual([
            "The guest has no `vmId`, so Proxmox assigns the next free ID. Set `vmId` to 30041 (VLAN 30 × 1000 + last octet of 192.168.30.41).",
        ]);
    });
    it("is not applicable when the first NIC has no VLAN or no static address", () => {
        const dhcp = mutate<ContainerInputs>(container(), (i) => (i.initialization!.ipConfigs![0].ipv4!.address = "dhcp"));
        const result = runPolicies([dhcp]);
        expect(result.violations.filter((x) => x.policy === rule)).toEqual([]);
        expect(result.notApplicable).toContainEqual({
            policy: rule,
            reason: "cloud-container: the first NIC has no VLAN tag or no static IPv4 address in the inputs",
        });
    });
    it("skips templates", () =>
        expect(
            check(
                rule,
                ct((i) => ((i.template = true), (i.vmId = 9000))),
            ),
        ).toEqual([]));
});

describe("proxmox-container-bind-mount-roots", () => {
    const rule = "proxmox-container-bind-mount-roots";
    const mounts = (...volumes: string[]) => ct((i) => (i.mountPoints = volumes.map((volume, n) => ({ path: `/m${n}`, volume }))));
    it("accepts bind mounts under the managed roots", () =>
        expect(check(rule, mounts("/tank/photos", "/rpool/appdata/edge", "/tank"))).toEqual([]));
    it("refuses a bind mount outside the managed roots", () => {
        expect(check(rule, mounts("/mnt/data", "/tankx/photos"))).toEqual([
            'The bind mount of host path "/mnt/data" (`mountPoints[0].volume`) is outside the managed roots (/tank, /rpool/appdata). Mount a dataset this program manages, or add its root to managedRoots in the policy config.',
            'The bind mount of host path "/tankx/photos" (`mountPoints[1].volume`) is outside the managed roots (/tank, /rpool/appdata). Mount a dataset this program manages, or add its root to managedRoots in the policy config.',
        ]);
    });
    it.each([
        ["/", "/"],
        ["/etc/pve", "/etc"],
        ["/root", "/root"],
        ["/var/lib/vz/dump", "/var/lib/vz"],
        ["/dev/dri", "/dev"],
        ["/proc", "/proc"],
        ["/sys/fs", "/sys"],
        ["/boot", "/boot"],
        ["/usr/lib", "/usr"],
        ["/tank/../etc", "/etc"],
    ])("always refuses the system path %s", (volume, refused) => {
        expect(check(rule, mounts(volume))).toEqual([
            `The bind mount of host path "${volume}" (\`mountPoints[0].volume\`) is refused: "${refused}" is a system path no container may see. Mount a dataset under a managed root (/tank, /rpool/appdata) instead.`,
        ]);
    });
    it.each([
        ["/var", "/var/lib/pve-cluster"],
        ["/var/lib", "/var/lib/pve-cluster"],
        ["/tank/../var/", "/var/lib/pve-cluster"],
    ])("refuses %s, which holds the system path %s, even under a managed root", (volume, refused) => {
        expect(check(rule, mounts(volume), { [rule]: { managedRoots: ["/tank", "/var"] } })).toEqual([
            `The bind mount of host path "${volume}" (\`mountPoints[0].volume\`) is refused: "${refused}" is a system path no container may see. Mount a dataset under a managed root (/tank, /var) instead.`,
        ]);
    });
    it("takes the managed roots from config, and still refuses system paths under them", () => {
        const config = { [rule]: { managedRoots: ["/srv", "/"] } };
        expect(check(rule, mounts("/srv/data", "/mnt/x"), config)).toEqual([]);
        expect(check(rule, mounts("/etc/pve"), config)).toEqual([
            'The bind mount of host path "/etc/pve" (`mountPoints[0].volume`) is refused: "/etc" is a system path no container may see. Mount a dataset under a managed root (/srv, /) instead.',
        ]);
        expect(check(rule, mounts("/tank/photos"), { [rule]: { managedRoots: ["/srv"] } })).toHaveLength(1);
    });
    it("ignores storage volumes (not host paths)", () => expect(check(rule, mounts("stor-zfs:subvol-1-disk-1", "local"))).toEqual([]));
});

describe("proxmox-passthrough-via-mappings", () => {
    const rule = "proxmox-passthrough-via-mappings";
    it("accepts PCI and USB passthrough through mappings", () => expect(check(rule, [vm()])).toEqual([]));
    it("refuses a raw PCI id", () => {
        expect(
            check(
                rule,
                v((i) => (i.hostpcis = [{ device: "hostpci0", id: "0000:01:00.0", pcie: true }])),
            ),
        ).toEqual([
            'PCI device hostpci0 is passed through by raw id "0000:01:00.0" (`hostpcis[0].id`). Create a hardware.mapping.Pci for it and set `mapping` instead of `id`.',
        ]);
    });
    it("refuses a host USB id but accepts spice redirection", () => {
        expect(
            check(
                rule,
                v((i) => (i.usbs = [{ host: "spice" }, { host: "1a6e:089a" }])),
            ),
        ).toEqual([
            'USB device #1 is passed through by host id "1a6e:089a" (`usbs[1].host`). Create a hardware.mapping.Usb for it and set `mapping` instead of `host`.',
        ]);
    });
});

describe("proxmox-container-nesting-docker-only", () => {
    const rule = "proxmox-container-nesting-docker-only";
    it("accepts nesting and keyctl on a container tagged docker", () => expect(check(rule, [container()])).toEqual([]));
    it("accepts a container without the flags", () =>
        expect(
            check(
                rule,
                ct((i) => ((i.tags = ["normal"]), delete i.features)),
            ),
        ).toEqual([]));
    it("refuses nesting and keyctl on a container not tagged docker", () => {
        expect(
            check(
                rule,
                ct((i) => (i.tags = ["normal"])),
            ),
        ).toEqual([
            'The container enables `features.nesting` and `features.keyctl` but is not tagged "docker"; these flags weaken isolation and only Docker needs them. Turn them off, or tag the container "docker" if it runs Docker.',
        ]);
    });
    it("takes the Docker tag from config", () => {
        expect(
            check(
                rule,
                ct((i) => (i.tags = ["compose"])),
                { [rule]: { dockerTag: "compose" } },
            ),
        ).toEqual([]);
    });
});

describe("proxmox-guest-cpu-units", () => {
    const rule = "proxmox-guest-cpu-units";
    it("accepts guests that set cpu.units", () => expect(check(rule, [container(), vm()])).toEqual([]));
    it("flags a guest that leaves cpu.units unset", () => {
        expect(
            check(
                rule,
                v((i) => delete i.cpu!.units),
            ),
        ).toEqual([
            "The guest leaves `cpu.units` unset, so Proxmox gives it its default weight (100 with cgroup v2). Set `cpu.units` from the guest's tier (critical 2048, high 1500, normal 1024, low 800, minimal 512).",
        ]);
        expect(
            check(
                rule,
                ct((i) => delete i.cpu),
            ),
        ).toHaveLength(1);
    });
});

describe("proxmox-stateful-guest-protected", () => {
    const rule = "proxmox-stateful-guest-protected";
    it("accepts a container whose data is bind-mounted (not stateful)", () => expect(check(rule, [container()])).toEqual([]));
    it("flags a guest tagged stateful without protection", () => {
        expect(
            check(
                rule,
                v((i) => (i.tags = ["stateful"])),
            ),
        ).toEqual([
            'The guest is stateful (tagged "stateful") but neither `protection: true` nor the Pulumi `protect` option is set, so deleting or replacing it deletes its data. Set both.',
        ]);
    });
    it("flags a container with volume mount points without protection", () => {
        expect(
            check(
                rule,
                ct((i) => i.mountPoints!.push({ path: "/var/lib/db", volume: "stor-zfs", size: "8G" })),
            ),
        ).toEqual([
            "The guest is stateful (has 1 volume mount point) but neither `protection: true` nor the Pulumi `protect` option is set, so deleting or replacing it deletes its data. Set both.",
        ]);
    });
    it("accepts protection: true or the protect option", () => {
        expect(
            check(
                rule,
                v((i) => ((i.tags = ["stateful"]), (i.protection = true))),
            ),
        ).toEqual([]);
        const protectedVm = { ...mutate<VmInputs>(vm(), (i) => (i.tags = ["stateful"])), options: { protect: true } };
        expect(check(rule, [protectedVm])).toEqual([]);
    });
    it("takes the stateful tags from config", () => {
        expect(
            check(
                rule,
                v((i) => (i.tags = ["data"])),
                { [rule]: { statefulTags: ["data"] } },
            ),
        ).toHaveLength(1);
    });
});

describe("proxmox-guest-tags-normalized", () => {
    const rule = "proxmox-guest-tags-normalized";
    it("accepts sorted lowercase tags", () => expect(check(rule, [container(), vm()])).toEqual([]));
    it("flags unsorted, uppercase or duplicate tags", () => {
        expect(
            check(
                rule,
                ct((i) => (i.tags = ["normal", "Docker", "docker"])),
            ),
        ).toEqual([
            'The tags ["normal","Docker","docker"] are not lowercase, sorted and unique, so Proxmox reports a change on every run. Give them as ["docker","normal"].',
        ]);
    });
});

/**
 * A guest resource as the program registers it for `guests.<name>` of the inventory: under its
 * guest component, whose type the URN carries (`...$homelab:proxmox:LxcGuest$<type>::<name>-container`).
 */
function underComponent(resource: PolicyResourceInput): PolicyResourceInput {
    const parentType = resource.type === T.container ? T.lxcComponent : T.vmComponent;
    return { ...resource, urn: `urn:pulumi:test::homelab::pulumi:pulumi:Stack$${parentType}$${resource.type}::${resource.name}` };
}
const invCt = (change: (i: ContainerInputs) => void) => ct(change, "photos-container").map(underComponent);
const invVm = (change: (i: VmInputs) => void) => v(change, "pbs-vm").map(underComponent);

describe("guestInventoryKey: the inventory entry of a guest resource, from its URN", () => {
    it("reads the guest component's type and the resource's name", () => {
        expect(guestInventoryKey(underComponent(container("photos-container")).urn)).toBe("guests.photos");
        expect(guestInventoryKey(underComponent(vm("pbs-vm")).urn)).toBe("guests.pbs");
    });
    it("is undefined for a hand-written guest, or a name the component would not give", () => {
        expect(guestInventoryKey(container("photos-container").urn)).toBeUndefined();
        expect(guestInventoryKey(underComponent(container("photos")).urn)).toBeUndefined();
        expect(guestInventoryKey(underComponent(container("-container")).urn)).toBeUndefined();
        expect(guestInventoryKey("not-a-urn")).toBeUndefined();
    });
});

describe("messages about a guest from the inventory name the inventory key to change", () => {
    it("proxmox-guest-storage-not-local: the disk's, or the system storage's key", () => {
        expect(
            check(
                "proxmox-guest-storage-not-local",
                invCt((i) => (i.disk!.datastoreId = "local")),
            ),
        ).toEqual(['The root disk is on "local" (`guests.photos.disk.storage`). Move it to a named ZFS or LVM-thin storage.']);
        expect(
            check(
                "proxmox-guest-storage-not-local",
                invVm((i) => ((i.disks![0].datastoreId = "local"), (i.efiDisk!.datastoreId = "local"))),
            ),
        ).toEqual([
            'The disk scsi0 is on "local" (`guests.pbs.disks[0].storage`). Move it to a named ZFS or LVM-thin storage.',
            'The EFI disk is on "local" (`guests.pbs.systemStorage`). Move it to a named ZFS or LVM-thin storage.',
        ]);
    });
    it("proxmox-guest-cpu-units: the tier or cpuUnits", () => {
        expect(
            check(
                "proxmox-guest-cpu-units",
                invVm((i) => delete i.cpu!.units),
            ),
        ).toEqual([
            "The guest leaves `cpu.units` unset, so Proxmox gives it its default weight (100 with cgroup v2). Set `guests.pbs.tier` (its weight: critical 2048, high 1500, normal 1024, low 800, minimal 512), or `guests.pbs.cpuUnits`.",
        ]);
    });
    it("proxmox-stateful-guest-protected: stateful", () => {
        expect(
            check(
                "proxmox-stateful-guest-protected",
                invVm((i) => (i.tags = ["stateful"])),
            ),
        ).toEqual([
            'The guest is stateful (tagged "stateful") but is not protected from deletion, so deleting or replacing it deletes its data. Set `guests.pbs.stateful: true`.',
        ]);
    });
    it("proxmox-container-nesting-docker-only: docker", () => {
        expect(
            check(
                "proxmox-container-nesting-docker-only",
                invCt((i) => (i.tags = ["normal"])),
            ),
        ).toEqual([
            'The container enables `features.nesting` and `features.keyctl` but is not tagged "docker"; these flags weaken isolation and only Docker needs them. Set `guests.photos.docker: true` if it runs Docker, else `guests.photos.docker: false`.',
        ]);
    });
    it("proxmox-passthrough-via-mappings: the mappings and the guest's pciMappings or usbMappings", () => {
        expect(
            check(
                "proxmox-passthrough-via-mappings",
                invVm((i) => ((i.hostpcis = [{ device: "hostpci0", id: "0000:01:00.0", pcie: true }]), (i.usbs = [{ host: "1a6e:089a" }]))),
            ),
        ).toEqual([
            'PCI device hostpci0 is passed through by raw id "0000:01:00.0" (`hostpcis[0].id`). Add the device under `mappings.pci` and name that mapping in `guests.pbs.pciMappings`.',
            'USB device #0 is passed through by host id "1a6e:089a" (`usbs[0].host`). Add the device under `mappings.usb` and name that mapping in `guests.pbs.usbMappings`.',
        ]);
    });
});
