/**
 * The NVIDIA DRA driver for GPUs on `GpuEksStack` (`draDriver`): GPUs allocated through Dynamic Resource Allocation
 * (`resource.k8s.io/v1`, GA in Kubernetes 1.34) instead of the device plugin's `nvidia.com/gpu`.
 *
 * Facts used:
 * - AWS EKS user guide, "Use the NVIDIA DRA driver or device plugin on Amazon EKS"
 *   (`device-management-nvidia-dra-device-plugin`): the DRA driver needs Kubernetes ≥ 1.34; it is recommended with
 *   static capacity (Karpenter static NodePools, managed or self-managed node groups) — Karpenter with dynamic
 *   provisioning should use the device plugin (rule GPU602); the DRA driver and the device plugin cannot both manage a
 *   node's GPUs; the EKS AL2023 NVIDIA AMIs ship the driver but neither the device plugin nor the DRA driver.
 * - Chart `nvidia-dra-driver-gpu` 25.8.1 (kubernetes-sigs/dra-driver-nvidia-gpu v25.8.1 `values.yaml`,
 *   `templates/validation.yaml`): GPU allocation is refused unless `gpuResourcesEnabledOverride: true` is set with
 *   `resources.gpus.enabled: true`; `nvidiaDriverRoot: /` for a driver installed on the host (the EKS AMI); the
 *   kubelet plugin selects nodes by the NFD/GFD labels (`feature.node.kubernetes.io/pci-10de.present`,
 *   `nvidia.com/gpu.present`: the GPU Operator's NFD and GFD provide them) and tolerates nothing by default, so the
 *   GPU taint is tolerated here; ComputeDomains (multi-node NVLink, GB200) need IMEX and are off unless asked for.
 *   The chart creates the DeviceClasses `gpu.nvidia.com` and `mig.nvidia.com`.
 *
 * Where DRA serves the GPUs the stack turns the GPU Operator's device plugin off (`devicePlugin.enabled: false`):
 * all GPU nodes of the cluster are then served by DRA. Time-slicing and MPS through the device plugin do not apply.
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { IConstruct } from 'constructs';
import { GpuEksClusterProps } from './cluster';
import { deepMerge } from './private/helm-values';
import { NVIDIA_DRA_DRIVER_CHART } from './versions';
import { GpuConfigError } from '../errors';
import { NameRule, validateDns1123Name } from '../naming';
import { PodToleration } from '../pools/pool';
import { optionalBoolean } from '../private/checks';
import { describeValue } from '../private/describe';
import { GpuOperatorSettings } from '../sharing/operator';

/** The least Kubernetes minor version of `resource.k8s.io/v1` (DRA GA). */
export const DRA_MIN_KUBERNETES_MINOR = 34;

/** Settings of the NVIDIA DRA driver add-on (`GpuEksStackProps.draDriver`). */
export interface NvidiaDraDriverOptions {
  /** Install the DRA driver (and turn the GPU Operator's device plugin off). @default true */
  readonly enabled?: boolean;
  /** Chart version (exact). @default '25.8.1' (NVIDIA_DRA_DRIVER_CHART) */
  readonly version?: string;
  /** Namespace of the release. @default 'nvidia-dra-driver-gpu' */
  readonly namespace?: string;
  /** Also run the ComputeDomain controller (multi-node NVLink, e.g. GB200; needs IMEX). @default false */
  readonly computeDomains?: boolean;
  /** Extra Helm values, deep-merged over the derived ones (escape hatch; arrays replace). @default - none */
  readonly values?: { [key: string]: any };
}

/**
 * The chart's values for a driver installed on the host (EKS NVIDIA AMIs) and tainted GPU nodes. The kubelet plugin
 * (a DaemonSet: without it a node's GPUs are never published as ResourceSlices) gets `tolerations`: the GPU Operator's
 * node agents' on the stack, so the GPU and spot taints, and whatever `gpuOperator.settings.tolerations` adds.
 */
export function nvidiaDraDriverValues(computeDomains: boolean,
  tolerations: PodToleration[] = GpuOperatorSettings.defaultTolerations()): Record<string, any> {
  return {
    nvidiaDriverRoot: '/',
    gpuResourcesEnabledOverride: true,
    resources: { gpus: { enabled: true }, computeDomains: { enabled: computeDomains } },
    kubeletPlugin: { tolerations },
  };
}

/** Whether `options` asks for the driver (an object without `enabled: false`). */
export function draDriverEnabled(where: IConstruct | string, options: NvidiaDraDriverOptions | undefined): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new GpuConfigError(where, 'draDriver', `is ${describeValue(options)}, not an object`, 'pass {} for the defaults, or omit it');
  }
  return optionalBoolean(where, 'draDriver.enabled', options.enabled ?? undefined, 'pass true or false, or omit it (default true)') ?? true;
}

/**
 * The cluster props with the GPU Operator's device plugin off, after checking that DRA can run: Kubernetes ≥ 1.34,
 * no explicit `devicePlugin: true`, no device plugin config (time-slicing/MPS), not Bottlerocket (whose AMI runs its
 * own device plugin).
 */
export function clusterPropsForDra(where: IConstruct | string, props: GpuEksClusterProps): GpuEksClusterProps {
  const version = props.kubernetesVersion?.version;
  const minor = Number(String(version ?? '').split('.')[1]);
  if (version === undefined || !(minor >= DRA_MIN_KUBERNETES_MINOR)) {
    throw new GpuConfigError(where, 'draDriver', `needs Kubernetes 1.${DRA_MIN_KUBERNETES_MINOR} or later (resource.k8s.io/v1), but kubernetesVersion is ${version ?? '1.33 (the default)'}`,
      `set kubernetesVersion: eks.KubernetesVersion.V1_${DRA_MIN_KUBERNETES_MINOR} (with a matching kubectlLayer), or drop draDriver`);
  }
  const settings: any = props.gpuOperator?.settings ?? {};
  if (settings.devicePlugin === true) {
    throw new GpuConfigError(where, 'gpuOperator.settings.devicePlugin', 'is true, but draDriver is set: the DRA driver and the device plugin cannot both manage a node\'s GPUs (AWS EKS user guide)',
      'drop devicePlugin: true (the stack turns it off), or drop draDriver');
  }
  if (settings.devicePluginConfig !== undefined) {
    throw new GpuConfigError(where, 'gpuOperator.settings.devicePluginConfig', 'is set, but draDriver turns the device plugin off, so its time-slicing/MPS configs would apply nowhere',
      'drop devicePluginConfig, or drop draDriver');
  }
  if (settings.nodeImage !== undefined && String(settings.nodeImage) === 'bottlerocket') {
    throw new GpuConfigError(where, 'draDriver', 'is set with Bottlerocket GPU nodes, whose AMI runs its own device plugin (turning it off needs Bottlerocket settings)',
      'use AL2023 NVIDIA nodes for DRA, or drop draDriver');
  }
  return { ...props, gpuOperator: { ...(props.gpuOperator ?? {}), settings: { ...settings, devicePlugin: false } } };
}

/** Installs the NVIDIA DRA driver chart on `cluster` (after the system node group). */
export function installNvidiaDraDriver(where: IConstruct, cluster: eks.Cluster, after: IConstruct[], options: NvidiaDraDriverOptions,
  tolerations?: PodToleration[]): eks.HelmChart {
  const version = options.version ?? NVIDIA_DRA_DRIVER_CHART.version;
  if (typeof version !== 'string' || !/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) {
    throw new GpuConfigError(where, 'draDriver.version', `is ${describeValue(version)}, not an exact chart version`, `pin an exact version such as ${NVIDIA_DRA_DRIVER_CHART.version}`);
  }
  const namespace = options.namespace ?? 'nvidia-dra-driver-gpu';
  validateDns1123Name(where, 'draDriver.namespace', namespace, NameRule.DNS1123_LABEL);
  if (namespace === 'default') {
    throw new GpuConfigError(where, 'draDriver.namespace', 'is default, which the chart refuses (allowDefaultNamespace)', 'use a namespace of its own, e.g. nvidia-dra-driver-gpu');
  }
  const computeDomains = optionalBoolean(where, 'draDriver.computeDomains', options.computeDomains ?? undefined, 'pass true or false, or omit it (default false)') ?? false;
  const extra = options.values;
  if (extra !== undefined && (extra === null || typeof extra !== 'object' || Array.isArray(extra))) {
    throw new GpuConfigError(where, 'draDriver.values', `is ${describeValue(extra)}, not an object of Helm values`, 'pass an object, or omit it');
  }
  const chart = cluster.addHelmChart('NvidiaDraDriverChart', {
    repository: NVIDIA_DRA_DRIVER_CHART.repository,
    chart: NVIDIA_DRA_DRIVER_CHART.chart,
    version,
    release: 'nvidia-dra-driver-gpu',
    namespace,
    createNamespace: true,
    values: deepMerge(nvidiaDraDriverValues(computeDomains, tolerations), extra ?? {}),
  });
  for (const a of after) chart.node.addDependency(a);
  return chart;
}
