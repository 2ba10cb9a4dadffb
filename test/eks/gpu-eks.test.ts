import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { parse as parseYaml } from 'yaml';
import { GpuInstanceType } from '../../src/catalog';
import {
  GpuEksCluster,
  GpuEksStack,
  GpuEksStackProps,
} from '../../src/eks';
import { GPU_OPERATOR_CHART } from '../../src/eks/versions';
import { GpuConfigError } from '../../src/errors';
import { GpuAmiFamily, GpuNodePool, SpotGpuPool, TaintEffect } from '../../src/pools';
import {
  DevicePluginConfig,
  GPU_OPERATOR_CHART_VERSION,
  GpuOperator,
  GpuOperatorProps,
  GpuOperatorSettings,
  MigConfig,
  MigStrategy,
} from '../../src/sharing';
import { configError } from '../config-error';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/**
 * Stand-in for src/pools' GpuNodeClass (the EC2NodeClass construct): same `bindCluster` method, renders
 * its role/discovery lazily like the real construct. Replace with the real class once both land.
 */
class StubNodeClass extends Construct {
  public bound: Array<[string, string]> = [];
  private role?: string;
  private cluster?: string;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new cdk8s.ApiObject(this, 'Resource', {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: id },
      spec: cdk8s.Lazy.any({
        produce: () => ({
          amiSelectorTerms: [{ alias: 'al2023@latest' }], // required by the EC2NodeClass CRD
          role: this.role,
          subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': this.cluster } }],
          securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': this.cluster } }],
        }),
      }),
    });
  }
  public bindCluster(clusterName: string, nodeRoleName: string): void {
    this.bound.push([clusterName, nodeRoleName]);
    this.cluster ??= clusterName;
    this.role ??= nodeRoleName;
  }
}

function synth(props: GpuEksStackProps = {}, withChart = false) {
  const app = new App();
  const stack = new GpuEksStack(app, 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, ...props });
  let nodeClass: StubNodeClass | undefined;
  if (withChart) {
    const chart = new cdk8s.Chart(new cdk8s.App(), 'pools');
    nodeClass = new StubNodeClass(chart, 'gpu');
    stack.addChart(chart);
  }
  return { stack, template: Template.fromStack(stack), nodeClass };
}

function resourcesOfType(template: Template, type: string): Record<string, any> {
  return template.findResources(type);
}

function helmChart(template: Template, chart: string): [string, any] {
  const found = Object.entries(resourcesOfType(template, 'Custom::AWSCDK-EKS-HelmChart'))
    .filter(([, r]) => r.Properties.Chart === chart);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The Helm values of a chart as an object; CDK tokens inside become `<token>`. */
function helmValues(resource: any): any {
  const v = resource.Properties.Values;
  if (typeof v === 'string') return JSON.parse(v);
  const joined = (v['Fn::Join'][1] as any[]).map((p) => (typeof p === 'string' ? p : '<token>')).join('');
  return JSON.parse(joined);
}

/** Every statement of every policy attached to Karpenter's controller role. */
function controllerStatements(template: Template): any[] {
  const roles = resourcesOfType(template, 'AWS::IAM::Role');
  const [roleId] = Object.entries(roles).find(([, r]) =>
    JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('pods.eks.amazonaws.com'))!;
  const policies = Object.values(resourcesOfType(template, 'AWS::IAM::ManagedPolicy'))
    .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(roleId));
  const refs = JSON.stringify(roles[roleId].Properties.ManagedPolicyArns ?? []);
  const attached = Object.entries(resourcesOfType(template, 'AWS::IAM::ManagedPolicy'))
    .filter(([id]) => refs.includes(id)).map(([, p]) => p);
  return [...policies, ...attached].flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('GpuEksStack', () => {
  const { template, stack } = synth({}, true);

  describe('network and cluster', () => {
    test('private subnets in every AZ carry karpenter.sh/discovery=<cluster>', () => {
      const subnets = Object.values(resourcesOfType(template, 'AWS::EC2::Subnet'))
        .filter((s) => s.Properties.MapPublicIpOnLaunch === false);
      expect(subnets.map((s) => s.Properties.AvailabilityZone).sort()).toEqual(AZS);
      for (const s of subnets) {
        expect(s.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'karpenter.sh/discovery', Value: 'gpu-test' }]));
      }
      const publicSubnets = Object.values(resourcesOfType(template, 'AWS::EC2::Subnet'))
        .filter((s) => s.Properties.MapPublicIpOnLaunch === true);
      for (const s of publicSubnets) {
        expect(JSON.stringify(s.Properties.Tags)).not.toContain('karpenter.sh/discovery');
      }
    });

    test('cluster: pinned version, API authentication, all control-plane logs, KMS-encrypted secrets', () => {
      template.hasResourceProperties('AWS::EKS::Cluster', {
        Name: 'gpu-test',
        Version: '1.33',
        AccessConfig: { AuthenticationMode: 'API' },
        Logging: {
          ClusterLogging: {
            EnabledTypes: [
              { Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }, { Type: 'controllerManager' }, { Type: 'scheduler' },
            ],
          },
        },
        EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SecretsKey'), 'Arn'] } }, Resources: ['secrets'] }],
        ComputeConfig: { Enabled: false },
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    test('system node group is CPU-only AL2023 with an IMDSv2-only launch template', () => {
      template.hasResourceProperties('AWS::EKS::Nodegroup', {
        NodegroupName: 'system',
        AmiType: 'AL2023_x86_64_STANDARD',
        InstanceTypes: ['m6i.large'],
        ScalingConfig: { MinSize: 2, MaxSize: 3, DesiredSize: 2 },
        LaunchTemplate: { Id: { Ref: Match.stringLikeRegexp('SystemNodeLaunchTemplate') } },
      });
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 } },
      });
    });

    test('Karpenter node security group is discoverable and joined to the cluster security group', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        Tags: Match.arrayWith([{ Key: 'karpenter.sh/discovery', Value: 'gpu-test' }]),
      });
      // only that one security group is discoverable: Karpenter attaches every tagged group to its nodes
      const tagged = Object.values(resourcesOfType(template, 'AWS::EC2::SecurityGroup'))
        .filter((g) => JSON.stringify(g.Properties.Tags ?? []).includes('karpenter.sh/discovery'));
      expect(tagged).toHaveLength(1);
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.anyValue(), 'ClusterSecurityGroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('KarpenterNodeSecurityGroup'), 'GroupId'] },
        IpProtocol: '-1',
      });
    });
  });

  describe('Karpenter', () => {
    test('node role has the four node policies and an EC2_LINUX access entry', () => {
      const [nodeRoleId, nodeRole] = Object.entries(resourcesOfType(template, 'AWS::IAM::Role'))
        .find(([, r]) => r.Properties.RoleName === 'KarpenterNodeRole-gpu-test')!;
      const arns = JSON.stringify(nodeRole.Properties.ManagedPolicyArns);
      for (const p of ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryPullOnly', 'AmazonSSMManagedInstanceCore']) {
        expect(arns).toContain(`:iam::aws:policy/${p}"`);
      }
      template.hasResourceProperties('AWS::EKS::AccessEntry', {
        Type: 'EC2_LINUX',
        PrincipalArn: { 'Fn::GetAtt': [nodeRoleId, 'Arn'] },
      });
    });

    test('controller role is assumed through EKS Pod Identity and associated with the karpenter service account', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [{
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: Match.arrayWith(['sts:AssumeRole', 'sts:TagSession']),
            // Only this account's EKS, for this cluster (confused-deputy guard).
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:us-east-1:111111111111:cluster/gpu-test']] } },
            },
          }],
        },
      });
      template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
        Namespace: 'kube-system',
        ServiceAccount: 'karpenter',
      });
      template.resourceCountIs('AWS::EKS::Addon', 2); // and vpc-cni, for NetworkPolicy enforcement
      template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'eks-pod-identity-agent' });
    });

    test('controller policy: write actions are scoped by ARN and cluster/nodepool tags, never Resource "*"', () => {
      const statements = controllerStatements(template);
      const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
      expect(Object.keys(bySid).sort()).toEqual([
        'AllowAPIServerEndpointDiscovery', 'AllowInstanceProfileReadActions', 'AllowInterruptionQueueActions',
        'AllowPassingInstanceRole', 'AllowPricingReadActions', 'AllowRegionalReadActions',
        'AllowSSMReadActions', 'AllowScopedDeletion', 'AllowScopedEC2InstanceAccessActions',
        'AllowScopedEC2InstanceActionsWithTags', 'AllowScopedEC2LaunchTemplateAccessActions',
        'AllowScopedInstanceProfileActions', 'AllowScopedInstanceProfileCreationActions',
        'AllowScopedInstanceProfileTagActions', 'AllowScopedResourceCreationTagging', 'AllowScopedResourceTagging',
        'AllowUnscopedInstanceProfileListAction',
      ]);
      // Only actions without resource-level permissions may use "*".
      const wildcard = statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
      expect(wildcard.map((s) => s.Sid).sort()).toEqual(['AllowPricingReadActions', 'AllowRegionalReadActions', 'AllowUnscopedInstanceProfileListAction']);
      for (const s of wildcard) {
        for (const a of [s.Action].flat()) expect(a).toMatch(/^(ec2:Describe|pricing:GetProducts$|iam:ListInstanceProfiles$)/);
      }
      expect(bySid.AllowRegionalReadActions.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'us-east-1' } });

      expect(bySid.AllowScopedDeletion.Condition).toEqual({
        StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/gpu-test': 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      });
      expect(bySid.AllowScopedEC2InstanceActionsWithTags.Condition).toEqual({
        StringEquals: {
          'aws:RequestTag/kubernetes.io/cluster/gpu-test': 'owned',
          'aws:RequestTag/eks:eks-cluster-name': 'gpu-test',
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      });
      expect(bySid.AllowScopedResourceCreationTagging.Condition.StringEquals['ec2:CreateAction'])
        .toEqual(['RunInstances', 'CreateFleet', 'CreateLaunchTemplate']);
      expect(bySid.AllowScopedResourceTagging.Condition['ForAllValues:StringEquals'])
        .toEqual({ 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] });
      expect(bySid.AllowScopedInstanceProfileCreationActions.Condition.StringEquals).toEqual({
        'aws:RequestTag/kubernetes.io/cluster/gpu-test': 'owned',
        'aws:RequestTag/eks:eks-cluster-name': 'gpu-test',
        'aws:RequestTag/topology.kubernetes.io/region': 'us-east-1',
      });
      expect(bySid.AllowPassingInstanceRole.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/KarpenterNodeRole/), 'Arn'] });
      expect(bySid.AllowPassingInstanceRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } });
      expect(JSON.stringify(bySid.AllowAPIServerEndpointDiscovery.Resource)).toContain(':eks:us-east-1:111111111111:cluster/gpu-test');
      expect(bySid.AllowInterruptionQueueActions.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/InterruptionQueue/), 'Arn'] });
      // Capacity Reservations / Capacity Blocks (p5) can be launched into and described.
      expect(JSON.stringify(bySid.AllowScopedEC2InstanceAccessActions.Resource)).toContain(':capacity-reservation/*');
      expect(bySid.AllowRegionalReadActions.Action).toContain('ec2:DescribeCapacityReservations');
    });

    test('interruption queue is encrypted and refuses non-TLS access', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'gpu-test', SqsManagedSseEnabled: true, MessageRetentionPeriod: 300,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    });

    test('EventBridge rules use the exact detail-types Karpenter handles, all targeting the queue', () => {
      const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule'));
      const patterns = rules.map((r) => [r.Properties.EventPattern.source, r.Properties.EventPattern['detail-type']]);
      expect(patterns).toEqual(expect.arrayContaining([
        [['aws.health'], ['AWS Health Event']],
        [['aws.ec2'], ['EC2 Spot Instance Interruption Warning']],
        [['aws.ec2'], ['EC2 Instance Rebalance Recommendation']],
        [['aws.ec2'], ['EC2 Instance State-change Notification']],
        [['aws.ec2'], ['EC2 Capacity Reservation Instance Interruption Warning']],
      ]));
      expect(rules).toHaveLength(5);
      for (const r of rules) {
        expect(r.Properties.Targets).toEqual([expect.objectContaining({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/InterruptionQueue/), 'Arn'] },
        })]);
      }
    });

    test('Karpenter chart: pinned OCI chart, settings wired to the cluster and the queue', () => {
      const [, chart] = helmChart(template, 'karpenter');
      expect(chart.Properties.Repository).toBe('oci://public.ecr.aws/karpenter/karpenter');
      expect(chart.Properties.Version).toBe('1.14.1');
      expect(chart.Properties.Namespace).toBe('kube-system');
      expect(chart.Properties.Wait).toBe(true);
      expect(chart.Properties.SkipCrds).toBeUndefined(); // CRDs come with the chart
      const values = helmValues(chart);
      expect(values.settings).toEqual({
        clusterName: 'gpu-test',
        clusterEndpoint: '<token>',
        interruptionQueue: '<token>',
        featureGates: { reservedCapacity: true },
      });
      expect(JSON.stringify(chart.Properties.Values)).toMatch(/"Endpoint"\]/);
      expect(JSON.stringify(chart.Properties.Values)).toMatch(/InterruptionQueue[0-9A-F]+","QueueName"/);
      expect(values.serviceAccount.name).toBe('karpenter');
      expect(values.controller.env).toEqual([{ name: 'AWS_REGION', value: 'us-east-1' }]);
    });
  });

  describe('add-ons', () => {
    test('every chart version is pinned exactly (no latest, no range)', () => {
      const charts = Object.values(resourcesOfType(template, 'Custom::AWSCDK-EKS-HelmChart'));
      expect(charts.map((c) => [c.Properties.Chart, c.Properties.Version]).sort()).toEqual([
        ['gpu-operator', 'v26.7.0'],
        ['karpenter', '1.14.1'],
        ['keda', '2.20.2'],
        ['kube-prometheus-stack', '88.5.3'],
        ['kueue', '0.19.2'],
      ]);
    });

    test('Kueue: pinned OCI chart, waits for pods ready (gang admission), manages Jobs and Deployments, before the charts', () => {
      const [, chart] = helmChart(template, 'kueue');
      expect(chart.Properties.Repository).toBe('oci://registry.k8s.io/kueue/charts/kueue');
      expect(chart.Properties.Namespace).toBe('kueue-system');
      expect(chart.Properties.Wait).toBe(true);
      const config = parseYaml(helmValues(chart).managerConfig.controllerManagerConfigYaml);
      expect(config.apiVersion).toBe('config.kueue.x-k8s.io/v1beta2');
      expect(config.waitForPodsReady).toEqual({
        timeout: '1800s',
        blockAdmission: false,
        requeuingStrategy: { timestamp: 'Eviction', backoffBaseSeconds: 60, backoffMaxSeconds: 3600 },
      });
      expect(config.integrations.frameworks).toEqual(['batch/job', 'deployment', 'pod']);
      expect(config.manageJobsWithoutQueueName).toBeUndefined(); // Kueue's default false: unqueued workloads untouched
      expect(config.webhook).toEqual({ port: 9443 });
      const custom = synth({ kueue: { podsReadyTimeout: Duration.minutes(10), blockAdmission: true, frameworks: ['batch/job', 'jobset.x-k8s.io/jobset'] } }).template;
      const c2 = parseYaml(helmValues(helmChart(custom, 'kueue')[1]).managerConfig.controllerManagerConfigYaml);
      expect(c2.waitForPodsReady.timeout).toBe('600s');
      expect(c2.waitForPodsReady.blockAdmission).toBe(true);
      expect(c2.integrations.frameworks).toEqual(['batch/job', 'jobset.x-k8s.io/jobset']);
      expect(() => synth({ kueue: { podsReadyTimeout: Duration.seconds(5) } })).toThrow(/kueue.podsReadyTimeout/);
      expect(() => synth({ kueue: { frameworks: [] } })).toThrow(/kueue.frameworks/);
      expect(resourcesOfType(synth({ kueue: { enabled: false } }).template, 'Custom::AWSCDK-EKS-HelmChart')).not.toHaveProperty(helmChart(template, 'kueue')[0]);
    });

    test('GPU Operator on AL2023 NVIDIA AMIs: driver and toolkit off, device plugin on, mixed MIG, ServiceMonitor for the stack', () => {
      const [, chart] = helmChart(template, 'gpu-operator');
      expect(chart.Properties.Repository).toBe('https://helm.ngc.nvidia.com/nvidia');
      expect(chart.Properties.Namespace).toBe('gpu-operator');
      const values = helmValues(chart);
      expect(values.driver).toEqual({ enabled: false });
      expect(values.toolkit).toEqual({ enabled: false });
      expect(values.devicePlugin).toEqual({ enabled: true });
      // The same default as the cdk8s GpuOperator, MigConfig and DevicePluginConfig (AWS's EKS MIG guide uses mixed).
      expect(values.mig).toEqual({ strategy: 'mixed' });
      expect(values.migManager).toEqual({ enabled: true, env: [{ name: 'WITH_REBOOT', value: 'true' }] });
      expect(values.dcgmExporter.serviceMonitor).toEqual({
        enabled: true, interval: '15s', honorLabels: true, additionalLabels: { release: 'kube-prometheus-stack' },
      });
      // The whole values object is the settings' rendering (nothing added beside it).
      expect(values).toEqual(stack.gpuCluster.gpuOperatorSettings!.toHelmValues());
    });

    test('the GPU Operator chart is the version whose defaults and images src/sharing pins', () => {
      expect(GPU_OPERATOR_CHART.version).toBe(GPU_OPERATOR_CHART_VERSION);
    });

    test('kube-prometheus-stack selects monitors and rules from every release', () => {
      const values = helmValues(helmChart(template, 'kube-prometheus-stack')[1]);
      expect(values.prometheus.prometheusSpec).toEqual({
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
      });
      expect(stack.gpuCluster.prometheusEndpoint).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090');
    });

    test('ordering: Karpenter after its IAM, Pod Identity and system nodes; GPU Operator after the Prometheus CRDs', () => {
      const [, karpenter] = helmChart(template, 'karpenter');
      const dependsOn: string[] = karpenter.DependsOn;
      for (const pattern of [/KarpenterPodIdentity/, /KarpenterNodeAccessEntry/, /NodegroupSystem[0-9A-F]+$/, /KarpenterControllerRole/, /InterruptionQueue[0-9A-F]+$/]) {
        expect(dependsOn.some((d) => pattern.test(d))).toBe(true);
      }
      const [promId] = helmChart(template, 'kube-prometheus-stack');
      expect(helmChart(template, 'gpu-operator')[1].DependsOn).toContain(promId);
      const [assocId] = Object.keys(resourcesOfType(template, 'AWS::EKS::PodIdentityAssociation'));
      const [addonId] = Object.keys(resourcesOfType(template, 'AWS::EKS::Addon'));
      expect(resourcesOfType(template, 'AWS::EKS::PodIdentityAssociation')[assocId].DependsOn).toContain(addonId);
    });
  });

  describe('addChart', () => {
    test('the chart manifest is applied after Karpenter and every add-on chart', () => {
      const manifests = Object.values(resourcesOfType(template, 'Custom::AWSCDK-EKS-KubernetesResource'));
      const chartManifest = manifests.find((m) => JSON.stringify(m.Properties.Manifest).includes('EC2NodeClass'))!;
      expect(chartManifest).toBeDefined();
      const helmIds = Object.keys(resourcesOfType(template, 'Custom::AWSCDK-EKS-HelmChart'));
      expect(helmIds).toHaveLength(5);
      for (const id of helmIds) expect(chartManifest.DependsOn).toContain(id);
    });

    test('node classes in the chart get the cluster name and the Karpenter node role', () => {
      const { template: t, nodeClass } = synth({}, true);
      expect(nodeClass!.bound).toEqual([['gpu-test', 'KarpenterNodeRole-gpu-test']]);
      const manifest = Object.values(resourcesOfType(t, 'Custom::AWSCDK-EKS-KubernetesResource'))
        .find((m) => JSON.stringify(m.Properties.Manifest).includes('EC2NodeClass'))!;
      const text = JSON.stringify(manifest.Properties.Manifest);
      expect(text).toContain('\\"role\\":\\"KarpenterNodeRole-gpu-test\\"');
      expect(text).toContain('\\"karpenter.sh/discovery\\":\\"gpu-test\\"');
    });

    test('real GpuNodePools: their EC2NodeClass gets role and discovery terms from the cluster', () => {
      const chart = new cdk8s.Chart(new cdk8s.App(), 'pools');
      const pool = new GpuNodePool(chart, 'a100', { name: 'a100', instanceTypes: [GpuInstanceType.P4D_24XLARGE], gpuLimit: 8 });
      const { template: t } = synth({ charts: [chart] });
      expect(pool.nodeClass.role).toBe('KarpenterNodeRole-gpu-test');
      expect(pool.nodeClass.clusterName).toBe('gpu-test');
      // The chart's manifest (the other one applies the admission policies).
      const manifest = Object.values(resourcesOfType(t, 'Custom::AWSCDK-EKS-KubernetesResource'))
        .find((m) => !JSON.stringify(m.Properties.Manifest).includes('ValidatingAdmissionPolicy'))!;
      expect(typeof manifest.Properties.Manifest).toBe('string'); // literal role and name: no tokens
      const objects = JSON.parse(manifest.Properties.Manifest);
      const nodeClass = objects.find((o: any) => o.kind === 'EC2NodeClass');
      expect(nodeClass.spec.role).toBe('KarpenterNodeRole-gpu-test');
      expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'gpu-test' } }]);
      expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'gpu-test' } }]);
      expect(objects.map((o: any) => o.kind).sort()).toEqual(['EC2NodeClass', 'NodePool']);
    });

    test('a GPU NodePool tainted where the GPU Operator\'s node agents cannot go is refused: its nodes would never advertise GPUs', () => {
      const chartWith = (make: (chart: cdk8s.Chart) => void) => {
        const chart = new cdk8s.Chart(new cdk8s.App(), 'pools');
        make(chart);
        return chart;
      };
      const spot = () => chartWith((c) => new SpotGpuPool(c, 'spot', { name: 'spot', instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4 }));
      const stackWith = (gpuOperator: any) => new GpuEksStack(new App(), 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, gpuOperator });
      // the defaults tolerate the spot taint: its values hold it, for the DaemonSets and the NFD worker
      const ok = stackWith(undefined);
      expect(() => ok.addChart(spot())).not.toThrow();
      const values = helmValues(helmChart(Template.fromStack(ok), GPU_OPERATOR_CHART.chart)[1]);
      expect(values.daemonsets.tolerations).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'Exists', effect: 'NoSchedule' });
      expect(values['node-feature-discovery'].worker.tolerations).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'Exists', effect: 'NoSchedule' });
      // tolerations that leave the spot taint out
      const gpuOnly = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
      const e = configError(() => stackWith({ settings: { tolerations: gpuOnly } }).addChart(spot()));
      expect(e.message).toMatch(/spot: taints include karpenter\.sh\/capacity-type=spot:NoSchedule, which the GPU Operator's DaemonSets do not tolerate \(Helm daemonsets\.tolerations\): the device plugin never runs there, so its nodes never advertise nvidia\.com\/gpu/);
      expect(e.message).toMatch(/Fix: add \{ key: 'karpenter\.sh\/capacity-type', operator: 'Exists', effect: 'NoSchedule' \} to gpuOperator\.settings\.tolerations/);
      // the chart values as installed are judged: a user override of the DaemonSets' tolerations, or of the NFD worker's
      expect(() => stackWith({ values: { daemonsets: { tolerations: gpuOnly } } }).addChart(spot())).toThrow(/GPU Operator's DaemonSets do not tolerate/);
      expect(() => stackWith({ values: { 'node-feature-discovery': { worker: { tolerations: gpuOnly } } } }).addChart(spot()))
        .toThrow(/Node Feature Discovery worker \(which labels GPU nodes for the operator\) do not tolerate/);
      // without NFD from the chart, only the DaemonSets are judged
      expect(() => stackWith({ settings: { nfd: false }, values: { 'node-feature-discovery': { worker: { tolerations: gpuOnly } } } }).addChart(spot())).not.toThrow();
      // a pool's own taint
      const dedicated = () => chartWith((c) => new GpuNodePool(c, 'ded', {
        name: 'ded', instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4, taints: [{ key: 'dedicated', value: 'ml', effect: TaintEffect.NO_SCHEDULE }],
      }));
      expect(() => stackWith(undefined).addChart(dedicated())).toThrow(/dedicated=ml:NoSchedule, which the GPU Operator's DaemonSets do not tolerate/);
      expect(() => stackWith({ settings: { tolerations: [{ operator: 'Exists' }] } }).addChart(dedicated())).not.toThrow();
      // on Bottlerocket the device plugin is the AMI's: the message says what does not run
      expect(() => stackWith({ settings: { nodeImage: GpuAmiFamily.BOTTLEROCKET, tolerations: gpuOnly } }).addChart(spot()))
        .toThrow(/GPU feature discovery and the DCGM exporter never run there/);
      // no GPU Operator on the cluster: nothing to judge
      expect(() => stackWith({ enabled: false }).addChart(spot())).not.toThrow();
    });

    test('charts passed as a prop are deployed too, each under its own id', () => {
      const c1 = new cdk8s.Chart(new cdk8s.App(), 'a');
      new StubNodeClass(c1, 'x');
      const c2 = new cdk8s.Chart(new cdk8s.App(), 'a');
      new StubNodeClass(c2, 'y');
      const { template: t } = synth({ charts: [c1, c2] });
      t.resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 3); // and the admission policies
    });
  });

  test('outputs: cluster name, kubeconfig command, Karpenter queue name', () => {
    template.hasOutput('ClusterName', { Value: 'gpu-test' });
    template.hasOutput('KubeconfigCommand', { Value: 'aws eks update-kubeconfig --name gpu-test --region us-east-1' });
    template.hasOutput('KarpenterInterruptionQueueName', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('InterruptionQueue'), 'QueueName'] },
    });
  });

  test('snapshot of the whole template (asset hashes masked)', () => {
    const json = JSON.stringify(template.toJSON(), null, 1).replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>$1');
    expect(JSON.parse(json)).toMatchSnapshot();
  });
});

describe('GpuEksCluster options', () => {
  test('Bottlerocket NVIDIA: the device plugin is left to the image; BYO Prometheus installs no stack and no ServiceMonitor', () => {
    const { template, stack } = synth({
      gpuOperator: { settings: { nodeImage: GpuAmiFamily.BOTTLEROCKET, migStrategy: MigStrategy.SINGLE } },
      prometheus: { endpoint: 'http://prometheus.observability.svc:9090' },
    });
    const values = helmValues(helmChart(template, 'gpu-operator')[1]);
    expect(values.devicePlugin).toEqual({ enabled: false });
    expect(values.migManager).toEqual({ enabled: false });
    expect(values.driver).toEqual({ enabled: false });
    expect(values.mig).toEqual({ strategy: 'single' });
    expect(values.dcgmExporter.serviceMonitor).toEqual({ enabled: false });
    expect(Object.values(resourcesOfType(template, 'Custom::AWSCDK-EKS-HelmChart')).map((c) => c.Properties.Chart))
      .not.toContain('kube-prometheus-stack');
    expect(stack.gpuCluster.prometheusEndpoint).toBe('http://prometheus.observability.svc:9090');
  });

  test('add-ons can be turned off; extra values deep-merge over derived ones', () => {
    const { template } = synth({
      keda: { enabled: false },
      gpuOperator: { values: { driver: { enabled: true }, dcgmExporter: { serviceMonitor: { interval: '30s' } } } },
    });
    const charts = Object.values(resourcesOfType(template, 'Custom::AWSCDK-EKS-HelmChart')).map((c) => c.Properties.Chart);
    expect(charts).not.toContain('keda');
    const values = helmValues(helmChart(template, 'gpu-operator')[1]);
    expect(values.driver).toEqual({ enabled: true });
    expect(values.dcgmExporter.serviceMonitor).toEqual({ enabled: true, honorLabels: true, additionalLabels: { release: 'kube-prometheus-stack' }, interval: '30s' });
  });

  describe('GPU Operator: one source of truth with src/sharing', () => {
    // The same props a cdk8s user gives GpuOperator: ConfigMaps in a custom namespace, single strategy, labels.
    const chart = new cdk8s.Chart(new cdk8s.App(), 'sharing');
    const settings: GpuOperatorProps = {
      namespace: 'nvidia',
      migStrategy: MigStrategy.SINGLE,
      migConfig: new MigConfig(chart, 'mig', { namespace: 'nvidia' }),
      devicePluginConfig: new DevicePluginConfig(chart, 'dp', { namespace: 'nvidia', migStrategy: MigStrategy.SINGLE }),
      migManagerReboot: false,
      nfd: false,
      serviceMonitorInterval: cdk8s.Duration.seconds(30),
      serviceMonitorLabels: { team: 'ml' },
    };

    test('with the stack\'s kube-prometheus-stack: values = toHelmValues() of the settings plus its release label; release namespace = settings.namespace', () => {
      const { template: t, stack: s } = synth({ gpuOperator: { settings } });
      const [, release] = helmChart(t, 'gpu-operator');
      const expected = GpuOperatorSettings.of({ ...settings, serviceMonitorLabels: { release: 'kube-prometheus-stack', team: 'ml' } }).toHelmValues();
      expect(helmValues(release)).toEqual(expected);
      expect(helmValues(release)).toEqual(s.gpuCluster.gpuOperatorSettings!.toHelmValues());
      expect(release.Properties.Namespace).toBe('nvidia');
      expect(expected.dcgmExporter.serviceMonitor.honorLabels).toBe(true);
      // Every on/off, the strategy and the ServiceMonitor equal the ClusterPolicy a cdk8s GpuOperator makes from the same props.
      const c = new cdk8s.Chart(new cdk8s.App(), 'c');
      new GpuOperator(c, 'op', { ...settings, serviceMonitorLabels: { release: 'kube-prometheus-stack', team: 'ml' } });
      const cp = cdk8s.Testing.synth(c).find((o: any) => o.kind === 'ClusterPolicy')!;
      const values = helmValues(release);
      for (const k of ['driver', 'toolkit', 'devicePlugin', 'migManager', 'dcgmExporter', 'gfd']) expect(values[k].enabled).toBe(cp.spec[k].enabled);
      expect(values.mig).toEqual(cp.spec.mig);
      expect(values.dcgmExporter.serviceMonitor).toEqual(cp.spec.dcgmExporter.serviceMonitor);
      expect(values.migManager.config).toEqual({ create: false, ...cp.spec.migManager.config });
      expect(values.devicePlugin.config).toEqual({ create: false, ...cp.spec.devicePlugin.config });
    });

    test('with your own Prometheus: values = toHelmValues() of exactly your settings (ServiceMonitor only when you ask)', () => {
      const byo = { endpoint: 'http://prometheus.observability.svc:9090' };
      const { template: t } = synth({ gpuOperator: { settings: { ...settings, serviceMonitor: true } }, prometheus: byo });
      expect(helmValues(helmChart(t, 'gpu-operator')[1])).toEqual(GpuOperatorSettings.of({ ...settings, serviceMonitor: true }).toHelmValues());
      const { template: t2 } = synth({ gpuOperator: { settings }, prometheus: byo });
      expect(helmValues(helmChart(t2, 'gpu-operator')[1])).toEqual(GpuOperatorSettings.of({ ...settings, serviceMonitor: false }).toHelmValues());
    });

    test('bad settings fail with GpuConfigError naming the cluster and gpuOperator.settings.<property>', () => {
      const app = new App();
      const s = new Stack(app, 'S', { env: ENV });
      const e = (() => {
        try {
          new GpuEksCluster(s, 'C', { clusterName: 'x', availabilityZones: AZS, gpuOperator: { settings: { driver: true } } });
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(GpuConfigError);
      expect((e as GpuConfigError).message).toMatch(/^S\/C: gpuOperator\.settings\.driver is true, but the EKS-optimized AL2023 NVIDIA AMI already ships the NVIDIA driver/);
    });

    test('disabled: no chart, no settings', () => {
      const { template: t, stack: s } = synth({ gpuOperator: { enabled: false } });
      expect(Object.values(resourcesOfType(t, 'Custom::AWSCDK-EKS-HelmChart')).map((c) => c.Properties.Chart)).not.toContain('gpu-operator');
      expect(s.gpuCluster.gpuOperatorSettings).toBeUndefined();
    });
  });

  test('an existing VPC is used and its subnets tagged', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Mine', { availabilityZones: AZS.slice(0, 2), natGateways: 1 });
    const c = new GpuEksCluster(stack, 'C', { vpc, clusterName: 'byo' });
    expect(c.vpc).toBe(vpc);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    const tagged = Object.values(t.findResources('AWS::EC2::Subnet'))
      .filter((s) => JSON.stringify(s.Properties.Tags).includes('"karpenter.sh/discovery","Value":"byo"'));
    expect(tagged).toHaveLength(2);
  });

  test('imported subnets that cannot be tagged produce a warning', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-1234',
      availabilityZones: AZS.slice(0, 2),
      privateSubnetIds: ['subnet-aaaa', 'subnet-bbbb'],
    });
    new GpuEksCluster(stack, 'C', { vpc, clusterName: 'imp' });
    Annotations.fromStack(stack).hasWarning('/S/C', Match.stringLikeRegexp('^warning GPU811 \\S+ S/C vpc: cannot tag imported subnet subnet-aaaa .*  Fix: tag the subnet'));
  });

  test('capacity reservation ids are validated and exposed for the GPU pools', () => {
    const { stack } = synth({ capacityReservationIds: ['cr-0123456789abcdef0'] });
    expect(stack.gpuCluster.capacityReservationIds).toEqual(['cr-0123456789abcdef0']);
    expect(() => synth({ capacityReservationIds: ['cr-123'] })).toThrow(GpuConfigError);
    expect(() => synth({ capacityReservationIds: ['cr-123'] }))
      .toThrow('Gpu/GpuCluster: capacityReservationIds[0] is "cr-123", not a Capacity Reservation id. Fix:');
    expect(() => synth({ capacityReservationIds: ['cr-0123456789abcdef0', 'cr-0123456789abcdef0'] }))
      .toThrow(/capacityReservationIds\[1\] repeats/);
  });

  test('bad input fails at construction with GpuConfigError', () => {
    expect(() => synth({ clusterName: 'bad name!' })).toThrow(/clusterName is "bad name!", not a valid EKS cluster name/);
    expect(() => synth({ clusterName: 'x'.repeat(50) })).toThrow(/too long for the node role name/);
    expect(() => synth({ karpenter: { version: 'latest' } })).toThrow(/karpenter.version is "latest", not an exact chart version/);
    expect(() => synth({ keda: { version: '^2.20' } })).toThrow(GpuConfigError);
    expect(() => synth({ systemNodeGroup: { instanceTypes: [new ec2.InstanceType('g5.xlarge')] } }))
      .toThrow(/an accelerated instance type/);
    expect(() => synth({ karpenter: { replicas: 4 } })).toThrow(/more than the system node group's maxSize 3/);
    expect(() => synth({ availabilityZones: ['us-east-1a'] })).toThrow(/at least 2/);
    expect(() => synth({ prometheus: { endpoint: 'prometheus:9090' } })).toThrow(/not an http\(s\) URL/);
    expect(() => synth({ kubernetesVersion: eks.KubernetesVersion.V1_36 }))
      .toThrow(/kubernetesVersion is 1.36, more than one minor version away/);
  });

  test('a default cluster name is derived from the path and fits the node role name', () => {
    const app = new App();
    const stack = new Stack(app, 'SomeRatherLongStackNameForTesting', { env: ENV });
    const c = new GpuEksCluster(stack, 'AndAnEvenLongerConstructIdForTheCluster', { availabilityZones: AZS });
    expect(c.clusterName.length).toBeLessThanOrEqual(46);
    expect(c.karpenterNodeRoleName).toBe(`KarpenterNodeRole-${c.clusterName}`);
    expect(c.karpenterNodeRoleName.length).toBeLessThanOrEqual(64);
  });
});
