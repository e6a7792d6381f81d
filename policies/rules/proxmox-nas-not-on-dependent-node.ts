import { stackRule } from "../define";
import { guestsOf, nodesOf } from "../guests";
import { str, strings } from "../props";
import { NETWORK_STORAGE_TYPES } from "../tokens";

/** The component the program creates the inventory's `storages` under (components/storages.ts). */
const STORAGES_COMPONENT = "homelab:proxmox:Storages";

/**
 * A node that mounts storage from a guest running on itself depends on itself: after a reboot
 * the storage is missing until the guest is up, and the guest may live on that storage.
 */
export const proxmoxNasNotOnDependentNode = stackRule({
    name: "proxmox-nas-not-on-dependent-node",
    description: "Checks that no guest serving NFS or SMB storage runs on a node that mounts that storage.",
    validate: (resources, _ctx, report) => {
        const guests = guestsOf(resources);
        const allNodes = new Set<string>([
            ...nodesOf(resources).map((n) => n.nodeName),
            ...guests.map((g) => g.nodeName()).filter((n): n is string => n !== undefined),
        ]);
        for (const storage of resources.filter((r) => NETWORK_STORAGE_TYPES.has(r.type))) {
            const server = str(storage.props.server);
            if (server === undefined) continue;
            const restricted = strings(storage.props.nodes);
            const mountedOn = restricted.length > 0 ? restricted : [...allNodes];
            for (const guest of guests) {
                const node = guest.nodeName();
                if (node === undefined || !mountedOn.includes(node)) continue;
                if (!guest.ipv4s().includes(server) && guest.name !== server) continue;
                const id = str(storage.props.resourceId) ?? storage.name;
                // Name the inventory keys to change where the guest and the storage come from the inventory.
                const key = guest.inventoryKey();
                const fromInventory = storage.parent?.type === STORAGES_COMPONENT && str(storage.props.resourceId) !== undefined;
                const moveGuest = key !== undefined ? `Run the NAS on another node (\`${key}.node\`)` : "Run the NAS on another node";
                const unmount = fromInventory ? `or leave ${node} out of \`storages.${id}.nodes\`` : "or do not mount its storage there";
                report(
                    `Guest ${key !== undefined ? `\`${key}\`` : guest.name} serves storage "${id}" (${server}) to node ${node} and runs on that node, so the node depends on its own guest. ${moveGuest}, ${unmount}.`,
                    guest.urn,
                );
            }
        }
    },
});
