import { VmidSchemeConfig, VMID_SCHEME_SCHEMA } from "../config";
import { clusterOf } from "../cluster";
import { stackRule } from "../define";
import { vmidField } from "../guestInputs";
import { guestsOf } from "../guests";
import { expectedVmid } from "../shared/scheme";

/**
 * The VMID scheme for the guests `proxmox-vmid-scheme` cannot judge from the provider inputs: a VM
 * without cloud-init (an installer ISO) has no address in its inputs, a router's first NIC is a
 * trunk without a VLAN tag, and cloned or experimental VMs carry no address. The guest components
 * register what the inventory says (`vmid`, `ipv4`, `vlan`), so the missing half comes from there;
 * what the inputs do say wins. The scheme is the inventory's, as for `proxmox-vmid-scheme`.
 */
export const proxmoxVmidSchemeComponents = stackRule<VmidSchemeConfig>({
    name: "proxmox-vmid-scheme-components",
    description:
        "Checks that a guest whose provider inputs carry no VLAN or no static address still follows the VMID scheme, completed from its guest component's registered outputs.",
    configSchema: VMID_SCHEME_SCHEMA,
    validate: (resources, ctx, report) => {
        const cluster = clusterOf(resources);
        const scheme = cluster?.idScheme() ?? ctx.config.idScheme;
        const offset = cluster?.idScheme() !== undefined ? cluster.idOffset() : ctx.config.idOffset;
        if (scheme === "off") ctx.notApplicable("the ID scheme is off");
        for (const g of guestsOf(resources)) {
            if (g.isTemplate()) continue;
            const inputVlan = g.inputVlan();
            const inputAddress = g.inputAddress();
            // proxmox-vmid-scheme judges it from the inputs alone.
            if (g.provider !== undefined && expectedVmid(scheme, offset, inputVlan, inputAddress) !== undefined) continue;
            // A provider resource without a VMID is reported by proxmox-vmid-scheme already.
            const vmid = g.provider !== undefined ? g.inputVmid() : g.componentVmid();
            if (vmid === undefined) continue;
            const vlan = inputVlan ?? g.componentVlan();
            const address = inputAddress ?? g.componentAddress();
            const expected = expectedVmid(scheme, offset, vlan, address);
            if (expected === undefined || vmid === expected.vmid) continue;
            const vlanFrom = inputVlan !== undefined ? "first NIC" : "the guest component's vlan";
            const addressFrom = inputAddress !== undefined ? "cloud-init" : "the guest component's ipv4";
            const how =
                scheme === "vlan"
                    ? `VLAN ${vlan} (${vlanFrom}) × 1000 + last octet of ${address} (${addressFrom})`
                    : `${expected.how} (${addressFrom})`;
            report(
                `VMID ${vmid} of ${g.name} does not follow the scheme: ${how} = ${expected.vmid}. Set ${g.fixAt("vmid", g.provider !== undefined ? vmidField(g.provider.type) : "vmid")} to ${expected.vmid}, or fix the VLAN or address.`,
                g.urn,
            );
        }
    },
});
