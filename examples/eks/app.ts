/**
 * examples/eks: an EKS GPU cluster with Karpenter (interruption handling included), the NVIDIA GPU Operator,
 * KEDA and kube-prometheus-stack, plus Karpenter GPU pools for p4d, p5 (in a Capacity Block) and g5.
 *
 * Synthesises offline (explicit account, region and Availability Zones; no lookups, no credentials) to
 * examples/eks/cdk.out/:
 *
 *   npx ts-node eks/app.ts                              # in a project of your own (copy llm-serving/ too: imported below)
 *   npx aws-cdk@2 deploy --app 'npx ts-node eks/app.ts'  # with AWS credentials and a bootstrapped account
 *   npm run synth -- eks                                # in this repository (`npm run synth`: every example)
 *
 * Synth takes ~10-20 s: most of it is staging the kubectl/helm Lambda layer asset (~35 MB).
 *
 * The pools name neither the cluster nor the node role: `addChart` binds them to the stack's cluster. The
 * serving app of examples/llm-serving is deployed on top.
 *
 * Secure defaults (src/eks/security.ts): the API server endpoint is private — `kubectl` works from inside the VPC (or a
 * connected network); to reach it from a workstation, add `publicAccessCidrs: ['<your CIDR>']` to the stack props.
 * `npm test` runs cdk-nag's AwsSolutions pack on this app (test/eks/nag.test.ts).
 *
 * The GPU Operator's settings are the same `GpuOperatorProps` a cdk8s `GpuOperator` takes (src/sharing): the stack
 * renders its Helm values from them, so a ClusterPolicy written from the same object says the same thing.
 */
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { build as buildLlmServing } from '../llm-serving/app';
import {
  CapacityReservation, CapacityType, DcgmExporterMode, GpuAmiFamily, GpuEksStack, GpuInstanceType, GpuNodePool,
  GpuOperatorProps, MigStrategy,
} from 'cdk8s-gpu';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

export const app = new App({
  // CDK_OUTDIR: where `cdk synth --output` (or a test) wants the cloud assembly.
  outdir: process.env.CDK_OUTDIR ?? path.join(__dirname, 'cdk.out'),
  // What `cdk.context.json` would cache after a lookup: with it, `cdk synth` never calls AWS.
  context: { [`availability-zones:account=${ACCOUNT}:region=${REGION}`]: ZONES },
});

// The pools below run the EKS-optimized AL2023 NVIDIA AMI (GpuNodePool's default): it ships the driver and the
// container toolkit, so the operator installs neither. Mixed MIG strategy (the library's default, as in AWS's EKS
// MIG guide): MIG slices on the p4d/p5 nodes are requested by name (`nvidia.com/mig-1g.10gb`), whole GPUs stay
// `nvidia.com/gpu`.
// One DCGM exporter per GPU node: the operator's (with its ServiceMonitor), reading the collectors CSV the serving
// app's DcgmMonitoring (mode GPU_OPERATOR) writes into ConfigMap gpu-operator/dcgm-exporter-collectors from what its
// alerts, dashboard and scalers read (docs/monitoring.md).
const gpuOperator: GpuOperatorProps = {
  nodeImage: GpuAmiFamily.AL2023,
  migStrategy: MigStrategy.MIXED,
  dcgmExporterConfig: 'dcgm-exporter-collectors',
};

export const stack = new GpuEksStack(app, 'GpuEksExample', {
  // An explicit environment keeps synth offline: no credentials, no context lookups.
  env: { account: ACCOUNT, region: REGION },
  clusterName: 'gpu-demo',
  availabilityZones: ZONES,
  // A p5 Capacity Block bought for this cluster (placeholder id); the p5 pool below launches into it.
  capacityReservationIds: ['cr-0123456789abcdef0'],
  gpuOperator: { settings: gpuOperator },
});

// The GPU pools, as a cdk8s chart deployed after Karpenter and the add-ons.
const pools = new cdk8s.Chart(new cdk8s.App(), 'gpu-pools');

new GpuNodePool(pools, 'a100', {
  name: 'a100',
  instanceTypes: [GpuInstanceType.P4D_24XLARGE],
  capacityTypes: [CapacityType.ON_DEMAND],
  gpuLimit: 16,
});

new GpuNodePool(pools, 'h100', {
  name: 'h100-reserved',
  instanceTypes: [GpuInstanceType.P5_48XLARGE],
  capacityTypes: [CapacityType.RESERVED],
  capacityReservations: stack.gpuCluster.capacityReservationIds.map((id) => CapacityReservation.capacityBlock(id)),
  gpuLimit: 8,
});

new GpuNodePool(pools, 'a10g', {
  name: 'a10g',
  instanceTypes: [GpuInstanceType.G5_XLARGE, GpuInstanceType.of('g5.2xlarge'), GpuInstanceType.of('g5.12xlarge')],
  capacityTypes: [CapacityType.SPOT, CapacityType.ON_DEMAND],
  gpuLimit: 16,
});

stack.addChart(pools);

// The serving app of examples/llm-serving (Model A on p4d/p5, Model B on g5 + spot, DCGM alerts and dashboard on
// the operator's exporter, KEDA scalers, priorities), deployed after Karpenter and the add-ons whose CRDs it uses. Its EC2NodeClass already
// names this cluster and its node role; addChart checks that they agree.
for (const chart of buildLlmServing(undefined, { dcgmMode: DcgmExporterMode.GPU_OPERATOR }).charts) stack.addChart(chart);

// Synthesised when run (`npx ts-node eks/app.ts`, `npm run synth`, `cdk synth --app …`); a test may load the
// module and read `stack` without writing cdk.out.
if (require.main === module) app.synth();
