/**
 * The paths of an object's values, for the wrong-value fuzz tests (wrong-type-fuzz, fixture-wrong-type-fuzz).
 */

/** Every path to a value in `obj` (objects, lists and scalars), `apiVersion`/`kind` left out (they pick the schema). */
export function pathsOf(obj: any, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (obj && typeof obj === 'object') {
    const entries: Array<[string | number, any]> = Array.isArray(obj) ? obj.map((v, i) => [i, v]) : Object.entries(obj);
    for (const [k, v] of entries) {
      if (prefix.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}
