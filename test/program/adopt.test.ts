/**
 * Adopting what already exists: guests flagged `adopt` are imported, not created; node bridges are
 * always imported (the installer made them, P1/P2), and a node flagged `adopt` leaves the fields
 * the installer does not set alone.
 */
import { readCredentials } from "../../config/loader";
import { deployHomelab } from "../../program";
import { ADOPTION_IGNORED_BRIDGE_FIELDS } from "../../components/proxmoxNode";
import { record } from "../helpers/harness";
import { credentialConfig, referenceInventory } from "./reference";

const BRIDGE = "proxmoxve:network/linux/bridge:Bridge";

it("imports an adopted container and VM by their provider ids, every node bridge by its id, and nothing else", async () => {
    const inv = referenceInventory();
    inv.guests.unifi.adopt = true;
    inv.guests.windows.adopt = true;
    const creds = credentialConfig();
    const { recording } = await record(() => deployHomelab(inv, readCredentials()), { config: creds.config, secretKeys: creds.secretKeys });
    const imported = recording.resources.filter((r) => r.options.importId !== undefined).map((r) => [r.type, r.name, r.options.importId]);
    expect(imported.sort()).toEqual(
        [
            ["proxmoxve:index/containerLegacy:ContainerLegacy", "unifi-container", "pve-network/10005"],
            ["proxmoxve:index/vmLegacy:VmLegacy", "windows-vm", "pve-storage/20030"],
            [BRIDGE, "pve-network-vmbr0", "pve-network:vmbr0"],
            [BRIDGE, "pve-storage-vmbr0", "pve-storage:vmbr0"],
        ].sort(),
    );
    // An adopted guest is never deleted first on a replacement: the import must not be followed by a delete of the running guest.
    expect(recording.one("unifi-container").options.deleteBeforeReplace).toBe(false);
    expect(recording.one("windows-vm").options.deleteBeforeReplace).toBe(false);
    expect(recording.one("edge-container").options.deleteBeforeReplace).toBe(true);
});

it("leaves the installer's bridge fields alone only on a node still being adopted", async () => {
    const inv = referenceInventory();
    inv.nodes["pve-network"].adopt = false;
    inv.nodes["pve-storage"].adopt = true;
    const creds = credentialConfig();
    const { recording } = await record(() => deployHomelab(inv, readCredentials()), { config: creds.config, secretKeys: creds.secretKeys });
    expect(recording.one("pve-network-vmbr0", BRIDGE).options.ignoreChanges).toEqual([]);
    expect(recording.one("pve-storage-vmbr0", BRIDGE).options.ignoreChanges).toEqual([...ADOPTION_IGNORED_BRIDGE_FIELDS]);
});
