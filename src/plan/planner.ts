/**
 * `planGpuWorkloads`: the plan of a set of manifests — placement, capacity and cost — from the one scheduling model
 * (src/scheduling) and the validation core's index (src/validation/context.ts). No second copy of any predicate.
 *
 * Modelling choices (also listed in every plan's `assumptions`):
 * - Placement: `placeOnPool`'s predicate chain per NodePool; the first failed predicate is the reason a pool is out.
 *   A container that sets no cpu or memory counts its namespace's LimitRange default request (the validation index
 *   fills `PodTemplateRef.requestDefaults` from the manifests' LimitRanges).
 * - Attribution: a workload that fits several pools is attributed to the one Karpenter tries first — the highest
 *   `spec.weight` (absent = 0), ties by name (`preferredVerdict`). Karpenter falls back to lower-weight pools when
 *   that one is at its limits; the plan says so but does not spill replicas over.
 * - Replicas: ScaledObject min/max (KEDA defaults 0/100), else HPA min/max, else `replicas`/`parallelism`; a CronJob
 *   0 to its Job's `parallelism` (nothing runs between its schedules). At the maximum, CronJobs take what the others
 *   leave: a run with no room waits (a warning) unless it does not fit even alone (an error).
 *   DaemonSets are placed but not counted (one pod per node).
 * - Node type: per workload the cheapest instance type of its pool that one replica fits (priced types first;
 *   catalog order breaks ties). Nodes: first fit of the pool's replicas into nodes of those types, workload after
 *   workload in input order, over GPU resources, cpu and memory (allocatable after the system reserve): replicas take
 *   the room left on the nodes already launched, then new nodes, as Karpenter launches them (spill.ts). Replicas
 *   that keep one of their own pods per node (`onePodPerNode`) take a packing dimension of their own, 1 per node.
 * - Limits: a pool's `spec.limits` are compared with the capacity of the nodes it must launch (GPUs, cpu, memory),
 *   as Karpenter counts them. Only workloads that can land nowhere else make an overflow an error.
 * - Quotas: GPU202 (a quota below one pod) makes a workload unschedulable; an unscoped ResourceQuota on
 *   `requests.<gpu resource>` below max replicas × per-pod GPUs makes its maximum unreachable.
 * - Cost: catalog on-demand prices (us-east-1); spot = on-demand × (1 − spotDiscount); a pool allowing spot is priced
 *   at spot (Karpenter prioritises spot when a NodePool allows both), others (on-demand, reserved) at on-demand.
 */
import { GpuInstanceType } from '../catalog';
import { GpuConfigError } from '../errors';
import { listed, listedFirst, NAMED_IN_LIST, poolList } from './format';
import { gangRanks, onePodPerNode, planGang } from './gang';
import {
  DEFAULT_SPOT_DISCOUNT, FitGroup, NodeCount, Plan, PlanOptions, PlanProblem, PoolCost, PoolPlan, Range,
  RejectionGroup, SpillShare, WorkloadPlan,
} from './model';
import { planQueues } from './queues';
import { ScalerIndex } from './replicas';
import { exceededLimits, nodesOf, packPool, spill, SpillResult, usedCapacity } from './spill';
import { nsOf } from '../private/meta';
import { byCodeUnits } from '../private/order';
import { quantityText } from '../private/quantity';
import { extendedResourceRefusals } from '../scheduling/api-validity';
import { offeredOnNode } from '../scheduling/dra';
import { PoolModel } from '../scheduling/nodepool';
import { limitCapacityOf, Placement, PlacementMemo, PlacementVerdict } from '../scheduling/placement';
import { podCpuMemoryRequests, setsResource, tryParseQuantity } from '../scheduling/resources';
import { containersOf, PodTemplateRef } from '../scheduling/workloads';
import { gateManifests } from '../schema/gate';
import { ManifestIndex, objectRefOf } from '../validation/context';
import { validateManifests } from '../validation/engine';
import { SourcedManifest } from '../validation/model';
import { WorkloadRef } from '../validation/rule';
import { QUOTA_ALLOWS_ONE_REPLICA } from '../validation/rules/workloads';

const GiB = 2 ** 30;
const fmt = (n: number) => `${+n.toFixed(3)}`;

function labelOf(obj: any): string {
  const ref = objectRefOf(obj);
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** Priced types first, cheapest first, then catalog order (the verdict's order). */
function cheapest(types: readonly GpuInstanceType[]): GpuInstanceType {
  const priced = types.filter((t) => t.onDemandUsdPerHour !== undefined);
  if (priced.length === 0) return types[0];
  return priced.reduce((a, b) => (b.onDemandUsdPerHour! < a.onDemandUsdPerHour! ? b : a));
}

/** The plan-side view of one GPU workload while the plan is built. */
interface Placed {
  readonly w: WorkloadRef;
  readonly plan: WorkloadPlan;
  readonly problems: string[];
  readonly notes: string[];
  readonly verdict?: PlacementVerdict;
  readonly type?: GpuInstanceType;
  readonly demand: Readonly<Record<string, number>>;
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly ephemeralStorageBytes: number;
  readonly onlyHere: boolean;
  /** See SpillDemand.spreadKey. */
  readonly spreadKey?: string;
  /** Fitting verdicts in Karpenter's order (highest weight first, then name). */
  readonly fitting: PlacementVerdict[];
  /** Every verdict, one per pool in the pools' order. */
  readonly verdicts: readonly PlacementVerdict[];
}

/**
 * The LimitRange default requests (`PodTemplateRef.requestDefaults`) that a container of the template takes: one that
 * sets neither a request nor a limit of the resource.
 */
function limitRangeDefaultsUsed(t: PodTemplateRef): Array<{ resource: string; text: string }> {
  const out: Array<{ resource: string; text: string }> = [];
  if (!t.requestDefaults) return out;
  const containers = containersOf(t);
  for (const r of ['cpu', 'memory', 'ephemeral-storage'] as const) {
    const v = t.requestDefaults[r];
    if (v !== undefined && containers.some((c) => !setsResource(c.container, r))) out.push({ resource: r, text: quantityText(v, r !== 'cpu') });
  }
  return out;
}

/** Unscoped ResourceQuotas' `requests.<resource>` hard limits, per namespace. */
function gpuQuotas(index: ManifestIndex): Map<string, Array<{ name: string; resource: string; hard: number; raw: unknown }>> {
  const out = new Map<string, Array<{ name: string; resource: string; hard: number; raw: unknown }>>();
  for (const q of index.byKind('ResourceQuota', '')) {
    const spec = q?.spec ?? {};
    if ((Array.isArray(spec.scopes) && spec.scopes.length > 0) || spec.scopeSelector) continue;
    for (const [k, raw] of Object.entries(spec.hard ?? {})) {
      if (!k.startsWith('requests.')) continue;
      const parsed = tryParseQuantity(raw);
      if (parsed === undefined) continue;
      const ns = nsOf(q);
      if (!out.has(ns)) out.set(ns, []);
      out.get(ns)!.push({ name: q.metadata?.name ?? '<unnamed>', resource: k.slice('requests.'.length), hard: parsed, raw });
    }
  }
  return out;
}

/**
 * Plans the GPU workloads of `manifests`: where each lands, what each NodePool must launch at min and max replicas,
 * and the hourly cost. Pure: reads the manifests, changes nothing.
 * @throws GpuConfigError when `spotDiscount` is not in [0, 1)
 */
export function planGpuWorkloads(manifests: readonly SourcedManifest[], options: PlanOptions = {}): Plan {
  const discount = options.spotDiscount ?? DEFAULT_SPOT_DISCOUNT;
  if (typeof discount !== 'number' || !Number.isFinite(discount) || discount < 0 || discount >= 1) {
    throw new GpuConfigError('planGpuWorkloads', 'spotDiscount', `is ${JSON.stringify(discount)}, not a fraction in [0, 1)`,
      'give the share saved by spot, e.g. 0.6 for 60% below on-demand');
  }
  const gate = options.schemaGate === false ? undefined : gateManifests(manifests);
  const index = new ManifestIndex(gate ? gate.passed : manifests);
  const pools = index.nodePools();
  const scalers = new ScalerIndex(index);
  const reserve = options.systemReserve;
  // Karpenter's order of every pool, once (highest weight first, then name; input order breaks ties): the fitting
  // pools of a workload are in this order, and "a later pool" is a higher rank.
  const karpenterOrder = byWeight(pools.map((pool, i) => ({ pool, i })));
  const rank = new Map(karpenterOrder.map((v, r) => [v.pool, r] as const));
  const karpenterIndex = Int32Array.from(karpenterOrder, (v) => v.i);
  // Lists of instance type names: one array per list of types (verdicts share them), and per distinct list of names.
  const typeLists = new Map<string, string[]>();
  const typeListOf = new Map<readonly GpuInstanceType[], string[]>();
  const typeNames = (types: readonly GpuInstanceType[]): string[] => {
    let names = typeListOf.get(types);
    if (names) return names;
    names = types.map((t) => t.name);
    const key = names.join('\u0000');
    const known = typeLists.get(key);
    if (known) names = known;
    else typeLists.set(key, names);
    typeListOf.set(types, names);
    return names;
  };
  // Placement verdicts memoised per placement signature (identical templates are judged once per pool) and, for
  // taints and node selection, per selection signature.
  const placements = new PlacementMemo(pools, { systemReserve: reserve });
  const groupsOf = new Map<Placement, Grouped>();
  // Groups of the same content are one object for every placement that has them (the workloads of one selection share
  // most of theirs), found by a hash of their pools' positions and checked whole: the JSON writer writes a shared
  // object's text once and copies it after.
  const interned = new Map<string, Array<{ positions: Int32Array; group: FitGroup | RejectionGroup }>>();
  const typeListIds = new Map<string[], number>();
  // Each pool's group in the placement being grouped, and per group its size and a hash of its pools' positions (arrays
  // reused: grouping allocates nothing per pool).
  const groupOf = new Int32Array(pools.length);
  const sizes = new Int32Array(pools.length);
  const hashes = new Int32Array(pools.length);
  // Per placement (one per signature, shared by the workloads with that signature): its fitting verdicts in
  // Karpenter's order, and the pools grouped as the plan shows them.
  const fittingOf = (placement: Placement): Grouped => {
    let lists = groupsOf.get(placement);
    if (lists) return lists;
    const { verdicts, fits } = placement;
    lists = { inKarpenterOrder: [], fits: [], rejectedBy: [] };
    // Groups by the verdict's list of types (shared by the verdicts of one shape), and by reason (then predicate);
    // per group its first verdict.
    const fitGroupOf = new Map<readonly GpuInstanceType[], number>();
    const rejectionGroupOf = new Map<string | undefined, number>();
    const first: PlacementVerdict[] = [];
    const newGroup = (v: PlacementVerdict) => {
      const g = first.push(v) - 1;
      sizes[g] = 0;
      hashes[g] = 0;
      return g;
    };
    for (let i = 0; i < verdicts.length; i++) {
      const v = verdicts[i];
      let g: number | undefined;
      if (fits[i]) {
        g = fitGroupOf.get(v.instanceTypes);
        if (g === undefined) {
          // Another list of the same names (a pool of another shape) is the same group.
          const types = typeNames(v.instanceTypes);
          g = first.findIndex((o) => o.fits && typeNames(o.instanceTypes) === types);
          if (g < 0) g = newGroup(v);
          fitGroupOf.set(v.instanceTypes, g);
        }
      } else {
        g = rejectionGroupOf.get(v.reason);
        if (g === undefined || first[g].failedPredicate !== v.failedPredicate) {
          g = first.findIndex((o) => !o.fits && o.reason === v.reason && o.failedPredicate === v.failedPredicate);
          if (g < 0) g = newGroup(v);
          rejectionGroupOf.set(v.reason, g);
        }
      }
      groupOf[i] = g;
      sizes[g]++;
      hashes[g] = (hashes[g] * 31 + i) % 1000003;
    }
    // Each group as the one object of its content: an earlier placement's when it has the same pools (checked whole).
    const groupFor = <G extends FitGroup | RejectionGroup>(g: number, kind: string, make: (pools: string[]) => G): G => {
      const key = `${kind}\u0000${sizes[g]}\u0000${hashes[g]}`;
      let bucket = interned.get(key);
      if (!bucket) interned.set(key, bucket = []);
      for (const known of bucket) if (known.positions.every((i) => groupOf[i] === g)) return known.group as G;
      const positions = new Int32Array(sizes[g]);
      for (let i = 0, k = 0; k < positions.length; i++) if (groupOf[i] === g) positions[k++] = i;
      const group = make(Array.from(positions, (i) => pools[i].name));
      bucket.push({ positions, group });
      return group;
    };
    first.forEach((v, g) => {
      if (v.fits) {
        const types = typeNames(v.instanceTypes);
        let id = typeListIds.get(types);
        if (id === undefined) typeListIds.set(types, id = typeListIds.size);
        lists!.fits.push(groupFor(g, `fits ${id}`, (names) => ({ instanceTypes: types, pools: names })));
      } else {
        lists!.rejectedBy.push(groupFor(g, `${v.failedPredicate}\u0000${v.reason}`, (names) => ({
          ...(v.failedPredicate !== undefined ? { failedPredicate: v.failedPredicate } : {}),
          ...(v.reason !== undefined ? { reason: v.reason } : {}),
          pools: names,
        })));
      }
    });
    for (let r = 0; r < karpenterIndex.length; r++) if (fits[karpenterIndex[r]]) lists.inKarpenterOrder.push(verdicts[karpenterIndex[r]]);
    groupsOf.set(placement, lists);
    return lists;
  };

  // GPU202: a namespace quota that refuses even one pod.
  const quotaRefusals = new Map<string, string[]>();
  if (index.byKind('ResourceQuota', '').length > 0) {
    for (const f of validateManifests([...manifests], { rules: [QUOTA_ALLOWS_ONE_REPLICA], disabledRules: ['GPU000'] })) {
      const k = `${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name}`;
      if (!quotaRefusals.has(k)) quotaRefusals.set(k, []);
      quotaRefusals.get(k)!.push(f.message);
    }
  }
  const quotas = gpuQuotas(index);

  const placed: Placed[] = [];
  for (const w of index.workloads()) {
    const demand = index.gpuDemand(w.template);
    if (Object.keys(demand).length === 0) continue;
    const problems: string[] = [];
    const { range, notes } = scalers.replicasOf(w);
    const defaulted = limitRangeDefaultsUsed(w.template);
    if (defaulted.length > 0) {
      notes.push(`containers that set no ${defaulted.map((d) => d.resource).join(' or ')} count the default request of their namespace's `
        + `LimitRange (${defaulted.map((d) => `${d.resource} ${d.text}`).join(', ')}), as LimitRanger gives it`);
    }
    const placement = placements.placement(w.template, index.placementSignature(w.template));
    const verdicts = placement.verdicts;
    const grouped = fittingOf(placement);
    // The fitting pools in Karpenter's order (highest weight first, then name).
    const fitting = grouped.inKarpenterOrder;
    const preferred: PlacementVerdict | undefined = fitting[0]; // what preferredVerdict(fitting) picks
    const ref = objectRefOf(w.object);
    const label = labelOf(w.object);

    // A pod the API server refuses is never created: no capacity can schedule it.
    const refusals = extendedResourceRefusals(w.template);
    if (refusals.length > 0) {
      problems.push(`can never schedule: the API server refuses its pods (${refusals.join('; ')})`);
    } else if (pools.length === 0) {
      problems.push('can never schedule: no Karpenter NodePool in the input');
    } else if (!preferred) {
      problems.push(`can never schedule: it fits no NodePool (${rejectionsInWords(grouped.rejectedBy)})`);
    }
    for (const m of quotaRefusals.get(`${ref.kind} ${ref.namespace ?? ''}/${ref.name}`) ?? []) {
      problems.push(`can never schedule: ${m}`);
    }
    const schedulable = problems.length === 0;

    // Quota vs maximum replicas (unscoped quotas; the namespace's other pods only lower the cap further).
    if (schedulable && range) {
      for (const q of quotas.get(nsOf(w.object)) ?? []) {
        const per = demand[q.resource];
        if (per === undefined || per <= 0) continue;
        const cap = Math.floor(q.hard / per + 1e-9);
        if (cap < range.max) {
          problems.push(`its maximum of ${range.max} replicas can never be reached: ResourceQuota ${q.name} allows `
            + `requests.${q.resource} ${String(q.raw)} in namespace ${nsOf(w.object) || '<default>'}, `
            + `room for at most ${cap} replica${cap === 1 ? '' : 's'} of ${fmt(per)} each`);
        }
      }
    }

    let attribution: string | undefined;
    if (preferred) {
      if (fitting.length === 1) {
        attribution = 'the only pool that fits';
      } else {
        // The pools it falls back to, in Karpenter's order (the order it tries them in): the first few named.
        const others = fitting.slice(1, NAMED_IN_LIST + 1).map((v) => v.pool.name);
        const more = fitting.length - 1 - others.length;
        attribution = `Karpenter's first choice of ${fitting.length} fitting pools (highest weight ${preferred.pool.weight ?? 0}, `
          + `then name); it falls back to ${others.join(', ')}${more > 0 ? ` and ${more} more by weight` : ''} `
          + `when ${preferred.pool.name} is at its limits`;
      }
    }
    const type = preferred ? cheapest(preferred.instanceTypes) : undefined;
    const req = podCpuMemoryRequests(w.template);
    const src = index.sourceOf(w.object);
    const ranks = gangRanks(w);
    const gang = ranks !== undefined && preferred && type
      ? planGang(w, ranks, preferred.pool, type, demand, req.cpu, req.memoryBytes, preferred.pool.capacityTypes.includes('spot'), discount, reserve,
        req.ephemeralStorageBytes)
      : undefined;
    const gangLimit = fitting.every((v) => v.pool.gpuLimit !== undefined) ? fitting.reduce((s, v) => s + v.pool.gpuLimit!, 0) : undefined;
    if (gang && gangLimit !== undefined && gang.nodeGpus > gangLimit) {
      problems.push(`the gang can never start: its ${gang.ranks} ranks need ${gang.nodes} × ${gang.instanceType} = ${gang.nodeGpus} GPUs at once, `
        + `but the pools it fits allow ${gangLimit} (limits.nvidia.com/gpu); the ranks that start wait forever for the rest`);
    }
    const plan: WorkloadPlan = {
      kind: ref.kind,
      ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}),
      name: ref.name,
      label,
      ...(src?.file !== undefined ? { file: src.file } : {}),
      ...(src?.line !== undefined ? { line: src.line } : {}),
      gpusPerReplica: { ...demand },
      cpuPerReplica: req.cpu,
      memoryBytesPerReplica: req.memoryBytes,
      ...(req.ephemeralStorageBytes > 0 ? { ephemeralStorageBytesPerReplica: req.ephemeralStorageBytes } : {}),
      ...(range ? { replicas: range } : {}),
      fits: grouped.fits,
      rejectedBy: grouped.rejectedBy,
      ...(preferred ? { pool: preferred.pool.name, attribution } : {}),
      ...(type ? { instanceType: type.name } : {}),
      schedulable,
      problems,
      notes,
      ...(gang ? { gang } : {}),
    };
    placed.push({
      w,
      plan,
      problems,
      notes,
      demand,
      cpu: req.cpu,
      memoryBytes: req.memoryBytes,
      ephemeralStorageBytes: req.ephemeralStorageBytes,
      onlyHere: fitting.length === 1,
      // Replicas that keep one of their own pods per node take a node each, as Karpenter and kube-scheduler place them.
      ...(onePodPerNode(w) ? { spreadKey: String(placed.length) } : {}),
      fitting,
      verdicts,
      ...(preferred ? { verdict: preferred } : {}),
      ...(type ? { type } : {}),
    });
  }

  // Spill-over: each scenario (minimum, maximum replicas) fills the pools in weight order up to their limits.
  const counted = placed.filter((p) => p.plan.schedulable && p.plan.replicas !== undefined && p.verdict !== undefined);
  // Each workload's fitting pools with the type it would use there, worked out only as far as a scenario reads them
  // (most workloads stop at their first pool), once for both scenarios.
  // A choice is made once per verdict object (placements of the same outcome on a pool share it).
  const choices = new Map<PlacementVerdict, { pool: PoolModel; type: GpuInstanceType }>();
  function* poolsOf(p: Placed): Iterable<{ pool: PoolModel; type: GpuInstanceType }> {
    for (const v of p.fitting) {
      let choice = choices.get(v);
      if (!choice) choices.set(v, choice = { pool: v.pool, type: cheapest(v.instanceTypes) });
      yield choice;
    }
  }
  const scenario = (which: 'min' | 'max', workloads: readonly Placed[]) => spill(workloads.map((p) => ({
    workload: p,
    replicas: p.plan.replicas![which],
    pools: poolsOf(p),
  })), reserve);
  // A CronJob runs only during its scheduled runs (minimum 0): at the maximum it takes what the always-running
  // workloads leave, so it is spilled after them (its replicas that find no room wait for them, see `waiting`).
  const cronJobs = counted.filter((p) => p.w.kind === 'CronJob');
  const spilled = {
    min: scenario('min', counted),
    max: scenario('max', cronJobs.length === 0 ? counted : [...counted.filter((p) => p.w.kind !== 'CronJob'), ...cronJobs]),
  };
  const shares = { min: sharesOf(spilled.min), max: sharesOf(spilled.max) };
  // CronJobs that find no room at their maximum next to the others but fit their pools on their own: while the others
  // hold the capacity, the Job a run creates has Pending pods, and it starts once capacity is freed; not an
  // impossible configuration (a warning). One that does not fit even alone can never run whole (an error).
  const waiting = new Set(cronJobs.filter((p) => spilled.max.pending.has(p) && !scenario('max', [p]).pending.has(p)));
  // The limits that bind a pool in a scenario, once per pool (the message of every workload left Pending there).
  const binding = { min: new Map<PoolModel, string>(), max: new Map<PoolModel, string>() };
  const bindingOf = (which: 'min' | 'max', pool: PoolModel) => {
    let b = binding[which].get(pool);
    if (b === undefined) binding[which].set(pool, b = bindingLimits(pool, spilled[which], reserve));
    return b;
  };
  for (const p of counted) {
    const spread: SpillShare[] = [];
    const mine = { min: shares.min.get(p), max: shares.max.get(p) };
    if (mine.min !== undefined || mine.max !== undefined) {
      // The pools it has replicas on, in Karpenter's order (the order of `fitting`): a few of its hundreds.
      const on = new Set<PoolModel>(mine.min?.keys());
      for (const pool of mine.max?.keys() ?? []) on.add(pool);
      for (const pool of [...on].sort((a, b) => rank.get(a)! - rank.get(b)!)) {
        const share = { pool: pool.name, min: mine.min?.get(pool) ?? 0, max: mine.max?.get(pool) ?? 0 };
        if (share.min > 0 || share.max > 0) spread.push(share);
      }
    }
    (p.plan as { spread?: SpillShare[] }).spread = spread;
    for (const [which, word] of [['min', 'minimum'], ['max', 'maximum']] as const) {
      const left = spilled[which].pending.get(p);
      if (!left) continue;
      if (which === 'max' && waiting.has(p)) {
        p.notes.push(waitingMessage(p, spilled.max, left, (pool) => bindingOf('max', pool)));
        continue;
      }
      const limited = listedFirst(p.fitting, (v) => `${v.pool.name} (${bindingOf(which, v.pool)})`);
      p.problems.push(p.fitting.length === 1
        ? `its ${word} of ${p.plan.replicas![which]} replicas can never be reached: NodePool ${p.fitting[0].pool.name} is capped at ${bindingOf(which, p.fitting[0].pool)}`
        : `its ${word} of ${p.plan.replicas![which]} replicas can never be reached: every NodePool it fits is at its limits `
          + `(${limited}); ${left} replica${left === 1 ? '' : 's'} stay Pending`);
      if (which === 'min') break; // the maximum only matters when the minimum fits
    }
  }
  // Per pool, the counted workloads attributed to it (input order).
  const attributed = new Map<PoolModel, Placed[]>();
  for (const p of counted) {
    let list = attributed.get(p.verdict!.pool);
    if (!list) attributed.set(p.verdict!.pool, list = []);
    list.push(p);
  }
  const overflow = { min: overflowsOf(counted, spilled.min, shares.min, rank), max: overflowsOf(counted, spilled.max, shares.max, rank) };
  const order = new Map(counted.map((p, i) => [p, i] as const));
  const poolPlans = pools.map((pool, i) => planPool(pool, {
    index: i,
    counted,
    order,
    attributed: attributed.get(pool) ?? [],
    rank,
    shares,
    waiting,
    overflowing: { min: overflow.min.get(pool) ?? [], max: overflow.max.get(pool) ?? [] },
  }, spilled, discount, reserve));

  const sum = (f: (p: PoolPlan) => Range): Range => ({
    min: poolPlans.reduce((s, p) => s + f(p).min, 0),
    max: poolPlans.reduce((s, p) => s + f(p).max, 0),
  });
  const problems: PlanProblem[] = [];
  for (const f of gate?.failed ?? []) {
    for (const v of f.violations) {
      problems.push({ severity: 'error', subject: labelOf(f.manifest.object), message: `GPU009 ${v.fieldPath}: ${v.message} (left out of the plan)` });
    }
  }
  for (const p of placed) {
    for (const m of p.problems) problems.push({ severity: 'error', subject: p.plan.label, message: m });
    for (const m of p.notes) problems.push({ severity: 'warning', subject: p.plan.label, message: m });
  }
  for (const p of poolPlans) {
    for (const m of p.problems) problems.push({ severity: 'error', subject: `NodePool ${p.name}`, message: m });
    for (const m of p.notes) problems.push({ severity: 'warning', subject: `NodePool ${p.name}`, message: m });
  }
  for (const r of index.readProblems()) {
    problems.push({ severity: 'warning', subject: labelOf(r.object), message: `${r.fieldPath}: ${r.message}` });
  }

  return {
    spotDiscount: discount,
    workloads: placed.map((p) => p.plan),
    pools: poolPlans,
    totals: {
      gpus: sum((p) => p.gpus),
      nodeGpus: sum((p) => p.nodeGpus),
      nodes: sum((p) => p.nodes),
      cost: {
        onDemand: sum((p) => p.cost.onDemand),
        spot: sum((p) => p.cost.spot),
        expected: sum((p) => p.cost.expected),
        reserved: sum((p) => p.cost.reserved),
      },
      unpricedTypes: [...new Set(poolPlans.flatMap((p) => p.unpricedTypes))].sort(),
    },
    problems,
    queues: planQueues(index, placed.map((p) => p.plan)),
    assumptions: [
      'Placement: the scheduling model\'s predicates per NodePool (taints, node selection, GPU resources, cpu/memory after the system reserve, ephemeral storage against the disk of the pool\'s EC2NodeClass when it is in the manifests, pool limits). The DaemonSets of the manifests that land on a pool\'s nodes take their requests there: their cpu and memory where they exceed the reserve\'s allowance for DaemonSets (500m, 1 GiB), their ephemeral storage off the disk.'
        + ' Requests as written; a container that sets no cpu, memory or ephemeral-storage gets its namespace\'s LimitRange default request (LimitRanger), when the LimitRange is in the manifests.',
      'A workload that fits several pools is attributed to Karpenter\'s first choice: the highest spec.weight (absent = 0), then name. Spill-over: workloads in input order fill their fitting pools in that order up to each pool\'s spec.limits (node capacity, as Karpenter counts it); the rest spills to the next pool, and what no pool has room for stays Pending.',
      'Replicas: KEDA ScaledObject min/max (defaults 0/100), else HorizontalPodAutoscaler min/max, else replicas/parallelism; a CronJob 0 between runs and its Job\'s parallelism during one, placed after the always-running workloads (a run that finds no room waits for them: a warning); DaemonSets are not counted.',
      'Nodes: per workload the cheapest instance type of its pool one replica fits; first-fit packing over GPU, cpu, memory and (when requested) ephemeral storage, workload after workload in input order: replicas take the room left on the nodes already launched, then new nodes (running pods are not moved; consolidation may pack tighter later).'
        + ' Replicas that keep their own pods apart (a required hostname anti-affinity, a host port) take one node each.',
      `Prices: catalog on-demand USD/h (us-east-1, Karpenter's price table); spot = on-demand × (1 − ${discount}), an assumption; pools allowing spot are priced at spot, reserved-only pools as pre-paid (their own column, valued at the on-demand rate: an ODCR bills that rate whether used or not; a Capacity Block's price is paid when it is bought), others at on-demand.`,
    ],
  };
}

/** A placement's verdicts as the plan needs them: fitting lists, and every pool in a fit or a rejection group. */
interface Grouped {
  /** Fitting verdicts in Karpenter's order (highest weight first, then name). */
  readonly inKarpenterOrder: PlacementVerdict[];
  /** The fitting pools by instance types ({@link WorkloadPlan.fits}). */
  readonly fits: FitGroup[];
  /** The other pools by failed predicate and reason ({@link WorkloadPlan.rejectedBy}). */
  readonly rejectedBy: RejectionGroup[];
}

/**
 * Why no pool fits, bounded: per group `pools: reason` (the first pools named, `and N more`), the first groups named
 * and the rest counted. The workload's `rejectedBy` holds every pool.
 */
function rejectionsInWords(groups: readonly RejectionGroup[]): string {
  const shown = groups.slice(0, NAMED_IN_LIST).map((g) => `${poolList(g.pools)}: ${g.reason}`);
  const rest = groups.slice(NAMED_IN_LIST);
  if (rest.length > 0) {
    const pools = rest.reduce((n, g) => n + g.pools.length, 0);
    shown.push(`and ${rest.length} more reason${rest.length === 1 ? '' : 's'} on ${pools} pool${pools === 1 ? '' : 's'}`);
  }
  return shown.join('; ');
}

/**
 * The warning of a CronJob that fits its pools alone but finds no room at the maximum next to the workloads on them
 * (`left` of its replicas found none): the Job a run creates waits, it is not refused.
 */
function waitingMessage(p: Placed, max: SpillResult<Placed>, left: number, bindingOf: (pool: PoolModel) => string): string {
  const others = new Set<Placed>();
  for (const v of p.fitting) for (const a of max.byPool.get(v.pool) ?? []) if (a.workload !== p) others.add(a.workload);
  const pools = listedFirst(p.fitting, (v) => `${v.pool.name} (${bindingOf(v.pool)})`);
  const total = p.plan.replicas!.max;
  return `cannot run at the same time as ${listed([...others].map((o) => o.plan.label)) || 'the other workloads'}: `
    + `while ${others.size === 1 ? 'it holds' : 'they hold'} NodePool${p.fitting.length === 1 ? '' : 's'} ${pools}, `
    + `a run's Job has ${left} of its ${total} pod${total === 1 ? '' : 's'} Pending; they start once that capacity is freed `
    + '(the run fits on its own)';
}

/** Fitting verdicts in Karpenter's order: highest weight first (absent = 0), then name. */
function byWeight<T extends { readonly pool: PoolModel }>(verdicts: readonly T[]): T[] {
  return [...verdicts].sort((a, b) => (b.pool.weight ?? 0) - (a.pool.weight ?? 0) || byCodeUnits(a.pool.name, b.pool.name));
}

const showLimit = (k: string, v: number) => (k === 'memory' ? `${+(v / GiB).toFixed(1)}Gi` : fmt(v));

/** The limits that stop one more node of the pool: those its current nodes reach or would pass with one more. */
function bindingLimits(pool: PoolModel, spilled: SpillResult<Placed>, reserve: PlanOptions['systemReserve']): string {
  const assignments = spilled.byPool.get(pool) ?? [];
  const nodes = nodesOf(spilled, pool, reserve);
  const types = [...new Set(assignments.map((a) => a.type))];
  const one: Readonly<Record<string, number>> = types.length > 0 ? limitCapacityOf(pool, types[0]) : Object.create(null);
  const binding = Object.entries(pool.limits).filter(([k, limit]) => usedCapacity(pool, nodes, k) + (one[k] ?? 0) > limit + 1e-9);
  const shown = (binding.length > 0 ? binding : Object.entries(pool.limits)).map(([k, limit]) => `limits.${k} ${showLimit(k, limit)}`);
  return shown.join(', ') || 'its limits';
}

/** GPUs one replica takes on a node of `type`: each GPU resource as a share of a physical GPU. */
function gpuShare(pool: PoolModel, type: GpuInstanceType, demand: Readonly<Record<string, number>>): number {
  const adv = pool.advertisedResources(type);
  let share = 0;
  for (const [r, n] of Object.entries(demand)) {
    const perGpu = type.gpuCount > 0 ? offeredOnNode(r, type, adv) / type.gpuCount : 0;
    share += perGpu > 0 ? n / perGpu : 0;
  }
  return share;
}

/** Replicas per workload per pool in one scenario. */
function sharesOf(spilled: SpillResult<Placed>): Map<Placed, Map<PoolModel, number>> {
  const out = new Map<Placed, Map<PoolModel, number>>();
  for (const [pool, assignments] of spilled.byPool) {
    for (const a of assignments) {
      let m = out.get(a.workload);
      if (!m) out.set(a.workload, m = new Map());
      m.set(pool, (m.get(pool) ?? 0) + a.count);
    }
  }
  return out;
}

/** A workload that wanted more of a pool than its limits allow, and how many replicas went past the pool. */
interface Overflow {
  readonly p: Placed;
  /** Its replicas on pools later in Karpenter's order, plus those left Pending. */
  readonly beyond: number;
}

/**
 * Per pool, the counted workloads (input order) whose replicas went past it in one scenario: to pools later in
 * Karpenter's order or Pending. A workload fills its fitting pools in that order, so it went past each fitting pool
 * before the last one it has replicas on, and past every fitting pool when some stay Pending.
 */
function overflowsOf(counted: readonly Placed[], spilled: SpillResult<Placed>,
  shares: ReadonlyMap<Placed, ReadonlyMap<PoolModel, number>>, rank: ReadonlyMap<PoolModel, number>): Map<PoolModel, Overflow[]> {
  const out = new Map<PoolModel, Overflow[]>();
  for (const p of counted) {
    const pending = spilled.pending.get(p) ?? 0;
    const mine = shares.get(p);
    // beyond(fitting[j]) = Pending + the replicas on fitting[j + 1 …]; positive up to the last pool with replicas
    // (every pool when some are Pending).
    // (Its shares are on fitting pools only: the last of them in Karpenter's order is the one of highest rank.)
    let lastRank = -1;
    let after = pending;
    if (mine) {
      for (const [pool, n] of mine) {
        lastRank = Math.max(lastRank, rank.get(pool)!);
        after += n;
      }
    }
    let end = 0;
    if (pending > 0) end = p.fitting.length;
    else while (end < p.fitting.length && rank.get(p.fitting[end].pool)! < lastRank) end++;
    for (let j = 0; j < end; j++) {
      const pool = p.fitting[j].pool;
      after -= mine?.get(pool) ?? 0;
      let list = out.get(pool);
      if (!list) out.set(pool, list = []);
      list.push({ p, beyond: after });
    }
  }
  return out;
}

/** What {@link planPool} needs of the whole plan, computed once. */
interface PoolContext {
  /** The pool's position in the pools' order (its verdict in each workload's `verdicts`). */
  readonly index: number;
  /** The counted workloads, input order. */
  readonly counted: readonly Placed[];
  /** Each counted workload's position in `counted`. */
  readonly order: ReadonlyMap<Placed, number>;
  /** The counted workloads attributed to this pool (Karpenter's first choice), input order. */
  readonly attributed: readonly Placed[];
  /** Per scenario, the counted workloads fitting this pool whose replicas went past it, input order. */
  readonly overflowing: Record<'min' | 'max', readonly Overflow[]>;
  /** Each pool's place in Karpenter's order. */
  readonly rank: ReadonlyMap<PoolModel, number>;
  /** Replicas per workload per pool, per scenario. */
  readonly shares: Record<'min' | 'max', ReadonlyMap<Placed, ReadonlyMap<PoolModel, number>>>;
  /** CronJobs whose runs wait at the maximum for capacity the other workloads hold (they fit on their own). */
  readonly waiting: ReadonlySet<Placed>;
}

function planPool(pool: PoolModel, ctx: PoolContext, spilled: Record<'min' | 'max', SpillResult<Placed>>,
  discount: number, reserve: PlanOptions['systemReserve']): PoolPlan {
  const assigned = { min: spilled.min.byPool.get(pool) ?? [], max: spilled.max.byPool.get(pool) ?? [] };
  const nodesMin = nodesOf(spilled.min, pool, reserve);
  const nodesMax = nodesOf(spilled.max, pool, reserve);
  const types = [...new Set([...nodesMin.keys(), ...nodesMax.keys()])];
  // The workloads attributed to the pool or with replicas on it, input order.
  const hereSet = new Set<Placed>();
  for (const p of ctx.attributed) hereSet.add(p);
  for (const a of assigned.max) hereSet.add(a.workload);
  for (const a of assigned.min) hereSet.add(a.workload);
  const here = [...hereSet].sort((a, b) => ctx.order.get(a)! - ctx.order.get(b)!);

  const gpusOf = (which: 'min' | 'max') => assigned[which].reduce((s, a) => s + a.count * gpuShare(pool, a.type, a.workload.demand), 0);
  const total = (m: Map<GpuInstanceType, number>, per: (t: GpuInstanceType) => number) =>
    [...m].reduce((s, [t, n]) => s + n * per(t), 0);
  const price = (t: GpuInstanceType) => t.onDemandUsdPerHour ?? 0;
  const onDemand: Range = { min: total(nodesMin, price), max: total(nodesMax, price) };
  const spot: Range = { min: onDemand.min * (1 - discount), max: onDemand.max * (1 - discount) };
  const reservedOnly = pool.capacityTypes.length > 0 && pool.capacityTypes.every((c) => c === 'reserved');
  const pricedAs = pool.capacityTypes.includes('spot') ? 'spot' : reservedOnly ? 'reserved' : 'on-demand';
  const zero: Range = { min: 0, max: 0 };
  const cost: PoolCost = {
    onDemand,
    spot,
    expected: pricedAs === 'spot' ? spot : pricedAs === 'reserved' ? zero : onDemand,
    reserved: pricedAs === 'reserved' ? onDemand : zero,
  };

  const nodesByType: NodeCount[] = types.map((t) => ({
    instanceType: t.name,
    gpusPerNode: t.gpuCount,
    ...(t.onDemandUsdPerHour !== undefined ? { onDemandUsdPerHour: t.onDemandUsdPerHour } : {}),
    min: nodesMin.get(t) ?? 0,
    max: nodesMax.get(t) ?? 0,
  }));
  const unpricedTypes = nodesByType.filter((n) => n.onDemandUsdPerHour === undefined && n.max > 0).map((n) => n.instanceType);

  const problems: string[] = [];
  const notes: string[] = [];
  for (const t of unpricedTypes) notes.push(`${t} has no public on-demand price in the catalog: its nodes are left out of the cost`);
  if (pool.capacityTypes.includes('reserved') && !reservedOnly && pricedAs !== 'spot') {
    notes.push('the pool also allows on-demand: its nodes are priced at on-demand (how many land in the reservation is not known from the manifests)');
  }

  // Limits: what the pool's workloads needed against what it may launch. Replicas beyond the limits either spilled to
  // a lower-weight pool (a note) or stay Pending (an error, when this was the last pool they fit).
  const myRank = ctx.rank.get(pool)!;
  for (const [which, word] of [['min', 'minimum'], ['max', 'maximum']] as const) {
    // Workloads that wanted more of this pool than its limits allow: their replicas went to later pools or Pending.
    const overflowing = ctx.overflowing[which].map((o) => o.p);
    if (overflowing.length === 0) continue;
    const lastHere = overflowing.filter((p) => p.fitting[p.fitting.length - 1].pool === pool);
    const wanted = [...assigned[which], ...ctx.overflowing[which].map((o) =>
      ({ workload: o.p, type: cheapest(o.p.verdicts[ctx.index].instanceTypes), count: o.beyond }))];
    const need = packPool(pool, wanted, reserve);
    const k = exceededLimits(pool, need)[0] ?? Object.keys(pool.limits)[0];
    const what = `at ${word} replicas its workloads need ${[...need].filter(([, n]) => n > 0).map(([t, n]) => `${n} × ${t.name}`).join(' + ')} `
      + `= ${showLimit(k, usedCapacity(pool, need, k))} ${k}, above limits.${k} ${showLimit(k, pool.limits[k])}`;
    // CronJobs that fit alone wait for the capacity the others hold (a warning); the rest can never be placed.
    const stuck = lastHere.filter((p) => !ctx.waiting.has(p));
    if (stuck.length > 0) {
      const only = stuck.every((p) => p.fitting.length === 1);
      problems.push(`${what}; ${which === 'max' ? 'the scalers\' maximum' : 'even the minimum'} can never be reached `
        + `(${listed(stuck.map((p) => p.plan.label))} ${only ? 'can land on no other pool' : 'fits no other pool with room left'})`);
    } else if (lastHere.length > 0) {
      const labels = lastHere.map((p) => p.plan.label);
      notes.push(`${what}; ${listed(labels)} cannot run at the same time as the pool's other workloads: `
        + `${labels.length === 1 ? 'its runs\' pods wait' : 'their runs\' pods wait'} Pending until those free the capacity `
        + `(${labels.length === 1 ? 'it fits' : 'each fits'} on its own)`);
    } else {
      // The later pools (Karpenter's order) each overflowing workload has replicas on.
      // (Per workload in Karpenter's order, each name once: the order of their first mention.)
      const to = new Set<string>();
      const later: PoolModel[] = [];
      for (const p of overflowing) {
        later.length = 0;
        ctx.shares[which].get(p)?.forEach((n, pl) => { if (n > 0 && ctx.rank.get(pl)! > myRank) later.push(pl); });
        later.sort((a, b) => ctx.rank.get(a)! - ctx.rank.get(b)!);
        for (const pl of later) to.add(pl.name);
      }
      notes.push(`${what}; Karpenter falls back to the other pools these workloads fit for the rest (spilled to ${listed([...to])})`);
    }
    break; // one message per pool: the maximum only matters when the minimum fits
  }

  return {
    name: pool.name,
    ...(pool.weight !== undefined ? { weight: pool.weight } : {}),
    capacityTypes: [...pool.capacityTypes],
    pricedAs,
    ...(pool.gpuLimit !== undefined ? { gpuLimit: pool.gpuLimit } : {}),
    workloads: here.map((p) => p.plan.label),
    onlyHere: here.filter((p) => p.onlyHere).map((p) => p.plan.label),
    gpus: { min: gpusOf('min'), max: gpusOf('max') },
    nodeGpus: { min: total(nodesMin, (t) => t.gpuCount), max: total(nodesMax, (t) => t.gpuCount) },
    nodes: { min: total(nodesMin, () => 1), max: total(nodesMax, () => 1) },
    nodesByType,
    cost,
    unpricedTypes,
    problems,
    notes,
  };
}
