/** The recorded resources as a tree, and the longest chain of resources created one after another. */
import { RecordedResource } from "../runtime/recorder";

export interface TreeEntry {
    readonly type: string;
    readonly name: string;
    readonly depth: number;
    readonly protect: boolean;
}

/** Resources in registration order as a tree (depth-first from the stack). */
export function resourceTree(resources: readonly RecordedResource[]): TreeEntry[] {
    const children = new Map<string | undefined, RecordedResource[]>();
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        const key = r.parent && urns.has(r.parent) ? r.parent : undefined;
        const siblings = children.get(key);
        if (siblings) siblings.push(r);
        else children.set(key, [r]);
    }
    const out: TreeEntry[] = [];
    const walk = (parent: string | undefined, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            out.push({ type: r.type, name: r.name, depth, protect: r.options.protect });
            walk(r.urn, depth + 1);
        }
    };
    walk(undefined, 0);
    return out;
}

/**
 * The longest chain of resources that must be created one after another: a resource waits for
 * its dependencies (dependsOn and property dependencies) and for its parent. Linear in the graph.
 */
export function longestDependencyChain(resources: readonly RecordedResource[]): { depth: number; chain: string[] } {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const memo = new Map<string, string[]>();
    const visiting = new Set<string>();
    const chainOf = (urn: string): string[] => {
        const cached = memo.get(urn);
        if (cached) return cached;
        const r = byUrn.get(urn);
        if (!r || visiting.has(urn)) return [];
        visiting.add(urn);
        let best: string[] = [];
        const preds = new Set([...r.dependencies, ...(r.parent ? [r.parent] : [])]);
        for (const dep of preds) {
            const c = chainOf(dep);
            if (c.length > best.length) best = c;
        }
        visiting.delete(urn);
        const result = [...best, urn];
        memo.set(urn, result);
        return result;
    };
    let longest: string[] = [];
    for (const r of resources) {
        const c = chainOf(r.urn);
        if (c.length > longest.length) longest = c;
    }
    return { depth: longest.length, chain: longest.map((u) => byUrn.get(u)?.name ?? u) };
}
