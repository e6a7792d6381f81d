import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../define";
import { guestsOf } from "../guests";
import { nicsOf } from "../guestInputs";
import { bool, num, str } from "../props";
import { FIREWALL_OPTIONS_TYPES } from "../tokens";

/**
 * Every guest NIC goes through the Proxmox firewall with inbound DROP: VLANs separate networks,
 * the guest firewall separates guests inside one VLAN. A NIC with `firewall` off, a guest without
 * options, or options with inbound ACCEPT lets every neighbour reach every port. A guest whose
 * inventory entry gives the reason for another policy (`guests.<name>.firewall.reason`, registered
 * by its component as `firewallPolicyReason`: the router filters what it routes) is exempt from the
 * options checks.
 */
export const proxmoxGuestFirewall = stackRule({
    name: "proxmox-guest-firewall",
    description:
        "Checks that every guest has the firewall on for each NIC and firewall options that enable it with an inbound policy of DROP.",
    validate: (resources, _ctx, report) => {
        const options = resources.filter((r) => FIREWALL_OPTIONS_TYPES.has(r.type));
        const optionsFor = (kind: "lxc" | "vm", vmid: number, node: string | undefined): PolicyResource | undefined =>
            options.find(
                (o) =>
                    num(kind === "lxc" ? o.props.containerId : o.props.vmId) === vmid &&
                    (node === undefined || str(o.props.nodeName) === undefined || str(o.props.nodeName) === node),
            );
        for (const guest of guestsOf(resources)) {
            if (guest.provider === undefined || guest.isTemplate()) continue;
            for (const nic of nicsOf(guest.provider.type, guest.provider.props)) {
                if (nic.firewall !== true) {
                    report(
                        `Guest ${guest.name}: NIC ${nic.label} has the firewall off (\`${nic.field}.firewall\`). Set \`firewall: true\`.`,
                        guest.urn,
                    );
                }
            }
            const vmid = guest.vmid();
            if (vmid === undefined) continue;
            const opts = optionsFor(guest.kind, vmid, guest.nodeName());
            if (opts === undefined) {
                report(
                    `Guest ${guest.name} has no firewall options (firewall.OptionsLegacy), so its firewall is off. Add options with \`enabled: true\` and \`inputPolicy: "DROP"\`.`,
                    guest.urn,
                );
                continue;
            }
            // The inventory's reason for a policy other than DROP (the router filters what it routes) exempts the options.
            if (guest.firewallPolicyReason() !== undefined) continue;
            if (bool(opts.props.enabled) !== true) {
                report(
                    `The firewall options of guest ${guest.name} do not set \`enabled: true\`, so its firewall is off. Set \`enabled: true\`.`,
                    opts.urn,
                );
            }
            const policy = str(opts.props.inputPolicy);
            if (policy !== "DROP") {
                const key = guest.inventoryKey();
                const fix =
                    key !== undefined
                        ? `Set \`${key}.firewall.inputPolicy\` to DROP and allow what the guest serves with rules, or give \`${key}.firewall.reason\` why it must accept.`
                        : `Set \`inputPolicy: "DROP"\` and allow what the guest serves with rules.`;
                report(
                    `The firewall options of guest ${guest.name} set the inbound policy to ${policy === undefined ? "nothing" : `"${policy}"`}. ${fix}`,
                    opts.urn,
                );
            }
        }
    },
});
