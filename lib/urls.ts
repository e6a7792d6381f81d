/**
 * Credentials inside URLs: found where a URL carries them (`user:password@` in any spelling the
 * WHATWG parser accepts, a token or signature in the query or fragment) and hidden in anything a
 * message shows. Pure; plain string scanning, linear in the URL's length.
 */

/** Query or fragment parameters that carry a credential, by their name without `-`, `_` or case. */
const CREDENTIAL_PARAM_NAMES = new Set(["key", "sig", "pwd", "pass", "auth", "authorization", "code"]);
/** A parameter whose normalised name contains one of these carries a credential too (`X-Amz-Signature`, `access_token`). */
const CREDENTIAL_PARAM_PARTS = ["token", "secret", "password", "passwd", "signature", "credential", "apikey", "accesskey", "sessionkey"];

/** The text standing in for a hidden credential. */
export const REDACTED = "***";

/** True when a query or fragment parameter of this name carries a credential (`token`, `X-Amz-Signature`, `api_key`, `sig`). */
export function isCredentialParam(name: string): boolean {
    let normalised = name.toLowerCase();
    for (const c of ["-", "_", "."]) normalised = normalised.split(c).join("");
    return CREDENTIAL_PARAM_NAMES.has(normalised) || CREDENTIAL_PARAM_PARTS.some((part) => normalised.includes(part));
}

/** The parameter names of a query (`a=1&b`) or fragment, decoded where they decode. */
function paramNames(text: string): string[] {
    return text
        .split("&")
        .filter((p) => p !== "")
        .map((p) => {
            const name = p.includes("=") ? p.slice(0, p.indexOf("=")) : p;
            try {
                return decodeURIComponent(name.split("+").join(" "));
            } catch {
                return name;
            }
        });
}

/**
 * Why `text` carries a credential, or undefined: `user:password@` (also `HTTPS://`, `https:\\`
 * and the other spellings the WHATWG URL parser reads the same), or a query or fragment parameter
 * named like one (`?token=`, `?X-Amz-Signature=`, `#access_token=`). Never quotes the value.
 */
export function urlCredentialProblem(text: string): string | undefined {
    let url: URL | undefined;
    try {
        url = new URL(text);
    } catch {
        url = undefined;
    }
    if (url !== undefined ? url.username !== "" || url.password !== "" : userinfoSpan(text).at >= 0)
        return "a user and password (user:password@)";
    const query = url !== undefined ? url.search.slice(1) : afterFirst(text, "?", "#");
    const fragment = url !== undefined ? url.hash.slice(1) : afterFirst(text, "#");
    const param = [...paramNames(query), ...paramNames(fragment)].find(isCredentialParam);
    if (param !== undefined) return `a credential in its ${paramNames(query).includes(param) ? "query" : "fragment"} (${param}=)`;
    return undefined;
}

/** The text after the first `mark`, up to `stop` when given (empty when there is no `mark`). */
function afterFirst(text: string, mark: string, stop?: string): string {
    const start = text.indexOf(mark);
    if (start < 0) return "";
    const rest = text.slice(start + 1);
    const end = stop === undefined ? -1 : rest.indexOf(stop);
    return end < 0 ? rest : rest.slice(0, end);
}

/**
 * Where a URL-like text may hold a userinfo: from after `scheme:` and any slashes or backslashes
 * to the last `@` before the query or fragment (`stop`). Generous on purpose: on text the URL
 * parser refuses (`https://u:pa/ss@host`) it still covers the whole password; on a valid URL with
 * an `@` in its path it hides more than needed, which a message can afford.
 */
function userinfoSpan(text: string): { start: number; at: number; stop: number } {
    const colon = text.indexOf(":");
    let start = 0;
    // A scheme: letters, digits, + . - before the first colon (anything else is no scheme).
    if (colon > 0 && [...text.slice(0, colon)].every((c) => /[A-Za-z0-9+.-]/.test(c))) start = colon + 1;
    while (start < text.length && (text[start] === "/" || text[start] === "\\")) start++;
    const query = text.indexOf("?");
    const hash = text.indexOf("#");
    const stop = Math.min(query < 0 ? text.length : query, hash < 0 ? text.length : hash);
    const at = stop > 0 ? text.lastIndexOf("@", stop - 1) : -1;
    return { start, at: at >= start ? at : -1, stop };
}

/** `params` (a query or fragment) with the value of every credential parameter replaced by `***`. */
function redactParams(params: string): string {
    return params
        .split("&")
        .map((p) => {
            const eq = p.indexOf("=");
            const name = eq < 0 ? p : p.slice(0, eq);
            return eq >= 0 && paramNames(name).some(isCredentialParam) ? `${name}=${REDACTED}` : p;
        })
        .join("&");
}

/**
 * `text` as a message may show it: a userinfo replaced by `***` and the value of every credential
 * parameter of the query and fragment replaced by `***`; anything else as it is. Works on text
 * that does not parse as a URL too (a message about a malformed URL must not leak either).
 */
export function redactUrl(text: string): string {
    const { start, at, stop } = userinfoSpan(text);
    let out = at >= 0 ? `${text.slice(0, start)}${REDACTED}${text.slice(at, stop)}` : text.slice(0, stop);
    let rest = text.slice(stop);
    const hash = rest.indexOf("#");
    const fragment = hash < 0 ? undefined : rest.slice(hash + 1);
    if (hash >= 0) rest = rest.slice(0, hash);
    out += rest.startsWith("?") ? `?${redactParams(rest.slice(1))}` : rest;
    if (fragment !== undefined) out += `#${redactParams(fragment)}`;
    return out;
}
