import { Testing } from 'cdk8s';
import { BOUND, chart, configError, nodePoolJson, requirement } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { CapacityReservation, DisruptionBudgets, GpuNodePool, SpotGpuPool, TieredGpuCapacity, CapacityType } from '../../src/pools';
import { expectValid } from '../conformance/schema';

describe('SpotGpuPool', () => {
  test('spot capacity, spot taint, WhenEmpty, tolerations for both taints', () => {
    const c = chart();
    const pool = new SpotGpuPool(c, 'spot', { name: 'gpu-spot', families: ['g5', 'g6'], gpuLimit: 32, nodeClassProps: BOUND });
    const np = nodePoolJson(c);
    expect(requirement(np, 'karpenter.sh/capacity-type').values).toEqual(['spot']);
    expect(np.spec.template.spec.taints).toEqual([
      { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
      { key: 'karpenter.sh/capacity-type', value: 'spot', effect: 'NoSchedule' },
    ]);
    expect(np.spec.disruption.consolidationPolicy).toBe('WhenEmpty');
    expect(pool.capacityTypes).toEqual([CapacityType.SPOT]);
    expect(pool.tolerations()).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' });
    expect(pool.allPools).toEqual([pool]);
    expect(SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD.toSeconds()).toBeLessThan(SpotGpuPool.INTERRUPTION_NOTICE.toSeconds());
    expectValid(Testing.synth(c));
  });

  test('warns when fewer than 3 instance types are allowed, not otherwise', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    new SpotGpuPool(chart(), 'narrow', { instanceTypes: [GpuInstanceType.G5_12XLARGE, GpuInstanceType.G5_24XLARGE], gpuLimit: 8 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^\[cdk8s-gpu\] warning GPU800 SpotGpuPool test\/narrow instanceTypes: spot pool allows only 2 instance type\(s\) \(g5.12xlarge, g5.24xlarge\), .*Fix: allow at least 3/);
    warn.mockClear();
    new SpotGpuPool(chart(), 'wide', { instanceTypes: [GpuInstanceType.G5_12XLARGE, GpuInstanceType.G5_24XLARGE, GpuInstanceType.G5_48XLARGE], gpuLimit: 8 });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  test('on-demand fallback: same types and node class, lower weight, no spot taint', () => {
    const c = chart();
    const pool = new SpotGpuPool(c, 'spot', { name: 'gpu-spot', families: ['g6'], maxNodes: 2, onDemandFallback: true, nodeClassProps: BOUND });
    const spot = nodePoolJson(c, 'gpu-spot');
    const od = nodePoolJson(c, 'gpu-spot-on-demand');
    expect([spot.spec.weight, od.spec.weight]).toEqual([50, 10]);
    expect(requirement(od, 'karpenter.sh/capacity-type').values).toEqual(['on-demand']);
    expect(requirement(od, 'node.kubernetes.io/instance-type').values).toEqual(requirement(spot, 'node.kubernetes.io/instance-type').values);
    expect(od.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(od.spec.template.spec.nodeClassRef.name).toBe(spot.spec.template.spec.nodeClassRef.name);
    expect(od.spec.limits['nvidia.com/gpu']).toBe(16);
    expect(pool.allPools.map((p) => p.poolName)).toEqual(['gpu-spot', 'gpu-spot-on-demand']);
    expectValid(Testing.synth(c));
  });

  test.each([
    [{ capacityType: CapacityType.ON_DEMAND }, 'capacityType'],
    [{ capacityTypes: [CapacityType.SPOT] }, 'capacityTypes'],
    [{ onDemandFallback: true, weight: 5, fallbackWeight: 10 }, 'fallbackWeight'],
    [{ fallbackWeight: 3 }, 'fallbackWeight'],
  ])('refuses %j', (props, property) => {
    const e = configError(() => new SpotGpuPool(chart(), 'spot', { families: ['g6'], gpuLimit: 8, ...props }));
    expect(e.property).toBe(property);
    expect(e.constructPath).toBe('test/spot');
  });
});

describe('TieredGpuCapacity', () => {
  test('reserved (100) → spot (50) → on-demand (10) sharing one node class, with budgets', () => {
    const c = chart();
    const tiers = new TieredGpuCapacity(c, 'h100', {
      base: { name: 'h100', instanceTypes: [GpuInstanceType.P5_48XLARGE], maxNodes: 4, nodeClassProps: BOUND },
      reservations: [CapacityReservation.capacityBlock('cr-0123456789abcdef0', new Date('2026-09-01T11:30:00Z'))],
      reservedGpuLimit: 16,
      businessHours: {},
    });
    const out = Testing.synth(c);
    expect(out.filter((o: any) => o.kind === 'EC2NodeClass')).toHaveLength(1);
    const [r, s, o] = ['h100-reserved', 'h100-spot', 'h100-on-demand'].map((n) => nodePoolJson(c, n));
    expect([r.spec.weight, s.spec.weight, o.spec.weight]).toEqual([100, 50, 10]);
    expect([r, s, o].map((p) => requirement(p, 'karpenter.sh/capacity-type').values[0])).toEqual(['reserved', 'spot', 'on-demand']);
    expect(r.spec.limits['nvidia.com/gpu']).toBe(16);
    expect(s.spec.limits['nvidia.com/gpu']).toBe(32);
    expect(r.spec.disruption.budgets).toEqual([{ nodes: '0', reasons: ['Empty', 'Underutilized'] }, { nodes: '10%' }]);
    expect(o.spec.disruption.budgets).toEqual([{ nodes: '0', schedule: '0 9 * * 1-5', duration: '10h' }, { nodes: '10%' }]);
    expect(out.find((x: any) => x.kind === 'EC2NodeClass').spec.capacityReservationSelectorTerms).toEqual([{ id: 'cr-0123456789abcdef0' }]);
    expect(tiers.pools.map((p) => p.poolName)).toEqual(['h100-reserved', 'h100-spot', 'h100-on-demand']);
    expect(tiers.tolerations()).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' },
    ]);
    expect(tiers.requiredNodeAffinity().nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['h100-reserved', 'h100-spot', 'h100-on-demand']);
    expectValid(out);
  });

  test('tiers can be switched off; at least one must remain', () => {
    const c = chart();
    const t = new TieredGpuCapacity(c, 't', { base: { families: ['g6e'], gpuLimit: 16, nodeClassProps: BOUND }, spot: false });
    expect(t.reserved).toBeUndefined();
    expect(t.spot).toBeUndefined();
    expect(t.onDemand).toBeInstanceOf(GpuNodePool);
    expect(configError(() => new TieredGpuCapacity(chart(), 'none', { base: { families: ['g6e'], gpuLimit: 16 }, spot: false, onDemand: false })).property).toBe('reservations');
    expect(configError(() => new TieredGpuCapacity(chart(), 'w', { base: { families: ['g6e'], gpuLimit: 16, weight: 3 } })).property).toBe('base.weight');
    expect(configError(() => new TieredGpuCapacity(chart(), 'r', { base: { families: ['g6e'], gpuLimit: 16 }, reservedGpuLimit: 8 })).property).toBe('reservedGpuLimit');
    expect(DisruptionBudgets.keepReservedNodes().nodes).toBe('0');
  });
});
