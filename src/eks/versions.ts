/**
 * Pinned Helm chart coordinates for everything `GpuEksCluster` installs.
 *
 * Source: /work/shared/reference/gpu-operator-values.md ("Chart coordinates"), which cites
 * - Karpenter 1.14.1: karpenter-provider-aws getting-started docs @ 1d927085 (`KARPENTER_VERSION="1.14.1"`);
 *   it matches the v1.14.1 CRDs vendored in reference/crds and src/imports.
 * - NVIDIA GPU Operator v26.7.0: gpu-operator README @ v26.7.0 (the chart version carries the `v` prefix).
 * - KEDA 2.20.2: kedacore/charts keda/Chart.yaml @ 1444d00d.
 * - kube-prometheus-stack 88.5.3: prometheus-community/helm-charts Chart.yaml @ cf408a29.
 * - NVIDIA DRA driver for GPUs 25.8.1: kubernetes-sigs/dra-driver-nvidia-gpu (formerly NVIDIA/k8s-dra-driver-gpu) tag
 *   v25.8.1, `deployments/helm/nvidia-dra-driver-gpu/Chart.yaml` (version and appVersion 25.8.1, kubeVersion
 *   >=1.32.0-0), the newest release tag of the repository's snapshot (2026-08-07; main is at 0.5.0-dev under the
 *   chart name dra-driver-nvidia-gpu); published in NVIDIA's NGC Helm repository as `nvidia-dra-driver-gpu`.
 *
 * Every version is exact: a chart installed without a version floats to whatever is newest on the day of
 * `cdk deploy`, which is how clusters drift apart.
 */

/** Coordinates of one pinned Helm chart. */
export interface HelmChartCoordinates {
  /** Helm repository URL, or the full `oci://` reference of the chart. */
  readonly repository: string;
  /** Chart name. */
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
}

/** Karpenter controller chart (installs its CRDs from the chart's `crds/` folder). */
export const KARPENTER_CHART: HelmChartCoordinates = {
  repository: 'oci://public.ecr.aws/karpenter/karpenter',
  chart: 'karpenter',
  version: '1.14.1',
};

/** NVIDIA GPU Operator chart. */
export const GPU_OPERATOR_CHART: HelmChartCoordinates = {
  repository: 'https://helm.ngc.nvidia.com/nvidia',
  chart: 'gpu-operator',
  version: 'v26.7.0',
};

/** KEDA chart. */
export const KEDA_CHART: HelmChartCoordinates = {
  repository: 'https://kedacore.github.io/charts',
  chart: 'keda',
  version: '2.20.2',
};

/** kube-prometheus-stack chart (Prometheus, prometheus-operator and its CRDs). */
export const KUBE_PROMETHEUS_STACK_CHART: HelmChartCoordinates = {
  repository: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
  version: '88.5.3',
};

/** NVIDIA DRA driver for GPUs chart (installed by `GpuEksStack` with `draDriver`). */
export const NVIDIA_DRA_DRIVER_CHART: HelmChartCoordinates = {
  repository: 'https://helm.ngc.nvidia.com/nvidia',
  chart: 'nvidia-dra-driver-gpu',
  version: '25.8.1',
};

/**
 * The Kubernetes minor version the cluster runs by default. It matches the kubectl Lambda layer this
 * library depends on (`@aws-cdk/lambda-layer-kubectl-v33`); kubectl supports one minor version of skew
 * either way (https://kubernetes.io/releases/version-skew-policy/#kubectl).
 */
export const DEFAULT_KUBERNETES_MINOR = 33;
