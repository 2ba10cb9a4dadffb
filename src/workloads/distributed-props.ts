/**
 * The props of {@link TrainingJob} for multi-node (gang) training and scheduled retraining. How they are rendered:
 * distributed.ts.
 */
import { Cron, Duration } from 'cdk8s';

/** Props of a {@link TrainingJob} for multi-node (gang) training and scheduled retraining. */
export interface DistributedTrainingProps {
  /**
   * Nodes of the job: one pod per node, each with `gpus` GPUs (ranks 0 to nodes - 1). Above 1, the job is an Indexed
   * Job with a headless Service and the `torchrun` environment (see distributed.ts), and all nodes must fit the
   * pools' GPU limits (and Capacity Block sizes) at once, or the first ranks would wait forever for the rest.
   * @default 1
   */
  readonly nodes?: number;
  /**
   * Request every EFA interface of the node (`vpc.amazonaws.com/efa` = the instance type's EFA count) and set the
   * libfabric/NCCL environment for EFA. Needs the AWS EFA device plugin on the nodes (`GpuEksStack` prop `efa`).
   * @default - true when nodes > 1 and every instance type the pod fits on has EFA, else false
   */
  readonly efa?: boolean;
  /** TCP port of the rendezvous (torchrun's c10d store on rank 0). @default 29500 */
  readonly rendezvousPort?: number;
  /**
   * Container exit codes after which retrying is pointless, so the whole Job fails at once (pod failure policy
   * `FailJob`). torchrun exits 1 whatever its workers' codes, so these mostly catch a launcher that cannot start:
   * 2 (usage error, e.g. a bad torchrun flag), 126 (not executable), 127 (command not found). Only with nodes > 1.
   * @default [2, 126, 127]
   */
  readonly failFastExitCodes?: number[];
  /**
   * Retrain on this schedule: the construct emits a CronJob carrying the same pod (concurrencyPolicy Forbid, so a
   * late run never overlaps the previous one) instead of a Job that runs once.
   * @default - none: a Job that runs once
   */
  readonly schedule?: Cron;
  /** Time zone of `schedule`, e.g. `Asia/Seoul` (an IANA name). @default - the kube-controller-manager's (UTC on EKS) */
  readonly timeZone?: string;
  /**
   * How late a scheduled run may still start (e.g. after a control-plane outage); later runs are skipped and counted
   * as missed. At least 10 s (the CronJob controller checks every 10 s).
   * @default Duration.hours(1)
   */
  readonly startingDeadline?: Duration;
  /** Successful Jobs of the schedule kept for their logs. @default 3 */
  readonly successfulJobsRetained?: number;
  /** Failed Jobs of the schedule kept for their logs. @default 1 */
  readonly failedJobsRetained?: number;
}
