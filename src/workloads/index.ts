// GPU workloads: InferenceDeployment, TrainingJob, TieredPriorities (see DESIGN.md "Layout").
export * from './gpu-request';
export * from './priorities';
export * from './props';
export * from './inference';
export * from './distributed-props';
export * from './training';
