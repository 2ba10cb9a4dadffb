/**
 * examples/multi-tenant: one GPU cluster shared by three teams — serving, training and notebooks — each in its own
 * namespace with GPU/MIG quotas, least-privilege RBAC and the inference > training > experiments priorities (seed 004).
 *
 * Synthesises offline to examples/multi-tenant/dist/*.k8s.yaml:
 *
 *   npx ts-node examples/multi-tenant/app.ts       # or `npm run synth` for every example
 *
 * What it shows, mapped to seed 004 ("K8s AI 워크로드 1편"):
 * - GPU nodes are always tainted (`nvidia.com/gpu` and `dedicated=gpu`) and labelled `node-type`, `gpu-type`,
 *   `gpu-memory`, `workload-class`; every workload gets the tolerations and required affinity of its pools.
 * - Sharing through the NVIDIA GPU Operator (ClusterPolicy): A100 nodes split into MIG slices (`1g.5gb` × 7, hardware
 *   isolation for production serving) by the MIG manager; T4 notebook nodes time-sliced ×4 (soft sharing for
 *   development); Karpenter learns the shared capacity through NodeOverlays.
 * - Namespaces per team (ml-serving, ml-training, ml-notebook) with a ResourceQuota on `nvidia.com/gpu` and MIG
 *   slices, a LimitRange, a ServiceAccount without token automount and a Role that may only `get` named objects.
 * - PriorityClasses inference-critical > training-normal > experiment-low; unlike the seed, experiment-low is not the
 *   cluster's globalDefault (that would lift every unclassed pod of the cluster to it).
 */
import * as path from 'path';
import { App, Chart, Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuInstanceType, MigGpu } from '../../src/catalog';
import { CapacityType, GpuNodeClass, GpuNodePool, NodeTaint, TaintEffect } from '../../src/pools';
import {
  DevicePluginConfig, GpuOperator, MigConfig, MigLayout, MigStrategy,
} from '../../src/sharing';
import { GpuValidation, SUPPRESS_ANNOTATION } from '../../src/validation';
import { GpuRequest, InferenceDeployment, TieredPriorities, TrainingJob } from '../../src/workloads';

/** The cluster the node class discovers subnets and security groups of. */
export const CLUSTER_NAME = 'gpu-demo';

/** The seed's second taint: `dedicated=gpu:NoSchedule` on every GPU node, besides `nvidia.com/gpu`. */
const DEDICATED_GPU: NodeTaint = { key: 'dedicated', value: 'gpu', effect: TaintEffect.NO_SCHEDULE };

/** The seed's node label scheme. */
function nodeLabels(gpuType: string, gpuMemory: string, workloadClass: string): Record<string, string> {
  return { 'node-type': 'gpu', 'gpu-type': gpuType, 'gpu-memory': gpuMemory, 'workload-class': workloadClass };
}

/** The multi-tenant chart: pools, priorities, teams and one workload per team. */
export class MultiTenantChart extends Chart {
  public readonly priorities: TieredPriorities;
  public readonly migPool: GpuNodePool;
  public readonly trainingPool: GpuNodePool;
  public readonly notebookPool: GpuNodePool;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const nodeClass = new GpuNodeClass(this, 'nodeclass', {
      name: 'gpu-shared',
      role: `KarpenterNodeRole-${CLUSTER_NAME}`,
      clusterName: CLUSTER_NAME,
      volume: { size: Size.gibibytes(300) },
    });

    // Production serving on A100 MIG slices (p4d: 8 × A100 40 GB, each split into 7 × 1g.5gb).
    this.migPool = new GpuNodePool(this, 'a100-mig', {
      name: 'a100-mig-inference',
      instanceTypes: [GpuInstanceType.P4D_24XLARGE],
      capacityType: CapacityType.ON_DEMAND,
      taints: [DEDICATED_GPU],
      labels: nodeLabels('a100', '40gb', 'inference'),
      gpuLimit: 16,
      nodeClass,
    });
    // Training on A100/H100 whole GPUs.
    this.trainingPool = new GpuNodePool(this, 'training', {
      name: 'a100-h100-training',
      instanceTypes: [GpuInstanceType.P4D_24XLARGE, GpuInstanceType.P5_48XLARGE],
      capacityType: CapacityType.ON_DEMAND,
      taints: [DEDICATED_GPU],
      labels: nodeLabels('a100-h100', '40gb-80gb', 'training'),
      gpuLimit: 32,
      nodeClass,
    });
    // Notebooks on T4 (g4dn), time-sliced.
    this.notebookPool = new GpuNodePool(this, 'notebook-pool', {
      name: 't4-notebook',
      instanceTypes: [GpuInstanceType.G4DN_XLARGE, GpuInstanceType.G4DN_2XLARGE, GpuInstanceType.G4DN_12XLARGE],
      capacityType: CapacityType.ON_DEMAND,
      taints: [DEDICATED_GPU],
      labels: nodeLabels('t4', '16gb', 'notebook'),
      gpuLimit: 8,
      consolidateAfter: Duration.minutes(10),
      nodeClass,
    });

    // Sharing, as the seed configures the GPU Operator: MIG on the A100 serving nodes (the seed's inference-7,
    // 1g.5gb × 7, on every GPU: the seed's config left GPUs 4-7 of a p4d unconfigured), time-slicing (×4) on the T4
    // notebook nodes, and the ClusterPolicy that ties both to the device plugin and the MIG manager.
    const mig = new MigConfig(this, 'mig-config', { name: 'mig-config' });
    mig.addLayout('inference-7', MigLayout.fromCounts(MigGpu.A100_40GB, { '1g.5gb': 7 }));
    mig.applyTo(this.migPool, 'inference-7');
    const timeSlicing = new DevicePluginConfig(this, 'time-slicing', { name: 'time-slicing-config', migStrategy: MigStrategy.MIXED });
    timeSlicing.addTimeSlicing('t4-x4', { replicas: 4 });
    timeSlicing.applyTo(this.notebookPool, 't4-x4');
    new GpuOperator(this, 'gpu-operator', { migStrategy: MigStrategy.MIXED, migConfig: mig, devicePluginConfig: timeSlicing });

    this.priorities = new TieredPriorities(this, 'priorities');
    const serving = this.priorities.addTeam('platform', {
      namespace: 'ml-serving',
      labels: { env: 'production' },
      migQuotas: [{ profile: '1g.5gb', count: 28 }],
      serviceAccountName: 'inference-server',
      readableConfigMaps: ['model-config'],
      readableSecrets: ['hf-token'],
    });
    const training = this.priorities.addTeam('ml-research', {
      namespace: 'ml-training',
      labels: { env: 'production' },
      gpuQuota: 16,
      maxGpusPerContainer: 8,
    });
    const notebooks = this.priorities.addTeam('notebooks', {
      namespace: 'ml-notebook',
      labels: { env: 'development' },
      gpuQuota: 4,
      maxGpusPerContainer: 1,
    });

    new InferenceDeployment(this, 'llm-inference', {
      name: 'llm-inference-server',
      team: serving,
      pools: [this.migPool],
      gpus: GpuRequest.mig('1g.5gb'),
      vllm: { model: 'Qwen/Qwen2.5-1.5B-Instruct', maxModelLen: 4096, hfTokenSecret: { secretName: 'hf-token', key: 'token' } },
      replicas: 2,
      priority: this.priorities.inference,
    });

    const finetune = new TrainingJob(this, 'finetune', {
      name: 'model-finetuning',
      team: training,
      pools: [this.trainingPool],
      gpus: GpuRequest.whole(4),
      image: 'pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime',
      command: ['torchrun', '--nproc-per-node=4', 'train.py'],
      priority: this.priorities.training,
      checkpoint: { claimName: 'finetune-checkpoints', mountPath: '/checkpoints' },
    });
    // The seed lets training land on A100 or H100 ("학습은 고성능 GPU만"): the job is sized for 4 × 40 GB, so the
    // "pins no GPU model" warning is suppressed with the reason on record.
    finetune.workload.podMetadata.addAnnotation(SUPPRESS_ANNOTATION, 'GPU006=sized for 4 x A100 40GB; H100 is welcome too');

    new InferenceDeployment(this, 'notebook-llm', {
      name: 'notebook-llm',
      team: notebooks,
      pools: [this.notebookPool],
      gpus: GpuRequest.whole(1),
      vllm: { model: 'Qwen/Qwen2.5-0.5B-Instruct', maxModelLen: 4096 },
      replicas: 1,
      priority: this.priorities.experiments,
    });
  }
}

/** Builds the app; `outdir` defaults to examples/multi-tenant/dist. */
export function build(outdir: string = path.join(__dirname, 'dist')): App {
  const app = new App({ outdir });
  const chart = new MultiTenantChart(app, 'multi-tenant');
  GpuValidation.addTo(chart);
  return app;
}

if (require.main === module) build().synth();
