/**
 * The Kueue view of a plan: each ClusterQueue's quota per flavor against the GPU limits of the NodePools the flavor
 * selects, and the GPU demand queued on it (workloads whose `kueue.x-k8s.io/queue-name` resolves, through a
 * LocalQueue of their namespace, to the ClusterQueue). Kueue admits by quota; Karpenter supplies nodes up to the
 * pools' limits — a quota above the limit admits workloads that stay Pending (rule GPU500 judges the sum over
 * queues), and demand above quota waits in the queue (or borrows within the cohort).
 */
import { listed, poolList, table } from './format';
import { Range, WorkloadPlan } from './model';
import { nameOf, nsOf } from '../private/meta';
import { isMigResourceName } from '../scheduling/resources';
import { ManifestIndex } from '../validation/context';
import { poolsOfFlavor, queueLabelOf, quotasOf } from '../validation/rules/kueue';

const KUEUE_GROUP = 'kueue.x-k8s.io';
/** An object's name; `<unnamed>` when it has none or one of the wrong type (linted without the schema gate). */
const isGpuResource = (r: string) => r === 'nvidia.com/gpu' || isMigResourceName(r);

/** One flavor of a ClusterQueue. */
export interface QueueFlavorPlan {
  /** The ResourceFlavor's name. */
  readonly flavor: string;
  /** The NodePools whose nodes carry its nodeLabels (empty: none, or the flavor is not in the manifests). */
  readonly pools: string[];
  /** The summed `limits.nvidia.com/gpu` of those pools (undefined when one has no limit or there are none). */
  readonly poolGpuLimit?: number;
  /** Nominal quota per GPU resource (`nvidia.com/gpu`, `nvidia.com/mig-…`). */
  readonly nominal: Record<string, number>;
  /** Borrowing limit per GPU resource, where set. */
  readonly borrowingLimit: Record<string, number>;
}

/** One ClusterQueue. */
export interface QueuePlan {
  /** metadata.name. */
  readonly name: string;
  /** spec.cohortName (v1beta1: spec.cohort). */
  readonly cohort?: string;
  /** Its LocalQueues, as `namespace/name`. */
  readonly localQueues: string[];
  /** Per flavor, in the order Kueue tries them. */
  readonly flavors: QueueFlavorPlan[];
  /** The queued workloads (plan labels). */
  readonly workloads: string[];
  /** GPU demand of the queued workloads at min and max replicas, per resource. */
  readonly demand: Record<string, Range>;
  /** Findings: quota above the pools' limit, demand above quota. */
  readonly problems: string[];
}

/**
 * The queues of the manifests, from the workloads' plans (for their replicas and GPUs per replica); undefined when
 * the manifests hold no ClusterQueue (plans without Kueue stay as they were).
 */
export function planQueues(index: ManifestIndex, workloads: readonly WorkloadPlan[]): QueuePlan[] | undefined {
  const cqs = index.byKind('ClusterQueue', KUEUE_GROUP);
  if (cqs.length === 0) return undefined;
  const flavors = new Map(index.byKind('ResourceFlavor', KUEUE_GROUP).map((f) => [nameOf(f), f] as const));
  const lqs = index.byKind('LocalQueue', KUEUE_GROUP);
  const cqOfLocal = new Map(lqs.map((q) => [`${nsOf(q)}/${nameOf(q)}`, q?.spec?.clusterQueue as string] as const));
  const planOf = new Map(workloads.map((w) => [`${w.kind}/${w.namespace ?? ''}/${w.name}`, w] as const));
  const queued = new Map<string, WorkloadPlan[]>();
  for (const w of index.workloads()) {
    const q = queueLabelOf(w)?.name;
    const cq = q !== undefined ? cqOfLocal.get(`${nsOf(w.object)}/${q}`) : undefined;
    const plan = planOf.get(`${w.kind}/${nsOf(w.object)}/${nameOf(w.object)}`);
    if (cq === undefined || plan === undefined) continue;
    queued.set(cq, [...(queued.get(cq) ?? []), plan]);
  }
  return cqs.map((cq) => {
    const name = nameOf(cq);
    const byFlavor = new Map<string, QueueFlavorPlan>();
    for (const q of quotasOf(cq)) {
      let f = byFlavor.get(q.flavor);
      if (!f) {
        const obj = flavors.get(q.flavor);
        const pools = obj ? poolsOfFlavor(index, obj) : [];
        const gpuPools = pools.filter((p) => p.offersGpu);
        const limit = gpuPools.length > 0 && gpuPools.every((p) => p.gpuLimit !== undefined)
          ? gpuPools.reduce((s, p) => s + p.gpuLimit!, 0) : undefined;
        byFlavor.set(q.flavor, f = { flavor: q.flavor, pools: pools.map((p) => p.name), poolGpuLimit: limit, nominal: {}, borrowingLimit: {} });
      }
      if (!isGpuResource(q.resource)) continue;
      f.nominal[q.resource] = q.nominal ?? 0;
      if (q.borrowingLimit !== undefined) f.borrowingLimit[q.resource] = q.borrowingLimit;
    }
    const mine = queued.get(name) ?? [];
    const demand: Record<string, Range> = {};
    for (const w of mine) {
      for (const [r, n] of Object.entries(w.gpusPerReplica)) {
        const d = demand[r] ?? { min: 0, max: 0 };
        demand[r] = { min: d.min + n * (w.replicas?.min ?? 0), max: d.max + n * (w.replicas?.max ?? 0) };
      }
    }
    const problems: string[] = [];
    const fl = [...byFlavor.values()];
    for (const f of fl) {
      const gpus = f.nominal['nvidia.com/gpu'] ?? 0;
      if (f.poolGpuLimit !== undefined && gpus > f.poolGpuLimit) {
        problems.push(`flavor ${f.flavor}: nominal ${gpus} nvidia.com/gpu above the ${f.poolGpuLimit} its pools (${listed(f.pools)}) may run; `
          + 'admitted workloads beyond that stay Pending holding quota');
      }
      if (f.pools.length === 0) problems.push(`flavor ${f.flavor}: selects no NodePool of these manifests`);
    }
    for (const [r, d] of Object.entries(demand)) {
      const quota = fl.reduce((s, f) => s + (f.nominal[r] ?? 0), 0);
      const borrowable = fl.every((f) => f.borrowingLimit[r] !== undefined) ? fl.reduce((s, f) => s + f.borrowingLimit[r], 0) : undefined;
      const cohort = cq?.spec?.cohortName ?? cq?.spec?.cohort;
      if (d.max > quota) {
        problems.push(`queued demand of up to ${d.max} ${r} exceeds the nominal ${quota}: `
          + (cohort ? `the excess borrows within cohort ${cohort}${borrowable !== undefined ? ` (at most ${borrowable})` : ''} or waits` : 'the excess waits in the queue'));
      }
    }
    const cohort = cq?.spec?.cohortName ?? cq?.spec?.cohort;
    return {
      name,
      ...(typeof cohort === 'string' ? { cohort } : {}),
      localQueues: lqs.filter((q) => q?.spec?.clusterQueue === name).map((q) => `${nsOf(q) || '<default>'}/${nameOf(q)}`),
      flavors: fl,
      workloads: mine.map((w) => w.label),
      demand,
      problems,
    };
  });
}

/** Text styles (a subset of render-text's PlanStyle). */
interface QueueStyle {
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
  yellow(s: string): string;
}

const short = (r: string) => r.replace(/^nvidia\.com\//, '');

/** One row of the queues table: a ClusterQueue's flavor, with the queue's own cells on its first flavor only. */
export interface QueueRow {
  /** The ClusterQueue (first flavor only, else ''). */
  readonly queue: string;
  /** Whether the queue has problems (its name is marked). */
  readonly queueHasProblems: boolean;
  readonly cohort: string;
  readonly flavor: string;
  /** The flavor's pools as the views list pools (format.ts poolList); '' when it selects none. */
  readonly pools: string;
  readonly quota: string;
  /** Whether the flavor's GPU quota is above its pools' GPU limit. */
  readonly quotaOverLimit: boolean;
  readonly poolGpuLimit: string;
  readonly demand: string;
  readonly localQueues: string;
}

/** The column titles of the queues table (the text view writes them in capitals). */
export const QUEUE_COLUMNS = ['ClusterQueue', 'Cohort', 'Flavor → pools', 'GPU quota (+borrow)', 'Pool GPU limit', 'Queued demand', 'Local queues'];

/** What the queues table under the rows says. */
export const QUEUES_LEGEND = 'quota is what Kueue may admit; the pools\' GPU limit is what Karpenter may buy; demand is min–max replicas × GPUs';

/** The rows of the queues table, one per (ClusterQueue, flavor): the text and HTML views show the same cells. */
export function queueRows(queues: readonly QueuePlan[]): QueueRow[] {
  const rows: QueueRow[] = [];
  for (const q of queues) {
    const demand = Object.entries(q.demand).map(([r, d]) => `${d.min === d.max ? d.max : `${d.min}–${d.max}`} ${short(r)}`).join(', ') || '0';
    q.flavors.forEach((f, i) => {
      const quota = Object.entries(f.nominal).filter(([, n]) => n > 0)
        .map(([r, n]) => `${n}${f.borrowingLimit[r] !== undefined ? ` +${f.borrowingLimit[r]}` : ''} ${short(r)}`).join(', ') || '0';
      rows.push({
        queue: i === 0 ? q.name : '',
        queueHasProblems: q.problems.length > 0,
        cohort: i === 0 ? (q.cohort ?? '-') : '',
        flavor: f.flavor,
        pools: poolList(f.pools),
        quota,
        quotaOverLimit: f.poolGpuLimit !== undefined && (f.nominal['nvidia.com/gpu'] ?? 0) > f.poolGpuLimit,
        poolGpuLimit: f.poolGpuLimit === undefined ? '-' : String(f.poolGpuLimit),
        demand: i === 0 ? demand : '',
        localQueues: i === 0 ? (q.localQueues.join(', ') || '-') : '',
      });
    });
  }
  return rows;
}

/** The terminal lines of the queues section ([] when there are no ClusterQueues). */
export function renderQueuesText(queues: readonly QueuePlan[] | undefined, st: QueueStyle): string[] {
  if (!queues || queues.length === 0) return [];
  const rows: string[][] = [QUEUE_COLUMNS.map((h) => st.dim(h.toUpperCase()))];
  for (const r of queueRows(queues)) {
    rows.push([
      r.queue !== '' && r.queueHasProblems ? st.yellow(r.queue) : r.queue,
      r.cohort,
      `${r.flavor} → ${r.pools || st.red('no pool')}`,
      r.quotaOverLimit ? st.red(r.quota) : r.quota,
      r.poolGpuLimit,
      r.demand,
      r.localQueues,
    ]);
  }
  const out = [st.bold('Queues (Kueue)'), ...table(rows, '  ')];
  for (const q of queues) for (const p of q.problems) out.push(`  ${st.yellow('note')} ${q.name}: ${p}`);
  out.push(st.dim(`  ${QUEUES_LEGEND}`));
  out.push('');
  return out;
}
