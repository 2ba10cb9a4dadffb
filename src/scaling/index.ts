// Event-driven scaling of GPU workloads with KEDA (see DESIGN.md "Layout").
export * from './target';
export { GpuScalingTrigger, ScalingProfile } from './triggers';
export type {
  GpuUtilizationTriggerOptions, PromQLTriggerOptions, ScalingProfileProps, VllmKvCacheTriggerOptions, VllmQueueDepthTriggerOptions,
} from './triggers';
export * from './keda-gpu-scaler';
