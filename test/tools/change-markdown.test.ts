/**
 * The change report as a pull-request comment: verdict, counts, dangers with their procedure, the
 * changes by component, advisories and the policy verdict; names from the inventory cannot break
 * out of their Markdown; a huge report stays under GitHub's comment limit and says what it left out.
 */
import { MARKDOWN_BUDGET, htmlCode, mdCode, mdText, renderChangeMarkdown } from "../../tools/change/render";
import { buildChangeReport } from "../../tools/change/report";
import { PlanReport } from "../../tools/plan/report";
import { RecordedResource } from "../../tools/runtime/recorder";
import { component, resource } from "./change-fixtures";

const CT = "proxmoxve:index/containerLegacy:ContainerLegacy";

function planOf(base: RecordedResource[], current: RecordedResource[], mandatory: PlanReport["violations"] = undefined): PlanReport {
    const changes = buildChangeReport("origin/main", base, current);
    return {
        stack: "prod",
        file: "Pulumi.prod.yaml",
        exitCode: changes.exitCode,
        durationMs: 1,
        violations: mandatory ?? { mandatory: [], advisory: [] },
        changes,
    };
}

describe("the pull-request comment", () => {
    it("shows a dangerous replacement: verdict, counts, the danger with its procedure, the change by component", () => {
        const guest = component("homelab:proxmox:LxcGuest", "photos");
        const ct = (vmId: number) =>
            resource(CT, "photos-container", { vmId }, { protect: true, deleteBeforeReplace: true }, { parent: guest });
        const md = renderChangeMarkdown(planOf([guest, ct(1)], [guest, ct(2)]));
        expect(md).toContain("### Offline change report against `origin/main`\n\n:no_entry: **2 dangerous changes**: merging this");
        expect(md).toContain(
            "| create | update | replace | delete | import | unchanged |\n|---:|---:|---:|---:|---:|---:|\n| 0 | 0 | 1 | 0 | 0 | 1 |",
        );
        expect(md).toContain(
            "- **`photos-container`** (`proxmoxve:index/containerLegacy:ContainerLegacy`, protected): protected in the state",
        );
        expect(md).toContain("  Safe procedure: turn protection off in one deploy");
        expect(md).toContain("<details><summary><code>homelab:proxmox:LxcGuest</code> <code>photos</code>: 1 change</summary>");
        expect(md).toContain(
            "| `-+` | `photos-container` | `proxmoxve:index/containerLegacy:ContainerLegacy` | replace (delete, then create) by vmId \\[P8\\] \\[protected\\] |",
        );
        expect(md).toContain("Policy violations: 0 mandatory, 0 advisory.");
        expect(md.trimEnd().endsWith("exit code 1.</sub>")).toBe(true);
    });

    it("says so when nothing changes", () => {
        const r = resource(CT, "c", { a: 1 });
        const md = renderChangeMarkdown(planOf([r], [r]));
        expect(md).toContain(":white_check_mark: No dangerous change.");
        expect(md).toContain("#### Changes by component\n\nNo resource changes.");
    });

    it("lists mandatory policy violations under the changes", () => {
        const r = resource(CT, "c", { a: 1 });
        const md = renderChangeMarkdown(
            planOf([r], [r], {
                mandatory: [{ policy: "proxmox-container-unprivileged", level: "mandatory", message: "runs privileged", name: "c" }],
                advisory: [],
            }),
        );
        expect(md).toContain(
            "Policy violations: 1 mandatory, 0 advisory.\n- mandatory `proxmox-container-unprivileged` `c`: runs privileged",
        );
    });

    it("keeps names from breaking out: HTML, table pipes and backticks are neutralised", () => {
        expect(mdText("a|b <img src=x> *x* `y`")).toBe("a\\|b &lt;img src=x&gt; \\*x\\* \\`y\\`");
        expect(mdCode("a`b|c\nd")).toBe("`a'b\\|c d`");
        expect(htmlCode('a<b>&"')).toBe("<code>a&lt;b&gt;&amp;&quot;</code>");
        const evil = "x|<script>`";
        const guest = component("homelab:proxmox:LxcGuest", evil);
        const md = renderChangeMarkdown(
            planOf(
                [guest, resource(CT, evil, { vmId: 1 }, {}, { parent: guest })],
                [guest, resource(CT, evil, { vmId: 2 }, {}, { parent: guest })],
            ),
        );
        // In Markdown the name is a code span (shown literally); in the HTML summary it is escaped.
        expect(md).toContain("<summary><code>homelab:proxmox:LxcGuest</code> <code>x|&lt;script&gt;`</code>: 1 change</summary>");
        expect(md).toContain("| `x\\|<script>'` |");
        for (const line of md.split("\n").filter((l) => l.includes("<script>"))) expect(line).toMatch(/`[^`]*<script>[^`]*`/);
    });

    it("stays under GitHub's limit for a huge report and says how much it left out", () => {
        const many = (vmId: number) =>
            Array.from({ length: 3000 }, (_, i) =>
                resource(CT, `guest-${i}-container`, { vmId: vmId + i, protection: true }, { protect: true }),
            );
        const md = renderChangeMarkdown(planOf(many(1000), many(50000)));
        expect(md.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
        expect(md).toMatch(/_and \d+ more dangerous changes: run `npm run plan -- --base origin\/main` for all of them\._/);
        expect(md.trimEnd().endsWith("exit code 1.</sub>")).toBe(true);
    });

    it("needs a plan made with --base", () => {
        expect(() => renderChangeMarkdown({ stack: "s", file: "Pulumi.s.yaml", exitCode: 0, durationMs: 1 })).toThrow(
            "renderChangeMarkdown needs a plan made with --base",
        );
    });
});
