/**
 * "Did you mean": the known name closest to a misspelt one. Pure, and linear in the number of
 * candidates (each comparison is bounded by the names' lengths and by the largest distance
 * still worth suggesting).
 */

/** The largest edit distance still worth a suggestion for a word of this length: 1 up to 5 characters, then a third. */
export function suggestionDistance(length: number): number {
    return Math.min(3, Math.max(1, Math.floor(length / 3)));
}

/**
 * Edit distance between `a` and `b` (insertions, deletions, substitutions and swaps of two
 * neighbours count one each), or `limit + 1` as soon as it must exceed `limit`. Case is ignored:
 * `memorymib` is one step from nothing but the same word as `memoryMiB`.
 */
export function editDistance(a: string, b: string, limit = Number.MAX_SAFE_INTEGER): number {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    return distance(a.toLowerCase(), b.toLowerCase(), limit);
}

/** editDistance of two lowercase strings, in three rows of the dynamic programme (two back for swaps). */
function distance(x: string, y: string, limit: number): number {
    if (Math.abs(x.length - y.length) > limit) return limit + 1;
    const width = y.length + 1;
    let before = new Uint32Array(width);
    let previous = new Uint32Array(width);
    let current = new Uint32Array(width);
    for (let j = 0; j < width; j++) previous[j] = j;
    for (let i = 1; i <= x.length; i++) {
        current[0] = i;
        let rowMin = i;
        const xi = x.charCodeAt(i - 1);
        for (let j = 1; j < width; j++) {
            const yj = y.charCodeAt(j - 1);
            let d = previous[j - 1] + (xi === yj ? 0 : 1);
            if (previous[j] + 1 < d) d = previous[j] + 1;
            if (current[j - 1] + 1 < d) d = current[j - 1] + 1;
            if (i > 1 && j > 1 && xi === y.charCodeAt(j - 2) && x.charCodeAt(i - 2) === yj && before[j - 2] + 1 < d) d = before[j - 2] + 1;
            current[j] = d;
            if (d < rowMin) rowMin = d;
        }
        if (rowMin > limit) return limit + 1;
        const spare = before;
        before = previous;
        previous = current;
        current = spare;
    }
    return Math.min(previous[y.length], limit + 1);
}

/**
 * The candidate closest to `word` by edit distance, when it is close enough to be a likely typo
 * (see suggestionDistance); the first of equally close candidates wins. Undefined when none is
 * close, or when `word` itself is a candidate.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
    const limit = suggestionDistance(word.length);
    const lower = word.toLowerCase();
    let best: string | undefined;
    let bestDistance = limit + 1;
    for (const candidate of candidates) {
        if (candidate === word) return undefined;
        // The length check first: a word far longer than every candidate costs nothing more.
        if (Math.abs(candidate.length - word.length) >= bestDistance) continue;
        const d = distance(lower, candidate.toLowerCase(), bestDistance - 1);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

/** `; did you mean "x"?` for the closest candidate, or "" when none is close. For the end of a message. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
    const match = closestMatch(word, candidates);
    return match === undefined ? "" : `; did you mean "${match}"?`;
}
