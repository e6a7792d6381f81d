/**
 * Leaves nothing running: stops the suite's sshd, destroys its pool, stops zfs-fuse when the
 * suite started it, and removes the working directory.
 */
import * as fs from "fs";
import { IntegrationState, WORK_DIR, destroyPool, readState, stopByPidFile } from "./environment";

/** Undoes what globalSetup prepared. Safe to run twice. */
export async function cleanup(state: Extract<IntegrationState, { available: true }>): Promise<void> {
    await stopByPidFile(state.sshdPidFile, state.sshdConfig);
    await destroyPool(state.pool);
    if (state.zfsFusePidFile !== undefined) await stopByPidFile(state.zfsFusePidFile, "zfs-fuse");
}

export default async function globalTeardown(): Promise<void> {
    const state = readState();
    if (state.available) await cleanup(state);
    fs.rmSync(WORK_DIR, { recursive: true, force: true });
}
