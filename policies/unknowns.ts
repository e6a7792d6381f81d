/**
 * Values unknown during preview. The engine sends them as sentinel strings; the policy SDK wraps
 * props in a proxy that throws `UnknownValueError` when a rule reads one. Our rule builders catch
 * that error and mark the rule not applicable for the resource, so an unknown value is never a
 * pass and never a false violation. The offline runner uses the same proxy and sentinels.
 *
 * `@pulumi/policy/proxy` is internal to the SDK (its .d.ts exports nothing), hence the typed require.
 */

interface PolicyProxyModule {
    unknownCheckingProxy<T extends object>(value: T): T;
    UnknownValueError: new (sentinel: string, props: string[]) => Error & { props: string[] };
    unknownBooleanValue: string;
    unknownNumberValue: string;
    unknownStringValue: string;
    unknownArrayValue: string;
    unknownAssetValue: string;
    unknownArchiveValue: string;
    unknownObjectValue: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as PolicyProxyModule;

/** The sentinel the engine uses for an unknown value (any type works with the proxy; this one is the string's). */
export const UNKNOWN = sdkProxy.unknownStringValue;

/** Every sentinel the engine may send. */
export const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set([
    sdkProxy.unknownBooleanValue,
    sdkProxy.unknownNumberValue,
    sdkProxy.unknownStringValue,
    sdkProxy.unknownArrayValue,
    sdkProxy.unknownAssetValue,
    sdkProxy.unknownArchiveValue,
    sdkProxy.unknownObjectValue,
]);

/** Wraps props so reading an unknown value throws the SDK's `UnknownValueError`, as in the engine. */
export function unknownCheckingProxy<T extends object>(value: T): T {
    return sdkProxy.unknownCheckingProxy(value);
}

/** Why a rule could not judge a resource whose value at `path` is unknown during preview. */
export function unknownReason(path: string): string {
    return `${path === "" ? "a value" : path} is unknown during preview`;
}

/** The dotted path of an unknown value a rule tried to read, or undefined when `e` is something else. */
export function unknownPathOf(e: unknown): string | undefined {
    if (e instanceof sdkProxy.UnknownValueError) return e.props.join(".");
    // A second copy of the SDK (e.g. the policy host's) has its own class: recognise it by name and shape.
    if (
        e instanceof Error &&
        e.name !== "" &&
        e.constructor.name === "UnknownValueError" &&
        Array.isArray((e as { props?: unknown }).props)
    ) {
        return ((e as unknown as { props: string[] }).props ?? []).join(".");
    }
    return undefined;
}

/** Splits a recorder path (`a.b[0].c`) into keys (`["a", "b", 0, "c"]`). */
function parsePath(path: string): (string | number)[] {
    const keys: (string | number)[] = [];
    for (const part of path.split(".")) {
        if (part === "") continue;
        const re = /([^[\]]+)|\[(\d+)\]/g;
        let m: RegExpExecArray | null;
        while ((m = re.exec(part)) !== null) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    }
    return keys;
}

/**
 * A deep copy of plain data made of this realm's objects and arrays. The SDK's proxy only wraps
 * `instanceof Object` values, which objects from another realm (`structuredClone` under jest's
 * sandbox, for one) are not; copying first makes the proxy see every nested value.
 */
export function plainCopy<T>(value: T): T {
    if (Array.isArray(value)) {
        // Not `value.map`: it would build the copy with the source array's (foreign) constructor.
        const out: unknown[] = [];
        for (const v of value) out.push(plainCopy(v));
        return out as T;
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = plainCopy(v);
        return out as T;
    }
    return value;
}

/**
 * A deep copy of `inputs` with the engine's unknown sentinel at each of `paths` (the recorder
 * drops unknown values and lists their paths). An empty path (the whole object) is left to the
 * caller: the runner marks every rule not applicable for such a resource.
 */
export function withUnknowns(inputs: Readonly<Record<string, unknown>>, paths: readonly string[]): Record<string, unknown> {
    const copy = plainCopy(inputs) as Record<string, unknown>;
    for (const path of paths) {
        const keys = parsePath(path);
        if (keys.length === 0) continue;
        let target: Record<string | number, unknown> = copy;
        for (let i = 0; i < keys.length - 1; i++) {
            const key = keys[i];
            const next = target[key];
            if (next === null || typeof next !== "object") target[key] = typeof keys[i + 1] === "number" ? [] : {};
            target = target[key] as Record<string | number, unknown>;
        }
        target[keys[keys.length - 1]] = UNKNOWN;
    }
    return copy;
}
