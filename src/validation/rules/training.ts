/**
 * Training rules (GPU210-GPU212): EFA requests the pool's instance types can serve, checkpoints for multi-pod GPU Jobs
 * on spot, and gangs that fit their pools at once. Answers come from the one scheduling model (src/scheduling) and the
 * catalog's EFA interface counts (`efaInterfaces`, the `vpc.amazonaws.com/efa` allocatable Karpenter lists).
 */
import { GpuInstanceType } from '../../catalog';
import { effectivePodRequests } from '../../scheduling/resources';
import { Severity } from '../model';
import { Rule, RuleContext, WorkloadRef } from '../rule';

const EFA = 'vpc.amazonaws.com/efa';

/** The Job spec of a Job or CronJob, else undefined. */
function jobSpecOf(w: WorkloadRef): any | undefined {
  if (w.kind === 'Job') return w.object?.spec;
  if (w.kind === 'CronJob') return w.object?.spec?.jobTemplate?.spec;
  return undefined;
}
const jobSpecPath = (w: WorkloadRef) => (w.kind === 'CronJob' ? 'spec.jobTemplate.spec' : 'spec');

function count(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : dflt;
}

/** The instance types a pod template fits on, over every NodePool of the run (empty when none fits). */
function fittingTypes(ctx: RuleContext, w: WorkloadRef): { types: GpuInstanceType[]; pools: string[]; spotPools: string[] } {
  const types = new Set<GpuInstanceType>();
  const pools: string[] = [];
  const spotPools: string[] = [];
  for (const p of ctx.nodePools()) {
    const v = ctx.placement(w.template, p);
    if (!v.fits) continue;
    pools.push(p.name);
    if (v.capacityTypes.includes('spot')) spotPools.push(p.name);
    for (const t of v.instanceTypes) types.add(t);
  }
  return { types: [...types], pools, spotPools };
}

/** GPU210 — a pod requesting EFA interfaces must fit an instance type that has that many. */
export const EFA_REQUEST_OFFERED: Rule = {
  id: 'GPU210',
  title: 'A pod requesting vpc.amazonaws.com/efa must fit an instance type with that many EFA interfaces',
  severity: Severity.ERROR,
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'NodePool'],
  remediation: 'Place the pod on a NodePool of EFA instance types (p4d.24xlarge: 4, p5.48xlarge: 32, p5en.48xlarge: 16), or request at most the interfaces they have, or drop the request.',
  description: 'The AWS EFA device plugin advertises `vpc.amazonaws.com/efa` only on EFA instance types, as many as the '
    + 'type has interfaces (AWS EKS "Manage EFA devices"; Karpenter lists the same count as allocatable). Among the '
    + 'instance types the pod fits on (the scheduling model: taints, node selection, GPUs, cpu/memory, pool limits), '
    + 'none offering the requested count means Karpenter finds no instance type for the pod and it stays Pending, '
    + 'e.g. EFA requested on g5.xlarge, which has none. Pods that fit no NodePool at all are left to GPU203; without '
    + 'NodePools in the manifests the rule cannot tell and stays silent.',
  *check(ctx) {
    if (ctx.nodePools().length === 0) return;
    for (const w of ctx.workloads()) {
      const n = effectivePodRequests(w.template, [EFA])[EFA] ?? 0;
      if (!(n > 0)) continue;
      const { types, pools } = fittingTypes(ctx, w);
      if (types.length === 0 || types.some((t) => t.efaInterfaces >= n)) continue;
      const max = Math.max(...types.map((t) => t.efaInterfaces));
      const sample = types.slice(0, 4).map((t) => `${t.name}: ${t.efaInterfaces}`).join(', ') + (types.length > 4 ? ` … (${types.length} types)` : '');
      yield ctx.finding(w.object, `${w.template.podSpecPath}.containers`,
        `requests ${n} ${EFA} per pod, but the instance types it can run on (NodePool ${pools.join(', ')}) offer at most ${max} (${sample}); it stays Pending`);
    }
  },
};

/** Volume sources that outlive the pod: where a checkpoint survives a lost node. */
const PERSISTENT_SOURCES = ['persistentVolumeClaim', 'nfs', 'csi', 'awsElasticBlockStore', 'iscsi', 'cephfs', 'glusterfs'];

/** GPU211 — a multi-pod GPU Job on spot needs somewhere to checkpoint. */
export const SPOT_TRAINING_CHECKPOINTED: Rule = {
  id: 'GPU211',
  title: 'A multi-pod GPU training Job on a spot NodePool needs a checkpoint volume',
  severity: Severity.WARNING,
  kinds: ['Job', 'CronJob', 'NodePool'],
  remediation: 'Mount a PersistentVolumeClaim (or NFS/CSI volume) and checkpoint to it (TrainingJob: checkpoint), or keep the Job off spot pools.',
  description: 'A Job running several GPU pods at once (`parallelism` above 1: data-parallel training) on a NodePool '
    + 'that may buy spot capacity (the scheduling model: the pod fits a pool whose capacity types include `spot`) '
    + 'loses a node with a two-minute notice; every rank then restarts, and without a volume that outlives the pods '
    + '(persistentVolumeClaim, nfs, csi, …; emptyDir, hostPath and ephemeral volumes die with the pod or node) the '
    + 'whole group starts from step 0 each time. Whether the program actually writes checkpoints there cannot be '
    + 'seen in manifests; a warning, since a short job may accept the risk.',
  *check(ctx) {
    if (!ctx.nodePools().some((p) => p.capacityTypes.includes('spot'))) return;
    for (const w of ctx.workloads()) {
      const spec = jobSpecOf(w);
      if (!spec || count(spec.parallelism, 1) < 2) continue;
      if (Object.values(ctx.gpuDemand(w.template)).every((n) => !(n > 0))) continue;
      const { spotPools } = fittingTypes(ctx, w);
      if (spotPools.length === 0) continue;
      const volumes: any[] = Array.isArray(w.template.podSpec?.volumes) ? w.template.podSpec.volumes : [];
      if (volumes.some((v) => v && PERSISTENT_SOURCES.some((s) => v[s] !== undefined && v[s] !== null))) continue;
      yield ctx.finding(w.object, `${w.template.podSpecPath}.volumes`,
        `runs ${spec.parallelism} GPU pods at once and may run on spot NodePool(s) ${spotPools.join(', ')}, but mounts no volume that outlives its pods; a spot interruption restarts every rank from scratch`);
    }
  },
};

/** GPU212 — an Indexed gang must fit its pools' GPU limits all at once. */
export const GANG_FITS_POOLS: Rule = {
  id: 'GPU212',
  title: 'A gang (Indexed Job with pod-to-pod communication) must fit its NodePools\' GPU limits all at once',
  severity: Severity.ERROR,
  kinds: ['Job', 'CronJob', 'NodePool'],
  remediation: 'Raise the NodePools\' limits.nvidia.com/gpu to at least parallelism × GPUs per pod, or lower parallelism.',
  description: 'An Indexed Job whose pods talk to each other (`completionMode: Indexed`, `parallelism` = `completions` '
    + 'above 1, a `subdomain` for stable rank hostnames: the shape of torchrun/MPI training) only makes progress when '
    + 'every rank runs: the first ranks wait in rendezvous for the rest. Karpenter stops launching nodes at a '
    + 'NodePool\'s `limits` (it counts each node\'s whole capacity), so when parallelism × GPUs per pod exceeds the sum '
    + 'of `limits.nvidia.com/gpu` of the pools the pod fits on, the last ranks stay Pending and the others wait until '
    + 'their deadline. Capacity Block sizes and other workloads sharing the pools are not visible here.',
  *check(ctx) {
    for (const w of ctx.workloads()) {
      const spec = jobSpecOf(w);
      if (!spec || spec.completionMode !== 'Indexed' || !w.template.podSpec?.subdomain) continue;
      const parallelism = count(spec.parallelism, 1);
      if (parallelism < 2 || count(spec.completions, parallelism) !== parallelism) continue;
      const gpus = ctx.gpuDemand(w.template)['nvidia.com/gpu'] ?? 0;
      if (!(gpus > 0)) continue;
      const fitting = ctx.nodePools().filter((p) => ctx.placement(w.template, p).fits);
      if (fitting.length === 0 || fitting.some((p) => p.gpuLimit === undefined)) continue;
      const limit = fitting.reduce((a, p) => a + p.gpuLimit!, 0);
      const need = parallelism * gpus;
      if (need <= limit) continue;
      yield ctx.finding(w.object, `${jobSpecPath(w)}.parallelism`,
        `runs ${parallelism} ranks × ${gpus} GPUs = ${need} GPUs at once, but its NodePools allow ${limit} (${fitting.map((p) => `${p.name}: ${p.gpuLimit}`).join(', ')}); the ranks that start wait forever for the rest`);
    }
  },
};

/** The training rules, sorted by id. */
export const TRAINING_RULES: Rule[] = [EFA_REQUEST_OFFERED, SPOT_TRAINING_CHECKPOINTED, GANG_FITS_POOLS];
