import { stackRule } from "../define";
import { groupBy, guestsOf, names } from "../guests";

/** Two guests with one address fight over ARP: both work intermittently and neither can be debugged. */
export const proxmoxIpv4Unique = stackRule({
    name: "proxmox-ipv4-unique",
    description: "Checks that no two guests in the stack share a static IPv4 address.",
    validate: (resources, _ctx, report) => {
        for (const [ip, guests] of groupBy(guestsOf(resources), (g) => g.ipv4s())) {
            if (guests.length < 2) continue;
            for (const g of guests)
                report(
                    `IPv4 address ${ip} is used by ${guests.length} guests (${names(guests)}). Give each guest its own address${g.inventoryKey() !== undefined ? `: set \`${g.inventoryKey()}.ipv4\`` : ""}.`,
                    g.urn,
                );
        }
    },
});
