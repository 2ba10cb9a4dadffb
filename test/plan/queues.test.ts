import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build as buildTraining } from '../../examples/distributed-training/app';
import { build } from '../../examples/multi-tenant/app';
import { runPlan } from '../../src/cli/plan';
import { planGpuWorkloads, planToJson, renderPlanHtml, renderPlanText } from '../../src/plan';
import { runCommand } from '../cli/fake-io';
import { parseYaml } from '../examples/helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');

describe('plan: Kueue queues', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-queues-'));
    build(dir).synth();
    file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.k8s.yaml'))!);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('examples/multi-tenant: each ClusterQueue\'s quota per flavor against its pools\' GPU limit, and the demand queued on it', () => {
    const objects = parseYaml(fs.readFileSync(file, 'utf8'));
    const plan = planGpuWorkloads(objects.map((object) => ({ object })));
    expect(plan.queues!.map((q) => [q.name, q.cohort, q.localQueues, q.workloads, q.demand, q.problems])).toEqual([
      ['serving', undefined, ['ml-serving/serving'], ['Deployment ml-serving/llm-inference-server'], { 'nvidia.com/mig-1g.5gb': { min: 2, max: 2 } }, []],
      ['training', 'gpu-tiers', ['ml-training/training'], ['Job ml-training/model-finetuning'], { 'nvidia.com/gpu': { min: 4, max: 4 } }, []],
      ['notebooks', 'gpu-tiers', ['ml-notebook/notebooks'], ['Deployment ml-notebook/notebook-llm'], { 'nvidia.com/gpu': { min: 1, max: 1 } }, []],
    ]);
    expect(plan.queues![1].flavors).toEqual([{
      flavor: 'a100-h100-training', pools: ['a100-h100-training'], poolGpuLimit: 32, nominal: { 'nvidia.com/gpu': 16 }, borrowingLimit: { 'nvidia.com/gpu': 8 },
    }]);
    expect(plan.queues![2].flavors.map((f) => [f.flavor, f.nominal['nvidia.com/gpu']])).toEqual([['t4-notebook', 4], ['a100-h100-training', 8]]);
    expect(planToJson(plan).plan.queues).toHaveLength(3);
  });

  test('the text plan shows the queues table; a queue above its pool\'s limit and demand above quota are noted', async () => {
    const r = await runCommand(runPlan, [file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Queues (Kueue)');
    expect(r.out).toMatch(/training\s+gpu-tiers\s+a100-h100-training → a100-h100-training\s+16 \+8 gpu\s+32\s+4 gpu\s+ml-training\/training/);

    const over = await runCommand(runPlan, [path.join(FIXTURES, 'GPU500', 'fail.yaml')]);
    expect(over.out).toMatch(/team-a\s+gpus\s+h100 → h100\s+16 gpu\s+16/);
    const objects = parseYaml(fs.readFileSync(path.join(FIXTURES, 'GPU500', 'fail.yaml'), 'utf8'));
    objects.find((o) => o.metadata.name === 'team-a').spec.resourceGroups[0].flavors[0].resources[0].nominalQuota = 24;
    const plan = planGpuWorkloads(objects.map((object) => ({ object })));
    expect(plan.queues![0].problems).toEqual([expect.stringMatching(/flavor h100: nominal 24 nvidia.com\/gpu above the 16 its pools \(h100\) may run/)]);
  });

  test('the HTML plan shows the same queues table: a quota above its pools\' limit marked, a queue\'s notes under it', () => {
    const objects = parseYaml(fs.readFileSync(path.join(FIXTURES, 'GPU500', 'fail.yaml'), 'utf8'));
    objects.find((o) => o.metadata.name === 'team-a').spec.resourceGroups[0].flavors[0].resources[0].nominalQuota = 24;
    const plan = planGpuWorkloads(objects.map((object) => ({ object })));
    const html = renderPlanHtml(plan);
    expect(html).toContain('<h2>Queues (Kueue)</h2>');
    expect(html).toContain('<th>ClusterQueue</th><th>Cohort</th><th>Flavor → pools</th><th>GPU quota (+borrow)</th><th class="num">Pool GPU limit</th>');
    expect(html).toMatch(/<tr><td><b class="warn">team-a<\/b><\/td><td>[^<]*<\/td><td>h100 → h100<\/td><td class="bad">24 gpu<\/td><td class="num">16<\/td>/);
    expect(html).toContain(`<div class="warn">team-a: ${plan.queues![0].problems[0]}</div>`);
    // The text view's table has the same titles, in capitals.
    expect(renderPlanText(plan)).toMatch(/CLUSTERQUEUE\s+COHORT\s+FLAVOR → POOLS\s+GPU QUOTA \(\+BORROW\)\s+POOL GPU LIMIT\s+QUEUED DEMAND\s+LOCAL QUEUES/);
  });

  test('a flavor selecting seven pools: the views name five and count the rest, as for every list of pools', () => {
    const objects = parseYaml(fs.readFileSync(path.join(FIXTURES, 'GPU500', 'fail.yaml'), 'utf8'));
    const pool = objects.find((o) => o.kind === 'NodePool');
    const copies = [1, 2, 3, 4, 5, 6].map((i) => ({ ...pool, metadata: { ...pool.metadata, name: `${pool.metadata.name}-${i}` } }));
    objects.find((o) => o.kind === 'ResourceFlavor').spec.nodeLabels = { 'node.kubernetes.io/instance-type': 'p5.48xlarge' };
    const plan = planGpuWorkloads([...objects, ...copies].map((object) => ({ object })));
    const f = plan.queues![0].flavors[0];
    expect(f.pools).toHaveLength(7); // JSON keeps every name
    const shown = `7 pools (${f.pools.slice(0, 5).join(', ')} and 2 more)`;
    expect(renderPlanText(plan)).toContain(`${f.flavor} → ${shown}`);
    expect(renderPlanHtml(plan)).toContain(`<td>${f.flavor} → ${shown}</td>`);
  });

  test('manifests without ClusterQueues: no queues in the plan (JSON unchanged)', () => {
    const plan = planGpuWorkloads([]);
    expect(plan.queues).toBeUndefined();
    expect(renderPlanHtml(plan)).not.toContain('Queues (Kueue)');
    expect(JSON.stringify(planToJson(plan))).not.toContain('queues');
  });
});

describe('plan: the queue a CronJob\'s Jobs are submitted to', () => {
  test('examples/distributed-training: the weekly TrainingJob (a CronJob, its queue label in jobTemplate) is queued with the fine-tune Job', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-queues-'));
    try {
      buildTraining(dir).synth();
      const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.k8s.yaml'))!);
      const objects = parseYaml(fs.readFileSync(file, 'utf8'));
      const cron = objects.find((o) => o.kind === 'CronJob');
      expect(cron.spec.jobTemplate.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('training');
      expect(cron.metadata.labels?.['kueue.x-k8s.io/queue-name']).toBeUndefined();
      const plan = planGpuWorkloads(objects.map((object) => ({ object })));
      expect(plan.queues!.map((q) => [q.name, q.workloads, q.demand])).toEqual([
        ['training', ['Job training/llm-finetune', `CronJob training/${cron.metadata.name}`], { 'nvidia.com/gpu': { min: 16, max: 32 } }],
      ]);
      // The CronJob's own labels never reach its Jobs: a label there queues nothing.
      cron.metadata.labels = { ...cron.metadata.labels, 'kueue.x-k8s.io/queue-name': 'training' };
      delete cron.spec.jobTemplate.metadata.labels['kueue.x-k8s.io/queue-name'];
      const moved = planGpuWorkloads(objects.map((object) => ({ object })));
      expect(moved.queues![0].workloads).toEqual(['Job training/llm-finetune']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
