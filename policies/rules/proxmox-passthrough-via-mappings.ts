import { resourceRule } from "../define";
import { guestInventoryKey } from "../guestInputs";
import { records, str } from "../props";
import { VM_TYPES } from "../tokens";

/**
 * A raw PCI id or host USB id only works for `root@pam` and breaks when the device moves; a
 * hardware mapping (`hardware.mapping.Pci`/`Usb`) names the device cluster-wide and can be used
 * by an API token with `Mapping.Use`.
 */
export const proxmoxPassthroughViaMappings = resourceRule({
    name: "proxmox-passthrough-via-mappings",
    description: "Checks that VMs pass PCI and USB devices through hardware mappings, never by raw PCI id or host USB id.",
    types: VM_TYPES,
    validate: (props, ctx, report) => {
        // A VM from the inventory passes devices through the mappings it names (`guests.<name>.pciMappings`, `usbMappings`).
        const key = guestInventoryKey(ctx.urn);
        records(props.hostpcis).forEach((pci, i) => {
            const id = str(pci.id);
            if (id !== undefined && id !== "") {
                report(
                    `PCI device ${str(pci.device) ?? `#${i}`} is passed through by raw id "${id}" (\`hostpcis[${i}].id\`). ${
                        key !== undefined
                            ? `Add the device under \`mappings.pci\` and name that mapping in \`${key}.pciMappings\`.`
                            : "Create a hardware.mapping.Pci for it and set `mapping` instead of `id`."
                    }`,
                );
            }
        });
        records(props.usbs).forEach((usb, i) => {
            const host = str(usb.host);
            // `spice` is USB redirection from the viewer, not a host device.
            if (host !== undefined && host !== "" && host !== "spice") {
                report(
                    `USB device #${i} is passed through by host id "${host}" (\`usbs[${i}].host\`). ${
                        key !== undefined
                            ? `Add the device under \`mappings.usb\` and name that mapping in \`${key}.usbMappings\`.`
                            : "Create a hardware.mapping.Usb for it and set `mapping` instead of `host`."
                    }`,
                );
            }
        });
    },
});
