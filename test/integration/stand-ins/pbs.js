/**
 * A recording stand-in of Proxmox Backup Server's command-line tools, for the integration tests:
 * `proxmox-backup-manager` (datastore, user, acl, verify-job, prune-job, sync-job, s3 endpoint,
 * cert info) and `proxmox-backup-debug api` (namespaces, the password endpoint). It is not PBS:
 * it keeps what the commands configure as JSON in files, answers `list --output-format json` with
 * the fields PBS prints (pbs-api-types), and records every call. PBS itself cannot be installed
 * on the test machine; the tests say so in their names.
 *
 * Usage: PBS_STAND_IN_DIR=<dir> node pbs.js <manager|debug> <args...>
 *   <dir>/state.json   what is configured
 *   <dir>/calls.jsonl  one JSON array of arguments per call
 *   <dir>/etc/         PBS's configuration directory: shadow.json and s3.cfg, as PBS writes them
 */
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const dir = process.env.PBS_STAND_IN_DIR;
if (!dir) fail("PBS_STAND_IN_DIR is not set");
const tool = process.argv[2];
const args = process.argv.slice(3);
fs.appendFileSync(
    path.join(dir, "calls.jsonl"),
    JSON.stringify([tool === "debug" ? "proxmox-backup-debug" : "proxmox-backup-manager", ...args]) + "\n",
);

const stateFile = path.join(dir, "state.json");
const etc = path.join(dir, "etc");
const state = fs.existsSync(stateFile)
    ? JSON.parse(fs.readFileSync(stateFile, "utf8"))
    : { datastore: [], user: [], acl: [], "verify-job": [], "prune-job": [], "sync-job": [], s3: [], namespaces: {} };

function fail(message) {
    process.stderr.write(`stand-in: ${message}\n`);
    process.exit(255);
}

function save() {
    fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
}

/** `--key value` options (a repeated `--delete` collects) and the positional arguments before them. */
function parse(list) {
    const positional = [];
    const options = {};
    const deletes = [];
    for (let i = 0; i < list.length; i++) {
        if (list[i].startsWith("--")) {
            const key = list[i].slice(2);
            const value = list[++i];
            if (value === undefined) fail(`option --${key} has no value`);
            if (key === "delete") deletes.push(value);
            else options[key] = value;
        } else positional.push(list[i]);
    }
    return { positional, options, deletes };
}

/** Values as PBS's JSON has them: numbers and booleans typed. */
function typed(value) {
    if (value === "true") return true;
    if (value === "false") return false;
    if (/^\d+$/.test(value)) return Number(value);
    return value;
}

function print(value) {
    process.stdout.write(JSON.stringify(value) + "\n");
}

function requireJson(options) {
    if (options["output-format"] !== "json") fail("the stand-in answers lists only with --output-format json");
}

/** list/create/update/remove of a kind of entry keyed by `key`. */
function table(kind, key, verb, rest, settable) {
    const { positional, options, deletes } = parse(rest);
    const rows = state[kind];
    if (verb === "list") {
        requireJson(options);
        return print(rows.map((r) => ({ ...r })));
    }
    const id = positional[0];
    if (!id) fail(`${kind} ${verb} needs an id`);
    const index = rows.findIndex((r) => r[key] === id);
    if (verb === "create") {
        if (index >= 0) fail(`${kind} '${id}' already exists.`);
        const row = { [key]: id };
        for (const [k, v] of Object.entries(options)) if (settable(k)) row[k] = typed(v);
        rows.push(row);
    } else if (verb === "update") {
        if (index < 0) fail(`${kind} '${id}' does not exist.`);
        for (const [k, v] of Object.entries(options)) if (settable(k)) rows[index][k] = typed(v);
        for (const k of deletes) delete rows[index][k];
    } else if (verb === "remove") {
        if (index < 0) fail(`${kind} '${id}' does not exist.`);
        rows.splice(index, 1);
    } else fail(`unknown verb ${kind} ${verb}`);
    save();
}

/** crypt(3) of a password with a fresh SHA-512 salt, as PBS stores hashes (PBS uses yescrypt; crypt verifies either). */
function hash(password) {
    const salt = Math.random().toString(36).slice(2, 12);
    return execFileSync("perl", ["-e", "print crypt($ARGV[0], '$6$' . $ARGV[1] . '$')", password, salt], { encoding: "utf8" });
}

function storePassword(userid, password) {
    const file = path.join(etc, "shadow.json");
    const shadow = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    shadow[userid.split("@")[0]] = hash(password);
    fs.writeFileSync(file, JSON.stringify(shadow, null, 2));
}

/** s3.cfg as PBS's section config writes it: `s3-endpoint: <id>`, then `\t<key> <value>` lines, a blank line between sections. */
function writeS3Config() {
    const text = state.s3
        .map((e) =>
            [
                `s3-endpoint: ${e.id}`,
                ...Object.entries(e)
                    .filter(([k]) => k !== "id")
                    .map(([k, v]) => `\t${k} ${v}`),
            ].join("\n"),
        )
        .join("\n\n");
    fs.writeFileSync(path.join(etc, "s3.cfg"), text === "" ? "" : text + "\n");
}

function manager() {
    const [group, verb, ...rest] = args;
    switch (group) {
        case "datastore":
            return table("datastore", "name", verb, verb === "create" ? [rest[0], "--path", rest[1], ...rest.slice(2)] : rest, (k) =>
                ["path", "gc-schedule", "backend", "comment"].includes(k),
            );
        case "user": {
            const { positional, options } = parse(rest);
            if (verb === "create" && options.password !== undefined) storePassword(positional[0], options.password);
            if (verb === "update" && options.enable === "true") {
                const user = state.user.find((u) => u.userid === positional[0]);
                if (user) delete user.enable;
                save();
                return;
            }
            return table("user", "userid", verb, rest, (k) => ["comment", "enable"].includes(k));
        }
        case "acl": {
            const { positional, options, deletes } = parse(rest);
            if (verb === "list") {
                requireJson(options);
                return print(state.acl);
            }
            if (verb !== "update") fail(`unknown verb acl ${verb}`);
            const [aclPath, role] = positional;
            const ugid = options["auth-id"];
            const index = state.acl.findIndex((a) => a.path === aclPath && a.ugid === ugid && a.roleid === role);
            // `--delete true` on an ACL entry removes it (collected with the other --delete values).
            if (deletes.includes("true")) {
                if (index >= 0) state.acl.splice(index, 1);
            } else {
                const propagate = options.propagate === undefined ? true : options.propagate === "true";
                if (index >= 0) state.acl[index].propagate = propagate;
                else state.acl.push({ path: aclPath, ugid, ugid_type: "user", propagate, roleid: role });
            }
            return save();
        }
        case "verify-job":
        case "prune-job":
        case "sync-job":
            return table(group, "id", verb, rest, (k) => k !== "output-format");
        case "s3": {
            const [sub, ...tail] = [verb, ...rest];
            if (sub !== "endpoint") fail(`unknown command s3 ${sub}`);
            const [endpointVerb, ...endpointArgs] = tail;
            if (endpointVerb === "list") {
                requireJson(parse(endpointArgs).options);
                // PBS lists endpoints without their secret (S3ClientConfigWithoutSecret).
                return print(state.s3.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "secret-key"))));
            }
            table("s3", "id", endpointVerb, endpointArgs, (k) => k !== "output-format");
            return writeS3Config();
        }
        case "cert":
            if (verb !== "info") fail(`unknown command cert ${verb}`);
            process.stdout.write(
                [
                    "Subject: CN = pbs.lab.example.org",
                    "Issuer: CN = pbs.lab.example.org",
                    "Validity:",
                    "    Not Before: Jan  1 00:00:00 2026 GMT",
                    "    Not After : Jan  1 00:00:00 2126 GMT",
                    `Fingerprint (sha256): ${state.fingerprint ?? "7a:1b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09"}`,
                    "Public key type: rsaEncryption",
                    "Public key bits: 4096",
                    "",
                ].join("\n"),
            );
            return;
        default:
            fail(`unknown command ${group}`);
    }
}

function debug() {
    const [api, method, apiPath, ...rest] = args;
    if (api !== "api") fail(`unknown command ${api}`);
    const { options } = parse(rest);
    const ns = /^\/admin\/datastore\/([^/]+)\/namespace$/.exec(apiPath);
    if (ns) {
        const store = ns[1];
        if (!state.datastore.some((d) => d.name === store)) fail(`datastore '${store}' does not exist`);
        const list = (state.namespaces[store] = state.namespaces[store] ?? []);
        if (method === "get") {
            requireJson(options);
            return print([{ ns: "" }, ...list.map((n) => ({ ns: n }))]);
        }
        if (method === "create") {
            const name = options.parent ? `${options.parent}/${options.name}` : options.name;
            if (options.parent && !list.includes(options.parent)) fail(`parent namespace '${options.parent}' does not exist`);
            if (list.includes(name)) fail(`namespace '${name}' already exists`);
            list.push(name);
            return save();
        }
    }
    if (apiPath === "/access/password" && method === "set") {
        if (!state.user.some((u) => u.userid === options.userid)) fail(`user '${options.userid}' does not exist`);
        return storePassword(options.userid, options.password);
    }
    fail(`unknown api call ${method} ${apiPath}`);
}

fs.mkdirSync(etc, { recursive: true });
if (tool === "manager") manager();
else if (tool === "debug") debug();
else fail(`unknown tool ${tool}`);
