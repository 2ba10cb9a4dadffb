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

/**
 * A function of one validation run, remembered for that run (internal): several rules ask the same question of the
 * same manifests (their scalers, DCGM exporters, …). Keyed by the run's object list, so the answer goes with the run.
 */
export function memoPerRun<C extends { readonly objects: readonly any[] }, T>(compute: (ctx: C) => T): (ctx: C) => T {
  const answers = new WeakMap<readonly any[], { readonly value: T }>();
  return (ctx) => {
    let a = answers.get(ctx.objects);
    if (!a) answers.set(ctx.objects, a = { value: compute(ctx) });
    return a.value;
  };
}
