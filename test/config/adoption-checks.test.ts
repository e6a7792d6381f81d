/**
 * The cross-checks on guests that exist already: a container with no image (adopted, and after
 * `adopt` is removed its template stays unknown), a VM installed elsewhere whose agent runs, and
 * what still needs boot media.
 */
import { parseInventory } from "../../config/parse";
import { mutated, problemsOf } from "./reference";

describe("guests that exist already", () => {
    it("accept a container with no image and no clone, adopted or once adopted", () => {
        for (const adopt of [true, false]) {
            const inv = parseInventory(
                mutated((i) => {
                    delete i.guests.unifi.image;
                    i.guests.unifi.adopt = adopt;
                }),
            );
            expect(inv.guests.unifi).toMatchObject({ kind: "lxc", adopt });
        }
    });

    it("accept the agent on a VM installed elsewhere (adopted, or with no image and its CD drive empty)", () => {
        const agentOn = (adopt: boolean, cdrom: string) =>
            mutated((i) => {
                i.guests.windows.agent = true;
                i.guests.windows.adopt = adopt;
                i.guests.windows.cdrom = cdrom;
            });
        expect(parseInventory(agentOn(true, "local:iso/Win11_24H2_English_x64.iso")).guests.windows).toMatchObject({ agent: true });
        expect(parseInventory(agentOn(false, "none")).guests.windows).toMatchObject({ agent: true });
        expect(problemsOf(agentOn(false, "local:iso/Win11_24H2_English_x64.iso"))).toEqual([
            {
                path: "guests.windows.agent",
                message:
                    "nothing installs qemu-guest-agent in this VM (no cloudInit, and image (none) is not marked guestAgent: true), so Proxmox would wait for an agent that never answers; install it through cloudInit, mark the image, or set agent: false",
            },
        ]);
    });

    it("count an empty CD drive (cdrom: none) as an installed VM's boot media; a VM with none at all still needs some", () => {
        expect(parseInventory(mutated((i) => (i.guests.windows.cdrom = "none"))).guests.windows).toMatchObject({ cdrom: "none" });
        expect(problemsOf(mutated((i) => delete i.guests.windows.cdrom))).toEqual([
            {
                path: "guests.windows.image",
                message:
                    "a VM needs boot media: set image (a key of images), cdrom or clone (an installed VM: cdrom none; one being adopted needs none)",
            },
        ]);
    });
});
