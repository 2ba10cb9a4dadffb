/**
 * Placement rules: will a GPU pod find a GPU node, will a CPU pod stay off one, and which GPU model will it get.
 * All answers come from the one scheduling model in src/scheduling (toleration matching, placement).
 */
import { conventionalTaintFor, GPU_MEMORY_LABEL, GPU_NAME_LABEL, isBlocking, poolOffers } from './gpu-pools';
import { listed, listedFirst, NAMED_IN_LIST } from '../../private/lists';
import { byCodeUnits } from '../../private/order';
import { _karpenterLabelsOf, PoolModel } from '../../scheduling/nodepool';
import { nodeSelectionAdmits } from '../../scheduling/placement';
import { demandsAny } from '../../scheduling/resources';
import { formatTaint, Taint, tolerationFor, untoleratedTaints } from '../../scheduling/taints';
import { POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
import { Finding, Severity } from '../model';
import { Rule, RuleContext, WorkloadRef } from '../rule';

const KINDS_AND_POOLS = [...POD_TEMPLATE_KINDS, 'NodePool'];

/** What a placement rule says about one placement signature: nothing, or a message and maybe a remediation. */
type Verdict = { readonly message: string; readonly remediation?: string } | undefined;

/**
 * Runs `judge` once per distinct placement signature among `workloads` and returns a finding at `field` of every
 * workload whose signature got a message. Valid for rules whose answer depends only on placement inputs (tolerations,
 * node selection, GPU demand, cpu/memory) and the run's pools: the cost is O(workloads + signatures × pools).
 */
function perSignature(ctx: RuleContext, workloads: readonly WorkloadRef[], field: string,
  judge: (w: WorkloadRef) => Verdict): Finding[] {
  const memo = new Map<string, Verdict>();
  const out: Finding[] = [];
  for (let i = 0; i < workloads.length; i++) {
    const w = workloads[i];
    const sig = ctx.placementSignature(w.template);
    let verdict = memo.get(sig);
    if (verdict === undefined && !memo.has(sig)) memo.set(sig, verdict = judge(w));
    if (verdict) out.push(ctx.finding(w.object, `${w.template.podSpecPath}.${field}`, verdict.message, verdict.remediation));
  }
  return out;
}

/** Per run (its workload list), the workloads that request a GPU: GPU002 and GPU006 both ask. */
const gpuWorkloadsOf = new WeakMap<readonly WorkloadRef[], WorkloadRef[]>();

/** Workloads that request at least one GPU resource. */
function gpuWorkloads(ctx: RuleContext): WorkloadRef[] {
  const all = ctx.workloads();
  let gpu = gpuWorkloadsOf.get(all);
  if (!gpu) gpuWorkloadsOf.set(all, gpu = all.filter((w) => demandsAny(ctx.gpuDemand(w.template))));
  return gpu;
}

const tolerationYaml = (t: Taint) => {
  const tol = tolerationFor(t);
  return `{key: ${tol.key}, operator: ${tol.operator}${tol.value !== undefined ? `, value: ${JSON.stringify(tol.value)}` : ''}, effect: ${tol.effect}}`;
};

/** GPU002 — a GPU pod must tolerate the taints of at least one pool offering its GPUs. */
export const GPU_POD_TOLERATES_GPU_TAINT: Rule = {
  id: 'GPU002',
  title: 'A pod requesting GPUs must tolerate the taints of a NodePool that offers them',
  severity: Severity.ERROR,
  kinds: KINDS_AND_POOLS,
  remediation: 'Add a toleration for the GPU taint, e.g. {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}.',
  description: 'Every Karpenter NodePool in the manifests whose instance types advertise all the GPU resources the pod '
    + 'requests is a candidate; the pod must tolerate every `NoSchedule`/`NoExecute` taint of at least one of them '
    + '(Kubernetes\' exact matching: a `NoExecute` toleration does not cover a `NoSchedule` taint, `Equal` needs the same '
    + 'value, an empty key with `Exists` tolerates everything). Only pools the pod\'s node selection admits count '
    + '(`nodeSelector` and required node affinity, every operator, terms ORed and expressions ANDed): tolerating pool '
    + 'A does not help a pod pinned to pool B, as Karpenter only provisions from NodePools that are compatible with '
    + 'both (karpenter.sh docs, Concepts → NodePools). Start-up taints (`startupTaints`) need no toleration: "pods do '
    + 'not need to tolerate the taint. Karpenter assumes that the taint is temporary and some other system will remove '
    + 'the taint" (same page). Otherwise it stays Pending. When no NodePool in the '
    + 'manifests offers the resource (e.g. a lone Deployment is linted), the conventional taint '
    + '`nvidia.com/gpu:NoSchedule` (`<vendor>/gpu` for other vendors) is assumed and the message says so. A '
    + 'nodeSelector is not required: the GPU request alone keeps the pod off CPU nodes.',
  check(ctx) {
    const pools = ctx.nodePools();
    return perSignature(ctx, gpuWorkloads(ctx), 'tolerations', (w): Verdict => {
      const demand = Object.keys(ctx.gpuDemand(w.template)).sort();
      const tolerations = w.template.podSpec.tolerations;
      const what = demand.join(' + ');
      const offering = pools.filter((p) => demand.every((r) => poolOffers(p, r)));
      if (offering.length === 0) {
        const assumed = [...new Map(demand.map((r) => { const t = conventionalTaintFor(r); return [formatTaint(t), t] as const; })).values()];
        const missing = untoleratedTaints(tolerations, assumed);
        if (missing.length === 0) return undefined;
        const none = pools.length === 0 ? 'no Karpenter NodePool is in these manifests'
          : `none of the ${pools.length} NodePool(s) in these manifests offers ${what}`;
        return {
          message: `requests ${what} but does not tolerate ${missing.map(formatTaint).join(', ')}, the conventional taint of GPU nodes `
            + `(assumed because ${none}); the pod would stay Pending`,
          remediation: `Add the toleration ${missing.map(tolerationYaml).join(', ')} (or lint it together with the NodePools it should run on).`,
        };
      }
      // Only the pools the pod's node selection admits count: tolerating pool A's taints does not help a pod pinned
      // to pool B. When its selection admits none of them, the taints are judged over all (GPU203 reports the selection).
      const selected = offering.filter((p) => nodeSelectionAdmits(w.template.podSpec, p));
      const judged = selected.length > 0 ? selected : offering;
      const tolerated = judged.filter((p) => untoleratedTaints(tolerations, p.taints).length === 0);
      if (tolerated.length > 0) return undefined;
      const detail = listedFirst(judged, (p) => `NodePool ${p.name} (${untoleratedTaints(tolerations, p.taints).map(formatTaint).join(', ')})`, NAMED_IN_LIST, '; ');
      const first = untoleratedTaints(tolerations, judged[0].taints);
      const others = offering.filter((p) => !judged.includes(p) && untoleratedTaints(tolerations, p.taints).length === 0);
      const selection = selected.length > 0 && selected.length < offering.length
        ? `its nodeSelector/required node affinity selects only NodePool(s) ${listed(selected.map((p) => p.name))} among those offering it, and it tolerates the taints of none of them: ${detail}`
          + (others.length > 0 ? ` (it tolerates ${listed(others.map((p) => p.name))}, which its node selection excludes)` : '')
        : `tolerates the taints of no NodePool offering it: ${detail}`;
      return {
        message: `requests ${what} but ${selection}; the pod would stay Pending`,
        remediation: `Add the toleration(s) ${first.map(tolerationYaml).join(', ')} for NodePool ${judged[0].name}`
          + `${others.length > 0 && selected.length > 0 ? `, or change the node selection to ${others[0].name}` : ''}.`,
      };
    });
  },
};

/** The GPU taints a CPU pod could slip past: per GPU-offering pool with blocking taints, or the conventional one. */
function gpuTaintTargets(pools: readonly PoolModel[]): { pools: PoolModel[]; assumed?: Taint } {
  const gpuPools = pools.filter((p) => p.offersGpu && p.taints.some(isBlocking));
  if (pools.some((p) => p.offersGpu)) return { pools: gpuPools };
  return { pools: [], assumed: conventionalTaintFor('nvidia.com/gpu') };
}

function describeTolerance(tolerations: any): string {
  const blanket = Array.isArray(tolerations) && tolerations.some((t: any) => !t?.key && t?.operator === 'Exists');
  return blanket ? ' (a toleration with an empty key and operator Exists tolerates every taint)' : '';
}

/** GPU004 — a pod that tolerates the GPU taint but requests no GPU may squat a GPU node. */
export const NON_GPU_POD_TOLERATES_GPU_TAINT: Rule = {
  id: 'GPU004',
  title: 'A pod that requests no GPU should not tolerate the GPU taint',
  severity: Severity.WARNING,
  kinds: KINDS_AND_POOLS,
  remediation: 'Remove the GPU toleration from pods that need no GPU (or request a GPU if the pod needs one).',
  description: 'The GPU taint exists to keep CPU pods off expensive GPU nodes; a pod that tolerates it without '
    + 'requesting a GPU can be placed there, take the node\'s cpu and memory and keep it from scaling down. The '
    + 'warning fires when the pod tolerates all blocking taints of a GPU-offering NodePool and fits on it (or, with '
    + 'no GPU NodePool in the manifests, tolerates `nvidia.com/gpu:NoSchedule`). DaemonSets are exempt: node agents '
    + '(device plugin, DCGM exporter, log shippers) must run on GPU nodes.',
  check(ctx) {
    const targets = gpuTaintTargets(ctx.nodePools());
    const candidates = ctx.workloads().filter((w) => w.kind !== 'DaemonSet'
      && !demandsAny(ctx.gpuDemand(w.template))
      && Array.isArray(w.template.podSpec.tolerations) && w.template.podSpec.tolerations.length > 0);
    return perSignature(ctx, candidates, 'tolerations', (w): Verdict => {
      const tolerations = w.template.podSpec.tolerations;
      if (targets.assumed) {
        if (untoleratedTaints(tolerations, [targets.assumed]).length > 0) return undefined;
        return {
          message: `requests no GPU but tolerates ${formatTaint(targets.assumed)}, the conventional GPU taint${describeTolerance(tolerations)}; `
            + 'it may be placed on a GPU node and keep it busy',
        };
      }
      const squatted = targets.pools.filter((p) => untoleratedTaints(tolerations, p.taints).length === 0 && ctx.placement(w.template, p).fits);
      if (squatted.length === 0) return undefined;
      const list = listedFirst(squatted, (p) => `${p.name} (${p.taints.filter(isBlocking).map(formatTaint).join(', ')})`, NAMED_IN_LIST, '; ');
      return {
        message: `requests no GPU but tolerates the taints of GPU NodePool(s) ${list}${describeTolerance(tolerations)}; it may be placed on a GPU node and keep it busy`,
      };
    });
  },
};

/** GPU006 — GPU pods that may land on different GPU models should pin one. */
export const GPU_MODEL_NOT_PINNED: Rule = {
  id: 'GPU006',
  title: 'A GPU pod that could land on different GPU models should pin one',
  severity: Severity.WARNING,
  kinds: KINDS_AND_POOLS,
  remediation: 'Pin the GPU model: nodeSelector {karpenter.k8s.aws/instance-gpu-name: <model>} or a required node affinity '
    + 'on karpenter.k8s.aws/instance-gpu-name / instance-family listing only models with enough memory, added to every '
    + 'nodeSelectorTerm (a new term is ORed and widens placement). With InferenceDeployment or TrainingJob: gpuModels.',
  description: 'Placement runs the pod against every NodePool in the manifests (taints, nodeSelector and node affinity, '
    + 'GPU count, cpu and memory). When the instance types it fits carry more than one GPU model, the pod may land on '
    + 'any of them: a model sized for an 80 GB H100 may be started on a 24 GB A10G and fail. Silent when no NodePool is '
    + 'in the manifests (nothing is known about the models). Each model names the first five of its NodePools and counts '
    + 'the rest.',
  check(ctx) {
    const pools = ctx.nodePools();
    if (pools.length === 0) return [];
    return perSignature(ctx, gpuWorkloads(ctx), 'nodeSelector', (w): Verdict => {
      const demand = Object.keys(ctx.gpuDemand(w.template));
      const models = new Map<string, { memory: string; pools: Set<string> }>();
      for (const pool of pools) {
        if (!demand.every((r) => poolOffers(pool, r))) continue;
        const verdict = ctx.placement(w.template, pool);
        if (!verdict.fits) continue;
        for (const type of verdict.instanceTypes) {
          const labels = _karpenterLabelsOf(type);
          const name = labels[GPU_NAME_LABEL];
          if (!name) continue;
          if (!models.has(name)) models.set(name, { memory: labels[GPU_MEMORY_LABEL] ?? '?', pools: new Set() });
          models.get(name)!.pools.add(pool.name);
        }
      }
      if (models.size < 2) return undefined;
      const list = [...models.entries()].sort(([a], [b]) => byCodeUnits(a, b))
        .map(([name, m]) => `${name} (${m.memory} MiB, NodePool ${listed([...m.pools].sort(), NAMED_IN_LIST, '/')})`);
      return { message: `requests ${demand.sort().join(' + ')} and pins no GPU model, so it may land on any of ${list.join(', ')}` };
    });
  },
};
