import { stackRule } from "../define";
import { guestsOf } from "../guests";
import { schemeVmid } from "../shared/scheme";

/**
 * The VMID scheme for the guests `proxmox-vmid-scheme` cannot judge from the provider inputs: a VM
 * without cloud-init (an installer ISO) has no address in its inputs, and a router's first NIC is a
 * trunk without a VLAN tag. The guest components register what the inventory says (`vmid`,
 * `ipv4`, `vlan`), so the missing half comes from there; what the inputs do say wins. A guest with
 * neither source stays unjudged (the resource rule reports it not applicable).
 */
export const proxmoxVmidSchemeComponents = stackRule({
    name: "proxmox-vmid-scheme-components",
    description:
        "Checks that a guest whose provider inputs carry no VLAN or no static address still follows the VMID scheme, completed from its guest component's registered outputs.",
    validate: (resources, _ctx, report) => {
        for (const g of guestsOf(resources)) {
            if (g.isTemplate()) continue;
            const inputVlan = g.inputVlan();
            const inputAddress = g.inputAddress();
            // proxmox-vmid-scheme judges it from the inputs alone.
            if (g.provider !== undefined && inputVlan !== undefined && inputAddress !== undefined) continue;
            // A provider resource without `vmId` is reported by proxmox-vmid-scheme already.
            const vmid = g.provider !== undefined ? g.inputVmid() : g.componentVmid();
            if (vmid === undefined) continue;
            const vlan = inputVlan ?? g.componentVlan();
            const address = inputAddress ?? g.componentAddress();
            if (vlan === undefined || address === undefined) continue;
            const expected = schemeVmid(vlan, address);
            if (vmid === expected) continue;
            const vlanFrom = inputVlan !== undefined ? "first NIC" : "the guest component's vlan";
            const addressFrom = inputAddress !== undefined ? "cloud-init" : "the guest component's ipv4";
            report(
                `VMID ${vmid} of ${g.name} does not follow the scheme: VLAN ${vlan} (${vlanFrom}) × 1000 + last octet of ${address} (${addressFrom}) = ${expected}. Set \`vmId: ${expected}\`, or fix the VLAN or address.`,
                g.urn,
            );
        }
    },
});
