/**
 * Kueue rules (GPU500-GPU510): queues bound to the pools. Kueue (kubernetes-sigs/kueue v0.19.2) admits a workload
 * when its ClusterQueue has quota, then the pods still need nodes; with Karpenter those come from the NodePools'
 * limits. These rules check, in the manifests, that the queue chain resolves (workload → LocalQueue → ClusterQueue
 * → ResourceFlavor → NodePool) and that the quota is capacity the pools can buy. Same reasoning as GPU201 for
 * PriorityClasses: a name must resolve in the linted manifests; lint the queue objects together, or suppress.
 */
import { poolOffers } from './gpu-pools';
import { textOf } from '../../private/describe';
import { hasOwn } from '../../private/keys';
import { listed, listedFirst } from '../../private/lists';
import { nsOf } from '../../private/meta';
import { QUEUE_NAME_LABEL, WORKLOAD_PRIORITY_CLASS_LABEL } from '../../queues/labels';
import { matchesLabelSelector, nodeSelectorAllowsSpace } from '../../scheduling/labels';
import { ADVERTISED_RESOURCES_ANNOTATION, PoolModel } from '../../scheduling/nodepool';
import { isMigResourceName, tryParseQuantity } from '../../scheduling/resources';
import { podLabelsPathOf } from '../../scheduling/workloads';
import { Severity } from '../model';
import { Rule, RuleContext, WorkloadRef } from '../rule';

const KUEUE_GROUP = 'kueue.x-k8s.io';
const GPU = 'nvidia.com/gpu';
/** Resources every node has (not extended resources advertised by a device plugin). */
const NODE_RESOURCES = ['cpu', 'memory', 'pods', 'ephemeral-storage'];

const nameOf = (obj: any): string => (typeof obj?.metadata?.name === 'string' ? obj.metadata.name : '');

/** The pools whose nodes can carry every `spec.nodeLabels` entry of a ResourceFlavor (no labels: every pool). */
export function poolsOfFlavor(ctx: Pick<RuleContext, 'nodePools'>, flavor: any): PoolModel[] {
  const raw = flavor?.spec?.nodeLabels;
  const nodeLabels: Record<string, string> = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
  return ctx.nodePools().filter((p) => p.instanceTypes.some((t) =>
    p.capacityTypes.some((ct) => nodeSelectorAllowsSpace(nodeLabels, p.labelSpace(t, ct)))));
}

/**
 * Whether a pool's nodes may advertise `resource`: its instance types do (see `poolOffers`; EFA interfaces on EFA
 * instance types), or — for a MIG resource
 * on a pool that declares no MIG layout — one of its GPUs has that MIG profile (the benefit of the doubt GPU204 gives:
 * the GPU Operator's MIG manager may set the layout outside the manifests).
 */
export function poolMayOffer(pool: PoolModel, resource: string): boolean {
  if (poolOffers(pool, resource)) return true;
  // EFA interfaces: Karpenter counts them in the capacity of EFA instance types (the EFA device plugin advertises them).
  if (resource === 'vpc.amazonaws.com/efa') return pool.instanceTypes.some((t) => t.efaInterfaces > 0);
  if (!isMigResourceName(resource) || pool.object?.metadata?.annotations?.[ADVERTISED_RESOURCES_ANNOTATION] !== undefined) return false;
  const profile = resource.slice('nvidia.com/mig-'.length).replace('.me', '+me');
  return pool.instanceTypes.some((t) => t.gpuCount > 0 && t.gpu.migGpu?.tryProfile(profile) !== undefined);
}

/** One `[flavor, resource]` quota of a ClusterQueue or Cohort. */
export interface FlavorResourceQuota {
  /** The ClusterQueue or Cohort. */
  readonly owner: any;
  /** Field path of the resource entry. */
  readonly fieldPath: string;
  /** The flavor name. */
  readonly flavor: string;
  /** The resource name. */
  readonly resource: string;
  /** `nominalQuota`, parsed (undefined when unparseable). */
  readonly nominal?: number;
  /** `borrowingLimit`, parsed (undefined: unlimited or unset). */
  readonly borrowingLimit?: number;
}

/** Every `[flavor, resource]` quota of a ClusterQueue or Cohort (`spec.resourceGroups[].flavors[].resources[]`). */
export function quotasOf(owner: any): FlavorResourceQuota[] {
  const out: FlavorResourceQuota[] = [];
  const groups = owner?.spec?.resourceGroups;
  if (!Array.isArray(groups)) return out;
  groups.forEach((g: any, gi: number) => {
    (Array.isArray(g?.flavors) ? g.flavors : []).forEach((f: any, fi: number) => {
      (Array.isArray(f?.resources) ? f.resources : []).forEach((r: any, ri: number) => {
        if (typeof f?.name !== 'string' || typeof r?.name !== 'string') return;
        out.push({
          owner,
          fieldPath: `spec.resourceGroups[${gi}].flavors[${fi}].resources[${ri}]`,
          flavor: f.name,
          resource: r.name,
          nominal: tryParseQuantity(r.nominalQuota),
          borrowingLimit: tryParseQuantity(r.borrowingLimit),
        });
      });
    });
  });
  return out;
}

const kueue = (ctx: RuleContext, kind: string): readonly any[] => ctx.byKind(kind, KUEUE_GROUP);

/** Where a workload names its LocalQueue, as Kueue reads it. */
export interface QueueLabel {
  /** The LocalQueue's name. */
  readonly name: string;
  /** The label's field path on the workload. */
  readonly fieldPath: string;
  /**
   * Whether it is on the pod template only. Kueue's Job integration reads the Job's own label; a pod-template label
   * reaches Kueue only through its `pod` integration, which admits each pod as a Workload of its own.
   */
  readonly onPods: boolean;
}

const queueNameIn = (labels: any): string | undefined => {
  const name = labels && typeof labels === 'object' ? labels[QUEUE_NAME_LABEL] : undefined;
  return typeof name === 'string' && name !== '' ? name : undefined;
};

/**
 * The LocalQueue a workload is submitted to: its `kueue.x-k8s.io/queue-name` label, else its pod template's. A
 * CronJob's own labels are not copied to the Jobs it creates, so for a CronJob the Job template's labels count
 * (Kueue "Run A CronJob": the label goes in `jobTemplate.metadata`). Undefined when neither carries the label.
 */
export function queueLabelOf(w: WorkloadRef): QueueLabel | undefined {
  const cron = w.kind === 'CronJob';
  const own = queueNameIn(cron ? w.object?.spec?.jobTemplate?.metadata?.labels : w.object?.metadata?.labels);
  if (own !== undefined) {
    return { name: own, fieldPath: `${cron ? 'spec.jobTemplate.' : ''}metadata.labels[${QUEUE_NAME_LABEL}]`, onPods: false };
  }
  const pod = queueNameIn(w.template.podLabels);
  if (pod === undefined) return undefined;
  return { name: pod, fieldPath: `${podLabelsPathOf(w.kind)}[${QUEUE_NAME_LABEL}]`, onPods: true };
}

/** GPU500 — the nominal GPU quota on a flavor must not exceed the GPU limit of the pools it selects. */
export const FLAVOR_QUOTA_WITHIN_POOL_LIMIT: Rule = {
  id: 'GPU500',
  title: 'The nominal GPU quota on a ResourceFlavor must not exceed the GPU limit of the NodePools it selects',
  severity: Severity.ERROR,
  kinds: ['ResourceFlavor', 'ClusterQueue', 'Cohort', 'NodePool'],
  remediation: 'Lower the ClusterQueues\' nominalQuota of nvidia.com/gpu on the flavor, or raise the NodePools\' limits.nvidia.com/gpu.',
  description: 'Kueue admits a workload when its ClusterQueue has quota; Kueue does not launch nodes. The nominal '
    + '`nvidia.com/gpu` quota of every ClusterQueue (and Cohort) on a flavor, summed, is the most GPUs Kueue may admit on '
    + 'it at once (borrowing moves quota between queues, it does not add any). When that exceeds the summed '
    + '`limits.nvidia.com/gpu` of the NodePools whose nodes carry the flavor\'s `nodeLabels`, Karpenter stops at its '
    + 'limit and admitted workloads stay Pending while holding quota that other queues cannot use. Kueue can ask for '
    + 'capacity only through its ProvisioningRequest admission check (cluster-autoscaler\'s ProvisioningRequest API), '
    + 'which Karpenter does not implement. MIG slices (`nvidia.com/mig-<profile>`) are judged the same way against the '
    + `pool's GPU limit × the slices per GPU of its declared layout (\`${ADVERTISED_RESOURCES_ANNOTATION}\`). Pools without `
    + 'a GPU limit are unbounded and not judged; flavors that select no pool are GPU503\'s finding.',
  *check(ctx) {
    if (ctx.nodePools().length === 0) return;
    const byFlavor = new Map<string, FlavorResourceQuota[]>();
    for (const owner of [...kueue(ctx, 'ClusterQueue'), ...kueue(ctx, 'Cohort')]) {
      for (const q of quotasOf(owner)) {
        if ((q.resource !== GPU && !isMigResourceName(q.resource)) || q.nominal === undefined) continue;
        byFlavor.set(q.flavor, [...(byFlavor.get(q.flavor) ?? []), q]);
      }
    }
    for (const flavor of kueue(ctx, 'ResourceFlavor')) {
      const all = byFlavor.get(nameOf(flavor)) ?? [];
      for (const resource of [...new Set(all.map((q) => q.resource))]) {
        const quotas = all.filter((q) => q.resource === resource);
        const total = quotas.reduce((s, q) => s + q.nominal!, 0);
        if (total === 0) continue;
        const pools = poolsOfFlavor(ctx, flavor).filter((p) => poolOffers(p, resource));
        if (pools.length === 0 || pools.some((p) => p.gpuLimit === undefined)) continue;
        // Whole GPUs: the pool limit itself. MIG slices: the limit's GPUs × the slices each GPU advertises (the pool's
        // declared layout); pools that declare none are not judged (their layout is unknown here).
        const perGpu = (p: PoolModel): number => Math.max(0, ...p.instanceTypes.filter((t) => t.gpuCount > 0)
          .map((t) => (p.advertisedResources(t)[resource] ?? 0) / t.gpuCount));
        const capacityOf = (p: PoolModel): number => (resource === GPU ? p.gpuLimit! : p.gpuLimit! * perGpu(p));
        const limit = pools.reduce((s, p) => s + capacityOf(p), 0);
        if (total <= limit) continue;
        const who = quotas.map((q) => `${q.owner.kind} ${nameOf(q.owner)} (${q.nominal})`).join(' + ');
        yield ctx.finding(flavor, 'spec.nodeLabels',
          `carries a nominal ${resource} quota of ${total} (${who}), but the NodePools it selects can run at most ${limit} `
          + `(${listedFirst(pools, (p) => `${p.name}: ${capacityOf(p)}`)}); admitted workloads beyond that stay Pending holding quota, `
          + 'and Kueue cannot ask Karpenter for more');
      }
    }
  },
};

/** GPU501 — a workload's queue-name must name a LocalQueue of its namespace. */
export const QUEUE_NAME_RESOLVES: Rule = {
  id: 'GPU501',
  title: 'A workload\'s kueue.x-k8s.io/queue-name must name a LocalQueue in its namespace',
  severity: Severity.ERROR,
  kinds: ['Job', 'Deployment', 'StatefulSet', 'Pod', 'LocalQueue'],
  remediation: 'Create the LocalQueue in the workload\'s namespace (e.g. GpuClusterQueue.addLocalQueue(team)), or fix the label.',
  description: `Kueue looks the \`${QUEUE_NAME_LABEL}\` label up as a LocalQueue in the workload's own namespace. When `
    + 'there is none, the Workload is created but never admitted: a Job stays suspended, a Deployment\'s pods stay '
    + 'gated (`kueue.x-k8s.io/admission`), with nothing on the workload itself saying why. Any object carrying the '
    + 'label (or a pod template carrying it) is checked against the LocalQueues of the linted manifests.',
  *check(ctx) {
    const queues = new Set(kueue(ctx, 'LocalQueue').map((q) => `${nsOf(q)}/${nameOf(q)}`));
    const seen = new Set<any>();
    const judge = function* (obj: any, name: unknown, fieldPath: string) {
      if (typeof name !== 'string' || name === '' || seen.has(obj)) return;
      seen.add(obj);
      if (queues.has(`${nsOf(obj)}/${name}`)) return;
      const here = [...queues].filter((k) => k.startsWith(`${nsOf(obj)}/`)).map((k) => k.slice(k.indexOf('/') + 1)).sort();
      yield ctx.finding(obj, fieldPath,
        `names LocalQueue ${JSON.stringify(name)}, which is not in namespace ${nsOf(obj) || '<default>'} in these manifests; `
        + `the workload is never admitted${here.length ? ` (LocalQueues there: ${here.join(', ')})` : ''}`);
    };
    for (const obj of ctx.byLabel(QUEUE_NAME_LABEL)) {
      // A CronJob's own label never reaches Kueue (GPU510); its Jobs' label is judged below.
      if (obj?.apiVersion?.startsWith?.(`${KUEUE_GROUP}/`) || obj?.kind === 'CronJob') continue;
      yield* judge(obj, obj.metadata.labels[QUEUE_NAME_LABEL], `metadata.labels[${QUEUE_NAME_LABEL}]`);
    }
    for (const w of ctx.workloads()) {
      const label = queueLabelOf(w);
      if (label) yield* judge(w.object, label.name, label.fieldPath);
    }
  },
};

/** GPU502 — a LocalQueue must name an existing ClusterQueue. */
export const LOCAL_QUEUE_RESOLVES: Rule = {
  id: 'GPU502',
  title: 'A LocalQueue must name a ClusterQueue of the manifests',
  severity: Severity.ERROR,
  kinds: ['LocalQueue', 'ClusterQueue'],
  remediation: 'Add the ClusterQueue to the manifests or fix spec.clusterQueue (it is immutable: recreate the LocalQueue).',
  description: 'A LocalQueue whose `spec.clusterQueue` names no ClusterQueue is inactive (Kueue condition Active=False, '
    + 'reason ClusterQueueDoesNotExist): every workload submitted to it waits forever. `spec.clusterQueue` is '
    + 'immutable, so a typo means deleting and recreating the LocalQueue.',
  *check(ctx) {
    const cqs = new Set(kueue(ctx, 'ClusterQueue').map(nameOf));
    for (const lq of kueue(ctx, 'LocalQueue')) {
      const target = lq?.spec?.clusterQueue;
      if (typeof target !== 'string' || cqs.has(target)) continue;
      yield ctx.finding(lq, 'spec.clusterQueue', `names ClusterQueue ${JSON.stringify(target)}, which is not in these manifests; `
        + `the LocalQueue is inactive and its workloads are never admitted${cqs.size ? ` (ClusterQueues: ${[...cqs].sort().join(', ')})` : ''}`);
    }
  },
};

/** GPU503 — a ResourceFlavor must select the nodes of some NodePool. */
export const FLAVOR_SELECTS_POOL: Rule = {
  id: 'GPU503',
  title: 'A ResourceFlavor\'s nodeLabels must select the nodes of some NodePool',
  severity: Severity.ERROR,
  kinds: ['ResourceFlavor', 'NodePool'],
  remediation: 'Set spec.nodeLabels to labels the pool\'s nodes carry, e.g. karpenter.sh/nodepool: <pool name>.',
  description: 'Kueue injects a flavor\'s `nodeLabels` as a nodeSelector into the pods it admits on that flavor. When '
    + 'no NodePool\'s nodes can carry them (judged by the scheduling model: pool labels, requirements, '
    + '`karpenter.sh/nodepool`, instance type labels), the admitted pods are unschedulable and Karpenter launches '
    + 'nothing for them; they stay Pending holding quota. Judged only when the manifests hold NodePools; nodes from '
    + 'outside Karpenter (managed node groups) cannot be seen here: suppress the rule on such a flavor.',
  *check(ctx) {
    if (ctx.nodePools().length === 0) return;
    for (const flavor of kueue(ctx, 'ResourceFlavor')) {
      if (poolsOfFlavor(ctx, flavor).length > 0) continue;
      const labels = Object.entries(flavor?.spec?.nodeLabels ?? {}).map(([k, v]) => `${k}=${textOf(v)}`).join(', ');
      yield ctx.finding(flavor, 'spec.nodeLabels', `(${labels}) match the nodes of no NodePool in these manifests `
        + `(${listed(ctx.nodePools().map((p) => p.name))}); pods admitted on this flavor can never be scheduled`);
    }
  },
};

/** GPU504 — every extended resource a ClusterQueue covers must be offered by a pool of its flavors. */
export const QUEUE_RESOURCES_OFFERED: Rule = {
  id: 'GPU504',
  title: 'A ClusterQueue must only give quota for resources the pools of its flavors offer',
  severity: Severity.ERROR,
  kinds: ['ClusterQueue', 'ResourceFlavor', 'NodePool'],
  remediation: 'Drop the resource from coveredResources, move its quota to a flavor whose pool offers it, or make the pool offer it (MIG layout, device plugin).',
  description: 'For each extended resource a ClusterQueue covers (`nvidia.com/gpu`, `nvidia.com/mig-<profile>`, …; '
    + 'cpu and memory are on every node): when no flavor of its resource group selects a NodePool offering it, or a '
    + 'flavor gives it a nominal quota while none of that flavor\'s pools offers it, Kueue admits workloads for it '
    + 'that no node can run; they stay Pending holding quota. Offered means advertised by the pool\'s instance types '
    + `(or its \`${ADVERTISED_RESOURCES_ANNOTATION}\` annotation); a MIG profile of a MIG-capable GPU in a pool that `
    + 'declares no layout is given the benefit of the doubt (as GPU204 does). Flavors absent from the manifests or '
    + 'selecting no pool are not judged here (GPU505, GPU503).',
  *check(ctx) {
    if (ctx.nodePools().length === 0) return;
    const flavors = new Map(kueue(ctx, 'ResourceFlavor').map((f) => [nameOf(f), f] as const));
    const poolsOf = new Map<string, PoolModel[]>();
    for (const [name, f] of flavors) poolsOf.set(name, poolsOfFlavor(ctx, f));
    for (const cq of kueue(ctx, 'ClusterQueue')) {
      const quotas = quotasOf(cq).filter((q) => !NODE_RESOURCES.includes(q.resource) && (poolsOf.get(q.flavor)?.length ?? 0) > 0);
      const resources = [...new Set(quotas.map((q) => q.resource))];
      for (const r of resources) {
        const entries = quotas.filter((q) => q.resource === r);
        const offering = entries.filter((q) => poolsOf.get(q.flavor)!.some((p) => poolMayOffer(p, r)));
        if (offering.length === 0) {
          yield ctx.finding(cq, entries[0].fieldPath, `covers ${r}, but no NodePool of its flavors (${entries.map((q) => q.flavor).join(', ')}) `
            + 'offers it; workloads admitted for it can never be scheduled');
          continue;
        }
        for (const q of entries) {
          if ((q.nominal ?? 0) <= 0 || offering.includes(q)) continue;
          yield ctx.finding(cq, `${q.fieldPath}.nominalQuota`, `gives flavor ${q.flavor} a quota of ${q.nominal} ${r}, but none of its `
            + `NodePools (${listed(poolsOf.get(q.flavor)!.map((p) => p.name))}) offers ${r}; workloads admitted on it stay Pending`);
        }
      }
    }
  },
};

/** GPU505 — a ClusterQueue's flavors must exist. */
export const QUEUE_FLAVORS_EXIST: Rule = {
  id: 'GPU505',
  title: 'A ClusterQueue must name ResourceFlavors of the manifests',
  severity: Severity.ERROR,
  kinds: ['ClusterQueue', 'ResourceFlavor'],
  remediation: 'Add the ResourceFlavor (e.g. GpuResourceFlavor for the pool) or fix the flavor name.',
  description: 'A ClusterQueue that names a ResourceFlavor which does not exist is inactive (Kueue condition '
    + 'Active=False, reason FlavorNotFound): it admits no workload at all, on any flavor.',
  *check(ctx) {
    const flavors = new Set(kueue(ctx, 'ResourceFlavor').map(nameOf));
    for (const cq of kueue(ctx, 'ClusterQueue')) {
      const reported = new Set<string>();
      for (const q of quotasOf(cq)) {
        if (flavors.has(q.flavor) || reported.has(q.flavor)) continue;
        reported.add(q.flavor);
        yield ctx.finding(cq, q.fieldPath.replace(/\.resources\[\d+\]$/, '.name'), `names ResourceFlavor ${JSON.stringify(q.flavor)}, which is not in `
          + 'these manifests; the ClusterQueue is inactive and admits nothing');
      }
    }
  },
};

/** The label every namespace carries with its own name (Kubernetes ≥ 1.22). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** GPU506 — a ClusterQueue's namespaceSelector must admit the namespaces of its LocalQueues. */
export const QUEUE_ADMITS_LOCAL_NAMESPACES: Rule = {
  id: 'GPU506',
  title: 'A ClusterQueue\'s namespaceSelector must admit the namespaces of the LocalQueues pointing at it',
  severity: Severity.ERROR,
  kinds: ['ClusterQueue', 'LocalQueue', 'Namespace'],
  remediation: 'Set spec.namespaceSelector to select the LocalQueues\' namespaces (e.g. kubernetes.io/metadata.name In [...]), or {} for every namespace.',
  description: 'Kueue admits a workload only when its namespace matches the ClusterQueue\'s `namespaceSelector`; '
    + 'otherwise the Workload stays inadmissible ("namespace doesn\'t match ClusterQueue selector"). An unset '
    + 'selector is a nothing-selector (Kueue v1beta2 CRD: "Defaults to null which is a nothing selector"), a '
    + 'common trap: `{}` admits every namespace. Namespace labels are those of the Namespace object in the manifests '
    + `plus \`${NAMESPACE_NAME_LABEL}\`; when the Namespace is absent and the selector reads other keys, it is not judged.`,
  *check(ctx) {
    const cqs = new Map(kueue(ctx, 'ClusterQueue').map((cq) => [nameOf(cq), cq] as const));
    for (const lq of kueue(ctx, 'LocalQueue')) {
      const cq = cqs.get(lq?.spec?.clusterQueue);
      if (!cq) continue;
      const ns = nsOf(lq);
      const selector = cq.spec?.namespaceSelector;
      if (selector === undefined || selector === null) {
        yield ctx.finding(cq, 'spec.namespaceSelector', `is unset, which selects no namespace: workloads of LocalQueue ${ns || '<default>'}/${nameOf(lq)} are never admitted`,
          `set namespaceSelector: {matchExpressions: [{key: ${NAMESPACE_NAME_LABEL}, operator: In, values: [${ns || 'default'}]}]}, or {} for every namespace`);
        continue;
      }
      const nsObj = ctx.get('Namespace', undefined, ns || 'default');
      const exprs: any[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
      const keys = [...Object.keys(selector.matchLabels ?? {}), ...exprs.map((e) => e?.key)];
      if (!nsObj && keys.some((k) => k !== NAMESPACE_NAME_LABEL)) continue;
      const labels: Record<string, string> = { ...(nsObj?.metadata?.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns || 'default' };
      if (matchesLabelSelector(selector, labels)) continue;
      yield ctx.finding(cq, 'spec.namespaceSelector', `does not select namespace ${ns || 'default'} of LocalQueue ${nameOf(lq)}; its workloads are never admitted`);
    }
  },
};

/** GPU507 — a workload's kueue.x-k8s.io/priority-class must name a WorkloadPriorityClass. */
export const WORKLOAD_PRIORITY_CLASS_EXISTS: Rule = {
  id: 'GPU507',
  title: 'A workload\'s kueue.x-k8s.io/priority-class must name a WorkloadPriorityClass of the manifests',
  severity: Severity.ERROR,
  kinds: ['Job', 'Deployment', 'StatefulSet', 'Pod', 'WorkloadPriorityClass'],
  remediation: 'Add the WorkloadPriorityClass (e.g. GpuWorkloadPriorities) or fix the label.',
  description: `Kueue reads the \`${WORKLOAD_PRIORITY_CLASS_LABEL}\` label as the name of a WorkloadPriorityClass `
    + '(kubernetes-sigs/kueue v0.19.2 `pkg/util/priority`); when it does not exist the Workload cannot be created and '
    + 'the job is never admitted. Same reasoning as GPU201: the class must be in the linted manifests.',
  *check(ctx) {
    const defined = new Set(kueue(ctx, 'WorkloadPriorityClass').map(nameOf));
    for (const obj of ctx.byLabel(WORKLOAD_PRIORITY_CLASS_LABEL)) {
      const name = obj.metadata.labels[WORKLOAD_PRIORITY_CLASS_LABEL];
      if (typeof name !== 'string' || defined.has(name)) continue;
      yield ctx.finding(obj, `metadata.labels[${WORKLOAD_PRIORITY_CLASS_LABEL}]`, `names WorkloadPriorityClass ${JSON.stringify(name)}, which is not in `
        + `these manifests; Kueue cannot create the Workload and the job is never admitted${defined.size ? ` (defined: ${[...defined].sort().join(', ')})` : ''}`);
    }
  },
};

/** GPU508 — a namespace's ResourceQuota on GPUs should not be below what its queue may admit. */
export const NAMESPACE_QUOTA_COVERS_QUEUE: Rule = {
  id: 'GPU508',
  title: 'A namespace\'s GPU ResourceQuota should allow what its Kueue ClusterQueue may admit',
  severity: Severity.WARNING,
  kinds: ['ResourceQuota', 'LocalQueue', 'ClusterQueue'],
  remediation: 'Raise the ResourceQuota\'s requests.nvidia.com/gpu to the queue\'s nominal quota plus its borrowing limit, or lower the queue\'s quota.',
  description: 'Kueue admits by ClusterQueue quota and then unsuspends the job; the namespace\'s ResourceQuota is '
    + 'still enforced when the pods are created. When an unscoped `requests.nvidia.com/gpu` hard limit is below the '
    + 'GPUs the namespace\'s ClusterQueue may admit (its nominal quota, plus its borrowing limits when it is in a '
    + 'cohort and every limit is set), an admitted job\'s pods are refused by quota admission while Kueue holds its '
    + 'quota: borrowed GPUs go unused. A warning: when several namespaces share one ClusterQueue a lower per-namespace '
    + 'cap may be deliberate.',
  *check(ctx) {
    const cqs = new Map(kueue(ctx, 'ClusterQueue').map((cq) => [nameOf(cq), cq] as const));
    const quotas = ctx.byKind('ResourceQuota', '');
    if (quotas.length === 0) return;
    for (const lq of kueue(ctx, 'LocalQueue')) {
      const cq = cqs.get(lq?.spec?.clusterQueue);
      if (!cq) continue;
      const gpu = quotasOf(cq).filter((q) => q.resource === GPU);
      const nominal = gpu.reduce((sum, q) => sum + (q.nominal ?? 0), 0);
      const inCohort = typeof (cq.spec?.cohortName ?? cq.spec?.cohort) === 'string';
      const raw = cq.spec?.resourceGroups;
      const list = (x: unknown): any[] => (Array.isArray(x) ? x : []);
      const allLimited = gpu.length > 0 && Array.isArray(raw) && raw.every((g: any) => list(g?.flavors).every((f: any) =>
        list(f?.resources).every((r: any) => r?.name !== GPU || r?.borrowingLimit !== undefined)));
      const reachable = nominal + (inCohort && allLimited ? gpu.reduce((sum, q) => sum + (q.borrowingLimit ?? 0), 0) : 0);
      if (reachable === 0) continue;
      for (const rq of quotas) {
        if (nsOf(rq) !== nsOf(lq) || (Array.isArray(rq.spec?.scopes) && rq.spec.scopes.length) || rq.spec?.scopeSelector) continue;
        const hard = tryParseQuantity(rq.spec?.hard?.[`requests.${GPU}`]);
        if (hard === undefined || hard >= reachable) continue;
        yield ctx.finding(rq, `spec.hard[requests.${GPU}]`, `is ${hard}, but ClusterQueue ${nameOf(cq)} (LocalQueue ${nameOf(lq)}) may admit `
          + `${reachable} GPUs of this namespace's workloads (nominal ${nominal}${reachable > nominal ? ` + borrowing ${reachable - nominal}` : ''}); `
          + 'pods of admitted jobs beyond it are refused while Kueue holds their quota');
      }
    }
  },
};

/** The resources a pod template asks for with a non-zero amount, as Kueue counts them (a limit stands for an absent request). */
function requestedResources(podSpec: any): string[] {
  const out = new Set<string>();
  const containers = [podSpec?.containers, podSpec?.initContainers].flatMap((l) => (Array.isArray(l) ? l : []));
  for (const c of containers) {
    const requests = c?.resources?.requests;
    const limits = c?.resources?.limits;
    for (const [m, other] of [[requests, undefined], [limits, requests]] as const) {
      if (!m || typeof m !== 'object' || Array.isArray(m)) continue;
      for (const r in m) {
        if (!hasOwn(m, r) || (other && typeof other === 'object' && hasOwn(other, r))) continue;
        const q = tryParseQuantity(m[r]);
        if (q !== undefined && q > 0) out.add(r);
      }
    }
  }
  return [...out].sort();
}

/** GPU509 — every resource a queued workload asks for must be covered by its ClusterQueue. */
export const QUEUED_RESOURCES_COVERED: Rule = {
  id: 'GPU509',
  title: 'Every resource a queued workload requests must be covered by its ClusterQueue',
  severity: Severity.ERROR,
  kinds: ['Job', 'Deployment', 'StatefulSet', 'Pod', 'LocalQueue', 'ClusterQueue'],
  remediation: 'Add the resource to a resourceGroup of the ClusterQueue (in coveredResources, with a quota in each flavor), '
    + 'or have Kueue leave it out (its Configuration: resources.excludeResourcePrefixes, or quotaCheckStrategy IgnoreUndeclared).',
  description: 'Kueue assigns a flavor to every resource a workload requests with a non-zero amount (its containers\' and init '
    + 'containers\' requests, a limit standing for an absent request). A resource the ClusterQueue covers in none of its '
    + 'resourceGroups makes the workload inadmissible: "resource <name> unavailable in ClusterQueue" (kubernetes-sigs/kueue '
    + '`pkg/scheduler/flavorassigner`), and a Job stays suspended, with nothing on it saying why. Typical: '
    + '`ephemeral-storage` requests, a GPU Job on a queue that covers only cpu and memory, `nvidia.com/gpu` asked of a queue '
    + 'that covers MIG slices. Judged for workloads whose `kueue.x-k8s.io/queue-name` resolves to a LocalQueue and '
    + 'ClusterQueue of the manifests, with Kueue\'s default quota check (BlockUndeclared, no excluded prefixes): its '
    + 'Configuration is not in the manifests; suppress the finding when it excludes the resource.',
  *check(ctx) {
    const lqs = new Map(kueue(ctx, 'LocalQueue').map((q) => [`${nsOf(q)}/${nameOf(q)}`, q] as const));
    const cqs = new Map(kueue(ctx, 'ClusterQueue').map((c) => [nameOf(c), c] as const));
    if (lqs.size === 0 || cqs.size === 0) return;
    for (const w of ctx.workloads()) {
      const label = queueLabelOf(w)?.name;
      if (label === undefined) continue;
      const lq = lqs.get(`${nsOf(w.object)}/${label}`);
      const cq = cqs.get(lq?.spec?.clusterQueue);
      if (!cq) continue; // GPU501, GPU502
      const groups = Array.isArray(cq.spec?.resourceGroups) ? cq.spec.resourceGroups : [];
      const covered = new Set(groups.flatMap((g: any) => (Array.isArray(g?.coveredResources) ? g.coveredResources : [])));
      const missing = requestedResources(w.template.podSpec).filter((r) => !covered.has(r));
      if (missing.length === 0) continue;
      yield ctx.finding(w.object, `${w.template.podSpecPath}.containers`,
        `requests ${missing.join(', ')}, which ClusterQueue ${nameOf(cq)} (through LocalQueue ${nsOf(w.object) || '<default>'}/${label}) `
        + `does not cover: Kueue keeps the workload inadmissible ("resource ${missing[0]} unavailable in ClusterQueue")`);
    }
  },
};

/** GPU510 — a queue-name label where Kueue does not read it. */
export const QUEUE_NAME_WHERE_READ: Rule = {
  id: 'GPU510',
  title: 'A Job\'s kueue.x-k8s.io/queue-name label must be where Kueue reads it: on the Job (a CronJob\'s jobTemplate)',
  severity: Severity.WARNING,
  kinds: ['Job', 'CronJob'],
  remediation: 'Move the label to the Job\'s metadata.labels (a CronJob\'s spec.jobTemplate.metadata.labels).',
  description: 'Kueue\'s Job integration reads the queue-name label from the Job\'s own labels (kubernetes-sigs/kueue '
    + '`jobframework.QueueNameForObject`). Kueue has no CronJob integration: the CronJob controller creates each Job '
    + 'from `spec.jobTemplate`, with the template\'s labels and not the CronJob\'s, so a label on the CronJob itself '
    + 'never reaches a Job (Kueue "Run A CronJob": set it in `jobTemplate.metadata`). Its Jobs then start at once, '
    + 'outside every ClusterQueue\'s quota (or, when Kueue manages jobs without a queue name, wait suspended). A label '
    + 'on the pod template alone reaches Kueue only through its `pod` integration, which admits each pod as a Workload '
    + 'of its own: the Job is never admitted whole, so the pods of a parallel Job may start a few at a time, and the '
    + 'first wait for the rest. Warning: the Jobs run, but not as queued.',
  *check(ctx) {
    for (const w of ctx.workloads()) {
      if (w.kind !== 'Job' && w.kind !== 'CronJob') continue;
      const label = queueLabelOf(w);
      if (label && !label.onPods) continue;
      const own = w.kind === 'CronJob' ? queueNameIn(w.object?.metadata?.labels) : undefined;
      const job = w.kind === 'CronJob' ? 'spec.jobTemplate.metadata.labels' : 'metadata.labels';
      if (own !== undefined) {
        yield ctx.finding(w.object, `metadata.labels[${QUEUE_NAME_LABEL}]`,
          `names LocalQueue ${JSON.stringify(own)} on the CronJob, whose labels are not copied to the Jobs it creates: `
          + `Kueue never sees it${label ? ' on the Jobs (their pods alone carry a queue, and are admitted one by one)' : ''}, `
          + 'and each Job starts outside the queue\'s quota');
      } else if (label) {
        const spec = w.kind === 'CronJob' ? w.object?.spec?.jobTemplate?.spec : w.object?.spec;
        const pods = typeof spec?.parallelism === 'number' && Number.isInteger(spec.parallelism) ? spec.parallelism : 1;
        yield ctx.finding(w.object, label.fieldPath,
          `names LocalQueue ${JSON.stringify(label.name)} on the pods only, not in ${job}: Kueue admits each pod alone `
          + '(through its pod integration, if enabled; otherwise not at all), never the Job whole'
          + (pods > 1 ? `, so its ${pods} parallel pods may start a few at a time and wait for the rest` : ''));
      }
    }
  },
};

/** The Kueue rules, sorted by id. */
export const KUEUE_RULES: Rule[] = [
  FLAVOR_QUOTA_WITHIN_POOL_LIMIT,
  QUEUE_NAME_RESOLVES,
  LOCAL_QUEUE_RESOLVES,
  FLAVOR_SELECTS_POOL,
  QUEUE_RESOURCES_OFFERED,
  QUEUE_FLAVORS_EXIST,
  QUEUE_ADMITS_LOCAL_NAMESPACES,
  WORKLOAD_PRIORITY_CLASS_EXISTS,
  NAMESPACE_QUOTA_COVERS_QUEUE,
  QUEUED_RESOURCES_COVERED,
  QUEUE_NAME_WHERE_READ,
];
