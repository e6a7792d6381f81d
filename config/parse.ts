/**
 * Parses a raw inventory (plain objects, as YAML or stack config give them) into a typed,
 * cross-checked Inventory, or throws one InventoryError listing every problem. Pure.
 */
import { z } from "zod";
import { crossCheck } from "./crosschecks";
import { InventoryError, InventoryProblem, formatPath } from "./errors";
import { Inventory, inventorySchema } from "./schema";

/** Turns zod issues into problems with dotted paths (unions report their closest branch). */
export function zodProblems(error: z.ZodError): InventoryProblem[] {
    const out: InventoryProblem[] = [];
    for (const issue of error.issues) {
        if (issue.code === "invalid_union" && issue.errors.length > 0) {
            // Report the branch that got furthest: the one with the fewest issues.
            const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
            for (const sub of best) {
                out.push({ path: formatPath([...issue.path, ...sub.path]), message: sub.message });
            }
            continue;
        }
        let message = issue.message;
        if (issue.code === "unrecognized_keys") {
            message = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; remove ${issue.keys.length > 1 ? "them" : "it"} or fix the spelling`;
        }
        out.push({ path: formatPath(issue.path), message });
    }
    return out;
}

/** Validates a raw inventory. Throws InventoryError with every problem; returns the typed inventory. */
export function parseInventory(raw: unknown, source = "inventory"): Inventory {
    const result = inventorySchema.safeParse(raw);
    if (!result.success) throw new InventoryError(zodProblems(result.error), source);
    const problems = crossCheck(result.data);
    if (problems.length > 0) throw new InventoryError(problems, source);
    return result.data;
}
