/**
 * Building blocks of the inventory schema: keys, addresses, paths, sizes and the error texts they
 * give. Pure zod, no `@pulumi/*` import.
 */
import { z } from "zod";
import {
    HHMM_PATTERN,
    HOSTNAME_PATTERN,
    KEY_PATTERN,
    SSH_HOST_KEY_PATTERN,
    ZFS_SIZE_PATTERN,
    hasDotComponent,
    SAFE_ABSOLUTE_PATH,
} from "../../lib/patterns";
import { redactUrl, urlCredentialProblem } from "../../lib/urls";
import { zfsSizeProblem } from "../../lib/zfsValues";

/** A key used as a Pulumi resource name and a Proxmox name: lowercase DNS label. */
export const key = (what: string) =>
    z.string().regex(KEY_PATTERN, {
        error: `${what} must be a lowercase DNS label (a-z, 0-9, '-', starting with a letter, at most 63 characters)`,
    });

export const ipv4 = z.ipv4({ error: "must be a dotted-quad IPv4 address such as 192.168.30.10" });
export const cidr = z.cidrv4({ error: "must be an IPv4 subnet such as 192.168.30.0/24" });
export const hostname = z.string().regex(HOSTNAME_PATTERN, { error: "must be a hostname such as pve.example.org" });
export const positiveInt = z.number().int().positive();

/** A safe absolute path (see lib/patterns.ts): no `,` `=`, no `.` or `..` component. */
export const safePath = z
    .string()
    .max(4095)
    .regex(SAFE_ABSOLUTE_PATH, {
        error: "must be an absolute path of letters, digits, spaces and _ . @ + : - (no ',' or '=')",
    })
    .refine((p) => !hasDotComponent(p), { error: "must not have . or .. components" });

/** What becomes of a credential written into the stack file. */
const ROTATE = "remove it from the file and rotate it (the stack file is in the repository's history)";

/**
 * An http(s) URL with no credential in it: no `user:password@` in any spelling the URL parser
 * reads (`HTTPS://`, `https:\\`), no token or signature in its query or fragment (lib/urls.ts).
 * Every problem shows the URL with its credentials hidden, never as written.
 */
export function webUrl(options: {
    /** The schemes allowed. */
    readonly protocols: readonly ("http" | "https")[];
    /** What the value must be, for any URL that is not one. */
    readonly error: string;
    /** Where the credential goes instead (`give the API token with ...`). */
    readonly credentials: string;
}) {
    return z
        .string({ error: options.error })
        .superRefine((u, ctx) => {
            // The URL as messages show it: parse.ts quotes the issue's input.
            const input = redactUrl(u);
            const credential = urlCredentialProblem(u);
            if (credential !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    message: `must not carry credentials; it has ${credential}: ${options.credentials}, then ${ROTATE}`,
                    input,
                });
                return;
            }
            // The URL parser drops surrounding spaces, tabs and line breaks that the provider would send.
            if ([...u].some((c) => c <= " ")) {
                ctx.addIssue({
                    code: "custom",
                    message: `${options.error} (no spaces, tabs or line breaks; a space in a path is %20)`,
                    input,
                });
                return;
            }
            let url: URL | undefined;
            try {
                url = new URL(u);
            } catch {
                url = undefined;
            }
            if (url === undefined || url.hostname === "" || !options.protocols.some((p) => url.protocol === `${p}:`))
                ctx.addIssue({ code: "custom", message: options.error, input });
        })
        .meta({ format: "uri" });
}

export const zfsSize = z
    .string()
    .regex(ZFS_SIZE_PATTERN, { error: "must be a size such as 512G, 4T or 1.5T" })
    // A size ZFS cannot hold fails only at `zfs set`: refused here (a malformed one has its problem above).
    .refine((s) => !ZFS_SIZE_PATTERN.test(s) || zfsSizeProblem(s) === undefined, {
        error: "is more than ZFS can hold (sizes are 64-bit: less than 16384P)",
    });
export const hhmm = z.string().regex(HHMM_PATTERN, { error: "must be a time of day as HH:MM (24 h)" });

/** An SSH host key line (`ssh-ed25519 AAAA...`), as `cat /etc/ssh/ssh_host_ed25519_key.pub` prints it on the node. */
const HOST_KEY_HELP =
    "must be the node's SSH host key line, such as ssh-ed25519 AAAAC3Nz...; read it on the node with `cat /etc/ssh/ssh_host_ed25519_key.pub` (or `ssh-keyscan -t ed25519 <address>` from a trusted network)";
export const hostKey = z.string({ error: HOST_KEY_HELP }).regex(SSH_HOST_KEY_PATTERN, { error: HOST_KEY_HELP });

/** A reason an exception is made: at least 10 characters that are not spaces. */
export const reason = z
    .string({ error: "give a reason of at least 10 characters" })
    .refine((r) => r.trim().length >= 10, { error: "give a reason of at least 10 characters (not counting spaces)" });

/** A list whose items are unique by `keyOf`; a duplicate is reported at its index. */
export function uniqueBy<T>(keyOf: (item: T) => string, what: string) {
    return (items: readonly T[], ctx: z.RefinementCtx) => {
        const seen = new Map<string, number>();
        items.forEach((item, i) => {
            const k = keyOf(item);
            const first = seen.get(k);
            if (first !== undefined)
                ctx.addIssue({ code: "custom", path: [i], message: `${what} "${k}" is listed twice (first at [${first}]); list it once` });
            else seen.set(k, i);
        });
    };
}

/** A list of unique plain strings. */
export const uniqueStrings = <T extends z.ZodType<string>>(item: T, what: string) =>
    z.array(item).superRefine(uniqueBy<string>((s) => s, what));

/** Whether this program creates a definition or only uses one that exists (the installer's). */
export const managed = z.boolean().default(true);
