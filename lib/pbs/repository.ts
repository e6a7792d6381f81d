/** A PBS repository as proxmox-backup-client names it: the user, the server and the datastore. */
import { assertHost, assertSafeId } from "./values";

/** Where the backups go: `<user>@<server>[:<port>]:<datastore>` for proxmox-backup-client. */
export interface PbsRepository {
    /** The PBS user (`pve@pbs`). */
    readonly user: string;
    /** PBS's address. */
    readonly server: string;
    /** @default 8007 */
    readonly port?: number;
    readonly datastore: string;
}

/** A user (or its API token) a client logs in to PBS as: `pve@pbs`, `root@pam`, `backup@pbs!client`. */
export const PBS_REPOSITORY_USER = /^[a-z0-9][a-z0-9_.-]{0,63}@(?:pbs|pam)(?:![A-Za-z0-9_-]+)?$/;

/** `<user>@<server>[:<port>]:<datastore>`, as proxmox-backup-client reads a repository. */
export function repositoryOf(r: PbsRepository): string {
    if (!PBS_REPOSITORY_USER.test(r.user))
        throw new Error(`[repository.user] must be a PBS user such as pve@pbs, got ${JSON.stringify(r.user)}`);
    assertHost("repository.server", r.server);
    if (r.port !== undefined && (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535))
        throw new Error(`[repository.port] must be a port from 1 to 65535, got ${JSON.stringify(r.port)}`);
    assertSafeId("repository.datastore", r.datastore);
    return `${r.user}@${r.server}${r.port === undefined ? "" : `:${r.port}`}:${r.datastore}`;
}
