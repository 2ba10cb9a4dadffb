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

const template = (tiers: string[], tolerate: boolean, gpus: number, cpu: number, memoryGi: number = 1) => podTemplateOf({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'w' },
  spec: {
    replicas: 1,
    template: {
      spec: {
        ...(tolerate ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] } : {}),
        ...(tiers.length > 0 ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: tiers }] }] } } } } : {}),
        containers: [{ name: 'c', resources: { requests: { cpu: String(cpu), memory: `${memoryGi}Gi` }, limits: { 'nvidia.com/gpu': gpus } } }],
      },
    },
  },
})!;

describe('PlacementMemo', () => {
  test('verdicts equal placeOnPool\'s for every template and pool', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 16 })), { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.subarray(TIERS), fc.boolean(), fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 1, max: 200 }),
        fc.constantFrom(1, 16, 100, 400, 1200, 2500)), { minLength: 1, maxLength: 12 }),
      (poolSpecs, templateSpecs) => {
        const pools = poolSpecs.map(([tainted, limit], i) => pool(i, tainted, limit));
        const memo = new PlacementMemo(pools);
        for (const [tiers, tolerate, gpus, cpu, memoryGi] of templateSpecs) {
          const t = template(tiers, tolerate, gpus, cpu, memoryGi);
          expect(memo.verdicts(t)).toEqual(pools.map((p) => placeOnPool(t, p)));
        }
      },
    ));
  });

  test('with ephemeral storage against each pool\'s EC2NodeClass disk, verdicts equal placeOnPool\'s too', () => {
    const classes = [
      undefined, // not in the manifests: the disk is not known
      {}, // Karpenter's default 20Gi volume
      { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '200Gi' } }] },
      { instanceStorePolicy: 'RAID0' },
    ];
    const diskPool = (i: number, c: number, limit: number) => {
      const json = (pool(i, false, limit) as any).object;
      const spec = classes[c];
      const nodeClasses = spec === undefined ? [] : [{
        apiVersion: 'karpenter.k8s.aws/v1',
        kind: 'EC2NodeClass',
        metadata: { name: 'd' },
        spec: { amiSelectorTerms: [{ alias: 'al2023@latest' }], ...spec },
      }];
      return poolModelOf(json, undefined, undefined, nodeClasses);
    };
    const withDisk = (gpus: number, disk: string) => {
      const t = template([], false, gpus, 1);
      (t.podSpec.containers[0].resources.requests as any)['ephemeral-storage'] = disk;
      return podTemplateOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w' }, spec: { template: { spec: t.podSpec } } })!;
    };
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 16 })), { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.constantFrom(1, 2, 4, 8), fc.constantFrom('0', '10Gi', '100Gi', '300Gi', '1Ti', '9000G')), { minLength: 1, maxLength: 12 }),
      (poolSpecs, templateSpecs) => {
        const pools = poolSpecs.map(([c, limit], i) => diskPool(i, c, limit));
        const memo = new PlacementMemo(pools);
        for (const [gpus, disk] of templateSpecs) {
          const t = withDisk(gpus, disk);
          expect(memo.verdicts(t)).toEqual(pools.map((p) => placeOnPool(t, p)));
        }
      },
    ));
    // and the predicate decides: 300Gi fits the instance store of g6.48xlarge (7520G), not g6.xlarge's (250G) nor a
    // 200Gi volume
    const t = withDisk(1, '300Gi');
    expect(placeOnPool(t, diskPool(2, 2, 64))).toMatchObject({ fits: false, failedPredicate: 'ephemeral-storage' });
    expect(placeOnPool(t, diskPool(2, 3, 64)).instanceTypes.map((x) => x.name)).toEqual(['g6.48xlarge']);
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

  test('templates whose resources pass and fail the same predicates on a pool share its verdict object', () => {
    const pools = [0, 1, 2, 3].map((i) => pool(i, false, 64));
    const memo = new PlacementMemo(pools);
    const small = memo.verdicts(template([], false, 1, 2)); // fits every type of every pool
    const alsoSmall = memo.verdicts(template([], false, 1, 3));
    const big = memo.verdicts(template([], false, 4, 2)); // g5.12xlarge only on p0, too many GPUs for g6e.xlarge (p3)
    for (let i = 0; i < pools.length; i++) {
      expect(alsoSmall[i]).toBe(small[i]);
      expect(alsoSmall[i]).toEqual(placeOnPool(template([], false, 1, 3), pools[i]));
    }
    expect(big[0].instanceTypes.map((t) => t.name)).toEqual(['g5.12xlarge']);
    expect(big[0]).not.toBe(small[0]);
    expect(big[3].failedPredicate).toBe('gpu');
    // A failure's reason quotes the figure asked for: another figure is another verdict.
    const bigger = memo.verdicts(template([], false, 8, 2));
    expect(bigger[3].reason).toContain('needs 8 nvidia.com/gpu');
    expect(bigger[3]).not.toBe(big[3]);
    expect(memo.verdicts(template([], false, 4, 3))[3]).toBe(big[3]);
  });
});
