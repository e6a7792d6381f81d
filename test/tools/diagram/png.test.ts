/**
 * `npm run diagram:png`: the source hash a PNG carries (written, read, replaced; the file stays a
 * well-formed PNG), where the browser comes from, and the command's failures before any browser
 * runs. Rendering itself needs Chromium and is not run here (nor in CI): the committed
 * docs/topology.png is checked by its hash (test/tools/diagram/main.test.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import {
    BROWSERS,
    SOURCE_KEYWORD,
    findBrowser,
    main,
    pngChunks,
    readSourceHash,
    sourceHash,
    withSourceHash,
} from "../../../tools/diagram/png";
import { sink } from "../project";
import { pngChunk, tinyPng } from "./tinyPng";

const ROOT = path.join(__dirname, "../../..");

/** Every chunk's CRC is right (what a PNG reader checks). */
function crcsHold(png: Buffer): boolean {
    let at = 8;
    while (at < png.length) {
        const length = png.readUInt32BE(at);
        const crc = png.readUInt32BE(at + 8 + length);
        if (zlib.crc32(png.subarray(at + 4, at + 8 + length)) !== crc) return false;
        at += 12 + length;
    }
    return true;
}

describe("the source hash in a PNG", () => {
    it("is the SHA-256 of the Mermaid text", () => {
        expect(sourceHash("a")).toBe("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
    });

    it("is written as a tEXt chunk before IEND, read back, and the file stays well-formed", () => {
        const png = withSourceHash(tinyPng(), "abc123");
        expect(pngChunks(png).map((c) => c.type)).toEqual(["IHDR", "IDAT", "tEXt", "IEND"]);
        expect(pngChunks(png)[2].data.toString("latin1")).toBe(`${SOURCE_KEYWORD}\0abc123`);
        expect(crcsHold(png)).toBe(true);
        expect(readSourceHash(png)).toBe("abc123");
    });

    it("replaces the hash it had, keeping other text chunks", () => {
        const other = pngChunk("tEXt", Buffer.from("Software\0mermaid", "latin1"));
        const base = tinyPng();
        const withOther = Buffer.concat([base.subarray(0, base.length - 12), other, base.subarray(base.length - 12)]);
        const twice = withSourceHash(withSourceHash(withOther, "old"), "new");
        expect(pngChunks(twice).map((c) => c.type)).toEqual(["IHDR", "IDAT", "tEXt", "tEXt", "IEND"]);
        expect(readSourceHash(twice)).toBe("new");
        expect(crcsHold(twice)).toBe(true);
    });

    it("reads nothing from a PNG without it, or from a file that is not a PNG", () => {
        expect(readSourceHash(tinyPng())).toBeUndefined();
        expect(readSourceHash(Buffer.from("not a png"))).toBeUndefined();
        expect(readSourceHash(tinyPng().subarray(0, 20))).toBeUndefined();
        expect(() => withSourceHash(Buffer.from("GIF89a"), "x")).toThrow("not a PNG file");
    });
});

describe("findBrowser", () => {
    it("takes PUPPETEER_EXECUTABLE_PATH first", () => {
        expect(findBrowser({ PUPPETEER_EXECUTABLE_PATH: "/opt/chrome/chrome", PATH: "/usr/bin" })).toBe("/opt/chrome/chrome");
    });

    it("else finds the first executable browser on PATH, in the order of BROWSERS", () => {
        const a = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-browser-"));
        const b = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-browser-"));
        fs.writeFileSync(path.join(a, "google-chrome"), "#!/bin/sh\n", { mode: 0o755 });
        fs.writeFileSync(path.join(a, "chromium"), "not executable\n", { mode: 0o644 });
        fs.writeFileSync(path.join(b, "chromium-browser"), "#!/bin/sh\n", { mode: 0o755 });
        expect(BROWSERS).toEqual(["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"]);
        expect(findBrowser({ PATH: [a, b].join(path.delimiter) })).toBe(path.join(a, "google-chrome"));
        expect(findBrowser({ PATH: [b, a].join(path.delimiter) })).toBe(path.join(b, "chromium-browser"));
        expect(findBrowser({ PATH: "" })).toBeUndefined();
    });
});

describe("npm run diagram:png, up to the browser", () => {
    function tempRoot(): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-diagram-png-"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.prod.yaml"), path.join(dir, "Pulumi.prod.yaml"));
        return dir;
    }

    it("exits 2 naming what to install when there is no browser, writing nothing", () => {
        const root = tempRoot();
        const err = sink();
        expect(main([], root, sink(), err, { PATH: "" })).toBe(2);
        expect(err.text()).toBe(
            "error: no Chromium found; install it (Debian: apt-get install chromium) or set PUPPETEER_EXECUTABLE_PATH\n",
        );
        expect(fs.existsSync(path.join(root, "docs"))).toBe(false);
    });

    it("reads the stack PULUMI_STACK names, and exits 2 naming a missing stack file", () => {
        const root = tempRoot();
        fs.copyFileSync(path.join(root, "Pulumi.prod.yaml"), path.join(root, "Pulumi.home.yaml"));
        const err = sink();
        expect(main([], root, sink(), err, { PATH: "", PULUMI_STACK: "acme/homelab/home" })).toBe(2);
        expect(err.text()).toContain("no Chromium found");
        const missing = sink();
        expect(main(["--stack", "lab"], root, sink(), missing, { PATH: "" })).toBe(2);
        expect(missing.text()).toBe(
            "error: Pulumi.lab.yaml: no such stack file; create it (copy Pulumi.prod.yaml, or pulumi stack init lab) or name another stack with --stack NAME\n",
        );
    });

    it("exits 2 on an invalid inventory before it looks for a browser", () => {
        const root = tempRoot();
        const stackFile = path.join(root, "Pulumi.prod.yaml");
        fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace("vmid: 30042", "vmid: 30043"));
        const err = sink();
        expect(main([], root, sink(), err, { PATH: "" })).toBe(2);
        expect(err.text()).toContain("guests.media.vmid");
    });

    it("explains itself with --help, and refuses --views without a directory", () => {
        const out = sink();
        expect(main(["--help"], tempRoot(), out, sink(), {})).toBe(0);
        expect(out.text().split("\n")[0]).toBe("usage: npm run -s diagram:png -- [--stack NAME] [--views DIR]");
        const err = sink();
        expect(main(["--views"], tempRoot(), sink(), err, {})).toBe(2);
        expect(err.text()).toBe("error: --views needs a value (DIR)\n");
    });
});
