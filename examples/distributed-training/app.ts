/**
 * examples/distributed-training: fine-tuning on two p5.48xlarge nodes (2 × 8 H100) bought as an EC2 Capacity Block,
 * over EFA, in a cluster placement group, on `GpuEksStack` (seed 002: training pods on GPUs joined by fast
 * interconnects; seed 003: a multi-worker torchrun job).
 *
 *   npx ts-node distributed-training/app.ts   # in a project of your own with cdk8s-gpu installed: dist/*.k8s.yaml, cdk.out/
 *   npm run synth -- distributed-training     # in this repository (`npm run synth`: every example)
 *
 * What it shows:
 * - `GpuEksStack` with `efa: {}`: a cluster placement group, the AWS EFA Kubernetes device plugin (pinned chart) and
 *   the node security group open to itself, as EFA requires; the Capacity Block's id is the cluster's.
 * - A p5.48xlarge pool that only buys the reserved capacity (`CapacityType.RESERVED`, a Capacity Block of 2
 *   instances), with `efa: true` (its EC2NodeClass attaches the 32 EFA devices of a p5.48xlarge as `efa-only`
 *   interfaces, which take no subnet addresses) and `PlacementGroupSelector.ofEksStack()` (the stack fills in the
 *   placement group's name).
 * - `TrainingJob` with `nodes: 2`: an Indexed Job of two ranks (one per node, 8 GPUs and 32 EFA interfaces each), a
 *   headless Service for the ranks' DNS names, the torchrun environment (`MASTER_ADDR`, `NODE_RANK`, …), a pod failure
 *   policy that ignores node disruptions and fails fast on usage errors, and a checkpoint volume. Asking for a third
 *   node would be refused at synth: the Capacity Block holds two.
 * - A weekly retraining CronJob carrying the same kind of pod (`schedule`): Forbid concurrency, so a late run never
 *   overlaps the previous one.
 * - Both jobs in one Kueue queue (`GpuClusterQueue` on the block's pool, quota 16 GPUs and their 64 EFA interfaces):
 *   Kueue admits a gang whole, so a weekly run that fires during the fine-tune waits in the queue instead of taking one
 *   of the two nodes and waiting for the other (rule GPU225). `GpuEksStack` installs Kueue.
 *
 * The PersistentVolumeClaims `checkpoints` and `datasets` must exist in the namespace, ReadWriteMany (every rank
 * mounts them), e.g. on FSx for Lustre or EFS; they are not created here because their storage class is the
 * cluster's choice. A Capacity Block's instances are already placed close together; the placement group keeps that
 * true for capacity outside the block (see the report of issue 17 on launching Capacity Blocks into a placement group).
 */
import * as path from 'path';
import { App as CdkApp } from 'aws-cdk-lib';
import { App, Chart, Cron, Duration } from 'cdk8s';
import {
  CapacityReservation, CapacityType, GpuClusterQueue, GpuEksStack, GpuInstanceType, GpuLocalQueue, GpuNodePool, GpuResourceFlavor,
  GpuValidation, PlacementGroupSelector, TrainingJob,
} from 'cdk8s-gpu';

/** The EKS cluster (also the `karpenter.sh/discovery` tag its node classes select). */
export const CLUSTER_NAME = 'gpu-training';
/** The Capacity Block (placeholder id): 2 × p5.48xlarge. */
export const CAPACITY_BLOCK_ID = 'cr-0123456789abcdef0';
const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/**
 * The pools and the training jobs, as cdk8s charts. `placementGroup` is `ofEksStack()` when the charts are deployed by
 * `GpuEksStack.addChart`, else a group created outside (`aws ec2 create-placement-group --strategy cluster`).
 */
export function build(outdir: string = path.join(__dirname, 'dist'), placementGroup = PlacementGroupSelector.byName('gpu-training-cluster')): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'distributed-training');
  GpuValidation.addTo(chart);

  const h100 = new GpuNodePool(chart, 'h100', {
    name: 'h100-capacity-block',
    instanceTypes: [GpuInstanceType.P5_48XLARGE],
    capacityTypes: [CapacityType.RESERVED],
    capacityReservations: [CapacityReservation.capacityBlock(CAPACITY_BLOCK_ID, new Date('2026-12-19T11:30:00Z'), 2)],
    maxNodes: 2,
    efa: true,
    nodeClassProps: {
      name: 'p5-efa',
      // Bound by GpuEksStack.addChart; set here for the cdk8s-only path (kubectl apply of dist/).
      role: `KarpenterNodeRole-${CLUSTER_NAME}`,
      clusterName: CLUSTER_NAME,
      placementGroup,
      tags: { Workload: 'llm-finetune' },
    },
  });

  // Kueue admits each gang whole, within the Capacity Block's 16 GPUs: a weekly run that fires while the fine-tune is
  // still on waits in the queue, instead of taking one of the two nodes and waiting for the other (rule GPU225).
  const flavor = new GpuResourceFlavor(chart, 'flavor-h100', { pool: h100 });
  // The block's two nodes: 16 GPUs, and their 64 EFA interfaces (the GPUs' share of the pool's, by default), which the
  // ranks request and Kueue must cover to admit them (rule GPU509).
  const clusterQueue = new GpuClusterQueue(chart, 'queue-training', { name: 'training', quotas: [{ flavor, gpus: 16 }] });
  const queue = new GpuLocalQueue(chart, 'queue', { clusterQueue, namespace: 'training' });

  new TrainingJob(chart, 'finetune', {
    name: 'llm-finetune',
    queue,
    namespace: 'training',
    pools: [h100],
    nodes: 2,
    image: 'nvcr.io/nvidia/pytorch:24.07-py3',
    command: ['torchrun'],
    args: ['/workspace/finetune.py', '--config', '/data/finetune.yaml'],
    checkpoint: { claimName: 'checkpoints', mountPath: '/checkpoints' },
    volumes: [{ claimName: 'datasets', mountPath: '/data', readOnly: true }],
    // The Capacity Block's window bounds the run anyway; fail well before it ends so the last checkpoint is kept.
    activeDeadline: Duration.hours(20),
    env: { NCCL_DEBUG: 'WARN' },
  });

  new TrainingJob(chart, 'weekly', {
    name: 'llm-retrain-weekly',
    queue,
    namespace: 'training',
    pools: [h100],
    nodes: 2,
    image: 'nvcr.io/nvidia/pytorch:24.07-py3',
    command: ['torchrun'],
    args: ['/workspace/finetune.py', '--config', '/data/retrain.yaml', '--resume'],
    checkpoint: { claimName: 'checkpoints', mountPath: '/checkpoints' },
    volumes: [{ claimName: 'datasets', mountPath: '/data', readOnly: true }],
    schedule: Cron.schedule({ minute: '0', hour: '2', weekDay: 'SUN' }),
    timeZone: 'Asia/Seoul',
    activeDeadline: Duration.hours(20),
  });
  return app;
}

/** The EKS stack with EFA, and the charts deployed on it (not synthesised). */
export function buildStack(outdir = path.join(__dirname, 'cdk.out')): { app: CdkApp; stack: GpuEksStack } {
  const app = new CdkApp({ outdir, context: { [`availability-zones:account=${ACCOUNT}:region=${REGION}`]: ZONES } });
  const stack = new GpuEksStack(app, 'GpuTrainingExample', {
    env: { account: ACCOUNT, region: REGION },
    clusterName: CLUSTER_NAME,
    availabilityZones: ZONES,
    capacityReservationIds: [CAPACITY_BLOCK_ID],
    efa: {},
  });
  const charts = build(undefined, PlacementGroupSelector.ofEksStack()).charts;
  for (const chart of charts) stack.addChart(chart);
  return { app, stack };
}

if (require.main === module) {
  build().synth();
  buildStack().app.synth();
}
