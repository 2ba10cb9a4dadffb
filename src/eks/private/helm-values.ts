/**
 * Helm values derived from the typed add-on settings (internal; not exported from the package).
 * Sources as in ../addons.ts.
 */
import { GpuNodeImage, GpuOperatorMigStrategy } from '../addons';

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
      // honorLabels: the exporter's own pod/namespace/container labels name the GPU's pod; without it Prometheus
      // renames them exported_pod/exported_namespace and every per-pod query (KEDA triggers, alerts) breaks.
      serviceMonitor: options.serviceMonitor
        ? { enabled: true, honorLabels: true, additionalLabels: { release: PROMETHEUS_RELEASE } }
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
