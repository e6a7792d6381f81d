/**
 * The recording mock harness for jest: installs Pulumi's mock runtime with a monitor that
 * records every resource (type, name, parent, inputs, options, dependencies, registered
 * outputs), runs a program body in a stack, and fails on any unmocked invoke.
 */
import * as pulumi from "@pulumi/pulumi";
import { PLAN_INVOKES, PLAN_STATES } from "../../tools/runtime/invokes";
import { Recording, RecorderOptions, installRecorder, runInStack } from "../../tools/runtime/recorder";

export { Recording } from "../../tools/runtime/recorder";
export type { RecordedResource } from "../../tools/runtime/recorder";

export interface RecordOptions extends RecorderOptions {
    /** Stack config as `homelab:<key>` → value (objects are JSON-encoded). */
    readonly config?: Record<string, unknown>;
    /** Config keys that are secrets. */
    readonly secretKeys?: string[];
}

/** Runs `program` under the recording mocks. Throws when it made an unmocked invoke. */
export async function record(
    program: () => unknown,
    options: RecordOptions = {},
): Promise<{ recording: Recording; outputs: Record<string, unknown> }> {
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.config ?? {})) config[k] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(config, options.secretKeys);
    const recording = await installRecorder({
        ...options,
        invokes: { ...PLAN_INVOKES, ...(options.invokes ?? {}) },
        states: { ...PLAN_STATES, ...(options.states ?? {}) },
    });
    const outputs = await runInStack(program);
    if (recording.errors.length > 0) throw new Error(`the program made unmocked calls:\n${recording.errors.join("\n")}`);
    if (recording.engineErrors.length > 0) throw new Error(`the engine would refuse the program:\n${recording.engineErrors.join("\n")}`);
    return { recording, outputs };
}

/** Resolves an Output (or plain value) for assertions. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** True when an Output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(output);
}
