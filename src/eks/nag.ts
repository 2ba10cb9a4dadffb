/**
 * cdk-nag (AwsSolutions pack) acknowledgments for what `GpuEksCluster` must keep, each scoped to the one construct it
 * is about and with the reason on record (aws-cdk-lib `Validations.of(x).acknowledge`, read by cdk-nag 3). Everything
 * else the pack reports is fixed instead: private endpoint, flow logs, restricted default security group, encrypted
 * volumes, TLS-only SQS. test/eks/nag.test.ts runs the pack on examples/eks and requires zero unacknowledged findings.
 *
 * Finding ids are `AwsSolutions::<rule>[<finding>]`, exactly as cdk-nag prints them (aws-cdk-lib matches acknowledgments
 * by exact id, on the construct or an ancestor): a policy ARN or resource with its tokens written `<AWS::Partition>`,
 * `<LogicalId.Arn>`. They are derived here from the resolved policies, so each wildcard is acknowledged by name.
 */
import { CfnCondition, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

const PACK = 'AwsSolutions::AwsSolutions';
const managedPolicy = (name: string) => `${PACK}-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;

function ack(scope: IConstruct | undefined, reason: string, ...ids: string[]): void {
  if (!scope) return;
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** A resolved CloudFormation value written as cdk-nag writes it in finding ids. */
function nagText(v: any): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    if (Array.isArray(v['Fn::Join']) && v['Fn::Join'][0] === '') return (v['Fn::Join'][1] as any[]).map(nagText).join('');
    if (typeof v.Ref === 'string') return `<${v.Ref}>`;
    if (Array.isArray(v['Fn::GetAtt'])) return `<${v['Fn::GetAtt'].join('.')}>`;
  }
  return JSON.stringify(v);
}

/** The IAM5 ids of every wildcard resource of a managed policy. */
function wildcardResourceIds(policy: iam.ManagedPolicy): string[] {
  const doc = Stack.of(policy).resolve(policy.document.toJSON());
  const resources = (doc?.Statement ?? []).flatMap((st: any) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]));
  return [...new Set(resources.map(nagText).filter((r: string) => r.includes('*')))]
    .map((r) => `${PACK}-IAM5[Resource::${r}]`);
}

/** What the acknowledgments are about. @internal */
export interface NagTargets {
  /** The EKS cluster construct (its `Role` and `KubectlProvider` children are aws-cdk-lib's). */
  readonly cluster: IConstruct;
  /** Karpenter's node role. */
  readonly karpenterNodeRole: IConstruct;
  /** Karpenter's controller policies whose wildcards are upstream's, tag-conditioned. */
  readonly karpenterPolicies: iam.ManagedPolicy[];
  /** The interruption queue. */
  readonly interruptionQueue: IConstruct;
  /** The system node group's role. */
  readonly systemNodeRole: IConstruct;
}

/** Records the acknowledgments. @internal */
export function acknowledgeNagFindings(t: NagTargets): void {
  ack(t.cluster.node.tryFindChild('Role'),
    'The EKS cluster role needs AmazonEKSClusterPolicy (EKS User Guide, "Amazon EKS cluster IAM role"); aws-eks-v2 attaches it',
    managedPolicy('AmazonEKSClusterPolicy'));
  const provider = t.cluster.node.tryFindChild('KubectlProvider');
  const handler = provider?.node.tryFindChild('Handler');
  if (provider && handler) {
    const stack = Stack.of(provider);
    const handlerId = stack.getLogicalId(handler.node.defaultChild as CfnElement);
    const ecrPublic = handler.node.children.find((c) => c instanceof CfnCondition) as CfnCondition | undefined;
    const lambdaPolicy = (name: string) => managedPolicy(`service-role/${name}`);
    ack(provider,
      'aws-eks-v2\'s kubectl/helm handler (a CDK-internal custom resource provider): its Lambda runtime, its managed policies (basic '
      + 'and VPC execution, ECR read for the kubectl image layer) and the provider framework\'s invoke permission on the handler\'s '
      + 'versions are set by aws-cdk-lib and cannot be changed from here',
      `${PACK}-L1`,
      lambdaPolicy('AWSLambdaBasicExecutionRole'), lambdaPolicy('AWSLambdaVPCAccessExecutionRole'),
      managedPolicy('AmazonEC2ContainerRegistryReadOnly'),
      `${PACK}-IAM5[Resource::<${handlerId}.Arn>:*]`,
      ...(ecrPublic ? [`${PACK}-IAM4[Policy::${JSON.stringify({
        'Fn::If': [stack.getLogicalId(ecrPublic), {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly']],
        }, { Ref: 'AWS::NoValue' }],
      })}]`] : []));
  }
  ack(t.systemNodeRole,
    'Managed node groups need AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy and an ECR pull policy on the node role (EKS User Guide, '
    + '"Amazon EKS node IAM role"); the pull-only one is used',
    managedPolicy('AmazonEKSWorkerNodePolicy'), managedPolicy('AmazonEKS_CNI_Policy'), managedPolicy('AmazonEC2ContainerRegistryPullOnly'));
  ack(t.karpenterNodeRole,
    'The four policies Karpenter v1.14.1\'s reference CloudFormation attaches to KarpenterNodeRole (node join, VPC CNI, image pull, SSM)',
    managedPolicy('AmazonEKSWorkerNodePolicy'), managedPolicy('AmazonEKS_CNI_Policy'),
    managedPolicy('AmazonEC2ContainerRegistryPullOnly'), managedPolicy('AmazonSSMManagedInstanceCore'));
  for (const policy of t.karpenterPolicies) {
    ack(policy,
      'Karpenter v1.14.1\'s reference controller policy, statement for statement (test/eks/karpenter-reference.test.ts): resource '
      + 'wildcards are ARN-typed and scoped by the kubernetes.io/cluster/<name>, eks:eks-cluster-name and karpenter.sh/nodepool tag '
      + 'conditions; Describe*, pricing:GetProducts and iam:ListInstanceProfiles support no resource-level permissions',
      ...wildcardResourceIds(policy));
  }
  ack(t.interruptionQueue,
    'Karpenter\'s interruption queue (upstream reference has no DLQ): EventBridge notices that Karpenter acts on within the '
    + '300 s retention; a notice that fails is stale by then, a DLQ would only keep obsolete interruption events',
    `${PACK}-SQS3`);
}
