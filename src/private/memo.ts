/**
 * A pure function of a string, remembered (internal): manifests repeat a few strings (quantities such as '1', '4',
 * '32Gi') thousands of times, so each is computed once. At most `limit` answers are kept (all are dropped when it is
 * reached), so a stream of distinct strings cannot grow it without bound.
 */
export function memoPerString<T>(compute: (s: string) => T, limit: number = 10_000): (s: string) => T {
  const answers = new Map<string, T>();
  return (s) => {
    let v = answers.get(s);
    if (v !== undefined || answers.has(s)) return v as T;
    v = compute(s);
    if (answers.size >= limit) answers.clear();
    answers.set(s, v);
    return v;
  };
}
