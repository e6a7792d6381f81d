/** Rows of the replacement table: containers, VMs and the node's own resources (downloads, files, bridges, its firewall). */
import { BPG, ResourceRules, rule, rules } from "./rule";

const CONTAINER_GO = `${BPG} proxmoxtf/resource/container/container.go`;
const VM_GO = `${BPG} proxmoxtf/resource/vm/vm.go`;
const CT_DESTROY = "pve-container src/PVE/API2/LXC.pm (destroy_vm)";
const VM_DESTROY = "qemu-server src/PVE/API2/Qemu.pm (destroy_vm)";

export const GUEST_AND_NODE_ROWS: readonly ResourceRules[] = [
    // Guests.
    {
        types: ["proxmoxve:index/containerLegacy:ContainerLegacy"],
        kind: "custom",
        replaceOn: [
            rule("vmId", "P8"),
            rule("nodeName", "P8"),
            rule("unprivileged", "P8"),
            rule("operatingSystem", "P8 (operatingSystem.templateFileId; the whole block is ForceNew)"),
            rule("initialization.userAccount", "P8 (keys, password)"),
            rule("mountPoints", "P8 (the whole mount_point list)"),
            ...rules(
                CONTAINER_GO,
                "clone.vmId",
                "clone.datastoreId",
                "clone.nodeName",
                "clone.full",
                "disk.datastoreId",
                "poolId",
                "template",
            ),
            rule("disk.size", `${CONTAINER_GO} (CustomizeDiff: shrinking the root disk)`, { when: "decreases" }),
        ],
        replaceNote:
            "the delete removes the container's firewall file (<vmid>.fw: options, rules, address sets), which the unchanged " +
            "firewall resources do not write again until a `pulumi refresh`; bpg deletes without purge, so Proxmox refuses " +
            `the delete while the container is an HA resource or has replication jobs (${CT_DESTROY}; ${CONTAINER_GO} containerDelete)`,
        schema: CONTAINER_GO,
    },
    {
        types: ["proxmoxve:index/vmLegacy:VmLegacy"],
        kind: "custom",
        replaceOn: [
            rule("vmId", `${VM_GO} (CustomizeDiff ForceNewIf vm_id)`),
            rule("nodeName", `${VM_GO} (CustomizeDiff ForceNewIf node_name unless migrate)`, { unlessTrue: "migrate" }),
            rule("disks[*].fileId", "P9"),
            ...rules(
                VM_GO,
                "clone.vmId",
                "clone.datastoreId",
                "clone.nodeName",
                "clone.full",
                "clone.retries",
                "amdSev",
                "initialization.type",
                "initialization.userDataFileId",
                "initialization.vendorDataFileId",
                "initialization.networkDataFileId",
                "initialization.metaDataFileId",
            ),
            rule("tpmState.version", `${VM_GO} (forceNewOnTPMVersionChange)`, { when: "both-set" }),
            rule("efiDisk.type", `${VM_GO} (forceNewOnEFIDiskTypeChange)`, { when: "both-set" }),
        ],
        replaceNote:
            "bpg deletes with purge (purge_on_destroy defaults to true): the VM's firewall file (<vmid>.fw), its replication " +
            "jobs, its HA resource and its place in backup jobs go with it, and the unchanged resources that set them do not " +
            `write them again until a \`pulumi refresh\` (${VM_DESTROY}; ${VM_GO} vmDelete)`,
        updateNotes: [
            {
                path: "disks[*].importFrom",
                note: "the provider records the new image but never imports into an existing disk again, so the VM keeps its system disk",
                source: `P9; ${BPG} proxmoxtf/resource/vm/disk/disk.go Update`,
            },
        ],
        schema: `${VM_GO}, proxmoxtf/resource/vm/disk/schema.go`,
    },
    // Node resources.
    {
        types: ["proxmoxve:download/file:File", "proxmoxve:download/fileLegacy:FileLegacy"],
        kind: "custom",
        replaceOn: rules(
            `${BPG} fwprovider/nodes/resource_download_file.go`,
            "contentType",
            "fileName",
            "datastoreId",
            "nodeName",
            "url",
            "checksum",
            "checksumAlgorithm",
            "decompressionAlgorithm",
        ),
        createFirstNote:
            "P13: the new download is created before the old file is deleted and fails with 'File already exists' unless the file name changes too",
        schema: `${BPG} fwprovider/nodes/resource_download_file.go`,
    },
    {
        types: ["proxmoxve:index/fileLegacy:FileLegacy"],
        kind: "custom",
        replaceOn: rules(
            `${BPG} proxmoxtf/resource/file.go`,
            "contentType",
            "datastoreId",
            "fileMode",
            "nodeName",
            "sourceFile",
            "sourceRaw",
        ),
        createFirstNote:
            "P28: the new file is uploaded over the old one (overwrite defaults to true), then the old one's delete removes it; set deleteBeforeReplace",
        schema: `${BPG} proxmoxtf/resource/file.go`,
    },
    {
        types: ["proxmoxve:network/linux/bridge:Bridge", "proxmoxve:network/linux/bridgeLegacy:BridgeLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/nodes/network/resource_linux_bridge.go`, "name"),
        schema: `${BPG} fwprovider/nodes/network/resource_linux_bridge.go (node_name is not RequiresReplace)`,
    },
    {
        types: ["proxmoxve:node/firewall:Firewall", "proxmoxve:node/firewallLegacy:FirewallLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/nodes/firewall/resource_node_firewall.go`, "nodeName"),
        schema: `${BPG} fwprovider/nodes/firewall/resource_node_firewall.go`,
    },
];
