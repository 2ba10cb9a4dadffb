// Kueue queues bound to the GPU pools: flavors, cluster and local queues, workload priorities (see DESIGN.md "Layout").
export * from './labels';
export * from './workload-priorities';
export * from './resource-flavor';
export * from './cluster-queue';
export * from './local-queue';
