/**
 * The built-in rules, by family: annotations (GPU000), resources (GPU001), placement (GPU002, GPU004, GPU006),
 * karpenter (GPU003, GPU005, GPU008), objects (GPU007).
 */
import { Rule } from '../rule';
import { SUPPRESSION_RULE } from './annotations';
import { DRA_RULES } from './dra';
import { GENERAL_POOL_ADMITS_GPU_TYPES, GPU_POOL_LIMITED, GPU_POOL_TAINTED, KARPENTER_RULES } from './karpenter';
import { SCALING_RULES } from './keda';
import { KUEUE_RULES } from './kueue';
import { LIMIT_RANGE_RULES } from './limit-ranges';
import { MONITORING_RULES } from './monitoring';
import { MPS_RULES } from './mps';
import { NETWORK_RULES } from './network';
import { DUPLICATE_OBJECT } from './objects';
import { GPU_MODEL_NOT_PINNED, GPU_POD_TOLERATES_GPU_TAINT, NON_GPU_POD_TOLERATES_GPU_TAINT } from './placement';
import { GPU_RESOURCES_IN_LIMITS } from './resources';
import { RULE_FAILED, SCHEMA_VIOLATION } from './schema-gate';
import { SECURITY_RULES } from './security';
import { SERVING_RULES } from './serving';
import { SHARING_RULES } from './sharing';
import { TRAINING_RULES } from './training';
import { WORKLOAD_RULES } from './workloads';
import { byCodeUnits } from '../../private/order';

export { SUPPRESSION_RULE } from './annotations';
export { GENERAL_POOL_ADMITS_GPU_TYPES, GPU_POOL_LIMITED, GPU_POOL_TAINTED, KARPENTER_RULES } from './karpenter';
export { DUPLICATE_OBJECT } from './objects';
export { DRA_RULES } from './dra';
export { MPS_RULES } from './mps';
export { NETWORK_RULES } from './network';
export { GPU_MODEL_NOT_PINNED, GPU_POD_TOLERATES_GPU_TAINT, NON_GPU_POD_TOLERATES_GPU_TAINT } from './placement';
export { GPU_RESOURCES_IN_LIMITS } from './resources';
export { RULE_FAILED, SCHEMA_VIOLATION } from './schema-gate';
export { SCALING_RULES } from './keda';
export { KUEUE_RULES } from './kueue';
export { LIMIT_RANGE_RULES } from './limit-ranges';
export { MONITORING_RULES } from './monitoring';
export { SECURITY_RULES, NVIDIA_VISIBLE_DEVICES_WITHOUT_GPU, POD_SECURITY_ENFORCED } from './security';
export { SERVING_RULES } from './serving';
export { SHARING_RULES } from './sharing';
export { TRAINING_RULES } from './training';
export { WORKLOAD_RULES } from './workloads';
export * from './gpu-pools';

/**
 * Every built-in rule, sorted by id (families: GPU0xx core, GPU1xx Karpenter pools, GPU20x-GPU21x workloads and
 * training, GPU22x serving, GPU30x KEDA scaling, GPU31x-GPU32x monitoring, GPU4xx MIG, time-slicing and MPS, GPU50x
 * Kueue, GPU60x DRA, GPU70x security).
 */
export const BUILTIN_RULES: readonly Rule[] = [
  SUPPRESSION_RULE,
  GPU_RESOURCES_IN_LIMITS,
  GPU_POD_TOLERATES_GPU_TAINT,
  GPU_POOL_TAINTED,
  NON_GPU_POD_TOLERATES_GPU_TAINT,
  GPU_POOL_LIMITED,
  GPU_MODEL_NOT_PINNED,
  DUPLICATE_OBJECT,
  GENERAL_POOL_ADMITS_GPU_TYPES,
  SCHEMA_VIOLATION,
  RULE_FAILED,
  ...KARPENTER_RULES,
  ...WORKLOAD_RULES,
  ...LIMIT_RANGE_RULES,
  ...TRAINING_RULES,
  ...SERVING_RULES,
  ...SCALING_RULES,
  ...MONITORING_RULES,
  ...NETWORK_RULES,
  ...SHARING_RULES,
  ...MPS_RULES,
  ...DRA_RULES,
  ...KUEUE_RULES,
  ...SECURITY_RULES,
].sort((a, b) => byCodeUnits(a.id, b.id));
