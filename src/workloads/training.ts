/**
 * TrainingJob: a batch Job on GPU node pools (the seeds' `training-job` / `model-finetuning`), with the same
 * placement, sizing and security defaults as InferenceDeployment.
 */
import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { _warnCapacityBlockEnds } from './capacity-block';
import {
  _cronProps, _defaultGpus, _distributedEnv, _efaEnv, _patchIndexedJob, _rendezvousService, _resolveTopology, _setEfaResources,
} from './distributed';
import { DistributedTrainingProps } from './distributed-props';
import {
  _checkEnv, _checkTeamQuota, _containerResources, _containerSecurity, _env, _GpuPlacement, _mib, _namespace, _patchPodSpec, _placeWorkload,
  _podSecurity, _resolvePlacement, _setGpuResources, _validateWorkloadNames, _wholeSeconds,
} from './gpu-pod';
import { GpuRequest } from './gpu-request';
import { GpuWorkloadProps, PvcMount } from './props';
import { NameRule, validateDns1123Name } from '../naming';
import { IGpuNodePool } from '../pools/pool';
import { PropErrors } from '../private/collect';
import { _checkQueue, _joinQueue } from '../queues/join';
import { DO_NOT_DISRUPT_ANNOTATION } from '../scheduling/nodepool';

/** Props of {@link TrainingJob}. */
export interface TrainingJobProps extends GpuWorkloadProps, DistributedTrainingProps {
  /** Container image, e.g. `pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime`. */
  readonly image: string;
  /** Container command. @default - the image's entrypoint */
  readonly command?: string[];
  /** Container args. @default - none */
  readonly args?: string[];
  /** Retries before the Job is marked failed (per rank with nodes > 1: `backoffLimitPerIndex`). @default 3 */
  readonly backoffLimit?: number;
  /** The longest the Job may run (all retries included). @default Duration.hours(24) */
  readonly activeDeadline?: Duration;
  /**
   * Delete the finished Job (and its pods) after this long.
   * @default Duration.hours(1); with `schedule`, none (the CronJob's history limits decide which Jobs are kept)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * When the Job is expected to start. With it, a Capacity Block of the pools (`CapacityReservation.capacityBlock(id,
   * endsAt)`) that Karpenter drains (40 minutes before its end) before `startsAt + activeDeadline` gives a warning:
   * the Job can be evicted before it finishes.
   * @default - not compared with Capacity Block ends (synthesis never reads the clock)
   */
  readonly startsAt?: Date;
  /**
   * The checkpoint volume. Preemption (by a higher tier) and spot interruptions restart training: without
   * checkpoints it starts from scratch.
   * @default - none
   */
  readonly checkpoint?: PvcMount;
  /** More PersistentVolumeClaims, e.g. the dataset (read-only) and the output. @default - none */
  readonly volumes?: PvcMount[];
  /**
   * Pod restart policy. `NEVER` (default) gives each retry a fresh pod, possibly on a healthy node after a GPU
   * fault, and keeps failed pods' logs; `ON_FAILURE` restarts the container in place.
   * @default kplus.RestartPolicy.NEVER
   */
  readonly restartPolicy?: kplus.RestartPolicy;
  /**
   * Annotate the pods `karpenter.sh/do-not-disrupt: "true"`: Karpenter then neither consolidates their nodes nor
   * drifts them (e.g. onto a newer AMI behind `al2023@latest`) while they run, unless the NodePool sets a
   * `terminationGracePeriod`; spot interruptions, expiry and node repair still stop them (checkpoint). Rule GPU220.
   * @default true
   */
  readonly doNotDisrupt?: boolean;
}

/**
 * A GPU training Job placed on GPU node pools: one pod, or with `nodes` a gang of one pod per node rendezvousing over
 * torchrun (and EFA), or with `schedule` a CronJob. See distributed.ts for the multi-node shape.
 */
export class TrainingJob extends Construct {
  /** The cdk8s-plus Job (escape hatch). @default - undefined with `schedule` (see cronJob) */
  public readonly job?: kplus.Job;
  /** The cdk8s-plus CronJob, with `schedule`. @default - undefined without `schedule` */
  public readonly cronJob?: kplus.CronJob;
  /** The Job or CronJob, whichever was made (escape hatch for pod-template changes). */
  public readonly workload: kplus.Workload;
  /** The headless Service of a multi-node job (stable rank DNS names). @default - undefined with one node */
  public readonly service?: kplus.Service;
  /** Nodes (pods) of the job. */
  public readonly nodes: number;
  /** `vpc.amazonaws.com/efa` interfaces each pod requests (0: no EFA). */
  public readonly efaInterfaces: number;
  /** The Job's `metadata.name` (the CronJob's with `schedule`). */
  public readonly name: string;
  /** The namespace, when set. */
  public readonly namespace?: string;
  /** Labels every pod carries. */
  public readonly podLabels: Record<string, string>;
  /** The GPU request per pod. */
  public readonly gpus: GpuRequest;
  /** The pools the pod may run on. */
  public readonly pools: IGpuNodePool[];
  /** CPU per pod in cores (request = limit). */
  public readonly cpuCores: number;
  /** Memory per pod in MiB (request = limit). */
  public readonly memoryMiB: number;
  /** /dev/shm size in MiB. */
  public readonly shmMiB: number;
  /** `terminationGracePeriodSeconds`. */
  public readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: TrainingJobProps) {
    super(scope, id);
    props = props ?? ({} as TrainingJobProps);
    // Every independent prop is checked; the problems are thrown together (one GpuConfigError) before anything is built.
    const c = new PropErrors(this);
    c.run(() => {
      if (!props.image) throw new GpuConfigError(this, 'image', 'is not set', 'pass the training image, e.g. pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime');
    });
    // The name is also a pod label value (job-name, app.kubernetes.io/name): at most 63 characters. A multi-node job's
    // name also names its headless Service (a DNS-1035 label).
    const multiNode = typeof props.nodes === 'number' && props.nodes > 1;
    c.run(() => _validateWorkloadNames(this, props, multiNode ? NameRule.DNS1035_LABEL : NameRule.DNS1123_SUBDOMAIN));
    props = { ...props, gpus: _defaultGpus(props) };
    // pools, gpus, gpuModels, cpu, memory, shmSize and terminationGracePeriod are judged together (each depends on the
    // ones before it).
    const placed = c.run(() => _resolvePlacement(this, props));
    const placement = placed as _GpuPlacement;
    this.gpus = placed?.gpus ?? (props.gpus instanceof GpuRequest ? props.gpus : GpuRequest.whole(1));
    this.pools = Array.isArray(props.pools) ? [...props.pools] : [];
    this.cpuCores = placed?.cpuCores as number;
    this.memoryMiB = placed ? Math.round(placed.memoryBytes / 2 ** 20) : NaN;
    this.shmMiB = placed ? Math.round(placed.shmBytes / 2 ** 20) : NaN;
    this.terminationGracePeriodSeconds = placed?.terminationGraceSeconds as number;
    this.namespace = c.run(() => _namespace(this, props));
    if (placed && !c.failed('namespace', 'team')) c.run(() => _checkTeamQuota(this, props, this.gpus));
    const topo = _resolveTopology(this, props, placed?.gpus, placed?.fittingTypes, props.restartPolicy, c);
    this.nodes = topo?.nodes as number;
    this.efaInterfaces = topo?.efaInterfaces as number;
    const cron = _cronProps(this, props, c);

    const backoffLimit = props.backoffLimit ?? 3;
    c.run(() => {
      if (!Number.isInteger(backoffLimit) || backoffLimit < 0) {
        throw new GpuConfigError(this, 'backoffLimit', `is ${backoffLimit}`, 'pass a whole number of retries >= 0');
      }
    });
    c.run(() => {
      if (props.doNotDisrupt !== undefined && typeof props.doNotDisrupt !== 'boolean') {
        throw new GpuConfigError(this, 'doNotDisrupt', `is ${JSON.stringify(props.doNotDisrupt)}, not a boolean`, 'pass true (the default) or false');
      }
    });
    const deadlineSeconds = c.run(() => _wholeSeconds(this, 'activeDeadline', props.activeDeadline ?? Duration.hours(24), 1));
    const deadline = Duration.seconds(deadlineSeconds ?? 1);
    const ttlDefault = c.failed('schedule') || cron ? undefined : Duration.hours(1);
    const ttlSeconds = props.ttlAfterFinished ?? ttlDefault;
    const ttl = ttlSeconds === undefined ? undefined : c.run(() => Duration.seconds(_wholeSeconds(this, 'ttlAfterFinished', ttlSeconds, 0)));
    c.run(() => {
      if (props.startsAt !== undefined && (!(props.startsAt instanceof Date) || Number.isNaN(props.startsAt.getTime()))) {
        throw new GpuConfigError(this, 'startsAt', 'is not a valid Date', 'pass the expected start, e.g. new Date(\'2027-01-04T08:00:00Z\'), or leave it unset');
      }
    });
    // What the container and the queue will be built from, checked now so its problems join the others'.
    c.run(() => _checkEnv(this, props, ['HOME', ...(props.checkpoint ? ['CHECKPOINT_DIR'] : []),
      ...((topo?.efaInterfaces ?? 0) > 0 ? Object.keys(_efaEnv()) : [])]));
    const containerSecurity = c.run(() => _containerSecurity(this, props));
    if (!c.failed('namespace', 'team')) c.run(() => _checkQueue(this, props.queue, this.namespace));
    c.throwIfAny();
    const topology = topo!;
    if (props.startsAt !== undefined) _warnCapacityBlockEnds(this, props.pools, deadline.toSeconds(), props.startsAt.getTime());

    const ns = this.namespace;
    const jobProps: kplus.JobProps = {
      metadata: { ...(props.name ? { name: props.name } : {}), ...(ns ? { namespace: ns } : {}), labels: props.labels },
      backoffLimit,
      activeDeadline: deadline,
      ...(ttl ? { ttlAfterFinished: ttl } : {}),
      restartPolicy: props.restartPolicy ?? kplus.RestartPolicy.NEVER,
      serviceAccount: props.serviceAccount ?? props.team?.serviceAccount,
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(placement.terminationGraceSeconds),
      securityContext: _podSecurity(props),
    };
    if (cron) this.workload = this.cronJob = new kplus.CronJob(this, 'Resource', { ...jobProps, ...cron });
    else this.workload = this.job = new kplus.Job(this, 'Resource', jobProps);
    const jobSpec = cron ? '/spec/jobTemplate/spec' : '/spec';
    const podSpec = `${jobSpec}/template/spec`;
    this.node.defaultChild = ApiObject.of(this.workload);
    this.name = this.workload.name;
    // Pod hostnames are `<job>-<index>` (a DNS label, at most 63); a CronJob's Jobs are `<cronjob>-<11 digits>`, which is
    // why the API limits CronJob names to 52 characters.
    const jobSuffix = cron ? 11 : 0;
    if (cron) validateDns1123Name(this, 'name', this.name, topology.nodes > 1 ? NameRule.DNS1035_LABEL : NameRule.DNS1123_SUBDOMAIN, 52);
    if (topology.nodes > 1) validateDns1123Name(this, 'name', this.name, NameRule.DNS1035_LABEL, 63 - jobSuffix - `-${topology.nodes - 1}`.length);
    this.podLabels = { ...(props.labels ?? {}), 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/component': 'training' };
    for (const [k, v] of Object.entries(this.podLabels)) this.workload.podMetadata.addLabel(k, v);
    // A drained node stops training (a gang's every rank): Karpenter's voluntary disruption waits for the Job instead.
    if (props.doNotDisrupt ?? true) this.workload.podMetadata.addAnnotation(DO_NOT_DISRUPT_ANNOTATION, 'true');

    const shm = kplus.Volume.fromEmptyDir(this, 'shm', 'shm', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: _mib(placement.shmBytes) });
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp');
    const mounts: kplus.VolumeMount[] = [{ path: '/dev/shm', volume: shm }, { path: '/tmp', volume: tmp }];
    const paths = new Set(['/dev/shm', '/tmp']);
    const pvcs: Array<[string, PvcMount]> = [
      ...(props.checkpoint ? [['checkpoint', props.checkpoint] as [string, PvcMount]] : []),
      ...(props.volumes ?? []).map((v, i) => [`volumes[${i}]`, v] as [string, PvcMount]),
    ];
    for (const [prop, m] of pvcs) {
      if (!m || typeof m.claimName !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(m.claimName)) {
        throw new GpuConfigError(this, `${prop}.claimName`, `is ${JSON.stringify(m?.claimName)}`, 'pass the PersistentVolumeClaim\'s name');
      }
      if (typeof m.mountPath !== 'string' || !m.mountPath.startsWith('/') || paths.has(m.mountPath)) {
        throw new GpuConfigError(this, `${prop}.mountPath`, `is ${JSON.stringify(m.mountPath)}, not a free absolute path`, 'mount each volume at its own absolute path, e.g. /checkpoints');
      }
      paths.add(m.mountPath);
      const volName = prop === 'checkpoint' ? 'checkpoint' : m.claimName;
      const claim = kplus.PersistentVolumeClaim.fromClaimName(this, `claim-${prop}`, m.claimName);
      const volume = kplus.Volume.fromPersistentVolumeClaim(this, `vol-${prop}`, claim, { name: volName, readOnly: m.readOnly ?? false });
      mounts.push({ path: m.mountPath, volume, readOnly: m.readOnly ?? false });
    }

    const serviceName = this.name;
    const rendezvous = topology.nodes > 1 ? _distributedEnv(cron ? undefined : this.name, serviceName, this.gpus.count, topology) : {};
    this.workload.addContainer({
      name: 'trainer',
      image: props.image,
      ...(props.command ? { command: props.command } : {}),
      ...(props.args ? { args: props.args } : {}),
      envVariables: {
        ...rendezvous,
        ..._env(this, props, {
          HOME: '/tmp',
          ...(props.checkpoint ? { CHECKPOINT_DIR: props.checkpoint.mountPath } : {}),
          ...(topology.efaInterfaces > 0 ? _efaEnv() : {}),
        }),
      },
      resources: _containerResources(placement),
      securityContext: containerSecurity!,
      volumeMounts: mounts,
    });
    _placeWorkload(this.workload, props.pools, placement);
    const obj = ApiObject.of(this.workload);
    _setGpuResources(obj, podSpec, 0, this.gpus);
    _patchPodSpec(obj, podSpec, { priorityClassName: props.priority?.name });
    if (topology.efaInterfaces > 0) _setEfaResources(obj, podSpec, topology.efaInterfaces);
    if (topology.nodes > 1) {
      _patchIndexedJob(obj, jobSpec, podSpec, topology, backoffLimit, serviceName, this.podLabels, this.gpus.count);
      this.service = _rendezvousService(this, serviceName, ns, this.podLabels, topology.port, props.labels);
    }
    _joinQueue(this, obj, props.queue, this.namespace, props.priority, cron ? 'cronjob' : 'job');
  }
}
