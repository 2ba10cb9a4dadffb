/**
 * CronJobs in the plan: nothing runs between schedules (the CronJob controller creates a Job at each scheduled time,
 * https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/), so a CronJob needs 0 replicas at the minimum
 * and its Job's parallelism at the maximum. A run that finds the capacity held by the always-running workloads waits
 * with Pending pods (a warning); one that does not fit its pools even alone is an error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { build } from '../../examples/distributed-training/app';
import { runPlan } from '../../src/cli/plan';
import { planGpuWorkloads, planHasErrors, renderPlanText } from '../../src/plan';
import { CRONJOB_REPLICAS_SOURCE } from '../../src/plan/replicas';
import { runCommand } from '../cli/fake-io';
import { cleanup, tmpdir } from '../examples/helpers';
import { parseYaml } from '../validation/helpers';

/** A NodePool of p5.48xlarge (8 GPUs each) capped at `gpus` GPUs. */
const pool = (gpus: number) => `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: p5 }
spec:
  limits: { nvidia.com/gpu: ${gpus} }
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
      requirements:
        - { key: node.kubernetes.io/instance-type, operator: In, values: [p5.48xlarge] }
`;
const container = '{ name: c, image: example.com/train:1.0, resources: { limits: { nvidia.com/gpu: 8 } } }';
const deployment = (replicas: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: serving, namespace: ml }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: serving } }
  template:
    metadata: { labels: { app: serving } }
    spec: { containers: [${container}] }
`;
const cronJob = (parallelism?: number) => `
apiVersion: batch/v1
kind: CronJob
metadata: { name: retrain, namespace: ml }
spec:
  schedule: "0 3 * * 0"
  jobTemplate:
    spec:
      ${parallelism === undefined ? '' : `parallelism: ${parallelism}`}
      template:
        spec: { restartPolicy: Never, containers: [${container}] }
`;
const plan = (...docs: string[]) => planGpuWorkloads(parseYaml(docs.join('---\n')), { schemaGate: false });
const workload = (p: ReturnType<typeof plan>, kind: string) => p.workloads.find((w) => w.kind === kind)!;

describe('plan: CronJobs run only at their schedule', () => {
  test('replicas: 0 between runs, the Job\'s parallelism during one (Job default 1), source stated', () => {
    expect(workload(plan(pool(16), cronJob(2)), 'CronJob').replicas).toEqual({ min: 0, max: 2, source: CRONJOB_REPLICAS_SOURCE });
    expect(workload(plan(pool(16), cronJob()), 'CronJob').replicas).toEqual({ min: 0, max: 1, source: CRONJOB_REPLICAS_SOURCE });
    expect(CRONJOB_REPLICAS_SOURCE).toBe('spec.jobTemplate.spec.parallelism during a run, 0 between runs');
    // At the minimum it launches nothing.
    const p = plan(pool(16), cronJob(2));
    expect(p.pools[0].nodes).toEqual({ min: 0, max: 2 });
    expect(renderPlanText(p)).toContain(`replicas 0–2 (${CRONJOB_REPLICAS_SOURCE})`);
  });

  test('a run that overlaps a Deployment holding the pool waits: a warning naming it, the plan passes', () => {
    // 16 GPUs: the Deployment's 2 × 8 fill it; the CronJob's run (2 × 8) fits only on its own. The CronJob comes
    // first in the input and still yields: it is placed after the always-running workloads.
    const p = plan(pool(16), cronJob(2), deployment(2));
    expect(workload(p, 'Deployment').problems).toEqual([]);
    expect(workload(p, 'Deployment').spread).toEqual([{ pool: 'p5', min: 2, max: 2 }]);
    const cj = workload(p, 'CronJob');
    expect(cj.problems).toEqual([]);
    expect(cj.notes).toEqual([
      'cannot run at the same time as Deployment ml/serving: while it holds NodePool p5 (limits.nvidia.com/gpu 16), '
        + 'a run\'s Job has 2 of its 2 pods Pending; they start once that capacity is freed (the run fits on its own)',
    ]);
    expect(p.pools[0].problems).toEqual([]);
    expect(p.pools[0].notes).toEqual([expect.stringContaining('CronJob ml/retrain cannot run at the same time as the pool\'s other workloads')]);
    expect(p.problems.map((x) => [x.severity, x.subject])).toEqual([['warning', 'CronJob ml/retrain'], ['warning', 'NodePool p5']]);
    expect(planHasErrors(p)).toBe(false);
  });

  test('a run too big for its pools even alone stays an error', () => {
    // 8 GPUs: one p5; the run needs two.
    const p = plan(pool(8), cronJob(2));
    expect(workload(p, 'CronJob').problems).toEqual([
      'its maximum of 2 replicas can never be reached: NodePool p5 is capped at limits.nvidia.com/gpu 8',
    ]);
    expect(workload(p, 'CronJob').notes).toEqual([]);
    expect(p.pools[0].problems).toEqual([expect.stringContaining('the scalers\' maximum can never be reached (CronJob ml/retrain can land on no other pool)')]);
    expect(planHasErrors(p)).toBe(true);
    // Next to a Deployment it is still an error (it does not fit alone), and the Deployment keeps its capacity.
    const both = plan(pool(8), cronJob(2), deployment(1));
    expect(workload(both, 'Deployment').problems).toEqual([]);
    expect(workload(both, 'CronJob').problems).toHaveLength(1);
    expect(planHasErrors(both)).toBe(true);
  });
});

describe('examples/distributed-training: the weekly retraining CronJob and the fine-tuning Job share the Capacity Block', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpdir();
    build(dir).synth();
  });
  afterAll(() => cleanup(dir));

  test('plan exits 0, with the overlap as a warning', async () => {
    const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.k8s.yaml'))!);
    const r = await runCommand(runPlan, [file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning CronJob training/llm-retrain-weekly: cannot run at the same time as Job training/llm-finetune: '
      + 'while it holds NodePool h100-capacity-block');
    expect(r.out).not.toMatch(/^ {2}error /m);
  });
});
