/**
 * Typed settings for the Helm add-ons `GpuEksCluster` installs (values are derived in private/helm-values.ts).
 *
 * GPU Operator values follow the AWS EKS User Guide ("Use EKS-optimized accelerated AMIs for GPU instances",
 * ml-eks-optimized-ami.adoc @ 07d09a00, and the MIG guide device-management-nvidia-mig.adoc @ 80436be5) as
 * summarised in /work/shared/reference/gpu-operator-values.md: on the AL2023 NVIDIA AMIs the driver and the
 * container toolkit are already on the node, so the operator must not install them; on Bottlerocket NVIDIA
 * the device plugin is built in as well.
 */

/** The node image your GPU NodePools run, which decides what the NVIDIA GPU Operator must install. */
export enum GpuNodeImage {
  /**
   * EKS-optimized Amazon Linux 2023 NVIDIA AMI (Karpenter `amiFamily: AL2023`): driver and container
   * toolkit ship on the AMI; the operator installs the device plugin, GFD, DCGM exporter and MIG Manager.
   */
  AL2023_NVIDIA = 'AL2023_NVIDIA',
  /**
   * EKS-optimized Bottlerocket NVIDIA variant: driver, toolkit, device plugin and MIG handling ship on the
   * image; the operator only adds GFD and the DCGM exporter.
   */
  BOTTLEROCKET_NVIDIA = 'BOTTLEROCKET_NVIDIA',
  /**
   * An image without NVIDIA software (e.g. a custom Ubuntu AMI): the operator installs everything,
   * including the driver and the toolkit.
   */
  OPERATOR_MANAGED = 'OPERATOR_MANAGED',
}

/** How the GPU Operator exposes MIG slices (`mig.strategy`). */
export enum GpuOperatorMigStrategy {
  /** Every GPU on a node is sliced the same way; slices are advertised as `nvidia.com/gpu`. */
  SINGLE = 'single',
  /** Mixed slice sizes; slices are advertised as `nvidia.com/mig-<profile>`. */
  MIXED = 'mixed',
}

/** Settings of the NVIDIA GPU Operator add-on. */
export interface GpuOperatorAddonOptions {
  /** Install the GPU Operator. @default true */
  readonly enabled?: boolean;
  /** The image your GPU nodes run. @default GpuNodeImage.AL2023_NVIDIA */
  readonly nodeImage?: GpuNodeImage;
  /** MIG strategy. @default GpuOperatorMigStrategy.SINGLE */
  readonly migStrategy?: GpuOperatorMigStrategy;
  /** Chart version (exact). @default 'v26.7.0' */
  readonly version?: string;
  /** Namespace. @default 'gpu-operator' */
  readonly namespace?: string;
  /** Extra Helm values, deep-merged over the derived ones (escape hatch). @default - none */
  readonly values?: { [key: string]: any };
}

/** Settings of the Karpenter controller chart. */
export interface KarpenterAddonOptions {
  /** Chart version (exact; must match the Karpenter CRDs your NodePools are written for). @default '1.14.1' */
  readonly version?: string;
  /** Namespace (Karpenter's getting-started guide installs into kube-system). @default 'kube-system' */
  readonly namespace?: string;
  /** Controller replicas (each needs its own system node: the chart sets hostname anti-affinity). @default 2 */
  readonly replicas?: number;
  /** Extra Helm values, deep-merged over the derived ones (escape hatch). @default - none */
  readonly values?: { [key: string]: any };
}

/** Settings of the KEDA add-on. */
export interface KedaAddonOptions {
  /** Install KEDA. @default true */
  readonly enabled?: boolean;
  /** Chart version (exact). @default '2.20.2' */
  readonly version?: string;
  /** Namespace. @default 'keda' */
  readonly namespace?: string;
  /** Extra Helm values, deep-merged over the derived ones (escape hatch). @default - none */
  readonly values?: { [key: string]: any };
}

/**
 * Settings of the Prometheus used for GPU metrics (DCGM) and KEDA's Prometheus triggers.
 *
 * Either the stack installs kube-prometheus-stack (default), or you bring your own Prometheus by setting
 * `endpoint` (then nothing is installed and the GPU Operator creates no ServiceMonitor, because the
 * prometheus-operator CRDs may be absent).
 */
export interface PrometheusAddonOptions {
  /**
   * URL of an existing Prometheus (bring your own). Setting it skips kube-prometheus-stack.
   * @default - kube-prometheus-stack is installed and its in-cluster service URL is used
   */
  readonly endpoint?: string;
  /** Chart version of kube-prometheus-stack (exact). @default '88.5.3' */
  readonly version?: string;
  /** Namespace of kube-prometheus-stack. @default 'monitoring' */
  readonly namespace?: string;
  /** Install Grafana with the stack. @default false */
  readonly grafana?: boolean;
  /** Extra Helm values for kube-prometheus-stack, deep-merged over the derived ones. @default - none */
  readonly values?: { [key: string]: any };
}
