/**
 * Props shared by every GPU workload (InferenceDeployment, TrainingJob). Sizing formulas: see gpu-pod.ts.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { GpuRequest } from './gpu-request';
import { GpuTeam, PriorityTier } from './priorities';
import { GpuModel } from '../catalog/gpu-model';
import { IGpuNodePool } from '../pools/pool';
import type { GpuLocalQueue } from '../queues/local-queue';

/** A key of a Secret, e.g. the Hugging Face token. */
export interface SecretKeyRef {
  /** The Secret's name (in the workload's namespace). */
  readonly secretName: string;
  /** The key inside the Secret. */
  readonly key: string;
}

/** A PersistentVolumeClaim mounted into the container. */
export interface PvcMount {
  /**
   * The claim's name (in the workload's namespace). Pods of a job on several nodes need a claim every node can mount
   * (ReadWriteMany: EFS, FSx for Lustre); a ReadWriteOnce claim (EBS) attaches to one node, and the ranks elsewhere never
   * start ("Multi-Attach error", rule GPU250).
   */
  readonly claimName: string;
  /** Where to mount it. */
  readonly mountPath: string;
  /** Mount read-only. @default false */
  readonly readOnly?: boolean;
}

/** Props every GPU workload has. */
export interface GpuWorkloadProps {
  /** The GPU node pools the pods may run on: tolerations and required node affinity are generated from them. */
  readonly pools: IGpuNodePool[];
  /** GPUs per pod. @default GpuRequest.whole(1) */
  readonly gpus?: GpuRequest;
  /**
   * Pin the GPU model within the pools: adds `karpenter.k8s.aws/instance-gpu-name In [...]` to the pods' required
   * node affinity term, ANDed with `karpenter.sh/nodepool In [pools]`, so it narrows placement inside the pools and
   * never widens it (cdk8s-plus `scheduling.attract()` would add an ORed term instead). Refused when no instance
   * type of the pools has a listed model, or when the pools also offer another model of the same Karpenter GPU name
   * (e.g. A100 40 GB and 80 GB are both `a100`, which the label cannot tell apart: split them into pools instead).
   * Satisfies GPU006 for pools that mix GPU models.
   * @default - any GPU model of the pools
   */
  readonly gpuModels?: GpuModel[];
  /** `metadata.name`. @default - generated from the construct path */
  readonly name?: string;
  /** Namespace. @default - the team's namespace, else none (the kubectl context's) */
  readonly namespace?: string;
  /** The team whose namespace and ServiceAccount the pods use. @default - none */
  readonly team?: GpuTeam;
  /** ServiceAccount of the pods (its token is never mounted). @default - the team's, else the namespace default */
  readonly serviceAccount?: kplus.IServiceAccount;
  /** Plain environment variables. @default - none */
  readonly env?: Record<string, string>;
  /** Environment variables from Secret keys, e.g. `{ HF_TOKEN: { secretName: 'hf-token', key: 'token' } }`. @default - none */
  readonly secretEnv?: Record<string, SecretKeyRef>;
  /** CPU per pod (request = limit). @default - the pod's share of the smallest fitting instance type (see gpu-pod.ts) */
  readonly cpu?: kplus.Cpu;
  /** Memory per pod (request = limit). @default - the pod's share of the smallest fitting instance type */
  readonly memory?: Size;
  /** Size of the memory-backed `/dev/shm`. @default - min(8 GiB × GPUs, memory / 4), at least 1 GiB */
  readonly shmSize?: Size;
  /** Priority tier (from TieredPriorities). @default - none (the cluster's global default) */
  readonly priority?: PriorityTier;
  /**
   * How long pods get to stop. On spot pools it must fit the 2-minute interruption notice.
   * @default - SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD (90 s) when a pool buys spot, else 60 s
   */
  readonly terminationGracePeriod?: Duration;
  /** Read-only root filesystem (writable emptyDirs are mounted at /tmp and the cache). @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /** UID (and GID) the container runs as; must not be 0. @default 1000 */
  readonly runAsUser?: number;
  /** Extra labels on the workload and its pods. @default - none */
  readonly labels?: Record<string, string>;
  /**
   * The Kueue LocalQueue (of the workload's namespace) the workload waits in: label `kueue.x-k8s.io/queue-name`;
   * a Job is created suspended and started by Kueue on admission. Needs Kueue in the cluster (GpuEksStack installs it).
   * @default - none: the workload is not queued
   */
  readonly queue?: GpuLocalQueue;
}
