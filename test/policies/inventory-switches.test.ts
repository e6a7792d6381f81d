/**
 * The pack honours the inventory's switches as the components register them, instead of the
 * stack's policy file: the ID scheme (Cluster `idScheme`/`idOffset`), the managed roots, a
 * privileged container's reason and a firewall policy's reason (guest component outputs); and it
 * names the inventory key to change (`inventoryKey`). Without a Cluster component the rules' knobs
 * still apply.
 */
import { PolicyResourceInput } from "../../tools/policy/runner";
import { ContainerInputs, T, check, compliantStack, mutate, replace } from "./fixtures";

type Stack = PolicyResourceInput[];
const edit = <I extends object>(stack: Stack, name: string, change: (i: I) => void): Stack =>
    replace(stack, name, (r) => mutate<I>(r, change));
const withOutputs = (stack: Stack, name: string, outputs: Record<string, unknown>): Stack =>
    replace(stack, name, (r) => ({ ...r, outputs: { ...r.outputs, ...outputs } }));
const withoutCluster = (stack: Stack): Stack => stack.filter((r) => r.type !== T.clusterComponent);

describe("the ID scheme from the Cluster component", () => {
    const rule = "proxmox-vmid-scheme";
    const scheme = (idScheme: string, idOffset = 0, stack = compliantStack()) => withOutputs(stack, "homelab", { idScheme, idOffset });

    it("vlan: VLAN × 1000 + last octet (the baseline)", () => expect(check(rule, compliantStack())).toEqual([]));

    it("octet: idOffset + last octet, for a flat LAN", () => {
        const flat = edit<ContainerInputs>(scheme("octet", 100), "cloud-container", (i) => (i.vmId = 141));
        expect(check(rule, flat)).toEqual([
            "VMID 10020 does not follow the scheme: 100 + last octet of 192.168.10.20 = 120. Set `vmId` to 120, or fix the VLAN or address.",
        ]);
        // The untagged NIC of a flat LAN is no obstacle.
        const untagged = edit<ContainerInputs>(flat, "cloud-container", (i) => delete i.networkInterfaces![0].vlanId);
        expect(check(rule, untagged).filter((m) => m.includes("VMID 141"))).toEqual([]);
    });

    it("off: no check, by either rule", () => {
        const off = edit<ContainerInputs>(scheme("off"), "cloud-container", (i) => (i.vmId = 7));
        expect(check(rule, off)).toEqual([]);
        expect(check("proxmox-vmid-scheme-components", off)).toEqual([]);
    });

    it("wins over the rule's knobs, which apply without a Cluster component; a knob it overrides is said, not dropped", () => {
        const config = { [rule]: { idScheme: "octet", idOffset: 30000 } };
        expect(check(rule, compliantStack(), config)).toEqual([
            'The policy configuration sets idScheme: "octet", but the inventory\'s `cluster.idScheme` is "vlan", which the rule uses. Remove idScheme from the policy configuration, or change `cluster.idScheme`.',
            "The policy configuration sets idOffset: 30000, but the inventory's `cluster.idOffset` is 0, which the rule uses. Remove idOffset from the policy configuration, or change `cluster.idOffset`.",
        ]);
        // A knob set to what the inventory says is no conflict.
        expect(check(rule, compliantStack(), { [rule]: { idScheme: "vlan", idOffset: 0 } })).toEqual([]);
        expect(check(rule, withoutCluster(compliantStack()), config)).toEqual([
            "VMID 10020 does not follow the scheme: 30000 + last octet of 192.168.10.20 = 30020. Set `vmId` to 30020, or fix the VLAN or address.",
        ]);
    });

    it("names the inventory key of a guest from the inventory", () => {
        const stack = withOutputs(
            edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.vmId = 30040)),
            "cloud",
            { inventoryKey: "guests.cloud" },
        );
        expect(check(rule, stack)).toEqual([
            "VMID 30040 does not follow the scheme: VLAN 30 × 1000 + last octet of 192.168.30.41 = 30041. Set `guests.cloud.vmid` to 30041, or fix the VLAN or address.",
        ]);
    });
});

describe("the managed roots from the Cluster component", () => {
    const rule = "proxmox-container-bind-mount-roots";
    const mount = (volume: string, stack = compliantStack()) =>
        edit<ContainerInputs>(stack, "cloud-container", (i) => (i.mountPoints = [{ path: "/mnt/x", volume }]));

    it("accepts a mount under a root the inventory adds, which the knob's default does not have", () => {
        const roots = withOutputs(mount("/srv/bulk/x"), "homelab", { managedRoots: ["/tank", "/srv/bulk"] });
        expect(check(rule, roots)).toEqual([]);
        expect(check(rule, mount("/srv/bulk/x"))).toEqual([
            'The bind mount of host path "/srv/bulk/x" (`mountPoints[0].volume`) is outside the managed roots (/tank, /rpool/appdata). Mount a dataset this program manages, or add its root to `cluster.managedRoots`.',
        ]);
    });

    it("without a Cluster component takes the knob, and says so", () => {
        const stack = mount("/srv/bulk/x", withoutCluster(compliantStack()));
        expect(check(rule, stack, { [rule]: { managedRoots: ["/srv/bulk"] } })).toEqual([]);
        expect(check(rule, stack)).toEqual([
            'The bind mount of host path "/srv/bulk/x" (`mountPoints[0].volume`) is outside the managed roots (/tank, /rpool/appdata). Mount a dataset this program manages, or add its root to managedRoots in the policy config.',
        ]);
    });

    it("adds the knob's roots to the inventory's, never dropping either", () => {
        const stack = withOutputs(mount("/srv/bulk/x"), "homelab", { managedRoots: ["/tank"] });
        expect(check(rule, stack, { [rule]: { managedRoots: ["/srv/bulk"] } })).toEqual([]);
        expect(check(rule, mount("/rpool/other/x", stack), { [rule]: { managedRoots: ["/srv/bulk"] } })).toEqual([
            'The bind mount of host path "/rpool/other/x" (`mountPoints[0].volume`) is outside the managed roots (/tank, /srv/bulk). Mount a dataset this program manages, or add its root to `cluster.managedRoots`.',
        ]);
    });

    it("refuses system paths whatever the roots say", () => {
        const roots = withOutputs(mount("/etc/pve"), "homelab", { managedRoots: ["/"] });
        expect(check(rule, roots)).toEqual([
            'The bind mount of host path "/etc/pve" (`mountPoints[0].volume`) is refused: "/etc" is a system path no container may see. Mount a dataset under a managed root (/) instead.',
        ]);
    });
});

describe("a privileged container's reason from its guest component", () => {
    const rule = "proxmox-container-unprivileged";
    const privileged = (outputs: Record<string, unknown>) =>
        withOutputs(
            edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.unprivileged = false)),
            "cloud",
            outputs,
        );

    it("exempts the container", () => expect(check(rule, privileged({ privilegedReason: "the iGPU and TUN" }))).toEqual([]));

    it("without one, names the inventory key to change", () => {
        expect(check(rule, privileged({ inventoryKey: "guests.cloud" }))).toEqual([
            "The container is privileged, and the inventory gives no reason. Remove `guests.cloud.privileged` to run it unprivileged, or set `guests.cloud.privileged` with a reason if it truly needs the host's root.",
        ]);
        expect(check(rule, privileged({ inventoryKey: "guests.cloud", privilegedReason: "  " }))).toHaveLength(1);
    });
});

describe("a firewall policy's reason from the guest component", () => {
    const rule = "proxmox-guest-firewall";
    const accepting = (outputs: Record<string, unknown>) =>
        withOutputs(
            replace(compliantStack(), "cloud-firewall", (r) => ({ ...r, inputs: { ...r.inputs, inputPolicy: "ACCEPT" } })),
            "cloud",
            outputs,
        );

    it("exempts the guest's firewall options", () => {
        expect(check(rule, accepting({ firewallPolicyReason: "the router filters what it routes" }))).toEqual([]);
    });

    it("without one, names the inventory keys to change", () => {
        expect(check(rule, accepting({ inventoryKey: "guests.cloud" }))).toEqual([
            'The firewall options of guest cloud-container set the inbound policy to "ACCEPT". Set `guests.cloud.firewall.inputPolicy` to DROP and allow what the guest serves with rules, or give `guests.cloud.firewall.reason` why it must accept.',
        ]);
    });

    it("still wants the firewall on each NIC", () => {
        const stack = edit<ContainerInputs>(
            accepting({ firewallPolicyReason: "router" }),
            "cloud-container",
            (i) => delete i.networkInterfaces![0].firewall,
        );
        expect(check(rule, stack)).toHaveLength(1);
    });
});

describe("messages about a guest from the inventory name its key", () => {
    it("in the uniqueness and backup rules", () => {
        const keyed = withOutputs(withOutputs(compliantStack(), "cloud", { inventoryKey: "guests.cloud" }), "pbs", {
            inventoryKey: "guests.pbs",
        });
        const twin = edit<ContainerInputs>(keyed, "pbs-vm", (i) => (i.vmId = 30041));
        expect(check("proxmox-vmid-unique", twin)).toEqual([
            "VMID 30041 is used by 2 guests (cloud-container, pbs-vm). Give each guest its own VMID (VLAN × 1000 + last octet): set `guests.cloud.vmid`.",
            "VMID 30041 is used by 2 guests (cloud-container, pbs-vm). Give each guest its own VMID (VLAN × 1000 + last octet): set `guests.pbs.vmid`.",
        ]);
        const sameAddress = withOutputs(keyed, "pbs", { ipv4: "192.168.30.41" });
        expect(check("proxmox-ipv4-unique", sameAddress)).toContain(
            "IPv4 address 192.168.30.41 is used by 2 guests (cloud-container, pbs-vm). Give each guest its own address: set `guests.pbs.ipv4`.",
        );
        const noJob = keyed.filter((r) => r.type !== T.backupJob);
        expect(check("proxmox-backup-coverage", noJob)).toEqual([
            "Guest cloud-container is in no backup job. Set `guests.cloud.backup` to a tier (`{ tier: ... }`) or to `{ exclude: <reason> }`.",
        ]);
    });
});
