/**
 * Runs a hostile variant as a person would (`npm run -s validate`, then `npm run -s plan -- --json`
 * for what validates), in-process through the tools' own entry points, and judges the outcome:
 * no hang, no exit 3, no stack trace, no planted secret in any output, no shell payload reaching a
 * remote command unquoted, nothing refused that the variant needs accepted and nothing dangerous
 * planned with exit 0.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import { finishTool } from "../../tools/output";
import { planTool } from "../../tools/plan/main";
import { renderReport } from "../../tools/plan/render";
import { PlanReport, plan } from "../../tools/plan/report";
import { main as validate } from "../../tools/validate";
import type { Recording } from "../../tools/runtime/recorder";
import { Variant } from "./generator";

/** What a run printed and returned. */
export interface Outcome {
    readonly validate: { readonly code: number; readonly out: string; readonly err: string; readonly ms: number; readonly threw?: string };
    /** Absent when validate refused the variant or planning was not asked for. */
    readonly plan?: {
        readonly code: number;
        readonly out: string;
        readonly err: string;
        /** The text report rendered from the JSON one (what `npm run plan` prints without --json). */
        readonly text: string;
        readonly ms: number;
        /** The scripts of the remote commands the program registered. */
        readonly commands: readonly string[];
        /** What the engine would refuse (a duplicate URN), from the report. */
        readonly engineErrors: readonly string[];
    };
}

/** A stream that keeps what is written to it. */
function sink(): Writable & { text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
        write(chunk, _encoding, done) {
            chunks.push(String(chunk));
            done();
        },
    }) as Writable & { text: () => string };
    stream.text = () => chunks.join("");
    return stream;
}

/** A project directory the variants are written to, one stack file each. */
export function hostileProjectDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-hostile-"));
    fs.mkdirSync(path.join(dir, "policies", "stacks"), { recursive: true });
    return dir;
}

/** The stack name of the variant at `index`: `h17`. */
export const stackOf = (index: number): string => `h${index}`;

/** Every string inside a value (the scripts of a command: create, update, delete). */
function strings(value: unknown, out: string[]): void {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) for (const v of value) strings(v, out);
    else if (value !== null && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
}

/** Runs `variant` (written as stack `stackOf(index)` in `dir`): validate, then the plan when `planIt` and it validated. */
export async function runVariant(variant: Variant, index: number, dir: string, planIt: boolean): Promise<Outcome> {
    const stack = stackOf(index);
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), variant.text);
    fs.writeFileSync(path.join(dir, "policies", "stacks", `${stack}.json`), variant.policyConfig);
    const saved = Object.fromEntries(Object.keys(variant.env ?? {}).map((k) => [k, process.env[k]]));
    Object.assign(process.env, variant.env ?? {});
    try {
        const out = sink();
        const err = sink();
        let started = Date.now();
        let code: number;
        let threw: string | undefined;
        try {
            code = validate(["--stack", stack], dir, {}, out, err);
        } catch (e) {
            // What the tool's entry point turns into exit 3.
            code = 3;
            threw = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        }
        const validated = { code, out: out.text(), err: err.text(), ms: Date.now() - started, ...(threw ? { threw } : {}) };
        if (!planIt || code !== 0) return { validate: validated };

        const commands: string[] = [];
        const onRecording = (recording: Recording) => {
            for (const r of recording.resources)
                if (r.type.startsWith("command:")) strings([r.inputs.create, r.inputs.update, r.inputs.delete], commands);
        };
        const planOut = sink();
        const planErr = sink();
        started = Date.now();
        const planCode = await finishTool(
            planTool(["--stack", stack, "--json"], (s) => plan(s, dir, onRecording), {}, dir),
            planOut,
            planErr,
        );
        const ms = Date.now() - started;
        let text = "";
        let engineErrors: readonly string[] = [];
        // A bug's JSON document (exit 3) is no report to render.
        if (planCode <= 2) {
            try {
                const report = JSON.parse(planOut.text()) as PlanReport;
                engineErrors = report.engineErrors ?? [];
                text = renderReport(report);
            } catch (e) {
                text = `(the --json report did not parse or render: ${e instanceof Error ? e.message : String(e)})`;
            }
        }
        return {
            validate: validated,
            plan: { code: planCode, out: planOut.text(), err: planErr.text(), text, ms, commands, engineErrors },
        };
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

/** True when the text holds a stack trace line (`    at fn (file.ts:12:5)`). */
export function hasStackTrace(text: string): boolean {
    return text.split("\n").some((line) => /^\s+at\s/.test(line) && /:\d+:\d+\)?\s*$/.test(line));
}

/**
 * How the shell reads the character at `index` of `script`: unquoted, in single or in double
 * quotes. A small POSIX lexer of quotes and backslashes, enough for the scripts the program writes
 * (they quote every value with lib/shell.ts shellQuote).
 */
export function quotingAt(script: string, index: number): "plain" | "single" | "double" {
    let state: "plain" | "single" | "double" = "plain";
    for (let i = 0; i < index; i++) {
        const c = script[i];
        if (state === "single") {
            if (c === "'") state = "plain";
        } else if (c === "\\") {
            i++;
        } else if (state === "double") {
            if (c === '"') state = "plain";
        } else if (c === "'") state = "single";
        else if (c === '"') state = "double";
    }
    return state;
}

/**
 * Where a payload stands badly quoted in a script, or undefined: a value with `$` or a backquote
 * must be in single quotes (double quotes still expand them); any other in quotes of either kind.
 */
export function badlyQuoted(script: string, payload: string): number | undefined {
    const needsSingle = payload.includes("$") || payload.includes("`");
    for (let at = script.indexOf(payload); at >= 0; at = script.indexOf(payload, at + 1)) {
        const state = quotingAt(script, at);
        if (state === "plain" || (needsSingle && state === "double")) return at;
    }
    return undefined;
}

/** The part of the shell payload that must never run: where it stands outside single quotes in a script. */
export const PAYLOAD_EXPANSION = "$(touch /tmp/hostile-pwned)";

/** Why the outcome breaks a rule, one line each; empty when it keeps them all. */
export function failuresOf(variant: Variant, outcome: Outcome, budgetMs: number): string[] {
    const out: string[] = [];
    const v = outcome.validate;
    if (v.threw !== undefined) out.push(`validate crashed (exit 3): ${v.threw.split("\n")[0]}`);
    else if (v.code !== 0 && v.code !== 1) out.push(`validate exit ${v.code}`);
    if (v.ms > budgetMs) out.push(`validate took ${v.ms} ms (budget ${budgetMs} ms)`);
    const printed = [v.out, v.err, outcome.plan?.out ?? "", outcome.plan?.err ?? "", outcome.plan?.text ?? ""];
    if (printed.some(hasStackTrace)) out.push("a stack trace in the output");
    for (const secret of variant.secrets)
        if (printed.some((p) => p.includes(secret))) out.push(`the planted secret ${secret} in the output`);
    if (v.code === 0 && variant.expect === "refused") out.push("validate accepted a variant it must refuse");
    if (v.code === 1 && variant.path !== undefined && !v.err.includes(` ${variant.path}: `))
        out.push(
            `refused, but not at ${variant.path}: ${v.err
                .split("\n")
                .slice(1, 3)
                .filter((l) => l !== "")
                .join(" | ")}`,
        );
    const p = outcome.plan;
    if (p === undefined) return out;
    if (p.code === 3 || p.code === 4) out.push(`plan exit ${p.code}: ${p.err.trim().split("\n")[0]}`);
    else if (p.code === 2) out.push(`plan exit 2 after validate said ok: ${p.out.slice(0, 200)}`);
    if (p.ms > budgetMs) out.push(`plan took ${p.ms} ms (budget ${budgetMs} ms)`);
    if (p.code === 0 && variant.expect === "dangerous") out.push("a dangerous variant planned with exit 0");
    if (p.text.startsWith("(the --json report")) out.push(p.text);
    // Names are unique by construction: a duplicate URN after validate said ok is a bug.
    for (const e of p.engineErrors) out.push(`the engine would refuse it after validate said ok: ${e}`);
    if (variant.payload !== undefined)
        for (const script of p.commands) {
            // A quoted value loses its own quotes to escaping; its expansion is what must stay quoted.
            const payload = variant.payload.includes(PAYLOAD_EXPANSION) ? PAYLOAD_EXPANSION : variant.payload;
            const at = badlyQuoted(script, payload);
            if (at !== undefined) {
                out.push(
                    `a value reaches a remote command unquoted: ...${script.slice(Math.max(0, at - 60), at + payload.length + 20)}...`,
                );
                break;
            }
        }
    return out;
}
