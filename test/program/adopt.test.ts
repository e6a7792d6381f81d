/** Adopting what already exists: guests and node bridges flagged `adopt` are imported, not created. */
import { deployHomelab } from "../../program";
import { record } from "../helpers/harness";
import { credentialConfig, referenceInventory } from "./reference";

it("imports an adopted container, VM and node bridge by their provider ids, and nothing else", async () => {
    const inv = referenceInventory();
    inv.guests.unifi.adopt = true;
    inv.guests.pbs.adopt = true;
    inv.nodes["pve-storage"].adopt = true;
    const creds = credentialConfig();
    const { recording } = await record(() => deployHomelab(inv), { config: creds.config, secretKeys: creds.secretKeys });
    const imported = recording.resources.filter((r) => r.options.importId !== undefined).map((r) => [r.type, r.name, r.options.importId]);
    expect(imported).toEqual(
        expect.arrayContaining([
            ["proxmoxve:index/containerLegacy:ContainerLegacy", "unifi-container", "pve-network/10005"],
            ["proxmoxve:index/vmLegacy:VmLegacy", "pbs-vm", "pve-storage/10020"],
            ["proxmoxve:network/linux/bridge:Bridge", "pve-storage-vmbr0", "pve-storage:vmbr0"],
        ]),
    );
    expect(imported).toHaveLength(3);
});
