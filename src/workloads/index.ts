// GPU workloads: InferenceDeployment, TrainingJob, TieredPriorities (see DESIGN.md "Layout").
export * from './gpu-request';
export * from './priorities';
export { GpuWorkloadProps, SecretKeyRef, PvcMount } from './gpu-pod';
export * from './inference';
export * from './training';
