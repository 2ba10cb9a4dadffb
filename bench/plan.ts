/**
 * Benchmark of `cdk8s-gpu plan`'s model: planGpuWorkloads over 1,000 generated GPU workloads (Deployments with KEDA
 * ScaledObjects up to 100 replicas, StatefulSets, Jobs, some MIG) and 20 Karpenter NodePools. Budget: well under
 * a second.
 *
 * Run: npx ts-node --transpile-only --project test/tsconfig.json bench/plan.ts [workloads] [nodePools]
 * Not a test: it prints the median of 5 runs after one warm-up, and exits 1 when the median exceeds 1 s.
 */
import { performance } from 'perf_hooks';
import { planGpuWorkloads } from '../src/plan';
import { SourcedManifest } from '../src/validation';
import { rng } from './lib/rng';

const WORKLOADS = Number(process.argv[2] ?? 1_000);
const POOLS = Number(process.argv[3] ?? 20);
const RUNS = 5;
const BUDGET_MS = 1000;


const INSTANCE_SETS = [['g5.xlarge', 'g5.2xlarge', 'g5.12xlarge', 'g5.48xlarge'], ['p4d.24xlarge'], ['p5.48xlarge', 'p5.4xlarge'],
  ['g6.xlarge', 'g6.12xlarge', 'g6.48xlarge'], ['g6e.xlarge', 'g6e.12xlarge']];
const TIERS = ['a', 'b', 'c', 'd', 'e'];

function nodePool(i: number, r: () => number): any {
  const mig = i % 10 === 9;
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: {
      name: `pool-${i}`,
      ...(mig ? { annotations: { 'cdk8s-gpu.dev/advertised-resources-per-gpu': '{"nvidia.com/mig-1g.10gb": 7}' } } : {}),
    },
    spec: {
      template: {
        metadata: { labels: { tier: TIERS[i % TIERS.length] } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' },
          requirements: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: mig ? ['p4d.24xlarge'] : INSTANCE_SETS[i % INSTANCE_SETS.length] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: r() < 0.5 ? ['on-demand'] : ['spot', 'on-demand'] },
          ],
          taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
        },
      },
      limits: { 'nvidia.com/gpu': 8 * (4 + Math.floor(r() * 60)) },
      weight: Math.floor(r() * 100),
    },
  };
}

function workload(i: number, r: () => number): SourcedManifest[] {
  const ns = `team-${i % 25}`;
  const name = `w-${i}`;
  const kind = r() < 0.8 ? 'Deployment' : r() < 0.5 ? 'StatefulSet' : 'Job';
  const mig = r() < 0.1;
  const gpus = mig ? 1 : [1, 1, 2, 4, 8][Math.floor(r() * 5)];
  const resource = mig ? 'nvidia.com/mig-1g.10gb' : 'nvidia.com/gpu';
  const tiers = TIERS.filter(() => r() < 0.4);
  const podSpec = {
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    ...(tiers.length > 0 ? {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: tiers }] }] } } },
    } : {}),
    containers: [{
      name: 'c',
      image: 'vllm/vllm-openai',
      resources: {
        requests: { [resource]: gpus, cpu: String(1 + Math.floor(r() * 16)), memory: `${4 * (1 + Math.floor(r() * 16))}Gi` },
        limits: { [resource]: gpus },
      },
    }],
  };
  const template = { metadata: { labels: { app: name } }, spec: kind === 'Job' ? { ...podSpec, restartPolicy: 'Never' } : podSpec };
  const spec = kind === 'Job' ? { parallelism: 1 + Math.floor(r() * 4), template }
    : { replicas: 1 + Math.floor(r() * 3), selector: { matchLabels: { app: name } }, template, ...(kind === 'StatefulSet' ? { serviceName: name } : {}) };
  const out: SourcedManifest[] = [{ object: { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: { name, namespace: ns }, spec } }];
  if (kind === 'Deployment' && r() < 0.6) {
    out.push({
      object: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: `${name}-scaler`, namespace: ns },
        spec: {
          scaleTargetRef: { name },
          minReplicaCount: Math.floor(r() * 3),
          ...(r() < 0.8 ? { maxReplicaCount: 2 + Math.floor(r() * 40) } : {}), // else KEDA's default 100
          triggers: [{ type: 'prometheus', metadata: { serverAddress: 'http://prometheus:9090', query: 'x', threshold: '1' } }],
        },
      },
    });
  }
  return out;
}

function generate(): SourcedManifest[] {
  const r = rng(42);
  const out: SourcedManifest[] = [];
  for (let i = 0; i < POOLS; i++) out.push({ object: nodePool(i, r) });
  for (let i = 0; i < WORKLOADS; i++) out.push(...workload(i, r));
  return out;
}

const manifests = generate();
planGpuWorkloads(manifests); // warm-up
const times: number[] = [];
let last;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  last = planGpuWorkloads(manifests);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)];
console.log(`plan: ${WORKLOADS} workloads, ${POOLS} NodePools, ${manifests.length} objects`);
console.log(`  planned ${last!.workloads.length} GPU workloads (${last!.workloads.filter((w) => !w.schedulable).length} unschedulable), `
  + `${last!.totals.nodes.max} nodes at max, $${last!.totals.cost.expected.max.toFixed(2)}/h at max`);
console.log(`  planGpuWorkloads: median ${median.toFixed(1)} ms of ${RUNS} (min ${times[0].toFixed(1)}, max ${times[RUNS - 1].toFixed(1)}); budget ${BUDGET_MS} ms`);
const ungated: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  planGpuWorkloads(manifests, { schemaGate: false });
  ungated.push(performance.now() - t0);
}
ungated.sort((a, b) => a - b);
console.log(`  planGpuWorkloads without the schema gate: median ${ungated[Math.floor(RUNS / 2)].toFixed(1)} ms of ${RUNS}`);
const invalid = last!.problems.find((p) => p.message.startsWith('GPU009 '));
if (invalid) throw new Error(`the bench objects fail their schema: ${invalid.subject}: ${invalid.message}`);
if (median > BUDGET_MS) {
  console.log('  OVER BUDGET');
  process.exitCode = 1;
}
