import { hostIds } from "../../lib/idmap";
import { assertAbsolutePath, assertDatasetPath, assertHostId, assertMode, shellQuote } from "../../lib/shell";
import {
    MANAGED_PROPERTIES,
    ZfsDatasetSpec,
    createScript,
    deleteScript,
    expectedValue,
    parseZfsGet,
    readScript,
    updateScript,
    validateSpec,
    zfsSizeBytes,
} from "../../lib/zfs";

const photos: ZfsDatasetSpec = {
    path: "tank/photos",
    properties: { recordsize: "1M", compression: "on", quota: "4T" },
    owner: { uid: 101000, gid: 101000, mode: "0750" },
    allowDestroy: false,
};

describe("shellQuote", () => {
    it.each([
        ["plain", "'plain'"],
        ["", "''"],
        ["/srv/my data", "'/srv/my data'"],
        ["it's", "'it'\\''s'"],
        ["$(reboot)", "'$(reboot)'"],
        ["`id`", "'`id`'"],
        ["a\nb", "'a\nb'"],
    ])("quotes %j as %s", (value, quoted) => {
        expect(shellQuote(value)).toBe(quoted);
    });

    it("refuses a NUL byte, which no shell argument can hold", () => {
        expect(() => shellQuote("a\0b")).toThrow('a shell argument cannot hold a NUL byte, got "a\\u0000b"');
    });
});

describe("validators", () => {
    it.each(["tank/photos", "tank/my:data.v2", "rpool/appdata/edge", "Tank_1/a-b/c.d"])("accepts the dataset name %j", (name) => {
        expect(assertDatasetPath("path", name)).toBe(name);
    });

    it.each([
        "tank/x;rm -rf /",
        "tank/$(reboot)",
        "tank/`reboot`",
        "tank/x\ntouch /tmp/pwned",
        "tank/../etc",
        "tank/./x",
        "tank/x y",
        "tank/x'y",
        "tank",
        "/tank/x",
        "tank/x/",
        "-tank/x",
        `tank/${"a".repeat(251)}`,
    ])("refuses the dataset name %j", (name) => {
        expect(() => assertDatasetPath("path", name)).toThrow(`[path] must be a ZFS dataset name such as tank/photos`);
        expect(() => assertDatasetPath("path", name)).toThrow(JSON.stringify(name));
    });

    it.each(["/tank/photos", "/srv/my data", "/mnt/a@b+c:d-e_f.g", "/srv/x/"])("accepts the path %j", (p) => {
        expect(assertAbsolutePath("mountpoint", p)).toBe(p);
    });

    it.each(["relative", "/tank/../etc", "/tank/./x", "/srv/$(reboot)", "/srv/`id`", "/srv/a\nb", "/srv/a;b", "/srv/a'b", "/srv//x"])(
        "refuses the path %j",
        (p) => {
            expect(() => assertAbsolutePath("mountpoint", p)).toThrow(
                `[mountpoint] must be an absolute path of letters, digits, spaces and _ . @ + : - with no . or .. components, such as /tank/photos, got ${JSON.stringify(p)}`,
            );
        },
    );

    it.each([0, 33, 101000, 4294967294])("accepts the host id %j", (id) => {
        expect(assertHostId("owner.uid", id)).toBe(id);
    });

    it.each([-1, 1.5, 4294967295, Number.NaN])("refuses the host id %j", (id) => {
        expect(() => assertHostId("owner.uid", id)).toThrow(
            `[owner.uid] must be an integer host id from 0 to 4294967294, such as 101000, got ${JSON.stringify(id)}`,
        );
    });

    it.each(["0750", "750", "0700"])("accepts the mode %j", (mode) => {
        expect(assertMode("owner.mode", mode)).toBe(mode);
    });

    it.each(["4755", "0758", "rwx", "0750; reboot", ""])("refuses the mode %j", (mode) => {
        expect(() => assertMode("owner.mode", mode)).toThrow(
            `[owner.mode] must be an octal mode such as 0750, got ${JSON.stringify(mode)}`,
        );
    });
});

describe("sizes and expected values", () => {
    it.each([
        ["512", "512"],
        ["16K", "16384"],
        ["1M", "1048576"],
        ["4T", "4398046511104"],
        ["1.5T", "1649267441664"],
        ["0.1K", "102"],
        ["2P", "2251799813685248"],
    ])("zfs get -p prints %s as %s bytes", (size, bytes) => {
        expect(zfsSizeBytes("quota", size)).toBe(bytes);
    });

    it.each(["1.5", "4TB", "-1G", "", "1e3"])("refuses the size %j", (size) => {
        expect(() => zfsSizeBytes("properties.quota", size)).toThrow(
            `[properties.quota] must be a size such as 512G, 4T or 1.5T, got ${JSON.stringify(size)}`,
        );
    });

    it("refuses a size past 64 bits, which zfs set refuses as too large", () => {
        expect(zfsSizeBytes("quota", "16383P")).toBe("18445618173802708992");
        for (const size of ["16384P", "99999999999999999999T", "18446744073709551616"])
            expect(() => zfsSizeBytes("properties.quota", size)).toThrow(
                `[properties.quota] is more than ZFS can hold (sizes are 64-bit: less than 16384P), got ${JSON.stringify(size)}`,
            );
        expect(zfsSizeBytes("quota", "18446744073709551615")).toBe("18446744073709551615");
    });

    it.each([
        ["recordsize", "128K", "131072"],
        ["quota", "2T", "2199023255552"],
        ["reservation", "512G", "549755813888"],
        ["mountpoint", "/srv/x/", "/srv/x"],
        ["mountpoint", "/srv/my data", "/srv/my data"],
        ["compression", "zstd", "zstd"],
        ["sharenfs", "rw=@192.168.10.20/32,no_root_squash", "rw=@192.168.10.20/32,no_root_squash"],
    ] as const)("%s=%s reads back as %j", (property, value, expected) => {
        expect(expectedValue(property, value)).toBe(expected);
    });

    it("manages exactly the schema's properties, in its order", () => {
        expect(MANAGED_PROPERTIES).toEqual([
            "compression",
            "recordsize",
            "quota",
            "reservation",
            "atime",
            "xattr",
            "acltype",
            "mountpoint",
            "sharenfs",
        ]);
    });
});

describe("validateSpec", () => {
    it.each([
        [
            { ...photos, path: "tank/x;rm -rf /" },
            '[path] must be a ZFS dataset name such as tank/photos (pool/child, letters, digits and _ . : - only, no . or .. components), got "tank/x;rm -rf /"',
        ],
        [
            { ...photos, properties: { compression: "$(reboot)" } },
            '[properties.compression] must be one of on, off, lz4, zstd, gzip, lzjb, zle, got "$(reboot)"',
        ],
        [
            { ...photos, properties: { recordsize: "3K" } },
            '[properties.recordsize] must be one of 512, 1K, 2K, 4K, 8K, 16K, 32K, 64K, 128K, 256K, 512K, 1M, 2M, 4M, 8M, 16M, got "3K"',
        ],
        [
            { ...photos, properties: { quota: "4T`reboot`" } },
            '[properties.quota] must be a size such as 512G, 4T or 1.5T, got "4T`reboot`"',
        ],
        [
            { ...photos, properties: { mountpoint: "/tank/../etc" } },
            '[properties.mountpoint] must be a safe absolute path, got "/tank/../etc"',
        ],
        [
            { ...photos, properties: { mountpoint: "/srv/x\nreboot" } },
            '[properties.mountpoint] must be a safe absolute path, got "/srv/x\\nreboot"',
        ],
        [{ ...photos, properties: { sharenfs: "rw;reboot" } }, '[properties.sharenfs] must be off or export options, got "rw;reboot"'],
        [{ ...photos, properties: { checksum: "off" } }, '[properties.checksum] is not a property this program manages, got "off"'],
        [
            { ...photos, owner: { uid: 101000, gid: -1, mode: "0750" } },
            "[owner.gid] must be an integer host id from 0 to 4294967294, such as 101000, got -1",
        ],
        [
            { ...photos, owner: { uid: 101000, gid: 101000, mode: "0750 ; reboot" } },
            '[owner.mode] must be an octal mode such as 0750, got "0750 ; reboot"',
        ],
    ])("refuses a hostile or invalid spec (%#)", (spec, message) => {
        expect(() => validateSpec(spec as ZfsDatasetSpec)).toThrow(message);
        expect(() => createScript(spec as ZfsDatasetSpec)).toThrow(message);
        expect(() => updateScript(spec as ZfsDatasetSpec)).toThrow(message);
        expect(() => deleteScript({ ...(spec as ZfsDatasetSpec), allowDestroy: true })).toThrow(message);
    });

    it("refuses hostile names in readScript before building anything", () => {
        expect(() => readScript("tank/$(reboot)")).toThrow(
            '[path] must be a ZFS dataset name such as tank/photos (pool/child, letters, digits and _ . : - only, no . or .. components), got "tank/$(reboot)"',
        );
    });
});

describe("createScript", () => {
    it("renders the reference photos dataset", () => {
        expect(createScript(photos)).toMatchSnapshot();
    });

    it("starts with set -eu, checks zfs and the pool, and never destroys", () => {
        const s = createScript(photos);
        expect(s.split("\n").slice(0, 4)).toEqual([
            "# homelab: create ZFS dataset tank/photos (converges when it exists)",
            "set -eu",
            "DS='tank/photos'",
            "POOL='tank'",
        ]);
        expect(s).toContain('if ! command -v "$tool" >/dev/null 2>&1; then');
        expect(s).toContain('if ! err=$(zpool list -H -o name "$POOL" 2>&1); then');
        expect(s).not.toContain("destroy");
    });

    it("creates with parents and every given property as -o, then converges each one", () => {
        const s = createScript(photos);
        expect(s).toContain(`    zfs create -p -o 'compression=on' -o 'recordsize=1M' -o 'quota=4T' "$DS"`);
        expect(s).toContain(
            "converge 'compression' 'on' 'on'\nconverge 'recordsize' '1048576' '1M'\nconverge 'quota' '4398046511104' '4T'\n",
        );
    });

    it("resets every managed property the spec leaves out (quota and reservation to none)", () => {
        const s = createScript(photos);
        expect(s).toContain("reset 'reservation'\nreset 'atime'\nreset 'xattr'\nreset 'acltype'\nreset 'mountpoint'\nreset 'sharenfs'\n");
        expect(s).toContain('            quota | reservation) zfs set "$1=none" "$DS" ;;');
        expect(s).toContain('            *) zfs inherit "$1" "$DS" ;;');
    });

    it("sets the owner and mode of the mounted mountpoint, not recursively", () => {
        const s = createScript(photos);
        expect(s).toContain(`MP=$(zfs get -H -o value mountpoint "$DS")\nchown '101000:101000' "$MP"\nchmod '0750' "$MP"\n`);
        expect(s).not.toMatch(/chown -R|chmod -R/);
    });

    it("leaves ownership alone without an owner", () => {
        const s = createScript({ ...photos, owner: undefined });
        expect(s).not.toContain("chown");
        expect(s).not.toContain("chmod");
    });

    it("ends by printing the managed properties machine-readably", () => {
        const s = createScript(photos);
        expect(s.trimEnd().split("\n").at(-1)).toBe('zfs get -Hp -o property,value,source "$PRINT" "$DS"');
        expect(s).toContain("for p in compression recordsize quota reservation atime xattr acltype mountpoint sharenfs; do");
    });

    it("quotes odd but valid values: a mountpoint with a space and a dataset with a colon", () => {
        const s = createScript({ path: "tank/my:data.v2", properties: { mountpoint: "/srv/my data" }, allowDestroy: false });
        expect(s).toContain("DS='tank/my:data.v2'\nPOOL='tank'\n");
        expect(s).toContain(`zfs create -p -o 'mountpoint=/srv/my data' "$DS"`);
        expect(s).toContain("converge 'mountpoint' '/srv/my data' '/srv/my data'");
    });

    it("with no property set, creates plainly and resets all managed properties", () => {
        const s = createScript({ path: "tank/shared", properties: {}, allowDestroy: false });
        expect(s).toContain(`    zfs create -p "$DS"`);
        expect(s).not.toMatch(/^converge /m);
        expect(s.match(/^reset '/gm)).toHaveLength(MANAGED_PROPERTIES.length);
    });
});

describe("updateScript", () => {
    it("renders the reference photos dataset", () => {
        expect(updateScript(photos)).toMatchSnapshot();
    });

    it("converges exactly like create; only the title and the message for a missing dataset differ", () => {
        const create = createScript(photos).split("\n");
        const update = updateScript(photos).split("\n");
        expect(update).toHaveLength(create.length);
        expect(update.map((line, i) => [create[i], line]).filter(([a, b]) => a !== b)).toEqual([
            [
                "# homelab: create ZFS dataset tank/photos (converges when it exists)",
                "# homelab: update ZFS dataset tank/photos (converges when it exists)",
            ],
            [
                '    echo "homelab: creating $DS" >&2',
                '    echo "homelab: $DS is missing (destroyed outside this program?); creating it empty" >&2',
            ],
        ]);
    });
});

describe("deleteScript", () => {
    it("without allowDestroy leaves the data and exits 0", () => {
        expect(deleteScript(photos)).toBe(
            [
                "# homelab: keep ZFS dataset tank/photos (allowDestroy is false)",
                "set -eu",
                "echo 'homelab: leaving ZFS dataset tank/photos and its data on disk (allowDestroy is false); destroy it by hand if it is no longer needed' >&2",
                "exit 0",
                "",
            ].join("\n"),
        );
    });

    it("with allowDestroy renders the guarded destroy", () => {
        expect(deleteScript({ ...photos, allowDestroy: true })).toMatchSnapshot();
    });

    it("with allowDestroy checks children, snapshots, files and referenced bytes before a plain destroy", () => {
        const s = deleteScript({ ...photos, allowDestroy: true });
        expect(s).toContain(`CHILDREN=$(zfs list -H -o name -r -t filesystem,volume "$DS" | awk -v ds="$DS" '$0 != ds')`);
        expect(s).toContain('SNAPSHOTS=$(zfs list -H -o name -t snapshot -r "$DS")');
        expect(s).toContain('LISTING=$(ls -A -- "$MP")');
        expect(s).toContain('if [ "$REFERENCED" -gt 1048576 ]; then');
        expect(s.match(/zfs destroy/g)).toEqual(["zfs destroy"]);
        expect(s).toContain('\nif [ "$(zfs get -H -o value mounted "$DS")" = yes ]; then zfs unmount "$DS"; fi\n');
        expect(s).toContain('\ntries=1\nuntil zfs destroy "$DS"; do\n    if [ "$tries" -ge 5 ]; then\n        zfs mount "$DS"\n');
        expect(s).not.toMatch(/destroy -[a-zA-Z]/);
    });

    it("quotes the dataset of the keep message", () => {
        expect(deleteScript({ path: "tank/my:data.v2", properties: {}, allowDestroy: false })).toContain(
            "echo 'homelab: leaving ZFS dataset tank/my:data.v2 and its data on disk",
        );
    });
});

describe("readScript", () => {
    it("checks zfs and the pool, then prints the managed properties", () => {
        const s = readScript("tank/photos");
        expect(s.split("\n").slice(0, 4)).toEqual([
            "# homelab: read ZFS dataset tank/photos",
            "set -eu",
            "DS='tank/photos'",
            "POOL='tank'",
        ]);
        expect(s.trimEnd().split("\n").at(-1)).toBe('zfs get -Hp -o property,value,source "$PRINT" "$DS"');
        expect(s).not.toMatch(/zfs (set|create|inherit|destroy)|chown|chmod/);
    });
});

describe("parseZfsGet", () => {
    it("parses zfs get -Hp -o property,value,source output", () => {
        const stdout =
            "compression\ton\tlocal\nrecordsize\t1048576\tlocal\nquota\t4398046511104\tlocal\nreservation\t0\tdefault\nmountpoint\t/srv/my data\tinherited from tank\n";
        expect(parseZfsGet(stdout)).toEqual({
            compression: { value: "on", source: "local" },
            recordsize: { value: "1048576", source: "local" },
            quota: { value: "4398046511104", source: "local" },
            reservation: { value: "0", source: "default" },
            mountpoint: { value: "/srv/my data", source: "inherited from tank" },
        });
    });

    it("gives {} for empty output (mocks and previews)", () => {
        expect(parseZfsGet("")).toEqual({});
        expect(parseZfsGet("\n")).toEqual({});
    });

    it("refuses a line of another shape", () => {
        expect(() => parseZfsGet("Welcome to the node\n")).toThrow(
            'unexpected line in zfs get output (want property<TAB>value<TAB>source): "Welcome to the node"',
        );
    });
});

describe("hostIds", () => {
    it.each([
        [{ uid: 1000, gid: 1000 }, {}, { uid: 101000, gid: 101000 }],
        [{ uid: 33, gid: 33 }, {}, { uid: 100033, gid: 100033 }],
        [{ uid: 0, gid: 0 }, {}, { uid: 100000, gid: 100000 }],
        [{ uid: 1000, gid: 1000 }, { privileged: { reason: "iGPU and TUN device" } }, { uid: 1000, gid: 1000 }],
    ])("maps %j in %j to %j", (owner, container, expected) => {
        expect(hostIds(owner, container)).toEqual(expected);
    });

    it("refuses ids outside the container's range", () => {
        expect(() => hostIds({ uid: 65536, gid: 0 }, {})).toThrow(
            "[owner.uid] must be an id inside the container from 0 to 65535, got 65536",
        );
        expect(() => hostIds({ uid: 0, gid: -1 }, {})).toThrow("[owner.gid] must be an id inside the container from 0 to 65535, got -1");
    });
});
