/**
 * Families of secrets and shells: credentials where they must never be (plain stack config, URLs,
 * a private key for a public one), planted so the runner can look for them in every output, and
 * values bound for a script on a node, which must reach it quoted.
 */
import { CREDENTIAL_ENV, CREDENTIAL_KEYS, PROVIDER_CREDENTIAL_KEYS } from "../../../config/stackfile";
import { BaseStack, Config, Edit, entries, freeAddress, mountedDataset, ordinaryGuest, section, unprivilegedContainer } from "../stacks";

/** A command substitution, with quotes of both kinds around it: it must never run. */
export const SHELL_PAYLOAD = "x'$(touch /tmp/hostile-pwned)'`id`\"; reboot #";

/** Credentials where they must never be: in plain text, in URLs, a private key for a public one. */
export function credentialsFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const image = entries(cfg, "images")[0]?.[0];
    const node = entries(cfg, "nodes")[0][0];
    const endpoint = (make: (secret: string) => string) => (c: Config, plant: (t: string) => string) =>
        (section(c, "cluster").endpoint = make(plant("endpoint")));
    const privateKey = (secret: string) =>
        `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n${secret}\n-----END OPENSSH PRIVATE KEY-----\n`;
    return [
        ...CREDENTIAL_KEYS.map((k): Edit => ({
            what: `homelab:${k} in plain text`,
            expect: "refused",
            path: `homelab:${k}`,
            edit: (c, plant) => (c[`homelab:${k}`] = plant(k)),
        })),
        ...CREDENTIAL_KEYS.slice(0, 2).map((k): Edit => ({
            what: `${k} in plain text without the namespace`,
            expect: "refused",
            path: `homelab:${k}`,
            edit: (c, plant) => (c[k] = plant(k)),
        })),
        {
            what: "a plain credential as a number",
            expect: "refused",
            path: "homelab:pbsPassword",
            edit: (c) => (c["homelab:pbsPassword"] = 271828182845),
        },
        {
            what: "a plain credential in a mapping",
            expect: "refused",
            path: "homelab:cifsPassword",
            edit: (c, plant) => (c["homelab:cifsPassword"] = { value: plant("cifs") }),
        },
        ...Object.keys(PROVIDER_CREDENTIAL_KEYS).map((k): Edit => ({
            what: `${k} in plain text`,
            expect: "refused",
            path: k,
            edit: (c, plant) => (c[k] = plant(k)),
        })),
        // Encrypted: fine, and the plan never shows even the ciphertext.
        {
            what: "every credential encrypted",
            expect: "free",
            edit: (c, plant) => {
                for (const k of CREDENTIAL_KEYS) c[`homelab:${k}`] = { secure: `v1:${plant(`secure-${k}`)}` };
            },
        },
        {
            what: "every credential in the environment",
            expect: "free",
            edit: () => undefined,
            env: (plant) => Object.fromEntries([...new Set(Object.values(CREDENTIAL_ENV))].map((v) => [v, plant(`env-${v}`)])),
        },
        {
            what: "the endpoint with user:password@",
            expect: "refused",
            path: "cluster.endpoint",
            edit: endpoint((s) => `https://root:${s}@192.168.10.11:8006/`),
        },
        {
            what: "the endpoint with HTTPS://user:password@",
            expect: "refused",
            path: "cluster.endpoint",
            edit: endpoint((s) => `HTTPS://root:${s}@192.168.10.11:8006/`),
        },
        {
            what: "the endpoint with https:\\\\user:password@",
            expect: "refused",
            path: "cluster.endpoint",
            edit: endpoint((s) => `https:\\\\root:${s}@192.168.10.11:8006/`),
        },
        {
            what: "the endpoint with a token in the query",
            expect: "refused",
            path: "cluster.endpoint",
            edit: endpoint((s) => `https://192.168.10.11:8006/?token=${s}`),
        },
        {
            what: "an unparseable endpoint with a password",
            expect: "refused",
            path: "cluster.endpoint",
            edit: endpoint((s) => `https://root:${s}@192.168.10.11:99999/`),
        },
        {
            what: "an ftp endpoint with a password",
            expect: "refused",
            path: "cluster.endpoint",
            edit: endpoint((s) => `ftp://root:${s}@192.168.10.11/`),
        },
        ...(image
            ? [
                  {
                      what: "an image URL with user:password@",
                      expect: "refused",
                      path: `images.${image}.url`,
                      edit: (c: Config, plant: (t: string) => string) =>
                          (section(c, "images")[image].url = `https://u:${plant("image")}@mirror.example.org/a.qcow2`),
                  } as Edit,
                  {
                      what: "an image URL with a signature",
                      expect: "refused",
                      path: `images.${image}.url`,
                      edit: (c: Config, plant: (t: string) => string) =>
                          (section(c, "images")[image].url = `https://bucket.s3.amazonaws.com/a.qcow2?X-Amz-Signature=${plant("sig")}`),
                  } as Edit,
              ]
            : []),
        {
            what: "an offsite endpoint with user:password@",
            expect: "refused",
            path: "offsite.endpoint",
            edit: (c, plant) =>
                (c["homelab:offsite"] = {
                    service: "minio",
                    bucket: "homelab-offsite",
                    region: "us-east-1",
                    endpoint: `https://key:${plant("s3")}@minio.example.org`,
                    noncurrentVersionDays: 30,
                    servesPbs: false,
                    writers: ["pbs"],
                }),
        },
        {
            what: "a private key for the SSH public keys",
            expect: "refused",
            path: "cluster.sshPublicKeys[0]",
            edit: (c, plant) => (section(c, "cluster").sshPublicKeys = [privateKey(plant("ssh"))]),
        },
        {
            what: "a private key for a host key",
            expect: "refused",
            path: `nodes.${node}.hostKey`,
            edit: (c, plant) => (section(c, "nodes")[node].hostKey = privateKey(plant("host"))),
        },
        {
            what: "a whole API token for the automation token's name",
            expect: "refused",
            path: "cluster.automation.token",
            edit: (c, plant) => (section(c, "cluster").automation = { token: `homelab@pve!homelab=${plant("token")}` }),
        },
        {
            what: "an API token in a guest's description",
            expect: "refused",
            edit: (c, plant) => (entries(c, "guests")[0][1].description = `PVEAPIToken=root@pam!ci=${plant("description")}`),
        },
        {
            what: "a PEM private key for the SSH public keys",
            expect: "refused",
            edit: (c, plant) =>
                (section(c, "cluster").sshPublicKeys = [`-----BEGIN RSA PRIVATE KEY-----\n${plant("rsa")}\n-----END RSA PRIVATE KEY-----`]),
        },
    ];
}

/**
 * Values that may reach a script on a node. Free text with a command substitution must never
 * reach one unquoted; values the schema lets through with spaces, `@`, `+`, `:` or `*` (a path,
 * a calendar event) must reach it quoted, or a word splits or a glob expands.
 */
export function shellFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const [guest] = ordinaryGuest(cfg);
    const [ct] = unprivilegedContainer(cfg);
    const [mounted] = mountedDataset(cfg);
    const root = section(cfg, "cluster").managedRoots[0] as string;
    const pbs = entries(cfg, "storages").find(([, st]) => st.kind === "pbs" && st.guest);
    const text = (what: string, set: (c: Config) => void): Edit => ({
        what: `a shell payload in ${what}`,
        expect: "free",
        payload: SHELL_PAYLOAD,
        edit: set,
    });
    const quiet = (what: string, value: string, set: (c: Config, v: string) => void): Edit => ({
        what: `${what} ${JSON.stringify(value)}`,
        expect: "free",
        payload: value,
        edit: (c) => set(c, value),
    });
    return [
        text(`guest ${guest}'s description`, (c) => (section(c, "guests")[guest].description = SHELL_PAYLOAD)),
        text(`node cpu`, (c) => (entries(c, "nodes")[0][1].cpu = SHELL_PAYLOAD)),
        text(
            `a firewall rule's comment`,
            (c) =>
                (section(c, "guests")[guest].firewall = {
                    rules: [{ action: "ACCEPT", proto: "tcp", dport: "22", comment: SHELL_PAYLOAD }],
                }),
        ),
        text(`a reservation's purpose`, (c) =>
            entries(c, "networks")[0][1].reserved?.push({ address: freeAddress(c, entries(c, "networks")[0][0]), purpose: SHELL_PAYLOAD }),
        ),
        text(`a network's description`, (c) => (entries(c, "networks")[0][1].description = SHELL_PAYLOAD)),
        text(`a dataset's backup exclusion`, (c) => (section(c, "datasets")[mounted].backup = { exclude: SHELL_PAYLOAD })),
        text(`a privileged container's reason`, (c) => (section(c, "guests")[ct].privileged = { reason: SHELL_PAYLOAD })),
        quiet(
            "a dataset mountpoint",
            `${root}/my photos+old@home:2019`,
            (c, v) => (section(c, "datasets")[mounted].properties.mountpoint = v),
        ),
        quiet(
            "a host mount",
            `${root}/shared files`,
            (c, v) => (section(c, "guests")[ct].hostMounts = [{ hostPath: v, path: "/mnt/shared files" }]),
        ),
        quiet("a mount path in the guest", "/srv/my data", (c, v) => (section(c, "datasets")[mounted].mounts[0].path = v)),
        ...(pbs
            ? [
                  quiet("a PBS garbage collection schedule", "mon..fri *:30", (c, v) => (section(c, "storages")[pbs[0]].gcSchedule = v)),
                  quiet("a PBS verify schedule", "sat *:15", (c, v) => (section(c, "storages")[pbs[0]].verify = { schedule: v })),
                  quiet("a PBS datastore path", "/mnt/datastore/my store", (c, v) => (section(c, "storages")[pbs[0]].datastorePath = v)),
              ]
            : []),
        ...["mode", "uid"].map((f): Edit => ({
            what: `a shell payload in a dataset owner's ${f}`,
            expect: "refused",
            edit: (c) => (section(c, "datasets")[mounted].owner = { ...section(c, "datasets")[mounted].owner, [f]: SHELL_PAYLOAD }),
        })),
        {
            what: "a shell payload in a node's SSH user",
            expect: "refused",
            edit: (c) => (entries(c, "nodes")[0][1].sshUser = SHELL_PAYLOAD),
        },
        {
            what: "a shell payload in a bridge port",
            expect: "refused",
            edit: (c) => (entries(c, "nodes")[0][1].bridge.ports = [SHELL_PAYLOAD]),
        },
        {
            what: "a shell payload in a ZFS property",
            expect: "refused",
            edit: (c) => (section(c, "datasets")[mounted].properties.compression = SHELL_PAYLOAD),
        },
        {
            what: "a shell payload in a PBS datastore",
            expect: "refused",
            edit: (c) =>
                (section(c, "storages").pbsx = {
                    kind: "pbs",
                    server: "192.168.1.6",
                    datastore: SHELL_PAYLOAD,
                    fingerprint: Array(32).fill("AB").join(":"),
                    content: ["backup"],
                }),
        },
        { what: "a shell payload in a time zone", expect: "refused", edit: (c) => (section(c, "cluster").timezone = SHELL_PAYLOAD) },
        {
            what: "a shell payload in a mountpoint",
            expect: "refused",
            edit: (c) => (section(c, "datasets")[mounted].properties.mountpoint = `${root}/$(reboot)`),
        },
    ];
}
