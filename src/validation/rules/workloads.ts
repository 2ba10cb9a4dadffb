/**
 * Workload rules (GPU201-GPU205, GPU214, GPU218, GPU219, GPU223, GPU224, GPU226, GPU228-GPU230, GPU248-GPU250): priority
 * classes, namespace quotas, fit on the workload's pools, MIG resources, spot safety, rollouts that can make progress,
 * replicas the pools' limits can hold, the keys and namespaces of the objects a pod names, claims shared across nodes. Answers
 * come from the one scheduling model (src/scheduling): pod templates, GPU demand, placement, whole-node capacity.
 */
import { poolOffers } from './gpu-pools';
import {
  alwaysRunningReplicas, minReplicasField, overcommittedPoolSets, poolLimitsWords, poolShares, runningReplicaFloor, scaledMaximum, scalerOfTarget,
  sharesWords, WHOLE_NODE_LIMITS,
} from './keda';
import { _migConfigOffers } from './sharing';
import { GpuModel } from '../../catalog';
import { gangRanks, onePodPerNode, onePodPerNodeBecause } from '../../plan/gang';
import { describeValue } from '../../private/describe';
import { hasOwn } from '../../private/keys';
import { listed, listedFirst, NAMED_IN_LIST } from '../../private/lists';
import { memoPerRun } from '../../private/memo';
import { nameOf, nsOf } from '../../private/meta';
import { podsAtLeastWithinPoolLimits, podsOnOneNode, PoolPodBound, podsWithinPoolLimits, sharesGpus } from '../../scheduling/capacity';
import { isDraDemandKey } from '../../scheduling/dra';
import { matchesLabelSelector } from '../../scheduling/labels';
import { labelWrittenAfterJoin } from '../../scheduling/node-agent-labels';
import { ADVERTISED_RESOURCES_ANNOTATION, NODEPOOL_LABEL, PoolModel } from '../../scheduling/nodepool';
import { demandsAny, isExtendedResourceName, isMigResourceName, tryParseQuantity } from '../../scheduling/resources';
import { tolerationsTolerateTaint, untoleratedTaints } from '../../scheduling/taints';
import { ContainerRef, containerLabel, containersOf, countedThroughOwner, podLabelsPathOf, POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
import { Finding, Severity } from '../model';
import { Rule, RuleContext, WorkloadRef } from '../rule';

/** Priority classes every cluster has (Kubernetes "Pod Priority and Preemption"). */
export const BUILTIN_PRIORITY_CLASSES: readonly string[] = ['system-cluster-critical', 'system-node-critical'];
/** EC2's Spot interruption notice, in seconds (AWS EC2 User Guide, "Spot Instance interruption notices"). */
const SPOT_NOTICE_SECONDS = 120;
/** Kubernetes' default `terminationGracePeriodSeconds`. */
const DEFAULT_GRACE_SECONDS = 30;

/** Pool names a pod template pins itself to through `karpenter.sh/nodepool` (nodeSelector or required affinity). */
export function pinnedPoolNames(podSpec: any): string[] | undefined {
  const sel = podSpec?.nodeSelector?.[NODEPOOL_LABEL];
  if (typeof sel === 'string') return [sel];
  const terms = podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!Array.isArray(terms) || terms.length === 0) return undefined;
  const names: string[] = [];
  for (const term of terms) {
    const req = (term?.matchExpressions ?? []).find((e: any) => e?.key === NODEPOOL_LABEL && e?.operator === 'In');
    if (!req) return undefined; // one term without a pool pin admits any pool
    names.push(...(req.values ?? []));
  }
  return [...new Set(names)];
}

/**
 * The pools a GPU workload can use: those it pins by name (present in the manifests), else those offering all its
 * GPU resources whose taints it tolerates.
 */
function candidatePools(w: WorkloadRef, pools: readonly PoolModel[], demand: string[],
  pinned: string[] | undefined = pinnedPoolNames(w.template.podSpec)): PoolModel[] {
  if (pinned) return pools.filter((p) => pinned.includes(p.name));
  return pools.filter((p) => demand.every((r) => poolOffers(p, r))
    && untoleratedTaints(w.template.podSpec?.tolerations, p.taints).length === 0);
}

/** GPU203's message for a GPU workload, or undefined when it fits a pool it can use (or none is judged). */
function cannotSchedule(ctx: RuleContext, w: WorkloadRef, pools: readonly PoolModel[], demand: string[],
  pinned: string[] | undefined): { readonly message: string; readonly remediation?: string } | undefined {
  const candidates = candidatePools(w, pools, demand, pinned);
  if (candidates.length === 0) return undefined;
  const verdicts = candidates.map((p) => ctx.placement(w.template, p));
  if (verdicts.some((v) => v.fits) || verdicts.every((v) => v.failedPredicate === 'taints')) return undefined;
  const judged = verdicts.filter((v) => v.failedPredicate !== 'taints');
  // A DaemonSet's pods go to nodes that exist, with the labels agents wrote after they joined: its selection of such a
  // label may match nodes of a pool that does not define it, which cannot be judged here.
  if (w.kind === 'DaemonSet' && selectsLabelWrittenAfterJoin(w.template.podSpec)
    && judged.some((v) => v.failedPredicate === 'nodeSelector' || v.failedPredicate === 'nodeAffinity')) return undefined;
  return {
    message: `can never be scheduled: ${listedFirst(judged, (v) => `NodePool ${v.pool.name}: ${v.reason}`, NAMED_IN_LIST, '; ')}`,
    // Only the node selection stands in the way: the fix is there, not in the pod's size; only the nodes' disk: there.
    ...(judged.every((v) => v.failedPredicate === 'nodeSelector' || v.failedPredicate === 'nodeAffinity') ? { remediation: SELECTION_FIX }
      : judged.every((v) => v.failedPredicate === 'ephemeral-storage') ? { remediation: DISK_FIX } : {}),
  };
}

/** Whether a pod's nodeSelector or required node affinity names a label agents write on a node after it joins. */
function selectsLabelWrittenAfterJoin(podSpec: any): boolean {
  const sel = podSpec?.nodeSelector;
  if (sel && typeof sel === 'object' && Object.keys(sel).some((k) => labelWrittenAfterJoin(k))) return true;
  const terms = podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return Array.isArray(terms) && terms.some((t: any) => Array.isArray(t?.matchExpressions)
    && t.matchExpressions.some((e: any) => typeof e?.key === 'string' && labelWrittenAfterJoin(e.key)));
}

/** GPU203's fix when only the pod's node selection keeps it off its pools. */
const SELECTION_FIX = 'Select nodes by labels Karpenter knows before it launches them (the NodePool\'s requirements and template '
  + 'labels, or well-known labels such as karpenter.k8s.aws/instance-gpu-name), or let the NodePool launch nodes with the '
  + 'labels selected.';

/** GPU203's fix when only the nodes' disk is too small for the pod's ephemeral-storage request. */
const DISK_FIX = 'Give the EC2NodeClass a larger volume for the kubelet (blockDeviceMappings: /dev/xvda on AL2023, /dev/xvdb on '
  + 'Bottlerocket, ebs.volumeSize; GpuNodeClass\'s volume prop), or instanceStorePolicy: RAID0 on instance types with local '
  + 'NVMe, or lower the request (for InferenceDeployment, the model cache\'s sizeLimit).';

/** GPU201 — priorityClassName must name a PriorityClass of the manifests or a built-in one. */
export const PRIORITY_CLASS_EXISTS: Rule = {
  id: 'GPU201',
  title: 'A workload\'s priorityClassName must name an existing PriorityClass',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'PriorityClass'],
  remediation: 'Add the PriorityClass to the manifests (e.g. with TieredPriorities), fix the name, or use system-cluster-critical / system-node-critical.',
  description: 'The Priority admission plugin rejects a pod whose `priorityClassName` names no PriorityClass, so the '
    + 'Deployment\'s ReplicaSet (or the Job) never creates a pod and nothing says so on the workload itself. The class '
    + 'must be in the linted manifests (`scheduling.k8s.io` PriorityClass) or be built in (`system-cluster-critical`, '
    + '`system-node-critical`). If it is created elsewhere in the cluster, lint it together or suppress this rule on the object.',
  *check(ctx) {
    const defined = new Set(ctx.byKind('PriorityClass', 'scheduling.k8s.io').map((o) => o?.metadata?.name).filter((n) => typeof n === 'string'));
    for (const w of ctx.workloads()) {
      const name = w.template.podSpec?.priorityClassName;
      if (name === undefined || name === null || name === '') continue;
      if (BUILTIN_PRIORITY_CLASSES.includes(name) || defined.has(name)) continue;
      const known = [...defined].sort();
      yield ctx.finding(w.object, `${w.template.podSpecPath}.priorityClassName`,
        `names PriorityClass ${JSON.stringify(name)}, which is not in these manifests and is not built in; `
        + `its pods are rejected at admission${known.length ? ` (defined here: ${known.join(', ')})` : ''}`);
    }
  },
};

/** Whether a ResourceQuota applies to pods of this priority class (unknown scopes: undefined). */
function quotaApplies(quota: any, priorityClassName: string | undefined): boolean | undefined {
  const spec = quota?.spec ?? {};
  if (Array.isArray(spec.scopes) && spec.scopes.length > 0) return undefined;
  const exprs = spec.scopeSelector?.matchExpressions;
  if (!Array.isArray(exprs) || exprs.length === 0) return true;
  for (const e of exprs) {
    if (e?.scopeName !== 'PriorityClass') return undefined;
    const values: string[] = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!values.includes(priorityClassName ?? '')) return false; break;
      case 'NotIn': if (values.includes(priorityClassName ?? '')) return false; break;
      case 'Exists': if (!priorityClassName) return false; break;
      case 'DoesNotExist': if (priorityClassName) return false; break;
      default: return undefined;
    }
  }
  return true;
}

/** GPU202 — the namespace's ResourceQuotas must admit at least one pod of a GPU workload. */
export const QUOTA_ALLOWS_ONE_REPLICA: Rule = {
  id: 'GPU202',
  title: 'A GPU workload\'s namespace quota must allow at least one pod',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'ResourceQuota'],
  remediation: 'Raise the ResourceQuota\'s hard limit (e.g. requests.nvidia.com/gpu) or request less per pod.',
  description: 'For every GPU workload and every ResourceQuota of its namespace that applies to it (no scopes, or a '
    + '`PriorityClass` scopeSelector matching its class; other scopes are skipped as unknown), one pod\'s effective '
    + 'requests must fit the hard limits of `requests.<gpu resource>`, `requests.cpu`/`cpu`, `requests.memory`/`memory`, '
    + '`requests.ephemeral-storage`/`ephemeral-storage` and `pods`. Otherwise the quota admission plugin refuses every pod and the workload never runs. (Usage by other '
    + 'pods is unknown to a linter; this is the lower bound.)',
  *check(ctx) {
    const quotas = ctx.byKind('ResourceQuota', '');
    if (quotas.length === 0) return;
    for (const w of ctx.workloads()) {
      const demand = ctx.gpuDemand(w.template);
      if (Object.keys(demand).length === 0) continue;
      const ns = nsOf(w.object);
      const cm = ctx.cpuMemoryRequests(w.template);
      // A map without a prototype: a quota key such as `constructor` or `__proto__` must find nothing.
      const need: Record<string, number> = Object.assign(Object.create(null),
        { 'pods': 1, 'requests.cpu': cm.cpu, 'cpu': cm.cpu, 'requests.memory': cm.memoryBytes, 'memory': cm.memoryBytes });
      // (`ephemeral-storage` is the same quota as `requests.ephemeral-storage`: Kubernetes "Resource Quotas", local ephemeral storage)
      const disk = cm.ephemeralStorageBytes ?? 0;
      if (disk > 0) Object.assign(need, { 'requests.ephemeral-storage': disk, 'ephemeral-storage': disk });
      // A DRA device class is quota'd as `<class>.deviceclass.resource.k8s.io/devices` (Kubernetes "Resource Quotas").
      for (const [r, n] of Object.entries(demand)) need[isDraDemandKey(r) ? `${r}.deviceclass.resource.k8s.io/devices` : `requests.${r}`] = n;
      for (const q of quotas) {
        if (nsOf(q) !== ns || quotaApplies(q, w.template.podSpec?.priorityClassName) !== true) continue;
        for (const [key, raw] of Object.entries(q.spec?.hard ?? {})) {
          const hard = tryParseQuantity(raw);
          if (hard === undefined || need[key] === undefined || need[key] <= hard) continue;
          const fmt = (k: string, n: number) => (k.endsWith('memory') || k.endsWith('ephemeral-storage') ? `${+(n / 2 ** 30).toFixed(2)}Gi` : `${+n.toFixed(3)}`);
          yield ctx.finding(w.object, `${w.template.podSpecPath}.containers`,
            `one pod needs ${key} ${fmt(key, need[key])}, but ResourceQuota ${nameOf(q)} in namespace `
            + `${ns || '<default>'} allows ${String(raw)} in total; no pod can be admitted`);
        }
      }
    }
  },
};

/** GPU203 — the workload must fit an instance type of the pools it can use. */
export const FITS_ITS_POOLS: Rule = {
  id: 'GPU203',
  title: 'A GPU workload must fit an instance type of the NodePools it can use',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool'],
  remediation: 'Request fewer GPUs (or less cpu/memory) per pod, or allow larger instance types in the NodePool.',
  description: 'The pools a workload can use are those it pins through `karpenter.sh/nodepool` (nodeSelector or required '
    + 'node affinity), else those offering its GPU resources whose taints it tolerates. Each is judged by the scheduling '
    + 'model (node selection, GPU count, cpu/memory after the system reserve, ephemeral storage, pool limits). When none '
    + 'fits, Karpenter can never launch a node for the pod: it stays Pending ("no instance type satisfied resources"). '
    + 'The system reserve keeps 500m cpu and 1 GiB for the nodes\' DaemonSets; where the DaemonSets of the manifests that '
    + 'land on a pool\'s nodes (they tolerate its taints and their node selection admits it; those asking for GPUs are '
    + 'workloads, not overhead) request more, their requests are taken instead, and their ephemeral storage comes off '
    + 'the disk, as Karpenter counts the cluster\'s DaemonSets before it picks an instance type. '
    + 'Ephemeral storage (the pod\'s effective `ephemeral-storage` request: emptyDir volumes, writable layers and logs '
    + 'count against it) is judged against the disk Karpenter counts from the pool\'s EC2NodeClass, when it is in the '
    + 'manifests (karpenter-provider-aws `pkg/providers/instancetype/types.go` `ephemeralStorage`): with '
    + '`instanceStorePolicy: RAID0`, the instance store\'s total size on types that have one; else the '
    + '`blockDeviceMappings` entry marked `rootVolume`, or the one of the AMI family\'s ephemeral device (`/dev/xvda` on '
    + 'AL2023 and AL2, `/dev/xvdb` on Bottlerocket); without one, that device\'s default size, 20Gi; less kube-reserved '
    + 'ephemeral-storage (1Gi by default), system-reserved, and the hard eviction threshold `nodefs.available` (10% by '
    + 'default): 17Gi on a default AL2023 node. Node selection counts only the labels Karpenter knows before '
    + 'launch: the NodePool\'s requirements and template labels and the instance types\' well-known labels (Karpenter '
    + '"Scheduling": a pod\'s constraints must fall within a NodePool\'s). A label that GPU feature discovery or Node '
    + 'Feature Discovery writes after the node joins (`nvidia.com/gpu.product`, `nvidia.com/gpu.present`, '
    + '`feature.node.kubernetes.io/…`) is not one of them unless the NodePool sets it, and the message names Karpenter\'s '
    + 'label for the same fact (`karpenter.k8s.aws/instance-gpu-name`, `-count`, `-memory`). A DaemonSet selecting such a '
    + 'label is not judged: its pods go to nodes that exist. Untolerated taints are GPU002\'s finding; a pin to a pool '
    + 'absent from the manifests, or no NodePool at all, is not judged.',
  *check(ctx) {
    const pools = ctx.nodePools();
    if (pools.length === 0) return;
    // The answer depends only on the placement signature (tolerations, node selection, GPU demand, cpu/memory) and
    // the pools pinned by name (read from node affinity as written, so part of the key): judged once per key.
    // (by signature, then pinned pools: the signature string is the index's, already hashed, where a key joining the
    // two would be a new string to hash for every workload)
    const memo = new Map<string, Map<string, ReturnType<typeof cannotSchedule>>>();
    for (const w of ctx.workloads()) {
      const demand = Object.keys(ctx.gpuDemand(w.template));
      if (demand.length === 0) continue;
      const pinned = pinnedPoolNames(w.template.podSpec);
      const sig = ctx.placementSignature(w.template);
      const pinnedKey = pinned === undefined ? '' : JSON.stringify(pinned);
      let perPinned = memo.get(sig);
      if (!perPinned) memo.set(sig, perPinned = new Map());
      let verdict: ReturnType<typeof cannotSchedule>;
      if (perPinned.has(pinnedKey)) {
        verdict = perPinned.get(pinnedKey);
      } else {
        perPinned.set(pinnedKey, verdict = cannotSchedule(ctx, w, pools, demand, pinned));
      }
      if (verdict !== undefined) yield ctx.finding(w.object, `${w.template.podSpecPath}.containers`, verdict.message, verdict.remediation);
    }
  },
};

/** GPU204 — a MIG resource must be offered by some pool, as Karpenter sees it. */
export const MIG_RESOURCE_OFFERED: Rule = {
  id: 'GPU204',
  title: 'A requested MIG resource must be offered by some NodePool',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'NodeOverlay'],
  remediation: 'Use a MIG profile of the pools\' GPUs (e.g. 1g.10gb on H100), place the workload on MIG-capable GPUs, or declare the pool\'s MIG layout.',
  description: 'A pod requesting `nvidia.com/mig-<profile>` needs a node whose device plugin advertises it (MIG '
    + '`mixed` strategy), and Karpenter launches such a node only when an instance type\'s capacity plus the NodeOverlays '
    + 'matching it hold the resource (karpenter.sh docs, Concepts → NodeOverlays); EC2 reports whole GPUs only. Reported '
    + 'when NodePools are in the manifests and none offers the profile: not through a NodeOverlay, not through the '
    + `library's \`${ADVERTISED_RESOURCES_ANNOTATION}\` annotation, and not through a MIG config of the pool (that `
    + 'case, a MIG layout Karpenter is not told about, is GPU401\'s). A pool with MIG-capable GPUs but no declared layout '
    + 'and no NodeOverlay gets no benefit of the doubt: Karpenter finds no instance type holding the slice and the pod '
    + 'stays Pending; the message says how to declare the layout.',
  *check(ctx) {
    const pools = ctx.nodePools();
    if (pools.length === 0) return;
    for (const w of ctx.workloads()) {
      const mig = Object.keys(ctx.gpuDemand(w.template)).filter(isMigResourceName);
      for (const resource of mig) {
        if (pools.some((p) => poolOffers(p, resource))) continue;
        if (_migConfigOffers(ctx, resource)) continue; // GPU401: the layout exists, Karpenter is not told
        const profile = resource.slice('nvidia.com/mig-'.length);
        const undeclared = pools.filter((p) => p.object?.metadata?.annotations?.[ADVERTISED_RESOURCES_ANNOTATION] === undefined);
        const gpus = new Map<string, GpuModel>();
        for (const p of undeclared) for (const t of p.instanceTypes) if (t.gpuCount > 0) gpus.set(t.gpu.name, t.gpu);
        const capable = undeclared.filter((p) => p.instanceTypes.some((t) => t.gpuCount > 0 && t.gpu.migGpu?.tryProfile(profile) !== undefined));
        if (capable.length > 0) {
          const pool = capable[0];
          const type = pool.instanceTypes.find((t) => t.gpuCount > 0 && t.gpu.migGpu?.tryProfile(profile) !== undefined)!;
          const perGpu = type.gpu.migGpu!.tryProfile(profile)!.maxInstances;
          yield ctx.finding(w.object, `${w.template.podSpecPath}.containers`,
            `requests ${resource}; NodePool(s) ${listed(capable.map((p) => p.name))} have GPUs with MIG profile ${profile} `
            + `(${type.gpu.name}), but neither a MIG layout nor a NodeOverlay offers it: Karpenter sees only whole nvidia.com/gpu on `
            + `their instance types, finds none whose capacity holds ${resource}, and the pod stays Pending`,
            'Declare the layout: MigConfig.applyTo(pool) (labels nvidia.com/mig.config and writes the NodeOverlay), or label '
            + `NodePool ${pool.name} nvidia.com/mig.config=all-${profile} and add a NodeOverlay with capacity {${resource}: "${perGpu * type.gpuCount}"} `
            + `for its ${type.gpuCount}-GPU types; turn on Karpenter's nodeOverlay feature gate.`);
          continue;
        }
        const models = [...gpus.values()].map((g) => g.name);
        yield ctx.finding(w.object, `${w.template.podSpecPath}.containers`,
          `requests ${resource}, but no NodePool offers it: ${undeclared.length < pools.length ? 'the declared MIG layouts do not include it' : ''}`
          + `${undeclared.length < pools.length && models.length ? '; ' : ''}`
          + `${models.length ? `the GPUs of pools without a declared layout (${models.join(', ')}) have no MIG profile ${profile}` : ''}`);
      }
    }
  },
};

/** GPU205 — a Deployment that may run on spot needs a PDB and a grace period within the notice. */
export const SPOT_DEPLOYMENT_SAFE: Rule = {
  id: 'GPU205',
  title: 'A Deployment on a spot NodePool needs a PodDisruptionBudget and a grace period within the interruption notice',
  severity: Severity.WARNING,
  kinds: ['Deployment', 'StatefulSet', 'NodePool', 'PodDisruptionBudget'],
  remediation: `Add a PodDisruptionBudget selecting the pods (maxUnavailable: 1) and set terminationGracePeriodSeconds to at most ${SPOT_NOTICE_SECONDS} (90 leaves margin).`,
  description: 'A Deployment (or StatefulSet) whose pods fit a NodePool under capacity type `spot` (per the scheduling '
    + 'model: taints, node selection, resources) runs on instances EC2 reclaims with a two-minute notice. Without a '
    + 'PodDisruptionBudget, Karpenter consolidation and drains may take every replica at once; a '
    + `terminationGracePeriodSeconds above ${SPOT_NOTICE_SECONDS} s (default ${DEFAULT_GRACE_SECONDS}) is cut short by the `
    + 'instance going away, so in-flight requests are lost.',
  check(ctx) {
    const out: Finding[] = [];
    const pools = ctx.nodePools().filter((p) => p.capacityTypes.includes('spot'));
    if (pools.length === 0) return out;
    // PDBs by namespace, so each workload only scans its own namespace's budgets.
    const pdbsByNamespace = new Map<string, any[]>();
    for (const b of ctx.byKind('PodDisruptionBudget', 'policy')) {
      const ns = nsOf(b);
      let inNamespace = pdbsByNamespace.get(ns);
      if (!inNamespace) pdbsByNamespace.set(ns, inNamespace = []);
      inNamespace.push(b);
    }
    // The spot pools a pod fits (and their names, as the messages list them) depend only on its placement signature:
    // computed once per signature.
    const spotPoolNamesOf = new Map<string, string | null>();
    const workloads = ctx.workloads();
    for (let i = 0; i < workloads.length; i++) {
      const w = workloads[i];
      if (w.kind !== 'Deployment' && w.kind !== 'StatefulSet') continue;
      const sig = ctx.placementSignature(w.template);
      let names = spotPoolNamesOf.get(sig);
      if (names === undefined) {
        const spotPools = pools.filter((p) => {
          const v = ctx.placement(w.template, p);
          return v.fits && v.capacityTypes.includes('spot');
        });
        spotPoolNamesOf.set(sig, names = spotPools.length === 0 ? null : listed(spotPools.map((p) => p.name)));
      }
      if (names === null) continue;
      const ns = nsOf(w.object);
      const budgets = pdbsByNamespace.get(ns);
      const covered = budgets !== undefined && budgets.some((b) => matchesLabelSelector(b.spec?.selector, w.template.podLabels));
      if (!covered) {
        out.push(ctx.finding(w.object, 'metadata.name',
          `may run on spot NodePool(s) ${names} but no PodDisruptionBudget selects its pods; consolidation or a drain may take all replicas at once`));
      }
      const grace = w.template.podSpec?.terminationGracePeriodSeconds;
      const seconds = typeof grace === 'number' ? grace : DEFAULT_GRACE_SECONDS;
      if (seconds > SPOT_NOTICE_SECONDS) {
        out.push(ctx.finding(w.object, `${w.template.podSpecPath}.terminationGracePeriodSeconds`,
          `is ${seconds} s on spot NodePool(s) ${names}, longer than the ${SPOT_NOTICE_SECONDS} s interruption notice; shutdown is cut short`));
      }
    }
    return out;
  },
};

/**
 * Whether a ResourceQuota `hard` key names a pod's extended resource in a form no quota evaluator counts: bare
 * (`nvidia.com/gpu`) or with `limits.`. Keys of the other built-in evaluators are not: object counts (`count/…`), and
 * the storage-class and DRA device-class keys (`<class>.storageclass.storage.k8s.io/…`, `….deviceclass.resource.k8s.io/…`).
 * The extended resource named, or undefined.
 */
function uncountedExtendedResource(key: string): string | undefined {
  const bare = key.startsWith('limits.') ? key.slice('limits.'.length) : key;
  if (bare.startsWith('count/') || !isExtendedResourceName(bare)) return undefined;
  const domain = bare.slice(0, bare.indexOf('/'));
  return domain === 'k8s.io' || domain.endsWith('.k8s.io') ? undefined : bare;
}

/** GPU214 — a ResourceQuota caps a GPU (or other extended resource) only as `requests.<resource>`. */
export const QUOTA_KEY_COUNTED: Rule = {
  id: 'GPU214',
  title: 'A ResourceQuota must cap a GPU or other extended resource as requests.<resource>',
  severity: Severity.ERROR,
  kinds: ['ResourceQuota'],
  remediation: 'Write the key as requests.<resource>, e.g. `requests.nvidia.com/gpu: 8` (an extended resource\'s limit always equals its request, so that one key caps both).',
  description: 'The quota system counts a pod\'s extended resources (GPUs, MIG slices, EFA, Neuron, …) only under '
    + '`requests.<resource>`: the pod evaluator matches a hard key to extended resources only when it starts with '
    + '`requests.` (k8s.io/kubernetes pkg/quota/v1/evaluator/core/pods.go `isExtendedResourceNameForQuota`: "only '
    + 'quota objects in format of requests.resourceName is allowed"; Kubernetes docs, "Resource Quotas" → "Resource '
    + 'quota for extended resources"). The API server accepts `hard: {nvidia.com/gpu: 8}` or `limits.nvidia.com/gpu`, '
    + 'but no evaluator counts them, so the team\'s GPU cap does not exist: every GPU pod is admitted whatever it '
    + 'asks. Object counts (`count/…`) and the storage-class and DRA device-class keys are other evaluators\' and are '
    + 'not judged.',
  *check(ctx) {
    for (const q of ctx.byKind('ResourceQuota', '')) {
      const hard = q?.spec?.hard;
      if (!hard || typeof hard !== 'object' || Array.isArray(hard)) continue;
      for (const key in hard) {
        if (!hasOwn(hard, key)) continue;
        const resource = uncountedExtendedResource(key);
        if (resource === undefined) continue;
        yield ctx.finding(q, `spec.hard[${JSON.stringify(key)}]`,
          `caps ${key}, a key no quota evaluator counts (extended resources are counted only as requests.${resource}): this quota does not limit ${resource} at all`,
          `Write it as requests.${resource}: ${JSON.stringify(hard[key])} (an extended resource's limit always equals its request).`);
      }
    }
  },
};

/**
 * Kubernetes' `GetScaledValueFromIntOrPercent`: an integer as it is, a percentage of `total` rounded up (`maxSurge`) or
 * down (`maxUnavailable`); undefined when unreadable (the schema gate's finding).
 */
function scaledIntOrPercent(v: unknown, total: number, roundUp: boolean): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  if (!m) return undefined;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/**
 * A Deployment's rolling-update fenceposts at `replicas`, as the Deployment controller resolves them
 * (`ResolveFenceposts`: absent fields are 25%, surge rounds up, unavailable down, and both 0 make unavailable 1);
 * undefined for `Recreate` or an unreadable value.
 */
export function rolloutFenceposts(deployment: any, replicas: number): { surge: number; unavailable: number } | undefined {
  const strategy = deployment?.spec?.strategy;
  if (strategy?.type === 'Recreate') return undefined;
  const ru = strategy?.rollingUpdate ?? {};
  const rawSurge = ru.maxSurge ?? '25%';
  const rawUnavailable = ru.maxUnavailable ?? '25%';
  const surge = scaledIntOrPercent(rawSurge, replicas, true);
  let unavailable = scaledIntOrPercent(rawUnavailable, replicas, false);
  if (surge === undefined || unavailable === undefined) return undefined;
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** A Deployment's `maxSurge` and `maxUnavailable` in words, defaults named. */
function fencepostWords(deployment: any): string {
  const ru = deployment?.spec?.strategy?.rollingUpdate ?? {};
  const words = (given: unknown) => (given === undefined ? '"25%" (the default)' : JSON.stringify(given));
  return `maxSurge ${words(ru.maxSurge)} and maxUnavailable ${words(ru.maxUnavailable)}`;
}

/** GPU218 — a GPU Deployment whose rollout keeps every old pod must have room for one more pod. */
export const ROLLOUT_HAS_ROOM: Rule = {
  id: 'GPU218',
  title: 'A GPU Deployment that rolls out with maxUnavailable 0 needs room for one more pod in its NodePools and quota',
  severity: Severity.ERROR,
  kinds: ['Deployment', 'ScaledObject', 'HorizontalPodAutoscaler', 'NodePool', 'ResourceQuota'],
  remediation: 'Let the rollout free GPUs first (strategy.rollingUpdate maxSurge: 0, maxUnavailable: 1, or type: Recreate), '
    + 'or raise the NodePools\' limits["nvidia.com/gpu"] / the ResourceQuota by one pod\'s GPUs.',
  description: 'A Deployment\'s rolling update resolves `maxSurge` and `maxUnavailable` against its replicas (absent fields '
    + 'are 25%; surge rounds up, unavailable rounds down; Kubernetes `deployment/util.ResolveFenceposts`). When '
    + 'unavailable resolves to 0 — the default for fewer than 4 replicas, and `maxUnavailable: 0` — the controller '
    + 'keeps every old pod until a new one is available, so a rollout needs one more pod\'s GPUs than the Deployment '
    + 'holds. If its replicas fit the NodePools it can use — node by node, as GPU219 counts them: Karpenter launches a '
    + 'node only when its whole capacity fits the pool\'s limits — or its replicas × GPUs fit its namespace\'s '
    + '`requests.nvidia.com/gpu` quota, but one more pod does not, the new pod stays Pending (or '
    + 'is refused by the quota) and every rollout hangs until `progressDeadlineSeconds` marks it failed: no image or '
    + 'config change ever reaches the pods. Judged at the fewest replicas the Deployment runs with (its scaler\'s '
    + 'minimum, at least 1, else `spec.replicas`) and for the Deployment alone: other pods on the same pools or quota '
    + 'leave even less room. GPU226 judges the scaler\'s maximum.',
  *check(ctx) {
    const quotas = ctx.byKind('ResourceQuota', '');
    const pools = ctx.nodePools();
    if (quotas.length === 0 && pools.length === 0) return;
    for (const w of ctx.workloads()) {
      if (w.kind !== 'Deployment') continue;
      const gpus = ctx.gpuDemand(w.template)['nvidia.com/gpu'] ?? 0;
      if (!(gpus > 0)) continue;
      const replicas = runningReplicaFloor(ctx, w.object);
      if (replicas === undefined || replicas === 0) continue;
      const fence = rolloutFenceposts(w.object, replicas);
      if (!fence || fence.unavailable > 0) continue;
      const need = (replicas + 1) * gpus;
      const caps = noRoomForOneMore(ctx, w, gpus, replicas, quotas);
      if (caps.length === 0) continue;
      yield ctx.finding(w.object, 'spec.strategy',
        `rolls out keeping every old pod: at ${replicas} replica(s), ${fencepostWords(w.object)} resolve to ${fence.surge} and 0, so a `
        + `rollout needs ${replicas + 1} pods of ${gpus} GPU(s) at once (${need} GPUs), but ${caps.join(', and ')}: the new pod never starts and `
        + 'every rollout hangs until its progress deadline');
    }
  },
};

/**
 * What holds `replicas` pods of `w` (`gpus` each) but not one more, in words: the NodePools it can use (node by node,
 * GPU219's bound) and its namespace's `requests.nvidia.com/gpu` quotas. Empty when there is room, or when `replicas`
 * do not fit either (GPU219, GPU304 and the quota's own admission say so).
 */
function noRoomForOneMore(ctx: RuleContext, w: WorkloadRef, gpus: number, replicas: number, quotas: readonly any[]): string[] {
  const caps: string[] = [];
  // The pods the pools' limits hold, node by node (GPU219's bound), follow from the placement signature.
  const room = surelyHolds(ctx, w, replicas + 1) ? null : poolRoomOf(ctx, w, gpus, onePodPerNode(w));
  if (room && replicas <= room.most && replicas + 1 > room.most) {
    caps.push(`the NodePools it can use hold at most ${room.most} within their limits (${roomWords(room)})`);
  }
  const ns = nsOf(w.object);
  for (const q of quotas) {
    if (nsOf(q) !== ns || quotaApplies(q, w.template.podSpec?.priorityClassName) !== true) continue;
    const hard = q.spec?.hard;
    const raw = hard && typeof hard === 'object' && hasOwn(hard, 'requests.nvidia.com/gpu') ? hard['requests.nvidia.com/gpu'] : undefined;
    const cap = raw === undefined ? undefined : tryParseQuantity(raw);
    if (cap === undefined || replicas * gpus > cap || (replicas + 1) * gpus <= cap) continue;
    caps.push(`ResourceQuota ${nameOf(q)} allows requests.nvidia.com/gpu ${String(raw)}`);
  }
  return caps;
}

/** GPU226 — at its scaler's maximum, a GPU Deployment whose rollout keeps every old pod should have room for one more. */
export const ROLLOUT_HAS_ROOM_AT_PEAK: Rule = {
  id: 'GPU226',
  title: 'A scaled GPU Deployment that rolls out with maxUnavailable 0 should have room for one more pod at its scaler\'s maximum',
  severity: Severity.WARNING,
  kinds: ['Deployment', 'ScaledObject', 'HorizontalPodAutoscaler', 'NodePool', 'ResourceQuota'],
  remediation: 'Raise the NodePools\' limits["nvidia.com/gpu"] (or the ResourceQuota) by one pod\'s GPUs, or lower the scaler\'s '
    + 'maximum by one; or accept that rollouts wait for the peak to pass.',
  description: 'GPU218 at the other end of the scaler\'s range. When `maxSurge`/`maxUnavailable` resolve to an unavailable '
    + 'count of 0 at the scaler\'s maximum (KEDA\'s `maxReplicaCount`, default 100; an HPA\'s `maxReplicas`), a rollout '
    + 'keeps every old pod until a new one is available (Kubernetes `deployment/util.ResolveFenceposts`). If the maximum '
    + 'fits the NodePools it can use (node by node, as GPU219 counts them) or its namespace\'s `requests.nvidia.com/gpu` '
    + 'quota, but one more pod does not, a rollout started at the peak (a fix pushed during a traffic spike) reaches no '
    + 'pod: the new pod stays Pending, or the quota refuses it, until the scaler removes a replica; the Deployment '
    + 'controller then scales the old ReplicaSet down (proportional scaling) and the rollout goes on. Warning: the rollout '
    + 'completes once the load drops. Not judged when GPU218 already reports the fewest replicas, or when the maximum '
    + 'itself does not fit (GPU219, GPU304); judged for the Deployment alone, as GPU218.',
  *check(ctx) {
    const quotas = ctx.byKind('ResourceQuota', '');
    if (quotas.length === 0 && ctx.nodePools().length === 0) return;
    for (const w of ctx.workloads()) {
      if (w.kind !== 'Deployment') continue;
      const max = scaledMaximum(ctx, w.object);
      if (typeof max !== 'number') continue;
      const gpus = ctx.gpuDemand(w.template)['nvidia.com/gpu'] ?? 0;
      const floor = runningReplicaFloor(ctx, w.object);
      if (!(gpus > 0) || floor === undefined || max <= floor) continue;
      const fence = rolloutFenceposts(w.object, max);
      if (!fence || fence.unavailable > 0) continue;
      const atFloor = rolloutFenceposts(w.object, floor);
      if (atFloor && atFloor.unavailable === 0 && noRoomForOneMore(ctx, w, gpus, floor, quotas).length > 0) continue; // GPU218
      const caps = noRoomForOneMore(ctx, w, gpus, max, quotas);
      if (caps.length === 0) continue;
      yield ctx.finding(w.object, 'spec.strategy',
        `rolls out keeping every old pod: at its scaler's maximum of ${max} replicas, ${fencepostWords(w.object)} resolve to ${fence.surge} and 0, `
        + `so a rollout needs ${max + 1} pods of ${gpus} GPU(s) at once (${(max + 1) * gpus} GPUs), but ${caps.join(', and ')}: a rollout `
        + 'started at the peak reaches no pod until the scaler removes a replica');
    }
  },
};

/** The most pods of a pod template the pools it fits can hold within their limits, with the pools' figures. */
interface PoolRoom {
  readonly most: number;
  /** The sum of the pools' GPU limits. */
  readonly gpuLimit: number;
  /** Each pool's figure. */
  readonly bounds: ReadonlyArray<{ readonly pool: PoolModel; readonly bound: PoolPodBound }>;
}

/** A PoolRoom's pools in words. */
function roomWords(room: PoolRoom): string {
  return listedFirst(room.bounds, ({ pool, bound }) => `${pool.name}: limit ${pool.gpuLimit} GPUs, a ${bound.type.name} (${bound.type.gpuCount} GPUs) holds ${bound.perNode}`,
    NAMED_IN_LIST, '; ');
}

/** Whether the pools `w` fits surely hold `need` of its pods (a cheap lower bound: see podsAtLeastWithinPoolLimits). */
function surelyHolds(ctx: RuleContext, w: WorkloadRef, need: number): boolean {
  let sum = 0;
  for (const v of ctx.fittingPlacements(w.template)) {
    sum += podsAtLeastWithinPoolLimits(v.pool);
    if (sum >= need) return true;
  }
  return false;
}

/** Per run: PoolRoom by placement signature, for shared and one-per-node pods (GPU218, GPU219). */
const poolRooms = memoPerRun((_: RuleContext): [Map<string, PoolRoom | null>, Map<string, PoolRoom | null>] => [new Map(), new Map()]);

/** {@link poolRoom}, once per run and placement signature. */
function poolRoomOf(ctx: RuleContext, w: WorkloadRef, gpus: number, perNode: boolean): PoolRoom | null {
  const memo = poolRooms(ctx)[perNode ? 1 : 0];
  const sig = ctx.placementSignature(w.template);
  let room = memo.get(sig);
  if (room === undefined) memo.set(sig, room = poolRoom(ctx, w, gpus, perNode));
  return room;
}

/** PoolRoom of `w` over every NodePool it fits; null when none fits or one is not judged. */
function poolRoom(ctx: RuleContext, w: WorkloadRef, gpus: number, perNode: boolean): PoolRoom | null {
  const usable = ctx.fittingPlacements(w.template).map((v) => ({ p: v.pool, v }));
  if (usable.length === 0) return null;
  const cm = ctx.cpuMemoryRequests(w.template);
  const bounds = usable.map(({ p, v }) => podsWithinPoolLimits(p, v.instanceTypes, gpus, cm.cpu, cm.memoryBytes, perNode, cm.ephemeralStorageBytes));
  if (bounds.some((b) => b === undefined)) return null;
  return {
    most: bounds.reduce((sum, b) => sum + b!.pods, 0),
    gpuLimit: usable.reduce((sum, { p }) => sum + p.gpuLimit!, 0),
    bounds: bounds.map((b, i) => ({ pool: usable[i].p, bound: b! })),
  };
}

/** GPU219 — a GPU workload's replicas must fit, node by node, within the limits of the NodePools it can use. */
export const REPLICAS_FIT_POOL_NODES: Rule = {
  id: 'GPU219',
  title: 'A GPU workload\'s replicas must fit, node by node, within the limits of the NodePools it can use',
  severity: Severity.ERROR,
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'NodePool', 'ScaledObject', 'HorizontalPodAutoscaler'],
  remediation: 'Raise the NodePools\' limits, lower the replicas, or let several replicas share a node (drop the required '
    + 'hostname anti-affinity or the host ports, or request less cpu/memory per pod).',
  description: 'Karpenter launches a node only if its whole capacity fits what is left of the NodePool\'s `limits` '
    + '(nvidia.com/gpu, cpu, memory; Karpenter "NodePools: limits"), so a pool limited to 8 GPUs holds one p5.48xlarge '
    + 'and no more. How many pods that is depends on how many fit one node: the pod\'s GPUs, cpu and memory against '
    + 'the node\'s allocatable, and one per node with a required pod anti-affinity on `kubernetes.io/hostname` against '
    + 'its own pods or with a host port (kube-scheduler\'s NodePorts; with `hostNetwork` every container port is one). When the replicas (an unscaled Deployment\'s, StatefulSet\'s or ReplicaSet\'s `replicas`, a '
    + 'scaler\'s maximum, a gang\'s ranks) exceed the most pods the pools\' limits allow (counted over whole nodes of '
    + 'their instance types, mixed sizes included; cpu and memory limits bounded), the rest stay Pending forever; a '
    + 'gang\'s started ranks wait for them. Where '
    + 'replicas × GPUs already exceed the limits, GPU304 (scalers) and GPU212 (gangs) report it; other pods on the same '
    + 'pools leave less room still (GPU223 counts the workloads confined to the same pools together). Pools without a '
    + 'GPU limit, or that share GPUs (time-slicing, NodeOverlay), are not judged.',
  *check(ctx) {
    if (ctx.nodePools().length === 0) return;
    for (const w of ctx.workloads()) {
      const demand = ctx.gpuDemand(w.template);
      const gpus = demand['nvidia.com/gpu'] ?? 0;
      if (!(gpus > 0) || Object.keys(demand).some((r) => r !== 'nvidia.com/gpu')) continue;
      let replicas: number | undefined;
      let field = 'spec.replicas';
      let gang = false;
      // Set when a scaler or the gang's own rule (GPU304, GPU212) reports replicas × GPUs beyond the GPU limits.
      let countedElsewhere = false;
      if (w.kind === 'Job' || w.kind === 'CronJob') {
        replicas = gangRanks(w);
        field = w.kind === 'CronJob' ? 'spec.jobTemplate.spec.parallelism' : 'spec.parallelism';
        gang = countedElsewhere = true;
      } else if (w.kind === 'Deployment' || w.kind === 'StatefulSet' || w.kind === 'ReplicaSet' || w.kind === 'ReplicationController') {
        const max = scaledMaximum(ctx, w.object);
        if (max === null) continue;
        countedElsewhere = max !== undefined;
        const raw = w.object?.spec?.replicas;
        replicas = max ?? (raw === undefined ? 1 : typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 ? raw : undefined);
      }
      if (replicas === undefined || replicas < 2 || surelyHolds(ctx, w, replicas)) continue;
      const perNode = onePodPerNode(w);
      // The bound depends on the pod's placement signature (the pools it fits, its GPUs, cpu and memory) only.
      const room = poolRoomOf(ctx, w, gpus, perNode);
      if (room === null || replicas <= room.most) continue;
      const { most, gpuLimit } = room;
      if (countedElsewhere && replicas * gpus > gpuLimit) continue;
      const what = gang ? `${replicas} ranks` : `${replicas} replicas`;
      yield ctx.finding(w.object, field,
        `needs ${what} of ${gpus} GPU(s)${perNode ? `, one per node (${onePodPerNodeBecause(w)})` : ''}, `
        + `but the limits of the NodePools it can use let Karpenter launch nodes for at most ${most} `
        + `(${roomWords(room)}): ${replicas - most} stay Pending forever`
        + (gang ? ' and the ranks that start wait for them' : ''));
    }
  },
};

/** The kinds whose replicas GPU223 counts. */
const STEADY_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'];

/** GPU223 — the replicas GPU workloads always run must fit, together, the GPU limits of the pools they are confined to. */
export const STEADY_REPLICAS_FIT_SHARED_POOLS: Rule = {
  id: 'GPU223',
  title: 'The replicas that GPU workloads confined to the same NodePools always run must fit those pools\' GPU limits together',
  severity: Severity.ERROR,
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'ScaledObject', 'HorizontalPodAutoscaler', 'NodePool'],
  remediation: 'Raise the NodePools\' limits["nvidia.com/gpu"], lower the replicas (or scaler minimums) listed, or let some of '
    + 'the workloads use another pool.',
  description: 'Karpenter never launches a node beyond a NodePool\'s `limits["nvidia.com/gpu"]` (Karpenter "NodePools: '
    + 'limits"). GPU219 judges each workload\'s replicas alone; when several GPU workloads can only run on the same '
    + 'pools (their usable pools, by the scheduling model, are within one set), the replicas they always run — an '
    + 'unscaled workload\'s `spec.replicas` (default 1), a scaled one\'s floor: a ScaledObject\'s `idleReplicaCount` '
    + 'when set, else its `minReplicaCount` (default 0), an HPA\'s `minReplicas` (default 1) — need the sum of their GPUs '
    + 'at all times. Above the pools\' summed GPU limits, ' + WHOLE_NODE_LIMITS + ', some of those pods stay Pending '
    + 'forever, whichever workload Karpenter serves first. It is a necessary condition: pods that leave GPUs of a node '
    + 'idle make it worse. Reported once per smallest over-committed set of pools, on the workload '
    + '(or scaler minimum) asking for the most GPUs, when at least two workloads share the set and none over-commits it '
    + 'alone (GPU219, GPU304). ReplicaSets and ReplicationControllers run by a controller (a Deployment\'s) are counted '
    + 'through it; Pods and Jobs, which finish or are owned, are not counted. Pools without a GPU limit, or that share '
    + 'GPUs (time-slicing, NodeOverlay), are not judged.',
  *check(ctx) {
    if (ctx.nodePools().length === 0) return;
    const shares = poolShares(ctx, STEADY_KINDS, (w, scaler) => (countedThroughOwner(w) ? undefined : alwaysRunningReplicas(w, scaler)));
    const over = overcommittedPoolSets(ctx, shares, (group, capacity) => group.length >= 2
      && group.every((sh) => sh.replicas * sh.gpus <= capacity));
    for (const o of over) {
      const worst = o.group.reduce((a, b) => (b.replicas * b.gpus > a.replicas * a.gpus ? b : a));
      const where = worst.scaler ? { obj: worst.scaler.object, field: minReplicasField(worst.scaler) } : { obj: worst.workload.object, field: 'spec.replicas' };
      yield ctx.finding(where.obj, where.field,
        `the workloads that can only use NodePools ${o.pools.join(', ')} always run ${o.demand} GPUs, but those pools allow `
        + `${o.capacity} (${poolLimitsWords(o)}): ${sharesWords(o.group, 'floor')}; `
        + `pods asking for at least ${o.demand - o.capacity} GPUs in total stay Pending forever`,
        `Raise the pools' limits["nvidia.com/gpu"] to at least ${o.demand} together, or lower these replicas by ${o.demand - o.capacity} GPUs in total.`);
    }
  },
};

/**
 * The evictions a PodDisruptionBudget allows when `expected` pods match it, as the disruption controller counts them
 * (a percentage of `minAvailable` or `maxUnavailable` is rounded up: `GetScaledValueFromIntOrPercent(…, true)`), with the
 * field that decides; undefined when neither field is a count or percentage it can read.
 */
export function allowedDisruptions(pdb: any, expected: number):
{ readonly allowed: number; readonly field: string; readonly value: unknown } | undefined {
  const scaled = (v: unknown): number | undefined => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
    return m ? Math.ceil((Number(m[1]) * expected) / 100) : undefined;
  };
  const spec = pdb?.spec ?? {};
  if (spec.maxUnavailable !== undefined) {
    const n = scaled(spec.maxUnavailable);
    return n === undefined ? undefined : { allowed: n, field: 'spec.maxUnavailable', value: spec.maxUnavailable };
  }
  if (spec.minAvailable !== undefined) {
    const n = scaled(spec.minAvailable);
    return n === undefined ? undefined : { allowed: Math.max(expected - n, 0), field: 'spec.minAvailable', value: spec.minAvailable };
  }
  return undefined;
}

/** GPU224 — a GPU workload's PodDisruptionBudget must let Karpenter drain its nodes. */
export const BUDGET_ALLOWS_DRAIN: Rule = {
  id: 'GPU224',
  title: 'A PodDisruptionBudget of GPU pods must allow an eviction, or their nodes are never drained',
  severity: Severity.WARNING,
  kinds: ['PodDisruptionBudget', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'ScaledObject', 'HorizontalPodAutoscaler', 'NodePool'],
  remediation: 'Allow one eviction (maxUnavailable: 1; run two replicas to stay available while a node drains), or set the '
    + 'NodePool\'s spec.template.spec.terminationGracePeriod so that an expired node is drained by a deadline.',
  description: 'A PodDisruptionBudget whose `maxUnavailable` is 0, or whose `minAvailable` is the number of pods (100%, or '
    + '1 of a single replica), allows no voluntary eviction: a drain of a node running one of those pods never completes '
    + '(Kubernetes "Specifying a Disruption Budget for your Application"; percentages round up, as the disruption '
    + 'controller counts them). Karpenter drains through evictions: consolidation and drift leave such a node alone '
    + '(Karpenter "Disruption": nodes with pods that cannot be evicted are skipped), so a costly GPU node is never '
    + 'consolidated and a new AMI (`al2023@latest`) never reaches it; when the node expires, Karpenter taints it and '
    + 'evicts everything else, then waits on the pod forever unless the NodePool sets `terminationGracePeriod` '
    + '(kubernetes-sigs/karpenter#1776). Judged at the fewest replicas the matching workloads run (a scaler\'s minimum, '
    + 'at least 1), for budgets selecting GPU pods, and not when every NodePool those pods can use sets '
    + '`terminationGracePeriod` (expiry then replaces the node by a deadline). A warning: blocking evictions may be '
    + 'deliberate for a pod that must never restart, and `karpenter.sh/do-not-disrupt` says so to Karpenter directly. '
    + 'Pods that tolerate Karpenter\'s `karpenter.sh/disrupted` taint are not judged: Karpenter does not evict them '
    + '(pkg/utils/pod `IsEvictable`).',
  *check(ctx) {
    const budgets = ctx.byKind('PodDisruptionBudget', 'policy');
    if (budgets.length === 0) return;
    // The replicated workloads by namespace: a budget only selects pods of its own.
    const byNamespace = steadyByNamespace(ctx);
    for (const b of budgets) {
      const selector = b?.spec?.selector;
      if (!selector || typeof selector !== 'object') continue; // a null selector selects no pod
      const matched = (byNamespace.get(nsOf(b)) ?? []).filter((w) => matchesLabelSelector(selector, w.template.podLabels));
      // Pods Karpenter does not evict (they tolerate its disrupted taint) never wait on the budget.
      const gpu = matched.filter((w) => demandsAny(ctx.gpuDemand(w.template)) && karpenterEvicts(w));
      if (gpu.length === 0) continue;
      let expected = 0;
      for (const w of matched) {
        const n = runningReplicaFloor(ctx, w.object);
        if (n === undefined) { expected = -1; break; }
        expected += n;
      }
      if (expected <= 0) continue;
      const verdict = allowedDisruptions(b, expected);
      if (!verdict || verdict.allowed > 0) continue;
      const pools = gpu.flatMap((w) => ctx.fittingPlacements(w.template).map((v) => v.pool));
      const graced = (p: PoolModel) => p.object?.spec?.template?.spec?.terminationGracePeriod !== undefined;
      if (pools.length > 0 && pools.every(graced)) continue;
      const ungraced = [...new Set(pools.filter((p) => !graced(p)).map((p) => p.name))];
      const who = gpu.map((w) => `${w.kind} ${nameOf(w.object)}`);
      yield ctx.finding(b, verdict.field,
        `is ${JSON.stringify(verdict.value)} for the ${expected} pod(s) it selects (${listed(who)}): no eviction is allowed, so a drain of `
        + 'their nodes never completes. Karpenter never consolidates or drifts those GPU nodes (a new AMI never reaches them), '
        + 'and an expired one stays, tainted, running only these pods'
        + (ungraced.length > 0 ? ` (NodePool(s) ${listed(ungraced)} set no terminationGracePeriod)` : ''));
    }
  },
};

/** The taint Karpenter puts on a node it drains (Karpenter "Disruption": termination). */
const DISRUPTED_TAINT = { key: 'karpenter.sh/disrupted', effect: 'NoSchedule' };

/**
 * Whether Karpenter evicts these pods when it drains their node: not when they tolerate its disrupted taint
 * (kubernetes-sigs/karpenter pkg/utils/pod `IsEvictable`; e.g. `tolerations: [{operator: Exists}]`), so their
 * budgets never hold up its drains.
 */
function karpenterEvicts(w: WorkloadRef): boolean {
  const tolerations = w.template.podSpec?.tolerations;
  return !tolerationsTolerateTaint(Array.isArray(tolerations) ? tolerations : [], DISRUPTED_TAINT);
}

/** GPU229 — a GPU pod must be selected by at most one PodDisruptionBudget. */
export const ONE_BUDGET_PER_POD: Rule = {
  id: 'GPU229',
  title: 'A GPU pod must be selected by at most one PodDisruptionBudget, or it can never be evicted',
  severity: Severity.ERROR,
  kinds: ['PodDisruptionBudget', ...POD_TEMPLATE_KINDS],
  remediation: 'Keep one PodDisruptionBudget per workload: narrow the budgets\' selectors (e.g. to the workload\'s own app label) '
    + 'so that they do not overlap, or delete one.',
  description: 'The eviction API refuses to evict a pod that more than one PodDisruptionBudget selects, whatever each budget '
    + 'allows: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support" (HTTP 500; '
    + 'k8s.io/kubernetes pkg/registry/core/pod/storage/eviction.go; Kubernetes "Specifying a Disruption Budget": avoid '
    + 'overlapping selectors). Karpenter drains through evictions and counts such a pod as never evictable '
    + '(kubernetes-sigs/karpenter pkg/utils/pdb `isEvictable`): the GPU nodes running it are never consolidated or '
    + 'drifted, an expired one waits for it until the NodePool\'s `terminationGracePeriod`, and Karpenter does not '
    + 'pre-provision a replacement for it. Typical cause: a namespace-wide budget (an empty selector selects every pod '
    + 'of the namespace) beside a workload\'s own. Judged for the pods of GPU workloads against the budgets of their '
    + 'namespace, except pods that tolerate Karpenter\'s `karpenter.sh/disrupted` taint, which it does not evict '
    + '(pkg/utils/pod `IsEvictable`); a hand-over from one budget to another overlaps on purpose for a while: '
    + 'suppress it then.',
  *check(ctx) {
    const budgets = ctx.byKind('PodDisruptionBudget', 'policy');
    if (budgets.length < 2) return;
    const byNamespace = new Map<string, any[]>();
    for (const b of budgets) {
      const selector = b?.spec?.selector;
      if (!selector || typeof selector !== 'object') continue; // a null selector selects no pod
      const list = byNamespace.get(nsOf(b));
      if (list) list.push(b);
      else byNamespace.set(nsOf(b), [b]);
    }
    for (const w of ctx.workloads()) {
      if (countedThroughOwner(w)) continue;
      const inNamespace = byNamespace.get(nsOf(w.object));
      if (!inNamespace || inNamespace.length < 2) continue;
      const selecting = inNamespace.filter((b) => matchesLabelSelector(b.spec.selector, w.template.podLabels));
      if (selecting.length < 2 || !demandsAny(ctx.gpuDemand(w.template)) || !karpenterEvicts(w)) continue;
      const names = selecting.map((b) => (typeof b.metadata?.name === 'string' ? b.metadata.name : '<unnamed>'));
      yield ctx.finding(w.object, podLabelsPathOf(w.kind)!,
        `its pods are selected by ${selecting.length} PodDisruptionBudgets (${listed(names)}): the eviction API refuses to evict a pod `
        + 'under more than one budget, whatever each allows, so Karpenter never consolidates or drifts the GPU nodes running '
        + 'them, and an expired node waits for them until its NodePool\'s terminationGracePeriod, if any');
    }
  },
};

/** GPU228 — the replicas a namespace's GPU workloads always run must fit its ResourceQuota together. */
export const STEADY_REPLICAS_FIT_QUOTA: Rule = {
  id: 'GPU228',
  title: 'The replicas a namespace\'s GPU workloads always run must fit its ResourceQuota together',
  severity: Severity.ERROR,
  kinds: ['ResourceQuota', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'ScaledObject', 'HorizontalPodAutoscaler'],
  remediation: 'Raise the ResourceQuota\'s hard limit, or lower the replicas (or scaler minimums) listed.',
  description: 'The ResourceQuota admission plugin refuses a pod whose requests would take the namespace\'s usage beyond a '
    + '`requests.<resource>` hard limit ("exceeded quota"); the ReplicaSet or StatefulSet controller records a FailedCreate '
    + 'event and retries for as long as the quota is used up. GPU202 judges one pod; when the replicas the namespace\'s '
    + 'GPU workloads always run — an unscaled workload\'s `spec.replicas` (default 1), a scaled one\'s floor: a '
    + 'ScaledObject\'s `idleReplicaCount` when set, else its `minReplicaCount` (default 0), an HPA\'s `minReplicas` '
    + '(default 1) — ask for more of a GPU or other extended resource than the quota allows, some of those pods are never '
    + 'created, whichever controller asks first. Judged per quota that applies to the pods (no scopes, or a '
    + '`PriorityClass` scopeSelector matching their class; other scopes are unknown), for the `requests.<extended '
    + 'resource>` keys; Jobs and Pods, which finish, and ReplicaSets run by a Deployment are not counted. Other pods '
    + 'of the namespace are unknown to a linter, so this is the lower bound.',
  *check(ctx) {
    for (const o of quotaOvercommits(ctx, 'floor')) {
      yield ctx.finding(o.quota, o.fieldPath,
        `allows ${o.raw} ${o.resource} in namespace ${o.namespace || 'default'}, but the replicas its workloads always run ask for ${o.total}: `
        + `${quotaMembersWords(o.members, 'minimum')}; pods asking for at least ${+(o.total - o.cap).toFixed(3)} ${o.resource} in total `
        + 'are refused at admission ("exceeded quota") and their controllers retry forever');
    }
  },
};

/** A workload counted against a ResourceQuota: its replicas (at the floor or the peak) × its request. */
interface QuotaMember {
  readonly w: WorkloadRef;
  readonly replicas: number;
  readonly per: number;
  /** The scaler that sets the replicas, in words (`ScaledObject x`). */
  readonly scaler?: string;
}

/** A quota's `requests.<resource>` below what its namespace's workloads ask for together. */
interface QuotaOvercommit {
  readonly quota: any;
  readonly fieldPath: string;
  readonly raw: string;
  readonly resource: string;
  readonly namespace: string;
  readonly cap: number;
  readonly total: number;
  /** Largest first. */
  readonly members: readonly QuotaMember[];
}

/** Per run: the counted workloads (STEADY_KINDS, not counted through an owner) by namespace. */
const steadyByNamespace = memoPerRun((ctx: RuleContext): Map<string, WorkloadRef[]> => {
  const out = new Map<string, WorkloadRef[]>();
  for (const w of ctx.workloads()) {
    if (!STEADY_KINDS.includes(w.kind) || countedThroughOwner(w)) continue;
    const list = out.get(nsOf(w.object));
    if (list) list.push(w);
    else out.set(nsOf(w.object), [w]);
  }
  return out;
});

/**
 * The ResourceQuotas whose `requests.<extended resource>` the namespace's workloads exceed together, at their floors
 * (the replicas always run: GPU228) or their peaks (a scaler's maximum, else the replicas: GPU230). A quota that one pod
 * exceeds is GPU202's; at the peak, a quota the floors exceed already is GPU228's, and one where no workload scales is
 * the floors' count.
 */
function quotaOvercommits(ctx: RuleContext, at: 'floor' | 'peak'): QuotaOvercommit[] {
  const out: QuotaOvercommit[] = [];
  const quotas = ctx.byKind('ResourceQuota', '');
  if (quotas.length === 0) return out;
  const steady = steadyByNamespace(ctx);
  for (const q of quotas) {
    const hard = q?.spec?.hard;
    if (!hard || typeof hard !== 'object') continue;
    const ns = nsOf(q);
    for (const key of Object.keys(hard)) {
      const r = key.startsWith('requests.') ? key.slice('requests.'.length) : '';
      const cap = isExtendedResourceName(r) ? tryParseQuantity(hard[key]) : undefined;
      if (cap === undefined) continue;
      const members: QuotaMember[] = [];
      let floors = 0;
      let scaled = false;
      let unjudged = false;
      for (const w of steady.get(ns) ?? []) {
        const per = ctx.gpuDemand(w.template)[r] ?? 0;
        if (!(per > 0) || quotaApplies(q, w.template.podSpec?.priorityClassName) !== true) continue;
        if (per > cap) unjudged = true; // GPU202
        const scaler = scalerOfTarget(ctx, w.object);
        const floor = alwaysRunningReplicas(w, scaler);
        const peak = scaler ? scaledMaximum(ctx, w.object) : floor;
        // A count that is not a whole number is the schema gate's; at the peak it leaves the sum unknown.
        if (floor === undefined || (at === 'peak' && typeof peak !== 'number')) {
          if (at === 'peak') unjudged = true;
          continue;
        }
        floors += floor * per;
        if (scaler && typeof peak === 'number' && peak > floor) scaled = true;
        const replicas = at === 'floor' ? floor : peak as number;
        if (replicas > 0) members.push({ w, replicas, per, ...(scaler ? { scaler: `${scaler.kind} ${nameOf(scaler.object)}` } : {}) });
      }
      const total = members.reduce((sum, m) => sum + m.replicas * m.per, 0);
      if (unjudged || total <= cap || (at === 'peak' && (!scaled || floors > cap))) continue;
      members.sort((a, b) => b.replicas * b.per - a.replicas * a.per);
      out.push({ quota: q, fieldPath: `spec.hard[${key}]`, raw: String(hard[key]), resource: r, namespace: ns, cap, total, members });
    }
  }
  return out;
}

/** A quota's members in words: `Deployment a 2 × 4 = 8 (ScaledObject a minimum)`, the first few. */
function quotaMembersWords(members: readonly QuotaMember[], scaledAs: string): string {
  return listedFirst(members, (m) => `${m.w.kind} ${nameOf(m.w.object)} ${m.replicas} × ${m.per} = ${m.replicas * m.per}`
    + `${m.scaler ? ` (${m.scaler} ${scaledAs})` : ''}`, NAMED_IN_LIST, '; ');
}

/** GPU230 — the maximum replicas of a namespace's GPU workloads should fit its ResourceQuota together. */
export const PEAK_REPLICAS_FIT_QUOTA: Rule = {
  id: 'GPU230',
  title: 'The maximum replicas of a namespace\'s scaled GPU workloads should fit its ResourceQuota together',
  severity: Severity.WARNING,
  kinds: ['ResourceQuota', 'ScaledObject', 'HorizontalPodAutoscaler', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'],
  remediation: 'Lower the scalers\' maximum replicas listed, or raise the ResourceQuota\'s hard limit, so that the quota and the '
    + 'scalers tell one story.',
  description: 'GPU228 at the scalers\' maximum, as GPU307 is GPU223 at the maximum for the NodePools\' limits. When the '
    + 'namespace\'s GPU workloads at their scalers\' maximum (KEDA\'s `maxReplicaCount`, default 100; an HPA\'s '
    + '`maxReplicas`; the others at their replicas) ask for more of a `requests.<extended resource>` than its '
    + 'ResourceQuota allows, the quota admission plugin refuses the pods beyond it ("exceeded quota"): the HPA '
    + 'reports the replicas it wants, the ReplicaSet records FailedCreate events, and the load the extra replicas were '
    + 'for is not served. A warning: the quota may be the intended cap, but then the scalers\' maximum promises '
    + 'capacity the namespace never gets. Not judged where the floors exceed the quota already (GPU228) or no workload '
    + 'scales.',
  *check(ctx) {
    for (const o of quotaOvercommits(ctx, 'peak')) {
      yield ctx.finding(o.quota, o.fieldPath,
        `allows ${o.raw} ${o.resource} in namespace ${o.namespace || 'default'}, but at their scalers' maximum its workloads ask for ${o.total}: `
        + `${quotaMembersWords(o.members, 'maximum')}; at the peak, pods asking for ${+(o.total - o.cap).toFixed(3)} ${o.resource} are refused `
        + 'at admission ("exceeded quota") and the load they were scaled for is not served');
    }
  },
};

/**
 * The keys a Secret or ConfigMap of the manifests holds (Secret `data` and `stringData`, ConfigMap `data` and
 * `binaryData`); undefined when it is not in the manifests, holds no key at all (a placeholder something else fills),
 * or is a service account token Secret (whose keys the token controller writes).
 */
function keysHeld(ctx: RuleContext, kind: 'Secret' | 'ConfigMap', namespace: string, name: unknown): ReadonlySet<string> | undefined {
  if (typeof name !== 'string') return undefined;
  const obj = ctx.get(kind, namespace, name);
  if (!obj || (kind === 'Secret' && obj.type === 'kubernetes.io/service-account-token')) return undefined;
  const maps = kind === 'Secret' ? [obj.data, obj.stringData] : [obj.data, obj.binaryData];
  const keys = new Set<string>();
  for (const m of maps) if (m && typeof m === 'object' && !Array.isArray(m)) for (const k of Object.keys(m)) keys.add(k);
  return keys.size > 0 ? keys : undefined;
}

/** `holds "a", "b"` or `holds only "a"`, for a key missing from them. */
const heldWords = (keys: ReadonlySet<string>): string =>
  `${keys.size === 1 ? 'holds only' : 'holds'} ${listed([...keys].sort().map((k) => JSON.stringify(k)))}`;

/** The kinds of namespaced objects a pod names by name alone, each in its own namespace. */
type NamedKind = 'Secret' | 'ConfigMap' | 'ServiceAccount' | 'PersistentVolumeClaim';

/** A key a pod reads from a Secret or ConfigMap it names: an environment variable's, or one a volume projects. */
interface KeyRef {
  readonly key: string;
  /** Where the key is written. */
  readonly field: string;
  /** The environment variable (`env`) or the volume (`volume`) that reads it, as messages name it. */
  readonly reader: { readonly by: 'env'; readonly container: ContainerRef; readonly variable: unknown } | { readonly by: 'volume'; readonly volume: unknown };
}

/** A pod's reference to an object of its own namespace, with where it is written and what a missing one does. */
interface NamedRef {
  readonly kind: NamedKind;
  readonly name: string;
  readonly field: string;
  readonly outcome: string;
  /** The keys it reads of the object (a Secret's or ConfigMap's), when it names them. */
  readonly keys?: readonly KeyRef[];
}

/** The explicit namespaces each Secret, ConfigMap, ServiceAccount and claim of the manifests is in, by `kind/name`. */
const namespacesByName = memoPerRun((ctx: RuleContext): ReadonlyMap<string, ReadonlySet<string>> => {
  const out = new Map<string, Set<string>>();
  for (const kind of ['Secret', 'ConfigMap', 'ServiceAccount', 'PersistentVolumeClaim'] as const) {
    for (const obj of ctx.byKind(kind)) {
      const ns = obj?.metadata?.namespace;
      const name = obj?.metadata?.name;
      if (typeof ns !== 'string' || ns === '' || typeof name !== 'string') continue;
      const key = `${kind}/${name}`;
      let set = out.get(key);
      if (!set) out.set(key, set = new Set());
      set.add(ns);
    }
  }
  return out;
});

const CONFIG_ERROR = 'the kubelet does not start the container (CreateContainerConfigError) and the pod holds its GPU node doing nothing';
const MOUNT_ERROR = 'the kubelet cannot mount it (FailedMount), and the pod stays ContainerCreating holding its GPU node';

/**
 * The Secrets, ConfigMaps, ServiceAccount and claims a pod template names, other than optional ones, with the keys it
 * reads of them (GPU248 judges the keys, GPU249 the namespaces).
 */
function namedRefs(w: WorkloadRef): readonly NamedRef[] {
  let refs = NAMED_REFS.get(w);
  if (!refs) NAMED_REFS.set(w, refs = readNamedRefs(w));
  return refs;
}

/** {@link namedRefs} of each workload of a run (GPU248 and GPU249 both read them), dropped with the run's workloads. */
const NAMED_REFS = new WeakMap<WorkloadRef, readonly NamedRef[]>();

function readNamedRefs(w: WorkloadRef): NamedRef[] {
  const out: NamedRef[] = [];
  const spec = w.template.podSpec;
  const at = w.template.podSpecPath;
  const add = (kind: NamedKind, name: unknown, field: string, outcome: string, keys?: readonly KeyRef[]) => {
    if (typeof name === 'string' && name !== '') out.push({ kind, name, field, outcome, ...(keys ? { keys } : {}) });
  };
  if (spec.serviceAccountName !== 'default') {
    add('ServiceAccount', spec.serviceAccountName, `${at}.serviceAccountName`,
      'the API server refuses its pods ("serviceaccount … not found"): the controller never creates one');
  }
  const pullSecrets = Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : [];
  pullSecrets.forEach((p: any, i: number) => add('Secret', p?.name, `${at}.imagePullSecrets[${i}].name`,
    'the kubelet pulls without it ("Unable to retrieve some image pull secrets"), so a private image (NVIDIA NGC\'s, a private '
    + 'registry\'s) fails with ImagePullBackOff and the pod holds its GPU node doing nothing'));
  for (const c of containersOf(w.template)) {
    const env = Array.isArray(c.container.env) ? c.container.env : [];
    env.forEach((e: any, i: number) => {
      for (const [field, kind] of [['secretKeyRef', 'Secret'], ['configMapKeyRef', 'ConfigMap']] as const) {
        const ref = e?.valueFrom?.[field];
        if (!ref || typeof ref !== 'object' || ref.optional === true) continue;
        const keys: KeyRef[] = typeof ref.key === 'string'
          ? [{ key: ref.key, field: `${c.path}.env[${i}].valueFrom.${field}.key`, reader: { by: 'env', container: c, variable: e.name } }] : [];
        add(kind, ref.name, `${c.path}.env[${i}].valueFrom.${field}.name`, CONFIG_ERROR, keys);
      }
    });
    const envFrom = Array.isArray(c.container.envFrom) ? c.container.envFrom : [];
    envFrom.forEach((e: any, i: number) => {
      for (const [field, kind] of [['secretRef', 'Secret'], ['configMapRef', 'ConfigMap']] as const) {
        const ref = e?.[field];
        if (ref && typeof ref === 'object' && ref.optional !== true) add(kind, ref.name, `${c.path}.envFrom[${i}].${field}.name`, CONFIG_ERROR);
      }
    });
  }
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  volumes.forEach((v: any, i: number) => {
    for (const [field, kind, nameField] of [['secret', 'Secret', 'secretName'], ['configMap', 'ConfigMap', 'name']] as const) {
      const src = v?.[field];
      if (!src || typeof src !== 'object' || src.optional === true) continue;
      const items: any[] = Array.isArray(src.items) ? src.items : [];
      const keys: KeyRef[] = [];
      items.forEach((item, j) => {
        if (typeof item?.key === 'string') keys.push({ key: item.key, field: `${at}.volumes[${i}].${field}.items[${j}].key`, reader: { by: 'volume', volume: v.name } });
      });
      add(kind, src[nameField], `${at}.volumes[${i}].${field}.${nameField}`, MOUNT_ERROR, keys);
    }
    add('PersistentVolumeClaim', v?.persistentVolumeClaim?.claimName, `${at}.volumes[${i}].persistentVolumeClaim.claimName`,
      'the scheduler leaves its pods Pending ("persistentvolumeclaim … not found") and Karpenter launches nothing for them');
  });
  return out;
}

/** GPU248 — a GPU pod's environment and volumes must name keys their Secret or ConfigMap holds. */
export const REFERENCED_KEYS_EXIST: Rule = {
  id: 'GPU248',
  title: 'A GPU pod\'s environment variables and volumes must name keys their Secret or ConfigMap holds',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'Secret', 'ConfigMap'],
  remediation: 'Name a key the Secret or ConfigMap holds (or add the key to it), or mark the reference optional: true when the '
    + 'container can run without it.',
  description: 'An environment variable from `secretKeyRef` or `configMapKeyRef` whose Secret or ConfigMap exists but lacks '
    + 'the key stops the kubelet from starting the container: "couldn\'t find key … in Secret …" '
    + '(CreateContainerConfigError; kubelet `makeEnvironmentVariables`), unless the reference is `optional`. A Secret or '
    + 'ConfigMap volume projecting a missing key (`items[].key`) cannot be mounted (FailedMount: "configured to project '
    + 'key … which is not present"), and the pod stays ContainerCreating. Either way the pod never runs, yet holds the '
    + 'GPU node Karpenter launched for it. The usual case: a Hugging Face token Secret whose key is `HF_TOKEN` read as '
    + '`token`. Judged for pods asking for GPUs, against the Secrets and ConfigMaps of the same namespace in the '
    + 'manifests; one that is not in them, holds no key at all (a placeholder something else fills) or is a service '
    + 'account token Secret is not judged.',
  *check(ctx) {
    for (const w of ctx.workloads()) {
      if (!demandsAny(ctx.gpuDemand(w.template))) continue;
      const ns = nsOf(w.object);
      for (const ref of namedRefs(w)) {
        if (ref.keys === undefined || ref.keys.length === 0 || (ref.kind !== 'Secret' && ref.kind !== 'ConfigMap')) continue;
        const held = keysHeld(ctx, ref.kind, ns, ref.name);
        if (!held) continue;
        for (const k of ref.keys) {
          if (held.has(k.key)) continue;
          yield ctx.finding(w.object, k.field, k.reader.by === 'env'
            ? `${containerLabel(k.reader.container)} reads ${describeValue(k.reader.variable)} from key ${JSON.stringify(k.key)} of ${ref.kind} `
              + `${JSON.stringify(ref.name)}, which ${heldWords(held)}: the kubelet does not start the container ("couldn't find key ${k.key} in `
              + `${ref.kind} ${ns || 'default'}/${ref.name}", CreateContainerConfigError), and the pod holds its GPU node doing nothing`
            : `volume ${describeValue(k.reader.volume)} projects key ${JSON.stringify(k.key)} of ${ref.kind} ${JSON.stringify(ref.name)}, which `
              + `${heldWords(held)}: the kubelet cannot mount it (FailedMount), the pod stays ContainerCreating and holds its GPU node doing nothing`);
        }
      }
    }
  },
};

/** GPU249 — a GPU pod must find the objects it names in its own namespace. */
export const NAMED_OBJECTS_IN_NAMESPACE: Rule = {
  id: 'GPU249',
  title: 'A GPU pod\'s Secrets (image pull Secrets too), ConfigMaps, ServiceAccount and claims must be in its own namespace',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS, 'Secret', 'ConfigMap', 'ServiceAccount', 'PersistentVolumeClaim'],
  remediation: 'Create the object in the pod\'s namespace too (a copy of a Secret, a ServiceAccount of its own), or run the '
    + 'workload in the namespace the object is in.',
  description: 'A pod names Secrets, ConfigMaps, its ServiceAccount and its PersistentVolumeClaims by name alone, and the '
    + 'kubelet, the API server and the scheduler look each up in the pod\'s own namespace. When the manifests hold an '
    + 'object of that kind and name only in other namespaces (a token Secret made in `default` for a server in '
    + '`inference`), the pod\'s does not come from them: an environment variable or `envFrom` from it stops the '
    + 'container from starting (CreateContainerConfigError), a volume of it is never mounted (FailedMount), an image pull '
    + 'Secret is left out (a private image then fails with ImagePullBackOff), a missing ServiceAccount makes the API '
    + 'server refuse the pods, and a missing claim leaves them Pending. The first three hold the GPU node Karpenter '
    + 'launched. A warning: the namespace may get the object elsewhere (another chart, a '
    + 'controller that copies Secrets). Judged for pods asking for GPUs whose namespace and the objects\' are written '
    + 'out (one without a namespace goes wherever it is applied); optional references and the `default` ServiceAccount '
    + 'are not judged.',
  *check(ctx) {
    const index = namespacesByName(ctx);
    if (index.size === 0) return;
    for (const w of ctx.workloads()) {
      const ns = w.object?.metadata?.namespace;
      if (typeof ns !== 'string' || ns === '' || !demandsAny(ctx.gpuDemand(w.template))) continue;
      for (const r of namedRefs(w)) {
        const where = index.get(`${r.kind}/${r.name}`);
        if (!where || where.has(ns)) continue;
        const others = [...where].sort();
        yield ctx.finding(w.object, r.field,
          `names ${r.kind} ${JSON.stringify(r.name)}, which these manifests hold only in namespace${others.length === 1 ? '' : 's'} `
          + `${listed(others)}, not in the pod's own, ${ns}: unless ${ns} gets one elsewhere, ${r.outcome}`);
      }
    }
  },
};

/**
 * The most pods of a workload one node of its pools can hold together: over every instance type of every pool they fit,
 * the pods its GPUs, allocatable cpu and memory (after the DaemonSets) hold; 1 when the pods keep to one a node
 * (anti-affinity, a host port). Infinity when a pool shares its GPUs (its devices are not whole GPUs) or no pool fits
 * (nothing is known).
 */
function podsPerNodeAtMost(ctx: RuleContext, w: WorkloadRef, gpus: number): number {
  if (onePodPerNode(w)) return 1;
  const req = ctx.cpuMemoryRequests(w.template);
  let most = 0;
  for (const v of ctx.fittingPlacements(w.template)) {
    for (const t of v.instanceTypes) {
      if (sharesGpus(v.pool, t)) return Infinity;
      most = Math.max(most, podsOnOneNode(v.pool, t, gpus, req.cpu, req.memoryBytes));
    }
  }
  return most === 0 ? Infinity : most;
}

/** The kinds whose pods GPU250 counts: the replicated controllers (a StatefulSet's own claims are per pod) and Jobs. */
const SHARED_CLAIM_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'];

/** GPU250 — pods that run at once on different nodes cannot share a ReadWriteOnce claim. */
export const SHARED_CLAIM_ACCESS: Rule = {
  id: 'GPU250',
  title: 'GPU pods that run at the same time on different nodes must not share a ReadWriteOnce claim',
  severity: Severity.ERROR,
  kinds: [...SHARED_CLAIM_KINDS, 'PersistentVolumeClaim', 'ScaledObject', 'HorizontalPodAutoscaler', 'NodePool'],
  remediation: 'Give the claim ReadWriteMany access (a file system: EFS, FSx for Lustre), give each pod its own claim (a '
    + 'StatefulSet\'s volumeClaimTemplates), or, for a single replica, let the rollout replace the pod (strategy type '
    + 'Recreate, or rollingUpdate maxSurge: 0, maxUnavailable: 1).',
  description: 'A ReadWriteOnce claim is mounted by one node at a time (an EBS volume attaches to one instance), a '
    + 'ReadWriteOncePod claim by one pod (Kubernetes "Persistent Volumes: access modes"). Pods of a workload run at the '
    + 'same time when it has more than one replica (a scaler\'s maximum counts; a Job\'s `parallelism`, as in a '
    + 'multi-node training gang sharing a checkpoint claim), and during a rolling update that '
    + 'surges: a Deployment\'s `maxSurge` resolves to at least 1 by default (25%, rounded up), so the new pod starts '
    + 'while the old one still holds the claim. When no node of the pools the pods can use holds two of them (their '
    + 'GPUs, cpu or memory take a whole node, or anti-affinity keeps them apart), those pods are on different nodes: the '
    + 'second cannot attach the volume ("Multi-Attach error … Volume is already used by pod(s)") and stays '
    + 'ContainerCreating on a GPU node Karpenter launched for it, and a single replica\'s rollout never ends. A '
    + 'ReadWriteOncePod claim refuses a second pod wherever it runs. Judged for claims of the manifests whose access modes '
    + 'are all ReadWriteOnce or ReadWriteOncePod, mounted by pods asking for whole GPUs; pools that share GPUs, and pods '
    + 'that may share a node, are not judged (the scheduler may still place them apart).',
  *check(ctx) {
    if (ctx.byKind('PersistentVolumeClaim').length === 0) return;
    for (const w of ctx.workloads()) {
      if (!SHARED_CLAIM_KINDS.includes(w.kind)) continue;
      const gpus = ctx.gpuDemand(w.template)['nvidia.com/gpu'] ?? 0;
      if (!(gpus >= 1)) continue;
      const ns = nsOf(w.object);
      for (const ref of namedRefs(w)) {
        if (ref.kind !== 'PersistentVolumeClaim') continue;
        const claimName = ref.name;
        const modes = ctx.get('PersistentVolumeClaim', ns, claimName)?.spec?.accessModes;
        if (!Array.isArray(modes) || modes.length === 0 || !modes.every((m: unknown) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod')) continue;
        const oncePod = modes.every((m: unknown) => m === 'ReadWriteOncePod');
        // When do two pods run at once: several replicas or a Job's parallelism (the model's count), a scaler's maximum,
        // or a rollout that surges.
        const job = w.kind === 'Job' || w.kind === 'CronJob';
        const replicas = w.template.replicas ?? 1;
        const max = job ? undefined : scaledMaximum(ctx, w.object);
        const most = typeof max === 'number' ? Math.max(max, replicas) : replicas;
        if (most < 1) continue; // (no pod runs)
        const fence = w.kind === 'Deployment' ? rolloutFenceposts(w.object, Math.max(replicas, 1)) : undefined;
        const when = most > 1 ? `${most} ${job ? 'pods (its parallelism)' : 'replicas'}${typeof max === 'number' && max > replicas ? ' (its scaler\'s maximum)' : ''} run at once`
          : fence && fence.surge >= 1 ? `its rolling update starts a new pod while the old one holds the claim (${fencepostWords(w.object)} resolve to `
            + `${fence.surge} and ${fence.unavailable})` : undefined;
        if (when === undefined) continue;
        const perNode = oncePod ? 1 : podsPerNodeAtMost(ctx, w, gpus);
        if (perNode > 1) continue;
        const why = oncePod ? 'ReadWriteOncePod: one pod at a time, wherever it runs'
          : 'ReadWriteOnce: one node at a time, and no node of its pools holds two of its pods, so they run on different nodes';
        yield ctx.finding(w.object, ref.field,
          `mounts PersistentVolumeClaim ${JSON.stringify(claimName)} (${why}), and ${when}: the ${most > 1 ? 'second' : 'new'} pod cannot `
          + `${oncePod ? 'use the claim and stays Pending' : 'attach the volume ("Multi-Attach error") and stays ContainerCreating on its GPU node'}`
          + `${most > 1 ? '' : ', and the rollout never ends'}`);
      }
    }
  },
};

/** The workload rules, sorted by id. */
export const WORKLOAD_RULES: Rule[] = [
  PRIORITY_CLASS_EXISTS,
  QUOTA_ALLOWS_ONE_REPLICA,
  FITS_ITS_POOLS,
  MIG_RESOURCE_OFFERED,
  SPOT_DEPLOYMENT_SAFE,
  QUOTA_KEY_COUNTED,
  ROLLOUT_HAS_ROOM,
  REPLICAS_FIT_POOL_NODES,
  STEADY_REPLICAS_FIT_SHARED_POOLS,
  BUDGET_ALLOWS_DRAIN,
  ROLLOUT_HAS_ROOM_AT_PEAK,
  STEADY_REPLICAS_FIT_QUOTA,
  ONE_BUDGET_PER_POD,
  PEAK_REPLICAS_FIT_QUOTA,
  REFERENCED_KEYS_EXIST,
  NAMED_OBJECTS_IN_NAMESPACE,
  SHARED_CLAIM_ACCESS,
];
