/** The shape of a row of the replacement table (lib/replacements.ts), and the helpers its rows are written with. */

/** One input whose change replaces the resource. */
export interface ReplaceRule {
    /** Input path in Pulumi's names; `[*]` is any element. A change at or below the path replaces. */
    readonly path: string;
    /**
     * `decreases`: only a smaller number replaces (a disk shrink; growing is in place).
     * `both-set`: only a change from one set value to another (adding or removing the block is in place).
     * @default any change
     */
    readonly when?: "decreases" | "both-set";
    /** No replacement when this input is `true` in the new inputs (a VM moves with `migrate`). */
    readonly unlessTrue?: string;
    /** The fact behind the rule: a fact id (P8) or the upstream file that makes the field ForceNew. */
    readonly source: string;
}

/** An input whose change is an in-place update that does not do what the new value says. */
export interface UpdateNote {
    /** Input path in Pulumi's names, as in ReplaceRule. */
    readonly path: string;
    /** What the provider's update does with it. */
    readonly note: string;
    /** The fact or the upstream file that shows it. */
    readonly source: string;
}

/** The replacement rules of one resource type (under its current and previous token). */
export interface ResourceRules {
    /** Type tokens sharing these rules: one provider resource under its v8 name and its Legacy twin. */
    readonly types: readonly string[];
    /** `component`: never replaced itself (no provider; its children carry the changes). */
    readonly kind: "custom" | "provider" | "component";
    readonly replaceOn: readonly ReplaceRule[];
    /** What any replacement of this type takes with it or runs into, beyond the new resource (with its sources). */
    readonly replaceNote?: string;
    /**
     * What a replacement that creates the new resource before deleting the old one runs into (P13:
     * a storage id or a file name exists twice for a moment). Not shown with deleteBeforeReplace.
     */
    readonly createFirstNote?: string;
    /** Inputs whose in-place update does not do what the new value says. */
    readonly updateNotes?: readonly UpdateNote[];
    /** Where the schema was read (for a row without rules: where it shows there are none). */
    readonly schema: string;
}

/** The bridged Proxmox provider whose schema files the Proxmox rows cite. */
export const BPG = "bpg/terraform-provider-proxmox v0.111.1";

/** A rule of one input path with its source (and a condition). */
export const rule = (path: string, source: string, extra: Omit<ReplaceRule, "path" | "source"> = {}): ReplaceRule => ({
    path,
    source,
    ...extra,
});
/** Unconditional rules of several input paths with one source. */
export const rules = (source: string, ...paths: string[]): ReplaceRule[] => paths.map((p) => rule(p, source));
