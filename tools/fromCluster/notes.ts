/**
 * What the cluster reader has to tell the operator about the inventory it writes, attached to the
 * place in it: a value that breaks a rule of the policy pack or a cross-check (`RULE`), a value it
 * could not read and the operator must give (`FILL IN`), and what the first `up` will change or
 * leave alone (`note`). They become YAML comments above the key they are about.
 */

/** A path in the inventory: the section, then keys and indexes (`["guests", "dns", "vmid"]`). */
export type InventoryPath = readonly (string | number)[];

export type NoteKind = "rule" | "fill" | "info";

export interface Note {
    readonly path: InventoryPath;
    readonly kind: NoteKind;
    readonly text: string;
}

/** The prefix of a note's comment line. */
export const NOTE_PREFIX: Readonly<Record<NoteKind, string>> = { rule: "RULE", fill: "FILL IN", info: "note" };

/** Collects notes in the order they are made. */
export class Notes {
    readonly all: Note[] = [];

    rule(path: InventoryPath, text: string): void {
        this.all.push({ path, kind: "rule", text });
    }

    fill(path: InventoryPath, text: string): void {
        this.all.push({ path, kind: "fill", text });
    }

    info(path: InventoryPath, text: string): void {
        this.all.push({ path, kind: "info", text });
    }

    /** Notes of one kind. */
    of(kind: NoteKind): Note[] {
        return this.all.filter((n) => n.kind === kind);
    }
}
