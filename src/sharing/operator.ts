/**
 * NVIDIA GPU Operator settings as one typed object, rendered two ways from the same source of truth:
 * - `GpuOperator` makes a `ClusterPolicy` (`nvidia.com/v1`, named `cluster-policy` like the chart's) for cdk8s users
 *   who install the chart with `clusterPolicy.deployCR=false` and apply the ClusterPolicy themselves;
 * - `toHelmValues()` gives the values of the `gpu-operator` Helm chart the EKS stack installs (the chart renders the
 *   ClusterPolicy itself, so use one or the other, never both).
 *
 * Defaults and images: NVIDIA/gpu-operator v26.7.0 `deployments/gpu-operator/values.yaml` (10ee5b36). EKS guidance
 * (AWS EKS User Guide `ml-eks-optimized-ami.adoc` @ 07d09a00, `device-management-nvidia-mig.adoc` @ 80436be5):
 * the EKS-optimized AL2023 NVIDIA AMIs ship the driver and container toolkit (operator: `driver.enabled=false`,
 * `toolkit.enabled=false`); the Bottlerocket NVIDIA AMIs also ship the device plugin and their own MIG manager
 * (`devicePlugin.enabled=false`; MIG there is configured through Bottlerocket settings, single strategy only).
 * On cloud VMs a MIG mode change needs a reboot: `migManager.env WITH_REBOOT=true`.
 */
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { ClusterPolicy } from '../imports/nvidia.com';
import { GpuAmiFamily } from '../pools';
import { MigConfig } from './mig-config';
import { MigStrategy } from './strategy';
import { DEFAULT_DEVICE_PLUGIN_CONFIG, DevicePluginConfig } from './time-slicing';

/** The GPU Operator chart version whose defaults and images this file pins. */
export const GPU_OPERATOR_CHART_VERSION = 'v26.7.0';

/** Operand images of gpu-operator v26.7.0 values.yaml (repository, image, version). */
const IMAGES = {
  driver: { repository: 'nvcr.io/nvidia', image: 'driver', version: '595.91.07' },
  toolkit: { repository: 'nvcr.io/nvidia/k8s', image: 'container-toolkit', version: 'v1.20.0' },
  devicePlugin: { repository: 'nvcr.io/nvidia', image: 'k8s-device-plugin', version: 'v0.20.0' },
  dcgmExporter: { repository: 'nvcr.io/nvidia/k8s', image: 'dcgm-exporter', version: '4.6.0-4.8.3-distroless' },
  gfd: { repository: 'nvcr.io/nvidia', image: 'k8s-device-plugin', version: 'v0.20.0' },
  migManager: { repository: 'nvcr.io/nvidia/cloud-native', image: 'k8s-mig-manager', version: 'v0.15.0' },
  // validator and node status exporter default to the chart's appVersion (the operator image).
  validator: { repository: 'nvcr.io/nvidia', image: 'gpu-operator', version: GPU_OPERATOR_CHART_VERSION },
};

/** Props of {@link GpuOperator}. */
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
   * The device plugin's ConfigMap (time-slicing); its `default` key is the config of nodes without the label.
   * @default - none: every GPU whole
   */
  readonly devicePluginConfig?: DevicePluginConfig;
  /**
   * MIG strategy of the device plugin and GPU feature discovery. Our default is `MIXED` (upstream: `single`):
   * `GpuRequest.mig('<profile>')` needs the named `nvidia.com/mig-<profile>` resources, and GPUs without MIG are
   * advertised as `nvidia.com/gpu` either way.
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
  /** Create the DCGM exporter's ServiceMonitor (needs the prometheus-operator CRDs). @default true */
  readonly serviceMonitor?: boolean;
  /**
   * Labels on the ServiceMonitor, e.g. `{ release: 'kube-prometheus-stack' }`: kube-prometheus-stack only selects
   * ServiceMonitors with its release label by default.
   * @default - none
   */
  readonly serviceMonitorLabels?: { [key: string]: string };
  /** Scrape interval. @default Duration.seconds(15) */
  readonly serviceMonitorInterval?: Duration;
  /** Deploy Node Feature Discovery (Helm subchart; not part of the ClusterPolicy). Set false when NFD already runs. @default true */
  readonly nfd?: boolean;
  /** Run GPU Feature Discovery (the `nvidia.com/gpu.*` / `nvidia.com/mig.*` node labels). @default true */
  readonly gfd?: boolean;
}

/** The resolved settings (plain values). */
interface Settings {
  namespace: string;
  nodeImage: GpuAmiFamily;
  driver: boolean;
  toolkit: boolean;
  devicePlugin: boolean;
  devicePluginConfig?: DevicePluginConfig;
  migStrategy: MigStrategy;
  migManager: boolean;
  migConfig?: MigConfig;
  migManagerReboot: boolean;
  dcgmExporter: boolean;
  serviceMonitor: boolean;
  serviceMonitorLabels: Record<string, string>;
  serviceMonitorInterval: string;
  nfd: boolean;
  gfd: boolean;
}

/**
 * The NVIDIA GPU Operator's settings: renders the `ClusterPolicy` (`nvidia.com/v1`) and, from the same settings,
 * the Helm values (`toHelmValues()`). See the file comment for the EKS defaults.
 */
export class GpuOperator extends Construct {
  /** The ClusterPolicy (escape hatch). */
  public readonly clusterPolicy: ClusterPolicy;
  /** The operator namespace. */
  public readonly namespace: string;
  /** The MIG strategy. */
  public readonly migStrategy: MigStrategy;

  private readonly settings: Settings;

  constructor(scope: Construct, id: string, props: GpuOperatorProps = {}) {
    super(scope, id);
    this.settings = this.resolve(props ?? {});
    this.namespace = this.settings.namespace;
    this.migStrategy = this.settings.migStrategy;
    this.clusterPolicy = new ClusterPolicy(this, 'Resource', {
      metadata: { name: 'cluster-policy' },
      spec: this.clusterPolicySpec() as any,
    });
    this.node.defaultChild = this.clusterPolicy;
  }

  /**
   * Values for the `gpu-operator` Helm chart (repository `https://helm.ngc.nvidia.com/nvidia`, version
   * {@link GPU_OPERATOR_CHART_VERSION}), from the same settings as the ClusterPolicy. The ConfigMaps of
   * `devicePluginConfig` / `migConfig` are referenced by name (`create: false`): apply them from the cdk8s app.
   */
  public toHelmValues(): any {
    const s = this.settings;
    return {
      nfd: { enabled: s.nfd },
      driver: { enabled: s.driver },
      toolkit: { enabled: s.toolkit },
      devicePlugin: {
        enabled: s.devicePlugin,
        ...(s.devicePluginConfig ? { config: { create: false, name: s.devicePluginConfig.name, default: DEFAULT_DEVICE_PLUGIN_CONFIG } } : {}),
      },
      mig: { strategy: s.migStrategy.value },
      migManager: {
        enabled: s.migManager,
        ...(s.migManager && s.migManagerReboot ? { env: [{ name: 'WITH_REBOOT', value: 'true' }] } : {}),
        ...(s.migConfig ? { config: { create: false, name: s.migConfig.name, default: 'all-disabled' } } : {}),
      },
      dcgmExporter: {
        enabled: s.dcgmExporter,
        serviceMonitor: {
          enabled: s.dcgmExporter && s.serviceMonitor,
          ...(s.dcgmExporter && s.serviceMonitor ? { interval: s.serviceMonitorInterval, additionalLabels: { ...s.serviceMonitorLabels } } : {}),
        },
      },
      gfd: { enabled: s.gfd },
    };
  }

  private resolve(props: GpuOperatorProps): Settings {
    const nodeImage = props.nodeImage ?? GpuAmiFamily.AL2023;
    if (nodeImage !== GpuAmiFamily.AL2023 && nodeImage !== GpuAmiFamily.BOTTLEROCKET) {
      throw new GpuConfigError(this, 'nodeImage', `is ${JSON.stringify(nodeImage)}, not a GpuAmiFamily`, 'use GpuAmiFamily.AL2023 or GpuAmiFamily.BOTTLEROCKET');
    }
    const br = nodeImage === GpuAmiFamily.BOTTLEROCKET;
    const amiName = br ? 'the Bottlerocket NVIDIA AMI' : 'the EKS-optimized AL2023 NVIDIA AMI';
    for (const part of ['driver', 'toolkit'] as const) {
      if (props[part] === true) {
        throw new GpuConfigError(this, part, `is true, but ${amiName} already ships the NVIDIA ${part === 'driver' ? 'driver' : 'container toolkit'} (AWS: "you must disable the operator installation of the driver and toolkit")`,
          `drop ${part}: true (a second ${part} breaks the node)`);
      }
    }
    if (br && props.devicePlugin === true) {
      throw new GpuConfigError(this, 'devicePlugin', 'is true, but the Bottlerocket NVIDIA AMI ships the NVIDIA device plugin', 'drop devicePlugin: true');
    }
    const devicePlugin = props.devicePlugin ?? !br;
    const migStrategy = props.migStrategy ?? MigStrategy.MIXED;
    if (!(migStrategy instanceof MigStrategy)) {
      throw new GpuConfigError(this, 'migStrategy', `is ${JSON.stringify(props.migStrategy)}, not a MigStrategy`, 'use MigStrategy.MIXED, SINGLE or NONE');
    }
    const migManager = props.migManager ?? !br;
    if (props.migConfig !== undefined) {
      if (!(props.migConfig instanceof MigConfig)) throw new GpuConfigError(this, 'migConfig', 'is not a MigConfig', 'pass a MigConfig');
      if (br) {
        throw new GpuConfigError(this, 'migConfig', 'is set, but Bottlerocket configures MIG itself (settings.kubelet-device-plugins.nvidia, single strategy)',
          'use AL2023 nodes for operator-managed MIG, or configure MIG in the Bottlerocket settings');
      }
      if (!migManager) throw new GpuConfigError(this, 'migConfig', 'is set, but migManager is false, so nothing applies it', 'drop migManager: false');
      if (migStrategy === MigStrategy.NONE) {
        throw new GpuConfigError(this, 'migStrategy', 'is none, but a migConfig is set: the MIG devices would never be advertised', 'use MigStrategy.MIXED or SINGLE');
      }
    }
    if (props.devicePluginConfig !== undefined) {
      if (!(props.devicePluginConfig instanceof DevicePluginConfig)) {
        throw new GpuConfigError(this, 'devicePluginConfig', 'is not a DevicePluginConfig', 'pass a DevicePluginConfig');
      }
      if (!devicePlugin) {
        throw new GpuConfigError(this, 'devicePluginConfig', 'is set, but the operator runs no device plugin (devicePlugin false or Bottlerocket)',
          'enable the device plugin, or configure time-slicing in the Bottlerocket settings');
      }
      if (props.devicePluginConfig.migStrategy !== migStrategy) {
        throw new GpuConfigError(this, 'devicePluginConfig', `declares migStrategy ${props.devicePluginConfig.migStrategy}, but the operator uses ${migStrategy}`,
          `create the DevicePluginConfig with migStrategy: MigStrategy.${migStrategy.value.toUpperCase()}`);
      }
    }
    const namespace = props.namespace ?? 'gpu-operator';
    for (const [prop, cm] of [['migConfig', props.migConfig], ['devicePluginConfig', props.devicePluginConfig]] as const) {
      if (cm && cm.namespace !== namespace) {
        throw new GpuConfigError(this, prop, `lives in namespace ${cm.namespace}, but the operator reads ConfigMaps from ${namespace}`, `create it with namespace: '${namespace}'`);
      }
    }
    const interval = props.serviceMonitorInterval ?? Duration.seconds(15);
    const seconds = interval.toSeconds();
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw new GpuConfigError(this, 'serviceMonitorInterval', `is ${seconds} s`, 'use whole seconds ≥ 1, e.g. Duration.seconds(15)');
    }
    return {
      namespace,
      nodeImage,
      driver: false,
      toolkit: false,
      devicePlugin,
      ...(props.devicePluginConfig ? { devicePluginConfig: props.devicePluginConfig } : {}),
      migStrategy,
      migManager,
      ...(props.migConfig ? { migConfig: props.migConfig } : {}),
      migManagerReboot: props.migManagerReboot ?? true,
      dcgmExporter: props.dcgmExporter ?? true,
      serviceMonitor: props.serviceMonitor ?? true,
      serviceMonitorLabels: { ...(props.serviceMonitorLabels ?? {}) },
      serviceMonitorInterval: `${seconds}s`,
      nfd: props.nfd ?? true,
      gfd: props.gfd ?? true,
    };
  }

  private clusterPolicySpec(): any {
    const s = this.settings;
    const operand = (enabled: boolean, image: { repository: string; image: string; version: string }) =>
      (enabled ? { enabled, ...image } : { enabled });
    return {
      operator: { defaultRuntime: 'containerd' },
      daemonsets: {
        priorityClassName: 'system-node-critical',
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      },
      validator: { ...IMAGES.validator },
      driver: operand(s.driver, IMAGES.driver),
      toolkit: operand(s.toolkit, IMAGES.toolkit),
      devicePlugin: {
        ...operand(s.devicePlugin, IMAGES.devicePlugin),
        ...(s.devicePluginConfig ? { config: { name: s.devicePluginConfig.name, default: DEFAULT_DEVICE_PLUGIN_CONFIG } } : {}),
      },
      dcgm: { enabled: false },
      dcgmExporter: {
        ...operand(s.dcgmExporter, IMAGES.dcgmExporter),
        serviceMonitor: {
          enabled: s.dcgmExporter && s.serviceMonitor,
          ...(s.dcgmExporter && s.serviceMonitor ? { interval: s.serviceMonitorInterval, additionalLabels: { ...s.serviceMonitorLabels } } : {}),
        },
      },
      gfd: operand(s.gfd, IMAGES.gfd),
      mig: { strategy: s.migStrategy.value },
      migManager: {
        ...operand(s.migManager, IMAGES.migManager),
        ...(s.migManager && s.migManagerReboot ? { env: [{ name: 'WITH_REBOOT', value: 'true' }] } : {}),
        ...(s.migConfig ? { config: { name: s.migConfig.name, default: 'all-disabled' } } : {}),
      },
      nodeStatusExporter: { enabled: false },
    };
  }
}
