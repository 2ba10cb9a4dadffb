/**
 * NVIDIA GPU Operator settings as one typed object, rendered two ways from the same source of truth:
 * - `GpuOperator` makes a `ClusterPolicy` (`nvidia.com/v1`, named `cluster-policy` like the chart's) for cdk8s users
 *   who install the chart with `clusterPolicy.deployCR=false` and apply the ClusterPolicy themselves;
 * - `toHelmValues()` gives the values of the `gpu-operator` Helm chart the EKS stack installs (the chart renders the
 *   ClusterPolicy itself, so use one or the other, never both).
 * Both come from `GpuOperatorSettings` (the resolved and checked props, no cdk8s scope needed), which the construct
 * and `GpuEksCluster` (src/eks) share, so the ClusterPolicy and the EKS stack's Helm values cannot drift.
 *
 * Defaults and images: NVIDIA/gpu-operator v26.7.0 `deployments/gpu-operator/values.yaml` (10ee5b36). EKS guidance
 * (AWS EKS User Guide `ml-eks-optimized-ami.adoc` @ 07d09a00, `device-management-nvidia-mig.adoc` @ 80436be5):
 * the EKS-optimized AL2023 NVIDIA AMIs ship the driver and container toolkit (operator: `driver.enabled=false`,
 * `toolkit.enabled=false`); the Bottlerocket NVIDIA AMIs also ship the device plugin and their own MIG manager
 * (`devicePlugin.enabled=false`; MIG there is configured through Bottlerocket settings, single strategy only).
 * On cloud VMs a MIG mode change needs a reboot: `migManager.env WITH_REBOOT=true`.
 */
import { ApiObject, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GpuConfigError } from '../errors';
import { ClusterPolicy } from '../imports/nvidia.com';
import { XID_WINDOW_MINUTES } from '../monitoring/alerts';
import { NameRule, validateLabels } from '../naming';
import { GpuAmiFamily, PodToleration } from '../pools';
import { MigConfig } from './mig-config';
import { checkObjectName } from './private/checks';
import { MigStrategy } from './strategy';
import { DEFAULT_DEVICE_PLUGIN_CONFIG, DevicePluginConfig } from './time-slicing';
import { optionalBoolean } from '../private/checks';
import { PropErrors } from '../private/collect';
import { describeValue } from '../private/describe';
import { GPU_AMI_FAMILY, MIG_STRATEGY } from '../private/enum-specs';
import { checkEnumLike, enumProblem, isEnumValue } from '../private/enum-values';
import { NODE_AGENT_TOLERATIONS } from '../private/node-agents';

/** The GPU Operator chart version whose defaults and images this file pins. */
export const GPU_OPERATOR_CHART_VERSION = 'v26.7.0';

/** Operand images of gpu-operator v26.7.0 values.yaml (repository, image, version). */
const IMAGES: Record<string, OperandImage> = {
  driver: { repository: 'nvcr.io/nvidia', image: 'driver', version: '595.91.07' },
  toolkit: { repository: 'nvcr.io/nvidia/k8s', image: 'container-toolkit', version: 'v1.20.0' },
  devicePlugin: { repository: 'nvcr.io/nvidia', image: 'k8s-device-plugin', version: 'v0.20.0' },
  dcgmExporter: { repository: 'nvcr.io/nvidia/k8s', image: 'dcgm-exporter', version: '4.6.0-4.8.3-distroless' },
  gfd: { repository: 'nvcr.io/nvidia', image: 'k8s-device-plugin', version: 'v0.20.0' },
  migManager: { repository: 'nvcr.io/nvidia/cloud-native', image: 'k8s-mig-manager', version: 'v0.15.0' },
  // validator and node status exporter default to the chart's appVersion (the operator image).
  validator: { repository: 'nvcr.io/nvidia', image: 'gpu-operator', version: GPU_OPERATOR_CHART_VERSION },
};

/** Props of {@link GpuOperator} and {@link GpuOperatorSettings} (and `GpuEksCluster`'s `gpuOperator.settings`). */
export interface GpuOperatorProps {
  /** The operator namespace (ConfigMaps must live there). @default 'gpu-operator' */
  readonly namespace?: string;
  /**
   * The node image of the GPU nodes: decides what the operator must not install because the AMI ships it
   * (AL2023 NVIDIA: driver + toolkit; Bottlerocket NVIDIA: driver + toolkit + device plugin + its own MIG manager).
   * @default GpuAmiFamily.AL2023
   */
  readonly nodeImage?: GpuAmiFamily;
  /** Install the NVIDIA driver. @default false (the EKS NVIDIA AMIs ship it; true is refused on them) */
  readonly driver?: boolean;
  /** Install the NVIDIA container toolkit. @default false (the EKS NVIDIA AMIs ship it; true is refused on them) */
  readonly toolkit?: boolean;
  /** Run the NVIDIA device plugin. @default true on AL2023, false on Bottlerocket (built in) */
  readonly devicePlugin?: boolean;
  /**
   * The device plugin's ConfigMap (time-slicing, MPS); its `default` key is the config of nodes without the label.
   * MPS configs also start the operator's MPS control daemon on their nodes (needs `gfd`).
   * @default - none: every GPU whole
   */
  readonly devicePluginConfig?: DevicePluginConfig;
  /**
   * MIG strategy of the device plugin and GPU feature discovery. Our default is `MIXED`, as in AWS's EKS MIG guide
   * (`device-management-nvidia-mig.adoc` @ 80436be5: `mig.strategy: mixed`) and in `MigConfig` / `DevicePluginConfig`;
   * the chart's own default is `single`. `GpuRequest.mig('<profile>')` needs the named `nvidia.com/mig-<profile>`
   * resources, and GPUs without MIG are advertised as `nvidia.com/gpu` either way.
   * @default MigStrategy.MIXED
   */
  readonly migStrategy?: MigStrategy;
  /** Run the MIG manager. @default true on AL2023, false on Bottlerocket */
  readonly migManager?: boolean;
  /**
   * The custom mig-parted config (ClusterPolicy `migManager.config.name`).
   * @default - the operator's `default-mig-parted-config` (mig-parted's default configs: all-1g.10gb, all-balanced, …)
   */
  readonly migConfig?: MigConfig;
  /** Let the MIG manager reboot the node when a MIG mode change needs it (`WITH_REBOOT=true`; needed on EC2). @default true */
  readonly migManagerReboot?: boolean;
  /** Run the DCGM exporter (GPU metrics on port 9400). @default true */
  readonly dcgmExporter?: boolean;
  /**
   * The ConfigMap (in the operator namespace, key `dcgm-metrics.csv`) holding the exporter's collectors CSV:
   * `dcgmExporter.config.name`. Without it the operator's exporter collects its default `dcp-metrics-included.csv`,
   * which leaves out the thermal-violation counter and the windowed XID count the GPU alerts read. A
   * `DcgmMonitoring` with `mode: DcgmExporterMode.GPU_OPERATOR` writes this ConfigMap (`<name>-collectors`, by default
   * `dcgm-exporter-collectors`) from everything its alerts, dashboard and the app's scalers read.
   * @default - none: the operator's default collectors
   */
  readonly dcgmExporterConfig?: string;
  /**
   * Create the DCGM exporter's ServiceMonitor (needs the prometheus-operator CRDs). It always sets `honorLabels: true`:
   * without it Prometheus renames the exporter's `pod`/`namespace` labels `exported_pod`/`exported_namespace` and
   * per-pod queries (KEDA triggers, alerts) break (rule GPU313).
   * @default true (in `GpuEksCluster`: true when the stack installs kube-prometheus-stack, false with your own Prometheus)
   */
  readonly serviceMonitor?: boolean;
  /**
   * Labels on the ServiceMonitor, e.g. `{ release: 'kube-prometheus-stack' }`: kube-prometheus-stack only selects
   * ServiceMonitors with its release label by default.
   * @default - none (in `GpuEksCluster` with its kube-prometheus-stack: `{ release: 'kube-prometheus-stack' }`, merged under yours)
   */
  readonly serviceMonitorLabels?: { [key: string]: string };
  /** Scrape interval. @default Duration.seconds(15) */
  readonly serviceMonitorInterval?: Duration;
  /** Deploy Node Feature Discovery (Helm subchart; not part of the ClusterPolicy). Set false when NFD already runs. @default true */
  readonly nfd?: boolean;
  /** Run GPU Feature Discovery (the `nvidia.com/gpu.*` / `nvidia.com/mig.*` node labels). @default true */
  readonly gfd?: boolean;
  /**
   * Tolerations of the operator's DaemonSets (device plugin, GPU feature discovery, DCGM exporter, MIG manager,
   * validator: ClusterPolicy `daemonsets.tolerations`) and of the Node Feature Discovery worker that labels GPU nodes
   * for them (Helm `node-feature-discovery.worker.tolerations`, beside the chart's control-plane toleration).
   *
   * They must tolerate every taint of every GPU node: on a node they do not tolerate, the device plugin never runs and
   * the node never advertises its GPUs, so the GPU pods Karpenter launched it for stay Pending. A non-empty list
   * replaces the operator's own (`nvidia.com/gpu`, gpu-operator `controllers/object_controls.go`), so it must hold
   * that taint too. `GpuEksCluster.addChart` checks the taints of the chart's NodePools against these (GpuConfigError).
   * @default - `nvidia.com/gpu` and `karpenter.sh/capacity-type` with operator Exists and effect NoSchedule: the GPU
   * taint of every GpuNodePool and the spot taint of SpotGpuPool (the chart's default tolerates only the first)
   */
  readonly tolerations?: PodToleration[];
}

/** The chart's own NFD worker toleration, kept beside ours (gpu-operator values.yaml `node-feature-discovery.worker`). */
const NFD_CONTROL_PLANE_TOLERATION: PodToleration = { key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', value: '', effect: 'NoSchedule' };

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/**
 * The problem of a toleration as the API server would see it (`validateTolerations`), or undefined: a map, a string
 * key (empty only with `Exists`), operator `Exists` (no value) or `Equal`, a known effect, `tolerationSeconds` a whole
 * number and only with `NoExecute`.
 */
function tolerationProblem(t: unknown): string | undefined {
  if (!t || typeof t !== 'object' || Array.isArray(t)) return `is ${describeValue(t)}, not a toleration`;
  const { key, operator, value, effect, tolerationSeconds } = t as PodToleration;
  if (key !== undefined && typeof key !== 'string') return `has key ${describeValue(key)}, not a string`;
  if (operator !== undefined && operator !== 'Exists' && operator !== 'Equal') return `has operator ${describeValue(operator)}, not "Exists" or "Equal"`;
  if (value !== undefined && typeof value !== 'string') return `has value ${describeValue(value)}, not a string`;
  if (operator === 'Exists' && value !== undefined && value !== '') return 'has a value with operator Exists';
  if ((key === undefined || key === '') && operator !== 'Exists') return 'has no key, which needs operator Exists';
  if (effect !== undefined && !TAINT_EFFECTS.includes(effect)) return `has effect ${describeValue(effect)}, not one of ${TAINT_EFFECTS.join(', ')}`;
  if (tolerationSeconds !== undefined && (effect !== 'NoExecute' || !Number.isInteger(tolerationSeconds))) {
    return 'has tolerationSeconds, which needs effect NoExecute and a whole number';
  }
  return undefined;
}

/** An operand's image coordinates. */
interface OperandImage {
  repository: string;
  image: string;
  version: string;
}

/**
 * The NVIDIA GPU Operator's settings, resolved from {@link GpuOperatorProps} and checked: the one source of truth
 * for the `ClusterPolicy` of {@link GpuOperator} and for the `gpu-operator` Helm values (`toHelmValues()`) the EKS
 * stack installs. Needs no cdk8s scope, so aws-cdk-lib code can use it.
 */
export class GpuOperatorSettings {
  /**
   * The operator node agents' default tolerations (see `GpuOperatorProps.tolerations`): `nvidia.com/gpu` and
   * `karpenter.sh/capacity-type`, operator Exists, effect NoSchedule. A fresh list on each call: extend it with the
   * other taints of your GPU nodes, e.g. `[...GpuOperatorSettings.defaultTolerations(), { key: 'dedicated', operator:
   * 'Exists', effect: 'NoSchedule' }]`.
   */
  public static defaultTolerations(): PodToleration[] {
    return NODE_AGENT_TOLERATIONS.map((t) => ({ ...t }));
  }

  /**
   * Resolves and checks the props. Bad props throw `GpuConfigError` named `GpuOperatorSettings: <property> …`.
   * @param props the operator's settings
   */
  public static of(props: GpuOperatorProps = {}): GpuOperatorSettings {
    return GpuOperatorSettings._resolve(props, 'GpuOperatorSettings', '');
  }

  /**
   * Resolves the props, naming `where` (a construct or a plain name) and `prefix` (e.g. `gpuOperator.settings.`)
   * in errors.
   * @internal
   */
  public static _resolve(props: GpuOperatorProps | undefined, where: IConstruct | string, prefix: string): GpuOperatorSettings {
    return new GpuOperatorSettings(props ?? {}, where, prefix);
  }

  /** The operator namespace (where the ConfigMaps live; the EKS stack installs the chart there). */
  public readonly namespace: string;
  /** The node image of the GPU nodes. */
  public readonly nodeImage: GpuAmiFamily;
  /** Whether the operator installs the NVIDIA driver (always false: the EKS NVIDIA AMIs ship it). */
  public readonly driver: boolean;
  /** Whether the operator installs the container toolkit (always false: the EKS NVIDIA AMIs ship it). */
  public readonly toolkit: boolean;
  /** Whether the operator runs the device plugin. */
  public readonly devicePlugin: boolean;
  /** The device plugin's ConfigMap (time-slicing). @default - none */
  public readonly devicePluginConfig?: DevicePluginConfig;
  /** The MIG strategy. */
  public readonly migStrategy: MigStrategy;
  /** Whether the operator runs the MIG manager. */
  public readonly migManager: boolean;
  /** The custom mig-parted config. @default - the operator's default-mig-parted-config */
  public readonly migConfig?: MigConfig;
  /** Whether the MIG manager may reboot the node (`WITH_REBOOT=true`). */
  public readonly migManagerReboot: boolean;
  /** Whether the DCGM exporter runs. */
  public readonly dcgmExporter: boolean;
  /** The collectors ConfigMap of the DCGM exporter. @default - the operator's default collectors */
  public readonly dcgmExporterConfig?: string;
  /** Whether a ServiceMonitor for the DCGM exporter is created (false when the exporter is off). */
  public readonly serviceMonitor: boolean;
  /** Labels on the ServiceMonitor. */
  public readonly serviceMonitorLabels: { [key: string]: string };
  /** The scrape interval. */
  public readonly serviceMonitorInterval: Duration;
  /** Whether Node Feature Discovery is deployed. */
  public readonly nfd: boolean;
  /** Whether GPU Feature Discovery runs. */
  public readonly gfd: boolean;
  /** Tolerations of the operator's DaemonSets and of the NFD worker (a fresh copy on each read). */
  public get tolerations(): PodToleration[] {
    return this._tolerations.map((t) => ({ ...t }));
  }
  private readonly _tolerations: readonly PodToleration[];

  private constructor(props: GpuOperatorProps, where: IConstruct | string, prefix: string) {
    const fail = (property: string, problem: string, fix: string) => new GpuConfigError(where, prefix + property, problem, fix);
    // Every independent setting is checked; the problems are thrown together (one GpuConfigError).
    const c = new PropErrors(where);
    // Type checks first, so a wrong type is named as such rather than read as a default (or 'false' as true).
    const namespace = c.run(() => checkObjectName(where, `${prefix}namespace`, props.namespace ?? 'gpu-operator', NameRule.DNS1123_LABEL,
      'namespace', 'gpu-operator')) as string;
    const flags = ['driver', 'toolkit', 'devicePlugin', 'migManager', 'migManagerReboot', 'dcgmExporter', 'serviceMonitor', 'nfd', 'gfd'] as const;
    for (const flag of flags) c.run(() => optionalBoolean(where, prefix + flag, props[flag] ?? undefined, 'use true or false, or leave it out for the default'));
    const serviceMonitorLabels = c.run(() => (props.serviceMonitorLabels === undefined || props.serviceMonitorLabels === null
      ? {} : validateLabels(where, `${prefix}serviceMonitorLabels`, props.serviceMonitorLabels))) as { [key: string]: string };
    const interval: unknown = props.serviceMonitorInterval ?? Duration.seconds(15);
    const seconds = c.run(() => {
      if (!(interval instanceof Duration)) {
        throw fail('serviceMonitorInterval', `is ${describeValue(interval)}, not a Duration`, 'use e.g. Duration.seconds(15) (whole seconds ≥ 1)');
      }
      const n = interval.toSeconds({ integral: false }); // integral conversion would throw a plain Error on 500 ms
      if (!Number.isInteger(n) || n < 1) {
        throw fail('serviceMonitorInterval', `is ${n} s`, 'use whole seconds ≥ 1, e.g. Duration.seconds(15)');
      }
      return n;
    }) as number;
    const nodeImage = props.nodeImage ?? GpuAmiFamily.AL2023;
    c.run(() => {
      if (!isEnumValue(GPU_AMI_FAMILY(), nodeImage)) {
        const { problem, fix } = enumProblem(GPU_AMI_FAMILY(), nodeImage);
        throw fail('nodeImage', problem, fix);
      }
    });
    const br = nodeImage === GpuAmiFamily.BOTTLEROCKET;
    const amiName = br ? 'the Bottlerocket NVIDIA AMI' : 'the EKS-optimized AL2023 NVIDIA AMI';
    for (const part of ['driver', 'toolkit'] as const) {
      c.run(() => {
        if (props[part] === true) {
          throw fail(part, `is true, but ${amiName} already ships the NVIDIA ${part === 'driver' ? 'driver' : 'container toolkit'} (AWS: "you must disable the operator installation of the driver and toolkit")`,
            `drop ${part}: true (a second ${part} breaks the node)`);
        }
      });
    }
    c.run(() => {
      if (br && props.devicePlugin === true) {
        throw fail('devicePlugin', 'is true, but the Bottlerocket NVIDIA AMI ships the NVIDIA device plugin', 'drop devicePlugin: true');
      }
    });
    const devicePlugin = props.devicePlugin ?? !br;
    const migStrategy = props.migStrategy ?? MigStrategy.MIXED;
    const migStrategyOk = c.run(() => {
      checkEnumLike(where, `${prefix}migStrategy`, MIG_STRATEGY, migStrategy,
        (v) => v === MigStrategy.NONE || v === MigStrategy.SINGLE || v === MigStrategy.MIXED);
      return true;
    }) === true;
    const migManager = props.migManager ?? !br;
    if (props.migConfig !== undefined) {
      c.run(() => {
        if (!(props.migConfig instanceof MigConfig)) throw fail('migConfig', 'is not a MigConfig', 'pass a MigConfig');
        if (br) {
          throw fail('migConfig', 'is set, but Bottlerocket configures MIG itself (settings.kubelet-device-plugins.nvidia, single strategy)',
            'use AL2023 nodes for operator-managed MIG, or configure MIG in the Bottlerocket settings');
        }
        if (!migManager) throw fail('migConfig', 'is set, but migManager is false, so nothing applies it', 'drop migManager: false');
        if (!migStrategyOk) return;
        if (migStrategy === MigStrategy.NONE) {
          throw fail('migStrategy', 'is none, but a migConfig is set: the MIG devices would never be advertised', 'use MigStrategy.MIXED or SINGLE');
        }
        const mismatch = strategyMismatch(props.migConfig, migStrategy, where, prefix);
        if (mismatch) throw mismatch;
      });
    }
    if (props.devicePluginConfig !== undefined) {
      c.run(() => {
        if (!(props.devicePluginConfig instanceof DevicePluginConfig)) {
          throw fail('devicePluginConfig', 'is not a DevicePluginConfig', 'pass a DevicePluginConfig');
        }
        if (!devicePlugin) {
          throw fail('devicePluginConfig', 'is set, but the operator runs no device plugin (devicePlugin false or Bottlerocket)',
            'enable the device plugin, or configure time-slicing in the Bottlerocket settings');
        }
        if (props.devicePluginConfig.hasMps && props.gfd === false) {
          throw fail('gfd', 'is false, but devicePluginConfig shares GPUs with MPS: the MPS control daemon runs only on nodes GPU feature discovery labels nvidia.com/mps.capable=true (gpu-operator v26.7.0 state-mps-control-daemon)',
            'drop gfd: false, or use time-slicing instead of MPS');
        }
        if (migStrategyOk && props.devicePluginConfig.migStrategy !== migStrategy) {
          throw fail('devicePluginConfig', `declares migStrategy ${props.devicePluginConfig.migStrategy}, but the operator uses ${migStrategy}`,
            `create the DevicePluginConfig with migStrategy: MigStrategy.${migStrategy.value.toUpperCase()}`);
        }
      });
    }
    if (namespace !== undefined) {
      for (const [prop, cm] of [['migConfig', props.migConfig], ['devicePluginConfig', props.devicePluginConfig]] as const) {
        c.run(() => {
          if (cm instanceof Construct && cm.namespace !== namespace) {
            throw fail(prop, `lives in namespace ${cm.namespace}, but the operator reads ConfigMaps from ${namespace}`, `create it with namespace: '${namespace}'`);
          }
        });
      }
    }
    const tolerations = c.run(() => {
      const list: unknown = props.tolerations ?? NODE_AGENT_TOLERATIONS;
      if (!Array.isArray(list)) throw fail('tolerations', `is ${describeValue(list)}, not a list`, 'pass a list of tolerations, e.g. [{ key: \'nvidia.com/gpu\', operator: \'Exists\', effect: \'NoSchedule\' }]');
      if (list.length === 0) {
        throw fail('tolerations', 'is empty, so the operator would tolerate only nvidia.com/gpu (its own default)',
          'leave it out for the default, or list every taint of your GPU nodes');
      }
      list.forEach((t, i) => {
        const problem = tolerationProblem(t);
        if (problem) throw fail(`tolerations[${i}]`, problem, 'write it as a Kubernetes toleration, e.g. { key: \'nvidia.com/gpu\', operator: \'Exists\', effect: \'NoSchedule\' }');
      });
      return list.map((t: PodToleration) => ({ ...t }));
    }) as PodToleration[];
    const dcgmExporter = props.dcgmExporter ?? true;
    if (props.dcgmExporterConfig !== undefined) {
      c.run(() => {
        checkObjectName(where, `${prefix}dcgmExporterConfig`, props.dcgmExporterConfig!, NameRule.DNS1123_SUBDOMAIN, 'ConfigMap', 'dcgm-exporter-collectors');
        if (!dcgmExporter) {
          throw fail('dcgmExporterConfig', 'is set, but dcgmExporter is false, so no exporter reads it', 'drop dcgmExporterConfig, or enable the exporter');
        }
      });
    }
    c.throwIfAny();
    this.namespace = namespace;
    this.nodeImage = nodeImage;
    this.driver = false;
    this.toolkit = false;
    this.devicePlugin = devicePlugin;
    this.devicePluginConfig = props.devicePluginConfig;
    this.migStrategy = migStrategy;
    this.migManager = migManager;
    this.migConfig = props.migConfig;
    this.migManagerReboot = props.migManagerReboot ?? true;
    this.dcgmExporter = dcgmExporter;
    if (props.dcgmExporterConfig !== undefined) this.dcgmExporterConfig = props.dcgmExporterConfig;
    this.serviceMonitor = this.dcgmExporter && (props.serviceMonitor ?? true);
    this.serviceMonitorLabels = serviceMonitorLabels;
    this.serviceMonitorInterval = Duration.seconds(seconds);
    this.nfd = props.nfd ?? true;
    this.gfd = props.gfd ?? true;
    this._tolerations = tolerations;
  }

  /**
   * Values for the `gpu-operator` Helm chart (repository `https://helm.ngc.nvidia.com/nvidia`, version
   * {@link GPU_OPERATOR_CHART_VERSION}), from the same settings as the ClusterPolicy. The ConfigMaps of
   * `devicePluginConfig` / `migConfig` are referenced by name (`create: false`): apply them from the cdk8s app.
   * A fresh object on each call.
   */
  public toHelmValues(): any {
    return {
      nfd: { enabled: this.nfd },
      daemonsets: { tolerations: this.tolerations },
      ...(this.nfd ? { 'node-feature-discovery': { worker: { tolerations: [{ ...NFD_CONTROL_PLANE_TOLERATION }, ...this.tolerations] } } } : {}),
      driver: { enabled: this.driver },
      toolkit: { enabled: this.toolkit },
      devicePlugin: {
        enabled: this.devicePlugin,
        ...(this.devicePluginConfig ? { config: { create: false, ...this.devicePluginConfigRef() } } : {}),
      },
      mig: { strategy: this.migStrategy.value },
      migManager: {
        enabled: this.migManager,
        ...this.migManagerExtras(),
        ...(this.migConfig ? { config: { create: false, ...this.migConfigRef() } } : {}),
      },
      dcgmExporter: {
        enabled: this.dcgmExporter,
        ...this.dcgmExporterExtras(),
        ...(this.dcgmExporterConfig ? { config: { create: false, name: this.dcgmExporterConfig } } : {}),
        serviceMonitor: this.serviceMonitorSpec(),
      },
      gfd: { enabled: this.gfd },
    };
  }

  /** The ClusterPolicy `spec` (operand images of {@link GPU_OPERATOR_CHART_VERSION}). @internal */
  public _clusterPolicySpec(): any {
    const operand = (enabled: boolean, image: OperandImage) => (enabled ? { enabled, ...image } : { enabled });
    return {
      operator: { defaultRuntime: 'containerd' },
      daemonsets: {
        priorityClassName: 'system-node-critical',
        tolerations: this.tolerations,
      },
      validator: { ...IMAGES.validator },
      driver: operand(this.driver, IMAGES.driver),
      toolkit: operand(this.toolkit, IMAGES.toolkit),
      devicePlugin: {
        ...operand(this.devicePlugin, IMAGES.devicePlugin),
        ...(this.devicePluginConfig ? { config: this.devicePluginConfigRef() } : {}),
      },
      dcgm: { enabled: false },
      dcgmExporter: {
        ...operand(this.dcgmExporter, IMAGES.dcgmExporter),
        ...this.dcgmExporterExtras(),
        ...(this.dcgmExporterConfig ? { config: { name: this.dcgmExporterConfig } } : {}),
        serviceMonitor: this.serviceMonitorSpec(),
      },
      gfd: operand(this.gfd, IMAGES.gfd),
      mig: { strategy: this.migStrategy.value },
      migManager: {
        ...operand(this.migManager, IMAGES.migManager),
        ...this.migManagerExtras(),
        ...(this.migConfig ? { config: this.migConfigRef() } : {}),
      },
      nodeStatusExporter: { enabled: false },
    };
  }

  // Parts shared by both renderings (same keys in the chart's values and the ClusterPolicy spec).

  private serviceMonitorSpec(): any {
    if (!this.serviceMonitor) return { enabled: false };
    return {
      enabled: true,
      interval: `${this.serviceMonitorInterval.toSeconds()}s`,
      // The exporter's own pod/namespace/container labels name the pod the GPU is allocated to; without
      // honorLabels Prometheus renames them exported_* and per-pod queries break (rule GPU313).
      honorLabels: true,
      additionalLabels: { ...this.serviceMonitorLabels },
    };
  }

  private dcgmExporterExtras(): any {
    // The window of DCGM_EXP_XID_ERRORS_COUNT, which the XID alerts of DcgmMonitoring read (the exporter's default
    // 300000 ms, made explicit: dcgm-exporter --xid-count-window-size / DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE).
    return this.dcgmExporter ? { env: [{ name: 'DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE', value: `${XID_WINDOW_MINUTES * 60_000}` }] } : {};
  }

  private migManagerExtras(): any {
    // AWS's MIG example on AL2023 (p4d) reboots the node to apply a MIG mode change on a cloud VM.
    return this.migManager && this.migManagerReboot ? { env: [{ name: 'WITH_REBOOT', value: 'true' }] } : {};
  }

  private devicePluginConfigRef(): any {
    return { name: this.devicePluginConfig!.name, default: DEFAULT_DEVICE_PLUGIN_CONFIG };
  }

  private migConfigRef(): any {
    return { name: this.migConfig!.name, default: 'all-disabled' };
  }
}

/**
 * The error for a pool `migConfig` was applied to with another strategy than the operator's (the device plugin's
 * strategy is cluster-wide, so that pool would be advertised resources no node has), or undefined.
 */
function strategyMismatch(migConfig: MigConfig, migStrategy: MigStrategy, where: IConstruct | string, prefix: string): GpuConfigError | undefined {
  const off = migConfig._applications().find((a) => a.strategy !== migStrategy);
  if (!off) return undefined;
  return new GpuConfigError(where, `${prefix}migConfig`,
    `was applied to ${off.pool} (config ${off.config}) with the ${off.strategy.value} MIG strategy, but the operator uses ${migStrategy.value}, `
    + `so the pool advertises ${off.strategy === MigStrategy.SINGLE ? 'nvidia.com/gpu per MIG instance' : 'nvidia.com/mig-<profile>'} resources its nodes never get`,
    `use migStrategy: MigStrategy.${off.strategy.value.toUpperCase()} here, or apply the config with { strategy: MigStrategy.${migStrategy.value.toUpperCase()} }`);
}

/**
 * The NVIDIA GPU Operator's settings as a cdk8s construct: renders the `ClusterPolicy` (`nvidia.com/v1`) and, from
 * the same {@link GpuOperatorSettings}, the Helm values (`toHelmValues()`). See the file comment for the EKS defaults.
 */
export class GpuOperator extends Construct {
  /** The ClusterPolicy (escape hatch). */
  public readonly clusterPolicy: ApiObject;
  /** The resolved settings both renderings come from. */
  public readonly settings: GpuOperatorSettings;
  /** The operator namespace. */
  public readonly namespace: string;
  /** The MIG strategy. */
  public readonly migStrategy: MigStrategy;

  constructor(scope: Construct, id: string, props: GpuOperatorProps = {}) {
    super(scope, id);
    this.settings = GpuOperatorSettings._resolve(props, this, '');
    this.namespace = this.settings.namespace;
    this.migStrategy = this.settings.migStrategy;
    // MigConfig.applyTo calls made after this construct: checked again at synth.
    const settings = this.settings;
    this.node.addValidation({
      validate: () => {
        const e = settings.migConfig ? strategyMismatch(settings.migConfig, settings.migStrategy, this, '') : undefined;
        return e ? [e.message] : [];
      },
    });
    this.clusterPolicy = new ClusterPolicy(this, 'Resource', {
      metadata: { name: 'cluster-policy' },
      spec: this.settings._clusterPolicySpec(),
    });
    this.node.defaultChild = this.clusterPolicy;
  }

  /** Values for the `gpu-operator` Helm chart, from the same settings as the ClusterPolicy (see `GpuOperatorSettings.toHelmValues`). */
  public toHelmValues(): any {
    return this.settings.toHelmValues();
  }
}
