/**
 * DatasetBackup under the recording mock harness: one remote command over the node's connection
 * with its host key, the exact install and remove scripts, the password only on stdin and secret,
 * and bad input refused before anything registers.
 */
import * as pulumi from "@pulumi/pulumi";
import { DatasetBackup, DatasetBackupArgs, missingFingerprintScript } from "../../components/datasetBackup";
import { datasetBackupInstallScript, datasetBackupRemoveScript } from "../../lib/datasetBackup";
import { shellcheck } from "../helpers/shellcheck";
import { record } from "../helpers/harness";
import { HOST_PUBLIC_KEY } from "../lib/pbs/keys";

const T = { component: "homelab:backup:DatasetBackup", command: "command:remote:Command" };
const FP = "7a:1b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09";
const CONNECTION = {
    host: "192.168.10.12",
    user: "root",
    privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\ntest\n",
    hostKey: HOST_PUBLIC_KEY,
};
const ARGS: DatasetBackupArgs = {
    connection: CONNECTION,
    dataset: "tank/photos",
    mountpoint: "/tank/photos",
    repository: { user: "pve@pbs", server: "192.168.30.20", datastore: "tank" },
    password: pulumi.secret("correct horse battery"),
    fingerprint: pulumi.output(FP),
    tier: "critical",
    namespace: "critical",
    cadence: { every: "day" },
    startTime: "05:30",
};

describe("DatasetBackup", () => {
    it("registers one remote command whose create and update install, and whose delete removes, exactly", async () => {
        const { recording } = await record(() => {
            new DatasetBackup("tank/photos", ARGS);
        });
        expect(recording.countsByType()).toEqual({ [T.command]: 1, [T.component]: 1, "pulumi:pulumi:Stack": 1 });
        const component = recording.one("tank/photos", T.component);
        const cmd = recording.one("tank/photos-backup", T.command);
        expect(cmd.parent).toBe(component.urn);
        const spec = {
            dataset: "tank/photos",
            mountpoint: "/tank/photos",
            repository: ARGS.repository,
            namespace: "critical",
            tier: "critical",
            cadence: { every: "day" as const },
            startTime: "05:30",
            fingerprint: FP,
        };
        expect(cmd.inputs.create).toBe(datasetBackupInstallScript(spec));
        expect(cmd.inputs.update).toBe(datasetBackupInstallScript(spec));
        expect(cmd.inputs.delete).toBe(datasetBackupRemoveScript(spec));
        expect(cmd.inputs.triggers).toEqual(["homelab-backup-tank-photos"]);
        expect(cmd.inputs.addPreviousOutputInEnv).toBe(false);
        expect(component.outputs).toEqual({
            dataset: "tank/photos",
            group: "host/tank-photos",
            namespace: "critical",
            timer: "homelab-backup-tank-photos.timer",
        });
    });

    it("talks to the node over its connection with the host key pinned, kept secret", async () => {
        const { recording } = await record(() => {
            new DatasetBackup("tank/photos", ARGS);
        });
        const cmd = recording.one("tank/photos-backup", T.command);
        expect(cmd.inputs.connection).toMatchObject(CONNECTION);
        expect(cmd.secretPaths).toContain("connection");
    });

    it("passes the password only on stdin, as a secret, and in no script", async () => {
        const { recording } = await record(() => {
            new DatasetBackup("tank/photos", ARGS);
        });
        const cmd = recording.one("tank/photos-backup", T.command);
        expect(cmd.inputs.stdin).toBe("correct horse battery\n");
        expect(cmd.secretPaths).toContain("stdin");
        for (const field of ["create", "update", "delete"]) expect(String(cmd.inputs[field])).not.toContain("correct horse battery");
    });

    it("installs nothing, and says why, if PBS's fingerprint is unknown (only where no command runs)", async () => {
        const { recording } = await record(() => {
            new DatasetBackup("tank/photos", { ...ARGS, fingerprint: pulumi.output(undefined) });
        });
        const script = missingFingerprintScript("tank/photos");
        expect(recording.one("tank/photos-backup", T.command).inputs.create).toBe(script);
        expect(script).toContain("exit 1\n");
        expect(shellcheck(script)).toEqual([]);
    });

    it.each([
        [{ dataset: "tank/$(reboot)" }, "[dataset] must be a ZFS dataset name"],
        [{ startTime: "25:00" }, '[startTime] must be HH:MM (24 h), got "25:00"'],
        [{ password: "short" }, "[password] must be 8 to 64 characters without control characters"],
        [{ repository: { user: "pve@pbs", server: "192.168.30.20", datastore: "t" } }, "[repository.datastore] must be 3–32 letters"],
    ])("refuses bad input before registering anything (%#)", async (change, message) => {
        let error: unknown;
        const { recording } = await record(() => {
            try {
                new DatasetBackup("x", { ...ARGS, ...change } as DatasetBackupArgs);
            } catch (e) {
                error = e;
            }
        });
        expect(String(error)).toContain(message);
        expect(recording.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });
});
