/** JSON files the tools write, formatted as the repository's prettier settings format them (so `npm run lint` passes). */
import { execFileSync } from "child_process";
import * as path from "path";

/**
 * The text of `value` as prettier formats the JSON file at `relativePath` of this repository.
 * Prettier runs in a process of its own: its API loads its core as an ES module, which a
 * CommonJS host such as jest cannot import.
 */
export function formatJson(value: unknown, relativePath: string): string {
    const root = path.join(__dirname, "..");
    return execFileSync(process.execPath, [require.resolve("prettier/bin/prettier.cjs"), "--stdin-filepath", relativePath], {
        cwd: root,
        input: JSON.stringify(value),
        encoding: "utf8",
    });
}
