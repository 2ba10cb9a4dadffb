/**
 * Release versions as [major, minor, patch] (internal): vLLM's, read from image tags and props.
 */

/** Whether version `v` is at least `w` ([major, minor, patch]). */
export const versionAtLeast = (v: readonly number[], w: readonly number[]): boolean =>
  v[0] !== w[0] ? v[0] > w[0] : v[1] !== w[1] ? v[1] > w[1] : v[2] >= w[2];
