/** Rows of the replacement table: guest and cluster firewalls, backup jobs, HA, replication, hardware mappings, access control. */
import { BPG, ResourceRules, rules } from "./rule";

export const CLUSTER_ROWS: readonly ResourceRules[] = [
    // Guest firewall, cluster firewall, backups, HA, replication.
    {
        types: ["proxmoxve:firewall/optionsLegacy:OptionsLegacy", "proxmoxve:firewall/rulesLegacy:RulesLegacy"],
        kind: "custom",
        replaceOn: [],
        schema: `${BPG} proxmoxtf/resource/firewall/options.go, rules.go, selector.go (no ForceNew field: a new node or guest id is an update)`,
    },
    {
        types: ["proxmoxve:firewall/ipsetLegacy:IpsetLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} proxmoxtf/resource/firewall/ipset.go`, "cidrs"),
        schema: `${BPG} proxmoxtf/resource/firewall/ipset.go`,
    },
    {
        types: ["proxmoxve:cluster/firewallLegacy:FirewallLegacy"],
        kind: "custom",
        replaceOn: [],
        schema: `${BPG} proxmoxtf/resource/cluster/firewall/firewall.go (no ForceNew field)`,
    },
    {
        types: ["proxmoxve:backup/job:Job"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/cluster/backup/resource.go`, "resourceId"),
        schema: `${BPG} fwprovider/cluster/backup/resource.go`,
    },
    {
        types: ["proxmoxve:index/haresource:Haresource", "proxmoxve:index/haresourceLegacy:HaresourceLegacy"],
        kind: "custom",
        replaceOn: [],
        updateNotes: [
            {
                path: "resourceId",
                note: "the update is sent to the HA resource of the id in the state (the old guest); the new id is not added to HA",
                source: `${BPG} fwprovider/cluster/ha/resource_haresource.go Update`,
            },
        ],
        schema: `${BPG} fwprovider/cluster/ha/resource_haresource.go (no RequiresReplace attribute)`,
    },
    {
        types: ["proxmoxve:index/hagroup:Hagroup", "proxmoxve:index/hagroupLegacy:HagroupLegacy"],
        kind: "custom",
        replaceOn: [],
        schema: `${BPG} fwprovider/cluster/ha/resource_hagroup.go (no RequiresReplace attribute)`,
    },
    {
        types: ["proxmoxve:index/harule:Harule", "proxmoxve:index/haruleLegacy:HaruleLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/cluster/ha/resource_harule.go`, "rule", "type"),
        schema: `${BPG} fwprovider/cluster/ha/resource_harule.go`,
    },
    {
        types: ["proxmoxve:index/replication:Replication", "proxmoxve:index/replicationLegacy:ReplicationLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/cluster/replication/resource.go`, "resourceId", "target", "type"),
        schema: `${BPG} fwprovider/cluster/replication/resource.go`,
    },
    {
        types: [
            "proxmoxve:hardware/mapping/pci:Pci",
            "proxmoxve:hardware/mapping/pciLegacy:PciLegacy",
            "proxmoxve:hardware/mapping/usb:Usb",
            "proxmoxve:hardware/mapping/usbLegacy:UsbLegacy",
        ],
        kind: "custom",
        replaceOn: [],
        schema: `${BPG} fwprovider/cluster/hardwaremapping/resource_pci.go, resource_usb.go (no RequiresReplace attribute)`,
    },
    // Access control.
    {
        types: ["proxmoxve:index/acl:Acl", "proxmoxve:index/aclLegacy:AclLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/access/resource_acl.go`, "groupId", "path", "roleId", "tokenId", "userId"),
        schema: `${BPG} fwprovider/access/resource_acl.go`,
    },
    {
        types: ["proxmoxve:index/roleLegacy:RoleLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} proxmoxtf/resource/role.go`, "roleId"),
        schema: `${BPG} proxmoxtf/resource/role.go`,
    },
    {
        types: ["proxmoxve:index/userLegacy:UserLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} proxmoxtf/resource/user.go`, "userId"),
        schema: `${BPG} proxmoxtf/resource/user.go`,
    },
    {
        types: ["proxmoxve:user/token:Token", "proxmoxve:user/tokenLegacy:TokenLegacy"],
        kind: "custom",
        replaceOn: rules(`${BPG} fwprovider/access/resource_user_token.go`, "tokenName", "userId"),
        replaceNote:
            "a new token gets a new secret: whatever uses the old one (CI, the program's own credentials) must be given the new value",
        schema: `${BPG} fwprovider/access/resource_user_token.go`,
    },
];
