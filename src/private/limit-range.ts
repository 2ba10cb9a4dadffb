/**
 * The API server's defaults of a LimitRange item (internal), shared by the schema gate (which validates the stored,
 * defaulted item) and the LimitRange rules (which apply its defaults to pods).
 *
 * k8s.io/kubernetes pkg/apis/core/v1/defaults.go `SetDefaults_LimitRangeItem`: in a `Container` item, a resource in
 * `max` without a `default` gets the max as its default; a resource in `default` without a `defaultRequest` gets it as
 * its default request; then a resource in `min` still without a `defaultRequest` gets the min. Other types: none.
 */

/** Applies `SetDefaults_LimitRangeItem` to an item's maps, in place (the values are copied by reference). */
export function defaultLimitRangeItem<T>(type: unknown, max: ReadonlyMap<string, T>, min: ReadonlyMap<string, T>,
  defaults: Map<string, T>, defaultRequests: Map<string, T>): void {
  if (type !== 'Container') return;
  for (const [k, q] of max) if (!defaults.has(k)) defaults.set(k, q);
  for (const [k, q] of defaults) if (!defaultRequests.has(k)) defaultRequests.set(k, q);
  for (const [k, q] of min) if (!defaultRequests.has(k)) defaultRequests.set(k, q);
}
