/**
 * docs/ci.md lists the two Proxmox tokens' rights for the reference stack: the `up` token's role
 * and ACLs and the drift check's reads beyond PVEAuditor. They are what the code computes
 * (components/access.ts over lib/privileges.ts): a change to the table or the program that
 * changes them fails here until the documentation says so too.
 */
import * as fs from "fs";
import * as path from "path";
import { automationAccess } from "../../components/access";
import { readsBeyondAuditor } from "../../lib/grants";
import { referenceInventory } from "./reference";

const doc = fs.readFileSync(path.join(__dirname, "../..", "docs", "ci.md"), "utf8");
const access = automationAccess(referenceInventory());

/** The table rows between `<!-- <name>: ... -->` and `<!-- end <name> -->`, after its header. */
function block(name: string): string[] {
    const start = doc.indexOf(`<!-- ${name}:`);
    const end = doc.indexOf(`<!-- end ${name} -->`);
    expect([start >= 0, end > start]).toEqual([true, true]);
    return doc
        .slice(start, end)
        .split("\n")
        .filter((l) => l.startsWith("| ") && !l.startsWith("| path ") && !l.startsWith("| ---"));
}

describe("docs/ci.md", () => {
    it("lists the up token's ACLs for the reference stack as the code computes them", () => {
        expect(block("up-token-acls")).toEqual(
            access.acls.map((a) => `| \`${a.path}\` | ${a.propagate ? "yes" : "no"} | ${a.privileges.map((p) => `\`${p}\``).join(", ")} |`),
        );
    });

    it("names the reference stack's role privileges as the code computes them", () => {
        expect(doc.replace(/\s+/g, " ")).toContain(`The reference stack's role: ${access.privileges.map((p) => `\`${p}\``).join(", ")}.`);
    });

    it("lists the drift check's reads beyond PVEAuditor for the reference stack as the code computes them", () => {
        const reads = readsBeyondAuditor(access.needs);
        const rows = [...new Map(reads.map((n) => [`${n.path} ${n.privilege}`, n])).values()]
            .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.privilege < b.privilege ? -1 : 1))
            .map((n) => `| \`${n.path}\` | \`${n.privilege}\` | ${n.type.slice(n.type.lastIndexOf(":") + 1)}: ${n.call} |`);
        expect(block("drift-reads")).toEqual(rows);
    });
});
