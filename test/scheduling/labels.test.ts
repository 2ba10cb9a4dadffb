import {
  matchesLabelSelector, matchesNodeSelector, matchesRequiredNodeAffinity, matchesRequirement, NodeSelectorRequirement, requirementAllowsSpace,
} from '../../src/scheduling/labels';

const labels = { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3', 'karpenter.k8s.aws/instance-generation': '5', 'team': 'ml' };

describe('matchesRequirement (k8s label selector semantics)', () => {
  const cases: Array<[string, NodeSelectorRequirement, boolean]> = [
    ['In with the value', { key: 'team', operator: 'In', values: ['ml', 'x'] }, true],
    ['In without the value', { key: 'team', operator: 'In', values: ['x'] }, false],
    ['In when the label is absent', { key: 'absent', operator: 'In', values: ['x'] }, false],
    ['NotIn with another value', { key: 'team', operator: 'NotIn', values: ['x'] }, true],
    ['NotIn with the value', { key: 'team', operator: 'NotIn', values: ['ml'] }, false],
    ['NotIn is true when the label is absent', { key: 'absent', operator: 'NotIn', values: ['x'] }, true],
    ['Exists when present', { key: 'team', operator: 'Exists' }, true],
    ['Exists when absent', { key: 'absent', operator: 'Exists' }, false],
    ['DoesNotExist when absent', { key: 'absent', operator: 'DoesNotExist' }, true],
    ['DoesNotExist when present', { key: 'team', operator: 'DoesNotExist' }, false],
    ['Gt compares integers (5 > 4)', { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] }, true],
    ['Gt is strict (5 > 5 is false)', { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] }, false],
    ['Gt compares numbers, not strings (5 > 10 is false)', { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['10'] }, false],
    ['Lt (5 < 10)', { key: 'karpenter.k8s.aws/instance-generation', operator: 'Lt', values: ['10'] }, true],
    ['Gt on a non-integer label is false', { key: 'team', operator: 'Gt', values: ['1'] }, false],
    ['Gt with two values is false', { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['1', '2'] }, false],
    ['Gt when absent is false', { key: 'absent', operator: 'Gt', values: ['1'] }, false],
    ['Karpenter Gte (5 >= 5)', { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gte', values: ['5'] }, true],
    ['Karpenter Lte (5 <= 4 is false)', { key: 'karpenter.k8s.aws/instance-generation', operator: 'Lte', values: ['4'] }, false],
    ['unknown operator matches nothing', { key: 'team', operator: 'in', values: ['ml'] }, false],
  ];
  test.each(cases)('%s', (_why, req, expected) => {
    expect(matchesRequirement(req, labels)).toBe(expected);
  });
});

describe('matchesNodeSelector', () => {
  test('every entry must match exactly', () => {
    expect(matchesNodeSelector({ team: 'ml' }, labels)).toBe(true);
    expect(matchesNodeSelector({ 'team': 'ml', 'nvidia.com/gpu.product': 'H100' }, labels)).toBe(false);
    expect(matchesNodeSelector({ missing: '' }, labels)).toBe(false);
  });
  test('absent or empty selects every node', () => {
    expect(matchesNodeSelector(undefined, labels)).toBe(true);
    expect(matchesNodeSelector({}, {})).toBe(true);
  });
});

describe('matchesRequiredNodeAffinity', () => {
  const affinity = (terms: any[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
  test('no affinity matches every node', () => {
    expect(matchesRequiredNodeAffinity(undefined, labels)).toBe(true);
    expect(matchesRequiredNodeAffinity({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } }, labels)).toBe(true);
  });
  test('terms are ORed', () => {
    expect(matchesRequiredNodeAffinity(affinity([
      { matchExpressions: [{ key: 'team', operator: 'In', values: ['x'] }] },
      { matchExpressions: [{ key: 'team', operator: 'In', values: ['ml'] }] },
    ]), labels)).toBe(true);
  });
  test('expressions of a term are ANDed', () => {
    expect(matchesRequiredNodeAffinity(affinity([{
      matchExpressions: [
        { key: 'team', operator: 'In', values: ['ml'] },
        { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
      ],
    }]), labels)).toBe(false);
  });
  test('an empty term selects nothing; an empty term list selects nothing', () => {
    expect(matchesRequiredNodeAffinity(affinity([{}]), labels)).toBe(false);
    expect(matchesRequiredNodeAffinity(affinity([]), labels)).toBe(false);
  });
  test('matchFields (metadata.name) cannot be judged from labels and counts as satisfied', () => {
    expect(matchesRequiredNodeAffinity(affinity([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]), labels)).toBe(true);
  });
  test('accepts the nodeAffinity object itself', () => {
    expect(matchesRequiredNodeAffinity({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['ml'] }] },
        ],
      },
    }, labels)).toBe(false);
  });
});

describe('requirementAllowsSpace (launch-time keys)', () => {
  const space = { fixed: { a: '1' }, open: { zone: ['us-east-1a', 'us-east-1b'], host: undefined } };
  test('open keys with listed values', () => {
    expect(requirementAllowsSpace({ key: 'zone', operator: 'In', values: ['us-east-1b'] }, space)).toBe(true);
    expect(requirementAllowsSpace({ key: 'zone', operator: 'In', values: ['us-west-2a'] }, space)).toBe(false);
    expect(requirementAllowsSpace({ key: 'zone', operator: 'NotIn', values: ['us-east-1a'] }, space)).toBe(true);
    expect(requirementAllowsSpace({ key: 'zone', operator: 'NotIn', values: ['us-east-1a', 'us-east-1b'] }, space)).toBe(false);
    expect(requirementAllowsSpace({ key: 'zone', operator: 'DoesNotExist' }, space)).toBe(false);
  });
  test('open keys with any value', () => {
    expect(requirementAllowsSpace({ key: 'host', operator: 'In', values: ['n1'] }, space)).toBe(true);
    expect(requirementAllowsSpace({ key: 'host', operator: 'Exists' }, space)).toBe(true);
  });
});

describe('matchesLabelSelector (metav1.LabelSelector: PDBs, ServiceMonitors)', () => {
  const podLabels = { app: 'vllm', tier: 'serving' };
  test.each([
    ['empty selector selects everything', {}, true],
    ['missing selector selects nothing', undefined, false],
    ['matchLabels all equal', { matchLabels: { app: 'vllm' } }, true],
    ['matchLabels one differs', { matchLabels: { app: 'vllm', tier: 'batch' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['serving', 'batch'] }] }, true],
    ['In on an absent key', { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] }, false],
    ['NotIn on an absent key', { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['unknown operator selects nothing', { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, false],
  ])('%s', (_, selector, expected) => {
    expect(matchesLabelSelector(selector, podLabels)).toBe(expected);
  });
});
