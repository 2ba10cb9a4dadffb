/**
 * Taints and tolerations with Kubernetes' exact matching rules.
 *
 * Source of the semantics: `k8s.io/api/core/v1` `Toleration.ToleratesTaint` (toleration.go) and
 * `k8s.io/component-helpers/scheduling/corev1` (which adds the alpha `Lt`/`Gt` operators behind the
 * `TaintTolerationComparisonOperators` feature gate, Kubernetes 1.35), and the scheduler's TaintToleration
 * filter plugin, which only considers `NoSchedule` and `NoExecute` taints.
 */
import { textOf } from '../private/describe';

/** A node taint as it appears in JSON (`node.spec.taints[]`, a Karpenter NodePool's `spec.template.spec.taints[]`). */
export interface Taint {
  /** The taint key, e.g. `nvidia.com/gpu`. */
  readonly key: string;
  /** The taint value; absent means `''`. */
  readonly value?: string;
  /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`. */
  readonly effect: string;
}

/** A pod toleration as it appears in JSON (`pod.spec.tolerations[]`). */
export interface Toleration {
  /** Taint key to match; empty matches every key (only valid with operator `Exists`). */
  readonly key?: string;
  /** `Equal` (the default when absent or empty), `Exists`, or the alpha `Lt`/`Gt`. */
  readonly operator?: string;
  /** Value to compare; absent means `''`. */
  readonly value?: string;
  /** Effect to match; empty matches every effect. */
  readonly effect?: string;
  /** How long a `NoExecute` taint is tolerated before eviction; irrelevant to scheduling. */
  readonly tolerationSeconds?: number;
}

/** Options for {@link toleratesTaint}. */
export interface TolerationOptions {
  /**
   * Evaluate the `Lt`/`Gt` toleration operators (feature gate `TaintTolerationComparisonOperators`, alpha in
   * Kubernetes 1.35, off by default). When off, such a toleration matches nothing, as on a default cluster.
   */
  readonly comparisonOperators?: boolean;
}

/** Taint effects that keep a pod off a node at scheduling time (the scheduler's TaintToleration filter). */
export const BLOCKING_TAINT_EFFECTS: readonly string[] = ['NoSchedule', 'NoExecute'];

const INT64 = /^[+-]?\d+$/;

/**
 * Whether `toleration` tolerates `taint`, exactly as Kubernetes decides it:
 * 1. a non-empty toleration effect must equal the taint effect (so a `NoExecute` toleration does not tolerate a
 *    `NoSchedule` taint); an empty effect matches all effects;
 * 2. a non-empty toleration key must equal the taint key; an empty key matches every key;
 * 3. operator `Equal` (or empty/absent) needs equal values, a missing value being `''`; `Exists` matches any
 *    value; `Lt`/`Gt` compare int64 values (taint value < / > toleration value) only when enabled;
 *    any other operator matches nothing.
 *
 * Note: API validation rejects an empty key with operator `Equal`; this function still follows the Go code
 * (such a toleration would match taints of any key whose value equals its own). An entry that is not an object
 * (`tolerations: [null]` in hand-written YAML) tolerates nothing.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint, options: TolerationOptions = {}): boolean {
  // Manifests read by `lint` may hold anything: a null or scalar list entry tolerates nothing (the API rejects it).
  if (toleration === null || typeof toleration !== 'object' || Array.isArray(toleration)) return false;
  const effect = toleration.effect ?? '';
  if (effect !== '' && effect !== taint.effect) return false;
  const key = toleration.key ?? '';
  if (key !== '' && key !== taint.key) return false;
  const operator = toleration.operator ?? '';
  const value = toleration.value ?? '';
  const taintValue = taint.value ?? '';
  switch (operator) {
    case '':
    case 'Equal':
      return value === taintValue;
    case 'Exists':
      return true;
    case 'Lt':
    case 'Gt': {
      if (!options.comparisonOperators) return false;
      if (!INT64.test(value) || !INT64.test(taintValue)) return false;
      const t = BigInt(value);
      const n = BigInt(taintValue);
      return operator === 'Lt' ? n < t : n > t;
    }
    default:
      return false;
  }
}

/** Whether any of `tolerations` tolerates `taint`. */
export function tolerationsTolerateTaint(
  tolerations: readonly Toleration[] | undefined, taint: Taint, options: TolerationOptions = {},
): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint, options));
}

/**
 * The taints that keep a pod with `tolerations` off a node with `taints`: every `NoSchedule` or `NoExecute` taint
 * no toleration tolerates. `PreferNoSchedule` taints never block scheduling and are never returned.
 */
export function untoleratedTaints(
  tolerations: readonly Toleration[] | undefined, taints: readonly Taint[] | undefined, options: TolerationOptions = {},
): Taint[] {
  return (taints ?? []).filter((taint) =>
    BLOCKING_TAINT_EFFECTS.includes(taint.effect) && !tolerationsTolerateTaint(tolerations, taint, options));
}

/** `key=value:Effect`, or `key:Effect` when the value is empty — the notation of `kubectl taint`. */
export function formatTaint(t: Taint): string {
  // (a wrong type, linted without the schema gate, is described, never printed as [object Object])
  const value = t.value ?? '';
  return value === '' ? `${textOf(t.key)}:${textOf(t.effect)}` : `${textOf(t.key)}=${textOf(value)}:${textOf(t.effect)}`;
}

/** A toleration that tolerates exactly `taint` (operator `Equal`, or `Exists` when the taint has no value). */
export function tolerationFor(taint: Taint): Toleration {
  const value = taint.value ?? '';
  return value === ''
    ? { key: taint.key, operator: 'Exists', effect: taint.effect }
    : { key: taint.key, operator: 'Equal', value, effect: taint.effect };
}

/** Reads `taints` from JSON: drops entries that are not objects with a string key and effect. */
export function taintsFromJson(raw: unknown): Taint[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((t): t is Taint => !!t && typeof t === 'object' && typeof t.key === 'string' && typeof t.effect === 'string')
    .map((t) => (t.value === undefined || t.value === null
      ? { key: t.key, effect: t.effect }
      : { key: t.key, value: typeof t.value === 'object' ? textOf(t.value) : String(t.value), effect: t.effect }));
}
