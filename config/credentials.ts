/**
 * Which secrets an inventory needs beyond the Proxmox providers' own: one answer for the program
 * (program.ts asks config/loader.ts for exactly these) and for the CI credential gate
 * (tools/credential-gate.ts), which must not let a run start that would stop on a missing one.
 */
import { Inventory } from "./schema";

/**
 * What the PBS password is needed for, empty when nothing needs it: the PBS storage the program
 * defines (a PBS target it manages), and the dataset backups, which log in to PBS from the nodes
 * even when the storage exists already (`managed: false`).
 */
export function pbsPasswordUses(inv: Inventory): string[] {
    const target = inv.backups ? inv.storages[inv.backups.target] : undefined;
    if (target?.kind !== "pbs") return [];
    const datasets = Object.values(inv.datasets).some((d) => "tier" in d.backup);
    return [...(target.managed ? ["the PBS storage"] : []), ...(datasets ? ["the dataset backups"] : [])];
}

/** What a run is: a preview (pull requests), an update, or the drift check (a refreshing preview that must show no change). */
export type RunKind = "preview" | "up" | "drift";

/**
 * Whether a run needs the root@pam password. An update does (root@pam manages the token's user,
 * role and ACLs, and the guests that need root), and so does the drift check, which must see the
 * providers exactly as deployed. A preview with an API token does not: the root@pam provider then
 * previews with the token (components/providers.ts), so the password can stay with the protected
 * environment that runs `up`. Without a token (the bootstrap) everything goes through root@pam.
 */
export function rootPasswordNeeded(run: RunKind, apiTokenSet: boolean): boolean {
    return run !== "preview" || !apiTokenSet;
}
