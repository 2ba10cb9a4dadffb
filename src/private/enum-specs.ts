/**
 * The enum-like props of the library and the upstream names users bring for them (internal), for
 * {@link checkEnum}. Renames are upstream facts, each with its source. Functions, not constants: the enums' modules
 * import this one, so the enums are read at call time, never while modules load.
 */
import { EnumSpec, enumSpec } from './enum-values';
import { DcgmMetricType } from '../monitoring/collectors';
import { DcgmExporterMode } from '../monitoring/dcgm-monitoring';
import { CapacityReservationKind, CapacityType } from '../pools/capacity';
import { ConsolidationPolicy, DisruptionReason } from '../pools/disruption';
import { GpuAmiFamily } from '../pools/node-class';
import { TaintEffect } from '../pools/pool';
import { ScalingProfile } from '../scaling/triggers';
import { MigStrategy } from '../sharing/strategy';

/** Why expiration is no budget reason (karpenter.sh v1 "Disruption": expiration is a forceful method). */
const EXPIRATION = 'not a budget reason: in Karpenter v1 expiration is forceful and no budget holds it back (bound it with expireAfter and terminationGracePeriod)';

/**
 * `GpuNodePool.consolidationPolicy`. Karpenter v1 renamed v1beta1's `WhenUnderutilized` to
 * `WhenEmptyOrUnderutilized` (Karpenter v1 upgrade guide).
 */
export const CONSOLIDATION_POLICY = (): EnumSpec => enumSpec('ConsolidationPolicy', ConsolidationPolicy as any, {
  WhenUnderutilized: 'Karpenter v1beta1\'s name for WhenEmptyOrUnderutilized (ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED)',
});

/** `budgets[].reasons[]` (Karpenter v1 NodePool CRD: Underutilized, Empty, Drifted). */
export const DISRUPTION_REASON = (): EnumSpec => enumSpec('DisruptionReason', DisruptionReason as any, {
  Expired: EXPIRATION,
  Expiration: EXPIRATION,
  Drift: 'the disruption method; its budget reason is Drifted (DisruptionReason.DRIFTED)',
  Consolidation: 'the disruption method; its budget reasons are Empty and Underutilized (DisruptionReason.EMPTY, DisruptionReason.UNDERUTILIZED)',
});

/** A taint's `effect` (core/v1 TaintEffect). */
export const TAINT_EFFECT = (): EnumSpec => enumSpec('TaintEffect', TaintEffect as any);

/** A DCGM collectors CSV line's type (dcgm-exporter reads gauge, counter, label). */
export const DCGM_METRIC_TYPE = (): EnumSpec => enumSpec('DcgmMetricType', DcgmMetricType as any);

/** `CapacityReservation.byTags` `kind` (EC2NodeClass `capacityReservationSelectorTerms`: default, capacity-block). */
export const CAPACITY_RESERVATION_KIND = (): EnumSpec => enumSpec('CapacityReservationKind', CapacityReservationKind as any);

/**
 * `GpuOperator.nodeImage`: the AMI families with an NVIDIA GPU AMI here. AL2 is not one: its EKS-optimized AMIs
 * reached end of support (as `GpuAmi.fromAlias` says).
 */
export const GPU_AMI_FAMILY = (): EnumSpec => enumSpec('GpuAmiFamily', GpuAmiFamily as any, {
  al2: 'Amazon Linux 2, whose EKS-optimized AMIs reached end of support (no GPU AMI here)',
  AL2: 'Amazon Linux 2, whose EKS-optimized AMIs reached end of support (no GPU AMI here)',
});

/** `DcgmMonitoring.mode`. */
export const DCGM_EXPORTER_MODE = (): EnumSpec => enumSpec('DcgmExporterMode', DcgmExporterMode as any);

/** `capacityType` / `capacityTypes[]` (the `karpenter.sh/capacity-type` values): an enum-like class. */
export const CAPACITY_TYPE = (): EnumSpec => ({
  typeName: 'CapacityType',
  choices: [['ON_DEMAND', CapacityType.ON_DEMAND], ['SPOT', CapacityType.SPOT], ['RESERVED', CapacityType.RESERVED]]
    .map(([k, c]) => ({ code: `CapacityType.${k as string}`, value: (c as CapacityType).value })),
});

/** `DevicePluginConfig.migStrategy` (the device plugin's `MIG_STRATEGY`): an enum-like class. */
export const MIG_STRATEGY = (): EnumSpec => ({
  typeName: 'MigStrategy',
  choices: [['NONE', MigStrategy.NONE], ['SINGLE', MigStrategy.SINGLE], ['MIXED', MigStrategy.MIXED]]
    .map(([k, c]) => ({ code: `MigStrategy.${k as string}`, value: (c as MigStrategy).value })),
});

/** `KedaGpuScaler.profile`: an enum-like class (or `ScalingProfile.custom(...)`). */
export const SCALING_PROFILE = (): EnumSpec => ({
  typeName: 'ScalingProfile',
  choices: [['REAL_TIME', ScalingProfile.REAL_TIME], ['BATCH', ScalingProfile.BATCH], ['INTERACTIVE', ScalingProfile.INTERACTIVE]]
    .map(([k, c]) => ({ code: `ScalingProfile.${k as string}`, value: (c as ScalingProfile).name })),
});
