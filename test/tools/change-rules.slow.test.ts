/**
 * Every rule of the replacement table (lib/replacements.ts) through the real program: for each, a
 * pair of inventories whose change triggers it (the report replaces the resource and names the
 * rule's source, or lists the path as hidden where the program ignores it), or the reason no
 * inventory can, checked against what the program registers for the three stacks and the
 * variants (test/tools/change-rule-pairs.ts).
 */
import { REPLACEMENT_RULES, rulesFor } from "../../lib/replacements";
import { covers, parsePath, valuesAt } from "../../tools/change/paths";
import { SECRET_PLACEHOLDER } from "../../tools/plan/record";
import { RecordedResource } from "../../tools/runtime/recorder";
import { constructedTypes } from "../helpers/programTypes";
import { NOT_FROM_INVENTORY, PAIRS, RulePair, Unreachable, VARIANTS } from "./change-rule-pairs";
import { buildChangeReport } from "../../tools/change/report";
import { RawInventory, StackName, recordRaw, stackRaw } from "./change-fixtures";

/** Every custom rule as `<first type of its row> <path>`, with its row. */
const RULES = REPLACEMENT_RULES.filter((row) => row.kind === "custom").flatMap((row) =>
    row.replaceOn.map((rule) => ({ key: `${row.types[0]} ${rule.path}`, row, rule })),
);

const baseOf = (pair: Pick<RulePair, "stack" | "variant">): RawInventory => {
    const inv = stackRaw(pair.stack);
    if (pair.variant !== undefined) VARIANTS[pair.variant](inv);
    return inv;
};

/** Recordings of the bases, once each: most pairs share one. */
const bases = new Map<string, Promise<RecordedResource[]>>();
const recordBase = (pair: Pick<RulePair, "stack" | "variant">): Promise<RecordedResource[]> => {
    const key = `${pair.stack}/${pair.variant ?? ""}`;
    if (!bases.has(key)) bases.set(key, recordRaw(baseOf(pair), pair.stack));
    return bases.get(key)!;
};

describe("the rules of the replacement table and the inventory", () => {
    it("each rule has a pair of inventories or a reason no inventory reaches it, never both", () => {
        const keys = RULES.map((r) => r.key);
        expect(keys.filter((k) => k in PAIRS === k in NOT_FROM_INVENTORY)).toEqual([]);
        expect([...Object.keys(PAIRS), ...Object.keys(NOT_FROM_INVENTORY)].filter((k) => !keys.includes(k))).toEqual([]);
    });
});

describe.each(RULES.filter((r) => r.key in PAIRS).map((r) => [r.key, r] as const))("%s, from the inventory", (key, { row, rule }) => {
    const pair = PAIRS[key];
    it(`${pair.expect === "ignored" ? "is hidden by the program's ignoreChanges on" : "replaces"} ${pair.resource}`, async () => {
        const current = baseOf(pair);
        pair.change(current);
        const report = buildChangeReport("base", await recordBase(pair), await recordRaw(current, pair.stack));
        const change = report.groups.flatMap((g) => g.changes).find((c) => c.name === pair.resource);
        expect(change && row.types.includes(change.type)).toBe(true);
        const pattern = parsePath(rule.path);
        if (pair.expect === "ignored") {
            expect(change!.op).not.toBe("replace");
            expect(change!.ignoredPaths.filter((p) => covers(pattern, parsePath(p)))).not.toEqual([]);
        } else {
            expect(change!.op).toBe("replace");
            const reasons = change!.replaceReasons.filter(
                (r) => r.rule === "schema" && r.path !== undefined && covers(pattern, parsePath(r.path)),
            );
            expect(reasons.map((r) => r.source)).toEqual([rule.source]);
        }
    });
});

/** Recordings of the three stacks and of the variants: what the program registers. */
async function recordedByStacks(): Promise<RecordedResource[]> {
    const sides: { stack: StackName; variant?: keyof typeof VARIANTS }[] = [
        { stack: "prod" },
        { stack: "example-single" },
        { stack: "example-cluster" },
        { stack: "prod", variant: "extras" },
        { stack: "example-cluster", variant: "clones" },
        { stack: "example-cluster", variant: "ceph" },
    ];
    const out: RecordedResource[] = [];
    for (const side of sides) out.push(...(await recordBase(side)));
    return out;
}

/** A failure message when what the program registers contradicts the reason, else undefined. */
function contradiction(
    reason: Unreachable,
    resources: readonly RecordedResource[],
    path: string,
    types: readonly string[],
): string | undefined {
    const pattern = parsePath(path);
    const set = resources.map((r) => ({ r, values: valuesAt(r.inputs, pattern) })).filter((x) => x.values.length > 0);
    if (reason.why === "not registered") {
        const constructed = types.filter((t) => constructedTypes().custom.has(t));
        return resources.length > 0 || constructed.length > 0
            ? `registered: ${resources.length} recorded, constructed: ${constructed}`
            : undefined;
    }
    if (resources.length === 0) return "no resource of the type is recorded: the reason cannot be checked";
    switch (reason.why) {
        case "never set":
            return set.length > 0 ? `set on ${set.map((x) => x.r.name).join(", ")}` : undefined;
        case "constant":
        case "secret": {
            const value = reason.why === "secret" ? SECRET_PLACEHOLDER : reason.value;
            const other = set.filter((x) => x.values.some((v) => v !== value));
            return set.length === 0
                ? "never set"
                : other.length > 0
                  ? `other values on ${other.map((x) => x.r.name).join(", ")}`
                  : undefined;
        }
        case "in the name": {
            const outside = set.filter((x) => x.values.some((v) => !x.r.name.includes(String(v))));
            return set.length === 0
                ? "never set"
                : outside.length > 0
                  ? `not in the name of ${outside.map((x) => x.r.name).join(", ")}`
                  : undefined;
        }
        case "from a resource": {
            const input = String(pattern[0]);
            const literal = set.filter((x) => (x.r.propertyDependencies[input] ?? []).length === 0);
            return set.length === 0
                ? "never set"
                : literal.length > 0
                  ? `a literal on ${literal.map((x) => x.r.name).join(", ")}`
                  : undefined;
        }
    }
}

describe("rules no inventory reaches, checked against what the program registers", () => {
    let recorded: RecordedResource[] = [];
    beforeAll(async () => {
        recorded = await recordedByStacks();
    }, 60000);

    it.each(RULES.filter((r) => r.key in NOT_FROM_INVENTORY).map((r) => [r.key, NOT_FROM_INVENTORY[r.key].why, r] as const))(
        "%s: %s",
        (key, _why, { row, rule }) => {
            const resources = recorded.filter((r) => row.types.includes(r.type));
            expect([key, contradiction(NOT_FROM_INVENTORY[key], resources, rule.path, row.types)]).toEqual([key, undefined]);
            expect(rulesFor(row.types[0])).toBe(row);
        },
    );
});
