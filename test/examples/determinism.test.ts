/**
 * Snapshot-friendly output: the same app gives byte-identical YAML on every run, process and machine (no
 * timestamps, random suffixes, locale or time-zone effects, map-order drift), and names stay stable when
 * unrelated constructs are added.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { cdk8sExamples, cleanup, idOf, parseYaml, synthFiles, tmpdir } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { CapacityType, GpuNodePool, SpotGpuPool } from '../../src/pools';
import { GpuRequest, InferenceDeployment, TieredPriorities, TrainingJob } from '../../src/workloads';

const examples = cdk8sExamples();
const ROOT = path.join(__dirname, '..', '..');
const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };

function synthOnce(build: (outdir?: string) => App): Record<string, string> {
  const dir = tmpdir();
  try {
    return Object.fromEntries(synthFiles(build(dir)));
  } finally {
    cleanup(dir);
  }
}

describe.each(examples.map((e) => [e.name, e] as const))('examples/%s is deterministic', (_name, example) => {
  test('two fresh Apps in two output folders give byte-identical files', () => {
    const a = synthOnce(example.build);
    const b = synthOnce(example.build);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const f of Object.keys(a)) expect(b[f] === a[f]).toBe(true);
  });

  test('the output does not depend on the clock or Math.random', () => {
    const before = synthOnce(example.build);
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.987654321);
    jest.useFakeTimers({ now: new Date('1999-12-31T23:59:59Z'), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      expect(synthOnce(example.build)).toEqual(before);
    } finally {
      jest.useRealTimers();
      random.mockRestore();
    }
  });

  test('another process, time zone and locale give the same bytes', () => {
    const inProcess = synthOnce(example.build);
    const dir = tmpdir();
    try {
      const script = `require(${JSON.stringify(path.join(ROOT, 'examples', example.name, 'app'))}).build(${JSON.stringify(dir)}).synth();`;
      const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', path.join(ROOT, 'scripts', 'register-cdk8s-gpu.js'), '-e', script], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'), TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' },
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const fs = jest.requireActual('fs');
      for (const [f, text] of Object.entries(inProcess)) {
        expect(fs.readFileSync(path.join(dir, f), 'utf8') === text).toBe(true);
      }
    } finally {
      cleanup(dir);
    }
  });

  test('adding unrelated constructs renames nothing and changes no existing object', () => {
    const app = example.build(tmpdir());
    const before = new Map(parseYaml(app.synthYaml()).map((o) => [idOf(o), o]));
    const chart = app.charts[0];
    // Unrelated additions: an unnamed pool and workload, a named pool, a spot pool and a training job on it.
    const extra = new GpuNodePool(chart, 'unrelated-pool', {
      instanceTypes: [GpuInstanceType.G6_XLARGE, GpuInstanceType.G6_2XLARGE],
      capacityType: CapacityType.ON_DEMAND,
      gpuLimit: 4,
      nodeClassProps: BOUND,
    });
    new InferenceDeployment(chart, 'unrelated-model', { pools: [extra], image: 'example.com/server:1.0', namespace: 'unrelated' });
    const spot = new SpotGpuPool(chart, 'unrelated-spot', {
      name: 'unrelated-spot',
      instanceTypes: [GpuInstanceType.G6_XLARGE, GpuInstanceType.G6_2XLARGE, GpuInstanceType.G6_4XLARGE],
      gpuLimit: 4,
      nodeClassProps: BOUND,
    });
    new TrainingJob(chart, 'unrelated-job', { pools: [spot], image: 'example.com/train:1.0', namespace: 'unrelated', gpus: GpuRequest.whole(1) });
    const after = new Map(parseYaml(app.synthYaml()).map((o) => [idOf(o), o]));
    expect(after.size).toBeGreaterThan(before.size);
    for (const [id, obj] of before) {
      expect(after.has(id)).toBe(true);
      expect(after.get(id)).toEqual(obj);
    }
  });
});

describe('generated names (no `name` props) are stable', () => {
  /** A chart of unnamed constructs; `extras` adds siblings before and after them. */
  function synth(extras: boolean): Map<string, any> {
    const chart = Testing.chart();
    if (extras) new GpuNodePool(chart, 'aaa-first', { instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 2, nodeClassProps: BOUND });
    const pool = new GpuNodePool(chart, 'pool', { instanceTypes: [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_2XLARGE], gpuLimit: 4, nodeClassProps: BOUND });
    if (extras) new TieredPriorities(chart, 'priorities');
    new InferenceDeployment(chart, 'server', { pools: [pool], image: 'example.com/server:1.0' });
    new TrainingJob(chart, 'job', { pools: [pool], image: 'example.com/train:1.0' });
    if (extras) new InferenceDeployment(new Chart(chart, 'nested'), 'server', { pools: [pool], image: 'example.com/server:1.0' });
    return new Map(Testing.synth(chart).map((o: any) => [idOf(o), o]));
  }

  test('names come from construct paths: siblings added before or after change none of them', () => {
    const base = synth(false);
    const grown = synth(true);
    expect(grown.size).toBeGreaterThan(base.size);
    for (const [id, obj] of base) {
      expect(grown.get(id)).toEqual(obj);
    }
    // Generated names carry no random or counter suffix: the same path, the same name, every time.
    expect([...synth(false).keys()]).toEqual([...base.keys()]);
  });
});

describe('no hidden sources of nondeterminism in src/', () => {
  /** Every .ts file under src/ except the generated CRD bindings. */
  function sources(dir = path.join(ROOT, 'src')): string[] {
    const fs = jest.requireActual('fs');
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e: any) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return p.endsWith(`${path.sep}imports`) ? [] : sources(p);
      return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
    });
  }

  test('no clock, randomness or locale-dependent formatting in library code (the CLI may time itself; an explicit locale is fine)', () => {
    const fs = jest.requireActual('fs');
    const banned = /Math\.random\(|Date\.now\(|new Date\(\s*\)|randomUUID\(|randomBytes\(|process\.hrtime|performance\.now\(|toLocale(String|DateString|TimeString|UpperCase|LowerCase)\((?!\s*['"][a-z]{2}-[A-Z]{2}['"])|Intl\.(?!NumberFormat\(\s*['"][a-z]{2}-[A-Z]{2}['"])/;
    const hits: string[] = [];
    for (const f of sources()) {
      if (f.includes(`${path.sep}cli${path.sep}`)) continue;
      fs.readFileSync(f, 'utf8').split('\n').forEach((line: string, i: number) => {
        if (banned.test(line) && !/^\s*(\*|\/\/)/.test(line)) hits.push(`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
