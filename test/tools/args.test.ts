/** The tools' shared command line: the stack from --stack, PULUMI_STACK or prod; flags; options; --help. */
import { StackFileError } from "../../config/stackfile";
import { ArgsError, ToolSpec, commandLine, helpText, parseArgs, resolveStack } from "../../tools/args";
import { sink } from "./project";

const TOOL: ToolSpec = {
    command: "npm run -s tool",
    summary: "Does a thing.",
    stack: true,
    flags: [{ name: "json", help: "print JSON" }],
    options: [{ name: "for", choices: ["preview", "up"], default: "preview", help: "what runs next" }],
    details: ["exit codes: 0 fine"],
};

describe("resolveStack", () => {
    it.each([
        [undefined, {}, "prod"],
        [undefined, { PULUMI_STACK: "" }, "prod"],
        [undefined, { PULUMI_STACK: "home" }, "home"],
        [undefined, { PULUMI_STACK: "acme/home" }, "home"],
        [undefined, { PULUMI_STACK: "acme/homelab/home" }, "home"],
        ["lab", { PULUMI_STACK: "home" }, "lab"],
        ["acme/homelab/lab", {}, "lab"],
    ])("--stack %j with %j is %j", (flag, env, stack) => {
        expect(resolveStack(flag, env)).toBe(stack);
    });

    it.each([
        ["../prod", `invalid stack name "../prod": use letters, digits, '.', '_' and '-' (or Pulumi's org/homelab/stack form)`],
        ["a/b/c/d", `invalid stack name "a/b/c/d": use letters, digits, '.', '_' and '-' (or Pulumi's org/homelab/stack form)`],
        ["acme//prod", `invalid stack name "acme//prod": use letters, digits, '.', '_' and '-' (or Pulumi's org/homelab/stack form)`],
        ["prod;rm", `invalid stack name "prod;rm": use letters, digits, '.', '_' and '-' (or Pulumi's org/homelab/stack form)`],
        ["acme/web/prod", `stack "acme/web/prod" belongs to project "web", not homelab; name a stack of homelab`],
    ])("refuses %j", (value, message) => {
        expect(() => resolveStack(value, {})).toThrow(new StackFileError(message));
    });
});

describe("parseArgs", () => {
    it("reads the stack, flags and options in any order; options take their default", () => {
        expect(parseArgs(["--json", "-s", "lab", "--for", "up"], TOOL, {})).toEqual({
            help: false,
            stack: "lab",
            flags: new Set(["json"]),
            options: new Map([["for", "up"]]),
        });
        expect(parseArgs(["--stack=lab", "--for=up"], TOOL, {})).toMatchObject({ stack: "lab", options: new Map([["for", "up"]]) });
        expect(parseArgs([], TOOL, { PULUMI_STACK: "org/homelab/home" })).toEqual({
            help: false,
            stack: "home",
            flags: new Set(),
            options: new Map([["for", "preview"]]),
        });
    });

    it("answers --help or -h whatever else is given, even a bad argument after it", () => {
        expect(parseArgs(["--json", "--help", "--bogus"], TOOL, {})).toEqual({ help: true });
        expect(parseArgs(["-h"], TOOL, {})).toEqual({ help: true });
    });

    it.each([
        [["--bogus"], 'unknown argument "--bogus" (known: --stack NAME, --for preview|up, --json, --help)'],
        [["prod"], 'unknown argument "prod" (known: --stack NAME, --for preview|up, --json, --help)'],
        [["--stack"], "--stack needs a stack name"],
        [["--stack", "--json"], "--stack needs a stack name"],
        [["--for", "down"], '--for needs one of preview, up, got "down"'],
        [["--for"], "--for needs one of preview, up"],
    ])("refuses %j: %s", (argv, message) => {
        expect(() => parseArgs(argv, TOOL, {})).toThrow(new ArgsError(message));
    });

    it("a tool without a stack refuses --stack and reads no PULUMI_STACK", () => {
        const bare: ToolSpec = { command: "npm run -s bare", summary: "Bare.", stack: false, flags: [] };
        expect(() => parseArgs(["--stack", "x"], bare, {})).toThrow(new ArgsError('unknown argument "--stack" (known: --help)'));
        expect(parseArgs([], bare, { PULUMI_STACK: "../bad" })).toMatchObject({ help: false, stack: "prod" });
    });
});

describe("helpText", () => {
    it("gives the usage, what the tool does, every option with its meaning, and the details", () => {
        expect(helpText(TOOL)).toBe(
            [
                "usage: npm run -s tool -- [--stack NAME] [--for preview|up] [--json]",
                "",
                "Does a thing.",
                "",
                "options:",
                "  --stack NAME, -s NAME  the stack: reads Pulumi.NAME.yaml; default $PULUMI_STACK, else prod (org/homelab/NAME is NAME)",
                "  --for preview|up       what runs next (default preview)",
                "  --json                 print JSON",
                "  --help, -h             print this help and exit",
                "",
                "exit codes: 0 fine",
                "",
            ].join("\n"),
        );
    });
});

describe("commandLine", () => {
    const run = (argv: string[]) => {
        const out = sink();
        const err = sink();
        return { result: commandLine(argv, TOOL, { PULUMI_STACK: "home" }, out, err), out: out.text(), err: err.text() };
    };

    it("hands back the arguments to run with, writing nothing", () => {
        const { result, out, err } = run(["--json"]);
        expect(result).toEqual({ help: false, stack: "home", flags: new Set(["json"]), options: new Map([["for", "preview"]]) });
        expect([out, err]).toEqual(["", ""]);
    });

    it("writes the help to stdout and gives 0 for --help", () => {
        expect(run(["--help"])).toEqual({ result: 0, out: helpText(TOOL), err: "" });
    });

    it("writes the error to stderr and gives 2 for an unknown argument or a bad stack name", () => {
        expect(run(["--yaml"])).toEqual({
            result: 2,
            out: "",
            err: 'error: unknown argument "--yaml" (known: --stack NAME, --for preview|up, --json, --help)\n',
        });
        const bad = run(["--stack", "../prod"]);
        expect([bad.result, bad.out]).toEqual([2, ""]);
        expect(bad.err).toMatch(/^error: invalid stack name "\.\.\/prod": /);
    });
});
