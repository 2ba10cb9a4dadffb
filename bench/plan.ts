/**
 * Benchmark of `cdk8s-gpu plan`, end to end: the command run on a YAML file of 1,000 generated GPU workloads
 * (Deployments with KEDA ScaledObjects up to 100 replicas, StatefulSets, Jobs, some MIG) and 1,000 Karpenter
 * NodePools, once per output format, with the schema gate and without it (`--no-schema`). Each run is its own
 * `node` process (the CLI transpiled to JavaScript, see lib/cli-build.ts) timed from start to exit, with its peak
 * resident memory from `/usr/bin/time -v`. Target (issue 14): under 2 s and 500 MB in every format. Then one
 * in-process run splits the time into reading, planning and writing each format (as the CLI writes, to /dev/null).
 *
 * Run: npm run bench -- plan [workloads] [nodePools] [--lib]   (`--lib`: run the compiled lib/ instead)
 * Not a test: it prints figures and asserts nothing about them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { stringify } from 'yaml';
import { buildCli, runNode } from './lib/cli-build';
import { rng } from './lib/rng';
import { readInputs } from '../src/cli/yaml-input';
import { PLAIN_STYLE, planGpuWorkloads, writePlanHtml, writePlanJson, writePlanText } from '../src/plan';
import { SourcedManifest } from '../src/validation';

const ARGS = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const WORKLOADS = Number(ARGS[0] ?? 1_000);
const POOLS = Number(ARGS[1] ?? 1_000);
const FORMATS = ['text', 'json', 'html'];


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
      weight: 1 + Math.floor(r() * 99), // the NodePool CRD: 1..100
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

/** The bench's objects: `pools` NodePools, then `workloads` GPU workloads (with their ScaledObjects), seed 42. */
export function generate(workloads: number = WORKLOADS, pools: number = POOLS): SourcedManifest[] {
  const r = rng(42);
  const out: SourcedManifest[] = [];
  for (let i = 0; i < pools; i++) out.push({ object: nodePool(i, r) });
  for (let i = 0; i < workloads; i++) out.push(...workload(i, r));
  return out;
}


function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

async function main(): Promise<void> {
  const manifests = generate();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-bench-plan-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'plan.yaml');
  fs.writeFileSync(file, manifests.map((m) => stringify(m.object)).join('---\n'));
  const cli = buildCli(process.argv.includes('--lib'));
  console.log(`plan: ${WORKLOADS} workloads, ${POOLS} NodePools, ${manifests.length} objects, `
    + `${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MiB of YAML; node ${process.version}, ${os.cpus().length} cores`);
  console.log('end to end (one node process per run, start to exit):');
  for (const gate of [true, false]) {
    for (const format of FORMATS) {
      const before = loadAverage();
      const r = runNode([cli, 'plan', '--format', format, ...(gate ? [] : ['--no-schema']), file]);
      const problem = r.exitCode !== 0 && r.exitCode !== 1 ? `  EXIT ${r.exitCode}: ${r.stderr.trim().split('\n')[0]}` : '';
      console.log(`  ${format.padEnd(5)} ${gate ? 'gate on ' : 'gate off'}  ${r.seconds.toFixed(2).padStart(6)} s  `
        + `(CPU ${r.cpuSeconds === undefined ? '?' : r.cpuSeconds.toFixed(2)} s)  `
        + `${r.maxRssMb === undefined ? '   ? ' : r.maxRssMb.toFixed(0).padStart(5)} MB peak RSS  `
        + `${(r.stdoutBytes / 1024 / 1024).toFixed(1).padStart(6)} MiB out  exit ${r.exitCode}  (load ${before})${problem}`);
    }
  }
  console.log('  target: under 2 s and 500 MB in every format (issue 14)');

  // One in-process run (ts-node, gate off): where the time goes. Each format is written as the CLI writes it (in
  // chunks, here to /dev/null), wall clock and CPU time.
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const marks: Array<{ wall: number; cpu: number }> = [];
  const mark = () => marks.push({ wall: performance.now(), cpu: cpu() });
  mark();
  const read = await readInputs([file]);
  mark();
  const plan = planGpuWorkloads(read.manifests, { schemaGate: false });
  mark();
  const devNull = fs.openSync('/dev/null', 'w');
  const sink = (chunk: string) => { fs.writeSync(devNull, chunk); };
  writePlanText(plan, PLAIN_STYLE, sink);
  mark();
  writePlanJson(plan, [], sink);
  mark();
  writePlanHtml(plan, sink);
  mark();
  fs.closeSync(devNull);
  const step = (i: number) => `${(marks[i + 1].wall - marks[i].wall).toFixed(0)} ms (CPU ${(marks[i + 1].cpu - marks[i].cpu).toFixed(0)})`;
  console.log(`in process, gate off: read ${step(0)}, plan ${step(1)}, write text ${step(2)}, json ${step(3)}, html ${step(4)}`);
  console.log(`  planned ${plan.workloads.length} GPU workloads (${plan.workloads.filter((w) => !w.schedulable).length} unschedulable), `
    + `${plan.totals.nodes.max} nodes at max, $${plan.totals.cost.expected.max.toFixed(2)}/h at max`);
  const gated = planGpuWorkloads(manifests.slice(0, 200));
  const invalid = gated.problems.find((p) => p.message.startsWith('GPU009 '));
  if (invalid) console.log(`  NOTE: the bench objects fail their schema: ${invalid.subject}: ${invalid.message}`);
}

if (require.main === module) main().catch((e) => { console.error(e); process.exitCode = 1; });
