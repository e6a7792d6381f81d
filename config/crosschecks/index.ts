/**
 * Rules between entities of a parsed inventory, one file per inventory section. Pure: each check
 * reports problems with the path, the fix and the entities they follow from; `crossCheck` runs
 * them all so one run reports everything.
 */
import { InventoryProblem } from "../errors";
import { Inventory } from "../schema";
import { checkCluster, checkNetworks, checkNodes } from "./cluster";
import { CheckContext } from "./context";
import { checkDatasets, checkMountPathsPerGuest } from "./datasets";
import { checkGuests } from "./guests";
import { checkBackups, checkDns, checkHa, checkOffsite } from "./services";
import { checkImages, checkMappings, checkStorages } from "./storage";
import { checkNodeSystem } from "./nodeSystem";
import { checkBackupScripts } from "./backupScripts";
import { checkCloudInitSnippets } from "./cloudInit";

export { CheckContext, own, systemPathReason } from "./context";
export {
    DECOMPRESSION_BY_SUFFIX,
    FORBIDDEN_GUEST_STORAGES,
    SHARED_KINDS,
    containerOsType,
    guestDiskStorageProblem,
    nodePools,
} from "./storage";
export { deviceAllowed, privilegedIdmapProblem } from "./containers";
export { vmCdromProblem, vmImageProblem, vmTpmProblem } from "./vms";

/** Runs every cross-check and returns all problems (empty when the inventory is coherent). */
export function crossCheck(inv: Inventory): InventoryProblem[] {
    const ctx = new CheckContext(inv);
    checkCluster(ctx);
    checkNetworks(ctx);
    checkNodes(ctx);
    checkStorages(ctx);
    checkMappings(ctx);
    checkImages(ctx);
    checkGuests(ctx);
    checkDatasets(ctx);
    checkMountPathsPerGuest(ctx);
    checkNodeSystem(ctx);
    checkBackupScripts(ctx);
    checkCloudInitSnippets(ctx);
    checkHa(ctx);
    checkDns(ctx);
    checkBackups(ctx);
    checkOffsite(ctx);
    return ctx.problems;
}
