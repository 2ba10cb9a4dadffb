// EKS: the only aws-cdk-lib code in the library (see DESIGN.md "Layout").
// karpenter.ts, versions.ts, nag.ts and private/ are implementation details and stay unexported; of security.ts only
// the props interface is public.
export * from './addons';
export * from './cluster';
export * from './kueue';
export * from './stack';
export { DRA_MIN_KUBERNETES_MINOR, type NvidiaDraDriverOptions } from './dra';
export * from './efa';
export type { GpuEksSecurityProps } from './security';
