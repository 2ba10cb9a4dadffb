/**
 * examples/multi-tenant: one GPU cluster shared by three teams — serving, training and notebooks — each in its own
 * namespace with GPU/MIG quotas, least-privilege RBAC and the inference > training > experiments priorities (seed 004).
 *
 * Synthesises offline to examples/multi-tenant/dist/*.k8s.yaml:
 *
 *   npx ts-node multi-tenant/app.ts    # in a project of your own with cdk8s-gpu installed (README.md "Start a new project")
 *   npm run synth -- multi-tenant      # in this repository (`npm run synth`: every example)
 *
 * What it shows, mapped to seed 004 ("K8s AI 워크로드 1편"):
 * - GPU nodes are always tainted (`nvidia.com/gpu` and `dedicated=gpu`) and labelled `node-type`, `gpu-type`,
 *   `gpu-memory`, `workload-class`; every workload gets the tolerations and required affinity of its pools.
 * - Sharing through the NVIDIA GPU Operator (ClusterPolicy): A100 nodes split into MIG slices (`1g.5gb` × 7, hardware
 *   isolation for production serving) by the MIG manager; T4 notebook nodes time-sliced ×4 (soft sharing for
 *   development); Karpenter learns the shared capacity through NodeOverlays. Unlike the seed, the operator's node
 *   agents tolerate the `dedicated=gpu` taint too: without it the device plugin never runs on the GPU nodes.
 * - Namespaces per team (ml-serving, ml-training, ml-notebook) with a ResourceQuota on `nvidia.com/gpu` and MIG
 *   slices, a LimitRange, a ServiceAccount without token automount and a Role that may only `get` named objects.
 * - Each team namespace enforces the `restricted` Pod Security Standard and denies ingress from other namespaces
 *   (NetworkPolicies), except Prometheus on the metrics port and, for serving, the ingress gateway on vLLM's port.
 * - PriorityClasses inference-critical > training-normal > experiment-low; unlike the seed, experiment-low is not the
 *   cluster's globalDefault (that would lift every unclassed pod of the cluster to it).
 * - Kueue queues per team (seed 002's "queues by priority, user group and GPU type"): one ResourceFlavor per pool, a
 *   ClusterQueue and LocalQueue per team, WorkloadPriorityClasses mirroring the tiers. Training and notebooks share
 *   the cohort `gpu-tiers`: the notebooks tier owns 8 GPUs of the training pool that it lends while idle, and the
 *   training queue may borrow them (then up to 16 + 8 GPUs); when experiments come back Kueue reclaims the GPUs by
 *   preempting the borrower (`reclaimWithinCohort: Any`). The fine-tuning Job is created suspended and started by
 *   Kueue on admission. Every flavor's nominal GPU quota stays within its pool's limit (rule GPU500).
 */
import * as path from 'path';
import { App, Chart, Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CapacityType, DevicePluginConfig, GpuClusterQueue, GpuInstanceType, GpuNodeClass, GpuNodePool, GpuOperator, GpuOperatorSettings,
  GpuRequest, GpuResourceFlavor, GpuValidation, GpuWorkloadPriorities, InferenceDeployment, MigConfig, MigGpu, MigLayout,
  MigStrategy, NodeTaint, TaintEffect, TieredPriorities, TrainingJob,
} from 'cdk8s-gpu';

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
    // The operator's node agents (device plugin, MIG manager, DCGM exporter…) must tolerate every taint of the GPU nodes,
    // `dedicated=gpu` included, or they never run there and the nodes never advertise their GPUs (rule GPU107). The
    // defaults cover the GPU taint and the spot taint of any SpotGpuPool added later.
    new GpuOperator(this, 'gpu-operator', {
      migStrategy: MigStrategy.MIXED,
      migConfig: mig,
      devicePluginConfig: timeSlicing,
      tolerations: [...GpuOperatorSettings.defaultTolerations(), { key: DEDICATED_GPU.key, operator: 'Exists', effect: 'NoSchedule' }],
    });

    this.priorities = new TieredPriorities(this, 'priorities');
    const serving = this.priorities.addTeam('platform', {
      namespace: 'ml-serving',
      labels: { env: 'production' },
      migQuotas: [{ profile: '1g.5gb', count: 28 }],
      serviceAccountName: 'inference-server',
      readableConfigMaps: ['model-config'],
      readableSecrets: ['hf-token'],
      // Default-deny ingress (every team gets it); the serving team's vLLM port is open to the ingress gateway too.
      networkPolicy: { gatewayNamespace: 'ingress-nginx' },
    });
    const training = this.priorities.addTeam('ml-research', {
      namespace: 'ml-training',
      labels: { env: 'production' },
      // The namespace's hard cap must leave room for what Kueue may admit: 16 nominal + 8 borrowed GPUs. A lower
      // ResourceQuota would refuse the pods of a job Kueue admitted on borrowed quota.
      gpuQuota: 24,
      maxGpusPerContainer: 8,
    });
    const notebooks = this.priorities.addTeam('notebooks', {
      namespace: 'ml-notebook',
      labels: { env: 'development' },
      // 4 T4 GPUs plus the tier's 8 GPUs of the training pool (its Kueue quota): a lower namespace quota would refuse
      // the pods of experiments Kueue admitted there (rule GPU508).
      gpuQuota: 12,
      maxGpusPerContainer: 1,
    });

    // Kueue: a flavor per pool, a queue per team. Serving has its own queue outside the cohort: nobody borrows its
    // MIG slices and it never waits for a borrower to give GPUs back.
    const workloadPriorities = new GpuWorkloadPriorities(this, 'workload-priorities', { priorities: this.priorities });
    const migFlavor = new GpuResourceFlavor(this, 'flavor-a100-mig', { pool: this.migPool });
    const trainingFlavor = new GpuResourceFlavor(this, 'flavor-training', { pool: this.trainingPool });
    const t4Flavor = new GpuResourceFlavor(this, 'flavor-t4', { pool: this.notebookPool });
    const servingQueue = new GpuClusterQueue(this, 'queue-serving', {
      name: 'serving',
      priorities: workloadPriorities,
      quotas: [{ flavor: migFlavor, migSlices: [{ profile: '1g.5gb', count: 28 }] }],
    }).addLocalQueue(serving);
    const trainingQueue = new GpuClusterQueue(this, 'queue-training', {
      name: 'training',
      cohort: 'gpu-tiers',
      priorities: workloadPriorities,
      quotas: [{ flavor: trainingFlavor, gpus: 16, gpuBorrowingLimit: 8 }],
    }).addLocalQueue(training);
    const notebookQueue = new GpuClusterQueue(this, 'queue-notebooks', {
      name: 'notebooks',
      cohort: 'gpu-tiers',
      priorities: workloadPriorities,
      quotas: [
        { flavor: t4Flavor, gpus: 4, gpuBorrowingLimit: 0 },
        // The experiments tier's share of the training pool: idle most of the time, so all of it is lendable; the
        // tier itself never borrows.
        { flavor: trainingFlavor, gpus: 8, gpuLendingLimit: 8, gpuBorrowingLimit: 0 },
      ],
    }).addLocalQueue(notebooks);

    new InferenceDeployment(this, 'llm-inference', {
      name: 'llm-inference-server',
      team: serving,
      pools: [this.migPool],
      gpus: GpuRequest.mig('1g.5gb'),
      vllm: { model: 'Qwen/Qwen2.5-1.5B-Instruct', maxModelLen: 4096, hfTokenSecret: { secretName: 'hf-token', key: 'token' } },
      replicas: 2,
      priority: this.priorities.inference,
      queue: servingQueue,
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
      queue: trainingQueue,
    });
    // The seed lets training land on A100 or H100 ("학습은 고성능 GPU만"): the job is sized for 4 × 40 GB, so the
    // "pins no GPU model" warning is suppressed with the reason on record.
    finetune.workload.podMetadata.addAnnotation('cdk8s-gpu.io/suppress', 'GPU006=sized for 4 x A100 40GB; H100 is welcome too');

    new InferenceDeployment(this, 'notebook-llm', {
      name: 'notebook-llm',
      team: notebooks,
      pools: [this.notebookPool],
      gpus: GpuRequest.whole(1),
      vllm: { model: 'Qwen/Qwen2.5-0.5B-Instruct', maxModelLen: 4096 },
      replicas: 1,
      priority: this.priorities.experiments,
      queue: notebookQueue,
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
