/**
 * Families of the file and its shape: stack files that are no stack file, values of the wrong
 * type, missing fields, and seeded edits (switches flipped, fields dropped, guests moved; random
 * values anywhere).
 */
import fc from "fast-check";
import { BaseStack, Config, Edit, entries, leavesOf, ordinaryGuest, removeAt, section, setAt } from "../stacks";

/** Stack files that are not what the reader expects at all. */
export function filesFamily(base: BaseStack): Edit[] {
    const lines = (t: string) => t.split("\n");
    return [
        { what: "an empty file", expect: "refused", text: () => "" },
        {
            what: "only comments",
            expect: "refused",
            text: (t) =>
                lines(t)
                    .filter((l) => l.startsWith("#"))
                    .join("\n"),
        },
        { what: "config: as a list", expect: "refused", text: () => "config:\n  - homelab:cluster\n" },
        { what: "config: as a string", expect: "refused", text: () => "config: homelab\n" },
        { what: "a top-level list", expect: "refused", text: () => "- config\n- homelab\n" },
        { what: "a tab for indentation", expect: "refused", text: (t) => t.replace("\n  homelab:networks:", "\n\thomelab:networks:") },
        { what: "an unclosed flow list", expect: "refused", text: (t) => t.replace("dnsServers: [", "dnsServers: [[") },
        {
            what: "a key twice in one mapping",
            expect: "refused",
            text: (t) => t.replace("\n  homelab:networks:", "\n  homelab:guests: {}\n  homelab:networks:"),
        },
        { what: "two YAML documents", expect: "refused", text: (t) => `${t}\n---\nconfig: {}\n` },
        {
            what: "an alias bomb (billion laughs)",
            expect: "refused",
            text: () => {
                const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
                for (let i = 1; i < 12; i++) {
                    const prev = String.fromCharCode(96 + i);
                    const name = String.fromCharCode(97 + i);
                    levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
                }
                return `bomb:\n${levels.map((l) => `  ${l}`).join("\n")}\nconfig:\n  homelab:cluster: *l\n`;
            },
        },
        {
            what: "10,000 nested lists",
            expect: "refused",
            text: () => `config:\n  homelab:cluster: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`,
        },
        {
            what: "10,000 nested mappings",
            expect: "refused",
            text: () => `config:\n  homelab:cluster: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}\n`,
        },
        { what: "a NUL byte", expect: "refused", text: (t) => t.replace("homelab:networks:", "homelab:net\u0000works:") },
        {
            what: "binary garbage",
            expect: "refused",
            text: () => Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 131 + 7) % 256)).toString("latin1"),
        },
        { what: "a byte order mark", expect: "free", text: (t) => `\ufeff${t}` },
        { what: "CRLF line ends", expect: "free", text: (t) => t.split("\n").join("\r\n") },
        {
            what: "a custom tag",
            expect: "free",
            text: (t) => t.replace("\n  homelab:networks:", "\n  homelab:notes: !include secrets.yaml\n  homelab:networks:"),
        },
        {
            what: "a js/function tag",
            expect: "free",
            text: (t) =>
                t.replace("\n  homelab:networks:", "\n  homelab:notes: !!js/function 'function () { return 1 }'\n  homelab:networks:"),
        },
        { what: "a merge key", expect: "free", text: (t) => t.replace("homelab:networks:", "homelab:networks:\n    <<: {}") },
        { what: "an unknown homelab: key", expect: "refused", path: "homelab:guest", edit: (cfg) => (cfg["homelab:guest"] = {}) },
        {
            what: "a __proto__ config key",
            expect: "refused",
            text: (t) => t.replace("\n  homelab:networks:", "\n  __proto__: { polluted: true }\n  homelab:networks:"),
        },
        { what: "another project's key", expect: "free", edit: (cfg) => (cfg["proxmoxve:endpoint"] = "https://192.168.99.1:8006/") },
        {
            what: "a complex mapping key",
            expect: "free",
            text: (t) => t.replace("\n  homelab:networks:", "\n  ? [a, b]\n  : c\n  homelab:networks:"),
        },
        { what: "a numeric guest name", expect: "refused", edit: (cfg) => (section(cfg, "guests")[42] = { ...ordinaryGuest(cfg)[1] }) },
        {
            what: "a 1 MiB description",
            expect: "refused",
            path: `guests.${ordinaryGuest(base.doc.config)[0]}.description`,
            edit: (cfg) => (ordinaryGuest(cfg)[1].description = "x".repeat(1 << 20)),
        },
        { what: "no config: at all", expect: "refused", text: () => "encryptionsalt: v1:abc\n" },
        {
            what: "a secrets provider and salt beside config",
            expect: "free",
            text: (t) => `secretsprovider: passphrase\nencryptionsalt: v1:c2FsdA==:v1:AAAA\n${t}`,
        },
    ];
}

/** Values of the wrong type, where the schema is certain to refuse them. */
export function typesFamily(base: BaseStack, seed: number): Edit[] {
    const leaves = leavesOf(base.doc.config);
    const picks = fc.sample(fc.tuple(fc.constantFrom(...leaves), fc.nat()), { seed, numRuns: 24 });
    return picks.flatMap(([leaf, n]): Edit[] => {
        const at = leaf.path.join(".");
        const value = leaf.value;
        // proto takes a name or a number: a number there is still a protocol.
        if (leaf.path[leaf.path.length - 1] === "proto") return [];
        const wrong =
            typeof value === "number"
                ? [String(value), [value], null][n % 3]
                : typeof value === "boolean"
                  ? [value ? "yes" : "no", value ? 1 : 0, null][n % 3]
                  : [42, [value], { value }, null][n % 4];
        return [
            {
                what: `${at} as ${JSON.stringify(wrong)}`,
                expect: "refused",
                edit: (cfg) => setAt(cfg, leaf.path, wrong),
            },
        ];
    });
}

/** Fields the schema or a cross-check requires, deleted. */
export function missingFamily(base: BaseStack): Edit[] {
    const cfg = base.doc.config as Config;
    const [guest, g] = ordinaryGuest(cfg);
    const [node] = entries(cfg, "nodes")[0];
    const [network] = entries(cfg, "networks")[0];
    const edits: Edit[] = [
        ...["kind", "node", "network", "ipv4", "vmid", "cores", "memoryMiB", "tier", "backup"].map((field): Edit => ({
            what: `guest ${guest} without ${field}`,
            expect: "refused",
            path: `guests.${guest}.${field}`,
            edit: (c) => delete section(c, "guests")[guest][field],
        })),
        ...(g.kind === "lxc" ? ["disk"] : ["disks"]).map((field): Edit => ({
            what: `guest ${guest} without ${field}`,
            expect: "refused",
            path: `guests.${guest}.${field}`,
            edit: (c) => delete section(c, "guests")[guest][field],
        })),
        ...["address", "hostKey", "threads", "memoryGiB", "bridge"].map((field): Edit => ({
            what: `node ${node} without ${field}`,
            expect: "refused",
            path: `nodes.${node}.${field}`,
            edit: (c) => delete section(c, "nodes")[node][field],
        })),
        ...["cidr", "gateway"].map((field): Edit => ({
            what: `network ${network} without ${field}`,
            expect: "refused",
            path: `networks.${network}.${field}`,
            edit: (c) => delete section(c, "networks")[network][field],
        })),
        ...["name", "endpoint", "managedRoots", "dnsServers", "domain"].map((field): Edit => ({
            what: `cluster without ${field}`,
            expect: "refused",
            path: `cluster.${field}`,
            edit: (c) => delete section(c, "cluster")[field],
        })),
        ...["cluster", "networks", "nodes", "storages", "guests"].map((key): Edit => ({
            what: `no homelab:${key}`,
            expect: "refused",
            edit: (c) => delete c[`homelab:${key}`],
        })),
        // Optional sections: whatever refers into them is refused, nothing crashes.
        ...["images", "datasets", "backups", "mappings", "dns", "offsite", "ha"].map((key): Edit => ({
            what: `no homelab:${key}`,
            expect: "free",
            edit: (c) => delete c[`homelab:${key}`],
        })),
        { what: "every guest removed", expect: "free", edit: (c) => (c["homelab:guests"] = {}) },
        { what: "no SSH public keys", expect: "free", edit: (c) => (section(c, "cluster").sshPublicKeys = []) },
        // The PBS guest the program sets up, stripped of what that needs.
        ...entries(cfg, "storages")
            .filter(([, st]) => st.kind === "pbs" && st.guest)
            .flatMap(([, st]): Edit[] =>
                ["cloudInit", "image", "ipv4"].map((field) => ({
                    what: `the PBS guest ${st.guest} without ${field}`,
                    expect: "free",
                    edit: (c) => delete section(c, "guests")[st.guest][field],
                })),
            ),
        { what: "every storage removed", expect: "refused", edit: (c) => (c["homelab:storages"] = {}) },
    ];
    return edits;
}

/**
 * Seeded edits an operator makes on purpose: a switch flipped, an optional field dropped, a guest
 * moved to another node, the other Proxmox VE major. Many still validate, so they reach the
 * components: none may end in exit 3.
 */
export function togglesFamily(base: BaseStack, seed: number, count: number): Edit[] {
    const cfg = base.doc.config as Config;
    const leaves = leavesOf(cfg);
    const switches = leaves.filter((l) => typeof l.value === "boolean");
    const optional = leaves.filter((l) =>
        [
            "description",
            "tags",
            "cpu",
            "purpose",
            "comment",
            "cpuUnits",
            "memoryFloorMiB",
            "systemStorage",
            "agent",
            "swapMiB",
            "reserved",
            "gid",
            "mode",
            "owner",
            "vlan",
        ].includes(String(l.path[l.path.length - 1] ?? l.path[l.path.length - 2])),
    );
    const nodes = Object.keys(section(cfg, "nodes"));
    const guests = Object.keys(section(cfg, "guests"));
    const flip = fc
        .constantFrom(...switches)
        .map((l): Edit => ({ what: `${l.path.join(".")} flipped`, expect: "free", edit: (c) => setAt(c, l.path, !l.value) }));
    const drop =
        optional.length > 0
            ? fc
                  .constantFrom(...optional)
                  .map((l): Edit => ({ what: `${l.path.join(".")} dropped`, expect: "free", edit: (c) => removeAt(c, l.path) }))
            : flip;
    const move = fc.tuple(fc.constantFrom(...guests), fc.constantFrom(...nodes)).map(([g, n]): Edit => ({
        what: `guest ${g} moved to node ${n}`,
        expect: "free",
        edit: (c) => (section(c, "guests")[g].node = n),
    }));
    const edit = fc.oneof(
        flip,
        drop,
        move,
        fc.constant<Edit>({ what: "Proxmox VE 8", expect: "free", edit: (c) => (section(c, "cluster").pveVersion = 8) }),
    );
    return fc.sample(fc.array(edit, { minLength: 1, maxLength: 3 }), { seed, numRuns: count }).map((edits) => ({
        what: edits.map((e) => e.what).join("; "),
        expect: "free",
        edit: (c, plant) => {
            for (const e of edits) e.edit?.(c, plant);
        },
    }));
}

/** Seeded random edits: a leaf set to a name of another entity, a tricky string or number, or removed. */
export function randomFamily(base: BaseStack, seed: number, count: number): Edit[] {
    const cfg = base.doc.config as Config;
    const leaves = leavesOf(cfg);
    const names = [...new Set(leaves.filter((l) => typeof l.value === "string").map((l) => l.value as string))];
    const tricky: unknown[] = [
        "constructor",
        "__proto__",
        "toString",
        "local",
        "",
        " ",
        "0",
        "-1",
        "1e309",
        "NaN",
        "../../etc",
        "\u0000",
        "x".repeat(300),
        -1,
        0,
        1.5,
        2 ** 53,
        Number.POSITIVE_INFINITY,
        true,
        null,
        [],
        {},
    ];
    const value = fc.oneof(
        fc.constantFrom(...names),
        fc.constantFrom(...tricky),
        fc.integer({ min: -10, max: 200_000 }),
        fc.string({ maxLength: 12 }),
    );
    const edit = fc.tuple(
        fc.constantFrom(...leaves),
        fc.oneof(
            value.map((v) => ({ set: v })),
            fc.constant({ remove: true }),
        ),
    );
    return fc.sample(fc.array(edit, { minLength: 1, maxLength: 3 }), { seed, numRuns: count }).map((changes) => ({
        what: changes
            .map(([l, c]) => `${l.path.join(".")} ${"remove" in c ? "removed" : `= ${JSON.stringify(c.set)?.slice(0, 40)}`}`)
            .join("; "),
        expect: "free",
        edit: (c: Config) => {
            for (const [l, change] of changes) {
                if ("remove" in change) removeAt(c, l.path);
                else setAt(c, l.path, change.set);
            }
        },
    }));
}
