// EKS: the only aws-cdk-lib code in the library (see DESIGN.md "Layout").
export { GpuEksCluster, GpuEksClusterProps, SystemNodeGroupOptions } from './cluster';
export { GpuEksStack, GpuEksStackProps } from './stack';
export {
  GpuNodeImage,
  GpuOperatorMigStrategy,
  GpuOperatorAddonOptions,
  KarpenterAddonOptions,
  KedaAddonOptions,
  PrometheusAddonOptions,
} from './addons';
