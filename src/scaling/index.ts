// Event-driven scaling of GPU workloads with KEDA (see DESIGN.md "Layout").
export * from './target';
export {
  GpuScalingTrigger, GpuUtilizationTriggerOptions, PromQLTriggerOptions, ScalingProfile, ScalingProfileProps,
  VllmKvCacheTriggerOptions, VllmQueueDepthTriggerOptions,
} from './triggers';
export * from './keda-gpu-scaler';
