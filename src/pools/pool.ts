/**
 * What a workload needs to know about a GPU node pool: the jsii-friendly {@link IGpuNodePool} contract and the
 * plain-JSON structs it speaks (taints, tolerations, node-selector requirements).
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GpuInstanceType } from '../catalog';
import { CapacityType } from './capacity';

/** Effect of a node taint (Kubernetes `core/v1` `TaintEffect`). */
export enum TaintEffect {
  /** New pods that do not tolerate the taint are not scheduled; running pods stay. */
  NO_SCHEDULE = 'NoSchedule',
  /** The scheduler tries to avoid the node; never blocks scheduling. */
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  /** Pods that do not tolerate the taint are evicted, and new ones are not scheduled. */
  NO_EXECUTE = 'NoExecute',
}

/** A node taint, e.g. `nvidia.com/gpu=true:NoSchedule`. */
export interface NodeTaint {
  /** Taint key, e.g. `nvidia.com/gpu`. */
  readonly key: string;
  /** Taint value. @default - no value (`key:Effect`) */
  readonly value?: string;
  /** Taint effect. */
  readonly effect: TaintEffect;
}

/** A pod toleration as Kubernetes JSON (`pod.spec.tolerations[]`). */
export interface PodToleration {
  /** Taint key the toleration matches. @default - every key (operator must be `Exists`) */
  readonly key?: string;
  /** `Equal` or `Exists`. @default 'Equal' */
  readonly operator?: string;
  /** Value compared with `Equal`. @default - none */
  readonly value?: string;
  /** Effect matched. @default - every effect */
  readonly effect?: string;
  /** For `NoExecute`: how long the pod stays after the taint appears. @default - forever */
  readonly tolerationSeconds?: number;
}

/** One `matchExpressions` entry of a node selector term (Kubernetes JSON). */
export interface PoolNodeSelectorRequirement {
  /** Label key. */
  readonly key: string;
  /** `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`. */
  readonly operator: string;
  /** Values. @default - none (for `Exists`/`DoesNotExist`) */
  readonly values?: string[];
}

/** A node selector term: all requirements must hold (Kubernetes JSON). */
export interface PoolNodeSelectorTerm {
  /** Requirements on node labels, ANDed. */
  readonly matchExpressions: PoolNodeSelectorRequirement[];
}

/** `pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution` (Kubernetes JSON). */
export interface PoolRequiredNodeAffinity {
  /** Terms, ORed: a node matching any term qualifies. */
  readonly nodeSelectorTerms: PoolNodeSelectorTerm[];
}

/**
 * A Karpenter GPU node pool as workloads see it: where its nodes come from and what a pod needs to land there.
 * Implemented by {@link GpuNodePool} (and its presets); workloads take `pools: IGpuNodePool[]`.
 */
export interface IGpuNodePool extends IConstruct {
  /** The NodePool's `metadata.name` (also the value of the node label `karpenter.sh/nodepool`). */
  readonly poolName: string;
  /** Taints every node of the pool carries (excluding start-up taints); pods must tolerate all of them. */
  readonly taints: NodeTaint[];
  /** Start-up taints (removed by an agent once the node is ready); pods need not tolerate them. */
  readonly startupTaints: NodeTaint[];
  /** Labels every node of the pool carries, set by the pool (`spec.template.metadata.labels`). */
  readonly labels: Record<string, string>;
  /** The catalog instance types the pool may launch, in catalog order. */
  readonly allowedInstanceTypes: GpuInstanceType[];
  /** Capacity types the pool may buy, in the order written. */
  readonly capacityTypes: CapacityType[];
  /** The pool's `limits['nvidia.com/gpu']`. */
  readonly gpuLimit: number;
  /** Pool weight (higher is tried first). @default - none (Karpenter treats it as 0) */
  readonly weight?: number;
  /**
   * How long Karpenter waits for a node of the pool to drain before deleting its pods (`terminationGracePeriod`).
   * @default - none: a drain waits for evictions indefinitely
   */
  readonly terminationGracePeriod?: Duration;
  /** Tolerations matching exactly this pool's taints (one per taint). */
  tolerations(): PodToleration[];
  /** Requirements that pin a pod to this pool (`karpenter.sh/nodepool In [poolName]`). */
  nodeSelectorRequirements(): PoolNodeSelectorRequirement[];
  /** Required node affinity that pins a pod to this pool. */
  requiredNodeAffinity(): PoolRequiredNodeAffinity;
}

/** Placement helpers for a workload that may run on any of several pools. */
export class GpuPoolPlacement {
  /** The union of the pools' tolerations, without duplicates, in pool order. */
  public static tolerations(pools: IGpuNodePool[]): PodToleration[] {
    const out: PodToleration[] = [];
    const seen = new Set<string>();
    for (const pool of pools) {
      for (const t of pool.tolerations()) {
        const k = JSON.stringify([t.key, t.operator, t.value, t.effect, t.tolerationSeconds]);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(t);
        }
      }
    }
    return out;
  }

  /** Required node affinity admitting nodes of any of the pools (`karpenter.sh/nodepool In [names…]`). */
  public static requiredNodeAffinity(pools: IGpuNodePool[]): PoolRequiredNodeAffinity {
    const names = [...new Set(pools.map((p) => p.poolName))];
    return { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: names }] }] };
  }

  private constructor() {}
}
