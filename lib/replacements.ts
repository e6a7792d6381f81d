/**
 * Which input changes replace a resource: one table, per resource type token, read by the offline
 * change report (tools/change/). Each rule cites its fact: an entry of docs/provider-behaviour.md
 * (P8, P9, P13, C1) or the upstream schema file where the field is ForceNew (SDKv2) or has a
 * RequiresReplace plan modifier (plugin framework).
 *
 * Paths use Pulumi's input names (camelCase, a one-element Terraform block flattened to an
 * object): `disk.datastoreId`, `disks[*].fileId`. A rule covers every path below it, so
 * `mountPoints` replaces on any change to any mount. A rule of one top-level input with no
 * condition (`mountPoints`, `triggers`, `resourceId`) means the input itself forces the
 * replacement, so it also replaces when the input only becomes unknown (ENGINE_RULES.dependent).
 *
 * Bridged schema files are those of bpg/terraform-provider-proxmox v0.111.1 (bridged by
 * @muhlba91/pulumi-proxmoxve 8.6: its provider/go.mod); `id` fields are renamed `resourceId` by the
 * bridge (muhlba91 `provider/resources.go` resourceIDOverrides).
 *
 * Pulumi's own rules (replaceOnChanges, deleteBeforeReplace, a dependent of a delete-first
 * replacement, a changed parent or provider, the `import` option) are in ENGINE_RULES below; they
 * apply to every type.
 */
import { CLUSTER_ROWS } from "./replacements/cluster";
import { GUEST_AND_NODE_ROWS } from "./replacements/guests";
import { ResourceRules } from "./replacements/rule";
import { SERVICE_ROWS } from "./replacements/services";
import { STORAGE_ROWS } from "./replacements/storages";

export type { ReplaceRule, ResourceRules, UpdateNote } from "./replacements/rule";

/**
 * The table: a row per resource type, in lib/replacements/ by area. A type the program registers
 * without a row here fails the table's test.
 */
export const REPLACEMENT_RULES: readonly ResourceRules[] = [...GUEST_AND_NODE_ROWS, ...STORAGE_ROWS, ...CLUSTER_ROWS, ...SERVICE_ROWS];

/** Pulumi's own replacement rules: they apply to every type, on top of the table. */
export const ENGINE_RULES = {
    replaceOnChanges: {
        rule: "a change under a `replaceOnChanges` path replaces the resource",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go applyReplaceOnChanges",
    },
    deleteBeforeReplace: {
        rule: "with `deleteBeforeReplace` the old resource is deleted before the new one is created (otherwise created first, deleted last)",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go (replace steps)",
    },
    dependent: {
        rule:
            "when a resource is replaced delete-first, every resource with an input taken from it (transitively) is diffed " +
            "with that input unknown; one whose provider then asks for a replacement is deleted before it and created after",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go calculateDependentReplacements",
    },
    parent: {
        rule:
            "the URN holds the parent's type: under a parent of another type the resource has a new URN, so without an alias " +
            "Pulumi creates the new one and deletes the old one at the end",
        source: "pulumi/pulumi sdk resource URNs (parent type chain); pkg/resource/deploy/step_generator.go (deletes of resources not registered)",
    },
    provider: {
        rule:
            "a resource moved to another provider resource is replaced when the new provider's DiffConfig asks for it; bridged " +
            "providers ask only for config keys marked ForcesProviderReplace (a replaced provider replaces all its resources)",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go providerChanged; pulumi-terraform-bridge pkg/tfbridge/provider.go configDiffer",
    },
    import: {
        rule:
            "the `import` option adopts an existing resource: for a resource not yet in the state that is an import; for one in the " +
            "state under another id, Pulumi imports the given id and replaces the old resource (ImportReplacement)",
        source: "pulumi/pulumi pkg/resource/deploy/step_generator.go (isImport, NewImportReplacementStep)",
    },
} as const;

export type EngineRule = keyof typeof ENGINE_RULES;

const BY_TYPE: ReadonlyMap<string, ResourceRules> = new Map(REPLACEMENT_RULES.flatMap((row) => row.types.map((t) => [t, row] as const)));

/** The rules of a type token, or undefined when the table has no row for it. */
export function rulesFor(type: string): ResourceRules | undefined {
    return BY_TYPE.get(type);
}

/**
 * The provider notes of a replacement of a type in the order it runs: what any replacement does
 * (`replaceNote`), then what a create-first one runs into (`createFirstNote`).
 */
export function replaceNoteOf(
    rules: ResourceRules | undefined,
    order: "create-then-delete" | "delete-then-create" | undefined,
): string | undefined {
    const notes = [rules?.replaceNote, order === "create-then-delete" ? rules?.createFirstNote : undefined].filter(
        (n): n is string => n !== undefined,
    );
    return notes.length > 0 ? notes.join("; ") : undefined;
}
