/**
 * examples/llm-serving: two vLLM models — Model A on p4d/p5, Model B on g5 bursting into an elastic spot pool —
 * with DCGM monitoring, KEDA GPU-utilisation scalers and serving-first priorities (the architecture of seed 001).
 *
 * Synthesises offline to examples/llm-serving/dist/*.k8s.yaml:
 *
 *   npx ts-node llm-serving/app.ts     # in a project of your own with cdk8s-gpu installed (README.md "Start a new project")
 *   npm run synth -- llm-serving       # in this repository (`npm run synth`: every example)
 *
 * What it shows, mapped to the seed ("GPU 클러스터 동적 리소스 관리"):
 * - "GPU Node Pool A" (p4d.24xlarge + p5.48xlarge, on-demand) serves Model A, a 70B-class model that needs
 *   A100/H100 memory; "GPU Node Pool B" (g5.48xlarge) serves Model B, a 7B-class model.
 * - "Elastic Pool": a spot pool of g5.12xlarge/24xlarge/48xlarge (the seed's `gpu-spot-pool`) that Model B may
 *   burst into; its pods tolerate the spot taint and drain within the two-minute interruption notice.
 * - DCGM monitoring (exporter, ServiceMonitor, GPU alerts) and KEDA scalers on GPU utilisation with the seed's
 *   behaviour (min 2 / max 10 for Model A, scale up at 70 %, 60 s cooldown, fallback to 3 replicas).
 * - Priorities: serving is never preempted by training or experiments (seed 004's policy, shared by both seeds).
 * - The seed's consolidation (`WhenEmptyOrUnderutilized`) with a business-hours disruption budget; but not the
 *   seed's `consolidateAfter: 30s`, which churns GPU nodes that take minutes to start (5 minutes instead).
 */
import * as path from 'path';
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  CapacityType, ConsolidationPolicy, DcgmExporterMode, DcgmMonitoring, DisruptionBudgets, GpuInstanceType, GpuNodeClass,
  GpuNodePool, GpuRequest, GpuScaleTarget, GpuScalingTrigger, GpuValidation, InferenceDeployment, KedaGpuScaler, ModelCache,
  PodSecurity, PodSecurityLevel, ScalingProfile, SpotGpuPool, TieredPriorities,
} from 'cdk8s-gpu';

/** The cluster the pools' EC2NodeClass discovers subnets and security groups of (tag `karpenter.sh/discovery`). */
export const CLUSTER_NAME = 'gpu-demo';
/** Namespace of the serving workloads (the seed's `inference`). */
export const NAMESPACE = 'inference';

/** Karpenter node pools: Pool A (p4d/p5), Pool B (g5) and the elastic spot pool, sharing one EC2NodeClass. */
export class ServingPools extends Construct {
  public readonly poolA: GpuNodePool;
  public readonly poolB: GpuNodePool;
  public readonly elastic: SpotGpuPool;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const nodeClass = new GpuNodeClass(this, 'gpu-nodeclass', {
      name: 'gpu-nodeclass',
      role: `KarpenterNodeRole-${CLUSTER_NAME}`,
      clusterName: CLUSTER_NAME,
      volume: { size: Size.gibibytes(500), iops: 10000, throughputMiBps: 500 },
      tags: { Environment: 'production', Workload: 'genai-inference' },
    });
    const disruption = {
      consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
      consolidateAfter: Duration.minutes(5),
      budgets: [DisruptionBudgets.atMost('20%'), DisruptionBudgets.businessHours({ duration: Duration.hours(8) })],
    };
    this.poolA = new GpuNodePool(this, 'pool-a', {
      name: 'gpu-pool-a',
      instanceTypes: [GpuInstanceType.P4D_24XLARGE, GpuInstanceType.P5_48XLARGE],
      capacityType: CapacityType.ON_DEMAND,
      labels: { 'node-type': 'gpu-inference', 'workload': 'genai', 'example.com/model-tier': 'large' },
      gpuLimit: 48,
      weight: 100,
      nodeClass,
      ...disruption,
    });
    this.poolB = new GpuNodePool(this, 'pool-b', {
      name: 'gpu-pool-b',
      instanceTypes: [GpuInstanceType.G5_48XLARGE],
      capacityType: CapacityType.ON_DEMAND,
      labels: { 'node-type': 'gpu-inference', 'workload': 'genai', 'example.com/model-tier': 'small' },
      gpuLimit: 16,
      weight: 100,
      nodeClass,
      ...disruption,
    });
    this.elastic = new SpotGpuPool(this, 'elastic', {
      name: 'gpu-spot-pool',
      instanceTypes: [GpuInstanceType.G5_12XLARGE, GpuInstanceType.G5_24XLARGE, GpuInstanceType.G5_48XLARGE],
      labels: { 'node-type': 'gpu-inference', 'workload': 'genai', 'example.com/model-tier': 'elastic' },
      gpuLimit: 32,
      weight: 50,
      nodeClass,
    });
  }
}

/** Options of the serving chart. */
export interface ServingChartOptions {
  /**
   * Who runs the DCGM exporter: this chart (a cdk8s-only app) or the GPU Operator (examples/eks, whose stack runs
   * the operator's exporter and points it at this chart's collectors ConfigMap).
   * @default DcgmExporterMode.OWN_EXPORTER
   */
  readonly dcgmMode?: DcgmExporterMode;
}

/** The serving chart: priorities, Model A and Model B. */
export class ServingChart extends Chart {
  public readonly pools: ServingPools;
  public readonly priorities: TieredPriorities;
  public readonly modelA: InferenceDeployment;
  public readonly modelB: InferenceDeployment;
  public readonly monitoring: DcgmMonitoring;
  public readonly scalerA: KedaGpuScaler;
  public readonly scalerB: KedaGpuScaler;

  constructor(scope: Construct, id: string, options: ServingChartOptions = {}) {
    super(scope, id);
    this.pools = new ServingPools(this, 'pools');
    this.priorities = new TieredPriorities(this, 'priorities');
    // The serving pods pass the `restricted` Pod Security Standard: enforce it.
    new kplus.Namespace(this, 'namespace', {
      metadata: { name: NAMESPACE, labels: PodSecurity.labels({ enforce: PodSecurityLevel.RESTRICTED }) },
    });

    // Model A: a 32B-class model (13B-70B in the seed's sizing table), tensor-parallel over 4 A100/H100 GPUs
    // (two replicas per p4d/p5 node).
    this.modelA = new InferenceDeployment(this, 'model-a', {
      name: 'model-a-serving',
      namespace: NAMESPACE,
      pools: [this.pools.poolA],
      gpus: GpuRequest.whole(4),
      vllm: {
        model: 'Qwen/Qwen2.5-32B-Instruct',
        maxModelLen: 8192,
        gpuMemoryUtilization: 0.9,
        hfTokenSecret: { secretName: 'hf-token', key: 'token' },
      },
      replicas: 2,
      priority: this.priorities.inference,
      preferGpuMemoryGiB: 40,
      // The weights (about 66 GB in bf16) download into a node-local cache: bounded, it is also requested as
      // ephemeral storage, so each pod lands where the disk holds it (rule GPU203 checks the EC2NodeClass).
      modelCache: ModelCache.emptyDir(Size.gibibytes(100)),
    });
    // Pool A mixes A100 40 GB and H100 80 GB on purpose (the seed's Pool A); the model fits in 4 × 40 GB, so the
    // "pins no GPU model" warning is suppressed for this workload, with the reason on record.
    this.modelA.deployment.podMetadata.addAnnotation('cdk8s-gpu.io/suppress',
      'GPU006=fits 4 x A100 40GB; pool A mixes p4d and p5 by design');

    // Model B: a 7B-class model on one A10G, bursting into the elastic spot pool.
    this.modelB = new InferenceDeployment(this, 'model-b', {
      name: 'model-b-serving',
      namespace: NAMESPACE,
      pools: [this.pools.poolB, this.pools.elastic],
      gpus: GpuRequest.whole(1),
      vllm: {
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        maxModelLen: 8192,
        hfTokenSecret: { secretName: 'hf-token', key: 'token' },
      },
      // No replicas: the KedaGpuScaler below owns the count (floor 1). The PDB allows one eviction: a budget keeping a
      // single pod up would stop Karpenter from ever draining its node (GPU224), as these pools set no terminationGracePeriod.
      priority: this.priorities.inference,
      terminationGracePeriod: SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD,
    });

    // One DCGM exporter per GPU node: this chart's, on every GPU node of the three pools, scraped by the Prometheus
    // operator — or, on the EKS stack, the GPU Operator's, reading this chart's collectors CSV. GPU alerts either way.
    // The namespace is made by DcgmMonitoring at the Pod Security level it needs (privileged with its own exporter,
    // which mounts a host path; restricted when it holds only rules and the dashboard), the reason in an annotation.
    this.monitoring = options.dcgmMode === DcgmExporterMode.GPU_OPERATOR
      ? new DcgmMonitoring(this, 'dcgm', { namespace: 'gpu-monitoring', createNamespace: true, mode: DcgmExporterMode.GPU_OPERATOR })
      : new DcgmMonitoring(this, 'dcgm', {
        namespace: 'gpu-monitoring',
        createNamespace: true,
        pools: [this.pools.poolA, this.pools.poolB, this.pools.elastic],
      });

    // KEDA on DCGM GPU utilisation with the seed's real-time behaviour (scale up at 70 %, down below 30 %,
    // 60 s cooldown, 3 replicas while Prometheus is unreachable). Model B keeps a floor of 1 for its SLA.
    const seedScaling = {
      profile: ScalingProfile.REAL_TIME,
      triggers: [GpuScalingTrigger.gpuUtilization()],
      fallbackReplicas: 3,
      fallbackFailureThreshold: 3,
      pollingInterval: Duration.seconds(15),
    };
    this.scalerA = new KedaGpuScaler(this, 'model-a-scaler', {
      name: 'model-a-gpu-scaler',
      target: GpuScaleTarget.fromInferenceDeployment(this.modelA),
      minReplicas: 2,
      maxReplicas: 10,
      ...seedScaling,
    });
    // Model B also scales on vLLM's queue (vllm:num_requests_waiting, scraped by the InferenceDeployment's
    // ServiceMonitor): a backlog adds replicas before the GPUs look busy.
    this.scalerB = new KedaGpuScaler(this, 'model-b-scaler', {
      name: 'model-b-gpu-scaler',
      target: GpuScaleTarget.fromInferenceDeployment(this.modelB),
      minReplicas: 1,
      maxReplicas: 10,
      ...seedScaling,
      triggers: [GpuScalingTrigger.gpuUtilization(), GpuScalingTrigger.vllmQueueDepth({ waitingPerReplica: 5 })],
    });
  }
}

/** Builds the app; `outdir` defaults to examples/llm-serving/dist. */
export function build(outdir: string = path.join(__dirname, 'dist'), options: ServingChartOptions = {}): App {
  const app = new App({ outdir });
  const chart = new ServingChart(app, 'llm-serving', options);
  GpuValidation.addTo(chart);
  return app;
}

if (require.main === module) build().synth();
