/**
 * The recorded resources as stack rules see them (the engine's `validateStack` graph): a custom
 * resource's props are its inputs, a component's the outputs it registered; parents and
 * dependencies are linked to resource objects. The offline runner builds it with remediated inputs
 * and the unknown-checking proxy; the plan reads it plain (its capacity counts as the pack does).
 */
import type { PolicyResource, PolicyResourceOptions } from "@pulumi/policy";

/** Pulumi options of a recorded resource (all optional; the recorder's `options` fit). */
export interface PolicyResourceInputOptions {
    readonly protect?: boolean;
    readonly ignoreChanges?: readonly string[];
    readonly deleteBeforeReplace?: boolean;
}

/** One resource as registered (the recorder's `RecordedResource` fits this shape). */
export interface PolicyResourceInput {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** URN of the parent. */
    parent?: string;
    inputs: Record<string, unknown>;
    /** Registered outputs (components) or provider state (custom resources; not used by policies). */
    outputs: Record<string, unknown>;
    /** Dotted paths of inputs unknown during preview (`disk.datastoreId`, `mountPoints[0].volume`; "" = all). */
    unknownPaths?: readonly string[];
    /** URNs this resource depends on. */
    dependencies: readonly string[];
    /** Pulumi options, when known (rules read `protect`). */
    options?: PolicyResourceInputOptions;
}

/** The options of a recorded resource as the engine hands them to a rule. */
export function optionsOf(r: PolicyResourceInput): PolicyResourceOptions {
    return {
        protect: r.options?.protect ?? false,
        ignoreChanges: [...(r.options?.ignoreChanges ?? [])],
        deleteBeforeReplace: r.options?.deleteBeforeReplace,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent,
    };
}

/** Whether a resource class (`proxmoxve.ContainerLegacy`) is the type token's. */
export function isTypeOf(type: string, resourceClass: unknown): boolean {
    return (resourceClass as { __pulumiType?: string }).__pulumiType === type;
}

/** The props of a resource as they are: a custom resource's inputs, a component's registered outputs. */
const plainProps = (r: PolicyResourceInput): Record<string, unknown> => (r.custom ? r.inputs : r.outputs);

/** The stack graph of `resources` in order, each with `propsOf` its props; parents and dependencies linked. */
export function policyGraph(
    resources: readonly PolicyResourceInput[],
    propsOf: (r: PolicyResourceInput) => Record<string, unknown> = plainProps,
): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const graph: PolicyResource[] = resources.map((r) => {
        const props = propsOf(r);
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(r.urn, resource);
        return resource;
    });
    resources.forEach((r, i) => {
        const resource = graph[i];
        if (r.parent !== undefined) resource.parent = byUrn.get(r.parent);
        resource.dependencies = r.dependencies.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
    });
    return graph;
}
