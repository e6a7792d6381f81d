/**
 * Values that are credentials by their shape, wherever they are pasted: a private key (OpenSSH,
 * PEM or PuTTY) or a Proxmox API token with its secret (`user@realm!name=secret`). Pure, plain
 * string scanning (linear).
 */

export type SecretShape = "a private key" | "a Proxmox API token with its secret";

/** The kind of credential `value` is by its shape, or undefined. */
export function secretShape(value: string): SecretShape | undefined {
    if (value.includes("PRIVATE KEY-----") || value.startsWith("PuTTY-User-Key-File")) return "a private key";
    // user@realm!name=secret, no spaces: the secret after the first '=' following the '!'.
    const token = value.startsWith("PVEAPIToken=") ? value.slice("PVEAPIToken=".length) : value;
    const at = token.indexOf("@");
    const bang = token.indexOf("!", at + 1);
    const eq = token.indexOf("=", bang + 1);
    if (at > 0 && bang > at + 1 && eq > bang + 1 && eq < token.length - 1 && !/\s/.test(token))
        return "a Proxmox API token with its secret";
    return undefined;
}
