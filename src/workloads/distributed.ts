/**
 * Multi-node (gang) and scheduled training for {@link TrainingJob}: the props, and the checks and patches that turn a
 * one-pod Job into N pods × G GPUs rendezvousing over `torchrun`, or into a CronJob. Kept apart from training.ts so
 * that TrainingJob's own file stays small.
 *
 * ## The shape (Kubernetes "Indexed Job for parallel processing with static work assignment", "Job with pod-to-pod
 * communication")
 * - An Indexed Job: `completionMode: Indexed`, `completions = parallelism = nodes`. Each pod gets the index in the
 *   annotation `batch.kubernetes.io/job-completion-index` (and the env var `JOB_COMPLETION_INDEX`) and the hostname
 *   `<job>-<index>`; with `subdomain` = a headless Service selecting the pods, rank 0 is reachable as `<job>-0.<service>`
 *   from the pods' namespace.
 * - `torchrun` settings as environment: `MASTER_ADDR`, `MASTER_PORT`, `NNODES`, `NODE_RANK`, `NPROC_PER_NODE`, and the
 *   same with torchrun's own `PET_` prefix (torch.distributed.argparse_util reads every torchrun option from
 *   `PET_<OPTION>`; Kubeflow's PyTorchJob sets the same ones), so a bare `torchrun train.py` joins the group.
 * - One pod per node: the pod asks for the node's GPUs (required node affinity on `karpenter.k8s.aws/instance-gpu-count`)
 *   and a required pod anti-affinity on `kubernetes.io/hostname` keeps two ranks off one node.
 *
 * ## Failures (Kubernetes "Handling retriable and non-retriable pod failures with Pod failure policy", "Backoff limit
 * per index"; both GA in Kubernetes 1.31 / 1.33)
 * - `podFailurePolicy`: `FailJob` on the fail-fast exit codes (a usage error will not fix itself on retry), `Ignore` on
 *   the `DisruptionTarget` condition (the node was drained, preempted, consolidated or lost: not the job's fault, so it
 *   does not use up retries); everything else counts.
 * - Kubernetes replaces failed pods index by index; it has no "restart the group". The group restarts because the
 *   survivors fail too: when a rank's node is lost, the other ranks' NCCL collectives error out
 *   (`TORCH_NCCL_ASYNC_ERROR_HANDLING=1` tears the process down instead of hanging), torchrun exits non-zero, every
 *   index is replaced and all ranks rendezvous again, resuming from the checkpoint. Because one incident fails N-1
 *   pods at once, a Job-wide `backoffLimit` of 3 would end a 4-node job on its first lost node; so retries are
 *   counted per index (`backoffLimitPerIndex` = `backoffLimit`, `maxFailedIndexes: 0`: the first index out of retries
 *   fails the Job), and `podReplacementPolicy: Failed` keeps a replacement from starting while the old rank still holds
 *   its hostname and GPUs. `successPolicy` is left unset: every rank must succeed (a straggler that hangs on exit is a
 *   bug to see, not to hide). JobSet (kubernetes-sigs/jobset) offers a true group restart; this Job needs no add-on.
 *
 * ## EFA
 * With EFA, each pod requests `vpc.amazonaws.com/efa` = the instance type's EFA interface count (catalog
 * `efaInterfaces`: p5.48xlarge 32, p4d.24xlarge 4), i.e. every interface of its node, and `FI_PROVIDER=efa` (libfabric
 * uses EFA or fails, instead of silently falling back to TCP sockets) and `FI_EFA_USE_DEVICE_RDMA=1` (GPUDirect RDMA
 * on p4d/p5; AWS EC2 User Guide "Get started with EFA and NCCL"). No `hugepages-2Mi` is requested although the EFA
 * installer pre-allocates them (AWS EKS "Training clusters with EFA"): Karpenter cannot launch a node for a pod that
 * requests huge pages (aws/karpenter-provider-aws#3315, kubernetes-sigs/karpenter#751), and libfabric works without.
 */
import { ApiObject, Cron, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct, IConstruct } from 'constructs';
import { GpuInstanceType } from '../catalog';
import { GpuConfigError } from '../errors';
import { DistributedTrainingProps } from './distributed-props';
import { GpuRequest } from './gpu-request';
import { GpuWorkloadProps } from './props';
import { CapacityReservationKind, CapacityType } from '../pools/capacity';
import { IGpuNodePool } from '../pools/pool';
import { PropErrors } from '../private/collect';
import { checkEnum, enumSpec } from '../private/enum-values';

/** The EFA extended resource (AWS EFA Kubernetes device plugin). */
export const EFA_RESOURCE = 'vpc.amazonaws.com/efa';

/** The resolved shape of a training job. @internal */
export interface _TrainingTopology {
  readonly nodes: number;
  readonly efaInterfaces: number;
  readonly port: number;
  readonly failFastExitCodes: number[];
}

const POSITIVE_INT = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;

/**
 * The GPUs per pod of a multi-node job when `gpus` is not given: a whole node of the largest type the pools allow.
 * @internal
 */
export function _defaultGpus(props: GpuWorkloadProps & DistributedTrainingProps): GpuRequest | undefined {
  if (props.gpus !== undefined || !POSITIVE_INT(props.nodes) || props.nodes < 2 || !Array.isArray(props.pools)) return props.gpus;
  const counts = props.pools.flatMap((p) => (p?.allowedInstanceTypes ?? []).map((t) => t.gpuCount));
  return counts.length > 0 ? GpuRequest.whole(Math.max(...counts)) : undefined;
}

/**
 * Checks nodes, EFA, one-pod-per-node, team quota and gang capacity. `nodes`, `rendezvousPort` and
 * `failFastExitCodes` are checked on their own (each problem recorded in `errors`); the rest needs the placement
 * (`gpus`, `fitting`), and is skipped without it or when `nodes` is wrong. Undefined when a problem was recorded.
 * @internal
 */
export function _resolveTopology(scope: IConstruct, props: GpuWorkloadProps & DistributedTrainingProps,
  gpus: GpuRequest | undefined, fitting: GpuInstanceType[] | undefined, restartPolicy: kplus.RestartPolicy | undefined,
  errors: PropErrors): _TrainingTopology | undefined {
  const nodes = errors.run(() => {
    const n = props.nodes ?? 1;
    if (!POSITIVE_INT(n) || n > 1000) {
      throw new GpuConfigError(scope, 'nodes', `is ${JSON.stringify(n)}, not a whole number of nodes from 1 to 1000`, 'pass e.g. 2 for two nodes');
    }
    return n;
  });
  const port = errors.run(() => {
    const n = props.rendezvousPort ?? 29500;
    if (!POSITIVE_INT(n) || n > 65535) {
      throw new GpuConfigError(scope, 'rendezvousPort', `is ${JSON.stringify(n)}, not a TCP port`, 'pass a port from 1 to 65535, e.g. 29500 (torchrun\'s default)');
    }
    return n;
  });
  const codes = errors.run(() => {
    const list = props.failFastExitCodes ?? [2, 126, 127];
    if (!Array.isArray(list) || list.length > 255 || list.some((c) => !POSITIVE_INT(c) || c > 255) || new Set(list).size !== list.length) {
      throw new GpuConfigError(scope, 'failFastExitCodes', `is ${JSON.stringify(list)}`,
        'list distinct exit codes from 1 to 255 (0 is success; the API refuses it in an In rule), e.g. [2, 126, 127]');
    }
    return list;
  });
  // A Job's pods restart Never or OnFailure (the API refuses Always for a Job).
  errors.run(() => {
    if (restartPolicy !== undefined) checkEnum(scope, 'restartPolicy', enumSpec('RestartPolicy', kplus.RestartPolicy as any, undefined, ['Never', 'OnFailure']), restartPolicy);
  });
  if (nodes === undefined || gpus === undefined || fitting === undefined || errors.failed('restartPolicy')) return undefined;
  const rest = errors.run(() => resolveRest(scope, props, nodes, gpus, fitting, restartPolicy));
  if (rest === undefined || port === undefined || codes === undefined) return undefined;
  return { nodes, efaInterfaces: rest, port, failFastExitCodes: [...codes] };
}

/** What needs the placement: MIG, restart policy, whole nodes, quota, gang and EFA; the EFA interface count. */
function resolveRest(scope: IConstruct, props: GpuWorkloadProps & DistributedTrainingProps, nodes: number, gpus: GpuRequest,
  fitting: GpuInstanceType[], restartPolicy: kplus.RestartPolicy | undefined): number {
  if (nodes > 1) {
    if (gpus.isMig) {
      throw new GpuConfigError(scope, 'gpus', `is ${gpus}, a MIG slice, but a multi-node job gives each rank a whole node`, 'request whole GPUs, e.g. GpuRequest.whole(8)');
    }
    if (restartPolicy !== undefined && restartPolicy !== kplus.RestartPolicy.NEVER) {
      throw new GpuConfigError(scope, 'restartPolicy', `is ${restartPolicy}, but a multi-node job needs Never: its pod failure policy (fail fast, ignore disruptions) requires it`,
        'drop restartPolicy (Never is the default)');
    }
    const wholeNodes = fitting.filter((t) => t.gpuCount === gpus.count);
    if (wholeNodes.length === 0) {
      throw new GpuConfigError(scope, 'gpus', `is ${gpus.count} per node, but each rank takes a whole node and no instance type of the pools has exactly ${gpus.count} GPUs (${[...new Set(fitting.map((t) => `${t.name}: ${t.gpuCount}`))].join(', ')})`,
        `request all GPUs of a node (e.g. GpuRequest.whole(${Math.max(...fitting.map((t) => t.gpuCount))})) or use pools of ${gpus.count}-GPU instance types`);
    }
    fitting = wholeNodes;
    const quota = props.team?.gpuQuota;
    if (quota !== undefined && nodes * gpus.count > quota) {
      throw new GpuConfigError(scope, 'nodes', `is ${nodes}: ${nodes} nodes × ${gpus.count} GPUs = ${nodes * gpus.count} GPUs, above team ${props.team!.teamName}'s gpuQuota of ${quota}; the quota admits only some ranks and they wait forever for the rest`,
        `use at most ${Math.floor(quota / gpus.count)} nodes or raise the team's gpuQuota`);
    }
    checkGang(scope, props.pools, nodes, gpus.count, fitting);
  }
  return resolveEfa(scope, props.efa, nodes, fitting);
}

/** How many nodes of `types` a pool can hold at once: its GPU limit, and the size of its Capacity Blocks when known. */
function nodesOfPool(pool: IGpuNodePool, types: GpuInstanceType[]): { nodes: number; why: string } {
  const perNode = Math.min(...types.map((t) => t.gpuCount));
  const byLimit = Math.floor(pool.gpuLimit / perNode);
  let nodes = byLimit;
  let why = `limits nvidia.com/gpu ${pool.gpuLimit}`;
  const reservations: any[] = (pool as any).nodeClass?.capacityReservations ?? [];
  const onlyReserved = pool.capacityTypes.length > 0 && pool.capacityTypes.every((c) => c === CapacityType.RESERVED);
  if (onlyReserved && reservations.length > 0
    && reservations.every((r) => r.kind === CapacityReservationKind.CAPACITY_BLOCK && POSITIVE_INT(r.instanceCount))) {
    const blocks = reservations.reduce((a, r) => a + r.instanceCount, 0);
    if (blocks < nodes) {
      nodes = blocks;
      why = `Capacity Block(s) of ${blocks} instance${blocks === 1 ? '' : 's'} (${blocks * perNode} GPUs)`;
    }
  }
  return { nodes, why };
}

/** Refuses a gang that cannot run all at once on its pools. */
function checkGang(scope: IConstruct, pools: IGpuNodePool[], nodes: number, perNode: number, fitting: GpuInstanceType[]): void {
  let total = 0;
  const parts: string[] = [];
  for (const pool of pools) {
    const types = pool.allowedInstanceTypes.filter((t) => fitting.includes(t));
    if (types.length === 0) continue;
    const n = nodesOfPool(pool, types);
    total += n.nodes;
    parts.push(`${pool.poolName}: ${n.why} → ${n.nodes} node${n.nodes === 1 ? '' : 's'}`);
  }
  if (total < nodes) {
    throw new GpuConfigError(scope, 'nodes',
      `is ${nodes}: the gang needs ${nodes} nodes × ${perNode} GPUs = ${nodes * perNode} GPUs at once, but its pools allow at most ${total * perNode} GPUs (${parts.join('; ')}); the ranks that start would wait forever for the rest`,
      `raise the pools' gpuLimit to at least ${nodes * perNode} (or buy a larger Capacity Block), or use at most ${total} nodes`);
  }
}

function resolveEfa(scope: IConstruct, efa: boolean | undefined, nodes: number, fitting: GpuInstanceType[]): number {
  if (efa !== undefined && typeof efa !== 'boolean') {
    throw new GpuConfigError(scope, 'efa', `is ${JSON.stringify(efa)}, not a boolean`, 'pass true or false, or omit it');
  }
  const without = fitting.filter((t) => t.efaInterfaces === 0);
  const on = efa ?? (nodes > 1 && without.length === 0);
  if (!on) return 0;
  if (without.length > 0) {
    throw new GpuConfigError(scope, 'efa', `is true, but ${without.map((t) => t.name).join(', ')} ${without.length === 1 ? 'has' : 'have'} no EFA`,
      'use EFA instance types (e.g. p4d.24xlarge, p5.48xlarge) in the pools, or set efa: false (NCCL then uses TCP)');
  }
  const counts = [...new Set(fitting.map((t) => t.efaInterfaces))];
  if (counts.length > 1) {
    throw new GpuConfigError(scope, 'efa', `asks for every EFA interface of the node, but the fitting instance types differ (${fitting.map((t) => `${t.name}: ${t.efaInterfaces}`).join(', ')})`,
      'restrict the pools to instance types with the same EFA count, e.g. instanceTypes: [GpuInstanceType.P5_48XLARGE]');
  }
  return counts[0];
}

/**
 * The environment of a rank: torchrun rendezvous, and EFA settings when EFA is on. A CronJob names each Job it creates
 * `<cronjob>-<minutes since epoch>`, so there rank 0's hostname is read from the pod's `batch.kubernetes.io/job-name`
 * label (set by the Job controller since Kubernetes 1.27) and composed with `$(JOB_NAME)` (env expansion of a variable
 * defined earlier in the list). @internal
 */
export function _distributedEnv(jobName: string | undefined, serviceName: string, gpus: number,
  t: _TrainingTopology): Record<string, kplus.EnvValue> {
  const rank = kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_ANNOTATION, { key: 'batch.kubernetes.io/job-completion-index' });
  const out: Record<string, kplus.EnvValue> = {};
  if (jobName === undefined) out.JOB_NAME = kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: 'batch.kubernetes.io/job-name' });
  const master = `${jobName ?? '$(JOB_NAME)'}-0.${serviceName}`;
  const plain: Record<string, string> = {
    MASTER_ADDR: master,
    MASTER_PORT: String(t.port),
    NNODES: String(t.nodes),
    NPROC_PER_NODE: String(gpus),
    PET_MASTER_ADDR: master,
    PET_MASTER_PORT: String(t.port),
    PET_NNODES: String(t.nodes),
    PET_NPROC_PER_NODE: String(gpus),
    TORCH_NCCL_ASYNC_ERROR_HANDLING: '1',
  };
  for (const [k, v] of Object.entries(plain)) out[k] = kplus.EnvValue.fromValue(v);
  out.NODE_RANK = rank;
  out.PET_NODE_RANK = rank;
  return out;
}

/** libfabric/NCCL settings for EFA (AWS EC2 User Guide, "Get started with EFA and NCCL"). @internal */
export function _efaEnv(): Record<string, string> {
  return { FI_PROVIDER: 'efa', FI_EFA_USE_DEVICE_RDMA: '1' };
}

/** Patches a Job spec (at `jobSpec`) into an Indexed gang with its failure policy. @internal */
export function _patchIndexedJob(obj: ApiObject, jobSpec: string, podSpec: string, t: _TrainingTopology, backoffLimit: number,
  serviceName: string, podLabels: Record<string, string>, gpus: number): void {
  const add = (p: string, v: unknown) => obj.addJsonPatch(JsonPatch.add(p, v));
  obj.addJsonPatch(JsonPatch.remove(`${jobSpec}/backoffLimit`));
  add(`${jobSpec}/completionMode`, 'Indexed');
  add(`${jobSpec}/completions`, t.nodes);
  add(`${jobSpec}/parallelism`, t.nodes);
  add(`${jobSpec}/backoffLimitPerIndex`, backoffLimit);
  add(`${jobSpec}/maxFailedIndexes`, 0);
  add(`${jobSpec}/podReplacementPolicy`, 'Failed');
  add(`${jobSpec}/podFailurePolicy`, {
    rules: [
      { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [...t.failFastExitCodes].sort((a, b) => a - b) } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ],
  });
  add(`${podSpec}/subdomain`, serviceName);
  add(`${podSpec}/affinity/podAntiAffinity`, {
    requiredDuringSchedulingIgnoredDuringExecution: [{
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': podLabels['app.kubernetes.io/name'], 'app.kubernetes.io/component': 'training' } },
      topologyKey: 'kubernetes.io/hostname',
    }],
  });
  // One whole node per rank: only instance types with exactly `gpus` GPUs (Karpenter's well-known label).
  add(`${podSpec}/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/-`,
    { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'In', values: [String(gpus)] });
}

/** Sets `vpc.amazonaws.com/efa` (requests = limits) on the final object, as `_setGpuResources` does for GPUs. @internal */
export function _setEfaResources(obj: ApiObject, podSpec: string, count: number): void {
  for (const field of ['limits', 'requests']) {
    obj.addJsonPatch(JsonPatch.add(`${podSpec}/containers/0/resources/${field}/vpc.amazonaws.com~1efa`, kplus.k8s.Quantity.fromNumber(count)));
  }
}

/** The headless Service giving ranks stable DNS names (`<job>-<index>.<service>`). @internal */
export function _rendezvousService(scope: Construct, name: string, namespace: string | undefined, podLabels: Record<string, string>,
  port: number, labels?: Record<string, string>): kplus.Service {
  const svc = new kplus.Service(scope, 'Rendezvous', {
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
    clusterIP: 'None',
    // Ranks resolve each other before they are Ready (training pods have no readiness probe to pass first).
    publishNotReadyAddresses: true,
    ports: [{ name: 'c10d', port, targetPort: port }],
  });
  svc.selectLabel('app.kubernetes.io/name', podLabels['app.kubernetes.io/name']);
  svc.selectLabel('app.kubernetes.io/component', 'training');
  return svc;
}

/**
 * Checks the schedule props, recording each problem in `errors`; returns the CronJob props, or undefined without a
 * schedule or with a problem. @internal
 */
export function _cronProps(scope: IConstruct, props: DistributedTrainingProps,
  errors: PropErrors): Omit<kplus.CronJobProps, keyof kplus.JobProps> | undefined {
  const scheduleOnly = ['timeZone', 'startingDeadline', 'successfulJobsRetained', 'failedJobsRetained'] as const;
  if (props.schedule === undefined) {
    for (const stray of scheduleOnly.filter((k) => props[k] !== undefined)) {
      errors.add(new GpuConfigError(scope, stray, 'is set without schedule', 'set schedule (e.g. Cron.weekly()) or drop it'));
    }
    return undefined;
  }
  const before = errors.errors.length;
  errors.run(() => {
    if (!(props.schedule instanceof Cron) && typeof (props.schedule as any)?.expressionString !== 'string') {
      throw new GpuConfigError(scope, 'schedule', 'is not a cdk8s Cron', 'pass e.g. Cron.weekly() or Cron.schedule({ minute: \'0\', hour: \'3\', weekDay: \'SUN\' })');
    }
  });
  errors.run(() => {
    if (props.timeZone !== undefined && (typeof props.timeZone !== 'string' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(props.timeZone))) {
      throw new GpuConfigError(scope, 'timeZone', `is ${JSON.stringify(props.timeZone)}, not an IANA time zone name`, 'pass e.g. \'Etc/UTC\' or \'Asia/Seoul\'');
    }
  });
  const deadline = props.startingDeadline ?? Duration.hours(1);
  const seconds = deadline instanceof Duration ? deadline.toSeconds({ integral: false }) : NaN;
  errors.run(() => {
    if (!Number.isInteger(seconds) || seconds < 10) {
      throw new GpuConfigError(scope, 'startingDeadline', `is ${seconds} s`, 'pass whole seconds of at least 10 (the CronJob controller checks every 10 s), e.g. Duration.hours(1)');
    }
  });
  for (const k of ['successfulJobsRetained', 'failedJobsRetained'] as const) {
    errors.run(() => {
      const v = props[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
        throw new GpuConfigError(scope, k, `is ${JSON.stringify(v)}`, 'pass a whole number >= 0');
      }
    });
  }
  if (errors.errors.length > before) return undefined;
  return {
    schedule: props.schedule,
    ...(props.timeZone !== undefined ? { timeZone: props.timeZone } : {}),
    concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
    startingDeadline: Duration.seconds(seconds),
    successfulJobsRetained: props.successfulJobsRetained ?? 3,
    failedJobsRetained: props.failedJobsRetained ?? 1,
  };
}
