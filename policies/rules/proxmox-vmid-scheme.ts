import { VmidSchemeConfig, VMID_SCHEME_SCHEMA } from "../config";
import { clusterOf } from "../cluster";
import { stackRule } from "../define";
import { reportOverriddenKnob } from "../knobs";
import { cloudInitAddress, inputVmid, nicsOf, vmidField } from "../guestInputs";
import { guestOf } from "../guests";
import { bool } from "../props";
import { expectedVmid } from "../shared/scheme";
import { GUEST_TYPES } from "../tokens";

/**
 * VMID = VLAN × 1000 + last octet of the first NIC's address (VLAN 30, 192.168.30.66 → 30066), or
 * on a flat LAN idOffset + last octet: knowing one gives the other, and a clash of IDs or
 * addresses shows before anything is created. The scheme is the inventory's (`cluster.idScheme`,
 * `cluster.idOffset`, registered by the Cluster component; the rule's knobs without one). This
 * rule reads the provider inputs alone (so it judges hand-written guests too); a guest whose inputs
 * lack what the scheme needs (a VM without cloud-init, the router's trunk, a cloned or
 * experimental VM) is checked from its guest component's outputs by `proxmox-vmid-scheme-components`.
 */
export const proxmoxVmidScheme = stackRule<VmidSchemeConfig>({
    name: "proxmox-vmid-scheme",
    description: "Checks that every guest's VMID follows the ID scheme from its first NIC's VLAN and static IPv4 address.",
    configSchema: VMID_SCHEME_SCHEMA,
    validate: (resources, ctx) => {
        const cluster = clusterOf(resources);
        const scheme = cluster?.idScheme() ?? ctx.config.idScheme;
        const offset = cluster?.idScheme() !== undefined ? cluster.idOffset() : ctx.config.idOffset;
        if (cluster?.idScheme() !== undefined) {
            // A hand-set knob the inventory overrides is said, not dropped (knobs.ts).
            reportOverriddenKnob(ctx, cluster.resource, "idScheme", ctx.config.idScheme, "cluster.idScheme", scheme);
            reportOverriddenKnob(ctx, cluster.resource, "idOffset", ctx.config.idOffset, "cluster.idOffset", offset);
        }
        if (scheme === "off") ctx.notApplicable("the ID scheme is off");
        for (const r of resources.filter((x) => GUEST_TYPES.has(x.type))) {
            ctx.judge(r, (report, cannotJudge) => {
                const props = r.props;
                if (bool(props.template) === true) return;
                const vlan = nicsOf(r.type, props)[0]?.vlan;
                const address = cloudInitAddress(r.type, props);
                const vmid = inputVmid(r.type, props);
                const guest = guestOf(r);
                const field = vmidField(r.type);
                const fix = guest.fixAt("vmid", field);
                const expected = expectedVmid(scheme, offset, vlan, address);
                if (expected === undefined) {
                    if (vmid === undefined)
                        report(
                            `The guest has no \`${field}\`, so Proxmox assigns the next free ID. Set ${fix} to ${scheme === "vlan" ? "VLAN × 1000" : offset} + the last octet of its address.`,
                        );
                    else cannotJudge("the first NIC has no VLAN tag or no static IPv4 address in the inputs");
                    return;
                }
                if (vmid === undefined) {
                    report(
                        `The guest has no \`${field}\`, so Proxmox assigns the next free ID. Set ${fix} to ${expected.vmid} (${expected.how}).`,
                    );
                } else if (vmid !== expected.vmid) {
                    report(
                        `VMID ${vmid} does not follow the scheme: ${expected.how} = ${expected.vmid}. Set ${fix} to ${expected.vmid}, or fix the VLAN or address.`,
                    );
                }
            });
        }
    },
});
