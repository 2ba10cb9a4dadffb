import * as path from 'path';
import { planGpuWorkloads, renderPlanHtml, renderPlanText } from '../../src/plan';
import { loadYaml } from '../validation/helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');
const P5 = 55.04; // p5.48xlarge on-demand USD/h, us-east-1 (catalog, Karpenter's price table)

describe('plan: a multi-node job is one gang', () => {
  test('2 × 8-GPU p5 ranks: all 2 nodes or none, with the gang\'s hourly cost', () => {
    const plan = planGpuWorkloads(loadYaml(path.join(FIXTURES, 'GPU212', 'pass.yaml')));
    const w = plan.workloads.find((x) => x.name === 'finetune')!;
    expect(w.gang).toEqual({ ranks: 2, nodes: 2, instanceType: 'p5.48xlarge', nodeGpus: 16, usdPerHour: 2 * P5 });
    expect(w.problems).toEqual([]);
    expect(plan.pools[0].nodes).toEqual({ min: 2, max: 2 });
    expect(plan.totals.cost.expected).toEqual({ min: 2 * P5, max: 2 * P5 });
    expect(renderPlanText(plan)).toContain('gang         2 ranks run at once: all 2 × p5.48xlarge (16 GPUs) or none · $110.08/hour');
    expect(renderPlanHtml(plan)).toContain('<div>gang: 2 ranks run at once: all 2 × p5.48xlarge (16 GPUs) or none · $110.08/hour</div>');
  });

  test('on a pool limited to 8 GPUs the gang can never start (error naming 16 and 8)', () => {
    const plan = planGpuWorkloads(loadYaml(path.join(FIXTURES, 'GPU212', 'fail.yaml')));
    const w = plan.workloads.find((x) => x.name === 'finetune')!;
    expect(w.problems).toContainEqual(expect.stringContaining('the gang can never start: its 2 ranks need 2 × p5.48xlarge = 16 GPUs at once, but the pools it fits allow 8'));
  });

  test('ranks share nodes unless a required hostname anti-affinity selects the gang\'s own pods', () => {
    const load = () => loadYaml(path.join(FIXTURES, 'GPU225', 'pass.yaml'));
    const evalGang = (manifests: any[]) => planGpuWorkloads(manifests).workloads.find((x) => x.name === 'llama-eval')!.gang;
    // Two 4-GPU ranks fit one p5.48xlarge.
    expect(evalGang(load())).toMatchObject({ ranks: 2, nodes: 1 });
    const withAntiAffinity = (matchLabels: Record<string, string>) => {
      const manifests = load();
      const job = manifests.find((m) => m.object.metadata?.name === 'llama-eval' && m.object.kind === 'Job')!.object;
      job.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels }, topologyKey: 'kubernetes.io/hostname' }] } };
      return manifests;
    };
    expect(evalGang(withAntiAffinity({ app: 'llama-eval' }))).toMatchObject({ ranks: 2, nodes: 2 });
    // A term that keeps them away from other pods does not keep them apart (kube-scheduler's InterPodAffinity).
    expect(evalGang(withAntiAffinity({ app: 'llama-pretrain' }))).toMatchObject({ ranks: 2, nodes: 1 });
  });

  test('a parallel Job that is not Indexed is no gang', () => {
    const plan = planGpuWorkloads(loadYaml(path.join(FIXTURES, 'GPU211', 'pass.yaml')));
    expect(plan.workloads[0].gang).toBeUndefined();
  });
});
