import { CPU_UNITS_BY_TIER } from "../shared/scheme";
import { resourceRule } from "../define";
import { guestInventoryKey } from "../guestInputs";
import { num, record } from "../props";
import { GUEST_TYPES } from "../tokens";

const TIER_UNITS = Object.entries(CPU_UNITS_BY_TIER)
    .map(([tier, units]) => `${tier} ${units}`)
    .join(", ");

/**
 * CPU units are weights under contention: they only mean something when every guest states one.
 * A guest left at Proxmox's default (100 with cgroup v2) loses to every guest that set a tier.
 */
export const proxmoxGuestCpuUnits = resourceRule({
    name: "proxmox-guest-cpu-units",
    description: "Checks that every container and VM sets `cpu.units`, so CPU weights compare between guests.",
    types: GUEST_TYPES,
    validate: (props, ctx, report) => {
        if (num(record(props.cpu)?.units) !== undefined) return;
        const key = guestInventoryKey(ctx.urn);
        const fix =
            key !== undefined
                ? `Set \`${key}.tier\` (its weight: ${TIER_UNITS}), or \`${key}.cpuUnits\``
                : `Set \`cpu.units\` from the guest's tier (${TIER_UNITS})`;
        report(`The guest leaves \`cpu.units\` unset, so Proxmox gives it its default weight (100 with cgroup v2). ${fix}.`);
    },
});
