/**
 * A fresh ed25519 key pair in OpenSSH's formats, for the mock runtime: what `tls.PrivateKey`
 * (algorithm ED25519) hands the program after `pulumi up` (`privateKeyOpenssh`,
 * `publicKeyOpenssh`). The offline plan derives the pair from the resource's URN, so two
 * recordings of one stack (the change report's base and current side) agree, as the real key in
 * the state would; it is a stand-in of the right shape, never used to log in anywhere.
 *
 * The private key is the unencrypted `openssh-key-v1` container (OpenSSH PROTOCOL.key): magic,
 * cipher `none`, kdf `none`, one public key, then the private section (two equal check words, the
 * key type, the public key, the 64-byte secret (seed and public key), a comment, padding 1, 2, 3...).
 */
import { createHash, createPrivateKey, createPublicKey } from "crypto";

const TYPE = "ssh-ed25519";

function sshString(data: Buffer | string): Buffer {
    const body = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    return Buffer.concat([length, body]);
}

function uint32(n: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
}

/** The PKCS #8 DER prefix of an ed25519 private key (RFC 8410), followed by the 32-byte seed. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * The ed25519 key pair derived from `name` (its seed is SHA-256 of it): the OpenSSH private key
 * (PEM-armoured, 70 characters a line) and its public line.
 */
export function openSshEd25519KeyPair(name: string, comment = ""): { privateKeyOpenssh: string; publicKeyOpenssh: string } {
    const seed = createHash("sha256").update(name).digest();
    const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
    const pub = Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x!, "base64url");
    const publicBlob = Buffer.concat([sshString(TYPE), sshString(pub)]);
    const check = seed.subarray(0, 4);
    let secret = Buffer.concat([check, check, sshString(TYPE), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
    const padding: number[] = [];
    for (let i = 1; (secret.length + padding.length) % 8 !== 0; i++) padding.push(i);
    secret = Buffer.concat([secret, Buffer.from(padding)]);
    const container = Buffer.concat([
        Buffer.from("openssh-key-v1\0", "latin1"),
        sshString("none"),
        sshString("none"),
        sshString(""),
        uint32(1),
        sshString(publicBlob),
        sshString(secret),
    ]);
    const base64 = container.toString("base64");
    const lines: string[] = [];
    for (let i = 0; i < base64.length; i += 70) lines.push(base64.slice(i, i + 70));
    return {
        privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`,
        publicKeyOpenssh: `${TYPE} ${publicBlob.toString("base64")}${comment === "" ? "" : ` ${comment}`}\n`,
    };
}
