/**
 * Close-match suggestions for catalog lookup errors (internal helper, not exported from the catalog index).
 * @internal
 */

/** Levenshtein edit distance between two strings. @internal */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidates closest to `input` (case-insensitive), best first, ties in candidate order.
 * @param maxDistance only candidates at most this far @default a third of the input's length, at least 2
 * @param limit at most this many @default 5
 * @internal
 */
export function closeMatches(input: string, candidates: readonly string[], maxDistance?: number, limit = 5): string[] {
  const needle = input.trim().toLowerCase();
  const max = maxDistance ?? Math.max(2, Math.floor(needle.length / 3));
  return candidates
    .map((c, i) => ({ c, i, d: editDistance(needle, c.toLowerCase()) }))
    .filter((x) => x.d <= max)
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .slice(0, limit)
    .map((x) => x.c);
}

/** Normalises a free-form name for alias lookup: lower case, `_`, `.`, spaces and `/` become `-`. @internal */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_./]+/g, '-');
}
