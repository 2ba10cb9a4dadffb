/**
 * Performance helpers of the scheduling model: the placement signature (what `placeOnPool` reads, and nothing else)
 * and the per-pool memoisation of label spaces and advertised resources. Behaviour must not change.
 */
import { serialize } from 'v8';
import * as fc from 'fast-check';
import { GpuInstanceType } from '../../src/catalog';
import { ADVERTISED_RESOURCES_ANNOTATION, poolModelOf } from '../../src/scheduling/nodepool';
import { canonicalParts, placementSignature, placeOnPool } from '../../src/scheduling/placement';
import { podTemplateOf } from '../../src/scheduling/workloads';
import { params } from '../property/arbitraries';

const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' };
const TOLERATE = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

const pool = (name: string, requirements: any[], extra: any = {}) => poolModelOf({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { ...(extra.limits ? { limits: extra.limits } : {}), template: { spec: { requirements, taints: extra.taints ?? [GPU_TAINT] } } },
});
const deployment = (podSpec: any, extra: { name?: string; labels?: Record<string, string>; replicas?: number } = {}) => podTemplateOf({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: extra.name ?? 'x' },
  spec: { replicas: extra.replicas ?? 1, template: { metadata: { labels: extra.labels ?? { app: 'x' } }, spec: podSpec } },
})!;
const container = (limits: any, requests: any = {}, image = 'vllm') => ({ name: 'c', image, resources: { limits, requests } });
const affinity = (values: string[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values }] }] } } });

describe('canonicalParts', () => {
  // Values from a small domain, so that random lists often meet: JSON data, and what JSON would merge or drop
  // (undefined, NaN, ±Infinity, -0, a Date, a boxed string, a sparse array, a key holding undefined).
  const leaf = fc.constantFrom<unknown>(undefined, null, 0, -0, 1, '1', 'a|u', NaN, Infinity, -Infinity, true, false, '', 'J0,[', new Date(0),
    new String('1')); // eslint-disable-line no-new-wrappers
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'J'), tie('v'), { maxKeys: 2 }), fc.constant([1, , 2])), // eslint-disable-line no-sparse-arrays
  })).v;
  const list = fc.array(value, { maxLength: 4 });
  /** What tells two lists apart, independently of canonicalParts: their structured-clone bytes (key order, -0, NaN, undefined, holes kept). */
  const same = (a: unknown[], b: unknown[]) => serialize(copy(a)).equals(serialize(copy(b)));
  /**
   * A deep copy, each occurrence of a value its own object (so shared references do not change what `same` sees), holes
   * and null prototypes kept, in this realm (structuredClone's copies get the other realm's prototypes under jest).
   */
  function copy(v: unknown): unknown {
    if (v instanceof Date) return new Date(v.getTime());
    if (v instanceof String) return new String(v.valueOf()); // eslint-disable-line no-new-wrappers
    if (Array.isArray(v)) {
      const out = new Array(v.length);
      for (let i = 0; i < v.length; i++) if (i in v) out[i] = copy(v[i]);
      return out;
    }
    if (v === null || typeof v !== 'object' || (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null)) return v;
    const out = Object.create(Object.getPrototypeOf(v));
    for (const k of Object.keys(v)) out[k] = copy((v as any)[k]);
    return out;
  }

  test('property: two lists give the same string exactly when their values are the same, part by part', () => {
    let equalPairs = 0;
    // b is another random list, or a copy of a with one value replaced by a leaf (so near misses are drawn: undefined
    // for null, -0 for 0, '1' for 1, a Date for its text…).
    const pair = fc.tuple(list, list, fc.nat(), leaf, fc.boolean()).map(([a, other, at, replacement, near]) => {
      if (!near || a.length === 0) return [a, other] as const;
      const b = copy(a) as unknown[];
      b[at % b.length] = replacement;
      return [a, b] as const;
    });
    fc.assert(fc.property(pair, ([a, b]) => {
      if (same(a, b)) equalPairs++;
      expect(canonicalParts(a) === canonicalParts(b)).toBe(same(a, b));
      expect(canonicalParts(a)).toBe(canonicalParts(copy(a) as unknown[]));
    }), params(3000));
    expect(equalPairs).toBeGreaterThan(0); // the domain is small enough for equal pairs to be drawn
  });

  test('plain JSON lists take the one-call form, with the positions of their undefined values; others go part by part', () => {
    expect(canonicalParts([undefined, null, { a: [1] }, undefined])).toBe('J0,3,[null,null,{"a":[1]},null]');
    expect(canonicalParts([null])).toBe('J[null]');
    expect(canonicalParts([undefined])).toBe('J0,[null]');
    expect(canonicalParts([1, NaN])).toBe('j1|c#NaN');
  });
});

describe('placementSignature', () => {
  const base = { tolerations: [TOLERATE], nodeSelector: { 'karpenter.k8s.aws/instance-gpu-name': 'l4' }, containers: [container({ 'nvidia.com/gpu': 1 }, { cpu: '4', memory: '16Gi' })] };

  test('ignores what placement does not read: names, labels, replicas, images, preferred affinity, annotations', () => {
    const a = deployment(base);
    const b = deployment({
      ...base,
      containers: [container({ 'nvidia.com/gpu': 1 }, { cpu: '4000m', memory: '16Gi' }, 'other:latest')],
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }] } },
    }, { name: 'y', labels: { app: 'y', tier: 'gold' }, replicas: 40 });
    expect(placementSignature(b)).toBe(placementSignature(a));
  });

  test.each([
    ['tolerations', { ...base, tolerations: [{ ...TOLERATE, effect: 'NoExecute' }] }],
    ['no tolerations', { ...base, tolerations: undefined }],
    ['nodeSelector value', { ...base, nodeSelector: { 'karpenter.k8s.aws/instance-gpu-name': 'a10g' } }],
    ['required node affinity', { ...base, affinity: affinity(['l4']) }],
    ['GPU count', { ...base, containers: [container({ 'nvidia.com/gpu': 2 }, { cpu: '4', memory: '16Gi' })] }],
    ['GPU resource', { ...base, containers: [container({ 'nvidia.com/mig-1g.10gb': 1 }, { cpu: '4', memory: '16Gi' })] }],
    ['cpu request', { ...base, containers: [container({ 'nvidia.com/gpu': 1 }, { cpu: '5', memory: '16Gi' })] }],
    ['memory request', { ...base, containers: [container({ 'nvidia.com/gpu': 1 }, { cpu: '4', memory: '17Gi' })] }],
    ['pod overhead', { ...base, overhead: { cpu: '1' } }],
  ])('changes with %s', (_what, podSpec) => {
    expect(placementSignature(deployment(podSpec))).not.toBe(placementSignature(deployment(base)));
  });

  test('keeps values JSON.stringify would merge apart (undefined vs null, NaN vs null, a Date vs its text)', () => {
    const sig = (value: unknown) => placementSignature(deployment({ ...base, tolerations: [{ key: 'k', operator: 'Equal', value, effect: 'NoSchedule' }] }));
    expect(sig(undefined)).not.toBe(sig(null));
    expect(sig(NaN)).not.toBe(sig(null));
    const d = new Date(0);
    expect(sig(d)).not.toBe(sig(d.toISOString()));
    expect(sig('1')).not.toBe(sig(1));
    expect(sig(-0)).not.toBe(sig(0));
    expect(sig(Infinity)).not.toBe(sig(null));
    expect(sig([1, , 2])).not.toBe(sig([1, null, 2])); // eslint-disable-line no-sparse-arrays
    expect(sig({ a: undefined })).not.toBe(sig({}));
    // A value written by JSON.stringify and one written canonically never meet, nor do parts across a '|' in a string.
    const selector = (nodeSelector: unknown) => placementSignature(deployment({ ...base, nodeSelector }));
    expect(selector({ a: 'x|u' })).not.toBe(selector({ a: 'x' }));
    expect(selector({ a: '1' })).not.toBe(selector({ a: new String('1') }));
  });

  test('plain JSON pod specs and the same values with one non-JSON part agree on every other part', () => {
    // The fast path (JSON) and the canonical one give equal signatures exactly for equal values.
    const withNaN = placementSignature(deployment({ ...base, tolerations: [{ ...TOLERATE, tolerationSeconds: NaN }] }));
    const again = placementSignature(deployment({ ...base, tolerations: [{ ...TOLERATE, tolerationSeconds: NaN }] }));
    expect(again).toBe(withNaN);
    expect(withNaN).not.toBe(placementSignature(deployment(base)));
  });

  const pools = [
    pool('g6', [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g6'] }], { limits: { 'nvidia.com/gpu': 16 } }),
    pool('mixed', [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge', 'g5.xlarge', 'g5.12xlarge'] }, { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] }]),
    pool('open', [], { taints: [] }),
    pool('mig', [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge'] }], { annotations: { [ADVERTISED_RESOURCES_ANNOTATION]: '{"nvidia.com/mig-1g.5gb": 7}' } }),
  ];

  test('property: templates with equal signatures get equal verdicts on every pool', () => {
    const toleration = fc.constantFrom(undefined, [TOLERATE], [{ operator: 'Exists' }], [{ ...TOLERATE, effect: 'NoExecute' }]);
    const selector = fc.constantFrom(undefined, {}, { 'karpenter.k8s.aws/instance-gpu-name': 'l4' }, { 'karpenter.sh/capacity-type': 'spot' }, { 'karpenter.k8s.aws/instance-gpu-name': 'a100' });
    const aff = fc.constantFrom(undefined, affinity(['a10g']), affinity(['l4', 'a100']));
    const gpu = fc.constantFrom({}, { 'nvidia.com/gpu': 1 }, { 'nvidia.com/gpu': 4 }, { 'nvidia.com/gpu': 8 }, { 'nvidia.com/mig-1g.5gb': 2 });
    const cpu = fc.constantFrom('1', '1000m', '40', '100');
    const spec = fc.record({ tolerations: toleration, nodeSelector: selector, affinity: aff, gpu, cpu, name: fc.string() });
    const build = (s: any) => deployment({
      ...(s.tolerations ? { tolerations: s.tolerations } : {}),
      ...(s.nodeSelector ? { nodeSelector: s.nodeSelector } : {}),
      ...(s.affinity ? { affinity: s.affinity } : {}),
      containers: [container(s.gpu, { cpu: s.cpu }, s.name)],
    }, { name: s.name });
    const sameCpu: Record<string, string> = { '1': '1000m', '1000m': '1', '40': '40000m', '100': '100' };
    let equalRandomPairs = 0;
    fc.assert(fc.property(spec, spec, fc.string(), (x, y, otherName) => {
      // a cosmetic variant of x (other name and image, cpu spelt differently) has x's signature and verdicts
      const a = build(x);
      const twin = build({ ...x, name: otherName, cpu: sameCpu[x.cpu] });
      expect(placementSignature(twin)).toBe(placementSignature(a));
      for (const p of pools) expect(placeOnPool(twin, p)).toEqual(placeOnPool(a, p));
      // two random templates: equal signatures imply equal verdicts
      const b = build(y);
      if (placementSignature(a) === placementSignature(b)) {
        equalRandomPairs++;
        for (const p of pools) expect(placeOnPool(b, p)).toEqual(placeOnPool(a, p));
      }
    }), params(300));
    expect(equalRandomPairs).toBeLessThan(300); // random pairs mostly differ: the signature is not constant
  });
});

describe('pool model memoisation', () => {
  const p = pool('mixed', [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge', 'g5.xlarge'] }, { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] }]);
  const p4d = GpuInstanceType.all().find((t) => t.name === 'p4d.24xlarge')!;

  test('labelSpace is computed once per (type, capacity type) and frozen, so no caller can change it', () => {
    expect(p.labelSpace(p4d, 'spot')).toBe(p.labelSpace(p4d, 'spot'));
    expect(p.labelSpace(p4d, 'spot')).not.toBe(p.labelSpace(p4d, 'on-demand'));
    expect(p.labelSpace(p4d, 'spot').fixed['karpenter.sh/capacity-type']).toBe('spot');
    expect(p.labelSpace(p4d).fixed['karpenter.sh/capacity-type']).toBe('spot'); // the first allowed
    const space = p.labelSpace(p4d, 'spot');
    expect(Object.isFrozen(space.fixed)).toBe(true);
    expect(Object.isFrozen(space.open)).toBe(true);
    expect(() => { (space.fixed as any)['karpenter.sh/capacity-type'] = 'on-demand'; }).toThrow(TypeError);
    expect(p.labelSpace(p4d, 'spot').fixed['karpenter.sh/capacity-type']).toBe('spot');
  });

  test('nodeLabels still returns a fresh object the caller may change', () => {
    const labels = p.nodeLabels(p4d, 'spot');
    labels.extra = 'x';
    expect(p.nodeLabels(p4d, 'spot').extra).toBeUndefined();
    expect(p.nodeLabels(p4d, 'spot')).toMatchObject(p.labelSpace(p4d, 'spot').fixed);
  });

  test('advertisedResources is computed once per type and frozen', () => {
    expect(p.advertisedResources(p4d)).toBe(p.advertisedResources(p4d));
    expect(p.advertisedResources(p4d)).toEqual({ 'nvidia.com/gpu': 8 });
    expect(Object.isFrozen(p.advertisedResources(p4d))).toBe(true);
  });
});
