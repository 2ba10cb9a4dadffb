/**
 * What the schema gate's generated validation code calls at runtime besides ajv's and ajv-formats' own runtime modules
 * (the standalone modules receive {@link AJV_RUNTIME} as `rt`). Kept apart from ajv-setup.ts, which loads ajv's
 * compiler: a process whose kinds all come from the precompiled cache never loads it.
 */
import { re2 } from './re2';

/**
 * The indices `[duplicate, first]` of the items of a `x-kubernetes-list-type: map` list that repeat the key fields of
 * an earlier item (a missing key counts as null, as the API server compares them).
 */
export function listMapDuplicates(keys: string[], data: unknown[]): Array<[number, number]> {
  const seen = new Map<string, number>();
  const out: Array<[number, number]> = [];
  data.forEach((item, i) => {
    if (!item || typeof item !== 'object') return;
    const id = JSON.stringify(keys.map((k) => (Object.prototype.hasOwnProperty.call(item, k) ? (item as any)[k] : null)));
    const first = seen.get(id);
    if (first !== undefined) out.push([i, first]);
    else seen.set(id, i);
  });
  return out;
}

/** The runtime object the generated validation code calls (`rt.re2`, `rt.listMapDuplicates`). */
export const AJV_RUNTIME = { re2, listMapDuplicates };
