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
  _checkTeamQuota, _containerResources, _containerSecurity, _env, _mib, _namespace, _patchPodSpec, _placeWorkload,
  _podSecurity, _resolvePlacement, _setGpuResources, _validateWorkloadNames, _wholeSeconds,
} from './gpu-pod';
import { GpuRequest } from './gpu-request';
import { GpuWorkloadProps, PvcMount } from './props';
import { NameRule } from '../naming';
import { IGpuNodePool } from '../pools/pool';

/** Props of {@link TrainingJob}. */
export interface TrainingJobProps extends GpuWorkloadProps {
  /** Container image, e.g. `pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime`. */
  readonly image: string;
  /** Container command. @default - the image's entrypoint */
  readonly command?: string[];
  /** Container args. @default - none */
  readonly args?: string[];
  /** Retries before the Job is marked failed. @default 3 */
  readonly backoffLimit?: number;
  /** The longest the Job may run (all retries included). @default Duration.hours(24) */
  readonly activeDeadline?: Duration;
  /** Delete the finished Job (and its pods) after this long. @default Duration.hours(1) */
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
}

/** A GPU training Job placed on GPU node pools. */
export class TrainingJob extends Construct {
  /** The cdk8s-plus Job (escape hatch). */
  public readonly job: kplus.Job;
  /** The Job's `metadata.name`. */
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
    if (!props.image) throw new GpuConfigError(this, 'image', 'is not set', 'pass the training image, e.g. pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime');
    // The name is also a pod label value (job-name, app.kubernetes.io/name): at most 63 characters.
    _validateWorkloadNames(this, props, NameRule.DNS1123_SUBDOMAIN);
    const placement = _resolvePlacement(this, props);
    this.gpus = placement.gpus;
    this.pools = [...props.pools];
    this.cpuCores = placement.cpuCores;
    this.memoryMiB = Math.round(placement.memoryBytes / 2 ** 20);
    this.shmMiB = Math.round(placement.shmBytes / 2 ** 20);
    this.terminationGracePeriodSeconds = placement.terminationGraceSeconds;
    this.namespace = _namespace(this, props);
    _checkTeamQuota(this, props, this.gpus);

    const backoffLimit = props.backoffLimit ?? 3;
    if (!Number.isInteger(backoffLimit) || backoffLimit < 0) {
      throw new GpuConfigError(this, 'backoffLimit', `is ${backoffLimit}`, 'pass a whole number of retries >= 0');
    }
    const deadline = Duration.seconds(_wholeSeconds(this, 'activeDeadline', props.activeDeadline ?? Duration.hours(24), 1));
    const ttl = Duration.seconds(_wholeSeconds(this, 'ttlAfterFinished', props.ttlAfterFinished ?? Duration.hours(1), 0));
    if (props.startsAt !== undefined) {
      if (!(props.startsAt instanceof Date) || Number.isNaN(props.startsAt.getTime())) {
        throw new GpuConfigError(this, 'startsAt', 'is not a valid Date', 'pass the expected start, e.g. new Date(\'2027-01-04T08:00:00Z\'), or leave it unset');
      }
      _warnCapacityBlockEnds(this, props.pools, deadline.toSeconds(), props.startsAt.getTime());
    }

    const ns = this.namespace;
    this.job = new kplus.Job(this, 'Resource', {
      metadata: { ...(props.name ? { name: props.name } : {}), ...(ns ? { namespace: ns } : {}), labels: props.labels },
      backoffLimit,
      activeDeadline: deadline,
      ttlAfterFinished: ttl,
      restartPolicy: props.restartPolicy ?? kplus.RestartPolicy.NEVER,
      serviceAccount: props.serviceAccount ?? props.team?.serviceAccount,
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(placement.terminationGraceSeconds),
      securityContext: _podSecurity(props),
    });
    this.node.defaultChild = ApiObject.of(this.job);
    this.name = this.job.name;
    this.podLabels = { ...(props.labels ?? {}), 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/component': 'training' };
    for (const [k, v] of Object.entries(this.podLabels)) this.job.podMetadata.addLabel(k, v);

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

    this.job.addContainer({
      name: 'trainer',
      image: props.image,
      ...(props.command ? { command: props.command } : {}),
      ...(props.args ? { args: props.args } : {}),
      envVariables: _env(this, props, { HOME: '/tmp', ...(props.checkpoint ? { CHECKPOINT_DIR: props.checkpoint.mountPath } : {}) }),
      resources: _containerResources(placement),
      securityContext: _containerSecurity(this, props),
      volumeMounts: mounts,
    });
    _placeWorkload(this.job, props.pools, placement);
    const obj = ApiObject.of(this.job);
    _setGpuResources(obj, '/spec/template/spec', 0, this.gpus);
    _patchPodSpec(obj, '/spec/template/spec', { priorityClassName: props.priority?.name });
  }
}
