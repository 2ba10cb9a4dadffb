/**
 * The shape of a plan: where every GPU workload lands, what each pool must launch at the workloads' minimum and
 * maximum replicas, and what that costs per hour. Plain data (JSON-serialisable as is), built by
 * {@link planGpuWorkloads} and drawn by the text, JSON and HTML renderers.
 *
 * Internal (not exported from src/index.ts): records and unions keep it simple for TypeScript users and the CLI.
 */
import { GangPlan } from './gang';
import type { QueuePlan } from './queues';
import { SystemReserve } from '../scheduling/placement';

/**
 * The spot price assumption: spot = on-demand × (1 − discount). Not a quote: AWS advertises Spot "up to 90%" below
 * on-demand (https://aws.amazon.com/ec2/spot/pricing/), GPU types usually save less and the saving moves by region,
 * zone and hour. 0.6 (60% off) is a mid-range planning figure; override it (`--spot-discount`) with your region's
 * Spot price history (`aws ec2 describe-spot-price-history`).
 */
export const DEFAULT_SPOT_DISCOUNT = 0.6;

/** KEDA's `minReplicaCount` default (keda.sh/docs ScaledObject spec). */
export const KEDA_DEFAULT_MIN_REPLICAS = 0;
/** KEDA's `maxReplicaCount` default (keda.sh/docs ScaledObject spec). */
export const KEDA_DEFAULT_MAX_REPLICAS = 100;
/** The HorizontalPodAutoscaler's `minReplicas` default (autoscaling/v2 API reference). */
export const HPA_DEFAULT_MIN_REPLICAS = 1;

/** Options of {@link planGpuWorkloads}. */
export interface PlanOptions {
  /** Spot discount off on-demand, in [0, 1). @default DEFAULT_SPOT_DISCOUNT (0.6) */
  readonly spotDiscount?: number;
  /** What each node keeps for itself (placement and packing). @default the scheduling model's defaults */
  readonly systemReserve?: SystemReserve;
  /**
   * Validate every object against its schema first (the lint gate, GPU009): an invalid object is left out of the
   * plan with an error naming each violation, so a wrong type never becomes a wrong figure. @default true
   */
  readonly schemaGate?: boolean;
}

/** A min/max pair. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** How many replicas a workload runs, and who says so. */
export interface ReplicaRange extends Range {
  /**
   * Where the numbers come from: `ScaledObject <ns>/<name>`, `HorizontalPodAutoscaler <ns>/<name>`,
   * `spec.replicas`, `spec.parallelism`, `pod`, and for a CronJob
   * `spec.jobTemplate.spec.parallelism during a run, 0 between runs`.
   */
  readonly source: string;
}

/**
 * NodePools a workload fits, grouped by the instance types one of its pods fits there. With {@link RejectionGroup}
 * the pools of a plan's workload are partitioned: every NodePool of the input is named exactly once, in one `fits`
 * group or one `rejectedBy` group of each workload.
 */
export interface FitGroup {
  /** Instance types of these pools one pod fits, catalog order. */
  readonly instanceTypes: string[];
  /** The pools, input order. */
  readonly pools: string[];
}

/** NodePools a workload cannot land on for the same reason: the first predicate that failed, and its words. */
export interface RejectionGroup {
  /** `taints`, `nodeSelector`, `nodeAffinity`, `gpu`, `cpu`, `memory`, `limits`, `instanceTypes`. */
  readonly failedPredicate?: string;
  /** The first predicate that failed, in words (the same for every pool of the group). */
  readonly reason?: string;
  /** The pools, input order. */
  readonly pools: string[];
}

/** Replicas of a workload one pool takes, after spill-over. */
export interface SpillShare {
  /** The NodePool. */
  readonly pool: string;
  /** Replicas there at the workload's minimum and maximum. */
  readonly min: number;
  readonly max: number;
}

/** The plan of one GPU workload. */
export interface WorkloadPlan {
  /** `Deployment`, `StatefulSet`, `Job`, … */
  readonly kind: string;
  /** metadata.namespace, when set. */
  readonly namespace?: string;
  /** metadata.name. */
  readonly name: string;
  /** `Kind ns/name`, for messages. */
  readonly label: string;
  /** Input file, when read from YAML. */
  readonly file?: string;
  /** 1-based line of the object in `file`. */
  readonly line?: number;
  /** Effective GPU requests of one pod, per resource (`nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`, …). */
  readonly gpusPerReplica: Record<string, number>;
  /** Effective cpu request of one pod, in cores. */
  readonly cpuPerReplica: number;
  /** Effective memory request of one pod, in bytes. */
  readonly memoryBytesPerReplica: number;
  /** Effective ephemeral-storage request of one pod, in bytes; absent when it requests none. */
  readonly ephemeralStorageBytesPerReplica?: number;
  /** Replica range; absent for a DaemonSet (one pod per node: not counted in capacity). */
  readonly replicas?: ReplicaRange;
  /**
   * The pools it fits, grouped by the instance types one pod fits there; groups in the input order of their first
   * pool. (Plan JSON version 1 had `fitsPools` and one `verdicts` entry per pool; version 2 groups them.)
   */
  readonly fits: FitGroup[];
  /**
   * The pools it does not fit, grouped by the first predicate that failed and its reason; groups in the input order
   * of their first pool. With `fits`, every NodePool is named exactly once.
   */
  readonly rejectedBy: RejectionGroup[];
  /** The pool Karpenter would pick (highest weight, then name), when any fits. */
  readonly pool?: string;
  /**
   * Why that pool, in words, naming the first few pools Karpenter falls back to (the full order follows from the
   * fitting pools' `weight` and `name` in `pools`: highest weight first, then name).
   */
  readonly attribution?: string;
  /**
   * Where its replicas land after spill-over: per pool in Karpenter's order, the replicas at min and max (pools with
   * none left out). Absent for workloads that are not counted (DaemonSets, unschedulable).
   */
  readonly spread?: SpillShare[];
  /** The cheapest instance type of `pool` one replica fits (priced types first). */
  readonly instanceType?: string;
  /** Whether a pod of it can ever be scheduled (some pool fits and no quota refuses one pod). */
  readonly schedulable: boolean;
  /** Why it can never schedule or never reach its maximum (empty when fine). */
  readonly problems: string[];
  /** Remarks that do not fail the plan (two autoscalers, DaemonSet, …). */
  readonly notes: string[];
  /** When the workload is a gang (all ranks at once or none): its nodes and hourly cost. See gang.ts. */
  readonly gang?: GangPlan;
}

/** Hourly cost in USD, three ways. */
export interface PoolCost {
  /** Every node priced on-demand. */
  readonly onDemand: Range;
  /** Every node priced at spot (on-demand × (1 − spotDiscount)). */
  readonly spot: Range;
  /** Priced at the pool's capacity type (`pricedAs`): what is paid by the hour; 0 for reserved capacity (pre-paid). */
  readonly expected: Range;
  /**
   * Reserved capacity used, pre-paid: the nodes of reserved-only pools valued at the on-demand rate (an On-Demand
   * Capacity Reservation bills that rate whether used or not; a Capacity Block is paid when bought). Not in `expected`.
   */
  readonly reserved: Range;
}

/** Nodes of one instance type a pool launches. */
export interface NodeCount extends Range {
  /** Instance type name. */
  readonly instanceType: string;
  /** GPUs per node. */
  readonly gpusPerNode: number;
  /** On-demand USD/h (us-east-1, catalog); absent when the catalog has no public price. */
  readonly onDemandUsdPerHour?: number;
}

/** The capacity and cost plan of one NodePool. */
export interface PoolPlan {
  /** metadata.name. */
  readonly name: string;
  /** spec.weight. */
  readonly weight?: number;
  /** Allowed capacity types. */
  readonly capacityTypes: string[];
  /**
   * How its nodes are priced: `spot` when the pool allows spot (Karpenter prefers spot then), `reserved` when it only
   * allows reserved capacity (pre-paid: `cost.reserved`), else `on-demand`.
   */
  readonly pricedAs: string;
  /** spec.limits['nvidia.com/gpu']. */
  readonly gpuLimit?: number;
  /** Workloads attributed to the pool (label), input order. */
  readonly workloads: string[];
  /** Of those, the ones that can only land here. */
  readonly onlyHere: string[];
  /** GPUs requested by the attributed workloads (MIG/time-sliced slices as a share of a GPU). */
  readonly gpus: Range;
  /** GPUs of the nodes launched for them (what Karpenter counts against `limits`). */
  readonly nodeGpus: Range;
  /** Nodes launched for them. */
  readonly nodes: Range;
  /** Nodes per instance type. */
  readonly nodesByType: NodeCount[];
  /** Hourly cost. */
  readonly cost: PoolCost;
  /** Instance types used without a public price (their nodes cost 0 in `cost`). */
  readonly unpricedTypes: string[];
  /** Errors (minimum or maximum can never be reached). */
  readonly problems: string[];
  /** Warnings and remarks. */
  readonly notes: string[];
}

/** A problem of the plan. */
export interface PlanProblem {
  /** `error` fails the plan (exit 1); `warning` is printed only. */
  readonly severity: string;
  /** `Deployment ns/name`, `NodePool name`, … */
  readonly subject: string;
  /** What is wrong. */
  readonly message: string;
}

/** The whole plan. */
export interface Plan {
  /** The spot discount used. */
  readonly spotDiscount: number;
  /** GPU workloads, input order. */
  readonly workloads: WorkloadPlan[];
  /** NodePools, input order. */
  readonly pools: PoolPlan[];
  /** Sums over the pools. */
  readonly totals: {
    readonly gpus: Range;
    readonly nodeGpus: Range;
    readonly nodes: Range;
    readonly cost: PoolCost;
    readonly unpricedTypes: string[];
  };
  /** Every error and warning, workloads first (input order), then pools. */
  readonly problems: PlanProblem[];
  /** The modelling assumptions, in words (also printed by every renderer). */
  readonly assumptions: string[];
  /** Kueue ClusterQueues: quota per flavor against the pools' limits, and the demand queued (src/plan/queues.ts). */
  readonly queues?: QueuePlan[];
}

/** Whether the plan has an error (CLI exit 1). */
export function planHasErrors(plan: Plan): boolean {
  return plan.problems.some((p) => p.severity === 'error');
}
