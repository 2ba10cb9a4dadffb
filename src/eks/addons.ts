/**
 * Typed settings for the Helm add-ons `GpuEksCluster` installs (values are derived in private/helm-values.ts).
 *
 * The GPU Operator's settings are src/sharing's `GpuOperatorProps` (one source of truth with the cdk8s
 * `GpuOperator` ClusterPolicy); its file comment cites the AWS EKS guidance they follow.
 */
import { GpuOperatorProps } from '../sharing/operator';

/** Settings of the NVIDIA GPU Operator add-on. */
export interface GpuOperatorAddonOptions {
  /** Install the GPU Operator. @default true */
  readonly enabled?: boolean;
  /**
   * The operator's settings: the same {@link GpuOperatorProps} a cdk8s `GpuOperator` takes, rendered to Helm values by
   * `GpuOperatorSettings.toHelmValues()`, so the chart and a ClusterPolicy from the same props cannot drift. The chart is
   * installed into `settings.namespace`. What the stack derives (your explicit settings win):
   * - with the stack's kube-prometheus-stack: `serviceMonitorLabels` gets `release: kube-prometheus-stack` (merged under
   *   yours);
   * - with your own Prometheus (`prometheus.endpoint`): `serviceMonitor` defaults to false (the prometheus-operator CRDs
   *   may be absent); set it to true if they are there.
   * @default - the GpuOperatorProps defaults: EKS-optimized AL2023 NVIDIA AMIs (driver and toolkit off), MIG strategy
   * mixed, MIG manager with reboot, DCGM exporter, namespace 'gpu-operator'
   */
  readonly settings?: GpuOperatorProps;
  /** Chart version (exact). @default 'v26.7.0' (GPU_OPERATOR_CHART_VERSION) */
  readonly version?: string;
  /**
   * Extra Helm values, deep-merged over the derived ones (escape hatch; arrays replace). What you set here is not in
   * `GpuOperatorSettings`, e.g. a custom-AMI node group whose driver the operator installs:
   * `{ driver: { enabled: true }, toolkit: { enabled: true } }`.
   * @default - none
   */
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
  /**
   * Run Grafana with the stack, its dashboard sidecar loading ConfigMaps labelled `grafana_dashboard: "1"` from the
   * stack's namespace (DcgmMonitoring's GPU dashboard: keep its `dashboardNamespace` equal to `namespace`). The admin
   * password is random, in Secret `kube-prometheus-stack-grafana` key `admin-password` (never the chart's
   * `prom-operator`).
   * @default true
   */
  readonly grafana?: boolean;
  /** Extra Helm values for kube-prometheus-stack, deep-merged over the derived ones. @default - none */
  readonly values?: { [key: string]: any };
}
