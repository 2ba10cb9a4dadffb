/**
 * The enum-like props of the library and the upstream names users bring for them (internal), for
 * {@link checkEnum}. Renames are upstream facts, each with its source. Functions, not constants, and each enum's
 * module is required when its spec is asked for: the enums' modules import this one (so an enum is read at call time,
 * never while modules load), and the linter's rules reach this file through `DcgmMetricType` without loading the
 * constructs (cdk8s-plus-30) that `lint` never uses.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { EnumSpec, enumSpec } from './enum-values';
import { lazy } from './lazy';

const collectors = lazy((): typeof import('../monitoring/collectors') => require('../monitoring/collectors'));
const dcgmMonitoring = lazy((): typeof import('../monitoring/dcgm-monitoring') => require('../monitoring/dcgm-monitoring'));
const capacity = lazy((): typeof import('../pools/capacity') => require('../pools/capacity'));
const disruption = lazy((): typeof import('../pools/disruption') => require('../pools/disruption'));
const nodeClass = lazy((): typeof import('../pools/node-class') => require('../pools/node-class'));
const pool = lazy((): typeof import('../pools/pool') => require('../pools/pool'));
const triggers = lazy((): typeof import('../scaling/triggers') => require('../scaling/triggers'));
const strategy = lazy((): typeof import('../sharing/strategy') => require('../sharing/strategy'));

/** Why expiration is no budget reason (karpenter.sh v1 "Disruption": expiration is a forceful method). */
const EXPIRATION = 'not a budget reason: in Karpenter v1 expiration is forceful and no budget holds it back (bound it with expireAfter and terminationGracePeriod)';

/**
 * `GpuNodePool.consolidationPolicy`. Karpenter v1 renamed v1beta1's `WhenUnderutilized` to
 * `WhenEmptyOrUnderutilized` (Karpenter v1 upgrade guide).
 */
export const CONSOLIDATION_POLICY = (): EnumSpec => enumSpec('ConsolidationPolicy', disruption().ConsolidationPolicy as any, {
  WhenUnderutilized: 'Karpenter v1beta1\'s name for WhenEmptyOrUnderutilized (ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED)',
});

/** `budgets[].reasons[]` (Karpenter v1 NodePool CRD: Underutilized, Empty, Drifted). */
export const DISRUPTION_REASON = (): EnumSpec => enumSpec('DisruptionReason', disruption().DisruptionReason as any, {
  Expired: EXPIRATION,
  Expiration: EXPIRATION,
  Drift: 'the disruption method; its budget reason is Drifted (DisruptionReason.DRIFTED)',
  Consolidation: 'the disruption method; its budget reasons are Empty and Underutilized (DisruptionReason.EMPTY, DisruptionReason.UNDERUTILIZED)',
});

/** A taint's `effect` (core/v1 TaintEffect). */
export const TAINT_EFFECT = (): EnumSpec => enumSpec('TaintEffect', pool().TaintEffect as any);

/** A DCGM collectors CSV line's type (dcgm-exporter reads gauge, counter, label). */
export const DCGM_METRIC_TYPE = (): EnumSpec => enumSpec('DcgmMetricType', collectors().DcgmMetricType as any);

/** `CapacityReservation.byTags` `kind` (EC2NodeClass `capacityReservationSelectorTerms`: default, capacity-block). */
export const CAPACITY_RESERVATION_KIND = (): EnumSpec => enumSpec('CapacityReservationKind', capacity().CapacityReservationKind as any);

/**
 * `GpuOperator.nodeImage`: the AMI families with an NVIDIA GPU AMI here. AL2 is not one: its EKS-optimized AMIs
 * reached end of support (as `GpuAmi.fromAlias` says).
 */
export const GPU_AMI_FAMILY = (): EnumSpec => enumSpec('GpuAmiFamily', nodeClass().GpuAmiFamily as any, {
  al2: 'Amazon Linux 2, whose EKS-optimized AMIs reached end of support (no GPU AMI here)',
  AL2: 'Amazon Linux 2, whose EKS-optimized AMIs reached end of support (no GPU AMI here)',
});

/** `DcgmMonitoring.mode`. */
export const DCGM_EXPORTER_MODE = (): EnumSpec => enumSpec('DcgmExporterMode', dcgmMonitoring().DcgmExporterMode as any);

/** `capacityType` / `capacityTypes[]` (the `karpenter.sh/capacity-type` values): an enum-like class. */
export const CAPACITY_TYPE = (): EnumSpec => {
  const C = capacity().CapacityType;
  return enumSpec('CapacityType', { ON_DEMAND: C.ON_DEMAND.value, SPOT: C.SPOT.value, RESERVED: C.RESERVED.value });
};

/** `DevicePluginConfig.migStrategy` (the device plugin's `MIG_STRATEGY`): an enum-like class. */
export const MIG_STRATEGY = (): EnumSpec => {
  const M = strategy().MigStrategy;
  return enumSpec('MigStrategy', { NONE: M.NONE.value, SINGLE: M.SINGLE.value, MIXED: M.MIXED.value });
};

/** `KedaGpuScaler.profile`: an enum-like class (or `ScalingProfile.custom(...)`). */
export const SCALING_PROFILE = (): EnumSpec => {
  const P = triggers().ScalingProfile;
  return enumSpec('ScalingProfile', { REAL_TIME: P.REAL_TIME.name, BATCH: P.BATCH.name, INTERACTIVE: P.INTERACTIVE.name });
};
