/**
 * Helm values derived from the typed add-on settings (internal; not exported from the package).
 * Sources as in ../addons.ts.
 */
import { GpuOperatorProps } from '../../sharing/operator';

/** Helm release name of kube-prometheus-stack; also the `release` label its selectors use. @internal */
export const PROMETHEUS_RELEASE = 'kube-prometheus-stack';

/** In-cluster URL of the Prometheus that kube-prometheus-stack creates in `namespace`. @internal */
export function kubePrometheusStackUrl(namespace: string): string {
  // Service `<fullname>-prometheus`; fullname == release name when it contains the chart name.
  return `http://${PROMETHEUS_RELEASE}-prometheus.${namespace}.svc.cluster.local:9090`;
}

/**
 * The GPU Operator props the stack resolves: the user's settings plus what the stack knows (kube-prometheus-stack's
 * `release` label on the ServiceMonitor when it installs the stack; no ServiceMonitor by default with a bring-your-own
 * Prometheus, whose prometheus-operator CRDs may be absent). The user's explicit values win. @internal
 */
export function gpuOperatorProps(settings: GpuOperatorProps | undefined, installsPrometheus: boolean): GpuOperatorProps {
  const user = settings ?? {};
  return {
    ...user,
    serviceMonitor: user.serviceMonitor ?? installsPrometheus,
    // Only a plain object is merged: anything else is passed on as given, so GpuOperatorSettings refuses it by name
    // (spreading an array would turn ['x'] into { '0': 'x' } and slip through).
    ...(installsPrometheus && (user.serviceMonitorLabels === undefined || isPlainObject(user.serviceMonitorLabels))
      ? { serviceMonitorLabels: { release: PROMETHEUS_RELEASE, ...(user.serviceMonitorLabels ?? {}) } }
      : {}),
  };
}

/**
 * kube-prometheus-stack's `grafana` values: Grafana with its dashboard sidecar loading ConfigMaps labelled
 * `grafana_dashboard: "1"` (DcgmMonitoring's dashboard) from the release namespace. `adminPassword: ''` replaces the
 * chart's well-known `prom-operator`: the grafana chart then generates a random 40-character password into Secret
 * `kube-prometheus-stack-grafana` (key `admin-password`) and keeps it across upgrades (grafana chart
 * `templates/_helpers.tpl`, "grafana.password"). @internal
 */
export function grafanaValues(): Record<string, any> {
  return {
    enabled: true,
    adminPassword: '',
    sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1' } },
  };
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
