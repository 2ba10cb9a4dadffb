/**
 * Typed settings for the Helm add-ons `GpuEksCluster` installs, and the Helm values derived from them.
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

/** Helm release name of kube-prometheus-stack; also the `release` label its selectors use. @internal */
export const PROMETHEUS_RELEASE = 'kube-prometheus-stack';

/** In-cluster URL of the Prometheus that kube-prometheus-stack creates in `namespace`. @internal */
export function kubePrometheusStackUrl(namespace: string): string {
  // Service `<fullname>-prometheus`; fullname == release name when it contains the chart name.
  return `http://${PROMETHEUS_RELEASE}-prometheus.${namespace}.svc.cluster.local:9090`;
}

/** GPU Operator Helm values for a node image. @internal */
export function gpuOperatorValues(options: {
  nodeImage: GpuNodeImage;
  migStrategy: GpuOperatorMigStrategy;
  serviceMonitor: boolean;
}): Record<string, any> {
  const values: Record<string, any> = {
    mig: { strategy: options.migStrategy },
    dcgmExporter: {
      enabled: true,
      serviceMonitor: options.serviceMonitor
        ? { enabled: true, additionalLabels: { release: PROMETHEUS_RELEASE } }
        : { enabled: false },
    },
    nfd: { enabled: true },
    gfd: { enabled: true },
  };
  switch (options.nodeImage) {
    case GpuNodeImage.AL2023_NVIDIA:
      values.driver = { enabled: false };
      values.toolkit = { enabled: false };
      values.devicePlugin = { enabled: true };
      // AWS's MIG example on AL2023 (p4d) reboots the node to apply a MIG layout on a cloud VM.
      values.migManager = { enabled: true, env: [{ name: 'WITH_REBOOT', value: 'true' }] };
      break;
    case GpuNodeImage.BOTTLEROCKET_NVIDIA:
      values.driver = { enabled: false };
      values.toolkit = { enabled: false };
      values.devicePlugin = { enabled: false };
      // Bottlerocket configures MIG itself (settings.kubelet-device-plugins.nvidia); AWS documents no
      // operator MIG Manager setup there.
      values.migManager = { enabled: false };
      break;
    case GpuNodeImage.OPERATOR_MANAGED:
      values.driver = { enabled: true };
      values.toolkit = { enabled: true };
      values.devicePlugin = { enabled: true };
      values.migManager = { enabled: true };
      break;
  }
  return values;
}

/** Deep-merges plain JSON objects; arrays and scalars in `over` replace those in `base`. @internal */
export function deepMerge(base: Record<string, any>, over: Record<string, any> | undefined): Record<string, any> {
  if (!over) return base;
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlainObject(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
