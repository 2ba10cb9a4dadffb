/**
 * The AWS side of Karpenter: controller IAM role (EKS Pod Identity), node IAM role, interruption queue and
 * the EventBridge rules that feed it.
 *
 * The policy statements re-express, in CDK, the ones in Karpenter's own reference CloudFormation
 * (`website/content/en/v1.14/getting-started/getting-started-with-karpenter/cloudformation.yaml`,
 * aws/karpenter-provider-aws @ 1d927085, Apache-2.0): the same Sids, actions, resources and conditions, so
 * every write action is scoped by resource ARN and by the `kubernetes.io/cluster/<name>`,
 * `eks:eks-cluster-name`, `karpenter.sh/nodepool` and `karpenter.k8s.aws/ec2nodeclass` tags. The only
 * `Resource: "*"` statements are the ones whose actions support no resource-level scoping (EC2 Describe*,
 * conditioned on the region; pricing:GetProducts; iam:ListInstanceProfiles).
 * The zonal-shift policy is left out because `settings.enableZonalShift` stays off.
 *
 * Not exported from the package: `GpuEksCluster` exposes what this creates.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The EventBridge events Karpenter's interruption controller understands (same reference file; the
 * Capacity Reservation one is documented in the EC2 User Guide, "Monitor interruptible Capacity
 * Reservations" and "Monitor Capacity Blocks using EventBridge": detail-type
 * `EC2 Capacity Reservation Instance Interruption Warning`). A misspelt detail-type never matches and fails
 * silently, so the tests assert these exact strings.
 */
export const INTERRUPTION_EVENTS: ReadonlyArray<{ id: string; source: string; detailType: string }> = [
  { id: 'ScheduledChangeRule', source: 'aws.health', detailType: 'AWS Health Event' },
  { id: 'SpotInterruptionRule', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { id: 'RebalanceRule', source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { id: 'InstanceStateChangeRule', source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  {
    id: 'CapacityReservationInterruptionRule',
    source: 'aws.ec2',
    detailType: 'EC2 Capacity Reservation Instance Interruption Warning',
  },
];

/** @internal */
export interface KarpenterAwsResourcesProps {
  /** A concrete (non-token) cluster name: it appears inside IAM condition keys. */
  readonly clusterName: string;
  /** Physical name of the node role (concrete, so EC2NodeClass `spec.role` can carry it). */
  readonly nodeRoleName: string;
}

/**
 * Karpenter's IAM roles, interruption queue and rules.
 * @internal
 */
export class KarpenterAwsResources extends Construct {
  public readonly controllerRole: iam.Role;
  public readonly nodeRole: iam.Role;
  public readonly interruptionQueue: sqs.Queue;
  public readonly interruptionRules: events.Rule[] = [];
  /** The controller's managed policies (node lifecycle, IAM integration, EKS integration, interruption, discovery). */
  public readonly controllerPolicies: iam.ManagedPolicy[];

  constructor(scope: Construct, id: string, props: KarpenterAwsResourcesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { clusterName } = props;
    const partition = stack.partition;
    const region = stack.region;
    const account = stack.account;
    const ec2Arn = (resource: string, withAccount = true) =>
      `arn:${partition}:ec2:${region}:${withAccount ? '*' : ''}:${resource}`;
    const clusterTag = `kubernetes.io/cluster/${clusterName}`;

    // Node role: the four managed policies Karpenter v1.14's reference template attaches. Least privilege:
    // nodes only pull images, so AmazonEC2ContainerRegistryPullOnly (pull actions only) rather than the
    // older ...ReadOnly, which also lets a node list and describe every repository and image.
    this.nodeRole = new iam.Role(this, 'NodeRole', {
      roleName: props.nodeRoleName,
      description: `Karpenter-launched nodes of EKS cluster ${clusterName}`,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [
        'AmazonEKSWorkerNodePolicy',
        'AmazonEKS_CNI_Policy',
        'AmazonEC2ContainerRegistryPullOnly',
        'AmazonSSMManagedInstanceCore',
      ].map((n) => iam.ManagedPolicy.fromAwsManagedPolicyName(n)),
    });

    // Interruption queue: 300 s retention as upstream, SSE on, TLS enforced.
    this.interruptionQueue = new sqs.Queue(this, 'InterruptionQueue', {
      queueName: clusterName,
      retentionPeriod: Duration.seconds(300),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    for (const e of INTERRUPTION_EVENTS) {
      const rule = new events.Rule(this, e.id, {
        description: `Karpenter interruption handling for ${clusterName}: ${e.detailType}`,
        eventPattern: { source: [e.source], detailType: [e.detailType] },
        targets: [new targets.SqsQueue(this.interruptionQueue)],
      });
      this.interruptionRules.push(rule);
    }

    // Controller role, assumed through EKS Pod Identity (pods.eks.amazonaws.com needs sts:TagSession too). The trust is
    // limited to this account and this cluster (EKS User Guide, "Create IAM role with trust policy required by EKS Pod
    // Identity": `aws:SourceAccount` and `aws:SourceArn` guard against the confused-deputy problem), so a pod identity
    // association of another cluster cannot hand this role out.
    this.controllerRole = new iam.Role(this, 'ControllerRole', {
      description: `Karpenter controller of EKS cluster ${clusterName} (EKS Pod Identity)`,
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
        ArnEquals: { 'aws:SourceArn': `arn:${partition}:eks:${region}:${account}:cluster/${clusterName}` },
      })),
    });

    const nodeLifecycle = new iam.ManagedPolicy(this, 'NodeLifecyclePolicy', {
      description: `Karpenter node lifecycle for ${clusterName}`,
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowScopedEC2InstanceAccessActions',
          actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
          resources: [
            ec2Arn('image/*', false),
            ec2Arn('snapshot/*', false),
            ec2Arn('security-group/*'),
            ec2Arn('subnet/*'),
            ec2Arn('capacity-reservation/*'),
            ec2Arn('placement-group/*'),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'AllowScopedEC2LaunchTemplateAccessActions',
          actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
          resources: [ec2Arn('launch-template/*')],
          conditions: {
            StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
            StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
          },
        }),
        new iam.PolicyStatement({
          sid: 'AllowScopedEC2InstanceActionsWithTags',
          actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
          resources: taggedCreateResources(ec2Arn),
          conditions: {
            StringEquals: {
              [`aws:RequestTag/${clusterTag}`]: 'owned',
              'aws:RequestTag/eks:eks-cluster-name': clusterName,
            },
            StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
          },
        }),
        new iam.PolicyStatement({
          sid: 'AllowScopedResourceCreationTagging',
          actions: ['ec2:CreateTags'],
          resources: taggedCreateResources(ec2Arn),
          conditions: {
            StringEquals: {
              [`aws:RequestTag/${clusterTag}`]: 'owned',
              'aws:RequestTag/eks:eks-cluster-name': clusterName,
              'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
            },
            StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
          },
        }),
        new iam.PolicyStatement({
          sid: 'AllowScopedResourceTagging',
          actions: ['ec2:CreateTags'],
          resources: [ec2Arn('instance/*')],
          conditions: {
            'StringEquals': { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
            'StringLike': { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
            'StringEqualsIfExists': { 'aws:RequestTag/eks:eks-cluster-name': clusterName },
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
          },
        }),
        new iam.PolicyStatement({
          sid: 'AllowScopedDeletion',
          actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
          resources: [ec2Arn('instance/*'), ec2Arn('launch-template/*')],
          conditions: {
            StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
            StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
          },
        }),
      ],
    });

    const instanceProfileArn = `arn:${partition}:iam::${account}:instance-profile/*`;
    const iamIntegration = new iam.ManagedPolicy(this, 'IAMIntegrationPolicy', {
      description: `Karpenter instance-profile management for ${clusterName}`,
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowPassingInstanceRole',
          actions: ['iam:PassRole'],
          resources: [this.nodeRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
        }),
        new iam.PolicyStatement({
          sid: 'AllowScopedInstanceProfileCreationActions',
          actions: ['iam:CreateInstanceProfile'],
          resources: [instanceProfileArn],
          conditions: {
            StringEquals: {
              [`aws:RequestTag/${clusterTag}`]: 'owned',
              'aws:RequestTag/eks:eks-cluster-name': clusterName,
              'aws:RequestTag/topology.kubernetes.io/region': region,
            },
            StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
          },
        }),
        new iam.PolicyStatement({
          sid: 'AllowScopedInstanceProfileTagActions',
          actions: ['iam:TagInstanceProfile'],
          resources: [instanceProfileArn],
          conditions: {
            StringEquals: {
              [`aws:ResourceTag/${clusterTag}`]: 'owned',
              'aws:ResourceTag/topology.kubernetes.io/region': region,
              [`aws:RequestTag/${clusterTag}`]: 'owned',
              'aws:RequestTag/eks:eks-cluster-name': clusterName,
              'aws:RequestTag/topology.kubernetes.io/region': region,
            },
            StringLike: {
              'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*',
              'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*',
            },
          },
        }),
        new iam.PolicyStatement({
          sid: 'AllowScopedInstanceProfileActions',
          actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
          resources: [instanceProfileArn],
          conditions: {
            StringEquals: {
              [`aws:ResourceTag/${clusterTag}`]: 'owned',
              'aws:ResourceTag/topology.kubernetes.io/region': region,
            },
            StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
          },
        }),
      ],
    });

    const eksIntegration = new iam.ManagedPolicy(this, 'EKSIntegrationPolicy', {
      description: `Karpenter API-server endpoint discovery for ${clusterName}`,
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowAPIServerEndpointDiscovery',
          actions: ['eks:DescribeCluster'],
          resources: [`arn:${partition}:eks:${region}:${account}:cluster/${clusterName}`],
        }),
      ],
    });

    const interruption = new iam.ManagedPolicy(this, 'InterruptionPolicy', {
      description: `Karpenter interruption queue access for ${clusterName}`,
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowInterruptionQueueActions',
          actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
          resources: [this.interruptionQueue.queueArn],
        }),
      ],
    });

    const discovery = new iam.ManagedPolicy(this, 'ResourceDiscoveryPolicy', {
      description: `Karpenter resource discovery for ${clusterName}`,
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowRegionalReadActions',
          actions: [
            'ec2:DescribeCapacityReservations',
            'ec2:DescribeImages',
            'ec2:DescribeInstances',
            'ec2:DescribeInstanceStatus',
            'ec2:DescribeInstanceTypeOfferings',
            'ec2:DescribeInstanceTypes',
            'ec2:DescribeLaunchTemplates',
            'ec2:DescribePlacementGroups',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSpotPriceHistory',
            'ec2:DescribeSubnets',
          ],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': region } },
        }),
        new iam.PolicyStatement({
          sid: 'AllowSSMReadActions',
          actions: ['ssm:GetParameter'],
          resources: [`arn:${partition}:ssm:${region}::parameter/aws/service/*`],
        }),
        new iam.PolicyStatement({
          sid: 'AllowPricingReadActions',
          actions: ['pricing:GetProducts'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'AllowUnscopedInstanceProfileListAction',
          actions: ['iam:ListInstanceProfiles'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'AllowInstanceProfileReadActions',
          actions: ['iam:GetInstanceProfile'],
          resources: [instanceProfileArn],
        }),
      ],
    });

    this.controllerPolicies = [nodeLifecycle, iamIntegration, eksIntegration, interruption, discovery];
    for (const p of this.controllerPolicies) {
      this.controllerRole.addManagedPolicy(p);
    }
  }
}

function taggedCreateResources(ec2Arn: (r: string) => string): string[] {
  return ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*', 'launch-template/*', 'spot-instances-request/*']
    .map((r) => ec2Arn(r));
}
