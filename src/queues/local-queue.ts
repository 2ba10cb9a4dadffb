/**
 * GpuLocalQueue: a Kueue LocalQueue (`kueue.x-k8s.io/v1beta2`), the namespaced door to a ClusterQueue. Workloads
 * join it with the label `kueue.x-k8s.io/queue-name: <name>` in the same namespace (Kueue docs "Local Queue").
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { GpuClusterQueue } from './cluster-queue';
import { GpuConfigError } from '../errors';
import { LocalQueueV1Beta2 } from '../imports/kueue.x-k8s.io';
import { NameRule, validateDns1123Name } from '../naming';
import { PropErrors } from '../private/collect';

/** Props of {@link GpuLocalQueue}. */
export interface GpuLocalQueueProps {
  /** The ClusterQueue it submits to. */
  readonly clusterQueue: GpuClusterQueue;
  /** The namespace (a team's). */
  readonly namespace: string;
  /** `metadata.name`. @default - the ClusterQueue's name */
  readonly name?: string;
}

/** A LocalQueue in one namespace, pointing at a {@link GpuClusterQueue}. Prefer `GpuClusterQueue.addLocalQueue(team)`. */
export class GpuLocalQueue extends Construct {
  /** The generated LocalQueue (escape hatch). */
  public readonly localQueue: ApiObject;
  /** The ClusterQueue. */
  public readonly clusterQueue: GpuClusterQueue;
  /** The namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: GpuLocalQueueProps) {
    super(scope, id);
    // Every prop is checked; the problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    props = props ?? ({} as GpuLocalQueueProps);
    c.run(() => {
      if (!props.clusterQueue || typeof (props.clusterQueue as any)._register !== 'function') {
        throw new GpuConfigError(this, 'clusterQueue', 'is not a GpuClusterQueue', 'pass the GpuClusterQueue, or use clusterQueue.addLocalQueue(team)');
      }
    });
    c.run(() => validateDns1123Name(this, 'namespace', props.namespace, NameRule.DNS1123_LABEL));
    // The default name is the ClusterQueue's: judged when there is one.
    const name = props.name ?? (c.failed('clusterQueue') ? undefined : props.clusterQueue.clusterQueueName);
    // Also a label value on workloads (`kueue.x-k8s.io/queue-name`): at most 63 characters, no dots needed.
    if (name !== undefined) c.run(() => validateDns1123Name(this, 'name', name, NameRule.DNS1123_LABEL));
    c.throwIfAny();
    this.clusterQueue = props.clusterQueue;
    this.namespace = props.namespace;
    this.localQueue = new LocalQueueV1Beta2(this, 'Resource', {
      metadata: { name, namespace: props.namespace },
      spec: { clusterQueue: props.clusterQueue.clusterQueueName },
    });
    this.node.defaultChild = this.localQueue;
    props.clusterQueue._register(this);
  }

  /** The LocalQueue's name: the value of `kueue.x-k8s.io/queue-name` on workloads. */
  public get queueName(): string {
    return this.localQueue.name;
  }
}
