/**
 * A recording Pulumi mock runtime, shared by the tests (test/helpers) and the offline plan (tools/).
 *
 * `pulumi.runtime.setMocks` shows a mock only type, name, inputs and provider. We wrap the mock
 * monitor's `registerResource` and `registerResourceOutputs` to also see what the engine would:
 * parent, protect, dependsOn, ignoreChanges, retainOnDelete, property dependencies and the
 * outputs components register. Invokes must be answered by a handler; an unmocked invoke is
 * recorded as an error and rejected, so a test or plan can never silently depend on one.
 */
import * as pulumi from "@pulumi/pulumi";

/** Signature key the Pulumi wire format uses to mark special values. */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** Options of a registered resource, as the engine receives them. */
export interface RecordedOptions {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deleteBeforeReplace: boolean;
    readonly ignoreChanges: readonly string[];
    readonly replaceOnChanges: readonly string[];
    /** URNs from `dependsOn`. */
    readonly dependsOn: readonly string[];
    /** Provider reference (`urn::id`) for custom resources, when one was given or inherited. */
    readonly provider?: string;
    readonly aliases: number;
    /** The id given with the `import` option (an existing resource to adopt). */
    readonly importId?: string;
}

/** One resource as the engine saw it. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent?: string;
    readonly id?: string;
    /** Inputs with secrets unwrapped (see `secretPaths`). */
    readonly inputs: Record<string, unknown>;
    /** Dotted paths of inputs that arrived as secrets (`connection`, `password`, ...). */
    readonly secretPaths: readonly string[];
    /** Dotted paths of inputs whose value was unknown (only in preview). */
    readonly unknownPaths: readonly string[];
    readonly options: RecordedOptions;
    /** URNs this resource depends on: dependsOn plus every property dependency. */
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** Outputs a component registered (unwrapped), or the mock state of a custom resource. */
    outputs: Record<string, unknown>;
    /** Paths of registered outputs that are secret. */
    outputSecretPaths: string[];
}

/** An answered or refused invoke. */
export interface RecordedInvoke {
    readonly token: string;
    readonly inputs: Record<string, unknown>;
}

export type InvokeHandler = (inputs: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;
export type StateHandler = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;

export interface RecorderOptions {
    readonly project?: string;
    readonly stack?: string;
    readonly preview?: boolean;
    /** Answers per invoke token. Anything else fails. */
    readonly invokes?: Readonly<Record<string, InvokeHandler>>;
    /** Extra mock state per resource type (merged over the inputs). */
    readonly states?: Readonly<Record<string, StateHandler>>;
}

/** What a run recorded. */
export class Recording {
    readonly resources: RecordedResource[] = [];
    readonly invokes: RecordedInvoke[] = [];
    /** Unmocked invokes and other failures the runtime swallowed. */
    readonly errors: string[] = [];
    /**
     * What the engine would refuse in this program (a second resource with a URN already
     * registered), in the engine's words. The mock answers the call so the run goes on and every
     * refusal is listed, but the resource is not recorded twice.
     */
    readonly engineErrors: string[] = [];
    private readonly byUrn = new Map<string, RecordedResource>();

    add(r: RecordedResource): void {
        this.resources.push(r);
        this.byUrn.set(r.urn, r);
    }

    get(urn: string): RecordedResource | undefined {
        return this.byUrn.get(urn);
    }

    /** All resources of a type token. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource with this name (and type, if given); throws when absent or ambiguous. */
    one(name: string, type?: string): RecordedResource {
        const found = this.resources.filter((r) => r.name === name && (type === undefined || r.type === type));
        if (found.length !== 1) {
            throw new Error(`expected exactly one resource named ${name}${type ? ` of type ${type}` : ""}, found ${found.length}`);
        }
        return found[0];
    }

    /** Direct children of a resource. */
    childrenOf(urn: string): RecordedResource[] {
        return this.resources.filter((r) => r.parent === urn);
    }

    /** Counts of resources per type, sorted by type. */
    countsByType(): Record<string, number> {
        const counts: Record<string, number> = {};
        for (const r of this.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
        return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
    }
}

/** The stack resource's type: the engine leaves it out of its children's URNs. */
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The engine's error for a second resource with the same URN (pulumi/pkg/diag/errors.go, error 2001). */
function duplicateUrnMessage(urn: string): string {
    return `Duplicate resource URN '${urn}'; try giving it a unique name`;
}

/** Unwraps Pulumi wire values (secrets, resource references, unknowns), collecting their paths. */
function unwrapWire(value: unknown, path = "", secrets: string[] = [], unknowns: string[] = []): unknown {
    if (value === pulumi.runtime.unknownValue || value === "04da6b54-80e4-46f7-96ec-b56ff0331ba9") {
        unknowns.push(path);
        return undefined;
    }
    if (Array.isArray(value)) return value.map((v, i) => unwrapWire(v, `${path}[${i}]`, secrets, unknowns));
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG] === SECRET_SIG) {
            secrets.push(path);
            return unwrapWire(obj.value, path, secrets, unknowns);
        }
        if (obj[SIG] === RESOURCE_SIG) return obj.urn;
        if (pulumi.Resource.isInstance(value)) return "(resource)";
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = unwrapWire(v, path ? `${path}.${k}` : k, secrets, unknowns);
        return out;
    }
    return value;
}

interface ProtoStructLike {
    toJavaScript(): Record<string, unknown>;
}

/**
 * Installs the mock runtime with a recording monitor. Call before importing the program.
 * Returns the Recording that fills as resources register.
 */
export async function installRecorder(options: RecorderOptions = {}): Promise<Recording> {
    const recording = new Recording();
    const invokes = options.invokes ?? {};
    const states = options.states ?? {};
    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            const extra = states[args.type]?.(args) ?? {};
            return { id: args.id || `${args.name}-id`, state: { ...args.inputs, ...extra } };
        },
        call(args) {
            const inputs = unwrapWire(args.inputs) as Record<string, unknown>;
            recording.invokes.push({ token: args.token, inputs });
            const handler = invokes[args.token];
            if (!handler) {
                // Answer empty rather than reject: a rejected invoke crashes the process as an
                // unhandled rejection before anyone can report it. The caller checks `errors`.
                recording.errors.push(`unmocked invoke ${args.token}`);
                return {};
            }
            return handler(inputs);
        },
    };
    await pulumi.runtime.setMocks(mocks, options.project ?? "homelab", options.stack ?? "test", options.preview ?? false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const rpc = require("@pulumi/pulumi/runtime/rpc") as { deserializeProperties(s: unknown): Record<string, unknown> };
    const monitor = settings.getMonitor() as {
        newUrn?(parent: string, type: string, name: string): string;
        registerResource(req: RegisterRequest, cb: (err: unknown, res: RegisterResponse | undefined) => void): Promise<void>;
        registerResourceOutputs(req: OutputsRequest, cb: (err: unknown, res: unknown) => void): void;
    };
    const originalRegister = monitor.registerResource.bind(monitor);
    const originalOutputs = monitor.registerResourceOutputs.bind(monitor);

    // The URNs the engine would give, marked when each registration starts (they run concurrently),
    // and the engine's qualified type per mock URN (the mock's URN keeps only the parent's type).
    const engineUrns = new Set<string>();
    const qualifiedTypes = new Map<string, string>();
    monitor.registerResource = (req, cb) => {
        const mockUrn = monitor.newUrn?.(req.getParent(), req.getType(), req.getName());
        let duplicate = false;
        if (mockUrn !== undefined) {
            const parent = req.getParent();
            const parentType = parent === "" ? "" : (qualifiedTypes.get(parent) ?? parent.split("::")[2] ?? "");
            const qualified = parentType === "" || parentType === ROOT_STACK_TYPE ? req.getType() : `${parentType}$${req.getType()}`;
            qualifiedTypes.set(mockUrn, qualified);
            const [scheme, project] = mockUrn.split("::");
            const urn = `${scheme}::${project}::${qualified}::${req.getName()}`;
            duplicate = engineUrns.has(urn);
            if (duplicate) recording.engineErrors.push(duplicateUrnMessage(urn));
            engineUrns.add(urn);
        }
        return originalRegister(req, (err, res) => {
            // A duplicate is answered (failing its registration would kill the process with an
            // unhandled rejection inside the SDK) but not recorded: the first stays the one.
            if (!err && res && !duplicate) {
                const secretPaths: string[] = [];
                const unknownPaths: string[] = [];
                const inputs = unwrapWire(rpc.deserializeProperties(req.getObject()), "", secretPaths, unknownPaths) as Record<
                    string,
                    unknown
                >;
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((deps, key) => {
                    propertyDependencies[key] = deps.getUrnsList();
                });
                const dependsOn = req.getDependenciesList();
                const dependencies = [...new Set([...dependsOn, ...Object.values(propertyDependencies).flat()])];
                const state = (res.getObject() as ProtoStructLike | undefined)?.toJavaScript() ?? {};
                const outputSecretPaths: string[] = [];
                recording.add({
                    urn: res.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent() || undefined,
                    id: res.getId() || undefined,
                    inputs,
                    secretPaths,
                    unknownPaths,
                    options: {
                        protect: req.getProtect?.() ?? false,
                        retainOnDelete: req.getRetainondelete?.() ?? false,
                        deleteBeforeReplace: req.getDeletebeforereplace?.() ?? false,
                        ignoreChanges: req.getIgnorechangesList(),
                        replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
                        dependsOn,
                        provider: req.getProvider() || undefined,
                        aliases: req.getAliasesList?.().length ?? 0,
                        importId: req.getImportid?.() || undefined,
                    },
                    dependencies,
                    propertyDependencies,
                    outputs: req.getCustom() ? (unwrapWire(state, "", outputSecretPaths) as Record<string, unknown>) : {},
                    outputSecretPaths,
                });
            }
            cb(err, res);
        });
    };

    monitor.registerResourceOutputs = (req, cb) => {
        const r = recording.get(req.getUrn());
        if (r) {
            const secrets: string[] = [];
            r.outputs = unwrapWire(rpc.deserializeProperties(req.getOutputs()), "", secrets) as Record<string, unknown>;
            r.outputSecretPaths = secrets;
        }
        originalOutputs(req, cb);
    };
    return recording;
}

/**
 * Runs `fn` with V8 stack traces off, then restores them. Pulumi captures a stack trace for every
 * promise it tracks (leak reports: runtime/debuggable.js debuggablePromise) and every resource
 * (source positions); under source maps that is three quarters of a mock run's time (the
 * reference stack: 450 ms to 100 ms), and no mock run needs them: not the plan, the tests or the
 * floor the benchmark measures against. Errors thrown meanwhile keep their messages.
 */
async function withoutStackTraces<T>(fn: () => Promise<T>): Promise<T> {
    const limit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    Error.stackTraceLimit = 0;
    // Pulumi raises the limit itself to read a resource's source position; an empty trace is enough.
    Error.prepareStackTrace = () => "";
    try {
        return await fn();
    } finally {
        Error.stackTraceLimit = limit;
        Error.prepareStackTrace = prepare;
    }
}

/**
 * Runs a program body inside a Pulumi stack under the installed mocks and waits until every
 * registration has settled, without stack traces. Returns the stack outputs (unwrapped).
 */
export async function runInStack(program: () => unknown | Promise<unknown>): Promise<Record<string, unknown>> {
    // Without stack traces (see withoutStackTraces), unless promise leaks are being debugged.
    return process.env.PULUMI_DEBUG_PROMISE_LEAKS ? runProgram(program) : withoutStackTraces(() => runProgram(program));
}

async function runProgram(program: () => unknown | Promise<unknown>): Promise<Record<string, unknown>> {
    // A throw inside the stack's init would surface as an unhandled rejection that kills the
    // process; catch it here and rethrow once registrations have settled.
    let failure: { error: unknown } | undefined;
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
        try {
            const result = await program();
            return (result ?? {}) as Record<string, unknown>;
        } catch (error) {
            failure = { error };
            return {};
        }
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
    if (failure) throw failure.error;
    return (unwrapWire(outputs ?? {}) as Record<string, unknown>) ?? {};
}

// Minimal shapes of the protobuf messages the mock monitor receives.
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): unknown;
    getProtect?(): boolean;
    getRetainondelete?(): boolean;
    getDeletebeforereplace?(): boolean;
    getIgnorechangesList(): string[];
    getReplaceonchangesList?(): string[];
    getDependenciesList(): string[];
    getProvider(): string;
    getAliasesList?(): unknown[];
    getImportid?(): string;
    getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}
interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): unknown;
}
interface OutputsRequest {
    getUrn(): string;
    getOutputs(): unknown;
}
