/**
 * "Did you mean": the closest known name to a misspelt one. Pure; linear in the candidates (each
 * comparison is bounded by the names' lengths, which the schema limits).
 */

/** Levenshtein distance, with an early exit once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        let rowMin = i;
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
            rowMin = Math.min(rowMin, current[j]);
        }
        if (rowMin > limit) return limit + 1;
        previous = current;
    }
    return previous[b.length];
}

/**
 * The candidate closest to `name` when it is close enough to be a typo (at most a third of the
 * name's length, at least 1, edits away), else undefined.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
    const limit = Math.max(1, Math.floor(name.length / 3));
    let best: string | undefined;
    let bestDistance = limit + 1;
    for (const candidate of candidates) {
        if (candidate === name) continue;
        const d = editDistance(name.toLowerCase(), candidate.toLowerCase(), bestDistance - 1);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

/** ` (did you mean "x"?)`, or an empty string when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
    const match = closest(name, candidates);
    return match === undefined ? "" : ` (did you mean "${match}"?)`;
}
