/**
 * DcgmMonitoring: the NVIDIA DCGM exporter on GPU nodes, scraped by prometheus-operator, with GPU alerts and a
 * Grafana dashboard — or, when the GPU Operator runs the exporter (and its ServiceMonitor), the collectors CSV it
 * reads plus the alerts and the dashboard. One exporter, one scrape configuration, one CSV: docs/monitoring.md.
 *
 * Facts (../shared/reference/dcgm-fields.md, gpu-operator-values.md): the exporter listens on `:9400`
 * (`DCGM_EXPORTER_LISTEN`), serves `/metrics`, reads its fields from the CSV named by `DCGM_EXPORTER_COLLECTORS`,
 * samples every `DCGM_EXPORTER_INTERVAL` ms, and with `DCGM_EXPORTER_KUBERNETES=true` adds `pod`, `namespace`,
 * `container` labels read from the kubelet's pod-resources socket (`/var/lib/kubelet/pod-resources/kubelet.sock`).
 * The GPU Operator v26.7.0 ships image `nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless`, Service
 * `nvidia-dcgm-exporter` (label `app: nvidia-dcgm-exporter`, port `gpu-metrics`) in its namespace.
 * kube-prometheus-stack 88.5.3 selects ServiceMonitors and PrometheusRules by the label `release: <release name>`.
 */
import { createHash } from 'crypto';
import { ApiObject, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { _gpuAlertGroups, _resolveThresholds, DcgmAlertThresholds, XID_WINDOW_MINUTES } from './alerts';
import { DcgmCollectors } from './collectors';
import { _dashboardJson, _dashboardQueries } from './dashboard';
import { _promDuration, _seconds } from './promql';
import { _checkPromQL, _dcgmFieldsOf } from './promql-parse';
import { _dcgmReadsIn } from './reads';
import { GpuConfigError } from '../errors';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr, ServiceMonitor } from '../imports/monitoring.coreos.com';
import { NameRule, validateDns1123Name, validateLabelValue } from '../naming';
import { GpuPoolPlacement, IGpuNodePool, PodToleration } from '../pools/pool';
import { PropErrors } from '../private/collect';
import { DCGM_EXPORTER_MODE } from '../private/enum-specs';
import { checkEnum } from '../private/enum-values';
import { NODE_AGENT_TOLERATIONS } from '../private/node-agents';
import { PodSecurity, PodSecurityLevel, PodSecurityOptions } from '../security/pod-security';

const k8s = kplus.k8s;

/**
 * Props that configure the exporter DcgmMonitoring runs, so refused in GPU_OPERATOR mode (`exporter: false`): the
 * GPU Operator's ClusterPolicy places its exporter (`daemonsets.tolerations`, the node label
 * `nvidia.com/gpu.deploy.dcgm-exporter`), pins its image (`dcgmExporter.repository`/`image`/`version`) and its
 * runtime class (`operator.runtimeClass`).
 */
const OWN_EXPORTER_ONLY = ['pools', 'image', 'runtimeClassName'] as const;

/**
 * Who runs the DCGM exporter on the GPU nodes. Exactly one exporter and one scrape configuration per GPU node:
 * - `OWN_EXPORTER`: DcgmMonitoring runs the exporter DaemonSet and its ServiceMonitor; the GPU Operator's exporter
 *   must be off (`GpuOperatorProps.dcgmExporter: false`).
 * - `GPU_OPERATOR`: the GPU Operator runs the exporter and scrapes it (its ServiceMonitor, `honorLabels: true`);
 *   DcgmMonitoring writes the collectors ConfigMap the operator's exporter reads (`GpuOperatorProps.dcgmExporterConfig`
 *   names it) plus the alerts and the dashboard.
 */
export enum DcgmExporterMode {
  /** DcgmMonitoring runs the exporter and its ServiceMonitor. */
  OWN_EXPORTER = 'own-exporter',
  /** The NVIDIA GPU Operator runs (and scrapes) the exporter; DcgmMonitoring supplies its collectors CSV. */
  GPU_OPERATOR = 'gpu-operator',
}

/** Props of {@link DcgmMonitoring}. */
export interface DcgmMonitoringProps {
  /**
   * Who runs the exporter (see {@link DcgmExporterMode}).
   * @default DcgmExporterMode.OWN_EXPORTER (or GPU_OPERATOR with the deprecated `exporter: false`)
   */
  readonly mode?: DcgmExporterMode;
  /**
   * Make a ServiceMonitor for the exporter. With `GPU_OPERATOR` the operator's own ServiceMonitor
   * (`GpuOperatorProps.serviceMonitor`, `honorLabels: true`) already scrapes it: a second one would scrape every GPU
   * twice (alerts fire twice, sums double), so set this only when the operator's is off.
   * @default true with OWN_EXPORTER, false with GPU_OPERATOR
   */
  readonly serviceMonitor?: boolean;
  /**
   * Namespace of the exporter, its Service, ServiceMonitor and PrometheusRule.
   * @default 'gpu-monitoring' (GPU_OPERATOR: the operator namespace)
   */
  readonly namespace?: string;
  /** Name of the DaemonSet, Service, ServiceMonitor and the `app.kubernetes.io/name` label. @default 'dcgm-exporter' */
  readonly name?: string;
  /**
   * Run the exporter: the same as `mode` (`true`: OWN_EXPORTER, `false`: GPU_OPERATOR).
   *
   * `false` means the NVIDIA GPU Operator runs the exporter (its ClusterPolicy's `dcgmExporter`) and scrapes it
   * (its ServiceMonitor), so DcgmMonitoring makes no DaemonSet, Service or ServiceMonitor: it writes the collectors
   * CSV the operator's exporter reads (a ConfigMap in `gpuOperatorNamespace`, named by the operator's
   * `dcgmExporter.config.name`, i.e. `GpuOperatorProps.dcgmExporterConfig`), the alerts and the dashboard. `collectors`
   * therefore still applies (it is that CSV). The props that configure DcgmMonitoring's own exporter are refused,
   * all of them in one error: `pools` (the operator places its exporter: `daemonsets.tolerations` and the node label
   * `nvidia.com/gpu.deploy.dcgm-exporter`), `image` (`dcgmExporter.repository`/`image`/`version`) and
   * `runtimeClassName` (`operator.runtimeClass`); so is `createNamespace` when the namespace is the operator's (its
   * chart creates it, and a restricted Pod Security label would refuse the operator's privileged DaemonSets).
   * See docs/monitoring.md.
   * @deprecated use `mode`
   * @default true (DcgmExporterMode.OWN_EXPORTER)
   */
  readonly exporter?: boolean;
  /** Namespace of the GPU Operator (GPU_OPERATOR mode): the collectors ConfigMap goes there. @default 'gpu-operator' */
  readonly gpuOperatorNamespace?: string;
  /**
   * The GPU pools: the exporter tolerates their taints and runs only on their nodes (`karpenter.sh/nodepool In …`).
   * OWN_EXPORTER only: refused with GPU_OPERATOR (`exporter: false`), whose ClusterPolicy places the exporter.
   * @default - tolerate `nvidia.com/gpu` and `karpenter.sh/capacity-type` (Exists: the GPU taint and SpotGpuPool's spot
   *   taint) and select nodes labelled `nvidia.com/gpu.present=true` (set by GPU Feature Discovery)
   */
  readonly pools?: IGpuNodePool[];
  /**
   * Exporter image, pinned. OWN_EXPORTER only: refused with GPU_OPERATOR (`exporter: false`), whose ClusterPolicy
   * pins the operator's exporter image (`GpuOperatorProps`).
   * @default DcgmMonitoring.DEFAULT_IMAGE
   */
  readonly image?: string;
  /**
   * The DCGM fields to collect, whichever exporter runs. Every field the alerts, the dashboard and the app's
   * KedaGpuScalers read is added to it (at synth), so the CSV written is the one truth of what is collected. A set
   * with DCP (`DCGM_FI_PROF_*`) fields adds the `SYS_ADMIN` capability to the exporter DcgmMonitoring runs.
   * @default DcgmCollectors.basic() (no capability needed); GPU_OPERATOR: DcgmCollectors.dcp() (the operator's
   *   default dcp-metrics-included.csv fields, which its exporter may read)
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
   * Refused with GPU_OPERATOR (`exporter: false`) when the namespace is the operator's (its chart creates it).
   * @default false (the namespace is made elsewhere; label it with `PodSecurity.applyTo(ns, monitoring.podSecurity)`)
   */
  readonly createNamespace?: boolean;
  /**
   * `runtimeClassName` of the exporter pods (e.g. `nvidia` with the GPU Operator's toolkit). OWN_EXPORTER only:
   * refused with GPU_OPERATOR (`exporter: false`), whose ClusterPolicy sets the operator's (`operator.runtimeClass`).
   * @default - the node's default runtime (EKS accelerated AMIs default to the NVIDIA runtime)
   */
  readonly runtimeClassName?: string;
}

/**
 * GPU metrics, alerts and a dashboard, on exactly one exporter per GPU node: its own (`DcgmExporterMode.OWN_EXPORTER`)
 * or the GPU Operator's (`GPU_OPERATOR`). The collectors CSV is written at synth from the declared `collectors` and
 * every DCGM field the alerts, the dashboard and the app's KedaGpuScalers read; every PromQL string is parsed with
 * Prometheus's grammar when built.
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
  /**
   * Annotation on the collectors ConfigMap in GPU_OPERATOR mode: the GPU Operator's exporter (outside the manifests)
   * reads it, so a DCGM exporter runs (rule GPU306).
   */
  public static readonly OPERATOR_EXPORTER_ANNOTATION = 'cdk8s-gpu.io/dcgm-exporter';
  /** The collectors ConfigMap's key (the GPU Operator reads this key of `dcgmExporter.config.name`). */
  public static readonly COLLECTORS_KEY = 'dcgm-metrics.csv';

  /** Who runs the exporter. */
  public readonly mode: DcgmExporterMode;
  /** Namespace of the exporter (or of the alerts, in GPU_OPERATOR mode). */
  public readonly namespace: string;
  /** The exporter DaemonSet (OWN_EXPORTER mode). */
  public readonly daemonSet?: ApiObject;
  /** The exporter Service (OWN_EXPORTER mode). */
  public readonly service?: ApiObject;
  /**
   * The collectors ConfigMap (key `dcgm-metrics.csv`): mounted by the DaemonSet, or in GPU_OPERATOR mode in the
   * operator namespace for `GpuOperatorProps.dcgmExporterConfig` to name.
   */
  public readonly collectorsConfigMap: kplus.ConfigMap;
  /** The ServiceMonitor, unless the GPU Operator's scrapes the exporter (see `serviceMonitor`). */
  public readonly serviceMonitor?: ApiObject;
  /** The PrometheusRule with the GPU alerts (unless `alertRules: false`). */
  public readonly prometheusRule?: ApiObject;
  /** The Grafana dashboard ConfigMap (unless `dashboard: false`). */
  public readonly dashboardConfigMap?: kplus.ConfigMap;
  /**
   * The declared collectors plus every field the alerts and the dashboard read (the scalers' reads are added at
   * synth: see {@link collectedFields}).
   */
  public readonly collectors: DcgmCollectors;
  /** Labels of the exporter Service (what the ServiceMonitor selects). */
  public readonly serviceLabels: Record<string, string>;
  /** Name of the Service port scraped. */
  public readonly metricsPortName: string;
  /** Namespace of the dashboard ConfigMap. */
  public readonly dashboardNamespace: string;
  /** Every PromQL query of the alerts (by alert name). */
  public readonly alertQueries: Record<string, string>;
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
    props = props ?? {};
    // Every independent prop is checked; the problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    const mode = c.run(() => this.resolveMode(props));
    this.mode = mode ?? DcgmExporterMode.OWN_EXPORTER;
    const runExporter = this.mode === DcgmExporterMode.OWN_EXPORTER;
    const name = props.name ?? 'dcgm-exporter';
    c.run(() => validateDns1123Name(this, 'name', name, NameRule.DNS1035_LABEL));
    const operatorNs = props.gpuOperatorNamespace ?? 'gpu-operator';
    c.run(() => validateDns1123Name(this, 'gpuOperatorNamespace', operatorNs, NameRule.DNS1123_LABEL));
    this.namespace = props.namespace ?? (runExporter ? 'gpu-monitoring' : operatorNs);
    if (props.namespace !== undefined || mode !== undefined) c.run(() => validateDns1123Name(this, 'namespace', this.namespace, NameRule.DNS1123_LABEL));
    const dashboardNs = props.dashboardNamespace ?? 'monitoring';
    c.run(() => validateDns1123Name(this, 'dashboardNamespace', dashboardNs, NameRule.DNS1123_LABEL));
    this.dashboardNamespace = dashboardNs;
    const release = props.prometheusRelease ?? 'kube-prometheus-stack';
    if (release !== '') c.run(() => validateLabelValue(this, 'prometheusRelease', release));
    const releaseLabels: Record<string, string> = release ? { release } : {};
    if (mode === DcgmExporterMode.GPU_OPERATOR) {
      // The GPU Operator's ClusterPolicy runs its exporter: where it runs (its DaemonSet's tolerations and the
      // nvidia.com/gpu.deploy.dcgm-exporter node label), its image and runtime class are the operator's settings
      // (GpuOperatorProps), so these props would configure nothing. Every one set is reported, together.
      for (const p of OWN_EXPORTER_ONLY) {
        c.run(() => {
          if (props[p] !== undefined) {
            throw new GpuConfigError(this, p, 'is set, but the GPU Operator runs the exporter (mode GPU_OPERATOR)',
              `drop ${p}, or use mode: DcgmExporterMode.OWN_EXPORTER; configure the operator's exporter through GpuOperatorProps`);
          }
        });
      }
      c.run(() => {
        if (props.createNamespace === true && this.namespace === operatorNs) {
          throw new GpuConfigError(this, 'createNamespace', `is true, but in GPU_OPERATOR mode the namespace is the GPU Operator's (${operatorNs}), which its chart creates; `
            + 'a restricted Pod Security label on it would refuse the operator\'s privileged DaemonSets', 'drop createNamespace');
        }
      });
    }
    c.run(() => {
      if (props.serviceMonitor !== undefined && typeof props.serviceMonitor !== 'boolean') {
        throw new GpuConfigError(this, 'serviceMonitor', `is ${JSON.stringify(props.serviceMonitor)}`, 'use true or false');
      }
    });
    const makeServiceMonitor = props.serviceMonitor ?? runExporter;
    const interval = props.scrapeInterval ?? Duration.seconds(15);
    const intervalSeconds = c.run(() => {
      const n = _seconds(interval);
      if (!Number.isInteger(n) || n < 1 || n > 300) {
        throw new GpuConfigError(this, 'scrapeInterval', `is ${n} s`, 'use 1-300 whole seconds, e.g. Duration.seconds(15)');
      }
      return n;
    }) as number;
    const image = props.image ?? DcgmMonitoring.DEFAULT_IMAGE;
    c.run(() => {
      const last = typeof image === 'string' ? image.split('/').pop() ?? '' : '';
      if (typeof image !== 'string' || /\s/.test(image) || !(image.includes('@sha256:') || /:[\w][\w.-]*$/.test(last)) || /:latest$/.test(last)) {
        throw new GpuConfigError(this, 'image', `is ${JSON.stringify(image)}, not pinned to a tag or digest`,
          `pin a version, e.g. ${DcgmMonitoring.DEFAULT_IMAGE}`);
      }
    });
    c.run(() => {
      if (props.collectors !== undefined && !(props.collectors instanceof DcgmCollectors)) {
        throw new GpuConfigError(this, 'collectors', 'is not a DcgmCollectors', 'use DcgmCollectors.basic() or DcgmCollectors.dcp(), with withFields(...) for more');
      }
    });
    c.run(() => {
      if (props.createNamespace !== undefined && typeof props.createNamespace !== 'boolean') {
        throw new GpuConfigError(this, 'createNamespace', `is ${JSON.stringify(props.createNamespace)}, not a boolean`, 'pass true or false, or omit it');
      }
    });
    if (runExporter && mode !== undefined) {
      c.run(() => {
        if (props.pools !== undefined && (!Array.isArray(props.pools) || props.pools.length === 0)) {
          throw new GpuConfigError(this, 'pools', 'is empty', 'pass the GPU pools, or leave pools unset to select nvidia.com/gpu.present=true nodes');
        }
      });
    }
    const thresholds = (props.alertRules ?? true) ? c.run(() => _resolveThresholds(this, props.alerts)) : undefined;
    c.throwIfAny();
    const declared = props.collectors ?? (runExporter ? DcgmCollectors.basic() : DcgmCollectors.dcp());

    // --- what the alerts and the dashboard read: every query parsed with Prometheus's grammar, its fields collected
    const alertGroups = thresholds ? _gpuAlertGroups(thresholds, true) : [];
    this.alertQueries = {};
    for (const g of alertGroups) for (const r of g.rules) this.alertQueries[r.alert] = r.expr;
    const dashboardQueries = (props.dashboard ?? true) ? _dashboardQueries() : [];
    const ownReads: string[] = [];
    for (const [alert, q] of Object.entries(this.alertQueries)) {
      _checkPromQL(this, `alerts (${alert})`, q);
      ownReads.push(..._dcgmFieldsOf(q));
    }
    for (const q of dashboardQueries) {
      _checkPromQL(this, 'dashboard', q);
      ownReads.push(..._dcgmFieldsOf(q));
    }
    const own = declared._including(ownReads);
    if (own.unknown.length > 0) {
      // Cannot happen with the built-in alerts and dashboard: every field they read has its CSV line here.
      throw new GpuConfigError(this, 'alerts', `read ${own.unknown.join(', ')}, which has no collectors line`, 'report this as a bug of cdk8s-gpu');
    }
    this.collectors = own.collectors;
    this.podSecurity = runExporter
      ? {
        enforce: PodSecurityLevel.PRIVILEGED,
        warn: PodSecurityLevel.PRIVILEGED,
        audit: PodSecurityLevel.RESTRICTED,
        reason: 'dcgm-exporter mounts the hostPath /var/lib/kubelet/pod-resources (baseline forbids host paths) and runs as '
          + `root to connect to the kubelet's socket${this.collectors.needsProfiling ? '; it adds SYS_ADMIN for the profiling (DCP) fields' : ''}`,
      }
      : { enforce: PodSecurityLevel.RESTRICTED };
    if (props.createNamespace) {
      this.namespaceObject = new k8s.KubeNamespace(this, 'Namespace', {
        metadata: { name: this.namespace, labels: PodSecurity.labels(this.podSecurity), annotations: PodSecurity.annotations(this.podSecurity) },
      });
    }

    const appLabels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'gpu-metrics' };
    // The CSV is written at synth: the KedaGpuScalers of the app (built before or after this) add what they read.
    const csv = Lazy.any({ produce: () => this.finalCollectors().toCsv() });
    this.collectorsConfigMap = new kplus.ConfigMap(this, 'Collectors', {
      metadata: {
        name: `${name}-collectors`,
        namespace: runExporter ? this.namespace : operatorNs,
        labels: appLabels,
        // Tells the linter (GPU306) that the GPU Operator's exporter, outside these manifests, reads this CSV.
        ...(runExporter ? {} : { annotations: { [DcgmMonitoring.OPERATOR_EXPORTER_ANNOTATION]: 'gpu-operator' } }),
      },
      data: { [DcgmMonitoring.COLLECTORS_KEY]: csv as any },
    });
    this.node.addValidation({ validate: () => this.validateReads() });

    if (runExporter) {
      this.serviceLabels = appLabels;
      this.metricsPortName = 'metrics';
      const { tolerations, placement } = this.placement(props.pools);
      const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { name, namespace: this.namespace, labels: appLabels },
        automountServiceAccountToken: false,
      });
      const capabilities = Lazy.any({
        produce: () => (this.finalCollectors().needsProfiling ? { drop: ['ALL'], add: ['SYS_ADMIN'] } : { drop: ['ALL'] }),
      });
      this.daemonSet = new k8s.KubeDaemonSet(this, 'Resource', {
        metadata: { name, namespace: this.namespace, labels: appLabels },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/name': name } },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
          template: {
            metadata: {
              labels: appLabels,
              // A new collectors CSV rolls the pods (the exporter reads the file once at start).
              annotations: {
                'cdk8s-gpu.io/collectors': Lazy.any({
                  produce: () => createHash('sha256').update(this.finalCollectors().toCsv()).digest('hex').slice(0, 16),
                }) as any,
              },
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
                  // The window of DCGM_EXP_XID_ERRORS_COUNT the XID alerts read (the exporter's default, made explicit).
                  { name: 'DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE', value: `${XID_WINDOW_MINUTES * 60_000}` },
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
                  capabilities: capabilities as any,
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

    if (makeServiceMonitor) {
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
    }

    if (alertGroups.length > 0) {
      this.prometheusRule = new PrometheusRule(this, 'Alerts', {
        metadata: { name: `${name}-gpu-alerts`, namespace: this.namespace, labels: { ...appLabels, ...releaseLabels } },
        spec: {
          groups: alertGroups.map((g) => ({
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

  /**
   * The DCGM fields the collectors CSV holds: the declared collectors, plus every field read by the alerts, the
   * dashboard and the KedaGpuScalers of the app built so far (final at synth).
   */
  public collectedFields(): string[] {
    return this.finalCollectors().fields.map((f) => f.field);
  }

  private finalCollectors(): DcgmCollectors {
    return this.collectors._including(_dcgmReadsIn(this).keys()).collectors;
  }

  /** Synth-time check: a field a scaler reads that this library has no CSV line for cannot be collected. */
  private validateReads(): string[] {
    const unknown = this.collectors._including(_dcgmReadsIn(this).keys()).unknown;
    return unknown.map((field) => new GpuConfigError(this, 'collectors',
      `lack ${field}, read by ${(_dcgmReadsIn(this).get(field) ?? []).join(', ')}; it is not in the upstream field list, so it cannot be added for you`,
      `add it: collectors: DcgmCollectors.basic().withFields([{ field: '${field}', type: DcgmMetricType.GAUGE, help: '...' }]), or fix the query`).message);
  }

  private resolveMode(props: DcgmMonitoringProps): DcgmExporterMode {
    const mode = props.mode;
    if (mode !== undefined) checkEnum(this, 'mode', DCGM_EXPORTER_MODE(), mode);
    if (props.exporter !== undefined && typeof props.exporter !== 'boolean') {
      throw new GpuConfigError(this, 'exporter', `is ${JSON.stringify(props.exporter)}`, 'use mode: DcgmExporterMode.OWN_EXPORTER or GPU_OPERATOR');
    }
    const fromFlag = props.exporter === undefined ? undefined : (props.exporter ? DcgmExporterMode.OWN_EXPORTER : DcgmExporterMode.GPU_OPERATOR);
    if (mode !== undefined && fromFlag !== undefined && mode !== fromFlag) {
      throw new GpuConfigError(this, 'exporter', `is ${props.exporter}, but mode is ${mode}`, 'drop exporter (deprecated) and keep mode');
    }
    return mode ?? fromFlag ?? DcgmExporterMode.OWN_EXPORTER;
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
      tolerations: NODE_AGENT_TOLERATIONS.map((t) => ({ ...t })),
      placement: { nodeSelector: { 'nvidia.com/gpu.present': 'true' } },
    };
  }
}
