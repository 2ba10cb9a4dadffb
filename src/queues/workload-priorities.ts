/**
 * GpuWorkloadPriorities: Kueue WorkloadPriorityClasses mirroring {@link TieredPriorities}.
 *
 * Kueue orders a ClusterQueue and chooses preemption victims by a workload's priority: the value of the
 * WorkloadPriorityClass named by the label `kueue.x-k8s.io/priority-class`, else the value of the pods'
 * PriorityClass (kubernetes-sigs/kueue v0.19.2 `pkg/util/priority`, docs "Workload Priority Class"). Mirroring the
 * tiers with the same names and values keeps queueing order and pod priority in step, while leaving room to change
 * one without the other.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { WorkloadPriorityClassV1Beta2 } from '../imports/kueue.x-k8s.io';
import { PriorityTier, TieredPriorities } from '../workloads/priorities';

/** Props of {@link GpuWorkloadPriorities}. */
export interface GpuWorkloadPrioritiesProps {
  /** The tiers to mirror (inference > training > experiments). */
  readonly priorities: TieredPriorities;
}

/**
 * One Kueue WorkloadPriorityClass per tier of a {@link TieredPriorities}, same name and value. Give it to a
 * {@link GpuClusterQueue} (`priorities`): its preemption policy is derived from the tiers, and workloads that join
 * its queues with a `priority` are labelled `kueue.x-k8s.io/priority-class`.
 */
export class GpuWorkloadPriorities extends Construct {
  /** The mirrored tiers. */
  public readonly priorities: TieredPriorities;
  /** The WorkloadPriorityClasses, in tier order (inference, training, experiments). */
  public readonly workloadPriorityClasses: ApiObject[];

  constructor(scope: Construct, id: string, props: GpuWorkloadPrioritiesProps) {
    super(scope, id);
    if (!props || !(props.priorities instanceof TieredPriorities)) {
      throw new GpuConfigError(this, 'priorities', 'is not a TieredPriorities', 'pass the TieredPriorities whose tiers the queues should follow');
    }
    this.priorities = props.priorities;
    this.workloadPriorityClasses = this.tiers.map((t) => new WorkloadPriorityClassV1Beta2(this, t.name, {
      metadata: { name: t.name },
      value: t.value!,
      description: `Kueue queueing priority of the ${t.name} tier (same value as its PriorityClass).`,
    }));
  }

  /** The tiers, highest first. */
  public get tiers(): PriorityTier[] {
    return [this.priorities.inference, this.priorities.training, this.priorities.experiments];
  }

  /** Whether `tier` has a WorkloadPriorityClass here. */
  public covers(tier: PriorityTier): boolean {
    return this.tiers.some((t) => t.name === tier.name);
  }
}
