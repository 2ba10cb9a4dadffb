/**
 * GpuEksCluster: an EKS cluster ready for GPU NodePools (Karpenter + interruption handling, NVIDIA GPU
 * Operator, KEDA, Prometheus) and a way to deploy this library's cdk8s charts onto it.
 *
 * Built on `aws-cdk-lib/aws-eks-v2`, not `aws-eks`. In aws-cdk-lib 2.276 both are stable, but `aws-eks-v2`
 * is the module AWS now develops (its README: "a rewrite of the existing aws-eks module"): the cluster is the
 * native `AWS::EKS::Cluster` instead of a custom resource with a Lambda handler, authentication is access
 * entries only (authentication mode API, no aws-auth ConfigMap), no nested stacks, and the kubectl handler is
 * created only when asked for. `aws-eks` keeps the custom-resource cluster and aws-auth for compatibility.
 */
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { Annotations, Duration, Names, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cdk8s from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  GpuOperatorAddonOptions,
  KarpenterAddonOptions,
  KedaAddonOptions,
  PrometheusAddonOptions,
} from './addons';
import { _KarpenterFeatureGates } from './feature-gates';
import { KarpenterAwsResources } from './karpenter';
import { KueueAddonOptions, _kueueManagerConfig } from './kueue';
import { _checkMonitoringWiring, _MonitoringAddons } from './monitoring-wiring';
import { acknowledgeNagFindings } from './nag';
import { _checkNodeAgentTolerations, _nodeAgentTolerations, _NodeAgentTolerations } from './node-agents';
import { PROMETHEUS_RELEASE, deepMerge, gpuOperatorProps, grafanaValues, kubePrometheusStackUrl } from './private/helm-values';
import { _checkChartReservations, _reservationOf } from './reservations';
import {
  GpuEksSecurityProps, addFlowLogs, checkNodeClassKeys, deployAdmissionPolicy, enableNetworkPolicy, grantNodeVolumeKey, kedaSecurityValues,
  resolveEndpointAccess, systemNodeRole, systemRootVolume,
} from './security';
import {
  DEFAULT_KUBERNETES_MINOR,
  GPU_OPERATOR_CHART,
  KARPENTER_CHART,
  KEDA_CHART,
  KUBE_PROMETHEUS_STACK_CHART,
  KUEUE_CHART,
} from './versions';
import { GpuConfigError } from '../errors';
import { NameRule, validateDns1123Name } from '../naming';
import { CapacityReservation } from '../pools/capacity';
import { optionalBoolean } from '../private/checks';
import { PropErrors } from '../private/collect';
import { describeValue as describe } from '../private/describe';
import { checkEnum, enumSpec } from '../private/enum-values';
import { NAT_GATEWAYS_CAPPED, UNTAGGED_SUBNET, formatConstructWarning } from '../private/warnings';
import { GpuOperatorProps, GpuOperatorSettings } from '../sharing/operator';

/** The tag Karpenter's EC2NodeClass selector terms use to find subnets and security groups. */
const KARPENTER_DISCOVERY_TAG = 'karpenter.sh/discovery';

/** Settings of the small CPU-only managed node group that runs the system controllers. */
export interface SystemNodeGroupOptions {
  /** Instance types (x86_64 CPU types: the group runs the AL2023 x86_64 AMI). @default [m6i.large] */
  readonly instanceTypes?: ec2.InstanceType[];
  /** Minimum size. @default 2 */
  readonly minSize?: number;
  /** Maximum size. @default 3 */
  readonly maxSize?: number;
  /** Desired size (a whole number from minSize to maxSize). @default - minSize */
  readonly desiredSize?: number;
}

/** Properties of {@link GpuEksCluster}. */
export interface GpuEksClusterProps extends GpuEksSecurityProps {
  /**
   * EKS cluster name. Must be a literal (it is written into IAM condition keys, the Karpenter settings and
   * the `karpenter.sh/discovery` tag), 1-100 characters of letters, digits, `-` and `_`, starting with a
   * letter or digit.
   * @default - a name derived from the construct path (at most 46 characters)
   */
  readonly clusterName?: string;
  /**
   * Kubernetes version, pinned.
   * @default eks.KubernetesVersion.V1_33 (matches the bundled kubectl v33 layer)
   */
  readonly kubernetesVersion?: eks.KubernetesVersion;
  /**
   * kubectl/helm Lambda layer used to apply charts and manifests. Pass a newer
   * `@aws-cdk/lambda-layer-kubectl-vXY` layer together with a newer `kubernetesVersion`.
   * @default - KubectlV33Layer from `@aws-cdk/lambda-layer-kubectl-v33`
   */
  readonly kubectlLayer?: lambda.ILayerVersion;
  /**
   * An existing VPC. Its private subnets are tagged `karpenter.sh/discovery=<cluster>` when they are defined
   * in this app; imported subnets must be tagged by you (a synth warning says so).
   * @default - a new VPC with public and private subnets in `maxAzs` Availability Zones
   */
  readonly vpc?: ec2.IVpc;
  /** Number of Availability Zones of the new VPC (ignored with `vpc` or `availabilityZones`). @default 3 */
  readonly maxAzs?: number;
  /**
   * Availability Zones of the new VPC (ignored with `vpc`). Listing them keeps `cdk synth` offline; without
   * them a stack with an explicit account/region looks the zones up (credentials needed).
   * @default - `maxAzs` zones of the stack's region
   */
  readonly availabilityZones?: string[];
  /**
   * NAT gateways of the new VPC (ignored with `vpc`): 1 up to the number of zones (the nodes' private subnets reach
   * the internet through them).
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * API server endpoint access. A public endpoint must carry a CIDR allow-list
   * (`eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...)`, or use `publicAccessCidrs`); an unrestricted one is refused.
   * @default eks.EndpointAccess.PRIVATE (or PUBLIC_AND_PRIVATE restricted to `publicAccessCidrs`, when set)
   */
  readonly endpointAccess?: eks.EndpointAccess;
  /**
   * Control-plane log types sent to CloudWatch Logs.
   * @default - API, AUDIT, AUTHENTICATOR, CONTROLLER_MANAGER and SCHEDULER
   */
  readonly clusterLogging?: eks.ClusterLoggingTypes[];
  /** KMS key for envelope encryption of Kubernetes secrets. @default - a new key with rotation enabled */
  readonly secretsEncryptionKey?: kms.IKey;
  /**
   * An IAM role granted cluster-admin through an access entry; the kubeconfig output then uses it.
   * @default - only the identity that deploys the stack administers the cluster
   */
  readonly adminRole?: iam.IRole;
  /** The system node group. @default - two m6i.large nodes */
  readonly systemNodeGroup?: SystemNodeGroupOptions;
  /** Karpenter chart settings. @default - Karpenter 1.14.1 in kube-system */
  readonly karpenter?: KarpenterAddonOptions;
  /** NVIDIA GPU Operator settings. @default - installed, for AL2023 NVIDIA AMIs, MIG strategy mixed */
  readonly gpuOperator?: GpuOperatorAddonOptions;
  /** KEDA settings. @default - installed */
  readonly keda?: KedaAddonOptions;
  /** Kueue settings (GPU queues, src/queues). @default - Kueue 0.19.2 installed in kueue-system, waiting for pods ready */
  readonly kueue?: KueueAddonOptions;
  /** Prometheus settings. @default - kube-prometheus-stack installed in `monitoring` */
  readonly prometheus?: PrometheusAddonOptions;
  /**
   * On-Demand Capacity Reservation / Capacity Block ids (`cr-` + 17 hex digits) reserved for this cluster's
   * GPU pools, e.g. for p5. They are checked and exposed as `capacityReservationIds` for your pools (pass
   * each to the pool's capacity reservation terms); the Karpenter policy already allows launching into
   * `capacity-reservation/*` and describing reservations.
   * @default - none
   */
  readonly capacityReservationIds?: string[];
  /** cdk8s charts to deploy after the add-ons (same as calling `addChart` for each). @default - none */
  readonly charts?: cdk8s.Chart[];
}

/**
 * Something in a cdk8s chart that takes the cluster's name and Karpenter node role, e.g. the library's
 * `GpuNodeClass` (EC2NodeClass), which fills `spec.role` and the `karpenter.sh/discovery` selector terms.
 * @internal
 */
interface ClusterBindable {
  bindCluster(clusterName: string, nodeRoleName: string): void;
}

function isClusterBindable(x: IConstruct): x is IConstruct & ClusterBindable {
  return typeof (x as any).bindCluster === 'function';
}

const CLUSTER_NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const CAPACITY_RESERVATION_ID = /^cr-[0-9a-f]{17}$/;

/** An add-on's options as checked up front: its chart version, Helm values and namespace ('' when it has none of its own). */
interface CheckedAddon<O> {
  readonly options: Partial<O>;
  readonly version: string;
  readonly values: any;
  readonly namespace: string;
}

/**
 * An EKS cluster for GPU workloads: VPC, cluster (KMS-encrypted secrets, access entries, control-plane
 * logs), a CPU system node group with IMDSv2, Karpenter with its IAM, node role and interruption queue, and
 * the GPU Operator / KEDA / Prometheus add-ons as pinned Helm charts. `addChart` deploys cdk8s charts after
 * all of it and binds their node classes to this cluster.
 */
export class GpuEksCluster extends Construct {
  /** The tag (`karpenter.sh/discovery`) Karpenter's selector terms use to find subnets and security groups. */
  public static readonly DISCOVERY_TAG = KARPENTER_DISCOVERY_TAG;

  /** The EKS cluster (escape hatch). */
  public readonly cluster: eks.Cluster;
  /** The cluster name (a literal string). */
  public readonly clusterName: string;
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The KMS key encrypting Kubernetes secrets. */
  public readonly secretsEncryptionKey: kms.IKey;
  /** The system managed node group. */
  public readonly systemNodeGroup: eks.Nodegroup;
  /** Security group for Karpenter-launched nodes, tagged `karpenter.sh/discovery=<cluster>`. */
  public readonly nodeSecurityGroup: ec2.SecurityGroup;
  /** IAM role of Karpenter-launched nodes (has an EC2_LINUX access entry). */
  public readonly karpenterNodeRole: iam.IRole;
  /** Name of `karpenterNodeRole` (a literal string), what EC2NodeClass `spec.role` takes. */
  public readonly karpenterNodeRoleName: string;
  /** IAM role of the Karpenter controller, bound to its service account by EKS Pod Identity. */
  public readonly karpenterControllerRole: iam.IRole;
  /** The Karpenter interruption queue. */
  public readonly interruptionQueue: sqs.IQueue;
  /** The Karpenter Helm release (installs the CRDs too). */
  public readonly karpenterChart: eks.HelmChart;
  /** The GPU Operator Helm release. @default - undefined when disabled */
  public readonly gpuOperatorChart?: eks.HelmChart;
  /**
   * The GPU Operator settings the chart's values are rendered from (`toHelmValues()`, before `gpuOperator.values`
   * is merged over them), including what the stack derived (see `GpuOperatorAddonOptions.settings`).
   * @default - undefined when disabled
   */
  public readonly gpuOperatorSettings?: GpuOperatorSettings;
  /** The KEDA Helm release. @default - undefined when disabled */
  public readonly kedaChart?: eks.HelmChart;
  /** The Kueue chart, when installed. */
  public readonly kueueChart?: eks.HelmChart;
  /** The kube-prometheus-stack Helm release. @default - undefined when you bring your own Prometheus */
  public readonly prometheusChart?: eks.HelmChart;
  /** URL of the Prometheus that KEDA triggers and dashboards should query. */
  public readonly prometheusEndpoint: string;
  /** The KMS key node volumes may use (`nodeVolumeKey`). @default - undefined: the AWS managed key */
  public readonly nodeVolumeKey?: kms.IKey;
  /** The VPC flow log (to CloudWatch Logs). @default - undefined with `flowLogs: false` */
  public readonly flowLog?: ec2.FlowLog;
  /** The `vpc-cni` add-on enforcing NetworkPolicies. @default - undefined with `networkPolicyEnforcement: false` */
  public readonly vpcCniAddon?: eks.Addon;
  /**
   * The manifest applying the cdk8s-gpu ValidatingAdmissionPolicies (see `GpuAdmissionPolicy`); charts are applied after it.
   * @default - undefined with `admissionPolicy: false`
   */
  public readonly admissionPolicy?: eks.KubernetesManifest;
  /** Capacity Reservation / Capacity Block ids for the GPU pools (validated). */
  public readonly capacityReservationIds: string[];
  /** The `aws eks update-kubeconfig …` command for this cluster. */
  public readonly kubeconfigCommand: string;

  private readonly addons: Construct[] = [];
  private readonly chartIds = new Set<string>();
  /** What GPU monitoring in added charts is checked against (monitoring-wiring.ts). */
  private readonly monitoringAddons: _MonitoringAddons;
  /** The tolerations of the GPU Operator's node agents, when the stack installs it (addChart checks the pools' taints). */
  private readonly nodeAgents?: _NodeAgentTolerations;
  private featureGates!: _KarpenterFeatureGates;

  constructor(scope: Construct, id: string, props: GpuEksClusterProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!isObject(props)) {
      throw new GpuConfigError(this, 'props', `is ${describe(props)}, not an object`,
        'pass an object of GpuEksClusterProps, or omit it for the defaults');
    }

    // Every independent prop is checked up front, before anything is built; the problems are thrown together (one
    // GpuConfigError).
    const c = new PropErrors(this);
    this.clusterName = props.clusterName ?? Names.uniqueResourceName(this, { maxLength: 46, separator: '-' });
    this.karpenterNodeRoleName = `KarpenterNodeRole-${this.clusterName}`;
    c.run(() => {
      this.validateClusterName(this.clusterName);
      if (this.karpenterNodeRoleName.length > 64) {
        throw new GpuConfigError(this, 'clusterName',
          `is ${this.clusterName.length} characters, too long for the node role name "${this.karpenterNodeRoleName}" (IAM allows 64)`,
          'use a cluster name of at most 46 characters');
      }
    });
    this.capacityReservationIds = c.run(() => this.validateReservations(props.capacityReservationIds ?? [])) as string[];
    // Checked up front, so a bad entry is reported before the cluster is built.
    const charts = props.charts ?? [];
    c.run(() => {
      if (!Array.isArray(charts)) {
        throw new GpuConfigError(this, 'charts', `is ${describe(charts)}, not an array`,
          'pass an array of cdk8s charts, e.g. charts: [poolsChart]');
      }
    });
    if (Array.isArray(charts)) charts.forEach((chart, i) => c.run(() => this.checkChart(chart, `charts[${i}]`)));

    const version = props.kubernetesVersion ?? eks.KubernetesVersion.V1_33;
    c.run(() => {
      if (!isKubernetesVersion(version)) {
        throw new GpuConfigError(this, 'kubernetesVersion', `is ${describe(version)}, not an eks.KubernetesVersion`,
          typeof version === 'string'
            ? `pass eks.KubernetesVersion.of(${JSON.stringify(version)}) (or a constant such as eks.KubernetesVersion.V1_33)`
            : 'pass an eks.KubernetesVersion, e.g. eks.KubernetesVersion.V1_33');
      }
      if (!props.kubectlLayer) {
        const minor = Number(/^1\.(\d+)$/.exec(version.version)?.[1]);
        if (!Number.isFinite(minor) || Math.abs(minor - DEFAULT_KUBERNETES_MINOR) > 1) {
          throw new GpuConfigError(this, 'kubernetesVersion',
            `is ${version.version}, more than one minor version away from the bundled kubectl 1.${DEFAULT_KUBERNETES_MINOR} layer`,
            `pass kubectlLayer from @aws-cdk/lambda-layer-kubectl-v${Number.isFinite(minor) ? minor : 'XY'} with this version`);
        }
      }
    });

    // --- network -------------------------------------------------------------------------------------
    const maxAzs = props.maxAzs ?? 3;
    const azs = props.availabilityZones;
    c.run(() => {
      if (!props.vpc && azs === undefined && (!Number.isInteger(maxAzs) || maxAzs < 2)) {
        throw new GpuConfigError(this, 'maxAzs', `is ${describe(maxAzs)}, but EKS needs subnets in at least 2 Availability Zones`, 'set maxAzs to 2 or more');
      }
    });
    if (!props.vpc && azs !== undefined) c.run(() => this.validateZones(azs));
    const natGateways = props.natGateways ?? 1;
    if (!props.vpc && !c.failed('maxAzs', 'availabilityZones')) {
      // ec2.Vpc treats a negative or NaN count as 0 and caps it at the zone count, both silently; with no NAT
      // gateway the PRIVATE_WITH_EGRESS subnets the nodes live in have no route out.
      const zones = azs !== undefined ? azs.length : maxAzs;
      c.run(() => {
        if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > zones) {
          throw new GpuConfigError(this, 'natGateways',
            `is ${describe(natGateways)}, but the new VPC needs a whole number of NAT gateways from 1 to its ${zones} Availability Zones`
            + ' (the nodes run in private subnets whose egress goes through them)',
            `use 1 (one shared gateway) up to ${zones} (one per zone), or pass your own vpc`);
        }
      });
    }
    const clusterLogging = c.run(() => this.checkLogging(props.clusterLogging));

    // The system node group, Karpenter and Prometheus options (used below, once the cluster exists).
    const sys = c.run(() => this.options<SystemNodeGroupOptions>('systemNodeGroup', props.systemNodeGroup)) ?? {};
    const minSize = sys.minSize ?? 2;
    const maxSize = sys.maxSize ?? Math.max(3, minSize);
    c.run(() => {
      if (!Number.isInteger(minSize) || minSize < 1 || !Number.isInteger(maxSize) || maxSize < minSize) {
        throw new GpuConfigError(this, 'systemNodeGroup', `has minSize ${describe(minSize)} and maxSize ${describe(maxSize)}`,
          'use whole numbers with 1 <= minSize <= maxSize');
      }
    });
    const desiredSize = sys.desiredSize ?? minSize;
    if (!c.failed('systemNodeGroup')) {
      c.run(() => {
        if (!Number.isInteger(desiredSize) || desiredSize < minSize || desiredSize > maxSize) {
          throw new GpuConfigError(this, 'systemNodeGroup.desiredSize',
            `is ${describe(desiredSize)}, not a whole number from minSize ${minSize} to maxSize ${maxSize}`,
            `use a whole number with ${minSize} <= desiredSize <= ${maxSize}, or omit it (it defaults to minSize)`);
        }
      });
    }
    const instanceTypes = c.run(() => this.checkSystemInstanceTypes(sys.instanceTypes ?? [new ec2.InstanceType('m6i.large')])) as ec2.InstanceType[];
    const karpenterOpts = c.run(() => this.options<KarpenterAddonOptions>('karpenter', props.karpenter)) ?? {};
    const karpenterNamespace = c.run(() => this.namespace('karpenter.namespace', karpenterOpts.namespace, 'kube-system')) as string;
    const replicas = karpenterOpts.replicas ?? 2;
    c.run(() => {
      if (!Number.isInteger(replicas) || replicas < 1) {
        throw new GpuConfigError(this, 'karpenter.replicas', `is ${replicas}`, 'use a whole number of at least 1');
      }
      if (!c.failed('systemNodeGroup') && replicas > maxSize) {
        throw new GpuConfigError(this, 'karpenter.replicas',
          `is ${replicas}, more than the system node group's maxSize ${maxSize} (each replica needs its own node)`,
          `raise systemNodeGroup.maxSize to ${replicas} or lower karpenter.replicas`);
      }
    });
    const karpenterVersion = c.run(() => this.checkVersion('karpenter.version', karpenterOpts.version ?? KARPENTER_CHART.version)) as string;
    const prom = c.run(() => this.options<PrometheusAddonOptions>('prometheus', props.prometheus)) ?? {};
    c.run(() => {
      if (prom.endpoint !== undefined && !(typeof prom.endpoint === 'string' && (Token.isUnresolved(prom.endpoint) || /^https?:\/\/\S+$/.test(prom.endpoint)))) {
        throw new GpuConfigError(this, 'prometheus.endpoint', `is ${describe(prom.endpoint)}, not an http(s) URL`,
          'pass the Prometheus base URL, e.g. http://prometheus.monitoring.svc:9090');
      }
    });
    const promNamespace = c.run(() => this.namespace('prometheus.namespace', prom.namespace, 'monitoring')) as string;
    // The switches, chart versions, namespaces and Helm values used once the cluster is built are checked now too, so
    // their problems are reported with the others; what is built below uses these checked values.
    const networkPolicy = c.run(() => this.flag('networkPolicyEnforcement', props.networkPolicyEnforcement, true)) as boolean;
    const admissionPolicy = c.run(() => this.flag('admissionPolicy', props.admissionPolicy, true)) as boolean;
    const karpenterValues = c.run(() => this.values('karpenter.values', karpenterOpts.values));
    const grafanaEnabled = c.run(() => this.flag('prometheus.grafana', prom.grafana, true)) as boolean;
    const installPrometheus = prom.endpoint === undefined;
    const promVersion = installPrometheus ? c.run(() => this.checkVersion('prometheus.version', prom.version ?? KUBE_PROMETHEUS_STACK_CHART.version)) as string : '';
    const promValues = installPrometheus ? c.run(() => this.values('prometheus.values', prom.values)) : undefined;
    const addon = <O extends { enabled?: boolean; version?: string; values?: unknown; namespace?: string }>(
      name: string, value: O | undefined, chartVersion: string, ns: string): CheckedAddon<O> | undefined => {
      const o = c.run(() => this.options<O>(name, value));
      if (o === undefined || !c.run(() => this.flag(`${name}.enabled`, o.enabled, true))) return undefined;
      return {
        options: o,
        version: c.run(() => this.checkVersion(`${name}.version`, o.version ?? chartVersion)) as string,
        values: c.run(() => this.values(`${name}.values`, o.values)),
        namespace: ns === '' ? '' : c.run(() => this.namespace(`${name}.namespace`, o.namespace, ns)) as string,
      };
    };
    const gpuOperator = addon<GpuOperatorAddonOptions>('gpuOperator', props.gpuOperator, GPU_OPERATOR_CHART.version, '');
    const keda = addon<KedaAddonOptions>('keda', props.keda, KEDA_CHART.version, 'keda');
    const kueue = addon<KueueAddonOptions>('kueue', props.kueue, KUEUE_CHART.version, 'kueue-system');
    c.throwIfAny();
    this.vpc = props.vpc ?? new ec2.Vpc(this, 'Vpc', {
      ...(azs !== undefined ? { availabilityZones: azs } : { maxAzs }),
      natGateways,
      // The default security group (which nothing here uses) gets no rules: CIS AWS Foundations 5.4.
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 18 },
      ],
    });
    if (!props.vpc && props.natGateways !== undefined && !Token.isUnresolved(this.vpc.availabilityZones)
      && natGateways > this.vpc.availabilityZones.length) {
      // maxAzs is an upper bound: the region (or an environment-agnostic stack) may offer fewer zones.
      Annotations.of(this).addWarningV2('cdk8s-gpu:natGatewaysCapped', formatConstructWarning(NAT_GATEWAYS_CAPPED, this, 'natGateways',
        `is ${natGateways}, but the VPC has ${this.vpc.availabilityZones.length} Availability Zones; `
        + `it gets ${this.vpc.availabilityZones.length} NAT gateways`,
        `set natGateways to at most ${this.vpc.availabilityZones.length}`));
    }
    this.tagPrivateSubnets();
    this.flowLog = addFlowLogs(this, this.vpc, props);

    // --- cluster -------------------------------------------------------------------------------------
    this.secretsEncryptionKey = props.secretsEncryptionKey ?? new kms.Key(this, 'SecretsKey', {
      description: `Envelope encryption of Kubernetes secrets in EKS cluster ${this.clusterName}`,
      enableKeyRotation: true,
    });
    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName: this.clusterName,
      version,
      vpc: this.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess: resolveEndpointAccess(this, props.endpointAccess, props.publicAccessCidrs),
      secretsEncryptionKey: this.secretsEncryptionKey,
      clusterLogging: clusterLogging ?? [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      // Karpenter provisions the data plane; EKS Auto Mode would be a second autoscaler.
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      mastersRole: props.adminRole,
      outputConfigCommand: false,
      kubectlProviderOptions: {
        kubectlLayer: props.kubectlLayer ?? new KubectlV33Layer(this, 'KubectlLayer'),
      },
    });
    // aws-eks-v2 writes EncryptionConfig[].Resources: ['secrets'], which the CloudFormation schema marks
    // deprecated (EKS encrypts secrets whenever a key is given); the property is still accepted.
    Validations.of(this.cluster).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason: 'aws-eks-v2 sets EncryptionConfig.Resources=[secrets]; deprecated in the schema but accepted by EKS',
    });
    // Only the cluster resource itself: tagging the construct would also tag the control-plane security
    // group, and Karpenter would attach every tagged security group to its nodes.
    Tags.of(this.cluster.node.defaultChild as IConstruct).add(KARPENTER_DISCOVERY_TAG, this.clusterName);
    if (networkPolicy) {
      this.vpcCniAddon = enableNetworkPolicy(this, this.cluster);
    }

    const region = stack.region;
    this.kubeconfigCommand = `aws eks update-kubeconfig --name ${this.clusterName} --region ${region}`
      + (props.adminRole ? ` --role-arn ${props.adminRole.roleArn}` : '');

    // --- system node group (CPU only, IMDSv2 required) -----------------------------------------------
    const launchTemplate = new ec2.CfnLaunchTemplate(this, 'SystemNodeLaunchTemplate', {
      launchTemplateData: {
        metadataOptions: {
          httpTokens: 'required', // IMDSv2 only
          httpPutResponseHopLimit: 1, // pods cannot reach the node's instance credentials
          httpEndpoint: 'enabled',
        },
        blockDeviceMappings: systemRootVolume(props.nodeVolumeKey),
      },
    });
    this.systemNodeGroup = this.cluster.addNodegroupCapacity('System', {
      nodegroupName: 'system',
      instanceTypes,
      amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      minSize,
      maxSize,
      desiredSize,
      labels: { 'cdk8s-gpu.io/node-role': 'system' },
      launchTemplateSpec: { id: launchTemplate.ref, version: launchTemplate.attrLatestVersionNumber },
      nodeRole: systemNodeRole(this, this.clusterName),
    });

    // Security group for Karpenter nodes: discoverable by tag, open to the cluster security group (which
    // the control plane and managed nodes use) in both directions, and to itself (including EFA traffic).
    this.nodeSecurityGroup = new ec2.SecurityGroup(this, 'KarpenterNodeSecurityGroup', {
      vpc: this.vpc,
      description: `Karpenter-launched nodes of EKS cluster ${this.clusterName}`,
      allowAllOutbound: true,
    });
    Tags.of(this.nodeSecurityGroup).add(KARPENTER_DISCOVERY_TAG, this.clusterName);
    Tags.of(this.nodeSecurityGroup).add(`kubernetes.io/cluster/${this.clusterName}`, 'owned');
    this.nodeSecurityGroup.addIngressRule(this.nodeSecurityGroup, ec2.Port.allTraffic(), 'node to node (incl. EFA)');
    this.nodeSecurityGroup.addIngressRule(this.cluster.clusterSecurityGroup, ec2.Port.allTraffic(), 'control plane and managed nodes');
    new ec2.CfnSecurityGroupIngress(this, 'ClusterSgFromKarpenterNodes', {
      groupId: this.cluster.clusterSecurityGroupId,
      sourceSecurityGroupId: this.nodeSecurityGroup.securityGroupId,
      ipProtocol: '-1',
      description: 'Karpenter nodes to control plane and managed nodes',
    });

    // --- Karpenter -----------------------------------------------------------------------------------
    const karpenterAws = new KarpenterAwsResources(this, 'Karpenter', {
      clusterName: this.clusterName,
      nodeRoleName: this.karpenterNodeRoleName,
    });
    this.karpenterNodeRole = karpenterAws.nodeRole;
    if (props.nodeVolumeKey !== undefined) grantNodeVolumeKey(this, props.nodeVolumeKey, karpenterAws.controllerRole);
    this.nodeVolumeKey = props.nodeVolumeKey;
    this.karpenterControllerRole = karpenterAws.controllerRole;
    this.interruptionQueue = karpenterAws.interruptionQueue;
    acknowledgeNagFindings({
      cluster: this.cluster,
      karpenterNodeRole: karpenterAws.nodeRole,
      karpenterPolicies: karpenterAws.controllerPolicies,
      interruptionQueue: karpenterAws.interruptionQueue,
      systemNodeRole: this.systemNodeGroup.role,
    });

    const nodeAccess = new eks.AccessEntry(this, 'KarpenterNodeAccessEntry', {
      cluster: this.cluster,
      principal: karpenterAws.nodeRole.roleArn,
      accessEntryType: eks.AccessEntryType.EC2_LINUX,
      accessPolicies: [],
    });

    const serviceAccount = 'karpenter';
    const podIdentityAgent = this.cluster.eksPodIdentityAgent!;
    const podIdentity = new eks.CfnPodIdentityAssociation(this, 'KarpenterPodIdentity', {
      clusterName: this.cluster.clusterName,
      namespace: karpenterNamespace,
      serviceAccount,
      roleArn: karpenterAws.controllerRole.roleArn,
    });
    podIdentity.node.addDependency(podIdentityAgent);

    // Feature gates follow the charts added later (NodeOverlays, reservations, static pools): see feature-gates.ts.
    this.featureGates = new _KarpenterFeatureGates(this, { reservedCapacity: true }, (karpenterOpts.values as any)?.settings?.featureGates);
    this.karpenterChart = this.cluster.addHelmChart('KarpenterChart', {
      repository: KARPENTER_CHART.repository,
      chart: KARPENTER_CHART.chart,
      version: karpenterVersion,
      release: 'karpenter',
      namespace: karpenterNamespace,
      createNamespace: karpenterNamespace !== 'kube-system',
      wait: true,
      timeout: Duration.minutes(10),
      values: this.featureGates.apply(deepMerge({
        replicas,
        serviceAccount: { create: true, name: serviceAccount },
        settings: {
          clusterName: this.clusterName,
          clusterEndpoint: this.cluster.clusterEndpoint,
          interruptionQueue: karpenterAws.interruptionQueue.queueName,
          featureGates: { reservedCapacity: true },
        },
        controller: {
          // The system nodes keep IMDS at hop limit 1, so the controller is told its region directly.
          env: [{ name: 'AWS_REGION', value: region }],
          resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
        },
      }, karpenterValues)),
    });
    this.karpenterChart.node.addDependency(this.systemNodeGroup, podIdentity, nodeAccess, karpenterAws);

    // --- add-ons -------------------------------------------------------------------------------------
    const grafana = grafanaEnabled && installPrometheus;
    if (installPrometheus) {
      this.prometheusChart = this.cluster.addHelmChart('KubePrometheusStackChart', {
        repository: KUBE_PROMETHEUS_STACK_CHART.repository,
        chart: KUBE_PROMETHEUS_STACK_CHART.chart,
        version: promVersion,
        release: PROMETHEUS_RELEASE,
        namespace: promNamespace,
        createNamespace: true,
        values: deepMerge({
          grafana: grafana ? grafanaValues() : { enabled: false },
          prometheus: {
            prometheusSpec: {
              // Select ServiceMonitors/PodMonitors/PrometheusRules from every release, so those in this
              // library's charts are scraped without a `release` label (gpu-operator-values.md, notes @ 88.5.3).
              serviceMonitorSelectorNilUsesHelmValues: false,
              podMonitorSelectorNilUsesHelmValues: false,
              ruleSelectorNilUsesHelmValues: false,
            },
          },
        }, promValues),
      });
      this.prometheusChart.node.addDependency(this.systemNodeGroup);
      this.addons.push(this.prometheusChart);
    }
    this.prometheusEndpoint = prom.endpoint ?? kubePrometheusStackUrl(promNamespace);

    if (gpuOperator) {
      const settings = this.options<GpuOperatorProps>('gpuOperator.settings', gpuOperator.options.settings);
      // The chart is installed into this namespace, so it must be a namespace name whatever GpuOperatorSettings accepts.
      if (settings.namespace !== undefined) this.namespace('gpuOperator.settings.namespace', settings.namespace, 'gpu-operator');
      // One source of truth with the cdk8s GpuOperator: the values are GpuOperatorSettings.toHelmValues().
      this.gpuOperatorSettings = GpuOperatorSettings._resolve(
        gpuOperatorProps(settings, installPrometheus), this, 'gpuOperator.settings.');
      const gpuOperatorValues = deepMerge(this.gpuOperatorSettings.toHelmValues(), gpuOperator.values);
      this.gpuOperatorChart = this.cluster.addHelmChart('GpuOperatorChart', {
        repository: GPU_OPERATOR_CHART.repository,
        chart: GPU_OPERATOR_CHART.chart,
        version: gpuOperator.version,
        release: 'gpu-operator',
        namespace: this.gpuOperatorSettings.namespace,
        createNamespace: true,
        values: gpuOperatorValues,
      });
      this.nodeAgents = _nodeAgentTolerations(gpuOperatorValues, this.gpuOperatorSettings.devicePlugin);
      this.gpuOperatorChart.node.addDependency(this.systemNodeGroup);
      // Its ServiceMonitor needs the prometheus-operator CRDs.
      if (this.prometheusChart) this.gpuOperatorChart.node.addDependency(this.prometheusChart);
      this.addons.push(this.gpuOperatorChart);
    }

    this.monitoringAddons = {
      gpuOperator: this.gpuOperatorSettings, installsPrometheus: installPrometheus, grafana, prometheusNamespace: promNamespace,
    };

    if (keda) {
      this.kedaChart = this.cluster.addHelmChart('KedaChart', {
        repository: KEDA_CHART.repository,
        chart: KEDA_CHART.chart,
        version: keda.version,
        release: 'keda',
        namespace: keda.namespace,
        createNamespace: true,
        values: deepMerge(kedaSecurityValues(), keda.values),
      });
      this.kedaChart.node.addDependency(this.systemNodeGroup);
      this.addons.push(this.kedaChart);
    }

    if (kueue) {
      this.kueueChart = this.cluster.addHelmChart('KueueChart', {
        repository: KUEUE_CHART.repository,
        chart: KUEUE_CHART.chart,
        version: kueue.version,
        release: 'kueue',
        namespace: kueue.namespace,
        createNamespace: true,
        // Kueue's webhooks validate ClusterQueues and LocalQueues: they must serve before a chart holding them is applied.
        wait: true,
        timeout: Duration.minutes(10),
        values: deepMerge({ managerConfig: { controllerManagerConfigYaml: _kueueManagerConfig(this.node.path, kueue.options) } },
          kueue.values),
      });
      this.kueueChart.node.addDependency(this.systemNodeGroup);
      this.addons.push(this.kueueChart);
    }

    if (admissionPolicy) {
      this.admissionPolicy = deployAdmissionPolicy(this, this.cluster, version.version,
        ['kube-system', ...(this.gpuOperatorSettings ? [this.gpuOperatorSettings.namespace] : [])]);
      this.addons.push(this.admissionPolicy);
    }

    for (const chart of charts) this.addChart(chart);
  }

  /**
   * A reservation of `capacityReservationIds` for a pool's `capacityReservations`, so the id is written once: a
   * Capacity Block when `endsAt` is given (TrainingJob warns when its deadline outlives the block), else an On-Demand
   * Capacity Reservation. Refuses an id the cluster does not name.
   * @param id one of `capacityReservationIds`
   * @param endsAt when the Capacity Block ends @default - an On-Demand Capacity Reservation
   */
  public capacityReservation(id: string, endsAt?: Date): CapacityReservation {
    return _reservationOf(this, this.capacityReservationIds, id, endsAt);
  }

  /**
   * Deploys a cdk8s chart onto the cluster, after Karpenter (and its CRDs) and every add-on.
   *
   * Before rendering, every construct in the chart that has a `bindCluster(clusterName, nodeRoleName)`
   * method (the library's EC2NodeClass construct) receives this cluster's name and Karpenter node role, so
   * NodePools/EC2NodeClasses need not repeat them. The chart is rendered when this is called: finish
   * building it first. A `DcgmMonitoring` in the chart is checked against the GPU Operator settings and
   * kube-prometheus-stack (one DCGM exporter and one scrape configuration per GPU node, the operator's exporter
   * reading its collectors ConfigMap, the dashboard where Grafana looks; docs/monitoring.md): GpuConfigError otherwise.
   * So are the taints of its GPU NodePools against the tolerations of the GPU Operator's DaemonSets and NFD worker
   * (`gpuOperator.settings.tolerations`): on a node they do not tolerate the device plugin never runs and the node never
   * advertises its GPUs.
   *
   * @param chart the cdk8s chart
   * @returns the manifest resource that applies it
   */
  public addChart(chart: cdk8s.Chart): eks.KubernetesManifest {
    this.checkChart(chart, 'chart');
    _checkMonitoringWiring(this, chart, this.monitoringAddons);
    _checkNodeAgentTolerations(chart, this.nodeAgents);
    _checkChartReservations(this, this.capacityReservationIds, chart);
    this.featureGates.track(chart);
    for (const c of chart.node.findAll()) {
      if (isClusterBindable(c)) c.bindCluster(this.clusterName, this.karpenterNodeRoleName);
    }
    let id = `Chart-${chart.node.id || 'chart'}`;
    for (let i = 2; this.chartIds.has(id); i++) id = `Chart-${chart.node.id}-${i}`;
    this.chartIds.add(id);
    checkNodeClassKeys(this, chart.toJson(), this.nodeVolumeKey);
    const manifest = this.cluster.addCdk8sChart(id, chart);
    manifest.node.addDependency(this.karpenterChart, ...this.addons);
    return manifest;
  }

  private validateClusterName(name: string): void {
    if (typeof name !== 'string') {
      throw new GpuConfigError(this, 'clusterName', `is ${describe(name)}, not a string`,
        'pass a literal name of 1-100 letters, digits, "-" or "_", starting with a letter or digit, or omit it');
    }
    if (Token.isUnresolved(name)) {
      throw new GpuConfigError(this, 'clusterName', 'is a token',
        'pass a literal name: it is written into IAM condition keys and Karpenter settings at synth time');
    }
    if (name.length < 1 || name.length > 100 || !CLUSTER_NAME_PATTERN.test(name)) {
      throw new GpuConfigError(this, 'clusterName', `is "${name}", not a valid EKS cluster name`,
        'use 1-100 letters, digits, "-" or "_", starting with a letter or digit');
    }
  }

  private validateReservations(ids: string[]): string[] {
    if (!Array.isArray(ids)) {
      throw new GpuConfigError(this, 'capacityReservationIds', `is ${describe(ids)}, not an array`,
        typeof ids === 'string' ? `pass a list: [${JSON.stringify(ids)}]` : 'pass a list of ids, e.g. [\'cr-0123456789abcdef0\']');
    }
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (typeof id !== 'string' || !CAPACITY_RESERVATION_ID.test(id)) {
        throw new GpuConfigError(this, `capacityReservationIds[${i}]`, `is ${describe(id)}, not a Capacity Reservation id`,
          'use the id EC2 shows for the reservation or Capacity Block, e.g. cr-0123456789abcdef0');
      }
      if (seen.has(id)) {
        throw new GpuConfigError(this, `capacityReservationIds[${i}]`, `repeats "${id}"`, 'list each reservation once');
      }
      seen.add(id);
    });
    return [...ids];
  }

  private checkVersion(property: string, version: string): string {
    if (typeof version !== 'string' || !/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) {
      throw new GpuConfigError(this, property, `is ${describe(version)}, not an exact chart version`,
        'pin an exact version such as 1.14.1 (never "latest" or a range)');
    }
    return version;
  }

  /** The add-on / node group options object at `property`: {} when omitted, refused when not an object. */
  private options<T extends object>(property: string, value: T | undefined): Partial<T> {
    if (value === undefined) return {};
    if (!isObject(value)) {
      throw new GpuConfigError(this, property, `is ${describe(value)}, not an object`, `pass an object of ${property} settings, or omit it`);
    }
    return value;
  }

  /** A boolean option, refusing e.g. the string "false" (which is truthy). */
  private flag(property: string, value: unknown, dflt: boolean): boolean {
    return optionalBoolean(this, property, value, `pass true or false, or omit it (default ${dflt})`) ?? dflt;
  }

  /** A namespace for a Helm release: a DNS-1123 label (an explicit "" is refused, not replaced by the default). */
  private namespace(property: string, value: unknown, dflt: string): string {
    if (value === undefined) return dflt;
    validateDns1123Name(this, property, value, NameRule.DNS1123_LABEL);
    return value as string;
  }

  /** Extra Helm values: a plain object (deepMerge would spread a string into its characters). */
  private values(property: string, value: unknown): Record<string, any> | undefined {
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      throw new GpuConfigError(this, property, `is ${describe(value)}, not an object of Helm values`,
        'pass an object, e.g. { nodeSelector: { ... } }, or omit it');
    }
    return value;
  }

  private validateZones(azs: unknown): void {
    if (!Array.isArray(azs)) {
      throw new GpuConfigError(this, 'availabilityZones', `is ${describe(azs)}, not an array`,
        'list two or more Availability Zones of the region, e.g. [\'us-east-1a\', \'us-east-1b\']');
    }
    const seen = new Set<string>();
    azs.forEach((az, i) => {
      if (typeof az !== 'string' || az === '') {
        throw new GpuConfigError(this, `availabilityZones[${i}]`, `is ${describe(az)}, not an Availability Zone name`,
          'use zone names such as us-east-1a');
      }
      if (seen.has(az)) {
        throw new GpuConfigError(this, `availabilityZones[${i}]`, `repeats ${JSON.stringify(az)}`, 'list each zone once');
      }
      seen.add(az);
    });
    if (seen.size < 2) {
      throw new GpuConfigError(this, 'availabilityZones', `lists ${seen.size} distinct zone(s), but EKS needs at least 2`,
        'list two or more Availability Zones of the region');
    }
  }

  private checkLogging(value: unknown): eks.ClusterLoggingTypes[] | undefined {
    if (value === undefined) return undefined;
    const allowed = Object.values(eks.ClusterLoggingTypes) as string[];
    if (!Array.isArray(value)) {
      throw new GpuConfigError(this, 'clusterLogging', `is ${describe(value)}, not an array`,
        'pass a list of eks.ClusterLoggingTypes, e.g. [eks.ClusterLoggingTypes.API, eks.ClusterLoggingTypes.AUDIT]');
    }
    value.forEach((v, i) => {
      if (!allowed.includes(v)) checkEnum(this, `clusterLogging[${i}]`, enumSpec('eks.ClusterLoggingTypes', eks.ClusterLoggingTypes as any), v);
    });
    return value;
  }

  private checkSystemInstanceTypes(types: unknown): ec2.InstanceType[] {
    const prop = 'systemNodeGroup.instanceTypes';
    if (!Array.isArray(types) || types.length === 0) {
      throw new GpuConfigError(this, prop, `is ${describe(types)}, not a non-empty array`,
        'pass CPU instance types, e.g. [new ec2.InstanceType(\'m6i.large\')], or omit it');
    }
    types.forEach((t, i) => {
      if (!(t instanceof ec2.InstanceType) && !isInstanceTypeLike(t)) {
        throw new GpuConfigError(this, `${prop}[${i}]`, `is ${describe(t)}, not an ec2.InstanceType`,
          typeof t === 'string' ? `pass new ec2.InstanceType(${JSON.stringify(t)})` : 'pass an ec2.InstanceType, e.g. new ec2.InstanceType(\'m6i.large\')');
      }
      const name = t.toString();
      if (Token.isUnresolved(name)) return;
      if (/^(p|g|gr|trn|inf|dl)\d/.test(name)) {
        throw new GpuConfigError(this, `${prop}[${i}]`, `is ${name}, an accelerated instance type`,
          'use CPU instance types (e.g. m6i.large) for the system node group; GPU capacity comes from Karpenter NodePools');
      }
      let arch: ec2.InstanceArchitecture;
      try {
        arch = t.architecture;
      } catch {
        throw new GpuConfigError(this, `${prop}[${i}]`, `is ${JSON.stringify(name)}, not an instance type name`,
          'use an EC2 instance type such as m6i.large');
      }
      if (arch !== ec2.InstanceArchitecture.X86_64) {
        throw new GpuConfigError(this, `${prop}[${i}]`, `is ${name}, an ${arch} instance type, but the system node group runs the AL2023 x86_64 AMI`,
          'use x86_64 instance types such as m6i.large or m7i.large');
      }
    });
    return types;
  }

  private checkChart(chart: unknown, property: string): void {
    if (!cdk8s.Chart.isChart(chart)) {
      throw new GpuConfigError(this, property, `is ${describe(chart)}, not a cdk8s Chart`,
        'pass a cdk8s Chart (new cdk8s.Chart(new cdk8s.App(), \'pools\')) holding your pools and workloads');
    }
  }

  private tagPrivateSubnets(): void {
    for (const subnet of this.vpc.privateSubnets) {
      if (ec2.Subnet.isVpcSubnet(subnet)) {
        Tags.of(subnet).add(KARPENTER_DISCOVERY_TAG, this.clusterName);
      } else {
        Annotations.of(this).addWarningV2('cdk8s-gpu:untaggedSubnet', formatConstructWarning(UNTAGGED_SUBNET, this, 'vpc',
          `cannot tag imported subnet ${Token.isUnresolved(subnet.subnetId) ? '' : subnet.subnetId} with `
          + `${KARPENTER_DISCOVERY_TAG}=${this.clusterName}, so Karpenter will find no subnets`,
          `tag the subnet ${KARPENTER_DISCOVERY_TAG}=${this.clusterName} yourself`));
      }
    }
  }
}

function isObject(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isKubernetesVersion(x: unknown): x is eks.KubernetesVersion {
  return x instanceof eks.KubernetesVersion || (isObject(x) && typeof x.version === 'string');
}

/** An InstanceType from another copy of aws-cdk-lib. */
function isInstanceTypeLike(x: unknown): x is ec2.InstanceType {
  return isObject(x) && typeof x.sameInstanceClassAs === 'function' && typeof x.toString === 'function';
}
