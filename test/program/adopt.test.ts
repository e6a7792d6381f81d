/**
 * Adopting what already exists: guests flagged `adopt` are imported, not created, with their
 * firewall options and rules (creating rules where rules exist fails, P33); node bridges are always
 * imported (the installer made them, P1/P2), a node flagged `adopt` leaves the fields the installer
 * does not set alone and has its host firewall imported; an adopted cluster imports its datacenter
 * firewall, an adopted mapping is imported by its name. An adopted guest is always protected and
 * never deleted first; a container with no image never sends or diffs its template (P3, P34).
 */
import { readCredentials } from "../../config/loader";
import { deployHomelab } from "../../program";
import { CONTAINER_IGNORED_FIELDS } from "../../components/lxcGuest";
import { ADOPTION_IGNORED_BRIDGE_FIELDS } from "../../components/proxmoxNode";
import { record } from "../helpers/harness";
import { credentialConfig, referenceInventory } from "./reference";
import { Inventory } from "../../config/schema";

const BRIDGE = "proxmoxve:network/linux/bridge:Bridge";
const OPTIONS = "proxmoxve:firewall/optionsLegacy:OptionsLegacy";
const RULES = "proxmoxve:firewall/rulesLegacy:RulesLegacy";
const NODE_FIREWALL = "proxmoxve:node/firewall:Firewall";

async function recordInventory(inv: Inventory) {
    const creds = credentialConfig();
    const { recording } = await record(() => deployHomelab(inv, readCredentials()), { config: creds.config, secretKeys: creds.secretKeys });
    return recording;
}

it("imports an adopted container and VM with their firewall options and rules, every node bridge, and an adopted node's host firewall", async () => {
    const inv = referenceInventory();
    inv.guests.unifi.adopt = true;
    inv.guests.windows.adopt = true;
    const recording = await recordInventory(inv);
    const imported = recording.resources.filter((r) => r.options.importId !== undefined).map((r) => [r.type, r.name, r.options.importId]);
    expect(imported.sort()).toEqual(
        [
            ["proxmoxve:index/containerLegacy:ContainerLegacy", "unifi-container", "pve-network/10005"],
            ["proxmoxve:index/vmLegacy:VmLegacy", "windows-vm", "pve-storage/20030"],
            [OPTIONS, "unifi-firewall", "container/pve-network/10005"],
            [OPTIONS, "windows-firewall", "vm/pve-storage/20030"],
            [RULES, "unifi-firewall-rules", "container/pve-network/10005"],
            [RULES, "windows-firewall-rules", "vm/pve-storage/20030"],
            [BRIDGE, "pve-network-vmbr0", "pve-network:vmbr0"],
            [BRIDGE, "pve-storage-vmbr0", "pve-storage:vmbr0"],
            // Both nodes of the reference stack are still being adopted (a fresh install).
            [NODE_FIREWALL, "pve-network-firewall", "pve-network"],
            [NODE_FIREWALL, "pve-storage-firewall", "pve-storage"],
        ].sort(),
    );
    // An adopted guest is never deleted first on a replacement: the import must not be followed by a delete of the running guest.
    expect(recording.one("unifi-container").options.deleteBeforeReplace).toBe(false);
    expect(recording.one("windows-vm").options.deleteBeforeReplace).toBe(false);
    expect(recording.one("edge-container").options.deleteBeforeReplace).toBe(true);
    // The ipset is not imported: the adoption view reports one that exists (tools/change/adoption.ts).
    expect(recording.one("unifi-addresses").options.importId).toBeUndefined();
});

it("protects an adopted guest even when the inventory calls it stateless", async () => {
    const inv = referenceInventory();
    inv.guests.unifi.adopt = true;
    inv.guests.unifi.stateful = false;
    inv.guests.windows.adopt = true;
    inv.guests.windows.stateful = false;
    const recording = await recordInventory(inv);
    expect(recording.one("unifi-container").options.protect).toBe(true);
    expect(recording.one("windows-vm").options.protect).toBe(true);
    // Proxmox's own protection flag follows the inventory.
    expect(recording.one("unifi-container").inputs.protection).toBe(false);
});

it("never sends or diffs the template of a container with no image, adopted or not (P3, P34)", async () => {
    const inv = referenceInventory();
    const unifi = inv.guests.unifi;
    if (unifi.kind !== "lxc") throw new Error("unifi is a container in the reference stack");
    delete unifi.image;
    unifi.adopt = true;
    const whileAdopted = await recordInventory(inv);
    expect(whileAdopted.one("unifi-container").inputs.operatingSystem).toBeUndefined();
    expect(whileAdopted.one("unifi-container").options.ignoreChanges).toEqual([...CONTAINER_IGNORED_FIELDS]);
    // Once `adopt` is removed the template stays ignored: its absence must never become a replacement.
    unifi.adopt = false;
    const afterwards = await recordInventory(inv);
    expect(afterwards.one("unifi-container").options.ignoreChanges).toEqual([...CONTAINER_IGNORED_FIELDS]);
    // A container made from an image sends its template at create, and ignores it afterwards too (E5).
    expect(afterwards.one("edge-container").inputs.operatingSystem).toBeDefined();
    expect(afterwards.one("edge-container").options.ignoreChanges).toEqual([...CONTAINER_IGNORED_FIELDS]);
});

it("imports the datacenter firewall of an adopted cluster and an adopted mapping by its name", async () => {
    const inv = referenceInventory();
    inv.cluster.adopt = true;
    inv.mappings.pci["opnsense-wan"].adopt = true;
    const recording = await recordInventory(inv);
    expect(recording.one("cluster-firewall-rules").options.importId).toBe("cluster");
    expect(recording.one("cluster-firewall").options.importId).toBe("cluster-firewall");
    expect(recording.one("cluster-pci-opnsense-wan").options.importId).toBe("opnsense-wan");
    expect(recording.one("cluster-pci-opnsense-lan").options.importId).toBeUndefined();
    expect(recording.one("cluster-usb-coral").options.importId).toBeUndefined();
});

it("writes the datacenter firewall of a cluster that is not adopted (nothing imported)", async () => {
    const recording = await recordInventory(referenceInventory());
    expect(recording.one("cluster-firewall-rules").options.importId).toBeUndefined();
    expect(recording.one("cluster-firewall").options.importId).toBeUndefined();
});

it("leaves the installer's bridge fields alone only on a node still being adopted", async () => {
    const inv = referenceInventory();
    inv.nodes["pve-network"].adopt = false;
    inv.nodes["pve-storage"].adopt = true;
    const recording = await recordInventory(inv);
    expect(recording.one("pve-network-vmbr0", BRIDGE).options.ignoreChanges).toEqual([]);
    expect(recording.one("pve-storage-vmbr0", BRIDGE).options.ignoreChanges).toEqual([...ADOPTION_IGNORED_BRIDGE_FIELDS]);
    expect(recording.one("pve-network-firewall", NODE_FIREWALL).options.importId).toBeUndefined();
    expect(recording.one("pve-storage-firewall", NODE_FIREWALL).options.importId).toBe("pve-storage");
});
