/**
 * Finds every regular expression in the project's sources and times each against adversarial
 * inputs, so a pattern that backtracks super-linearly fails a test the day it is written.
 *
 * - `findPatterns` reads the sources with the TypeScript compiler: every regex literal and every
 *   `RegExp(...)` / `new RegExp(...)`. A `RegExp` built from anything but a literal string cannot
 *   be checked, and is reported as such (build it from a literal, or use plain code).
 * - `attackRecipes` builds inputs from the pattern's own characters: one representative per class
 *   of characters the pattern cannot tell apart, a prefix that leads to each quantifier, the
 *   strings that quantifier repeats (and single representatives), pumped to 10,000 characters,
 *   then a tail the pattern cannot match, which forces a backtracking engine through every way of
 *   splitting the pumped part.
 * - `timePatterns` runs the inputs in a child process with a wall-clock limit, so a pattern that
 *   would never finish is reported instead of hanging the test run.
 */
import { AST, RegExpParser } from "@eslint-community/regexpp";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** One regular expression found in a source file. */
export interface FoundPattern {
    /** `file:line` of the pattern. */
    readonly where: string;
    /** The pattern, or undefined when it is not a literal (see `problem`). */
    readonly source?: string;
    readonly flags: string;
    /** Why the pattern cannot be checked. */
    readonly problem?: string;
}

/** Every .ts file under `dir`, node_modules left out. */
export function tsFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(full);
        return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
    });
}

/** The regular expressions of one source text. */
export function patternsIn(text: string, fileLabel: string): FoundPattern[] {
    const sf = ts.createSourceFile(fileLabel, text, ts.ScriptTarget.Latest, true);
    const found: FoundPattern[] = [];
    const at = (node: ts.Node) => `${fileLabel}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
    const visit = (node: ts.Node): void => {
        if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
            const literal = node.getText(sf);
            const slash = literal.lastIndexOf("/");
            found.push({ where: at(node), source: literal.slice(1, slash), flags: literal.slice(slash + 1) });
        } else if (
            (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
            ts.isIdentifier(node.expression) &&
            node.expression.text === "RegExp"
        ) {
            const [pattern, flags] = node.arguments ?? [];
            const literalText = (n: ts.Expression | undefined): string | undefined =>
                n !== undefined && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) ? n.text : undefined;
            const source = literalText(pattern);
            const flagText = flags === undefined ? "" : literalText(flags);
            if (source === undefined || flagText === undefined) {
                found.push({
                    where: at(node),
                    flags: "",
                    problem: "a RegExp built at run time cannot be checked for linear time: build it from a literal, or use plain code",
                });
            } else {
                found.push({ where: at(node), source, flags: flagText });
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(sf);
    return found;
}

/** The regular expressions of every source file under `dirs` (relative to `root`). */
export function findPatterns(root: string, dirs: readonly string[]): FoundPattern[] {
    return dirs.flatMap((dir) =>
        tsFiles(path.join(root, dir)).flatMap((file) =>
            patternsIn(fs.readFileSync(file, "utf8"), path.relative(root, file).split(path.sep).join("/")),
        ),
    );
}

// ---- Adversarial inputs ------------------------------------------------------------------------

/** How an input is built: `prefix + pump × n + tail`, `length` characters long before the tail. */
export interface Recipe {
    readonly prefix: string;
    readonly pump: string;
    readonly tail: string;
}

/** Length of every adversarial input (prefix and pumped part; the tail follows). */
export const ATTACK_LENGTH = 10_000;

/** Characters a pattern's classes are probed with: printable ASCII, whitespace, NUL and a few beyond ASCII. */
const CANDIDATES: readonly string[] = [
    ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
    "\t",
    "\n",
    "\r",
    "\u0000",
    "\u00e9",
    "\u2028",
    "\u{1F600}",
];

/** Samples kept per node: enough to vary, few enough to stay fast. */
const SAMPLES = 4;

type Leaf = AST.Character | AST.CharacterClass | AST.CharacterSet;

function isLeaf(node: AST.Node): node is Leaf {
    return node.type === "Character" || node.type === "CharacterClass" || node.type === "CharacterSet";
}

/** Builds the inputs of one pattern. */
export function attackRecipes(source: string, flags: string): Recipe[] {
    const unicode = flags.includes("u");
    const unicodeSets = flags.includes("v");
    const pattern = new RegExpParser({ ecmaVersion: 2025 }).parsePattern(source, 0, source.length, { unicode, unicodeSets });
    const leafFlags = flags.replace(/[gy]/g, "");

    // Leaves at top level of the matching structure (not inside a class).
    const leaves: Leaf[] = [];
    const quantifiers: AST.Quantifier[] = [];
    const walk = (node: AST.Node): void => {
        if (isLeaf(node) && node.parent?.type !== "CharacterClass" && node.parent?.type !== "CharacterClassRange") {
            leaves.push(node);
            return;
        }
        if (node.type === "Quantifier") quantifiers.push(node);
        const children: AST.Node[] =
            "alternatives" in node ? node.alternatives : "elements" in node ? node.elements : "element" in node ? [node.element] : [];
        for (const child of children) walk(child);
    };
    walk(pattern);

    // One representative per signature (the set of leaves a character matches); the empty signature is a tail.
    const matchers = leaves.map((leaf) => new RegExp(`^(?:${leaf.raw})$`, leafFlags));
    const bySignature = new Map<string, string>();
    for (const c of CANDIDATES) {
        const signature = matchers.map((m) => (m.test(c) ? "1" : "0")).join("");
        if (!bySignature.has(signature)) bySignature.set(signature, c);
    }
    const none = "0".repeat(matchers.length);
    const reps = [...bySignature.entries()].filter(([s]) => s !== none).map(([, c]) => c);
    const tails = bySignature.has(none) ? [bySignature.get(none) as string] : ["\n", "\u0000"];
    const matching = new Map(leaves.map((leaf, i) => [leaf, reps.filter((c) => matchers[i].test(c))]));

    const cap = (xs: Iterable<string>, n = SAMPLES): string[] => [...new Set(xs)].slice(0, n);
    const concat = (parts: string[][]): string[] => {
        let acc = [""];
        for (const part of parts) acc = cap(acc.flatMap((a) => (part.length === 0 ? [a] : part.map((b) => a + b))));
        return acc;
    };
    /** A few strings the node matches (assertions and back-references match the empty string here). */
    const samples = (node: AST.Node): string[] => {
        if (isLeaf(node)) return cap(matching.get(node) ?? []);
        switch (node.type) {
            case "Pattern":
            case "Group":
            case "CapturingGroup":
                return cap(node.alternatives.flatMap(samples));
            case "Alternative":
                return concat(node.elements.map(samples));
            case "Quantifier": {
                const inner = samples(node.element);
                const once = inner.map((s) => s.repeat(Math.max(node.min, 1)));
                return cap(node.min === 0 ? ["", ...once] : once);
            }
            default:
                return [""];
        }
    };
    /** Strings that lead from the start of the pattern to `node`. */
    const prefixes = (node: AST.Node): string[] => {
        const parent = node.parent;
        if (parent === null || parent.type === "Pattern" || parent.type === "RegExpLiteral") return [""];
        if (parent.type === "Alternative") {
            const before = parent.elements.slice(0, parent.elements.indexOf(node as AST.Element));
            return concat([prefixes(parent), ...before.map(samples)]);
        }
        return prefixes(parent);
    };

    const recipes = new Map<string, Recipe>();
    const add = (prefix: string, pump: string, tail: string) => {
        if (pump !== "") recipes.set(JSON.stringify([prefix, pump, tail]), { prefix, pump, tail });
    };
    for (const tail of tails) {
        for (const rep of reps) add("", rep, tail);
        for (const q of quantifiers) {
            if (q.max < 2) continue;
            const pumps = cap([...samples(q.element), ...reps], SAMPLES + reps.length);
            for (const prefix of prefixes(q)) {
                for (const pump of pumps) add(prefix, pump, tail);
                // The way in, repeated: a match attempt starts at each copy (quadratic when unanchored).
                for (const pump of samples(q.element)) add("", prefix + pump, tail);
            }
        }
    }
    return [...recipes.values()];
}

// ---- Timing in a child process ------------------------------------------------------------------

/** A pattern to time with its inputs. */
export interface TimedPattern {
    readonly where: string;
    readonly source: string;
    readonly flags: string;
    readonly recipes: readonly Recipe[];
}

/** An input that took longer than the budget (twice), or never finished. */
export interface SlowInput {
    readonly where: string;
    readonly source: string;
    readonly recipe?: Recipe;
    /** Milliseconds on the input of `ATTACK_LENGTH` characters. */
    readonly ms?: number;
    /** Milliseconds on an input four times as long, when that grew more than `GROWTH_LIMIT` times. */
    readonly longerMs?: number;
    readonly hung?: true;
}

/** Inputs faster than this are not timed again at four times the length (too fast to measure well). */
export const GROWTH_FLOOR_MS = 0.3;
/** Four times the input may take at most this many times as long (linear: 4; quadratic: 16). */
export const GROWTH_LIMIT = 10;

/**
 * The child: times `exec` on each input (the faster of two runs), and when that takes long enough
 * to measure, on an input four times as long: a linear pattern takes about four times as long,
 * a quadratic one sixteen. Prints `P i` before each pattern and a line per slow input.
 */
const CHILD = `
const { patterns, length, budgetMs, growthFloorMs, growthLimit } = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = (line) => require("fs").writeSync(1, line + "\\n");
const input = (r, n) => (r.prefix + r.pump.repeat(Math.ceil(n / r.pump.length))).slice(0, Math.max(n, r.prefix.length)) + r.tail;
const time = (re, s) => {
    let best = Infinity;
    for (let k = 0; k < 2; k++) {
        re.lastIndex = 0;
        const t = performance.now();
        re.exec(s);
        best = Math.min(best, performance.now() - t);
    }
    return best;
};
let timed = 0;
patterns.forEach((p, i) => {
    out("P " + i);
    const re = new RegExp(p.source, p.flags);
    p.recipes.forEach((r, j) => {
        timed++;
        const ms = time(re, input(r, length));
        if (ms > budgetMs) return out("S " + i + " " + j + " " + ms.toFixed(2));
        if (ms < growthFloorMs) return;
        const longer = time(re, input(r, 4 * length));
        if (longer > growthLimit * ms) out("G " + i + " " + j + " " + ms.toFixed(2) + " " + longer.toFixed(2));
    });
});
out("DONE " + timed);
`;

/**
 * Times every recipe of every pattern in a child process (each `exec` twice when the first run is
 * over budget; the faster counts). A pattern still running after `timeoutMs` is reported as hung,
 * and the patterns after it are timed in a new child.
 */
export function timePatterns(patterns: readonly TimedPattern[], budgetMs: number, timeoutMs: number): SlowInput[] {
    const slow: SlowInput[] = [];
    let start = 0;
    while (start < patterns.length) {
        const batch = patterns.slice(start);
        const run = spawnSync(process.execPath, ["-e", CHILD], {
            input: JSON.stringify({
                patterns: batch,
                length: ATTACK_LENGTH,
                budgetMs,
                growthFloorMs: GROWTH_FLOOR_MS,
                growthLimit: GROWTH_LIMIT,
            }),
            encoding: "utf8",
            timeout: timeoutMs,
            killSignal: "SIGKILL",
            maxBuffer: 64 * 1024 * 1024,
        });
        const lines = run.stdout.split("\n").filter((l) => l !== "");
        let current = -1;
        for (const line of lines) {
            const [kind, a, b, ms, longerMs] = line.split(" ");
            if (kind === "P") current = Number(a);
            const p = batch[Number(a)];
            if (kind === "S") slow.push({ where: p.where, source: p.source, recipe: p.recipes[Number(b)], ms: Number(ms) });
            if (kind === "G")
                slow.push({ where: p.where, source: p.source, recipe: p.recipes[Number(b)], ms: Number(ms), longerMs: Number(longerMs) });
        }
        const done = lines[lines.length - 1]?.split(" ") ?? [];
        if (done[0] === "DONE") {
            const expected = batch.reduce((sum, p) => sum + p.recipes.length, 0);
            if (Number(done[1]) !== expected) throw new Error(`the timing process timed ${done[1]} inputs of ${expected}`);
            break;
        }
        if (current < 0) throw new Error(`the timing process failed: ${run.stderr || String(run.error)}`);
        const p = batch[current];
        slow.push({ where: p.where, source: p.source, hung: true });
        start += current + 1;
    }
    return slow;
}
