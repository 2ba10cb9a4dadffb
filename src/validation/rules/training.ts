/**
 * Training rules (GPU210-GPU213, GPU217, GPU220, GPU225, GPU231): EFA requests the pool's instance types can serve, checkpoints for
 * multi-pod GPU Jobs on spot, gangs that fit their pools at once, EFA interface layouts that fit the pools' instance
 * types, the shared memory a multi-GPU container's NCCL needs, and gangs Karpenter may drain. Answers come from the
 * one scheduling model (src/scheduling) and the catalog's EFA interface counts (`efaInterfaces`, the
 * `vpc.amazonaws.com/efa` allocatable Karpenter lists).
 */
import { overcommittedPoolSets, poolLimitsWords, poolShares, WHOLE_NODE_LIMITS } from './keda';
import { queueLabelOf } from './kueue';
import { GpuInstanceType } from '../../catalog';
import { gangRanks } from '../../plan/gang';
import { describeValue } from '../../private/describe';
import { listed, listedFirst } from '../../private/lists';
import { nameOf } from '../../private/meta';
import { DO_NOT_DISRUPT_ANNOTATION } from '../../scheduling/nodepool';
import { containerRequest, effectivePodRequests, tryParseQuantity } from '../../scheduling/resources';
import { containersOf, runByController } from '../../scheduling/workloads';
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
  for (const v of ctx.fittingPlacements(w.template)) {
    pools.push(v.pool.name);
    if (v.capacityTypes.includes('spot')) spotPools.push(v.pool.name);
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
        `runs ${spec.parallelism} GPU pods at once and may run on spot NodePool(s) ${listed(spotPools)}, but mounts no volume that outlives its pods; a spot interruption restarts every rank from scratch`);
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
      const parallelism = gangRanks(w);
      if (parallelism === undefined) continue;
      const gpus = ctx.gpuDemand(w.template)['nvidia.com/gpu'] ?? 0;
      if (!(gpus > 0)) continue;
      const fitting = ctx.fittingPlacements(w.template).map((v) => v.pool);
      if (fitting.length === 0 || fitting.some((p) => p.gpuLimit === undefined)) continue;
      const limit = fitting.reduce((a, p) => a + p.gpuLimit!, 0);
      const need = parallelism * gpus;
      if (need <= limit) continue;
      yield ctx.finding(w.object, `${jobSpecPath(w)}.parallelism`,
        `runs ${parallelism} ranks × ${gpus} GPUs = ${need} GPUs at once, but its NodePools allow ${limit} (${listedFirst(fitting, (p) => `${p.name}: ${p.gpuLimit}`)}); the ranks that start wait forever for the rest`);
    }
  },
};

/** GPU213 — an EC2NodeClass's EFA interface layout must fit the instance types of the NodePools using it. */
export const EFA_LAYOUT_FITS_POOL: Rule = {
  id: 'GPU213',
  title: 'An EC2NodeClass\'s efa-only network interfaces must fit the instance types of the NodePools using it',
  severity: Severity.ERROR,
  kinds: ['EC2NodeClass', 'NodePool'],
  remediation: 'Attach one efa-only interface per network card the instance type has (p5.48xlarge: 32, p4d.24xlarge: 4), or give pools of other types their own EC2NodeClass.',
  description: 'With `spec.networkInterfaces` set, Karpenter launches every node with exactly that layout and drops '
    + 'the instance types it does not fit (Karpenter design "EFA Support For Static Capacity"). EFA instance types '
    + 'have one EFA device per network card (the catalog\'s EFA interface count: p5.48xlarge 32, p4d.24xlarge 4, '
    + 'g5.48xlarge 1), so a layout with more `efa-only` interfaces, or one on a network card index the type does not '
    + 'have, fits no node of that type. When it fits none of a NodePool\'s GPU instance types, the pool launches '
    + 'nothing and its pods stay Pending.',
  *check(ctx) {
    const classes = new Map<string, any>();
    for (const c of ctx.byKind('EC2NodeClass', 'karpenter.k8s.aws')) if (typeof c?.metadata?.name === 'string') classes.set(c.metadata.name, c);
    for (const pool of ctx.nodePools()) {
      const ref = pool.object?.spec?.template?.spec?.nodeClassRef?.name;
      const nc = typeof ref === 'string' ? classes.get(ref) : undefined;
      const ifaces: any[] = Array.isArray(nc?.spec?.networkInterfaces) ? nc.spec.networkInterfaces : [];
      const efaOnly = ifaces.filter((i) => i?.interfaceType === 'efa-only');
      if (efaOnly.length === 0) continue;
      const maxCard = Math.max(...efaOnly.map((i) => (typeof i.networkCardIndex === 'number' ? i.networkCardIndex : 0)));
      const gpuTypes = pool.instanceTypes.filter((t) => t.gpuCount > 0);
      if (gpuTypes.length === 0) continue;
      const fits = gpuTypes.filter((t) => t.efaInterfaces >= efaOnly.length && maxCard < t.efaInterfaces);
      if (fits.length > 0) continue;
      const sample = gpuTypes.slice(0, 4).map((t) => `${t.name}: ${t.efaInterfaces}`).join(', ') + (gpuTypes.length > 4 ? ` … (${gpuTypes.length} types)` : '');
      yield ctx.finding(pool.object, 'spec.template.spec.nodeClassRef',
        `uses EC2NodeClass ${ref}, whose ${efaOnly.length} efa-only interfaces (network cards up to ${maxCard}) fit none of the pool's instance types (EFA devices: ${sample}); the pool launches nothing`);
    }
  },
};

/** The size of `/dev/shm` containerd gives a pod sandbox when nothing is mounted there (`defaultShmSize`, 64 MiB). */
export const RUNTIME_DEFAULT_SHM_BYTES = 64 * 2 ** 20;

/** `/dev/shm`, `/dev/shm/`, `//dev//shm`: whether a mount path is the shared-memory directory. */
function isDevShm(mountPath: unknown): boolean {
  return typeof mountPath === 'string' && mountPath.replace(/\/+/g, '/').replace(/(.)\/$/, '$1') === '/dev/shm';
}

/**
 * What a container's `/dev/shm` is: `undefined` when a volume other than a small memory-backed emptyDir is mounted there
 * (or the pod shares the node's IPC namespace) — enough; else the problem, with the field it sits at.
 */
function shmProblem(podSpec: any, podSpecPath: string, container: any, containerPath: string): { path: string; problem: string } | undefined {
  if (podSpec?.hostIPC === true) return undefined; // (the node's /dev/shm is mounted)
  const mounts: any[] = Array.isArray(container?.volumeMounts) ? container.volumeMounts : [];
  const mount = mounts.find((m) => isDevShm(m?.mountPath));
  if (!mount) return { path: `${containerPath}.volumeMounts`, problem: 'mounts nothing at /dev/shm, so it gets the container runtime\'s 64 MiB' };
  const volumes: any[] = Array.isArray(podSpec?.volumes) ? podSpec.volumes : [];
  const i = volumes.findIndex((v) => v?.name === mount.name && mount.name !== undefined);
  const emptyDir = i >= 0 ? volumes[i]?.emptyDir : undefined;
  if (!emptyDir || typeof emptyDir !== 'object' || emptyDir.medium !== 'Memory') return undefined;
  const size = emptyDir.sizeLimit === undefined ? undefined : tryParseQuantity(emptyDir.sizeLimit);
  if (size === undefined || size > RUNTIME_DEFAULT_SHM_BYTES) return undefined;
  return {
    path: `${podSpecPath}.volumes[${i}].emptyDir.sizeLimit`,
    problem: `mounts volume ${describeValue(mount.name)} at /dev/shm with a sizeLimit of ${describeValue(emptyDir.sizeLimit)}, no more than the container runtime's default 64 MiB`,
  };
}

/** GPU217 — a container using several GPUs needs more shared memory than the runtime's default /dev/shm. */
export const MULTI_GPU_SHARED_MEMORY: Rule = {
  id: 'GPU217',
  title: 'A container using several GPUs needs a /dev/shm larger than the container runtime\'s 64 MiB',
  severity: Severity.WARNING,
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob'],
  remediation: 'Mount an emptyDir with medium: Memory at /dev/shm in the container (a few GiB; it counts against the '
    + 'memory limit), as InferenceDeployment and TrainingJob do (shmSize).',
  description: 'Kubernetes has no shm-size setting: a pod\'s `/dev/shm` is the tmpfs containerd makes for the sandbox, '
    + '64 MiB (containerd `defaultShmSize`; containerd/containerd#3654), unless a volume is mounted at `/dev/shm` or the '
    + 'pod sets `hostIPC`. NCCL creates its shared-memory segments there, between processes and even between threads of '
    + 'one process, and fails to initialize when they do not fit ("failed to extend /dev/shm/nccl-…"; NCCL user guide, '
    + '"Runtime and MPI issues: Shared memory", which asks for `--shm-size=1g` in containers). vLLM\'s tensor-parallel '
    + 'workers exchange requests through shared memory too (vLLM "Using Docker": `--ipc=host` or `--shm-size`; its '
    + 'Kubernetes guide mounts a memory-backed emptyDir), and PyTorch `nn.DataParallel` fails in `ncclShmOpen` with the '
    + 'default (pytorch/tutorials#2475). So a container given two or more `nvidia.com/gpu` fails once its GPUs talk. A '
    + 'memory-backed emptyDir whose `sizeLimit` is 64 MiB or less is no better. The program cannot be seen: one process '
    + 'per GPU that never communicates needs nothing, so this is a warning. Any other volume at `/dev/shm` (a disk-backed '
    + 'emptyDir is slower, but works) is accepted.',
  *check(ctx) {
    for (const w of ctx.workloads()) {
      // A container with two GPUs makes the pod ask for at least two.
      if (!((ctx.gpuDemand(w.template)['nvidia.com/gpu'] ?? 0) >= 2)) continue;
      for (const c of containersOf(w.template)) {
        const gpus = containerRequest(c.container, 'nvidia.com/gpu');
        if (!(gpus >= 2)) continue;
        const p = shmProblem(w.template.podSpec, w.template.podSpecPath, c.container, c.path);
        if (!p) continue;
        yield ctx.finding(w.object, p.path,
          `container ${describeValue(c.container.name ?? '?')} uses ${gpus} GPUs but ${p.problem}; NCCL fails to initialize `
          + '("failed to extend /dev/shm/nccl-…") and tensor-parallel workers die with "Bus error" when it runs out');
      }
    }
  },
};

/**
 * Whether a NodePool's budgets block voluntary disruption at all times: a budget of `nodes: "0"` (or "0%") with no
 * schedule, for every reason (no `reasons`, or Drifted, Underutilized and Empty all listed).
 */
function disruptionAlwaysBlocked(pool: any): boolean {
  const budgets = pool?.spec?.disruption?.budgets;
  if (!Array.isArray(budgets)) return false;
  return budgets.some((b: any) => (b?.nodes === '0' || b?.nodes === '0%') && b.schedule === undefined
    && (!Array.isArray(b.reasons) || ['Drifted', 'Underutilized', 'Empty'].every((r) => b.reasons.includes(r))));
}

/** GPU220 — a training gang on Karpenter pools should opt out of voluntary disruption. */
export const GANG_NOT_DISRUPTED: Rule = {
  id: 'GPU220',
  title: 'A GPU training gang on Karpenter NodePools should carry karpenter.sh/do-not-disrupt',
  severity: Severity.WARNING,
  kinds: ['Job', 'CronJob', 'NodePool'],
  remediation: 'Annotate the pod template `karpenter.sh/do-not-disrupt: "true"` (TrainingJob does by default), or block '
    + 'the pool\'s voluntary disruption with a budget of nodes: "0".',
  description: 'Karpenter disrupts nodes voluntarily: it consolidates underutilized or empty ones and replaces drifted '
    + 'ones, e.g. every node when a new AMI is published behind `al2023@latest`, within the NodePool\'s disruption budgets '
    + '(default 10% of nodes; Karpenter "Disruption"). A drained rank of a gang (an Indexed Job whose ranks rendezvous: '
    + 'the shape of GPU212) fails the collective for every rank, and the whole job restarts from its last checkpoint, '
    + 'paying for all its GPU nodes meanwhile. The pod annotation `karpenter.sh/do-not-disrupt: "true"` blocks '
    + 'consolidation of the pod\'s node, and drift unless the NodePool sets `terminationGracePeriod` (Karpenter '
    + '"Well-Known Annotations"); spot interruptions, expiry and node repair are not blocked. Reported for gangs that '
    + 'can use a NodePool of the manifests without a budget blocking all voluntary disruption at all times. A warning: '
    + 'a short or well-checkpointed job may accept the restarts.',
  *check(ctx) {
    const pools = ctx.nodePools();
    if (pools.length === 0) return;
    for (const w of ctx.workloads()) {
      const ranks = gangRanks(w);
      if (ranks === undefined) continue;
      if (!Object.values(ctx.gpuDemand(w.template)).some((n) => n > 0)) continue;
      const metaPath = w.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.metadata' : 'spec.template.metadata';
      const annotations = w.kind === 'CronJob' ? w.object?.spec?.jobTemplate?.spec?.template?.metadata?.annotations
        : w.object?.spec?.template?.metadata?.annotations;
      const value = annotations && typeof annotations === 'object' ? annotations[DO_NOT_DISRUPT_ANNOTATION] : undefined;
      if (typeof value === 'string' && value !== '' && value !== 'false') continue;
      const disruptable = ctx.fittingPlacements(w.template).map((v) => v.pool).filter((p) => !disruptionAlwaysBlocked(p.object));
      if (disruptable.length === 0) continue;
      yield ctx.finding(w.object, `${metaPath}.annotations`,
        `runs ${ranks} GPU ranks as a gang on NodePool(s) ${listed(disruptable.map((p) => p.name))}, which Karpenter may drain `
        + 'to consolidate or replace a drifted node (a new AMI behind @latest drifts them all), but its pods do not set '
        + `${DO_NOT_DISRUPT_ANNOTATION}: "true": one drained rank restarts every rank from its last checkpoint`);
    }
  },
};

/**
 * Whether Kueue admits the Job (or the CronJob's Jobs) whole: a `kueue.x-k8s.io/queue-name` label on it (on its Job
 * template). A label on the pods alone admits them one by one (Kueue's pod integration), which is no gang admission.
 */
const queuedByKueue = (w: WorkloadRef): boolean => queueLabelOf(w)?.onPods === false;

/** GPU225 — gangs confined to the same pools, beyond their limits together, need a queue that admits each whole. */
export const GANGS_SHARE_POOLS: Rule = {
  id: 'GPU225',
  title: 'Gangs that can only use the same NodePools and exceed their GPU limits together should be admitted whole by Kueue',
  severity: Severity.WARNING,
  kinds: ['Job', 'CronJob', 'NodePool'],
  remediation: 'Queue the gangs with Kueue (label kueue.x-k8s.io/queue-name; TrainingJob\'s queue), which admits each gang '
    + 'whole within its quota, raise the NodePools\' limits["nvidia.com/gpu"] to hold them together, or keep them from '
    + 'running at the same time.',
  description: 'kube-scheduler places pods one by one: it has no gang scheduling. When two gangs (the shape of GPU212: an '
    + 'Indexed Job whose ranks rendezvous) can only use the same NodePools and their ranks × GPUs together exceed the '
    + 'pools\' summed `limits["nvidia.com/gpu"]` (' + WHOLE_NODE_LIMITS + '), and both are pending at once (a CronJob firing while a run is still on, '
    + 'two jobs submitted together), Karpenter launches nodes up to the limits and each gang may get some of them: every '
    + 'started rank then waits in rendezvous for ranks that never get a node, until the rendezvous timeout or '
    + '`activeDeadlineSeconds`, while the GPUs are paid for. Kueue admits a Job as a whole within its ClusterQueue\'s '
    + 'quota (and with `waitForPodsReady`, which GpuEksStack sets, requeues one that does not start), so gangs labelled '
    + '`kueue.x-k8s.io/queue-name` are not judged. Reported once per smallest over-committed set of pools, on the gang '
    + 'asking for the most GPUs, when each fits alone (else GPU212). A warning: the gangs may never overlap. Jobs run by '
    + 'a CronJob count through it; pools that share GPUs (time-slicing, NodeOverlay) are not judged.',
  *check(ctx) {
    if (ctx.nodePools().length === 0) return;
    const shares = poolShares(ctx, ['Job', 'CronJob'], (w) => (queuedByKueue(w) || runByController(w.object) ? undefined : gangRanks(w)));
    const over = overcommittedPoolSets(ctx, shares, (group, capacity) => group.length >= 2
      && group.every((sh) => sh.replicas * sh.gpus <= capacity));
    for (const o of over) {
      const worst = o.group.reduce((a, b) => (b.replicas * b.gpus > a.replicas * a.gpus ? b : a));
      const gangs = o.group.map((sh) => `${sh.workload.kind} ${nameOf(sh.workload.object)} ${sh.replicas} ranks × ${sh.gpus} = `
        + `${sh.replicas * sh.gpus}`);
      yield ctx.finding(worst.workload.object, `${jobSpecPath(worst.workload)}.parallelism`,
        `is one of the gangs that can only use NodePools ${o.pools.join(', ')} (${gangs.join('; ')}: ${o.demand} GPUs), which allow `
        + `${o.capacity} (${poolLimitsWords(o)}); if they are pending at the same time, `
        + 'kube-scheduler may give each some of its ranks\' nodes and every started rank waits for the rest');
    }
  },
};

/** GPU231 — a CronJob running a GPU gang should not let its runs overlap on pools that hold one run. */
export const CRON_GANG_RUNS_OVERLAP: Rule = {
  id: 'GPU231',
  title: 'A CronJob running a GPU gang should not let a run start while the last is on (concurrencyPolicy Forbid or Replace)',
  severity: Severity.WARNING,
  kinds: ['CronJob', 'NodePool'],
  remediation: 'Set spec.concurrencyPolicy: Forbid (the late run is skipped; TrainingJob\'s schedule does this) or Replace (the '
    + 'running one is stopped), or queue its Jobs with Kueue (spec.jobTemplate.metadata.labels[kueue.x-k8s.io/queue-name]).',
  description: 'A CronJob\'s `concurrencyPolicy` defaults to `Allow`: when a run is still going at the next schedule time, '
    + 'the CronJob controller starts another Job beside it (Kubernetes "CronJob": concurrency policy). For a gang (the '
    + 'shape of GPU212) whose NodePools\' `limits["nvidia.com/gpu"]` hold one run but not two, the second run\'s ranks '
    + 'take the nodes the first one\'s replacements need (a drained or failed rank is recreated as pending), or the two '
    + 'runs each get part of their nodes when both are pending: every started rank waits in rendezvous for the rest, '
    + 'GPUs paid for and idle. GPU225 judges two different gangs; this is one gang and itself. Kueue-queued CronJobs are '
    + 'not judged (Kueue admits each run whole); nor are pools without a GPU limit or that share GPUs. A warning: a '
    + 'run may never outlast the schedule\'s period.',
  *check(ctx) {
    if (ctx.nodePools().length === 0) return;
    const allowing = (w: WorkloadRef) => w.kind === 'CronJob' && (w.object?.spec?.concurrencyPolicy ?? 'Allow') === 'Allow'
      && !queuedByKueue(w) && !runByController(w.object);
    const shares = poolShares(ctx, ['CronJob'], (w) => (allowing(w) ? gangRanks(w) : undefined));
    for (const sh of shares) {
      // One run fits (else GPU212); two at once do not.
      const [o] = overcommittedPoolSets(ctx, [sh, sh], (_, capacity) => sh.replicas * sh.gpus <= capacity);
      if (!o) continue;
      const run = sh.replicas * sh.gpus;
      yield ctx.finding(sh.workload.object, 'spec.concurrencyPolicy',
        `is ${sh.workload.object?.spec?.concurrencyPolicy === undefined ? 'unset (Allow)' : '"Allow"'}: a run still going at the next `
        + `schedule time starts a second gang of ${sh.replicas} ranks × ${sh.gpus} = ${run} GPUs beside it, but NodePools ${o.pools.join(', ')} allow `
        + `${o.capacity} (${poolLimitsWords(o)}), one run: the two may each get some of their `
        + 'ranks\' nodes and every started rank waits for the rest');
    }
  },
};

/** The training rules, sorted by id. */
export const TRAINING_RULES: Rule[] = [
  EFA_REQUEST_OFFERED, SPOT_TRAINING_CHECKPOINTED, GANG_FITS_POOLS, EFA_LAYOUT_FITS_POOL, MULTI_GPU_SHARED_MEMORY, GANG_NOT_DISRUPTED,
  GANGS_SHARE_POOLS, CRON_GANG_RUNS_OVERLAP,
];
