/**
 * The program under the recording mock runtime: the stack's config as the mocks want it (secrets
 * the plan cannot decrypt become placeholders that stay marked secret), then every registration
 * recorded (tools/runtime/recorder.ts).
 */
import { Inventory } from "../../config/schema";
import { CREDENTIAL_ENV, CREDENTIAL_KEYS, PROJECT, isSecureValue } from "../../config/stackfile";
import { Recording } from "../runtime/recorder";

/** The value a secret the plan cannot decrypt (or that is not set) gets; it stays marked secret. */
export const SECRET_PLACEHOLDER = "[secret]";

/** Environment variables that could carry real credentials into the plan: cleared before it runs. */
export const CREDENTIAL_ENV_VARS = [...new Set(Object.values(CREDENTIAL_ENV)), "AWS_SESSION_TOKEN"];

/** Config as the mock runtime wants it: `homelab:key` → string, with secret keys. */
export function mockConfig(config: Record<string, unknown>): { values: Record<string, string>; secretKeys: string[] } {
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (isSecureValue(value)) {
            values[fullKey] = SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else {
            values[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    // Credentials the stack does not hold (they come from the environment in real runs) get placeholders too.
    for (const key of CREDENTIAL_KEYS) {
        const fullKey = `${PROJECT}:${key}`;
        if (!(fullKey in values)) {
            values[fullKey] = SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        }
    }
    return { values, secretKeys };
}

/** The program a plan records: the homelab's by default (tests hand in others). */
export type PlanProgram = (inv: Inventory) => unknown;

/** Runs the program of `inv` under the recording mocks. The SDKs are loaded lazily: they are heavy. */
export async function recordProgram(
    inv: Inventory,
    config: Record<string, unknown>,
    stack: string,
    program?: PlanProgram,
): Promise<Recording> {
    const pulumi = await import("@pulumi/pulumi");
    const { installRecorder, runInStack } = await import("../runtime/recorder");
    const { PLAN_INVOKES, PLAN_STATES } = await import("../runtime/invokes");
    const { values, secretKeys } = mockConfig(config);
    pulumi.runtime.setAllConfig(values, secretKeys);
    const recording = await installRecorder({ project: PROJECT, stack, preview: true, invokes: PLAN_INVOKES, states: PLAN_STATES });
    const deploy = program ?? (await homelabProgram());
    await runInStack(() => deploy(inv));
    if (recording.errors.length > 0)
        throw new Error(`the program made calls the offline plan cannot answer:\n${recording.errors.join("\n")}`);
    return recording;
}

/** The homelab's program with the credentials of the environment (the plan clears them first). */
async function homelabProgram(): Promise<PlanProgram> {
    const { deployHomelab } = await import("../../program");
    const { readCredentials } = await import("../../config/loader");
    return (inv) => deployHomelab(inv, readCredentials());
}
