/**
 * Karpenter v1 disruption settings: consolidation policy, budgets (with cron schedules) and reasons.
 * Source: karpenter-provider-aws v1.14.1 CRD `karpenter.sh_nodepools.yaml` (`spec.disruption`).
 */
import { Duration } from 'cdk8s';
import { GpuConfigError } from '../errors';

/** Which nodes Karpenter may remove through consolidation (`spec.disruption.consolidationPolicy`). */
export enum ConsolidationPolicy {
  /** Only nodes with no workload pods (daemonsets aside). The safe choice for GPU nodes and spot. */
  WHEN_EMPTY = 'WhenEmpty',
  /** Empty nodes and nodes whose pods fit elsewhere (pods are evicted and rescheduled). Karpenter's default. */
  WHEN_EMPTY_OR_UNDERUTILIZED = 'WhenEmptyOrUnderutilized',
  /** Consolidate only when the saving outweighs the disruption (newer Karpenter releases; in the v1.14 CRD). */
  BALANCED = 'Balanced',
}

/** A disruption method a budget applies to (`budgets[].reasons[]`). */
export enum DisruptionReason {
  /** Removing an empty node. */
  EMPTY = 'Empty',
  /** Replacing or removing an underutilized node. */
  UNDERUTILIZED = 'Underutilized',
  /** Replacing a node that no longer matches its NodePool/EC2NodeClass (e.g. a new AMI). */
  DRIFTED = 'Drifted',
}

/**
 * A disruption budget: at most `nodes` nodes of the pool may be disrupted at once, always or during a
 * cron window. Karpenter applies the most restrictive active budget.
 */
export interface DisruptionBudget {
  /** Nodes that may be disrupted at once: a count (`'0'`, `'2'`) or a percentage (`'10%'`). */
  readonly nodes: string;
  /**
   * When the budget starts being active, in cron syntax (UTC; Karpenter does not support timezones), e.g.
   * `'0 9 * * 1-5'`. Must be set together with `duration`.
   * @default - always active
   */
  readonly schedule?: string;
  /** How long the budget stays active after each schedule hit (whole minutes). @default - always active */
  readonly duration?: Duration;
  /** Disruption methods the budget applies to. @default - all methods */
  readonly reasons?: DisruptionReason[];
}

/** Options for {@link DisruptionBudgets.businessHours}. */
export interface BusinessHoursBudgetOptions {
  /** Hour (UTC, 0-23) business hours start. @default 9 */
  readonly startHourUtc?: number;
  /** Length of the business day. @default Duration.hours(10) */
  readonly duration?: Duration;
  /** Days of week in cron syntax (0 = Sunday). @default '1-5' (Monday to Friday) */
  readonly weekdays?: string;
  /** Disruption methods blocked. @default - all methods (no node is disrupted in business hours) */
  readonly reasons?: DisruptionReason[];
}

/** Ready-made disruption budgets. */
export class DisruptionBudgets {
  /**
   * No node disruption during business hours (`nodes: '0'` from `startHourUtc` for `duration` on `weekdays`).
   * Combine with an always-on budget such as {@link DisruptionBudgets.atMost} for the rest of the week.
   */
  public static businessHours(options: BusinessHoursBudgetOptions = {}): DisruptionBudget {
    const start = options.startHourUtc ?? 9;
    if (!Number.isInteger(start) || start < 0 || start > 23) {
      throw new GpuConfigError('DisruptionBudgets.businessHours', 'startHourUtc', `is ${start}, not an hour 0-23`, 'pass a whole hour in UTC, e.g. 9');
    }
    return {
      nodes: '0',
      schedule: `0 ${start} * * ${options.weekdays ?? '1-5'}`,
      duration: options.duration ?? Duration.hours(10),
      ...(options.reasons ? { reasons: options.reasons } : {}),
    };
  }

  /**
   * Keep nodes for as long as the reservation lasts: never consolidate them (`nodes: '0'` for `Empty` and
   * `Underutilized`), while drift (e.g. AMI updates) stays allowed. Reserved capacity (ODCR, Capacity Block) is
   * paid whether a node runs or not, so removing an idle node saves nothing and may lose the slot.
   */
  public static keepReservedNodes(): DisruptionBudget {
    return { nodes: '0', reasons: [DisruptionReason.EMPTY, DisruptionReason.UNDERUTILIZED] };
  }

  /**
   * At most `nodes` nodes disrupted at once, always.
   * @param nodes a count (`'1'`) or a percentage (`'10%'`)
   */
  public static atMost(nodes: string): DisruptionBudget {
    return { nodes };
  }

  private constructor() {}
}
