import { stackRule } from "../define";
import { groupBy, guestsOf, names } from "../guests";

/** VMIDs are cluster-wide: a second guest with the same ID fails to create, or worse, is imported over the first. */
export const proxmoxVmidUnique = stackRule({
    name: "proxmox-vmid-unique",
    description: "Checks that no two guests in the stack share a VMID.",
    validate: (resources, _ctx, report) => {
        for (const [vmid, guests] of groupBy(guestsOf(resources), (g) => g.vmid())) {
            if (guests.length < 2) continue;
            for (const g of guests)
                report(
                    `VMID ${vmid} is used by ${guests.length} guests (${names(guests)}). Give each guest its own VMID (VLAN × 1000 + last octet)${g.inventoryKey() !== undefined ? `: set \`${g.inventoryKey()}.vmid\`` : ""}.`,
                    g.urn,
                );
        }
    },
});
