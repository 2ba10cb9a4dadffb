/**
 * Kueue add-on of `GpuEksCluster`: the pinned chart (kubernetes-sigs/kueue v0.19.2, `oci://registry.k8s.io/kueue/charts/kueue`)
 * with the manager configuration the queue constructs (src/queues) rely on.
 *
 * The chart takes the whole manager configuration as one string (`managerConfig.controllerManagerConfigYaml`,
 * charts/kueue/values.yaml @ v0.19.2), so it is rendered here in full: the chart's own defaults (health, metrics,
 * webhook port, leader election, controller concurrency, client QPS) plus
 * - `waitForPodsReady` (Configuration `config.kueue.x-k8s.io/v1beta2`, apis/config/v1beta2/configuration_types.go): an
 *   admitted workload whose pods are not all Ready within `timeout` is evicted and requeued, so a multi-node job is
 *   all-or-nothing: it never holds GPU quota with half its pods Pending. `blockAdmission: false` by default: with
 *   every flavor's GPU quota within its pool's limit (rule GPU500), admitted workloads fit the pools together, and
 *   blocking would serialise every admission of the cluster behind the slowest node launch.
 * - `integrations.frameworks`: `batch/job` (TrainingJob), `deployment` and `pod` (InferenceDeployment: each pod of a
 *   queued Deployment is one workload; docs "Run Deployment").
 * Jobs without a `kueue.x-k8s.io/queue-name` label are left alone (`manageJobsWithoutQueueName: false`, Kueue's
 * default), so installing Kueue changes nothing for unqueued workloads.
 */
import { Duration } from 'aws-cdk-lib';
import { stringify } from 'yaml';
import { GpuConfigError } from '../errors';
import { describeValue } from '../private/describe';

/** Settings of the Kueue add-on. */
export interface KueueAddonOptions {
  /** Install Kueue. @default true */
  readonly enabled?: boolean;
  /** Chart version (exact; must match the Kueue CRDs the queue constructs are written for, v1beta2). @default '0.19.2' */
  readonly version?: string;
  /** Namespace. @default 'kueue-system' */
  readonly namespace?: string;
  /**
   * `waitForPodsReady.timeout`: how long an admitted workload may take until all its pods are Ready before Kueue
   * evicts it, releases its quota and requeues it. Include a GPU node launch (minutes), the image pull and the
   * model load.
   * @default Duration.minutes(30) (Kueue's own default)
   */
  readonly podsReadyTimeout?: Duration;
  /**
   * `waitForPodsReady.blockAdmission`: admit nothing else until the last admitted workload's pods are Ready
   * (strict sequential gang admission).
   * @default false
   */
  readonly blockAdmission?: boolean;
  /**
   * `integrations.frameworks` Kueue manages, e.g. add `jobset.x-k8s.io/jobset` or `kubeflow.org/pytorchjob`.
   * @default ['batch/job', 'deployment', 'pod']
   */
  readonly frameworks?: string[];
  /** Extra Helm values, deep-merged over the derived ones (escape hatch). @default - none */
  readonly values?: { [key: string]: any };
}

/** The frameworks the library's workloads need. */
export const KUEUE_DEFAULT_FRAMEWORKS: readonly string[] = ['batch/job', 'deployment', 'pod'];

/** The Kueue manager configuration (`config.kueue.x-k8s.io/v1beta2`) as YAML. @internal */
export function _kueueManagerConfig(where: string, opts: Partial<KueueAddonOptions>): string {
  const timeout = opts.podsReadyTimeout ?? Duration.minutes(30);
  if (!(timeout instanceof Duration) || timeout.toSeconds() < 60) {
    throw new GpuConfigError(where, 'kueue.podsReadyTimeout', `is ${describeValue(timeout)}`,
      'pass a Duration of at least a minute (a GPU node launch alone takes minutes), e.g. Duration.minutes(30)');
  }
  if (opts.blockAdmission !== undefined && typeof opts.blockAdmission !== 'boolean') {
    throw new GpuConfigError(where, 'kueue.blockAdmission', `is ${describeValue(opts.blockAdmission)}`, 'pass true or false');
  }
  const frameworks = opts.frameworks ?? [...KUEUE_DEFAULT_FRAMEWORKS];
  if (!Array.isArray(frameworks) || frameworks.length === 0 || frameworks.some((f) => typeof f !== 'string' || f === '')) {
    throw new GpuConfigError(where, 'kueue.frameworks', `is ${describeValue(frameworks)}`, 'pass framework names, e.g. [\'batch/job\', \'deployment\', \'pod\']');
  }
  const config = {
    apiVersion: 'config.kueue.x-k8s.io/v1beta2',
    kind: 'Configuration',
    health: { healthProbeBindAddress: ':8081' },
    metrics: { bindAddress: ':8443' },
    webhook: { port: 9443 },
    leaderElection: { leaderElect: true, resourceName: 'c1f6bfd2.kueue.x-k8s.io' },
    controller: {
      groupKindConcurrency: {
        'Job.batch': 5,
        'Pod': 5,
        'Workload.kueue.x-k8s.io': 10,
        'LocalQueue.kueue.x-k8s.io': 5,
        'ClusterQueue.kueue.x-k8s.io': 5,
        'ResourceFlavor.kueue.x-k8s.io': 1,
      },
    },
    clientConnection: { qps: 300, burst: 500 },
    waitForPodsReady: {
      timeout: `${timeout.toSeconds()}s`,
      blockAdmission: opts.blockAdmission ?? false,
      requeuingStrategy: { timestamp: 'Eviction', backoffBaseSeconds: 60, backoffMaxSeconds: 3600 },
    },
    integrations: { frameworks: [...new Set(frameworks)] },
  };
  return stringify(config);
}
