import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { runPlan } from '../../src/cli/plan';
import { PLAN_JSON_SCHEMA_VERSION, PlanJson } from '../../src/plan';
import { FakeIOOptions, fakeIO, runCommand } from '../cli/fake-io';

const FIXTURE = path.join(__dirname, 'fixtures', 'seed-architecture.yaml');

const plan = (args: string[], opts: FakeIOOptions = {}) => runCommand(runPlan, args, opts);

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-plan-')); });
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });
const write = (name: string, text: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
};

/** The fixture without the deliberately unschedulable Job: every workload schedules, every maximum is reachable. */
function cleanFixture(): string {
  const docs = fs.readFileSync(FIXTURE, 'utf8').split(/^---$/m).filter((d) => !/name: model-finetuning/.test(d));
  return write('clean.yaml', docs.join('---'));
}

describe('cdk8s-gpu plan', () => {
  test('exit 1 on the seed architecture (one workload can never schedule); text names it and its reasons', async () => {
    const r = await plan([FIXTURE]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ Job ml-training/model-finetuning');
    expect(r.out).toContain('a100-mig-inference: required node affinity: workload-class In [training] matches no node of this pool');
    expect(r.out).toMatch(/lands on\s+gpu-pool-a as p4d\.24xlarge · the only pool that fits/);
    expect(r.out).toContain('Hourly cost: $60.20 at minimum, $152.57 at maximum replicas');
    expect(r.out).not.toContain('\u001b['); // not a terminal: no colour
    expect(r.err).toBe('');
  });

  test('exit 0 when every workload schedules and every maximum is reachable', async () => {
    const r = await plan([cleanFixture()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('every GPU workload can schedule and every scaler maximum can be reached');
  });

  test('exit 1 when a scaler maximum can never be reached', async () => {
    const text = fs.readFileSync(cleanFixture(), 'utf8').replace('maxReplicaCount: 10', 'maxReplicaCount: 14');
    const r = await plan([write('over.yaml', text)]);
    // 14 replicas × 4 GPUs = 7 p4d nodes = 56 GPUs > limit 48.
    expect(r.code).toBe(1);
    expect(r.out).toContain('the scalers\' maximum can never be reached');
  });

  test('exit 2 on unreadable input (the plan of what was read is still printed) and on bad usage', async () => {
    const missing = await plan([FIXTURE, path.join(tmp, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.yaml.*error/);
    expect(missing.out).toContain('GPU plan: 5 GPU workloads on 4 NodePools');
    const broken = await plan([write('broken.yaml', 'kind: [unclosed\n')]);
    expect(broken.code).toBe(2);
    for (const args of [[], ['--format', 'pdf', FIXTURE], ['--spot-discount', '1', FIXTURE], ['--spot-discount', 'abc', FIXTURE], ['--frobnicate', FIXTURE]]) {
      const r = await plan(args);
      expect(r.code).toBe(2);
      expect(r.err).toContain('Usage: cdk8s-gpu plan');
    }
    expect((await plan(['--help'])).code).toBe(0);
  });

  test('--format json: stable, versioned shape', async () => {
    const r = await plan(['--format', 'json', FIXTURE]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as PlanJson;
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'plan', 'inputErrors', 'summary']);
    expect(doc.schemaVersion).toBe(PLAN_JSON_SCHEMA_VERSION);
    expect(Object.keys(doc.plan)).toEqual(['spotDiscount', 'workloads', 'pools', 'totals', 'problems', 'assumptions']);
    expect(doc.summary).toEqual({ workloads: 5, unschedulable: 1, pools: 4, errors: 1, warnings: 0, exitCode: 1 });
    expect(doc.plan.totals.cost.expected).toEqual({ min: 60.203284, max: 152.571452 });
    expect(doc.plan.pools.find((p) => p.name === 'gpu-pool-a')?.cost.onDemand.max).toBe(109.78821); // rounded, no float noise
    const finetune = doc.plan.workloads.find((w) => w.name === 'model-finetuning')!;
    expect(finetune).toMatchObject({ kind: 'Job', namespace: 'ml-training', schedulable: false, fits: [] });
    expect(finetune.rejectedBy.map((g) => [g.failedPredicate, g.pools])).toEqual([
      ['nodeAffinity', ['gpu-pool-a', 'gpu-pool-b']], ['taints', ['gpu-spot-pool']], ['nodeAffinity', ['a100-mig-inference']],
    ]);
    expect(doc.schemaVersion).toBe(2); // v2: grouped fits/rejectedBy in place of one verdict per pool
    // Byte-identical on a second run.
    expect((await plan(['--format', 'json', FIXTURE])).out).toBe(r.out);
    // --spot-discount reaches the plan.
    const d = JSON.parse((await plan(['--format=json', '--spot-discount=0.7', FIXTURE])).out) as PlanJson;
    expect(d.plan.spotDiscount).toBe(0.7);
    expect(d.plan.totals.cost.expected.max).toBeCloseTo(152.571452 - 4.5376 + 3.4032, 6);
  });

  test('--format json reports input errors and exit code 2', async () => {
    const r = await plan(['--format', 'json', FIXTURE, path.join(tmp, 'missing.yaml')]);
    const doc = JSON.parse(r.out) as PlanJson;
    expect(r.code).toBe(2);
    expect(doc.summary.exitCode).toBe(2);
    expect(doc.inputErrors[0]).toMatchObject({ severity: 'error' });
  });

  test('--format html: one self-contained page with an SVG chart of GPU demand vs limit', async () => {
    const r = await plan(['--format', 'html', FIXTURE]);
    expect(r.code).toBe(1);
    const html = r.out;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).toContain('<style>');
    // Nothing fetched from anywhere: no URLs, scripts, external stylesheets, images or fonts.
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\bsrc=/i);
    // One limit line per pool with a limit, min and max bars per pool.
    expect(html.match(/class="limit"/g)).toHaveLength(4);
    expect(html.match(/<rect [^>]*class="min"/g)).toHaveLength(4);
    expect(html).toContain('limits.nvidia.com/gpu 48');
    expect(html).toContain('$60.20–$152.57');
    expect(html).toContain('nothing — can never schedule');
  });

  test('html escapes names from the manifests', async () => {
    const text = fs.readFileSync(cleanFixture(), 'utf8').replace('--cpu-noop', '');
    const evil = text.replace(/name: gpu-pool-b$/m, 'name: "gpu-pool-b<script>"');
    const r = await plan(['--format', 'html', write('evil.yaml', evil)]);
    expect(r.out).not.toContain('<script>');
    expect(r.out).toContain('gpu-pool-b&lt;script&gt;');
  });

  test('colour only on a terminal, never with NO_COLOR or --no-color', async () => {
    expect((await plan([FIXTURE], { isTTY: true })).out).toContain('\u001b[31m');
    expect((await plan([FIXTURE], { isTTY: true, env: { NO_COLOR: '1' } })).out).not.toContain('\u001b[');
    expect((await plan(['--no-color', FIXTURE], { isTTY: true })).out).not.toContain('\u001b[');
    expect((await plan(['--format', 'html', FIXTURE], { isTTY: true })).out).not.toContain('\u001b[');
  });

  test('reads standard input with -', async () => {
    const r = await plan(['-'], { stdin: fs.readFileSync(FIXTURE, 'utf8') });
    expect(r.code).toBe(1);
    expect(r.out).toContain('(<stdin>:');
  });

  test('the cdk8s-gpu dispatcher runs plan', async () => {
    const f = fakeIO();
    expect(await main(['plan', cleanFixture()], f.io)).toBe(0);
    expect(f.out()).toContain('GPU plan: 4 GPU workloads on 4 NodePools');
  });
});
