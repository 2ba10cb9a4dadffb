// EKS: the only aws-cdk-lib code in the library (see DESIGN.md "Layout").
// karpenter.ts, versions.ts and private/ are implementation details and stay unexported.
export * from './addons';
export * from './cluster';
export * from './stack';
export { DRA_MIN_KUBERNETES_MINOR, NvidiaDraDriverOptions } from './dra';
