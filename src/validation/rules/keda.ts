/**
 * Scaling rules (GPU301-GPU307, GPU309, GPU322): KEDA ScaledObjects and HorizontalPodAutoscalers against the workloads they scale,
 * the pools those workloads can use (the one scheduling model) and the monitoring in the manifests.
 *
 * KEDA facts (keda.sh "ScaledObject specification", KEDA 2.20 CRD in ../shared/reference/crds): `scaleTargetRef`
 * defaults to `apps/v1` `Deployment` in the ScaledObject's namespace; `minReplicaCount` defaults to 0 and
 * `maxReplicaCount` to 100; `idleReplicaCount` must be below `minReplicaCount`; KEDA creates the target's HPA itself;
 * the Prometheus trigger's `metricName` was removed in KEDA 2.12.
 */
import { GpuInstanceType } from '../../catalog';
import { _PromQLMatcher, _promqlSelection } from '../../monitoring/promql-parse';
import { describeValue } from '../../private/describe';
import { parseGoBool } from '../../private/go-bool';
import { listedFirst } from '../../private/lists';
import { memoPerRun } from '../../private/memo';
import { nameOf, nsOf } from '../../private/meta';
import { sharesGpus, wholeNodeGpusWithin } from '../../scheduling/capacity';
import { NVIDIA_GPU_DEVICE_CLASS } from '../../scheduling/dra';
import { PlacementVerdict } from '../../scheduling/placement';
import { demandsAny } from '../../scheduling/resources';
import { Severity } from '../model';
import { Rule, RuleContext, WorkloadRef } from '../rule';

const groupOf = (apiVersion: unknown): string =>
  (typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** KEDA's default `maxReplicaCount`. */
const KEDA_DEFAULT_MAX = 100;

/** A scaler (ScaledObject or HPA) and the target it names. */
interface ScalerRef {
  readonly object: any;
  readonly kind: 'ScaledObject' | 'HorizontalPodAutoscaler';
  readonly targetKind: string;
  readonly targetApiVersion: string;
  readonly targetName: string;
  readonly namespace: string;
}

/**
 * Every ScaledObject (keda.sh) and HorizontalPodAutoscaler (autoscaling) with a target name, in input order; once per
 * run (GPU301, GPU302, GPU304, GPU307 and others all ask).
 */
const scalersOf: (ctx: RuleContext) => readonly ScalerRef[] = memoPerRun((ctx) => findScalers(ctx));

function findScalers(ctx: RuleContext): ScalerRef[] {
  const out: ScalerRef[] = [];
  const add = (object: any, kind: ScalerRef['kind'], defaultKind?: string) => {
    const ref = object?.spec?.scaleTargetRef;
    if (!ref || typeof ref.name !== 'string' || ref.name === '') return;
    const targetKind = typeof ref.kind === 'string' && ref.kind !== '' ? ref.kind : defaultKind;
    if (!targetKind) return;
    out.push({
      object,
      kind,
      targetKind,
      targetName: ref.name,
      namespace: nsOf(object),
      targetApiVersion: typeof ref.apiVersion === 'string' && ref.apiVersion !== '' ? ref.apiVersion : 'apps/v1',
    });
  };
  for (const so of ctx.byKind('ScaledObject', 'keda.sh')) add(so, 'ScaledObject', 'Deployment');
  for (const hpa of ctx.byKind('HorizontalPodAutoscaler', 'autoscaling')) add(hpa, 'HorizontalPodAutoscaler');
  return out;
}

/** The object a scaler targets, when it is in the manifests (kind, API group, namespace, name). */
function targetOf(ctx: RuleContext, s: ScalerRef): any | undefined {
  const obj = ctx.get(s.targetKind, s.namespace, s.targetName);
  return obj && groupOf(obj.apiVersion) === groupOf(s.targetApiVersion) ? obj : undefined;
}

/** The first scaler of each target object of the manifests, once per run. */
const scalerByTarget = memoPerRun((ctx: RuleContext) => {
  const byTarget = new Map<any, ScalerRef>();
  for (const s of scalersOf(ctx)) {
    const target = targetOf(ctx, s);
    if (target && !byTarget.has(target)) byTarget.set(target, s);
  }
  return byTarget;
});

/** The first scaler (ScaledObject or HPA) whose target is `object`, when one is. */
export function scalerOfTarget(ctx: RuleContext, object: any): ScalerRef | undefined {
  return scalerByTarget(ctx).get(object);
}

/**
 * The most replicas the scaler of `object` may give it (`maxReplicaCount`, KEDA's default 100; an HPA's
 * `maxReplicas`): undefined when no scaler of the manifests targets it, null when the maximum is not a whole number.
 */
export function scaledMaximum(ctx: RuleContext, object: any): number | null | undefined {
  const s = scalerOfTarget(ctx, object);
  return s ? scalerMaximum(s) : undefined;
}

/** A scaler's maximum replicas (`maxReplicaCount`, KEDA's default 100; an HPA's `maxReplicas`); null when not a whole number. */
function scalerMaximum(s: ScalerRef): number | null {
  const { raw } = maxReplicasOf(s);
  if (raw === undefined) return s.kind === 'ScaledObject' ? KEDA_DEFAULT_MAX : null;
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 ? raw : null;
}

/** A replica count as written: `dflt` when absent, undefined when not a whole number. */
const whole = (v: unknown, dflt: number) => (v === undefined ? dflt : typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** A scaler's minimum replicas (KEDA's `minReplicaCount`, default 0; an HPA's `minReplicas`, default 1); undefined when not a whole number. */
function scalerMinimum(s: ScalerRef): number | undefined {
  return s.kind === 'ScaledObject' ? whole(s.object?.spec?.minReplicaCount, 0) : whole(s.object?.spec?.minReplicas, 1);
}

/**
 * The fewest replicas a Deployment or StatefulSet of the manifests keeps while it runs: the minimum of the scaler that
 * targets it (KEDA's `minReplicaCount`, default 0, counted as 1: a running target has a pod; an HPA's `minReplicas`,
 * default 1), else its `spec.replicas` (default 1); undefined when a count is not a whole number.
 */
export function runningReplicaFloor(ctx: RuleContext, object: any): number | undefined {
  const scaler = scalerOfTarget(ctx, object);
  if (scaler) {
    const min = scalerMinimum(scaler);
    return min === undefined ? undefined : Math.max(min, 1);
  }
  return whole(object?.spec?.replicas, 1);
}

/** GPU301 — a ScaledObject must scale a workload of the manifests. */
export const SCALE_TARGET_EXISTS: Rule = {
  id: 'GPU301',
  title: 'A ScaledObject\'s scaleTargetRef must name a workload in the manifests',
  severity: Severity.ERROR,
  kinds: ['ScaledObject', 'Deployment', 'StatefulSet'],
  remediation: 'Fix scaleTargetRef (name, kind, apiVersion) or put the ScaledObject in the target\'s namespace; KEDA only scales objects of its own namespace.',
  description: 'KEDA resolves `scaleTargetRef` (`apiVersion` default `apps/v1`, `kind` default `Deployment`) in the '
    + 'ScaledObject\'s own namespace. A typo, a wrong kind or another namespace leaves the ScaledObject not Ready and the '
    + 'workload unscaled, with nothing on the workload to say so. The target must be among the linted manifests; if it is '
    + 'deployed separately, lint them together or suppress this rule on the ScaledObject.',
  *check(ctx) {
    for (const s of scalersOf(ctx)) {
      if (s.kind !== 'ScaledObject') continue;
      if (targetOf(ctx, s)) continue;
      const sameName = ctx.workloads().filter((w) => nameOf(w.object) === s.targetName);
      const hint = sameName.length
        ? ` (found ${sameName.map((w) => `${w.kind} ${nsOf(w.object) || '<no namespace>'}/${s.targetName}`).join(', ')})`
        : '';
      yield ctx.finding(s.object, 'spec.scaleTargetRef',
        `names ${s.targetApiVersion} ${s.targetKind} ${s.targetName} in namespace ${s.namespace || '<none>'}, which is not in these manifests${hint}`);
    }
  },
};

/** GPU302 — one autoscaler per workload. */
export const ONE_AUTOSCALER_PER_WORKLOAD: Rule = {
  id: 'GPU302',
  title: 'A workload must not be scaled by two ScaledObjects or by a ScaledObject and an HPA',
  severity: Severity.ERROR,
  kinds: ['ScaledObject', 'HorizontalPodAutoscaler'],
  remediation: 'Keep one ScaledObject per workload and give it several triggers; delete the extra HorizontalPodAutoscaler (KEDA creates its own).',
  description: 'KEDA creates and owns an HPA (`keda-hpa-<name>`) for every ScaledObject. A second ScaledObject, or a '
    + 'hand-written HPA, on the same workload makes two controllers write `replicas` against each other: the replica '
    + 'count flaps and GPU nodes are launched and drained for nothing. (Seed 001 does exactly this: `model-a-hpa` beside '
    + '`model-a-gpu-scaler`.) Reported on every scaler after the first.',
  *check(ctx) {
    const byTarget = new Map<string, ScalerRef[]>();
    for (const s of scalersOf(ctx)) {
      const key = `${s.namespace}\u0000${groupOf(s.targetApiVersion)}\u0000${s.targetKind}\u0000${s.targetName}`;
      if (!byTarget.has(key)) byTarget.set(key, []);
      byTarget.get(key)!.push(s);
    }
    for (const group of byTarget.values()) {
      if (group.length < 2) continue;
      const [first, ...rest] = group;
      for (const s of rest) {
        yield ctx.finding(s.object, 'spec.scaleTargetRef',
          `${s.targetKind} ${s.namespace ? `${s.namespace}/` : ''}${s.targetName} is also scaled by ${first.kind} ${nameOf(first.object)}; `
          + `${first.kind === 'ScaledObject' || s.kind === 'ScaledObject' ? 'KEDA already owns an HPA for it, so ' : ''}two autoscalers fight over its replicas`);
      }
    }
  },
};

/** GPU303 — replica bounds of a ScaledObject. */
export const SCALED_OBJECT_REPLICA_BOUNDS: Rule = {
  id: 'GPU303',
  title: 'A ScaledObject\'s minReplicaCount must not exceed maxReplicaCount, and idleReplicaCount must be below minReplicaCount',
  severity: Severity.ERROR,
  kinds: ['ScaledObject'],
  remediation: 'Set minReplicaCount <= maxReplicaCount (default max 100) and idleReplicaCount < minReplicaCount, or drop idleReplicaCount.',
  description: 'The CRD rejects `minReplicaCount > maxReplicaCount` (`maxReplicaCount` defaults to 100), and KEDA\'s '
    + 'admission webhook rejects `idleReplicaCount >= minReplicaCount`; without the webhook the ScaledObject is accepted '
    + 'but never becomes Ready. Caught here before apply.',
  *check(ctx) {
    for (const so of ctx.byKind('ScaledObject', 'keda.sh')) {
      const spec = so?.spec ?? {};
      const min = typeof spec.minReplicaCount === 'number' ? spec.minReplicaCount : 0;
      const max = typeof spec.maxReplicaCount === 'number' ? spec.maxReplicaCount : KEDA_DEFAULT_MAX;
      if (min > max) {
        yield ctx.finding(so, 'spec.minReplicaCount',
          `is ${min}, above maxReplicaCount ${max}${spec.maxReplicaCount === undefined ? ' (the default)' : ''}`);
      }
      if (typeof spec.idleReplicaCount === 'number' && spec.idleReplicaCount >= min) {
        yield ctx.finding(so, 'spec.idleReplicaCount', `is ${spec.idleReplicaCount}, not below minReplicaCount ${min}`);
      }
    }
  },
};

/**
 * Whole GPUs one pod of the workload requests (`nvidia.com/gpu`, plus DRA claims on DeviceClass `gpu.nvidia.com`;
 * MIG slices are not whole GPUs).
 */
function wholeGpus(ctx: RuleContext, w: WorkloadRef): number {
  const demand = ctx.gpuDemand(w.template);
  return (demand['nvidia.com/gpu'] ?? 0) + (demand[NVIDIA_GPU_DEVICE_CLASS] ?? 0);
}

/** Where a scaler keeps its maximum replicas (`spec.maxReplicaCount` of a ScaledObject, `spec.maxReplicas` of an HPA) and the value there. */
function maxReplicasOf(s: ScalerRef): { readonly field: string; readonly raw: unknown } {
  return s.kind === 'ScaledObject'
    ? { field: 'spec.maxReplicaCount', raw: s.object?.spec?.maxReplicaCount }
    : { field: 'spec.maxReplicas', raw: s.object?.spec?.maxReplicas };
}

/** GPU304 — the scaler's maximum must fit the GPU limits of the pools the target can use. */
export const MAX_REPLICAS_FIT_POOL_LIMITS: Rule = {
  id: 'GPU304',
  title: 'maxReplicaCount × GPUs per replica must fit the GPU limits of the NodePools the target can use',
  severity: Severity.ERROR,
  kinds: ['ScaledObject', 'HorizontalPodAutoscaler', 'Deployment', 'StatefulSet', 'NodePool'],
  remediation: 'Lower maxReplicaCount to what the pools can hold, or raise the NodePools\' limits["nvidia.com/gpu"].',
  description: 'The pools a target can use are those the scheduling model places its pod template on (taints, node '
    + 'selection, GPU count, cpu/memory, pool limits). Karpenter never launches a node beyond a pool\'s '
    + '`limits["nvidia.com/gpu"]`, so replicas beyond the sum of those limits stay Pending forever while the scaler '
    + 'believes it has scaled (and alerts on utilisation stay red). Judged for the target alone: other workloads on the '
    + 'same pools make it worse. Skipped when a usable pool has no GPU limit, or no pool fits (GPU203).',
  *check(ctx) {
    const pools = ctx.nodePools();
    if (pools.length === 0) return;
    let workloadOf: Map<any, WorkloadRef> | undefined; // each object's first workload, made on the first scaler with a target
    for (const s of scalersOf(ctx)) {
      const target = targetOf(ctx, s);
      if (!target) continue;
      if (!workloadOf) {
        workloadOf = new Map();
        for (const x of ctx.workloads()) if (!workloadOf.has(x.object)) workloadOf.set(x.object, x);
      }
      const w = workloadOf.get(target);
      if (!w) continue;
      const gpus = wholeGpus(ctx, w);
      if (gpus === 0) continue;
      const usable = ctx.fittingPlacements(w.template).map((v) => v.pool);
      if (usable.length === 0 || usable.some((p) => p.gpuLimit === undefined)) continue;
      const capacity = usable.reduce((sum, p) => sum + (p.gpuLimit ?? 0), 0);
      const { field, raw: rawMax } = maxReplicasOf(s);
      // Not a whole count (negative, fractional, infinite: GPU009 with the schema gate on): not judged here.
      if (rawMax !== undefined && !(typeof rawMax === 'number' && Number.isInteger(rawMax) && rawMax >= 0)) continue;
      const max = typeof rawMax === 'number' ? rawMax : (s.kind === 'ScaledObject' ? KEDA_DEFAULT_MAX : undefined);
      if (max === undefined || max * gpus <= capacity) continue;
      yield ctx.finding(s.object, field,
        `is ${max}${rawMax === undefined ? ' (the default)' : ''}: ${max} replicas × ${gpus} GPU(s) = ${max * gpus} GPUs, but the NodePools `
        + `${s.targetKind} ${s.targetName} can use (${listedFirst(usable, (p) => `${p.name}: ${p.gpuLimit}`)}) allow ${capacity} GPUs in total; `
        + `at most ${Math.floor(capacity / gpus)} replicas can ever run`,
        `Lower ${field.split('.').pop()} to ${Math.floor(capacity / gpus)}, or raise the NodePools' limits["nvidia.com/gpu"] to at least ${max * gpus} in total.`);
    }
  },
};

/** One GPU workload's share of a group of pools: its replicas at the moment judged × whole GPUs per replica. */
export interface PoolShare {
  readonly workload: WorkloadRef;
  /** The scaler that sets its replicas, if any (else its `spec.replicas`). */
  readonly scaler?: ScalerRef;
  readonly replicas: number;
  readonly gpus: number;
  /** The pools it can use (by name, sorted). */
  readonly pools: string[];
  /** The instance types its pods fit in each of those pools, by pool name. */
  readonly typesIn: ReadonlyMap<string, readonly GpuInstanceType[]>;
}

/** How GPU223, GPU225 and GPU307 count a pool's GPU limit, in their descriptions. */
export const WHOLE_NODE_LIMITS = 'each limit counted in the whole nodes it buys of the instance types those pods fit (Karpenter counts a node\'s GPUs against the limit when it launches it: a limit of 20 buys two 8-GPU nodes, 16 GPUs)';

/** A set of pools whose summed GPU limits are below what the workloads confined to it ask for. */
export interface PoolOvercommit {
  /** The pools, by name, sorted. */
  readonly pools: string[];
  /** The workloads that can use no other pool. */
  readonly group: readonly PoolShare[];
  /** Their replicas × GPUs, summed. */
  readonly demand: number;
  /** The GPUs of the whole nodes the pools' `limits["nvidia.com/gpu"]` buy, summed. */
  readonly capacity: number;
  /** Each pool's GPU limit, by name. */
  readonly limitOf: ReadonlyMap<string, number | undefined>;
  /**
   * Each pool's GPUs in whole nodes of the instance types the group's pods fit there, by name, and those types' GPU
   * counts ({@link wholeNodeGpusWithin}).
   */
  readonly wholeOf: ReadonlyMap<string, { readonly gpus: number; readonly sizes: readonly number[] }>;
}

/**
 * The share of every GPU workload of `kinds` on the pools it can use (its fitting placements), with `replicasOf` its
 * replicas (skipped when undefined or 0); workloads with a pool that shares its GPUs (time-slicing, NodeOverlay) are
 * left out, as their GPU requests are not the pools' GPUs.
 */
export function poolShares(ctx: RuleContext, kinds: readonly string[],
  replicasOf: (w: WorkloadRef, scaler: ScalerRef | undefined) => number | undefined): PoolShare[] {
  const scalerOf = scalerByTarget(ctx);
  const usable = usablePools(ctx);
  const shares: PoolShare[] = [];
  const workloads = ctx.workloads();
  for (let i = 0; i < workloads.length; i++) {
    const w = workloads[i];
    if (!kinds.includes(w.kind)) continue;
    const gpus = wholeGpus(ctx, w);
    if (gpus === 0) continue;
    // (the pools depend on the placement signature only: computed once per signature and run)
    const sig = ctx.placementSignature(w.template);
    let pools = usable.get(sig);
    if (pools === undefined) usable.set(sig, pools = confinedPools(ctx.fittingPlacements(w.template)));
    if (pools === null) continue;
    const scaler = scalerOf.get(w.object);
    const replicas = replicasOf(w, scaler);
    if (replicas === undefined || replicas <= 0) continue;
    shares.push({ workload: w, scaler, replicas, gpus, pools: pools.names, typesIn: pools.typesIn });
  }
  return shares;
}

/** The pools a placement signature fits: their sorted names, and the types it fits in each. */
interface ConfinedPools {
  readonly names: string[];
  readonly typesIn: ReadonlyMap<string, readonly GpuInstanceType[]>;
}

/** Per run: the pools a placement signature fits, or null (none, or one that shares its GPUs). */
const usablePools = memoPerRun((_: RuleContext) => new Map<string, ConfinedPools | null>());

function confinedPools(placements: readonly PlacementVerdict[]): ConfinedPools | null {
  if (placements.length === 0) return null;
  if (placements.some((v) => v.instanceTypes.some((t) => sharesGpus(v.pool, t)))) return null;
  return { names: placements.map((v) => v.pool.name).sort(), typesIn: new Map(placements.map((v) => [v.pool.name, v.instanceTypes])) };
}

/**
 * The smallest sets of pools that the shares confined to them over-commit: the candidate sets are each share's usable
 * pools, a share is confined to a set when it can use no pool outside it, and a set is over-committed when its
 * confined shares' replicas × GPUs exceed its pools' summed GPU limits. Sets with a pool without a GPU limit are never
 * over-committed; `judged` says which groups of confined shares count (e.g. at least two workloads).
 */
export function overcommittedPoolSets(ctx: RuleContext, shares: readonly PoolShare[],
  judged: (group: readonly PoolShare[], capacity: number) => boolean): PoolOvercommit[] {
  const limitOf = new Map(ctx.nodePools().map((p) => [p.name, p.gpuLimit] as const));
  // The distinct pool lists (poolShares hands the same list to every workload of one placement signature).
  const lists = new Set<readonly string[]>(shares.map((sh) => sh.pools));
  const sets = new Map<string, string[]>();
  for (const list of lists) sets.set(list.join(','), list as string[]);
  const over: PoolOvercommit[] = [];
  for (const set of sets.values()) {
    if (set.some((name) => limitOf.get(name) === undefined)) continue; // an unlimited pool: no ceiling to exceed
    const inSet = new Set(set);
    const inside = new Set<readonly string[]>();
    for (const list of lists) if (list.every((name) => inSet.has(name))) inside.add(list);
    const group = shares.filter((sh) => inside.has(sh.pools)); // (in input order)
    // Each limit in whole nodes of the types the group's pods fit in that pool (Karpenter counts a node's GPUs whole).
    const wholeOf = new Map<string, { gpus: number; sizes: number[] }>();
    for (const name of set) {
      const types = new Set<GpuInstanceType>();
      for (const sh of group) for (const t of sh.typesIn.get(name) ?? []) types.add(t);
      const sizes = [...new Set([...types].map((t) => t.gpuCount).filter((g) => g > 0))].sort((a, b) => a - b);
      wholeOf.set(name, { gpus: wholeNodeGpusWithin(limitOf.get(name) ?? 0, [...types]), sizes });
    }
    const capacity = set.reduce((sum, name) => sum + wholeOf.get(name)!.gpus, 0);
    if (!judged(group, capacity)) continue;
    const demand = group.reduce((sum, sh) => sum + sh.replicas * sh.gpus, 0);
    if (demand > capacity) over.push({ pools: set, group, demand, capacity, limitOf, wholeOf });
  }
  // Only the smallest over-committed sets: a larger one that contains another is reported once that is fixed.
  return over.filter((o) => !over.some((x) => x !== o && x.pools.length < o.pools.length && x.pools.every((n) => o.pools.includes(n))));
}

/**
 * An over-committed set's pools and their GPU limits in words: `p5: 16, p4d: 8`, and where whole nodes hold less,
 * `g6: 6, which buys whole 4-GPU nodes of 4 GPUs`.
 */
export function poolLimitsWords(o: PoolOvercommit): string {
  return o.pools.map((n) => {
    const limit = o.limitOf.get(n);
    const nodes = o.wholeOf.get(n);
    if (nodes === undefined || limit === undefined || nodes.gpus >= limit) return `${n}: ${limit}`;
    return `${n}: ${limit}, which buys whole ${nodes.sizes.join('- or ')}-GPU nodes of ${nodes.gpus} GPUs`;
  }).join(', ');
}

/** A group's workloads and replicas in words, e.g. `Deployment team/a 2 × 4 = 8 (ScaledObject a maximum)`. */
export function sharesWords(group: readonly PoolShare[], scaledAs: string): string {
  return group.map((sh) => `${sh.workload.kind} ${nsOf(sh.workload.object) || 'default'}/${nameOf(sh.workload.object)} `
    + `${sh.replicas} × ${sh.gpus} = ${sh.replicas * sh.gpus}${sh.scaler ? ` (${sh.scaler.kind} ${nameOf(sh.scaler.object)} ${scaledAs})` : ' (replicas)'}`).join('; ');
}

/**
 * The fewest replicas a workload always runs: its scaler's floor (a ScaledObject's `idleReplicaCount` when set, else
 * its `minReplicaCount`, default 0; an HPA's `minReplicas`, default 1), else its `spec.replicas` (default 1); undefined
 * when a count is not a whole number.
 */
export function alwaysRunningReplicas(w: WorkloadRef, scaler: ScalerRef | undefined): number | undefined {
  if (!scaler) return whole(w.object?.spec?.replicas, 1);
  const spec = scaler.object?.spec;
  if (scaler.kind === 'HorizontalPodAutoscaler') return whole(spec?.minReplicas, 1);
  return spec?.idleReplicaCount !== undefined ? whole(spec.idleReplicaCount, 0) : whole(spec?.minReplicaCount, 0);
}

/** Where a scaler keeps its minimum replicas. */
export function minReplicasField(s: ScalerRef): string {
  return s.kind === 'ScaledObject' ? 'spec.minReplicaCount' : 'spec.minReplicas';
}

/** The kinds GPU307 counts. */
const PEAK_KINDS = ['Deployment', 'StatefulSet'];

/** GPU307 — the scalers' maximums together must fit the GPU limits of the pools their targets are confined to. */
export const SHARED_POOLS_FIT_MAXIMUMS: Rule = {
  id: 'GPU307',
  title: 'The maximum replicas of workloads that can only use the same NodePools must fit those pools\' GPU limits together',
  severity: Severity.WARNING,
  kinds: ['ScaledObject', 'HorizontalPodAutoscaler', 'Deployment', 'StatefulSet', 'NodePool'],
  remediation: 'Lower the maxReplicaCount of the scalers listed, raise the NodePools\' limits["nvidia.com/gpu"], or give some '
    + 'of the workloads another pool.',
  description: 'GPU304 judges each scaler alone. When several GPU workloads can only run on the same NodePools (their '
    + 'usable pools, by the scheduling model, are within one set), they compete for the GPUs those pools may launch: at '
    + 'peak, the scaled workloads at their maximum replicas and the unscaled ones at `spec.replicas` need the sum of their '
    + 'GPUs. If that is above the pools\' summed `limits["nvidia.com/gpu"]`, ' + WHOLE_NODE_LIMITS + ', Karpenter stops '
    + 'launching nodes and some '
    + 'replicas stay Pending exactly when load is highest, while each scaler looks healthy on its own. Reported once per '
    + 'smallest overcommitted set of pools, on the scaler asking for the most GPUs, when at least one workload of the group is '
    + 'scaled and at least two workloads share the set. A warning: the maximums may be deliberate if the workloads never '
    + 'peak together. When even the replicas they always run (scalers\' minimums) over-commit the set, GPU223 reports it '
    + 'instead. Pools that share GPUs (time-slicing, NodeOverlay) are not judged.',
  *check(ctx) {
    if (ctx.nodePools().length === 0 || scalerByTarget(ctx).size === 0) return;
    const shares = poolShares(ctx, PEAK_KINDS, (w, scaler) => {
      const replicas = scaler ? maxReplicasOf(scaler).raw ?? (scaler.kind === 'ScaledObject' ? KEDA_DEFAULT_MAX : undefined)
        : w.object?.spec?.replicas ?? 1;
      return typeof replicas === 'number' && Number.isInteger(replicas) ? replicas : undefined;
    });
    const floors = alwaysRunningFloors(shares);
    const over = overcommittedPoolSets(ctx, shares, (group, capacity) => group.length >= 2 && group.some((sh) => sh.scaler)
      // Even the replicas always running over-commit the set: GPU223's error.
      && !(group.reduce((sum, sh) => sum + (floors.get(sh) ?? 0) * sh.gpus, 0) > capacity));
    for (const o of over) {
      const scaled = o.group.filter((sh) => sh.scaler);
      const worst = scaled.reduce((a, b) => (b.replicas * b.gpus > a.replicas * a.gpus ? b : a));
      const s = worst.scaler!;
      const { field } = maxReplicasOf(s);
      yield ctx.finding(s.object, field,
        `together with the other workloads that can only use NodePools ${o.pools.join(', ')}, asks for ${o.demand} GPUs at peak, `
        + `but those pools allow ${o.capacity} (${poolLimitsWords(o)}): ${sharesWords(o.group, 'maximum')}`,
        `Lower these maximums by ${o.demand - o.capacity} GPUs in total, or raise the pools' limits["nvidia.com/gpu"] to at least ${o.demand} together.`);
    }
  },
};

/** Each share's replicas always running ({@link alwaysRunningReplicas}; 0 when not a whole number). */
function alwaysRunningFloors(shares: readonly PoolShare[]): Map<PoolShare, number> {
  return new Map(shares.map((sh) => [sh, alwaysRunningReplicas(sh.workload, sh.scaler) ?? 0] as const));
}

/** GPU305 — no `metricName` on triggers. */
export const NO_TRIGGER_METRIC_NAME: Rule = {
  id: 'GPU305',
  title: 'A ScaledObject trigger must not set metadata.metricName (removed in KEDA 2.12)',
  severity: Severity.WARNING,
  kinds: ['ScaledObject'],
  remediation: 'Delete metricName from the trigger metadata; name the trigger with `name` if you need to tell triggers apart.',
  description: 'KEDA generates the external metric name itself (`s<index>-<scaler>-…`); the `metricName` trigger '
    + 'parameter was deprecated and removed in KEDA 2.12. Newer scalers ignore it or reject it, and HPAs written against '
    + 'the old name (as in seed 001) never see the metric.',
  *check(ctx) {
    for (const so of ctx.byKind('ScaledObject', 'keda.sh')) {
      const triggers = so?.spec?.triggers;
      if (!Array.isArray(triggers)) continue;
      for (let i = 0; i < triggers.length; i++) {
        const md = triggers[i]?.metadata;
        if (md && typeof md === 'object' && Object.prototype.hasOwnProperty.call(md, 'metricName')) {
          yield ctx.finding(so, `spec.triggers[${i}].metadata.metricName`,
            `is ${JSON.stringify(md.metricName)}; KEDA ≥ 2.12 no longer uses it (the metric name is generated)`);
        }
      }
    }
  },
};

/** Whether the manifests run a DCGM exporter (our DaemonSet, the GPU Operator's, or a ServiceMonitor for it). */
export function hasDcgmExporter(ctx: RuleContext): boolean {
  const runsExporter = ctx.workloads().some((w) => (w.template.podSpec?.containers ?? [])
    .some((c: any) => typeof c?.image === 'string' && /dcgm-exporter/.test(c.image)));
  if (runsExporter) return true;
  const operator = ctx.byKind('ClusterPolicy', 'nvidia.com').some((cp) => cp?.spec?.dcgmExporter?.enabled !== false);
  if (operator) return true;
  // With the GPU Operator installed by Helm, its exporter is outside the manifests: the collectors ConfigMap
  // DcgmMonitoring writes for it (annotated `cdk8s-gpu.io/dcgm-exporter: gpu-operator`) or a ServiceMonitor for it counts.
  if (ctx.byKind('ConfigMap', '').some((cm) => cm?.metadata?.annotations?.['cdk8s-gpu.io/dcgm-exporter'] === 'gpu-operator')) return true;
  return ctx.byKind('ServiceMonitor', 'monitoring.coreos.com').some((sm) => {
    const ml = sm?.spec?.selector?.matchLabels ?? {};
    return Object.values(ml).some((v) => typeof v === 'string' && /dcgm-exporter/.test(v));
  });
}

/** GPU306 — DCGM triggers need an exporter. */
export const DCGM_TRIGGER_NEEDS_EXPORTER: Rule = {
  id: 'GPU306',
  title: 'A Prometheus trigger on DCGM metrics needs a DCGM exporter in the manifests',
  severity: Severity.WARNING,
  kinds: ['ScaledObject', 'DaemonSet', 'ClusterPolicy', 'ServiceMonitor', 'ConfigMap'],
  remediation: 'Add DcgmMonitoring (or the GPU Operator\'s ClusterPolicy with dcgmExporter enabled, or a ServiceMonitor for its exporter).',
  description: 'A `prometheus` trigger whose query reads `DCGM_FI_*` series gets no data unless a DCGM exporter runs on '
    + 'the GPU nodes and Prometheus scrapes it. Recognised: a workload running a `dcgm-exporter` image, a GPU Operator '
    + '`ClusterPolicy` with `dcgmExporter.enabled` not false, a ServiceMonitor selecting a `*dcgm-exporter*` label, or '
    + 'a collectors ConfigMap annotated `cdk8s-gpu.io/dcgm-exporter: gpu-operator` (DcgmMonitoring in GPU_OPERATOR mode: the '
    + 'operator\'s exporter, installed by Helm, reads it).',
  *check(ctx) {
    const dcgmTriggers: Array<[any, number]> = [];
    for (const so of ctx.byKind('ScaledObject', 'keda.sh')) {
      (Array.isArray(so?.spec?.triggers) ? so.spec.triggers : []).forEach((t: any, i: number) => {
        if (t?.type === 'prometheus' && typeof t?.metadata?.query === 'string' && t.metadata.query.includes('DCGM_FI_')) dcgmTriggers.push([so, i]);
      });
    }
    if (dcgmTriggers.length === 0 || hasDcgmExporter(ctx)) return;
    for (const [so, i] of dcgmTriggers) {
      yield ctx.finding(so, `spec.triggers[${i}].metadata.query`,
        'reads DCGM metrics, but no DCGM exporter (DaemonSet, GPU Operator ClusterPolicy or ServiceMonitor) is in these manifests; the query returns nothing');
    }
  },
};

/**
 * Functions that give a query a value without any series (`vector(1)`, `time()`, `absent(…)` is 1 when nothing
 * matches, `hour()` reads `time()` when given no argument): such a query may be active with no pods at all.
 */
const VALUE_WITHOUT_SERIES = new Set(['vector', 'time', 'absent', 'absent_over_time', 'pi', 'day_of_month', 'day_of_week',
  'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year']);

/**
 * The literal text every match of a fully anchored RE2 regex starts with (Prometheus anchors `=~` as `^(?:re)$`): the
 * characters before the first metacharacter, less one a quantifier makes optional; empty with an alternation.
 */
export function regexLiteralPrefix(re: string): string {
  if (re.includes('|')) return '';
  let prefix = '';
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      const next = re[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break; // (\d, \w, \Q…: a class or a mode)
      prefix += next;
      i++;
    } else if ('.[](){}*+?^$'.includes(c)) {
      if ('*?{'.includes(c)) prefix = prefix.slice(0, -1); // (the last literal may be absent)
      break;
    } else {
      prefix += c;
    }
  }
  return prefix;
}

/** The target a scale-to-zero check reads: its namespace and name, and its workload when it is in the manifests. */
interface ZeroTarget {
  readonly namespace: string;
  readonly name: string;
  readonly workload?: WorkloadRef;
}

/**
 * A trigger that cannot wake its target from zero: the matcher that confines its query to the target's own pods, or
 * undefined when the trigger may be active with no pods (another scaler type, a query reading other series, a
 * negative activation threshold, or an empty result KEDA turns into fallback replicas).
 */
function confinedTo(ctx: RuleContext, so: any, trigger: any, target: ZeroTarget): string | undefined {
  if (trigger?.type !== 'prometheus') return undefined;
  const md = trigger.metadata;
  if (!md || typeof md.query !== 'string') return undefined;
  const activation = md.activationThreshold === undefined ? 0 : Number(md.activationThreshold);
  if (!(activation >= 0)) return undefined; // (below 0: active with no data, or not a number: KEDA refuses the trigger)
  // ignoreNullValues false: an empty result is an error, and with a fallback KEDA scales the target to its replicas.
  const nullIsZero = md.ignoreNullValues === undefined ? true : parseGoBool(md.ignoreNullValues);
  if (nullIsZero === undefined) return undefined;
  if (!nullIsZero && so?.spec?.fallback && typeof so.spec.fallback === 'object') return undefined;
  const selection = _promqlSelection(md.query);
  if (!selection || selection.selectors.length === 0) return undefined;
  if (selection.functions.some((f) => VALUE_WITHOUT_SERIES.has(f))) return undefined;
  let shown: string | undefined;
  for (const matchers of selection.selectors) {
    const m = matchers.find((x) => confines(ctx, matchers, x, target));
    if (!m) return undefined;
    shown ??= `${m.label}${m.op}${JSON.stringify(m.value)}`;
  }
  return shown;
}

/** Whether one matcher of a selector keeps it to the target's pods (and the selector to the target's namespace). */
function confines(ctx: RuleContext, matchers: readonly _PromQLMatcher[], m: _PromQLMatcher, target: ZeroTarget): boolean {
  const ns = matchers.find((x) => x.label === 'namespace' && x.op === '=');
  if (ns && ns.value !== (target.namespace || 'default') && ns.value !== target.namespace) return false;
  if (m.label === 'pod' || m.label === 'exported_pod') {
    const prefix = m.op === '=' ? m.value : m.op === '=~' ? regexLiteralPrefix(m.value) : '';
    if (!prefix.startsWith(`${target.name}-`)) return false;
    // A workload named "<target>-…" (a canary) has pods the same prefix matches.
    return !ctx.workloads().some((w) => w.object !== target.workload?.object && nsOf(w.object) === target.namespace
      && typeof w.object?.metadata?.name === 'string' && w.object.metadata.name.startsWith(`${target.name}-`));
  }
  if ((m.label === 'service' || m.label === 'job') && m.op === '=' && target.workload) {
    // prometheus-operator labels a ServiceMonitor's series with the Service's name (`service`, and `job` by default).
    const svc = ctx.get('Service', target.namespace, m.value);
    const selector = svc?.spec?.selector;
    if (!selector || typeof selector !== 'object' || Array.isArray(selector) || Object.keys(selector).length === 0) return false;
    const behind = ctx.workloadsMatching(target.namespace, selector);
    return behind.length === 1 && behind[0].object === target.workload.object;
  }
  return false;
}

/** GPU309 — a ScaledObject that scales to zero needs a trigger that can wake it. */
export const SCALE_FROM_ZERO_POSSIBLE: Rule = {
  id: 'GPU309',
  title: 'A ScaledObject that scales to zero needs a trigger that can be active while its target has no pods',
  severity: Severity.ERROR,
  kinds: ['ScaledObject', 'Deployment', 'StatefulSet', 'Service'],
  remediation: 'Set minReplicaCount to 1 or more (and no idleReplicaCount: 0), or add a trigger on a metric that exists '
    + 'without the target\'s pods (a gateway\'s request rate, a queue length) with an activationThreshold.',
  description: 'KEDA\'s `minReplicaCount` defaults to 0, and `idleReplicaCount: 0` also parks the target at zero: once '
    + 'every trigger is inactive for `cooldownPeriod`, KEDA scales the target to 0, and it scales it up again only when '
    + 'a trigger becomes active (keda.sh "Scaling Deployments": activation phase; ScaledObject spec). A prometheus '
    + 'trigger is active when its query\'s value exceeds `activationThreshold` (default 0), and an empty result counts '
    + 'as 0 (`ignoreNullValues`, default true; with false it is an error, and KEDA then scales to `fallback.replicas` if '
    + 'set: such triggers are not judged). A query whose every series selector is confined to the target\'s own pods — '
    + '`pod`/`exported_pod` equal to, or a regex starting with, `<target>-` (DCGM\'s and prometheus-operator\'s pod '
    + 'label; no other workload of the namespace named `<target>-…`), or `service`/`job` naming a Service in front of '
    + 'the target alone — returns nothing at zero pods, so the target never comes back: a GPU server scaled to zero '
    + 'on its own GPU utilisation or vLLM queue stays at zero. Queries calling `vector`, `absent`, `time` and the like '
    + 'can have a value without series and are not judged; any other trigger type (queues, cron, HTTP) can wake it.',
  *check(ctx) {
    for (const so of ctx.byKind('ScaledObject', 'keda.sh')) {
      const spec = so?.spec;
      const triggers = spec?.triggers;
      if (!Array.isArray(triggers) || triggers.length === 0) continue;
      const min = spec.minReplicaCount ?? 0;
      const idleZero = spec.idleReplicaCount === 0;
      if (min !== 0 && !idleZero) continue;
      const ref = scalersOf(ctx).find((s) => s.object === so);
      if (!ref) continue;
      const targetObj = targetOf(ctx, ref);
      const workload = targetObj ? ctx.workloads().find((w) => w.object === targetObj) : undefined;
      const target: ZeroTarget = { namespace: ref.namespace, name: ref.targetName, workload };
      const reads = triggers.map((t: any) => confinedTo(ctx, so, t, target));
      if (reads.some((r: string | undefined) => r === undefined)) continue;
      const named = triggers.map((t: any, i: number) => `${typeof t?.name === 'string' ? t.name : `triggers[${i}]`}: ${reads[i]}`);
      const why = min === 0
        ? (spec.minReplicaCount === undefined ? 'minReplicaCount is unset: KEDA\'s default is 0' : 'minReplicaCount is 0')
        : 'idleReplicaCount is 0';
      yield ctx.finding(so, min === 0 ? 'spec.minReplicaCount' : 'spec.idleReplicaCount',
        `scales ${ref.targetKind} ${ref.namespace || 'default'}/${ref.targetName} to zero (${why}), but every trigger reads `
        + `only the target's own pods (${named.join('; ')}): with no pods the queries return nothing, so KEDA never `
        + 'scales it up again');
    }
  },
};

/** Whether KEDA has been told to stop scaling a ScaledObject (`autoscaling.keda.sh/paused` true, or paused replicas). */
function kedaPaused(so: any): boolean {
  const a = so?.metadata?.annotations ?? {};
  return a['autoscaling.keda.sh/paused-replicas'] !== undefined || String(a['autoscaling.keda.sh/paused']).toLowerCase() === 'true';
}

/** GPU322 — a scaled GPU workload's manifest should leave its replicas to the scaler. */
export const SCALED_TARGET_OMITS_REPLICAS: Rule = {
  id: 'GPU322',
  title: 'A GPU Deployment or StatefulSet scaled by a ScaledObject or HPA should not set spec.replicas',
  severity: Severity.WARNING,
  kinds: ['Deployment', 'StatefulSet', 'ScaledObject', 'HorizontalPodAutoscaler'],
  remediation: 'Delete spec.replicas from the manifest and let the scaler set it (Kubernetes "Horizontal Pod Autoscaling: '
    + 'Migrating Deployments and StatefulSets to horizontal autoscaling"); InferenceDeployment leaves it out when a '
    + 'KedaGpuScaler targets it.',
  description: 'A scaler (a ScaledObject\'s HPA, or an HPA) sets the `replicas` of its target. When the manifest sets '
    + '`spec.replicas` too, every `kubectl apply` of the manifest (or GitOps sync) sets it back to that count, whatever '
    + 'the scaler chose (server-side apply reports a conflict instead, unless forced, as GitOps tools do); Kubernetes '
    + '"Horizontal Pod Autoscaling" asks to remove it from the manifest for that reason. '
    + 'For GPU model servers this is costly: an apply at peak load removes replicas that serve traffic, and the ones '
    + 'the scaler adds back on its next pass wait for a node and load their model for minutes. Not judged when the '
    + 'scaler can only choose that count (minimum = maximum = replicas), when its counts are not whole numbers, or when '
    + 'a ScaledObject is paused (`autoscaling.keda.sh/paused`, `paused-replicas`).',
  *check(ctx) {
    if (scalersOf(ctx).length === 0) return;
    for (const w of ctx.workloads()) {
      if (w.kind !== 'Deployment' && w.kind !== 'StatefulSet') continue;
      const replicas = w.object?.spec?.replicas;
      if (replicas === undefined) continue;
      const s = scalerOfTarget(ctx, w.object);
      if (!s || (s.kind === 'ScaledObject' && kedaPaused(s.object))) continue;
      if (!demandsAny(ctx.gpuDemand(w.template))) continue;
      const min = scalerMinimum(s);
      const max = scalerMaximum(s);
      // A scaler whose counts are not whole numbers is GPU009's (schema) or GPU303's to report.
      if (min === undefined || max === null || (min === replicas && max === replicas)) continue;
      yield ctx.finding(w.object, 'spec.replicas',
        `is ${describeValue(replicas)} while ${s.kind} ${nameOf(s.object)} scales this ${w.kind}: `
        + `each kubectl apply (or GitOps sync) of these manifests sets it back to ${describeValue(replicas)}, whatever the scaler `
        + 'chose; at peak load that removes GPU replicas serving traffic, and the ones the scaler adds back load their '
        + 'model for minutes');
    }
  },
};

/** The scaling rules, sorted by id. */
export const SCALING_RULES: Rule[] = [
  SCALE_TARGET_EXISTS,
  ONE_AUTOSCALER_PER_WORKLOAD,
  SCALED_OBJECT_REPLICA_BOUNDS,
  MAX_REPLICAS_FIT_POOL_LIMITS,
  NO_TRIGGER_METRIC_NAME,
  DCGM_TRIGGER_NEEDS_EXPORTER,
  SHARED_POOLS_FIT_MAXIMUMS,
  SCALE_FROM_ZERO_POSSIBLE,
  SCALED_TARGET_OMITS_REPLICAS,
];
