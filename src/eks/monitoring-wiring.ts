/**
 * One truth for who exports, who scrapes and who shows GPU metrics on a GpuEksCluster: when a cdk8s chart is added,
 * its DcgmMonitoring constructs are checked against the GPU Operator settings and the kube-prometheus-stack the
 * stack installed. Exactly one DCGM exporter and one scrape configuration per GPU node, whatever the combination:
 * - DcgmMonitoring OWN_EXPORTER (its DaemonSet) with the operator's exporter on: two host engines per node, every GPU
 *   series twice (alerts fire twice, sums double) → refused;
 * - DcgmMonitoring GPU_OPERATOR with the operator's exporter off: no exporter at all → refused;
 * - GPU_OPERATOR: the operator's exporter must read DcgmMonitoring's collectors ConfigMap (`dcgmExporterConfig`, same
 *   namespace), else it collects its default `dcp-metrics-included.csv` and alerts read fields nobody collects;
 * - scrape configurations: the operator's ServiceMonitor plus DcgmMonitoring's must be exactly one;
 * - Grafana: the dashboard ConfigMap must be in the namespace the Grafana sidecar watches (kube-prometheus-stack's).
 * Internal (not exported from the package).
 */
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GpuConfigError } from '../errors';
import { DcgmExporterMode, DcgmMonitoring } from '../monitoring/dcgm-monitoring';
import { GpuOperatorSettings } from '../sharing/operator';

/** What the cluster installed that GPU monitoring depends on. @internal */
export interface _MonitoringAddons {
  /** The GPU Operator's settings, when the stack installs it. */
  readonly gpuOperator?: GpuOperatorSettings;
  /** Whether the stack installs kube-prometheus-stack (with the prometheus-operator CRDs). */
  readonly installsPrometheus: boolean;
  /** Whether that kube-prometheus-stack runs Grafana with its dashboard sidecar. */
  readonly grafana: boolean;
  /** kube-prometheus-stack's namespace (where the Grafana sidecar looks for dashboards). */
  readonly prometheusNamespace: string;
}

const seen = new WeakMap<IConstruct, DcgmMonitoring[]>();

/** Checks the DcgmMonitoring constructs of `chart` against the cluster's add-ons; throws GpuConfigError. @internal */
export function _checkMonitoringWiring(cluster: IConstruct, chart: Chart, addons: _MonitoringAddons): void {
  const monitorings = chart.node.findAll().filter((c): c is DcgmMonitoring => c instanceof DcgmMonitoring);
  if (monitorings.length === 0) return;
  const all = seen.get(cluster) ?? [];
  const op = addons.gpuOperator;
  for (const m of monitorings) {
    const where = m.node.path;
    const earlier = all.find((x) => x !== m);
    if (earlier) {
      throw new GpuConfigError(where, 'mode', `is a second DcgmMonitoring on this cluster (the first is ${earlier.node.path}): two alert sets, two collectors CSVs${m.mode === DcgmExporterMode.OWN_EXPORTER || earlier.mode === DcgmExporterMode.OWN_EXPORTER ? ', and a second exporter on the GPU nodes' : ''}`,
        'keep one DcgmMonitoring per cluster');
    }
    if (m.mode === DcgmExporterMode.OWN_EXPORTER) {
      if (op?.dcgmExporter) {
        throw new GpuConfigError(where, 'mode', 'is OWN_EXPORTER, but the GPU Operator on this cluster runs its own DCGM exporter too: two host engines per GPU node and every GPU series scraped twice (alerts fire twice, sums double)',
          `use mode: DcgmExporterMode.GPU_OPERATOR with gpuOperator.settings.dcgmExporterConfig: '${m.collectorsConfigMap.name}', or set gpuOperator.settings.dcgmExporter: false`);
      }
    } else {
      if (!op?.dcgmExporter) {
        throw new GpuConfigError(where, 'mode', `is GPU_OPERATOR, but ${op ? 'the GPU Operator\'s exporter is off (gpuOperator.settings.dcgmExporter: false)' : 'the stack installs no GPU Operator'}: no DCGM exporter runs`,
          op ? 'enable the operator\'s exporter, or use mode: DcgmExporterMode.OWN_EXPORTER' : 'use mode: DcgmExporterMode.OWN_EXPORTER');
      }
      const cm = m.collectorsConfigMap;
      if (op.dcgmExporterConfig !== cm.name || op.namespace !== cm.metadata.namespace) {
        throw new GpuConfigError(where, 'collectors', `are written to ConfigMap ${cm.metadata.namespace}/${cm.name}, but the GPU Operator's exporter reads ${op.dcgmExporterConfig ? `${op.namespace}/${op.dcgmExporterConfig}` : 'its default dcp-metrics-included.csv'}: the fields the alerts, dashboard and scalers read would not all be collected`,
          `set gpuOperator.settings.dcgmExporterConfig: '${cm.name}'${op.namespace !== cm.metadata.namespace ? ` and DcgmMonitoring gpuOperatorNamespace: '${op.namespace}'` : ''}`);
      }
      const scrapes = (op.serviceMonitor ? 1 : 0) + (m.serviceMonitor ? 1 : 0);
      if (scrapes === 2) {
        throw new GpuConfigError(where, 'serviceMonitor', 'is true, but the GPU Operator\'s ServiceMonitor already scrapes its exporter: every GPU series would be scraped twice',
          'drop serviceMonitor: true (the operator\'s ServiceMonitor has honorLabels: true)');
      }
      if (scrapes === 0 && addons.installsPrometheus) {
        throw new GpuConfigError(where, 'serviceMonitor', 'is false and the GPU Operator\'s ServiceMonitor is off: nothing scrapes the exporter',
          'set gpuOperator.settings.serviceMonitor: true (or serviceMonitor: true here)');
      }
    }
    if (addons.grafana && m.dashboardConfigMap && m.dashboardNamespace !== addons.prometheusNamespace) {
      throw new GpuConfigError(where, 'dashboardNamespace', `is ${m.dashboardNamespace}, but the Grafana dashboard sidecar of the stack's kube-prometheus-stack watches ${addons.prometheusNamespace}: the dashboard would never load`,
        `set dashboardNamespace: '${addons.prometheusNamespace}'`);
    }
    all.push(m);
  }
  seen.set(cluster, all);
}
