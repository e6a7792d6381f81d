/** Credentials inside URLs: found in every spelling the URL parser reads, and hidden in what a message shows. */
import { isCredentialParam, redactUrl, urlCredentialProblem } from "../../lib/urls";

describe("urlCredentialProblem", () => {
    it.each([
        ["https://root:s3cr3t@192.168.10.11:8006/", "a user and password (user:password@)"],
        ["https://root@192.168.10.11:8006/", "a user and password (user:password@)"],
        // The WHATWG parser reads these as https://root:s3cr3t@host too.
        ["HTTPS://root:s3cr3t@192.168.10.11:8006/", "a user and password (user:password@)"],
        ["https:\\\\root:s3cr3t@192.168.10.11:8006/", "a user and password (user:password@)"],
        ["https:/root:s3cr3t@192.168.10.11:8006/", "a user and password (user:password@)"],
        [" https://root:s3cr3t@192.168.10.11:8006/", "a user and password (user:password@)"],
        // Not a URL at all (the port is out of range): still a password.
        ["https://root:s3cr3t@192.168.10.11:99999/", "a user and password (user:password@)"],
        ["https://images.example.org/a.qcow2?token=s3cr3t", "a credential in its query (token=)"],
        [
            "https://bucket.s3.amazonaws.com/a.img?X-Amz-Credential=AKIA&X-Amz-Signature=abc",
            "a credential in its query (X-Amz-Credential=)",
        ],
        ["https://images.example.org/a.qcow2?sig=abc", "a credential in its query (sig=)"],
        ["https://images.example.org/a.qcow2?api%5Fkey=abc", "a credential in its query (api_key=)"],
        ["https://images.example.org/a.qcow2#access_token=abc", "a credential in its fragment (access_token=)"],
    ])("%s: %s", (url, problem) => {
        expect(urlCredentialProblem(url)).toBe(problem);
    });

    it.each([
        "https://192.168.10.11:8006/",
        "https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2",
        "https://mirror.example.org/debian.qcow2?keyword=stable&mirror=eu",
        "https://example.org/users/@someone/image.iso",
    ])("%s: none", (url) => {
        expect(urlCredentialProblem(url)).toBeUndefined();
    });
});

describe("isCredentialParam", () => {
    it("knows the names of tokens, keys, passwords and signatures, not words that merely contain 'key'", () => {
        expect(
            ["token", "access_token", "Api-Key", "apikey", "password", "X-Goog-Signature", "AWSAccessKeyId", "secret", "key", "sig"].filter(
                isCredentialParam,
            ),
        ).toEqual(["token", "access_token", "Api-Key", "apikey", "password", "X-Goog-Signature", "AWSAccessKeyId", "secret", "key", "sig"]);
        expect(["keyword", "monkey", "page", "mirror", "v"].filter(isCredentialParam)).toEqual([]);
    });
});

describe("redactUrl", () => {
    it.each([
        ["https://root:s3cr3t@192.168.10.11:8006/", "https://***@192.168.10.11:8006/"],
        ["HTTPS://root:s3cr3t@h/", "HTTPS://***@h/"],
        ["https:\\\\root:s3cr3t@h/", "https:\\\\***@h/"],
        // The parser refuses it (a port "pa"); the whole password is hidden still.
        ["https://u:pa/ss@host/x", "https://***@host/x"],
        ["https://h/a.img?token=s3cr3t&mirror=eu#sig=abc", "https://h/a.img?token=***&mirror=eu#sig=***"],
        ["https://h/a.img", "https://h/a.img"],
        ["not a url", "not a url"],
    ])("%s → %s", (url, shown) => {
        expect(redactUrl(url)).toBe(shown);
    });
});
