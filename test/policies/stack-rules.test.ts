/** Stack rules: the compliant stack, then one mutation per violation. */
import { PolicyResourceInput, runPolicies } from "../../tools/policy/runner";
import { S3_SERVICE_FEATURES } from "../../policies/shared/s3Services";
import {
    BUCKET,
    BucketInputs,
    CONTAINER,
    ContainerInputs,
    T,
    VM,
    VmInputs,
    check,
    compliantStack,
    component,
    custom,
    guest,
    mutate,
    offsiteBucket,
    replace,
    urnOf,
} from "./fixtures";

const edit = <I extends object>(stack: PolicyResourceInput[], name: string, change: (i: I) => void) =>
    replace(stack, name, (r) => mutate<I>(r, change));
const withOutputs = (stack: PolicyResourceInput[], name: string, outputs: Record<string, unknown>) =>
    replace(stack, name, (r) => ({ ...r, outputs: { ...r.outputs, ...outputs } }));
/** The component the program creates the inventory's storages under. */
const STORAGES = "homelab:proxmox:Storages";

/** A second container under its component: `web` on pve-network by default. */
function web(change: (i: ContainerInputs) => void = () => undefined, outputs: Record<string, unknown> = {}): PolicyResourceInput[] {
    const inputs = structuredClone(CONTAINER);
    Object.assign(inputs, {
        nodeName: "pve-network",
        vmId: 30010,
        initialization: { ipConfigs: [{ ipv4: { address: "192.168.30.10/24" } }] },
    });
    change(inputs);
    const g = guest("lxc", "web", inputs, {
        vmid: inputs.vmId,
        nodeName: inputs.nodeName,
        ipv4: "192.168.30.10",
        tier: "normal",
        backupTier: "critical",
        usesRootProvider: false,
        ...outputs,
    });
    return [g.component, g.provider, g.firewall];
}

/** The compliant stack plus `web`, with the backup job covering it too. */
function withWeb(change?: (i: ContainerInputs) => void, outputs?: Record<string, unknown>): PolicyResourceInput[] {
    const stack = [...compliantStack(), ...web(change, outputs)];
    // One job for both nodes' guests.
    return replace(stack, "backup-critical-pve-storage", (r) => ({
        ...r,
        inputs: { ...r.inputs, node: undefined, vmids: ["30041", "30010"] },
    }));
}

describe("proxmox-vmid-scheme-components", () => {
    const rule = "proxmox-vmid-scheme-components";
    /** pbs-vm installed from an ISO: no cloud-init, so its address is only in the component's outputs. */
    const isoVm = (change: (i: VmInputs) => void = () => undefined) =>
        replace(compliantStack(), "pbs-vm", (r) =>
            mutate<VmInputs>(r, (i) => {
                delete i.initialization;
                change(i);
            }),
        );
    const schemeOf = (stack: PolicyResourceInput[]) => {
        const result = runPolicies(stack);
        return {
            resourceRule: result.violations.filter((v) => v.policy === "proxmox-vmid-scheme").map((v) => v.message),
            notApplicable: result.notApplicable.filter((n) => n.policy === "proxmox-vmid-scheme").map((n) => n.reason),
            componentRule: result.violations.filter((v) => v.policy === rule).map((v) => [v.name, v.message]),
        };
    };

    it("accepts a VM without cloud-init whose VMID follows the scheme from its component's ipv4", () =>
        expect(check(rule, isoVm())).toEqual([]));

    it("flags a VM without cloud-init and with a wrong VMID, which the resource rule cannot judge", () => {
        expect(schemeOf(isoVm((i) => (i.vmId = 10021)))).toEqual({
            resourceRule: [],
            notApplicable: ["pbs-vm: the first NIC has no VLAN tag or no static IPv4 address in the inputs"],
            componentRule: [
                [
                    "pbs-vm",
                    "VMID 10021 of pbs-vm does not follow the scheme: VLAN 10 (first NIC) × 1000 + last octet of 192.168.10.20 (the guest component's ipv4) = 10020. Set `vmId` to 10020, or fix the VLAN or address.",
                ],
            ],
        });
    });

    it("takes the VLAN of a trunk NIC (no vlanId) from the component's vlan", () => {
        const trunk = (vmId: number) =>
            withOutputs(
                isoVm((i) => {
                    delete i.networkDevices![0].vlanId;
                    i.vmId = vmId;
                }),
                "pbs",
                { vlan: 10, vmid: vmId },
            );
        expect(check(rule, trunk(10020))).toEqual([]);
        expect(check(rule, trunk(20020))).toEqual([
            "VMID 20020 of pbs-vm does not follow the scheme: VLAN 10 (the guest component's vlan) × 1000 + last octet of 192.168.10.20 (the guest component's ipv4) = 10020. Set `vmId` to 10020, or fix the VLAN or address.",
        ]);
    });

    it("completes a cloud-init address on a trunk NIC with the component's vlan", () => {
        const stack = withOutputs(
            edit<VmInputs>(compliantStack(), "pbs-vm", (i) => {
                delete i.networkDevices![0].vlanId;
                i.vmId = 30020;
            }),
            "pbs",
            { vlan: 10 },
        );
        expect(check(rule, stack)).toEqual([
            "VMID 30020 of pbs-vm does not follow the scheme: VLAN 10 (the guest component's vlan) × 1000 + last octet of 192.168.10.20 (cloud-init) = 10020. Set `vmId` to 10020, or fix the VLAN or address.",
        ]);
    });

    it("leaves guests with a VLAN and an address in their inputs to proxmox-vmid-scheme (no double report)", () => {
        const stack = edit<VmInputs>(compliantStack(), "pbs-vm", (i) => (i.vmId = 10021));
        expect(schemeOf(stack)).toEqual({
            resourceRule: [
                "VMID 10021 does not follow the scheme: VLAN 10 × 1000 + last octet of 192.168.10.20 = 10020. Set `vmId` to 10020, or fix the VLAN or address.",
            ],
            notApplicable: [],
            componentRule: [],
        });
    });

    it("leaves a guest without vmId to proxmox-vmid-scheme, which reports it", () => {
        const stack = isoVm((i) => delete i.vmId);
        expect(schemeOf(stack)).toEqual({
            resourceRule: [
                "The guest has no `vmId`, so Proxmox assigns the next free ID. Set `vmId` to VLAN × 1000 + the last octet of its address.",
            ],
            notApplicable: [],
            componentRule: [],
        });
    });

    it("judges nothing when neither the inputs nor the component have the values: a hand-written VM without cloud-init", () => {
        const handWritten = custom(T.vm, "lab-vm", { ...VM, vmId: 12345, initialization: undefined });
        expect(schemeOf([handWritten])).toEqual({
            resourceRule: [],
            notApplicable: ["lab-vm: the first NIC has no VLAN tag or no static IPv4 address in the inputs"],
            componentRule: [],
        });
        const noIpv4 = withOutputs(
            isoVm((i) => (i.vmId = 10021)),
            "pbs",
            { ipv4: undefined },
        );
        expect(check(rule, noIpv4)).toEqual([]);
    });

    it("checks a guest known only by its component, from its outputs", () => {
        const lonely = component(T.vmComponent, "ghost", { vmid: 20031, nodeName: "pve-storage", ipv4: "192.168.20.30", vlan: 20 });
        expect(check(rule, [lonely])).toEqual([
            "VMID 20031 of ghost does not follow the scheme: VLAN 20 (the guest component's vlan) × 1000 + last octet of 192.168.20.30 (the guest component's ipv4) = 20030. Set `vmid` to 20030, or fix the VLAN or address.",
        ]);
    });

    it("skips templates", () =>
        expect(
            check(
                rule,
                isoVm((i) => ((i.template = true), (i.vmId = 9000))),
            ),
        ).toEqual([]));

    it("is silenced by its own exemption of the guest", () => {
        const config = { [rule]: { exemptions: [{ resourceName: "pbs-vm", reason: "adopted with its old ID" }] } };
        expect(
            check(
                rule,
                isoVm((i) => (i.vmId = 10021)),
                config,
            ),
        ).toEqual([]);
    });
});

describe("proxmox-vmid-unique", () => {
    const rule = "proxmox-vmid-unique";
    it("accepts distinct VMIDs", () => expect(check(rule, withWeb())).toEqual([]));
    it("refuses two guests with one VMID, on each of them", () => {
        const stack = withWeb((i) => (i.vmId = 30041));
        expect(check(rule, stack)).toEqual([
            "VMID 30041 is used by 2 guests (cloud-container, web-container). Give each guest its own VMID (VLAN × 1000 + last octet).",
            "VMID 30041 is used by 2 guests (cloud-container, web-container). Give each guest its own VMID (VLAN × 1000 + last octet).",
        ]);
    });
    it("counts a hand-written guest without component", () => {
        expect(check(rule, [...compliantStack(), custom(T.container, "hand-written", CONTAINER)])).toHaveLength(2);
    });
});

describe("proxmox-ipv4-unique", () => {
    const rule = "proxmox-ipv4-unique";
    it("accepts distinct addresses", () => expect(check(rule, withWeb())).toEqual([]));
    it("refuses two guests with one address from the provider inputs", () => {
        const stack = withWeb((i) => (i.initialization = { ipConfigs: [{ ipv4: { address: "192.168.30.41/24" } }] }));
        expect(check(rule, stack)).toEqual([
            "IPv4 address 192.168.30.41 is used by 2 guests (cloud-container, web-container). Give each guest its own address.",
            "IPv4 address 192.168.30.41 is used by 2 guests (cloud-container, web-container). Give each guest its own address.",
        ]);
    });
    it("reads the address of a VM without cloud-init from its component", () => {
        const stack = withOutputs(
            replace(compliantStack(), "pbs-vm", (r) => mutate<VmInputs>(r, (i) => delete i.initialization)),
            "pbs",
            { ipv4: "192.168.30.41" },
        );
        expect(check(rule, stack)).toHaveLength(2);
    });
});

describe("proxmox-ha-pair-separate-nodes", () => {
    const rule = "proxmox-ha-pair-separate-nodes";
    it("accepts pair members on different nodes", () => {
        const stack = withOutputs(withWeb(undefined, { haGroup: "proxy", haKind: "keepalived" }), "cloud", {
            haGroup: "proxy",
            haKind: "keepalived",
        });
        expect(check(rule, stack)).toEqual([]);
    });
    it("refuses pair members on the same node", () => {
        const stack = withOutputs(
            withWeb((i) => (i.nodeName = "pve-storage"), { haGroup: "proxy", haKind: "keepalived", nodeName: "pve-storage" }),
            "cloud",
            { haGroup: "proxy", haKind: "keepalived" },
        );
        const message =
            "HA pair `ha.proxy` has cloud-container, web-container on the same node pve-storage, so one node failure takes both down. Move one member to another node (`nodeName`).";
        expect(check(rule, stack)).toEqual([message, message]);
    });
    it("names the members' inventory keys to change when they come from the inventory", () => {
        const stack = withOutputs(
            withWeb((i) => (i.nodeName = "pve-storage"), {
                haGroup: "proxy",
                haKind: "keepalived",
                nodeName: "pve-storage",
                inventoryKey: "guests.web",
            }),
            "cloud",
            { haGroup: "proxy", haKind: "keepalived", inventoryKey: "guests.cloud" },
        );
        const message =
            "HA pair `ha.proxy` has `guests.cloud`, `guests.web` on the same node pve-storage, so one node failure takes both down. Move one member to another node (`guests.cloud.node` or `guests.web.node`).";
        expect(check(rule, stack)).toEqual([message, message]);
    });
});

describe("proxmox-node-overcommit", () => {
    const rule = "proxmox-node-overcommit";
    const nodeUrn = urnOf(T.nodeComponent, "pve-network");
    it("accepts allocations within 3× threads and 2× memory", () => expect(check(rule, withWeb())).toEqual([]));
    it("refuses more vCPUs than 3× the node's threads", () => {
        const stack = withWeb((i) => (i.cpu = { cores: 13, units: 1024 }));
        expect(check(rule, stack)).toEqual([
            "Node pve-network gives its guests 13 vCPUs, 3.25× its 4 threads; the limit is 3× (12 vCPUs). Shrink or move guests, or raise cpuRatio in the policy config.",
        ]);
    });
    it("refuses more memory than 2× the node's physical memory", () => {
        const stack = withWeb((i) => (i.memory = { dedicated: 33 * 1024 }));
        expect(check(rule, stack)).toEqual([
            "Node pve-network gives its guests 33 GiB of memory, 2.06× its 16 GiB; the limit is 2× (32 GiB). Shrink or move guests, or raise memoryRatio in the policy config.",
        ]);
    });
    it("counts VM sockets × cores and the provider defaults (1 core, 512 MiB)", () => {
        const stack = withWeb((i) => (delete i.cpu, delete i.memory));
        const big = mutate<VmInputs>(
            custom(T.vm, "big", VM),
            (i) => ((i.nodeName = "pve-network"), (i.vmId = 10099), (i.cpu = { cores: 4, sockets: 3, units: 1 })),
        );
        expect(check(rule, [...stack, big])).toEqual([
            "Node pve-network gives its guests 13 vCPUs, 3.25× its 4 threads; the limit is 3× (12 vCPUs). Shrink or move guests, or raise cpuRatio in the policy config.",
        ]);
    });
    it("takes the limits from config", () => {
        const stack = withWeb((i) => (i.cpu = { cores: 13, units: 1024 }));
        expect(check(rule, stack, { [rule]: { cpuRatio: 4 } })).toEqual([]);
        expect(check(rule, withWeb(), { [rule]: { cpuRatio: 0.25 } })).toEqual([
            "Node pve-network gives its guests 2 vCPUs, 0.5× its 4 threads; the limit is 0.25× (1 vCPUs). Shrink or move guests, or raise cpuRatio in the policy config.",
            "Node pve-storage gives its guests 6 vCPUs, 0.38× its 16 threads; the limit is 0.25× (4 vCPUs). Shrink or move guests, or raise cpuRatio in the policy config.",
        ]);
    });
    it("reports against the node component", () => {
        const v = runPolicies(withWeb((i) => (i.cpu = { cores: 13, units: 1024 }))).violations.filter((x) => x.policy === rule);
        expect(v.map((x) => [x.urn, x.name, x.type, x.level])).toEqual([[nodeUrn, "pve-network", T.nodeComponent, "mandatory"]]);
    });
});

describe("proxmox-backup-coverage", () => {
    const rule = "proxmox-backup-coverage";
    it("accepts one job per guest and an exclusion with a reason", () => expect(check(rule, withWeb())).toEqual([]));
    it("refuses a guest in no job", () => {
        expect(check(rule, [...compliantStack(), ...web()])).toEqual([
            "Guest web-container is in no backup job. Give it a backup tier, or exclude it from backups with a reason.",
        ]);
    });
    it("refuses a guest in two jobs", () => {
        const second = custom(T.backupJob, "backup-all", {
            resourceId: "all",
            schedule: "daily",
            storage: "pbs",
            all: true,
            excludes: ["10020"],
        });
        expect(check(rule, [...compliantStack(), second])).toEqual([
            "Guest cloud-container is in 2 backup jobs (backup-critical-pve-storage, backup-all). Keep it in exactly one.",
        ]);
    });
    it("refuses an excluded guest that a job backs up", () => {
        const all = custom(T.backupJob, "backup-all", {
            resourceId: "all",
            schedule: "daily",
            storage: "pbs",
            all: true,
            node: "pve-storage",
            excludes: ["30041"],
        });
        expect(check(rule, [...compliantStack(), all])).toEqual([
            'Guest pbs-vm is excluded from backups ("PBS cannot back itself up into its own datastore") but job backup-all backs it up. Remove it from the job, or drop the exclusion.',
        ]);
    });
    it("ignores disabled jobs and jobs on other nodes", () => {
        const off = custom(T.backupJob, "off", { resourceId: "off", schedule: "daily", storage: "pbs", all: true, enabled: false });
        const elsewhere = custom(T.backupJob, "elsewhere", {
            resourceId: "x",
            schedule: "daily",
            storage: "pbs",
            all: true,
            node: "pve-network",
        });
        expect(check(rule, [...compliantStack(), off, elsewhere])).toEqual([]);
    });
    it("treats an empty exclusion reason as none", () => {
        expect(check(rule, withOutputs(compliantStack(), "pbs", { backupExclusionReason: " " }))).toEqual([
            "Guest pbs-vm is in no backup job. Give it a backup tier, or exclude it from backups with a reason.",
        ]);
    });
});

describe("proxmox-nas-not-on-dependent-node", () => {
    const rule = "proxmox-nas-not-on-dependent-node";
    const nfs = (nodes?: string[]) =>
        custom(T.nfs, "nas-share", { resourceId: "nas", server: "192.168.30.41", export: "/srv", ...(nodes ? { nodes } : {}) });
    it("accepts NFS served by a guest to other nodes only", () =>
        expect(check(rule, [...compliantStack(), nfs(["pve-network"])])).toEqual([]));
    it("flags a guest serving storage to the node it runs on (all nodes when unrestricted)", () => {
        const expected = [
            'Guest cloud-container serves storage "nas" (192.168.30.41) to node pve-storage and runs on that node, so the node depends on its own guest. Run the NAS on another node, or do not mount its storage there.',
        ];
        expect(check(rule, [...compliantStack(), nfs(["pve-storage"])])).toEqual(expected);
        expect(check(rule, [...compliantStack(), nfs()])).toEqual(expected);
    });
    it("names the guest's and the storage's inventory keys when both come from the inventory", () => {
        const storages = component(STORAGES, "storages", { ids: ["nas"] });
        const share = custom(
            T.nfs,
            "storages-nas",
            { resourceId: "nas", server: "192.168.30.41", export: "/srv", nodes: ["pve-storage"] },
            { parent: storages.urn },
        );
        const stack = withOutputs(compliantStack(), "cloud", { inventoryKey: "guests.cloud" });
        expect(check(rule, [...stack, storages, share])).toEqual([
            'Guest `guests.cloud` serves storage "nas" (192.168.30.41) to node pve-storage and runs on that node, so the node depends on its own guest. Run the NAS on another node (`guests.cloud.node`), or leave pve-storage out of `storages.nas.nodes`.',
        ]);
    });
});

describe("proxmox-guest-firewall", () => {
    const rule = "proxmox-guest-firewall";
    it("accepts guests with NIC firewalls and DROP options", () => expect(check(rule, compliantStack())).toEqual([]));
    it("flags a NIC with the firewall off", () => {
        const stack = replace(compliantStack(), "cloud-container", (r) =>
            mutate<ContainerInputs>(r, (i) => delete i.networkInterfaces![0].firewall),
        );
        expect(check(rule, stack)).toEqual([
            "Guest cloud-container: NIC eth0 has the firewall off (`networkInterfaces[0].firewall`). Set `firewall: true`.",
        ]);
    });
    it("flags a guest without firewall options", () => {
        const stack = compliantStack().filter((r) => r.name !== "pbs-firewall");
        expect(check(rule, stack)).toEqual([
            'Guest pbs-vm has no firewall options (firewall.OptionsLegacy), so its firewall is off. Add options with `enabled: true` and `inputPolicy: "DROP"`.',
        ]);
    });
    it("flags options that are off or accept inbound", () => {
        const stack = replace(compliantStack(), "cloud-firewall", (r) => ({
            ...r,
            inputs: { ...r.inputs, enabled: false, inputPolicy: "ACCEPT" },
        }));
        expect(check(rule, stack)).toEqual([
            "The firewall options of guest cloud-container do not set `enabled: true`, so its firewall is off. Set `enabled: true`.",
            'The firewall options of guest cloud-container set the inbound policy to "ACCEPT". Set `inputPolicy: "DROP"` and allow what the guest serves with rules.',
        ]);
    });
});

describe("offsite-bucket-hardened", () => {
    const rule = "offsite-bucket-hardened";
    const without = (name: string) => compliantStack().filter((r) => r.name !== name);
    it("accepts the hardened bucket", () => expect(check(rule, compliantStack())).toEqual([]));
    it.each([
        [
            "offsite-versioning",
            'Bucket "attic-pbs-offsite" (offsite) is not versioned. Add a BucketVersioning with `versioningConfiguration.status: "Enabled"`.',
        ],
        [
            "offsite-encryption",
            'Bucket "attic-pbs-offsite" (offsite) has no default encryption. Add a BucketServerSideEncryptionConfiguration with an `sseAlgorithm` (AES256 or aws:kms).',
        ],
        [
            "offsite-public-access",
            'Bucket "attic-pbs-offsite" (offsite) has no BucketPublicAccessBlock, so a policy or ACL can make it public. Add one with `blockPublicAcls`, `blockPublicPolicy`, `ignorePublicAcls`, `restrictPublicBuckets` all true.',
        ],
        [
            "offsite-lifecycle",
            'Bucket "attic-pbs-offsite" (offsite) never expires noncurrent versions, so deleted and overwritten backups are kept (and billed) forever. Add a lifecycle rule with `noncurrentVersionExpiration.noncurrentDays`.',
        ],
    ])("refuses the bucket without %s", (name, message) => expect(check(rule, without(name))).toEqual([message]));
    it.each(["b2", "minio"])("accepts a %s bucket without a public access block: the service has none", (service) => {
        const stack = replace(without("offsite-public-access"), "offsite", (r) =>
            mutate<BucketInputs>(r, (i) => (i.tags = { ...(i.tags as Record<string, string>), "s3-service": service })),
        );
        expect(check(rule, stack)).toEqual([]);
    });
    it("still refuses a public ACL on a B2 bucket, and an AWS bucket without the block", () => {
        const b2 = replace(without("offsite-public-access"), "offsite", (r) =>
            mutate<BucketInputs>(r, (i) => ((i.tags = { "s3-service": "b2" }), (i.acl = "public-read"))),
        );
        expect(check(rule, b2)).toEqual([
            'Bucket "attic-pbs-offsite" (offsite) has the public ACL "public-read". Use the private ACL (or none) and bucket-owner-enforced ownership.',
        ]);
        const aws = replace(without("offsite-public-access"), "offsite", (r) =>
            mutate<BucketInputs>(r, (i) => (i.tags = { "s3-service": "aws" })),
        );
        expect(check(rule, aws)).toHaveLength(1);
    });
    it("refuses suspended versioning, a partial public access block, a public ACL and forceDestroy", () => {
        let stack = replace(compliantStack(), "offsite-versioning", (r) => ({
            ...r,
            inputs: { ...r.inputs, versioningConfiguration: { status: "Suspended" } },
        }));
        stack = replace(stack, "offsite-public-access", (r) => ({
            ...r,
            inputs: { ...r.inputs, blockPublicPolicy: false, restrictPublicBuckets: undefined },
        }));
        stack = replace(stack, "offsite", (r) => mutate<BucketInputs>(r, (i) => ((i.forceDestroy = true), (i.acl = "public-read"))));
        expect(check(rule, stack)).toEqual([
            'Bucket "attic-pbs-offsite" (offsite) sets `forceDestroy: true`, so deleting the resource deletes every backup in it. Remove `forceDestroy`.',
            'Bucket "attic-pbs-offsite" (offsite) is not versioned. Add a BucketVersioning with `versioningConfiguration.status: "Enabled"`.',
            'Bucket "attic-pbs-offsite" (offsite) does not block all public access: `blockPublicPolicy`, `restrictPublicBuckets` are not true. Set all four to true.',
            'Bucket "attic-pbs-offsite" (offsite) has the public ACL "public-read". Use the private ACL (or none) and bucket-owner-enforced ownership.',
        ]);
    });
    it("does not take another bucket's sub-resources for this one's", () => {
        const other = custom(T.bucketV2, "other", { bucket: "other-bucket" });
        expect(check(rule, [...compliantStack(), other])).toHaveLength(4);
    });
    it("links sub-resources by dependency when the bucket name is not literal, and accepts the deprecated inline settings", () => {
        const subs = offsiteBucket()
            .slice(1)
            .map((r) => ({ ...r, inputs: { ...r.inputs, bucket: "offsite-id" } }));
        const bucket = custom(T.bucket, "offsite", { tags: BUCKET.tags });
        expect(check(rule, [bucket, ...subs])).toEqual([]);
        const inline = custom(T.bucketV2, "inline", {
            bucket: "inline",
            versioning: { enabled: true },
            serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } },
            lifecycleRules: [{ enabled: true, noncurrentVersionExpiration: { days: 30 } }],
        });
        const block = custom(T.publicAccessBlock, "inline-pab", {
            bucket: "inline",
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(check(rule, [inline, block])).toEqual([]);
    });
});

describe("offsite-bucket-no-object-lock-for-pbs", () => {
    const rule = "offsite-bucket-no-object-lock-for-pbs";
    it("accepts a PBS bucket without Object Lock", () => expect(check(rule, compliantStack())).toEqual([]));
    it("refuses Object Lock on the bucket or as a sub-resource", () => {
        const inline = replace(compliantStack(), "offsite", (r) => mutate<BucketInputs>(r, (i) => (i.objectLockEnabled = true)));
        expect(check(rule, inline)).toEqual([
            'Bucket "attic-pbs-offsite" (offsite) is written by Proxmox Backup Server but enables Object Lock (`objectLockEnabled`), which breaks its garbage collection. Turn Object Lock off; rely on versioning for recovery.',
        ]);
        const lock = custom(T.objectLock, "offsite-lock", {
            bucket: "attic-pbs-offsite",
            rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
        });
        expect(check(rule, [...compliantStack(), lock])).toEqual([
            'Bucket "attic-pbs-offsite" (offsite) is written by Proxmox Backup Server but enables Object Lock (BucketObjectLockConfiguration offsite-lock), which breaks its garbage collection. Turn Object Lock off; rely on versioning for recovery.',
        ]);
    });
    it("allows Object Lock on a bucket PBS does not write to", () => {
        const stack = replace(compliantStack(), "offsite", (r) =>
            mutate<BucketInputs>(r, (i) => ((i.objectLockEnabled = true), (i.tags = { "serves-pbs": "false" }))),
        );
        expect(check(rule, stack)).toEqual([]);
    });
});

/** The offsite bucket under its `OffsiteBucket` component, with these component outputs and no tags. */
function bucketUnderComponent(outputs: Record<string, unknown>): PolicyResourceInput[] {
    const comp = component("homelab:backup:OffsiteBucket", "offsite-component", outputs);
    return offsiteBucket().map((r) =>
        r.name === "offsite" ? { ...r, parent: comp.urn, inputs: { bucket: BUCKET.bucket } } : { ...r, parent: comp.urn },
    );
}
const reason = (support: true | { reason: string }) => (support === true ? "" : support.reason);

describe("offsite-bucket-no-object-lock-for-pbs on a bucket without tags", () => {
    it("reads servesPbs from the offsite bucket component above it (B2 and R2 take no tags)", () => {
        const stack = bucketUnderComponent({ service: "b2", servesPbs: true, skipped: {} }).map((r) =>
            r.name === "offsite" ? mutate<BucketInputs>(r, (i) => (i.objectLockEnabled = true)) : r,
        );
        const withComponent = [
            component("homelab:backup:OffsiteBucket", "offsite-component", { service: "b2", servesPbs: true }),
            ...stack,
        ];
        expect(check("offsite-bucket-no-object-lock-for-pbs", withComponent)).toEqual([
            'Bucket "attic-pbs-offsite" (offsite) is written by Proxmox Backup Server but enables Object Lock (`objectLockEnabled`), which breaks its garbage collection. Turn Object Lock off; rely on versioning for recovery.',
        ]);
    });
});

describe("offsite-bucket-service-calls (the S3 service table, S1–S5)", () => {
    const rule = "offsite-bucket-service-calls";
    const tagged = (service: string, stack = compliantStack()) =>
        replace(stack, "offsite", (r) =>
            mutate<BucketInputs>(r, (i) => (i.tags = { ...(i.tags as Record<string, string>), "s3-service": service })),
        );
    const B2 = S3_SERVICE_FEATURES.b2;
    const MINIO = S3_SERVICE_FEATURES.minio;

    it("accepts the AWS bucket with all its settings, and judges no bucket whose service is unknown", () => {
        expect(check(rule, tagged("aws"))).toEqual([]);
        expect(check(rule, compliantStack())).toEqual([]);
    });

    it("refuses tags, a versioning call, a public access block and an S3 lifecycle on B2 (S5, S3)", () => {
        const lifecycle = B2.lifecycle.via === "service" ? B2.lifecycle : undefined;
        expect(check(rule, tagged("b2"))).toEqual([
            `Bucket "attic-pbs-offsite" (offsite) on Backblaze B2 has tags, which the service cannot take: ${reason(B2.tags)}. Remove the tags.`,
            `Bucket "attic-pbs-offsite" (offsite) on Backblaze B2 has a versioning resource (offsite-versioning), a call the service does not implement: ${reason(B2.versioning)}. Remove it.`,
            `Bucket "attic-pbs-offsite" (offsite) on Backblaze B2 has a public access block (offsite-public-access), a call the service does not implement: ${reason(B2.publicAccessControls)}. Remove it.`,
            `Bucket "attic-pbs-offsite" (offsite) on Backblaze B2 has an S3 lifecycle resource (offsite-lifecycle) the service does not echo back exactly, so it never converges (S3): ${lifecycle?.reason}; set the retention in the service instead: ${lifecycle?.setUp}.`,
        ]);
    });

    it("accepts the B2 bucket the component builds: no tags, no versioning, no block, no lifecycle, AES256", () => {
        const stack = bucketUnderComponent({ service: "b2", servesPbs: true, skipped: {} }).filter(
            (r) => !["offsite-versioning", "offsite-public-access", "offsite-lifecycle"].includes(r.name),
        );
        const all = [component("homelab:backup:OffsiteBucket", "offsite-component", { service: "b2", servesPbs: true }), ...stack];
        expect(check(rule, all)).toEqual([]);
        // and the hardening rule waives what B2 lacks or keeps in the service, from the same table
        expect(check("offsite-bucket-hardened", all)).toEqual([]);
    });

    it("refuses AES256 default encryption on MinIO without a KMS key (S2), and accepts aws:kms with one", () => {
        expect(check(rule, tagged("minio")).filter((m) => m.includes("encryption"))).toEqual([
            `Bucket "attic-pbs-offsite" (offsite) on MinIO has default encryption with the service's keys (offsite-encryption), which the service refuses: ${reason(MINIO.defaultEncryption)}.`,
        ]);
        const kms = replace(tagged("minio"), "offsite-encryption", (r) => ({
            ...r,
            inputs: { ...r.inputs, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "pbs" } }] },
        }));
        expect(check(rule, kms).filter((m) => m.includes("encryption"))).toEqual([]);
    });

    it("refuses a lifecycle rule whose only action aborts incomplete uploads on MinIO (S1), besides the lifecycle resource itself (S3)", () => {
        const stack = replace(tagged("minio"), "offsite-lifecycle", (r) => ({
            ...r,
            inputs: {
                ...r.inputs,
                rules: [
                    { id: "expire-noncurrent", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 30 } },
                    { id: "abort", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
                ],
            },
        }));
        const lifecycleMessages = check(rule, stack).filter((m) => m.includes("lifecycle"));
        expect(lifecycleMessages).toHaveLength(2);
        expect(lifecycleMessages[0]).toMatch(
            /^Bucket "attic-pbs-offsite" \(offsite\) on MinIO has an S3 lifecycle resource \(offsite-lifecycle\)/,
        );
        expect(lifecycleMessages[1]).toBe(
            `Bucket "attic-pbs-offsite" (offsite) on MinIO has a lifecycle rule "abort" whose only action aborts incomplete uploads: ${reason(MINIO.abortOnlyLifecycleRule)}. Remove the rule.`,
        );
    });

    it("refuses an S3 lifecycle on R2 and names Cloudflare's resource instead", () => {
        const stack = bucketUnderComponent({ service: "r2", servesPbs: false }).filter((r) =>
            ["offsite", "offsite-lifecycle"].includes(r.name),
        );
        const all = [component("homelab:backup:OffsiteBucket", "offsite-component", { service: "r2", servesPbs: false }), ...stack];
        expect(check(rule, all)).toEqual([
            'Bucket "attic-pbs-offsite" (offsite) on Cloudflare R2 has an S3 lifecycle resource (offsite-lifecycle) the service does not echo back exactly, so it never converges (S3): set the lifecycle with cloudflare.R2BucketLifecycle instead.',
        ]);
    });

    it("refuses a KMS key on Wasabi, which has no KMS", () => {
        const stack = replace(tagged("wasabi"), "offsite-encryption", (r) => ({
            ...r,
            inputs: { ...r.inputs, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
        }));
        expect(check(rule, stack)).toContain(
            `Bucket "attic-pbs-offsite" (offsite) on Wasabi has default encryption with a KMS key (offsite-encryption), which the service refuses: ${reason(S3_SERVICE_FEATURES.wasabi.kmsEncryption)}.`,
        );
    });
});
