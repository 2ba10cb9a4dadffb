/**
 * Secure defaults of `GpuEksCluster`: who can reach the API server, VPC flow logs, encrypted node volumes (and the KMS
 * permissions a customer-managed key needs), KEDA without cluster-wide Secret access, NetworkPolicy enforcement in the
 * VPC CNI, and the cdk8s-gpu admission policy.
 *
 * Facts used (AWS and upstream docs):
 * - EKS "Cluster API server endpoint": a public endpoint without `publicAccessCidrs` accepts 0.0.0.0/0; with the public
 *   endpoint off, the API server is reachable only from the VPC (and connected networks). aws-cdk-lib 2.276 `aws-eks-v2`
 *   then runs its kubectl handler inside the VPC's private subnets; `EndpointAccess.PUBLIC.onlyFrom()` throws there, so a
 *   restricted public endpoint is `PUBLIC_AND_PRIVATE.onlyFrom(...)` (nodes keep reaching the API server privately).
 * - Amazon EC2 "Amazon EBS encryption" / Karpenter troubleshooting ("Node terminates immediately … KMS"): Karpenter
 *   launches nodes with an instant EC2 Fleet (`CreateFleet`) as the controller's role; no Auto Scaling service-linked
 *   role is involved. With a customer-managed key, that principal needs `kms:GenerateDataKeyWithoutPlaintext`,
 *   `kms:Decrypt`, `kms:ReEncrypt*`, `kms:DescribeKey` and `kms:CreateGrant` (with `kms:GrantIsForAWSResource`, so EC2
 *   can attach the volume); without them the instance starts and is terminated at once (`Client.InternalError`). The
 *   node role itself needs nothing: EC2 decrypts the volume through the grant.
 * - KEDA chart 2.20.2 (kedacore/charts `keda/values.yaml` @ 1444d00d): `permissions.operator.restrict.secret` drops
 *   `secrets` from the operator's ClusterRole and sets `KEDA_RESTRICT_SECRET_ACCESS=true`; the operator then reads
 *   Secrets only in its own namespace (`ClusterTriggerAuthentication` there; a namespaced TriggerAuthentication
 *   cannot use `secretTargetRef`). `permissions.metricServer.restrict.secret` does the same for the metrics server.
 * - Amazon VPC CNI "Limit pod traffic with Kubernetes network policies": NetworkPolicies are enforced only when the
 *   `vpc-cni` add-on runs with `enableNetworkPolicy: "true"` (VPC CNI 1.14+); otherwise they are silently ignored.
 */
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { describeValue as describe } from '../private/describe';
import {
  IMPORTED_NODE_VOLUME_KEY, NODE_VOLUME_KEY_MISMATCH, NODE_VOLUME_KEY_NOT_GRANTED, WORLD_OPEN_ENDPOINT, formatConstructWarning,
} from '../private/warnings';
import { GpuAdmissionPolicy } from '../security/admission';

/** Security settings of {@link GpuEksClusterProps} (the cluster's props extend this interface). */
export interface GpuEksSecurityProps {
  /**
   * CIDR blocks allowed to reach the public API server endpoint. Setting it turns the public endpoint on, restricted to
   * these blocks (the private endpoint stays on). The whole internet (`0.0.0.0/0`) only when you list it yourself.
   * Mutually exclusive with `endpointAccess`.
   * @default - no public endpoint: the API server is reachable from inside the VPC only
   */
  readonly publicAccessCidrs?: string[];
  /** Send the VPC's flow logs (accepted and rejected traffic) to CloudWatch Logs. @default true */
  readonly flowLogs?: boolean;
  /** How long CloudWatch Logs keeps the flow logs. @default logs.RetentionDays.ONE_YEAR */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * A customer-managed KMS key for node root volumes: the system node group's volume is encrypted with it, and the
   * Karpenter controller is allowed to launch nodes whose `GpuNodeClass` `volume.kmsKeyId` is this key.
   * @default - volumes encrypted with the account's AWS managed key `aws/ebs`
   */
  readonly nodeVolumeKey?: kms.IKey;
  /**
   * Enforce NetworkPolicies: installs the `vpc-cni` EKS add-on with `enableNetworkPolicy: "true"` (without it, EKS
   * ignores NetworkPolicy objects, GpuTeam's included).
   * @default true
   */
  readonly networkPolicyEnforcement?: boolean;
  /**
   * Deploy the cdk8s-gpu ValidatingAdmissionPolicy (GPU requests equal limits, GPU pods tolerate the GPU taint, no
   * `NVIDIA_VISIBLE_DEVICES` or GPU toleration without a GPU), so `kubectl apply` of a bad pod is refused even when it
   * never went through synth.
   * @default true
   */
  readonly admissionPolicy?: boolean;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * The endpoint access: private by default; public only restricted to explicit CIDRs.
 * @internal
 */
export function resolveEndpointAccess(scope: Construct, endpointAccess: unknown, cidrs: unknown): eks.EndpointAccess {
  if (cidrs !== undefined) {
    if (endpointAccess !== undefined) {
      throw new GpuConfigError(scope, 'publicAccessCidrs', 'is set together with endpointAccess',
        'set one of them: publicAccessCidrs (public endpoint restricted to them, private endpoint on) or endpointAccess');
    }
    return eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...checkCidrs(scope, cidrs));
  }
  if (endpointAccess === undefined) return eks.EndpointAccess.PRIVATE;
  if (!isEndpointAccess(endpointAccess)) {
    throw new GpuConfigError(scope, 'endpointAccess', `is ${describe(endpointAccess)}, not an eks.EndpointAccess`,
      'pass eks.EndpointAccess.PRIVATE (the default) or eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...cidrs), or use publicAccessCidrs');
  }
  const config = (endpointAccess as any)._config;
  if (config.publicAccess) {
    const listed: unknown[] = Array.isArray(config.publicCidrs) ? config.publicCidrs : [];
    if (listed.length === 0) {
      throw new GpuConfigError(scope, 'endpointAccess',
        'opens the public API server endpoint to 0.0.0.0/0 (no CIDR allow-list)',
        'restrict it: publicAccessCidrs: [\'203.0.113.0/24\'] (or eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...)); '
        + 'to open it to the whole internet, list \'0.0.0.0/0\' explicitly');
    }
    checkCidrs(scope, listed, 'endpointAccess');
  }
  return endpointAccess as eks.EndpointAccess;
}

function checkCidrs(scope: Construct, cidrs: unknown, prop = 'publicAccessCidrs'): string[] {
  if (!Array.isArray(cidrs) || cidrs.length === 0) {
    throw new GpuConfigError(scope, prop, `is ${describe(cidrs)}, not a non-empty list of CIDR blocks`,
      'list the networks allowed to reach the API server, e.g. [\'203.0.113.0/24\'], or omit it for a private endpoint');
  }
  cidrs.forEach((c, i) => {
    if (typeof c === 'string' && Token.isUnresolved(c)) return;
    const m = typeof c === 'string' ? IPV4_CIDR.exec(c) : null;
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
      throw new GpuConfigError(scope, `${prop}[${i}]`, `is ${describe(c)}, not an IPv4 CIDR block`, 'use a block such as 203.0.113.0/24');
    }
    if (c === '0.0.0.0/0') {
      Annotations.of(scope).addWarningV2('cdk8s-gpu:worldOpenEndpoint', formatConstructWarning(WORLD_OPEN_ENDPOINT, scope, `${prop}[${i}]`,
        'the public API server endpoint is open to 0.0.0.0/0 (listed explicitly); every address on the internet can try to authenticate'));
    }
  });
  return cidrs as string[];
}

function isEndpointAccess(x: unknown): boolean {
  if (x instanceof eks.EndpointAccess) return true;
  const c = (x as any)?._config;
  return typeof c === 'object' && c !== null && typeof c.publicAccess === 'boolean' && typeof c.privateAccess === 'boolean';
}

/**
 * VPC flow logs (ALL traffic) to a CloudWatch Logs group with the given retention.
 * @internal
 */
export function addFlowLogs(scope: Construct, vpc: ec2.IVpc, props: GpuEksSecurityProps): ec2.FlowLog | undefined {
  const enabled = props.flowLogs ?? true;
  if (typeof enabled !== 'boolean') {
    throw new GpuConfigError(scope, 'flowLogs', `is ${describe(enabled)}, not a boolean`, 'pass true or false, or omit it (default true)');
  }
  if (!enabled) {
    if (props.flowLogRetention !== undefined) {
      throw new GpuConfigError(scope, 'flowLogRetention', 'is set, but flowLogs is false', 'drop flowLogRetention, or turn flowLogs on');
    }
    return undefined;
  }
  const retention = props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR;
  if (!(Object.values(logs.RetentionDays) as unknown[]).includes(retention)) {
    throw new GpuConfigError(scope, 'flowLogRetention', `is ${describe(retention)}, not a logs.RetentionDays value`,
      'pass e.g. logs.RetentionDays.ONE_YEAR');
  }
  const logGroup = new logs.LogGroup(scope, 'FlowLogGroup', { retention });
  return new ec2.FlowLog(scope, 'FlowLog', {
    resourceType: ec2.FlowLogResourceType.fromVpc(vpc),
    destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup),
    trafficType: ec2.FlowLogTrafficType.ALL,
  });
}

/**
 * The system node group's root volume: gp3, encrypted (with `key`, else the AWS managed key), deleted with the node.
 * AL2023 EKS-optimized AMIs boot from `/dev/xvda`; 20 GiB is the managed node group's default `diskSize`.
 * @internal
 */
export function systemRootVolume(key: kms.IKey | undefined): ec2.CfnLaunchTemplate.BlockDeviceMappingProperty[] {
  return [{
    deviceName: '/dev/xvda',
    ebs: {
      volumeType: 'gp3',
      volumeSize: 20,
      encrypted: true,
      deleteOnTermination: true,
      ...(key ? { kmsKeyId: key.keyArn } : {}),
    },
  }];
}

/**
 * Lets the Karpenter controller launch nodes (instant EC2 Fleet, as itself) whose volumes use `key`, and lets the
 * managed node group service do the same for the system nodes. Scoped to EC2 in this region.
 * @internal
 */
export function grantNodeVolumeKey(scope: Construct, key: kms.IKey, controllerRole: iam.IRole): void {
  if (!isKey(key)) {
    throw new GpuConfigError(scope, 'nodeVolumeKey', `is ${describe(key)}, not a kms.IKey`, 'pass a KMS key, e.g. new kms.Key(this, \'NodeVolumes\', { enableKeyRotation: true })');
  }
  const region = Stack.of(scope).region;
  const viaEc2 = { 'kms:ViaService': `ec2.${region}.amazonaws.com` };
  controllerRole.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'AllowNodeVolumeEncryption',
    actions: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'],
    resources: [key.keyArn],
    conditions: { StringEquals: viaEc2 },
  }));
  controllerRole.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'AllowNodeVolumeGrants',
    actions: ['kms:CreateGrant'],
    resources: [key.keyArn],
    conditions: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  }));
  // Managed node groups launch the system nodes through the EC2 Auto Scaling service-linked role, which has no access
  // to customer-managed keys unless the key policy grants it (EC2 Auto Scaling User Guide, "Required AWS KMS key policy
  // for use with encrypted volumes"). Only a key defined in this app can be changed here.
  if (key instanceof kms.Key) {
    const asg = new iam.ArnPrincipal(Stack.of(scope).formatArn({
      service: 'iam', region: '', resource: 'role', resourceName: 'aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowAutoScalingUseOfTheKey',
      principals: [asg],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowAutoScalingAttachmentOfPersistentResources',
      principals: [asg],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
  } else {
    Annotations.of(scope).addWarningV2('cdk8s-gpu:importedNodeVolumeKey', formatConstructWarning(IMPORTED_NODE_VOLUME_KEY, scope, 'nodeVolumeKey',
      'nodeVolumeKey is imported: its key policy must allow the role AWSServiceRoleForAutoScaling (system node group) to '
      + 'use the key and create grants for AWS resources, or the system nodes fail to launch'));
  }
}

function isKey(x: unknown): x is kms.IKey {
  return typeof x === 'object' && x !== null && typeof (x as any).keyArn === 'string' && typeof (x as any).grant === 'function';
}

/**
 * KEDA Helm values: the operator and metrics server read Secrets only in KEDA's own namespace (chart 2.20.2 values).
 * @internal
 */
export function kedaSecurityValues(): Record<string, any> {
  return {
    permissions: {
      operator: { restrict: { secret: true } },
      metricServer: { restrict: { secret: true } },
    },
  };
}

/**
 * The `vpc-cni` EKS add-on with network policy enforcement on. It replaces the self-managed copy EKS installs at
 * cluster creation (resolveConflicts OVERWRITE, as the EKS docs' "create the add-on" step does).
 * @internal
 */
export function enableNetworkPolicy(scope: Construct, cluster: eks.Cluster): eks.Addon {
  const addon = new eks.Addon(scope, 'VpcCniAddon', {
    addonName: 'vpc-cni',
    cluster,
    configurationValues: { enableNetworkPolicy: 'true' },
  });
  (addon.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
  return addon;
}

/**
 * Applies the cdk8s-gpu ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1: Kubernetes 1.30+) to the cluster.
 * `exemptNamespaces` are the add-ons' namespaces whose own pods the invariants do not fit (the GPU Operator's).
 * @internal
 */
export function deployAdmissionPolicy(scope: Construct, cluster: eks.Cluster, kubernetesVersion: string,
  exemptNamespaces: string[]): eks.KubernetesManifest {
  const minor = Number(/^1\.(\d+)$/.exec(kubernetesVersion)?.[1]);
  if (Number.isFinite(minor) && minor < 30) {
    throw new GpuConfigError(scope, 'admissionPolicy',
      `is on, but Kubernetes ${kubernetesVersion} has no admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (GA in 1.30)`,
      'use Kubernetes 1.30 or later, or set admissionPolicy: false');
  }
  const chart = new cdk8s.Chart(new cdk8s.App(), 'gpu-admission');
  new GpuAdmissionPolicy(chart, 'policy', { exemptNamespaces: [...new Set(exemptNamespaces)].sort() });
  return cluster.addCdk8sChart('GpuAdmissionPolicy', chart);
}

/**
 * The system node group's role: the three policies a managed node group needs (EKS User Guide, "Amazon EKS node IAM
 * role"), with image pulls through AmazonEC2ContainerRegistryPullOnly (pull actions only) rather than the ReadOnly
 * policy aws-eks-v2 would attach, which also lists and describes every repository.
 * @internal
 */
export function systemNodeRole(scope: Construct, clusterName: string): iam.Role {
  return new iam.Role(scope, 'SystemNodeRole', {
    description: `System managed node group of EKS cluster ${clusterName}`,
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryPullOnly']
      .map((n) => iam.ManagedPolicy.fromAwsManagedPolicyName(n)),
  });
}

/**
 * Warns when an EC2NodeClass of a chart encrypts its volumes (`blockDeviceMappings[].ebs.kmsKeyID`) with a KMS key the Karpenter controller was not granted:
 * its launches fail (the instance is terminated right after start) unless the key's policy allows the controller role
 * through EC2 by other means.
 * @internal
 */
export function checkNodeClassKeys(scope: Construct, objects: any[], granted: kms.IKey | undefined): void {
  const grantedArn = granted && !Token.isUnresolved(granted.keyArn) ? granted.keyArn : undefined;
  for (const o of objects) {
    if (o?.kind !== 'EC2NodeClass' || !Array.isArray(o.spec?.blockDeviceMappings)) continue;
    const keys = new Set<string>(o.spec.blockDeviceMappings.map((m: any) => m?.ebs?.kmsKeyID).filter((k: unknown) => typeof k === 'string'));
    for (const key of keys) {
      if (!granted) {
        Annotations.of(scope).addWarningV2('cdk8s-gpu:nodeVolumeKeyNotGranted', formatConstructWarning(NODE_VOLUME_KEY_NOT_GRANTED, scope, 'nodeVolumeKey',
          `EC2NodeClass ${o.metadata?.name} encrypts volumes with KMS key ${key}, but nodeVolumeKey is not set: Karpenter's nodes fail `
          + 'to launch unless that key\'s policy lets the Karpenter controller role use it through EC2'));
      } else if (grantedArn !== undefined && key !== grantedArn && !grantedArn.endsWith(`/${key}`)) {
        Annotations.of(scope).addWarningV2('cdk8s-gpu:nodeVolumeKeyMismatch', formatConstructWarning(NODE_VOLUME_KEY_MISMATCH, scope, 'nodeVolumeKey',
          `EC2NodeClass ${o.metadata?.name} encrypts volumes with KMS key ${key}, not nodeVolumeKey ${grantedArn}: the Karpenter `
          + 'controller may not use it'));
      }
    }
  }
}
