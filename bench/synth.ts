/**
 * Benchmark of synthesis: cdk8s apps of 100, 1,000 and 5,000 GPU inference workloads (InferenceDeployment on
 * Karpenter pools, priorities, KEDA scalers when src/scaling is there), synthesised with GpuValidation (every rule
 * over every object), against a bare cdk8s-plus-30 app producing the same Deployments and Services.
 *
 * Run: npx ts-node --transpile-only --project test/tsconfig.json bench/synth.ts [sizes…]   (or `npm run bench`)
 * Not a test: it prints, per size, the time (median of runs, each in a fresh child process so heaps and JIT state do
 * not leak between them) and the peak memory (the child's maxRSS from process.resourceUsage()), the ratio ours/bare
 * (target ≤ 1.3×) and the growth 5,000/1,000 (target ≤ 5.5×, i.e. linear). Targets missed are printed, not hidden.
 *
 * Profile a size: node --cpu-prof -r ts-node/register/transpile-only bench/synth.ts --child ours 5000
 * (BENCH_SCALERS=0 leaves the KEDA scalers out, to tell their cost from the rest.)
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ApiObject, App, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { GpuInstanceType } from '../src/catalog';
import { CapacityType, GpuNodeClass, GpuNodePool, IGpuNodePool, SpotGpuPool } from '../src/pools';
import { GpuValidation } from '../src/validation';
import { GpuRequest, InferenceDeployment, TieredPriorities } from '../src/workloads';

const SIZES = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const DEFAULT_SIZES = [100, 1000, 5000];
/** Runs per (size, variant); the median is reported. Large sizes run fewer times to keep `npm run bench` short. */
const runsFor = (n: number) => (n >= 5000 ? 1 : n >= 1000 ? 3 : 5);
const NAMESPACES = 20;

/** The optional scaler construct, when the scaling engineer's folder has landed. */
function scalerConstruct(): any {
  if (process.env.BENCH_SCALERS === '0') return undefined; // diagnosis: leave the scalers out
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require('../src/scaling');
    return m.KedaGpuScaler && m.GpuScaleTarget ? m : undefined;
  } catch {
    return undefined;
  }
}

/** The pools every size shares: on-demand pools per GPU family and spot pools, one node class. */
function makePools(chart: Chart): IGpuNodePool[] {
  const nodeClass = new GpuNodeClass(chart, 'nodeclass', { name: 'gpu', role: 'KarpenterNodeRole-bench', clusterName: 'bench' });
  const families: Array<[string, GpuInstanceType[]]> = [
    ['a10g', [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_2XLARGE, GpuInstanceType.G5_12XLARGE, GpuInstanceType.G5_48XLARGE]],
    ['l4', [GpuInstanceType.G6_XLARGE, GpuInstanceType.G6_2XLARGE, GpuInstanceType.G6_12XLARGE, GpuInstanceType.G6_48XLARGE]],
    ['l40s', [GpuInstanceType.G6E_XLARGE, GpuInstanceType.G6E_2XLARGE, GpuInstanceType.G6E_12XLARGE, GpuInstanceType.G6E_48XLARGE]],
    ['a100', [GpuInstanceType.P4D_24XLARGE]],
    ['h100', [GpuInstanceType.P5_48XLARGE]],
  ];
  const pools: IGpuNodePool[] = [];
  for (const [name, types] of families) {
    pools.push(new GpuNodePool(chart, `pool-${name}`, { name, instanceTypes: types, capacityType: CapacityType.ON_DEMAND, maxNodes: 50, nodeClass }));
    if (types.length >= 3) {
      pools.push(new SpotGpuPool(chart, `spot-${name}`, { name: `${name}-spot`, instanceTypes: types, maxNodes: 50, nodeClass }));
    }
  }
  return pools;
}

/** Workload i: which pool, how many GPUs, which namespace. Deterministic. */
function workload(i: number, pools: IGpuNodePool[]) {
  const pool = pools[i % pools.length];
  const maxGpus = Math.max(...pool.allowedInstanceTypes.map((t) => t.gpuCount));
  const gpus = [1, 1, 2, 4][i % 4] <= maxGpus ? [1, 1, 2, 4][i % 4] : 1;
  return { name: `model-${i}`, namespace: `team-${i % NAMESPACES}`, pool, gpus, replicas: 1 + (i % 3) };
}

/** Our app: pools, priorities, N InferenceDeployments (Deployment, Service, PDB) and scalers, validated at synth. */
function buildOurs(n: number): App {
  const app = new App({ outdir: path.join(os.tmpdir(), 'cdk8s-gpu-bench') });
  const chart = new Chart(app, 'bench');
  const pools = makePools(chart);
  const priorities = new TieredPriorities(chart, 'priorities');
  const Scaler = scalerConstruct();
  for (let i = 0; i < n; i++) {
    const w = workload(i, pools);
    const d = new InferenceDeployment(chart, w.name, {
      name: w.name,
      namespace: w.namespace,
      pools: [w.pool],
      gpus: GpuRequest.whole(w.gpus),
      image: 'vllm/vllm-openai:v0.7.3',
      replicas: w.replicas,
      priority: priorities.inference,
      terminationGracePeriod: SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD,
    });
    if (Scaler) new Scaler.KedaGpuScaler(chart, `${w.name}-scaler`, { target: Scaler.GpuScaleTarget.fromInferenceDeployment(d), minReplicas: 1, maxReplicas: 4 });
  }
  GpuValidation.addTo(chart);
  return app;
}

/** The bare app: cdk8s-plus-30 Deployments and Services with the same containers, GPUs patched in. */
function buildBare(n: number): App {
  const app = new App({ outdir: path.join(os.tmpdir(), 'cdk8s-gpu-bench-bare') });
  const chart = new Chart(app, 'bench');
  // Stand-ins for the pools' names and GPU counts (no Karpenter objects: the bare app has none).
  const fake = [
    { poolName: 'a10g', gpus: 8 }, { poolName: 'a10g-spot', gpus: 8 }, { poolName: 'l4', gpus: 8 }, { poolName: 'l4-spot', gpus: 8 },
    { poolName: 'l40s', gpus: 8 }, { poolName: 'l40s-spot', gpus: 8 }, { poolName: 'a100', gpus: 8 }, { poolName: 'h100', gpus: 8 },
  ];
  for (let i = 0; i < n; i++) {
    const pool = fake[i % fake.length];
    const gpus = [1, 1, 2, 4][i % 4];
    const d = new kplus.Deployment(chart, `model-${i}`, {
      metadata: { name: `model-${i}`, namespace: `team-${i % NAMESPACES}` },
      replicas: 1 + (i % 3),
      containers: [{
        name: 'server',
        image: 'vllm/vllm-openai:v0.7.3',
        ports: [{ number: 8000, name: 'http' }],
        resources: {
          cpu: { request: kplus.Cpu.units(3 * gpus), limit: kplus.Cpu.units(3 * gpus) },
          memory: { request: Size.gibibytes(12 * gpus), limit: Size.gibibytes(12 * gpus) },
        },
        securityContext: { ensureNonRoot: true, user: 1000, readOnlyRootFilesystem: true },
      }],
    });
    d.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is('karpenter.sh/nodepool', pool.poolName)));
    const obj = ApiObject.of(d);
    for (const field of ['limits', 'requests']) {
      obj.addJsonPatch(JsonPatch.add(`/spec/template/spec/containers/0/resources/${field}/nvidia.com~1gpu`, kplus.k8s.Quantity.fromNumber(gpus)));
    }
    d.exposeViaService({ name: `model-${i}`, ports: [{ port: 8000, targetPort: 8000 }] });
  }
  return app;
}

/** Child: build and synthesise once; print JSON with the time and the peak RSS. */
function child(variant: string, n: number): void {
  // Load the scaling module before the clock starts, as every other module is (ts-node transpiles it on first
  // require: ~0.5 s of TypeScript compilation that the bare app, whose cdk8s-plus is plain JS, never pays).
  if (variant === 'ours') scalerConstruct();
  const t0 = performance.now();
  const app = variant === 'ours' ? buildOurs(n) : buildBare(n);
  const t1 = performance.now();
  const yaml = app.synthYaml();
  const t2 = performance.now();
  const maxRssKiB = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify({ variant, n, constructMs: t1 - t0, synthMs: t2 - t1, totalMs: t2 - t0, maxRssKiB, bytes: yaml.length, docs: yaml.split('\n---\n').length })}\n`);
}

interface Result { variant: string; n: number; constructMs: number; synthMs: number; totalMs: number; maxRssKiB: number; bytes: number; docs: number }

function runChild(variant: string, n: number): Result {
  const tsNode = require.resolve('ts-node/register/transpile-only');
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '-r', tsNode, __filename, '--child', variant, String(n)], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'test', 'tsconfig.json') },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`child ${variant} ${n} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main(): void {
  const sizes = SIZES.length ? SIZES : DEFAULT_SIZES;
  const scalers = scalerConstruct() ? 'KedaGpuScaler per workload' : 'no scalers (src/scaling has no KedaGpuScaler yet)';
  console.log(`bench/synth: sizes ${sizes.join(', ')}; ours = pools + priorities + InferenceDeployment (Deployment, Service, PDB) + ${scalers}, `
    + `synthYaml with GpuValidation; bare = cdk8s-plus-30 Deployment + Service; node ${process.version}; each run in a fresh process`);
  const rows: Array<{ n: number; ours: Result; bare: Result }> = [];
  for (const n of sizes) {
    const runs = runsFor(n);
    const ours: Result[] = [];
    const bare: Result[] = [];
    for (let r = 0; r < runs; r++) {
      bare.push(runChild('bare', n));
      ours.push(runChild('ours', n));
    }
    const pick = (rs: Result[]): Result => {
      const m = median(rs.map((x) => x.totalMs));
      return { ...rs.find((x) => x.totalMs === m) ?? rs[0], totalMs: m, maxRssKiB: Math.max(...rs.map((x) => x.maxRssKiB)) };
    };
    const o = pick(ours);
    const b = pick(bare);
    rows.push({ n, ours: o, bare: b });
    const mib = (k: number) => `${(k / 1024).toFixed(0)} MiB`;
    console.log(`${String(n).padStart(5)} workloads  ours ${o.totalMs.toFixed(0).padStart(6)} ms (construct ${o.constructMs.toFixed(0)}, synth+validate ${o.synthMs.toFixed(0)}) `
      + `peak ${mib(o.maxRssKiB)}, ${o.docs} objects | bare ${b.totalMs.toFixed(0).padStart(6)} ms peak ${mib(b.maxRssKiB)}, ${b.docs} objects | `
      + `ratio ${(o.totalMs / b.totalMs).toFixed(2)}x ${o.totalMs / b.totalMs <= 1.3 ? 'OK' : 'ABOVE the 1.3x target'} (median of ${runs})`);
    // Like for like: ours writes more (a PDB, a ScaledObject and an alert rule per workload, the pools, the
    // priorities), and cdk8s's own YAML writer costs in proportion to what is written. Not the target.
    const perObj = (r: Result) => r.totalMs / r.docs;
    const perMiB = (r: Result) => r.totalMs / (r.bytes / 2 ** 20);
    console.log(`${' '.repeat(17)}like for like (NOT the 1.3x target): ours writes ${(o.docs / b.docs).toFixed(2)}x the objects and ${(o.bytes / b.bytes).toFixed(2)}x the YAML bytes; `
      + `time per object written ${perObj(o).toFixed(3)} vs ${perObj(b).toFixed(3)} ms (${(perObj(o) / perObj(b)).toFixed(2)}x), `
      + `per MiB of YAML ${perMiB(o).toFixed(0)} vs ${perMiB(b).toFixed(0)} ms (${(perMiB(o) / perMiB(b)).toFixed(2)}x)`);
  }
  const at = (n: number) => rows.find((r) => r.n === n);
  const k1 = at(1000);
  const k5 = at(5000);
  if (k1 && k5) {
    const g = k5.ours.totalMs / k1.ours.totalMs;
    const gb = k5.bare.totalMs / k1.bare.totalMs;
    console.log(`growth 5,000/1,000: ours ${g.toFixed(2)}x ${g <= 5.5 ? 'OK (linear)' : 'ABOVE the 5.5x target'}; bare ${gb.toFixed(2)}x`);
  }
}

if (process.argv[2] === '--child') child(process.argv[3], Number(process.argv[4]));
else if (require.main === module) main();
