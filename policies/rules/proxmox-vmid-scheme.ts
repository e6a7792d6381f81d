import { schemeVmid } from "../shared/scheme";
import { resourceRule } from "../define";
import { cloudInitAddress, inputVmid, nicsOf, vmidField } from "../guestInputs";
import { bool } from "../props";
import { GUEST_TYPES } from "../tokens";

/**
 * VMID = VLAN × 1000 + last octet of the first NIC's address (VLAN 30, 192.168.30.66 → 30066):
 * knowing one gives the other, and a clash of IDs or addresses shows before anything is created.
 * This rule reads the provider inputs alone (so it judges hand-written guests too); a guest whose
 * inputs carry no VLAN or no static address (a VM without cloud-init, the router's trunk, a cloned
 * or experimental VM) is checked from its guest component's outputs by `proxmox-vmid-scheme-components`.
 */
export const proxmoxVmidScheme = resourceRule({
    name: "proxmox-vmid-scheme",
    description:
        "Checks that every guest's VMID equals its first NIC's VLAN times 1000 plus the last octet of that NIC's static IPv4 address.",
    types: GUEST_TYPES,
    validate: (props, ctx, report) => {
        if (bool(props.template) === true) return;
        const vlan = nicsOf(ctx.type, props)[0]?.vlan;
        const address = cloudInitAddress(ctx.type, props);
        const vmid = inputVmid(ctx.type, props);
        const field = vmidField(ctx.type);
        if (vlan === undefined || address === undefined) {
            if (vmid === undefined)
                report(
                    `The guest has no \`${field}\`, so Proxmox assigns the next free ID. Set \`${field}\` to VLAN × 1000 + the last octet of its address.`,
                );
            else ctx.notApplicable("the first NIC has no VLAN tag or no static IPv4 address in the inputs");
            return;
        }
        const expected = schemeVmid(vlan, address);
        if (vmid === undefined) {
            report(
                `The guest has no \`${field}\`, so Proxmox assigns the next free ID. Set \`${field}: ${expected}\` (VLAN ${vlan} × 1000 + last octet of ${address}).`,
            );
        } else if (vmid !== expected) {
            report(
                `VMID ${vmid} does not follow the scheme: VLAN ${vlan} × 1000 + last octet of ${address} = ${expected}. Set \`${field}: ${expected}\`, or fix the VLAN or address.`,
            );
        }
    },
});
