/**
 * `npm run hostile [-- --seed N] [--random N] [--jobs N] [--timeout MS] [--family NAME]`: every
 * variant of the generator of hostile inventories (test/hostile/generator.ts) through `validate`
 * and, for those that validate, the offline plan, in worker processes that are killed when a
 * variant takes longer than the timeout (a hang). Prints a table per family and every failure:
 * a hang, exit 3, a stack trace, a planted secret in an output, a value reaching a remote command
 * unquoted, a refused variant accepted, a dangerous one planned with exit 0, a duplicate URN.
 * Exit 0 when there is none, 1 otherwise, 2 on bad arguments. The jest test (hostile.slow.test.ts)
 * runs the same generator with a sample of plans; this runs them all.
 */
import { ChildProcess, fork } from "child_process";
import * as os from "os";
import * as path from "path";
import { FAMILIES, Family, GeneratorOptions, Variant, generateVariants } from "./generator";
import type { WorkerRequest, WorkerVerdict } from "./worker";

interface Options {
    readonly generator: Required<GeneratorOptions>;
    readonly jobs: number;
    readonly timeoutMs: number;
    readonly family?: Family;
}

const USAGE = `usage: npm run hostile [-- --seed N] [--random N] [--jobs N] [--timeout MS] [--family NAME]
  --seed N      seed of the random families (default 12)
  --random N    random and toggled edits per base stack (default 40)
  --jobs N      worker processes (default: the number of cores, at most 4)
  --timeout MS  a variant taking longer is a hang (default 10000)
  --family NAME only one family: ${FAMILIES.join(", ")}
`;

function parse(argv: readonly string[]): Options | string {
    const values = new Map<string, string>();
    for (let i = 0; i < argv.length; i++) {
        const name = argv[i];
        if (name === "--help" || name === "-h") return USAGE;
        if (!["--seed", "--random", "--jobs", "--timeout", "--family"].includes(name) || argv[i + 1] === undefined)
            return `unknown or incomplete argument ${name}\n${USAGE}`;
        values.set(name, argv[++i]);
    }
    const number = (name: string, fallback: number): number => {
        const v = values.has(name) ? Number(values.get(name)) : fallback;
        return Number.isInteger(v) && v >= 0 ? v : NaN;
    };
    const family = values.get("--family") as Family | undefined;
    const options = {
        generator: { seed: number("--seed", 12), randomPerBase: number("--random", 40) },
        jobs: Math.max(1, number("--jobs", Math.min(4, os.availableParallelism()))),
        timeoutMs: number("--timeout", 10_000),
        ...(family === undefined ? {} : { family }),
    };
    if ([options.generator.seed, options.generator.randomPerBase, options.jobs, options.timeoutMs].some(Number.isNaN))
        return `--seed, --random, --jobs and --timeout take whole numbers\n${USAGE}`;
    if (family !== undefined && !FAMILIES.includes(family)) return `unknown family ${family}\n${USAGE}`;
    return options;
}

/** Runs the variants at `indexes` on `jobs` workers; a worker silent past the timeout is killed and replaced. */
function runAll(options: Options, indexes: readonly number[]): Promise<Map<number, WorkerVerdict>> {
    const verdicts = new Map<number, WorkerVerdict>();
    const pending = [...indexes];
    return new Promise((resolve) => {
        let live = 0;
        const start = () => {
            const worker: ChildProcess = fork(path.join(__dirname, "worker.ts"), [], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
            live++;
            let current: number | undefined;
            let timer: NodeJS.Timeout | undefined;
            const next = () => {
                current = pending.shift();
                if (current === undefined) {
                    worker.disconnect();
                    return;
                }
                worker.send({ index: current } satisfies WorkerRequest);
                // Generous for the first plan of a worker, which loads the SDKs.
                const budget = options.timeoutMs + (verdicts.size < options.jobs ? 20_000 : 0);
                timer = setTimeout(() => {
                    verdicts.set(current!, {
                        index: current!,
                        validateCode: -1,
                        ms: budget,
                        failures: [`a hang: no verdict within ${budget} ms`],
                    });
                    worker.kill("SIGKILL");
                }, budget);
            };
            worker.on("message", (message: WorkerVerdict | { ready: number }) => {
                if ("ready" in message) return next();
                clearTimeout(timer);
                verdicts.set(message.index, message);
                next();
            });
            worker.on("exit", () => {
                clearTimeout(timer);
                live--;
                // Killed on a hang (or crashed): its variant has its verdict; the rest go on in a new worker.
                if (current !== undefined && !verdicts.has(current))
                    verdicts.set(current, { index: current, validateCode: -1, ms: 0, failures: ["the worker died while running it"] });
                if (pending.length > 0) start();
                else if (live === 0) resolve(verdicts);
            });
            worker.send({ options: options.generator, budgetMs: options.timeoutMs } satisfies WorkerRequest);
        };
        for (let i = 0; i < Math.min(options.jobs, pending.length); i++) start();
        if (pending.length === 0) resolve(verdicts);
    });
}

/** The summary table and the failures. */
function report(
    variants: readonly Variant[],
    indexes: readonly number[],
    verdicts: ReadonlyMap<number, WorkerVerdict>,
    seconds: number,
): string {
    const rows = new Map<string, { variants: number; refused: number; planned: number; dangerous: number; failed: number }>();
    const failures: string[] = [];
    for (const i of indexes) {
        const v = variants[i];
        const verdict = verdicts.get(i)!;
        for (const key of [v.family, "total"]) {
            const row = rows.get(key) ?? { variants: 0, refused: 0, planned: 0, dangerous: 0, failed: 0 };
            row.variants++;
            if (verdict.validateCode === 1) row.refused++;
            if (verdict.planCode !== undefined) row.planned++;
            if (v.expect === "dangerous") row.dangerous++;
            if (verdict.failures.length > 0) row.failed++;
            rows.set(key, row);
        }
        for (const f of verdict.failures) failures.push(`  ${v.id} (${v.what.slice(0, 100)}): ${f}`);
    }
    const lines = [
        `${"family".padEnd(12)}${["variants", "refused", "planned", "dangerous", "failed"].map((h) => h.padStart(10)).join("")}`,
        // Families in the generator's order, the total last.
        ...[...rows]
            .sort(([a], [b]) => (a === "total" ? 1 : b === "total" ? -1 : FAMILIES.indexOf(a as Family) - FAMILIES.indexOf(b as Family)))
            .map(
                ([name, r]) =>
                    `${name.padEnd(12)}${[r.variants, r.refused, r.planned, r.dangerous, r.failed].map((n) => String(n).padStart(10)).join("")}`,
            ),
        "",
        failures.length === 0
            ? `No failures: no hang, no exit 3, no stack trace, no secret in any output, no dangerous variant planned with exit 0 (${seconds} s).`
            : `${failures.length} failures (${seconds} s):\n${failures.join("\n")}`,
    ];
    return lines.join("\n") + "\n";
}

async function main(): Promise<number> {
    const options = parse(process.argv.slice(2));
    if (typeof options === "string") {
        process.stderr.write(options);
        return options === USAGE ? 0 : 2;
    }
    const started = Date.now();
    const variants = generateVariants(options.generator);
    const indexes = variants.flatMap((v, i) => (options.family === undefined || v.family === options.family ? [i] : []));
    process.stdout.write(
        `hostile inventories: ${indexes.length} variants of Pulumi.prod.yaml and the example stacks (seed ${options.generator.seed}), ${options.jobs} workers, a hang past ${options.timeoutMs} ms\n`,
    );
    const verdicts = await runAll(options, indexes);
    const text = report(variants, indexes, verdicts, Math.round((Date.now() - started) / 1000));
    process.stdout.write(text);
    return [...verdicts.values()].some((v) => v.failures.length > 0) ? 1 : 0;
}

if (require.main === module)
    void main().then(
        (code) => process.exit(code),
        (e: unknown) => {
            process.stderr.write(`hostile: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(3);
        },
    );
