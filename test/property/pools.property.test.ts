/**
 * Property-based tests of the pools (GpuNodePool, SpotGpuPool, GpuNodeClass): random valid props synthesise
 * objects that pass the upstream schemas (CRDs + CEL) and every validation rule with no errors and no suspicious
 * values; one random invalid prop on top of valid props throws GpuConfigError naming the construct and the
 * property — never a TypeError.
 */
import { Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import {
  BOUND, RUNS, chart, dnsLabel, expectCleanSynth, expectConfigError, instanceTypes, invalidDnsLabel, invalidLabelValue,
  labelKey, labelValue, params,
} from './arbitraries';
import { GpuInstanceType } from '../../src/catalog';
import {
  CapacityType, ConsolidationPolicy, DisruptionBudgets, GpuNodeClass, GpuNodeClassProps, GpuNodePool, GpuNodePoolProps,
  NodeTaint, SpotGpuPool, TaintEffect,
} from '../../src/pools';

let warn: jest.SpyInstance;
beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterEach(() => warn.mockRestore());

const effect = fc.constantFrom(TaintEffect.NO_SCHEDULE, TaintEffect.NO_EXECUTE, TaintEffect.PREFER_NO_SCHEDULE);
const taints: fc.Arbitrary<NodeTaint[]> = fc.uniqueArray(
  fc.record({ key: labelKey(), value: fc.option(labelValue(), { nil: undefined }), effect }, { requiredKeys: ['key', 'effect'] }),
  { maxLength: 3, selector: (t) => `${t.key}:${t.effect}` },
).filter((ts) => ts.every((t) => t.key !== 'nvidia.com/gpu'));

const nodeClassProps: fc.Arbitrary<GpuNodeClassProps> = fc.record({
  volumeGiB: fc.option(fc.integer({ min: 20, max: 16384 }), { nil: undefined }),
  iops: fc.option(fc.integer({ min: 3000, max: 16000 }), { nil: undefined }),
  maxPods: fc.option(fc.integer({ min: 1, max: 737 }), { nil: undefined }),
  tags: fc.option(fc.dictionary(fc.constantFrom('Team', 'CostCenter', 'Env'), labelValue(), { maxKeys: 3 }), { nil: undefined }),
}).map((r) => ({
  ...BOUND,
  ...(r.volumeGiB !== undefined || r.iops !== undefined
    ? { volume: { ...(r.volumeGiB !== undefined ? { size: Size.gibibytes(r.volumeGiB) } : {}), ...(r.iops !== undefined ? { iops: r.iops } : {}) } }
    : {}),
  ...(r.maxPods !== undefined ? { maxPods: r.maxPods } : {}),
  ...(r.tags !== undefined ? { tags: r.tags } : {}),
}));

/** Valid GpuNodePool props (capacity type on-demand or spot; no reservations). */
function validPoolProps(spotOnly = false): fc.Arbitrary<GpuNodePoolProps> {
  return instanceTypes(() => true, spotOnly ? 5 : 4).chain((types) => {
    const largest = Math.max(...types.map((t) => t.gpuCount));
    return fc.record({
      name: fc.option(dnsLabel(50), { nil: undefined }),
      instanceTypes: fc.constant(types),
      capacityType: spotOnly ? fc.constant(undefined) : fc.constantFrom(CapacityType.ON_DEMAND, CapacityType.SPOT, undefined),
      limit: fc.oneof(
        fc.integer({ min: largest, max: largest * 64 }).map((gpuLimit) => ({ gpuLimit })),
        fc.integer({ min: 1, max: 64 }).map((maxNodes) => ({ maxNodes })),
      ),
      weight: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
      consolidationPolicy: fc.option(
        fc.constantFrom(ConsolidationPolicy.WHEN_EMPTY, ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED), { nil: undefined }),
      consolidateAfter: fc.option(fc.integer({ min: 0, max: 7200 }).map((s) => Duration.seconds(s)), { nil: undefined }),
      expireAfter: fc.option(fc.integer({ min: 1, max: 2000 }).map((h) => Duration.hours(h)), { nil: undefined }),
      labels: fc.option(fc.dictionary(labelKey(), labelValue(), { maxKeys: 5 }), { nil: undefined }),
      taints: fc.option(taints, { nil: undefined }),
      budgets: fc.option(fc.constantFrom(
        [DisruptionBudgets.atMost('10%')],
        [DisruptionBudgets.atMost('1'), DisruptionBudgets.businessHours()],
        [DisruptionBudgets.businessHours({ startHourUtc: 7, duration: Duration.hours(12) })],
      ), { nil: undefined }),
      gpuTaint: fc.option(fc.boolean(), { nil: undefined }),
      nodeClassProps,
    }).map(({ limit, ...r }) => {
      const out: any = { ...limit };
      for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
      // Without the GPU taint a pool needs another NoSchedule taint, or rule GPU003 (CPU pods fill GPU nodes) fires.
      if (out.gpuTaint === false && !(out.taints ?? []).some((t: NodeTaint) => t.effect !== TaintEffect.PREFER_NO_SCHEDULE)) {
        out.taints = [...(out.taints ?? []), { key: 'example.com/dedicated', value: 'gpu', effect: TaintEffect.NO_SCHEDULE }];
      }
      return out as GpuNodePoolProps;
    });
  });
}

describe('GpuNodePool', () => {
  test('random valid props synthesise schema-valid, rule-clean NodePools and EC2NodeClasses', () => {
    fc.assert(fc.property(validPoolProps(), (props) => {
      const c = chart();
      const pool = new GpuNodePool(c, 'p', props);
      const objs = expectCleanSynth(c);
      const np = objs.find((o) => o.kind === 'NodePool');
      expect(np.metadata.name).toBe(pool.poolName);
      if (props.name) expect(pool.poolName).toBe(props.name);
      expect(np.spec.limits['nvidia.com/gpu']).toBe(pool.gpuLimit);
      expect(pool.gpuLimit).toBeGreaterThanOrEqual(pool.largestInstanceType.gpuCount);
      expect(objs.filter((o) => o.kind === 'EC2NodeClass')).toHaveLength(1);
    }), params(RUNS));
  });

  /** One invalid prop, applied on top of valid props. */
  const invalid: fc.Arbitrary<[string, (p: GpuNodePoolProps) => GpuNodePoolProps]> = fc.oneof(
    invalidDnsLabel().map((name) => ['name', (p: any) => ({ ...p, name })] as [string, any]),
    fc.constantFrom(0, -1, 1.5, NaN, Infinity, -Infinity).map((gpuLimit) => ['gpuLimit', (p: any) => ({ ...p, maxNodes: undefined, gpuLimit })] as [string, any]),
    fc.constant(['gpuLimit', (p: any) => {
      const largest = Math.max(...(p.instanceTypes as GpuInstanceType[]).map((t) => t.gpuCount));
      return largest > 1 ? { ...p, maxNodes: undefined, gpuLimit: largest - 1 } : { ...p, maxNodes: undefined, gpuLimit: 0 };
    }] as [string, any]),
    fc.constantFrom(0, -2, 2.5, NaN).map((maxNodes) => ['maxNodes', (p: any) => ({ ...p, gpuLimit: undefined, maxNodes })] as [string, any]),
    fc.constantFrom(0, 101, -1, 1.5, NaN).map((weight) => ['weight', (p: any) => ({ ...p, weight })] as [string, any]),
    fc.constantFrom(0, -4, NaN).map((cpuLimit) => ['cpuLimit', (p: any) => ({ ...p, cpuLimit })] as [string, any]),
    fc.constant(['instanceTypes', (p: any) => ({ ...p, instanceTypes: [] })] as [string, any]),
    invalidLabelValue().map((v) => ['labels', (p: any) => ({ ...p, labels: { 'example.com/tier': v } })] as [string, any]),
    fc.constantFrom('Bad Key', '-x', 'a/b/c', 'kubernetes.io/hostname', 'karpenter.sh/nodepool', '').map((k) => ['labels', (p: any) => ({ ...p, labels: { [k]: 'x' } })] as [string, any]),
    invalidLabelValue().map((v) => ['taints', (p: any) => ({ ...p, taints: [{ key: 'example.com/t', value: v, effect: TaintEffect.NO_SCHEDULE }] })] as [string, any]),
    fc.constantFrom('bad key', '', '/x').map((key) => ['taints', (p: any) => ({ ...p, taints: [{ key, effect: TaintEffect.NO_SCHEDULE }] })] as [string, any]),
    fc.constant(['taints', (p: any) => ({ ...p, taints: [{ key: 'example.com/t', effect: TaintEffect.NO_SCHEDULE }, { key: 'example.com/t', value: 'x', effect: TaintEffect.NO_SCHEDULE }] })] as [string, any]),
    fc.constantFrom('abc', '101%', '-1', '').map((nodes) => ['budgets', (p: any) => ({ ...p, budgets: [{ nodes }] })] as [string, any]),
    fc.constantFrom('not a cron', '61 * * * *', '* * *').map((schedule) => ['budgets', (p: any) => ({ ...p, budgets: [{ nodes: '0', schedule, duration: Duration.hours(1) }] })] as [string, any]),
    fc.constant(['capacityReservations', (p: any) => ({ ...p, capacityType: CapacityType.RESERVED })] as [string, any]),
    fc.constantFrom(0, 0.5, 20000).map((size) => ['volume.size', (p: any) => ({ ...p, nodeClassProps: { ...BOUND, volume: { size: Size.gibibytes(size) } } })] as [string, any]),
    fc.constantFrom(0, -1, 1.5).map((maxPods) => ['maxPods', (p: any) => ({ ...p, nodeClassProps: { ...BOUND, maxPods } })] as [string, any]),
  );

  test('one invalid prop throws GpuConfigError naming the construct and the property', () => {
    fc.assert(fc.property(validPoolProps(), invalid, (props, [prop, mutate]) => {
      const c = chart();
      expectConfigError(() => {
        new GpuNodePool(c, 'p', mutate(props));
        // Some problems (an unbound node class) are found at synth: that counts too, as long as it is ours.
        c.toJson();
      }, `${c.node.path}/p`, prop);
    }), params(RUNS));
  });

  test('non-objects and wrong types never surface as TypeError', () => {
    const bad: any[] = [
      { instanceTypes: ['p4d.24xlarge'] }, { instanceTypes: [undefined] }, { labels: { 'example.com/x': 5 } },
      { taints: [{ key: 'example.com/x', effect: 'Sometimes' }] }, { weight: '50' }, { gpuLimit: '8' },
    ];
    for (const extra of bad) {
      const c = chart();
      let thrown: any;
      try {
        new GpuNodePool(c, 'p', { instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4, nodeClassProps: BOUND, ...extra });
        c.toJson();
      } catch (e) {
        thrown = e;
      }
      expect(thrown?.name).toBe('GpuConfigError');
    }
  });
});

describe('SpotGpuPool', () => {
  test('random valid props (with or without on-demand fallback) synthesise clean objects', () => {
    fc.assert(fc.property(validPoolProps(true), fc.boolean(), (props, fallback) => {
      const c = chart();
      const weight = fallback ? Math.max(2, props.weight ?? 50) : props.weight;
      const pool = new SpotGpuPool(c, 'spot', { ...props, weight, ...(fallback ? { onDemandFallback: true, fallbackWeight: 1 } : {}) });
      const objs = expectCleanSynth(c);
      expect(objs.filter((o) => o.kind === 'NodePool')).toHaveLength(fallback ? 2 : 1);
      expect(pool.taints.some((t) => t.key === 'karpenter.sh/capacity-type')).toBe(true);
    }), params(RUNS));
  });

  test('invalid spot props throw GpuConfigError naming the property', () => {
    const cases: Array<[string, any]> = [
      ['capacityType', { capacityType: CapacityType.ON_DEMAND }],
      ['capacityTypes', { capacityTypes: [CapacityType.SPOT] }],
      ['fallbackWeight', { fallbackWeight: 3 }],
      ['fallbackWeight', { onDemandFallback: true, weight: 20, fallbackWeight: 20 }],
      ['fallbackGpuLimit', { fallbackGpuLimit: 8 }],
    ];
    fc.assert(fc.property(validPoolProps(true), fc.constantFrom(...cases), (props, [prop, extra]) => {
      const c = chart();
      expectConfigError(() => new SpotGpuPool(c, 'spot', { ...props, ...extra }), `${c.node.path}/spot`, prop);
    }), params(Math.round(RUNS / 2)));
  });
});

describe('GpuNodeClass', () => {
  test('random valid props synthesise a schema-valid EC2NodeClass', () => {
    fc.assert(fc.property(fc.option(dnsLabel(50), { nil: undefined }), nodeClassProps, (name, props) => {
      const c = chart();
      new GpuNodeClass(c, 'nc', { ...props, ...(name ? { name } : {}) });
      const objs = expectCleanSynth(c);
      expect(objs).toHaveLength(1);
      expect(objs[0].spec.role).toBe(BOUND.role);
    }), params(RUNS));
  });

  test('invalid node-class props throw GpuConfigError naming the property', () => {
    const cases: fc.Arbitrary<[string, GpuNodeClassProps]> = fc.oneof(
      invalidDnsLabel().filter((n) => n !== '').map((name) => ['name', { ...BOUND, name }] as [string, GpuNodeClassProps]),
      fc.constantFrom(0, 20000).map((g) => ['volume.size', { ...BOUND, volume: { size: Size.gibibytes(g) } }] as [string, GpuNodeClassProps]),
      fc.constantFrom(100, 99999).map((iops) => ['volume.iops', { ...BOUND, volume: { iops } }] as [string, GpuNodeClassProps]),
      fc.constantFrom(0, 5000).map((t) => ['volume.throughputMiBps', { ...BOUND, volume: { throughputMiBps: t } }] as [string, GpuNodeClassProps]),
      fc.constantFrom(0, -3, 2.5).map((m) => ['maxParallelImagePulls', { ...BOUND, maxParallelImagePulls: m }] as [string, GpuNodeClassProps]),
      fc.constant(['role', { clusterName: 'demo', role: '' }] as [string, GpuNodeClassProps]),
      fc.constant(['clusterName', { role: 'r', clusterName: '' }] as [string, GpuNodeClassProps]),
    );
    fc.assert(fc.property(cases, ([prop, props]) => {
      const c = chart();
      expectConfigError(() => {
        new GpuNodeClass(c, 'nc', props);
        c.toJson();
      }, `${c.node.path}/nc`, prop);
    }), params(Math.round(RUNS / 2)));
  });
});
