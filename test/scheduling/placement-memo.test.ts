/**
 * PlacementMemo (what `plan` uses for thousands of workloads × thousands of pools) gives exactly placeOnPool's
 * verdicts, shares the verdicts node selection rules out, and judges each (template, pool) pair's resources once.
 */
import * as fc from 'fast-check';
import { poolModelOf } from '../../src/scheduling/nodepool';
import { PlacementMemo, placementSignature, placeOnPool } from '../../src/scheduling/placement';
import { podTemplateOf } from '../../src/scheduling/workloads';

const TIERS = ['a', 'b', 'c'];
const TYPES = [['g5.xlarge', 'g5.12xlarge'], ['p4d.24xlarge'], ['g6.xlarge', 'g6.48xlarge'], ['g6e.xlarge']];

const pool = (i: number, tainted: boolean, limit: number) => poolModelOf({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: `p${i}` },
  spec: {
    template: {
      metadata: { labels: { tier: TIERS[i % TIERS.length] } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'd' },
        requirements: [
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: TYPES[i % TYPES.length] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: i % 2 ? ['spot', 'on-demand'] : ['on-demand'] },
        ],
        ...(tainted ? { taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] } : {}),
      },
    },
    limits: { 'nvidia.com/gpu': limit, 'cpu': limit * 12 },
  },
});

const template = (tiers: string[], tolerate: boolean, gpus: number, cpu: number) => podTemplateOf({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'w' },
  spec: {
    replicas: 1,
    template: {
      spec: {
        ...(tolerate ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] } : {}),
        ...(tiers.length > 0 ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: tiers }] }] } } } } : {}),
        containers: [{ name: 'c', resources: { requests: { cpu: String(cpu) }, limits: { 'nvidia.com/gpu': gpus } } }],
      },
    },
  },
})!;

describe('PlacementMemo', () => {
  test('verdicts equal placeOnPool\'s for every template and pool', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 16 })), { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.subarray(TIERS), fc.boolean(), fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 1, max: 200 })),
        { minLength: 1, maxLength: 12 }),
      (poolSpecs, templateSpecs) => {
        const pools = poolSpecs.map(([tainted, limit], i) => pool(i, tainted, limit));
        const memo = new PlacementMemo(pools);
        for (const [tiers, tolerate, gpus, cpu] of templateSpecs) {
          const t = template(tiers, tolerate, gpus, cpu);
          expect(memo.verdicts(t)).toEqual(pools.map((p) => placeOnPool(t, p)));
        }
      },
    ));
  });

  test('selection failures are shared between templates; identical templates are judged once', () => {
    const pools = [0, 1, 2, 3, 4, 5].map((i) => pool(i, true, 64));
    const memo = new PlacementMemo(pools);
    const a = memo.verdicts(template(['a'], true, 1, 2));
    const computedAfterA = memo.computed;
    expect(computedAfterA).toBe(2); // the two tier-a pools; the others fail node affinity
    const b = memo.verdicts(template(['a'], true, 2, 3)); // same selection, other resources
    expect(memo.computed).toBe(4);
    for (let i = 0; i < pools.length; i++) if (!a[i].fits && a[i].failedPredicate === 'nodeAffinity') expect(b[i]).toBe(a[i]);
    const again = template(['a'], true, 2, 3);
    expect(memo.verdicts(again, placementSignature(again))).toBe(b);
    expect(memo.computed).toBe(4);
  });
});
