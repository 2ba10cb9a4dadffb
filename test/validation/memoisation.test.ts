/**
 * The engine memoises GPU demand per pod template and placement verdicts per (placement signature, NodePool).
 * These tests prove the memoisation changes no finding, and that the number of placement computations grows with
 * the number of distinct signatures, not with the number of workloads (linearity, counted, never timed).
 */
import { DEFAULT_NODE_CLASS, GPU_TOLERATION, nodePool, of, ruleFixtureObjects, workload } from './helpers';
import { generate } from '../../bench/lint';
import * as placement from '../../src/scheduling/placement';
import { SourcedManifest, validateManifests } from '../../src/validation';
import { _runValidation } from '../../src/validation/engine';

/** Every rule fixture, plus a hand-made mix of pools and workloads that exercises GPU002, GPU004 and GPU006. */
function mixedFixture(): SourcedManifest[] {
  const fromFiles = ruleFixtureObjects();
  const pools = [
    nodePool({ name: 'g6', limits: { 'nvidia.com/gpu': 16 } }),
    nodePool({ name: 'p5', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p5.48xlarge'] }] }),
    nodePool({ name: 'a10g-spot', requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5'] }, { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }], taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] }),
    nodePool({ name: 'open', requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }], taints: [] }),
    { ...nodePool({ name: 'mig', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge'] }], taints: [{ key: 'nvidia.com/mig', effect: 'NoExecute' }] }), metadata: { name: 'mig', annotations: { 'cdk8s-gpu.io/advertised-resources-per-gpu': '{"nvidia.com/mig-1g.5gb": 7}' } } },
  ];
  const workloads: any[] = [];
  let i = 0;
  for (const tolerations of [undefined, [GPU_TOLERATION], [{ operator: 'Exists' }], [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]]) {
    for (const nodeSelector of [undefined, { 'karpenter.k8s.aws/instance-gpu-name': 'l4' }, { 'karpenter.sh/capacity-type': 'spot' }] as Array<Record<string, string> | undefined>) {
      for (const limits of [undefined, { 'nvidia.com/gpu': 1 }, { 'nvidia.com/gpu': 8 }, { 'nvidia.com/mig-1g.5gb': 1 }, { 'nvidia.com/gpu': 1, 'memory': '900Gi' }]) {
        for (const kind of ['Deployment', 'DaemonSet', 'CronJob']) {
          workloads.push(workload({ kind, name: `w${i++}`, ...(tolerations ? { tolerations } : {}), ...(nodeSelector ? { nodeSelector } : {}), ...(limits ? { limits } : {}) }));
        }
      }
    }
  }
  // Required node affinity is part of the signature: same tolerations and demand, different affinity.
  const affinity = (values: string[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values }] }] } } });
  for (const values of [['h100'], ['l4', 'a10g'], ['t4']]) {
    const w = workload({ name: `aff-${values.join('-')}`, tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1 } });
    w.spec.template.spec.affinity = affinity(values);
    workloads.push(w);
  }
  return [...fromFiles, ...[...pools, DEFAULT_NODE_CLASS, ...workloads].map((object) => ({ object }))];
}

describe('placement memoisation', () => {
  test('the mixed fixture yields the same findings with and without memoisation (and GPU002/004/006 all fire)', () => {
    const manifests = mixedFixture();
    const memo = _runValidation(manifests, {}, { memoise: true });
    const plain = _runValidation(manifests, {}, { memoise: false });
    expect(memo.findings).toEqual(plain.findings);
    const ids = new Set(memo.findings.map((f) => f.ruleId));
    for (const id of ['GPU002', 'GPU004', 'GPU006']) expect(ids).toContain(id);
    // The memoised run computed strictly fewer placements than the plain one.
    expect(memo.index.placementEvaluations).toBeLessThan(plain.index.placementEvaluations);
    expect(validateManifests(manifests)).toEqual(memo.findings);
  });

  test('the benchmark generator\'s objects yield the same findings with and without memoisation', () => {
    const manifests = generate(1500, 25, 7).map((object) => ({ object }));
    const memo = _runValidation(manifests, {}, { memoise: true });
    const plain = _runValidation(manifests, {}, { memoise: false });
    expect(memo.findings.length).toBeGreaterThan(0);
    expect(memo.findings).toEqual(plain.findings);
  });

  describe('placement computations grow with distinct signatures, not with workloads', () => {
    const pools = [
      nodePool({ name: 'g6' }),
      nodePool({ name: 'g5', requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5'] }] }),
      nodePool({ name: 'p5', requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['p5'] }] }),
    ];
    // Three distinct placement signatures; names, labels, namespaces and images vary freely.
    const replicaOf = (i: number) => {
      const w = workload({
        name: `model-${i}`,
        namespace: `team-${i % 7}`,
        labels: { app: `model-${i}` },
        tolerations: [GPU_TOLERATION],
        limits: { 'nvidia.com/gpu': 1 + (i % 3) },
      });
      w.spec.replicas = 1 + (i % 5);
      w.spec.template.spec.containers[0].image = `vllm/vllm-openai:v0.${i}`;
      // one CPU-only squatter per 10 workloads, for GPU004
      if (i % 10 === 9) delete w.spec.template.spec.containers[0].resources.limits;
      return w;
    };
    const manifestsOf = (n: number) =>
      [...pools, DEFAULT_NODE_CLASS, ...Array.from({ length: n }, (_, i) => replicaOf(i))].map((object) => ({ object }));

    let spy: jest.SpyInstance;
    beforeEach(() => { spy = jest.spyOn(placement, 'placeOnPool'); });
    afterEach(() => spy.mockRestore());

    test('10x more workloads with the same signatures: the same number of placement computations', () => {
      // The helpers' pools are fragments (no EC2NodeClass selectors): the schema gate is not what this test measures.
      const small = _runValidation(manifestsOf(30), { schemaGate: false }, {});
      const smallCalls = spy.mock.calls.length;
      spy.mockClear();
      const large = _runValidation(manifestsOf(300), { schemaGate: false }, {});
      const largeCalls = spy.mock.calls.length;

      // Every verdict of the run's own pools comes from the planner's PlacementMemo (no placeOnPool run), computed once
      // per (distinct signature, pool) at most: 4 signatures (3 GPU demands + the CPU squatter) × 3 pools.
      expect(smallCalls).toBe(0);
      expect(largeCalls).toBe(0);
      expect(small.index.placementEvaluations).toBeGreaterThan(0);
      expect(large.index.placementEvaluations).toBe(small.index.placementEvaluations);
      expect(large.index.placementEvaluations).toBeLessThanOrEqual(4 * pools.length);
      // …while the findings do scale with the workloads (GPU006 on each 1-GPU workload, GPU004 on each squatter), but
      // for GPU223's, one per over-committed set of pools however many workloads share it
      const perWorkload = (fs: readonly { ruleId: string }[]) => fs.filter((f) => f.ruleId !== 'GPU223');
      expect(perWorkload(large.findings).length).toBe(10 * perWorkload(small.findings).length);
      expect(of(large.findings, 'GPU223')).toHaveLength(of(small.findings, 'GPU223').length);
    });

    test('without memoisation the same run computes one placement per workload and pool', () => {
      _runValidation(manifestsOf(30), {}, { memoise: false });
      const plainCalls = spy.mock.calls.length;
      spy.mockClear();
      _runValidation(manifestsOf(30), {}, {});
      expect(spy.mock.calls.length).toBeLessThan(plainCalls);
      expect(plainCalls).toBeGreaterThanOrEqual(30 * pools.length / 3); // the counter really observes placeOnPool
    });
  });
});
