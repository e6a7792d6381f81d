/**
 * A worker of `npm run hostile` (test/hostile/main.ts): generates the same variants as its parent
 * (same options), runs the ones it is sent (validate, then the plan) in a project directory of
 * its own, and answers with their verdicts. The parent kills it when a variant takes too long.
 */
import * as fs from "fs";
import { GeneratorOptions, generateVariants } from "./generator";
import { failuresOf, hostileProjectDir, runVariant } from "./run";

/** What the parent sends: the options once, then the index of each variant to run. */
export type WorkerRequest = { readonly options: GeneratorOptions; readonly budgetMs: number } | { readonly index: number };

/** What the worker answers for a variant. */
export interface WorkerVerdict {
    readonly index: number;
    readonly validateCode: number;
    readonly planCode?: number;
    readonly ms: number;
    readonly failures: readonly string[];
}

if (require.main === module) {
    let variants: ReturnType<typeof generateVariants> = [];
    let budgetMs = 10_000;
    const dir = hostileProjectDir();
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    // One variant at a time: the plan's mock runtime is global to the process.
    let queue = Promise.resolve();
    process.on("message", (request: WorkerRequest) => {
        queue = queue.then(async () => {
            if ("options" in request) {
                variants = generateVariants(request.options);
                budgetMs = request.budgetMs;
                process.send!({ ready: variants.length });
                return;
            }
            const variant = variants[request.index];
            const started = Date.now();
            let verdict: WorkerVerdict;
            try {
                const outcome = await runVariant(variant, request.index, dir, true);
                verdict = {
                    index: request.index,
                    validateCode: outcome.validate.code,
                    ...(outcome.plan ? { planCode: outcome.plan.code } : {}),
                    ms: Date.now() - started,
                    failures: failuresOf(variant, outcome, budgetMs),
                };
            } catch (e) {
                verdict = {
                    index: request.index,
                    validateCode: 3,
                    ms: Date.now() - started,
                    failures: [`the run itself failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`],
                };
            }
            process.send!(verdict);
        });
    });
    process.on("disconnect", () => process.exit(0));
}
