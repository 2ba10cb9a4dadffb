/**
 * What a rule is and what it may ask of the manifests it judges.
 *
 * A rule is a small declarative object (id, title, severity, remediation, kinds it reads) plus a generator that
 * yields findings, in the manner of kube-linter's check templates and Polaris' checks (described in our own words
 * in DESIGN.md). Rules read plain manifests only, never construct classes.
 *
 * Internal API (not jsii): `check` is a generator, so this file is re-exported from `src/validation` for the CLI and
 * for TypeScript users, not from the jsii entry point.
 */
import { Finding, ManifestSource, Severity } from './model';
import { Suppressions } from './suppression';
import { PoolModel } from '../scheduling/nodepool';
import { PlacementVerdict } from '../scheduling/placement';
import { PodNodeRequests } from '../scheduling/resources';
import { PodTemplateRef } from '../scheduling/workloads';

/** One rule of the linter. */
export interface Rule {
  /** Stable id, `GPU` and three digits, e.g. `GPU001`. Never reused for another meaning. */
  readonly id: string;
  /** Short statement of what must hold, e.g. `GPU requests must equal limits`. */
  readonly title: string;
  /** Severity of every finding of this rule. */
  readonly severity: Severity;
  /** Kinds the rule reads, e.g. `['Deployment', 'NodePool']` (documentation and the registry self-test). */
  readonly kinds: string[];
  /** How to fix a finding, in general; a finding may carry a more precise one. */
  readonly remediation: string;
  /** Longer explanation: why it matters, what exactly is checked, known limits. @default - none */
  readonly description?: string;
  /** Yields one finding per problem. Must not mutate the manifests. */
  check(ctx: RuleContext): Iterable<Finding>;
}

/** An object that carries a pod template (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, …). */
export interface WorkloadRef {
  /** The whole object. */
  readonly object: any;
  /** Its `kind`. */
  readonly kind: string;
  /** Its pod template, from the scheduling model's `podTemplateOf`. */
  readonly template: PodTemplateRef;
}

/** An object the scheduling model could not read. */
export interface ReadProblem {
  /** The object. */
  readonly object: any;
  /** The field at fault, e.g. `metadata.annotations[...]`. */
  readonly fieldPath: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly remediation: string;
}

/**
 * What a rule sees: every object of the run, indexed once (by kind, by kind/namespace/name, by label), and the
 * scheduling model's view of workloads and NodePools, computed once per run and shared by every rule. Lookups are
 * O(1) or proportional to their answer, so cross-object rules stay linear: no all-pairs scans.
 */
export interface RuleContext {
  /** Every object, in input order. */
  readonly objects: readonly any[];
  /** Ids of every rule known to this run (active, disabled or built in), for rules that read rule ids. */
  readonly knownRuleIds: ReadonlySet<string>;
  /** Objects of `kind`, in input order; `apiGroup` (e.g. `karpenter.sh`, `''` for core) narrows by API group. */
  byKind(kind: string, apiGroup?: string): readonly any[];
  /** The object `kind` `namespace`/`name`; pass `undefined` (or `''`) as namespace for cluster-scoped or unset. */
  get(kind: string, namespace: string | undefined, name: string): any | undefined;
  /** Objects whose `metadata.labels` have `key` (with `value`, when given), in input order. */
  byLabel(key: string, value?: string): readonly any[];
  /**
   * Workloads in `namespace` whose pod labels carry every entry of `matchLabels` (a Service's selector, a
   * PodMonitor's…). An empty selector matches nothing. `namespace` undefined matches workloads of any namespace.
   */
  workloadsMatching(namespace: string | undefined, matchLabels: Record<string, string>): readonly WorkloadRef[];
  /** Every object with a pod template, in input order. */
  workloads(): readonly WorkloadRef[];
  /** The scheduling view of every well-formed Karpenter NodePool (`karpenter.sh/*`), in input order. */
  nodePools(): readonly PoolModel[];
  /** The effective GPU demand of a pod template (`podGpuDemand`), computed once per template and run. */
  gpuDemand(template: PodTemplateRef): Readonly<Record<string, number>>;
  /** The effective cpu (cores), memory and ephemeral-storage (bytes) requests of a pod template (`podCpuMemoryRequests`), computed once per template and run. */
  cpuMemoryRequests(template: PodTemplateRef): Readonly<PodNodeRequests>;
  /**
   * The template's placement signature (`placementSignature`): equal signatures get equal placement verdicts, so a
   * rule whose answer depends only on placement inputs may memoise its answer per signature.
   */
  placementSignature(template: PodTemplateRef): string;
  /**
   * `placeOnPool(template, pool)` with default options, computed once per (placement signature, pool) and run:
   * cross-object rules stay linear in the number of workloads. The verdict is shared and frozen.
   */
  placement(template: PodTemplateRef, pool: PoolModel): PlacementVerdict;
  /**
   * The verdicts of {@link placement} for every NodePool of {@link nodePools} that fits the template, in the pools'
   * order: one list per placement signature and run (cheaper than asking each pool).
   */
  fittingPlacements(template: PodTemplateRef): readonly PlacementVerdict[];
  /**
   * Objects the scheduling model could not read (e.g. a NodePool with a malformed
   * `cdk8s-gpu.io/advertised-resources-per-gpu` annotation); they are left out of {@link nodePools}.
   */
  readProblems(): readonly ReadProblem[];
  /** Where `obj` came from. */
  sourceOf(obj: any): ManifestSource | undefined;
  /** The `cdk8s-gpu.io/suppress` annotations of `obj` (`suppressionsOf` with {@link knownRuleIds}), read once per object and run. */
  suppressions(obj: any): Suppressions;
  /** Builds a finding of the current rule about `obj` (`remediation` defaults to the rule's). */
  finding(obj: any, fieldPath: string, message: string, remediation?: string): Finding;
}
