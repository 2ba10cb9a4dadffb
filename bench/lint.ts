/**
 * Benchmark of the lint path: YAML parsing (src/cli/yaml-input.ts) and the validation engine (validateManifests, and
 * _lintValidation, the way `lint` runs it) over 10,000 generated objects — GPU Deployments, Karpenter NodePools, Services and ConfigMaps in many namespaces.
 *
 * Run: npx ts-node --transpile-only --project test/tsconfig.json bench/lint.ts [objects] [nodePools] [--compare]
 * Not a test: it prints timings (median of 5 runs after one warm-up, wall clock and CPU time — on a busy machine the
 * CPU time is the steadier figure) and objects/second, the schema gate's own share, and lint / parse (target ≤ 1.5×)
 * three times: in one warm process (the medians above, and again with parse and lint interleaved, 9 pairs, so the
 * machine's drift falls on both alike), and end to end in fresh processes (each reads the YAML file and parses it, or
 * parses and validates it, so the gate's start — loading its schemas — is counted; median of 5, interleaved). `--compare` also times the exact reader on the `yaml` package
 * alone (parseManifestsWithYamlPackage, what `lint` used before the js-yaml fast path) and checks that both readers
 * return the same manifests.
 * `--instructions` counts instead of timing the fresh processes (valgrind, steady flags; see countFresh): for a machine
 * too busy to time on.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { isDeepStrictEqual } from 'util';
import { stringify } from 'yaml';
import { _lintValidation } from '../src/cli/lint';
import { parseManifests, parseManifestsWithYamlPackage } from '../src/cli/yaml-input';
import { defaultSchemaValidator } from '../src/schema/validator';
import { SourcedManifest, validateManifests } from '../src/validation';
import { buildPackage, canCountInstructions, countInstructions, STEADY_NODE_FLAGS } from './lib/cli-build';
import { rng } from './lib/rng';

const ARGS = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const COMPARE = process.argv.includes('--compare');
const TOTAL = Number(ARGS[0] ?? 10_000);
const POOLS = Number(ARGS[1] ?? 50);
const RUNS = 5;
/** Parse/lint pairs of the interleaved warm measure. */
const PAIRS = 9;
/** Fresh processes of each kind in the end-to-end measure. */
const FRESH_RUNS = 5;


const INSTANCE_SETS = [['g5.xlarge', 'g5.2xlarge', 'g5.12xlarge'], ['p4d.24xlarge'], ['p5.48xlarge'], ['g6.xlarge', 'g6.12xlarge'], ['g6e.xlarge']];
const GPU_NAMES = ['a10g', 'a100', 'h100', 'l4', 'l40s'];

function nodePool(i: number, r: () => number): any {
  const tainted = r() < 0.9;
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: `gpu-pool-${i}` },
    spec: {
      template: {
        metadata: { labels: { pool: `gpu-pool-${i}` } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' },
          requirements: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: INSTANCE_SETS[i % INSTANCE_SETS.length] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: r() < 0.5 ? ['on-demand'] : ['spot', 'on-demand'] },
          ],
          ...(tainted ? { taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] } : {}),
        },
      },
      ...(r() < 0.8 ? { limits: { 'nvidia.com/gpu': 8 * (1 + Math.floor(r() * 8)) } } : {}),
      disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m' },
    },
  };
}

function deployment(i: number, ns: string, r: () => number): any {
  const gpus = 1 + Math.floor(r() * 4);
  const mistake = r();
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `model-${i}`, namespace: ns, labels: { app: `model-${i}` } },
    spec: {
      replicas: 1 + Math.floor(r() * 3),
      selector: { matchLabels: { app: `model-${i}` } },
      template: {
        metadata: { labels: { app: `model-${i}` } },
        spec: {
          ...(r() < 0.7 ? { nodeSelector: { 'karpenter.k8s.aws/instance-gpu-name': GPU_NAMES[i % GPU_NAMES.length] } } : {}),
          ...(mistake < 0.85 ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } : {}),
          containers: [{
            name: 'server',
            image: 'vllm/vllm-openai:v0.6.0',
            ports: [{ containerPort: 8000 }],
            resources: {
              requests: { 'cpu': '4', 'memory': '32Gi', 'nvidia.com/gpu': mistake > 0.95 ? gpus + 1 : gpus },
              limits: { 'memory': '64Gi', 'nvidia.com/gpu': gpus },
            },
          }],
        },
      },
    },
  };
}

function service(i: number, ns: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `model-${i}`, namespace: ns },
    spec: { selector: { app: `model-${i}` }, ports: [{ name: 'http', port: 80, targetPort: 8000 }] },
  };
}

function configMap(i: number, ns: string): any {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `settings-${i}`, namespace: ns },
    data: { 'MODEL_ID': `org/model-${i}`, 'MAX_MODEL_LEN': '8192', 'config.yaml': 'tensor_parallel_size: 1\n' },
  };
}

/** `total` objects: `pools` NodePools, then Deployments, Services and ConfigMaps in 40/30/30 proportion. */
export function generate(total: number, pools: number, seed = 42): any[] {
  const r = rng(seed);
  const objects: any[] = [];
  for (let i = 0; i < Math.min(pools, total); i++) objects.push(nodePool(i, r));
  for (let i = 0; objects.length < total; i++) {
    const ns = `team-${i % 40}`;
    const roll = i % 10;
    if (roll < 4) objects.push(deployment(i, ns, r));
    else if (roll < 7) objects.push(service(i, ns));
    else objects.push(configMap(i, ns));
  }
  return objects;
}

/** The objects as one YAML file's text. */
const yamlOf = (objects: any[]): string => objects.map((o) => stringify(o)).join('---\n');

/** Runs `fn` with `yamlText` written to a temporary file, removed after. */
function withYamlFile<T>(yamlText: string, fn: (file: string) => T): T {
  const file = path.join(os.tmpdir(), `cdk8s-gpu-bench-lint-${process.pid}.yaml`);
  fs.writeFileSync(file, yamlText);
  try {
    return fn(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** The validation `lint` runs over what it read. */
const lintValidation = (manifests: SourcedManifest[]) => _lintValidation(manifests, {}).findings;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time<T>(fn: () => T): { ms: number; cpuMs: number; result: T } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, result };
}

interface Timing { ms: number; cpuMs: number }

function bench<T>(label: string, objects: number, fn: () => T, runs = RUNS, timing?: Timing): T {
  let result = fn(); // warm-up
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = time(fn);
    times.push(t.ms);
    cpuTimes.push(t.cpuMs);
    result = t.result;
  }
  const ms = median(times);
  const rate = Math.round(objects / (ms / 1000));
  console.log(`${label.padEnd(36)} ${ms.toFixed(1).padStart(9)} ms  ${String(rate).padStart(9)} objects/s  CPU ${median(cpuTimes).toFixed(1).padStart(7)} ms  `
    + `(median of ${runs}; runs ${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
  if (timing) {
    timing.ms = ms;
    timing.cpuMs = median(cpuTimes);
  }
  return result;
}

function run(): void {
  const objects = generate(TOTAL, POOLS);
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  const yamlText = yamlOf(objects);
  console.log(`bench/lint: ${objects.length} objects (${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}), `
    + `${(yamlText.length / 1024 / 1024).toFixed(1)} MiB of YAML, node ${process.version}`);

  const parseT: Timing = { ms: 0, cpuMs: 0 };
  const lintT: Timing = { ms: 0, cpuMs: 0 };
  const parsed = bench('parse YAML', objects.length, () => parseManifests(yamlText, 'bench.yaml'), RUNS, parseT);
  if (parsed.manifests.length !== objects.length || parsed.problems.length > 0) {
    throw new Error(`parse returned ${parsed.manifests.length} objects and ${parsed.problems.length} problems`);
  }
  if (COMPARE) {
    const exact = bench('parse YAML (yaml package only)', objects.length, () => parseManifestsWithYamlPackage(yamlText, 'bench.yaml'), 3);
    if (!isDeepStrictEqual(exact, parsed)) throw new Error('the fast reader and the yaml package reader disagree');
    console.log('both readers return the same manifests and lines');
  }
  const manifests: SourcedManifest[] = parsed.manifests;
  const gate = defaultSchemaValidator();
  bench('schema gate alone (check each object)', objects.length, () => manifests.forEach((m) => gate.check(m.object)));
  bench('validateManifests (no schema gate)', objects.length, () => validateManifests(manifests, { schemaGate: false }));
  bench('validateManifests', objects.length, () => validateManifests(manifests));
  // What `lint` runs (the gate trusts the reader's plain JSON data: no walk to find out).
  const findings = bench('lint validation', objects.length, () => lintValidation(manifests));
  bench('lint (parse + validate)', objects.length, () => lintValidation(parseManifests(yamlText, 'bench.yaml').manifests), RUNS, lintT);
  console.log(`lint / parse in one warm process (medians above): ${(lintT.ms / parseT.ms).toFixed(2)}x wall, ${(lintT.cpuMs / parseT.cpuMs).toFixed(2)}x CPU (target <= 1.5x)`);
  // The same, interleaved: parse and lint run in turn, so the machine's drift (this one's runs vary by ±20%) falls on
  // both alike.
  const pairs: Array<{ parse: Timing; lint: Timing }> = [];
  for (let i = 0; i < PAIRS; i++) {
    pairs.push({
      parse: time(() => parseManifests(yamlText, 'bench.yaml')),
      lint: time(() => lintValidation(parseManifests(yamlText, 'bench.yaml').manifests)),
    });
  }
  const pm = (k: 'parse' | 'lint', f: keyof Timing) => median(pairs.map((p) => p[k][f]));
  console.log(`lint / parse in one warm process, interleaved (median of ${PAIRS} pairs): parse ${pm('parse', 'ms').toFixed(0)} ms, `
    + `lint ${pm('lint', 'ms').toFixed(0)} ms: ${(pm('lint', 'ms') / pm('parse', 'ms')).toFixed(2)}x wall, `
    + `${(pm('lint', 'cpuMs') / pm('parse', 'cpuMs')).toFixed(2)}x CPU (target <= 1.5x)`);
  withYamlFile(yamlText, endToEnd);
  const gated = findings.filter((f) => f.ruleId === 'GPU009');
  if (gated.length > 0) throw new Error(`the bench objects fail their schema: ${gated[0].fieldPath}: ${gated[0].message}`);
  const byRule = new Map<string, number>();
  for (const f of findings) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
  console.log(`findings: ${findings.length} (${[...byRule].sort().map(([id, n]) => `${id} ${n}`).join(', ')})`);
}

/**
 * Child: read the file, parse it (`parse`) or parse and validate it (`lint`); print the time from the read on. `load`
 * stops before the read (its instructions are the start-up the others share).
 */
function child(what: string, file: string): void {
  if (what === 'load') return;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const parsed = parseManifests(fs.readFileSync(file, 'utf8'), file);
  if (what === 'lint') lintValidation(parsed.manifests);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
}

/** lint / parse of `file` in fresh processes (the gate's start included), median of FRESH_RUNS each, interleaved. */
function endToEnd(file: string): void {
  const tsNode = require.resolve('ts-node/register/transpile-only');
  const runOne = (what: string): Timing => {
    const r = spawnSync(process.execPath, ['-r', tsNode, __filename, '--child', what, file], {
      cwd: path.join(__dirname, '..'), encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'test', 'tsconfig.json') },
    });
    if (r.status !== 0) throw new Error(`child ${what} failed (${r.status}): ${r.stderr.slice(-2000)}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  };
  const parse: Timing[] = [];
  const lint: Timing[] = [];
  for (let i = 0; i < FRESH_RUNS; i++) {
    parse.push(runOne('parse'));
    lint.push(runOne('lint'));
  }
  const m = (ts: Timing[], k: keyof Timing) => median(ts.map((t) => t[k]));
  console.log(`end to end in fresh processes (read + parse vs read + parse + validate, schema gate and its start included; median of ${FRESH_RUNS}): `
    + `parse ${m(parse, 'ms').toFixed(0)} ms, lint ${m(lint, 'ms').toFixed(0)} ms: ${(m(lint, 'ms') / m(parse, 'ms')).toFixed(2)}x wall, `
    + `${(m(lint, 'cpuMs') / m(parse, 'cpuMs')).toFixed(2)}x CPU (target <= 1.5x)`);
}

/**
 * `--instructions`: the end-to-end measure in instructions instead of time. Fresh processes of the transpiled bench
 * (no ts-node) run under valgrind with steady flags (cli-build STEADY_NODE_FLAGS): one that only loads the modules, one
 * that reads and parses the file, one that also validates it. Start-up is subtracted, so the figures are from the read
 * on, as the timed measure's. V8's optimising compiles run on the main thread here and are counted: in a timed run they
 * run on the other core, and a cold validation asks for many more of them than parsing does (its code is wide, the
 * parser's hot loops few), so this ratio sits below the timed one; it moves with the work the code does, not with the
 * machine's load.
 */
function countFresh(): void {
  if (!canCountInstructions('bench/lint --instructions')) return;
  const objects = generate(TOTAL, POOLS);
  withYamlFile(yamlOf(objects), (file) => {
    const entry = path.join(buildPackage(true), 'bench', 'lint.js');
    const count = (what: string): number => {
      const n = countInstructions([entry, '--child', what, file]);
      if (n === undefined) throw new Error(`bench/lint --instructions: the ${what} child failed`);
      return n;
    };
    const load = count('load');
    const parse = count('parse') - load;
    count('lint'); // writes the gate's runtime cache (code cache) for these flags when absent, as a first lint does
    const lint = count('lint') - load;
    const mi = (x: number) => `${(x / 1e6).toFixed(0)} M`;
    console.log(`bench/lint --instructions: ${objects.length} objects, fresh processes from the read on (valgrind cachegrind, `
      + `node ${STEADY_NODE_FLAGS.join(' ')}): parse ${mi(parse)}, lint ${mi(lint)} (validation ${mi(lint - parse)}): ${(lint / parse).toFixed(2)}x`);
  });
}

if (process.argv[2] === '--child') child(process.argv[3], process.argv[4]);
else if (require.main === module && process.argv.includes('--instructions')) countFresh();
else if (require.main === module) run();
