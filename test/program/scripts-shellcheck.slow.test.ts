/**
 * Every script the program runs over SSH, as it registers it for each stack of the repository
 * (datasets, node preparation, container hosts, PBS setup, dataset backups): POSIX sh that
 * shellcheck finds nothing in. Slow: a shellcheck process per script.
 */
import * as path from "path";
import { readCredentials } from "../../config/loader";
import { readInventory, stackFilePath } from "../../config/stackfile";
import { deployHomelab } from "../../program";
import { decoded } from "../components/fixtures";
import { record } from "../helpers/harness";
import { shellcheck } from "../helpers/shellcheck";
import { credentialConfig } from "./reference";

const ROOT = path.join(__dirname, "../..");

describe.each(["prod", "example-single", "example-cluster"])("the remote commands of the %s stack", (stack) => {
    it("are shellcheck-clean POSIX sh, every create, update and delete script", async () => {
        const { inventory } = readInventory(stackFilePath(stack, ROOT));
        const creds = credentialConfig();
        const { recording } = await record(() => deployHomelab(inventory, readCredentials()), {
            config: creds.config,
            secretKeys: creds.secretKeys,
        });
        const scripts = recording
            .ofType("command:remote:Command")
            .flatMap((c) =>
                (["create", "update", "delete"] as const).map((phase) => ({ at: `${c.name} ${phase}`, script: decoded(c.inputs[phase]) })),
            )
            .filter((s) => s.script !== undefined);
        expect(scripts.length).toBeGreaterThan(10);
        for (const { at, script } of scripts) {
            expect({ at, type: typeof script }).toEqual({ at, type: "string" });
            expect({ at, findings: shellcheck(script as string) }).toEqual({ at, findings: [] });
        }
    }, 120_000);
});
