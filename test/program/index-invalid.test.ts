/** Fail closed: an invalid inventory stops the program with every problem, and nothing is registered. */
import { InventoryError } from "../../config/errors";
import { Recording, record } from "../helpers/harness";
import { credentialConfig, referenceConfig } from "./reference";

it("registers nothing when the inventory is invalid, and lists every problem by path", async () => {
    const config = referenceConfig();
    const guests = JSON.parse(JSON.stringify(config["homelab:guests"])) as Record<string, Record<string, unknown>>;
    guests.photos.privileged = undefined;
    delete guests.photos.privileged;
    (guests.cloud.disk as Record<string, unknown>).storage = "local";
    const creds = credentialConfig();
    let recording: Recording | undefined;
    let error: unknown;
    try {
        ({ recording } = await record(() => import("../../index"), {
            config: { ...config, "homelab:guests": guests, ...creds.config },
            secretKeys: creds.secretKeys,
        }));
    } catch (err) {
        error = err;
    }
    expect(error).toBeInstanceOf(InventoryError);
    expect((error as InventoryError).problems.map((p) => p.path)).toEqual(["guests.cloud.disk.storage"]);
    expect(recording).toBeUndefined();
});
