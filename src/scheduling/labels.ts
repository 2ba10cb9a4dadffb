/**
 * Node selection: `nodeSelector`, required node affinity and Karpenter requirements, with Kubernetes'
 * label-selector semantics (`k8s.io/apimachinery/pkg/labels` `Requirement.Matches` and
 * `k8s.io/component-helpers/scheduling/corev1/nodeaffinity`).
 */

/**
 * One `matchExpressions` entry of a node selector term, or one Karpenter NodePool requirement
 * (Karpenter's `minValues` is ignored here).
 */
export interface NodeSelectorRequirement {
  /** The label key. */
  readonly key: string;
  /** `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`; Karpenter also allows `Gte` and `Lte`. */
  readonly operator: string;
  /** The values; one integer for the comparison operators, none for `Exists`/`DoesNotExist`. */
  readonly values?: string[];
}

/**
 * The labels a node could carry: `fixed` labels are known; an `open` key is one whose value is chosen at launch
 * (e.g. the zone of a Karpenter node), either among listed values or, when the list is `undefined`, any value.
 * An open key always exists on the node.
 */
export interface LabelSpace {
  /** Labels the node certainly has. */
  readonly fixed: Record<string, string>;
  /** Keys whose value is picked at launch: allowed values, or `undefined` for any. */
  readonly open?: Record<string, string[] | undefined>;
}

const INT64 = /^[+-]?\d+$/;

function compareInt(op: string, labelValue: string, reqValues: readonly string[] | undefined): boolean {
  if (!reqValues || reqValues.length !== 1) return false;
  if (!INT64.test(labelValue) || !INT64.test(reqValues[0])) return false;
  const l = BigInt(labelValue);
  const r = BigInt(reqValues[0]);
  switch (op) {
    case 'Gt': return l > r;
    case 'Lt': return l < r;
    case 'Gte': return l >= r;
    case 'Lte': return l <= r;
    default: return false;
  }
}

/**
 * Whether a value read where a label belongs can be one: a string, or a number or boolean (YAML scalars, read as their
 * text). A map or list is no label value: the API server refuses it.
 */
export const isLabelValue = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** The operators this module understands (the four set operators, `Gt`/`Lt`, and Karpenter's `Gte`/`Lte`). */
export const NODE_SELECTOR_OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Gte', 'Lte'];

/**
 * Whether `labels` satisfy `req`, with Kubernetes semantics:
 * `In` needs the label with one of the values; `NotIn` and `DoesNotExist` are true when the label is absent;
 * `Exists` needs the label; `Gt`/`Lt` (and Karpenter's `Gte`/`Lte`) need the label and exactly one value, both
 * parsed as base-10 int64, else false. An unknown operator matches nothing.
 */
export function matchesRequirement(req: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  return requirementAllowsSpace(req, { fixed: labels });
}

/**
 * Like {@link matchesRequirement} over a {@link LabelSpace}: true when some value of an open key satisfies the
 * requirement. (Requirements are judged one at a time, so two requirements on the same open key may be satisfied
 * by different values; fine for the launch-time keys this is used for.)
 */
export function requirementAllowsSpace(req: NodeSelectorRequirement, space: LabelSpace): boolean {
  if (Object.prototype.hasOwnProperty.call(space.fixed, req.key)) return requirementAllowsValue(req, space.fixed[req.key]);
  const values = req.values ?? [];
  const open = space.open && Object.prototype.hasOwnProperty.call(space.open, req.key);
  if (!open) {
    switch (req.operator) {
      case 'NotIn': case 'DoesNotExist': return true;
      default: return false;
    }
  }
  const allowed = space.open![req.key];
  switch (req.operator) {
    case 'In': return allowed === undefined ? values.length > 0 : allowed.some((a) => values.includes(a));
    case 'NotIn': return allowed === undefined ? true : allowed.some((a) => !values.includes(a));
    case 'Exists': return true;
    case 'DoesNotExist': return false;
    case 'Gt': case 'Lt': case 'Gte': case 'Lte':
      return allowed === undefined
        ? (req.values?.length === 1 && INT64.test(req.values[0]))
        : allowed.some((a) => compareInt(req.operator, a, req.values));
    default: return false;
  }
}

/** Whether a node whose label `req.key` has the value `v` satisfies `req` ({@link matchesRequirement}'s semantics). */
export function requirementAllowsValue(req: NodeSelectorRequirement, v: string): boolean {
  switch (req.operator) {
    case 'In': return (req.values ?? []).includes(v);
    case 'NotIn': return !(req.values ?? []).includes(v);
    case 'Exists': return true;
    case 'DoesNotExist': return false;
    case 'Gt': case 'Lt': case 'Gte': case 'Lte': return compareInt(req.operator, v, req.values);
    default: return false;
  }
}

/** Whether `labels` carry every `key: value` of a pod's `nodeSelector` (absent or empty selects every node). */
export function matchesNodeSelector(nodeSelector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return nodeSelectorAllowsSpace(nodeSelector, { fixed: labels });
}

/** {@link matchesNodeSelector} over a {@link LabelSpace}. */
export function nodeSelectorAllowsSpace(nodeSelector: Record<string, string> | undefined, space: LabelSpace): boolean {
  return firstFailingNodeSelectorEntry(nodeSelector, space) === undefined;
}

/** The first `nodeSelector` entry the space cannot satisfy, as `[key, value]`, or `undefined`. */
export function firstFailingNodeSelectorEntry(
  nodeSelector: Record<string, string> | undefined, space: LabelSpace,
): [string, string] | undefined {
  for (const [key, value] of Object.entries(nodeSelector ?? {})) {
    if (!requirementAllowsSpace({ key, operator: 'In', values: [String(value)] }, space)) return [key, String(value)];
  }
  return undefined;
}

/**
 * The `requiredDuringSchedulingIgnoredDuringExecution` node selector of a pod's affinity. Accepts the pod's whole
 * `affinity` object or its `nodeAffinity`. `undefined` when there is none.
 */
export function requiredNodeSelectorTerms(affinity: any): any[] | undefined {
  if (!affinity || typeof affinity !== 'object') return undefined;
  const nodeAffinity = affinity.nodeAffinity ?? affinity;
  const required = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required || typeof required !== 'object') return undefined;
  return Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : [];
}

/**
 * Whether `labels` satisfy the pod's required node affinity: the `nodeSelectorTerms` are ORed, the
 * `matchExpressions` of a term ANDed. `matchFields` (only `metadata.name` exists) cannot be judged from labels and
 * count as satisfied; a term with neither expressions nor fields selects nothing, as does an empty term list.
 * No required node affinity at all matches every node.
 */
export function matchesRequiredNodeAffinity(affinity: any, labels: Record<string, string>): boolean {
  return requiredNodeAffinityAllowsSpace(affinity, { fixed: labels });
}

/** {@link matchesRequiredNodeAffinity} over a {@link LabelSpace}. */
export function requiredNodeAffinityAllowsSpace(affinity: any, space: LabelSpace): boolean {
  const terms = requiredNodeSelectorTerms(affinity);
  if (terms === undefined) return true;
  return terms.some((term) => nodeSelectorTermAllowsSpace(term, space));
}

/** Whether one node selector term (`matchExpressions` ANDed, `matchFields` ignored) is satisfiable. */
export function nodeSelectorTermAllowsSpace(term: any, space: LabelSpace): boolean {
  if (!term || typeof term !== 'object') return false;
  const exprs: any[] = Array.isArray(term.matchExpressions) ? term.matchExpressions : [];
  const fields: any[] = Array.isArray(term.matchFields) ? term.matchFields : [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return exprs.every((e) => isRequirement(e) && requirementAllowsSpace(e, space));
}

/** Reads requirements from JSON, dropping malformed entries. */
export function requirementsFromJson(raw: unknown): NodeSelectorRequirement[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRequirement).map((r) => ({
    key: r.key,
    operator: r.operator,
    ...(Array.isArray(r.values) ? { values: r.values.map(String) } : {}),
  }));
}

function isRequirement(r: any): r is NodeSelectorRequirement {
  return !!r && typeof r === 'object' && typeof r.key === 'string' && typeof r.operator === 'string';
}

/** `key In [a, b]`-style text for messages. */
export function formatRequirement(req: NodeSelectorRequirement): string {
  switch (req.operator) {
    case 'Exists': case 'DoesNotExist': return `${req.key} ${req.operator}`;
    default: return `${req.key} ${req.operator} [${(req.values ?? []).join(', ')}]`;
  }
}

/**
 * A `metav1.LabelSelector` (matchLabels + matchExpressions with In, NotIn, Exists, DoesNotExist) against a label map,
 * as PodDisruptionBudgets, ServiceMonitors and Services select. An empty selector selects everything; a missing or
 * malformed one, and an unknown operator, select nothing.
 */
export function matchesLabelSelector(selector: any, labels: Record<string, string>): boolean {
  if (!selector || typeof selector !== 'object') return false;
  const ml = selector.matchLabels ?? {};
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return true;
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== String(v)) return false;
  for (const e of exprs) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values: string[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
