import { resourceRule } from "../define";
import { str } from "../props";
import { DOWNLOAD_FILE_TYPES } from "../tokens";

/**
 * Templates and images become the root filesystem of guests: without a pinned checksum a
 * compromised mirror or a truncated download goes straight into production.
 */
export const proxmoxDownloadChecksum = resourceRule({
    name: "proxmox-download-checksum",
    description: "Checks that every template, ISO or image downloaded to a node pins a checksum and its algorithm.",
    types: DOWNLOAD_FILE_TYPES,
    validate: (props, _ctx, report) => {
        const missing = (["checksum", "checksumAlgorithm"] as const).filter((f) => (str(props[f]) ?? "") === "");
        if (missing.length === 0) return;
        report(
            `The download of ${str(props.url) ?? "(no url)"} leaves ${missing.map((f) => `\`${f}\``).join(" and ")} unset, so a tampered or truncated file is accepted. Pin the published checksum with \`checksum\` and \`checksumAlgorithm\` (sha256 or sha512).`,
        );
    },
});
