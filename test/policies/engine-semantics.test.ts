/**
 * What every rule shares through the runner and the rule builders: exemptions by name pattern
 * with a reason, values unknown during preview (not applicable, never a pass or a false
 * violation), other resource types, the previous major's types, levels from config, remediation,
 * config validation, and the stack graph handed to stack rules.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { LEVELS } from "../../policies/levels";
import { POLICIES } from "../../policies/registry";
import { PolicyConfigError, PolicyResourceInput, normalizeConfig, runPolicies, stackPolicyConfig } from "../../tools/policy/runner";
import { UNKNOWN } from "../../policies/unknowns";
import {
    AclInputs,
    BucketInputs,
    DirectoryInputs,
    CommandInputs,
    ContainerInputs,
    DnsRecordInputs,
    DownloadInputs,
    T,
    VPN,
    VmInputs,
    compliantStack,
    custom,
    guest,
    CONTAINER,
    COPIES,
    mutate,
    replace,
} from "./fixtures";

type Stack = PolicyResourceInput[];
const edit = <I extends object>(stack: Stack, name: string, change: (i: I) => void): Stack =>
    replace(stack, name, (r) => mutate<I>(r, change));
const unknownAt = (stack: Stack, name: string, ...paths: string[]): Stack => replace(stack, name, (r) => ({ ...r, unknownPaths: paths }));

/** A second guest `twin` that duplicates cloud's VMID and address on the other node. */
function withTwin(): Stack {
    const inputs = { ...structuredClone(CONTAINER), nodeName: "pve-network" };
    const g = guest("lxc", "twin", inputs, {
        vmid: 30041,
        nodeName: "pve-network",
        ipv4: "192.168.30.41",
        tier: "normal",
        haGroup: "pair",
        haKind: "keepalived",
        backupTier: "critical",
        usesRootProvider: false,
    });
    const stack = [...compliantStack(), g.component, g.provider, g.firewall];
    return replace(stack, "cloud", (r) => ({ ...r, outputs: { ...r.outputs, haGroup: "pair", haKind: "keepalived" } }));
}

interface RuleCase {
    /** A stack where the rule reports at least one violation against `target`. */
    readonly violating: () => Stack;
    /** The resource the violation is against (exempted by name in the exemption case). */
    readonly target: string;
    /** The violating stack with the value the rule reads unknown. */
    readonly unknown: () => Stack;
    /** Exemption pattern covering every resource reported against. @default the target's first three characters and `*` */
    readonly pattern?: string;
}

const CASES: Readonly<Record<string, RuleCase>> = {
    "proxmox-container-unprivileged": {
        violating: () => edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => delete i.unprivileged),
        target: "cloud-container",
        unknown: () => unknownAt(compliantStack(), "cloud-container", "unprivileged"),
    },
    "proxmox-guest-storage-not-local": {
        violating: () => edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.disks![0].datastoreId = "local")),
        target: "pbs-vm",
        unknown: () =>
            unknownAt(
                edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.efiDisk!.datastoreId = "local")),
                "pbs-vm",
                "disks[0].datastoreId",
            ),
    },
    "proxmox-vmid-scheme": {
        violating: () => edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.vmId = 30099)),
        target: "cloud-container",
        unknown: () =>
            unknownAt(
                edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.vmId = 30099)),
                "cloud-container",
                "initialization.ipConfigs[0].ipv4.address",
            ),
    },
    "proxmox-vmid-scheme-components": {
        // pbs-vm installed from an ISO: no cloud-init, its address only in the component's outputs.
        violating: () => edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (delete i.initialization, (i.vmId = 10021))),
        target: "pbs-vm",
        unknown: () =>
            unknownAt(
                edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (delete i.initialization, (i.vmId = 10021))),
                "pbs-vm",
                "networkDevices[0].vlanId",
            ),
    },
    "proxmox-container-bind-mount-roots": {
        violating: () => edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.mountPoints![0].volume = "/etc")),
        target: "cloud-container",
        unknown: () => unknownAt(compliantStack(), "cloud-container", "mountPoints[1].volume"),
    },
    "proxmox-passthrough-via-mappings": {
        violating: () => edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.hostpcis![0].id = "0000:01:00.0")),
        target: "pbs-vm",
        unknown: () => unknownAt(compliantStack(), "pbs-vm", "hostpcis[0].id"),
    },
    "remote-command-no-destructive": {
        violating: () => edit<CommandInputs>(compliantStack(), "tank-cloud", (i) => (i.delete = "zfs destroy -r tank/cloud")),
        target: "tank-cloud",
        unknown: () => unknownAt(compliantStack(), "tank-cloud", "create"),
    },
    "dns-no-private-targets": {
        violating: () => edit<DnsRecordInputs>(compliantStack(), "dns-vpn", (i) => (i.content = "192.168.10.1")),
        target: "dns-vpn",
        unknown: () => unknownAt(compliantStack(), "dns-vpn", "content"),
    },
    "dns-no-proxy-for-udp-or-wildcard": {
        violating: () => edit<DnsRecordInputs>(compliantStack(), "dns-vpn", (i) => (i.proxied = true)),
        target: "dns-vpn",
        unknown: () =>
            unknownAt(
                edit<DnsRecordInputs>(compliantStack(), "dns-vpn", (i) => (i.proxied = true)),
                "dns-vpn",
                "comment",
            ),
    },
    "proxmox-container-nesting-docker-only": {
        violating: () => edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.tags = ["normal"])),
        target: "cloud-container",
        unknown: () =>
            unknownAt(
                edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.tags = ["normal"])),
                "cloud-container",
                "features.keyctl",
            ),
    },
    "proxmox-guest-cpu-units": {
        violating: () => edit<VmInputs>(compliantStack(), "pbs-vm", (i) => delete i.cpu!.units),
        target: "pbs-vm",
        unknown: () => unknownAt(compliantStack(), "pbs-vm", "cpu.units"),
    },
    "proxmox-stateful-guest-protected": {
        violating: () => edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.tags = ["stateful"])),
        target: "pbs-vm",
        unknown: () =>
            unknownAt(
                edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.tags = ["stateful"])),
                "pbs-vm",
                "protection",
            ),
    },
    "proxmox-download-checksum": {
        violating: () => edit<DownloadInputs>(compliantStack(), "pve-storage-debian-12-lxc", (i) => delete i.checksum),
        target: "pve-storage-debian-12-lxc",
        unknown: () => unknownAt(compliantStack(), "pve-storage-debian-12-lxc", "checksum"),
    },
    "proxmox-guest-tags-normalized": {
        violating: () => edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.tags = ["High"])),
        target: "pbs-vm",
        unknown: () => unknownAt(compliantStack(), "pbs-vm", "tags[1]"),
    },
    "offsite-bucket-hardened": {
        violating: () => compliantStack().filter((r) => r.name !== "offsite-public-access"),
        target: "offsite",
        unknown: () => unknownAt(compliantStack(), "offsite", "forceDestroy"),
    },
    "offsite-bucket-no-object-lock-for-pbs": {
        violating: () => edit<BucketInputs>(compliantStack(), "offsite", (i) => (i.objectLockEnabled = true)),
        target: "offsite",
        unknown: () => unknownAt(compliantStack(), "offsite", "objectLockEnabled"),
    },
    "offsite-bucket-service-calls": {
        // B2 takes no tags (S5): a bucket tagged as being on B2 has one tag too many.
        violating: () => edit<BucketInputs>(compliantStack(), "offsite", (i) => (i.tags = { "s3-service": "b2" })),
        target: "offsite",
        unknown: () =>
            unknownAt(
                edit<BucketInputs>(compliantStack(), "offsite", (i) => (i.tags = { "s3-service": "b2" })),
                "offsite",
                "tags",
            ),
    },
    "proxmox-guest-firewall": {
        violating: () => replace(compliantStack(), "cloud-firewall", (r) => ({ ...r, inputs: { ...r.inputs, inputPolicy: "ACCEPT" } })),
        target: "cloud-firewall",
        unknown: () => unknownAt(compliantStack(), "cloud-firewall", "inputPolicy"),
    },
    "proxmox-vmid-unique": {
        violating: withTwin,
        target: "twin-container",
        pattern: "*-container",
        unknown: () => unknownAt(withTwin(), "twin-container", "vmId"),
    },
    "proxmox-ipv4-unique": {
        violating: withTwin,
        target: "twin-container",
        pattern: "*-container",
        unknown: () => unknownAt(withTwin(), "twin-container", "initialization.ipConfigs[0].ipv4.address"),
    },
    "proxmox-ha-pair-separate-nodes": {
        violating: () => edit<ContainerInputs>(withTwin(), "twin-container", (i) => (i.nodeName = "pve-storage")),
        target: "twin-container",
        pattern: "*-container",
        unknown: () =>
            replace(
                edit<ContainerInputs>(withTwin(), "twin-container", (i) => (i.nodeName = "pve-storage")),
                "twin",
                (r) => ({ ...r, outputs: { ...r.outputs, haGroup: UNKNOWN, haKind: "keepalived" } }),
            ),
    },
    "proxmox-node-overcommit": {
        violating: () => edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.cpu!.cores = 64)),
        target: "pve-storage",
        unknown: () =>
            unknownAt(
                edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.cpu!.cores = 64)),
                "pbs-vm",
                "cpu.cores",
            ),
    },
    "proxmox-backup-coverage": {
        violating: () => compliantStack().filter((r) => r.type !== T.backupJob),
        target: "cloud-container",
        unknown: () => unknownAt(compliantStack(), "backup-critical-pve-storage", "vmids"),
    },
    "proxmox-nas-not-on-dependent-node": {
        violating: () => [...compliantStack(), custom(T.nfs, "nas", { resourceId: "nas", server: "192.168.30.41", export: "/srv" })],
        target: "cloud-container",
        unknown: () =>
            unknownAt(
                [...compliantStack(), custom(T.nfs, "nas", { resourceId: "nas", server: "192.168.30.41", export: "/srv" })],
                "nas",
                "server",
            ),
    },
    "proxmox-guest-address-unclaimed": {
        violating: () =>
            edit<ContainerInputs>(
                compliantStack(),
                "cloud-container",
                (i) => (i.initialization!.ipConfigs![0].ipv4!.address = "192.168.30.2/24"),
            ),
        target: "cloud-container",
        unknown: () =>
            unknownAt(
                edit<ContainerInputs>(
                    compliantStack(),
                    "cloud-container",
                    (i) => (i.initialization!.ipConfigs![0].ipv4!.address = "192.168.30.2/24"),
                ),
                "cloud-container",
                "initialization.ipConfigs[0].ipv4.address",
            ),
    },
    "proxmox-container-idmap-floor": {
        violating: () => edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.idmaps![0].hostId = 0)),
        target: "cloud-container",
        unknown: () =>
            unknownAt(
                edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.idmaps![0].hostId = 0)),
                "cloud-container",
                "idmaps[0].hostId",
            ),
    },
    "proxmox-container-devices-allowed": {
        violating: () => edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.devicePassthroughs![0].path = "/dev/sda")),
        target: "cloud-container",
        unknown: () =>
            unknownAt(
                edit<ContainerInputs>(compliantStack(), "cloud-container", (i) => (i.devicePassthroughs![0].path = "/dev/sda")),
                "cloud-container",
                "devicePassthroughs[0].path",
            ),
    },
    "proxmox-directory-storage-path": {
        violating: () => edit<DirectoryInputs>(compliantStack(), "tank-dump", (i) => (i.path = "/var/lib/vz")),
        target: "tank-dump",
        unknown: () => unknownAt(compliantStack(), "tank-dump", "path"),
    },
    "nfs-exports-restricted": {
        violating: () =>
            replace(compliantStack(), "tank/pbs", (r) => ({ ...r, outputs: { ...r.outputs, properties: { sharenfs: "on" } } })),
        target: "tank/pbs",
        unknown: () =>
            replace(compliantStack(), "tank/pbs", (r) => ({ ...r, outputs: { ...r.outputs, properties: { sharenfs: UNKNOWN } } })),
    },
    "zfs-dataset-not-system": {
        violating: () => replace(compliantStack(), "tank/pbs", (r) => ({ ...r, outputs: { ...r.outputs, mountpoint: "/var/lib/vz" } })),
        target: "tank/pbs",
        unknown: () => replace(compliantStack(), "tank/pbs", (r) => ({ ...r, outputs: { ...r.outputs, mountpoint: UNKNOWN } })),
    },
    "backup-three-two-one": {
        violating: () =>
            replace(compliantStack(), "backups", (r) => ({
                ...r,
                outputs: {
                    copies: [{ ...COPIES[0], copies: COPIES[0].copies.slice(0, 2), meets321: false, shortfalls: ["none offsite"] }],
                },
            })),
        target: "backups",
        unknown: () => replace(compliantStack(), "backups", (r) => ({ ...r, outputs: { copies: UNKNOWN } })),
    },
    "proxmox-acl-least-privilege": {
        violating: () => edit<AclInputs>(compliantStack(), "acl-vms", (i) => (i.roleId = "Administrator")),
        target: "acl-vms",
        unknown: () =>
            unknownAt(
                edit<AclInputs>(compliantStack(), "acl-vms", (i) => (i.roleId = "Administrator")),
                "acl-vms",
                "roleId",
            ),
    },
};

const urnNamed = (stack: Stack, name: string) => stack.find((r) => r.name === name)!.urn;
const of = (rule: string, stack: Stack, config = {}) => runPolicies(stack, config).violations.filter((v) => v.policy === rule);
const isStackRule = (rule: string) => POLICIES.some((p) => p.name === rule && "validateStack" in p);

describe.each(Object.keys(LEVELS))("%s", (rule) => {
    const c = CASES[rule];
    const level = LEVELS[rule];

    it("reports against the target resource at its level", () => {
        const found = of(rule, c.violating());
        expect(found.map((v) => v.name)).toContain(c.target);
        expect(found.every((v) => v.level === level)).toBe(true);
    });

    it("is silenced by an exemption matching the resource name, and says why for resource rules", () => {
        const reason = "accepted by the operator for a test";
        const pattern = c.pattern ?? `${c.target.slice(0, 3)}*`;
        const result = runPolicies(c.violating(), { [rule]: { exemptions: [{ resourceName: pattern, reason }] } });
        expect(result.violations.filter((v) => v.policy === rule)).toEqual([]);
        if (!isStackRule(rule))
            expect(result.notApplicable).toContainEqual(expect.objectContaining({ policy: rule, reason: `exempted: ${reason}` }));
    });

    it("keeps reporting when the exemption pattern does not match", () => {
        expect(
            of(rule, c.violating(), { [rule]: { exemptions: [{ resourceName: "nothing-*", reason: "elsewhere" }] } }).length,
        ).toBeGreaterThan(0);
    });

    it("refuses an exemption without a reason", () => {
        expect(() => runPolicies(c.violating(), { [rule]: { exemptions: [{ resourceName: c.target }] } })).toThrow(PolicyConfigError);
        expect(() => runPolicies(c.violating(), { [rule]: { exemptions: [{ resourceName: c.target, reason: "  " }] } })).toThrow(
            PolicyConfigError,
        );
    });

    it("is not applicable (never a pass or a false violation) when a value it reads is unknown during preview", () => {
        const result = runPolicies(c.unknown());
        expect(result.violations.filter((v) => v.policy === rule)).toEqual([]);
        expect(result.notApplicable.filter((n) => n.policy === rule).map((n) => n.reason)).toEqual([
            expect.stringMatching(/ is unknown during preview$/),
        ]);
    });

    it("can be disabled or downgraded by config", () => {
        expect(of(rule, c.violating(), { [rule]: { enforcementLevel: "disabled" } })).toEqual([]);
        expect(of(rule, c.violating(), { [rule]: "advisory" }).every((v) => v.level === "advisory")).toBe(true);
    });

    if (!isStackRule(rule)) {
        it("does not apply to other resource types", () => {
            const stack = c
                .violating()
                .map((r) => (r.name === c.target ? { ...r, type: "proxmoxve:index/poolLegacy:PoolLegacy", urn: `${r.urn}-other` } : r));
            expect(of(rule, stack)).toEqual([]);
        });
    }
});

describe("previous major's type tokens", () => {
    it.each([
        [T.containerV7, "proxmox-container-unprivileged", { ...CONTAINER, unprivileged: false }],
        [T.vmV7, "proxmox-guest-cpu-units", { nodeName: "n", disks: [] }],
        [T.dnsRecordV5, "dns-no-proxy-for-udp-or-wildcard", { ...VPN, proxied: true }],
        [T.versioningV2, "offsite-bucket-hardened", undefined],
    ])("%s is checked like the current type (%s)", (type, rule, inputs) => {
        if (inputs !== undefined) {
            expect(of(rule, [custom(type, "old", inputs)])).toHaveLength(1);
        } else {
            const stack = replace(compliantStack(), "offsite-versioning", (r) => ({ ...r, type }));
            expect(of(rule, stack)).toEqual([]);
        }
    });
});

describe("values unknown during preview", () => {
    it("treats the engine's sentinel in the inputs like a listed unknown path", () => {
        const stack = replace(compliantStack(), "cloud-container", (r) => ({ ...r, inputs: { ...r.inputs, unprivileged: UNKNOWN } }));
        const result = runPolicies(stack);
        expect(of("proxmox-container-unprivileged", stack)).toEqual([]);
        // A stack rule judges resource by resource and names the one it could not judge.
        expect(result.notApplicable).toContainEqual({
            policy: "proxmox-container-unprivileged",
            reason: "cloud-container: unprivileged is unknown during preview",
        });
    });
    it("does not report a violation found before the check met an unknown value", () => {
        const stack = unknownAt(
            edit<VmInputs>(compliantStack(), "pbs-vm", (i) => ((i.disks![0].datastoreId = "local"), (i.efiDisk!.datastoreId = "local"))),
            "pbs-vm",
            "tpmState.datastoreId",
        );
        expect(of("proxmox-guest-storage-not-local", stack)).toEqual([]);
    });
    it("makes every resource rule not applicable when all inputs are unknown", () => {
        const stack = unknownAt(compliantStack(), "pbs-vm", "");
        const na = runPolicies(stack).notApplicable.filter((n) => n.urn === urnNamed(stack, "pbs-vm"));
        expect(na.map((n) => n.policy)).toEqual(POLICIES.filter((p) => !("validateStack" in p)).map((p) => p.name));
    });
});

describe("remediation", () => {
    const rule = "proxmox-guest-tags-normalized";
    it("fixes the tags at level remediate, lists the remediation, and validates the fixed inputs", () => {
        const stack = edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.tags = ["High", "backup", "backup"]));
        const result = runPolicies(stack, { [rule]: { enforcementLevel: "remediate" } });
        expect(result.remediations).toEqual([{ policy: rule, urn: urnNamed(stack, "pbs-vm"), name: "pbs-vm" }]);
        expect(result.violations).toEqual([]);
    });
    it("does not remediate at level advisory", () => {
        const stack = edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.tags = ["High"]));
        const result = runPolicies(stack);
        expect(result.remediations).toEqual([]);
        expect(result.violations.map((v) => [v.policy, v.level])).toEqual([[rule, "advisory"]]);
    });
    it("hands stack rules the remediated inputs", () => {
        const seen: unknown[] = [];
        const probe: StackValidationPolicy = {
            name: "probe",
            description: "Checks nothing.",
            enforcementLevel: "advisory",
            validateStack: (args) => void seen.push(args.resources.find((r) => r.name === "pbs-vm")?.props.tags),
        };
        const stack = edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.tags = ["High", "backup"]));
        runPolicies(stack, { [rule]: { enforcementLevel: "remediate" } }, [...POLICIES, probe]);
        expect(seen).toEqual([["backup", "high"]]);
    });
});

describe("the stack graph", () => {
    it("gives custom resources their inputs and components their registered outputs, with parents and dependencies linked", () => {
        let graph: PolicyResource[] = [];
        const probe: StackValidationPolicy = {
            name: "probe",
            description: "Checks nothing.",
            enforcementLevel: "advisory",
            validateStack: (args) => void (graph = args.resources),
        };
        runPolicies(compliantStack(), {}, [probe]);
        const fw = graph.find((r) => r.name === "cloud-firewall")!;
        expect(fw.parent?.name).toBe("cloud");
        expect(fw.parent?.props.backupTier).toBe("critical");
        expect(fw.dependencies.map((d) => d.name)).toEqual(["cloud-container"]);
        expect(fw.props.inputPolicy).toBe("DROP");
        expect(graph.find((r) => r.name === "pve-network")?.props).toEqual({
            nodeName: "pve-network",
            address: "192.168.10.11",
            threads: 4,
            memoryGiB: 16,
        });
    });
});

describe("policy pack config", () => {
    it.each([
        [{ "no-such-rule": "advisory" }, "no-such-rule: no such policy in the pack"],
        [
            { "proxmox-guest-cpu-units": { enforcementLevel: "loud" } },
            'proxmox-guest-cpu-units.enforcementLevel: must be one of advisory, mandatory, remediate, disabled, got "loud"',
        ],
        [{ "proxmox-node-overcommit": { cpuRatio: "3" } }, "proxmox-node-overcommit.cpuRatio: must be number"],
        [{ "proxmox-node-overcommit": { cpuRatio: 0 } }, "proxmox-node-overcommit.cpuRatio: must be > 0"],
        [
            { "proxmox-container-bind-mount-roots": { managedRoots: ["tank"] } },
            'proxmox-container-bind-mount-roots.managedRoots.0: must match pattern "^/"',
        ],
        [{ "proxmox-guest-cpu-units": { typo: true } }, "proxmox-guest-cpu-units: must NOT have additional properties (typo)"],
    ])("refuses %j", (config, problem) => {
        expect(() => normalizeConfig(config as never)).toThrow(PolicyConfigError);
        try {
            normalizeConfig(config as never);
        } catch (e) {
            expect((e as PolicyConfigError).problems).toEqual([problem]);
        }
    });
    it("reads the prod stack's config: every rule at a level, no exemptions (the inventory carries the reasons)", () => {
        const prod = stackPolicyConfig("prod");
        expect(Object.keys(prod).sort()).toEqual(POLICIES.map((p) => p.name).sort());
        for (const entry of Object.values(prod)) expect(Object.keys(entry as object)).toEqual(["enforcementLevel"]);
        expect(stackPolicyConfig("no-such-stack")).toEqual({});
    });
});

describe("rules that misbehave", () => {
    it("fails loudly with the policy and resource named when a rule throws", () => {
        const broken: StackValidationPolicy = {
            name: "broken",
            description: "Checks nothing.",
            validateStack: () => {
                throw new Error("boom");
            },
        };
        expect(() => runPolicies(compliantStack(), {}, [broken])).toThrow("policy broken failed on the stack: boom");
    });
    it("refuses an asynchronous rule", () => {
        const slow: StackValidationPolicy = { name: "slow", description: "Checks nothing.", validateStack: async () => undefined };
        expect(() => runPolicies(compliantStack(), {}, [slow])).toThrow(
            "policy slow failed on the stack: returned a promise; rules must be synchronous for the offline runner",
        );
    });
});
