/**
 * `npm run -s policy-config [-- --stack NAME] [--check]`: writes a stack's policy configuration,
 * `policies/stacks/NAME.json` (what `pulumi preview|up --policy-pack-config` and the offline plan
 * read).
 *
 * The file holds only hand-written settings: enforcement levels, knobs and extra exemptions with
 * their reasons. What follows from the inventory (a privileged container's reason, managed roots,
 * the ID scheme) the pack reads from what the components register, never from here. A new file
 * lists every rule of the pack at its default level and no exemptions, so a reviewer sees each
 * level; an existing file keeps every setting it has, and gets the rules it lacks (and a level
 * for an entry without one) added at their defaults.
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { InventoryError } from "../config/errors";
import {
    POLICY_CONFIG_DIR,
    StackFileError,
    policyConfigCommand,
    policyConfigPath,
    readStackFile,
    stackFilePath,
} from "../config/stackfile";
import { ToolSpec, commandLine } from "./args";
import { formatJson } from "./json";
import { runMain } from "./output";

const POLICY_CONFIG: ToolSpec = {
    command: "npm run -s policy-config",
    summary:
        "Writes policies/stacks/NAME.json, the stack's policy configuration (--policy-pack-config): when it is\n" +
        "missing, every rule of the pack at its default level and no exemptions; when it exists, every setting\n" +
        "in it is kept and the rules it lacks are added at their default levels.",
    stack: true,
    flags: [{ name: "check", help: "write nothing; fail when the file is missing, lacks a rule of the pack or is invalid" }],
    details: [
        "exit codes: 0 written or complete; 1 no stack file, or missing or incomplete (--check), or invalid; 2 bad arguments; 3 a bug",
    ],
};

/** One rule of the pack and the level it has when a stack's configuration says nothing. */
export interface RuleLevel {
    readonly name: string;
    readonly level: EnforcementLevel;
}

/** The pack's rules in registry order, with their default levels. */
export function packRules(policies: Policies): RuleLevel[] {
    return policies.map((p) => ({ name: p.name, level: p.enforcementLevel ?? "advisory" }));
}

export interface MergedConfig {
    /** The configuration to write: the existing entries first, in their order, then the added rules. */
    readonly config: Record<string, unknown>;
    /** Rules that had no entry. */
    readonly added: readonly string[];
    /** Rules whose entry had settings but no level. */
    readonly leveled: readonly string[];
}

/**
 * Merges the pack's rules into an existing configuration (or none) without changing any setting it
 * has: a rule without an entry gets `{ enforcementLevel: <default> }`, an entry without a level gets
 * the default level in front of its settings. Entries for names the pack lacks are kept (the
 * validation that follows reports them).
 */
export function mergePolicyConfig(existing: Readonly<Record<string, unknown>> | undefined, rules: readonly RuleLevel[]): MergedConfig {
    const config: Record<string, unknown> = { ...(existing ?? {}) };
    const added: string[] = [];
    const leveled: string[] = [];
    for (const { name, level } of rules) {
        const entry = Object.hasOwn(config, name) ? config[name] : undefined;
        if (entry === undefined) {
            config[name] = { enforcementLevel: level };
            added.push(name);
        } else if (entry !== null && typeof entry === "object" && !Array.isArray(entry) && !("enforcementLevel" in entry)) {
            config[name] = { enforcementLevel: level, ...entry };
            leveled.push(name);
        }
    }
    return { config, added, leveled };
}

/** Runs the command for the project in `dir`; returns the exit code. */
export async function main(
    argv: string[],
    dir = process.cwd(),
    env: NodeJS.ProcessEnv = process.env,
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
    const args = commandLine(argv, POLICY_CONFIG, env, out, err);
    if (typeof args === "number") return args;
    try {
        // The stack must exist: a configuration for a misspelt stack name would help no one.
        readStackFile(stackFilePath(args.stack, dir));
    } catch (e) {
        if (!(e instanceof StackFileError || e instanceof InventoryError)) throw e;
        err.write(`error: ${e.message}\n`);
        return 1;
    }
    const file = policyConfigPath(args.stack, dir);
    const relative = `${POLICY_CONFIG_DIR}/${path.basename(file)}`;
    const command = policyConfigCommand(args.stack);
    let existing: Record<string, unknown> | undefined;
    if (fs.existsSync(file)) {
        try {
            const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
            if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
                throw new SyntaxError("expected an object of rules");
            existing = parsed as Record<string, unknown>;
        } catch (e) {
            err.write(
                `error: ${relative}: not a policy configuration (${(e as Error).message}); fix it by hand, or delete it and run ${command}\n`,
            );
            return 1;
        }
    }
    // The pack is loaded only now: it brings the Pulumi SDK with it.
    const { POLICIES } = await import("../policies/registry");
    const { PolicyConfigError, normalizeConfig } = await import("./policy/runner");
    const merged = mergePolicyConfig(existing, packRules(POLICIES));
    try {
        normalizeConfig(merged.config as Parameters<typeof normalizeConfig>[0], POLICIES);
    } catch (e) {
        if (!(e instanceof PolicyConfigError)) throw e;
        err.write(`error: ${relative}: ${e.message}\n`);
        return 1;
    }
    const changed = existing === undefined || merged.added.length > 0 || merged.leveled.length > 0;
    if (args.flags.has("check")) {
        if (existing === undefined) {
            err.write(`error: ${relative} is missing; create it with ${command}\n`);
            return 1;
        }
        if (changed) {
            const lacks = [...merged.added.map((r) => `${r} (no entry)`), ...merged.leveled.map((r) => `${r} (no level)`)];
            err.write(`error: ${relative} is incomplete: ${lacks.join(", ")}; run ${command} and commit the result\n`);
            return 1;
        }
        out.write(`${relative} is complete: every rule of the pack has an entry with a level\n`);
        return 0;
    }
    if (!changed) {
        out.write(`${relative} is complete: every rule of the pack has an entry with a level; nothing to write\n`);
        return 0;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, formatJson(merged.config, relative));
    if (existing === undefined) {
        out.write(`wrote ${relative}: ${merged.added.length} rules at their default levels, no exemptions\n`);
    } else {
        const what = [
            ...(merged.added.length > 0 ? [`added ${merged.added.length} rules at their default levels (${merged.added.join(", ")})`] : []),
            ...(merged.leveled.length > 0 ? [`gave ${merged.leveled.join(", ")} their default levels`] : []),
        ];
        out.write(`updated ${relative}: ${what.join("; ")}; every setting already there is kept\n`);
    }
    return 0;
}

if (require.main === module) runMain("policy-config", (argv, out, err) => main(argv, process.cwd(), process.env, out, err));
