/**
 * DcgmMonitoring: the NVIDIA DCGM exporter on GPU nodes, scraped by prometheus-operator, with GPU alerts and a
 * Grafana dashboard — or, when the GPU Operator already runs the exporter, only the objects pointing at it.
 *
 * Facts (../shared/reference/dcgm-fields.md, gpu-operator-values.md): the exporter listens on `:9400`
 * (`DCGM_EXPORTER_LISTEN`), serves `/metrics`, reads its fields from the CSV named by `DCGM_EXPORTER_COLLECTORS`,
 * samples every `DCGM_EXPORTER_INTERVAL` ms, and with `DCGM_EXPORTER_KUBERNETES=true` adds `pod`, `namespace`,
 * `container` labels read from the kubelet's pod-resources socket (`/var/lib/kubelet/pod-resources/kubelet.sock`).
 * The GPU Operator v26.7.0 ships image `nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless`, Service
 * `nvidia-dcgm-exporter` (label `app: nvidia-dcgm-exporter`, port `gpu-metrics`) in its namespace.
 * kube-prometheus-stack 88.5.3 selects ServiceMonitors and PrometheusRules by the label `release: <release name>`.
 */
import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { _gpuAlertGroups, _resolveThresholds, DcgmAlertThresholds } from './alerts';
import { DcgmCollectors } from './collectors';
import { _dashboardJson } from './dashboard';
import { _promDuration, _seconds } from './promql';
import { GpuConfigError } from '../errors';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr, ServiceMonitor } from '../imports/monitoring.coreos.com';
import { NameRule, validateDns1123Name, validateLabelValue } from '../naming';
import { GpuPoolPlacement, IGpuNodePool, PodToleration } from '../pools/pool';
import { PodSecurity, PodSecurityLevel, PodSecurityOptions } from '../security/pod-security';

const k8s = kplus.k8s;

/** Props of {@link DcgmMonitoring}. */
export interface DcgmMonitoringProps {
  /** Namespace of the exporter, its Service, ServiceMonitor and PrometheusRule. @default 'gpu-monitoring' */
  readonly namespace?: string;
  /** Name of the DaemonSet, Service, ServiceMonitor and the `app.kubernetes.io/name` label. @default 'dcgm-exporter' */
  readonly name?: string;
  /**
   * Run the exporter. `false` when the NVIDIA GPU Operator already runs it (`dcgmExporter.enabled`, the default):
   * then only the ServiceMonitor (pointing at the operator's `nvidia-dcgm-exporter` Service), alerts and dashboard
   * are made. Disable the operator's own ServiceMonitor (`dcgmExporter.serviceMonitor.enabled=false`) or set its
   * `honorLabels: true`: it scrapes with `honorLabels: false`, which renames the exporter's `pod` label to
   * `exported_pod` and breaks every per-pod query (KedaGpuScaler's included).
   * @default true
   */
  readonly exporter?: boolean;
  /** Namespace of the GPU Operator, when `exporter: false`. @default 'gpu-operator' */
  readonly gpuOperatorNamespace?: string;
  /**
   * The GPU pools: the exporter tolerates their taints and runs only on their nodes (`karpenter.sh/nodepool In …`).
   * @default - tolerate `nvidia.com/gpu` (Exists) and select nodes labelled `nvidia.com/gpu.present=true`
   *   (set by GPU Feature Discovery)
   */
  readonly pools?: IGpuNodePool[];
  /** Exporter image, pinned. @default DcgmMonitoring.DEFAULT_IMAGE */
  readonly image?: string;
  /**
   * The DCGM fields to collect. A set with DCP (`DCGM_FI_PROF_*`) fields adds the `SYS_ADMIN` capability.
   * @default DcgmCollectors.basic() (no capability needed)
   */
  readonly collectors?: DcgmCollectors;
  /** Scrape interval of the ServiceMonitor; the exporter samples at the same rate. @default Duration.seconds(15) */
  readonly scrapeInterval?: Duration;
  /**
   * Value of the `release` label kube-prometheus-stack selects ServiceMonitors and PrometheusRules on (its Helm
   * release name). Empty string: no label.
   * @default 'kube-prometheus-stack' (the release name GpuEksStack uses)
   */
  readonly prometheusRelease?: string;
  /** Make the PrometheusRule with the GPU alerts. @default true */
  readonly alertRules?: boolean;
  /** Alert thresholds and durations. @default - see DcgmAlertThresholds */
  readonly alerts?: DcgmAlertThresholds;
  /** Make the Grafana dashboard ConfigMap. @default true */
  readonly dashboard?: boolean;
  /**
   * Namespace of the dashboard ConfigMap: the Grafana sidecar of kube-prometheus-stack only watches its own
   * namespace unless `grafana.sidecar.dashboards.searchNamespace` is set.
   * @default 'monitoring'
   */
  readonly dashboardNamespace?: string;
  /**
   * Make the exporter's Namespace, labelled with the Pod Security level the exporter needs ({@link podSecurity}).
   * Not with `exporter: false` (the GPU Operator's chart owns its namespace).
   * @default false (the namespace is made elsewhere; label it with `PodSecurity.applyTo(ns, monitoring.podSecurity)`)
   */
  readonly createNamespace?: boolean;
  /** `runtimeClassName` of the exporter pods (e.g. `nvidia` with the GPU Operator's toolkit). @default - the node's default runtime (EKS accelerated AMIs default to the NVIDIA runtime) */
  readonly runtimeClassName?: string;
}

/**
 * GPU metrics, alerts and a dashboard.
 *
 * Security (least privilege, each exception explained): the exporter runs as UID 0 because the kubelet's
 * pod-resources socket, which maps GPUs to pods, is owned by root and not writable by others (connecting to a
 * Unix socket needs write permission); everything else is taken away: no privilege escalation, all capabilities
 * dropped, read-only root filesystem (writable `/tmp` emptyDir), seccomp `RuntimeDefault`, the pod-resources
 * directory mounted read-only, no service-account token. `SYS_ADMIN` is added only when the collectors contain
 * DCP (`DCGM_FI_PROF_*`) fields: the driver restricts profiling counters to administrators
 * (`NVreg_RestrictProfilingToAdminUsers`), and without it the exporter drops them (NVIDIA/dcgm-exporter #427).
 */
export class DcgmMonitoring extends Construct {
  /** The exporter image the NVIDIA GPU Operator v26.7.0 ships (gpu-operator-values.md). */
  public static readonly DEFAULT_IMAGE = 'nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless';
  /** The exporter's port (`DCGM_EXPORTER_LISTEN` default `:9400`). */
  public static readonly PORT = 9400;
  /** Where the collectors CSV is mounted. */
  public static readonly COLLECTORS_PATH = '/etc/dcgm-exporter/custom/dcgm-metrics.csv';

  /** Namespace of the exporter (or of the ServiceMonitor, with `exporter: false`). */
  public readonly namespace: string;
  /** The exporter DaemonSet (unless `exporter: false`). */
  public readonly daemonSet?: ApiObject;
  /** The exporter Service (unless `exporter: false`). */
  public readonly service?: ApiObject;
  /** The collectors ConfigMap (unless `exporter: false`). */
  public readonly collectorsConfigMap?: kplus.ConfigMap;
  /** The ServiceMonitor. */
  public readonly serviceMonitor: ApiObject;
  /** The PrometheusRule with the GPU alerts (unless `alertRules: false`). */
  public readonly prometheusRule?: ApiObject;
  /** The Grafana dashboard ConfigMap (unless `dashboard: false`). */
  public readonly dashboardConfigMap?: kplus.ConfigMap;
  /** The collectors (with `exporter: false`, what the GPU Operator's exporter is assumed to collect: dcp()). */
  public readonly collectors: DcgmCollectors;
  /** Labels of the exporter Service (what the ServiceMonitor selects). */
  public readonly serviceLabels: Record<string, string>;
  /** Name of the Service port scraped. */
  public readonly metricsPortName: string;
  /**
   * The least Pod Security level the exporter's namespace can enforce, with the reason: `privileged` when the exporter
   * runs here (it mounts the kubelet's pod-resources host path, which `baseline` already forbids, runs as root and, for
   * profiling fields, adds SYS_ADMIN); `restricted` otherwise (no pods of ours in the namespace).
   */
  public readonly podSecurity: PodSecurityOptions;
  /** The Namespace, with `createNamespace`. */
  public readonly namespaceObject?: ApiObject;

  constructor(scope: Construct, id: string, props: DcgmMonitoringProps = {}) {
    super(scope, id);
    const runExporter = props.exporter ?? true;
    const name = props.name ?? 'dcgm-exporter';
    validateDns1123Name(this, 'name', name, NameRule.DNS1035_LABEL);
    this.namespace = props.namespace ?? (runExporter ? 'gpu-monitoring' : (props.gpuOperatorNamespace ?? 'gpu-operator'));
    validateDns1123Name(this, 'namespace', this.namespace, NameRule.DNS1123_LABEL);
    const operatorNs = props.gpuOperatorNamespace ?? 'gpu-operator';
    validateDns1123Name(this, 'gpuOperatorNamespace', operatorNs, NameRule.DNS1123_LABEL);
    const dashboardNs = props.dashboardNamespace ?? 'monitoring';
    validateDns1123Name(this, 'dashboardNamespace', dashboardNs, NameRule.DNS1123_LABEL);
    const release = props.prometheusRelease ?? 'kube-prometheus-stack';
    if (release !== '') validateLabelValue(this, 'prometheusRelease', release);
    const releaseLabels: Record<string, string> = release ? { release } : {};
    if (!runExporter) {
      for (const p of ['pools', 'image', 'collectors', 'runtimeClassName'] as const) {
        if (props[p] !== undefined) {
          throw new GpuConfigError(this, p, 'is set, but exporter is false (the GPU Operator runs the exporter)',
            `drop ${p}, or set exporter: true; configure the operator's exporter through its Helm values (dcgmExporter.*)`);
        }
      }
    }
    const interval = props.scrapeInterval ?? Duration.seconds(15);
    const intervalSeconds = _seconds(interval);
    if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1 || intervalSeconds > 300) {
      throw new GpuConfigError(this, 'scrapeInterval', `is ${intervalSeconds} s`, 'use 1-300 whole seconds, e.g. Duration.seconds(15)');
    }
    const image = props.image ?? DcgmMonitoring.DEFAULT_IMAGE;
    const last = image.split('/').pop() ?? '';
    if (/\s/.test(image) || !(image.includes('@sha256:') || /:[\w][\w.-]*$/.test(last)) || /:latest$/.test(last)) {
      throw new GpuConfigError(this, 'image', `is ${JSON.stringify(image)}, not pinned to a tag or digest`,
        `pin a version, e.g. ${DcgmMonitoring.DEFAULT_IMAGE}`);
    }
    this.collectors = props.collectors ?? (runExporter ? DcgmCollectors.basic() : DcgmCollectors.dcp());
    this.podSecurity = runExporter
      ? {
        enforce: PodSecurityLevel.PRIVILEGED,
        warn: PodSecurityLevel.PRIVILEGED,
        audit: PodSecurityLevel.RESTRICTED,
        reason: 'dcgm-exporter mounts the hostPath /var/lib/kubelet/pod-resources (baseline forbids host paths) and runs as '
          + `root to connect to the kubelet's socket${this.collectors.needsProfiling ? '; it adds SYS_ADMIN for the profiling (DCP) fields' : ''}`,
      }
      : { enforce: PodSecurityLevel.RESTRICTED };
    if (props.createNamespace !== undefined && typeof props.createNamespace !== 'boolean') {
      throw new GpuConfigError(this, 'createNamespace', `is ${JSON.stringify(props.createNamespace)}, not a boolean`, 'pass true or false, or omit it');
    }
    if (props.createNamespace) {
      if (!runExporter) {
        throw new GpuConfigError(this, 'createNamespace', 'is true, but exporter is false (the namespace is the GPU Operator\'s)',
          'drop createNamespace: the GPU Operator chart creates its namespace');
      }
      this.namespaceObject = new k8s.KubeNamespace(this, 'Namespace', {
        metadata: { name: this.namespace, labels: PodSecurity.labels(this.podSecurity), annotations: PodSecurity.annotations(this.podSecurity) },
      });
    }

    const appLabels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'gpu-metrics' };
    if (runExporter) {
      this.serviceLabels = appLabels;
      this.metricsPortName = 'metrics';
      const { tolerations, placement } = this.placement(props.pools);
      this.collectorsConfigMap = new kplus.ConfigMap(this, 'Collectors', {
        metadata: { name: `${name}-collectors`, namespace: this.namespace, labels: appLabels },
        data: { 'dcgm-metrics.csv': this.collectors.toCsv() },
      });
      const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { name, namespace: this.namespace, labels: appLabels },
        automountServiceAccountToken: false,
      });
      const capabilities = this.collectors.needsProfiling
        ? { drop: ['ALL'], add: ['SYS_ADMIN'] }
        : { drop: ['ALL'] };
      this.daemonSet = new k8s.KubeDaemonSet(this, 'Resource', {
        metadata: { name, namespace: this.namespace, labels: appLabels },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/name': name } },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
          template: {
            metadata: {
              labels: appLabels,
              // A new collectors CSV rolls the pods (the exporter reads the file once at start).
              annotations: { 'cdk8s-gpu.io/collectors': this.collectors.name },
            },
            spec: {
              serviceAccountName: sa.name,
              automountServiceAccountToken: false,
              // The GPU Operator runs its operands at system-node-critical too (daemonsets.priorityClassName).
              priorityClassName: 'system-node-critical',
              ...(props.runtimeClassName ? { runtimeClassName: props.runtimeClassName } : {}),
              tolerations: tolerations.map((t) => ({ ...t })),
              ...placement,
              securityContext: { runAsUser: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [{
                name: 'exporter',
                image,
                ports: [{ name: 'metrics', containerPort: DcgmMonitoring.PORT, protocol: 'TCP' }],
                env: [
                  { name: 'DCGM_EXPORTER_LISTEN', value: `:${DcgmMonitoring.PORT}` },
                  { name: 'DCGM_EXPORTER_KUBERNETES', value: 'true' },
                  { name: 'DCGM_EXPORTER_COLLECTORS', value: DcgmMonitoring.COLLECTORS_PATH },
                  { name: 'DCGM_EXPORTER_INTERVAL', value: `${intervalSeconds * 1000}` },
                  // Ask the NVIDIA container runtime for every GPU without requesting nvidia.com/gpu (which would
                  // take GPUs away from workloads).
                  { name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' },
                ],
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') },
                  limits: { memory: k8s.Quantity.fromString('1Gi') },
                },
                securityContext: {
                  runAsUser: 0,
                  runAsNonRoot: false,
                  privileged: false,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities,
                },
                readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromNumber(DcgmMonitoring.PORT) }, initialDelaySeconds: 15, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromNumber(DcgmMonitoring.PORT) }, initialDelaySeconds: 45, periodSeconds: 30 },
                volumeMounts: [
                  { name: 'pod-resources', mountPath: '/var/lib/kubelet/pod-resources', readOnly: true },
                  { name: 'collectors', mountPath: '/etc/dcgm-exporter/custom', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              }],
              volumes: [
                { name: 'pod-resources', hostPath: { path: '/var/lib/kubelet/pod-resources', type: 'Directory' } },
                { name: 'collectors', configMap: { name: this.collectorsConfigMap.name } },
                { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
              ],
            },
          },
        },
      });
      this.node.defaultChild = this.daemonSet;
      this.service = new k8s.KubeService(this, 'Service', {
        metadata: { name, namespace: this.namespace, labels: appLabels },
        spec: {
          type: 'ClusterIP',
          selector: { 'app.kubernetes.io/name': name },
          ports: [{ name: 'metrics', port: DcgmMonitoring.PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
        },
      });
    } else {
      this.serviceLabels = { app: 'nvidia-dcgm-exporter' };
      this.metricsPortName = 'gpu-metrics';
    }

    this.serviceMonitor = new ServiceMonitor(this, 'ServiceMonitor', {
      metadata: {
        name,
        namespace: this.namespace,
        labels: { ...appLabels, ...releaseLabels },
        // The GPU Operator's Service is not in these manifests: say so to the linter (rule GPU312), with the reason.
        ...(runExporter ? {} : { annotations: { 'cdk8s-gpu.io/suppress': `GPU312=Service nvidia-dcgm-exporter is created by the GPU Operator in ${operatorNs}` } }),
      },
      spec: {
        selector: { matchLabels: this.serviceLabels },
        namespaceSelector: { matchNames: [runExporter ? this.namespace : operatorNs] },
        endpoints: [{
          port: this.metricsPortName,
          path: '/metrics',
          interval: _promDuration(interval),
          scrapeTimeout: _promDuration(Duration.seconds(Math.min(10, intervalSeconds))),
          // Keep the exporter's pod/namespace/container labels (they name the GPU's workload) instead of
          // renaming them exported_pod/... in favour of the exporter's own pod.
          honorLabels: true,
        }],
      },
    });

    if (props.alertRules ?? true) {
      const thresholds = _resolveThresholds(this, props.alerts);
      const groups = _gpuAlertGroups(thresholds, this.collectors.has('DCGM_FI_DEV_THERMAL_VIOLATION'));
      this.prometheusRule = new PrometheusRule(this, 'Alerts', {
        metadata: { name: `${name}-gpu-alerts`, namespace: this.namespace, labels: { ...appLabels, ...releaseLabels } },
        spec: {
          groups: groups.map((g) => ({
            name: g.name,
            rules: g.rules.map((r: any) => ({ ...r, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
          })),
        },
      });
    }

    if (props.dashboard ?? true) {
      this.dashboardConfigMap = new kplus.ConfigMap(this, 'Dashboard', {
        metadata: { name: `${name}-dashboard`, namespace: dashboardNs, labels: { ...appLabels, grafana_dashboard: '1' } },
        data: { 'gpu-dcgm.json': _dashboardJson('GPUs (DCGM)', `cdk8s-gpu-${name}`.slice(0, 40)) },
      });
    }
  }

  /** Tolerations and node selection of the exporter pods. */
  private placement(pools: IGpuNodePool[] | undefined): { tolerations: PodToleration[]; placement: Record<string, any> } {
    if (pools !== undefined) {
      if (!Array.isArray(pools) || pools.length === 0) {
        throw new GpuConfigError(this, 'pools', 'is empty', 'pass the GPU pools, or leave pools unset to select nvidia.com/gpu.present=true nodes');
      }
      const tolerations = GpuPoolPlacement.tolerations(pools);
      const required = GpuPoolPlacement.requiredNodeAffinity(pools);
      return { tolerations, placement: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } } } };
    }
    return {
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      placement: { nodeSelector: { 'nvidia.com/gpu.present': 'true' } },
    };
  }
}
