/**
 * Benchmark of synthesis: cdk8s apps of 100, 1,000 and 5,000 GPU inference workloads (InferenceDeployment on
 * Karpenter pools, priorities, KEDA scalers when src/scaling is there), synthesised with GpuValidation (every rule
 * over every object), against a bare cdk8s-plus-30 app producing the same Deployments and Services.
 *
 * Run: npx ts-node --transpile-only --project test/tsconfig.json bench/synth.ts [sizes…] [--writers] [--gate] [--instructions]   (or `npm run bench`)
 * (`--writers` also times our app with `fastYamlWriter: false`, i.e. cdk8s's own YAML writer; `--gate` also times it with
 * `schemaGate: false`, to tell what the schema gate costs, and with `CDK8S_GPU_CACHE=off`, to tell what the gate's
 * runtime cache saves, and with the code cache but no remembered passes, to tell what the first synth after every object
 * changed costs. The runs of ours use the runtime cache as a user's repeated `cdk8s synth` does: the first run after a
 * build writes it, the others read it, and an object unchanged since a synth that passed it is not checked again.)
 * Also, for context (not the issue's measure): bare-all, the bare app plus every other object ours writes as plain cdk8s
 * ApiObjects of the same JSON — the same YAML written by hand with cdk8s alone — and ours' ratio to it.
 * Not a test: it prints, per size, the time (median of runs, each in a fresh child process so heaps and JIT state do
 * not leak between them) and the peak memory (the child's maxRSS from process.resourceUsage()), the ratio ours/bare
 * (target ≤ 1.1×, the ratio before the schema gate) and the growth 5,000/1,000 (target ≤ 5.5×, i.e. linear). Targets missed are printed, not hidden.
 *
 * `--instructions` counts instructions instead of timing (valgrind; see countRegions): for a machine too busy to time on.
 * Profile a size: node --cpu-prof -r ts-node/register/transpile-only bench/synth.ts --child ours 5000
 * (BENCH_SCALERS=0 leaves the KEDA scalers out, to tell their cost from the rest.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { BareShape, buildBare, NAMESPACES, timeSynth } from './lib/bare-app';
import { buildPackage, canCountInstructions, countInstructions } from './lib/cli-build';
import { GpuInstanceType } from '../src/catalog';
import { DcgmMonitoring } from '../src/monitoring';
import { CapacityType, GpuNodeClass, GpuNodePool, IGpuNodePool, SpotGpuPool } from '../src/pools';
import { forgetPasses } from './lib/passes';
import { loadCel } from '../src/schema/cel';
import { RUNTIME_CACHE_ENV } from '../src/schema/runtime-cache';
import { GpuValidation } from '../src/validation';
import { GpuRequest, InferenceDeployment, TieredPriorities } from '../src/workloads';

const SIZES = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const DEFAULT_SIZES = [100, 1000, 5000];
/** Runs per (size, variant); the median is reported. Large sizes run fewer times to keep `npm run bench` short. */
const runsFor = (n: number) => (n >= 5000 ? 1 : 5);

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

/**
 * The pools every size shares: on-demand pools per GPU family and spot pools, one node class. Their limits grow with
 * the app (n nodes of the largest type each, at least 50), so every scaler's maximum fits its pools, as in an app one
 * would ship: with fixed limits, GpuValidation rightly warns (GPU307) for every scaler at 1,000 workloads, and printing
 * those warnings would be timed with the synth.
 */
function makePools(chart: Chart, n: number): IGpuNodePool[] {
  const maxNodes = Math.max(50, n);
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
    pools.push(new GpuNodePool(chart, `pool-${name}`, { name, instanceTypes: types, capacityType: CapacityType.ON_DEMAND, maxNodes, nodeClass }));
    if (types.length >= 3) {
      pools.push(new SpotGpuPool(chart, `spot-${name}`, { name: `${name}-spot`, instanceTypes: types, maxNodes, nodeClass }));
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
export function buildOurs(n: number, fastYamlWriter = true, schemaGate = true): App {
  const app = new App({ outdir: path.join(os.tmpdir(), 'cdk8s-gpu-bench') });
  const chart = new Chart(app, 'bench');
  const pools = makePools(chart, n);
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
      // A KedaGpuScaler owns the replica count (GPU803 warns when both are set), so replicas only without one.
      ...(Scaler ? {} : { replicas: w.replicas }),
      priority: priorities.inference,
      terminationGracePeriod: SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD,
    });
    if (Scaler) new Scaler.KedaGpuScaler(chart, `${w.name}-scaler`, { target: Scaler.GpuScaleTarget.fromInferenceDeployment(d), minReplicas: 1, maxReplicas: 4 });
  }
  new DcgmMonitoring(chart, 'dcgm', { namespace: 'gpu-monitoring', pools });
  GpuValidation.addTo(chart, { fastYamlWriter, schemaGate });
  return app;
}

const SHAPES = 8;

/** The shapes, taken from the Deployments of our app (outside any timed region). */
export function bareShapes(): BareShape[] {
  const app = buildOurs(SHAPES);
  const deployments = app.charts.flatMap((c) => c.toJson()).filter((d: any) => d.kind === 'Deployment');
  const milli = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
  const mib = (q: string) => {
    if (!q.endsWith('Mi')) throw new Error(`bench: expected a Mi quantity, got ${q}`);
    return Number(q.slice(0, -2));
  };
  return deployments.map((d: any) => {
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    return {
      gpus: c.resources.limits['nvidia.com/gpu'],
      cpuMillis: milli(c.resources.limits.cpu),
      memoryMiB: mib(c.resources.limits.memory),
      shmMiB: mib(pod.volumes.find((v: any) => v.name === 'shm').emptyDir.sizeLimit),
      graceSeconds: pod.terminationGracePeriodSeconds,
      tolerations: pod.tolerations,
      poolNames: pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions
        .find((e: any) => e.key === 'karpenter.sh/nodepool').values,
      priorityClassName: pod.priorityClassName,
      autoscaled: d.spec.replicas === undefined,
    };
  });
}

/**
 * The workloads' Deployments and Services of both apps at `n` workloads, by name: they must be the same documents, or the
 * comparison is not of like with like. Returns the names that differ.
 */
export function bareDiffers(n: number, shapes: BareShape[]): string[] {
  const docs = (app: App) => new Map(app.charts.flatMap((c) => c.toJson())
    .filter((d: any) => (d.kind === 'Deployment' || d.kind === 'Service') && d.metadata.name.startsWith('model-'))
    .map((d: any) => [`${d.kind}/${d.metadata.namespace}/${d.metadata.name}`, JSON.stringify(d)] as const));
  const ours = docs(buildOurs(n));
  const bare = docs(buildBare(n, shapes));
  const names = new Set([...ours.keys(), ...bare.keys()]);
  return [...names].filter((k) => ours.get(k) !== bare.get(k));
}

/** Whether an object of our app is one the bare app writes too (a workload's Deployment or Service). */
const inBare = (d: any) => (d.kind === 'Deployment' || d.kind === 'Service') && String(d.metadata?.name).startsWith('model-');

/**
 * The objects our app writes that the bare app does not (NodePools, EC2NodeClass, PDBs, ScaledObjects, PriorityClasses,
 * DCGM monitoring…), as JSON in a temporary file for the bare-all child (outside any timed region).
 */
function extrasFile(n: number): string {
  const file = path.join(os.tmpdir(), `cdk8s-gpu-bench-extras-${process.pid}-${n}.json`);
  fs.writeFileSync(file, JSON.stringify(buildOurs(n).charts.flatMap((c) => c.toJson()).filter((d: any) => !inBare(d))));
  return file;
}

/**
 * Which app a child builds; `ours-cdk8s-writer` is ours with `fastYamlWriter: false` (cdk8s's own YAML writer),
 * `ours-no-gate` ours with `schemaGate: false`, `ours-no-runtime-cache` ours with `CDK8S_GPU_CACHE=off` (the gate's
 * modules compiled from source, as in a process that finds no code cache: src/schema/runtime-cache.ts), `ours-no-passes`
 * ours with the code cache but none of the passes an earlier synth remembered (runtime-cache.ts PassedObjects: every
 * object checked, as in the first synth after each object changed).
 */
type Variant = 'ours' | 'ours-cdk8s-writer' | 'ours-no-gate' | 'ours-no-runtime-cache' | 'ours-no-passes' | 'bare' | 'bare-all';

/** Child: build and synthesise once; print JSON with the time and the peak RSS. */
function child(variant: Variant, n: number): void {
  // Load the scaling module before the clock starts, as every other module is (ts-node transpiles it on first
  // require: ~0.5 s of TypeScript compilation that the bare app, whose cdk8s-plus is plain JS, never pays).
  scalerConstruct();
  // The packages loaded on first use (cel-js when the gate meets a CRD with rules, PromQL's grammar on the first query)
  // are loaded before the clock too: module loading is outside the timed region for every module of both apps (the bare
  // app's cdk8s-plus-30 included). Only loading: nothing is compiled or run.
  loadCel();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@prometheus-io/lezer-promql');
  timeSynth(variant, n, () => buildOurs(n, variant !== 'ours-cdk8s-writer', variant !== 'ours-no-gate'));
}

interface Result {
  variant: string; n: number; constructMs: number; synthMs: number; totalMs: number; cpuMs: number; maxRssKiB: number; bytes: number; docs: number;
}

function runChild(variant: Variant, n: number, shapes: BareShape[], extras?: string): Result {
  if (variant === 'ours-no-passes') forgetPasses();
  const tsNode = require.resolve('ts-node/register/transpile-only');
  // The bare children run bench/lib/bare-app.ts, which imports cdk8s and cdk8s-plus-30 only.
  const entry = variant === 'bare' || variant === 'bare-all' ? path.join(__dirname, 'lib', 'bare-app.ts') : __filename;
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '-r', tsNode, entry, '--child', variant, String(n)], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
    env: {
      ...process.env,
      TS_NODE_PROJECT: path.join(__dirname, '..', 'test', 'tsconfig.json'),
      BENCH_BARE_SHAPES: JSON.stringify(shapes),
      BENCH_BARE_EXTRAS: extras ?? '',
      ...(variant === 'ours-no-runtime-cache' ? { [RUNTIME_CACHE_ENV]: 'off' } : {}),
    },
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

/**
 * `--instructions`: per size, the instructions of the timed region (construct + synthYaml) of bare, ours and, with
 * `--gate`, ours without the gate, counted by valgrind (cachegrind) on the bench transpiled to JavaScript (so ts-node's
 * start-up is not in the counts): each is a child run to the region's end less one run to its start. With the steady
 * flags (cli-build STEADY_NODE_FLAGS) a count repeats however busy the machine is, where times do not; a proxy for the
 * time, not the issue's measure, and one that understates cold, code-heavy and memory-heavy work: at 1,000 workloads ours
 * runs fewer instructions than bare yet takes longer (much of it runs before V8 has optimised it, and V8's optimising
 * compiles, counted here on the main thread, run on another core in a timed run; the README has the figures). Slow
 * (valgrind runs every child about 50 times slower): use small sizes.
 */
function countRegions(sizes: number[], gate: boolean): void {
  if (!canCountInstructions('bench/synth --instructions')) return;
  const pkg = buildPackage(true);
  const env = { BENCH_BARE_SHAPES: JSON.stringify(bareShapes()) };
  const region = (variant: Variant, n: number): number => {
    const entry = path.join(pkg, 'bench', ...(variant === 'bare' ? ['lib', 'bare-app.js'] : ['synth.js']));
    const args = ['--max-old-space-size=4096', entry, '--child', variant === 'ours-no-passes' ? 'ours' : variant, String(n)];
    // ours as a repeated synth runs: a full run first writes the gate's runtime cache (code cache and passes) when absent;
    // ours-no-passes has the code cache but no passes.
    if (variant === 'ours') countInstructions(args, env);
    if (variant === 'ours-no-passes') forgetPasses();
    const start = countInstructions(args, { ...env, BENCH_EXIT_AT: 'start' });
    const end = countInstructions(args, { ...env, BENCH_EXIT_AT: 'end' });
    if (start === undefined || end === undefined) throw new Error(`bench/synth --instructions: the ${variant} child of ${n} failed`);
    return end - start;
  };
  const mi = (x: number) => `${(x / 1e6).toFixed(0)} M`;
  console.log(`bench/synth --instructions: sizes ${sizes.join(', ')}; instructions of construct + synthYaml (valgrind cachegrind, transpiled bench)`);
  for (const n of sizes) {
    const bare = region('bare', n);
    const ours = region('ours', n);
    let line = `${String(n).padStart(5)} workloads  ours ${mi(ours)} | bare ${mi(bare)} | ratio ${(ours / bare).toFixed(2)}x`;
    if (gate) {
      const noGate = region('ours-no-gate', n);
      const noPasses = region('ours-no-passes', n);
      line += ` | ours without the schema gate ${mi(noGate)} (${(noGate / bare).toFixed(2)}x); the gate ${mi(ours - noGate)}`
        + ` | ours with no remembered passes ${mi(noPasses)} (${(noPasses / bare).toFixed(2)}x; the gate ${mi(noPasses - noGate)})`;
    }
    console.log(line);
  }
}

function main(): void {
  const sizes = SIZES.length ? SIZES : DEFAULT_SIZES;
  const writers = process.argv.includes('--writers');
  const gate = process.argv.includes('--gate');
  if (process.argv.includes('--instructions')) {
    countRegions(SIZES.length ? SIZES : [100], gate);
    return;
  }
  const scalers = scalerConstruct() ? 'a KedaGpuScaler per workload' : 'no scalers';
  console.log(`bench/synth: sizes ${sizes.join(', ')}; node ${process.version}; each run in a fresh process; time = construct + synthYaml\n`
    + `  ours = 8 NodePools + EC2NodeClass + priorities + DCGM monitoring + per workload an InferenceDeployment (Deployment, Service, PDB) and ${scalers}, validated by GpuValidation at synth\n`
    + '  bare = the same Deployments and Services written with cdk8s-plus-30 alone (bench/lib/bare-app.ts), no validation');
  const shapes = bareShapes();
  const differs = bareDiffers(40, shapes);
  if (differs.length > 0) {
    console.log(`bench/synth: the bare app's Deployments/Services differ from ours (${differs.slice(0, 5).join(', ')}${differs.length > 5 ? ', …' : ''}); `
      + 'fix bench/lib/bare-app.ts before comparing');
    process.exitCode = 1;
    return;
  }
  console.log('  checked: at 40 workloads every workload Deployment and Service of bare is identical to ours');
  const rows: Array<{ n: number; ours: Result; bare: Result }> = [];
  for (const n of sizes) {
    const runs = runsFor(n);
    const results: Record<Variant, Result[]> = {
      'ours': [], 'ours-cdk8s-writer': [], 'ours-no-gate': [], 'ours-no-runtime-cache': [], 'ours-no-passes': [], 'bare': [], 'bare-all': [],
    };
    const extras = extrasFile(n);
    for (let r = 0; r < runs; r++) {
      results.bare.push(runChild('bare', n, shapes));
      results['bare-all'].push(runChild('bare-all', n, shapes, extras));
      results.ours.push(runChild('ours', n, shapes));
      if (writers) results['ours-cdk8s-writer'].push(runChild('ours-cdk8s-writer', n, shapes));
      if (gate) results['ours-no-gate'].push(runChild('ours-no-gate', n, shapes));
      if (gate) results['ours-no-runtime-cache'].push(runChild('ours-no-runtime-cache', n, shapes));
      if (gate) results['ours-no-passes'].push(runChild('ours-no-passes', n, shapes));
    }
    const pick = (rs: Result[]): Result => {
      const m = median(rs.map((x) => x.totalMs));
      const cpuMs = median(rs.map((x) => x.cpuMs));
      return { ...rs.find((x) => x.totalMs === m) ?? rs[0], totalMs: m, cpuMs, maxRssKiB: Math.max(...rs.map((x) => x.maxRssKiB)) };
    };
    const o = pick(results.ours);
    const b = pick(results.bare);
    rows.push({ n, ours: o, bare: b });
    const mib = (k: number) => `${(k / 1024).toFixed(0)} MiB`;
    const ratio = o.totalMs / b.totalMs;
    console.log(`${String(n).padStart(5)} workloads  ours ${o.totalMs.toFixed(0).padStart(6)} ms (construct ${o.constructMs.toFixed(0)}, synth+validate ${o.synthMs.toFixed(0)}) `
      + `peak ${mib(o.maxRssKiB)}, ${o.docs} objects | bare ${b.totalMs.toFixed(0).padStart(6)} ms (construct ${b.constructMs.toFixed(0)}, synth ${b.synthMs.toFixed(0)}) `
      + `peak ${mib(b.maxRssKiB)}, ${b.docs} objects | ratio ${ratio.toFixed(2)}x ${ratio <= 1.1 ? 'OK' : 'ABOVE the 1.1x target'} (median of ${runs})`);
    console.log(`${' '.repeat(17)}CPU time (the steadier figure on a busy machine): ours ${o.cpuMs.toFixed(0)} ms, bare ${b.cpuMs.toFixed(0)} ms, `
      + `ratio ${(o.cpuMs / b.cpuMs).toFixed(2)}x`);
    console.log(`${' '.repeat(17)}ours writes ${(o.docs / b.docs).toFixed(2)}x the objects and ${(o.bytes / b.bytes).toFixed(2)}x the YAML bytes of bare`);
    const a = pick(results['bare-all']);
    fs.rmSync(extras, { force: true });
    console.log(`${' '.repeat(17)}like for like (not the issue's measure): bare-all, the same ${a.docs} objects by hand in cdk8s (bare + the rest as plain ApiObjects, `
      + `cdk8s's YAML writer, no validation) ${a.totalMs.toFixed(0)} ms, CPU ${a.cpuMs.toFixed(0)} ms; ours/bare-all ${(o.totalMs / a.totalMs).toFixed(2)}x (CPU ${(o.cpuMs / a.cpuMs).toFixed(2)}x)`
      + `${a.docs === o.docs && a.bytes === o.bytes ? '' : `; DIFFERENT output (${a.docs} objects, ${a.bytes} bytes vs ours ${o.docs}, ${o.bytes})`}`);
    if (writers) {
      const w = pick(results['ours-cdk8s-writer']);
      console.log(`${' '.repeat(17)}ours with cdk8s's own YAML writer (fastYamlWriter: false): ${w.totalMs.toFixed(0)} ms (synth+validate ${w.synthMs.toFixed(0)}), `
        + `ratio ${(w.totalMs / b.totalMs).toFixed(2)}x; same bytes: ${w.bytes === o.bytes ? 'yes' : 'NO'}`);
    }
    if (gate) {
      const g = pick(results['ours-no-gate']);
      console.log(`${' '.repeat(17)}ours without the schema gate (schemaGate: false): ${g.totalMs.toFixed(0)} ms (synth+validate ${g.synthMs.toFixed(0)}), `
        + `ratio ${(g.totalMs / b.totalMs).toFixed(2)}x (CPU ${(g.cpuMs / b.cpuMs).toFixed(2)}x); the gate costs ${(o.totalMs - g.totalMs).toFixed(0)} ms `
        + `(${((o.totalMs / g.totalMs - 1) * 100).toFixed(0)}%; CPU ${(o.cpuMs - g.cpuMs).toFixed(0)} ms, ${((o.cpuMs / g.cpuMs - 1) * 100).toFixed(0)}%)`);
      const c = pick(results['ours-no-runtime-cache']);
      console.log(`${' '.repeat(17)}ours without the gate's runtime cache (CDK8S_GPU_CACHE=off: its modules compiled from source, as by a process `
        + `that finds no V8 code cache): ${c.totalMs.toFixed(0)} ms (synth+validate ${c.synthMs.toFixed(0)}), ratio ${(c.totalMs / b.totalMs).toFixed(2)}x `
        + `(CPU ${(c.cpuMs / b.cpuMs).toFixed(2)}x)`);
      const p = pick(results['ours-no-passes']);
      console.log(`${' '.repeat(17)}ours with no remembered passes (the first synth after every object changed: code cache kept, each object `
        + `checked): ${p.totalMs.toFixed(0)} ms (synth+validate ${p.synthMs.toFixed(0)}), ratio ${(p.totalMs / b.totalMs).toFixed(2)}x `
        + `(CPU ${(p.cpuMs / b.cpuMs).toFixed(2)}x)`);
    }
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

if (process.argv[2] === '--child') child(process.argv[3] as Variant, Number(process.argv[4]));
else if (require.main === module) main();
