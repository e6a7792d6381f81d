/**
 * Answers to the provider functions the program calls, for the mock runtime of the offline plan
 * and the tests. Anything not listed here is an unmocked invoke and fails the run.
 */
import { InvokeHandler, StateHandler } from "./recorder";
import { openSshEd25519KeyPair } from "./sshKey";

export const PLAN_INVOKES: Readonly<Record<string, InvokeHandler>> = {
    /** The Cloudflare zone lookup by name: a stable placeholder id derived from the name. */
    "cloudflare:index/getZone:getZone": (inputs) => {
        const filter = (inputs.filter ?? {}) as { name?: string };
        return { id: `zone-${filter.name}`, zoneId: `zone-${filter.name}`, name: filter.name, filter };
    },
};

/**
 * Provider-computed outputs the program reads, filled with marked placeholders (a mock resource
 * otherwise only echoes its inputs).
 */
export const PLAN_STATES: Readonly<Record<string, StateHandler>> = {
    /** The secret half of an IAM access key exists only after `pulumi up`. */
    "aws:iam/accessKey:AccessKey": () => ({ secret: "[secret]" }),
    /** A key pair exists only after `pulumi up`: a stand-in of the right shape (the PBS VM's user data checks it), stable per resource. */
    "tls:index/privateKey:PrivateKey": ({ inputs, name, type }) =>
        inputs.algorithm === "ED25519"
            ? openSshEd25519KeyPair(`${type}::${name}`)
            : { privateKeyOpenssh: "[secret]", publicKeyOpenssh: "[unknown]" },
    /** The API token's value (`user@realm!name=uuid`) exists only after `pulumi up` creates the token. */
    "proxmoxve:user/token:Token": () => ({ value: "[secret]" }),
};
