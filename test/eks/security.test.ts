/**
 * GpuEksCluster's secure defaults (src/eks/security.ts) and Karpenter's IAM kept equal to upstream's reference policy.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cdk8s from 'cdk8s';
import { IConstruct } from 'constructs';
import { GpuInstanceType } from '../../src/catalog';
import { GpuEksCluster, GpuEksStack, GpuEksStackProps } from '../../src/eks';
import { GpuConfigError } from '../../src/errors';
import { GpuNodeClass, GpuNodePool } from '../../src/pools';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

function stack(props: GpuEksStackProps = {}): GpuEksStack {
  return new GpuEksStack(new App(), 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, ...props });
}

function configError(fn: () => unknown, property: string): GpuConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GpuConfigError);
    expect((e as GpuConfigError).property).toBe(property);
    return e as GpuConfigError;
  }
  throw new Error(`expected a GpuConfigError on ${property}`);
}

/** Renders a resolved CloudFormation value with the upstream template's ${...} placeholders. */
function render(v: any, refs: Record<string, string>): any {
  if (typeof v === 'string') return v.replace(/\bus-east-1\b/g, '${AWS::Region}').replace(/\b111111111111\b/g, '${AWS::AccountId}').replace(/\bgpu-test\b/g, '${ClusterName}');
  if (Array.isArray(v)) return v.map((x) => render(x, refs));
  if (v && typeof v === 'object') {
    if (Array.isArray(v['Fn::Join']) && v['Fn::Join'][0] === '') return render((v['Fn::Join'][1] as any[]).map((x) => render(x, refs)).join(''), refs);
    if (v.Ref === 'AWS::Partition') return '${AWS::Partition}';
    if (Array.isArray(v['Fn::GetAtt'])) return refs[v['Fn::GetAtt'].join('.')] ?? `\${${v['Fn::GetAtt'].join('.')}}`;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [render(k, refs), render(x, refs)]));
  }
  return v;
}

/** A statement with Action/Resource as sorted arrays (CloudFormation accepts a string or a list). */
function normal(st: any): any {
  const list = (x: any) => (Array.isArray(x) ? [...x] : [x]).sort();
  return { ...st, Action: list(st.Action), Resource: list(st.Resource) };
}

describe('GpuEksCluster secure defaults', () => {
  const s = stack();
  const template = Template.fromStack(s);

  test('the API server endpoint is private by default (the kubectl handler then runs in the VPC)', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false, EndpointPrivateAccess: true }),
    });
    const handlers = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Description === 'onEvent handler for EKS kubectl resource provider');
    expect(handlers).toHaveLength(1);
    expect(handlers[0].Properties.VpcConfig?.SubnetIds?.length).toBe(3);
  });

  test('VPC flow logs (all traffic) go to CloudWatch Logs kept one year; the default security group has no rules', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    // ec2.Vpc's restrictDefaultSecurityGroup: a custom resource that revokes the default group's rules.
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('system node root volume: encrypted gp3 on /dev/xvda, IMDSv2 only; node role pulls images only', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: {
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp3', VolumeSize: 20, Encrypted: true, DeleteOnTermination: true } }],
      },
    });
    const ng = Object.values(template.findResources('AWS::EKS::Nodegroup'))[0];
    const roleId = ng.Properties.NodeRole['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId];
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('AmazonEC2ContainerRegistryPullOnly');
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).not.toContain('ReadOnly');
  });

  test('KEDA reads Secrets only in its own namespace (operator and metrics server)', () => {
    const keda = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).find((r) => r.Properties.Chart === 'keda')!;
    const values = JSON.parse(keda.Properties.Values);
    expect(values.permissions).toEqual({ operator: { restrict: { secret: true } }, metricServer: { restrict: { secret: true } } });
  });

  test('the VPC CNI enforces NetworkPolicies (managed add-on taking over the self-managed one)', () => {
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni', ResolveConflicts: 'OVERWRITE', ConfigurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }),
    });
  });

  test('the admission policies are applied, exempting kube-system and the GPU Operator\'s namespace, before the charts', () => {
    const manifests = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    const vap = manifests.find((m) => JSON.stringify(m.Properties.Manifest).includes('ValidatingAdmissionPolicy'));
    expect(vap).toBeDefined();
    const objects = JSON.parse(vap!.Properties.Manifest);
    expect(objects.map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ValidatingAdmissionPolicy/cdk8s-gpu-errors', 'ValidatingAdmissionPolicyBinding/cdk8s-gpu-errors',
      'ValidatingAdmissionPolicy/cdk8s-gpu-warnings', 'ValidatingAdmissionPolicyBinding/cdk8s-gpu-warnings',
    ]);
    expect(objects[1].spec.matchResources.namespaceSelector.matchExpressions[0].values).toEqual(['gpu-operator', 'kube-system']);
    expect(s.gpuCluster.admissionPolicy).toBeDefined();
  });

  test('Karpenter\'s controller policies equal upstream v1.14.1\'s reference, statement for statement', () => {
    const reference = JSON.parse(fs.readFileSync(path.join(__dirname, 'data', 'karpenter-v1.14.1-controller-policies.json'), 'utf8'));
    const resources = template.toJSON().Resources;
    // Logical ids by construct path under the cluster (path metadata is off in tests).
    const idOf = (_type: string, pathPart: string): string | undefined => {
      let c: IConstruct | undefined = s.gpuCluster;
      for (const part of pathPart.split('/')) c = c?.node.tryFindChild(part);
      const cfn = c?.node.defaultChild as CfnElement | undefined;
      return cfn ? s.getLogicalId(cfn) : undefined;
    };
    const refs: Record<string, string> = {
      [`${idOf('AWS::IAM::Role', 'Karpenter/NodeRole')}.Arn`]: '${KarpenterNodeRole.Arn}',
      [`${idOf('AWS::SQS::Queue', 'Karpenter/InterruptionQueue')}.Arn`]: '${KarpenterInterruptionQueue.Arn}',
    };
    for (const [name, statements] of Object.entries(reference.policies) as Array<[string, any[]]>) {
      const id = idOf('AWS::IAM::ManagedPolicy', `Karpenter/${name}`);
      expect([name, id !== undefined]).toEqual([name, true]);
      const ours = (resources[id!].Properties.PolicyDocument.Statement as any[]).map((st) => normal(render(st, refs)));
      expect(ours).toEqual(statements.map(normal));
    }
    // No other policy is attached to the controller role than those five (plus the optional node-volume KMS statements).
    const controller = Object.entries(resources).find(([, r]: [string, any]) => r.Type === 'AWS::IAM::Role'
      && JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('pods.eks.amazonaws.com'))!;
    expect((controller[1] as any).Properties.ManagedPolicyArns).toHaveLength(Object.keys(reference.policies).length);
    expect(Object.values(resources).filter((r: any) => r.Type === 'AWS::IAM::Policy'
      && JSON.stringify(r.Properties.Roles).includes(controller[0]))).toEqual([]);
    const nodeRole = resources[idOf('AWS::IAM::Role', 'Karpenter/NodeRole')!];
    expect(nodeRole.Properties.ManagedPolicyArns.map((a: any) => render(a, {})).sort())
      .toEqual(reference.nodeRoleManagedPolicies.map((n: string) => `arn:\${AWS::Partition}:iam::aws:policy/${n}`).sort());
  });
});

describe('GpuEksCluster security options', () => {
  test('publicAccessCidrs: public endpoint restricted to them, private endpoint kept', () => {
    const t = Template.fromStack(stack({ publicAccessCidrs: ['203.0.113.0/24', '198.51.100.7/32'] }));
    t.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: true, EndpointPrivateAccess: true, PublicAccessCidrs: ['203.0.113.0/24', '198.51.100.7/32'] }),
    });
  });

  test('the whole internet only when listed explicitly, with a warning', () => {
    const s = stack({ publicAccessCidrs: ['0.0.0.0/0'] });
    Template.fromStack(s).hasResourceProperties('AWS::EKS::Cluster', { ResourcesVpcConfig: Match.objectLike({ PublicAccessCidrs: ['0.0.0.0/0'] }) });
    Annotations.fromStack(s).hasWarning('*', Match.stringLikeRegexp('^warning GPU812 .* publicAccessCidrs\\[0\\]: .*open to 0.0.0.0/0'));
  });

  test('an unrestricted public endpoint is refused, with how to restrict it', () => {
    for (const access of [eks.EndpointAccess.PUBLIC, eks.EndpointAccess.PUBLIC_AND_PRIVATE]) {
      expect(configError(() => stack({ endpointAccess: access }), 'endpointAccess').fix).toContain('publicAccessCidrs');
    }
  });

  test.each([
    ['publicAccessCidrs', { publicAccessCidrs: [] }],
    ['publicAccessCidrs', { publicAccessCidrs: 'x' }],
    ['publicAccessCidrs[0]', { publicAccessCidrs: ['203.0.113.0'] }],
    ['publicAccessCidrs[0]', { publicAccessCidrs: ['300.0.0.0/8'] }],
    ['publicAccessCidrs', { publicAccessCidrs: ['203.0.113.0/24'], endpointAccess: eks.EndpointAccess.PRIVATE }],
    ['flowLogs', { flowLogs: 'yes' }],
    ['flowLogRetention', { flowLogs: false, flowLogRetention: logs.RetentionDays.ONE_DAY }],
    ['flowLogRetention', { flowLogRetention: 12345 }],
    ['networkPolicyEnforcement', { networkPolicyEnforcement: 'true' }],
    ['admissionPolicy', { admissionPolicy: 1 }],
    ['admissionPolicy', { kubernetesVersion: eks.KubernetesVersion.of('1.29'), kubectlLayer: {} }],
  ])('%s: bad value %j → GpuConfigError', (prop, props) => {
    configError(() => stack(props as any), prop);
  });

  test('a node class encrypting with a KMS key the controller was not granted gets a warning', () => {
    const s = stack();
    const chart = new cdk8s.Chart(new cdk8s.App(), 'pools');
    const nodeClass = new GpuNodeClass(chart, 'nc', { name: 'enc', volume: { kmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/abc' } });
    new GpuNodePool(chart, 'p', { name: 'p', instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4, nodeClass });
    s.addChart(chart);
    Annotations.fromStack(s).hasWarning('*', Match.stringLikeRegexp('EC2NodeClass enc encrypts volumes with KMS key .*nodeVolumeKey is not set'));
  });

  test('flow logs, NetworkPolicy enforcement and the admission policy can be turned off', () => {
    const s = stack({ flowLogs: false, networkPolicyEnforcement: false, admissionPolicy: false });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::EC2::FlowLog', 0);
    expect(Object.values(t.findResources('AWS::EKS::Addon')).map((a) => a.Properties.AddonName)).toEqual(['eks-pod-identity-agent']);
    expect(JSON.stringify(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))).not.toContain('ValidatingAdmissionPolicy');
    expect(s.gpuCluster.admissionPolicy).toBeUndefined();
  });

  test('nodeVolumeKey: system volume encrypted with it; Karpenter may use it through EC2 only; Auto Scaling may use it', () => {
    const scope = new Stack(new App(), 'Gpu', { env: ENV });
    const key = new kms.Key(scope, 'NodeVolumes', { enableKeyRotation: true });
    new GpuEksCluster(scope, 'Cluster', { clusterName: 'gpu-test', availabilityZones: AZS, nodeVolumeKey: key });
    const t = Template.fromStack(scope);
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true, KmsKeyId: Match.anyValue() }) }] }),
    });
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const use = statements.find((st) => st.Sid === 'AllowNodeVolumeEncryption');
    const grant = statements.find((st) => st.Sid === 'AllowNodeVolumeGrants');
    expect(use.Action).toEqual(['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey']);
    expect(use.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } });
    expect(grant.Action).toBe('kms:CreateGrant');
    expect(grant.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    const keyPolicy = t.findResources('AWS::KMS::Key');
    expect(JSON.stringify(keyPolicy)).toContain('AWSServiceRoleForAutoScaling');
    expect(JSON.stringify(keyPolicy)).toContain('AllowAutoScalingAttachmentOfPersistentResources');
    configError(() => stack({ nodeVolumeKey: 'arn:aws:kms:us-east-1:111111111111:key/x' as any }), 'nodeVolumeKey');
  });
});
