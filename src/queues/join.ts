/**
 * How a workload joins a Kueue queue (internal to the workloads). Kueue docs "Run a Job" / "Run Deployment": the
 * label `kueue.x-k8s.io/queue-name` goes on the workload object; a Job is created suspended (`spec.suspend: true`)
 * so no pod starts before Kueue admits it (Kueue unsuspends it then, with the flavor's node labels and tolerations
 * injected); Deployment pods are gated by Kueue's pod webhook, one workload per pod.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { QUEUE_NAME_LABEL, WORKLOAD_PRIORITY_CLASS_LABEL } from './labels';
import type { GpuLocalQueue } from './local-queue';
import { GpuConfigError } from '../errors';
import type { PriorityTier } from '../workloads/priorities';

/**
 * Labels `obj` for `queue` (and its WorkloadPriorityClass when the queue's ClusterQueue mirrors `priority`), after
 * checking the queue lives in the workload's namespace. A `job` is also created suspended; a `cronjob` gets the labels
 * on its `jobTemplate` (Kueue docs "Run CronJobs": Kueue manages the Jobs it creates, and suspends them itself);
 * a `deployment` is labelled only. @internal
 */
export function _joinQueue(scope: IConstruct, obj: ApiObject, queue: GpuLocalQueue | undefined, namespace: string | undefined,
  priority: PriorityTier | undefined, target: 'job' | 'cronjob' | 'deployment'): void {
  if (queue === undefined) return;
  _checkQueue(scope, queue, namespace);
  const labels: Record<string, string> = { [QUEUE_NAME_LABEL]: queue.queueName };
  const wpc = queue.clusterQueue.priorities;
  if (priority !== undefined && wpc !== undefined && wpc.covers(priority)) labels[WORKLOAD_PRIORITY_CLASS_LABEL] = priority.name;
  if (target === 'cronjob') {
    // cdk8s-plus renders no jobTemplate metadata: the labels are its only content.
    obj.addJsonPatch(JsonPatch.add('/spec/jobTemplate/metadata', { labels }));
    return;
  }
  for (const [k, v] of Object.entries(labels)) obj.metadata.addLabel(k, v);
  if (target === 'job') obj.addJsonPatch(JsonPatch.add('/spec/suspend', true));
}

/**
 * The checks of {@link _joinQueue} that build nothing (a construct runs them with its other prop checks): `queue` is a
 * GpuLocalQueue of the workload's own namespace. @internal
 */
export function _checkQueue(scope: IConstruct, queue: GpuLocalQueue | undefined, namespace: string | undefined): void {
  if (queue === undefined) return;
  if (!queue || typeof queue.queueName !== 'string' || !queue.clusterQueue) {
    throw new GpuConfigError(scope, 'queue', 'is not a GpuLocalQueue', 'pass the LocalQueue of the workload\'s namespace, e.g. clusterQueue.addLocalQueue(team)');
  }
  if (namespace !== queue.namespace) {
    throw new GpuConfigError(scope, 'queue', `is LocalQueue ${queue.queueName} of namespace ${queue.namespace}, but the workload's namespace is ${namespace ?? '<unset>'}; Kueue looks the queue up in the workload's own namespace`,
      `run the workload in namespace ${queue.namespace} (namespace or team), or use that namespace's LocalQueue`);
  }
}
