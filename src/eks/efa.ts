/**
 * EFA for multi-node training on `GpuEksStack`: a cluster placement group, the AWS EFA Kubernetes device plugin
 * (pinned Helm chart, versions.ts) and the security-group rule EFA needs.
 *
 * Sources:
 * - AWS EKS user guide "Manage EFA devices on Amazon EKS": with Karpenter use the EFA device plugin (not the EFA DRA
 *   driver); the EKS AL2023 and Bottlerocket AMIs carry the EFA host software but not the plugin; the security group
 *   "must allow all inbound and outbound traffic to and from itself to enable EFA OS-bypass functionality"
 *   (EC2 user guide "Prepare an EFA-enabled security group").
 * - AWS EKS user guide "View Amazon EKS security group requirements": EKS's own cluster security group has an outbound
 *   rule to itself "for EFA traffic"; the Karpenter node group of GpuEksCluster allows all outbound to 0.0.0.0/0 and all
 *   inbound from itself, so the explicit outbound-to-self rule is added here.
 * - AWS EC2 user guide "Placement groups": a cluster placement group packs instances close together in one Availability
 *   Zone (low latency, high per-flow throughput), the recommended setting for EFA.
 * - AWS EKS user guide "Manage EFA devices": NVIDIA k8s-device-plugin v0.19.0 and later default `--mofed-enabled`
 *   (env `MOFED_ENABLED`) to true and mount every `/dev/infiniband/uverbs*` into GPU containers, which conflicts with the
 *   EFA device plugin's allocation; it must be disabled. The GPU Operator settings here run device plugin v0.20.0, so
 *   with `efa` the stack sets `devicePlugin.env MOFED_ENABLED=false` in the operator's Helm values (yours still win).
 * - aws/eks-charts `aws-efa-k8s-device-plugin` templates: the DaemonSet runs privileged with hostNetwork (it mounts
 *   /dev/infiniband and registers with the kubelet's device-plugin socket: a device plugin cannot do less), selects the
 *   EFA instance types by node affinity, and tolerates only `CriticalAddonsOnly` plus `tolerations` from values; GPU
 *   nodes carry `nvidia.com/gpu:NoSchedule` (and pools may add taints), so it is given `operator: Exists`.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GpuOperatorAddonOptions } from './addons';
import { GpuEksCluster } from './cluster';
import { deepMerge } from './private/helm-values';
import { EFA_DEVICE_PLUGIN_CHART } from './versions';
import { GpuConfigError } from '../errors';
import { NameRule, validateDns1123Name } from '../naming';
import { describeValue } from '../private/describe';

/** Settings of EFA support on a `GpuEksStack` (its `efa` prop). */
export interface GpuEfaOptions {
  /**
   * Create a cluster placement group; node classes with `placementGroup: PlacementGroupSelector.ofEksStack()` in
   * charts deployed through the stack launch into it.
   * @default true
   */
  readonly placementGroup?: boolean;
  /** Install the AWS EFA Kubernetes device plugin. @default true */
  readonly devicePlugin?: boolean;
  /** Device-plugin chart version (exact). @default 'v0.5.30' (EFA_DEVICE_PLUGIN_CHART) */
  readonly version?: string;
  /** Namespace of the device plugin. @default 'kube-system' */
  readonly namespace?: string;
  /** Extra Helm values for the device plugin, deep-merged over the derived ones (escape hatch). @default - none */
  readonly values?: { [key: string]: any };
}

/**
 * The GPU Operator add-on options with the NVIDIA device plugin's MOFED mounts turned off (see above); the user's own
 * `values` are merged over it. Anything that is not an options object is returned as is (the cluster refuses it).
 * @internal
 */
export function _gpuOperatorForEfa(gpuOperator: GpuOperatorAddonOptions | undefined): GpuOperatorAddonOptions | undefined {
  const opts = gpuOperator ?? {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) return gpuOperator;
  const values = opts.values;
  if (values !== undefined && (typeof values !== 'object' || values === null || Array.isArray(values))) return gpuOperator;
  return { ...opts, values: deepMerge({ devicePlugin: { env: [{ name: 'MOFED_ENABLED', value: 'false' }] } }, values) };
}

/** Something in a cdk8s chart that takes the stack's placement group name (the library's GpuNodeClass). */
interface PlacementGroupBindable {
  bindPlacementGroup(name: string): void;
}
function isPlacementGroupBindable(x: IConstruct): x is IConstruct & PlacementGroupBindable {
  return typeof (x as any).bindPlacementGroup === 'function';
}

/** EFA support of a `GpuEksStack`: placement group, device plugin, security-group rule. */
export class GpuEfa extends Construct {
  /** The cluster placement group. @default - undefined when `placementGroup` is false */
  public readonly placementGroup?: ec2.PlacementGroup;
  private readonly options: GpuEfaOptions;
  private _devicePluginChart?: eks.HelmChart;

  constructor(scope: Construct, id: string, options: GpuEfaOptions = {}) {
    super(scope, id);
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new GpuConfigError(this, 'efa', `is ${describeValue(options)}, not an object`, 'pass {} for the defaults, or GpuEfaOptions');
    }
    for (const k of ['placementGroup', 'devicePlugin'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'boolean') {
        throw new GpuConfigError(this, `efa.${k}`, `is ${describeValue(options[k])}, not a boolean`, 'pass true or false, or omit it (default true)');
      }
    }
    if (options.version !== undefined && (typeof options.version !== 'string' || !/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(options.version))) {
      throw new GpuConfigError(this, 'efa.version', `is ${describeValue(options.version)}, not an exact chart version`, `pin an exact version such as ${EFA_DEVICE_PLUGIN_CHART.version}`);
    }
    if (options.namespace !== undefined) validateDns1123Name(this, 'efa.namespace', options.namespace, NameRule.DNS1123_LABEL);
    if (options.values !== undefined && (typeof options.values !== 'object' || options.values === null || Array.isArray(options.values))) {
      throw new GpuConfigError(this, 'efa.values', `is ${describeValue(options.values)}, not an object of Helm values`, 'pass an object, or omit it');
    }
    this.options = options;
    if (options.placementGroup ?? true) {
      this.placementGroup = new ec2.PlacementGroup(this, 'PlacementGroup', { strategy: ec2.PlacementGroupStrategy.CLUSTER });
    }
  }

  /** The device plugin's Helm release. @default - undefined with `devicePlugin: false` (or before the stack attaches it) */
  public get devicePluginChart(): eks.HelmChart | undefined {
    return this._devicePluginChart;
  }

  /** The placement group's name (a CloudFormation token). @default - undefined without a placement group */
  public get placementGroupName(): string | undefined {
    return this.placementGroup?.placementGroupName;
  }

  /** Fills the placement group name into the node classes of `charts` that ask for it. @internal */
  public _bindCharts(charts: readonly cdk8s.Chart[]): void {
    const name = this.placementGroupName;
    if (name === undefined) return;
    for (const chart of charts) {
      if (!cdk8s.Chart.isChart(chart)) continue; // the cluster refuses it with a clear error
      for (const c of chart.node.findAll()) if (isPlacementGroupBindable(c)) c.bindPlacementGroup(name);
    }
  }

  /** Installs the device plugin on the cluster and opens the node security group to itself outbound. @internal */
  public _attach(cluster: GpuEksCluster): void {
    const sg = cluster.nodeSecurityGroup;
    new ec2.CfnSecurityGroupEgress(this, 'NodeEgressToSelf', {
      groupId: sg.securityGroupId,
      destinationSecurityGroupId: sg.securityGroupId,
      ipProtocol: '-1',
      description: 'EFA: all traffic to the same security group (OS-bypass needs both directions)',
    });
    if (!(this.options.devicePlugin ?? true)) return;
    this._devicePluginChart = cluster.cluster.addHelmChart('EfaDevicePluginChart', {
      repository: EFA_DEVICE_PLUGIN_CHART.repository,
      chart: EFA_DEVICE_PLUGIN_CHART.chart,
      version: this.options.version ?? EFA_DEVICE_PLUGIN_CHART.version,
      release: 'efa',
      namespace: this.options.namespace ?? 'kube-system',
      createNamespace: (this.options.namespace ?? 'kube-system') !== 'kube-system',
      values: deepMerge({ tolerations: [{ operator: 'Exists' }] }, this.options.values),
    });
    this._devicePluginChart.node.addDependency(cluster.systemNodeGroup);
  }
}
