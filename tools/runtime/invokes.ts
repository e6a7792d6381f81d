/**
 * Answers to the provider functions the program calls, for the mock runtime of the offline plan
 * and the tests. Anything not listed here is an unmocked invoke and fails the run.
 */
import { CERT_INFO_COMMAND } from "../../lib/pbs/setup";
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
/** The stand-in for a PBS certificate's SHA-256 fingerprint in the offline plan and the tests. */
export const PBS_FINGERPRINT_STAND_IN = "7a:1b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09";

export const PLAN_STATES: Readonly<Record<string, StateHandler>> = {
    /** The secret half of an IAM access key exists only after `pulumi up`. */
    "aws:iam/accessKey:AccessKey": () => ({ secret: "[secret]" }),
    /** A key pair exists only after `pulumi up`: a stand-in of the right shape (the PBS VM's user data checks it), stable per resource. */
    "tls:index/privateKey:PrivateKey": ({ inputs, name, type }) =>
        inputs.algorithm === "ED25519"
            ? openSshEd25519KeyPair(`${type}::${name}`)
            : { privateKeyOpenssh: "[secret]", publicKeyOpenssh: "[unknown]" },
    /**
     * PBS makes its certificate when it is installed, so its fingerprint exists only after `pulumi
     * up`: the command that reads it answers with a stand-in here, so that what depends on it (the
     * PVE storages, the dataset backups) is planned as it will be once PBS answers.
     */
    "command:remote:Command": ({ inputs }) =>
        String(inputs.create ?? "").includes(CERT_INFO_COMMAND) ? { stdout: `fingerprint ${PBS_FINGERPRINT_STAND_IN}\n` } : {},
    /** The API token's value (`user@realm!name=uuid`) exists only after `pulumi up` creates the token. */
    "proxmoxve:user/token:Token": () => ({ value: "[secret]" }),
};
