/**
 * The pieces every PBS setup script shares (setup.ts, jobs.ts, offsite.ts): the preamble, the JSON
 * helpers (jq) and reading a secret from stdin.
 */

/** Joins script lines, ending with a newline. */
export const script = (lines: readonly string[]): string => lines.join("\n") + "\n";

/** `set -eu` and the check that the tools the script calls are there. */
export function preamble(title: string, tools: readonly string[] = ["proxmox-backup-manager", "jq"]): string[] {
    return [
        `# homelab: ${title}`,
        "set -eu",
        `for tool in ${tools.join(" ")}; do`,
        '    if ! command -v "$tool" >/dev/null 2>&1; then',
        '        echo "homelab: $tool is not installed on $(hostname); install Proxmox Backup Server 4 (and jq) first" >&2',
        "        exit 1",
        "    fi",
        "done",
    ];
}

/** Shell helpers every setup script shares: a field of a JSON object, and the object of a list with a given key. */
export const JSON_HELPERS = [
    "# Prints field $2 of the JSON object $1 (empty when absent or null).",
    "field() {",
    '    printf \'%s\' "$1" | jq -r --arg k "$2" \'if type == "object" and has($k) and .[$k] != null then .[$k] | tostring else "" end\'',
    "}",
    "# Prints the object of the JSON list $1 whose key $2 is $3 (compact), or nothing.",
    "pick() {",
    '    printf \'%s\' "$1" | jq -c --arg k "$2" --arg v "$3" \'.[] | select(.[$k] == $v)\'',
    "}",
];

/** Reads the first line of stdin into the variable `$1`; fails when it is empty. */
export function readSecretLines(variable: string, what: string): string[] {
    return [
        `${variable}=''`,
        `IFS= read -r ${variable} || true`,
        `if [ -z "$${variable}" ]; then`,
        `    echo "homelab: ${what} must arrive on stdin (first line); got nothing" >&2`,
        "    exit 1",
        "fi",
    ];
}
