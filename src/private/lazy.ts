/**
 * Modules loaded on first use (internal): what `lint` and `plan` do not need is not loaded at start-up. The `require`
 * stays in the caller's module, so relative paths resolve from there: `const pools = lazy(() => require('../pools'))`.
 */

/** A value computed on first use and kept. */
export function lazy<T>(load: () => T): () => T {
  let loaded = false;
  let value: T | undefined;
  return () => {
    if (!loaded) {
      value = load();
      loaded = true;
    }
    return value as T;
  };
}

/**
 * The `yaml` package: the exact reader, a violation's line and a ConfigMap's embedded config need it; the fast js-yaml
 * path reads most input without it.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const yamlPackage = lazy((): typeof import('yaml') => require('yaml'));
