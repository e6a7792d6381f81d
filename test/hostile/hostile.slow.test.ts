/**
 * The generator of hostile inventories (generator.ts), as the unit tests run it: every variant
 * through `validate`, and the offline plan for every dangerous variant that validates and a
 * seeded sample of the others (`npm run hostile` plans every one, in workers that catch a hang).
 * No variant may hang, exit 3, print a stack trace or a planted secret, get a payload into a
 * remote command unquoted, be accepted where it must be refused, or plan with exit 0 when it is
 * dangerous.
 */
import * as fs from "fs";
import fc from "fast-check";
import { BASES, FAMILIES, Variant, generateVariants } from "./generator";
import { Outcome, badlyQuoted, failuresOf, hasStackTrace, hostileProjectDir, runVariant } from "./run";

/** Fewer random edits than `npm run hostile` takes by default: the named families are all here. */
const OPTIONS = { seed: 12, randomPerBase: 8 };
/** The measure: nothing may take longer. */
const BUDGET_MS = 10_000;
/** Plans of the sample beyond the dangerous variants that validate. */
const PLAN_SAMPLE = 10;

const variants: Variant[] = generateVariants(OPTIONS);
const dir = hostileProjectDir();
const validated = new Map<number, Outcome>();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the generator", () => {
    it("makes several hundred variants of each base stack, in every family, knowing which are dangerous", () => {
        expect(variants.length).toBeGreaterThan(1200);
        for (const base of BASES)
            for (const family of FAMILIES)
                expect([base, family, variants.some((v) => v.base === base && v.family === family)]).toEqual([base, family, true]);
        expect(new Set(variants.map((v) => v.id)).size).toBe(variants.length);
        expect(variants.filter((v) => v.expect === "dangerous").length).toBeGreaterThan(200);
        expect(variants.filter((v) => v.secrets.length > 0).length).toBeGreaterThan(60);
        expect(variants.filter((v) => v.env !== undefined).length).toBe(BASES.length);
    });
});

describe("validate", () => {
    it("answers every variant with exit 0 or 1 in time, never printing a stack trace or a secret, refusing what it must where it must", async () => {
        const failures: string[] = [];
        for (const [i, v] of variants.entries()) {
            const outcome = await runVariant(v, i, dir, false);
            if (outcome.validate.code === 0) validated.set(i, outcome);
            for (const f of failuresOf(v, outcome, BUDGET_MS)) failures.push(`${v.id} (${v.what}): ${f}`);
        }
        expect(failures).toEqual([]);
        // Most variants are refused; those that validate are the plan's.
        expect(validated.size).toBeGreaterThan(150);
        expect(validated.size).toBeLessThan(variants.length / 2);
    }, 120_000);
});

describe("the plan", () => {
    it("stops every dangerous variant that validates, and plans a seeded sample of the others without a crash, a secret or an unquoted value", async () => {
        const dangerous = [...validated.keys()].filter((i) => variants[i].expect === "dangerous");
        // The ones that carry something to look for in the plan: secrets in the environment or encrypted, values bound for a shell.
        const carrying = [...validated.keys()].filter((i) => variants[i].env !== undefined || variants[i].secrets.length > 0);
        const payloads = [...validated.keys()].filter((i) => variants[i].payload !== undefined && !variants[i].payload!.includes("$("));
        const others = [...validated.keys()].filter((i) => !dangerous.includes(i) && !carrying.includes(i) && !payloads.includes(i));
        const [sample] = fc.sample(fc.shuffledSubarray(others, { minLength: PLAN_SAMPLE, maxLength: PLAN_SAMPLE }), {
            seed: OPTIONS.seed,
            numRuns: 1,
        });
        const planned = [...dangerous, ...carrying.slice(0, 3), ...payloads.slice(0, 3), ...sample];
        const failures: string[] = [];
        const codes: number[] = [];
        for (const i of planned) {
            const outcome = await runVariant(variants[i], i, dir, true);
            codes.push(outcome.plan!.code);
            for (const f of failuresOf(variants[i], outcome, BUDGET_MS)) failures.push(`${variants[i].id} (${variants[i].what}): ${f}`);
        }
        expect(failures).toEqual([]);
        expect(planned.length).toBeGreaterThanOrEqual(PLAN_SAMPLE + 6);
        expect(codes.filter((c) => c === 0).length).toBeGreaterThan(0);
    }, 120_000);
});

describe("the judge", () => {
    const variant: Variant = {
        id: "prod/devices/0",
        base: "prod",
        family: "devices",
        what: "device /dev/sda",
        text: "",
        expect: "dangerous",
        path: "guests.unifi.devices[0].path",
        secrets: ["Hostile-Secret-x-1-0-Zq8"],
        policyConfig: "{}",
    };
    const outcome = (validate: Partial<Outcome["validate"]>, plan?: Partial<NonNullable<Outcome["plan"]>>): Outcome => ({
        validate: { code: 0, out: "", err: "", ms: 5, ...validate },
        ...(plan ? { plan: { code: 0, out: "", err: "", text: "", ms: 5, commands: [], engineErrors: [], ...plan } } : {}),
    });

    it("passes a dangerous variant refused at its path, and fails one refused elsewhere or planned with exit 0", () => {
        expect(
            failuresOf(variant, outcome({ code: 1, err: "error: x\nPulumi.h0.yaml:3:5: guests.unifi.devices[0].path: no\n" }), BUDGET_MS),
        ).toEqual([]);
        expect(failuresOf(variant, outcome({ code: 1, err: "error: x\nPulumi.h0.yaml:3:5: guests.unifi.ipv4: no\n" }), BUDGET_MS)).toEqual([
            "refused, but not at guests.unifi.devices[0].path: Pulumi.h0.yaml:3:5: guests.unifi.ipv4: no",
        ]);
        expect(failuresOf(variant, outcome({}, { code: 0 }), BUDGET_MS)).toEqual(["a dangerous variant planned with exit 0"]);
        expect(failuresOf(variant, outcome({}, { code: 1 }), BUDGET_MS)).toEqual([]);
    });

    it("fails a crash, a slow run, a stack trace, a planted secret and a duplicate URN", () => {
        expect(
            failuresOf(
                { ...variant, expect: "free" },
                outcome(
                    { code: 3, threw: "TypeError: x is undefined", ms: 12_000, err: "Error: boom\n    at parse (config/parse.ts:12:5)\n" },
                    { code: 0, out: "token Hostile-Secret-x-1-0-Zq8", engineErrors: ["Duplicate resource URN 'urn:x'"] },
                ),
                BUDGET_MS,
            ),
        ).toEqual([
            "validate crashed (exit 3): TypeError: x is undefined",
            "validate took 12000 ms (budget 10000 ms)",
            "a stack trace in the output",
            "the planted secret Hostile-Secret-x-1-0-Zq8 in the output",
            "the engine would refuse it after validate said ok: Duplicate resource URN 'urn:x'",
        ]);
        expect(hasStackTrace("plan: internal error (a bug; please report it): x; at GuestResource\n")).toBe(false);
    });

    it("reads how a shell quotes a value in a script", () => {
        expect(badlyQuoted("zfs set mountpoint='/tank/my photos' tank/photos", "/tank/my photos")).toBeUndefined();
        expect(badlyQuoted('mkdir -p "/tank/my photos"', "/tank/my photos")).toBeUndefined();
        expect(badlyQuoted("mkdir -p /tank/my photos", "/tank/my photos")).toBe(9);
        expect(badlyQuoted(`echo "x'$(touch /tmp/hostile-pwned)'"`, "$(touch /tmp/hostile-pwned)")).toBe(8);
        expect(badlyQuoted(`echo 'x'\\''$(touch /tmp/hostile-pwned)'\\'''`, "$(touch /tmp/hostile-pwned)")).toBeUndefined();
    });
});
