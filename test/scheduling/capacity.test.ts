import { GpuInstanceType } from '../../src/catalog';
import { podsAtLeastWithinPoolLimits, podsWithinPoolLimits } from '../../src/scheduling/capacity';
import { ADVERTISED_RESOURCES_ANNOTATION, poolModelOf } from '../../src/scheduling/nodepool';
import { Rule, Severity, validateManifests } from '../../src/validation';

const pool = (limits: Record<string, unknown>, types: string[], extra: any = {}) => poolModelOf({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'p', ...(extra.metadata ?? {}) },
  spec: {
    limits,
    template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'd' }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: types }] } },
  },
});
const t = (name: string) => GpuInstanceType.of(name);

describe('podsWithinPoolLimits: what Karpenter can buy within a NodePool\'s limits', () => {
  test('whole nodes: 12 GPUs of limit buy one p4d.24xlarge, so two 4-GPU pods (not 12 / 4 = 3)', () => {
    const b = podsWithinPoolLimits(pool({ 'nvidia.com/gpu': 12 }, ['p4d.24xlarge']), [t('p4d.24xlarge')], 4, 0, 0, false)!;
    expect(b).toMatchObject({ pods: 2, perNode: 2 });
    expect(b.type.name).toBe('p4d.24xlarge');
  });

  test('node types mix: 12 GPUs buy a g6.48xlarge and a g6.12xlarge, three 4-GPU pods', () => {
    const types = [t('g6.48xlarge'), t('g6.12xlarge')];
    expect(podsWithinPoolLimits(pool({ 'nvidia.com/gpu': 12 }, types.map((x) => x.name)), types, 4, 0, 0, false)!.pods).toBe(3);
  });

  test('one pod per node, cpu per pod and a cpu limit each bound it', () => {
    const p4d = [t('p4d.24xlarge')];
    expect(podsWithinPoolLimits(pool({ 'nvidia.com/gpu': 32 }, ['p4d.24xlarge']), p4d, 1, 0, 0, true)!.pods).toBe(4);
    expect(podsWithinPoolLimits(pool({ 'nvidia.com/gpu': 32 }, ['p4d.24xlarge']), p4d, 1, 60, 0, false)!.pods).toBe(4);
    expect(podsWithinPoolLimits(pool({ 'nvidia.com/gpu': 32, 'cpu': 96 }, ['p4d.24xlarge']), p4d, 1, 0, 0, false)!.pods).toBe(8);
  });

  test('not judged: no GPU limit, no type, or GPUs shared (advertised above the count)', () => {
    expect(podsWithinPoolLimits(pool({}, ['p4d.24xlarge']), [t('p4d.24xlarge')], 1, 0, 0, false)).toBeUndefined();
    expect(podsWithinPoolLimits(pool({ 'nvidia.com/gpu': 8 }, ['p4d.24xlarge']), [], 1, 0, 0, false)).toBeUndefined();
    const shared = pool({ 'nvidia.com/gpu': 8 }, ['g6.xlarge'], { metadata: { annotations: { [ADVERTISED_RESOURCES_ANNOTATION]: '{"nvidia.com/gpu": 4}' } } });
    expect(podsWithinPoolLimits(shared, [t('g6.xlarge')], 1, 0, 0, false)).toBeUndefined();
  });
});

describe('podsAtLeastWithinPoolLimits: a cheap lower bound', () => {
  test('nodes of the largest type the limits buy, never above the exact count; Infinity without a GPU limit', () => {
    const mixed = pool({ 'nvidia.com/gpu': 12 }, ['g6.48xlarge', 'g6.12xlarge']);
    expect(podsAtLeastWithinPoolLimits(mixed)).toBe(1);
    expect(podsWithinPoolLimits(mixed, [t('g6.48xlarge'), t('g6.12xlarge')], 4, 0, 0, false)!.pods).toBeGreaterThanOrEqual(1);
    expect(podsAtLeastWithinPoolLimits(pool({ 'nvidia.com/gpu': 64, 'cpu': 96 }, ['p4d.24xlarge']))).toBe(1);
    expect(podsAtLeastWithinPoolLimits(pool({}, ['p4d.24xlarge']))).toBe(Infinity);
  });
});

describe('RuleContext.fittingPlacements', () => {
  test('equals the pools whose placement fits, in the pools\' order', () => {
    const seen: string[][] = [];
    const probe: Rule = {
      id: 'GPU991',
      title: 'probe',
      severity: Severity.WARNING,
      kinds: ['Deployment'],
      remediation: 'none needed here',
      *check(ctx) {
        for (const w of ctx.workloads()) {
          const fitting = ctx.fittingPlacements(w.template).map((v) => v.pool.name);
          expect(fitting).toEqual(ctx.nodePools().filter((p) => ctx.placement(w.template, p).fits).map((p) => p.name));
          seen.push(fitting);
        }
      },
    };
    const objs = [
      { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'a' }, spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'd' }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.xlarge'] }] } } } },
      { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'b' }, spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'd' }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge'] }] } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'big', namespace: 'x' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { 'nvidia.com/gpu': 4 } } }] } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'small', namespace: 'x' }, spec: { selector: { matchLabels: { a: 'c' } }, template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { 'nvidia.com/gpu': 1 } } }] } } } },
    ];
    validateManifests(objs.map((object) => ({ object })), { rules: [probe] });
    expect(seen).toEqual([['b'], ['a', 'b']]);
  });
});
