/**
 * SpotGpuPool: a GpuNodePool preset for EC2 Spot GPU capacity.
 *
 * Spot facts: EC2 reclaims a Spot instance with a two-minute interruption notice (AWS EC2 User Guide, "Spot
 * Instance interruption notices"); Karpenter cordons and drains the node when it receives the notice through
 * its SQS interruption queue (Karpenter docs "Disruption" → "Interruption"; the queue must be configured).
 */
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { CapacityType } from './capacity';
import { ConsolidationPolicy } from './disruption';
import { GpuNodePool, GpuNodePoolProps } from './node-pool';
import { IGpuNodePool, NodeTaint, TaintEffect } from './pool';
import { _warn } from './warn';
import { _withPriorErrors } from '../private/collect';
import { describeValue } from '../private/describe';
import { SPOT_FEW_TYPES } from '../private/warnings';

const SPOT_TAINT: NodeTaint = { key: 'karpenter.sh/capacity-type', value: 'spot', effect: TaintEffect.NO_SCHEDULE };

/** Props of {@link SpotGpuPool}: those of GpuNodePool (capacity type fixed to spot) plus the fallback. */
export interface SpotGpuPoolProps extends GpuNodePoolProps {
  /**
   * Also create an on-demand pool with the same instance types, limits and node class but a lower weight, used
   * when spot capacity is unavailable. It has no spot taint.
   * @default false
   */
  readonly onDemandFallback?: boolean;
  /** Weight of the fallback pool; must be below the spot pool's weight. @default 10 */
  readonly fallbackWeight?: number;
  /** GPU limit of the fallback pool. @default - the spot pool's gpuLimit */
  readonly fallbackGpuLimit?: number;
}

/**
 * A GPU pool on Spot capacity: capacity type `spot`, an extra `karpenter.sh/capacity-type=spot:NoSchedule` taint so
 * only workloads that opt in land there, `WhenEmpty` consolidation (never evict a busy spot GPU node to save a
 * little more), a warning when fewer than 3 instance types are allowed, and an optional on-demand fallback pool.
 *
 * Workloads that tolerate it should drain within the interruption notice: set
 * `terminationGracePeriodSeconds` to at most {@link SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD}.
 */
export class SpotGpuPool extends GpuNodePool {
  /** The taint `karpenter.sh/capacity-type=spot:NoSchedule` that keeps workloads off spot nodes unless they tolerate it. */
  public static readonly SPOT_TAINT: NodeTaint = SPOT_TAINT;
  /** EC2's Spot interruption notice: two minutes. */
  public static readonly INTERRUPTION_NOTICE: Duration = Duration.minutes(2);
  /**
   * The longest `terminationGracePeriodSeconds` a pod on spot should use: the 120 s notice minus a 30 s margin
   * for the notice to reach Karpenter (SQS) and the drain to start. A pod needing longer is killed mid-shutdown.
   */
  public static readonly RECOMMENDED_POD_TERMINATION_GRACE_PERIOD: Duration = Duration.seconds(90);
  /** The fewest instance types a spot pool should allow (spot capacity is per type and zone). */
  public static readonly MIN_RECOMMENDED_INSTANCE_TYPES = 3;

  /** The on-demand fallback pool, when `onDemandFallback` is set. */
  public readonly onDemandFallback?: GpuNodePool;

  constructor(scope: Construct, id: string, props: SpotGpuPoolProps) {
    props = props ?? {};
    // The spot-only props are checked before super (no `this` yet) and handed to GpuNodePool, which throws them
    // together with its own problems.
    const path = `${scope.node.path ? scope.node.path + '/' : ''}${id}`;
    const errors: GpuConfigError[] = [];
    if (props.capacityTypes !== undefined || (props.capacityType !== undefined && props.capacityType !== CapacityType.SPOT)) {
      errors.push(new GpuConfigError(path, props.capacityTypes !== undefined ? 'capacityTypes' : 'capacityType',
        'is set on a SpotGpuPool, whose capacity type is always spot', 'drop it; use onDemandFallback for on-demand, or GpuNodePool/TieredGpuCapacity for mixes'));
    }
    const weight = props.weight ?? (props.onDemandFallback ? 50 : undefined);
    const fallbackWeight = props.fallbackWeight ?? 10;
    if (!props.onDemandFallback) {
      for (const p of ['fallbackWeight', 'fallbackGpuLimit'] as const) {
        if (props[p] !== undefined) errors.push(new GpuConfigError(path, p, 'is set without onDemandFallback', 'set onDemandFallback: true or drop it'));
      }
    } else {
      // Judged against the pool's weight, unless that is wrong itself (GpuNodePool reports it).
      const weightValid = Number.isInteger(weight) && weight! >= 1 && weight! <= 100;
      if (weightValid && (!Number.isInteger(fallbackWeight) || fallbackWeight < 1 || fallbackWeight >= weight!)) {
        errors.push(new GpuConfigError(path, 'fallbackWeight', `is ${fallbackWeight}, not in 1..${weight! - 1} (below the spot pool's weight ${weight})`,
          'give the fallback a lower weight than the spot pool so spot is tried first'));
      }
      if (props.fallbackGpuLimit !== undefined && (!Number.isInteger(props.fallbackGpuLimit) || props.fallbackGpuLimit < 1)) {
        errors.push(new GpuConfigError(path, 'fallbackGpuLimit', `is ${describeValue(props.fallbackGpuLimit)}`, 'pass a whole number of GPUs >= 1, or leave it unset for the spot pool\'s gpuLimit'));
      }
    }
    super(scope, id, _withPriorErrors({
      ...props,
      capacityType: CapacityType.SPOT,
      capacityTypes: undefined,
      consolidationPolicy: props.consolidationPolicy ?? ConsolidationPolicy.WHEN_EMPTY,
      weight,
      // Not a list: GpuNodePool reports it.
      taints: props.taints === undefined || Array.isArray(props.taints) ? [SPOT_TAINT, ...(props.taints ?? [])] : props.taints,
    }, errors));
    if (this.allowedInstanceTypes.length < SpotGpuPool.MIN_RECOMMENDED_INSTANCE_TYPES) {
      _warn(this, SPOT_FEW_TYPES, 'instanceTypes', `spot pool allows only ${this.allowedInstanceTypes.length} instance type(s) (${this.allowedInstanceTypes.map((t) => t.name).join(', ')}), `
        + 'so a spot shortage of those types leaves its pods Pending',
      `allow at least ${SpotGpuPool.MIN_RECOMMENDED_INSTANCE_TYPES} so Karpenter can find spot capacity, or add onDemandFallback`);
    }
    if (!props.onDemandFallback) return;
    this.onDemandFallback = new GpuNodePool(this, 'OnDemandFallback', {
      name: props.name ? `${props.name}-on-demand` : undefined,
      instanceTypes: this.allowedInstanceTypes,
      capacityType: CapacityType.ON_DEMAND,
      gpuTaint: props.gpuTaint,
      taints: props.taints,
      startupTaints: props.startupTaints,
      labels: props.labels,
      gpuLimit: props.fallbackGpuLimit ?? this.gpuLimit,
      consolidationPolicy: props.consolidationPolicy,
      consolidateAfter: props.consolidateAfter,
      budgets: props.budgets,
      expireAfter: props.expireAfter,
      neverExpire: props.neverExpire,
      terminationGracePeriod: props.terminationGracePeriod,
      weight: fallbackWeight,
      nodeClass: this.nodeClass,
    });
  }

  /** This pool, then the fallback when there is one: what a workload that may run on either should use. */
  public get allPools(): IGpuNodePool[] {
    return this.onDemandFallback ? [this, this.onDemandFallback] : [this];
  }
}
