import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { GpuConfigError } from '../../src/errors';
import { DEFAULT_SPOT_DISCOUNT, Plan, planGpuWorkloads, WorkloadPlan, planHasErrors, renderPlanHtml, renderPlanText } from '../../src/plan';
import { SourcedManifest, validateManifests } from '../../src/validation';

const FIXTURE = path.join(__dirname, 'fixtures', 'seed-architecture.yaml');

/** Plain manifests from YAML text (the CLI's reader is tested in test/cli; here only the objects matter). */
function yaml(text: string, file: string = 'inline.yaml'): SourcedManifest[] {
  return parseAllDocuments(text).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS();
  }).filter((o) => o && typeof o === 'object').map((object) => ({ object, source: { file } }));
}
function load(file: string = FIXTURE): SourcedManifest[] {
  return yaml(fs.readFileSync(file, 'utf8'), file);
}
const workload = (plan: Plan, name: string) => {
  const w = plan.workloads.find((x) => x.name === name);
  if (!w) throw new Error(`no workload ${name}`);
  return w;
};
/** The rejection group of `w` that names `poolName`. */
const rejection = (w: WorkloadPlan, poolName: string) => w.rejectedBy.find((g) => g.pools.includes(poolName));
/** The pools `w` fits, in the groups' order. */
const fitsPools = (w: WorkloadPlan) => w.fits.flatMap((g) => g.pools);
const pool = (plan: Plan, name: string) => {
  const p = plan.pools.find((x) => x.name === name);
  if (!p) throw new Error(`no pool ${name}`);
  return p;
};

// Catalog on-demand prices (us-east-1, src/catalog/instance-data.ts, source K2 = Karpenter's price table):
const P4D = 21.957642; // p4d.24xlarge, 8 × A100 40 GB, 96 vCPU
const G5_48 = 16.288; // g5.48xlarge, 8 × A10G
const G5_12 = 5.672; // g5.12xlarge, 4 × A10G, 48 vCPU, 192 GiB

describe('the seed architecture (seed 001 pools A/B + spot + KEDA, seed 004 MIG pool and fine-tuning Job)', () => {
  const plan = planGpuWorkloads(load());

  test('shows which workload lands where, and why every other pool is out', () => {
    expect(plan.workloads.map((w) => [w.name, w.pool ?? null, w.instanceType ?? null])).toEqual([
      ['model-a-serving', 'gpu-pool-a', 'p4d.24xlarge'], // cheaper than p5.48xlarge ($55.04)
      ['model-b-serving', 'gpu-pool-b', 'g5.48xlarge'],
      ['batch-embeddings', 'gpu-spot-pool', 'g5.12xlarge'], // cheapest of g5.12/24/48xlarge
      ['llm-inference-server', 'a100-mig-inference', 'p4d.24xlarge'],
      ['model-finetuning', null, null],
    ]);
    const a = workload(plan, 'model-a-serving');
    expect(a.attribution).toBe('the only pool that fits');
    expect(rejection(a, 'gpu-pool-b')?.reason).toBe('nodeSelector model-tier=large matches no node of this pool');
    expect(rejection(a, 'gpu-spot-pool')).toMatchObject({ failedPredicate: 'taints', reason: 'does not tolerate taint karpenter.sh/capacity-type=spot:NoSchedule' });
    expect(rejection(a, 'a100-mig-inference')?.reason).toBe('does not tolerate taint dedicated=gpu:NoSchedule');
    expect(a.fits).toEqual([{ instanceTypes: ['p4d.24xlarge', 'p5.48xlarge'], pools: ['gpu-pool-a'] }]);
    // Spot-only workload: the on-demand pools fail on the capacity-type selector, one group for both.
    expect(rejection(workload(plan, 'batch-embeddings'), 'gpu-pool-b')).toEqual({
      failedPredicate: 'nodeSelector', reason: 'nodeSelector karpenter.sh/capacity-type=spot matches no node of this pool', pools: ['gpu-pool-a', 'gpu-pool-b'],
    });
    // MIG: whole-GPU pools fail on node affinity before the GPU predicate.
    expect(rejection(workload(plan, 'llm-inference-server'), 'gpu-pool-a')?.failedPredicate).toBe('nodeAffinity');
  });

  test('a workload that fits several pools is attributed by weight, and says so', () => {
    const b = workload(plan, 'model-b-serving');
    expect(fitsPools(b)).toEqual(['gpu-pool-b', 'gpu-spot-pool']);
    expect(b.attribution).toContain('highest weight 100');
    expect(b.attribution).toContain('falls back to gpu-spot-pool');
    expect(pool(plan, 'gpu-pool-b').workloads).toEqual(['Deployment inference/model-b-serving']);
    expect(pool(plan, 'gpu-pool-b').onlyHere).toEqual([]);
    expect(pool(plan, 'gpu-spot-pool').workloads).toEqual(['Deployment inference/batch-embeddings']);
  });

  test('flags the deliberately unschedulable Job with the reason per pool, in words', () => {
    const job = workload(plan, 'model-finetuning');
    expect(job.schedulable).toBe(false);
    expect(job.fits).toEqual([]);
    expect(job.problems).toHaveLength(1);
    expect(job.problems[0]).toContain('can never schedule: it fits no NodePool');
    // Pools with the same reason are one group, named together.
    expect(job.problems[0]).toContain('(gpu-pool-a, gpu-pool-b: required node affinity: gpu-type In [a100, h100] matches no node of this pool; ');
    expect(job.problems[0]).toContain('a100-mig-inference: required node affinity: workload-class In [training] matches no node of this pool');
    expect(job.problems[0]).toContain('gpu-spot-pool: does not tolerate taint karpenter.sh/capacity-type=spot:NoSchedule');
    expect(plan.problems.filter((p) => p.severity === 'error').map((p) => p.subject)).toEqual(['Job ml-training/model-finetuning']);
    expect(planHasErrors(plan)).toBe(true);
  });

  test('the plan and the linter (same scheduling model) agree on what can never schedule', () => {
    const lintErrors = validateManifests(load()).filter((f) => f.severity === 'error');
    expect(lintErrors.map((f) => `${f.object.kind} ${f.object.namespace}/${f.object.name}`))
      .toEqual(plan.workloads.filter((w) => !w.schedulable).map((w) => w.label));
  });

  test('replica ranges come from the KEDA scalers (defaults for unset fields), else replicas/parallelism', () => {
    expect(workload(plan, 'model-a-serving').replicas).toEqual({ min: 2, max: 10, source: 'ScaledObject inference/model-a-gpu-scaler' });
    expect(workload(plan, 'model-b-serving').replicas).toEqual({ min: 1, max: 8, source: 'ScaledObject inference/model-b-gpu-scaler' });
    // batch-embeddings-scaler sets only maxReplicaCount: KEDA's minReplicaCount default is 0.
    expect(workload(plan, 'batch-embeddings').replicas).toEqual({ min: 0, max: 6, source: 'ScaledObject inference/batch-embeddings-scaler' });
    expect(workload(plan, 'llm-inference-server').replicas).toEqual({ min: 2, max: 2, source: 'spec.replicas' });
    expect(workload(plan, 'model-finetuning').replicas).toEqual({ min: 1, max: 1, source: 'spec.parallelism' });
  });

  test('GPUs and nodes per pool, against the limits', () => {
    // Pool A: 4 GPUs per replica, 2 replicas per p4d (8 GPUs; 16 of ~95 cpu; 64 of ~1 TiB memory).
    //   min 2 replicas → 1 node (8 GPUs); max 10 → ceil(10/2) = 5 nodes (40 GPUs) ≤ limit 48.
    expect(pool(plan, 'gpu-pool-a')).toMatchObject({ gpus: { min: 8, max: 40 }, nodeGpus: { min: 8, max: 40 }, nodes: { min: 1, max: 5 }, gpuLimit: 48, problems: [] });
    // Pool B: 1 GPU, 4 cpu, 16Gi per replica; g5.48xlarge holds 8 → min 1 and max 8 replicas both need 1 node.
    expect(pool(plan, 'gpu-pool-b')).toMatchObject({ gpus: { min: 1, max: 8 }, nodes: { min: 1, max: 1 }, nodeGpus: { min: 8, max: 8 } });
    // Spot pool: 1 GPU, 8 cpu, 32Gi; a g5.12xlarge has 4 GPUs, ~47.3 cpu and ~173 GiB allocatable → 4 per node (GPU-bound).
    //   min 0 → 0 nodes; max 6 → 4 + 2 = 2 nodes.
    expect(pool(plan, 'gpu-spot-pool')).toMatchObject({ gpus: { min: 0, max: 6 }, nodes: { min: 0, max: 2 }, nodeGpus: { min: 0, max: 8 } });
    // MIG pool: 7 × 1g.5gb per A100 → 56 slices per p4d; 2 replicas → 1 node; 2/7 of a GPU requested.
    const mig = pool(plan, 'a100-mig-inference');
    expect(mig.nodes).toEqual({ min: 1, max: 1 });
    expect(mig.gpus.max).toBeCloseTo(2 / 7, 10);
    expect(plan.totals.nodes).toEqual({ min: 3, max: 9 });
    expect(plan.totals.nodeGpus).toEqual({ min: 24, max: 64 });
  });

  test('hourly cost range matches a hand computation from catalog prices', () => {
    const d = DEFAULT_SPOT_DISCOUNT; // 0.6 → spot = on-demand × 0.4
    expect(d).toBe(0.6);
    // Minimum replicas, each pool at its capacity type:
    //   pool A (on-demand):  1 × p4d.24xlarge  = 21.957642
    //   pool B (on-demand):  1 × g5.48xlarge   = 16.288
    //   spot pool (spot):    0 nodes           =  0
    //   MIG pool (on-demand): 1 × p4d.24xlarge = 21.957642
    //   total = 21.957642 + 16.288 + 0 + 21.957642 = 60.203284
    const handMin = 1 * P4D + 1 * G5_48 + 0 + 1 * P4D;
    expect(handMin).toBeCloseTo(60.203284, 9);
    // Maximum replicas:
    //   pool A: 5 × 21.957642 = 109.78821
    //   pool B: 1 × 16.288    =  16.288
    //   spot:   2 × 5.672 × (1 − 0.6) = 11.344 × 0.4 = 4.5376
    //   MIG:    1 × 21.957642 = 21.957642
    //   total = 109.78821 + 16.288 + 4.5376 + 21.957642 = 152.571452
    const handMax = 5 * P4D + G5_48 + 2 * G5_12 * (1 - d) + P4D;
    expect(handMax).toBeCloseTo(152.571452, 9);
    expect(plan.totals.cost.expected.min).toBeCloseTo(60.203284, 6);
    expect(plan.totals.cost.expected.max).toBeCloseTo(152.571452, 6);
    // All on-demand: the spot pool's 2 × 5.672 = 11.344 at full price → 159.377852; all spot: × 0.4.
    expect(plan.totals.cost.onDemand).toEqual({ min: expect.closeTo(60.203284, 6), max: expect.closeTo(159.377852, 6) });
    expect(plan.totals.cost.spot.max).toBeCloseTo(159.377852 * 0.4, 6);
    expect(pool(plan, 'gpu-spot-pool').pricedAs).toBe('spot');
    expect(pool(plan, 'gpu-pool-a').pricedAs).toBe('on-demand');
    // And the terminal output prints that range.
    expect(renderPlanText(plan)).toContain('Hourly cost: $60.20 at minimum, $152.57 at maximum replicas');
  });

  test('the spot discount is an overridable assumption', () => {
    const p7 = planGpuWorkloads(load(), { spotDiscount: 0.7 });
    // spot pool at max: 2 × 5.672 × 0.3 = 3.4032; the on-demand pools do not move.
    expect(pool(p7, 'gpu-spot-pool').cost.expected.max).toBeCloseTo(3.4032, 9);
    expect(p7.totals.cost.expected.max).toBeCloseTo(152.571452 - 4.5376 + 3.4032, 6);
    expect(p7.assumptions.join(' ')).toContain('(1 − 0.7)');
    for (const bad of [1, -0.1, Number.NaN, 1.5]) {
      expect(() => planGpuWorkloads(load(), { spotDiscount: bad })).toThrow(GpuConfigError);
    }
    expect(() => planGpuWorkloads([], { spotDiscount: 1 })).toThrow(/spotDiscount is 1, not a fraction in \[0, 1\)\. Fix:/);
  });

  test('non-GPU workloads (the DCGM exporter DaemonSet) are not planned', () => {
    expect(plan.workloads.map((w) => w.name)).not.toContain('dcgm-exporter');
  });
});

const POOL = (name: string, types: string[], opts: { limit?: number; weight?: number; capacity?: string[]; label?: string; annotations?: string } = {}) => `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: ${name}
${opts.annotations ? `  annotations: ${opts.annotations}\n` : ''}spec:
  template:
    metadata:
      labels: {tier: ${opts.label ?? name}}
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements:
        - {key: node.kubernetes.io/instance-type, operator: In, values: [${types.join(', ')}]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [${(opts.capacity ?? ['on-demand']).join(', ')}]}
      taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}]
${opts.limit !== undefined ? `  limits: {nvidia.com/gpu: ${opts.limit}}\n` : ''}${opts.weight !== undefined ? `  weight: ${opts.weight}\n` : ''}`;

const DEPLOY = (name: string, gpus: number, opts: { replicas?: number; tiers?: string[]; ns?: string; kind?: string; resource?: string } = {}) => `
apiVersion: apps/v1
kind: ${opts.kind ?? 'Deployment'}
metadata: {name: ${name}, namespace: ${opts.ns ?? 'default'}}
spec:
${opts.replicas !== undefined ? `  replicas: ${opts.replicas}\n` : ''}  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
${opts.tiers ? `      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: tier, operator: In, values: [${opts.tiers.join(', ')}]}]}]}}}\n` : ''}      containers:
        - name: c
          image: x
          resources:
            requests: {${opts.resource ?? 'nvidia.com/gpu'}: ${gpus}, cpu: "1", memory: 4Gi}
            limits: {${opts.resource ?? 'nvidia.com/gpu'}: ${gpus}, memory: 4Gi}
`;

const SCALER = (target: string, min?: number, max?: number, ns: string = 'default') => `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${target}-scaler, namespace: ${ns}}
spec:
  scaleTargetRef: {name: ${target}}
${min !== undefined ? `  minReplicaCount: ${min}\n` : ''}${max !== undefined ? `  maxReplicaCount: ${max}\n` : ''}  triggers: [{type: cpu, metricType: Utilization, metadata: {value: "60"}}]
`;

const docs = (...parts: string[]) => yaml(parts.join('\n---\n'));

describe('capacity against pool limits', () => {
  test('a scaler maximum above the only pool\'s GPU limit can never be reached (error)', () => {
    // 4 GPUs × max 10 = 40 GPUs = 5 p4d nodes; the pool allows 16 GPUs (2 nodes).
    const plan = planGpuWorkloads(docs(POOL('a', ['p4d.24xlarge'], { limit: 16 }), DEPLOY('m', 4), SCALER('m', 1, 10)));
    expect(planHasErrors(plan)).toBe(true);
    const a = pool(plan, 'a');
    // Karpenter launches no node past the limit: 2 nodes (16 GPUs); the other 6 replicas stay Pending.
    expect(a.nodeGpus).toEqual({ min: 8, max: 16 });
    expect(a.problems).toHaveLength(1);
    expect(a.problems[0]).toContain('at maximum replicas its workloads need 5 × p4d.24xlarge = 40 nvidia.com/gpu, above limits.nvidia.com/gpu 16');
    expect(a.problems[0]).toContain('the scalers\' maximum can never be reached');
    expect(workload(plan, 'm').problems[0]).toBe('its maximum of 10 replicas can never be reached: NodePool a is capped at limits.nvidia.com/gpu 16');
    expect(workload(plan, 'm').schedulable).toBe(true);
  });

  test('a time-sliced pool\'s GPU limit counts advertised (sliced) GPUs, as Karpenter counts node capacity', () => {
    // g5.4xlarge (1 × A10G, 16 vCPU) sliced 4 ways advertises 4 nvidia.com/gpu; limit 16 = 4 nodes. 1 slice × max 20 = 5 nodes.
    const sliced = '{cdk8s-gpu.io/advertised-resources-per-gpu: \'{"nvidia.com/gpu": 4}\'}';
    const over = planGpuWorkloads(docs(POOL('ts', ['g5.4xlarge'], { limit: 16, annotations: sliced }), DEPLOY('m', 1), SCALER('m', 1, 20)));
    expect(pool(over, 'ts').problems[0]).toContain('= 20 nvidia.com/gpu, above limits.nvidia.com/gpu 16');
    expect(workload(over, 'm').problems[0]).toBe('its maximum of 20 replicas can never be reached: NodePool ts is capped at limits.nvidia.com/gpu 16');
    // 16 slices fit exactly: 4 nodes × 4 advertised GPUs.
    const within = planGpuWorkloads(docs(POOL('ts', ['g5.4xlarge'], { limit: 16, annotations: sliced }), DEPLOY('m', 1), SCALER('m', 1, 16)));
    expect(pool(within, 'ts').problems).toEqual([]);
  });

  test('a pool\'s problem names the first five workloads that can never reach their maximum and counts the rest', () => {
    // Seven 8-GPU Deployments of 2 replicas on a pool of 8 GPUs: each fits alone (one node), none reaches its maximum.
    const parts = [POOL('a', ['p4d.24xlarge'], { limit: 8 }), ...Array.from({ length: 7 }, (_, i) => DEPLOY(`m${i}`, 8, { replicas: 2 }))];
    const a = pool(planGpuWorkloads(docs(...parts)), 'a');
    expect(a.problems[0]).toMatch(/\(Deployment default\/m0, Deployment default\/m1, Deployment default\/m2, Deployment default\/m3, Deployment default\/m4 and 2 more can land on no other pool\)$/);
  });

  test('limits.nodes: a pool that may launch no node fits nothing, in the plan as in lint (one limitCapacityOf)', () => {
    const noNodes = POOL('a', ['p4d.24xlarge']).replace('\n  template:', '\n  limits: {nodes: 0}\n  template:');
    const manifests = docs(noNodes, DEPLOY('m', 1));
    const plan = planGpuWorkloads(manifests);
    expect(workload(plan, 'm').schedulable).toBe(false);
    expect(workload(plan, 'm').problems.join('\n')).toContain('p4d.24xlarge has 1 nodes, above limits.nodes 0');
    expect(planHasErrors(plan)).toBe(true);
    // One node allowed: it fits, and a second replica's node is over the limit.
    const one = planGpuWorkloads(docs(noNodes.replace('{nodes: 0}', '{nodes: 1}'), DEPLOY('m', 8, { replicas: 2 })));
    expect(workload(one, 'm').schedulable).toBe(true);
    expect(pool(one, 'a').nodes).toEqual({ min: 1, max: 1 });
  });

  test('a pool exactly at its GPU limit is within it: no problem, no note, not drawn as over', () => {
    // 8 GPUs × 2 replicas = 2 p4d.24xlarge = 16 GPUs, limit 16. (A p4d alone is 8 GPUs: its capacity ≤ the limit fits.)
    const plan = planGpuWorkloads(docs(POOL('a', ['p4d.24xlarge'], { limit: 16 }), DEPLOY('m', 8, { replicas: 2 })));
    const a = pool(plan, 'a');
    expect(a.nodeGpus).toEqual({ min: 16, max: 16 });
    expect(a.gpuLimit).toBe(16);
    expect(a.problems).toEqual([]);
    expect(a.notes.filter((n) => /limits/.test(n))).toEqual([]);
    expect(workload(plan, 'm')).toMatchObject({ schedulable: true, pool: 'a', problems: [] });
    expect(planHasErrors(plan)).toBe(false);
    expect(renderPlanHtml(plan)).not.toMatch(/class="max over"|class="sub bad"/);
    // A limit of exactly one node's GPUs: the type still fits the pool (Karpenter launches it), at the limit.
    const one = planGpuWorkloads(docs(POOL('b', ['p4d.24xlarge'], { limit: 8 }), DEPLOY('one', 8)));
    expect(workload(one, 'one')).toMatchObject({ schedulable: true, pool: 'b', instanceType: 'p4d.24xlarge', problems: [] });
    expect(pool(one, 'b').problems).toEqual([]);
    // One GPU less of limit and the second node is never launched: the pool holds one node (its limit is not
    // overrun: Karpenter stops at it) and the replica that does not fit stays Pending, an error.
    const over = planGpuWorkloads(docs(POOL('a', ['p4d.24xlarge'], { limit: 15 }), DEPLOY('m', 8, { replicas: 2 })));
    expect(pool(over, 'a').nodeGpus).toEqual({ min: 8, max: 8 });
    expect(pool(over, 'a').problems.join('\n')).toMatch(/above limits\.nvidia\.com\/gpu 15/);
    expect(planHasErrors(over)).toBe(true);
  });

  test('a minimum above the limit is reported as the minimum', () => {
    const plan = planGpuWorkloads(docs(POOL('a', ['p4d.24xlarge'], { limit: 8 }), DEPLOY('m', 8, { replicas: 2 })));
    expect(pool(plan, 'a').problems[0]).toContain('even the minimum can never be reached');
  });

  test('KEDA\'s default maxReplicaCount (100) counts when unset', () => {
    const plan = planGpuWorkloads(docs(POOL('a', ['g5.xlarge'], { limit: 50 }), DEPLOY('m', 1), SCALER('m')));
    expect(workload(plan, 'm').replicas).toMatchObject({ min: 0, max: 100 });
    // 100 one-GPU nodes wanted; the limit of 50 GPUs stops Karpenter at 50 nodes.
    expect(pool(plan, 'a').nodes).toEqual({ min: 0, max: 50 });
    expect(planHasErrors(plan)).toBe(true);
  });

  test('overflow caused by a workload that fits other pools is a warning: Karpenter falls back', () => {
    const plan = planGpuWorkloads(docs(
      POOL('big', ['g5.48xlarge'], { limit: 8, weight: 100, label: 'small' }),
      POOL('spill', ['g5.48xlarge'], { limit: 64, weight: 10, capacity: ['spot'], label: 'elastic' }),
      DEPLOY('m', 1, { tiers: ['small', 'elastic'] }), SCALER('m', 1, 24)));
    expect(workload(plan, 'm').pool).toBe('big');
    expect(planHasErrors(plan)).toBe(false);
    expect(pool(plan, 'big').notes[0]).toContain('Karpenter falls back to the other pools');
    expect(plan.problems).toEqual([expect.objectContaining({ severity: 'warning', subject: 'NodePool big' })]);
  });

  test('within limits there is no problem and the plan passes', () => {
    const plan = planGpuWorkloads(docs(POOL('a', ['p4d.24xlarge'], { limit: 48 }), DEPLOY('m', 4), SCALER('m', 2, 10)));
    expect(plan.problems).toEqual([]);
    expect(planHasErrors(plan)).toBe(false);
  });
});

describe('replicas', () => {
  test('an HPA gives min/max (minReplicas default 1); a ScaledObject wins over an HPA and the conflict is noted', () => {
    const hpa = (target: string, min?: number) => `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ${target}-hpa, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${target}}
${min !== undefined ? `  minReplicas: ${min}\n` : ''}  maxReplicas: 6
`;
    const plan = planGpuWorkloads(docs(POOL('a', ['g5.xlarge']), DEPLOY('h', 1), hpa('h'), DEPLOY('k', 1), SCALER('k', 2, 3), hpa('k', 1)));
    expect(workload(plan, 'h').replicas).toEqual({ min: 1, max: 6, source: 'HorizontalPodAutoscaler default/h-hpa' });
    expect(workload(plan, 'k').replicas).toEqual({ min: 2, max: 3, source: 'ScaledObject default/k-scaler' });
    expect(workload(plan, 'k').notes[0]).toContain('also scaled by HorizontalPodAutoscaler default/k-hpa: two autoscalers on one workload fight');
  });

  test('a scaler in another namespace or for another kind does not apply', () => {
    const plan = planGpuWorkloads(docs(POOL('a', ['g5.xlarge']), DEPLOY('m', 1, { replicas: 3 }), SCALER('m', 5, 9, 'other')));
    expect(workload(plan, 'm').replicas).toEqual({ min: 3, max: 3, source: 'spec.replicas' });
  });

  test('a GPU DaemonSet is placed but not counted in capacity', () => {
    const plan = planGpuWorkloads(docs(POOL('a', ['g5.xlarge']), DEPLOY('d', 1, { kind: 'DaemonSet' })));
    const d = workload(plan, 'd');
    expect(d.replicas).toBeUndefined();
    expect(d.pool).toBe('a');
    expect(d.notes[0]).toContain('DaemonSet');
    expect(pool(plan, 'a').nodes).toEqual({ min: 0, max: 0 });
  });
});

describe('quotas', () => {
  const quota = (hard: string) => `
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpu-quota, namespace: team}
spec:
  hard: {${hard}}
`;
  test('a quota below one replica\'s GPUs makes the workload unschedulable (GPU202\'s words)', () => {
    const plan = planGpuWorkloads(docs(POOL('a', ['p4d.24xlarge']), DEPLOY('m', 4, { ns: 'team' }), quota('requests.nvidia.com/gpu: "2"')));
    const m = workload(plan, 'm');
    expect(m.schedulable).toBe(false);
    expect(m.pool).toBe('a'); // a pool fits; the quota refuses the pod
    expect(m.problems[0]).toMatch(/^can never schedule: one pod needs requests\.nvidia\.com\/gpu 4, but ResourceQuota gpu-quota in namespace team allows 2/);
    expect(pool(plan, 'a').nodes).toEqual({ min: 0, max: 0 }); // not counted
    expect(planHasErrors(plan)).toBe(true);
  });

  test('a quota below max replicas × GPUs makes the maximum unreachable', () => {
    const plan = planGpuWorkloads(docs(POOL('a', ['p4d.24xlarge']), DEPLOY('m', 4, { ns: 'team' }), SCALER('m', 1, 6, 'team'),
      quota('requests.nvidia.com/gpu: "16"')));
    const m = workload(plan, 'm');
    expect(m.schedulable).toBe(true);
    expect(m.problems).toEqual([
      'its maximum of 6 replicas can never be reached: ResourceQuota gpu-quota allows requests.nvidia.com/gpu 16 in namespace team, room for at most 4 replicas of 4 each',
    ]);
    expect(planHasErrors(plan)).toBe(true);
  });
});

describe('prices and instance types', () => {
  test('the cheapest fitting type is chosen per replica', () => {
    // 1 GPU fits every g5 size; g5.xlarge ($1.006) is the cheapest.
    const plan = planGpuWorkloads(docs(POOL('a', ['g5.48xlarge', 'g5.xlarge', 'g5.12xlarge']), DEPLOY('m', 1, { replicas: 3 })));
    expect(workload(plan, 'm').instanceType).toBe('g5.xlarge');
    expect(pool(plan, 'a').nodes).toEqual({ min: 3, max: 3 });
    expect(pool(plan, 'a').cost.onDemand.max).toBeCloseTo(3 * 1.006, 9);
  });

  test('a type without a public price (p5e.48xlarge) is said so, not priced as 0 silently', () => {
    const plan = planGpuWorkloads(docs(POOL('h200', ['p5e.48xlarge']), DEPLOY('m', 8, { replicas: 2 })));
    const p = pool(plan, 'h200');
    expect(p.nodesByType).toEqual([{ instanceType: 'p5e.48xlarge', gpusPerNode: 8, min: 2, max: 2 }]);
    expect(p.unpricedTypes).toEqual(['p5e.48xlarge']);
    expect(plan.totals.unpricedTypes).toEqual(['p5e.48xlarge']);
    expect(p.notes[0]).toContain('p5e.48xlarge has no public on-demand price');
    expect(renderPlanText(plan)).toContain('no public price for p5e.48xlarge');
  });

  test('a pool that allows both spot and on-demand is priced at spot (Karpenter prefers spot)', () => {
    const plan = planGpuWorkloads(docs(POOL('a', ['g5.xlarge'], { capacity: ['on-demand', 'spot'] }), DEPLOY('m', 1)));
    expect(pool(plan, 'a').pricedAs).toBe('spot');
    expect(pool(plan, 'a').cost.expected.max).toBeCloseTo(1.006 * 0.4, 9);
  });

  test('MIG slices pack by the advertised count (7 × 1g.5gb per A100)', () => {
    const plan = planGpuWorkloads(docs(
      POOL('mig', ['p4d.24xlarge'], { annotations: '{cdk8s-gpu.io/advertised-resources-per-gpu: \'{"nvidia.com/mig-1g.5gb": 7}\'}' }),
      DEPLOY('m', 1, { replicas: 57, resource: 'nvidia.com/mig-1g.5gb' })));
    // 56 slices per node → 57 replicas need 2 nodes (cpu 57 × 1 and memory 57 × 4Gi fit easily).
    expect(pool(plan, 'mig').nodes).toEqual({ min: 2, max: 2 });
    expect(pool(plan, 'mig').gpus.max).toBeCloseTo(57 / 7, 9);
  });

  test('no NodePool at all: every GPU workload can never schedule', () => {
    const plan = planGpuWorkloads(docs(DEPLOY('m', 1)));
    expect(workload(plan, 'm').problems).toEqual(['can never schedule: no Karpenter NodePool in the input']);
    expect(planHasErrors(plan)).toBe(true);
  });
});

describe('LimitRange default requests (LimitRanger gives them to containers that set no cpu or memory)', () => {
  const LIMIT_RANGE = (ns: string, item: string) => `
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: ${ns}}
spec:
  limits:
    - ${item}
`;
  const BARE = (name: string, ns: string, resources = '{limits: {nvidia.com/gpu: 1}}') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
      containers:
        - {name: c, image: x, resources: ${resources}}
        - {name: sidecar, image: y}
`;
  const g6 = POOL('g6', ['g6.xlarge', 'g6.12xlarge'], { limit: 16 });

  test('a container without cpu or memory counts its namespace\'s default request: both containers, so each replica needs 2 × 64 GiB and a g6.12xlarge', () => {
    const plan = planGpuWorkloads(docs(g6, LIMIT_RANGE('ml', '{type: Container, default: {cpu: "4", memory: 64Gi}}'), BARE('llm', 'ml')));
    const w = workload(plan, 'llm');
    expect([w.cpuPerReplica, w.memoryBytesPerReplica]).toEqual([8, 128 * 2 ** 30]);
    expect(w.fits[0].instanceTypes).toEqual(['g6.12xlarge']);
    expect(plan.assumptions[0]).toContain('LimitRange default request');
    // The plan says where the figures come from.
    expect(w.notes).toEqual(['containers that set no cpu or memory count the default request of their namespace\'s LimitRange (cpu 4, memory 64Gi), '
      + 'as LimitRanger gives it']);
    expect(renderPlanText(plan)).toContain('LimitRange (cpu 4, memory 64Gi)');
    // Without the LimitRange, or with it in another namespace, the pods ask for nothing and take g6.xlarge nodes.
    for (const objs of [docs(g6, BARE('llm', 'ml')), docs(g6, LIMIT_RANGE('other', '{type: Container, default: {cpu: "4", memory: 64Gi}}'), BARE('llm', 'ml'))]) {
      const bare = workload(planGpuWorkloads(objs), 'llm');
      expect([bare.cpuPerReplica, bare.memoryBytesPerReplica, bare.fits[0].instanceTypes]).toEqual([0, 0, ['g6.xlarge', 'g6.12xlarge']]);
      expect(bare.notes).toEqual([]);
    }
  });

  test('defaultRequest before default; a container\'s own request or limit wins, per resource', () => {
    const lr = LIMIT_RANGE('ml', '{type: Container, default: {cpu: "4", memory: 64Gi}, defaultRequest: {cpu: "1", memory: 2Gi}}');
    const w = workload(planGpuWorkloads(docs(g6, lr, BARE('llm', 'ml', '{limits: {nvidia.com/gpu: 1, memory: 8Gi}}'))), 'llm');
    // c: cpu 1 (default request), memory 8Gi (its limit); sidecar: cpu 1, memory 2Gi.
    expect([w.cpuPerReplica, w.memoryBytesPerReplica]).toEqual([2, 10 * 2 ** 30]);
    expect(w.notes).toEqual([expect.stringContaining('(cpu 1, memory 2Gi)')]);
    // Every container sets its own: no default is taken, nothing to say.
    const own = workload(planGpuWorkloads(docs(g6, lr, DEPLOY('m', 1, { ns: 'ml' }))), 'm');
    expect(own.notes).toEqual([]);
  });
});

describe('replicas that keep one pod per node take a node each (kube-scheduler\'s InterPodAffinity and NodePorts, as Karpenter simulates them)', () => {
  const spread = (name: string, how: 'antiAffinity' | 'hostPort' | 'hostNetwork' | 'none') => {
    const doc = parseAllDocuments(DEPLOY(name, 1, { replicas: 4 }))[0].toJS();
    const spec = doc.spec.template.spec;
    if (how === 'antiAffinity') {
      spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: name } }, topologyKey: 'kubernetes.io/hostname' }] } };
    }
    if (how === 'hostPort') spec.containers[0].ports = [{ containerPort: 8000, hostPort: 8000 }];
    if (how === 'hostNetwork') { spec.hostNetwork = true; spec.containers[0].ports = [{ containerPort: 8000 }]; }
    return { object: doc };
  };
  const p4d = yaml(POOL('a', ['p4d.24xlarge']))[0];

  test.each(['antiAffinity', 'hostPort', 'hostNetwork'] as const)('%s: 4 one-GPU replicas take 4 p4d nodes, not 1', (how) => {
    expect(pool(planGpuWorkloads([p4d, spread('m', 'none')]), 'a').nodes).toEqual({ min: 1, max: 1 });
    expect(pool(planGpuWorkloads([p4d, spread('m', how)]), 'a').nodes).toEqual({ min: 4, max: 4 });
  });

  test('two such workloads share the nodes: each keeps its own pods apart, not the other\'s', () => {
    expect(pool(planGpuWorkloads([p4d, spread('m', 'antiAffinity'), spread('n', 'hostPort')]), 'a').nodes).toEqual({ min: 4, max: 4 });
  });

  test('within a GPU limit: the limit buys two nodes, so two replicas run and the minimum of 4 is never reached', () => {
    const limited = yaml(POOL('a', ['p4d.24xlarge'], { limit: 16 }))[0];
    const plan = planGpuWorkloads([limited, spread('m', 'antiAffinity')]);
    expect(pool(plan, 'a').nodes).toEqual({ min: 2, max: 2 });
    expect(workload(plan, 'm').problems).toEqual(['its minimum of 4 replicas can never be reached: NodePool a is capped at limits.nvidia.com/gpu 16']);
  });
});
