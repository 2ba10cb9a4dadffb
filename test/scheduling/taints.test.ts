import { formatTaint, Taint, tolerationFor, Toleration, toleratesTaint, tolerationsTolerateTaint, untoleratedTaints } from '../../src/scheduling/taints';
import { validateManifests } from '../../src/validation';

const gpu: Taint = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' };
const gpuNoValue: Taint = { key: 'nvidia.com/gpu', effect: 'NoSchedule' };

describe('toleratesTaint follows Toleration.ToleratesTaint', () => {
  // [description (the k8s reason), toleration, taint, expected]
  const cases: Array<[string, Toleration, Taint, boolean]> = [
    ['operator defaults to Equal: equal key, value, effect', { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }, gpu, true],
    ['operator defaults to Equal: a different value does not match', { key: 'nvidia.com/gpu', value: 'false', effect: 'NoSchedule' }, gpu, false],
    ['operator "" is Equal', { key: 'nvidia.com/gpu', operator: '', value: 'true' }, gpu, true],
    ['Equal with a missing value equals a taint without value', { key: 'nvidia.com/gpu', operator: 'Equal', effect: 'NoSchedule' }, gpuNoValue, true],
    ['Equal with a missing value is "" and does not equal "true"', { key: 'nvidia.com/gpu', operator: 'Equal', effect: 'NoSchedule' }, gpu, false],
    ['Equal with value "" equals a taint without value', { key: 'nvidia.com/gpu', operator: 'Equal', value: '' }, gpuNoValue, true],
    ['Exists matches any value', { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, gpu, true],
    ['Exists matches a taint without value', { key: 'nvidia.com/gpu', operator: 'Exists' }, gpuNoValue, true],
    ['Exists still needs the key', { key: 'other', operator: 'Exists' }, gpu, false],
    ['empty key + Exists tolerates every taint', { operator: 'Exists' }, gpu, true],
    ['empty key + Exists tolerates every effect', { operator: 'Exists' }, { key: 'x', value: 'y', effect: 'NoExecute' }, true],
    ['empty key + Exists + effect only tolerates that effect', { operator: 'Exists', effect: 'NoExecute' }, gpu, false],
    ['empty effect matches all effects', { key: 'nvidia.com/gpu', operator: 'Exists' }, { key: 'nvidia.com/gpu', effect: 'NoExecute' }, true],
    ['a NoExecute toleration does not tolerate a NoSchedule taint', { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }, gpu, false],
    ['a NoSchedule toleration does not tolerate a NoExecute taint', { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'nvidia.com/gpu', effect: 'NoExecute' }, false],
    ['effect matching is exact (PreferNoSchedule vs NoSchedule)', { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'PreferNoSchedule' }, gpu, false],
    ['keys are case-sensitive', { key: 'NVIDIA.com/gpu', operator: 'Exists' }, gpu, false],
    ['an unknown operator matches nothing', { key: 'nvidia.com/gpu', operator: 'exists' }, gpu, false],
    ['Gt is alpha and off by default: matches nothing', { key: 'n', operator: 'Gt', value: '5' }, { key: 'n', value: '9', effect: 'NoSchedule' }, false],
    ['tolerationSeconds does not affect matching', { key: 'nvidia.com/gpu', operator: 'Exists', tolerationSeconds: 0 }, gpu, true],
  ];
  test.each(cases)('%s', (_why, toleration, taint, expected) => {
    expect(toleratesTaint(toleration, taint)).toBe(expected);
  });

  test.each([
    ['Gt: taint value above toleration value', 'Gt', '5', '9', true],
    ['Gt: equal is not greater', 'Gt', '5', '5', false],
    ['Lt: taint value below toleration value', 'Lt', '5', '1', true],
    ['Lt: non-integer taint value matches nothing', 'Lt', '5', 'x', false],
  ])('with comparison operators enabled, %s', (_why, operator, value, taintValue, expected) => {
    expect(toleratesTaint({ key: 'n', operator, value }, { key: 'n', value: taintValue, effect: 'NoSchedule' },
      { comparisonOperators: true })).toBe(expected);
  });
});

describe('untoleratedTaints', () => {
  const taints: Taint[] = [
    gpu,
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'evict', value: 'now', effect: 'NoExecute' },
  ];
  test('no tolerations: NoSchedule and NoExecute block, PreferNoSchedule never does', () => {
    expect(untoleratedTaints(undefined, taints)).toEqual([gpu, taints[2]]);
  });
  test('tolerated taints are dropped', () => {
    expect(untoleratedTaints([{ key: 'nvidia.com/gpu', operator: 'Exists' }], taints)).toEqual([taints[2]]);
  });
  test('tolerate-everything toleration leaves nothing', () => {
    expect(untoleratedTaints([{ operator: 'Exists' }], taints)).toEqual([]);
  });
  test('no taints: nothing blocks', () => {
    expect(untoleratedTaints([], undefined)).toEqual([]);
  });
});

describe('formatTaint / tolerationFor', () => {
  test('formats like kubectl taint', () => {
    expect(formatTaint(gpu)).toBe('nvidia.com/gpu=true:NoSchedule');
    expect(formatTaint(gpuNoValue)).toBe('nvidia.com/gpu:NoSchedule');
    expect(formatTaint({ key: 'k', value: '', effect: 'NoExecute' })).toBe('k:NoExecute');
  });
  test('tolerationFor tolerates the taint it was made for, and only that effect', () => {
    for (const t of [gpu, gpuNoValue]) {
      expect(toleratesTaint(tolerationFor(t), t)).toBe(true);
      expect(toleratesTaint(tolerationFor(t), { ...t, effect: 'NoExecute' })).toBe(false);
    }
    expect(tolerationFor(gpuNoValue).operator).toBe('Exists');
  });
});

describe('entries that are not tolerations (hand-written YAML read by lint)', () => {
  test('null, scalars and arrays tolerate nothing and never throw', () => {
    const taint = { key: 'nvidia.com/gpu', effect: 'NoSchedule' };
    for (const bad of [null, undefined, 0, 'Exists', true, []]) {
      expect(toleratesTaint(bad as any, taint)).toBe(false);
    }
    expect(tolerationsTolerateTaint([null as any, { key: 'nvidia.com/gpu', operator: 'Exists' }], taint)).toBe(true);
    expect(untoleratedTaints([null as any], [taint])).toEqual([taint]);
  });

  test('GPU004 on a Deployment with tolerations: [null] gives no internal error (found by the lint fuzz test)', () => {
    const findings = validateManifests([
      { object: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { tolerations: [null] } } } } },
      { object: { apiVersion: 'v1', kind: 'Deployment' } },
    ]);
    expect(findings.filter((f) => /failed:/.test(f.message))).toEqual([]);
  });
});
