// GPU node pools: Karpenter v1 NodePools and the EC2NodeClass they share (see DESIGN.md "Layout").
export * from './pool';
export * from './capacity';
export * from './disruption';
export * from './node-class';
export * from './node-pool';
export * from './spot';
export * from './tiered';
export { PlacementGroupSelector } from './efa';
