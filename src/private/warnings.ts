/**
 * Construction-time warnings (internal): the things a construct can only warn about while it is built (a spot pool
 * with one instance type, a start-up taint nothing removes, …), each with a rule id of its own (GPU800–GPU819), so
 * they print in the one format of every finding and `docs/rules.md` documents them beside the rules.
 *
 * The one format, for a synth-time finding and a construction-time warning alike:
 *
 *     [cdk8s-gpu] <severity> <rule id> <object> <field>: <what is wrong>  Fix: <how to fix it>
 *
 * where `<object>` is `apiVersion Kind namespace/name` for a manifest (with ` (at <construct path>)` after the fix),
 * and `ConstructClass construct/path` for a construct.
 *
 * Suppression: a construction-time warning fires while the construct is built, before any annotation can be put on
 * what it emits, so the annotation that suppresses a rule on one object cannot reach it. The same key, set as
 * construct context on any enclosing scope (set while that scope has no children yet), suppresses it with its reason:
 * `chart.node.setContext('cdk8s-gpu.io/suppress.GPU800', '<reason>')`. A suppressed warning is not printed; it is
 * still recorded on the construct (metadata `cdk8s-gpu/warning`), with its reason.
 */
import { IConstruct } from 'constructs';

/** Metadata type under which every construction-time warning is recorded on its construct. */
export const WARNING_METADATA = 'cdk8s-gpu/warning';

/** Prefix of the context key (and annotation key) that suppresses one rule: `cdk8s-gpu.io/suppress.GPU800`. */
const SUPPRESS_PREFIX = 'cdk8s-gpu.io/suppress.';

/** A construction-time warning: documented in docs/rules.md beside the rules. */
export interface ConstructWarning {
  /** Rule id, `GPU8xx`. */
  readonly id: string;
  /** What must hold, as a rule's title. */
  readonly title: string;
  /** The constructs that raise it. */
  readonly constructs: readonly string[];
  /** How to fix it, in general. */
  readonly remediation: string;
  /** Why it matters, with its upstream source. */
  readonly description: string;
  /**
   * How to silence it, when not by construct context (the aws-cdk stack's warnings are aws-cdk annotations).
   * @default - the context key `cdk8s-gpu.io/suppress.<id>` on an enclosing scope
   */
  readonly suppression?: string;
}

/** `SpotGpuPool` with fewer instance types than Karpenter needs to find spot capacity. */
export const SPOT_FEW_TYPES: ConstructWarning = {
  id: 'GPU800',
  title: 'A spot GPU pool should allow at least 3 instance types',
  constructs: ['SpotGpuPool'],
  remediation: 'allow at least 3 instance types (more families or sizes), or set onDemandFallback',
  description: 'Karpenter launches spot with the price-capacity-optimized strategy over the instance types a NodePool '
    + 'allows; with one or two types a spot capacity shortage in the zone leaves pods Pending (Karpenter docs, '
    + '"NodePools: spot", and the AWS spot best practice "be flexible about instance types and Availability Zones").',
};

/** A start-up taint, which something on the node must remove. */
export const STARTUP_TAINT: ConstructWarning = {
  id: 'GPU801',
  title: 'A start-up taint must be removed by an agent on the node',
  constructs: ['GpuNodePool'],
  remediation: 'run a DaemonSet (or other agent) that tolerates the taint and removes it once the node is ready, or drop the start-up taint',
  description: 'Karpenter v1 `startupTaints` are expected to be removed by something on the node; Karpenter does not '
    + 'remove them, a node keeping one never counts as initialised, and Karpenter keeps launching nodes for the pending '
    + 'pods (Karpenter docs, "NodePools: spec.template.spec.startupTaints").',
};

/** Disruption budgets that leave times (or reasons) with no budget at all. */
export const NO_ALWAYS_ON_BUDGET: ConstructWarning = {
  id: 'GPU802',
  title: 'A pool with disruption budgets should have one that always applies',
  constructs: ['GpuNodePool', 'SpotGpuPool', 'TieredGpuCapacity'],
  remediation: 'add an always-on budget such as DisruptionBudgets.atMost(\'10%\')',
  description: 'A Karpenter v1 budget with a schedule applies only inside its window, and one with reasons only to '
    + 'those reasons; outside them no budget holds, and Karpenter may disrupt every node of the pool at once '
    + '(Karpenter docs, "Disruption: Disruption Budgets").',
};

/** `replicas` on a workload whose count a KEDA scaler owns. */
export const REPLICAS_WITH_SCALER: ConstructWarning = {
  id: 'GPU803',
  title: 'A workload scaled by a KedaGpuScaler should not set its own replica count',
  constructs: ['KedaGpuScaler (on the target workload)'],
  remediation: 'leave replicas out (or set it to minReplicas) and size the workload with the scaler\'s minReplicas and maxReplicas',
  description: 'KEDA creates a HorizontalPodAutoscaler for a ScaledObject, and the HPA owns the target\'s scale '
    + 'subresource: a `spec.replicas` in the manifest is reset by every apply and then scaled again by the HPA (KEDA '
    + 'docs, "Scaling Deployments"; Kubernetes docs, "Horizontal Pod Autoscaling: migrating Deployments"). '
    + 'cdk8s-plus workloads and InferenceDeployment leave `spec.replicas` out, so the given count is ignored; an '
    + 'ApiObject keeps it, so it fights the HPA.',
};

/** A job whose deadline reaches past the drain of a Capacity Block it may run on. */
export const CAPACITY_BLOCK_ENDS: ConstructWarning = {
  id: 'GPU804',
  title: 'A job on a Capacity Block pool should finish before Karpenter drains the block',
  constructs: ['TrainingJob'],
  remediation: 'shorten activeDeadline, checkpoint before the drain, or run the job on a pool without the block',
  description: 'EC2 begins terminating the instances of a Capacity Block 30 minutes before its end, and Karpenter '
    + 'drains them 10 minutes before that (EC2 User Guide, "Capacity Blocks for ML"; karpenter-provider-aws '
    + '`designs/capacity-block-support.md`): a job started at `startsAt` whose `activeDeadline` reaches past that '
    + 'point can be evicted before it finishes.',
};

const EKS_SUPPRESSION = (ack: string) => 'an aws-cdk annotation: acknowledge it with '
  + `\`Annotations.of(stack).acknowledgeWarning('${ack}', '<reason>')\``;

/** `natGateways` above the number of Availability Zones. */
export const NAT_GATEWAYS_CAPPED: ConstructWarning = {
  id: 'GPU810',
  title: 'natGateways should not exceed the VPC\'s Availability Zones',
  constructs: ['GpuEksStack', 'GpuEksCluster'],
  remediation: 'set natGateways to at most the number of Availability Zones (one per zone is the most that helps)',
  description: 'aws-cdk\'s Vpc creates at most one NAT gateway per public subnet, i.e. per Availability Zone, so a '
    + 'larger natGateways is silently capped (aws-cdk-lib `ec2.Vpc`, `natGateways`).',
  suppression: EKS_SUPPRESSION('cdk8s-gpu:natGatewaysCapped'),
};

/** An imported private subnet the stack cannot tag for Karpenter's discovery. */
export const UNTAGGED_SUBNET: ConstructWarning = {
  id: 'GPU811',
  title: 'Imported private subnets must carry the Karpenter discovery tag',
  constructs: ['GpuEksStack', 'GpuEksCluster'],
  remediation: 'tag each imported private subnet with karpenter.sh/discovery=<cluster name>',
  description: 'The EC2NodeClasses select subnets by the tag `karpenter.sh/discovery`; aws-cdk cannot tag a subnet it '
    + 'imported, and without the tag Karpenter finds no subnet and launches no node (Karpenter docs, '
    + '"NodeClasses: spec.subnetSelectorTerms").',
  suppression: EKS_SUPPRESSION('cdk8s-gpu:untaggedSubnet'),
};

/** The public API endpoint open to the whole internet. */
export const WORLD_OPEN_ENDPOINT: ConstructWarning = {
  id: 'GPU812',
  title: 'The public API server endpoint should not be open to 0.0.0.0/0',
  constructs: ['GpuEksStack', 'GpuEksCluster'],
  remediation: 'list only the CIDR blocks that need the public endpoint in publicAccessCidrs, or keep the endpoint private',
  description: 'With 0.0.0.0/0 every address on the internet can reach the API server and try to authenticate '
    + '(EKS User Guide, "Cluster API server endpoint"; CIS Amazon EKS Benchmark 5.4.2).',
  suppression: EKS_SUPPRESSION('cdk8s-gpu:worldOpenEndpoint'),
};

/** An imported nodeVolumeKey, whose key policy the stack cannot change. */
export const IMPORTED_NODE_VOLUME_KEY: ConstructWarning = {
  id: 'GPU813',
  title: 'An imported nodeVolumeKey must let Auto Scaling use it',
  constructs: ['GpuEksStack', 'GpuEksCluster'],
  remediation: 'allow the role AWSServiceRoleForAutoScaling to use the key and create grants for AWS resources in its key policy',
  description: 'EBS volumes encrypted with a customer managed key are created by the Auto Scaling service-linked role '
    + 'for a node group; without a grant the instances fail to launch (EC2 Auto Scaling User Guide, "Required AWS KMS '
    + 'key policy for use with encrypted volumes").',
  suppression: EKS_SUPPRESSION('cdk8s-gpu:importedNodeVolumeKey'),
};

/** An EC2NodeClass encrypting with a KMS key the Karpenter controller was not granted. */
export const NODE_VOLUME_KEY_NOT_GRANTED: ConstructWarning = {
  id: 'GPU814',
  title: 'An EC2NodeClass that encrypts volumes with a KMS key needs that key as nodeVolumeKey',
  constructs: ['GpuEksStack', 'GpuEksCluster'],
  remediation: 'pass the key as nodeVolumeKey (the stack then grants the Karpenter controller its use through EC2)',
  description: 'Karpenter launches nodes with the controller role; a volume encrypted with a key that role may not use '
    + 'fails the launch (Karpenter docs, "NodeClasses: spec.blockDeviceMappings", kmsKeyID).',
  suppression: EKS_SUPPRESSION('cdk8s-gpu:nodeVolumeKeyNotGranted'),
};

/** An EC2NodeClass encrypting with a key other than nodeVolumeKey. */
export const NODE_VOLUME_KEY_MISMATCH: ConstructWarning = {
  id: 'GPU815',
  title: 'An EC2NodeClass should encrypt volumes with the stack\'s nodeVolumeKey',
  constructs: ['GpuEksStack', 'GpuEksCluster'],
  remediation: 'use nodeVolumeKey as the EC2NodeClass volume key, or grant the Karpenter controller the other key yourself',
  description: 'The stack grants the Karpenter controller only nodeVolumeKey; another key in an EC2NodeClass fails '
    + 'the launch unless its policy allows the controller (Karpenter docs, "NodeClasses: spec.blockDeviceMappings").',
  suppression: EKS_SUPPRESSION('cdk8s-gpu:nodeVolumeKeyMismatch'),
};

/** Every construction-time warning, by id. */
export const CONSTRUCT_WARNINGS: readonly ConstructWarning[] = [
  SPOT_FEW_TYPES, STARTUP_TAINT, NO_ALWAYS_ON_BUDGET, REPLICAS_WITH_SCALER, CAPACITY_BLOCK_ENDS,
  NAT_GATEWAYS_CAPPED, UNTAGGED_SUBNET, WORLD_OPEN_ENDPOINT, IMPORTED_NODE_VOLUME_KEY, NODE_VOLUME_KEY_NOT_GRANTED,
  NODE_VOLUME_KEY_MISMATCH,
];

const oneLine = (s: string) => String(s ?? '').replace(/\s*\n\s*/g, ' ').trim();

/** The construct's class name, e.g. `SpotGpuPool`. */
function classOf(scope: IConstruct): string {
  const name = Object.getPrototypeOf(scope)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'Construct';
}

/**
 * One line in the one format, without the `[cdk8s-gpu] ` prefix:
 * `warning GPU800 SpotGpuPool serving/spot instanceTypes: <message>  Fix: <fix>`.
 */
export function formatConstructWarning(warning: ConstructWarning, scope: IConstruct, property: string, message: string,
  fix?: string): string {
  const path = scope.node.path || scope.node.id || '<root>';
  return `warning ${warning.id} ${classOf(scope)} ${path} ${property}: ${oneLine(message)}  Fix: ${oneLine(fix ?? warning.remediation)}`;
}

/** The reason the warning is suppressed on `scope` (construct context `cdk8s-gpu.io/suppress.<id>`), if it is. */
export function suppressedBy(scope: IConstruct, id: string): string | undefined {
  let reason: unknown;
  try {
    reason = scope.node.tryGetContext(`${SUPPRESS_PREFIX}${id}`);
  } catch {
    reason = undefined;
  }
  return typeof reason === 'string' && reason.trim() !== '' ? reason.trim() : undefined;
}

/**
 * Records a construction-time warning on `scope` (metadata `cdk8s-gpu/warning`, the formatted line) and prints it as
 * `[cdk8s-gpu] warning GPU8xx …` unless the enclosing scopes suppress it with a reason.
 * @returns the formatted line (without the `[cdk8s-gpu] ` prefix)
 */
export function warnConstruct(scope: IConstruct, warning: ConstructWarning, property: string, message: string,
  fix?: string): string {
  const line = formatConstructWarning(warning, scope, property, message, fix);
  const reason = suppressedBy(scope, warning.id);
  scope.node.addMetadata(WARNING_METADATA, reason === undefined ? line : `${line}  (suppressed: ${reason})`);
  // eslint-disable-next-line no-console
  if (reason === undefined) console.warn(`[cdk8s-gpu] ${line}`);
  return line;
}
