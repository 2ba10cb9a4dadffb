/**
 * Where the fields of a manifest read from YAML are: the reader (src/cli/yaml-input.ts) registers a locator per object,
 * and the schema gate asks it for the line of each violating field, so a GPU009 finding points at the field, not at
 * the object's first line. Nothing is computed until a line is asked for: a reader of 200,000 valid objects pays
 * nothing but one WeakMap entry per object.
 *
 * Not part of the jsii API.
 */

/** Finds the 1-based line of a field of one object, by its path segments (map keys and list indexes as strings). */
export type FieldLocator = (segments: readonly string[]) => number | undefined;

const locators = new WeakMap<object, FieldLocator>();

/** Registers how to find the lines of `object`'s fields. */
export function setFieldLocator(object: object, locate: FieldLocator): void {
  locators.set(object, locate);
}

/**
 * Splits a display path (`spec.template.spec.containers[0]["nvidia.com/gpu"]`, as the schema gate prints them) into
 * segments; undefined when it is not one (`<root>`, `apiVersion/kind`).
 */
export function pathSegments(displayPath: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const s = displayPath;
  while (i < s.length) {
    if (s[i] === '[') {
      if (s[i + 1] === '"') {
        // A JSON string up to its closing quote (escaped quotes skipped).
        let j = i + 2;
        while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
        if (s[j + 1] !== ']') return undefined;
        try { out.push(JSON.parse(s.slice(i + 1, j + 1))); } catch { return undefined; }
        i = j + 2;
      } else {
        const close = s.indexOf(']', i);
        if (close < 0 || !/^\d+$/.test(s.slice(i + 1, close))) return undefined;
        out.push(s.slice(i + 1, close));
        i = close + 1;
      }
    } else {
      if (s[i] === '.') {
        if (out.length === 0) return undefined;
        i++;
      }
      const m = /^[A-Za-z_$][\w$-]*/.exec(s.slice(i));
      if (!m) return undefined;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out.length > 0 ? out : undefined;
}

/** The line of the field at `displayPath` of `object`, when the object was read from YAML that holds that field. */
export function fieldLine(object: unknown, displayPath: string): number | undefined {
  if (!object || typeof object !== 'object') return undefined;
  const locate = locators.get(object);
  if (!locate) return undefined;
  const segments = pathSegments(displayPath);
  if (!segments) return undefined;
  try {
    return locate(segments);
  } catch {
    return undefined;
  }
}
